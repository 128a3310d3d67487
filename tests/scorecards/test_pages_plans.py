"""Action plan pages: an office's plans, opening one, its actions, the month's follow-up and
closing it — joint records of the office: those who see its joint data read them, the leader
and either side's authority write them, others get 403; another office, the other county, the
national administrator (no side data) 404 and anonymous users the login page."""

import datetime

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from offices.models import Office
from scorecards.models import Action, ActionPlan, FollowUp, Indicator
from scorecards.periods import add_months, current_month, format_period, reporting_month
from tests import factories
from users.models import AuditEvent, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

MONTH = add_months(reporting_month(), -1)

# username → what they may do with Heimdal's plans: "write", "read" (403 on writes), 404
HEIMDAL_PLANS = {
    "leder.heimdal": "write",
    "stat.heimdal": "read",
    "kommune.heimdal": "read",
    "stat.lerkendal": 404,
    "radmann.trondheim": "write",
    "fylkesdirektor.trondelag": "write",
    "fylkesdirektor.nordland": 404,
    "direktorat.admin": 404,
}


def person(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None and username == "direktorat.admin":
        user = factories.UserFactory(username=username)
        RoleAssignment.objects.create(user=user, role=Role.NATIONAL_ADMIN)
    return user


@pytest.fixture
def indicator(demo_data):
    return Indicator.objects.create(
        code="t-plan",
        name="Testandel plan",
        name_en="Test share plan",
        definition="For the test.",
        source="Test",
        perspective="user",
        side="state",
        scope="national",
        unit="percent",
        direction="higher",
        valid_from=datetime.date(2000, 1, 1),
    )


@pytest.fixture
def plan(indicator):
    return ActionPlan.objects.create(
        office=Office.objects.get(code="heimdal"),
        indicator=indicator,
        period=MONTH,
        analysis="Testanalyse: for få samtaler.",
        goal="Testmål",
    )


@pytest.fixture
def action(plan):
    return Action.objects.create(
        plan=plan, description="Testtiltak", owner="Teamleder", due=datetime.date(2030, 1, 31)
    )


def urls(plan, action) -> dict[str, str]:
    return {
        "plans": reverse("scorecards:plans", args=["heimdal"]),
        "plan-create": reverse("scorecards:plan-create", args=["heimdal"]),
        "plan": reverse("scorecards:plan", args=[plan.pk]),
        "action-add": reverse("scorecards:action-add", args=[plan.pk]),
        "action-edit": reverse("scorecards:action-edit", args=[action.pk]),
        "follow-up": reverse("scorecards:follow-up", args=[plan.pk]),
        "plan-close": reverse("scorecards:plan-close", args=[plan.pk]),
    }


READ_PAGES = ("plans", "plan")
WRITE_PAGES = ("plan-create", "action-add", "action-edit", "follow-up")


@pytest.mark.parametrize("username,expected", HEIMDAL_PLANS.items())
def test_plan_pages_by_role(client, plan, action, username, expected):
    client.force_login(person(username))
    pages = urls(plan, action)
    for name in READ_PAGES:
        response = client.get(pages[name])
        assert response.status_code == (404 if expected == 404 else 200), name
    if expected != 404:
        content = client.get(pages["plan"]).content.decode()
        assert "Testanalyse" in content and "Testtiltak" in content
        assert ('data-testid="close-form"' in content) == (expected == "write")
        listing = client.get(pages["plans"]).content.decode()
        assert f'data-plan="{plan.pk}"' in listing
    for name in WRITE_PAGES:
        response = client.get(pages[name])
        assert response.status_code == {404: 404, "read": 403, "write": 200}[expected], name
    response = client.post(pages["plan-close"], {"version": plan.version})
    if expected == "write":
        assert response.status_code == 302
    else:
        assert response.status_code == (404 if expected == 404 else 403)
        plan.refresh_from_db()
        assert plan.status == "open"


@pytest.mark.parametrize(
    "username,expected", [(u, e) for u, e in HEIMDAL_PLANS.items() if e != "write"]
)
def test_plan_writes_are_refused_and_store_nothing(client, plan, action, username, expected):
    client.force_login(person(username))
    pages = urls(plan, action)
    status = 404 if expected == 404 else 403
    posts = {
        "plan-create": {
            "indicator": plan.indicator.code,
            "period": format_period(MONTH),
            "analysis": "x",
        },
        "action-add": {"description": "x", "owner": "y", "due": "31.01.2030"},
        "action-edit": {
            "description": "x",
            "owner": "y",
            "due": "31.01.2030",
            "status": "done",
            "version": action.version,
        },
        "follow-up": {"period": format_period(current_month()), "note": "x"},
    }
    for name, data in posts.items():
        assert client.post(pages[name], data).status_code == status, name
    assert Action.objects.filter(plan=plan).count() == 1
    action.refresh_from_db()
    assert action.status == "planned"
    assert not FollowUp.objects.filter(plan=plan).exists()


@pytest.mark.parametrize(
    "name", ["plans", "plan", "plan-create", "action-add", "action-edit", "follow-up", "plan-close"]
)
def test_anonymous_is_sent_to_login(client, plan, action, name):
    url = urls(plan, action)[name]
    response = client.post(url) if name == "plan-close" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_unknown_office_and_plan_are_404(client, demo_data):
    client.force_login(person("leder.heimdal"))
    assert client.get(reverse("scorecards:plans", args=["t-nowhere"])).status_code == 404
    assert client.get(reverse("scorecards:plan", args=[999999])).status_code == 404


def events(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(obj.pk), object_type=obj._meta.label_lower)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_plan_flow_open_act_follow_up_close(client, indicator):
    leader = person("leder.heimdal")
    client.force_login(leader)
    create = reverse("scorecards:plan-create", args=["heimdal"])
    page = client.get(create, {"indikator": "t-plan", "maned": format_period(MONTH)})
    assert page.status_code == 200
    assert 'value="t-plan" selected' in page.content.decode()
    response = client.post(
        create,
        {
            "indicator": "t-plan",
            "period": format_period(MONTH),
            "analysis": "Færre samtaler enn planlagt.",
            "goal": "Tilbake over målet innen tre måneder.",
        },
    )
    assert response.status_code == 302
    plan = ActionPlan.objects.get(indicator=indicator, office__code="heimdal")
    assert response["Location"] == reverse("scorecards:plan", args=[plan.pk])
    assert (plan.period, plan.status, plan.created_by) == (MONTH, "open", leader)
    assert events(plan) == ["data_created"]

    # a second open plan for the same indicator is refused at the indicator field
    again = client.post(
        create, {"indicator": "t-plan", "period": format_period(MONTH), "analysis": "x"}
    )
    assert again.status_code == 400
    assert 'id="id_indicator-error"' in again.content.decode()

    response = client.post(
        reverse("scorecards:action-add", args=[plan.pk]),
        {"description": "Ukentlig gjennomgang", "owner": "Teamleder", "due": "31.01.2030"},
    )
    assert response.status_code == 302
    action = Action.objects.get(plan=plan)
    assert action.due == datetime.date(2030, 1, 31)
    assert events(action) == ["data_created"]

    edit = reverse("scorecards:action-edit", args=[action.pk])
    response = client.post(
        edit,
        {
            "description": "Ukentlig gjennomgang",
            "owner": "Teamleder",
            "due": "31.01.2030",
            "status": "done",
            "version": action.version,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert events(action) == ["data_created", "data_changed"]

    follow = reverse("scorecards:follow-up", args=[plan.pk])
    response = client.post(follow, {"period": format_period(current_month()), "note": "Bedre."})
    assert response.status_code == 302
    follow_up = FollowUp.objects.get(plan=plan)
    assert (follow_up.period, follow_up.written_by) == (current_month(), leader)
    assert events(follow_up) == ["data_created"]
    twice = client.post(follow, {"period": format_period(current_month()), "note": "Igjen."})
    assert twice.status_code == 400
    assert 'id="id_period-error"' in twice.content.decode()
    future = client.post(
        follow, {"period": format_period(add_months(current_month(), 2)), "note": "x"}
    )
    assert future.status_code == 400

    listing = client.get(reverse("scorecards:plans", args=["heimdal"])).content.decode()
    assert f'data-plan="{plan.pk}"' in listing

    plan.refresh_from_db()
    response = client.post(
        reverse("scorecards:plan-close", args=[plan.pk]), {"version": plan.version}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "closed" and plan.closed_at is not None
    assert events(plan) == ["data_created", "data_changed"]
    detail = client.get(reverse("scorecards:plan", args=[plan.pk])).content.decode()
    assert 'data-testid="close-form"' not in detail
    assert 'data-testid="action-form"' not in detail
    # a closed plan takes no more actions or follow-ups
    refused = client.post(
        reverse("scorecards:action-add", args=[plan.pk]),
        {"description": "x", "owner": "y", "due": "31.01.2030"},
    )
    assert refused.status_code == 400
    assert Action.objects.filter(plan=plan).count() == 1


def test_plan_form_errors_are_shown_at_fields(client, indicator):
    client.force_login(person("leder.heimdal"))
    response = client.post(
        reverse("scorecards:plan-create", args=["heimdal"]),
        {"indicator": "not-an-indicator", "period": "2026-13", "analysis": ""},
    )
    assert response.status_code == 400
    content = response.content.decode()
    for field in ("indicator", "period", "analysis"):
        assert f'id="id_{field}-error"' in content
    assert not ActionPlan.objects.filter(indicator=indicator).exists()
    response = client.post(
        reverse("scorecards:plan-create", args=["heimdal"]),
        {"indicator": "t-plan", "period": format_period(MONTH), "analysis": "x"},
    )
    assert response.status_code == 302


def test_stale_action_edit_names_who_changed_it(client, action):
    other = person("radmann.trondheim")
    Action.objects.filter(pk=action.pk).update(version=2, updated_by=other, status="in_progress")
    client.force_login(person("leder.heimdal"))
    response = client.post(
        reverse("scorecards:action-edit", args=[action.pk]),
        {"description": "x", "owner": "y", "due": "31.01.2030", "status": "done", "version": 1},
    )
    assert response.status_code == 400
    assert str(other) in response.content.decode()
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_stale_close_names_who_changed_it(client, plan):
    other = person("fylkesdirektor.trondelag")
    ActionPlan.objects.filter(pk=plan.pk).update(version=3, updated_by=other)
    client.force_login(person("leder.heimdal"))
    response = client.post(reverse("scorecards:plan-close", args=[plan.pk]), {"version": 1})
    assert response.status_code == 400
    assert str(other) in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "open"


def test_plan_list_counts_actions_and_last_follow_up(client, plan, action):
    Action.objects.create(
        plan=plan, description="B", owner="C", due=datetime.date(2030, 2, 1), status="done"
    )
    leader = person("leder.heimdal")
    FollowUp.objects.create(plan=plan, period=MONTH, note="n", written_by=leader)
    client.force_login(leader)
    response = client.get(reverse("scorecards:plans", args=["heimdal"]))
    from tests.scorecards.test_pages_indicators import table_with

    table = table_with(response, "plans-open")
    cells = table["rows"][1]
    assert "1" in cells[2] and "2" in cells[2]
    assert cells[3]  # the month of the last follow-up
