"""Pages for reports: ask for one, follow its status, download it."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from navpartner.views import add_service_errors
from reports.forms import ReportRequestForm
from reports.models import ReportStatus
from reports.selectors import report_get, report_list
from reports.services import ReportQueueUnavailable, report_request_create
from reports.throttling import TOO_MANY_REPORTS, ReportCreateThrottle

logger = logging.getLogger(__name__)


def _report_list_page(request, form, *, status: int = 200, retry_after: int | None = None):
    response = render(
        request,
        "reports/report_list.html",
        {"form": form, "reports": report_list(user=request.user)[:100]},
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def report_list_view(request):
    form = ReportRequestForm(request.POST or None)
    if request.method != "POST":
        return _report_list_page(request, form)
    throttle = ReportCreateThrottle()
    if not throttle.allow_request(request, None):
        form.add_error(None, _(TOO_MANY_REPORTS))
        return _report_list_page(
            request, form, status=429, retry_after=max(1, round(throttle.wait() or 1))
        )
    if form.is_valid():
        try:
            report = report_request_create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                parameters={"office": form.cleaned_data["office"]},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ReportQueueUnavailable as unavailable:
            form.add_error(None, str(unavailable))
            return _report_list_page(
                request, form, status=503, retry_after=unavailable.retry_after_seconds
            )
        else:
            messages.success(request, _("Your report is being made."))
            return redirect("reports:detail", report_id=report.id)
    return _report_list_page(request, form, status=400)


@login_required
@require_GET
def report_detail_view(request, report_id):
    report = report_get(user=request.user, report_id=report_id)
    return render(request, "reports/report_detail.html", {"report": report})


@login_required
@require_GET
def report_status_view(request, report_id):
    """The status alone, for the detail page to follow without reloading."""
    report = report_get(user=request.user, report_id=report_id)
    return JsonResponse(
        {"status": report.status, "status_display": report.get_status_display()},
        headers={"Cache-Control": "no-store"},
    )


def report_file_response(report) -> FileResponse:
    """The PDF of a finished report, as a download. Shared by the page and the API."""
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as missing:
        # Removed by housekeeping, or storage not shared with the worker: say "gone", log why.
        logger.error("report %s is done but its file %s is missing", report.id, report.file.name)
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=report.filename,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    # Both the ASCII name and RFC 6266's filename* with the Norwegian letters.
    response["Content-Disposition"] = report.content_disposition
    return response


@login_required
@require_GET
def report_download_view(request, report_id):
    return report_file_response(report_get(user=request.user, report_id=report_id))
