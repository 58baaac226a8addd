from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "hrap.plans"
    label = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from hrap.core import revisions
        from hrap.plans import carry

        # The first follower of a new revision: assignments, targets, indicators, metadata.
        revisions.register(
            revisions.Follower(name="plans", preview=carry.preview, carry=carry.carry)
        )
