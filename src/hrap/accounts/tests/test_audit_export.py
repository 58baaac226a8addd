"""The audit trail's CSV export: people's text never becomes a live spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hrap.core import audit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_a_name_that_starts_a_formula_is_exported_as_text(staff, name: str) -> None:
    someone = get_user_model().objects.create_user(name, password="pw-Secret-123!")
    audit.record(actor=someone, action="test.formula", target=someone, after={"name": name})
    client = Client()
    client.force_login(staff)
    response = client.get("/en/audit/", {"format": "csv", "action": "test."})
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(content.decode(), newline="")))
    actor, target = rows[1][2], rows[1][6]
    assert actor == target == "'" + name
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)
