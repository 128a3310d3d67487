"""An office's month in the browser: the overview of the offices one reaches, the card, the
value grid, the file import, submitting, reopening and reviewing (issue 10, items 3–5).

Reads go through ``scorecards.selectors`` (rule 7: values of a side only to those who may view
it, else the status from the joint summary once submitted); values are written only through
``record_measurements``, the month's life through ``scorecards.services``. An office whose
data the user cannot see at all is unknown to them (404); one they see but may not act on
answers 403.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from navpartner.sidedata import Side
from navpartner.views import BACK, add_service_errors, back_link
from offices.models import Office
from scorecards import imports, services
from scorecards.forms.month import (
    ImportForm,
    MonthForm,
    MonthValuesForm,
    ReopenForm,
    ReviewForm,
    SubmitForm,
    comment_field,
    value_field,
)
from scorecards.measurements import MeasurementErrors, MeasurementRow, record_measurements
from scorecards.models import Indicator, Measurement, Perspective, Scorecard, Status
from scorecards.periods import (
    add_months,
    current_month,
    format_period,
    is_future,
    month_end,
    reporting_deadline,
    reporting_month,
)
from scorecards.selectors import indicators_for_offices, scorecard_card, scorecards_for
from users import access
from users.selectors import offices_in_reach

NOT_YOUR_SIDE = gettext_noop("You do not enter values for this office.")
ONLY_LEADER = gettext_noop("Only the office leader submits, reopens and comments the month.")
SUBMITTED_FIRST_REOPEN = gettext_noop(
    "The month has been submitted. The office leader reopens it before values are changed."
)
NOT_REVIEWER = gettext_noop("You do not review this office's scorecard.")
NOT_OVER = gettext_noop("The month is not over yet; it is submitted after it has ended.")
VALUES_SAVED = gettext_noop("%(count)d values saved for %(month)s.")
NOTHING_CHANGED = gettext_noop("Nothing was changed.")
IMPORTED = gettext_noop(
    "The file is imported: %(created)d new values, %(updated)d changed, %(unchanged)d unchanged."
)
SUBMITTED = gettext_noop("The scorecard for %(month)s is submitted.")
REOPENED = gettext_noop("The scorecard for %(month)s is reopened; it can be changed again.")
REVIEWED = gettext_noop("Your review is recorded.")


# --- Shared --------------------------------------------------------------------------------------


def _office_or_404(request, code: str) -> tuple[Office, access.SidePermissions]:
    """The office, if the user may see its joint data or any side of it; else 404."""
    office = Office.objects.select_related("county").filter(code=code).first()
    permissions = (
        access.side_permissions(request.user, offices=[office])
        if office is not None
        else access.SidePermissions()
    )
    if office is None or not permissions.sides(access.VIEW, office):
        # Audited like every refusal of the policy: the same event for a missing office and
        # one the user may not see, naming only what was asked.
        access.record_denial(Scorecard.objects.all(), request.user, access.VIEW, office=code)
        raise Http404
    return office, permissions


def _month_or_404(office: Office, period: datetime.date) -> None:
    """A month the office has a scorecard for: begun, and not before the office opened."""
    if is_future(period):
        raise Http404
    if office.opened_on and month_end(period) < office.opened_on:
        raise Http404
    if office.closed_on and period > office.closed_on:
        raise Http404


def _card_url(office: Office, period: datetime.date) -> str:
    return reverse("scorecards:card", kwargs={"office": office.code, "period": period})


def _month_label(period: datetime.date) -> str:
    from django.utils.formats import date_format

    return date_format(period, "YEAR_MONTH_FORMAT")


def _changeable(office: Office, period: datetime.date, permissions) -> list[Indicator]:
    """The office's indicators of the month on the sides the user may change."""
    perspectives = list(Perspective.values)
    sides = list(Side.values)
    return sorted(
        (
            indicator
            for indicator in indicators_for_offices([office], period)[office.pk]
            if permissions.allows(access.CHANGE, office, indicator.side)
        ),
        key=lambda i: (sides.index(i.side), perspectives.index(i.perspective), i.position, i.code),
    )


# --- The overview --------------------------------------------------------------------------------


@login_required
@require_GET
def overview_view(request):
    form = MonthForm(request.GET or None, initial={"maned": format_period(reporting_month())})
    if form.is_bound and not form.is_valid():
        return render(
            request, "scorecards/overview.html", {"form": form, "rows": [], "bad": True}, status=400
        )
    period = form.cleaned_data["maned"] if form.is_bound else reporting_month()
    offices = list(offices_in_reach(user=request.user))
    cards = scorecards_for(request.user, offices, period, trend_months=1) if offices else {}
    rows = []
    for office in offices:
        card = cards.get(office.pk)
        opened = not office.opened_on or month_end(period) >= office.opened_on
        rows.append(
            {
                "office": office,
                "card": card if opened else None,
                "counts": [c for c in _counts(card) if c[2]] if card and opened else [],
            }
        )
    return render(
        request,
        "scorecards/overview.html",
        {
            "form": form,
            "period": period,
            "deadline": reporting_deadline(period),
            "rows": rows,
            "previous": add_months(period, -1),
            "next": add_months(period, 1) if add_months(period, 1) <= current_month() else None,
            "future": is_future(period),
        },
    )


def _counts(card, side: str | None = None) -> list[tuple[str, str, int]]:
    """``(status, label, count)`` for the statuses that occur, in the order of ``Status``."""
    counts = card.summary(side)
    return [(status.value, status.label, counts[status.value]) for status in Status]


# --- The card ------------------------------------------------------------------------------------


@login_required
@require_GET
def card_view(request, office: str, period: datetime.date):
    office, permissions = _office_or_404(request, office)
    _month_or_404(office, period)
    card = scorecard_card(request.user, office, period)
    joint_writer = permissions.allows(access.CHANGE, office, Side.JOINT)
    leader = access.is_office_leader(request.user, office)
    review_sides = services.review_sides(request.user, office) if card.is_submitted else []
    reviewed = {review.side for review in card.reviews}
    month_query = f"kontor={office.code}&maned={format_period(period)}"
    # Came from a review page (?tilbake=): the way back, carried on to the pages linked here.
    back_to_review = back_link(request, "")
    back_query = urlencode({BACK: back_to_review}) if back_to_review else ""
    if back_query:
        month_query = f"{month_query}&{back_query}"
    sides = []
    for side, label, lines in card.sides():
        groups = []
        for perspective, perspective_label, group in card.by_perspective(side):
            for line in group:
                line.trend_rows = _trend_rows(line)
            groups.append((perspective, perspective_label, group))
        sides.append(
            {
                "side": side,
                "label": label,
                "groups": groups,
                "counts": _counts(card, side),
                "values_visible": any(line.value_visible for line in lines),
            }
        )
    next_month = add_months(period, 1)
    return render(
        request,
        "scorecards/card.html",
        {
            "office": office,
            "period": period,
            "card": card,
            "sides": sides,
            "month_query": month_query,
            "back_to_review": back_to_review,
            "back_query": back_query,
            "joint_writer": joint_writer,
            "leader": leader,
            "may_enter": any(
                permissions.allows(access.CHANGE, office, side)
                for side in (Side.STATE, Side.MUNICIPAL)
            ),
            "may_submit": leader and not card.is_submitted and period < current_month(),
            "may_reopen": leader and card.is_submitted,
            "open_reviews": [s for s in review_sides if s not in reviewed],
            "previous": add_months(period, -1)
            if not office.opened_on or month_end(add_months(period, -1)) >= office.opened_on
            else None,
            "next": next_month if not is_future(next_month) else None,
            "reopen_form": ReopenForm(initial={"version": card.scorecard.version})
            if card.scorecard
            else None,
        },
    )


def _trend_rows(line) -> list[dict]:
    """The line's months as the text alternative of its sparkline."""
    statuses = dict(line.status_trend)
    if line.value_visible:
        return [
            {"period": month, "value": value, "target": target, "status": statuses.get(month)}
            for (month, value), target in zip(line.trend, line.trend_targets, strict=False)
        ]
    return [
        {"period": month, "value": None, "target": None, "status": status}
        for month, status in line.status_trend
    ]


# --- Entering values -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enter_view(request, office: str, period: datetime.date):
    office, permissions = _office_or_404(request, office)
    _month_or_404(office, period)
    indicators = _changeable(office, period, permissions)
    if not indicators:
        raise PermissionDenied(_(NOT_YOUR_SIDE))
    scorecard = Scorecard.objects.filter(office=office, period=period).first()
    if scorecard is not None and scorecard.is_submitted:
        messages.error(request, _(SUBMITTED_FIRST_REOPEN))
        return redirect(_card_url(office, period))
    measurements = {
        m.indicator_id: m
        for m in Measurement.objects.visible_to(request.user, access.CHANGE)
        .filter(office=office, period=period, indicator__in=indicators)
        .select_related("updated_by")
    }
    form = MonthValuesForm(
        request.POST if request.method == "POST" else None,
        indicators=indicators,
        measurements=measurements,
    )
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _(NOTHING_CHANGED))
            return redirect(_card_url(office, period))
        rows = [
            MeasurementRow(
                line=number,
                office=office.code,
                indicator=indicator.code,
                period=period,
                value=value,
                comment=comment,
                version=version,
            )
            for number, indicator, value, comment, version in changes
        ]
        try:
            result = record_measurements(user=request.user, rows=rows, source="form")
        except MeasurementErrors as refused:
            by_line = {number: indicator for number, indicator, *_rest in changes}
            for error in refused.errors:
                indicator = by_line.get(error.line)
                if indicator is None:
                    form.add_error(None, error.message)
                elif error.field == "comment":
                    form.add_error(comment_field(indicator), error.message)
                else:
                    form.add_error(value_field(indicator), error.message)
        else:
            messages.success(
                request,
                _(VALUES_SAVED) % {"count": result.stored, "month": _month_label(period)},
            )
            return redirect(_card_url(office, period))
    return render(
        request,
        "scorecards/enter.html",
        {"office": office, "period": period, "form": form},
        status=400 if form.errors else 200,
    )


# --- Importing a file ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request, office: str):
    office, permissions = _office_or_404(request, office)
    period = reporting_month()
    if not any(
        permissions.allows(access.CHANGE, office, side) for side in (Side.STATE, Side.MUNICIPAL)
    ):
        raise PermissionDenied(_(NOT_YOUR_SIDE))
    if request.method == "GET" and request.GET.get("mal"):
        return _template_download(request.user, office, period, permissions)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            rows = imports.read_measurement_file(form.cleaned_data["file"])
            result = record_measurements(user=request.user, rows=rows, source="import")
        except imports.ImportRefused as refused:
            form.add_error("file", refused.message)
        except MeasurementErrors as refused:
            errors = refused.errors
        else:
            messages.success(
                request,
                _(IMPORTED)
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect(reverse("scorecards:import", kwargs={"office": office.code}))
    if form.errors or errors:
        status = 400
    return render(
        request,
        "scorecards/import.html",
        {
            "office": office,
            "period": period,
            "form": form,
            "errors": errors,
            "columns": {
                "office": _("Office"),
                "indicator": _("Indicator"),
                "period": _("Month"),
                "value": _("Value"),
                "comment": _("Comment"),
                "": "–",
            },
        },
        status=status,
    )


def _template_download(user, office: Office, period: datetime.date, permissions) -> HttpResponse:
    """A CSV with the header and the reporting month's rows of the indicators the user changes,
    with the values already stored (blank where none)."""
    indicators = _changeable(office, period, permissions)
    stored = {
        m.indicator_id: m
        for m in Measurement.objects.visible_to(user, access.CHANGE).filter(
            office=office, period=period, indicator__in=indicators
        )
    }
    rows = []
    for indicator in indicators:
        measurement = stored.get(indicator.pk)
        rows.append(
            [
                office.code,
                indicator.code,
                format_period(period),
                format(measurement.value.normalize(), "f").replace(".", ",") if measurement else "",
                measurement.comment if measurement else "",
            ]
        )
    response = HttpResponse(imports.template_csv(rows), content_type="text/csv; charset=utf-8")
    filename = f"malekort-{office.code}-{format_period(period)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Submitting and reopening --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def submit_view(request, office: str, period: datetime.date):
    office, _permissions = _office_or_404(request, office)
    _month_or_404(office, period)
    if not access.is_office_leader(request.user, office):
        raise PermissionDenied(_(ONLY_LEADER))
    card = scorecard_card(request.user, office, period)
    if card.is_submitted:
        messages.info(request, _("This month has already been submitted."))
        return redirect(_card_url(office, period))
    if period >= current_month():
        messages.error(request, _(NOT_OVER))
        return redirect(_card_url(office, period))
    missing = [line for line in card.lines if line.value_visible and line.value is None]
    missed = [line for line in card.lines if line.status == Status.MISSED]
    form = SubmitForm(
        request.POST if request.method == "POST" else None,
        missing=missing,
        missed=missed,
        initial={"version": card.scorecard.version if card.scorecard else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_scorecard(
                user=request.user,
                office=office,
                period=period,
                missing_reasons=form.missing_reasons(),
                comments=form.comments(),
                comment=form.cleaned_data["comment"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as refused:
            _submit_errors(form, refused, missing)
        else:
            messages.success(request, _(SUBMITTED) % {"month": _month_label(period)})
            return redirect(_card_url(office, period))
    return render(
        request,
        "scorecards/submit.html",
        {
            "office": office,
            "period": period,
            "card": card,
            "form": form,
            "counts": _counts(card),
        },
        status=400 if form.errors else 200,
    )


def _submit_errors(form, refused: ValidationError, missing) -> None:
    """The service's refusal at the fields: each unexplained missing value at its reason."""
    errors = dict(refused.message_dict) if hasattr(refused, "error_dict") else {}
    if not errors:
        add_service_errors(form, refused)
        return
    if "missing_reasons" in errors:
        placed = False
        for line in missing:
            name = f"reason_{line.indicator.code}"
            if not (form.cleaned_data.get(name) or "").strip():
                form.add_error(name, _("Give a value or say why it is missing."))
                placed = True
        if placed:
            errors.pop("missing_reasons")
    for field, field_errors in errors.items():
        form.add_error(field if field in form.fields else None, field_errors)


@login_required
@require_POST
def reopen_view(request, office: str, period: datetime.date):
    office, _permissions = _office_or_404(request, office)
    _month_or_404(office, period)
    if not access.is_office_leader(request.user, office):
        raise PermissionDenied(_(ONLY_LEADER))
    scorecard = Scorecard.objects.filter(office=office, period=period).first()
    form = ReopenForm(request.POST)
    if scorecard is None or not form.is_valid():
        messages.error(request, _("This month has not been submitted."))
        return redirect(_card_url(office, period))
    try:
        services.reopen_scorecard(
            user=request.user, scorecard=scorecard, version=form.cleaned_data["version"]
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _(REOPENED) % {"month": _month_label(period)})
    return redirect(_card_url(office, period))


# --- Reviewing -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_view(request, office: str, period: datetime.date):
    office, _permissions = _office_or_404(request, office)
    _month_or_404(office, period)
    sides = services.review_sides(request.user, office)
    if not sides:
        raise PermissionDenied(_(NOT_REVIEWER))
    card = scorecard_card(request.user, office, period)
    reviewed = {review.side for review in card.reviews}
    open_sides = [(side, Side(side).label) for side in sides if side not in reviewed]
    if not card.is_submitted or not open_sides:
        messages.info(
            request,
            _("The office has not submitted this month yet.")
            if not card.is_submitted
            else _("This line has already reviewed the month."),
        )
        return redirect(_card_url(office, period))
    form = ReviewForm(request.POST if request.method == "POST" else None, sides=open_sides)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_scorecard(
                user=request.user,
                scorecard=card.scorecard,
                side=form.cleaned_data["side"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as refused:
            add_service_errors(form, refused)
        else:
            messages.success(request, _(REVIEWED))
            return redirect(_card_url(office, period))
    return render(
        request,
        "scorecards/review.html",
        {
            "office": office,
            "period": period,
            "card": card,
            "form": form,
            "counts": _counts(card),
            "sides": [
                {"label": label, "counts": _counts(card, side)}
                for side, label, _lines in card.sides()
            ],
        },
        status=400 if form.errors else 200,
    )
