"""Concurrent writes of the scorecard (issue 10, "concurrency"): never a lost value, never a
database error escaping, never two summaries of one month.

Each round starts two writes on their own database connection behind a barrier (as
``tests/faults/test_delegation_races.py`` does). PostgreSQL only: SQLite serialises writers.
"""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils.translation import gettext as _

from scorecards.measurements import MeasurementErrors, MeasurementRow, record_measurements
from scorecards.models import Measurement, MeasurementHistory, Scorecard, ScorecardLine
from scorecards.periods import format_period
from scorecards.services import submit_scorecard
from tests.factories import UserFactory
from tests.scorecards.conftest import (
    TRONDHEIM_OFFICES,
    new_indicator,
    quiet_month,
    reasons_for_all,
)
from users.models import Role, RoleAssignment, User

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 12


@pytest.fixture(autouse=True)
def _postgresql_only():
    from tests.conftest import skip_or_fail

    if connection.vendor != "postgresql":
        skip_or_fail("the scorecard races need PostgreSQL (DATABASE_URL)")


def run_together(*actions) -> list:
    """Run each action on its own thread and connection, released together; return each
    one's result or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except BaseException as error:  # reported to the test, not lost in the thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing write hung"
    return results


@pytest.fixture
def writers(demo_data):
    return {
        u.username: u
        for u in User.objects.filter(
            username__in=["leder.heimdal", "stat.heimdal", "fylkesdirektor.trondelag"]
        )
    }


def test_two_form_edits_of_the_same_version_one_wins(writers):
    indicators = [new_indicator() for _ in range(3)]
    leader, staff = writers["leder.heimdal"], writers["stat.heimdal"]
    for round_number in range(ROUNDS):
        month = format_period(quiet_month(round_number))
        start = [
            MeasurementRow(n, "heimdal", i.code, month, "10") for n, i in enumerate(indicators)
        ]
        record_measurements(user=leader, rows=start, source="form")

        def edit(user, value, month=month):
            rows = [
                MeasurementRow(n, "heimdal", i.code, month, value, version=1)
                for n, i in enumerate(indicators)
            ]
            return lambda: record_measurements(user=user, rows=rows, source="form")

        results = run_together(edit(leader, "20"), edit(staff, "30"))
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1, f"round {round_number}: {results!r}"
        assert isinstance(errors[0], MeasurementErrors), repr(errors[0])
        winner_index = 0 if isinstance(results[1], BaseException) else 1
        winner = (leader, staff)[winner_index]
        value = (Decimal(20), Decimal(30))[winner_index]
        # Every refused row names who changed it.
        assert [e.field for e in errors[0].errors] == ["value"] * len(indicators)
        assert all(str(winner) in e.message for e in errors[0].errors), (
            str(winner),
            errors[0].as_list(),
        )
        stored = Measurement.objects.filter(indicator__in=indicators, period=month + "-01")
        assert {(m.value, m.version, m.updated_by_id) for m in stored} == {(value, 2, winner.pk)}
        assert MeasurementHistory.objects.filter(measurement__in=stored).count() == 2 * len(
            indicators
        )


def test_two_form_entries_into_an_empty_cell_one_wins(writers):
    """Both saw no value (version 0): one stores, the other is refused naming who did."""
    indicators = [new_indicator() for _ in range(3)]
    leader, staff = writers["leder.heimdal"], writers["stat.heimdal"]
    for round_number in range(ROUNDS):
        month = format_period(quiet_month(round_number))

        def enter(user, value, month=month):
            rows = [
                MeasurementRow(n, "heimdal", i.code, month, value, version=0)
                for n, i in enumerate(indicators)
            ]
            return lambda: record_measurements(user=user, rows=rows, source="form")

        results = run_together(enter(leader, "20"), enter(staff, "30"))
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1, f"round {round_number}: {results!r}"
        assert isinstance(errors[0], MeasurementErrors), repr(errors[0])
        winner_index = 0 if isinstance(results[1], BaseException) else 1
        winner = (leader, staff)[winner_index]
        assert [(e.line, e.field) for e in errors[0].errors] == [
            (n, "value") for n in range(len(indicators))
        ]
        assert all(str(winner) in e.message for e in errors[0].errors), errors[0].as_list()
        stored = Measurement.objects.filter(indicator__in=indicators, period=month + "-01")
        assert {(m.version, m.updated_by_id) for m in stored} == {(1, winner.pk)}


@pytest.mark.parametrize("order", ["same", "reversed"])
def test_two_deliveries_of_a_new_month_lose_nothing(writers, order):
    """Two deliveries of the same 400 new values (four offices, a hundred indicators), the
    second in the same or the reverse order: one stores; the other stores after it (the history
    keeps both) or is told to send again. Before the inserts were ordered, the reverse order
    deadlocked about once in eight rounds, and the database error escaped."""
    indicators = [new_indicator() for _ in range(100)]
    director = writers["fylkesdirektor.trondelag"]
    outcomes = set()
    for round_number in range(8):
        month = format_period(quiet_month(round_number))
        pairs = [(office, i) for office in TRONDHEIM_OFFICES for i in indicators]
        first = [MeasurementRow(n, o, i.code, month, "40") for n, (o, i) in enumerate(pairs)]
        second = [MeasurementRow(n, o, i.code, month, "41") for n, (o, i) in enumerate(pairs)]
        if order == "reversed":
            second.reverse()
        results = run_together(
            lambda rows=first: record_measurements(user=director, rows=rows, source="import"),
            lambda rows=second: record_measurements(user=director, rows=rows, source="api"),
        )
        for result in results:
            # Never a database error: a result, or the clear refusal of the write path.
            assert not isinstance(result, BaseException) or isinstance(result, MeasurementErrors), (
                f"round {round_number}: {result!r}"
            )
        stored = list(Measurement.objects.filter(indicator__in=indicators, period=month + "-01"))
        assert len(stored) == len(pairs)
        history = MeasurementHistory.objects.filter(measurement__in=stored)
        refused = [r for r in results if isinstance(r, MeasurementErrors)]
        if refused:
            # One stored, the other was told to send again: no silent loss.
            assert len(refused) == 1
            assert [(e.line, e.field) for e in refused[0].errors] == [(0, "")]
            assert refused[0].errors[0].message == _(
                "Someone else stored values for these months at the same time. "
                "Nothing was stored; send the rows again."
            )
            assert {m.version for m in stored} == {1}
            assert history.count() == len(pairs)
            outcomes.add("refused")
        else:
            # The second came after the first had committed, and replaced its values: the
            # history keeps both.
            assert {m.version for m in stored} == {2}
            assert history.count() == 2 * len(pairs)
            outcomes.add("updated")
        assert len({m.value for m in stored}) == 1
    assert outcomes


def test_two_leaders_submitting_make_one_summary(writers, demo_data):
    from offices.models import Office

    heimdal = Office.objects.get(code="heimdal")
    leader = writers["leder.heimdal"]
    deputy = UserFactory(username="t-nestleder")
    RoleAssignment.objects.create(user=deputy, role=Role.OFFICE_LEADER, office=heimdal)
    for round_number in range(ROUNDS // 2):
        period = quiet_month(round_number)
        reasons = reasons_for_all(heimdal, period)

        def submit(user, period=period, reasons=reasons):
            return lambda: submit_scorecard(
                user=user, office=heimdal, period=period, missing_reasons=reasons
            )

        results = run_together(submit(leader), submit(deputy))
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1, f"round {round_number}: {results!r}"
        assert isinstance(errors[0], ValidationError), repr(errors[0])
        assert Scorecard.objects.filter(office=heimdal, period=period).count() == 1
        scorecard = Scorecard.objects.get(office=heimdal, period=period)
        assert scorecard.is_submitted and scorecard.version == 2
        assert ScorecardLine.objects.filter(scorecard=scorecard).count() == len(reasons)
