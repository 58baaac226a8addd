"""The plan pages in both languages, and the staff forms that edit a node."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent
from hrap.plans import planfile, services
from hrap.plans.models import Assignment, PlanNode, Target
from hrap.plans.synthetic import synthetic_plan
from hrap.plans.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
SLUG = "cn-nhrap-2021-2025"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def test_root_redirects_to_a_language(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"].startswith("/en/")


def test_chinese_plan_page_shows_every_part_and_section(client: Client, sample_plan) -> None:
    response = client.get(f"/zh-hans/plans/{SLUG}/")
    assert response.status_code == 200
    page = text_of(response)
    assert "七、实施、监督和评估" in page
    for line in (
        (planfile.Path(__file__).parents[1] / "sample" / SLUG / "contents_zh.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    ):
        if re.match(r"^\([一二三四五六七八九十]+\)", line):
            assert line.replace("(", "(").strip() in page, line
    assert "内容" in page and "项任务" in page  # the interface is in Chinese too


def test_english_plan_page_shows_part_three_and_its_six_sections(
    client: Client, sample_plan
) -> None:
    response = client.get(f"/en/plans/{SLUG}/")
    page = text_of(response)
    assert "III. Environmental Rights" in page
    part = page[page.index("III. Environmental Rights") : page.index("IV. Protecting")]
    sections = re.findall(r"\b([1-6])\. [A-Z]", part)
    assert sections == ["1", "2", "3", "4", "5", "6"]
    assert "6 sections · 3 tasks · 3 targets" in part


def test_a_text_missing_in_the_interface_language_is_marked(client: Client, sample_plan) -> None:
    html = client.get(f"/en/plans/{SLUG}/VII/").content.decode()
    assert '<span lang="zh-Hans" class="fallback">实施、监督和评估</span>' in html
    assert "No text in this language; shown in 中文" in html
    html = client.get(f"/en/plans/{SLUG}/III/").content.decode()
    assert 'class="fallback"' not in html


def test_the_plan_page_costs_the_same_queries_at_200_tasks(
    client: Client, sample_plan, django_assert_max_num_queries
) -> None:
    big = services.plan_import(
        raw=planfile.dumps(synthetic_plan(tasks=200)).encode(), actor=system_actor()
    )
    with django_assert_max_num_queries(4):
        small = client.get(f"/en/plans/{SLUG}/")
    with django_assert_max_num_queries(4):
        response = client.get(f"/en/plans/{big.slug}/")
    assert small.status_code == response.status_code == 200
    assert text_of(response).count("Synthetic task") == 200


def test_node_page_shows_text_targets_and_neighbours(client: Client, sample_plan) -> None:
    page = text_of(client.get(f"/en/plans/{SLUG}/III.1.1/"))
    assert "Improving air quality" in page
    assert "decrease by 10%" in page
    assert (
        "the average PM2.5 intensity in cities at or above the prefectural level to fall by 10 percent"
        in page
    )
    assert "Strengthening water treatment and protection →" in page
    zh = text_of(client.get(f"/zh-hans/plans/{SLUG}/II.1.3/"))
    assert "严格慎重适用死刑" in zh and "确保死刑只适用于极少数罪行极其严重的犯罪分子" in zh


def test_unknown_plans_and_nodes_are_404(client: Client, sample_plan) -> None:
    assert client.get("/en/plans/no-such-plan/").status_code == 404
    assert client.get(f"/en/plans/{SLUG}/IX.9/").status_code == 404


def test_search_page_in_both_languages(client: Client, sample_plan) -> None:
    zh = client.get("/zh-hans/search/", {"q": "死刑"})
    assert zh.status_code == 200
    assert f'href="/zh-hans/plans/{SLUG}/II.1.3/"' in zh.content.decode()
    en = text_of(client.get("/en/search/", {"q": "生命权"}))
    assert "1. Right to Life" in en and "2 results" in en


def test_export_downloads_the_plan_file(client: Client, sample_plan, sample_bytes) -> None:
    response = client.get(f"/en/plans/{SLUG}/export.json")
    assert response.content == sample_bytes


# --- Editing --------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in_and_members_refused(
    client: Client, member, sample_plan
) -> None:
    url = f"/en/plans/{SLUG}/II.1/edit/"
    assert client.get(url).status_code == 302
    client.force_login(member)
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": 1, "title_en": "Hijacked"}).status_code == 403
    assert PlanNode.objects.get(plan=sample_plan, ref="II.1").title["en"] == "Right to Life"
    assert "Edit text" not in text_of(client.get(f"/en/plans/{SLUG}/II.1/"))


def test_staff_edit_a_node_and_see_the_change_recorded(client: Client, staff, sample_plan) -> None:
    client.force_login(staff)
    url = f"/en/plans/{SLUG}/II.1/edit/"
    form = client.get(url)
    assert (
        form.status_code == 200 and 'name="title_zh-Hans" value="生命权"' in form.content.decode()
    )
    node = PlanNode.objects.get(plan=sample_plan, ref="II.1")
    posted = {
        f"{f}_{t}": getattr(node, f).get(t, "")
        for f in ("number", "title", "text")
        for t in ("zh-Hans", "en")
    }
    response = client.post(url, {**posted, "version": 1, "title_en": "The Right to Life"})
    assert response.status_code == 302
    page = text_of(client.get(f"/en/plans/{SLUG}/II.1/"))
    assert "1. The Right to Life" in page
    assert "node.update" in page and "secretariat" in page  # the change list names who and what


def test_a_stale_form_is_refused_and_keeps_what_was_typed(
    client: Client, staff, sample_plan
) -> None:
    client.force_login(staff)
    node = PlanNode.objects.get(plan=sample_plan, ref="II.1")
    services.node_update(
        node=node,
        actor=staff,
        version=1,
        number=node.number,
        title={"en": "Changed meanwhile"},
        text=node.text,
    )
    response = client.post(
        f"/en/plans/{SLUG}/II.1/edit/", {"version": 1, "title_en": "My edit", "text_en": "My text"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone saved this while you were editing" in html
    assert 'value="My edit"' in html and "Changed meanwhile" in html
    assert 'name="version" value="2"' in html
    node.refresh_from_db()
    assert node.title == {"en": "Changed meanwhile"}


def test_staff_add_edit_and_remove_a_target(client: Client, staff, sample_plan) -> None:
    client.force_login(staff)
    base = f"/en/plans/{SLUG}/V.1.2/targets/"
    bad = client.post(base + "add/", {"value": "x", "direction": "reach"})
    assert bad.status_code == 200 and "Enter a number." in bad.content.decode()
    ok = client.post(
        base + "add/",
        {
            "value": "3",
            "direction": "increase",
            "relative": "on",
            "indicator_en": "training centres for human rights teachers",
            "year": "2025",
        },
    )
    assert ok.status_code == 302
    target = Target.objects.get(node__ref="V.1.2")
    assert (target.value_text, target.year, target.relative) == ("3", 2025, True)
    client.post(
        f"{base}{target.pk}/",
        {"version": 1, "value": "4", "direction": "increase"},
    )
    target.refresh_from_db()
    assert target.value_text == "4"
    client.post(f"{base}{target.pk}/delete/", {"version": target.version})
    assert not Target.objects.filter(node__ref="V.1.2").exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="target.")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["target.create", "target.update", "target.delete"]


def test_staff_assign_a_task_to_an_agency(client: Client, staff, sample_plan) -> None:
    client.force_login(staff)
    agency = AgencyFactory.create(
        code="mee", name={"en": "Ministry of Ecology and Environment", "zh-Hans": "生态环境部"}
    )
    url = f"/zh-hans/plans/{SLUG}/III.1.1/assignments/"
    assert client.post(url, {"agency": agency.pk, "role": "lead"}).status_code == 302
    assert "生态环境部" in text_of(client.get(f"/zh-hans/plans/{SLUG}/III.1.1/"))
    assignment = Assignment.objects.get()
    asked = client.post(url, {"remove": assignment.pk, "version": assignment.version})
    assert asked.status_code == 200 and Assignment.objects.exists()  # it asks first
    client.post(url, {"remove": assignment.pk, "version": assignment.version, "confirm": "True"})
    assert not Assignment.objects.exists()


def test_forms_refuse_posts_without_csrf_token(staff, sample_plan) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(f"/en/plans/{SLUG}/II.1/edit/", {"version": 1, "title_en": "x"})
    assert response.status_code == 403


def test_admin_covers_every_model_and_each_list_opens(client: Client, sample_plan) -> None:
    ours = [m for m in apps.get_models() if m.__module__.startswith("hrap.")]
    assert ours and all(admin.site.is_registered(m) for m in ours)
    superuser = get_user_model().objects.create_superuser("root", password="pw-Secret-123")
    client.force_login(superuser)
    for model in ours:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_staff_set_a_baseline_and_describe_the_indicator(
    client: Client, staff, sample_plan
) -> None:
    client.force_login(staff)
    target = Target.objects.get(
        node__plan=sample_plan, node__ref="III.1.1", indicator__name__en__startswith="average PM2.5"
    )
    url = f"/en/plans/{SLUG}/III.1.1/targets/{target.pk}/"
    form = {
        "version": target.version,
        "value": "10",
        "unit": "%",
        "direction": "decrease",
        "relative": "on",
        "year": "2025",
    }
    half = client.post(url, {**form, "baseline_value": "40"})  # a value without its year
    assert "a baseline needs both a value and a year" in half.content.decode()
    target.refresh_from_db()
    assert target.baseline_value is None and target.version == 1  # nothing half-written
    assert (
        client.post(url, {**form, "baseline_value": "40", "baseline_year": "2020"}).status_code
        == 302
    )
    target.refresh_from_db()
    assert (target.baseline_value, target.baseline_year, target.year) == (40, 2020, 2025)
    indicator_url = f"/en/indicators/{target.indicator_id}/"
    response = client.post(
        indicator_url,
        {
            "version": target.indicator.version,
            "name_en": "PM2.5 concentration",
            "name_zh-Hans": "细颗粒物浓度",
            "unit": "μg/m³",
            "type": "outcome",
            "disaggregations": ["urban_rural"],
            "sdg_code": "11.6.2",
            "source": "MEE",
        },
    )
    assert response.status_code == 302
    target.indicator.refresh_from_db()
    assert (target.indicator.type, target.indicator.disaggregations, target.indicator.sdg_code) == (
        "outcome",
        ["urban_rural"],
        "11.6.2",
    )
    # The baseline is saved with the target, in one event that holds it before and after.
    saved = AuditEvent.objects.get(action="target.update")
    assert saved.before is not None and saved.after is not None
    assert (saved.before["baseline_value"], saved.after["baseline_value"]) == (None, "40")
    assert AuditEvent.objects.filter(action="indicator.update").count() == 1
