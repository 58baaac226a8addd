"""Reads from the directory."""

from __future__ import annotations

from django.db.models import QuerySet

from hrap.directory.models import Agency, Jurisdiction


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.select_related("parent").order_by("code")


def jurisdiction_children(*, parent: Jurisdiction | None) -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.filter(parent=parent).order_by("code")
