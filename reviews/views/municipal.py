"""The municipal executive's review: ``/oppfolging/kommune/<number>/?maned=…&side=…``, its
exports (``eksport.csv``, ``eksport.xlsx``) and its summary PDF (``pdf/``).

The page is the rådmann's (or an advisor's) monthly review of the offices serving the
municipality. The gate is ``access.get_reviewed_municipality_or_404`` (anyone without a role in
the municipality: 404); what each cell shows is the selector's (``reviews/municipal.py``), which
asks the policy. Bad parameters answer 400 with every message and no data; the month and the
filters live in the URL, and every link of the page keeps them — the drill-down's ``tilbake``
included, so the scorecard pages can lead back to exactly this view.

The municipal side's review of a submitted month can be given from the page: a POST to the page
itself (its URL keeps the month and filters), which calls ``services.review_scorecard`` — the
same service, checks and audit as the scorecard's own review page — and returns to the page.
"""

from decimal import Decimal
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from navpartner.sidedata import Side
from reports.services import ReportQueueUnavailable, report_request_create
from reports.throttling import TOO_MANY_REPORTS, ReportCreateThrottle
from reviews import exports
from reviews.municipal import (
    TrendWords,
    UnknownIndicator,
    earliest_month,
    municipal_review,
    trend_text,
)
from reviews.municipal_cells import render_cells
from reviews.municipal_report import KIND
from reviews.params import BACK, INDICATOR, BadParameters, ReviewParams
from scorecards import services
from scorecards.models import Perspective, Status
from scorecards.periods import add_months, format_period, is_future
from scorecards.status import rounded
from users import access

ALL = gettext_lazy("All")


class FilterForm(forms.Form):
    """The month and filters as a GET form (no JavaScript needed); shown, never validated —
    ``ReviewParams`` reads the query strictly."""

    maned = forms.CharField(
        label=gettext_lazy("Month"), widget=forms.DateInput(attrs={"type": "month"})
    )
    perspektiv = forms.ChoiceField(
        label=gettext_lazy("Perspective"),
        required=False,
        choices=[("", ALL), *Perspective.choices],
    )
    side = forms.ChoiceField(
        label=gettext_lazy("Line"),
        required=False,
        choices=[
            ("", ALL),
            (Side.MUNICIPAL.value, Side.MUNICIPAL.label),
            (Side.STATE.value, Side.STATE.label),
        ],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", ALL), *Status.choices]
    )


class MunicipalReviewForm(forms.Form):
    kontor = forms.SlugField(widget=forms.HiddenInput)
    kommentar = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=forms.Textarea, max_length=4000
    )


def _params(request, municipality, earliest=None) -> ReviewParams:
    earliest = earliest_month(municipality) if earliest is None else earliest
    return ReviewParams.from_query(request.GET, earliest=earliest)


def _page_url(number: str, params: ReviewParams, **changes) -> str:
    return f"{reverse('reviews:municipal', kwargs={'number': number})}?{params.query(**changes)}"


def _export_url(number: str, fmt: str, params: ReviewParams) -> str:
    url = reverse("reviews:municipal-export", kwargs={"number": number, "fmt": fmt})
    return f"{url}?{params.query()}"


def _bad_request(request, municipality, errors: dict[str, str]):
    return render(
        request,
        "reviews/municipal.html",
        {"municipality": municipality, "errors": errors, "bad": True},
        status=400,
    )


def _load(request, municipality, earliest=None):
    """The parameters and the review; ``BadParameters`` for anything the query names
    wrongly."""
    params = _params(request, municipality, earliest)
    try:
        review = municipal_review(user=request.user, municipality=municipality, params=params)
    except UnknownIndicator as unknown:
        raise BadParameters(
            {INDICATOR: _("“%(value)s” is not an indicator of this page.") % {"value": unknown}}
        ) from unknown
    return params, review


def _with_back(url: str, back: str, **query) -> str:
    query[BACK] = back
    return f"{url}?{urlencode(query, quote_via=quote)}"


def _decorate(review, back: str) -> None:
    """The drill-down links of every cell and office, each with the way back to this view."""
    period = review.period
    month = format_period(period)
    for row in review.offices:
        row.card_url = _with_back(
            reverse("scorecards:card", kwargs={"office": row.office.code, "period": period}), back
        )
        row.agreement_url = (
            reverse(
                "agreements:version",
                kwargs={
                    "pk": row.agreement_version.agreement_id,
                    "number": row.agreement_version.number,
                },
            )
            if row.agreement_version
            else reverse("agreements:list")
        )
    render_cells(review, back)
    review.missed_links = [
        {
            "row": row,
            "line": line,
            "plan_url": _with_back(
                reverse("scorecards:plan", kwargs={"pk": line.action_plan.pk}), back
            )
            if line.action_plan
            else "",
            "indicator_url": _with_back(
                reverse("scorecards:indicator", kwargs={"code": line.indicator.code}),
                back,
                kontor=row.office.code,
                maned=month,
            ),
        }
        for row, line in review.missed
    ]


@login_required
@require_http_methods(["GET", "POST"])
def municipal_review_view(request, number: str):
    municipality = access.get_reviewed_municipality_or_404(request.user, number)
    earliest = earliest_month(municipality)
    try:
        if request.method == "POST":
            return _review_action(request, municipality, _params(request, municipality, earliest))
        params = _params(request, municipality, earliest)
        if any(value == "" for value in request.GET.values()):
            # The filter form sends its empty fields: the shareable URL leaves them out.
            return redirect(_page_url(number, params))
        params, review = _load(request, municipality, earliest)
    except BadParameters as bad:
        return _bad_request(request, municipality, bad.errors)
    here = _page_url(number, params)
    _decorate(review, here)
    previous = add_months(params.month, -1)
    following = add_months(params.month, 1)
    filters = FilterForm(
        initial={
            "maned": format_period(params.month),
            "perspektiv": params.perspective or "",
            "side": params.side or "",
            "status": params.status or "",
        }
    )
    return render(
        request,
        "reviews/municipal.html",
        {
            "municipality": municipality,
            "review": review,
            "params": params,
            "here": here,
            "filters": filters,
            "review_form": MunicipalReviewForm(),
            "previous_url": _page_url(number, params, month=previous)
            if earliest is None or previous >= earliest
            else "",
            "previous": previous,
            "next_url": "" if is_future(following) else _page_url(number, params, month=following),
            "next": following,
            "clear_url": _page_url(number, params, perspective=None, side=None, status=None),
            "sort_links": [
                (sort, label, _page_url(number, params, sort=None if sort == "office" else sort))
                for sort, label in (("office", _("Office")), ("status", _("Most missed")))
            ],
            "export_csv": _export_url(number, "csv", params),
            "export_xlsx": _export_url(number, "xlsx", params),
            "pdf_url": f"{reverse('reviews:municipal-pdf', kwargs={'number': number})}"
            f"?{params.query()}",
        },
    )


def _review_action(request, municipality, params):
    """The municipal side's review of one office's month, from the page; back to the page."""
    here = _page_url(municipality.number, params)
    form = MunicipalReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(here)
    review = municipal_review(user=request.user, municipality=municipality, params=params)
    row = next((r for r in review.offices if r.office.code == form.cleaned_data["kontor"]), None)
    if row is None:
        access.record_denial(
            municipality.__class__.objects.all(),
            request.user,
            "municipal_review",
            office=form.cleaned_data["kontor"],
        )
        raise Http404
    if not row.may_review:
        raise PermissionDenied(_("You do not review this office's scorecard for the municipality."))
    if not row.review_open:
        messages.info(
            request,
            _("The office has not submitted this month yet.")
            if not row.is_submitted
            else _("This line has already reviewed the month."),
        )
        return redirect(here)
    try:
        services.review_scorecard(
            user=request.user,
            scorecard=row.card.scorecard,
            side=Side.MUNICIPAL,
            comment=form.cleaned_data["kommentar"],
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _("Your review of %(office)s is recorded.") % {"office": row.office.name},
        )
    return redirect(here)


def _number(value, indicator):
    """A value with the indicator's decimals (as the page shows it), a number in Excel."""
    return None if value is None else rounded(Decimal(value), indicator.decimals)


def export_header() -> list[str]:
    return [
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
        _("Action plan"),
        _("Last 12 months"),
    ]


def export_rows(request, review) -> list[list]:
    """One row per office × indicator the page shows: a value and target only where the
    reader sees the indicator's values; the plan's address, or "no plan" for a miss without."""
    month = format_period(review.period)
    words = TrendWords()
    rows = []
    for office_row, line in review.export_rows():
        indicator = line.indicator
        if line.action_plan:
            plan = request.build_absolute_uri(
                reverse("scorecards:plan", kwargs={"pk": line.action_plan.pk})
            )
        elif line.needs_action_plan:
            plan = _("no plan")
        else:
            plan = ""
        row = [
            office_row.office.code,
            office_row.office.name,
            indicator.code,
            indicator.display_name,
            str(Side(indicator.side).label),
            str(Perspective(indicator.perspective).label),
            month,
            _number(line.value, indicator) if line.value_visible else None,
            _number(line.target.value, indicator) if line.value_visible and line.target else None,
            str(Status(line.status).label) if line.status else "",
            plan,
            trend_text(line, words),
        ]
        rows.append(row)
    return rows


def _readiness_export(review):
    """The readiness columns (header, {office id: values}), where the module is there."""
    if not review.readiness_available:
        return [], {}
    from reviews.readiness import readiness_header, readiness_values

    return readiness_header(), {
        row.office.pk: readiness_values(row.readiness) for row in review.offices
    }


@login_required
def municipal_export_view(request, number: str, fmt: str):
    try:
        exports.check_format(fmt)
    except exports.UnknownFormat as unknown:
        raise Http404 from unknown
    municipality = access.get_reviewed_municipality_or_404(request.user, number)
    try:
        _params_, review = _load(request, municipality)
    except BadParameters as bad:
        return _bad_request(request, municipality, bad.errors)
    pairs = review.export_rows()
    try:
        exports.check_size(len(pairs))
    except exports.ExportTooLarge as large:
        return _bad_request(request, municipality, {"eksport": large.message})
    header = export_header()
    rows = export_rows(request, review)
    readiness_header, readiness = _readiness_export(review)
    if readiness_header:
        header += readiness_header
        rows = [
            row + readiness[office_row.office.pk]
            for row, (office_row, _line) in zip(rows, pairs, strict=True)
        ]
    filename = f"oppfolging-{municipality.number}-{format_period(review.period)}"
    return exports.export_response(
        fmt,
        filename=filename,
        header=header,
        rows=rows,
        sheet_title=f"{municipality.name} {format_period(review.period)}",
    )


@login_required
@require_POST
def municipal_pdf_view(request, number: str):
    """Ask for the municipality's monthly summary as a PDF, then follow it on the report page."""
    municipality = access.get_reviewed_municipality_or_404(request.user, number)
    try:
        params = _params(request, municipality)
    except BadParameters as bad:
        return _bad_request(request, municipality, bad.errors)
    here = _page_url(number, params)
    if not ReportCreateThrottle().allow_request(request, None):
        messages.error(request, _(TOO_MANY_REPORTS))
        return redirect(here)
    try:
        report = report_request_create(
            user=request.user,
            kind=KIND,
            parameters={"municipality": municipality.number, "period": format_period(params.month)},
        )
    except (ValidationError, ReportQueueUnavailable) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(here)
    messages.success(request, _("Your report is being made."))
    return redirect("reports:detail", report_id=report.id)
