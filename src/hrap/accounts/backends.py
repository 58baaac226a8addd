"""Password sign-in: Django's, except that the system actor never signs in, whatever its flags."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class HrapBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        # Asked at sign-in and on every request with a session: a session for the system
        # account, however obtained, is not honoured either.
        return super().user_can_authenticate(user) and not getattr(user, "is_system", False)
