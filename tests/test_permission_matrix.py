"""Every URL in the URLconf, as every role: allowed or refused, and other agencies' objects hidden.

A page added to the URLconf without a row here fails `test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hrap.accounts import services
from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.directory.models import Agency, Jurisdiction
from hrap.directory.services import agency_create
from hrap.monitoring import services as monitoring
from hrap.monitoring.models import ProgressReport
from hrap.plans import services as plan_services
from hrap.plans.models import Plan, PlanNode, Target
from hrap.plans.sample import DOCUMENTS

SLUG = "cn-nhrap-2021-2025"
ROLES = ["anonymous", "member", "administrator", "secretariat", "focal_mee", "focal_moj",
         "reviewer_mee", "regional_bj", "evaluator"]  # fmt: skip
STAFF = {"administrator", "secretariat"}
SEES_DRAFTS = STAFF | {"evaluator"}
SIGNED_IN = set(ROLES) - {"anonymous"}


@dataclass
class Case:
    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    # role → expected status; roles not listed expect `default`
    expect: dict[str, int] = field(default_factory=dict)
    default: int = 200


def only(allowed: set[str], ok: int, refused: int, anonymous: int = 302) -> dict[str, int]:
    return {
        role: (ok if role in allowed else anonymous if role == "anonymous" else refused)
        for role in ROLES
    }


NODE = {"slug": SLUG, "ref": "III.1.1"}
DRAFT = {"slug": SLUG, "revision": 2}
DRAFT_NODE = {**DRAFT, "ref": "III.1.1"}

CASES: list[Case] = [
    Case("home", default=302),
    Case("plans:list"),
    Case("plans:search", data={"q": "死刑"}),
    Case("plans:detail", {"slug": SLUG}),
    Case("plans:detail", DRAFT, expect=only(SEES_DRAFTS, 200, 404, anonymous=404)),
    Case("plans:export", {"slug": SLUG}),
    Case("plans:export", DRAFT, expect=only(SEES_DRAFTS, 200, 404, anonymous=404)),
    Case("plans:node", NODE),
    Case("plans:node", DRAFT_NODE, expect=only(SEES_DRAFTS, 200, 404, anonymous=404)),
    Case("plans:review", {"slug": SLUG}, expect=only(STAFF, 200, 403)),
    Case("plans:review", DRAFT, expect={**only(STAFF, 200, 404), "evaluator": 403}),
    Case("plans:publish", DRAFT, "post", expect={**only(STAFF, 302, 404), "evaluator": 403}),
    Case("plans:discard", DRAFT, "post", expect={**only(STAFF, 302, 404), "evaluator": 403}),
    Case("plans:node_edit", NODE, expect=only(STAFF, 200, 403)),
    Case("plans:node_edit", NODE, "post", {"version": 1, "title_en": "Changed"}, only(STAFF, 302, 403)),
    Case("plans:node_structure", DRAFT_NODE, "post", {"action": "up"}, {**only(STAFF, 302, 404), "evaluator": 403}),
    Case("plans:target_add", NODE, expect=only(STAFF, 200, 403)),
    Case("plans:target_edit", {**NODE, "target_id": "TARGET"}, expect=only(STAFF, 200, 403)),
    Case("plans:target_delete", {**NODE, "target_id": "TARGET"}, "post", {"version": 1}, only(STAFF, 302, 403)),
    Case("plans:assignments", NODE, expect=only(STAFF, 200, 403)),
    Case("directory:agencies"),
    Case("directory:agency", {"code": "mee"}),
    Case("directory:agency_edit", {"code": "mee"}, expect=only(STAFF | {"focal_mee"}, 200, 404)),
    Case("directory:agency_edit", {"code": "moj"}, expect=only(STAFF | {"focal_moj"}, 200, 404)),
    Case("directory:agency_edit", {"code": "moj"}, "post", {"name_en": "Hijacked"}, only(STAFF | {"focal_moj"}, 302, 404)),
    Case("directory:agency_edit", {"code": "no-such-agency"}, expect={"anonymous": 302}, default=404),
    Case("directory:jurisdictions"),
    Case("directory:jurisdiction_edit", {"code": "CN-BJ"}, expect=only(STAFF | {"regional_bj"}, 200, 404)),
    Case("directory:jurisdiction_edit", {"code": "CN-SH"}, expect=only(STAFF, 200, 404)),
    Case("audit", expect=only(STAFF | {"evaluator"}, 200, 404)),
    Case("login"),
    Case("logout", method="post", default=302),
    Case("second_factor_verify", default=302),
    Case("second_factor_setup", expect=only(SIGNED_IN, 200, 200)),
    Case("security", expect=only(SIGNED_IN, 200, 200)),
    Case("token_revoke", {"token_id": "OTHER_TOKEN"}, "post", expect={"anonymous": 302}, default=404),
    Case("password_reset"),
    Case("password_reset_done"),
    Case("password_reset_confirm", {"uidb64": "MQ", "token": "bad-token"}),
    Case("password_reset_complete"),
    Case("api:plans"),
    Case("api:plan_file", {"slug": SLUG}),
    Case("api:agency", {"code": "mee"}),
    Case("api:agency_update", {"code": "moj"}, "patch", {"name": {"en": "Hijacked"}}, expect={**only(STAFF | {"focal_moj"}, 200, 404), "anonymous": 401}),
    Case("monitoring:cycles", {"slug": SLUG}),
    Case("monitoring:cycles", {"slug": SLUG}, "post", {"period": "2024", "opens": "2024-11-01", "due": "2025-01-31", "closes": "2025-02-28"}, only(STAFF, 302, 403, anonymous=403)),
    Case("monitoring:cycle", {"slug": SLUG, "period": "2023"}),
    Case("monitoring:cycle_open", {"slug": SLUG, "period": "2024"}, "post", expect={"anonymous": 302}, default=404),
    Case("monitoring:report", {"slug": SLUG, "period": "2022", "report_id": "REPORT"}, expect=only(STAFF | {"evaluator", "focal_mee", "reviewer_mee"}, 200, 404, anonymous=404)),
    Case("monitoring:report", {"slug": SLUG, "period": "2022", "report_id": "REPORT"}, "post", {"version": 1, "progress": "on_track", "narrative": "x"}, {**only({"administrator", "focal_mee"}, 302, 404, anonymous=302), "secretariat": 404, "evaluator": 404, "reviewer_mee": 404}),  # anonymous: to log in, the text kept in the browser
    Case("monitoring:report_step", {"slug": SLUG, "period": "2022", "report_id": "REPORT", "step": "submit"}, "post", {"version": 1}, {**only({"administrator", "focal_mee"}, 302, 404), "secretariat": 403, "evaluator": 403, "reviewer_mee": 403}),
    Case("monitoring:template", {"slug": SLUG, "period": "2023"}, expect=only(STAFF | {"focal_mee", "regional_bj"}, 200, 403)),
    Case("monitoring:upload", {"slug": SLUG, "period": "2023"}, expect=only(STAFF | {"focal_mee", "regional_bj"}, 200, 403)),
    Case("monitoring:evidence_add", {"slug": SLUG, "period": "2022", "report_id": "REPORT"}, "post", {}, {**only({"administrator", "focal_mee"}, 302, 404), "anonymous": 302}),
    Case("monitoring:evidence", {"slug": SLUG, "period": "2022", "report_id": "REPORT", "evidence_id": 999999}, default=404),
    Case("monitoring:grid", {"indicator_id": "INDICATOR"}, expect=only(STAFF | {"focal_mee", "regional_bj"}, 200, 403)),
    Case("plans:indicator_edit", {"indicator_id": "INDICATOR"}, expect=only(STAFF, 200, 403)),
    Case("monitoring:inbox", expect=only(SIGNED_IN, 200, 200)),
    Case("monitoring:calendar", {"token": "not-a-calendar"}, default=404),
    Case("users:list", expect=only({"administrator"}, 200, 404)),
    Case("users:add", expect=only({"administrator"}, 200, 404)),
    Case("users:add", method="post", data={"username": "new-person", "language": "en"}, expect=only({"administrator"}, 302, 404)),
    Case("users:detail", {"user_id": "OTHER_USER"}, expect=only({"administrator"}, 200, 404)),
    Case("users:edit", {"user_id": "OTHER_USER"}, "post", {"version": 1, "email": "x@example.org", "language": "en"}, only({"administrator"}, 302, 404)),
    Case("users:role_add", {"user_id": "OTHER_USER"}, "post", {"version": 1, "role": "secretariat"}, only({"administrator"}, 302, 404)),
    Case("users:role_remove", {"user_id": "OTHER_USER"}, "post", {"version": 1, "role": "evaluator"}, only({"administrator"}, 302, 404)),
    Case("users:deactivate", {"user_id": "OTHER_USER"}, "post", {"version": 1}, only({"administrator"}, 302, 404)),
    Case("users:reactivate", {"user_id": "OTHER_USER"}, "post", {"version": 1}, only({"administrator"}, 302, 404)),
    Case("users:password_reset", {"user_id": "OTHER_USER"}, "post", expect=only({"administrator"}, 302, 404)),
    Case("api:api-root", default=404),  # nothing at the root: the operations are below it
    Case("api:openapi-json"),
    Case("api:openapi-view"),
]  # fmt: skip

# Covered by Django itself: the admin's own staff check (sampled below), the language switch.
FAMILIES_OUTSIDE = ("admin:", "set_language")


def walk(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_every_url_is_in_the_matrix() -> None:
    named = {n for n in walk(get_resolver().url_patterns) if not n.startswith(FAMILIES_OUTSIDE)}
    covered = {case.name for case in CASES}
    assert named - covered == set(), "add these pages to the permission matrix"
    assert covered - named == set()


def _world() -> dict[str, Any]:
    call_command("demo", "--no-serve", stdout=io.StringIO())
    call_command("ingest", *map(str, DOCUMENTS), "--plan", SLUG, stdout=None, stderr=None)
    users = {}
    User = get_user_model()
    for role in ROLES[1:]:
        user = User.objects.create_user(f"matrix-{role}", password="pw-Secret-123!")
        kind, _, scope = role.partition("_")
        role_value = {"focal": Role.FOCAL_POINT, "reviewer": Role.LEAD_REVIEWER,
                      "regional": Role.REGIONAL_FOCAL_POINT}.get(kind, role)  # fmt: skip
        if role != "member":
            Membership.objects.create(
                user=user,
                role=role_value,
                agency=Agency.objects.get(code=scope) if kind in ("focal", "reviewer") else None,
                jurisdiction=Jurisdiction.objects.get(code="CN-BJ") if kind == "regional" else None,
            )
        if role == "administrator":
            user.is_staff = user.is_superuser = True
            user.save()
        users[role] = user
    admin = users["administrator"]
    node = PlanNode.objects.get(plan__slug=SLUG, plan__status=Plan.Status.ACTIVE, ref="III.1.1")
    plan_services.assignment_set(
        node=node, actor=admin, agency=Agency.objects.get(code="mee"), role="lead"
    )
    # The demo's synthetic 2023 cycle has reports in every state; a fresh 2022 one starts in draft.
    cycle = monitoring.cycle_create(
        plan=node.plan,
        actor=admin,
        period="2022",
        opens=date(2022, 11, 1),
        due=date(2023, 1, 31),
        closes=date(2023, 2, 28),
    )
    monitoring.cycle_open(cycle=cycle, actor=admin)
    other = User.objects.create_user(
        "someone-else", password="pw-Secret-123!", email="else@example.org"
    )
    Membership.objects.create(user=other, role=Role.EVALUATOR)
    _, _ = services.token_create(user=other, name="theirs", actor=other)
    target = Target.objects.filter(
        node__plan__status=Plan.Status.ACTIVE, node__ref="III.1.1"
    ).first()
    assert target is not None
    report = ProgressReport.objects.get(cycle=cycle, node=node, agency__code="mee")
    return {
        "users": users,
        "TARGET": target.pk,
        "OTHER_TOKEN": other.api_tokens.get().pk,
        "OTHER_USER": other.pk,
        "REPORT": report.pk,
        "INDICATOR": target.indicator_id,
    }


def _as_headers(meta: dict[str, str]) -> dict[str, str]:
    return {
        key.removeprefix("HTTP_").replace("_", "-").title(): value for key, value in meta.items()
    }


def _request(client: Client, case: Case, world: dict[str, Any], headers: dict[str, str]) -> int:
    kwargs = {k: world.get(v, v) if isinstance(v, str) else v for k, v in case.kwargs.items()}
    url = reverse(case.name, kwargs=kwargs)
    if case.name.startswith("api:") and case.method != "get":
        call: Callable[..., Any] = getattr(client, case.method)
        return int(
            call(
                url, data=json.dumps(case.data), content_type="application/json", **headers
            ).status_code
        )
    if case.method == "get":
        return int(client.get(url, case.data, headers=_as_headers(headers)).status_code)
    return int(getattr(client, case.method)(url, case.data, **headers).status_code)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_policy_allows(role: str) -> None:
    world = _world()
    client = Client()
    headers: dict[str, str] = {}
    if role != "anonymous":
        user = world["users"][role]
        client.force_login(user)
        _, raw = services.token_create(user=user, name="matrix", actor=user)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    failures = []
    for case in CASES:
        use = headers if case.name.startswith("api:") else {}
        sid = transaction.savepoint()
        status = _request(client, case, world, use)
        transaction.savepoint_rollback(sid)
        expected = case.expect.get(role, case.default)
        if status != expected:
            failures.append(
                f"{case.method.upper()} {case.name} {case.kwargs}: {status}, expected {expected}"
            )
        if case.name == "logout" and role != "anonymous":
            client.force_login(world["users"][role])
    assert failures == []
    # The admin: only administrators get in; everyone else is sent to log in.
    admin_status = client.get(reverse("admin:index")).status_code
    assert admin_status == (200 if role == "administrator" else 302)


@pytest.mark.django_db
def test_another_agencys_details_cannot_be_changed_by_page_post_or_api() -> None:
    agency_create(
        actor=system_actor(), code="mee", name={"en": "Ministry of Ecology and Environment"}
    )
    moj = agency_create(actor=system_actor(), code="moj", name={"en": "Ministry of Justice"})
    user = get_user_model().objects.create_user("focal", password="pw-Secret-123!")
    Membership.objects.create(
        user=user, role=Role.FOCAL_POINT, agency=Agency.objects.get(code="mee")
    )
    client = Client()
    client.force_login(user)
    assert client.get("/en/agencies/moj/edit/").status_code == 404
    assert client.post("/en/agencies/moj/edit/", {"name_en": "Hijacked"}).status_code == 404
    _, raw = services.token_create(user=user, name="script", actor=user)
    response = client.patch(
        "/api/v1/agencies/moj",
        data=json.dumps({"name": {"en": "Hijacked"}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 404 and response.json() == {"error": "not found"}
    moj.refresh_from_db()
    assert moj.name == {"en": "Ministry of Justice"}
    own = client.patch(
        "/api/v1/agencies/mee",
        data=json.dumps({"name": {"en": "MEE", "zh-Hans": "生态环境部"}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert own.status_code == 200 and own.json()["name"] == {"zh-Hans": "生态环境部", "en": "MEE"}


@pytest.mark.slow
@pytest.mark.django_db
def test_every_form_post_needs_its_csrf_token() -> None:
    world = _world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["administrator"])
    posts = [c for c in CASES if c.method == "post"] + [
        Case("login", method="post", data={"username": "x", "password": "y"}),
        Case("password_reset", method="post", data={"email": "x@example.org"}),
        Case("security", method="post", data={"name": "token"}),
    ]
    for case in posts:
        status = _request(client, case, world, {})
        assert status == 403, case
