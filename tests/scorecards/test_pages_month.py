"""An office's month in the browser (issue 10, items 3–5): the overview, the card, the value
grid, submitting, reopening and reviewing — for the leader, each side's staff, the rådmann, the
county director, another office, another county and anonymous callers (DESIGN.md rule 7).

The tests' own indicators (``t-…``) and a month before the demo's 24 (``quiet_month``) keep
them independent of the demo's scorecard data.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from scorecards import services
from scorecards.measurements import MeasurementRow, record_measurements
from scorecards.models import Measurement, Scorecard, ScorecardLine, ScorecardReview, Status
from scorecards.periods import add_months, current_month, format_period
from tests import factories
from tests.scorecards.conftest import new_indicator, new_target, quiet_month, reasons_for_all
from users.models import RoleAssignment, User

pytestmark = pytest.mark.django_db

OUTSIDERS = ["stat.lerkendal", "kommune.lerkendal", "fylkesdirektor.nordland"]


def user(username):
    return User.objects.get(username=username)


def signed_in(client, username):
    client.force_login(user(username))
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def row(html: str, code: str) -> str:
    """The card's table row of one indicator ('' if it is not there)."""
    pattern = rf'<tr[^>]*data-indicator="{re.escape(code)}".*?data-testid="plan">.*?</td>'
    match = re.search(pattern, html, re.S)
    return match.group(0) if match else ""


def card_url(period, office="heimdal"):
    return reverse("scorecards:card", kwargs={"office": office, "period": format_period(period)})


def page_url(name, period, office="heimdal"):
    return reverse(f"scorecards:{name}", kwargs={"office": office, "period": format_period(period)})


@pytest.fixture
def month():
    return quiet_month()


@pytest.fixture
def setup(demo_data, offices, month):
    """A state and a municipal indicator with targets; the state one met (90 against 80), the
    municipal one missed (30 against 50), both entered by the leader."""
    state = new_indicator(side="state", name="T stat", name_en="T state")
    municipal = new_indicator(side="municipal", name="T kommune", name_en="T municipal")
    new_target(state, 80, year=month.year, tolerance=5)
    new_target(municipal, 50, year=month.year, tolerance=5)
    record_measurements(
        user=user("leder.heimdal"),
        rows=[
            MeasurementRow(1, "heimdal", state.code, month, "90"),
            MeasurementRow(2, "heimdal", municipal.code, month, "30"),
        ],
        source="form",
    )
    return {"state": state, "municipal": municipal, "office": offices["heimdal"]}


def submit(office, period):
    return services.submit_scorecard(
        user=user("leder.heimdal"),
        office=office,
        period=period,
        missing_reasons=reasons_for_all(office, period),
    )


# --- The card: who sees what (rule 7) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "state_value", "municipal_value"),
    [
        ("leder.heimdal", True, True),
        ("stat.heimdal", True, True),  # municipal through the demo's delegation
        ("kommune.heimdal", False, True),
        ("radmann.trondheim", False, True),
        ("fylkesdirektor.trondelag", True, False),
    ],
)
def test_card_after_submission_shows_values_or_statuses(
    client, setup, month, username, state_value, municipal_value
):
    submit(setup["office"], month)
    response = signed_in(client, username).get(card_url(month))
    assert response.status_code == 200
    html = response.content.decode()
    for key, visible, value, status in (
        ("state", state_value, "90", Status.MET),
        ("municipal", municipal_value, "30", Status.MISSED),
    ):
        line = row(html, setup[key].code)
        assert line, key
        assert f'data-value-visible="{"yes" if visible else "no"}"' in line
        value_cell = re.search(r'data-testid="value">(.*?)</td>', line, re.S).group(1)
        assert (value in value_cell) is visible
        # Everyone with a view of the office's joint data reads the status once submitted.
        assert f'data-status="{status}"' in line


@pytest.mark.parametrize(
    ("username", "hidden"),
    [
        ("kommune.heimdal", "state"),
        ("radmann.trondheim", "state"),
        ("fylkesdirektor.trondelag", "municipal"),
    ],
)
def test_card_before_submission_hides_the_other_sides_status(
    client, setup, month, username, hidden
):
    response = signed_in(client, username).get(card_url(month))
    assert response.status_code == 200
    line = row(response.content.decode(), setup[hidden].code)
    assert 'data-value-visible="no"' in line
    assert "data-status=" not in line
    value_cell = re.search(r'data-testid="value">(.*?)</td>', line, re.S).group(1)
    assert _("Shown after submission") in value_cell
    assert "90" not in value_cell and "30" not in value_cell


@pytest.mark.parametrize("username", [*OUTSIDERS, "direktorat.admin", "statistikk.klient"])
def test_card_is_unknown_to_outsiders(client, setup, month, username):
    if not User.objects.filter(username=username).exists():
        pytest.skip(f"{username} is not in the demo data yet")
    response = signed_in(client, username).get(card_url(month))
    assert response.status_code == 404


def test_card_refusal_is_audited_alike_for_missing_and_forbidden(client, setup, month):
    from users.models import AuditAction, AuditEvent

    signed_in(client, "stat.lerkendal")
    before = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()
    assert client.get(card_url(month)).status_code == 404
    assert client.get(card_url(month, office="nowhere")).status_code == 404
    events = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).order_by("pk")
    assert events.count() == before + 2
    forbidden, missing = events[before:]
    assert forbidden.office_id is None and missing.office_id is None
    assert forbidden.actor.username == "stat.lerkendal"


def test_card_signs_in_anonymous_callers(client, setup, month):
    response = client.get(card_url(month))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_card_months_outside_the_offices_life_are_404(client, setup, month):
    signed_in(client, "leder.heimdal")
    assert client.get(card_url(add_months(current_month(), 1))).status_code == 404
    opened = setup["office"].opened_on
    before = add_months(opened.replace(day=1), -1)
    assert client.get(card_url(before)).status_code == 404
    assert client.get("/malekort/heimdal/2026-13/").status_code == 404
    assert client.get(card_url(month, office="nowhere")).status_code == 404


def test_card_header_actions_and_summary(client, setup, month):
    response = signed_in(client, "leder.heimdal").get(card_url(month))
    html = response.content.decode()
    assert 'data-status="overdue"' in html  # a month long past, not submitted
    for name in ("enter", "submit", "pdf"):
        assert page_url(name, month) in html
    assert reverse("scorecards:import", kwargs={"office": "heimdal"}) in html
    assert page_url("reopen", month) not in html
    # The missed municipal line offers an action plan to one who writes joint data.
    municipal = row(html, setup["municipal"].code)
    assert reverse("scorecards:plan-create", kwargs={"office": "heimdal"}) in municipal
    assert f"indikator={setup['municipal'].code}" in municipal
    assert 'data-testid="open-plan"' not in row(html, setup["state"].code)
    # Status counts as text, per side; a sparkline with its text alternative.
    assert 'data-testid="summary-state"' in html and 'data-testid="summary-municipal"' in html
    assert "<svg" in row(html, setup["state"].code) and "<details" in row(html, setup["state"].code)
    assert 'name="csrfmiddlewaretoken"' in html
    # Month navigation.
    assert card_url(add_months(month, -1)) in html and card_url(add_months(month, 1)) in html


def test_card_staff_have_no_leaders_buttons(client, setup, month):
    html = signed_in(client, "kommune.heimdal").get(card_url(month)).content.decode()
    assert page_url("enter", month) in html
    assert page_url("submit", month) not in html
    assert 'data-testid="open-plan"' not in html  # staff do not write joint records


def test_card_after_submission_offers_reopen_and_reviews(client, setup, month):
    submit(setup["office"], month)
    html = signed_in(client, "leder.heimdal").get(card_url(month)).content.decode()
    assert page_url("reopen", month) in html
    assert page_url("enter", month) not in html
    assert page_url("submit", month) not in html
    html = signed_in(client, "radmann.trondheim").get(card_url(month)).content.decode()
    assert page_url("review", month) in html
    html = signed_in(client, "kommune.heimdal").get(card_url(month)).content.decode()
    assert page_url("review", month) not in html


def test_card_query_count_does_not_grow_with_indicators(
    client, setup, month, django_assert_max_num_queries
):
    signed_in(client, "leder.heimdal")
    leader = user("leder.heimdal")

    def add(count):
        rows = []
        for _index in range(count):
            indicator = new_indicator(side="state")
            new_target(indicator, 50, year=month.year)
            for back in range(12):
                rows.append(
                    MeasurementRow(
                        len(rows) + 1, "heimdal", indicator.code, add_months(month, -back), "60"
                    )
                )
        record_measurements(user=leader, rows=rows, source="import")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(card_url(month)).status_code == 200
        return len(queries)

    add(2)
    client.get(card_url(month))  # warm the session and caches
    small = count()
    add(20)
    with django_assert_max_num_queries(small):
        assert client.get(card_url(month)).status_code == 200
    # Submitted, with its summary of 22 more lines: still the same queries.
    submit(setup["office"], month)
    submitted = count()
    add(10)
    with django_assert_max_num_queries(submitted):
        assert client.get(card_url(month)).status_code == 200


# --- Entering values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "state", "municipal"),
    [
        ("leder.heimdal", True, True),
        ("stat.heimdal", True, False),  # sees municipal values, but may not change them
        ("kommune.heimdal", False, True),
    ],
)
def test_grid_shows_the_sides_one_changes(client, setup, month, username, state, municipal):
    response = signed_in(client, username).get(page_url("enter", month))
    assert response.status_code == 200
    html = response.content.decode()
    assert (f'name="value_{setup["state"].code}"' in html) is state
    assert (f'name="value_{setup["municipal"].code}"' in html) is municipal
    assert 'inputmode="decimal"' in html
    if state:
        assert 'value="90"' in html  # the stored value as it is typed back
        stored = Measurement.objects.get(indicator=setup["state"], period=month)
        assert f'name="version_{setup["state"].code}" value="{stored.version}"' in html


@pytest.mark.parametrize("username", OUTSIDERS)
def test_grid_is_unknown_to_outsiders(client, setup, month, username):
    assert signed_in(client, username).get(page_url("enter", month)).status_code == 404
    response = client.post(page_url("enter", month), {f"value_{setup['state'].code}": "1"})
    assert response.status_code == 404


def test_grid_signs_in_anonymous_callers(client, setup, month):
    response = client.post(page_url("enter", month), {})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_grid_saves_with_a_decimal_comma(client, setup, month):
    code = setup["state"].code
    stored = Measurement.objects.get(indicator=setup["state"], period=month)
    response = signed_in(client, "stat.heimdal").post(
        page_url("enter", month),
        {
            f"value_{code}": "55,5",
            f"comment_{code}": "Ny telling",
            f"version_{code}": stored.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == card_url(month)
    stored.refresh_from_db()
    assert stored.value == Decimal("55.5") and stored.comment == "Ny telling"
    assert stored.updated_by.username == "stat.heimdal"


def test_grid_refuses_a_bad_value_and_stores_nothing(client, setup, month):
    state, municipal = setup["state"].code, setup["municipal"].code
    response = signed_in(client, "leder.heimdal").post(
        page_url("enter", month),
        {
            f"value_{state}": "101",
            f"version_{state}": 1,
            f"value_{municipal}": "40",
            f"version_{municipal}": 1,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_value_{state}-error"' in html
    assert 'id="error-summary"' in html and f'href="#id_value_{state}"' in html
    assert _("A percentage must be between 0 and 100.") in html
    assert Measurement.objects.get(indicator=setup["municipal"], period=month).value == 30


def test_grid_stale_version_names_the_other_writer(client, setup, month):
    code = setup["state"].code
    seen = Measurement.objects.get(indicator=setup["state"], period=month).version
    record_measurements(
        user=user("leder.heimdal"),
        rows=[MeasurementRow(1, "heimdal", code, month, "70", version=seen)],
        source="form",
    )
    response = signed_in(client, "stat.heimdal").post(
        page_url("enter", month), {f"value_{code}": "60", f"version_{code}": seen}
    )
    assert response.status_code == 400
    assert str(user("leder.heimdal")) in text(response)
    assert Measurement.objects.get(indicator=setup["state"], period=month).value == 70


def test_grid_ignores_a_forged_field_of_the_other_side(client, setup, month):
    state, municipal = setup["state"].code, setup["municipal"].code
    response = signed_in(client, "kommune.heimdal").post(
        page_url("enter", month),
        {
            f"value_{state}": "10",
            f"version_{state}": 1,
            f"value_{municipal}": "45",
            f"version_{municipal}": 1,
        },
    )
    assert response.status_code == 302
    assert Measurement.objects.get(indicator=setup["state"], period=month).value == 90
    assert Measurement.objects.get(indicator=setup["municipal"], period=month).value == 45


def test_grid_new_value_for_an_empty_month(client, setup, month):
    earlier = add_months(month, -1)
    code = setup["municipal"].code
    response = signed_in(client, "kommune.heimdal").post(
        page_url("enter", earlier), {f"value_{code}": "12", f"version_{code}": 0}
    )
    assert response.status_code == 302
    assert Measurement.objects.get(indicator=setup["municipal"], period=earlier).value == 12


def test_grid_is_closed_for_a_submitted_month_and_the_future(client, setup, month):
    submit(setup["office"], month)
    code = setup["state"].code
    signed_in(client, "leder.heimdal")
    response = client.post(page_url("enter", month), {f"value_{code}": "10", f"version_{code}": 1})
    assert response.status_code == 302 and response["Location"] == card_url(month)
    assert Measurement.objects.get(indicator=setup["state"], period=month).value == 90
    assert client.get(page_url("enter", add_months(current_month(), 1))).status_code == 404


# --- Submitting and reopening ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("stat.heimdal", 403),
        ("kommune.heimdal", 403),
        ("radmann.trondheim", 403),
        ("fylkesdirektor.trondelag", 403),
        ("stat.lerkendal", 404),
        ("kommune.lerkendal", 404),
        ("fylkesdirektor.nordland", 404),
    ],
)
def test_only_the_leader_submits(client, setup, month, username, status):
    signed_in(client, username)
    assert client.get(page_url("submit", month)).status_code == status
    assert client.post(page_url("submit", month), {}).status_code == status
    assert not Scorecard.objects.filter(office=setup["office"], period=month, status="submitted")


def test_submit_signs_in_anonymous_callers(client, setup, month):
    response = client.post(page_url("submit", month), {})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_submit_refused_with_unexplained_missing_values(client, setup, month):
    Measurement.objects.filter(indicator=setup["state"], period=month).delete()
    response = signed_in(client, "leder.heimdal").get(page_url("submit", month))
    assert response.status_code == 200
    code = setup["state"].code
    assert f'name="reason_{code}"' in response.content.decode()
    assert f'name="missed_{setup["municipal"].code}"' in response.content.decode()
    response = client.post(page_url("submit", month), {"comment": "Sendt"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_reason_{code}-error"' in html
    assert _("Give a value or say why it is missing.") in html
    assert not Scorecard.objects.filter(office=setup["office"], period=month, status="submitted")
    assert not ScorecardLine.objects.filter(indicator=setup["state"])


def test_submit_accepted_with_reasons(client, setup, month):
    Measurement.objects.filter(indicator=setup["state"], period=month).delete()
    signed_in(client, "leder.heimdal")
    form = client.get(page_url("submit", month)).content.decode()
    data = {"comment": "Greit", f"missed_{setup['municipal'].code}": "Vi tar tak"}
    for name in re.findall(r'name="(reason_[^"]+)"', form):
        data[name] = "Ikke levert"
    response = client.post(page_url("submit", month), data)
    assert response.status_code == 302 and response["Location"] == card_url(month)
    scorecard = Scorecard.objects.get(office=setup["office"], period=month)
    assert scorecard.is_submitted and scorecard.comment == "Greit"
    assert scorecard.submitted_by.username == "leder.heimdal"
    line = ScorecardLine.objects.get(scorecard=scorecard, indicator=setup["state"])
    assert line.status == Status.MISSING and line.missing_reason == "Ikke levert"
    missed = ScorecardLine.objects.get(scorecard=scorecard, indicator=setup["municipal"])
    assert missed.status == Status.MISSED and missed.comment == "Vi tar tak"


def test_reopen_by_the_leader_only(client, setup, month):
    scorecard = submit(setup["office"], month)
    url = page_url("reopen", month)
    assert (
        signed_in(client, "stat.heimdal").post(url, {"version": scorecard.version}).status_code
        == 403
    )
    assert (
        signed_in(client, "stat.lerkendal").post(url, {"version": scorecard.version}).status_code
        == 404
    )
    assert signed_in(client, "leder.heimdal").get(url).status_code == 405
    response = client.post(url, {"version": scorecard.version})
    assert response.status_code == 302
    scorecard.refresh_from_db()
    assert not scorecard.is_submitted


def test_reopen_with_a_stale_version_is_refused(client, setup, month):
    scorecard = submit(setup["office"], month)
    response = signed_in(client, "leder.heimdal").post(
        page_url("reopen", month), {"version": scorecard.version - 1}
    )
    assert response.status_code == 302
    scorecard.refresh_from_db()
    assert scorecard.is_submitted


# --- Reviewing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "side"),
    [("radmann.trondheim", "municipal"), ("fylkesdirektor.trondelag", "state")],
)
def test_each_side_reviews(client, setup, month, username, side):
    scorecard = submit(setup["office"], month)
    signed_in(client, username)
    response = client.get(page_url("review", month))
    assert response.status_code == 200
    assert f'type="hidden" name="side" value="{side}"' in response.content.decode()
    response = client.post(page_url("review", month), {"side": side, "comment": "Sett"})
    assert response.status_code == 302
    review = ScorecardReview.objects.get(scorecard=scorecard)
    assert review.side == side and review.comment == "Sett"
    html = client.get(card_url(month)).content.decode()
    assert 'data-testid="reviews"' in html and f'data-side="{side}"' in html


def test_review_cannot_be_given_for_the_other_side(client, setup, month):
    scorecard = submit(setup["office"], month)
    response = signed_in(client, "radmann.trondheim").post(
        page_url("review", month), {"side": "state", "comment": "x"}
    )
    assert response.status_code == 400
    assert not ScorecardReview.objects.filter(scorecard=scorecard)


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("leder.heimdal", 403),
        ("stat.heimdal", 403),
        ("kommune.heimdal", 403),
        ("stat.lerkendal", 404),
        ("fylkesdirektor.nordland", 404),
    ],
)
def test_review_refused_to_others(client, setup, month, username, status):
    submit(setup["office"], month)
    signed_in(client, username)
    assert client.get(page_url("review", month)).status_code == status
    assert client.post(page_url("review", month), {"side": "state"}).status_code == status


def test_review_waits_for_submission(client, setup, month):
    response = signed_in(client, "radmann.trondheim").get(page_url("review", month))
    assert response.status_code == 302 and response["Location"] == card_url(month)


# --- The overview ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "sees", "not_sees"),
    [
        ("leder.heimdal", ["heimdal"], ["lerkendal"]),
        ("kommune.heimdal", ["heimdal"], ["lerkendal"]),
        ("radmann.trondheim", ["heimdal", "lerkendal", "midtbyen", "ostbyen"], []),
        ("fylkesdirektor.trondelag", ["heimdal", "lerkendal"], []),
        ("fylkesdirektor.nordland", [], ["heimdal", "lerkendal"]),
    ],
)
def test_overview_lists_the_offices_in_reach(client, setup, month, username, sees, not_sees):
    response = signed_in(client, username).get(
        reverse("scorecards:overview"), {"maned": format_period(month)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    for code in sees:
        assert f'data-office="{code}"' in html
    for code in not_sees:
        assert f'data-office="{code}"' not in html
    if "heimdal" in sees:
        assert card_url(month) in html
        assert re.search(r'data-office="heimdal".*?data-state="overdue"', html, re.S)


def test_overview_shows_submitted_and_reviews(client, setup, month):
    scorecard = submit(setup["office"], month)
    services.review_scorecard(user=user("radmann.trondheim"), scorecard=scorecard, side="municipal")
    html = (
        signed_in(client, "leder.heimdal")
        .get(reverse("scorecards:overview"), {"maned": format_period(month)})
        .content.decode()
    )
    heimdal = re.search(r'<tr[^>]*data-office="heimdal".*?</tr>', html, re.S).group(0)
    assert 'data-state="submitted"' in heimdal


def test_overview_defaults_to_the_reporting_month_and_navigates(client, setup):
    from scorecards.periods import reporting_month

    response = signed_in(client, "leder.heimdal").get(reverse("scorecards:overview"))
    assert response.status_code == 200
    period = reporting_month()
    html = response.content.decode()
    assert f"maned={format_period(add_months(period, -1))}" in html
    assert card_url(period) in html


def test_overview_empty_and_bad_month(client, demo_data):
    nobody = User.objects.create_user(username="t-nobody", password="x")  # noqa: S106
    client.force_login(nobody)
    response = client.get(reverse("scorecards:overview"))
    assert response.status_code == 200
    assert 'data-testid="empty"' in response.content.decode()
    assert client.get(reverse("scorecards:overview"), {"maned": "2026-13"}).status_code == 400


def test_overview_signs_in_anonymous_callers(client, demo_data):
    response = client.get(reverse("scorecards:overview"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# --- One who only views one side (a delegation) ------------------------------------------------


@pytest.fixture
def state_reader(setup):
    """A municipal employee with no role, given a view delegation of Heimdal's state data."""
    from django.utils import timezone

    from users.services import delegation_grant

    reader = factories.MunicipalUserFactory(username="t-reader")
    delegation_grant(
        grantor=user("fylkesdirektor.trondelag"),
        grantee=reader,
        office=setup["office"],
        side="state",
        level="view",
        basis="delegasjonsvedtak t-1",
        valid_to=timezone.localdate() + datetime.timedelta(days=30),
    )
    return reader


def test_view_only_reader_sees_their_side_and_may_act_on_nothing(
    client, setup, month, state_reader
):
    client.force_login(state_reader)
    response = client.get(card_url(month))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-value-visible="yes"' in row(html, setup["state"].code)
    assert row(html, setup["municipal"].code) == ""  # no joint view: not even the name
    assert page_url("enter", month) not in html
    assert client.get(page_url("enter", month)).status_code == 403
    assert client.post(page_url("enter", month), {}).status_code == 403
    assert client.get(reverse("scorecards:import", kwargs={"office": "heimdal"})).status_code == 403
    assert client.get(page_url("submit", month)).status_code == 403
    assert client.get(page_url("review", month)).status_code == 403


# --- The demo's own months, whatever is there --------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("leder.heimdal", 200),
        ("stat.heimdal", 200),
        ("kommune.heimdal", 200),
        ("radmann.trondheim", 200),
        ("fylkesdirektor.trondelag", 200),
        ("stat.lerkendal", 404),
        ("fylkesdirektor.nordland", 404),
    ],
)
def test_demo_months_render_for_every_role(client, demo_data, username, status):
    from scorecards.periods import reporting_month

    signed_in(client, username)
    for period in (reporting_month(), add_months(reporting_month(), -1)):
        assert client.get(card_url(period)).status_code == status
    if status == 200 and RoleAssignment.objects.filter(user__username=username).exists():
        assert client.get(reverse("scorecards:overview")).status_code == 200
