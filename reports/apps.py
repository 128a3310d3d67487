from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """PDF reports made in the background."""

    name = "reports"
    verbose_name = _("Reports")
