from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hrap.api"
    label = "api"
    verbose_name = "HRAP API"
