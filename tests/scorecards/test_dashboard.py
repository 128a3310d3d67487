"""The NAV-leder's dashboard on the front page (issue 10, item 8): the reporting month's card of
each office led or worked at, as the user may see it (office staff: their side), the values
missing and the deadline, missed targets with and without plans, open plans, the agreement's
compliance, delegations ending soon and the next meetings — in a constant number of queries."""

import datetime
import difflib
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from agreements.models import Meeting, MeetingKind
from navpartner.sidedata import Side
from offices.models import Office
from scorecards.dashboard import office_dashboards
from scorecards.measurements import MeasurementRow, record_measurements
from scorecards.models import Level
from scorecards.periods import add_months, format_period, reporting_deadline, reporting_month
from scorecards.selectors import scorecards_for
from scorecards.services import open_action_plan
from tests import factories
from tests.scorecards.conftest import TRONDHEIM_OFFICES, new_indicator, new_target
from users.models import Delegation, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


def user(username: str) -> User:
    return User.objects.get(username=username)


def front_page(client, username: str) -> str:
    client.force_login(user(username))
    with translation.override("nb"):
        response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200
    return response.content.decode()


def dashboard_html(html: str) -> str:
    """The dashboard's section of the front page ('' when there is none)."""
    start = html.find('data-testid="leader-dashboard"')
    if start < 0:
        return ""
    return html[start : html.index('data-testid="my-offices"', start)]


def office_part(html: str, code: str) -> str:
    section = dashboard_html(html)
    start = section.find(f'data-dashboard-office="{code}" data-testid="dashboard-office"')
    if start < 0:
        return ""
    end = section.find('data-testid="dashboard-office"', start + 40)
    return section[start : end if end > 0 else None]


def enter(username: str, indicator, value, period=None) -> None:
    record_measurements(
        user=user(username),
        rows=[
            MeasurementRow(
                line=1,
                office="heimdal",
                indicator=indicator.code,
                period=format_period(period or reporting_month()),
                value=Decimal(value),
            )
        ],
        source="form",
    )


@pytest.fixture
def missed(demo_data):
    """A state indicator of the tests' own that Heimdal missed in the reporting month, and a
    municipal one whose value is missing."""
    period = reporting_month()
    state = new_indicator(side=Side.STATE)
    new_target(state, 90, year=period.year)
    enter("stat.heimdal", state, "10")
    municipal = new_indicator(side=Side.MUNICIPAL, scope=Level.NATIONAL)
    return {"period": period, "state": state, "municipal": municipal}


# --- What the leader sees -----------------------------------------------------------------------


def test_the_leader_gets_the_months_card_with_summary_links_and_sparklines(client, missed):
    period = missed["period"]
    html = front_page(client, "leder.heimdal")
    part = office_part(html, "heimdal")
    assert part, "no dashboard for Heimdal"
    card = scorecards_for(user("leder.heimdal"), [Office.objects.get(code="heimdal")], period)
    card = next(iter(card.values()))
    visible = [line for line in card.lines if line.value_visible]
    missing = [line for line in visible if line.value is None]
    assert f'data-missing="{len(missing)}" data-total="{len(visible)}"' in part
    with translation.override("nb"):
        deadline = date_format(reporting_deadline(period), "SHORT_DATE_FORMAT")
    assert deadline in part
    # Both sides, with a status badge (symbol and word) and a sparkline per visible line.
    assert 'data-testid="dashboard-lines-state"' in part
    assert 'data-testid="dashboard-lines-municipal"' in part
    assert f'data-indicator="{missed["state"].code}" data-value-visible="yes"' in part
    assert f'data-indicator="{missed["municipal"].code}" data-value-visible="yes"' in part
    assert 'data-status="missed"' in part
    assert "<svg" in part
    # The month's links.
    for name in ("card", "enter", "submit"):
        url = reverse(f"scorecards:{name}", kwargs={"office": "heimdal", "period": period})
        assert f'href="{url}"' in part, name


def test_the_summary_says_overdue_in_words(client, missed, monkeypatch):
    """After the deadline the sentence changes and says so (not only a colour)."""
    period = missed["period"]
    late = reporting_deadline(period) + datetime.timedelta(days=2)
    monkeypatch.setattr("scorecards.periods.timezone.localdate", lambda *a, **k: late)
    part = office_part(front_page(client, "leder.heimdal"), "heimdal")
    if 'data-status="submitted"' in part:
        pytest.skip("the month is submitted")
    assert 'data-status="overdue"' in part
    assert 'class="app-overdue"' in part


def test_a_missed_target_links_to_open_a_plan_and_then_to_the_plan(client, missed):
    period = missed["period"]
    code = missed["state"].code
    part = office_part(front_page(client, "leder.heimdal"), "heimdal")
    create = reverse("scorecards:plan-create", kwargs={"office": "heimdal"})
    assert f'href="{create}?indikator={code}&amp;maned={format_period(period)}"' in part
    assert f'data-indicator="{code}" data-plan="no"' in part
    plan = open_action_plan(
        user=user("leder.heimdal"),
        office=Office.objects.get(code="heimdal"),
        indicator=missed["state"],
        period=period,
        analysis="Testanalyse",
    )
    part = office_part(front_page(client, "leder.heimdal"), "heimdal")
    assert f'data-indicator="{code}" data-plan="yes"' in part
    assert f'href="{reverse("scorecards:plan", kwargs={"pk": plan.pk})}"' in part
    assert f'data-plan="{plan.pk}"' in part  # among the open plans


def test_compliance_delegations_and_meetings_of_the_office(client, missed):
    heimdal = Office.objects.get(code="heimdal")
    now = timezone.now()
    soon = Delegation.objects.create(
        grantor=user("radmann.trondheim"),
        grantee=user("stat.heimdal"),
        office=heimdal,
        side=Side.MUNICIPAL,
        level="view",
        basis="delegasjonsvedtak test",
        valid_from=now - datetime.timedelta(days=1),
        valid_to=now + datetime.timedelta(days=10),
    )
    later = Delegation.objects.create(
        grantor=user("radmann.trondheim"),
        grantee=user("stat.heimdal"),
        office=heimdal,
        side=Side.MUNICIPAL,
        level="view",
        basis="delegasjonsvedtak test 2",
        valid_from=now - datetime.timedelta(days=1),
        valid_to=now + datetime.timedelta(days=90),
    )
    upcoming = Meeting.objects.create(
        kind=MeetingKind.PARTNERSHIP, held_on=timezone.localdate() + datetime.timedelta(days=7)
    )
    upcoming.offices.add(heimdal)
    past = Meeting.objects.create(
        kind=MeetingKind.PARTNERSHIP, held_on=timezone.localdate() - datetime.timedelta(days=7)
    )
    past.offices.add(heimdal)
    part = office_part(front_page(client, "stat.heimdal"), "heimdal")
    assert f'data-delegation="{soon.pk}"' in part
    assert f'data-delegation="{later.pk}"' not in part
    assert f'data-meeting="{upcoming.pk}"' in part
    assert f'data-meeting="{past.pk}"' not in part
    leader = office_part(front_page(client, "leder.heimdal"), "heimdal")
    assert f'data-meeting="{upcoming.pk}"' in leader
    assert 'data-testid="dashboard-compliance"' in leader
    # Another office's staff: nothing of Heimdal.
    other = front_page(client, "stat.lerkendal")
    assert not office_part(other, "heimdal")
    assert f'data-meeting="{upcoming.pk}"' not in other
    assert f'data-delegation="{soon.pk}"' not in other


# --- Staff: their side; others: no dashboard ----------------------------------------------------


def test_municipal_staff_get_their_side_only(client, missed):
    part = office_part(front_page(client, "kommune.heimdal"), "heimdal")
    assert part
    assert f'data-indicator="{missed["municipal"].code}" data-value-visible="yes"' in part
    assert f'data-indicator="{missed["state"].code}" data-value-visible="yes"' not in part
    period = missed["period"]
    submit = reverse("scorecards:submit", kwargs={"office": "heimdal", "period": period})
    assert f'href="{submit}"' not in part  # only the leader submits
    enter_url = reverse("scorecards:enter", kwargs={"office": "heimdal", "period": period})
    assert f'href="{enter_url}"' in part


def test_state_staff_see_their_side_and_not_the_municipal_values(client, missed):
    part = office_part(front_page(client, "stat.lerkendal"), "lerkendal")
    assert part
    assert 'data-testid="dashboard-lines-state"' in part
    assert not office_part(front_page(client, "stat.lerkendal"), "heimdal")


@pytest.mark.parametrize(
    "username", ["radmann.trondheim", "fylkesdirektor.trondelag", "direktorat.admin"]
)
def test_other_roles_keep_their_front_page_without_a_dashboard(client, demo_data, username):
    html = front_page(client, username)
    assert not dashboard_html(html)
    assert 'data-testid="my-offices"' in html


def test_anonymous_is_sent_to_sign_in(client, demo_data):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_headings_are_in_order(client, missed):
    html = front_page(client, "leder.heimdal")
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1
    for previous, current in zip(levels, levels[1:], strict=False):
        assert current <= previous + 1, levels


# --- Queries ------------------------------------------------------------------------------------


def _queries(username_or_user, offices, period=None) -> int:
    who = username_or_user if isinstance(username_or_user, User) else user(username_or_user)
    roles = list(RoleAssignment.objects.active().filter(user=who))
    with CaptureQueriesContext(connection) as queries:
        dashboards = office_dashboards(who, offices, period=period, roles=roles)
        for dashboard in dashboards:  # what the template reads
            [line.status for line in dashboard.card.lines]
            [action for plan in dashboard.plans for action in plan.open_actions]
            [d.grantee for d in dashboard.delegations]
    return len(queries)


def test_queries_do_not_grow_with_the_number_of_offices(demo_data):
    offices = list(Office.objects.filter(code__in=TRONDHEIM_OFFICES).order_by("code"))
    assert len(offices) == 4
    one = factories.UserFactory(username="t-leader-one")
    RoleAssignment.objects.create(user=one, role=Role.OFFICE_LEADER, office=offices[0])
    four = factories.UserFactory(username="t-leader-four")
    for office in offices:
        RoleAssignment.objects.create(user=four, role=Role.OFFICE_LEADER, office=office)
    assert _queries(one, offices[:1]) == _queries(four, offices)


def test_queries_do_not_grow_with_the_months_of_history(demo_data):
    offices = list(Office.objects.filter(code__in=TRONDHEIM_OFFICES))
    indicator = new_indicator(side=Side.STATE)
    period = reporting_month()
    enter("stat.heimdal", indicator, "50", period)
    before = _queries("leder.heimdal", offices, period=period)
    for back in range(1, 12):
        enter("stat.heimdal", indicator, str(50 + back), add_months(period, -back))
    assert _queries("leder.heimdal", offices, period=period) == before


def test_the_front_page_costs_the_same_for_one_office_or_four(client, demo_data):
    offices = list(Office.objects.filter(code__in=TRONDHEIM_OFFICES).order_by("code"))
    counts = []
    for username, led in (("t-front-one", offices[:1]), ("t-front-four", offices)):
        person = factories.UserFactory(username=username)
        for office in led:
            RoleAssignment.objects.create(user=person, role=Role.OFFICE_LEADER, office=office)
        client.force_login(person)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        counts.append([q["sql"][:100] for q in queries if "SAVEPOINT" not in q["sql"]])
    assert len(counts[0]) == len(counts[1]), "\n".join(
        difflib.unified_diff(counts[0], counts[1], lineterm="", n=0)
    )
