"""Two people creating the same agency, account or reporting cycle at once: the second is told
that it exists, never a server error.

Found by hand against the demo on PostgreSQL (four sessions posting the same new agency code,
username or period at once: one 302 and three 500s, IntegrityError; four tabs opening the
second-factor page of an account without one: up to three 500s), where READ COMMITTED lets
both requests find the key free before either inserts. The race is made certain here, on any
database: the other person's row is written just after the service has checked that the key
is free, as the other request would have committed it (inside this test's transaction, so
the service's rollback takes it too: the test checks what the person is told and that nothing
of theirs was written).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from hrap.accounts.models import Membership, Role, SecondFactor
from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent
from hrap.directory.models import Agency
from hrap.monitoring.models import ReportingCycle
from hrap.plans import services as plan_services
from hrap.plans.models import Plan
from hrap.plans.sample import PLAN_FILE

pytestmark = pytest.mark.django_db
SLUG = "cn-nhrap-2021-2025"


@pytest.fixture
def client() -> Client:
    plan_services.plan_import(raw=PLAN_FILE.read_bytes(), actor=system_actor())
    admin = get_user_model().objects.create_user("admin", password="pw-Secret-123!")
    Membership.objects.create(user=admin, role=Role.ADMINISTRATOR)
    client = Client(raise_request_exception=True)
    client.force_login(admin)
    return client


@contextmanager
def written_meanwhile(
    table: str, other: Callable[[], Any], check: str = 'SELECT (1|%s) AS "a"'
) -> Iterator[None]:
    """Run `other` (the other person's insert) right after the first check of `table`."""
    done = False

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal done
        result = execute(sql, params, many, context)
        if not done and re.search(rf'{check}.* FROM "{table}"', sql):
            done = True
            other()
        return result

    with connection.execute_wrapper(wrapper):
        yield
    assert done, f"no check of {table} was made"


def test_an_agency_code_taken_meanwhile_is_refused_in_words(client: Client) -> None:
    def other() -> None:
        Agency.objects.create(code="race", name={"en": "Theirs"})

    with written_meanwhile("directory_agency", other):
        response = client.post("/en/agencies/new/", {"code": "race", "name_en": "Mine"})
    assert response.status_code < 500
    assert "an agency with code &#x27;race&#x27; already exists" in response.content.decode()
    assert not Agency.objects.filter(name={"en": "Mine"}).exists()


def test_a_username_taken_meanwhile_is_refused_in_words(client: Client) -> None:
    def other() -> None:
        get_user_model().objects.create_user("race")

    with written_meanwhile("accounts_user", other):
        response = client.post("/en/users/add/", {"username": "race", "language": "en"})
    assert response.status_code < 500
    assert "This username is taken." in response.content.decode()
    assert not AuditEvent.objects.filter(action="user.create").exists()


def test_a_cycle_period_taken_meanwhile_is_refused_in_words(client: Client) -> None:
    plan = Plan.objects.get(slug=SLUG)

    def other() -> None:
        ReportingCycle.objects.create(
            plan=plan, period="2024", opens=date(2024, 1, 1), due=date(2024, 2, 1),
            closes=date(2024, 3, 1),
        )  # fmt: skip

    dates = {"opens": "2024-11-01", "due": "2025-01-31", "closes": "2025-02-28"}
    with written_meanwhile("monitoring_reportingcycle", other):
        response = client.post(f"/en/cycles/{SLUG}/", {"period": "2024", **dates})
    assert response.status_code < 500
    assert "the plan already has a cycle for 2024" in response.content.decode()
    assert not ReportingCycle.objects.filter(plan=plan, opens=date(2024, 11, 1)).exists()


def test_the_second_factor_page_opened_in_two_tabs_at_once_shows_one_secret(client: Client) -> None:
    user = get_user_model().objects.get(username="admin")

    def other() -> None:
        SecondFactor.objects.create(user=user, secret="JBSWY3DPEHPK3PXP")

    with written_meanwhile("accounts_secondfactor", other, check="SELECT"):
        response = client.get("/en/accounts/second-factor/")
    assert response.status_code == 200
    assert "JBSW Y3DP EHPK 3PXP" in response.content.decode()  # the other tab's secret, again
    assert SecondFactor.objects.filter(user=user).count() == 1


def test_a_username_taken_meanwhile_in_another_case_is_refused_in_words(client: Client) -> None:
    def other() -> None:
        get_user_model().objects.create_user("RACE")

    with written_meanwhile("accounts_user", other):
        response = client.post("/en/users/add/", {"username": "race", "language": "en"})
    assert response.status_code < 500
    assert "This username is taken." in response.content.decode()
    assert not get_user_model().objects.filter(username="race").exists()
