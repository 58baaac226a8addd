"""Indicator values as numbers: the one check every value passes wherever it enters HRAP.

Values are stored as DECIMAL(24, 6). On SQLite such a column holds a double, which keeps 15
significant digits, and Django reads it back by rounding to 15 digits and then to 6 places:
a value with more digits is silently changed, and one of 10**18 or more cannot be read back
at all (every page showing it fails). So a value is accepted only if it is finite, has at most
6 decimal places and at most 15 significant digits, and is below 10**18 in size; the same rule
holds on PostgreSQL, so data moves between the two unchanged (decision 0018).

Plain Python, no Django: the upload parser uses it, and so do forms and services.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

DECIMAL_PLACES = 6
SIGNIFICANT_DIGITS = 15
WHOLE_DIGITS = 18  # DECIMAL(24, 6): 24 digits, 6 of them after the point
# Longer text is refused before it is parsed at all (a 5,000-digit number is not a value).
MAX_TEXT = 64


def _(message: str) -> str:
    """Marks a message for the translation catalog; callers with Django translate it."""
    return message


NOT_A_NUMBER = _("%(raw)s is not a number")
NOT_FINITE = _("%(raw)s is not a finite number")
TOO_LONG = _("%(raw)s is too long for a value")
TOO_MANY_DECIMALS = _("%(raw)s has more than 6 decimal places")
TOO_MANY_DIGITS = _("%(raw)s has more than 15 significant digits")
TOO_LARGE = _("%(raw)s is too large: values must be below 10^18")


class ValueRefused(ValueError):
    """Why a value cannot be stored; `message % params` reads as a sentence."""

    def __init__(self, message: str, raw: str) -> None:
        self.message = message
        self.params = {"raw": raw}
        super().__init__(message % self.params)


def _shown(raw: object) -> str:
    if isinstance(raw, int) and not isinstance(raw, bool) and raw.bit_length() > 64:
        return f"{Decimal(raw):.3e}"  # str() of a 5,000-digit int is refused by Python
    text = str(raw)
    return repr(text[:20] + "…") if len(text) > 20 else repr(text)


def parse_value(raw: object) -> Decimal:
    """A value from text typed or read from a file (a spreadsheet's numbers included).

    Thousands separators (1,234.5) are accepted. Raises ValueRefused saying why otherwise.
    """
    if isinstance(raw, bool) or raw is None:  # a TRUE in a spreadsheet is not a number
        raise ValueRefused(NOT_A_NUMBER, _shown(raw))
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueRefused(NOT_FINITE, _shown(raw))
        # A spreadsheet's number is a double; Excel shows 15 significant digits of it, so
        # 0.1 + 0.2 is 0.3 here, as on the screen, not 0.30000000000000004.
        value = Decimal(format(raw, f".{SIGNIFICANT_DIGITS}g"))
    elif isinstance(raw, int | Decimal):
        value = Decimal(raw)
    else:
        text = str(raw).strip().replace(",", "")
        if len(text) > MAX_TEXT:
            raise ValueRefused(TOO_LONG, _shown(raw))
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValueRefused(NOT_A_NUMBER, _shown(raw)) from None
    return check_value(value, shown=_shown(raw))


def check_value(value: Decimal, *, shown: str | None = None) -> Decimal:
    """`value` if it can be stored exactly, normalised (37.50 → 37.5); else ValueRefused."""
    shown = shown or _shown(value)
    if not value.is_finite():
        raise ValueRefused(NOT_FINITE, shown)
    if value.is_zero():
        return Decimal(0)
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    # Trailing zeros carry no digits (37.500 is 37.5); counted without rounding anything.
    end = len(digits)
    while digits[end - 1] == 0:
        end -= 1
    exponent += len(digits) - end
    digits = digits[:end]
    if -exponent > DECIMAL_PLACES:
        raise ValueRefused(TOO_MANY_DECIMALS, shown)
    if len(digits) + exponent > WHOLE_DIGITS:
        raise ValueRefused(TOO_LARGE, shown)
    if len(digits) > SIGNIFICANT_DIGITS:
        raise ValueRefused(TOO_MANY_DIGITS, shown)
    # Written without an exponent: 1E+2 is shown and stored as 100.
    return Decimal(f"{Decimal((sign, digits, exponent)):f}")
