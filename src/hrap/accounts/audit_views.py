"""The audit trail page: filter by actor, object, action and date; export as CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from hrap.accounts import audit_display, policy
from hrap.core import audit_links
from hrap.core.exports import safe_row
from hrap.core.models import AuditEvent


class AuditFilterForm(forms.Form):
    """The audit trail's filters (GET): a value that does not parse is ignored and named."""

    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    type = forms.ChoiceField(label=_("Kind of object"), required=False)
    object = forms.CharField(label=_("Object"), required=False, max_length=300)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        kinds = sorted(
            ((m._meta.label_lower, str(m._meta.verbose_name)) for m in hrap_models()),
            key=lambda kind: kind[1].casefold(),
        )
        kind = self.fields["type"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("any")), *kinds]
        actions = [(code, str(words)) for code, words in audit_display.ACTIONS.items()]
        actions.append(("review.", str(_("corrected a draft plan"))))
        actions.sort(key=lambda action: action[1].casefold())
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", _("any")), *actions]


def hrap_models() -> list[Any]:
    return [m for m in apps.get_models() if m.__module__.startswith("hrap.")]


def _filtered(request: HttpRequest) -> tuple[QuerySet[AuditEvent], AuditFilterForm, dict[str, str]]:
    form = AuditFilterForm(request.GET)
    form.is_valid()
    given = {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
    given = {k: v.strip() if isinstance(v, str) else v for k, v in given.items() if v}
    events = AuditEvent.objects.select_related("actor").order_by("-sequence")
    if given.get("actor"):
        events = events.filter(actor__username__iexact=given["actor"])
    if given.get("type"):
        events = events.filter(target_type=given["type"])
    if given.get("object"):
        events = events.filter(
            Q(target_repr__icontains=given["object"])
            | Q(target_id=given["object"])
            | Q(target_type=given["object"])
        )
    if given.get("action"):
        events = events.filter(action__startswith=str(given["action"]))
    if given.get("since"):
        events = events.filter(at__date__gte=given["since"])
    if given.get("until"):
        events = events.filter(at__date__lte=given["until"])
    query = {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in given.items()}
    return events, form, query


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_safe
def audit_events(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    policy.require_or_hide(request.user, "audit.view")
    events, form, given = _filtered(request)
    if request.GET.get("format") == "csv":
        writer = csv.writer(_Echo())
        header = [
            "sequence",
            "time",
            "actor",
            "action",
            "object type",
            "object id",
            "object",
            "before",
            "after",
            "address",
            "hash",
        ]

        def rows() -> Iterator[str]:
            yield writer.writerow(header)
            for e in events.iterator(chunk_size=2000):
                # Names and texts are people's input: never a live formula in a spreadsheet.
                yield writer.writerow(
                    safe_row(
                        [
                            e.sequence,
                            e.at.isoformat(),
                            e.actor.get_username() if e.actor else "",
                            e.action,
                            e.target_type,
                            e.target_id,
                            e.target_repr,
                            json.dumps(e.before, ensure_ascii=False)
                            if e.before is not None
                            else "",
                            json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
                            e.address or "",
                            e.hash,
                        ]
                    )
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="hrap-audit.csv"'
        return response
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    targets = audit_links.links(request.user, [(e.target_type, e.target_id) for e in page])
    shown = [
        {
            "event": e,
            "action": audit_display.action_text(e.action),
            "kind": audit_display.type_text(e.target_type),
            "link": targets.get((e.target_type, e.target_id)),
            "changes": audit_display.changes(e.before, e.after),
        }
        for e in page
    ]
    return render(
        request,
        "accounts/audit.html",
        {"page": page, "rows": shown, "form": form, "query": urlencode(given)},
    )
