"""A target keeps its indicator (and its values) through edits; indicators refuse stale saves."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils.html import strip_tags

from hrap.core.models import AuditEvent
from hrap.directory.models import Jurisdiction
from hrap.monitoring.models import Observation
from hrap.monitoring.services import observation_record
from hrap.plans.models import Indicator, Plan, Target

pytestmark = pytest.mark.django_db
SLUG = "cn-nhrap-2021-2025"


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


@pytest.fixture
def measured(sample_plan: Plan, staff: Any) -> Target:
    """The PM2.5 target of III.1.1 with three years of values."""
    target = Target.objects.get(
        node__plan=sample_plan, node__ref="III.1.1", indicator__name__en__startswith="average PM2.5"
    )
    china = Jurisdiction.objects.get(code="CN")
    for year, value in (("2021", "34"), ("2022", "31.5"), ("2023", "29.3")):
        observation_record(
            indicator=target.indicator,
            jurisdiction=china,
            period=year,
            value=Decimal(value),
            actor=staff,
        )
    return target


def form_of(target: Target, **changes: str) -> dict[str, Any]:
    return {
        "version": target.version,
        "value": target.value_text,
        "unit": target.unit,
        "direction": target.direction,
        "relative": "on" if target.relative else "",
        "year": target.year or "",
        # What the form used to send: editing it re-linked the target to another indicator.
        **{f"indicator_{tag}": name for tag, name in target.indicator.name.items()},
        **changes,
    }


def test_editing_a_targets_unit_keeps_its_indicator_and_values(
    client: Client, staff: Any, measured: Target
) -> None:
    client.force_login(staff)
    url = f"/en/plans/{SLUG}/III.1.1/targets/{measured.pk}/"
    assert client.post(url, form_of(measured, unit="μg/m³", value="9")).status_code == 302
    edited = Target.objects.get(pk=measured.pk)
    assert (edited.unit, edited.value, edited.indicator_id) == ("μg/m³", 9, measured.indicator_id)
    assert Observation.objects.filter(indicator=edited.indicator).count() == 3
    assert "29.3 (2023)" in text_of(client.get(f"/en/plans/{SLUG}/III.1.1/"))
    assert "3 values" in text_of(client.get(url))
    assert (
        Indicator.objects.count()
        == Indicator.objects.filter(targets__isnull=False).distinct().count()
    )


def test_changing_what_a_target_measures_is_its_own_step_that_counts_the_values(
    client: Client, staff: Any, measured: Target
) -> None:
    client.force_login(staff)
    url = f"/en/plans/{SLUG}/III.1.1/targets/{measured.pk}/"
    change = {"measure": "1", "version": measured.version, "name_en": "PM10 concentration"}
    unconfirmed = client.post(url, {**change, "unit": "μg/m³"})
    assert unconfirmed.status_code == 200
    assert "I understand: the 3 values of the indicator" in text_of(unconfirmed)
    assert Target.objects.get(pk=measured.pk).indicator_id == measured.indicator_id
    both = client.post(url, {**change, "confirm": "on", "indicator": measured.indicator_id + 1})
    assert "Choose an indicator or name a new one (not both)." in text_of(both)
    done = client.post(url, {**change, "unit": "μg/m³", "confirm": "on"})
    assert done.status_code == 302
    moved = Target.objects.select_related("indicator").get(pk=measured.pk)
    assert moved.indicator.name == {"en": "PM10 concentration"} and moved.version == 2
    assert Observation.objects.filter(indicator=measured.indicator).count() == 3  # stay there
    event = AuditEvent.objects.get(action="target.indicator")
    assert event.before == {
        "indicator": measured.indicator_id,
        "name": measured.indicator.name,
        "monitoring.values": 3,
    }
    assert event.after is not None and event.after["indicator"] == moved.indicator_id
    stale = client.post(url, {**change, "name_en": "Ozone", "confirm": "on"})  # version 1
    assert "Someone saved this while you were editing" in text_of(stale)
    assert Target.objects.get(pk=measured.pk).indicator_id == moved.indicator_id


def test_two_people_editing_an_indicator_lose_nothing(
    staff: Any, measured: Target, django_user_model: Any
) -> None:
    from hrap.accounts.models import Membership, Role

    colleague = django_user_model.objects.create_user("colleague", password="pw-Secret-123")
    Membership.objects.create(user=colleague, role=Role.SECRETARIAT)
    first, second = Client(), Client()
    first.force_login(staff)
    second.force_login(colleague)
    url = f"/en/indicators/{measured.indicator_id}/"
    for client in (first, second):
        assert 'name="version" value="1"' in client.get(url).content.decode()
    base = {"version": 1, "unit": "%", "type": "outcome"}
    assert client.post(url, {**base, "name_en": "PM2.5, annual mean"}).status_code == 302
    stale = first.post(url, {**base, "name_en": "PM2.5 concentration", "source": "MEE"})
    assert stale.status_code == 200
    page = text_of(stale)
    assert "Saved meanwhile" in page and "PM2.5, annual mean" in page
    html = stale.content.decode()
    assert 'value="PM2.5 concentration"' in html  # what the first person typed is kept
    assert 'name="version" value="2"' in html
    assert Indicator.objects.get(pk=measured.indicator_id).name == {"en": "PM2.5, annual mean"}
    again = first.post(url, {**base, "version": 2, "name_en": "PM2.5 concentration"})
    assert again.status_code == 302
    indicator = Indicator.objects.get(pk=measured.indicator_id)
    assert (indicator.name, indicator.version) == ({"en": "PM2.5 concentration"}, 3)
    assert first.post(url, {**base, "version": "abc", "name_en": "x"}).status_code == 200
