from django.http import HttpRequest

from hrap.accounts import policy


def permissions(request: HttpRequest) -> dict[str, bool]:
    """What the navigation may offer this person."""
    user = getattr(request, "user", None)
    return {
        "can_audit": policy.can(user, "audit.view"),
        # Administrators manage users and read the (read-only) Django admin.
        "can_administer": policy.can(user, "user.manage"),
    }
