"""Forms of the directory pages: names per content language, a version on every edit."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hrap.core.forms import VersionField, add_localized_fields, localized_value
from hrap.core.localized import LocalizedText, content_languages
from hrap.directory.models import Agency


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
    version = VersionField()
    localized = (("name", _("Name")), ("abbreviation", _("Abbreviation")))


class AgencyCreateForm(LocalizedForm):
    """A new agency (the secretariat's, e.g. for a body a plan names that the directory lacks)."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Short, unique, in Latin letters: mee, moj, cn-bj-edu"),
    )
    localized = (("name", _("Name")), ("abbreviation", _("Abbreviation")))
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        queryset=Agency.objects.order_by("code"),
        required=False,
        help_text=_("The ministry a department belongs to; empty for a body of its own"),
    )
    joint_meeting_member = forms.BooleanField(
        label=_("Member of the joint meeting"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, values={}, **kwargs)
        tags = content_languages()
        self.order_fields(
            ["code", *(f"name_{t}" for t in tags), *(f"abbreviation_{t}" for t in tags)]
        )


class JurisdictionForm(LocalizedForm):
    version = VersionField()
    localized = (("name", _("Name")),)
    national_code = forms.CharField(label=_("National code"), max_length=32, required=False)
