"""Uploading indicator values: every cell checked, all or nothing, each problem named; files
read within bounds; the value scope, final values and the audit trail respected."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from hrap.accounts.models import Role
from hrap.accounts.system import system_actor
from hrap.core.errors import InvalidInput, PermissionDenied
from hrap.core.models import AuditEvent
from hrap.directory.models import Jurisdiction
from hrap.directory.services import agency_create
from hrap.monitoring import services
from hrap.monitoring.models import Observation
from hrap.monitoring.tests.conftest import member
from hrap.plans.models import Target

pytestmark = pytest.mark.django_db
HEADING = "indicator,jurisdiction,period,disaggregation,value,source,status\n"


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
    assert counts == {"rows": 5000, "created": 5000, "updated": 0, "unchanged": 0}
    for row in rows[:10]:
        row[4] = 50
    again = services.observations_upload(
        raw=workbook(rows[:12]), name="fix.xlsx", cycle=cycle, actor=staff
    )
    assert again == {"rows": 12, "created": 0, "updated": 10, "unchanged": 2}


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
        "csv!B3: jurisdiction: 'XX-00' is not a jurisdiction code",
        "csv!C3: period: '2023/24' is not a period such as 2023 or 2023-Q1",
        "csv!D3: disaggregation: 'sex=female' is not an allowed disaggregation (dimension=value)",
        "csv!G3: status: 'maybe' is not provisional or final",
        "csv!A4: indicator: 99999 is not an indicator of this plan",
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
    indicators = set(
        Target.objects.filter(node__plan=cycle.plan).values_list("indicator_id", flat=True)
    )
    places = set(Jurisdiction.objects.values_list("code", flat=True))  # the country and below
    # One row per indicator × place in scope (everywhere, for the secretariat).
    assert sorted((r[0], r[1]) for r in rows[1:]) == sorted(
        (i, p) for i in indicators for p in places
    )
    assert {r[2] for r in rows[1:]} == {"2023"}


def test_the_upload_page_shows_every_problem(cycle, staff, client: Client) -> None:
    client.force_login(staff)
    indicator = Target.objects.filter(node__plan=cycle.plan).first().indicator_id  # type: ignore[union-attr]
    bad = io.BytesIO(
        b"indicator,jurisdiction,period,disaggregation,value,source,status\n"
        + f"{indicator},CN,20x3,,x,,\n".encode()
    )
    bad.name = "bad.csv"
    page = client.post(f"/en/cycles/{cycle.plan.slug}/2023/upload/", {"file": bad}).content.decode()
    assert "2 refused" in page and "Nothing has been written yet." in page
    assert "csv!C2: period" in page and "csv!E2: value" in page
    assert 'name="confirm"' not in page  # a refused cell leaves nothing to confirm


# --- Files read within bounds ------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def package(sheet_data: str, *, shared: list[str] | None = None, sheets: bool = True) -> bytes:
    """A minimal XLSX whose first sheet holds `sheet_data` (the <row> elements), written by
    hand so that it can be as wrong as a hostile file is."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
        + ('<sheet name="Values" sheetId="1" r:id="rId1"/>' if sheets else "")
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
        + (
            f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
            if shared is not None
            else ""
        )
        + "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>',
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = (
            f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>"
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


def with_sheet(raw: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """The same package with its sheet's XML changed."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">' + "".join(cells) + "</row>"


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def heading() -> str:
    return row(
        1, *(text(f"{c}1", h) for c, h in zip("ABCDEFG", HEADING.strip().split(","), strict=True))
    )


def upload(raw: bytes, actor, cycle, name: str = "values.xlsx") -> dict[str, int]:
    return services.observations_upload(raw=raw, name=name, cycle=cycle, actor=actor)


def problems_of(raw: bytes, actor, cycle, name: str = "values.xlsx") -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        upload(raw, actor, cycle, name)
    return [str(p) for p in refused.value.problems]


def a_row(indicator: int, number: int = 2, value: str = "<v>37.5</v>", kind: str = "n") -> str:
    return row(
        number,
        f'<c r="A{number}"><v>{indicator}</v></c>',
        text(f"B{number}", "CN"),
        text(f"C{number}", "2023"),
        f'<c r="E{number}" t="{kind}">{value}</c>',
    )


def test_a_single_row_numbered_a_billion_is_refused_at_once(cycle, staff) -> None:
    raw = package(heading() + row(1_000_000_000, text("A1000000000", "x")))
    assert len(raw) < 2000
    started = time.perf_counter()
    assert problems_of(raw, staff, cycle) == [
        "Values: more than 200,000 rows below the heading (blank rows count)"
    ]
    assert time.perf_counter() - started < 2


def test_empty_rows_count_towards_the_limit(cycle, staff) -> None:
    raw = package(heading() + "".join(f'<row r="{n}"/>' for n in range(2, 200_010)))
    started = time.perf_counter()
    assert problems_of(raw, staff, cycle) == [
        "Values: more than 200,000 rows below the heading (blank rows count)"
    ]
    assert time.perf_counter() - started < 20
    blank = (HEADING + "\n" * 200_001).encode()
    assert problems_of(blank, staff, cycle, "values.csv") == [
        "csv: more than 200,000 rows below the heading (blank rows count)"
    ]


def test_a_sheet_claiming_a_million_rows_is_refused_before_reading_them(cycle, staff) -> None:
    raw = package(heading())
    claimed = with_sheet(
        raw,
        lambda xml: xml.replace(b"<sheetData>", b'<dimension ref="A1:G1048576"/><sheetData>'),
    )
    assert problems_of(claimed, staff, cycle) == [
        "Values: more than 200,000 rows below the heading (blank rows count)"
    ]
    assert upload(raw, staff, cycle)["rows"] == 0


def test_broken_cells_are_named_problems(cycle, staff) -> None:
    indicator = Target.objects.filter(node__plan=cycle.plan).first().indicator_id  # type: ignore[union-attr]
    raw = package(
        heading()
        + a_row(indicator, 2, "<v>abc</v>")
        + a_row(indicator, 3, "<v>2</v>", "b")
        + a_row(indicator, 4, "<v>not-a-date</v>", "d")
        + a_row(indicator, 5, "<v>99</v>", "s")
        + a_row(indicator, 6, "<v>1E+400</v>")
        + a_row(indicator, 7, "<v>" + "9" * 5000 + "</v>")
        + a_row(indicator, 8, "<v>1</v>", "b"),
        shared=["one"],
    )
    assert problems_of(raw, staff, cycle) == [
        "Values!E2: value: cannot be read: 'abc' is not a number",
        "Values!E3: value: cannot be read: '2' is not a true/false value",
        "Values!E4: value: 'not-a-date' is not a number",
        "Values!E5: value: cannot be read: shared string '99' does not exist in the workbook",
        "Values!E6: value: cannot be read: '1E+400' is not a finite number",
        "Values!E7: value: cannot be read: '99999999999999999999'… is not a number",
        "Values!E8: value: 'True' is not a number",
    ]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (package("", sheets=False), "values.xlsx: the workbook has no sheet"),
        (b"PK\x03\x04 not a zip at all", "values.xlsx: not a readable XLSX workbook"),
        (
            package("<row>"),
            "values.xlsx: xl/worksheets/sheet1.xml is not well-formed XML",
        ),
    ],
)
def test_unreadable_workbooks_are_named(cycle, staff, raw, problem) -> None:
    problems = problems_of(raw, staff, cycle)
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_a_workbook_with_a_dtd_is_refused(cycle, staff) -> None:
    bomb = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    raw = with_sheet(package(""), lambda _xml: bomb.encode())
    assert problems_of(raw, staff, cycle) == ["values.xlsx: a part of the workbook declares a DTD"]


def test_a_csv_field_over_the_limit_is_named(cycle, staff) -> None:
    raw = (HEADING + '1,CN,2023,,1,"' + "x" * 131_073 + '",\n').encode()
    assert problems_of(raw, staff, cycle, "values.csv") == [
        "csv!row 2: a field is longer than 131,072 characters"
    ]


# --- Rows checked ------------------------------------------------------------------------------


def pm25_of(cycle) -> int:
    return Target.objects.get(
        node__plan=cycle.plan, indicator__name__en__startswith="average PM2.5"
    ).indicator_id


def test_duplicate_rows_are_refused_naming_both(cycle, staff) -> None:
    indicator = pm25_of(cycle)
    raw = (
        HEADING
        + f"{indicator},CN,2023,,37.5,,\n"
        + f"{indicator},CN-BJ,2023,,30,,\n"
        + f"{indicator},CN,2023,,37.6,,\n"
        + f"{indicator},CN,2023,,37.7,,\n"
    ).encode()
    assert problems_of(raw, staff, cycle, "values.csv") == [
        "csv!row 4: the same value as csv!row 2 (indicator, jurisdiction, period and "
        "disaggregation): keep one of the two rows",
        "csv!row 5: the same value as csv!row 2 (indicator, jurisdiction, period and "
        "disaggregation): keep one of the two rows",
    ]
    assert not Observation.objects.exists()


@pytest.mark.parametrize("period", ["0000", "2023-13", "2023-00", "2023-Q5", "99999"])
def test_impossible_periods_are_refused(cycle, staff, period) -> None:
    raw = (HEADING + f"{pm25_of(cycle)},CN,{period},,1,,\n").encode()
    assert problems_of(raw, staff, cycle, "values.csv") == [
        f"csv!C2: period: '{period}' is not a period such as 2023 or 2023-Q1"
    ]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1e30", "'1e30' is too large: values must be below 10^18"),
        ("1e-30", "'1e-30' has more than 6 decimal places"),
        ("999999999999999999.999999", "has more than 15 significant digits"),
        ("inf", "'inf' is not a finite number"),
        ("NaN", "'NaN' is not a finite number"),
    ],
)
def test_values_that_cannot_be_stored_exactly_are_refused(cycle, staff, typed, reason) -> None:
    raw = (HEADING + f"{pm25_of(cycle)},CN,2023,,{typed},,\n").encode()
    problems = problems_of(raw, staff, cycle, "values.csv")
    assert len(problems) == 1 and problems[0].startswith("csv!E2: value: ")
    assert reason in problems[0]


def test_pages_still_render_after_a_hostile_upload_attempt(cycle, staff, client: Client) -> None:
    indicator = pm25_of(cycle)
    client.force_login(staff)
    for typed in ("1e30", "999999999999999999.999999", "inf"):
        bad = io.BytesIO((HEADING + f"{indicator},CN,2023,,{typed},,\n").encode())
        bad.name = "bad.csv"
        page = client.post(f"/en/cycles/{cycle.plan.slug}/2023/upload/", {"file": bad})
        assert page.status_code == 200 and "Nothing has been written yet." in page.content.decode()
    good = io.BytesIO((HEADING + f"{indicator},CN,2023,,37.5,,\n").encode())
    good.name = "good.csv"
    previewed = client.post(f"/en/cycles/{cycle.plan.slug}/2023/upload/", {"file": good})
    token = previewed.context["preview"].token
    loaded = client.post(
        f"/en/cycles/{cycle.plan.slug}/2023/upload/", {"token": token, "confirm": "1"}
    )
    assert loaded.status_code == 302
    slug = cycle.plan.slug
    for url in (
        f"/en/plans/{slug}/III.1.1/",
        f"/en/plans/{slug}/III.1/",
        f"/en/plans/{slug}/III/",
        f"/en/indicators/{indicator}/values/",
    ):
        assert client.get(url).status_code == 200, url
        assert Client().get(url).status_code in (200, 302), url
    assert "37.5" in client.get(f"/en/plans/{slug}/III.1.1/").content.decode()


def test_a_final_value_is_changed_only_by_a_row_that_says_final(cycle, staff) -> None:
    indicator = pm25_of(cycle)
    upload(
        (HEADING + f"{indicator},CN,2023,,37.5,bulletin,final\n").encode(), staff, cycle, "a.csv"
    )
    assert problems_of(
        (HEADING + f"{indicator},CN,2023,,40,,\n").encode(), staff, cycle, "b.csv"
    ) == ["csv!row 2: the value 37.5 is final; to correct it, say final in the status column"]
    assert problems_of(
        (HEADING + f"{indicator},CN,2023,,40,,provisional\n").encode(), staff, cycle, "b.csv"
    ) == ["csv!row 2: the value 37.5 is final; to correct it, say final in the status column"]
    counts = upload(
        (HEADING + f"{indicator},CN,2023,,37.2,revised,final\n").encode(), staff, cycle, "c.csv"
    )
    assert counts["updated"] == 1
    stored = Observation.objects.get()
    assert (stored.value, stored.status, stored.version) == (Decimal("37.2"), "final", 2)


def test_the_audit_keeps_every_changed_rows_previous_value(cycle, staff) -> None:
    indicator = pm25_of(cycle)
    upload(
        (HEADING + f"{indicator},CN,2022,,39,,\n{indicator},CN,2023,,37.5,bulletin,\n").encode(),
        staff,
        cycle,
        "a.csv",
    )
    upload(
        (
            HEADING + f"{indicator},CN,2022,,39,,\n{indicator},CN,2023,,37.1,bulletin 2,final\n"
            f"{indicator},CN-BJ,2023,,30,,\n"
        ).encode(),
        staff,
        cycle,
        "b.csv",
    )
    event = AuditEvent.objects.filter(action="observation.upload").order_by("sequence").last()
    assert event is not None
    assert event.before == {
        "values": {
            f"{indicator}/CN/2023/": {
                "value": "37.5",
                "status": "provisional",
                "source": "bulletin",
            }
        }
    }
    after = event.after or {}
    assert after["values"] == {
        f"{indicator}/CN/2023/": {"value": "37.1", "status": "final", "source": "bulletin 2"},
        f"{indicator}/CN-BJ/2023/": {"value": "30", "status": "provisional", "source": ""},
    }
    assert (after["rows"], after["created"], after["updated"], after["unchanged"]) == (3, 1, 1, 1)


def test_rows_outside_the_value_scope_are_refused_by_name(cycle, sample_plan) -> None:
    indicator = pm25_of(cycle)
    moj = agency_create(actor=system_actor(), code="moj", name={"en": "Ministry of Justice"})
    stranger = member("focal-moj", Role.FOCAL_POINT, moj)
    raw = (HEADING + f"{indicator},CN,2023,,1,,\n").encode()
    with pytest.raises(PermissionDenied):
        upload(raw, stranger, cycle, "a.csv")
    beijing = Jurisdiction.objects.get(code="CN-BJ")
    region = member("regional-bj", Role.REGIONAL_FOCAL_POINT, jurisdiction=beijing)
    raw = (
        HEADING
        + f"{indicator},CN-BJ,2023,,30,,\n{indicator},CN,2023,,37,,\n{indicator},CN-SH,2023,,31,,\n"
    ).encode()
    assert problems_of(raw, region, cycle, "a.csv") == [
        f"csv!B3: jurisdiction: you may not enter values of indicator {indicator} for CN",
        f"csv!B4: jurisdiction: you may not enter values of indicator {indicator} for CN-SH",
    ]
    alone = (HEADING + f"{indicator},CN-BJ,2023,,30,,\n").encode()
    assert upload(alone, region, cycle, "b.csv")["created"] == 1


def test_the_template_cannot_carry_a_formula(cycle, staff, client: Client) -> None:
    target = Target.objects.filter(node__plan=cycle.plan).select_related("indicator").first()
    assert target is not None
    # The template names the indicator in the reader's language (English here).
    target.indicator.name = {"zh-Hans": "x", "en": '=HYPERLINK("http://evil.example","x")'}
    target.indicator.save()
    client.force_login(staff)
    response = client.get(f"/en/cycles/{cycle.plan.slug}/2023/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    names = [row[7].value for row in book.worksheets[0].iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert all(row[7].data_type == "s" for row in book.worksheets[0].iter_rows(min_row=2))


def test_control_characters_in_text_cells_are_named(cycle, staff) -> None:
    raw = (HEADING + f"{pm25_of(cycle)},CN,2023,,1,bulletin\x00,\n").encode()
    assert problems_of(raw, staff, cycle, "values.csv") == [
        "csv!F2: source: holds a control character or an invalid character"
    ]


def test_an_empty_file_is_named(cycle, staff) -> None:
    assert problems_of(b"", staff, cycle, "values.csv") == ["values.csv: the file is empty"]


def test_a_chinese_page_names_upload_problems_in_chinese(cycle, staff, client: Client) -> None:
    client.force_login(staff)
    indicator = Target.objects.filter(node__plan=cycle.plan).first().indicator_id  # type: ignore[union-attr]
    bad = io.BytesIO(HEADING.encode() + f"{indicator},CN,20x3,,1e30,,maybe\n".encode())
    bad.name = "bad.csv"
    page = client.post(f"/zh-hans/cycles/{cycle.plan.slug}/2023/upload/", {"file": bad})
    html = page.content.decode()
    assert "不是期间" in html  # the period
    assert "太大" in html  # the value, from hrap.core.numbers
    assert "既不是 provisional（初步）也不是 final（最终）" in html  # the status
    for english in ("is not a period", "is too large", "is not provisional or final"):
        assert english not in html
    # The same file on the English page is answered in English.
    bad.seek(0)
    answer = client.post(f"/en/cycles/{cycle.plan.slug}/2023/upload/", {"file": bad})
    assert "is not a period such as 2023" in answer.content.decode()
