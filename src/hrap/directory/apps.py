from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "hrap.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from hrap.core import audit_links
        from hrap.directory.models import Agency

        def agencies(viewer: object, ids: list[str]) -> dict[str, str]:
            return {
                str(pk): reverse("directory:agency", args=[code])
                for pk, code in Agency.objects.filter(pk__in=ids).values_list("pk", "code")
            }

        audit_links.register("directory.agency", agencies)
