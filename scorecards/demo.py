"""The demo's scorecard (issue 10, item 12): indicators, targets, 24 months, scorecards, plans.

``seed_scorecards()`` is called by ``manage.py seed_demo`` after the offices, people and
agreements exist. Everything is dated relative to the seeding day (``reporting_month()``):

* an **indicator library** on both sides — five national state indicators, one for Trøndelag,
  four national municipal ones, two of Trondheim's, and the KVP outcome table of 2010;
* **targets** with tolerance: national ones for every year of the demo's months, a Trøndelag
  override, Trondheim's (KVP completion 98 %, tolerance 3), one office's own (Heimdal) and a
  month-specific one (sick leave in January); each with its history row;
* **values** for 24 months up to the reporting month for every demo office and every indicator
  that applies to it — around the target, mostly met, some close, a few missed; drawn from a
  ``random.Random`` seeded by office and indicator, so the same seeding day gives the same
  figures. In the reporting month Heimdal's municipal values are still missing (a draft);
* **scorecards** submitted for every month before the reporting month, with the joint summary
  computed as ``services.submit_scorecard`` does, and reviewed by each side's authority — but
  for a few offices' last month;
* **action plans**: Heimdal's processing time of social assistance missed three months running
  with an open plan, Lerkendal's activity plans missed last month with none yet, and a closed
  plan at Indre Salten;
* the **real KVP outcomes of 2010** for the four Trondheim offices (BRIEF.md table 1).

It is seed data: written in bulk (a few thousand rows in a second), without an audit event per
value. It runs once: the library and targets are completed if parts are missing, the months
only when no demo value exists yet, so running the command again changes nothing.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from offices.models import County, Municipality, Office
from scorecards.models import (
    Action,
    ActionPlan,
    ActionPlanStatus,
    ActionStatus,
    Direction,
    FollowUp,
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
    TargetHistory,
    Unit,
)
from scorecards.periods import add_months, month_end, months_back, reporting_month
from scorecards.selectors import indicators_for_offices
from scorecards.status import compute_status
from scorecards.targets import TargetResolver
from users.models import Role, RoleAssignment, User

MONTHS = 24
KVP_START = datetime.date(2010, 1, 1)
SINCE = datetime.date(2015, 1, 1)
KVP_2010 = datetime.date(2010, 12, 1)

STATE, MUNICIPAL = "state", "municipal"
U, E, P, EC = Perspective.USER, Perspective.EMPLOYEE, Perspective.PRODUCTIVITY, Perspective.ECONOMY
HIGH, LOW = Direction.HIGHER, Direction.LOWER

# The authority that sets a definition at each level of the library.
SET_BY = {
    "national": "direktorat.admin",
    "county:50": "fylkesdirektor.trondelag",
    "municipality:5001": "radmann.trondheim",
}

# code, bokmål name, English name, what is counted, source, perspective, side, set at
# ("national", "county:<number>", "municipality:<number>"), unit, direction, decimals,
# valid from, valid to, shared with the partner, table (group)
INDICATORS = [
    (
        "brukertilfredshet",
        "Brukertilfredshet",
        "User satisfaction",
        "Gjennomsnittlig svar på spørsmålet «Alt i alt, hvor fornøyd er du med NAV-kontoret?» "
        "på en skala fra 1 (svært misfornøyd) til 6 (svært fornøyd), blant brukere som har "
        "besøkt kontoret i måneden.",
        "Brukerundersøkelsen",
        U,
        STATE,
        "national",
        Unit.SCORE,
        HIGH,
        1,
        SINCE,
        None,
        False,
        "",
    ),
    (
        "aktivitetsplan",
        "Andel med aktivitetsplan",
        "Share with an activity plan",
        "Andel av brukerne under arbeidsrettet oppfølging ved månedens slutt som har en "
        "aktivitetsplan, i prosent.",
        "Arena",
        P,
        STATE,
        "national",
        Unit.PERCENT,
        HIGH,
        0,
        SINCE,
        None,
        False,
        "",
    ),
    (
        "arbeidsevnevurdering",
        "Arbeidsevnevurderinger i tide",
        "Work-ability assessments on time",
        "Andel arbeidsevnevurderinger ferdigstilt i måneden innen fristen, i prosent av alle "
        "ferdigstilte vurderinger.",
        "Arena",
        P,
        STATE,
        "national",
        Unit.PERCENT,
        HIGH,
        0,
        SINCE,
        None,
        False,
        "",
    ),
    (
        "overgang-arbeid",
        "Overgang til arbeid",
        "Transition to work",
        "Andel av arbeidssøkerne og brukerne med nedsatt arbeidsevne som avsluttet oppfølging "
        "i måneden og var i arbeid tre måneder etter, i prosent.",
        "Arena",
        U,
        STATE,
        "national",
        Unit.PERCENT,
        HIGH,
        0,
        SINCE,
        None,
        True,  # the state opens it to the municipality: the office's main goal, people into work
        "",
    ),
    (
        "sykefravaer-stat",
        "Sykefravær, statlig ansatte",
        "Sick leave, state staff",
        "Legemeldt og egenmeldt sykefravær blant de statlig ansatte ved kontoret, i prosent av "
        "avtalte dagsverk i måneden.",
        "HR-system",
        E,
        STATE,
        "national",
        Unit.PERCENT,
        LOW,
        1,
        SINCE,
        None,
        False,
        "",
    ),
    (
        "oppfolging-trondelag",
        "Oppfølgingsvedtak innen åtte uker",
        "Follow-up decisions within eight weeks",
        "Andel nye brukere med behov for arbeidsrettet oppfølging som har fått oppfølgingsvedtak "
        "innen åtte uker, i prosent (NAV Trøndelags satsing).",
        "Arena",
        P,
        STATE,
        "county:50",
        Unit.PERCENT,
        HIGH,
        0,
        SINCE,
        None,
        False,
        "",
    ),
    (
        "sosialhjelp-saksbehandlingstid",
        "Saksbehandlingstid økonomisk sosialhjelp",
        "Processing time, social assistance",
        "Gjennomsnittlig antall kalenderdager fra søknad om økonomisk sosialhjelp er mottatt "
        "til vedtak er fattet, for vedtak fattet i måneden.",
        "Fagsystem sosialhjelp",
        U,
        MUNICIPAL,
        "national",
        Unit.DAYS,
        LOW,
        0,
        SINCE,
        None,
        False,
        "",
    ),
    (
        "langtidsmottakere",
        "Andel langtidsmottakere av sosialhjelp",
        "Share of long-term social-assistance recipients",
        "Andel av mottakerne av økonomisk sosialhjelp i måneden som har mottatt stønad i seks "
        "måneder eller mer de siste tolv månedene, i prosent.",
        "KOSTRA",
        P,
        MUNICIPAL,
        "national",
        Unit.PERCENT,
        LOW,
        1,
        SINCE,
        None,
        False,
        "",
    ),
    (
        "sykefravaer-kommune",
        "Sykefravær, kommunalt ansatte",
        "Sick leave, municipal staff",
        "Legemeldt og egenmeldt sykefravær blant de kommunalt ansatte ved kontoret, i prosent av "
        "avtalte dagsverk i måneden.",
        "HR-system",
        E,
        MUNICIPAL,
        "national",
        Unit.PERCENT,
        LOW,
        1,
        SINCE,
        None,
        False,
        "",
    ),
    (
        "sosialhjelp-budsjettavvik",
        "Sosialhjelp, avvik fra budsjett",
        "Social assistance spend against budget",
        "Utbetalt økonomisk sosialhjelp hittil i året minus periodisert budsjett, i kroner "
        "(positivt tall: overforbruk).",
        "Fagsystem sosialhjelp",
        EC,
        MUNICIPAL,
        "national",
        Unit.NOK,
        LOW,
        0,
        SINCE,
        None,
        False,
        "",
    ),
    (
        "kvp-deltakere",
        "Deltakere i kvalifiseringsprogrammet",
        "Participants in the qualification programme",
        "Antall personer i kvalifiseringsprogrammet (KVP) ved kontoret ved månedens slutt.",
        "Fagsystem sosialhjelp",
        P,
        MUNICIPAL,
        "municipality:5001",
        Unit.COUNT,
        HIGH,
        0,
        KVP_START,
        None,
        False,
        "",
    ),
    (
        "kvp-avslutning",
        "KVP avsluttet til arbeid, utdanning eller avklart ytelse",
        "KVP finished into work, education or a clarified benefit",
        "Andel av deltakerne som avsluttet KVP i måneden og gikk til arbeid, utdanning eller en "
        "avklart ytelse, i prosent av alle som avsluttet.",
        "Fagsystem sosialhjelp",
        U,
        MUNICIPAL,
        "municipality:5001",
        Unit.PERCENT,
        HIGH,
        0,
        KVP_START,
        None,
        False,
        "",
    ),
]

# The outcomes of KVP in 2010 as one table (group "kvp-avgang"), valid in 2010 only: the share
# of the year's finishers by where they went, as the audit reports it (001 §5.4.2, table 1).
# suffix, bokmål name, English name, direction
KVP_OUTCOMES = [
    ("arbeid", "Avgang til ordinært arbeid", "Ended in ordinary work", HIGH),
    ("utdanning", "Avgang til skole/utdanning", "Ended in school or education", HIGH),
    (
        "uforetrygd",
        "Avgang til varig inntektssikring (uføretrygd)",
        "Ended in permanent income support (disability)",
        HIGH,
    ),
    (
        "aap",
        "Avgang til midlertidig inntektssikring (AAP)",
        "Ended in temporary income support (AAP)",
        HIGH,
    ),
    ("sosialhjelp", "Avgang til sosialhjelp", "Ended in social assistance", LOW),
    ("annet", "Avgang til annet", "Other outcome", LOW),
]
INDICATORS += [
    (
        f"kvp-avgang-{suffix}",
        name,
        name_en,
        f"Andel av deltakerne som avsluttet KVP i 2010: {name.lower()}, i prosent av alle som "
        "avsluttet programmet i året (registrert for desember 2010).",
        "Fagsystem sosialhjelp",
        U,
        MUNICIPAL,
        "municipality:5001",
        Unit.PERCENT,
        direction,
        0,
        KVP_START,
        datetime.date(2010, 12, 31),
        False,
        "kvp-avgang",
    )
    for suffix, name, name_en, direction in KVP_OUTCOMES
]

# The audit's table 1, in the order of KVP_OUTCOMES: work, education, permanent income support,
# AAP, social assistance, other.
KVP_2010_OUTCOMES = {
    "midtbyen": (63, 11, 0, 24, 0, 2),
    "ostbyen": (31, 7, 2, 35, 13, 12),
    "lerkendal": (31, 0, 18, 31, 15, 5),
    "heimdal": (29, 6, 18, 41, 0, 6),
}

# Targets: indicator, level, unit ("" national, a county or municipality number, an office
# code), month (None: the year), value for earlier years, value this year, tolerance. Set by
# the level's authority (an office's by its county director or its municipality's executive).
TARGETS = [
    ("brukertilfredshet", Level.NATIONAL, "", None, "4.6", "4.7", "0.2"),
    ("aktivitetsplan", Level.NATIONAL, "", None, "80", "82", "4"),
    ("arbeidsevnevurdering", Level.NATIONAL, "", None, "75", "78", "5"),
    ("overgang-arbeid", Level.NATIONAL, "", None, "45", "47", "4"),
    ("sykefravaer-stat", Level.NATIONAL, "", None, "6.5", "6.0", "0.7"),
    ("sykefravaer-stat", Level.NATIONAL, "", 1, "7.5", "7.0", "0.7"),  # January: flu season
    ("sosialhjelp-saksbehandlingstid", Level.NATIONAL, "", None, "21", "18", "4"),
    ("langtidsmottakere", Level.NATIONAL, "", None, "35.0", "33.0", "3.0"),
    ("sykefravaer-kommune", Level.NATIONAL, "", None, "8.5", "8.0", "1.0"),
    ("sosialhjelp-budsjettavvik", Level.NATIONAL, "", None, "0", "0", "100000"),
    ("oppfolging-trondelag", Level.COUNTY, "50", None, "85", "87", "4"),
    ("arbeidsevnevurdering", Level.COUNTY, "50", None, "80", "82", "4"),  # Trøndelag asks more
    ("kvp-avslutning", Level.MUNICIPALITY, "5001", None, "98", "98", "3"),
    ("kvp-deltakere", Level.MUNICIPALITY, "5001", None, "40", "45", "5"),
    ("brukertilfredshet", Level.OFFICE, "heimdal", None, "4.8", "4.9", "0.2"),
]
TARGET_SET_BY = {
    (Level.NATIONAL, STATE): "direktorat.admin",
    (Level.NATIONAL, MUNICIPAL): "direktorat.admin",
    (Level.COUNTY, STATE): "fylkesdirektor.trondelag",
    (Level.MUNICIPALITY, MUNICIPAL): "radmann.trondheim",
    (Level.OFFICE, STATE): "fylkesdirektor.trondelag",
}

# How far a month's value strays from the target, in the indicator's unit (the size of a "met"
# margin and of a miss beyond the tolerance).
SPREAD = {
    "brukertilfredshet": "0.4",
    "aktivitetsplan": "6",
    "arbeidsevnevurdering": "7",
    "overgang-arbeid": "6",
    "sykefravaer-stat": "1.0",
    "oppfolging-trondelag": "6",
    "sosialhjelp-saksbehandlingstid": "5",
    "langtidsmottakere": "4",
    "sykefravaer-kommune": "1.2",
    "sosialhjelp-budsjettavvik": "200000",
    "kvp-deltakere": "8",
    "kvp-avslutning": "2",
}
# The share of months met, close and (the rest) missed.
MET_SHARE, CLOSE_SHARE = 0.78, 0.95

# Results that make the demo's story, by months before the reporting month (-1: the last
# submitted month): (office, indicator) → {offset: status}.
FORCED = {
    ("heimdal", "sosialhjelp-saksbehandlingstid"): dict.fromkeys((-3, -2, -1), Status.MISSED),
    ("lerkendal", "aktivitetsplan"): {-2: Status.MET, -1: Status.MISSED},
    ("indre-salten", "brukertilfredshet"): {-12: Status.MISSED, -11: Status.MISSED}
    | dict.fromkeys((-10, -9, -8), Status.MET),
}

# The leader of an office, where the demo has one: submits the month, writes the plans.
LEADERS = {"heimdal": "leder.heimdal", "indre-salten": "leder.indre-salten"}

# Offices whose last submitted month a side has not reviewed yet: (office, side).
UNREVIEWED_LAST = {
    ("heimdal", MUNICIPAL),
    ("narvik", STATE),
    ("narvik", MUNICIPAL),
    ("bodo", STATE),
}

# Action plans: office, indicator, opened (months before the reporting month), closed (None:
# open), analysis, goal, actions [(what, who, due: months before the reporting month, status)],
# follow-ups [(month offset, note)].
ACTION_PLANS = [
    (
        "heimdal",
        "sosialhjelp-saksbehandlingstid",
        -3,
        None,
        "Saksbehandlingstiden har økt etter at to erfarne saksbehandlere sluttet i mottaksteamet "
        "i sommer, samtidig som antall søknader økte med om lag 15 prosent. Søknader som mangler "
        "dokumentasjon blir liggende i påvente av svar.",
        "Saksbehandlingstiden skal ned til målkravet innen tre måneder og holde seg der.",
        [
            (
                "Tilsette to saksbehandlere i mottaksteamet",
                "NAV-leder Hege Lund",
                1,
                ActionStatus.IN_PROGRESS,
            ),
            (
                "Innføre sjekkliste for dokumentasjon ved mottak av søknad",
                "Teamkoordinator mottak",
                -1,
                ActionStatus.DONE,
            ),
            (
                "Ukentlig gjennomgang av saker eldre enn 14 dager",
                "Fagkoordinator sosialhjelp",
                2,
                ActionStatus.PLANNED,
            ),
        ],
        [
            (
                -2,
                "Sjekklisten er tatt i bruk. Restansen er redusert fra 140 til 115 saker, men "
                "tiden per sak er fortsatt over målkravet.",
            ),
            (
                -1,
                "Én saksbehandler er tilsatt og starter neste måned. Saksbehandlingstiden er "
                "fortsatt over målkravet; planen videreføres.",
            ),
        ],
    ),
    (
        "indre-salten",
        "brukertilfredshet",
        -12,
        -8,
        "Brukerundersøkelsen viser misnøye med ventetid i mottaket og at brukerne ikke får "
        "time hos veileder raskt nok, særlig i Saltdal og Sørfold.",
        "Brukertilfredsheten skal tilbake over målkravet.",
        [
            ("Timebestilling via nav.no for alle veiledere", "NAV-leder", -10, ActionStatus.DONE),
            (
                "Faste kontordager i Rognan og Straumen",
                "Teamleder oppfølging",
                -9,
                ActionStatus.DONE,
            ),
        ],
        [
            (-11, "Timebestilling er innført. Ventetiden i mottaket er halvert."),
            (-10, "Faste kontordager er i gang. Brukertilfredsheten er over målkravet."),
            (-9, "Målkravet nådd to måneder på rad; planen avsluttes neste måned."),
        ],
    ),
]


def _decimal(value) -> Decimal:
    return Decimal(str(value))


def _quantize(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_scorecards(*, today: datetime.date | None = None) -> None:
    """The demo's scorecard data; the parts that are there already are left as they are."""
    with transaction.atomic():
        people = {user.username: user for user in User.objects.all()}
        offices = {office.code: office for office in Office.objects.select_related("county")}
        last = reporting_month(today)
        library = _library(people)
        _targets(people, library, offices, last, today)
        demo_offices = [offices[code] for code in _demo_office_codes() if code in offices]
        if Measurement.objects.filter(
            office__in=demo_offices, indicator__in=library.values()
        ).exists():
            return
        _kvp_2010(people, library, offices)
        _months(people, library, demo_offices, last)


def _demo_office_codes() -> list[str]:
    from navpartner.demo import OFFICES

    return [row[0] for row in OFFICES]


def _unit(key: str):
    """``"county:50"`` → (scope, county, municipality)."""
    if key == "national":
        return Level.NATIONAL, None, None
    kind, number = key.split(":")
    if kind == "county":
        return Level.COUNTY, County.objects.get(number=number), None
    return Level.MUNICIPALITY, None, Municipality.objects.filter(number=number).latest("valid_from")


def _library(people) -> dict[str, Indicator]:
    existing = {i.code: i for i in Indicator.objects.filter(code__in=[r[0] for r in INDICATORS])}
    new = []
    for position, row in enumerate(INDICATORS):
        code, name, name_en, definition, source, perspective, side, key = row[:8]
        unit, direction, decimals, valid_from, valid_to, shared, group = row[8:]
        if code in existing:
            continue
        scope, county, municipality = _unit(key)
        author = people.get(SET_BY[key])
        indicator = Indicator(
            code=code,
            name=name,
            name_en=name_en,
            definition=definition,
            source=source,
            perspective=perspective,
            side=side,
            scope=scope,
            county=county,
            municipality=municipality,
            unit=unit,
            direction=direction,
            decimals=decimals,
            valid_from=valid_from,
            valid_to=valid_to,
            shared=shared,
            group=group,
            position=position,
            created_by=author,
            updated_by=author,
        )
        indicator.full_clean()
        new.append(indicator)
    Indicator.objects.bulk_create(new)
    return {i.code: i for i in Indicator.objects.filter(code__in=[r[0] for r in INDICATORS])}


def _targets(people, library, offices, last, today) -> None:
    this_year = (today or timezone.localdate()).year
    years = sorted({period.year for period in months_back(last, MONTHS)} | {this_year})
    counties = {c.number: c for c in County.objects.all()}
    municipalities = {m.number: m for m in Municipality.objects.order_by("valid_from")}
    existing = set(
        Target.objects.filter(indicator__in=library.values()).values_list(
            "indicator", "level", "county", "municipality", "office", "year", "month"
        )
    )
    new = []
    for code, level, key, month, earlier, current, tolerance in TARGETS:
        indicator = library[code]
        unit = {
            Level.NATIONAL: {},
            Level.COUNTY: {"county": counties.get(key)},
            Level.MUNICIPALITY: {"municipality": municipalities.get(key)},
            Level.OFFICE: {"office": offices.get(key)},
        }[level]
        author = people.get(TARGET_SET_BY[level, indicator.side])
        ids = tuple(getattr(unit.get(name), "pk", None) for name in ("county", "municipality"))
        ids += (getattr(unit.get("office"), "pk", None),)
        for year in years:
            if (indicator.pk, level, *ids, year, month) in existing:
                continue
            new.append(
                Target(
                    indicator=indicator,
                    level=level,
                    year=year,
                    month=month,
                    value=_decimal(current if year == this_year else earlier),
                    tolerance=_decimal(tolerance),
                    created_by=author,
                    updated_by=author,
                    **unit,
                )
            )
    Target.objects.bulk_create(new)
    TargetHistory.objects.bulk_create(
        TargetHistory(
            target=target,
            version=1,
            value=target.value,
            tolerance=target.tolerance,
            changed_by=target.created_by,
        )
        for target in new
    )


def _writer(people, office: Office, side: str) -> User | None:
    """Who delivered the value: Trøndelag's statistics system imports state figures there;
    elsewhere the office's own staff of the side."""
    if side == STATE and office.county.number == "50" and "statistikk.klient" in people:
        return people["statistikk.klient"]
    return people.get(f"{'stat' if side == STATE else 'kommune'}.{office.code}")


def _kvp_2010(people, library, offices) -> None:
    rows = []
    for code, shares in KVP_2010_OUTCOMES.items():
        office = offices[code]
        writer = people.get(f"kommune.{code}")
        for (suffix, *_rest), share in zip(KVP_OUTCOMES, shares, strict=True):
            rows.append(
                Measurement(
                    office=office,
                    indicator=library[f"kvp-avgang-{suffix}"],
                    period=KVP_2010,
                    value=Decimal(share),
                    source=Source.FORM,
                    comment="Årsstatistikk 2010 (revisjonsrapporten tabell 1)",
                    created_by=writer,
                    updated_by=writer,
                )
            )
    _store(rows)


def _store(rows: list[Measurement]) -> None:
    """The measurements and each one's first version in the history."""
    Measurement.objects.bulk_create(rows, batch_size=1000)
    delivered = {
        period: _at(add_months(period, 1).replace(day=5)) for period in {row.period for row in rows}
    }
    MeasurementHistory.objects.bulk_create(
        (
            MeasurementHistory(
                measurement_id=row.pk,
                version=1,
                value=row.value,
                source=row.source,
                comment=row.comment,
                changed_by_id=row.created_by_id,
                changed_at=delivered[row.period],
            )
            for row in rows
        ),
        batch_size=1000,
    )


def _value(rng: random.Random, indicator, target, status=None) -> Decimal:
    """A month's value near ``target``: met, close or missed (drawn, or as ``status`` says)."""
    spread = _decimal(SPREAD[indicator.code])
    step = Decimal(1).scaleb(-indicator.decimals)
    tolerance = target.tolerance
    draw = rng.random()
    if status is None:
        status = (
            Status.MET
            if draw < MET_SHARE
            else Status.CLOSE
            if draw < CLOSE_SHARE
            else Status.MISSED
        )
    amount = _decimal(rng.random())
    if status == Status.MET:
        shortfall = -spread * amount
    elif status == Status.CLOSE and tolerance > 0:
        shortfall = step + (tolerance - step) * amount
    elif status == Status.CLOSE:
        shortfall = Decimal(0)
    else:
        shortfall = tolerance + step + spread * amount
    sign = 1 if indicator.direction == HIGH else -1
    value = _quantize(target.value - sign * shortfall, indicator.decimals)
    low, high = indicator.value_range
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value


def _months(people, library, offices: list[Office], last: datetime.date) -> None:
    """24 months of values, the submitted scorecards with their summaries and reviews, the
    reporting month's draft at Heimdal, and the action plans."""
    months = months_back(last, MONTHS)
    applies = {period: indicators_for_offices(offices, period) for period in months}
    resolver = TargetResolver(offices, library.values(), months)
    rows, statuses = [], {}
    writers = {
        (office.pk, side): getattr(_writer(people, office, side), "pk", None)
        for office in offices
        for side in (STATE, MUNICIPAL)
    }
    for office in offices:
        for period in months:
            offset = (period.year - last.year) * 12 + period.month - last.month
            if office.opened_on and month_end(period) < office.opened_on:
                continue
            for indicator in applies[period][office.pk]:
                if period == last and office.code == "heimdal" and indicator.side == MUNICIPAL:
                    continue  # the reporting month's draft: municipal values not in yet
                target = resolver.get(office, indicator, period)
                if target is None:
                    continue
                rng = random.Random(f"{office.code}:{indicator.code}:{period:%Y-%m}")  # noqa: S311 (demo data)
                forced = FORCED.get((office.code, indicator.code), {}).get(offset)
                value = _value(rng, indicator, target, forced)
                statuses[office.pk, indicator.pk, period] = compute_status(
                    value,
                    target.value,
                    tolerance=target.tolerance,
                    direction=indicator.direction,
                    decimals=indicator.decimals,
                )
                writer = writers[office.pk, indicator.side]
                rows.append(
                    Measurement(
                        office_id=office.pk,
                        indicator_id=indicator.pk,
                        period=period,
                        value=value,
                        source=Source.IMPORT if indicator.side == STATE else Source.FORM,
                        created_by_id=writer,
                        updated_by_id=writer,
                    )
                )
    _store(rows)
    scorecards = _scorecards(people, offices, months, last, applies, statuses)
    _reviews(people, offices, scorecards, add_months(last, -1))
    _action_plans(people, library, offices, scorecards, last)


def _scorecards(people, offices, months, last, applies, statuses) -> dict:
    cards = []
    for office in offices:
        leader = people.get(LEADERS.get(office.code, ""))
        for period in months:
            if office.opened_on and month_end(period) < office.opened_on:
                continue
            if period == last:
                if office.code == "heimdal":
                    cards.append(Scorecard(office=office, period=period, created_by=leader))
                continue
            cards.append(
                Scorecard(
                    office=office,
                    period=period,
                    status=ScorecardStatus.SUBMITTED,
                    submitted_by=leader,
                    submitted_at=_at(add_months(period, 1).replace(day=7), 14),
                    version=2,
                    created_by=leader,
                    updated_by=leader,
                )
            )
    Scorecard.objects.bulk_create(cards)
    lines = []
    for card in cards:
        if card.status != ScorecardStatus.SUBMITTED:
            continue
        for indicator in applies[card.period][card.office_id]:
            status = statuses.get((card.office_id, indicator.pk, card.period), Status.NO_TARGET)
            lines.append(
                ScorecardLine(scorecard_id=card.pk, indicator_id=indicator.pk, status=status)
            )
    ScorecardLine.objects.bulk_create(lines, batch_size=1000)
    return {(card.office_id, card.period): card for card in cards}


def _reviews(people, offices, scorecards, last_submitted) -> None:
    """Each side's review by whoever reviews it for the office (``services.review_sides``)."""
    from scorecards.services import review_sides

    reviewers = [
        people[a.user.username]
        for a in RoleAssignment.objects.active()
        .filter(role__in=[Role.COUNTY_DIRECTOR, Role.MUNICIPAL_EXECUTIVE])
        .select_related("user")
        .order_by("user__username")
        if a.user.username in people
    ]
    by_side = {}
    for office in offices:
        for user in reviewers:
            for side in review_sides(user, office):
                by_side.setdefault((office.pk, side), user)
    codes = {office.pk: office.code for office in offices}
    reviews = []
    for (office_id, period), card in scorecards.items():
        if card.status != ScorecardStatus.SUBMITTED:
            continue
        for side in (STATE, MUNICIPAL):
            reviewer = by_side.get((office_id, side))
            if reviewer is None:
                continue
            if period == last_submitted and (codes[office_id], side) in UNREVIEWED_LAST:
                continue
            reviews.append(
                ScorecardReview(
                    scorecard=card,
                    side=side,
                    reviewed_by=reviewer,
                    reviewed_at=_at(add_months(period, 1).replace(day=15), 11),
                )
            )
    ScorecardReview.objects.bulk_create(reviews, batch_size=1000)


def _action_plans(people, library, offices, scorecards, last) -> None:
    by_code = {office.code: office for office in offices}
    for code, indicator_code, opened, closed, analysis, goal, actions, notes in ACTION_PLANS:
        office = by_code.get(code)
        if office is None:
            continue
        author = people.get(LEADERS.get(code, "")) or people.get(f"stat.{code}")
        period = add_months(last, opened)
        plan = ActionPlan.objects.create(
            office=office,
            indicator=library[indicator_code],
            scorecard=scorecards.get((office.pk, period)),
            period=period,
            analysis=analysis,
            goal=goal,
            status=ActionPlanStatus.CLOSED if closed is not None else ActionPlanStatus.OPEN,
            closed_at=(
                _at(add_months(last, closed + 1).replace(day=12)) if closed is not None else None
            ),
            created_by=author,
            updated_by=author,
        )
        Action.objects.bulk_create(
            Action(
                plan=plan,
                description=description,
                owner=owner,
                due=month_end(add_months(last, due)),
                status=status,
                created_by=author,
                updated_by=author,
            )
            for description, owner, due, status in actions
        )
        FollowUp.objects.bulk_create(
            FollowUp(plan=plan, period=add_months(last, month), note=note, written_by=author)
            for month, note in notes
        )
