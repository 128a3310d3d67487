"""The county review costs the same number of queries for a county of 5 offices and of 40, and
for 1 year of monthly values and 10 (issue 11: "query count the same … asserted in tests"). The
page, its export and its summary PDF's content are each pinned."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from offices.models import OfficeMunicipality
from reviews.county_report import CountySummaryReport
from scorecards.models import (
    ActionPlan,
    Indicator,
    Measurement,
    Scorecard,
    ScorecardLine,
    ScorecardStatus,
    Source,
    Status,
)
from scorecards.periods import add_months, format_period, months_back, reporting_month
from tests.factories import OfficeFactory, UserFactory, county, municipality
from users.access.permissions import permissions_sync
from users.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db

COUNTY = "46"  # Vestland: no demo office
_codes = itertools.count(1)


class World:
    def __init__(self):
        self.county = county(COUNTY)
        self.municipality = municipality("4601")
        self.director = UserFactory(employer_county=self.county)
        RoleAssignment.objects.create(
            user=self.director, role=Role.COUNTY_DIRECTOR, county=self.county
        )
        self.month = reporting_month()
        self.offices = []
        self.indicators = list(Indicator.objects.valid_in(self.month).filter(scope="national"))
        assert len(self.indicators) >= 6

    def grow(self, offices: int, years: int) -> None:
        """Up to ``offices`` offices with ``years`` of monthly values for every indicator,
        a submitted scorecard with its summary for the last year, and an open plan each."""
        new = []
        for _ in range(offices - len(self.offices)):
            number = next(_codes)
            office = OfficeFactory(
                code=f"q-{number}",
                name=f"NAV Q {number:03d}",
                county=self.county,
                opened_on=datetime.date(2000, 1, 1),
            )
            OfficeMunicipality.objects.create(
                office=office,
                municipality=self.municipality,
                valid_from=datetime.date(2000, 1, 1),
                is_host=True,
            )
            new.append(office)
        self.offices += new
        months = months_back(self.month, 12 * years)
        existing = set(
            Measurement.objects.filter(office__in=self.offices).values_list(
                "office", "indicator", "period"
            )
        )
        Measurement.objects.bulk_create(
            Measurement(
                office=office,
                indicator=indicator,
                period=period,
                value=Decimal(40 + (office.pk + indicator.pk + period.month) % 50),
                source=Source.IMPORT,
            )
            for office in self.offices
            for indicator in self.indicators
            for period in months
            if (office.pk, indicator.pk, period) not in existing
        )
        for office in new:
            for period in months_back(add_months(self.month, -1), 12):
                card = Scorecard.objects.create(
                    office=office,
                    period=period,
                    status=ScorecardStatus.SUBMITTED,
                    submitted_at=timezone.now(),
                )
                ScorecardLine.objects.bulk_create(
                    ScorecardLine(
                        scorecard=card,
                        indicator=indicator,
                        status=(Status.MET, Status.MISSED, Status.CLOSE)[i % 3],
                    )
                    for i, indicator in enumerate(self.indicators)
                )
            ActionPlan.objects.create(
                office=office, indicator=self.indicators[0], period=add_months(self.month, -1)
            )
        permissions_sync(user=self.director)


def count(client, world: World, url: str, query: dict) -> int:
    client.get(url, query)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200, response.content[:500]
    return len(captured)


@pytest.fixture
def world(demo_data):
    return World()


QUERIES = [
    {},
    {"side": "state", "status": "missed", "sorter": "status"},
    {"indikator": "aktivitetsplan", "sorter": "result"},
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_page_costs_the_same_for_5_or_40_offices_and_1_or_10_years(client, world, query):
    client.force_login(world.director)
    url = reverse("reviews:county", args=[COUNTY])
    query = {"maned": format_period(world.month), **query}
    world.grow(5, 1)
    small = count(client, world, url, query)
    world.grow(5, 10)
    long_history = count(client, world, url, query)
    world.grow(40, 10)
    large = count(client, world, url, query)
    assert small == long_history == large
    assert large <= 45, large


def test_the_export_costs_the_same_too(client, world):
    client.force_login(world.director)
    url = reverse("reviews:county-export", args=[COUNTY, "csv"])
    world.grow(5, 1)
    small = count(client, world, url, {})
    world.grow(40, 10)
    assert count(client, world, url, {}) == small


def test_the_pdf_content_costs_the_same_too(world):
    world.grow(5, 1)
    parameters = {"county": COUNTY, "maned": format_period(world.month)}

    def queries():
        with CaptureQueriesContext(connection) as captured:
            CountySummaryReport().context(user=world.director, parameters=parameters)
        return len(captured)

    small = queries()
    world.grow(40, 10)
    assert queries() == small
