"""The audit trail page: filter by actor, object, action and date; export as CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from hrap.accounts import policy
from hrap.core.exports import safe_row
from hrap.core.models import AuditEvent


def _filtered(request: HttpRequest) -> tuple[QuerySet[AuditEvent], dict[str, str]]:
    given = {
        k: request.GET.get(k, "").strip() for k in ("actor", "object", "action", "since", "until")
    }
    events = AuditEvent.objects.select_related("actor").order_by("-sequence")
    if given["actor"]:
        events = events.filter(actor__username__iexact=given["actor"])
    if given["object"]:
        events = events.filter(
            Q(target_repr__icontains=given["object"])
            | Q(target_id=given["object"])
            | Q(target_type=given["object"])
        )
    if given["action"]:
        events = events.filter(action__startswith=given["action"])
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if given[key]:
            try:
                events = events.filter(**{lookup: date.fromisoformat(given[key])})
            except ValueError:
                given[key] = ""
    return events, given


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_safe
def audit_events(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    policy.require_or_hide(request.user, "audit.view")
    events, given = _filtered(request)
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
    query = "&".join(f"{k}={v}" for k, v in given.items() if v)
    return render(request, "accounts/audit.html", {"page": page, "given": given, "query": query})
