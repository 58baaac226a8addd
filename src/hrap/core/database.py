"""Creating the configured PostgreSQL database when it does not exist yet (demo, benchmarks)."""

from __future__ import annotations

from django.db import connections
from django.db.utils import OperationalError


def ensure_database_exists(alias: str = "default") -> bool:
    """True if the database had to be created. SQLite creates its file by itself."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    try:
        connection.ensure_connection()
        return False
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    return True
