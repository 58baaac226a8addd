"""The request address of the current request, for audit events written deep in services."""

from __future__ import annotations

from contextvars import ContextVar

request_address: ContextVar[str | None] = ContextVar("request_address", default=None)
