"""Shared by every test under src/ and tests/: no test inherits another's interface language;
each starts in English, as the console does (a request still takes its page's language); and
passwords are hashed with a fast hasher, since Argon2 (the product's, on purpose slow) made up
half of a typical fixture's set-up. `argon2_passwords` restores the product's hashers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fresh_language() -> Iterator[None]:
    # A request activates its page's language in the test's thread and Django leaves it there,
    # so reverse() and messages outside a request would otherwise follow the previous test.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


PRODUCT_HASHERS: list[str] = []


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    if not PRODUCT_HASHERS:
        PRODUCT_HASHERS.extend(settings.PASSWORD_HASHERS)
    # The product's hashers stay listed, so a password hashed by them still verifies.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCT_HASHERS]


@pytest.fixture
def argon2_passwords(settings: Any) -> None:
    """The product's password hashers (Argon2 first), for tests about hashing itself."""
    settings.PASSWORD_HASHERS = list(PRODUCT_HASHERS)
