from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hrap.core.localized import LocalizedText, content_languages

LANGUAGE_LABELS = {"zh-Hans": "中文", "en": "English"}


class LocalizedForm(forms.Form):
    """A form with one text field per content language for each of `localized` fields."""

    localized: tuple[tuple[str, Any], ...] = ()

    def __init__(self, *args: Any, values: dict[str, LocalizedText], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.localized:
            for tag in content_languages():
                self.fields[f"{name}_{tag}"] = forms.CharField(
                    label=f"{label} ({LANGUAGE_LABELS.get(tag, tag)})",
                    required=False,
                    initial=values.get(name, {}).get(tag, ""),
                    widget=forms.TextInput(attrs={"lang": tag, "size": 60}),
                )

    def texts(self, name: str) -> LocalizedText:
        return {tag: self.cleaned_data.get(f"{name}_{tag}", "") for tag in content_languages()}


class AgencyForm(LocalizedForm):
    localized = (("name", _("Name")), ("abbreviation", _("Abbreviation")))


class JurisdictionForm(LocalizedForm):
    localized = (("name", _("Name")),)
    national_code = forms.CharField(label=_("National code"), max_length=32, required=False)
