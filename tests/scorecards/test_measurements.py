"""record_measurements, the one write path of values (issue 10, "Bad input"): every bad row is
reported with its line and field and nothing is stored — no value, no history, no audit event;
a success writes history and one audit event per office and side."""

import datetime
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.utils.translation import gettext as _

from offices.models import Office
from scorecards.measurements import MeasurementErrors, MeasurementRow, record_measurements
from scorecards.models import Level, Measurement, MeasurementHistory
from scorecards.periods import add_months, current_month, format_period, reporting_month
from tests.factories import UserFactory
from tests.scorecards.conftest import new_indicator, quiet_month
from users.models import AuditAction, AuditEvent, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

MONTH = quiet_month()
M = format_period(MONTH)


def counts():
    return (
        Measurement.objects.count(),
        MeasurementHistory.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(user, rows, **kwargs) -> list[tuple[int, str]]:
    """The (line, field) of each error; asserts that nothing at all was stored."""
    before = counts()
    with pytest.raises(MeasurementErrors) as caught:
        record_measurements(user=user, rows=rows, source=kwargs.pop("source", "import"), **kwargs)
    assert counts() == before
    return [(error.line, error.field) for error in caught.value.errors]


def messages(error: MeasurementErrors) -> list[str]:
    return [e.message for e in error.errors]


@pytest.fixture
def t(demo_data, offices):
    """Indicators of every unit kind, and the writers."""
    trondelag, nordland = offices["heimdal"].county, offices["narvik"].county
    from offices.models import Municipality

    trondheim = Municipality.objects.valid_on(MONTH).get(number="5001")
    malvik = Municipality.objects.valid_on(MONTH).get(number="5031")

    class T:
        percent = new_indicator(unit="percent", decimals=1)
        score = new_indicator(unit="score", decimals=1)
        days = new_indicator(unit="days", side="municipal", direction="lower")
        nok = new_indicator(unit="nok", side="municipal", direction="lower")
        count = new_indicator(unit="count", side="municipal")
        county_50 = new_indicator(scope=Level.COUNTY, county=trondelag)
        county_18 = new_indicator(scope=Level.COUNTY, county=nordland)
        trondheim_only = new_indicator(
            side="municipal", scope=Level.MUNICIPALITY, municipality=trondheim
        )
        malvik_only = new_indicator(side="municipal", scope=Level.MUNICIPALITY, municipality=malvik)
        ended = new_indicator(valid_to=add_months(MONTH, -1))
        later = new_indicator(valid_from=add_months(MONTH, 1))
        leader = User.objects.get(username="leder.heimdal")
        state = User.objects.get(username="stat.heimdal")
        municipal = User.objects.get(username="kommune.heimdal")

    return T


def row(line, indicator, value, *, office="heimdal", period=M, **kw):
    code = indicator if isinstance(indicator, str) else indicator.code
    return MeasurementRow(line, office, code, period, value, **kw)


@pytest.mark.parametrize(
    ("which", "value"),
    [
        ("percent", "abc"),
        ("percent", "12.5%"),
        ("percent", "1e3"),
        ("percent", "NaN"),
        ("percent", "Infinity"),
        ("percent", ""),
        ("percent", None),
        ("percent", True),
        ("percent", "100.1"),
        ("percent", "-0.1"),
        ("score", "7"),
        ("score", "0"),
        ("score", "6.01"),
        ("days", "-1"),
        ("count", "-3"),
        ("percent", "1.23456"),
        ("nok", "12345678901"),
    ],
)
def test_a_bad_value_is_refused_on_its_line(t, which, value):
    rows = [
        row(1, t.percent, "50"),
        row(2, getattr(t, which), value, period=format_period(add_months(MONTH, -1))),
    ]
    assert refused(t.leader, rows) == [(2, "value")]


@pytest.mark.parametrize(
    ("which", "value"),
    [
        ("percent", "100"),
        ("percent", "0"),
        ("score", "1"),
        ("score", "6"),
        ("days", "0"),
        ("nok", "-250000"),
        ("percent", "1.2345"),
    ],
)
def test_the_units_edges_are_accepted(t, which, value):
    result = record_measurements(
        user=t.leader, rows=[row(1, getattr(t, which), value)], source="form"
    )
    assert result.created == 1
    assert result.measurements[0].value == Decimal(value)


def test_norwegian_decimal_comma_and_spaces(t):
    result = record_measurements(
        user=t.leader,
        rows=[
            row(1, t.percent, "12,5"),
            row(2, t.nok, "-1 250 000,50"),
            row(3, t.days, "\u00a014,25 "),
        ],
        source="import",
    )
    values = sorted(m.value for m in result.measurements)
    assert values == [Decimal("-1250000.50"), Decimal("12.5"), Decimal("14.25")]


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ("2026-13", "period"),
        ("2026-00", "period"),
        ("2026-1", "period"),
        ("november", "period"),
        ("", "period"),
        (format_period(add_months(current_month(), 1)), "period"),
        (format_period(add_months(current_month(), 25)), "period"),
    ],
)
def test_a_bad_or_future_month_is_refused(t, period, field):
    assert refused(t.leader, [row(1, t.percent, "50", period=period)]) == [(1, field)]


def test_the_current_month_has_begun_and_is_accepted(t):
    rows = [row(1, t.percent, "50", period=format_period(current_month()))]
    assert record_measurements(user=t.leader, rows=rows, source="form").created == 1


def test_months_before_the_office_opened_and_after_it_closed(t, heimdal):
    Office.objects.filter(pk=heimdal.pk).update(
        opened_on=datetime.date(MONTH.year - 2, 3, 15), closed_on=datetime.date(MONTH.year, 1, 31)
    )
    opened_month = f"{MONTH.year - 2}-03"
    rows = [
        row(1, t.percent, "50", period=f"{MONTH.year - 2}-02"),  # before it opened
        row(2, t.percent, "50", period=opened_month),  # opened mid-month: accepted
        row(3, t.percent, "50", period=f"{MONTH.year}-01"),  # closed at its end: accepted
        row(4, t.percent, "50", period=f"{MONTH.year}-02"),  # after it closed
    ]
    assert refused(t.leader, rows) == [(1, "period"), (4, "period")]
    stored = record_measurements(user=t.leader, rows=rows[1:3], source="import")
    assert stored.created == 2


def test_indicators_that_do_not_cover_the_office_or_month(t):
    rows = [
        row(1, t.ended, "50"),
        row(2, t.later, "50"),
        row(3, t.county_18, "50"),  # a Nordland indicator at Heimdal
        row(4, t.malvik_only, "5"),  # Heimdal serves Trondheim, not Malvik
        row(5, t.county_50, "50"),  # fine
        row(6, t.trondheim_only, "5"),  # fine
    ]
    assert refused(t.leader, rows) == [(n, "indicator") for n in (1, 2, 3, 4)]
    assert record_measurements(user=t.leader, rows=rows[4:], source="import").created == 2


def test_unknown_office_and_indicator(t):
    rows = [row(1, t.percent, "50", office="nav-atlantis"), row(2, "t-no-such", "50")]
    assert refused(t.leader, rows) == [(1, "office"), (2, "indicator")]


def test_a_duplicate_row_names_the_first_line(t):
    rows = [row(3, t.percent, "50"), row(4, t.score, "4"), row(9, t.percent, "51")]
    with pytest.raises(MeasurementErrors) as caught:
        record_measurements(user=t.leader, rows=rows, source="import")
    assert [(e.line, e.field) for e in caught.value.errors] == [(9, "period")]
    assert caught.value.errors[0].message == _(
        "The same office, indicator and month as line %(line)d."
    ) % {"line": 3}
    assert not Measurement.objects.filter(indicator__code__startswith="t-").exists()


def test_no_permission_for_that_side_or_office(t):
    # State staff may not change municipal values (the delegation is to view), nor another
    # office's; municipal staff not state values.
    rows = [
        row(1, t.percent, "50"),
        row(2, t.days, "5"),
        row(3, t.percent, "50", office="lerkendal"),
    ]
    assert refused(t.state, rows) == [(2, "office"), (3, "office")]
    assert refused(t.municipal, rows) == [(1, "office"), (3, "office")]
    for username in ("radmann.trondheim", "fylkesdirektor.nordland", "stat.lerkendal"):
        user = User.objects.get(username=username)
        assert (1, "office") in refused(user, rows[:1]), username


def test_the_other_sides_authority_cannot_write(t):
    director = User.objects.get(username="fylkesdirektor.trondelag")
    executive = User.objects.get(username="radmann.trondheim")
    assert refused(director, [row(1, t.days, "5")]) == [(1, "office")]
    assert refused(executive, [row(1, t.percent, "5")]) == [(1, "office")]
    assert record_measurements(user=director, rows=[row(1, t.percent, "5")], source="api").created
    assert record_measurements(user=executive, rows=[row(1, t.days, "5")], source="api").created


def test_every_error_is_reported_and_nothing_stored(t):
    """Good rows among bad ones: all errors come back together, not a single value stays."""
    future = format_period(add_months(current_month(), 1))
    rows = [
        row(1, t.percent, "50"),
        row(2, t.percent, "abc", period=format_period(add_months(MONTH, -1))),
        row(3, t.score, "7"),
        row(4, t.days, "-1"),
        row(5, t.percent, "1.23456", period=format_period(add_months(MONTH, -2))),
        row(6, t.count, "5", period=future),
        row(7, t.count, "5", period="2026-13"),
        row(8, t.county_18, "50"),
        row(9, t.malvik_only, "5"),
        row(10, t.percent, "50", office="nope"),
        row(11, "t-nope", "50"),
        row(12, t.percent, "51"),
        row(13, t.nok, "5"),
        row(14, t.percent, "x", comment="y" * 501, period=format_period(add_months(MONTH, -3))),
    ]
    before = counts()
    with pytest.raises(MeasurementErrors) as caught:
        record_measurements(user=t.leader, rows=rows, source="import")
    assert counts() == before
    found = [(e.line, e.field) for e in caught.value.errors]
    assert found == [
        (2, "value"),
        (3, "value"),
        (4, "value"),
        (5, "value"),
        (6, "period"),
        (7, "period"),
        (8, "indicator"),
        (9, "indicator"),
        (10, "office"),
        (11, "indicator"),
        (12, "period"),
        (14, "comment"),
        (14, "value"),
    ]
    assert all(e.message for e in caught.value.errors)
    listed = caught.value.as_list()
    assert listed[0] == {"line": 2, "field": "value", "message": caught.value.errors[0].message}


def test_ten_thousand_rows_with_one_bad_row(t, offices):
    """A whole county's import of ~10,000 rows with one bad value: one error on that line,
    nothing stored."""
    director = User.objects.get(username="fylkesdirektor.trondelag")
    county_offices = [o for o in offices.values() if o.county_id == offices["heimdal"].county_id]
    indicators = [new_indicator(decimals=1) for _ in range(25)]
    per_month = len(county_offices) * len(indicators)
    latest = reporting_month()
    earliest_open = max(
        (o.opened_on for o in county_offices if o.opened_on), default=datetime.date(2000, 1, 1)
    )
    months = [add_months(latest, -k) for k in range(math.ceil(10_000 / per_month))]
    assert months[-1] >= earliest_open.replace(day=1)
    rows = []
    for period in months:
        for office in county_offices:
            for indicator in indicators:
                rows.append(
                    MeasurementRow(
                        len(rows) + 2,  # a CSV's line, after its header
                        office.code,
                        indicator.code,
                        format_period(period),
                        f"{(len(rows) % 1000) / 10:.1f}".replace(".", ","),
                    )
                )
    assert len(rows) >= 10_000
    bad_line = rows[len(rows) // 2].line
    rows[len(rows) // 2].value = "12,3,4"
    assert refused(director, rows) == [(bad_line, "value")]
    assert not Measurement.objects.filter(indicator__in=indicators).exists()
    # Without the bad row all of them are stored, in a few bulk statements.
    rows[len(rows) // 2].value = "12,3"
    result = record_measurements(user=director, rows=rows, source="import")
    assert result.created == len(rows)
    assert Measurement.objects.filter(indicator__in=indicators).count() == len(rows)
    assert MeasurementHistory.objects.filter(measurement__indicator__in=indicators).count() == (
        len(rows)
    )
    # One audit event per office and side.
    events = AuditEvent.objects.filter(
        actor=director, action=AuditAction.DATA_CREATED, details__source="import"
    )
    assert sorted(events.values_list("office__code", "side")) == sorted(
        (o.code, "state") for o in county_offices
    )


def test_max_rows_is_enforced(t, settings):
    settings.MEASUREMENT_IMPORT_MAX_ROWS = 3
    rows = [row(n, t.percent, "50", period=format_period(add_months(MONTH, -n))) for n in range(4)]
    assert refused(t.leader, rows) == [(0, "")]
    assert record_measurements(user=t.leader, rows=rows[:3], source="import").created == 3


def test_history_versions_and_audit(t):
    rows = [row(1, t.percent, "50"), row(2, t.days, "7")]
    first = record_measurements(user=t.leader, rows=rows, source="form")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    measurement = Measurement.objects.get(indicator=t.percent, period=MONTH)
    assert measurement.version == 1
    assert (measurement.source, measurement.updated_by) == ("form", t.leader)
    assert list(measurement.history.values_list("version", "value")) == [(1, Decimal(50))]
    events = AuditEvent.objects.filter(actor=t.leader, details__model="scorecards.measurement")
    assert sorted(events.values_list("office__code", "side", "action")) == [
        ("heimdal", "municipal", AuditAction.DATA_CREATED),
        ("heimdal", "state", AuditAction.DATA_CREATED),
    ]
    assert events.filter(side="state").get().details["months"] == [M]

    # Unchanged values write nothing.
    before = counts()
    same = record_measurements(user=t.leader, rows=rows, source="import")
    assert (same.created, same.updated, same.unchanged) == (0, 0, 2)
    assert counts() == before

    # A change: version 2, the old value kept; one event for the side that changed.
    changed = record_measurements(
        user=t.state, rows=[row(1, t.percent, "55,5", comment="rettet")], source="import"
    )
    assert changed.updated == 1
    measurement.refresh_from_db()
    assert (measurement.version, measurement.value, measurement.source) == (
        2,
        Decimal("55.5"),
        "import",
    )
    assert list(measurement.history.values_list("version", "value", "comment", "changed_by")) == [
        (1, Decimal(50), "", t.leader.pk),
        (2, Decimal("55.5"), "rettet", t.state.pk),
    ]
    change = AuditEvent.objects.get(actor=t.state, action=AuditAction.DATA_CHANGED)
    assert (change.office.code, change.side) == ("heimdal", "state")
    assert change.details["updated"] == 1
    # A changed comment alone is a change too.
    record_measurements(
        user=t.state, rows=[row(1, t.percent, "55.5", comment="")], source="form", delivery=False
    )
    assert measurement.history.count() == 3


def test_a_stale_form_edit_is_refused_naming_who_changed_it(t):
    record_measurements(user=t.leader, rows=[row(1, t.percent, "50", version=0)], source="form")
    before = counts()
    with pytest.raises(MeasurementErrors) as caught:
        record_measurements(
            user=t.state,
            rows=[row(1, t.score, "4", version=0), row(2, t.percent, "60", version=0)],
            source="form",
        )
    assert counts() == before
    assert [(e.line, e.field) for e in caught.value.errors] == [(2, "value")]
    assert str(t.leader) in caught.value.errors[0].message
    # Based on the stored version, it goes through.
    ok = record_measurements(user=t.state, rows=[row(2, t.percent, "60", version=1)], source="form")
    assert ok.updated == 1


def test_period_given_as_a_date(t):
    rows = [
        row(1, t.percent, "50", period=MONTH),
        row(2, t.score, "3", period=MONTH.replace(day=2)),
    ]
    assert refused(t.leader, rows) == [(2, "period")]


def test_unknown_source_is_a_programming_error(t):
    with pytest.raises(ValueError):
        record_measurements(user=t.leader, rows=[], source="email")


@pytest.fixture
def statistics_client(demo_data, offices):
    client = User.objects.filter(username="statistikk.klient").first()
    if client is None:
        client = UserFactory(username="t-statistikk")
        RoleAssignment.objects.create(
            user=client, role=Role.STATISTICS_CLIENT, county=offices["heimdal"].county
        )
    return client


def test_a_statistics_client_delivers_for_its_county_through_the_bulk_api_only(
    t, statistics_client
):
    rows = [row(1, t.percent, "50"), row(2, t.days, "5", office="lerkendal")]
    # Not through a form or an import: it holds no office permission.
    assert refused(statistics_client, rows, source="import") == [(1, "office"), (2, "office")]
    result = record_measurements(user=statistics_client, rows=rows, source="api", delivery=True)
    assert result.created == 2
    assert refused(
        statistics_client, [row(1, t.percent, "50", office="narvik")], source="api", delivery=True
    ) == [(1, "office")]
    # It reads nothing.
    assert not Measurement.objects.visible_to(statistics_client).exists()


def test_anonymous_and_inactive_users_store_nothing(t):
    from django.contrib.auth.models import AnonymousUser

    assert refused(AnonymousUser(), [row(1, t.percent, "50")]) == [(1, "office")]
    User.objects.filter(pk=t.leader.pk).update(is_active=False)
    t.leader.refresh_from_db()
    assert refused(t.leader, [row(1, t.percent, "50")]) == [(1, "office")]


def test_checking_many_rows_costs_a_fixed_number_of_queries(t, django_assert_max_num_queries):
    rows = [
        row(n, t.percent, "bad", period=format_period(add_months(MONTH, -n))) for n in range(50)
    ]
    with django_assert_max_num_queries(8), pytest.raises(MeasurementErrors):
        record_measurements(user=t.leader, rows=rows, source="import")
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.parametrize("typed", ["1e3", "2E1", "1,5e2"])
def test_scientific_notation_is_not_a_value_a_person_typed(typed):
    from scorecards.measurements import parse_value
    from scorecards.models import Indicator, Unit

    indicator = Indicator(unit=Unit.COUNT)
    with pytest.raises(ValueError) as refused:
        parse_value(typed, indicator)
    assert str(refused.value) == _("“%(value)s” is not a number.") % {"value": typed}
