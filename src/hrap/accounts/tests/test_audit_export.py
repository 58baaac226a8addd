"""The audit trail's CSV export: people's text never becomes a live spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from hrap.accounts.system import system_actor
from hrap.directory.services import agency_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_a_name_that_starts_a_formula_is_exported_as_text(staff, name: str) -> None:
    agency_create(actor=system_actor(), code="evil", name={"en": name, "zh-Hans": name})
    client = Client()
    client.force_login(staff)
    response = client.get("/en/audit/", {"format": "csv", "action": "agency."})
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(content.decode())))
    objects = [row[6] for row in rows[1:]]
    assert objects == ["'" + name.strip()]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)
