"""Form fields: content text (one input per content language, read back), values, and whole
numbers parsed safely."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from hrap.core.errors import InvalidInput, Problem
from hrap.core.localized import LocalizedText, content_languages
from hrap.core.numbers import NOT_A_NUMBER, ValueRefused, parse_value

LANGUAGE_LABELS = {"zh-Hans": "中文", "zh-Hant": "中文（繁體）", "en": "English"}


def add_localized_fields(
    form: forms.Form, name: str, label: Any, initial: LocalizedText, *, textarea: bool = False
) -> None:
    """`name_<tag>` fields for every content language, e.g. title_zh-Hans and title_en."""
    for tag in content_languages():
        form.fields[f"{name}_{tag}"] = forms.CharField(
            label=f"{label} ({LANGUAGE_LABELS.get(tag, tag)})",
            required=False,
            initial=initial.get(tag, ""),
            widget=forms.Textarea(attrs={"rows": 8, "lang": tag})
            if textarea
            else forms.TextInput(attrs={"lang": tag, "size": 60}),
        )


def localized_value(form: forms.Form, name: str) -> LocalizedText:
    return {tag: form.cleaned_data.get(f"{name}_{tag}", "") for tag in content_languages()}


def add_problems(form: forms.Form, error: InvalidInput) -> None:
    """A service's problems shown at their fields (or above the form when no field matches)."""
    for problem in error.problems:
        form.add_error(problem.where if problem.where in form.fields else None, problem.what)


class ValueField(forms.Field):
    """A value as HRAP stores it (`hrap.core.numbers`): finite, at most 6 decimal places and
    15 significant digits; anything else is refused at the field, with the reason."""

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_value(value)
        except ValueRefused as refused:
            if refused.message == NOT_A_NUMBER:  # Django's own words, as other number fields
                raise forms.ValidationError(
                    forms.DecimalField.default_error_messages["invalid"], code="invalid"
                ) from None
            raise forms.ValidationError(
                gettext(refused.message) % refused.params, code="value"
            ) from None


# The largest version or id a form accepts: PostgreSQL's integer, which every such column is.
LARGEST = 2**31 - 1


class VersionField(forms.IntegerField):
    """The version an edit is based on: a whole number a database column holds, sent back hidden.

    Every form that carries a version uses this field, so `abc`, `1e30`, a 5,000-digit number or
    one past the column's range is refused at the field, never passed on to a query."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(min_value=0, max_value=LARGEST, **kwargs)


def form_integer(data: Mapping[str, Any], name: str, *, default: int | None = None) -> int:
    """One whole number from submitted data, parsed by a form field, never by `int()`.

    `version=abc`, `1e3`, a 5,000-digit number or a negative one is `InvalidInput` naming the
    field (a 400); a missing or empty value is `default`, or refused when there is none.
    """
    field = forms.IntegerField(min_value=0, max_value=LARGEST, required=default is None)
    try:
        value = field.clean(data.get(name))
    except ValidationError as exc:
        raise InvalidInput([Problem(name, " ".join(exc.messages))]) from None
    if value is None:
        assert default is not None  # a required field is never empty here
        return default
    return int(value)
