"""The system actor: the account HRAP acts as when no person does (commands, jobs, generators)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from hrap.accounts.models import User

SYSTEM_USERNAME = "hrap-system"


def system_actor() -> User:
    """The system account, created on first use; it cannot sign in (no password, inactive)."""
    found = User.objects.filter(is_system=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            user = User(username=SYSTEM_USERNAME, is_active=False, is_system=True)
            user.set_unusable_password()
            user.save()
            return user
    except IntegrityError:  # created meanwhile by another process
        return User.objects.get(is_system=True)
