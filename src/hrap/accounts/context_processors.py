from collections.abc import Callable
from functools import cache

from django.http import HttpRequest

from hrap.accounts import policy


def permissions(request: HttpRequest) -> dict[str, bool | Callable[[], bool]]:
    """What the navigation may offer this person."""
    user = getattr(request, "user", None)
    return {
        "can_audit": policy.can(user, "audit.view"),
        # Administrators manage users and read the (read-only) Django admin.
        "can_administer": policy.can(user, "user.manage"),
        # Asked only when a page shows the navigation (templates call callables).
        "has_reports": cache(lambda: policy.answers_for_reports(user)),
        "sees_all_reports": policy.can(user, "report.view_all"),
        "can_enter_values": cache(lambda: policy.can(user, "observation.enter")),
        "can_review_plans": policy.can(user, "plan.review"),
    }
