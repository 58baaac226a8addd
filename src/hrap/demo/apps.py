from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`hrap demo`: sits above every app, since it sets up data for all of them."""

    name = "hrap.demo"
    label = "demo"
    verbose_name = "HRAP demo"
