"""Reads of report requests: only ever the requester's own."""

from django.db.models import QuerySet

from reports.models import ReportRequest


def report_list(*, user) -> QuerySet[ReportRequest]:
    return ReportRequest.objects.visible_to(user).order_by("-requested_at")


def report_get(*, user, report_id) -> ReportRequest:
    """The user's own report request, or 404 (unknown, malformed and someone else's alike)."""
    from users.access import get_visible_or_404

    return get_visible_or_404(ReportRequest.objects.all(), user, pk=report_id)
