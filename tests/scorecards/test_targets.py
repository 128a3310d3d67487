"""Target resolution (issue 10): the most specific target applies — office > municipality (the
host first, else the lowest number) > county > national; a month's target beats the year's
within a level; a target of another unit or another year never applies; TargetResolver answers
for many offices from two queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from offices.models import Municipality, OfficeMunicipality
from scorecards.models import Level
from scorecards.targets import TargetResolver, applied_target
from tests.factories import OfficeFactory, county
from tests.scorecards.conftest import new_indicator, new_target

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2025, 6, 1)
YEAR = PERIOD.year


def municipality(number):
    return Municipality.objects.valid_on(PERIOD).get(number=number)


def every_level(indicator, office, municipality_number, *, month=None, skip=()):
    """A target at each level for ``office``; values 10 (national) … 40 (office)."""
    levels = {
        Level.NATIONAL: (10, {}),
        Level.COUNTY: (20, {"county": office.county}),
        Level.MUNICIPALITY: (30, {"municipality": municipality(municipality_number)}),
        Level.OFFICE: (40, {"office": office}),
    }
    for level, (value, unit) in levels.items():
        if level not in skip:
            new_target(indicator, value, year=YEAR, month=month, level=level, **unit)


def value_of(office, indicator, period=PERIOD):
    target = applied_target(office, indicator, period)
    return None if target is None else target.value


def test_office_beats_municipality_beats_county_beats_national(heimdal):
    indicator = new_indicator(side="municipal")
    every_level(indicator, heimdal, "5001")
    applied = applied_target(heimdal, indicator, PERIOD)
    assert (applied.value, applied.level) == (Decimal(40), Level.OFFICE)
    for removed, expected in [
        (Level.OFFICE, (Decimal(30), Level.MUNICIPALITY)),
        (Level.MUNICIPALITY, (Decimal(20), Level.COUNTY)),
        (Level.COUNTY, (Decimal(10), Level.NATIONAL)),
    ]:
        indicator.targets.filter(level=removed).delete()
        applied = applied_target(heimdal, indicator, PERIOD)
        assert (applied.value, applied.level) == expected
    indicator.targets.all().delete()
    assert applied_target(heimdal, indicator, PERIOD) is None


def test_state_indicator_county_beats_national(heimdal):
    indicator = new_indicator(side="state")
    new_target(indicator, 10, year=YEAR)
    new_target(indicator, 20, year=YEAR, level=Level.COUNTY, county=heimdal.county)
    assert value_of(heimdal, indicator) == Decimal(20)


def test_office_serving_several_municipalities_takes_the_hosts(offices):
    """Indre Salten serves five municipalities with Fauske (1841) the host: Fauske's target
    applies, even where a municipality with a lower number has one too."""
    indre_salten = offices["indre-salten"]
    served = set(
        OfficeMunicipality.objects.filter(office=indre_salten).values_list(
            "municipality__number", flat=True
        )
    )
    assert {"1841", "1840", "1839"} <= served
    indicator = new_indicator(side="municipal")
    new_target(indicator, 10, year=YEAR)
    for number, value in [("1839", 39), ("1840", 40), ("1841", 41)]:
        new_target(
            indicator, value, year=YEAR, level=Level.MUNICIPALITY, municipality=municipality(number)
        )
    assert value_of(indre_salten, indicator) == Decimal(41)
    # Without the host's: the lowest number among those served.
    indicator.targets.filter(municipality__number="1841").delete()
    assert value_of(indre_salten, indicator) == Decimal(39)
    # Still beaten by the office's own.
    new_target(indicator, 99, year=YEAR, level=Level.OFFICE, office=indre_salten)
    assert value_of(indre_salten, indicator) == Decimal(99)


def test_office_without_a_host_takes_the_lowest_number(demo_data):
    office = OfficeFactory(code="t-two-municipalities", county=county("50"))
    for number in ("5035", "5001", "5031"):
        OfficeMunicipality.objects.create(
            office=office,
            municipality=municipality(number),
            valid_from=datetime.date(2000, 1, 1),
        )
    indicator = new_indicator(side="municipal")
    for number in ("5035", "5031", "5001"):
        new_target(
            indicator,
            int(number[-2:]),
            year=YEAR,
            level=Level.MUNICIPALITY,
            municipality=municipality(number),
        )
    assert value_of(office, indicator) == Decimal(1)  # 5001


def test_a_municipality_the_office_no_longer_serves_does_not_apply(demo_data):
    office = OfficeFactory(code="t-moved", county=county("50"))
    OfficeMunicipality.objects.create(
        office=office,
        municipality=municipality("5001"),
        valid_from=datetime.date(2000, 1, 1),
        valid_to=datetime.date(YEAR, 3, 31),
    )
    OfficeMunicipality.objects.create(
        office=office, municipality=municipality("5031"), valid_from=datetime.date(YEAR, 4, 1)
    )
    indicator = new_indicator(side="municipal")
    new_target(indicator, 1, year=YEAR, level=Level.MUNICIPALITY, municipality=municipality("5001"))
    new_target(
        indicator, 31, year=YEAR, level=Level.MUNICIPALITY, municipality=municipality("5031")
    )
    assert value_of(office, indicator, datetime.date(YEAR, 3, 1)) == Decimal(1)
    assert value_of(office, indicator, datetime.date(YEAR, 4, 1)) == Decimal(31)


@pytest.mark.parametrize("level", [Level.NATIONAL, Level.COUNTY, Level.MUNICIPALITY, Level.OFFICE])
def test_the_months_target_beats_the_years_within_a_level(heimdal, level):
    indicator = new_indicator(side="municipal")
    unit = {
        Level.NATIONAL: {},
        Level.COUNTY: {"county": heimdal.county},
        Level.MUNICIPALITY: {"municipality": municipality("5001")},
        Level.OFFICE: {"office": heimdal},
    }[level]
    new_target(indicator, 50, year=YEAR, level=level, **unit)
    new_target(indicator, 55, year=YEAR, month=PERIOD.month, level=level, **unit)
    assert value_of(heimdal, indicator) == Decimal(55)
    # Another month of the year keeps the year's target.
    assert value_of(heimdal, indicator, datetime.date(YEAR, 7, 1)) == Decimal(50)


def test_a_more_specific_levels_year_target_beats_a_wider_levels_month_target(heimdal):
    indicator = new_indicator(side="state")
    new_target(indicator, 10, year=YEAR, month=PERIOD.month)
    new_target(indicator, 20, year=YEAR, level=Level.COUNTY, county=heimdal.county)
    assert value_of(heimdal, indicator) == Decimal(20)


def test_targets_of_other_units_never_apply(offices):
    heimdal, lerkendal = offices["heimdal"], offices["lerkendal"]
    indicator = new_indicator(side="municipal")
    new_target(indicator, 10, year=YEAR)
    new_target(indicator, 18, year=YEAR, level=Level.COUNTY, county=county("18"))
    new_target(
        indicator, 31, year=YEAR, level=Level.MUNICIPALITY, municipality=municipality("5031")
    )
    new_target(indicator, 77, year=YEAR, level=Level.OFFICE, office=lerkendal)
    assert value_of(heimdal, indicator) == Decimal(10)
    assert value_of(lerkendal, indicator) == Decimal(77)
    assert value_of(offices["malvik"], indicator) == Decimal(31)
    assert value_of(offices["narvik"], indicator) == Decimal(18)


def test_targets_of_another_year_never_apply(heimdal):
    indicator = new_indicator()
    new_target(indicator, 60, year=YEAR - 1)
    new_target(indicator, 61, year=YEAR - 1, month=PERIOD.month)
    new_target(indicator, 62, year=YEAR + 1, month=PERIOD.month)
    assert applied_target(heimdal, indicator, PERIOD) is None
    assert value_of(heimdal, indicator, datetime.date(YEAR - 1, PERIOD.month, 1)) == Decimal(61)
    assert value_of(heimdal, indicator, datetime.date(YEAR - 1, 1, 1)) == Decimal(60)


def test_another_indicators_target_never_applies(heimdal):
    indicator, other = new_indicator(), new_indicator()
    new_target(other, 70, year=YEAR)
    assert applied_target(heimdal, indicator, PERIOD) is None


def test_the_tolerance_comes_with_the_target(heimdal):
    indicator = new_indicator()
    new_target(indicator, 80, year=YEAR, tolerance="2.5")
    applied = applied_target(heimdal, indicator, PERIOD)
    assert applied.tolerance == Decimal("2.5")
    assert applied.target_id == indicator.targets.get().pk


def test_resolver_for_many_offices_indicators_and_months_costs_two_queries(offices):
    indicators = [new_indicator(side=side) for side in ("state", "municipal") for _ in range(3)]
    for indicator in indicators:
        new_target(indicator, 10, year=YEAR)
        new_target(indicator, 11, year=YEAR - 1)
        for office in offices.values():
            new_target(indicator, 20, year=YEAR, level=Level.OFFICE, office=office)
    months = [datetime.date(YEAR, m, 1) for m in range(1, 13)]
    months += [datetime.date(YEAR - 1, m, 1) for m in range(1, 13)]
    everyone = list(offices.values())
    with CaptureQueriesContext(connection) as queries:
        resolver = TargetResolver(everyone, indicators, months)
        for office in everyone:
            for indicator in indicators:
                assert resolver.get(office, indicator, PERIOD).value == Decimal(20)
                assert resolver.get(office, indicator, datetime.date(YEAR - 1, 5, 1)).value == (
                    Decimal(11)
                )
    assert len(queries) == 2
    with CaptureQueriesContext(connection) as few:
        TargetResolver(everyone[:1], indicators[:1], months[:1]).get(
            everyone[0], indicators[0], months[0]
        )
    assert len(few) == 2


def test_resolver_with_nothing_asked_costs_nothing(heimdal):
    with CaptureQueriesContext(connection) as queries:
        resolver = TargetResolver([heimdal], [], [PERIOD])
    assert len(queries) == 0
    assert resolver.municipalities_of(heimdal.pk, PERIOD) == []
