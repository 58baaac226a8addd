"""Fixtures shared by the tests of every app."""

from __future__ import annotations

import io
from importlib import resources

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.plans import services
from hrap.plans.models import Plan

SAMPLE = resources.files("hrap.plans") / "sample" / "cn-nhrap-2021-2025.json"


@pytest.fixture
def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture
def sample_plan(db, sample_bytes) -> Plan:
    return services.plan_import(raw=sample_bytes, actor=system_actor())


@pytest.fixture
def staff(db):
    """A member of the joint meeting's secretariat."""
    user = get_user_model().objects.create_user("secretariat", password="pw-Secret-123")
    Membership.objects.create(user=user, role=Role.SECRETARIAT)
    return user


@pytest.fixture
def member(db):
    return get_user_model().objects.create_user("reader", password="pw-Secret-123")


def run_command(*args: str) -> tuple[int, str, str]:
    """An `hrap` command as a person runs it: (exit code, standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()
