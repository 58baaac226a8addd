"""Uploading indicator values: every cell checked, all or nothing, each problem named."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from hrap.core.errors import InvalidInput
from hrap.monitoring import services
from hrap.monitoring.models import Observation
from hrap.plans.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(sample_plan, staff):
    return services.cycle_create(
        plan=sample_plan,
        actor=staff,
        period="2023",
        opens=date(2023, 11, 1),
        due=date(2024, 1, 31),
        closes=date(2024, 2, 29),
    )


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Values")
    sheet.append(
        ["indicator", "jurisdiction", "period", "disaggregation", "value", "source", "status"]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def many_rows(indicator: int, count: int) -> list[list[object]]:
    provinces = ["CN-BJ", "CN-SH", "CN-GD", "CN-SC", "CN-YN"]
    return [
        [
            indicator,
            provinces[n % 5],
            f"{2000 + n // 60}-{n // 5 % 12 + 1:02d}",
            "",
            30 + n % 10,
            "synthetic",
            "provisional",
        ]
        for n in range(count)
    ]


def test_a_5000_row_upload_with_one_bad_cell_is_refused_whole_then_loads(cycle, staff) -> None:
    indicator = Target.objects.filter(node__plan=cycle.plan).first().indicator_id  # type: ignore[union-attr]
    rows = many_rows(indicator, 5000)
    assert len({(r[1], r[2]) for r in rows}) == 5000
    rows[3210][4] = "thirty"
    with pytest.raises(InvalidInput) as refused:
        services.observations_upload(
            raw=workbook(rows), name="values.xlsx", cycle=cycle, actor=staff
        )
    assert [str(p) for p in refused.value.problems] == [
        "Values!E3212: value: 'thirty' is not a number"
    ]
    assert Observation.objects.count() == 0
    rows[3210][4] = 33
    counts = services.observations_upload(
        raw=workbook(rows), name="values.xlsx", cycle=cycle, actor=staff
    )
    assert counts == {"rows": 5000, "created": 5000, "updated": 0}
    again = services.observations_upload(
        raw=workbook(rows[:10]), name="fix.xlsx", cycle=cycle, actor=staff
    )
    assert again == {"rows": 10, "created": 0, "updated": 10}


def test_csv_problems_name_row_column_and_reason(cycle, staff) -> None:
    indicator = Target.objects.filter(node__plan=cycle.plan).first().indicator_id  # type: ignore[union-attr]
    text = (
        "indicator,jurisdiction,period,disaggregation,value,source,status\n"
        f"{indicator},CN,2023,,37.5,bulletin,final\n"
        f"{indicator},XX-00,2023/24,sex=female,12,,maybe\n"
        f"99999,CN,2023,,1,,\n"
    )
    with pytest.raises(InvalidInput) as refused:
        services.observations_upload(raw=text.encode(), name="values.csv", cycle=cycle, actor=staff)
    assert [str(p) for p in refused.value.problems] == [
        "csv!B3: jurisdiction: 'XX-00' is not a jurisdiction you report for",
        "csv!C3: period: '2023/24' is not a period such as 2023 or 2023-Q1",
        "csv!D3: disaggregation: 'sex=female' is not an allowed disaggregation (dimension=value)",
        "csv!G3: status: 'maybe' is not provisional or final",
        "csv!A4: indicator: 99999 is not an indicator you report on",
    ]
    assert not Observation.objects.exists()


def test_the_template_lists_the_indicators_to_report(cycle, staff, client: Client) -> None:
    client.force_login(staff)
    response = client.get(f"/en/cycles/{cycle.plan.slug}/2023/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "indicator",
        "jurisdiction",
        "period",
        "disaggregation",
        "value",
        "source",
        "status",
    )
    assert (
        len(rows) - 1
        == Target.objects.filter(node__plan=cycle.plan).values("indicator").distinct().count()
    )
    assert {r[1] for r in rows[1:]} == {"CN"} and {r[2] for r in rows[1:]} == {"2023"}


def test_the_upload_page_shows_every_problem(cycle, staff, client: Client) -> None:
    client.force_login(staff)
    indicator = Target.objects.filter(node__plan=cycle.plan).first().indicator_id  # type: ignore[union-attr]
    bad = io.BytesIO(
        b"indicator,jurisdiction,period,disaggregation,value,source,status\n"
        + f"{indicator},CN,20x3,,x,,\n".encode()
    )
    bad.name = "bad.csv"
    page = client.post(f"/en/cycles/{cycle.plan.slug}/2023/upload/", {"file": bad}).content.decode()
    assert "2 problems; nothing was written" in page
    assert "csv!C2: period" in page and "csv!E2: value" in page
