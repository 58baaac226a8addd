"""An upload is previewed before anything is written, and confirming writes exactly what was
previewed or nothing; the values template lists every place of the person's scope."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from hrap.accounts.models import Role
from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent
from hrap.directory.models import Jurisdiction
from hrap.monitoring import services
from hrap.monitoring.models import Observation
from hrap.monitoring.tests.conftest import member
from hrap.plans.models import Indicator, Target

pytestmark = pytest.mark.django_db
HEADING = "indicator,jurisdiction,period,disaggregation,value,source,status\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pm25(cycle) -> Indicator:
    return Target.objects.get(
        node__plan=cycle.plan, indicator__name__en__startswith="average PM2.5"
    ).indicator


def url(cycle) -> str:
    return f"/en/cycles/{cycle.plan.slug}/{cycle.period}/upload/"


def send(client: Client, cycle, text: str, name: str = "values.csv"):
    file = io.BytesIO(text.encode())
    file.name = name
    return client.post(url(cycle), {"file": file})


def record(indicator: Indicator, code: str, value: str, **kwargs) -> Observation:
    return services.observation_record(
        indicator=indicator,
        jurisdiction=Jurisdiction.objects.get(code=code),
        period="2023",
        value=Decimal(value),
        actor=system_actor(),
        **kwargs,
    )


def test_an_upload_is_previewed_then_written_as_previewed(cycle, staff, client: Client) -> None:
    indicator = pm25(cycle)
    record(indicator, "CN", "37.5")
    record(indicator, "CN-SH", "31")
    client.force_login(staff)
    events = AuditEvent.objects.count()
    rows = f"{indicator.pk},CN,2023,,36.9,bulletin,\n{indicator.pk},CN-BJ,2023,,30,,\n{indicator.pk},CN-SH,2023,,31,,\n"
    preview = send(client, cycle, HEADING + rows + f"{indicator.pk},CN-GD,2023,,,,\n")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert (
        "1 new value · 1 corrected · 1 unchanged · 0 refused · 1 row left empty (skipped)" in page
    )
    assert "<del>37.5</del> → <ins>36.9</ins>" in page
    assert "1 value is a national total" in page  # says what becomes public where
    # Nothing is written by a preview.
    assert AuditEvent.objects.count() == events
    assert Observation.objects.get(jurisdiction__code="CN").value == Decimal("37.5")
    assert not Observation.objects.filter(jurisdiction__code="CN-BJ").exists()
    token = preview.context["preview"].token
    done = client.post(url(cycle), {"token": token, "confirm": "1"}, follow=True)
    assert "Loaded 3 values: 1 new, 1 corrected, 1 unchanged." in done.content.decode()
    assert Observation.objects.get(jurisdiction__code="CN").value == Decimal("36.9")
    assert Observation.objects.get(jurisdiction__code="CN-BJ").value == Decimal("30")
    event = AuditEvent.objects.get(action="observation.upload")
    assert event.after is not None and event.after["previewed"] is True
    assert event.before == {"values": {f"{indicator.pk}/CN/2023/": {"value": "37.5", "status": "provisional", "source": ""}}}  # fmt: skip
    # The same preview cannot be written twice.
    again = client.post(url(cycle), {"token": token, "confirm": "1"}, follow=True)
    assert "already written, discarded or has expired" in again.content.decode()
    assert AuditEvent.objects.filter(action="observation.upload").count() == 1


def test_a_confirm_after_a_value_changed_is_refused_and_shows_the_new_preview(
    cycle, staff, client: Client
) -> None:
    indicator = pm25(cycle)
    record(indicator, "CN", "37.5")
    client.force_login(staff)
    preview = send(client, cycle, HEADING + f"{indicator.pk},CN,2023,,36.9,,\n")
    token = preview.context["preview"].token
    record(indicator, "CN", "35.0")  # someone corrects it meanwhile
    stale = client.post(url(cycle), {"token": token, "confirm": "1"})
    assert stale.status_code == 200
    page = stale.content.decode()
    assert "Values changed since the preview; nothing was written" in page
    assert "<del>35</del> → <ins>36.9</ins>" in page  # the preview as it is now
    assert Observation.objects.get(jurisdiction__code="CN").value == Decimal("35")
    fresh = stale.context["preview"].token
    assert fresh and fresh != token
    assert client.post(url(cycle), {"token": fresh, "confirm": "1"}).status_code == 302
    assert Observation.objects.get(jurisdiction__code="CN").value == Decimal("36.9")


def test_a_refused_cell_blocks_the_whole_file(cycle, staff, client: Client) -> None:
    indicator = pm25(cycle)
    client.force_login(staff)
    preview = send(
        client,
        cycle,
        HEADING + f"{indicator.pk},CN,2023,,36.9,,\n{indicator.pk},CN-BJ,2023,,1e30,,\n",
    )
    page = preview.content.decode()
    assert "1 new value · 0 corrected · 0 unchanged · 1 refused" in page
    assert "csv!E3: value" in page and 'name="confirm"' not in page
    assert preview.context["preview"].token == ""
    assert not Observation.objects.exists()


def test_a_preview_belongs_to_its_uploader_and_cycle(cycle, staff, client: Client) -> None:
    indicator = pm25(cycle)
    beijing = Jurisdiction.objects.get(code="CN-BJ")
    region = member("regional-bj", Role.REGIONAL_FOCAL_POINT, jurisdiction=beijing)
    client.force_login(region)
    token = (
        send(client, cycle, HEADING + f"{indicator.pk},CN-BJ,2023,,30,,\n").context["preview"].token
    )
    other = Client()
    other.force_login(staff)
    taken = other.post(url(cycle), {"token": token, "confirm": "1"}, follow=True)
    assert "already written, discarded or has expired" in taken.content.decode()
    assert not Observation.objects.exists()
    # Discarding forgets it; its owner cannot write it afterwards either.
    client.post(url(cycle), {"token": token, "discard": "1"})
    gone = client.post(url(cycle), {"token": token, "confirm": "1"}, follow=True)
    assert "already written, discarded or has expired" in gone.content.decode()
    assert not Observation.objects.exists()


@pytest.mark.parametrize("token", ["abc", "", "x" * 5000, "../../etc/passwd", "a" * 40, "1e30"])
def test_absurd_tokens_are_refused_without_an_error(cycle, staff, client: Client, token) -> None:
    client.force_login(staff)
    response = client.post(url(cycle), {"token": token, "confirm": "1"})
    assert response.status_code in (200, 302, 400)
    assert not Observation.objects.exists()


def test_a_file_without_any_row_is_named(cycle, staff, client: Client) -> None:
    client.force_login(staff)
    page = send(client, cycle, "").content.decode()
    assert "the file is empty" in page and 'name="confirm"' not in page


def _sheet(response) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_the_template_is_in_the_readers_language_with_units_and_stored_values(
    cycle, staff, client: Client
) -> None:
    indicator = pm25(cycle)
    Indicator.objects.filter(pk=indicator.pk).update(unit="μg/m³")
    indicator.refresh_from_db()
    record(indicator, "CN-BJ", "30.5", source="bulletin", status="final")
    client.force_login(staff)
    rows = _sheet(client.get(f"/zh-hans/cycles/{cycle.plan.slug}/2023/template.xlsx"))
    assert rows[0][:7] == ("指标", "行政区", "期间", "分类", "数值", "来源", "状态")
    beijing = next(r for r in rows if r[0] == indicator.pk and r[1] == "CN-BJ")
    assert beijing[4:7] == (30.5, "bulletin", "最终") and beijing[8] == indicator.unit
    assert beijing[9] == "北京市"
    shanghai = next(r for r in rows if r[0] == indicator.pk and r[1] == "CN-SH")
    assert shanghai[4] is None and shanghai[6] == "初步"


def test_the_chinese_template_filled_in_is_previewed_and_written(
    cycle, staff, client: Client
) -> None:
    indicator = pm25(cycle)
    client.force_login(staff)
    rows = _sheet(client.get(f"/zh-hans/cycles/{cycle.plan.slug}/2023/template.xlsx"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("值")
    sheet.append(list(rows[0]))
    for shown in rows[1:]:
        row = list(shown)
        if row[0] == indicator.pk and row[1] == "CN-BJ":
            row[4] = 29.8
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    file = io.BytesIO(out.getvalue())
    file.name = "模板.xlsx"
    preview = client.post(f"/zh-hans/cycles/{cycle.plan.slug}/2023/upload/", {"file": file})
    found = preview.context["preview"]
    assert [(o.jurisdiction, o.after["value"]) for o in found.created] == [("CN-BJ", "29.8")]
    assert found.blank == len(rows) - 2 and not found.refused
    client.post(
        f"/zh-hans/cycles/{cycle.plan.slug}/2023/upload/", {"token": found.token, "confirm": "1"}
    )
    assert Observation.objects.get().value == Decimal("29.8")


def test_a_regions_template_lists_its_places_only(cycle, client: Client) -> None:
    beijing = Jurisdiction.objects.get(code="CN-BJ")
    region = member("regional-bj", Role.REGIONAL_FOCAL_POINT, jurisdiction=beijing)
    client.force_login(region)
    rows = _sheet(client.get(f"/en/cycles/{cycle.plan.slug}/2023/template.xlsx"))
    assert rows[0][:3] == ("indicator", "jurisdiction", "period")
    places = {r[1] for r in rows[1:]}
    assert places == set(
        Jurisdiction.objects.filter(code__startswith="CN-BJ").values_list("code", flat=True)
    )


def test_a_template_for_one_agency_lists_its_tasks_indicators(cycle, staff, client: Client) -> None:
    from hrap.directory.services import agency_create
    from hrap.plans import services as plan_services

    mee = agency_create(actor=system_actor(), code="mee", name={"en": "Ministry of Ecology"})
    target = Target.objects.get(node__plan=cycle.plan, indicator=pm25(cycle))
    plan_services.assignment_set(node=target.node, actor=system_actor(), agency=mee, role="lead")
    client.force_login(staff)
    assert "?agency=mee" in client.get(url(cycle)).content.decode()
    rows = _sheet(client.get(f"/en/cycles/{cycle.plan.slug}/2023/template.xlsx?agency=mee"))
    indicators = set(Target.objects.filter(node=target.node).values_list("indicator_id", flat=True))
    assert {r[0] for r in rows[1:]} == indicators
    assert (
        client.get(f"/en/cycles/{cycle.plan.slug}/2023/template.xlsx?agency=nobody").status_code
        == 404
    )
