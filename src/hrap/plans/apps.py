from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "hrap.plans"
    label = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from hrap.core import audit_links, revisions
        from hrap.plans import audit_links as links
        from hrap.plans import carry

        audit_links.register("plans.plan", links.plans)
        audit_links.register("plans.plannode", links.nodes)
        audit_links.register("plans.target", links.targets)
        audit_links.register("plans.assignment", links.assignments)

        # The first follower of a new revision: assignments, targets, indicators, metadata.
        revisions.register(
            revisions.Follower(name="plans", preview=carry.preview, carry=carry.carry)
        )
