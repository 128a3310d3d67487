"""``/oppfolging/fylke/<number>/``: the county director's monthly review (issue 11, items 2–5).

The page, its exports and its summary PDF read the same selector (``reviews/county.py``) with
the same parameters (``reviews/params.py``), so an export holds what the page shows. Anyone
without a county role there gets 404 (``access.get_reviewed_county_or_404``); a parameter that
names nothing, or an indicator not on the page, a 400 page saying which (no data).

Every drill-down link (a cell to the indicator's history of the office, an office to its
scorecard, a plan) carries ``?tilbake=`` — this page's URL with its month and filters — so the
scorecard pages can lead back to exactly this view (``navpartner.views.back_link``).
"""

from html import escape
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
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
    """Attach what the template prints: links with the way back, and each row's cells as HTML
    (built here once rather than by template tags per cell: 1 700 cells at national scale)."""
    month = format_period(review.month)
    labels = {status.value: escape(str(status.label)) for status in Status}
    texts = {
        "plan": escape(_("Action plan")),
        "target": escape(_("target")),
        "filtered": escape(_("Another status")),
    }
    texts["none"] = (
        '<td class="app-cell app-cell--none" data-applies="no">'
        f'<span class="sr-only">{escape(_("Does not apply"))}</span></td>'
    )
    target_texts: dict[tuple, str] = {}
    indicator_base = reverse("scorecards:indicator", kwargs={"code": "CODE"})
    plan_base = reverse("scorecards:plan", kwargs={"pk": 999999999})
    for row in review.all_rows:
        office = row.office
        row.card_url = (
            reverse("scorecards:card", kwargs={"office": office.code, "period": review.month})
            + "?"
            + back
        )
        row.access_url = reverse("access:review-office", kwargs={"code": office.code})
        row.office_url = reverse("offices:detail", kwargs={"code": office.code})
        office_query = urlencode({"kontor": office.code, "maned": month})
        for cell in row.all_cells:
            if cell is None:
                continue
            indicator = cell.indicator
            cell.url = f"{indicator_base.replace('CODE', indicator.code)}?{office_query}&{back}"
            cell.plan_url = (
                f"{plan_base.replace('999999999', str(cell.plan_id))}?{back}"
                if cell.plan_id
                else ""
            )
            cell.value_text = (
                format_measure(cell.value, unit=indicator.unit, decimals=indicator.decimals)
                if cell.value is not None
                else NO_VALUE
            )
            if cell.target is None:
                cell.target_text = NO_VALUE
            else:
                # Targets repeat across offices (a county's or the nation's): formatted once.
                key = (cell.target.value, indicator.unit, indicator.decimals)
                if key not in target_texts:
                    target_texts[key] = format_measure(
                        cell.target.value, unit=indicator.unit, decimals=indicator.decimals
                    )
                cell.target_text = target_texts[key]
    share_cell = (
        '<td class="aksel-table__data-cell aksel-table__data-cell--align-right aksel-body-short">'
        "{}</td>"
    )
    for trend in review.trends:
        trend.shares_html = mark_safe(  # noqa: S308 (numbers only)
            "".join(
                share_cell.format(NO_VALUE if share is None else share)
                for share in trend.met_shares
            )
        )
    month_labels = {month: date_format(month, "M Y") for month in review.months}
    for row in review.rows:
        row.missed_text = _missed_text(row, month_labels)
        row.cells_html = mark_safe(  # noqa: S308 (each part escaped by format_html)
            "".join(_td(cell, labels, texts) for cell in row.cells)
        )


def _td(cell, labels, texts) -> str:
    """One matrix cell: the status as a symbol and a word (never colour alone), the value and
    target where the reader sees them, the link to the indicator's history, and the plan.

    Plain f-strings with ``html.escape`` on every text: ``format_html`` costs ten times more,
    and this runs for each of up to 1 700 cells (``texts`` and ``labels`` are escaped once).
    """
    if cell is None:
        return texts["none"]
    code = escape(cell.indicator.code)
    if not cell.matches:
        return (
            f'<td class="app-cell app-cell--filtered" data-indicator="{code}" data-filtered="yes">'
            f'<span class="sr-only">{texts["filtered"]}</span></td>'
        )
    status = cell.status
    badge = (
        f'<b aria-hidden="true">{STATUS_SYMBOLS[status]}</b> {labels[status]}'
        if status
        else NO_VALUE
    )
    value = ""
    if cell.value_visible:
        raw = "" if cell.value is None else escape(str(cell.value))
        value = (
            f'<span data-value="{raw}">{escape(cell.value_text)}</span>'
            f"<small>{texts['target']} {escape(cell.target_text)}</small>"
        )
    plan = ""
    if cell.plan_url:
        plan = (
            f' <a class="aksel-link app-cell__plan" href="{escape(cell.plan_url)}"'
            f' data-plan="{cell.plan_id}">{texts["plan"]}</a>'
        )
    visible = "yes" if cell.value_visible else "no"
    return (
        f'<td class="app-cell app-cell--{status or "unknown"}" data-indicator="{code}"'
        f' data-status="{status or ""}" data-value-visible="{visible}">'
        f'<a class="app-cell__link" href="{escape(cell.url)}">{badge}{value}</a>{plan}</td>'
    )


def _missed_text(row, month_labels: dict) -> str:
    """The text alternative of an office's sparkline of missed indicators."""
    return "; ".join(
        f"{month_labels[month]}: {NO_VALUE if count is None else count}"
        for month, count in row.missed_trend
    )


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
