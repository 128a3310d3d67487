from django.apps import AppConfig


class NavpartnerConfig(AppConfig):
    """The project package as an app: it holds the demo-data command and shared templates."""

    name = "navpartner"
    verbose_name = "navpartner"
