"""Form fields: content text (one input per content language, read back), and values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext

from hrap.core.errors import InvalidInput
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
