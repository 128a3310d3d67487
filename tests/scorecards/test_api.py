"""The scorecard API (issue 10, item 9): indicators, targets, measurements, scorecards and
action plans under ``/api/v1/``. Every endpoint: anonymous 401, another office and the other
side get nothing (an empty list or 404), the owner gets it; rule 7 for values; definitions set
only at the caller's own level; query counts that do not grow with the data.

The tests make their own indicators (``t-…``) and use months before the demo's
(``quiet_month``), so they hold whatever the demo's scorecard data holds.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from offices.models import Municipality
from scorecards import services
from scorecards.models import (
    ActionPlan,
    Indicator,
    Level,
    Measurement,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    Target,
)
from scorecards.periods import add_months, current_month, format_period, reporting_deadline
from scorecards.selectors import indicators_for_offices
from tests.scorecards.conftest import TRONDHEIM_OFFICES, new_indicator, new_target, quiet_month
from users.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
MONTH = quiet_month()
M = format_period(MONTH)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def measure(office, indicator, value, period=MONTH, user=None):
    return Measurement.objects.create(
        office=office,
        indicator=indicator,
        period=period,
        value=Decimal(str(value)),
        source="form",
        updated_by=user,
    )


@pytest.fixture
def values(offices, people):
    """Heimdal's values of a state, a municipal and a shared state indicator in a quiet month."""

    class V:
        state = new_indicator(unit="percent")
        municipal = new_indicator(side="municipal", unit="days", direction="lower")
        shared = new_indicator(shared=True)
        state_value = measure(offices["heimdal"], state, "81.5000", user=people["leder.heimdal"])
        municipal_value = measure(offices["heimdal"], municipal, "12")
        shared_value = measure(offices["heimdal"], shared, "100")

    return V


# --- measurements -----------------------------------------------------------------------------


def test_measurements_anonymous_is_401(values):
    assert api().get(f"{V1}/measurements/").status_code == 401
    assert api().get(f"{V1}/measurements/{values.state_value.pk}/").status_code == 401


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("leder.heimdal", {"state", "municipal", "shared"}),
        ("kommune.heimdal", {"municipal", "shared"}),
        ("radmann.trondheim", {"municipal", "shared"}),
        ("fylkesdirektor.trondelag", {"state", "shared"}),
        ("stat.lerkendal", set()),
        ("kommune.lerkendal", set()),
        ("fylkesdirektor.nordland", set()),
        ("radmann.fauske", set()),
    ],
)
def test_measurements_follow_rule_7(values, people, username, sees):
    """Each side's values to that side (and the leader); a shared indicator's to both; none of
    Heimdal's to another office or county."""
    names = {values.state.code: "state", values.municipal.code: "municipal"}
    names[values.shared.code] = "shared"
    rows = results(
        api(people[username]).get(
            f"{V1}/measurements/", {"office": "heimdal", "period": M, "page_size": 500}
        )
    )
    assert {names[r["indicator"]] for r in rows if r["indicator"] in names} == sees
    for which, measurement in (
        ("state", values.state_value),
        ("municipal", values.municipal_value),
        ("shared", values.shared_value),
    ):
        answer = api(people[username]).get(f"{V1}/measurements/{measurement.pk}/")
        assert answer.status_code == (200 if which in sees else 404), (which, username)


def test_a_measurement_as_the_api_shows_it(values, people):
    answer = api(people["leder.heimdal"]).get(f"{V1}/measurements/{values.state_value.pk}/")
    assert answer.json() == {
        "id": values.state_value.pk,
        "office": "heimdal",
        "indicator": values.state.code,
        "side": "state",
        "period": M,
        "value": "81.5",
        "source": "form",
        "comment": "",
        "version": 1,
        "updated_by": "leder.heimdal",
        "updated_at": answer.json()["updated_at"],
    }


def test_a_delegated_read_is_audited(values, people):
    """stat.heimdal sees Heimdal's municipal values through a delegation: each read is audited."""
    reader = people["stat.heimdal"]
    before = AuditEvent.objects.filter(actor=reader, action=AuditAction.DELEGATED_READ).count()
    rows = results(api(reader).get(f"{V1}/measurements/", {"office": "heimdal", "period": M}))
    codes = {r["indicator"] for r in rows}
    if values.municipal.code not in codes:
        pytest.skip("the demo's delegation to stat.heimdal is not in force")
    events = AuditEvent.objects.filter(actor=reader, action=AuditAction.DELEGATED_READ)
    assert events.count() == before + 1
    event = events.order_by("pk").last()
    assert (event.office.code, event.side) == ("heimdal", "municipal")
    assert str(values.municipal_value.pk) in event.details["ids"]


def test_measurement_filters(values, people, offices):
    leader = api(people["leder.heimdal"])
    earlier = measure(offices["heimdal"], values.state, "70", period=add_months(MONTH, -2))

    def codes_and_months(**query):
        rows = results(leader.get(f"{V1}/measurements/", {**query, "page_size": 500}))
        return {(r["indicator"], r["period"]) for r in rows if r["indicator"].startswith("t-")}

    assert codes_and_months(indicator=values.state.code) == {
        (values.state.code, M),
        (values.state.code, format_period(earlier.period)),
    }
    assert codes_and_months(side="municipal", office="heimdal", period=M) == {
        (values.municipal.code, M)
    }
    assert codes_and_months(
        indicator=values.state.code,
        period_from=format_period(add_months(MONTH, -1)),
        period_to=M,
    ) == {(values.state.code, M)}
    assert codes_and_months(office="ingensteds") == set()
    for bad in ({"period": "2026-13"}, {"period_from": "igår"}, {"side": "joint-ish"}):
        answer = leader.get(f"{V1}/measurements/", bad)
        assert answer.status_code == 400, bad
        assert set(answer.json()["errors"]) == set(bad)


def test_measurements_cannot_be_written_outside_bulk(values, people):
    leader = api(people["leder.heimdal"])
    url = f"{V1}/measurements/{values.state_value.pk}/"
    assert leader.patch(url, {"value": "1"}, format="json").status_code == 405
    assert leader.delete(url).status_code == 405
    assert leader.post(f"{V1}/measurements/", {}, format="json").status_code == 405


# --- scorecards ---------------------------------------------------------------------------------


def reasons(office, period) -> dict[str, str]:
    return {i.code: "Ikke levert" for i in indicators_for_offices([office], period)[office.pk]}


@pytest.fixture
def submitted(offices, people, values):
    """Heimdal's quiet month, submitted by its leader (values of the fixture's indicators)."""
    heimdal = offices["heimdal"]
    by_code = {i.code: i.pk for i in indicators_for_offices([heimdal], MONTH)[heimdal.pk]}
    return services.submit_scorecard(
        user=people["leder.heimdal"],
        office=heimdal,
        period=MONTH,
        missing_reasons=dict.fromkeys(by_code.values(), "Ikke levert"),
        comments={by_code[values.state.code]: "Godt"},
        comment="Stabil måned",
    )


def test_scorecards_anonymous_is_401(submitted):
    assert api().get(f"{V1}/scorecards/").status_code == 401
    assert api().get(f"{V1}/scorecards/{submitted.pk}/").status_code == 401
    answer = api().post(f"{V1}/scorecards/submit/", {"office": "heimdal", "period": M})
    assert answer.status_code == 401


@pytest.mark.parametrize(
    "username",
    [
        "leder.heimdal",
        "kommune.heimdal",
        "stat.heimdal",
        "radmann.trondheim",
        "fylkesdirektor.trondelag",
    ],
)
def test_both_sides_see_the_scorecards_statuses_never_values(submitted, values, people, username):
    listed = results(
        api(people[username]).get(f"{V1}/scorecards/", {"office": "heimdal", "period": M})
    )
    assert [card["id"] for card in listed] == [submitted.pk]
    card = api(people[username]).get(f"{V1}/scorecards/{submitted.pk}/").json()
    assert card == listed[0]
    assert (card["office"], card["period"], card["status"]) == ("heimdal", M, "submitted")
    assert card["comment"] == "Stabil måned"
    assert card["submitted_by"] == "leder.heimdal"
    assert card["deadline"] == reporting_deadline(MONTH).isoformat()
    assert card["overdue"] is False
    lines = {line["indicator"]: line for line in card["lines"]}
    # Both sides see every line's status, the state one and the municipal one alike.
    assert lines[values.state.code]["status"] in {"met", "close", "missed", "no_target"}
    assert lines[values.state.code]["comment"] == "Godt"
    assert lines[values.municipal.code]["status"] != "missing"
    for line in card["lines"]:
        assert set(line) == {"indicator", "status", "missing_reason", "comment"}


@pytest.mark.parametrize(
    "username", ["stat.lerkendal", "kommune.lerkendal", "fylkesdirektor.nordland", "radmann.fauske"]
)
def test_outsiders_get_no_scorecard(submitted, people, username):
    client = api(people[username])
    assert results(client.get(f"{V1}/scorecards/", {"office": "heimdal"})) == []
    assert client.get(f"{V1}/scorecards/{submitted.pk}/").status_code == 404
    answer = client.post(
        f"{V1}/scorecards/{submitted.pk}/review/", {"side": "state"}, format="json"
    )
    assert answer.status_code == 404
    answer = client.post(
        f"{V1}/scorecards/submit/", {"office": "heimdal", "period": M}, format="json"
    )
    assert answer.status_code == 404


def test_the_leader_submits_a_month_that_has_no_scorecard_yet(offices, people, values):
    heimdal = offices["heimdal"]
    month = add_months(MONTH, -1)
    assert not Scorecard.objects.filter(office=heimdal, period=month).exists()
    body = {"office": "heimdal", "period": format_period(month), "comment": "Ok"}
    leader = api(people["leder.heimdal"])
    # Not the leader: 403; a missing reason: 400 naming it; an unknown code: 400.
    answer = api(people["kommune.heimdal"]).post(
        f"{V1}/scorecards/submit/",
        {**body, "missing_reasons": reasons(heimdal, month)},
        format="json",
    )
    assert answer.status_code == 403
    answer = leader.post(f"{V1}/scorecards/submit/", body, format="json")
    assert answer.status_code == 400
    assert "missing_reasons" in answer.json()["errors"]
    answer = leader.post(
        f"{V1}/scorecards/submit/",
        {**body, "missing_reasons": {**reasons(heimdal, month), "t-finnes-ikke": "x"}},
        format="json",
    )
    assert answer.status_code == 400
    assert "missing_reasons" in answer.json()["errors"]
    assert not ScorecardLine.objects.filter(scorecard__office=heimdal, scorecard__period=month)
    answer = leader.post(
        f"{V1}/scorecards/submit/",
        {**body, "missing_reasons": reasons(heimdal, month), "comments": {values.state.code: "!"}},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    card = answer.json()
    assert (card["status"], card["comment"], card["submitted_by"]) == (
        "submitted",
        "Ok",
        "leder.heimdal",
    )
    assert len(card["lines"]) == len(reasons(heimdal, month))
    # A second submission is refused.
    again = leader.post(
        f"{V1}/scorecards/submit/",
        {**body, "missing_reasons": reasons(heimdal, month)},
        format="json",
    )
    assert again.status_code == 400
    # A month not over yet, a malformed month.
    for period in (format_period(current_month()), "2026-1"):
        answer = leader.post(
            f"{V1}/scorecards/submit/", {"office": "heimdal", "period": period}, format="json"
        )
        assert answer.status_code == 400
        assert "period" in answer.json()["errors"]


def test_each_side_reviews_its_line(submitted, people):
    url = f"{V1}/scorecards/{submitted.pk}/review/"
    # The municipal executive does not review the state line; the leader reviews neither.
    assert api(people["radmann.trondheim"]).post(url, {"side": "state"}).status_code == 403
    assert api(people["leder.heimdal"]).post(url, {"side": "state"}).status_code == 403
    answer = api(people["fylkesdirektor.trondelag"]).post(
        url, {"side": "state", "comment": "Sett"}, format="json"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["reviewed_by"] == "fylkesdirektor.trondelag"
    again = api(people["fylkesdirektor.trondelag"]).post(url, {"side": "state"}, format="json")
    assert again.status_code == 400
    answer = api(people["radmann.trondheim"]).post(url, {"side": "municipal"}, format="json")
    assert answer.status_code == 201
    card = api(people["kommune.heimdal"]).get(f"{V1}/scorecards/{submitted.pk}/").json()
    assert {(r["side"], r["reviewed_by"], r["comment"]) for r in card["reviews"]} == {
        ("state", "fylkesdirektor.trondelag", "Sett"),
        ("municipal", "radmann.trondheim", ""),
    }
    bad = api(people["fylkesdirektor.trondelag"]).post(url, {"side": "joint"}, format="json")
    assert bad.status_code == 400


def test_the_leader_reopens_a_month(submitted, people):
    url = f"{V1}/scorecards/{submitted.pk}/reopen/"
    stale = api(people["leder.heimdal"]).post(url, {"version": submitted.version - 1})
    assert stale.status_code == 400
    assert "version" in stale.json()["errors"]
    assert (
        api(people["kommune.heimdal"]).post(url, {"version": submitted.version}).status_code == 403
    )
    answer = api(people["leder.heimdal"]).post(url, {"version": submitted.version})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["lines"]) == ("draft", [])


def test_scorecard_filters(submitted, people):
    client = api(people["leder.heimdal"])
    assert [c["id"] for c in results(client.get(f"{V1}/scorecards/", {"period": M}))] == [
        submitted.pk
    ]
    assert results(client.get(f"{V1}/scorecards/", {"period": M, "status": "draft"})) == []
    for bad in ({"period": "13-2026"}, {"status": "late"}):
        answer = client.get(f"{V1}/scorecards/", bad)
        assert answer.status_code == 400
        assert set(answer.json()["errors"]) == set(bad)


# --- indicators ------------------------------------------------------------------------------


def indicator_body(**fields):
    body = {
        "code": "t-api-ny",
        "name": "Ny indikator",
        "name_en": "New indicator",
        "definition": "Telles i testen.",
        "source": "tests",
        "perspective": "user",
        "side": "state",
        "scope": "national",
        "unit": "percent",
        "direction": "higher",
        "decimals": 1,
        "valid_from": "2020-01-01",
    }
    body.update(fields)
    return body


def test_indicators_are_read_by_everyone_signed_in(people, values):
    assert api().get(f"{V1}/indicators/").status_code == 401
    for username in ("kommune.lerkendal", "stat.heimdal", "radmann.fauske"):
        answer = api(people[username]).get(f"{V1}/indicators/{values.state.code}/")
        assert answer.status_code == 200
        assert answer.json()["side"] == "state"
    assert api(people["stat.heimdal"]).get(f"{V1}/indicators/t-finnes-ikke/").status_code == 404


def test_indicator_filters(people, offices):
    trondheim = Municipality.objects.valid_on(MONTH).get(number="5001")
    kvp = new_indicator(
        side="municipal",
        scope=Level.MUNICIPALITY,
        municipality=trondheim,
        group="t-gruppe",
        valid_from=datetime.date(2010, 1, 1),
        valid_to=datetime.date(2010, 12, 31),
        perspective="economy",
    )
    client = api(people["kommune.heimdal"])

    def codes(**query):
        rows = results(client.get(f"{V1}/indicators/", {**query, "page_size": 500}))
        return {r["code"] for r in rows}

    assert codes(group="t-gruppe") == {kvp.code}
    assert kvp.code in codes(period="2010-12", side="municipal", scope="municipality")
    assert kvp.code not in codes(period="2011-01")
    assert kvp.code not in codes(perspective="user")
    assert kvp.code in codes(perspective="economy")
    [shown] = results(client.get(f"{V1}/indicators/", {"group": "t-gruppe"}))
    assert (shown["municipality"], shown["county"]) == ("5001", None)
    for bad in ({"period": "2010"}, {"scope": "office"}, {"side": "x"}):
        assert client.get(f"{V1}/indicators/", bad).status_code == 400, bad


def test_only_the_national_admin_creates_a_national_indicator(people):
    before = Indicator.objects.count()
    refused = api(people["fylkesdirektor.trondelag"]).post(
        f"{V1}/indicators/", indicator_body(), format="json"
    )
    assert refused.status_code == 400
    assert Indicator.objects.count() == before
    answer = api(people["direktorat.admin"]).post(
        f"{V1}/indicators/", indicator_body(), format="json"
    )
    assert answer.status_code == 201, answer.content
    assert (answer.json()["code"], answer.json()["version"]) == ("t-api-ny", 1)
    duplicate = api(people["direktorat.admin"]).post(
        f"{V1}/indicators/", indicator_body(), format="json"
    )
    assert duplicate.status_code == 400
    assert "code" in duplicate.json()["errors"]


def test_a_county_director_sets_their_countys_indicators(people):
    director = api(people["fylkesdirektor.trondelag"])
    own = director.post(
        f"{V1}/indicators/",
        indicator_body(code="t-api-50", scope="county", county="50"),
        format="json",
    )
    assert own.status_code == 201, own.content
    assert own.json()["county"] == "50"
    other = director.post(
        f"{V1}/indicators/",
        indicator_body(code="t-api-18", scope="county", county="18"),
        format="json",
    )
    assert other.status_code == 400
    municipal = director.post(
        f"{V1}/indicators/",
        indicator_body(code="t-api-m", side="municipal", scope="municipality", municipality="5001"),
        format="json",
    )
    assert municipal.status_code == 400
    assert not Indicator.objects.filter(code__in=["t-api-18", "t-api-m"]).exists()
    # The municipal executive sets Trondheim's.
    answer = api(people["radmann.trondheim"]).post(
        f"{V1}/indicators/",
        indicator_body(code="t-api-m", side="municipal", scope="municipality", municipality="5001"),
        format="json",
    )
    assert answer.status_code == 201, answer.content


def test_changing_an_indicator_names_the_version(people):
    admin, director = people["direktorat.admin"], people["fylkesdirektor.trondelag"]
    created = api(admin).post(f"{V1}/indicators/", indicator_body(), format="json").json()
    url = f"{V1}/indicators/{created['code']}/"
    assert api(director).patch(url, {"name": "X", "version": 1}, format="json").status_code == 403
    assert api(admin).patch(url, {"name": "X"}, format="json").status_code == 400
    changed = api(admin).patch(url, {"name": "Nytt navn", "version": 1}, format="json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["version"]) == ("Nytt navn", 2)
    stale = api(admin).patch(url, {"name": "Gammelt", "version": 1}, format="json")
    assert stale.status_code == 400
    assert str(admin) in stale.json()["errors"]["version"][0]
    # The code and where it is set stay as they were.
    api(admin).patch(url, {"code": "t-annen", "scope": "county", "version": 2}, format="json")
    assert Indicator.objects.filter(code=created["code"], scope="national").exists()


# --- targets ---------------------------------------------------------------------------------


def target_body(indicator, **fields):
    body = {"indicator": indicator.code, "level": "national", "year": 2030, "value": "80"}
    body.update(fields)
    return body


def test_targets_are_set_at_the_callers_level(people, values):
    director = api(people["fylkesdirektor.trondelag"])
    own = director.post(
        f"{V1}/targets/",
        target_body(values.state, level="county", county="50", tolerance="2.5"),
        format="json",
    )
    assert own.status_code == 201, own.content
    assert (own.json()["county"], own.json()["value"], own.json()["tolerance"]) == (
        "50",
        "80",
        "2.5",
    )
    for body in (
        target_body(values.state, level="county", county="18"),
        target_body(values.municipal, level="county", county="50"),
        target_body(values.state),  # national
        target_body(values.state, level="office", office="narvik"),
    ):
        answer = director.post(f"{V1}/targets/", body, format="json")
        assert answer.status_code == 400, body
    assert Target.objects.filter(indicator__in=[values.state, values.municipal]).count() == 1
    assert (
        api(people["direktorat.admin"])
        .post(f"{V1}/targets/", target_body(values.state), format="json")
        .status_code
        == 201
    )
    # An office target for a Trøndelag office, by the county.
    answer = director.post(
        f"{V1}/targets/",
        target_body(values.state, level="office", office="heimdal"),
        format="json",
    )
    assert answer.status_code == 201, answer.content
    # A value outside the unit's range is refused.
    answer = director.post(
        f"{V1}/targets/",
        target_body(values.state, level="county", county="50", year=2031, value="101"),
        format="json",
    )
    assert answer.status_code == 400
    assert "value" in answer.json()["errors"]


def test_a_target_keeps_its_history_and_names_the_version(people, values):
    director = people["fylkesdirektor.trondelag"]
    created = (
        api(director)
        .post(
            f"{V1}/targets/", target_body(values.state, level="county", county="50"), format="json"
        )
        .json()
    )
    url = f"{V1}/targets/{created['id']}/"
    changed = api(director).patch(url, {"value": "85", "version": 1}, format="json")
    assert changed.status_code == 200, changed.content
    stale = api(director).patch(url, {"value": "90", "version": 1}, format="json")
    assert stale.status_code == 400
    assert str(director) in stale.json()["errors"]["version"][0]
    # Readers see it, with every value it has had; others may not change it.
    shown = api(people["kommune.lerkendal"]).get(url).json()
    assert [(h["version"], h["value"], h["changed_by"]) for h in shown["history"]] == [
        (1, "80", "fylkesdirektor.trondelag"),
        (2, "85", "fylkesdirektor.trondelag"),
    ]
    for username in ("fylkesdirektor.nordland", "radmann.trondheim", "leder.heimdal"):
        answer = api(people[username]).patch(url, {"value": "1", "version": 2}, format="json")
        assert answer.status_code == 403, username
    assert api().get(url).status_code == 401


def test_target_filters(people, values, offices):
    new_target(values.state, 70, year=2029)
    new_target(values.state, 75, year=2029, level=Level.OFFICE, office=offices["heimdal"])
    new_target(values.municipal, 10, year=2029)
    client = api(people["stat.lerkendal"])

    def found(**query):
        rows = results(client.get(f"{V1}/targets/", {**query, "page_size": 500}))
        return {(r["indicator"], r["level"], r["value"]) for r in rows}

    assert found(indicator=values.state.code) == {
        (values.state.code, "national", "70"),
        (values.state.code, "office", "75"),
    }
    assert found(indicator=values.state.code, office="heimdal") == {
        (values.state.code, "office", "75")
    }
    assert found(indicator=values.municipal.code, year=2029, level="national") == {
        (values.municipal.code, "national", "10")
    }
    assert found(indicator=values.municipal.code, year=2028) == set()
    for bad in ({"year": "tjue"}, {"level": "planet"}, {"year": "99999"}):
        assert client.get(f"{V1}/targets/", bad).status_code == 400, bad


# --- action plans ----------------------------------------------------------------------------


@pytest.fixture
def plan(people, values, offices, submitted):
    return services.open_action_plan(
        user=people["leder.heimdal"],
        office=offices["heimdal"],
        indicator=values.state,
        period=MONTH,
        analysis="For få planer",
    )


def test_action_plans_are_joint_and_outsiders_get_nothing(plan, people):
    url = f"{V1}/action-plans/{plan.pk}/"
    assert api().get(f"{V1}/action-plans/").status_code == 401
    assert api().get(url).status_code == 401
    for username in (
        "leder.heimdal",
        "kommune.heimdal",
        "radmann.trondheim",
        "fylkesdirektor.trondelag",
    ):
        listed = results(api(people[username]).get(f"{V1}/action-plans/", {"office": "heimdal"}))
        assert plan.pk in {p["id"] for p in listed}, username
        assert api(people[username]).get(url).json()["analysis"] == "For få planer"
    for username in ("stat.lerkendal", "kommune.lerkendal", "fylkesdirektor.nordland"):
        client = api(people[username])
        assert results(client.get(f"{V1}/action-plans/", {"office": "heimdal"})) == []
        assert client.get(url).status_code == 404
        assert client.patch(url, {"goal": "x", "version": 1}, format="json").status_code == 404
        assert client.post(f"{url}close/", {"version": 1}).status_code == 404


def test_the_leader_runs_an_action_plan(people, values, offices):
    leader = api(people["leder.heimdal"])
    body = {
        "office": "heimdal",
        "indicator": values.state.code,
        "period": M,
        "analysis": "Lav andel",
        "goal": "90 %",
    }
    opened = leader.post(f"{V1}/action-plans/", body, format="json")
    assert opened.status_code == 201, opened.content
    plan = opened.json()
    assert (plan["status"], plan["version"], plan["actions"], plan["follow_ups"]) == (
        "open",
        1,
        [],
        [],
    )
    assert leader.post(f"{V1}/action-plans/", body, format="json").status_code == 400
    url = f"{V1}/action-plans/{plan['id']}/"
    # Municipal staff see it but do not change it.
    assert (
        api(people["kommune.heimdal"])
        .patch(url, {"goal": "x", "version": 1}, format="json")
        .status_code
        == 403
    )
    added = leader.post(
        f"{url}actions/",
        {"description": "Kurs", "owner": "Teamleder", "due": "2030-01-31"},
        format="json",
    )
    assert added.status_code == 201, added.content
    written = leader.post(f"{url}follow-ups/", {"period": M, "note": "I rute"}, format="json")
    assert written.status_code == 201, written.content
    assert (
        leader.post(f"{url}follow-ups/", {"period": M, "note": "x"}, format="json").status_code
        == 400
    )
    changed = leader.patch(url, {"goal": "95 %", "version": 1}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["goal"] == "95 %"
    assert leader.patch(url, {"goal": "x", "version": 1}, format="json").status_code == 400
    closed = leader.post(f"{url}close/", {"version": 2}, format="json")
    assert closed.status_code == 200, closed.content
    shown = closed.json()
    assert shown["status"] == "closed" and shown["closed_at"]
    assert [a["description"] for a in shown["actions"]] == ["Kurs"]
    assert [(f["period"], f["written_by"]) for f in shown["follow_ups"]] == [(M, "leder.heimdal")]
    more = leader.post(
        f"{url}actions/", {"description": "Mer", "owner": "X", "due": "2030-01-31"}, format="json"
    )
    assert more.status_code == 400
    assert ActionPlan.objects.get(pk=plan["id"]).actions.count() == 1
    # Another office's staff cannot open a plan for Heimdal.
    other = api(people["stat.lerkendal"]).post(
        f"{V1}/action-plans/", {**body, "analysis": "x"}, format="json"
    )
    assert other.status_code in (400, 404)


# --- query counts ---------------------------------------------------------------------------


def queries(client, path, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, query)
    assert response.status_code == 200, response.content
    return len(captured)


def test_the_measurement_list_costs_the_same_for_one_or_many_offices_and_months(people, offices):
    indicators = [new_indicator(), new_indicator(side="municipal"), new_indicator(shared=True)]
    months = [add_months(MONTH, -k) for k in range(1, 7)]
    for code in TRONDHEIM_OFFICES:
        for period in months:
            for indicator in indicators:
                measure(offices[code], indicator, "5", period=period, user=people["leder.heimdal"])
    client = api(people["radmann.trondheim"])
    one = {"office": "heimdal", "period": format_period(months[0]), "indicator": indicators[1].code}
    many = {
        "period_from": format_period(months[-1]),
        "period_to": format_period(months[0]),
        "page_size": 500,
    }
    assert len(results(client.get(f"{V1}/measurements/", one))) == 1
    assert len(results(client.get(f"{V1}/measurements/", many))) >= 4 * 6 * 2
    assert queries(client, f"{V1}/measurements/", one) == queries(
        client, f"{V1}/measurements/", many
    )


def test_the_scorecard_list_costs_the_same_for_one_or_many_offices_and_months(
    people, offices, values
):
    months = [add_months(MONTH, -k) for k in range(1, 7)]
    for code in TRONDHEIM_OFFICES:
        for period in months:
            card = Scorecard.objects.create(
                office=offices[code],
                period=period,
                status="submitted",
                submitted_by=people["leder.heimdal"],
            )
            for indicator in (values.state, values.municipal, values.shared):
                ScorecardLine.objects.create(scorecard=card, indicator=indicator, status="met")
            ScorecardReview.objects.create(
                scorecard=card,
                side="state",
                reviewed_by=people["fylkesdirektor.trondelag"],
                reviewed_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
            )
    client = api(people["radmann.trondheim"])
    one = {"office": "heimdal", "period": format_period(months[0])}
    many = {"page_size": 500}
    assert len(results(client.get(f"{V1}/scorecards/", one))) == 1
    assert len(results(client.get(f"{V1}/scorecards/", many))) >= 24
    assert queries(client, f"{V1}/scorecards/", one) == queries(client, f"{V1}/scorecards/", many)
