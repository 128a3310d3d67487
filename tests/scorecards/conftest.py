"""Shared, opt-in fixtures of the scorecard tests (none is autouse).

The demo's own scorecard data may or may not be there: tests make their own indicators (codes
``t-…``) and use months before the demo's 24 (``quiet_month``), where no demo scorecard exists.
"""

import datetime
import itertools
from decimal import Decimal

import pytest

from offices.models import Office
from scorecards.models import Indicator, Level, Target
from scorecards.periods import add_months, reporting_month
from scorecards.selectors import indicators_for_offices
from users.models import User

_codes = itertools.count(1)

TRONDHEIM_OFFICES = ("heimdal", "lerkendal", "midtbyen", "ostbyen")


def quiet_month(back: int = 0) -> datetime.date:
    """A month before the demo's 24 months (and after the demo offices' municipalities were
    registered): no demo scorecard, no demo value."""
    return add_months(reporting_month(), -24 - back)


@pytest.fixture
def people(demo_data) -> dict[str, User]:
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def offices(demo_data) -> dict[str, Office]:
    return {office.code: office for office in Office.objects.select_related("county")}


@pytest.fixture
def heimdal(offices) -> Office:
    return offices["heimdal"]


def new_indicator(**fields) -> Indicator:
    """An indicator of the tests' own (``t-`` code): national, state, percent, higher is
    better, valid since 2000, unless ``fields`` say otherwise."""
    values = {
        "code": f"t-{next(_codes)}",
        "name": "Testindikator",
        "name_en": "Test indicator",
        "definition": "Counted in tests.",
        "source": "tests",
        "perspective": "user",
        "side": "state",
        "scope": Level.NATIONAL,
        "unit": "percent",
        "direction": "higher",
        "decimals": 0,
        "valid_from": datetime.date(2000, 1, 1),
    }
    values.update(fields)
    if values["side"] == "municipal" and "scope" not in fields:
        values["scope"] = Level.NATIONAL
    return Indicator.objects.create(**values)


def new_target(indicator, value, *, year, month=None, level=Level.NATIONAL, tolerance=0, **unit):
    return Target.objects.create(
        indicator=indicator,
        level=level,
        year=year,
        month=month,
        value=Decimal(str(value)),
        tolerance=Decimal(str(tolerance)),
        **unit,
    )


@pytest.fixture
def make_indicator(demo_data):
    return new_indicator


@pytest.fixture
def make_target(demo_data):
    return new_target


def reasons_for_all(office, period) -> dict[int, str]:
    """A stated reason for every indicator of the office's month (so a submission passes
    whatever indicators the demo has)."""
    return {i.pk: "Ikke levert" for i in indicators_for_offices([office], period)[office.pk]}
