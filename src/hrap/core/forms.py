"""Form fields for content text: one input per content language, and reading them back."""

from __future__ import annotations

from typing import Any

from django import forms

from hrap.core.errors import InvalidInput
from hrap.core.localized import LocalizedText, content_languages

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
