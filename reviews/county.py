"""The county review (issue 11, item 2): every office of a county for one month, as the county
director or advisor may see it — a matrix of offices × indicators with statuses (values where
rule 7 opens them), the county's trends, each office's missed indicators over a year, overdue
months, agreement compliance, cross-line access counts and audit readiness.

Rule 7 is applied exactly as ``scorecards/selectors.py scorecards_for`` applies it — a value,
its target and its live status where the reader may view the indicator's side of the office (or
the indicator is ``shared`` and they view the office's joint data); otherwise the status of the
submitted joint summary; nothing for an indicator of a side they may not see without a joint
view — but read leaner: ``scorecards_for`` loads every measurement of the 13 trend months as
ORM objects, which at 40 offices × 40 indicators is 20 000 objects. Here the month's values are
read as tuples, and the trends are aggregated in the database (status counts per indicator and
month from the submitted summaries, the county's mean value per indicator and month, each
office's missed count per month): about 20 queries whatever the number of offices and years.

The access policy is read once, by ``review_permissions`` (``access.side_permissions``), and
every read below is limited by what it answers (``SidePermissions.value_offices`` for values,
the joint view for the summaries, plans and scorecards). The benchmark (``make bench``) swaps
that one function — or ``access.side_permissions`` itself — for a direct computation.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone

from navpartner.sidedata import Side
from offices.models import County, Office
from reviews.params import ReviewParams
from scorecards.comparison import rank_values
from scorecards.models import (
    ActionPlan,
    ActionPlanStatus,
    Indicator,
    Measurement,
    Perspective,
    Scorecard,
    ScorecardLine,
    ScorecardStatus,
    Status,
)
from scorecards.periods import is_overdue, month_end, months_back, reporting_deadline
from scorecards.selectors import indicators_for_offices
from scorecards.status import compute_status
from scorecards.targets import AppliedTarget, TargetResolver
from users import access

TREND_MONTHS = 12
# Worst first, for ``sorter=result`` on an indicator whose values the reader does not see.
STATUS_ORDER = {
    Status.MET: 0,
    Status.CLOSE: 1,
    Status.NO_TARGET: 2,
    Status.MISSED: 3,
    Status.MISSING: 4,
    None: 5,
}


class UnknownIndicator(Exception):
    """``indikator=`` names no indicator of the page (a 400, like any other bad parameter)."""


def review_permissions(user, offices: list[Office]) -> access.SidePermissions:
    """The one read of the access policy for the page: what ``user`` may do on each side of
    ``offices``. Module-level so the benchmark can swap it for a direct computation."""
    return access.side_permissions(user, offices=offices)


def county_offices(county: County) -> list[Office]:
    """Every office of the county, open or closed, by name (one query)."""
    return list(Office.objects.filter(county=county).select_related("county").order_by("name"))


def earliest_month(offices: list[Office]) -> datetime.date | None:
    """The first month any of the offices existed; ``None`` when one has no opening date."""
    if not offices or any(office.opened_on is None for office in offices):
        return None
    return min(office.opened_on for office in offices).replace(day=1)


def is_open(office: Office, month: datetime.date) -> bool:
    return (office.opened_on is None or office.opened_on <= month_end(month)) and (
        office.closed_on is None or office.closed_on >= month
    )


@dataclass
class Cell:
    """One office × indicator of the month, as the reader may see it."""

    office: Office
    indicator: Indicator
    value_visible: bool
    value: Decimal | None = None
    target: AppliedTarget | None = None
    status: str | None = None  # None: not known to the reader (not submitted, other line)
    plan_id: int | None = None
    matches: bool = True  # the status filter keeps it


@dataclass(eq=False)
class OfficeRow:
    office: Office
    cells: list[Cell | None]  # aligned with the review's indicators; None: does not apply
    joint: bool  # the reader sees the office's joint data (summaries, plans, agreements)
    all_cells: list[Cell | None] = field(default_factory=list)  # before the filters
    submitted: bool = False
    overdue: bool = False
    overdue_months: list[datetime.date] = field(default_factory=list)
    missed_trend: list[tuple[datetime.date, int | None]] = field(default_factory=list)
    compliance: object = None  # agreements.compliance.OfficeCompliance
    access_counts: object = None  # users.access.review.OfficeCounts
    readiness: object = None  # reviews.readiness.OfficeReadiness

    def count(self, status: str) -> int:
        return sum(1 for cell in self.cells if cell is not None and cell.status == status)

    @property
    def missed(self) -> int:
        return self.count(Status.MISSED)

    @property
    def counts(self) -> list[tuple[str, int]]:
        return [(status.value, self.count(status)) for status in Status]

    @property
    def visible_cells(self) -> list[Cell]:
        return [cell for cell in self.cells if cell is not None and cell.matches]


@dataclass
class IndicatorTrend:
    """The county as a whole for one indicator over the trend months."""

    indicator: Indicator
    months: list[datetime.date]
    counts: list[dict[str, int]]  # per month: status → offices (submitted summaries)
    means: list[Decimal | None]  # per month: the mean of the values the reader sees

    @property
    def met_shares(self) -> list[int | None]:
        """Per month, the share of the offices with a known status that met the target (%)."""
        shares = []
        for counts in self.counts:
            known = sum(counts.values())
            shares.append(round(100 * counts.get(Status.MET, 0) / known) if known else None)
        return shares

    @property
    def points(self) -> list[tuple[datetime.date, Decimal | None]]:
        return list(zip(self.months, self.means, strict=True))

    @property
    def share_points(self) -> list[tuple[datetime.date, int | None]]:
        return list(zip(self.months, self.met_shares, strict=True))

    @property
    def rows(self) -> list[dict]:
        """The months as a table: the text alternative of the chart."""
        return [
            {"month": month, "mean": mean, "counts": counts, "share": share}
            for month, mean, counts, share in zip(
                self.months, self.means, self.counts, self.met_shares, strict=True
            )
        ]


@dataclass
class Ranked:
    rank: int | None
    office: Office
    cell: Cell
    trend: list[tuple[datetime.date, Decimal | None]] = field(default_factory=list)


@dataclass
class CountyReview:
    county: County
    params: ReviewParams
    months: list[datetime.date]
    offices: list[Office]  # open in the month, by name
    indicators: list[Indicator]  # the columns, after the side and perspective filters
    rows: list[OfficeRow]  # after the status filter, in the chosen order
    trends: list[IndicatorTrend]
    indicator: Indicator | None = None  # the chosen one (``indikator``)
    ranking: list[Ranked] = field(default_factory=list)
    ranking_trend: IndicatorTrend | None = None
    all_rows: list[OfficeRow] = field(default_factory=list)  # before the status filter
    all_indicators: list[Indicator] = field(default_factory=list)  # before the filters
    all_trends: list[IndicatorTrend] = field(default_factory=list)

    @property
    def month(self) -> datetime.date:
        return self.params.month

    @property
    def deadline(self) -> datetime.date:
        return reporting_deadline(self.month)

    @property
    def overdue_rows(self) -> list[OfficeRow]:
        return [row for row in self.all_rows if row.overdue_months]

    @property
    def compliance_rows(self) -> list[OfficeRow]:
        """Offices without an agreement in force or failing a check (worst first)."""
        rows = [row for row in self.all_rows if row.compliance and row.compliance.problems]
        return sorted(rows, key=lambda row: (row.compliance.severity != "error", row.office.name))

    @property
    def open_plans(self) -> list[Cell]:
        return [
            cell
            for row in self.all_rows
            for cell in row.cells
            if cell is not None and cell.plan_id is not None
        ]

    def totals(self) -> list[tuple[str, int]]:
        counts = {status.value: 0 for status in Status}
        for row in self.rows:
            for cell in row.visible_cells:
                if cell.status:
                    counts[cell.status] += 1
        return list(counts.items())


def _value_condition(permissions, offices, indicators) -> Q:
    """Rows of Measurement the reader may see among ``offices`` × ``indicators``, by rule 7
    (``SidePermissions.value_offices``): own side, or shared where they view the joint data."""
    office_ids = {office.pk for office in offices}
    condition = Q(pk__in=[])
    for side in (Side.STATE, Side.MUNICIPAL):
        for shared in (False, True):
            wanted = [i.pk for i in indicators if i.side == side and i.shared == shared]
            visible = permissions.value_offices(side, shared=shared) & office_ids
            if wanted and visible:
                condition |= Q(office__in=sorted(visible), indicator__in=wanted)
    return condition


def _status(indicator: Indicator, value, target: AppliedTarget | None) -> str:
    return compute_status(
        value,
        target.value if target else None,
        tolerance=target.tolerance if target else Decimal(0),
        direction=indicator.direction,
        decimals=indicator.decimals,
    )


def _to_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def county_review(
    user,
    county: County,
    params: ReviewParams,
    *,
    offices: list[Office] | None = None,
    today: datetime.date | None = None,
    with_extras: bool = True,
) -> CountyReview:
    """The county's month as ``user`` may see it, filtered and sorted by ``params``.

    ``offices``: the county's offices if already read (``county_offices``). ``with_extras``
    false leaves out compliance, access counts and readiness (an export without them).
    Raises ``UnknownIndicator`` when ``params.indicator`` names no indicator of the page.
    """
    month = params.month
    today = today or timezone.localdate()
    months = months_back(month, TREND_MONTHS)
    everyone = county_offices(county) if offices is None else offices
    offices = [office for office in everyone if is_open(office, month)]
    permissions = review_permissions(user, offices)
    joint_ids = {o.pk for o in offices if permissions.allows(access.VIEW, o, Side.JOINT)}

    applies = indicators_for_offices(offices, month) if offices else {}
    by_id: dict[int, Indicator] = {}
    for rows in applies.values():
        for indicator in rows:
            by_id[indicator.pk] = indicator
    seen = {
        (office.pk, indicator.pk): permissions.views_values(
            office, indicator.side, shared=indicator.shared
        )
        for office in offices
        for indicator in applies.get(office.pk, [])
        if office.pk in joint_ids
        or permissions.views_values(office, indicator.side, shared=indicator.shared)
    }
    page_indicators = sorted(
        {by_id[indicator_id] for _office, indicator_id in seen}, key=_indicator_order
    )
    chosen = None
    if params.indicator:
        chosen = next((i for i in page_indicators if i.code == params.indicator), None)
        if chosen is None:
            raise UnknownIndicator(params.indicator)

    resolver = TargetResolver(offices, page_indicators, [month])
    value_condition = _value_condition(permissions, offices, page_indicators)
    month_values = list(
        Measurement.objects.filter(value_condition, period=month).values_list(
            "pk", "office", "indicator", "value"
        )
    )
    _audit_delegated_reads(user, month_values, by_id)
    values = {(office, indicator): value for _pk, office, indicator, value in month_values}

    joint = sorted(joint_ids)
    submitted_lines = ScorecardLine.objects.filter(
        scorecard__office__in=joint,
        scorecard__status=ScorecardStatus.SUBMITTED,
    )
    month_statuses = {
        (office, indicator): status
        for office, indicator, status in submitted_lines.filter(
            scorecard__period=month
        ).values_list("scorecard__office", "indicator", "status")
    }
    scorecards = defaultdict(dict)
    for office, period, status in Scorecard.objects.filter(
        office__in=joint, period__gte=months[0], period__lte=month
    ).values_list("office", "period", "status"):
        scorecards[office][period] = status
    plans = {
        (office, indicator): pk
        for office, indicator, pk in ActionPlan.objects.filter(
            office__in=joint, status=ActionPlanStatus.OPEN
        )
        .order_by("period", "pk")
        .values_list("office", "indicator", "pk")
    }

    # --- The month's cells ---------------------------------------------------------------
    rows: list[OfficeRow] = []
    for office in offices:
        cells: dict[int, Cell] = {}
        for indicator in applies.get(office.pk, []):
            key = (office.pk, indicator.pk)
            if key not in seen:
                continue
            sees_values = seen[key]
            cell = Cell(office=office, indicator=indicator, value_visible=sees_values)
            cell.status = month_statuses.get(key)
            if sees_values:
                cell.value = values.get(key)
                cell.target = resolver.get(office, indicator, month)
                if cell.status is None:
                    cell.status = _status(indicator, cell.value, cell.target)
            if office.pk in joint_ids:
                cell.plan_id = plans.get(key)
            cells[indicator.pk] = cell
        row_cells = [cells.get(indicator.pk) for indicator in page_indicators]
        row = OfficeRow(
            office=office, cells=row_cells, all_cells=row_cells, joint=office.pk in joint_ids
        )
        if row.joint:
            cards = scorecards.get(office.pk, {})
            row.submitted = cards.get(month) == ScorecardStatus.SUBMITTED
            row.overdue = is_overdue(month, submitted=row.submitted, today=today)
            row.overdue_months = [
                period
                for period in months
                if is_open(office, period)
                and is_overdue(
                    period, submitted=cards.get(period) == ScorecardStatus.SUBMITTED, today=today
                )
            ]
        rows.append(row)

    # --- Trends: aggregated in the database ----------------------------------------------
    window = submitted_lines.filter(
        scorecard__period__gte=months[0],
        scorecard__period__lte=month,
        indicator__in=[i.pk for i in page_indicators],
    )
    counts: dict[tuple[int, datetime.date], dict[str, int]] = defaultdict(dict)
    for indicator, period, status, number in (
        window.values("indicator", "scorecard__period", "status")
        .order_by()
        .annotate(number=Count("pk"))
        .values_list("indicator", "scorecard__period", "status", "number")
    ):
        counts[(indicator, period)][status] = number
    missed: dict[tuple[int, datetime.date], int] = {
        (office, period): number
        for office, period, number in window.filter(status=Status.MISSED)
        .values("scorecard__office", "scorecard__period")
        .order_by()
        .annotate(number=Count("pk"))
        .values_list("scorecard__office", "scorecard__period", "number")
    }
    means = {
        (indicator, period): _to_decimal(mean)
        for indicator, period, mean in Measurement.objects.filter(
            value_condition, period__gte=months[0], period__lte=month
        )
        .values("indicator", "period")
        .order_by()
        .annotate(mean=Avg("value"))
        .values_list("indicator", "period", "mean")
    }
    trends = [
        IndicatorTrend(
            indicator=indicator,
            months=months,
            counts=[counts.get((indicator.pk, period), {}) for period in months],
            means=[means.get((indicator.pk, period)) for period in months],
        )
        for indicator in page_indicators
    ]
    for row in rows:
        if row.joint:
            submitted_months = {
                period
                for period, status in scorecards.get(row.office.pk, {}).items()
                if status == ScorecardStatus.SUBMITTED
            }
            row.missed_trend = [
                (period, missed.get((row.office.pk, period), 0))
                if period in submitted_months
                else (period, None)
                for period in months
            ]

    if with_extras:
        _add_extras(user, county, rows, [o for o in offices if o.pk in joint_ids], month, today)

    review = CountyReview(
        county=county,
        params=params,
        months=months,
        offices=offices,
        indicators=page_indicators,
        rows=rows,
        trends=trends,
        indicator=chosen,
        all_rows=rows,
        all_indicators=page_indicators,
        all_trends=trends,
    )
    _filter_and_sort(review)
    if chosen is not None:
        _rank(review, permissions, chosen)
    return review


def _indicator_order(indicator: Indicator):
    perspectives = list(Perspective.values)
    sides = [Side.STATE, Side.MUNICIPAL]
    return (
        sides.index(indicator.side) if indicator.side in sides else 2,
        perspectives.index(indicator.perspective) if indicator.perspective in perspectives else 9,
        indicator.position,
        indicator.code,
    )


def _audit_delegated_reads(user, month_values, by_id: dict[int, Indicator]) -> None:
    """Rule 9: a value read only through a delegation is audited, as ``scorecards_for`` does
    for the month it shows. One query finds the (office, side) the reader holds through a
    delegation (none for a county director); only those values go to
    ``access.record_delegated_reads``, which decides and writes the events."""
    from users.models import PermissionBasis

    if not month_values:
        return
    offices = {office for _pk, office, _indicator, _value in month_values}
    delegated = set(
        access.permission_rows_in_force()
        .filter(user=user, basis=PermissionBasis.DELEGATION, content_object__in=offices)
        .values_list("content_object", "side")
    )
    if not delegated:
        return
    access.record_delegated_reads(
        user,
        [
            Measurement(pk=pk, office_id=office, indicator_id=indicator)
            for pk, office, indicator, _value in month_values
            if (office, by_id[indicator].side) in delegated
        ],
    )


def _add_extras(user, county, rows, joint_offices, month, today) -> None:
    """Compliance (agreements in force and the legal minimum), cross-line access counts and
    audit readiness — each only for offices whose joint data the reader sees."""
    from agreements.compliance import compliance_for_offices
    from reviews.readiness import readiness_for_offices
    from users.access.review import access_overview

    on = min(today, month_end(month))
    compliance = compliance_for_offices(joint_offices, on=on) if joint_offices else {}
    overview = access_overview(user=user, county=county)
    counts = {row.office.pk: row for row in overview.rows if row.office is not None}
    # Judged on the same day as the compliance above, which it reuses (nine queries spared).
    readiness = (
        readiness_for_offices(user=user, offices=joint_offices, on=on, compliance=compliance)
        if joint_offices
        else {}
    )
    for row in rows:
        row.compliance = compliance.get(row.office.pk)
        row.access_counts = counts.get(row.office.pk)
        row.readiness = readiness.get(row.office.pk)


def _filter_and_sort(review: CountyReview) -> None:
    params = review.params
    keep = [
        index
        for index, indicator in enumerate(review.indicators)
        if (params.side is None or indicator.side == params.side)
        and (params.perspective is None or indicator.perspective == params.perspective)
    ]
    for row in review.all_rows:
        row.cells = [row.cells[index] for index in keep]
        for cell in row.cells:
            if cell is not None:
                cell.matches = params.status is None or cell.status == params.status
    review.indicators = [review.indicators[index] for index in keep]
    review.trends = [review.trends[index] for index in keep]
    rows = review.all_rows
    if params.status is not None:
        rows = [row for row in rows if row.visible_cells]
        columns = [
            index
            for index in range(len(review.indicators))
            if any(row.cells[index] is not None and row.cells[index].matches for row in rows)
        ]
        for row in review.all_rows:
            row.cells = [row.cells[index] for index in columns]
        review.indicators = [review.indicators[index] for index in columns]
        review.trends = [review.trends[index] for index in columns]
    if params.sort == "status":
        rows = sorted(rows, key=lambda row: (-row.missed, row.office.name))
    elif params.sort == "result" and review.indicator is not None:
        order = {row.office.pk: position for position, row in enumerate(_by_result(review, rows))}
        rows = sorted(rows, key=lambda row: order[row.office.pk])
    review.rows = rows


def _chosen_cells(review: CountyReview, rows: list[OfficeRow]) -> list[tuple[OfficeRow, Cell]]:
    """The rows with a cell of the chosen indicator (it may be filtered out of the columns)."""
    pairs = []
    for row in rows:
        cell = next(
            (c for c in row.all_cells if c is not None and c.indicator.pk == review.indicator.pk),
            None,
        )
        if cell is not None:
            pairs.append((row, cell))
    return pairs


def _by_result(review: CountyReview, rows: list[OfficeRow]) -> list[OfficeRow]:
    """The rows best first by the chosen indicator's value (as shown), or by its status where
    the reader sees no values; rows without it last, by name."""
    pairs = _chosen_cells(review, rows)
    indicator = review.indicator
    if any(cell.value_visible for _row, cell in pairs):
        ranked = rank_values(
            [(row.office.pk, cell.value if cell.value_visible else None) for row, cell in pairs],
            indicator.direction,
            indicator.decimals,
        )
        order = [office_id for office_id, _rank in ranked]
    else:
        order = [
            row.office.pk
            for row, cell in sorted(pairs, key=lambda pair: STATUS_ORDER.get(pair[1].status, 5))
        ]
    position = {office_id: index for index, office_id in enumerate(order)}
    return sorted(
        rows, key=lambda row: (position.get(row.office.pk, len(position)), row.office.name)
    )


def _rank(review: CountyReview, permissions, indicator: Indicator) -> None:
    """The ranking of the chosen indicator over all open offices (not the status filter):
    ranked by value where the reader sees values, with each office's 12 months (one query)."""
    pairs = _chosen_cells(review, review.all_rows)
    visible = [row.office for row, cell in pairs if cell.value_visible]
    history: dict[int, dict[datetime.date, Decimal]] = defaultdict(dict)
    condition = _value_condition(permissions, visible, [indicator])
    for office, period, value in Measurement.objects.filter(
        condition, period__gte=review.months[0], period__lte=review.month
    ).values_list("office", "period", "value"):
        history[office][period] = value
    ranked = rank_values(
        [(row.office.pk, cell.value if cell.value_visible else None) for row, cell in pairs],
        indicator.direction,
        indicator.decimals,
    )
    by_office = {row.office.pk: (row, cell) for row, cell in pairs}
    review.ranking = [
        Ranked(
            rank=rank,
            office=by_office[office_id][0].office,
            cell=by_office[office_id][1],
            trend=[(period, history[office_id].get(period)) for period in review.months]
            if by_office[office_id][1].value_visible
            else [],
        )
        for office_id, rank in ranked
    ]
    if not any(cell.value_visible for _row, cell in pairs):
        review.ranking.sort(key=lambda item: (STATUS_ORDER.get(item.cell.status, 5),))
    review.ranking_trend = next(
        (trend for trend in review.all_trends if trend.indicator.pk == indicator.pk), None
    )
