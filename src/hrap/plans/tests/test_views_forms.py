"""Forms that refuse what cannot be right (issue 9): one lead per task, removals confirmed,
agencies by name, target years within the plan's period; task numbers in the tree and search
by ref."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils.html import strip_tags

from hrap.accounts.system import system_actor
from hrap.core.errors import InvalidInput
from hrap.core.models import AuditEvent
from hrap.plans import planfile, services
from hrap.plans.models import Assignment, PlanNode, Target
from hrap.plans.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
SLUG = "cn-nhrap-2021-2025"
ASSIGN = f"/en/plans/{SLUG}/III.1.1/assignments/"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


@pytest.fixture
def agencies(db):
    return {
        code: AgencyFactory.create(code=code, name={"en": en, "zh-Hans": zh})
        for code, en, zh in [
            ("mee", "Ministry of Ecology and Environment", "生态环境部"),
            ("mof", "Ministry of Finance", "财政部"),
            ("moj", "Ministry of Justice", "司法部"),
            ("mfa", "Ministry of Foreign Affairs", "外交部"),
            ("acwf", "All-China Women's Federation", "全国妇联"),
        ]
    }


def field_errors(response, field: str) -> str:
    """The error list Django renders at one field of the page's form."""
    form = response.context["form"]
    return " ".join(form.errors.get(field, []))


# --- Assignments ----------------------------------------------------------------------------


def test_the_assignment_form_offers_co_implementer_first(
    client: Client, staff, sample_plan, agencies
) -> None:
    client.force_login(staff)
    page = client.get(ASSIGN).content.decode()
    selected = re.search(r'<select name="role"[^>]*>(.*?)</select>', page, re.S)
    assert selected and re.search(r'<option value="co" selected>', selected.group(1))


def test_a_second_lead_is_refused_at_the_role_field(
    client: Client, staff, sample_plan, agencies
) -> None:
    client.force_login(staff)
    assert client.post(ASSIGN, {"agency": agencies["mee"].pk, "role": "lead"}).status_code == 302
    second = client.post(ASSIGN, {"agency": agencies["mof"].pk, "role": "lead"})
    assert second.status_code == 200
    assert "Ministry of Ecology and Environment already leads this task" in field_errors(
        second, "role"
    )
    assert list(Assignment.objects.values_list("agency__code", "role")) == [("mee", "lead")]
    # Turning an existing co-implementer into a second lead is the same thing, refused alike.
    assert client.post(ASSIGN, {"agency": agencies["mof"].pk, "role": "co"}).status_code == 302
    again = client.post(ASSIGN, {"agency": agencies["mof"].pk, "role": "lead"})
    assert "already leads" in field_errors(again, "role")
    assert Assignment.objects.get(agency__code="mof").role == "co"
    # A task carried out locally has its own lead there.
    beijing = client.post(
        ASSIGN,
        {"agency": agencies["mof"].pk, "role": "lead", "jurisdiction": _place("CN-BJ")},
    )
    assert beijing.status_code == 302
    # The lead itself may be saved again as lead.
    assert client.post(ASSIGN, {"agency": agencies["mee"].pk, "role": "lead"}).status_code == 302


def _place(code: str) -> int:
    from hrap.directory.models import Jurisdiction

    return Jurisdiction.objects.get(code=code).pk


def test_the_service_refuses_a_second_lead_too(staff, sample_plan, agencies) -> None:
    node = PlanNode.objects.get(plan=sample_plan, ref="III.1.1")
    services.assignment_set(node=node, actor=staff, agency=agencies["mee"], role="lead")
    with pytest.raises(InvalidInput) as refused:
        services.assignment_set(node=node, actor=staff, agency=agencies["mof"], role="lead")
    assert refused.value.problems[0].where == "role"


def test_remove_asks_first_and_then_removes_the_version_shown(
    client: Client, staff, sample_plan, agencies
) -> None:
    client.force_login(staff)
    client.post(ASSIGN, {"agency": agencies["mee"].pk, "role": "lead"})
    assignment = Assignment.objects.get()
    before = AuditEvent.objects.count()
    asked = client.post(ASSIGN, {"remove": assignment.pk, "version": assignment.version})
    assert asked.status_code == 200 and Assignment.objects.exists()
    assert AuditEvent.objects.count() == before  # asking writes nothing
    page = text_of(asked)
    assert "Remove Ministry of Ecology and Environment (lead agency) from this task?" in page
    assert 'name="confirm"' in asked.content.decode()
    # Someone changes it meanwhile: the confirmation was for another version.
    services.assignment_set(
        node=assignment.node, actor=system_actor(), agency=agencies["mee"], role="co"
    )
    stale = client.post(
        ASSIGN, {"remove": assignment.pk, "version": assignment.version, "confirm": "True"},
        follow=True,
    )  # fmt: skip
    assert "nothing was removed" in text_of(stale) and Assignment.objects.exists()
    assignment.refresh_from_db()
    done = client.post(
        ASSIGN, {"remove": assignment.pk, "version": assignment.version, "confirm": "True"}
    )
    assert done.status_code == 302 and not Assignment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"remove": "abc"},
        {"remove": "1e30"},
        {"remove": "9" * 5000},
        {"remove": "999999"},
        {"remove": "REMOVE", "version": "abc", "confirm": "True"},
        {"remove": "REMOVE", "version": "NaN", "confirm": "True"},
        {"remove": "REMOVE", "version": "-1", "confirm": "True"},
    ],
)
def test_absurd_removals_are_refused_without_an_error(
    client: Client, staff, sample_plan, agencies, data
) -> None:
    client.force_login(staff)
    client.post(ASSIGN, {"agency": agencies["mee"].pk, "role": "lead"})
    assignment = Assignment.objects.get()
    data = {k: str(assignment.pk) if v == "REMOVE" else v for k, v in data.items()}
    response = client.post(ASSIGN, data)
    assert response.status_code in (200, 400, 404)
    assert Assignment.objects.exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["All-China", "Ministry of Ecology", "Ministry of Finance", "Ministry of Foreign", "Ministry of Justice"]),
        # Pinyin: cai, quan, sheng, si, wai
        ("zh-hans", ["财政部", "全国妇联", "生态环境部", "司法部", "外交部"]),
    ],
)  # fmt: skip
def test_agencies_are_listed_by_name_in_the_pages_language(
    client: Client, staff, sample_plan, agencies, language, expected
) -> None:
    client.force_login(staff)
    page = client.get(f"/{language}/plans/{SLUG}/III.1.1/assignments/").content.decode()
    options = re.search(r'<select name="agency"[^>]*>(.*?)</select>', page, re.S)
    assert options
    names = [
        strip_tags(o)
        for o in re.findall(r"<option value=\"\d+\"[^>]*>(.*?)</option>", options.group(1))
    ]
    assert [n for n in names if any(n.startswith(e) for e in expected)] == [
        next(n for n in names if n.startswith(e)) for e in expected
    ]


# --- Target years -----------------------------------------------------------------------------

TARGET = {"indicator_en": "forest coverage", "value": "24.1", "unit": "%", "direction": "reach"}


def test_a_deadline_after_the_period_is_refused_unless_stated(
    client: Client, staff, sample_plan
) -> None:
    client.force_login(staff)
    url = f"/en/plans/{SLUG}/III.1.1/targets/add/"
    refused = client.post(url, {**TARGET, "year": "2035"})
    assert refused.status_code == 200
    assert "2035 lies outside the plan's period 2021–2025" in field_errors(refused, "year")
    assert "The plan runs from 2021 to 2025." in refused.content.decode()  # said at the field
    assert not Target.objects.filter(indicator__name__en="forest coverage").exists()
    stated = client.post(url, {**TARGET, "year": "2035", "beyond_period": "on"})
    assert stated.status_code == 302
    assert Target.objects.get(indicator__name__en="forest coverage").beyond_period


def test_a_baseline_after_the_deadline_or_period_is_refused(
    client: Client, staff, sample_plan
) -> None:
    client.force_login(staff)
    url = f"/en/plans/{SLUG}/III.1.1/targets/add/"
    late = client.post(
        url, {**TARGET, "year": "2025", "baseline_value": "23", "baseline_year": "2036"}
    )
    assert "the baseline year 2036 comes after the deadline year 2025" in field_errors(
        late, "baseline_year"
    )
    beyond = client.post(
        url, {**TARGET, "year": "2035", "beyond_period": "on", "baseline_value": "23", "baseline_year": "2036"}
    )  # fmt: skip
    assert "comes after the deadline year 2035" in field_errors(beyond, "baseline_year")
    no_year = client.post(url, {**TARGET, "baseline_value": "23", "baseline_year": "2026"})
    assert "lies after the plan's period" in field_errors(no_year, "baseline_year")
    early = client.post(url, {**TARGET, "year": "2019"})
    assert "2019 is before the plan's period" in field_errors(early, "year")
    assert not Target.objects.filter(indicator__name__en="forest coverage").exists()
    # A baseline from the year before the plan is the usual starting point.
    usual = client.post(
        url, {**TARGET, "year": "2025", "baseline_value": "23", "baseline_year": "2020"}
    )
    assert usual.status_code == 302


def test_editing_a_target_checks_its_years_with_its_baseline_together(
    client: Client, staff, sample_plan
) -> None:
    client.force_login(staff)
    target = Target.objects.filter(node__plan=sample_plan).select_related("node").first()
    assert target is not None
    url = f"/en/plans/{SLUG}/{target.node.ref}/targets/{target.pk}/"
    form = {"version": target.version, "value": "10", "direction": "decrease", "relative": "on"}
    assert (
        client.post(
            url, {**form, "year": "2024", "baseline_value": "5", "baseline_year": "2024"}
        ).status_code
        == 302
    )
    target.refresh_from_db()
    # Moving both at once is fine even though either alone would cross the other.
    both = {
        **form,
        "version": target.version,
        "year": "2022",
        "baseline_value": "5",
        "baseline_year": "2020",
    }
    assert client.post(url, both).status_code == 302
    target.refresh_from_db()
    assert (target.year, target.baseline_year) == (2022, 2020)


@pytest.mark.parametrize("year", ["1e30", "NaN", "9" * 5000, "٢٠٣٥", "2025.5", ""])
def test_absurd_years_are_refused_at_the_field(client: Client, staff, sample_plan, year) -> None:
    client.force_login(staff)
    response = client.post(f"/en/plans/{SLUG}/III.1.1/targets/add/", {**TARGET, "year": year})
    assert response.status_code in (200, 302, 400)
    if year and response.status_code == 200:
        assert field_errors(response, "year")


def _file_with_target(sample_bytes: bytes, **target: object) -> bytes:
    document = json.loads(sample_bytes)
    document["plan"]["slug"] = "other-plan"
    task = document["nodes"][3]["children"][0]["children"][0]
    task["targets"] = [
        {"indicator": {"en": "forest coverage"}, "value": 24, "unit": "%", "direction": "reach",
         "relative": False, "year": None, "binding": None, "span": {}, **target}
    ]  # fmt: skip
    return json.dumps(document, ensure_ascii=False).encode()


def test_the_plan_file_obeys_the_same_rule(sample_bytes: bytes, db) -> None:
    raw = _file_with_target(sample_bytes, year=2035, baseline={"value": 20, "year": 2036})
    with pytest.raises(InvalidInput) as refused:
        services.plan_import(raw=raw, actor=system_actor())
    found = [str(p) for p in refused.value.problems]
    assert any(p.endswith("targets[0].year: 2035 lies outside the plan's period 2021–2025; if the target runs beyond the plan, say so") for p in found), found  # fmt: skip
    assert any("targets[0].baseline.year: the baseline year 2036 comes after" in p for p in found)
    stated = _file_with_target(sample_bytes, year=2035, beyond_period=True)
    plan = services.plan_import(raw=stated, actor=system_actor())
    assert Target.objects.get(node__plan=plan, indicator__name__en="forest coverage").beyond_period
    # The statement survives export and import.
    assert '"beyond_period": true' in planfile.dumps(
        __import__("hrap.plans.selectors", fromlist=["x"]).plan_document(plan=plan)
    )


# --- The tree and search ----------------------------------------------------------------------


def test_the_tree_shows_task_numbers_in_the_pages_numbering(client: Client, sample_plan) -> None:
    english = client.get(f"/en/plans/{SLUG}/").content.decode()
    assert re.search(r'<span class="ref">III\.1\.2</span>', english)
    chinese = client.get(f"/zh-hans/plans/{SLUG}/").content.decode()
    assert re.search(r'<span class="ref">三（一）2</span>', chinese)
    # No link inside a disclosure's <summary> (nested interactive controls).
    for summary in re.findall(r"<summary>(.*?)</summary>", english, re.S):
        assert "<a " not in summary


@pytest.mark.parametrize("query", ["III.1.2", "iii.1.2", "三、（一）2", "三（一）2", "3.1.2"])
def test_searching_a_ref_ranks_its_node_first(client: Client, sample_plan, query) -> None:
    response = client.get("/en/search/", {"q": query})
    hits = response.context["hits"]
    assert hits and hits[0].node.ref == "III.1.2"
