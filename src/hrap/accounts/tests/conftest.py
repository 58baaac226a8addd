"""Fixtures of the accounts tests."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from hrap.accounts.models import Membership, Role

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(db):
    """An administrator by membership (not a superuser)."""
    user = get_user_model().objects.create_user("root", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.ADMINISTRATOR)
    return user
