"""``scorecards/comparison.py``: the ranking of offices (direction, ties, missing values, values
compared as shown), who is ranked (rule 7), and constant queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from offices.models import Office
from scorecards.comparison import compare, group_table, office_history, rank_values
from scorecards.models import Indicator, Measurement, Target
from scorecards.periods import add_months, reporting_month
from tests import factories
from users.models import User

MONTH = add_months(reporting_month(), -2)


# --- rank_values (no database) -----------------------------------------------------------------


def test_higher_is_better_best_first():
    values = [("a", Decimal(50)), ("b", Decimal(90)), ("c", Decimal(70))]
    assert rank_values(values, "higher") == [("b", 1), ("c", 2), ("a", 3)]


def test_lower_is_better_best_first():
    values = [("a", Decimal(50)), ("b", Decimal(90)), ("c", Decimal(70))]
    assert rank_values(values, "lower") == [("a", 1), ("c", 2), ("b", 3)]


def test_ties_share_a_rank_and_the_next_is_skipped():
    values = [("a", Decimal(80)), ("b", Decimal(90)), ("c", Decimal(80)), ("d", Decimal(70))]
    assert rank_values(values, "higher") == [("b", 1), ("a", 2), ("c", 2), ("d", 4)]
    assert rank_values(values, "lower") == [("d", 1), ("a", 2), ("c", 2), ("b", 4)]


def test_ties_keep_the_given_order():
    values = [("z", Decimal(5)), ("a", Decimal(5))]
    assert rank_values(values, "higher") == [("z", 1), ("a", 1)]


def test_missing_values_come_last_unranked_in_the_given_order():
    values = [("a", None), ("b", Decimal(1)), ("c", None), ("d", Decimal(2))]
    for direction in ("higher", "lower"):
        ranked = rank_values(values, direction)
        assert ranked[2:] == [("a", None), ("c", None)]
        assert [rank for _, rank in ranked[:2]] == [1, 2]


def test_values_are_compared_as_shown():
    # 97.96 and 98.04 both show as "98.0" with one decimal: a tie, as the card shows them
    values = [("a", Decimal("97.96")), ("b", Decimal("98.04")), ("c", Decimal("97.94"))]
    assert rank_values(values, "higher", decimals=1) == [("a", 1), ("b", 1), ("c", 3)]
    assert rank_values(values, "higher", decimals=2) == [("b", 1), ("a", 2), ("c", 3)]


def test_nothing_to_rank():
    assert rank_values([], "higher") == []
    assert rank_values([("a", None)], "lower") == [("a", None)]


# --- compare, group_table, office_history (database) ---------------------------------------------


def make_indicator(code, **fields):
    defaults = {
        "name": code,
        "name_en": code,
        "definition": "d",
        "source": "s",
        "perspective": "productivity",
        "side": "state",
        "scope": "national",
        "unit": "percent",
        "direction": "higher",
        "valid_from": datetime.date(2000, 1, 1),
    }
    return Indicator.objects.create(code=code, **{**defaults, **fields})


def put(office_code, indicator, value, period=MONTH):
    Measurement.objects.create(
        office=Office.objects.get(code=office_code),
        indicator=indicator,
        period=period,
        value=Decimal(value),
        source="form",
    )


@pytest.fixture
def director(demo_data):
    return User.objects.get(username="fylkesdirektor.trondelag")


@pytest.mark.django_db
def test_compare_ranks_statuses_and_marks_own(director):
    indicator = make_indicator("t-cmp", direction="lower", unit="days")
    Target.objects.create(
        indicator=indicator, level="national", year=MONTH.year, value=20, tolerance=2
    )
    put("heimdal", indicator, "21")
    put("lerkendal", indicator, "15")
    put("midtbyen", indicator, "30")
    result = compare(director, indicator, MONTH)
    rows = {row.office.code: row for row in result.rows}
    assert [row.office.code for row in result.rows][:3] == ["lerkendal", "heimdal", "midtbyen"]
    assert (rows["lerkendal"].status, rows["heimdal"].status, rows["midtbyen"].status) == (
        "met",
        "close",
        "missed",
    )
    assert rows["ostbyen"].rank is None and rows["ostbyen"].status == "missing"
    assert not any(row.is_own for row in result.rows)  # the director works at no office
    assert [row.office.code for row in result.best] == ["lerkendal", "heimdal", "midtbyen"]
    leader = User.objects.get(username="leder.heimdal")
    own = compare(leader, indicator, MONTH)
    assert [(row.office.code, row.is_own) for row in own.rows] == [("heimdal", True)]


@pytest.mark.django_db
def test_compare_leaves_out_the_other_side_and_offices_the_indicator_does_not_cover(director):
    from offices.models import County

    trondelag_only = make_indicator(
        "t-cmp-county", scope="county", county=County.objects.get(number="50")
    )
    put("heimdal", trondelag_only, "50")
    nordland = User.objects.get(username="fylkesdirektor.nordland")
    result = compare(nordland, trondelag_only, MONTH)
    assert result.values_shared and result.rows == []
    municipal = make_indicator("t-cmp-muni", side="municipal")
    put("heimdal", municipal, "50")
    result = compare(director, municipal, MONTH)
    assert not result.values_shared and result.rows == []


@pytest.mark.django_db
def test_office_history_values_or_statuses(director):
    indicator = make_indicator("t-hist")
    put("heimdal", indicator, "64", period=add_months(MONTH, -1))
    heimdal = Office.objects.get(code="heimdal")
    history = office_history(director, heimdal, indicator, MONTH, months=3)
    assert history.values_visible
    assert [m.value for m in history.months] == [None, Decimal(64), None]
    radmann = User.objects.get(username="radmann.trondheim")
    statuses = office_history(radmann, heimdal, indicator, MONTH, months=3)
    assert not statuses.values_visible
    assert all(m.value is None for m in statuses.months)
    nordland = User.objects.get(username="fylkesdirektor.nordland")
    assert office_history(nordland, heimdal, indicator, MONTH) is None


def add_offices(count: int, prefix: str) -> list[Office]:
    offices = []
    for index in range(count):
        office = factories.OfficeFactory(code=f"{prefix}-{index}", county=factories.county("50"))
        factories.OfficeMunicipalityFactory(office=office, valid_from=datetime.date(2000, 1, 1))
        offices.append(office)
    return offices


@pytest.mark.django_db
def test_compare_and_group_table_queries_are_constant(director):
    indicator = make_indicator("t-cmp-count", group="t-cmp-group")
    put("heimdal", indicator, "50")

    def queries(function):
        with CaptureQueriesContext(connection) as captured:
            function()
        return len(captured)

    def ranking():
        return compare(director, indicator, MONTH)

    def table():
        return group_table(director, [indicator], MONTH)

    before = (queries(ranking), queries(table))
    for office in add_offices(5, "t-cmp"):
        put(office.code, indicator, "60")
    assert len(ranking().rows) >= 11
    assert len(table().offices) >= 11
    assert (queries(ranking), queries(table)) == before
