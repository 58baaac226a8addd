"""API authentication: a bearer token acting with its user's permissions, or the browser session."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer

from hrap.accounts import services


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.token_user(token)
        if user is not None:
            request.user = user
        return user


class TokenOrSession(TokenAuth):
    """Reads that anyone may make: a token when one is sent, else the session (or nobody)."""

    def __init__(self) -> None:
        super().__init__()
        # Not a scheme of its own in the OpenAPI document: the operations using it say that a
        # token is optional (`OPTIONAL_TOKEN`), instead of ninja's "bearer required".
        del self.openapi_security_schema

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization"):
            return super().__call__(request)
        return getattr(request, "user", None) or AnonymousUser()


# OpenAPI for reads anyone may make: no credentials, or the bearer token of TokenAuth.
OPTIONAL_TOKEN: dict[str, Any] = {"security": [{}, {"TokenAuth": []}]}
