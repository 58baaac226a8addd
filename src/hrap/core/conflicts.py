"""The conflict page of a stale edit: what was saved meanwhile beside what this person typed.

Every form that edits a `Versioned` object answers an `EditConflict` the same way: the typed
values stay in the form (now based on the saved version, so saving again replaces it), a
message says what happened, and `core/_conflict.html` lists each field that differs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from hrap.core.errors import EditConflict


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value).strip()


def differences(typed: forms.Form, saved: forms.Form) -> list[tuple[str, str, str]]:
    """(label, saved, typed) for each field where the saved object and the typed form differ;
    `saved` is the same form class, unbound, built from the object as saved now."""
    rows = []
    for name, field in typed.fields.items():
        if name == "version" or isinstance(field.widget, forms.HiddenInput):
            continue
        theirs, yours = _text(saved[name].value()), _text(typed[name].value())
        if theirs != yours:
            rows.append((str(field.label), theirs, yours))
    return rows


def keep_typed(request: HttpRequest, form: forms.Form, conflict: EditConflict) -> None:
    """Keep what was typed in `form`, based now on the saved version, and say what happened."""
    data: QueryDict = request.POST.copy()
    data["version"] = str(conflict.current_version)
    form.data = data
    tell(request, conflict)


def tell(request: HttpRequest, conflict: EditConflict) -> None:
    messages.error(
        request,
        _(
            "Someone saved this while you were editing (now version %(current)s, you started "
            "from version %(yours)s). Your text is kept below and the saved text is shown "
            "beside it; save again to replace it."
        )
        % {"current": conflict.current_version, "yours": conflict.submitted_version},
    )
