from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "hrap.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from hrap.core import audit_links, panels, revisions
        from hrap.monitoring.home import cycle_links, report_links
        from hrap.monitoring.revisions import FOLLOWER
        from hrap.monitoring.views import node_panel

        audit_links.register("monitoring.progressreport", report_links)
        audit_links.register("monitoring.reportingcycle", cycle_links)

        panels.register("node", node_panel)
        # Cycles and reports follow a plan to its new revision (after plans' own carry).
        revisions.register(FOLLOWER)
