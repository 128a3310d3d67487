"""How many reports one user may ask for: one count for the page and the API together."""

from django.conf import settings
from django.utils.translation import gettext_noop
from rest_framework.throttling import UserRateThrottle

TOO_MANY_REPORTS = gettext_noop(
    "You have asked for too many reports in a short time. Please wait a little and try again."
)


class ReportCreateThrottle(UserRateThrottle):
    """Per signed-in user, at ``REPORT_CREATE_RATE`` (e.g. ``30/min``), counted in the cache."""

    scope = "report_create"

    def get_rate(self) -> str:
        # Read on every request, not frozen into DRF's settings at import: tests and operators
        # change it through settings.
        return settings.REPORT_CREATE_RATE
