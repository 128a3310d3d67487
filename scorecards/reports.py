"""An office's monthly scorecard as a PDF report (issue 10, item 11), through the report pipeline.

Registered with ``reports.definitions.register`` when the app is ready (``scorecards/apps.py``),
so the reports app needs no import of scorecards. Parameters: ``office`` (code) and ``period``
(``YYYY-MM``). The office's visibility is checked when the report is asked for and again when
the worker renders it, and the card is built with ``scorecards_for(requester, …)`` at render
time: a report holds only what its requester may see (DESIGN.md rules 7 and 8) — the other
side's values never, its statuses once the month is submitted.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from navpartner.pdf import render_pdf
from offices.models import Office
from scorecards.models import Action, ActionPlan, ActionPlanStatus, Status
from scorecards.periods import format_period, is_future, month_end, parse_period
from scorecards.selectors import scorecard_card
from users import access

KIND = "scorecard"
OFFICE_REQUIRED = gettext_noop("Choose an office.")
UNKNOWN_OFFICE = gettext_noop("Unknown office.")
PERIOD_REQUIRED = gettext_noop("Give the month as YYYY-MM, for example 2026-11.")
FUTURE_PERIOD = gettext_noop("The month has not begun yet.")
NOT_OPEN = gettext_noop("The office had no scorecard that month.")


def visible_office(user, code) -> Office | None:
    """The office with ``code`` if ``user`` may see its joint data or any of its sides."""
    if not code or not isinstance(code, str):
        return None
    office = Office.objects.select_related("county").filter(code=code).first()
    if office is None:
        return None
    permissions = access.side_permissions(user, offices=[office])
    return office if permissions.sides(access.VIEW, office) else None


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
class ScorecardReport:
    """One office's month: the office, month, deadline and submission; each side's perspective
    tables as the requester may see them, with statuses (symbol and word), 12-month sparklines,
    comments and reasons for missing values; the reviews; the open action plans and actions."""

    kind: str = KIND
    template_name: str = "scorecards/pdf/scorecard.html"

    def clean_parameters(self, *, user, parameters: dict) -> tuple[dict, str]:
        parameters = parameters if isinstance(parameters, dict) else {}
        code = parameters.get("office")
        if not code or not isinstance(code, str):
            raise ValidationError({"office": _(OFFICE_REQUIRED)})
        period = _period(parameters.get("period"))
        if period is None:
            raise ValidationError({"period": _(PERIOD_REQUIRED)})
        office = visible_office(user, code)
        if office is None:
            # Not there and not visible are the same answer (no office's existence leaks).
            raise ValidationError({"office": _(UNKNOWN_OFFICE)})
        if is_future(period):
            raise ValidationError({"period": _(FUTURE_PERIOD)})
        if (office.opened_on and month_end(period) < office.opened_on) or (
            office.closed_on and period > office.closed_on
        ):
            raise ValidationError({"period": _(NOT_OPEN)})
        subject = _("Scorecard %(office)s %(month)s") % {
            "office": office.name,
            "month": _month_label(period),
        }
        return {"office": office.code, "period": format_period(period)}, subject[:200]

    def context(self, *, user, parameters: dict) -> dict:
        """What the PDF shows, read with the requester's visibility now."""
        from reports.definitions import ReportContentUnavailable

        office = visible_office(user, parameters.get("office"))
        period = _period(parameters.get("period"))
        if office is None or period is None:
            raise ReportContentUnavailable(
                _("The office %(code)s is not available to you any more.")
                % {"code": parameters.get("office")}
            )
        card = scorecard_card(user, office, period)
        sides = []
        for side, label, lines in card.sides():
            sides.append(
                {
                    "side": side,
                    "label": label,
                    "groups": card.by_perspective(side),
                    "values_visible": any(line.value_visible for line in lines),
                    "counts": [
                        (status.value, status.label, count)
                        for status in Status
                        if (count := card.summary(side)[status.value])
                    ],
                }
            )
        plans = list(
            ActionPlan.objects.visible_to(user)
            .filter(office=office, status=ActionPlanStatus.OPEN)
            .select_related("indicator")
            .prefetch_related(
                Prefetch(
                    "actions",
                    queryset=Action.objects.visible_to(user).order_by("due", "pk"),
                    to_attr="visible_actions",
                )
            )
            .order_by("period", "pk")
        )
        return {
            "report_kind": _("Scorecard"),
            "office": office,
            "period": period,
            "card": card,
            "sides": sides,
            "plans": plans,
            "requested_by": user,
            "generated_at": timezone.now(),
        }

    def render(self, *, user, parameters: dict) -> bytes:
        context = self.context(user=user, parameters=parameters)
        title = _("Scorecard for %(office)s, %(month)s") % {
            "office": context["office"].name,
            "month": _month_label(context["period"]),
        }
        return render_pdf(self.template_name, context, title=title)
