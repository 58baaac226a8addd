"""Many people at once against a real server on this database (SQLite file or PostgreSQL):
no server error, no lost write, no false conflict, no login locked out by a slow upload."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hrap.monitoring.tests import load


@pytest.mark.slow
def test_simultaneous_saves_uploads_and_logins_during_a_slow_upload(tmp_path: Path) -> None:
    database_url = load.load_database_url(os.environ.get("DATABASE_URL", ""), tmp_path)
    with load.server(database_url, tmp_path) as (port, world):
        saves = load.report_saves(port, world)
        assert saves["distinct_reports"]["statuses"] == {"302": load.PEOPLE}
        written = [load.narratives(database_url)[r] for r in world["reports"]]
        # Report 0 was then saved by all 20 from the same page: one wins, the others are told.
        assert written[1:] == [f"Written by {n}." for n in range(1, load.PEOPLE)]
        assert written[0].startswith("Then all at once by ")
        assert saves["one_report"]["statuses"] == {"302": 1, "200": load.PEOPLE - 1}
        assert saves["one_report"]["conflicts"] == load.PEOPLE - 1

        uploads = load.uploads(port, world)["uploads"]
        # Each upload is previewed, then confirmed: distinct rows are written (302); the same
        # rows confirmed at once are written once, the others told there is nothing left (200).
        assert set(uploads["statuses"]) <= {"302", "200"} and not uploads.get("refused")
        assert uploads["statuses"]["302"] >= load.PEOPLE // 2 + 1
        values, distinct = load.count_values(database_url)
        assert values == distinct == uploads["expected_values"]

        during = load.logins_during_a_slow_upload(port, world, rows=20_000)
        assert during["slow_upload"]["statuses"] == {"302": 1}
        assert set(during["during_it"]["statuses"]) == {"302"}
        assert during["during_it"]["logins_and_saves"] >= 3
        assert load.count_values(database_url) == (values + 20_000, distinct + 20_000)
    log = (tmp_path / "server.log").read_text()
    assert "database is locked" not in log and "Traceback" not in log
