from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hrap.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from hrap.accounts import policy
        from hrap.core import audit_links

        def users(viewer: object, ids: list[str]) -> dict[str, str]:
            if not policy.can(viewer, "user.manage"):  # type: ignore[arg-type]
                return {}
            return {i: reverse("users:detail", args=[int(i)]) for i in ids}

        audit_links.register("accounts.user", users)
