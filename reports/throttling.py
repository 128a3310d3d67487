"""How many reports one user may ask for: one count for the page and the API together."""

from django.utils.translation import gettext_noop

from navpartner.api.throttling import ReportCreateThrottle

TOO_MANY_REPORTS = gettext_noop(
    "You have asked for too many reports in a short time. Please wait a little and try again."
)

__all__ = ["TOO_MANY_REPORTS", "ReportCreateThrottle"]
