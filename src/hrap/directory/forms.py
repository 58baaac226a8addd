from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hrap.core.forms import add_localized_fields, localized_value
from hrap.core.localized import LocalizedText


class LocalizedForm(forms.Form):
    """A form with one text field per content language for each of `localized` fields."""

    localized: tuple[tuple[str, Any], ...] = ()

    def __init__(self, *args: Any, values: dict[str, LocalizedText], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.localized:
            add_localized_fields(self, name, label, values.get(name, {}))

    def texts(self, name: str) -> LocalizedText:
        return localized_value(self, name)


class AgencyForm(LocalizedForm):
    localized = (("name", _("Name")), ("abbreviation", _("Abbreviation")))


class JurisdictionForm(LocalizedForm):
    localized = (("name", _("Name")),)
    national_code = forms.CharField(label=_("National code"), max_length=32, required=False)
