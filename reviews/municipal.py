"""The municipal executive's review (issue 11, item 1): what the page, its export and its
summary PDF show, read once here so that the three agree and go through the same policy.

    review = municipal_review(user=user, municipality=municipality, params=params)
    review.offices        # one OfficeRow per office serving the municipality that month
    review.sides          # the matrix: per side, indicators (rows) × offices (columns)
    review.pending        # months not yet submitted, or not yet reviewed by the municipal side
    review.missed         # missed municipal indicators and their action plans

Who sees what is decided elsewhere and only asked here:

* the offices: ``review_offices`` — those serving the municipality in the month whose joint
  data the user may see (rule 1). It is the page's one read of the policy for offices, kept as
  a module-level function so the benchmark can swap it for a bare query;
* the cells: ``reviews.municipal_cards.review_cards`` — ``scorecards_for``'s rule 7 per user
  (the municipal values to the rådmann, the state's only as statuses once submitted, or as
  values where ``shared``), its history read as tuples;
* compliance, meetings and audit readiness are joint data of offices already filtered.

The number of queries does not depend on the number of offices or on the years of data
(tests/reviews/test_municipal_queries.py pins it): every read is by office ids, and the values
are read for the thirteen months the page shows, never more.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q
from django.utils import timezone

from agreements.compliance import OfficeCompliance, compliance_for_offices
from agreements.models import AgreementVersion, Meeting, MeetingKind
from navpartner.sidedata import Side
from offices.models import Office, OfficeMunicipality
from reviews.municipal_cards import review_cards
from reviews.params import ReviewParams
from scorecards.models import Perspective, ScorecardReview, Status
from scorecards.periods import month_end, reporting_deadline, reporting_month
from scorecards.selectors import Card, CardLine
from users import access

SIDE_ORDER = (Side.MUNICIPAL.value, Side.STATE.value)  # the rådmann's own line first
PERSPECTIVE_ORDER = list(Perspective.values)


class UnknownIndicator(Exception):
    """``?indikator=`` names no indicator of the page (the view answers 400)."""


# --- The policy read (swappable: the benchmark replaces it with a bare query) ---------------------


def serving_filter(municipality, period: datetime.date) -> Q:
    """Memberships of ``municipality`` that hold some day of the month ``period``."""
    return Q(municipality=municipality, valid_from__lte=month_end(period)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=period)
    )


def review_offices(user, municipality, *, period: datetime.date) -> list[Office]:
    """The offices serving ``municipality`` in the month ``period`` (host-municipality offices
    included) that were open that month and whose joint data ``user`` may see, by name.

    One query: the membership and the user's permission rows as semi-joins."""
    serving = OfficeMunicipality.objects.filter(serving_filter(municipality, period))
    return list(
        Office.objects.filter(pk__in=serving.values("office"))
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=month_end(period)))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period))
        .filter(access.side_permitted(user, access.VIEW, office=OuterRef("pk"), side=Side.JOINT))
        .select_related("county")
        .order_by("name", "code")
    )


def earliest_month(municipality) -> datetime.date | None:
    """The first month any office served ``municipality``: the later of the office's opening
    and its membership's start, the earliest over the offices. ``None``: no office ever did."""
    starts = []
    for valid_from, opened_on in OfficeMunicipality.objects.filter(
        municipality=municipality
    ).values_list("valid_from", "office__opened_on"):
        starts.append(max(valid_from, opened_on) if opened_on else valid_from)
    return min(starts).replace(day=1) if starts else None


# --- What the page shows --------------------------------------------------------------------------


@dataclass
class Cell:
    """One office × indicator of the matrix (``line`` None: the indicator does not apply to
    the office, or the filters leave it out)."""

    office: Office
    line: CardLine | None

    @property
    def status(self) -> str | None:
        return self.line.status if self.line else None


@dataclass
class IndicatorRow:
    indicator: object
    cells: list[Cell]


@dataclass
class SideTable:
    side: str
    label: str
    groups: list[tuple[str, str, list[IndicatorRow]]]  # (perspective, label, rows)
    values_visible: bool

    @property
    def rows(self) -> list[IndicatorRow]:
        return [row for _p, _l, rows in self.groups for row in rows]


@dataclass
class OfficeRow:
    office: Office
    card: Card
    lines: list[CardLine]  # the card's lines the filters keep
    compliance: OfficeCompliance | None = None
    agreement_version: AgreementVersion | None = None
    meetings_held: int = 0
    meetings_agreed: int | None = None
    readiness: object = None  # reviews.readiness.OfficeReadiness
    may_review: bool = False  # the user gives the municipal side's review of this office
    municipal_review: ScorecardReview | None = None

    @property
    def is_submitted(self) -> bool:
        return self.card.is_submitted

    @property
    def deadline(self) -> datetime.date:
        return self.card.deadline

    @property
    def is_overdue(self) -> bool:
        return self.card.is_overdue

    @property
    def days_overdue(self) -> int:
        return max(0, (timezone.localdate() - self.card.deadline).days)

    @property
    def review_open(self) -> bool:
        """Submitted and not yet reviewed by the municipal side."""
        return self.is_submitted and self.municipal_review is None

    @property
    def pending(self) -> bool:
        return not self.is_submitted or self.review_open

    @property
    def meetings_short(self) -> bool:
        return self.meetings_agreed is not None and self.meetings_held < self.meetings_agreed

    def counts(self, side: str | None = None) -> list[tuple[str, str, int]]:
        counts = Counter(
            line.status
            for line in self.lines
            if line.status and (side is None or line.side == side)
        )
        return [(s.value, s.label, counts[s.value]) for s in Status if counts[s.value]]

    @property
    def missed_count(self) -> int:
        return sum(1 for line in self.lines if line.status == Status.MISSED)


@dataclass
class MunicipalReview:
    municipality: object
    params: ReviewParams
    offices: list[OfficeRow]
    sides: list[SideTable]
    on: datetime.date  # the day compliance, meetings and readiness are judged on
    readiness_available: bool = False
    indicators: dict[str, object] = field(default_factory=dict)  # code → indicator (all)

    @property
    def period(self) -> datetime.date:
        return self.params.month

    @property
    def deadline(self) -> datetime.date:
        return reporting_deadline(self.period)

    @property
    def pending(self) -> list[OfficeRow]:
        return [row for row in self.offices if row.pending]

    @property
    def missed(self) -> list[tuple[OfficeRow, CardLine]]:
        """Missed municipal indicators of the month, office by office."""
        return [
            (row, line)
            for row in self.offices
            for line in row.card.lines
            if line.side == Side.MUNICIPAL and line.status == Status.MISSED
        ]

    @property
    def missed_without_plan(self) -> int:
        return sum(1 for _row, line in self.missed if line.action_plan is None)

    def export_rows(self) -> list[tuple[OfficeRow, CardLine]]:
        """Every office × indicator the page shows, in its order (the export's rows)."""
        return [
            (cell_row, cell.line)
            for table in self.sides
            for row in table.rows
            for cell_row, cell in zip(self.offices, row.cells, strict=True)
            if cell.line is not None
        ]


def _keeps(line: CardLine, params: ReviewParams) -> bool:
    indicator = line.indicator
    return (
        (params.perspective is None or indicator.perspective == params.perspective)
        and (params.side is None or indicator.side == params.side)
        and (params.status is None or line.status == params.status)
    )


def _judging_day(period: datetime.date, today: datetime.date) -> datetime.date:
    """Compliance, meetings and readiness are judged today for the reporting month (and the
    month running); for an earlier month, at its end — what the parties knew then."""
    return today if period >= reporting_month(today) else month_end(period)


def _cooperation_meetings(offices: list[Office], on: datetime.date) -> dict[int, int]:
    """Samarbeidsmøter held in ``on``'s calendar year up to ``on``, per office (one query)."""
    return dict(
        Counter(
            Meeting.offices.through.objects.filter(
                office__in=[office.pk for office in offices],
                meeting__kind=MeetingKind.COOPERATION,
                meeting__held_on__gte=on.replace(month=1, day=1),
                meeting__held_on__lte=on,
            ).values_list("office", flat=True)
        )
    )


def _municipal_reviewers(user, offices: list[Office]) -> set[int]:
    """Ids of the offices whose municipal review ``user`` gives (``services.review_sides``'s
    rule — the host municipality's executive, or any served one's where there is no host —
    answered for all offices at once: one question per municipality, not per office)."""
    from users.access.parties import acts_for, required_parties

    if not offices or getattr(user, "employer_side", None) != Side.MUNICIPAL:
        return set()
    parties = {
        party.municipality.pk: party
        for party in required_parties(offices)
        if party.side == Side.MUNICIPAL
    }
    acting = {pk for pk, party in parties.items() if acts_for(user, party)}
    if not acting:
        return set()
    served: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for office_id, municipality_id, is_host in (
        OfficeMunicipality.objects.valid_on()
        .filter(office__in=offices)
        .values_list("office", "municipality", "is_host")
    ):
        served[office_id].append((municipality_id, is_host))
    result = set()
    for office in offices:
        rows = served.get(office.pk, [])
        hosts = [pk for pk, is_host in rows if is_host]
        if set(hosts or [pk for pk, _h in rows]) & acting:
            result.add(office.pk)
    return result


def _readiness(user, offices, on, compliance):
    from reviews.readiness import readiness_for_offices

    # The compliance just computed for the same offices and day: nine queries spared.
    return readiness_for_offices(user=user, offices=offices, on=on, compliance=compliance)


def municipal_review(
    *,
    user,
    municipality,
    params: ReviewParams,
    today: datetime.date | None = None,
    trend_months: int | None = None,
) -> MunicipalReview:
    """The page's data for ``user`` (see the module's docstring). ``UnknownIndicator`` where
    ``params.indicator`` names no indicator of these offices that month."""
    today = today or timezone.localdate()
    period = params.month
    offices = review_offices(user, municipality, period=period)
    kwargs = {} if trend_months is None else {"trend_months": trend_months}
    cards = review_cards(user, offices, period, **kwargs)
    on = _judging_day(period, today)
    compliance = compliance_for_offices(offices, on=on) if offices else {}
    meetings = _cooperation_meetings(offices, on) if offices else {}
    readiness = _readiness(user, offices, on, compliance) if offices else {}
    reviewers = _municipal_reviewers(user, offices)

    indicators = {}
    for card in cards.values():
        for line in card.lines:
            indicators[line.indicator.code] = line.indicator
    if params.indicator is not None and params.indicator not in indicators:
        raise UnknownIndicator(params.indicator)

    rows = []
    for office in offices:
        card = cards[office.pk]
        result = compliance.get(office.pk)
        version = result.version if result else None
        rows.append(
            OfficeRow(
                office=office,
                card=card,
                lines=[line for line in card.lines if _keeps(line, params)],
                compliance=result,
                agreement_version=version,
                meetings_held=meetings.get(office.pk, 0),
                meetings_agreed=version.cooperation_meetings_per_year if version else None,
                readiness=(readiness or {}).get(office.pk),
                may_review=office.pk in reviewers,
                municipal_review=next((r for r in card.reviews if r.side == Side.MUNICIPAL), None),
            )
        )
    rows = _sorted(rows, params)
    return MunicipalReview(
        municipality=municipality,
        params=params,
        offices=rows,
        sides=_tables(rows),
        on=on,
        readiness_available=readiness is not None,
        indicators=indicators,
    )


def _sorted(rows: list[OfficeRow], params: ReviewParams) -> list[OfficeRow]:
    """By name (the default); by missed indicators, most first; or by the chosen indicator's
    result — its value where the user sees it, best first, offices without one last."""
    if params.sort == "status":
        return sorted(rows, key=lambda row: (-row.missed_count, row.office.name))
    if params.sort == "result":

        def result(row):
            line = next(
                (li for li in row.card.lines if li.indicator.code == params.indicator), None
            )
            if line is None or line.value is None:
                return (1, 0, row.office.name)
            higher = line.indicator.direction == "higher"
            return (0, -line.value if higher else line.value, row.office.name)

        return sorted(rows, key=result)
    return rows


def _tables(rows: list[OfficeRow]) -> list[SideTable]:
    """Per side (the municipal one first): the indicators any office keeps, grouped by
    perspective, each with one cell per office (in the offices' order)."""
    lines_by: dict[tuple[int, str], CardLine] = {}
    indicators = {}
    for row in rows:
        for line in row.lines:
            lines_by[(row.office.pk, line.indicator.code)] = line
            indicators[line.indicator.code] = line.indicator
    tables = []
    for side in SIDE_ORDER:
        groups = []
        for perspective in Perspective:
            chosen = sorted(
                (
                    i
                    for i in indicators.values()
                    if i.side == side and i.perspective == perspective.value
                ),
                key=lambda i: (i.position, i.code),
            )
            if not chosen:
                continue
            groups.append(
                (
                    perspective.value,
                    perspective.label,
                    [
                        IndicatorRow(
                            indicator=indicator,
                            cells=[
                                Cell(row.office, lines_by.get((row.office.pk, indicator.code)))
                                for row in rows
                            ],
                        )
                        for indicator in chosen
                    ],
                )
            )
        if groups:
            tables.append(
                SideTable(
                    side=side,
                    label=str(Side(side).label),
                    groups=groups,
                    values_visible=any(
                        cell.line.value_visible
                        for _p, _l, group in groups
                        for row in group
                        for cell in row.cells
                        if cell.line
                    ),
                )
            )
    return tables


# --- Words for the trends (the sparkline's text alternative, the PDF's and the export's) ----------


class TrendWords:
    """The translated words of ``trend_text``, looked up once per page rather than per cell."""

    def __init__(self):
        from django.utils.translation import gettext as _

        self.range = _("from %(first)s (%(first_month)s) to %(last)s (%(last_month)s)")
        self.nothing = _("no months reported")
        self.labels = [(status.value, str(status.label)) for status in Status]
        self._shown: dict[tuple, str] = {}

    def measure(self, value, indicator) -> str:
        """``format_measure``, remembered: a page shows the same figures many times (targets
        across offices), and localised number formatting is the slow part of a cell."""
        from scorecards.templatetags.scorecard_tags import format_measure

        key = (value, indicator.unit, indicator.decimals)
        text = self._shown.get(key)
        if text is None:
            text = format_measure(value, unit=indicator.unit, decimals=indicator.decimals)
            self._shown[key] = text
        return text


def trend_text(line: CardLine, words: TrendWords | None = None) -> str:
    """The twelve months in a sentence: the first and the last value shown (where the reader
    sees values) and how many months each status was reported."""
    words = words or TrendWords()
    parts = []
    if line.value_visible:
        values = [(month, value) for month, value in line.trend if value is not None]
        if values:
            indicator = line.indicator
            parts.append(
                words.range
                % {
                    "first": words.measure(values[0][1], indicator),
                    "first_month": f"{values[0][0].month:02d}.{values[0][0].year}",
                    "last": words.measure(values[-1][1], indicator),
                    "last_month": f"{values[-1][0].month:02d}.{values[-1][0].year}",
                }
            )
    counts: dict[str, int] = {}
    for _month, status in line.status_trend:
        if status:
            counts[status] = counts.get(status, 0) + 1
    if counts:
        parts.append(
            ", ".join(
                f"{label}: {counts[value]}" for value, label in words.labels if value in counts
            )
        )
    if not parts:
        return words.nothing
    return "; ".join(parts)
