"""An office's month as a PDF (issue 10, item 11): asked for on the card page, made by the
report pipeline (``scorecards/reports.py``); the report page follows it from there."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports.services import ReportQueueUnavailable, report_request_create
from reports.throttling import TOO_MANY_REPORTS, ReportCreateThrottle
from scorecards.periods import format_period
from scorecards.reports import KIND, visible_office


@login_required
@require_POST
def card_pdf_view(request, office: str, period: datetime.date):
    """Ask for the office's month as a PDF; 404 for an office the user cannot see."""
    found = visible_office(request.user, office)
    if found is None:
        raise Http404
    card_url = reverse("scorecards:card", kwargs={"office": found.code, "period": period})
    throttle = ReportCreateThrottle()
    if not throttle.allow_request(request, None):
        messages.error(request, _(TOO_MANY_REPORTS))
        return redirect(card_url)
    try:
        report = report_request_create(
            user=request.user,
            kind=KIND,
            parameters={"office": found.code, "period": format_period(period)},
        )
    except (ValidationError, ReportQueueUnavailable) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(card_url)
    messages.success(request, _("Your report is being made."))
    return redirect("reports:detail", report_id=report.id)
