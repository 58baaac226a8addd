"""Many people at once against a real server: report saves, uploads, logins during a slow upload.

Used by `test_concurrency.py` (which asserts no server error, no lost write, no false
conflict) and by `bench/concurrency.py` (which prints the figures). A fresh database (an
SQLite file, or a PostgreSQL database named after the configured one with `_load` appended)
is prepared in a subprocess, a threaded server runs in another, and the requests come from
threads here, each with its own session, as browsers would send them.

    python -m hrap.monitoring.tests.load prepare   (in the server's environment: prints JSON)
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

PEOPLE = 20  # simultaneous people in each scenario
PASSWORD = "load-Secret-123!"
HEADING = "indicator,jurisdiction,period,disaggregation,value,source,status\n"


# --- The server side (a subprocess) -------------------------------------------------------------


def prepare() -> dict[str, Any]:
    """A plan with 20 tasks led by one agency, an open cycle (20 reports), people."""
    import django

    django.setup()
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from hrap.accounts.models import Membership, Role
    from hrap.accounts.system import system_actor
    from hrap.core.database import ensure_database_exists
    from hrap.directory.services import agency_create, jurisdiction_load_country
    from hrap.monitoring import services
    from hrap.monitoring.models import ProgressReport
    from hrap.plans import planfile
    from hrap.plans import services as plan_services
    from hrap.plans.models import PlanNode, Target
    from hrap.plans.sample import sample_plan_document

    ensure_database_exists()
    call_command("migrate", verbosity=0)
    system = system_actor()
    jurisdiction_load_country(code="CN", actor=system)
    document, _ = sample_plan_document()
    plan = plan_services.plan_import(raw=planfile.dumps(document).encode(), actor=system)
    agency = agency_create(actor=system, code="mee", name={"en": "Ministry of Ecology"})
    tasks = list(PlanNode.objects.filter(plan=plan, kind="task").order_by("pk")[:PEOPLE])
    for task in tasks:
        plan_services.assignment_set(node=task, actor=system, agency=agency, role="lead")
    cycle = services.cycle_create(
        plan=plan,
        actor=system,
        period="2023",
        opens=date(2023, 11, 1),
        due=date(2024, 1, 31),
        closes=date(2024, 2, 29),
    )
    services.cycle_open(cycle=cycle, actor=system)
    users = get_user_model()
    for n in range(PEOPLE):
        user = users.objects.create_user(f"focal-{n}", password=PASSWORD)
        Membership.objects.create(user=user, role=Role.FOCAL_POINT, agency=agency)
    secretariat = users.objects.create_user("secretariat", password=PASSWORD)
    Membership.objects.create(user=secretariat, role=Role.SECRETARIAT)
    return {
        "plan": plan.slug,
        "reports": list(
            ProgressReport.objects.filter(cycle=cycle).order_by("pk").values_list("pk", flat=True)
        ),
        "indicators": sorted(
            set(Target.objects.filter(node__plan=plan).values_list("indicator_id", flat=True))
        ),
    }


# --- The client side ----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: str
    seconds: float


class Browser:
    """One person's session: cookies, the CSRF token, plain http.client."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str) -> Answer:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            sent = {"Cookie": cookie, "Referer": f"http://127.0.0.1:{self.port}/", **headers}
            if method == "POST":
                sent["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            text = response.read().decode("utf-8", "replace")
            return Answer(response.status, text, time.perf_counter() - started)
        finally:
            connection.close()

    def form(self, path: str, fields: dict[str, str]) -> Answer:
        fields = {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        return self.request(
            "POST",
            path,
            urlencode(fields).encode(),
            **{"Content-Type": "application/x-www-form-urlencoded"},
        )

    def upload(self, path: str, name: str, content: bytes) -> Answer:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
                f"{self.cookies.get('csrftoken', '')}\r\n"
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request(
            "POST", path, body, **{"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def upload_and_confirm(self, path: str, name: str, content: bytes) -> Answer:
        """An upload is previewed, then confirmed (decision 0032). A confirm refused because
        the values changed meanwhile shows the preview as it is now: confirmed again while it
        still has something to write, as its uploader would."""
        answer = self.upload(path, name, content)
        for _ in range(3):
            token = re.search(r'name="token" value="([^"]+)"', answer.body)
            if answer.status != 200 or token is None:
                return answer
            answer = self.form(path, {"token": token.group(1), "confirm": "1"})
        return answer

    def login(self, username: str) -> Answer:
        self.request("GET", "/en/accounts/login/")
        return self.form("/en/accounts/login/", {"username": username, "password": PASSWORD})


@dataclass
class Outcome:
    """What a scenario's requests got: status codes, server errors, slowest answer."""

    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    slowest: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    def add(self, answer: Answer) -> Answer:
        self.statuses[answer.status] += 1
        self.slowest = max(self.slowest, answer.seconds)
        return answer

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def figures(self) -> dict[str, Any]:
        return {
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "server_errors": self.server_errors,
            "seconds": round(self.seconds, 2),
            "slowest_request_s": round(self.slowest, 2),
            **self.notes,
        }


def together(count: int, work: Callable[[int, threading.Barrier], None]) -> float:
    """Run `work(n, barrier)` in `count` threads; each waits at the barrier before the burst."""
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            work(n, barrier)
        except BaseException as exc:
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - started


def _version(page: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match, "the report page has no version field"
    return match.group(1)


def report_saves(port: int, world: dict[str, Any]) -> dict[str, Any]:
    """20 people save 20 reports at once; then 20 people save one report from the same page."""
    browsers = [Browser(port) for _ in range(PEOPLE)]
    for n, browser in enumerate(browsers):
        assert browser.login(f"focal-{n}").status == 302
    url = "/en/cycles/{plan}/2023/reports/{report}/"
    distinct, same = Outcome(), Outcome()

    def save(n: int, barrier: threading.Barrier, report: int, outcome: Outcome, tag: str) -> None:
        path = url.format(plan=world["plan"], report=report)
        version = _version(browsers[n].request("GET", path).body)
        barrier.wait()
        answer = outcome.add(
            browsers[n].form(
                path,
                {"version": version, "progress": "on_track", "narrative": f"{tag} {n}."},
            )
        )
        if answer.status == 200 and "while you were editing it" in answer.body:
            outcome.notes["conflicts"] = outcome.notes.get("conflicts", 0) + 1

    distinct.seconds = together(
        PEOPLE, lambda n, b: save(n, b, world["reports"][n], distinct, "Written by")
    )
    same.seconds = together(
        PEOPLE, lambda n, b: save(n, b, world["reports"][0], same, "Then all at once by")
    )
    return {"distinct_reports": distinct.figures(), "one_report": same.figures()}


def _rows(indicator: int, periods: range, place: str = "CN") -> bytes:
    lines = [f"{indicator},{place},{year},,{year % 97}.5,load test,\n" for year in periods]
    return (HEADING + "".join(lines)).encode()


def uploads(port: int, world: dict[str, Any]) -> dict[str, Any]:
    """20 uploads at once: 10 of distinct new rows, 10 of the same new rows."""
    browsers = [Browser(port) for _ in range(PEOPLE)]
    for browser in browsers:
        assert browser.login("secretariat").status == 302
    indicators = world["indicators"]
    path = f"/en/cycles/{world['plan']}/2023/upload/"
    outcome = Outcome()

    def send(n: int, barrier: threading.Barrier) -> None:
        if n < PEOPLE // 2:
            content = _rows(indicators[n % len(indicators)], range(1950, 2000), f"CN-{_PLACES[n]}")
        else:
            content = _rows(indicators[-1], range(1900, 1950))  # the same rows, 10 times
        barrier.wait()
        answer = outcome.add(browsers[n].upload_and_confirm(path, f"values-{n}.csv", content))
        # The same rows confirmed at once: all but the first are told the values changed, and
        # then that the file changes nothing (200); anything else is a refusal.
        if answer.status != 302 and "The file changes nothing" not in answer.body:
            outcome.notes.setdefault("refused", []).append(answer.body[-2000:])

    outcome.seconds = together(PEOPLE, send)
    outcome.notes["expected_values"] = (PEOPLE // 2) * 50 + 50
    return {"uploads": outcome.figures()}


_PLACES = ["BJ", "SH", "GD", "SC", "YN", "HB", "HN", "ZJ", "JS", "SD"]


def logins_during_a_slow_upload(port: int, world: dict[str, Any], rows: int) -> dict[str, Any]:
    """A large upload runs; meanwhile people sign in and save reports, one after another."""
    uploader = Browser(port)
    assert uploader.login("secretariat").status == 302
    indicators = world["indicators"]
    lines = []
    for n in range(rows):  # every row a different value: indicator × place × month
        m = n // len(indicators)
        place, year, month = _PLACES[m // 3600 % 10], 1900 + m // 12 % 300, m % 12 + 1
        lines.append(
            f"{indicators[n % len(indicators)]},CN-{place},{year}-{month:02d},,{n},slow,\n"
        )
    big = HEADING + "".join(lines)
    slow, others = Outcome(), Outcome()
    done = threading.Event()

    def upload() -> None:
        try:
            slow.add(
                uploader.upload_and_confirm(
                    f"/en/cycles/{world['plan']}/2023/upload/", "big.csv", big.encode()
                )
            )
        finally:
            done.set()

    started = time.perf_counter()
    thread = threading.Thread(target=upload)
    thread.start()
    n = 0
    while not done.is_set() or n < 3:
        browser = Browser(port)
        others.add(browser.login(f"focal-{n % PEOPLE}"))
        report = world["reports"][n % PEOPLE]
        path = f"/en/cycles/{world['plan']}/2023/reports/{report}/"
        version = _version(browser.request("GET", path).body)
        others.add(
            browser.form(path, {"version": version, "progress": "at_risk", "narrative": f"x{n}"})
        )
        n += 1
    thread.join()
    slow.seconds = others.seconds = time.perf_counter() - started
    others.notes["logins_and_saves"] = n
    slow.notes["rows"] = rows
    return {"slow_upload": slow.figures(), "during_it": others.figures()}


# --- Running it ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_database_url(configured: str, workdir: Path) -> str:
    """A fresh database next to the configured one: an SQLite file, or `<name>_load`."""
    if configured.startswith(("postgres://", "postgresql://")):
        base, _, name = configured.rpartition("/")
        name = name.split("?")[0] or "hrap"
        return f"{base}/{name.removeprefix('test_')}_load"
    return f"sqlite:///{workdir / 'load.sqlite3'}"


def _drop(database_url: str) -> None:
    if not database_url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(database_url: str, workdir: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """A prepared database and a threaded server on it: (port, what was prepared)."""
    _drop(database_url)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HRAP_", "DJANGO_"))},
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "hrap.settings",
        "HRAP_DEBUG": "0",
        "HRAP_MEDIA_ROOT": str(workdir / "media"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "hrap.monitoring.tests.load", "prepare"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"preparing the database failed:\n{done.stderr[-3000:]}")
    world = json.loads(done.stdout.strip().splitlines()[-1])
    port = _free_port()
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "hrap", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(port).request("GET", "/en/accounts/login/").status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.3)
        yield port, world
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        _drop(database_url)


def count_values(database_url: str) -> tuple[int, int]:
    """(values, distinct values by what they are of) in the load database."""
    query = (
        "SELECT count(*), count(DISTINCT indicator_id || '/' || jurisdiction_id || '/' || period"
        " || '/' || disaggregation_key) FROM monitoring_observation"
    )
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            row = connection.execute(query).fetchone()
    else:
        import psycopg

        with psycopg.connect(database_url) as connection:
            row = connection.execute(query).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def narratives(database_url: str) -> dict[int, str]:
    query = "SELECT id, narrative FROM monitoring_progressreport"
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return dict(connection.execute(query).fetchall())
    import psycopg

    with psycopg.connect(database_url) as connection:
        return dict(connection.execute(query).fetchall())


if __name__ == "__main__":
    if sys.argv[1:] == ["prepare"]:
        print(json.dumps(prepare()))
