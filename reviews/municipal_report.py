"""The municipality's monthly summary as a PDF (issue 11, item 5), through the report pipeline.

Parameters: ``municipality`` (its number) and ``period`` (``YYYY-MM``). Who may ask is the
review page's gate (``access.reviewed_municipalities``), checked when the report is asked for
and again when the worker renders it; the content is ``reviews.municipal.municipal_review``
read with the requester's visibility at render time — the same matrix, trends, compliance,
action plans and audit readiness the page shows them, no more (DESIGN.md rules 7 and 8).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from navpartner.pdf import render_pdf
from reports.models import ReportKind
from scorecards.models import ActionPlan, ActionPlanStatus
from scorecards.periods import format_period, is_future, parse_period
from users import access

KIND = ReportKind.MUNICIPAL_SUMMARY.value
MUNICIPALITY_REQUIRED = gettext_noop("Choose a municipality.")
UNKNOWN_MUNICIPALITY = gettext_noop("Unknown municipality.")
PERIOD_REQUIRED = gettext_noop("Give the month as YYYY-MM, for example 2026-11.")
FUTURE_PERIOD = gettext_noop("The month has not begun yet.")
TOO_EARLY = gettext_noop("No office served the municipality that month.")


def reviewed_municipality(user, number):
    """The municipality numbered ``number`` if ``user`` may open its review, else None."""
    if not number or not isinstance(number, str):
        return None
    return (
        access.reviewed_municipalities(user)
        .select_related("county")
        .filter(number=number)
        .order_by("-valid_from")
        .first()
    )


def _period(value) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_period(value)
    except ValueError:
        return None


def _month_label(period: datetime.date) -> str:
    return date_format(period, "YEAR_MONTH_FORMAT")


@dataclass(frozen=True)
class MunicipalSummaryReport:
    """The municipality's month: offices × indicators with statuses (values where the requester
    sees them) and 12-month trends, the months not submitted or not reviewed, compliance and
    samarbeidsmøter, missed municipal indicators and the open action plans, audit readiness."""

    kind: str = KIND
    template_name: str = "reviews/pdf/municipal.html"

    def clean_parameters(self, *, user, parameters: dict) -> tuple[dict, str]:
        from reviews.municipal import earliest_month

        parameters = parameters if isinstance(parameters, dict) else {}
        number = parameters.get("municipality")
        if not number or not isinstance(number, str):
            raise ValidationError({"municipality": _(MUNICIPALITY_REQUIRED)})
        period = _period(parameters.get("period"))
        if period is None:
            raise ValidationError({"period": _(PERIOD_REQUIRED)})
        municipality = reviewed_municipality(user, number)
        if municipality is None:
            # Not there and not one's own are the same answer.
            raise ValidationError({"municipality": _(UNKNOWN_MUNICIPALITY)})
        if is_future(period):
            raise ValidationError({"period": _(FUTURE_PERIOD)})
        earliest = earliest_month(municipality)
        if earliest is None or period < earliest:
            raise ValidationError({"period": _(TOO_EARLY)})
        subject = _("Monthly summary %(municipality)s %(month)s") % {
            "municipality": municipality.name,
            "month": _month_label(period),
        }
        return {"municipality": municipality.number, "period": format_period(period)}, subject[:200]

    def context(self, *, user, parameters: dict) -> dict:
        """What the PDF shows, read with the requester's visibility now."""
        from reports.definitions import ReportContentUnavailable
        from reviews.municipal import TrendWords, municipal_review, trend_text
        from reviews.params import ReviewParams

        municipality = reviewed_municipality(user, parameters.get("municipality"))
        period = _period(parameters.get("period"))
        if municipality is None or period is None:
            raise ReportContentUnavailable(
                _("The review of municipality %(number)s is not available to you any more.")
                % {"number": parameters.get("municipality")}
            )
        review = municipal_review(
            user=user, municipality=municipality, params=ReviewParams(month=period)
        )
        words = TrendWords()
        for table in review.sides:
            for row in table.rows:
                for cell in row.cells:
                    if cell.line is not None:
                        cell.trend_text = trend_text(cell.line, words)
        plans = list(
            ActionPlan.objects.visible_to(user)
            .filter(office__in=[row.office for row in review.offices], status=ActionPlanStatus.OPEN)
            .select_related("indicator", "office")
            .order_by("office__name", "period", "pk")
        )
        return {
            "report_kind": _("Municipal monthly summary"),
            "municipality": municipality,
            "period": period,
            "review": review,
            "plans": plans,
            "requested_by": user,
            "generated_at": timezone.now(),
        }

    def render(self, *, user, parameters: dict) -> bytes:
        context = self.context(user=user, parameters=parameters)
        title = _("Monthly summary for %(municipality)s, %(month)s") % {
            "municipality": context["municipality"].name,
            "month": _month_label(context["period"]),
        }
        return render_pdf(self.template_name, context, title=title)


def register_reports() -> None:
    """Register the municipal summary report kind with reports.definitions.register."""
    from reports.definitions import register

    register(MunicipalSummaryReport())
