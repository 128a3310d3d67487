"""The query parameters of the review pages: the month and the filters, read strictly and
written back into every link, so that a view of a page is a URL that can be shared and the
drill-down can lead back to exactly it.

    ?maned=2026-11&perspektiv=users&side=state&status=missed&sorter=status&indikator=aktivitetsplan

Every parameter is optional. A value that is not one of the parameter's choices is an error
the page shows (400), never silently ignored: a shared link with a typo must not show a
different page than its sender saw. ``ReviewParams.query(**changes)`` gives the query string
of this view with some parameters changed (``None`` removes one), for sort links, filter links
and the "back" link of a drill-down (``tilbake``).
"""

import datetime
from dataclasses import dataclass, field, replace

from django.http import QueryDict
from django.utils.translation import gettext as _

from navpartner.sidedata import Side
from scorecards.models import Perspective, Status
from scorecards.periods import format_period, is_future, parse_period, reporting_month

# The names in the URL (Norwegian, like the paths) → the attribute they fill.
MONTH = "maned"
PERSPECTIVE = "perspektiv"
SIDE = "side"
STATUS = "status"
SORT = "sorter"
INDICATOR = "indikator"
BACK = "tilbake"  # the drill-down's way back: navpartner.views.back_link

SIDES = (Side.STATE.value, Side.MUNICIPAL.value)
SORTS = ("office", "status", "result")  # by office name, by number of missed, by result of the
# chosen indicator (needs ``indikator``)


class BadParameters(Exception):
    """Parameters that do not name anything: ``errors`` maps each parameter to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ReviewParams:
    month: datetime.date
    perspective: str | None = None
    side: str | None = None
    status: str | None = None
    sort: str = "office"
    indicator: str | None = None  # an indicator code; checked by the page against its indicators
    explicit_month: bool = field(default=False, compare=False)

    @classmethod
    def from_query(
        cls,
        query: QueryDict,
        *,
        today: datetime.date | None = None,
        earliest: datetime.date | None = None,
    ) -> "ReviewParams":
        """Read and check the parameters; ``BadParameters`` names every one that is wrong.

        Without ``maned`` the month is the reporting month (the last one due). A month in the
        future, or before ``earliest`` (the first month any office of the page existed), does
        not name a month the page can show.
        """
        errors: dict[str, str] = {}
        month = reporting_month(today)
        text = query.get(MONTH)
        if text:
            try:
                month = parse_period(text)
            except ValueError:
                errors[MONTH] = _("“%(value)s” is not a month; write it as YYYY-MM.") % {
                    "value": text
                }
            else:
                if is_future(month, today):
                    errors[MONTH] = _("%(month)s has not begun; choose an earlier month.") % {
                        "month": text
                    }
                elif earliest is not None and month < earliest.replace(day=1):
                    errors[MONTH] = _(
                        "No office of this page existed in %(month)s; the first month is %(first)s."
                    ) % {"month": text, "first": format_period(earliest)}
        values = {}
        for name, choices in (
            (PERSPECTIVE, Perspective.values),
            (SIDE, SIDES),
            (STATUS, Status.values),
            (SORT, SORTS),
        ):
            value = query.get(name)
            if value in (None, ""):
                continue
            if value not in choices:
                errors[name] = _("“%(value)s” is not one of: %(choices)s.") % {
                    "value": value,
                    "choices": ", ".join(choices),
                }
            else:
                values[name] = value
        indicator = query.get(INDICATOR) or None
        if values.get(SORT) == "result" and not indicator:
            errors[SORT] = _("Sorting by result needs an indicator (indikator=…).")
        if errors:
            raise BadParameters(errors)
        return cls(
            month=month,
            perspective=values.get(PERSPECTIVE),
            side=values.get(SIDE),
            status=values.get(STATUS),
            sort=values.get(SORT, "office"),
            indicator=indicator,
            explicit_month=bool(text),
        )

    def with_(self, **changes) -> "ReviewParams":
        return replace(self, **changes)

    def as_dict(self) -> dict[str, str]:
        """The parameters that differ from the defaults, by their URL names. The month is
        always written, so that a shared link keeps showing the same month next month."""
        pairs = {
            MONTH: format_period(self.month),
            PERSPECTIVE: self.perspective,
            SIDE: self.side,
            STATUS: self.status,
            SORT: None if self.sort == "office" else self.sort,
            INDICATOR: self.indicator,
        }
        return {name: value for name, value in pairs.items() if value}

    def query(self, **changes) -> str:
        """``maned=…&side=…`` of this view with ``changes`` applied (URL names or attribute
        names; ``None`` removes a parameter)."""
        names = {
            "month": MONTH,
            "perspective": PERSPECTIVE,
            "side": SIDE,
            "status": STATUS,
            "sort": SORT,
            "indicator": INDICATOR,
        }
        pairs = self.as_dict()
        for name, value in changes.items():
            key = names.get(name, name)
            if isinstance(value, datetime.date):
                value = format_period(value)
            if value in (None, ""):
                pairs.pop(key, None)
            else:
                pairs[key] = str(value)
        query = QueryDict(mutable=True)
        query.update(pairs)
        return query.urlencode()
