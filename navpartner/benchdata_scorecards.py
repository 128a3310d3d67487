# ruff: noqa: E501  (the indicator library is a table, one indicator a line)
"""The national data set's målekort: an indicator library, targets, ten years of values,
scorecards with their joint summaries, reviews and action plans (``navpartner/benchdata.py``).

Written in bulk like the rest of the benchmark data: the values (264 offices × ~33 indicators ×
120 months, over a million rows) and the summary lines by ``insert_rows`` (``COPY`` on
PostgreSQL), their history by one ``INSERT … SELECT``. Statuses are computed as
``services.submit_scorecard`` does — the target by ``TargetResolver``, the status by
``compute_status`` — so a review page reading the summary shows what the values say.

Values are drawn around the applying target by a ``random.Random`` seeded by office and
indicator: most months met, some close, about one in eight missed. In the reporting month a
share of the offices has not submitted yet (some with their municipal values still missing);
every earlier month is submitted, most before the deadline, some after it.
"""

import datetime
import random
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from navpartner.benchdata import PREFIX, Scale, insert_rows
from offices.models import County, Municipality, Office, OfficeMunicipality
from scorecards.models import (
    UNIT_RANGES,
    Action,
    ActionPlan,
    ActionPlanStatus,
    ActionStatus,
    Direction,
    Indicator,
    Level,
    Measurement,
    MeasurementHistory,
    Perspective,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    ScorecardStatus,
    Source,
    Status,
    Target,
    Unit,
)
from scorecards.periods import add_months, months_back, reporting_deadline, reporting_month
from scorecards.selectors import indicators_for_offices
from scorecards.status import compute_status
from scorecards.targets import TargetResolver
from users.models import Role, RoleAssignment

SINCE = datetime.date(2015, 1, 1)
U, E, P, EC = Perspective.USER, Perspective.EMPLOYEE, Perspective.PRODUCTIVITY, Perspective.ECONOMY
HIGH, LOW = Direction.HIGHER, Direction.LOWER
STATE, MUNICIPAL = "state", "municipal"

# code, bokmål, English, perspective, side, unit, direction, decimals, target, tolerance, shared
NATIONAL = [
    ("brukertilfredshet", "Brukertilfredshet", "User satisfaction", U, STATE, Unit.SCORE, HIGH, 1, "4.6", "0.2", True),
    ("overgang-arbeid", "Overgang til arbeid", "Transition to work", U, STATE, Unit.PERCENT, HIGH, 0, "45", "4", True),
    ("ventetid-telefon", "Ventetid på telefon", "Telephone waiting time", U, STATE, Unit.DAYS, LOW, 1, "2", "0.5", False),
    ("klager-stat", "Klager behandlet i tide", "Complaints handled on time", U, STATE, Unit.PERCENT, HIGH, 0, "90", "5", False),
    ("ungdomsgaranti", "Unge under 30 med oppfølging", "Young people under 30 followed up", U, STATE, Unit.PERCENT, HIGH, 0, "85", "5", False),
    ("aktivitetsplan", "Andel med aktivitetsplan", "Share with an activity plan", P, STATE, Unit.PERCENT, HIGH, 0, "92", "3", False),
    ("arbeidsevnevurdering", "Arbeidsevnevurderinger i tide", "Work-ability assessments on time", P, STATE, Unit.PERCENT, HIGH, 0, "80", "5", False),
    ("aap-saksbehandling", "Saksbehandlingstid AAP", "Processing time for AAP", P, STATE, Unit.DAYS, LOW, 0, "60", "10", False),
    ("dagpenger-saksbehandling", "Saksbehandlingstid dagpenger", "Processing time for unemployment benefit", P, STATE, Unit.DAYS, LOW, 0, "21", "4", False),
    ("arbeidsgiverkontakter", "Arbeidsgiverkontakter", "Employer contacts", P, STATE, Unit.COUNT, HIGH, 0, "40", "8", False),
    ("tiltaksplasser", "Tiltaksplasser i bruk", "Labour-market programme places used", P, STATE, Unit.PERCENT, HIGH, 0, "95", "3", False),
    ("sykefravaer-stat", "Sykefravær (stat)", "Sick leave (state staff)", E, STATE, Unit.PERCENT, LOW, 1, "5.5", "1.0", False),
    ("kompetanse-stat", "Gjennomført opplæring (stat)", "Training completed (state staff)", E, STATE, Unit.PERCENT, HIGH, 0, "85", "5", False),
    ("medarbeidertilfredshet-stat", "Medarbeidertilfredshet (stat)", "Staff satisfaction (state)", E, STATE, Unit.SCORE, HIGH, 1, "4.5", "0.2", False),
    ("budsjett-stat", "Budsjettavvik (stat)", "Budget deviation (state)", EC, STATE, Unit.NOK, LOW, 0, "0", "150000", False),
    ("tiltaksmidler", "Forbruk av tiltaksmidler", "Programme funds spent", EC, STATE, Unit.PERCENT, HIGH, 0, "95", "5", False),
    ("lonnskostnader-stat", "Lønnskostnader mot budsjett (stat)", "Salary costs against budget (state)", EC, STATE, Unit.PERCENT, LOW, 1, "100", "2", False),
    ("sosialhjelp-saksbehandlingstid", "Saksbehandlingstid sosialhjelp", "Processing time for social assistance", U, MUNICIPAL, Unit.DAYS, LOW, 0, "14", "3", True),
    ("kvp-avslutning", "KVP fullført", "Qualification programme completed", U, MUNICIPAL, Unit.PERCENT, HIGH, 0, "60", "5", False),
    ("okonomisk-radgivning", "Økonomisk rådgivning innen fristen", "Financial counselling on time", U, MUNICIPAL, Unit.PERCENT, HIGH, 0, "90", "5", False),
    ("midlertidig-botilbud", "Brukere i midlertidig botilbud", "Users in temporary housing", U, MUNICIPAL, Unit.COUNT, LOW, 0, "10", "3", False),
    ("langtidsmottakere", "Langtidsmottakere av sosialhjelp", "Long-term social assistance recipients", P, MUNICIPAL, Unit.PERCENT, LOW, 1, "35", "3", True),
    ("kvp-deltakere", "Deltakere i KVP", "Qualification programme participants", P, MUNICIPAL, Unit.COUNT, HIGH, 0, "40", "5", False),
    ("aktivitetsplikt", "Unge under 30 med aktivitetsplikt", "Young people with an activity requirement", P, MUNICIPAL, Unit.PERCENT, HIGH, 0, "90", "5", False),
    ("vedtak-klage-kommune", "Vedtak opprettholdt etter klage", "Decisions upheld after appeal", P, MUNICIPAL, Unit.PERCENT, HIGH, 0, "85", "5", False),
    ("individuell-plan", "Brukere med individuell plan", "Users with an individual plan", P, MUNICIPAL, Unit.COUNT, HIGH, 0, "25", "5", False),
    ("sykefravaer-kommune", "Sykefravær (kommune)", "Sick leave (municipal staff)", E, MUNICIPAL, Unit.PERCENT, LOW, 1, "8.0", "1.0", False),
    ("kompetanse-kommune", "Gjennomført opplæring (kommune)", "Training completed (municipal staff)", E, MUNICIPAL, Unit.PERCENT, HIGH, 0, "85", "5", False),
    ("medarbeidertilfredshet-kommune", "Medarbeidertilfredshet (kommune)", "Staff satisfaction (municipal)", E, MUNICIPAL, Unit.SCORE, HIGH, 1, "4.5", "0.2", False),
    ("sosialhjelp-budsjettavvik", "Budsjettavvik sosialhjelp", "Social assistance budget deviation", EC, MUNICIPAL, Unit.NOK, LOW, 0, "0", "100000", False),
    ("utbetalt-sosialhjelp", "Utbetalt sosialhjelp per mottaker", "Social assistance paid per recipient", EC, MUNICIPAL, Unit.NOK, LOW, 0, "12000", "1500", False),
    ("lonnskostnader-kommune", "Lønnskostnader mot budsjett (kommune)", "Salary costs against budget (municipal)", EC, MUNICIPAL, Unit.PERCENT, LOW, 1, "100", "2", False),
]  # fmt: skip
# A county indicator for the counties with most offices, a municipal one for the municipalities
# with most offices serving them.
COUNTY_INDICATORS = 5
MUNICIPAL_INDICATORS = 5
COUNTY = ("oppfolging", "Oppfølging i tide", "Follow-up on time", P, STATE, Unit.PERCENT, HIGH, 0, "85", "4", False)  # fmt: skip
MUNICIPALITY = ("bolig", "Bostedsløse bosatt", "Homeless people housed", U, MUNICIPAL, Unit.COUNT, HIGH, 0, "12", "3", False)  # fmt: skip
# Targets below the national one: two state indicators tightened by every county, one municipal
# indicator set by every 12th municipality, and one office target a year for every office.
COUNTY_OVERRIDES = ("aktivitetsplan", "arbeidsevnevurdering")
MUNICIPAL_OVERRIDE = "kvp-avslutning"
OFFICE_OVERRIDE = "overgang-arbeid"
MONTH_TARGET = ("sykefravaer-stat", 1, "7.0")  # January's sick leave is higher everywhere


def _definition(spec, *, scope, county=None, municipality=None, position=0) -> Indicator:
    code, name, name_en, perspective, side, unit, direction, decimals, *_rest, shared = spec
    if county is not None:
        code, name = f"{code}-{county.number}", f"{name} ({county.name})"
    if municipality is not None:
        code, name = f"{code}-{municipality.number}", f"{name} ({municipality.name})"
    return Indicator(
        code=f"{PREFIX}{code}",
        name=name,
        name_en=name_en,
        definition=f"{name}: månedlig tall for kontoret.",
        source="Benchmark",
        perspective=perspective,
        side=side,
        scope=scope,
        county=county,
        municipality=municipality,
        unit=unit,
        direction=direction,
        decimals=decimals,
        valid_from=SINCE,
        shared=shared,
        position=position,
    )


def build_library(scale: Scale) -> dict[str, int]:
    """The indicators and their targets for every year of the months (national, county,
    municipality, office, and a month-specific one)."""
    offices = Office.objects.filter(code__startswith=PREFIX)
    counts: dict[int, int] = {}
    for county_id in offices.values_list("county", flat=True):
        counts[county_id] = counts.get(county_id, 0) + 1
    top_counties = sorted(counts, key=lambda c: (-counts[c], c))[:COUNTY_INDICATORS]
    served: dict[int, int] = {}
    for municipality_id in OfficeMunicipality.objects.filter(office__in=offices).values_list(
        "municipality", flat=True
    ):
        served[municipality_id] = served.get(municipality_id, 0) + 1
    top_municipalities = sorted(served, key=lambda m: (-served[m], m))[:MUNICIPAL_INDICATORS]
    counties = County.objects.in_bulk(top_counties)
    municipalities = Municipality.objects.in_bulk(top_municipalities)

    specs: dict[str, tuple] = {}
    indicators = []
    for position, spec in enumerate(NATIONAL):
        indicators.append(_definition(spec, scope=Level.NATIONAL, position=position))
        specs[indicators[-1].code] = spec
    for county_id in top_counties:
        indicators.append(
            _definition(COUNTY, scope=Level.COUNTY, county=counties[county_id], position=50)
        )
        specs[indicators[-1].code] = COUNTY
    for municipality_id in top_municipalities:
        indicators.append(
            _definition(
                MUNICIPALITY,
                scope=Level.MUNICIPALITY,
                municipality=municipalities[municipality_id],
                position=50,
            )
        )
        specs[indicators[-1].code] = MUNICIPALITY
    indicators = Indicator.objects.bulk_create(indicators)
    by_code = {i.code: i for i in Indicator.objects.filter(code__startswith=PREFIX)}

    last = reporting_month()
    years = sorted({p.year for p in months_back(last, scale.months)})
    targets = []

    def target(indicator, year, value, tolerance, *, month=None, **unit):
        level = Level.NATIONAL
        if "county_id" in unit:
            level = Level.COUNTY
        elif "municipality_id" in unit:
            level = Level.MUNICIPALITY
        elif "office_id" in unit:
            level = Level.OFFICE
        targets.append(
            Target(
                indicator=indicator,
                level=level,
                year=year,
                month=month,
                value=Decimal(value),
                tolerance=Decimal(tolerance),
                **unit,
            )
        )

    for code, indicator in by_code.items():
        spec = specs[code]
        for year in years:
            if indicator.scope == Level.NATIONAL:
                target(indicator, year, spec[8], spec[9])
            elif indicator.scope == Level.COUNTY:
                target(indicator, year, spec[8], spec[9], county_id=indicator.county_id)
            else:
                target(indicator, year, spec[8], spec[9], municipality_id=indicator.municipality_id)
    office_rows = list(offices.order_by("code").values_list("pk", "county_id"))
    for year in years:
        for county_id in sorted(counts):
            for code in COUNTY_OVERRIDES:
                base = Decimal(specs[f"{PREFIX}{code}"][8])
                target(by_code[f"{PREFIX}{code}"], year, base + 2, "3", county_id=county_id)
        for municipality_id in sorted(served)[::12]:
            target(
                by_code[f"{PREFIX}{MUNICIPAL_OVERRIDE}"],
                year,
                "65",
                "5",
                municipality_id=municipality_id,
            )
        code, month, value = MONTH_TARGET
        target(by_code[f"{PREFIX}{code}"], year, value, "1.0", month=month)
    for office_id, _county in office_rows:
        target(by_code[f"{PREFIX}{OFFICE_OVERRIDE}"], last.year, "48", "4", office_id=office_id)
    Target.objects.bulk_create(targets, batch_size=5000)
    return {"indicators": len(by_code), "targets": len(targets)}


# --- Values, scorecards and their summaries ------------------------------------------------------


def _draw(rng: random.Random, indicator: Indicator, target) -> Decimal:
    """A value around the target: met about 70 %, close 18 %, missed 12 % of the months."""
    base = Decimal(target.value) if target else Decimal(50)
    tolerance = Decimal(target.tolerance) if target and target.tolerance else abs(base) / 10 or 1
    roll = rng.random()
    if roll < 0.70:
        shortfall = -Decimal(rng.random()) * tolerance
    elif roll < 0.88:
        shortfall = Decimal(rng.random()) * tolerance
    else:
        shortfall = tolerance * (1 + Decimal(rng.random()) * 2)
    value = base - shortfall if indicator.direction == Direction.HIGHER else base + shortfall
    low, high = UNIT_RANGES[indicator.unit]
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value.quantize(Decimal(1).scaleb(-indicator.decimals))


def _submitted(office_index: int, months_ago: int) -> bool:
    """Every month is submitted but the reporting month of two offices in five."""
    return months_ago > 0 or office_index % 5 not in (1, 3)


def build_values(scale: Scale) -> dict[str, int]:
    """Measurements, their history, scorecards and their summary lines, reviews, action plans."""
    offices = list(Office.objects.filter(code__startswith=PREFIX).order_by("code"))
    last = reporting_month()
    periods = months_back(last, scale.months)
    # The library is valid for the whole span and memberships do not change inside it.
    per_office = indicators_for_offices(offices, last)
    resolver = TargetResolver(
        offices, {i.pk for rows in per_office.values() for i in rows}, periods
    )
    leaders = dict(
        RoleAssignment.objects.filter(role=Role.OFFICE_LEADER, office__in=offices).values_list(
            "office", "user"
        )
    )
    # Per (office, indicator): the status of each month, newest first (None: not submitted).
    statuses: dict[tuple[int, int], list[str | None]] = {}
    now = timezone.now()

    def measurements() -> Iterator[tuple]:
        for index, office in enumerate(offices):
            for indicator in per_office[office.pk]:
                rng = random.Random(office.pk * 10_007 + indicator.pk)  # noqa: S311
                known = statuses[(office.pk, indicator.pk)] = [None] * len(periods)
                for months_ago, period in enumerate(reversed(periods)):
                    target = resolver.get(office, indicator, period)
                    value = _draw(rng, indicator, target)
                    if (
                        months_ago == 0
                        and not _submitted(index, 0)
                        and indicator.side == MUNICIPAL
                        and index % 2
                    ):
                        continue  # not delivered yet
                    if _submitted(index, months_ago):
                        known[months_ago] = compute_status(
                            value,
                            target.value if target else None,
                            tolerance=target.tolerance if target else Decimal(0),
                            direction=indicator.direction,
                            decimals=indicator.decimals,
                        )
                    at = datetime.datetime.combine(
                        add_months(period, 1).replace(day=3), datetime.time(6), datetime.UTC
                    )
                    yield (office.pk, indicator.pk, period, value, Source.IMPORT, at, at)

    counts = {}
    with transaction.atomic():
        counts["measurements"] = insert_rows(
            Measurement,
            [
                "office_id",
                "indicator_id",
                "period",
                "value",
                "source",
                "created_at",
                "updated_at",
            ],
            measurements(),
        )
        history = connection.ops.quote_name(MeasurementHistory._meta.db_table)
        table = connection.ops.quote_name(Measurement._meta.db_table)
        office_table = connection.ops.quote_name(Office._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {history} (measurement_id, version, value, source, comment, "  # noqa: S608
                f"changed_by_id, changed_at) SELECT m.id, 1, m.value, m.source, m.comment, NULL, "
                f"m.created_at FROM {table} m JOIN {office_table} o ON o.id = m.office_id "
                f"WHERE o.code LIKE %s",
                [f"{PREFIX}%"],
            )
            counts["measurement_history"] = cursor.rowcount

        def scorecards() -> Iterator[tuple]:
            for index, office in enumerate(offices):
                for months_ago, period in enumerate(reversed(periods)):
                    deadline = reporting_deadline(period)
                    if not _submitted(index, months_ago):
                        if index % 5 == 3:
                            continue  # not even started
                        yield (office.pk, period, ScorecardStatus.DRAFT, None, None, "", now, now)
                        continue
                    late = (office.pk + months_ago) % 11 == 0
                    day = deadline + datetime.timedelta(days=4 if late else -3)
                    at = datetime.datetime.combine(day, datetime.time(9), datetime.UTC)
                    yield (
                        office.pk,
                        period,
                        ScorecardStatus.SUBMITTED,
                        leaders.get(office.pk),
                        at,
                        "Kommentar fra leder.",
                        at,
                        at,
                    )

        counts["scorecards"] = insert_rows(
            Scorecard,
            [
                "office_id",
                "period",
                "status",
                "submitted_by_id",
                "submitted_at",
                "comment",
                "created_at",
                "updated_at",
            ],
            scorecards(),
        )
        cards = {
            (office_id, period): (pk, status)
            for pk, office_id, period, status in Scorecard.objects.filter(
                office__in=offices
            ).values_list("pk", "office_id", "period", "status")
        }

        newest_first = list(reversed(periods))

        def lines() -> Iterator[tuple]:
            for (office_id, indicator_id), known in statuses.items():
                for period, status in zip(newest_first, known, strict=True):
                    card, card_status = cards.get((office_id, period), (None, None))
                    if status is not None and card_status == ScorecardStatus.SUBMITTED:
                        yield (card, indicator_id, status, "", "")

        counts["scorecard_lines"] = insert_rows(
            ScorecardLine,
            ["scorecard_id", "indicator_id", "status", "missing_reason", "comment"],
            lines(),
        )
        counts["scorecard_reviews"] = _reviews(offices, cards, last)
        counts["action_plans"], counts["actions"] = _action_plans(
            offices, cards, statuses, periods, leaders
        )
    return counts


def _reviews(offices, cards, last) -> int:
    """Each side reviews every submitted month, but the last one of some offices."""
    directors = dict(
        RoleAssignment.objects.filter(role=Role.COUNTY_DIRECTOR).values_list("county", "user")
    )
    executives = dict(
        RoleAssignment.objects.filter(role=Role.MUNICIPAL_EXECUTIVE).values_list(
            "municipality", "user"
        )
    )
    host = {}
    for office_id, municipality_id in (
        OfficeMunicipality.objects.filter(office__in=offices)
        .order_by("-is_host", "municipality__number")
        .values_list("office", "municipality")
    ):
        host.setdefault(office_id, municipality_id)
    county_of = {office.pk: office.county_id for office in offices}
    last_submitted = add_months(last, -1)

    def rows() -> Iterator[tuple]:
        for (office_id, period), (card, status) in cards.items():
            if status != ScorecardStatus.SUBMITTED:
                continue
            for side, reviewer in (
                (STATE, directors.get(county_of[office_id])),
                (MUNICIPAL, executives.get(host.get(office_id))),
            ):
                if (
                    reviewer is None
                    or period == last
                    or (period == last_submitted and (office_id + len(side)) % 4 == 0)
                ):
                    continue
                at = datetime.datetime.combine(
                    add_months(period, 1).replace(day=15), datetime.time(11), datetime.UTC
                )
                yield (card, side, reviewer, at, "")

    return insert_rows(
        ScorecardReview,
        ["scorecard_id", "side", "reviewed_by_id", "reviewed_at", "comment"],
        rows(),
    )


def _action_plans(offices, cards, statuses, periods, leaders) -> tuple[int, int]:
    """An open plan for two in three indicators missed in the last submitted month, and a
    closed one for a share of those missed a year before."""
    plans = []
    for (office_id, indicator_id), known in statuses.items():
        author = leaders.get(office_id)
        for months_ago, state, keep in (
            (1, ActionPlanStatus.OPEN, 3),
            (13, ActionPlanStatus.CLOSED, 5),
        ):
            if months_ago >= len(periods) or known[months_ago] != Status.MISSED:
                continue
            if (office_id + indicator_id) % keep == (0 if state == ActionPlanStatus.CLOSED else 1):
                period = periods[-1 - months_ago]
                card = cards.get((office_id, period), (None, None))[0]
                plans.append((office_id, indicator_id, card, period, state, author))
    created = ActionPlan.objects.bulk_create(
        (
            ActionPlan(
                office_id=office_id,
                indicator_id=indicator_id,
                scorecard_id=card,
                period=period,
                analysis="Færre ressurser enn planlagt i perioden.",
                goal="Tilbake på målkravet innen tre måneder.",
                status=status,
                closed_at=(
                    datetime.datetime.combine(add_months(period, 4), datetime.time(9), datetime.UTC)
                    if status == ActionPlanStatus.CLOSED
                    else None
                ),
                created_by_id=author,
                updated_by_id=author,
            )
            for office_id, indicator_id, card, period, status, author in plans
        ),
        batch_size=2000,
    )
    actions = Action.objects.bulk_create(
        (
            Action(
                plan=plan,
                description=description,
                owner="Leder",
                due=add_months(plan.period, months),
                status=(ActionStatus.DONE if plan.status == ActionPlanStatus.CLOSED else state),
                created_by_id=plan.created_by_id,
                updated_by_id=plan.created_by_id,
            )
            for plan in created
            for description, months, state in (
                ("Gjennomgang av rutiner", 1, ActionStatus.IN_PROGRESS),
                ("Opplæring av veiledere", 2, ActionStatus.PLANNED),
            )
        ),
        batch_size=5000,
    )
    return len(created), len(actions)


def built() -> bool:
    return Indicator.objects.filter(code__startswith=PREFIX).exists()


def counts() -> dict[str, int]:
    bench = {"office__code__startswith": PREFIX}
    return {
        "indicators": Indicator.objects.filter(code__startswith=PREFIX).count(),
        "targets": Target.objects.filter(indicator__code__startswith=PREFIX).count(),
        "measurements": Measurement.objects.filter(**bench).count(),
        "scorecards": Scorecard.objects.filter(**bench).count(),
        "scorecard_lines": ScorecardLine.objects.filter(
            scorecard__office__code__startswith=PREFIX
        ).count(),
        "scorecard_reviews": ScorecardReview.objects.filter(
            scorecard__office__code__startswith=PREFIX
        ).count(),
        "action_plans": ActionPlan.objects.filter(**bench).count(),
    }


TABLES = (
    Indicator,
    Target,
    Measurement,
    MeasurementHistory,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    ActionPlan,
    Action,
)
