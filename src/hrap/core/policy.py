"""Who may do what: one `can(user, action, obj)` that views, services and selectors all ask."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from hrap.core.errors import PermissionDenied

User = AbstractBaseUser | AnonymousUser

# Actions any visitor may take on published material.
PUBLIC_ACTIONS = frozenset({"plan.view", "node.view", "search"})
# Actions reserved to staff until the roles of the accounts module refine them.
STAFF_ACTIONS = frozenset(
    {
        "plan.import",
        "plan.export",
        "node.edit",
        "target.edit",
        "assignment.edit",
        "audit.view",
        "plan.view_draft",
        "plan.review",
        "plan.publish",
    }
)


def can(user: User | None, action: str, obj: object | None = None) -> bool:
    if action in PUBLIC_ACTIONS:
        return True
    if action in STAFF_ACTIONS:
        return bool(user is not None and user.is_active and getattr(user, "is_staff", False))
    raise ValueError(f"unknown action {action!r}")


def require(user: User | None, action: str, obj: object | None = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(f"not allowed: {action}")
