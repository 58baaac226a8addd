from collections.abc import Callable
from functools import cache

from django.http import HttpRequest

from hrap.accounts import policy


def permissions(request: HttpRequest) -> dict[str, bool | Callable[[], bool]]:
    """What the navigation may offer this person."""
    user = getattr(request, "user", None)
    return {
        "can_audit": policy.can(user, "audit.view"),
        "can_administer": bool(user is not None and getattr(user, "is_staff", False)),
        # Asked only when a page shows the navigation (templates call callables).
        "has_reports": cache(lambda: policy.answers_for_reports(user)),
    }
