"""The user account; roles and memberships come with the accounts work."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Its own model from the start, so it can grow without a rewrite."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
