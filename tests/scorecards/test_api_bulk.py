"""The bulk delivery of measurements (issue 10, item 3): ``POST /api/v1/measurements/bulk/``
stores all rows or none, and names every refused row by line (its position, from 1) and field.

The tests use indicators of their own (``t-…``) and months before the demo's (``quiet_month``)
where they need control, so they hold whatever the demo's scorecard data holds.
"""

import datetime
import math

import pytest
from rest_framework.test import APIClient

from offices.models import Office
from scorecards.api.serializers import normalise
from scorecards.models import Level, Measurement, MeasurementHistory
from scorecards.periods import add_months, current_month, format_period, reporting_month
from scorecards.selectors import indicators_for_offices
from tests.factories import UserFactory
from tests.scorecards.conftest import new_indicator, quiet_month
from users.models import AuditAction, AuditEvent, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

BULK = "/api/v1/measurements/bulk/"
MONTH = quiet_month()
M = format_period(MONTH)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def counts():
    return (
        Measurement.objects.count(),
        MeasurementHistory.objects.count(),
        AuditEvent.objects.count(),
    )


def row(office, indicator, value, period=M, comment=""):
    code = indicator if isinstance(indicator, str) else indicator.code
    return {
        "office": office,
        "indicator": code,
        "period": period,
        "value": value,
        "comment": comment,
    }


def refused(user, body) -> list[tuple[int, str]]:
    """The (line, field) of each refused row; asserts that nothing at all was stored."""
    before = counts()
    response = api(user).post(BULK, body, format="json")
    assert response.status_code == 400, response.content
    assert counts() == before
    errors = response.json()["rows"]
    assert all(error["message"] for error in errors)
    return [(error["line"], error["field"]) for error in errors]


@pytest.fixture
def statistics_client(demo_data, offices):
    """The demo's service account, or one like it if the demo does not have it yet."""
    client = User.objects.filter(username="statistikk.klient").first()
    if client is None:
        client = UserFactory(username="t-statistikk")
        RoleAssignment.objects.create(
            user=client, role=Role.STATISTICS_CLIENT, county=offices["heimdal"].county
        )
    return client


@pytest.fixture
def t(demo_data, offices):
    trondelag, nordland = offices["heimdal"].county, offices["narvik"].county

    class T:
        percent = new_indicator(unit="percent", decimals=1)
        score = new_indicator(unit="score", decimals=1)
        days = new_indicator(unit="days", side="municipal", direction="lower")
        county_18 = new_indicator(scope=Level.COUNTY, county=nordland)
        county_50 = new_indicator(scope=Level.COUNTY, county=trondelag)
        ended = new_indicator(valid_to=add_months(MONTH, -1))
        leader = User.objects.get(username="leder.heimdal")
        municipal = User.objects.get(username="kommune.heimdal")

    return T


def test_a_good_batch_is_stored_and_counted(t):
    rows = [
        row("heimdal", t.percent, "81.5"),
        row("heimdal", t.score, "4,2", comment="Målt i oktober"),
        row("heimdal", t.county_50, 70),
    ]
    before = counts()
    response = api(t.leader).post(BULK, {"rows": rows}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "updated": 0, "unchanged": 0}
    stored = {m.indicator.code: m for m in Measurement.objects.filter(period=MONTH)}
    assert normalise(stored[t.percent.code].value) == "81.5"
    assert stored[t.score.code].comment == "Målt i oktober"
    assert {m.source for m in stored.values()} == {"api"}
    assert counts()[0] == before[0] + 3
    # A bare list is accepted as well.
    again = api(t.leader).post(BULK, rows, format="json")
    assert again.status_code == 200
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 3}


def test_a_redelivery_updates_and_keeps_history_and_audit(t):
    first = [row("heimdal", t.percent, "50"), row("heimdal", t.score, "3")]
    assert api(t.leader).post(BULK, first, format="json").status_code == 200
    events = AuditEvent.objects.filter(actor=t.leader).count()
    second = [row("heimdal", t.percent, "55.5"), row("heimdal", t.score, "3")]
    response = api(t.leader).post(BULK, {"rows": second}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 1}
    measurement = Measurement.objects.get(indicator=t.percent, office__code="heimdal")
    assert measurement.version == 2
    assert measurement.updated_by == t.leader
    history = list(MeasurementHistory.objects.filter(measurement=measurement))
    assert [(h.version, normalise(h.value), h.source) for h in history] == [
        (1, "50", "api"),
        (2, "55.5", "api"),
    ]
    new_events = AuditEvent.objects.filter(actor=t.leader).order_by("pk")[events:]
    assert [(e.action, e.office.code, e.side) for e in new_events] == [
        (AuditAction.DATA_CHANGED, "heimdal", "state")
    ]
    # The API reads back the new value, normalised.
    listed = api(t.leader).get(
        "/api/v1/measurements/", {"indicator": t.percent.code, "office": "heimdal"}
    )
    [shown] = listed.json()["results"]
    assert (shown["value"], shown["version"], shown["updated_by"]) == ("55.5", 2, "leder.heimdal")


def test_every_bad_row_is_named_and_nothing_is_stored(t, statistics_client, offices):
    heimdal = offices["lerkendal"]
    heimdal.opened_on = datetime.date(MONTH.year, MONTH.month, 15)
    heimdal.save(update_fields=["opened_on"])
    future = format_period(add_months(current_month(), 1))
    rows = [
        row("heimdal", t.percent, "50"),  # 1: good
        row("heimdal", t.percent, "femti", period=format_period(add_months(MONTH, -1))),
        row("heimdal", t.score, "7"),  # 3: a score is 1–6
        row("midtbyen", t.percent, "101"),  # 4: a percentage is 0–100
        row("heimdal", t.score, "5", period=future),  # 5: the month has not begun
        row("heimdal", t.ended, "5"),  # 6: not valid in the month
        row("heimdal", t.county_18, "5"),  # 7: Nordland's indicator, not Heimdal's
        row("ingensteds", t.percent, "5"),  # 8: unknown office
        row("heimdal", t.percent, "51"),  # 9: the same as line 1
        row("lerkendal", t.percent, "5", period=format_period(add_months(MONTH, -1))),  # 10
        row("heimdal", "t-finnes-ikke", "5"),  # 11: unknown indicator
        row("heimdal", t.percent, "5", period="2026-13"),  # 12: not a month
    ]
    assert refused(statistics_client, {"rows": rows}) == [
        (2, "value"),
        (3, "value"),
        (4, "value"),
        (5, "period"),
        (6, "indicator"),
        (7, "indicator"),
        (8, "office"),
        (9, "period"),
        (10, "period"),
        (11, "indicator"),
        (12, "period"),
    ]
    assert not Measurement.objects.filter(indicator__code__startswith="t-", period=MONTH).exists()


@pytest.mark.parametrize(
    "body",
    [
        "not rows",
        42,
        {"rows": "x"},
        {"rader": []},
        {"rows": [], "extra": 1},
        [1, "two"],
        [{"office": "heimdal", "indicator": "x", "period": M, "value": {"a": 1}}],
        [{"office": ["heimdal"], "indicator": "x", "period": M, "value": "1"}],
        [{"office": "heimdal", "indicator": "x", "period": M, "value": "1", "unit": "%"}],
        [],
    ],
    ids=[
        "string",
        "number",
        "rows-not-list",
        "no-rows",
        "extra-key",
        "rows-not-objects",
        "value-object",
        "office-list",
        "unknown-field",
        "empty",
    ],
)
def test_a_malformed_body_is_a_clear_400(t, body):
    before = counts()
    response = api(t.leader).post(BULK, body, format="json")
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["detail"]
    assert answer["rows"]
    assert all({"line", "field", "message"} <= set(error) for error in answer["rows"])
    assert counts() == before


def test_a_body_that_is_not_json_is_a_400(t):
    response = api(t.leader).post(BULK, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_ten_thousand_rows_with_one_bad_row(statistics_client, offices):
    trondelag = [o for o in offices.values() if o.county_id == offices["heimdal"].county_id]
    indicators = [new_indicator(decimals=1) for _ in range(25)]
    latest = reporting_month()
    months = [
        add_months(latest, -k)
        for k in range(math.ceil(10_000 / (len(trondelag) * len(indicators))))
    ]
    assert all(not o.opened_on or o.opened_on <= months[-1] for o in trondelag)
    rows = [
        row(office.code, indicator, f"{(n % 1000) / 10:.1f}", period=format_period(period))
        for n, (period, office, indicator) in enumerate(
            (p, o, i) for p in months for o in trondelag for i in indicators
        )
    ]
    assert len(rows) >= 10_000
    bad = len(rows) // 2
    rows[bad]["value"] = "12,3,4"
    assert refused(statistics_client, {"rows": rows}) == [(bad + 1, "value")]
    assert not Measurement.objects.filter(indicator__in=indicators).exists()
    rows[bad]["value"] = "12,3"
    response = api(statistics_client).post(BULK, {"rows": rows}, format="json")
    assert response.status_code == 200, response.content[:500]
    assert response.json() == {"created": len(rows), "updated": 0, "unchanged": 0}
    assert Measurement.objects.filter(indicator__in=indicators).count() == len(rows)


def test_the_statistics_client_delivers_a_month_for_all_of_its_county(statistics_client, offices):
    month = reporting_month()
    trondelag = list(
        Office.objects.filter(county=offices["heimdal"].county).select_related("county")
    )
    applicable = indicators_for_offices(trondelag, month)
    rows = [
        row(
            office.code, indicator, "3" if indicator.unit == "score" else "42", format_period(month)
        )
        for office in trondelag
        for indicator in applicable[office.pk]
    ]
    assert {r["office"] for r in rows} == {o.code for o in trondelag}
    assert len({indicator.side for i in applicable.values() for indicator in i}) == 2
    response = api(statistics_client).post(BULK, {"rows": rows}, format="json")
    assert response.status_code == 200, response.content[:2000]
    result = response.json()
    assert result["created"] + result["updated"] + result["unchanged"] == len(rows)
    stored = Measurement.objects.filter(office__in=trondelag, period=month)
    assert stored.count() >= len(rows)
    assert set(stored.filter(updated_by=statistics_client).values_list("source", flat=True)) <= {
        "api"
    }
    # Not for an office of Nordland: the row is refused and nothing of the batch is stored.
    nordland = new_indicator()
    assert refused(
        statistics_client,
        [row("heimdal", nordland, "1"), row("narvik", nordland, "1")],
    ) == [(2, "office")]


def test_the_statistics_client_reads_nothing_but_the_indicators(statistics_client, t):
    api(t.leader).post(BULK, [row("heimdal", t.percent, "50")], format="json")
    client = api(statistics_client)
    for path in (
        "/api/v1/measurements/",
        "/api/v1/scorecards/",
        "/api/v1/action-plans/",
        "/api/v1/targets/",
        "/api/v1/notes/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json()["results"] == [], path
    measurement = Measurement.objects.filter(office__code="heimdal").first()
    assert client.get(f"/api/v1/measurements/{measurement.pk}/").status_code == 404
    codes = {
        i["code"] for i in client.get("/api/v1/indicators/", {"page_size": 500}).json()["results"]
    }
    assert t.percent.code in codes


def test_municipal_staff_cannot_deliver_state_values(t):
    assert refused(t.municipal, [row("heimdal", t.percent, "50")]) == [(1, "office")]
    # Their own side's values they may.
    response = api(t.municipal).post(BULK, [row("heimdal", t.days, "12")], format="json")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1


def test_another_offices_staff_cannot_deliver(t, people):
    assert refused(people["stat.lerkendal"], [row("heimdal", t.percent, "50")]) == [(1, "office")]


def test_anonymous_may_not_deliver(t):
    before = counts()
    assert api().post(BULK, [row("heimdal", t.percent, "50")], format="json").status_code == 401
    assert counts() == before
