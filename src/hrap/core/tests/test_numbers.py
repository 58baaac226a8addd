"""The one check every value passes: finite, storable exactly in DECIMAL(24, 6) on SQLite and
PostgreSQL alike, refused with a reason otherwise."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrap.core.exports import safe_cell, safe_row
from hrap.core.numbers import ValueRefused, parse_value


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("37.50", Decimal("37.5")),
        (" 1,234.5 ", Decimal("1234.5")),
        ("1E+2", Decimal(100)),
        ("-0", Decimal(0)),
        ("0.000001", Decimal("0.000001")),
        ("123456789012345", Decimal(123456789012345)),
        ("99999999999999.9", Decimal("99999999999999.9")),
        (999999999999999000, Decimal(999999999999999000)),
        (0.1 + 0.2, Decimal("0.3")),  # a spreadsheet's double, as the spreadsheet shows it
        (45000.0, Decimal(45000)),
    ],
)
def test_values_that_can_be_stored(raw: object, value: Decimal) -> None:
    assert parse_value(raw) == value
    assert "E" not in str(parse_value(raw))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("inf", "'inf' is not a finite number"),
        ("-Infinity", "'-Infinity' is not a finite number"),
        ("NaN", "'NaN' is not a finite number"),
        ("sNaN", "'sNaN' is not a finite number"),
        (float("nan"), "'nan' is not a finite number"),
        ("1e30", "'1e30' is too large: values must be below 10^18"),
        ("1e18", "'1e18' is too large: values must be below 10^18"),
        ("1e999999999999999999", "is too large"),
        ("1e-30", "'1e-30' has more than 6 decimal places"),
        ("0.0000001", "'0.0000001' has more than 6 decimal places"),
        ("1.0000000000000000000000000000001", "has more than 6 decimal places"),
        ("999999999999999999.999999", "has more than 15 significant digits"),
        ("1234567890123456", "has more than 15 significant digits"),
        ("9" * 5000, "is too long for a value"),
        pytest.param(10**5000, "1.000e+5000 is too large", id="a-5000-digit-int"),
        ("thirty", "'thirty' is not a number"),
        ("\ud800", "is not a number"),
        ("\x00", "is not a number"),
        ("", "'' is not a number"),
        (True, "'True' is not a number"),
        (None, "'None' is not a number"),
    ],
)
def test_values_refused_with_a_reason(raw: object, reason: str) -> None:
    with pytest.raises(ValueRefused) as refused:
        parse_value(raw)
    assert reason in str(refused.value)


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_an_accepted_value_keeps_its_digits(number: Decimal) -> None:
    try:
        value = parse_value(str(number))
    except ValueRefused:
        return
    assert value == number
    digits = value.normalize().as_tuple().digits
    assert len(digits) <= 15 and abs(value) < 10**18


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1", "'＝1"),
        ("Ministry of Justice", "Ministry of Justice"),
        ("", ""),
        (-5, -5),
        (Decimal("-1.5"), Decimal("-1.5")),
        (None, None),
    ],
)
def test_exported_cells_never_start_a_formula(cell: object, safe: object) -> None:
    assert safe_cell(cell) == safe
    assert safe_row([cell]) == [safe]
