from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    """Counties, municipalities, NAV offices and which municipalities each office serves."""

    name = "offices"
    verbose_name = _("Organisation units")
