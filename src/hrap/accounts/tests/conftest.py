"""Fixtures of the accounts tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from hrap.accounts.models import Membership, Role

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(db):
    """An administrator by membership (not a superuser)."""
    user = get_user_model().objects.create_user("root", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Services called outside a request speak the default language (Chinese); these tests
    read their messages in English."""
    with translation.override("en"):
        yield
