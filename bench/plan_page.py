"""Server time of the plan page for a 200-task synthetic plan; prints its figures as JSON.

    .venv/bin/python bench/plan_page.py [--tasks 200] [--requests 50]

Uses a fresh SQLite database in a temporary folder unless DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="hrap-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrap.settings")
    os.environ["HRAP_DEBUG"] = "0"  # DEBUG keeps every query in memory and slows each request
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from hrap.core.database import ensure_database_exists
    from hrap.plans import planfile, services
    from hrap.plans.synthetic import synthetic_plan

    setup_test_environment()
    ensure_database_exists()
    call_command("migrate", verbosity=0)
    slug = f"bench-{args.tasks}"
    document = synthetic_plan(slug=slug, tasks=args.tasks)
    services.plan_import(raw=planfile.dumps(document).encode(), actor=None, replace=True)

    client = Client()
    url = f"/en/plans/{slug}/"
    for _ in range(3):  # warm up templates, translations and connections
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(args.requests):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    timings.sort()
    json.dump(
        {
            "benchmark": "plan_page",
            "database": connection.vendor,
            "tasks": args.tasks,
            "requests": args.requests,
            "median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "max_ms": round(timings[-1], 2),
            "queries_per_request": len(queries),
            "page_bytes": len(response.content),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
