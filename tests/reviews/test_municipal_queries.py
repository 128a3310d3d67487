"""The municipal review costs the same number of queries for 5 offices or 40, and for one year
of values or ten (issue 11: "query count the same for … 5 and … 40 offices and for 1 and 10
years of data"). The page, the export and the PDF's content are pinned alike."""

import datetime
import difflib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from navpartner.sidedata import Side
from offices.models import Municipality, Office, OfficeMunicipality
from reviews.municipal_report import MunicipalSummaryReport
from scorecards.models import Measurement, Scorecard, ScorecardStatus
from scorecards.periods import add_months, format_period, months_back, reporting_month
from tests import factories
from tests.scorecards.conftest import new_indicator
from users.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db

YEAR = 12


def free_municipalities(count: int) -> list[Municipality]:
    """Municipalities of Trøndelag that no demo office serves."""
    served = OfficeMunicipality.objects.values("municipality")
    return list(
        Municipality.objects.valid_on()
        .filter(county__number="50")
        .exclude(pk__in=served)
        .order_by("number")[:count]
    )


def build(municipality, offices: int, *, years: int, indicators) -> object:
    """``offices`` offices serving ``municipality`` (its host), each with ``years`` of monthly
    values of ``indicators`` up to the reporting month (bulk-created), the month submitted;
    and the municipality's executive, who is returned."""
    period = reporting_month()
    start = datetime.date(2000, 1, 1)
    created = []
    for index in range(offices):
        office = Office.objects.create(
            code=f"q-{municipality.number}-{index}",
            name=f"NAV Q {municipality.number} {index:02d}",
            county=municipality.county,
            postal_place="Q",
            opened_on=start,
        )
        OfficeMunicipality.objects.create(
            office=office, municipality=municipality, is_host=True, valid_from=start
        )
        created.append(office)
    months = months_back(period, years * YEAR)
    Measurement.objects.bulk_create(
        Measurement(
            office=office,
            indicator=indicator,
            period=month,
            value=Decimal(50 + (n % 40)),
            source="form",
        )
        for office in created
        for indicator in indicators
        for n, month in enumerate(months)
    )
    Scorecard.objects.bulk_create(
        Scorecard(
            office=office,
            period=period,
            status=ScorecardStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        for office in created
    )
    executive = factories.MunicipalUserFactory(
        username=f"q-radmann-{municipality.number}", employer_municipality=municipality
    )
    RoleAssignment.objects.create(
        user=executive, role=Role.MUNICIPAL_EXECUTIVE, municipality=municipality
    )
    return executive


def queries(client, user, municipality, view="page") -> list[str]:
    client.force_login(user)
    month = format_period(reporting_month())
    with CaptureQueriesContext(connection) as captured:
        if view == "page":
            url = reverse("reviews:municipal", kwargs={"number": municipality.number})
            response = client.get(url, {"maned": month})
            assert response.status_code == 200
        elif view == "export":
            url = reverse(
                "reviews:municipal-export", kwargs={"number": municipality.number, "fmt": "csv"}
            )
            response = client.get(url, {"maned": month})
            assert response.status_code == 200
        else:
            MunicipalSummaryReport().context(
                user=user, parameters={"municipality": municipality.number, "period": month}
            )
    return [q["sql"][:120] for q in captured if "SAVEPOINT" not in q["sql"]]


def same(first: list[str], second: list[str]) -> None:
    assert len(first) == len(second), "\n".join(
        difflib.unified_diff(first, second, lineterm="", n=0)
    )


@pytest.fixture
def indicators(demo_data):
    return [
        new_indicator(side=Side.MUNICIPAL, name="Q kommunal"),
        new_indicator(side=Side.STATE, name="Q statlig"),
    ]


@pytest.mark.parametrize("view", ["page", "export", "pdf"])
def test_5_or_40_offices_and_1_or_10_years_cost_the_same(client, indicators, view):
    small_municipality, large_municipality = free_municipalities(2)
    small = build(small_municipality, 5, years=1, indicators=indicators)
    large = build(large_municipality, 40, years=10, indicators=indicators)
    counted_small = queries(client, small, small_municipality, view)
    counted_large = queries(client, large, large_municipality, view)
    same(counted_small, counted_large)
    assert Office.objects.filter(code__startswith=f"q-{large_municipality.number}-").count() == 40


def test_ten_more_years_cost_no_query(client, indicators):
    (municipality,) = free_municipalities(1)
    executive = build(municipality, 5, years=1, indicators=indicators)
    before = queries(client, executive, municipality)
    offices = list(Office.objects.filter(code__startswith=f"q-{municipality.number}-"))
    older = months_back(add_months(reporting_month(), -YEAR), 9 * YEAR)
    Measurement.objects.bulk_create(
        Measurement(office=office, indicator=indicator, period=month, value=1, source="form")
        for office in offices
        for indicator in indicators
        for month in older
    )
    same(before, queries(client, executive, municipality))


def test_the_page_reads_no_more_than_thirteen_months_of_values(client, indicators):
    (municipality,) = free_municipalities(1)
    executive = build(municipality, 5, years=10, indicators=indicators)
    client.force_login(executive)
    url = reverse("reviews:municipal", kwargs={"number": municipality.number})
    response = client.get(url)
    review = response.context["review"]
    for row in review.offices:
        for line in row.card.lines:
            assert len(line.trend) <= YEAR
