"""Concurrent writes against a real server: 20 report saves, 20 uploads, logins during a slow
upload, on SQLite and on PostgreSQL; throughput, slowest request and error counts as JSON.

    .venv/bin/python bench/concurrency.py                       # SQLite (a fresh file)
    .venv/bin/python bench/concurrency.py postgres://postgres@127.0.0.1:5432/hrap_bench

Each database is prepared fresh (PostgreSQL: `<name>_load`, dropped afterwards).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from hrap.monitoring.tests import load

SLOW_UPLOAD_ROWS = 50_000


def measure(configured: str) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="hrap-concurrency-bench-"))
    database_url = load.load_database_url(configured, workdir)
    started = time.perf_counter()
    with load.server(database_url, workdir) as (port, world):
        prepared = time.perf_counter() - started
        saves = load.report_saves(port, world)
        uploads = load.uploads(port, world)
        slow = load.logins_during_a_slow_upload(port, world, SLOW_UPLOAD_ROWS)
        values, distinct = load.count_values(database_url)
    figures: dict[str, object] = {
        "database": "postgresql" if configured.startswith("postgres") else "sqlite",
        "prepare_s": round(prepared, 1),
        **saves,
        **uploads,
        **slow,
        "values_stored": values,
        "duplicate_values": values - distinct,
    }
    for name in ("distinct_reports", "one_report", "uploads"):
        part = figures[name]
        assert isinstance(part, dict)
        part.pop("refused", None)
        part["requests_per_s"] = round(sum(part["statuses"].values()) / part["seconds"], 1)
    log = (workdir / "server.log").read_text()
    figures["server_log_tracebacks"] = log.count("Traceback")
    figures["server_log_database_locked"] = log.count("database is locked")
    return figures


def main() -> None:
    targets = sys.argv[1:] or [""]
    print(json.dumps({"benchmark": "concurrency", "runs": [measure(t) for t in targets]}))


if __name__ == "__main__":
    main()
