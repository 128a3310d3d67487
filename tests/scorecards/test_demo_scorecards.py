"""The demo's scorecard (scorecards/demo.py, issue 10 item 12): what ``seed_demo`` loads is
complete, consistent with the services' own rules, and tells the story it promises."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from navpartner import demo
from offices.models import Office, OfficeMunicipality
from scorecards import demo as scorecard_demo
from scorecards.models import (
    ActionPlan,
    ActionPlanStatus,
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
)
from scorecards.periods import add_months, months_back, reporting_month
from scorecards.selectors import indicators_for_offices, scorecards_for
from scorecards.services import review_sides
from scorecards.status import compute_status
from scorecards.targets import TargetResolver
from users.access import (
    delivery_offices,
    is_national_admin,
    is_statistics_client,
    side_permissions,
)
from users.models import Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

STATE_CODES = {
    "brukertilfredshet",
    "aktivitetsplan",
    "arbeidsevnevurdering",
    "overgang-arbeid",
    "sykefravaer-stat",
    "oppfolging-trondelag",
}
MUNICIPAL_CODES = {
    "sosialhjelp-saksbehandlingstid",
    "langtidsmottakere",
    "sykefravaer-kommune",
    "sosialhjelp-budsjettavvik",
    "kvp-deltakere",
    "kvp-avslutning",
}
KVP_CODES = [
    "kvp-avgang-arbeid",
    "kvp-avgang-utdanning",
    "kvp-avgang-uforetrygd",
    "kvp-avgang-aap",
    "kvp-avgang-sosialhjelp",
    "kvp-avgang-annet",
]
# The audit's table 1 (001 §5.4.2; BRIEF.md): KVP outcomes 2010 per office, percent.
AUDIT_TABLE_1 = {
    "kvp-avgang-arbeid": {"midtbyen": 63, "ostbyen": 31, "lerkendal": 31, "heimdal": 29},
    "kvp-avgang-utdanning": {"midtbyen": 11, "ostbyen": 7, "lerkendal": 0, "heimdal": 6},
    "kvp-avgang-uforetrygd": {"midtbyen": 0, "ostbyen": 2, "lerkendal": 18, "heimdal": 18},
    "kvp-avgang-aap": {"midtbyen": 24, "ostbyen": 35, "lerkendal": 31, "heimdal": 41},
    "kvp-avgang-sosialhjelp": {"midtbyen": 0, "ostbyen": 13, "lerkendal": 15, "heimdal": 0},
    "kvp-avgang-annet": {"midtbyen": 2, "ostbyen": 12, "lerkendal": 5, "heimdal": 6},
}
DEMO_CODES = STATE_CODES | MUNICIPAL_CODES | set(KVP_CODES)


@pytest.fixture
def offices(demo_data) -> list[Office]:
    codes = [row[0] for row in demo.OFFICES]
    return list(Office.objects.filter(code__in=codes).select_related("county"))


@pytest.fixture
def library(demo_data) -> dict[str, Indicator]:
    return {i.code: i for i in Indicator.objects.filter(code__in=DEMO_CODES)}


def demo_months() -> list[datetime.date]:
    return months_back(reporting_month(), scorecard_demo.MONTHS)


def test_the_library_has_both_sides_all_perspectives_and_the_listed_codes(library):
    assert set(library) == DEMO_CODES
    assert {c for c, i in library.items() if i.side == "state"} == STATE_CODES
    assert {c for c, i in library.items() if i.side == "municipal"} == MUNICIPAL_CODES | set(
        KVP_CODES
    )
    assert {i.perspective for i in library.values()} == set(Perspective.values)
    for indicator in library.values():
        assert indicator.name and indicator.name_en and indicator.definition and indicator.source
        assert indicator.created_by is not None
    assert library["oppfolging-trondelag"].scope == Level.COUNTY
    assert library["oppfolging-trondelag"].county.number == "50"
    for code in ["kvp-deltakere", "kvp-avslutning", *KVP_CODES]:
        assert library[code].scope == Level.MUNICIPALITY
        assert library[code].municipality.number == "5001"
        assert library[code].created_by.username == "radmann.trondheim"
    assert library["brukertilfredshet"].unit == "score"
    assert library["brukertilfredshet"].decimals == 1
    assert library["sykefravaer-stat"].direction == "lower"
    assert any(i.shared for i in library.values())
    assert {library[code].group for code in KVP_CODES} == {"kvp-avgang"}
    assert all(library[code].valid_to == datetime.date(2010, 12, 31) for code in KVP_CODES)


def test_targets_at_every_level_each_with_its_first_version(library):
    targets = Target.objects.filter(indicator__in=library.values())
    assert {t.level for t in targets} == set(Level.values)
    this_year = timezone.localdate().year
    kvp = targets.get(
        indicator__code="kvp-avslutning", level=Level.MUNICIPALITY, year=this_year, month=None
    )
    assert (kvp.value, kvp.tolerance) == (Decimal(98), Decimal(3))
    assert kvp.municipality.number == "5001"
    assert targets.filter(level=Level.OFFICE, office__code="heimdal").exists()
    assert targets.filter(level=Level.COUNTY, indicator__scope=Level.NATIONAL).exists()
    assert targets.filter(month__isnull=False).exists()
    national = targets.filter(level=Level.NATIONAL)
    assert {t.created_by.username for t in national} == {"direktorat.admin"}
    for year in (this_year - 1, this_year):
        assert national.filter(year=year, indicator__side="state").exists()
        assert national.filter(year=year, indicator__side="municipal").exists()
    history = TargetHistory.objects.filter(target__in=targets)
    assert history.count() == targets.count()
    assert set(history.values_list("version", flat=True)) == {1}


def test_every_office_has_24_months_of_every_applicable_indicator(offices, library):
    last = reporting_month()
    months = demo_months()
    expected = set()
    for period in months:
        for office_id, indicators in indicators_for_offices(offices, period).items():
            expected |= {(office_id, i.pk, period) for i in indicators}
    heimdal = next(o for o in offices if o.code == "heimdal")
    draft = {
        (heimdal.pk, i.pk, last)
        for i in indicators_for_offices([heimdal], last)[heimdal.pk]
        if i.side == "municipal"
    }
    assert draft  # Heimdal's municipal values for the reporting month are not in yet
    stored = set(
        Measurement.objects.filter(
            office__in=offices, indicator__in=library.values(), period__gte=months[0]
        ).values_list("office", "indicator", "period")
    )
    assert stored == expected - draft
    # Heimdal's state values for the reporting month are there.
    assert any(o == heimdal.pk and p == last for o, _i, p in stored)
    for office in offices:
        assert {p for o, _i, p in stored if o == office.pk} == set(months), office.code


def test_values_have_their_first_version_and_source(offices, library):
    rows = Measurement.objects.filter(office__in=offices, indicator__in=library.values())
    history = MeasurementHistory.objects.filter(measurement__in=rows)
    assert history.count() == rows.count()
    assert set(history.values_list("version", flat=True)) == {1}
    assert not history.filter(changed_by__isnull=True).exists()
    recent = rows.filter(period__gte=demo_months()[0])
    assert set(recent.filter(indicator__side="state").values_list("source", flat=True)) == {
        Source.IMPORT
    }
    assert set(recent.filter(indicator__side="municipal").values_list("source", flat=True)) == {
        Source.FORM
    }
    for measurement in recent.select_related("indicator")[:500]:
        low, high = measurement.indicator.value_range
        assert low is None or measurement.value >= low
        assert high is None or measurement.value <= high


def test_the_kvp_outcomes_of_2010_are_the_audits_table_exactly(library):
    rows = Measurement.objects.filter(indicator__code__in=KVP_CODES).select_related(
        "office", "indicator"
    )
    table = defaultdict(dict)
    for row in rows:
        assert row.period == datetime.date(2010, 12, 1)
        table[row.indicator.code][row.office.code] = row.value
    assert table == AUDIT_TABLE_1
    for office in ("midtbyen", "ostbyen", "lerkendal", "heimdal"):
        assert sum(column[office] for column in table.values()) == 100


def test_offices_have_opened_and_trondheim_served_the_city_by_november_2008(offices):
    for office in offices:
        assert office.opened_on == demo.OPENED_ON[office.code]
    for code in ("heimdal", "lerkendal", "midtbyen", "ostbyen"):
        office = next(o for o in offices if o.code == code)
        assert office.opened_on <= datetime.date(2008, 11, 21)
        first = OfficeMunicipality.objects.filter(office=office).order_by("valid_from").first()
        assert first.municipality.number == "5001"
        assert first.valid_from <= office.opened_on


def test_submitted_scorecards_have_the_summary_submit_would_write(offices, library):
    last = reporting_month()
    months = demo_months()[:-1]
    cards = Scorecard.objects.filter(office__in=offices, period__in=months)
    assert cards.count() == len(offices) * len(months)
    assert set(cards.values_list("status", flat=True)) == {ScorecardStatus.SUBMITTED}
    leaders = dict(
        cards.filter(office__code__in=["heimdal", "indre-salten"]).values_list(
            "office__code", "submitted_by__username"
        )
    )
    assert leaders == {"heimdal": "leder.heimdal", "indre-salten": "leder.indre-salten"}
    lines = defaultdict(dict)
    for line in ScorecardLine.objects.filter(scorecard__in=cards).select_related("scorecard"):
        lines[line.scorecard.office_id, line.scorecard.period][line.indicator_id] = line.status
    values = {
        (m.office_id, m.indicator_id, m.period): m.value
        for m in Measurement.objects.filter(office__in=offices, period__in=months)
    }
    resolver = TargetResolver(offices, library.values(), months)
    for period in months:
        for office in offices:
            indicators = indicators_for_offices([office], period)[office.pk]
            summary = lines[office.pk, period]
            assert set(summary) == {i.pk for i in indicators}, (office.code, period)
            for indicator in indicators:
                target = resolver.get(office, indicator, period)
                expected = compute_status(
                    values.get((office.pk, indicator.pk, period)),
                    target.value if target else None,
                    tolerance=target.tolerance if target else 0,
                    direction=indicator.direction,
                    decimals=indicator.decimals,
                )
                assert summary[indicator.pk] == expected
    statuses = [s for summary in lines.values() for s in summary.values()]
    assert Status.MISSING not in statuses
    met, missed = statuses.count(Status.MET), statuses.count(Status.MISSED)
    assert met > len(statuses) / 2
    assert 0 < missed < len(statuses) / 5
    assert Status.CLOSE in statuses
    # The reporting month: Heimdal's draft, nobody has submitted yet.
    now = Scorecard.objects.filter(office__in=offices, period=last)
    assert list(now.values_list("office__code", "status")) == [("heimdal", ScorecardStatus.DRAFT)]


def test_reviews_by_each_sides_authority_but_for_a_few_last_months(offices):
    last_submitted = add_months(reporting_month(), -1)
    reviews = ScorecardReview.objects.filter(scorecard__office__in=offices).select_related(
        "scorecard__office", "reviewed_by"
    )
    assert reviews.count() > 300
    allowed = {}
    for review in reviews:
        key = (review.scorecard.office.code, review.reviewed_by.username)
        if key not in allowed:
            allowed[key] = review_sides(review.reviewed_by, review.scorecard.office)
        assert review.side in allowed[key]
    sides = {"state": "fylkesdirektor.trondelag", "municipal": "radmann.trondheim"}
    heimdal = {
        (r.scorecard.period, r.side): r.reviewed_by.username
        for r in reviews
        if r.scorecard.office.code == "heimdal"
    }
    earlier = add_months(last_submitted, -1)
    assert {side: heimdal[earlier, side] for side in sides} == sides
    assert heimdal[last_submitted, "state"] == "fylkesdirektor.trondelag"
    assert (last_submitted, "municipal") not in heimdal


def test_missed_indicators_with_and_without_an_action_plan(offices, people):
    previous = add_months(reporting_month(), -1)
    missed = {
        (line.scorecard.office.code, line.indicator.code)
        for line in ScorecardLine.objects.filter(
            scorecard__period=previous, status=Status.MISSED
        ).select_related("scorecard__office", "indicator")
    }
    assert ("heimdal", "sosialhjelp-saksbehandlingstid") in missed
    assert ("lerkendal", "aktivitetsplan") in missed
    plan = ActionPlan.objects.get(
        office__code="heimdal",
        indicator__code="sosialhjelp-saksbehandlingstid",
        status=ActionPlanStatus.OPEN,
    )
    assert plan.analysis and plan.goal
    assert plan.scorecard.period == plan.period < previous
    assert plan.actions.count() == 3
    assert all(a.owner and a.due and a.status for a in plan.actions.all())
    assert plan.follow_ups.count() == 2
    assert not ActionPlan.objects.filter(
        office__code="lerkendal", indicator__code="aktivitetsplan"
    ).exists()
    closed = ActionPlan.objects.filter(status=ActionPlanStatus.CLOSED)
    assert closed.exclude(closed_at=None).exists()
    # The dashboard's view: the county director sees both, one with and one without a plan.
    director = people["fylkesdirektor.trondelag"]
    trondheim = [o for o in offices if o.code in ("heimdal", "lerkendal")]
    cards = scorecards_for(director, trondheim, previous)
    lines = {
        (card.office.code, line.indicator.code): line
        for card in cards.values()
        for line in card.lines
    }
    assert lines["lerkendal", "aktivitetsplan"].needs_action_plan
    with_plan = lines["heimdal", "sosialhjelp-saksbehandlingstid"]
    assert with_plan.is_missed and with_plan.action_plan == plan


def test_the_directorate_and_the_statistics_system(offices):
    admin = User.objects.get(username="direktorat.admin")
    assert is_national_admin(admin)
    assert admin.employer_side == "state"
    client = User.objects.get(username="statistikk.klient")
    roles = RoleAssignment.objects.active().filter(user=client)
    assert [(r.role, r.county.number, r.office, r.municipality) for r in roles] == [
        (Role.STATISTICS_CLIENT, "50", None, None)
    ]
    assert is_statistics_client(client)
    assert len(side_permissions(client)) == 0
    assert set(delivery_offices(client).values_list("pk", flat=True)) == {
        o.pk for o in offices if o.county.number == "50"
    }


def test_seeding_again_changes_nothing(demo_data):
    models = [Indicator, Target, TargetHistory, Measurement, MeasurementHistory, Scorecard]
    models += [ScorecardLine, ScorecardReview, ActionPlan]
    before = [model.objects.count() for model in models]
    scorecard_demo.seed_scorecards()
    assert [model.objects.count() for model in models] == before
