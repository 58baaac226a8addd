from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hrap.core"
    label = "core"
    verbose_name = "HRAP core"

    def ready(self) -> None:
        from django.utils.translation import gettext

        from hrap.core import catalog

        catalog.install(gettext)
