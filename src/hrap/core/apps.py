from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hrap.core"
    label = "core"
    verbose_name = "HRAP core"
