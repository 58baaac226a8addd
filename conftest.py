"""Shared by every test under src/ and tests/: no test inherits another's interface language;
each starts in English, as the console does (a request still takes its page's language)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_language() -> Iterator[None]:
    # A request activates its page's language in the test's thread and Django leaves it there,
    # so reverse() and messages outside a request would otherwise follow the previous test.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
