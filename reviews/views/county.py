"""``/oppfolging/fylke/<number>/``: the county director's monthly review (issue 11, items 2–5).

The page, its exports and its summary PDF read the same selector (``reviews/county.py``) with
the same parameters (``reviews/params.py``), so an export holds what the page shows. Anyone
without a county role there gets 404 (``access.get_reviewed_county_or_404``); a parameter that
names nothing, or an indicator not on the page, a 400 page saying which (no data).

Every drill-down link (a cell to the indicator's history of the office, an office to its
scorecard, a plan) carries ``?tilbake=`` — this page's URL with its month and filters — so the
scorecard pages can lead back to exactly this view (``navpartner.views.back_link``).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports.models import ReportKind
from reports.services import ReportQueueUnavailable, report_request_create
from reports.throttling import TOO_MANY_REPORTS, ReportCreateThrottle
from reviews import county as selector
from reviews.exports import ExportTooLarge, UnknownFormat, check_format, export_response
from reviews.params import BACK, BadParameters, ReviewParams
from scorecards.models import Perspective, Status
from scorecards.periods import format_period
from scorecards.templatetags.scorecard_tags import (
    NO_VALUE,
    STATUS_COLOURS,
    STATUS_SYMBOLS,
    format_measure,
)
from users import access


def _bad_request(request, county, errors: dict[str, str] | list[str]):
    """The 400 page: what was wrong with the parameters (or the export), and no data."""
    pairs = list(errors.items()) if isinstance(errors, dict) else [("", e) for e in errors]
    return render(
        request,
        "reviews/county_error.html",
        {"county": county, "errors": pairs},
        status=400,
    )


NO_FILTERS = {"perspective": None, "side": None, "status": None, "sort": None, "indicator": None}


def _review_or_error(request, number, **options):
    """``(county, params, review, None)``, or ``(…, response)`` for bad parameters."""
    county = access.get_reviewed_county_or_404(request.user, number)
    offices = selector.county_offices(county)
    try:
        params = ReviewParams.from_query(request.GET, earliest=selector.earliest_month(offices))
    except BadParameters as error:
        return county, None, None, _bad_request(request, county, error.errors)
    try:
        review = selector.county_review(request.user, county, params, offices=offices, **options)
    except selector.UnknownIndicator:
        return (
            county,
            params,
            None,
            _bad_request(
                request,
                county,
                {
                    "indikator": _("“%(code)s” is not an indicator of this page.")
                    % {"code": params.indicator}
                },
            ),
        )
    return county, params, review, None


@login_required
@require_GET
def county_review_view(request, number):
    county, params, review, error = _review_or_error(request, number)
    if error is not None:
        return error
    page_url = f"{request.path}?{params.query()}"
    _present(review, back=urlencode({BACK: page_url}))
    query = params.query()
    without_ranking = {"indicator": None}
    if params.sort == "result":
        without_ranking["sort"] = None
    return render(
        request,
        "reviews/county.html",
        {
            "county": county,
            "review": review,
            "params": params,
            "query": query,
            "page_url": page_url,
            "sort_links": _sort_links(request.path, params),
            "perspectives": Perspective.choices,
            "statuses": Status.choices,
            "status_legend": [
                (status.value, STATUS_SYMBOLS[status], status.label) for status in Status
            ],
            "clear_url": f"{request.path}?{params.query(**NO_FILTERS)}",
            "rank_query": params.query(indicator=None),
            "result_url": f"{request.path}?{params.query(sort='result')}",
            "ranking_close_url": f"{request.path}?{params.query(**without_ranking)}",
        },
    )


def _sort_links(path: str, params: ReviewParams) -> list[dict]:
    links = [
        {"sort": "office", "url": f"{path}?{params.query(sort=None)}", "label": _("Office")},
        {
            "sort": "status",
            "url": f"{path}?{params.query(sort='status')}",
            "label": _("Most missed first"),
        },
    ]
    if params.indicator:
        links.append(
            {
                "sort": "result",
                "url": f"{path}?{params.query(sort='result')}",
                "label": _("Result of the chosen indicator"),
            }
        )
    return links


def _present(review: selector.CountyReview, *, back: str) -> None:
    """Attach what the template prints: links with the way back, and each cell's HTML (built
    here once rather than through a template tag per cell: 1 600 cells at national scale)."""
    month = format_period(review.month)
    labels = {status.value: str(status.label) for status in Status}
    indicator_base = reverse("scorecards:indicator", kwargs={"code": "CODE"})
    plan_base = reverse("scorecards:plan", kwargs={"pk": 999999999})
    plan_text = _("Action plan")
    target_text = _("target")
    for row in review.all_rows:
        office = row.office
        row.card_url = (
            reverse("scorecards:card", kwargs={"office": office.code, "period": review.month})
            + "?"
            + back
        )
        row.plans_url = reverse("scorecards:plans", kwargs={"office": office.code}) + "?" + back
        row.access_url = reverse("access:review-office", kwargs={"code": office.code})
        row.office_url = reverse("offices:detail", kwargs={"code": office.code})
        for cell in row.all_cells:
            if cell is None:
                continue
            indicator = cell.indicator
            cell.url = (
                indicator_base.replace("CODE", indicator.code)
                + "?"
                + urlencode({"kontor": office.code, "maned": month})
                + "&"
                + back
            )
            cell.plan_url = (
                plan_base.replace("999999999", str(cell.plan_id)) + "?" + back
                if cell.plan_id
                else ""
            )
            cell.value_text = (
                format_measure(cell.value, unit=indicator.unit, decimals=indicator.decimals)
                if cell.value is not None
                else NO_VALUE
            )
            cell.target_text = (
                format_measure(cell.target.value, unit=indicator.unit, decimals=indicator.decimals)
                if cell.target is not None
                else NO_VALUE
            )
            cell.html = _cell_html(cell, labels, plan_text, target_text)


def _cell_html(cell, labels, plan_text, target_text):
    status = cell.status
    if status:
        badge = format_html(
            '<span class="app-status app-cell__status" data-color="{}"><span aria-hidden="true"'
            ' class="app-status__symbol">{}</span> {}</span>',
            STATUS_COLOURS[status],
            STATUS_SYMBOLS[status],
            labels[status],
        )
    else:
        badge = format_html('<span class="app-cell__status">{}</span>', NO_VALUE)
    value = ""
    if cell.value_visible:
        value = format_html(
            '<span class="app-cell__value" data-value="{}">{}</span>'
            '<span class="app-cell__target">{} {}</span>',
            "" if cell.value is None else cell.value,
            cell.value_text,
            target_text,
            cell.target_text,
        )
    html = format_html(
        '<a class="aksel-link app-cell__link" href="{}">{}{}</a>', cell.url, badge, value
    )
    if cell.plan_url:
        html += format_html(
            ' <a class="aksel-link app-cell__plan" href="{}" data-plan="{}">{}</a>',
            cell.plan_url,
            cell.plan_id,
            plan_text,
        )
    return mark_safe(html)  # noqa: S308 (every part above is escaped by format_html)


# --- Exports ------------------------------------------------------------------------------------


@login_required
@require_GET
def county_export_view(request, number, fmt):
    try:
        check_format(fmt)
    except UnknownFormat as unknown:
        raise Http404 from unknown
    county, params, review, error = _review_or_error(request, number)
    if error is not None:
        return error
    header, rows = export_rows(review)
    try:
        return export_response(
            fmt,
            filename=f"fylke-{county.number}-{format_period(params.month)}",
            header=header,
            rows=rows,
            sheet_title=_("County review"),
        )
    except ExportTooLarge as too_large:
        return _bad_request(request, county, [too_large.message])


def export_rows(review: selector.CountyReview) -> tuple[list[str], list[list]]:
    """One row per office × indicator the page shows (filters applied), with the office's
    audit readiness after it; values and targets only where the reader sees them."""
    from reviews.readiness import readiness_header, readiness_values

    header = [
        _("Office code"),
        _("Office"),
        _("Indicator code"),
        _("Indicator"),
        _("Line"),
        _("Perspective"),
        _("Month"),
        _("Value"),
        _("Target"),
        _("Status"),
        _("Open action plan"),
        *readiness_header(),
    ]
    month = format_period(review.month)
    rows = []
    for row in review.rows:
        readiness = readiness_values(row.readiness)
        for cell in row.visible_cells:
            indicator = cell.indicator
            rows.append(
                [
                    row.office.code,
                    row.office.name,
                    indicator.code,
                    indicator.display_name,
                    str(indicator.get_side_display()),
                    str(indicator.get_perspective_display()),
                    month,
                    cell.value if cell.value_visible else None,
                    cell.target.value if cell.value_visible and cell.target else None,
                    str(Status(cell.status).label) if cell.status else "",
                    cell.plan_id is not None,
                    *readiness,
                ]
            )
    return header, rows


# --- Summary PDF --------------------------------------------------------------------------------


@login_required
@require_POST
def county_pdf_view(request, number):
    """Ask for the county's monthly summary as a PDF (the report pipeline); the filters of the
    page's URL go with it."""
    county, params, _review, error = _review_or_error(request, number, with_extras=False)
    if error is not None:
        return error
    page_url = f"{reverse('reviews:county', args=[county.number])}?{params.query()}"
    throttle = ReportCreateThrottle()
    if not throttle.allow_request(request, None):
        messages.error(request, _(TOO_MANY_REPORTS))
        return redirect(page_url)
    try:
        report = report_request_create(
            user=request.user,
            kind=ReportKind.COUNTY_SUMMARY,
            parameters={"county": county.number, **params.as_dict()},
        )
    except (ValidationError, ReportQueueUnavailable) as failure:
        messages.error(request, " ".join(getattr(failure, "messages", [str(failure)])))
        return redirect(page_url)
    messages.success(request, _("Your report is being made."))
    return redirect("reports:detail", report_id=report.id)
