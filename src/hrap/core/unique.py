"""Inserting a row whose key must be unique while another request may be inserting it too."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

from hrap.core.errors import InvalidInput, Problem

Row = TypeVar("Row")


def create_once(create: Callable[[], Row], taken: Problem) -> Row:
    """`create()`, or the refusal `taken` when the key was inserted meanwhile.

    A service checks first that the key is free and says so in its own words; but two requests
    can both find it free before either inserts (PostgreSQL's READ COMMITTED lets them), and the
    second insert then breaks the unique constraint. Its savepoint is rolled back so the
    service's transaction stays usable, and the person gets the same answer as if the other
    request had finished first.
    """
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        raise InvalidInput([taken]) from None
