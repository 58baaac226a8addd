"""Forms of accounts: login, second factor, tokens, and managing users and their roles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hrap.accounts.models import Role
from hrap.core.forms import VersionField
from hrap.core.localized import choose


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What will use this token"), max_length=100)


# --- Managing users ---------------------------------------------------------------------------

STATUS_CHOICES = [("", _("any")), ("active", _("active")), ("inactive", _("deactivated"))]


def _places(places: Any) -> list[tuple[str, str]]:
    return [("", "—"), *((p.code, f"{p.code} · {choose(p.name).text}") for p in places)]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, username or email"), max_length=100, required=False)
    agency = forms.CharField(label=_("Agency code"), max_length=64, required=False)
    jurisdiction = forms.CharField(label=_("Jurisdiction code"), max_length=32, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"] = forms.ChoiceField(
            label=_("Role"), required=False, choices=[("", _("any")), *Role.choices]
        )
        self.order_fields(["q", "role", "agency", "jurisdiction", "status"])


class VersionForm(forms.Form):
    """The version of the account the page showed: a change based on an older one is refused."""

    version = VersionField()


class UserDetailsForm(VersionForm):
    email = forms.EmailField(label=_("Email"), required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language of mail"), choices=settings.LANGUAGES)


class UserCreateForm(UserDetailsForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    send_reset = forms.BooleanField(
        label=_("Mail a link to choose a password"), required=False, initial=True
    )
    field_order = ["username", "email", "first_name", "last_name", "language", "send_reset"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]


class RoleForm(VersionForm):
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices])

    def __init__(self, *args: Any, agencies: Any, jurisdictions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"] = forms.ChoiceField(
            label=_("Agency"), required=False, choices=_places(agencies)
        )
        self.fields["jurisdiction"] = forms.ChoiceField(
            label=_("Jurisdiction"), required=False, choices=_places(jurisdictions)
        )
