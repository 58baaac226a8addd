"""Every view that took a whole number straight from a POST: a bad one is a 400 naming the field.

These views once did `int(request.POST…)` and answered 500 to `version=abc`; they now parse
through `core.forms.form_integer`.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.directory.services import agency_create
from hrap.monitoring import services as monitoring
from hrap.monitoring.models import ProgressReport
from hrap.plans import services as plan_services
from hrap.plans.models import PlanNode, Target
from hrap.plans.sample import PLAN_FILE

pytestmark = pytest.mark.django_db
BAD = ["abc", "1e3", "-1", "9" * 5000, "2147483648", "1.5", "NaN"]


@pytest.fixture
def world():
    translation.activate("en")  # reverse() gives /en/ addresses whatever ran before
    sample_plan = plan_services.plan_import(raw=PLAN_FILE.read_bytes(), actor=system_actor())
    admin = get_user_model().objects.create_user("admin", password="pw-Secret-123!")
    Membership.objects.create(user=admin, role=Role.ADMINISTRATOR)
    node = PlanNode.objects.get(plan=sample_plan, ref="III.1.1")
    agency = agency_create(actor=system_actor(), code="mee", name={"en": "MEE"})
    plan_services.assignment_set(node=node, actor=admin, agency=agency, role="lead")
    cycle = monitoring.cycle_create(
        plan=sample_plan,
        actor=admin,
        period="2023",
        opens=date(2023, 11, 1),
        due=date(2024, 1, 31),
        closes=date(2024, 2, 29),
    )
    monitoring.cycle_open(cycle=cycle, actor=admin)
    client = Client()
    client.force_login(admin)
    node_kwargs = {"slug": sample_plan.slug, "ref": node.ref}
    report = ProgressReport.objects.get(cycle=cycle)
    target = Target.objects.filter(node__plan=sample_plan).first()
    assert target is not None
    step_kwargs = {
        "slug": sample_plan.slug,
        "period": "2023",
        "report_id": report.pk,
        "step": "submit",
    }
    target_kwargs = {"slug": sample_plan.slug, "ref": target.node.ref, "target_id": target.pk}
    return {
        "client": client,
        "posts": [
            (reverse("plans:target_delete", kwargs=target_kwargs), {}, "version"),
            (reverse("plans:assignments", kwargs=node_kwargs), {}, "remove"),
            # The review screen names the problem at the node's row, in the page's language.
            (
                reverse("plans:node_structure", kwargs=node_kwargs),
                {"action": "split"},
                "paragraph",
                "Give a paragraph number from 2.",
            ),
            (reverse("monitoring:report_step", kwargs=step_kwargs), {}, "version"),
        ],
    }


def test_a_bad_whole_number_in_any_post_is_a_400_naming_the_field(world) -> None:
    client = world["client"]
    for url, data, field, *marker in world["posts"]:
        for bad in BAD:
            response = client.post(url, {**data, field: bad})
            assert response.status_code == 400, (url, field, bad)
            said = marker[0] if marker else f"{field}:"
            assert said in response.content.decode(), (url, field, bad)
