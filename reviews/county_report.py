"""The county's monthly summary as a PDF (issue 11, item 5), through the report pipeline.

Parameters: ``county`` (its number) and the review page's parameters (``maned``, ``side``,
``perspektiv``, ``status``, ``sorter``, ``indikator``: ``reviews/params.py``). Whether the
requester may review the county is checked when the report is asked for and again when the
worker renders it, and the content is read with ``reviews/county.py county_review(requester,
…)`` at render time: the PDF holds what the requester's page would show then (rule 7: the
director's has the state's values and the municipal statuses, municipal values only where
shared) — the matrix, the county's trends, agreements, open action plans and audit readiness.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from navpartner.pdf import render_pdf
from reports.models import ReportKind
from reviews import county as selector
from reviews.params import BadParameters, ReviewParams
from scorecards.models import Status
from scorecards.templatetags.scorecard_tags import NO_VALUE, STATUS_SYMBOLS, format_measure
from users import access

KIND = ReportKind.COUNTY_SUMMARY
COUNTY_REQUIRED = gettext_noop("Choose a county.")
UNKNOWN_COUNTY = gettext_noop("Unknown county.")
PARAMETERS = ("maned", "perspektiv", "side", "status", "sorter", "indikator")
# Columns of the matrix per table on an A4 page (portrait, like every report).
MATRIX_COLUMNS = 7


def _county(user, number):
    if not number or not isinstance(number, str):
        return None
    return access.reviewed_counties(user).filter(number=number).first()


def _query(parameters: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for name in PARAMETERS:
        value = parameters.get(name)
        if isinstance(value, str) and value:
            query[name] = value
    return query


@dataclass(frozen=True)
class CountySummaryReport:
    kind: str = KIND
    template_name: str = "reviews/pdf/county_summary.html"

    def clean_parameters(self, *, user, parameters: dict) -> tuple[dict, str]:
        parameters = parameters if isinstance(parameters, dict) else {}
        number = parameters.get("county")
        if not number or not isinstance(number, str):
            raise ValidationError({"county": _(COUNTY_REQUIRED)})
        county = _county(user, number)
        if county is None:
            # Not there and not reviewable are the same answer.
            raise ValidationError({"county": _(UNKNOWN_COUNTY)})
        offices = selector.county_offices(county)
        try:
            params = ReviewParams.from_query(
                _query(parameters), earliest=selector.earliest_month(offices)
            )
        except BadParameters as error:
            raise ValidationError(error.errors) from error
        subject = _("Monthly summary %(county)s %(month)s") % {
            "county": county.name,
            "month": date_format(params.month, "YEAR_MONTH_FORMAT"),
        }
        return {"county": county.number, **params.as_dict()}, subject[:200]

    def context(self, *, user, parameters: dict) -> dict:
        from reports.definitions import ReportContentUnavailable

        county = _county(user, parameters.get("county"))
        if county is None:
            raise ReportContentUnavailable(
                _("The county %(number)s is not available to you any more.")
                % {"number": parameters.get("county")}
            )
        offices = selector.county_offices(county)
        try:
            params = ReviewParams.from_query(
                _query(parameters), earliest=selector.earliest_month(offices)
            )
            review = selector.county_review(user, county, params, offices=offices)
        except (BadParameters, selector.UnknownIndicator) as error:
            raise ReportContentUnavailable(str(error)) from error
        for row in review.all_rows:
            for cell in row.all_cells:
                if cell is not None:
                    cell.symbol = STATUS_SYMBOLS[cell.status] if cell.status else NO_VALUE
                    cell.value_text = _measure(cell.value, cell.indicator)
                    cell.target_text = _measure(
                        cell.target.value if cell.target else None, cell.indicator
                    )
        columns = review.indicators
        chunks = [
            {
                "indicators": columns[start : start + MATRIX_COLUMNS],
                "rows": [(row, row.cells[start : start + MATRIX_COLUMNS]) for row in review.rows],
            }
            for start in range(0, len(columns), MATRIX_COLUMNS)
        ]
        return {
            "report_kind": _("County monthly summary"),
            "county": county,
            "review": review,
            "params": params,
            "chunks": chunks,
            "legend": [(s.value, STATUS_SYMBOLS[s], s.label) for s in Status],
            "requested_by": user,
            "generated_at": timezone.now(),
        }

    def render(self, *, user, parameters: dict) -> bytes:
        context = self.context(user=user, parameters=parameters)
        title = _("Monthly summary of %(county)s, %(month)s") % {
            "county": context["county"].name,
            "month": date_format(context["review"].month, "YEAR_MONTH_FORMAT"),
        }
        return render_pdf(self.template_name, context, title=title)


def _measure(value, indicator) -> str:
    if value is None:
        return NO_VALUE
    return format_measure(value, unit=indicator.unit, decimals=indicator.decimals)


def register_reports() -> None:
    """Register the county summary report kind with reports.definitions.register."""
    from reports.definitions import register

    register(CountySummaryReport())
