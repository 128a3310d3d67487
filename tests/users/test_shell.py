"""The page shell (issue 8): each role's menu offers only the pages of use to it, and each front
page lists the offices in the person's reach with the links the policy allows."""

import pytest
from django.urls import reverse

from offices.models import OfficeMunicipality
from tests import factories
from users.models import Role, RoleAssignment, User
from users.selectors import Navigation, navigation

pytestmark = pytest.mark.django_db

# Every demo role reaches an office's joint data, so every one is offered the agreements.
EVERYONE = {
    reverse("home"),
    reverse("offices:list"),
    reverse("agreements:list"),
    reverse("scorecards:overview"),
    reverse("reports:list"),
}
ACCESS_PAGES = {
    reverse("access:delegation-list"),
    reverse("access:role-list"),
    reverse("access:review-overview"),
    reverse("access:audit-list"),
}
REVIEWER = EVERYONE | ACCESS_PAGES
# The monthly review pages (issue 11): the executive's municipality, the director's county.
MUNICIPAL_REVIEW = reverse("reviews:municipal", args=["5001"])
COUNTY_REVIEW = reverse("reviews:county", args=["50"])


def menu(client, username: str) -> set[str]:
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {item.url for item in response.context["shell"].menu}


def front_page_offices(client, username: str) -> list[str]:
    client.force_login(User.objects.get(username=username))
    return [office.code for office in client.get(reverse("home")).context["my_offices"]]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("leder.heimdal", REVIEWER),
        ("radmann.trondheim", REVIEWER | {MUNICIPAL_REVIEW}),
        ("fylkesdirektor.trondelag", REVIEWER | {COUNTY_REVIEW}),
        # Holds a delegation (the demo's): sees it, and nothing else of the access pages.
        ("stat.heimdal", EVERYONE | {reverse("access:delegation-list")}),
        ("kommune.heimdal", EVERYONE),
        ("stat.lerkendal", EVERYONE),
    ],
)
def test_each_demo_role_gets_the_menu_it_can_use(client, demo_data, username, expected):
    assert menu(client, username) == expected


def test_every_menu_page_answers_for_its_holder(client, demo_data):
    for username in (
        "leder.heimdal",
        "radmann.trondheim",
        "fylkesdirektor.trondelag",
        "stat.heimdal",
    ):
        for url in menu(client, username):
            assert client.get(url).status_code == 200, (username, url)


def make(role: str, *, municipal: bool = False, **scope) -> User:
    user = (factories.MunicipalUserFactory if municipal else factories.UserFactory)()
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


def test_advisors_get_no_access_pages(demo_data):
    municipal_advisor = make(
        Role.MUNICIPAL_ADVISOR, municipal=True, municipality=factories.municipality("5001")
    )
    county_advisor = make(Role.COUNTY_ADVISOR, county=factories.county("50"))
    assert navigation(user=municipal_advisor) == Navigation()
    assert navigation(user=county_advisor) == Navigation()


def test_a_national_administrator_administers_roles_only(demo_data):
    admin = make(Role.NATIONAL_ADMIN)
    assert navigation(user=admin) == Navigation(roles=True)


def test_an_executive_employed_by_the_state_delegates_nothing(demo_data):
    """The policy lets an executive delegate only when municipal-employed; the menu agrees."""
    executive = make(Role.MUNICIPAL_EXECUTIVE, municipality=factories.municipality("5001"))
    offered = navigation(user=executive)
    assert offered.access_review  # a reviewer all the same
    assert offered.delegations  # sees the offices' delegations as a reviewer


def test_nobody_signed_out_gets_a_menu():
    from django.contrib.auth.models import AnonymousUser

    assert navigation(user=AnonymousUser()) == Navigation()


@pytest.mark.parametrize(
    ("username", "offices"),
    [
        ("leder.heimdal", ["heimdal"]),
        ("stat.heimdal", ["heimdal"]),
        ("kommune.heimdal", ["heimdal"]),
        ("radmann.trondheim", ["heimdal", "lerkendal", "midtbyen", "ostbyen"]),
        (
            "fylkesdirektor.trondelag",
            ["heimdal", "lerkendal", "malvik", "midtbyen", "stjordal", "ostbyen"],
        ),
        # Both executives of NAV Indre Salten's municipalities: the host's and a served one's.
        ("radmann.fauske", ["indre-salten"]),
        ("radmann.saltdal", ["indre-salten"]),
        ("admin", []),
    ],
)
def test_front_page_lists_the_offices_in_reach(client, demo_data, username, offices):
    assert front_page_offices(client, username) == offices


def test_front_page_links_follow_the_policy(client, demo_data):
    client.force_login(User.objects.get(username="radmann.trondheim"))
    html = client.get(reverse("home")).content.decode()
    assert reverse("access:review-office", args=["heimdal"]) in html
    assert reverse("access:delegation-create") + "?office=heimdal" in html

    client.force_login(User.objects.get(username="stat.heimdal"))
    html = client.get(reverse("home")).content.decode()
    assert reverse("offices:notes", args=["heimdal"]) in html
    assert reverse("access:review-office", args=["heimdal"]) not in html
    assert reverse("access:delegation-create") not in html
    assert reverse("access:role-create") not in html


def test_an_advisor_sees_the_offices_serving_the_municipality(client, demo_data):
    saltdal = factories.municipality("1840")
    advisor = make(Role.MUNICIPAL_ADVISOR, municipal=True, municipality=saltdal)
    client.force_login(advisor)
    offices = client.get(reverse("home")).context["my_offices"]
    expected = set(
        OfficeMunicipality.objects.valid_on()
        .filter(municipality=saltdal)
        .values_list("office__code", flat=True)
    )
    assert {office.code for office in offices} == expected == {"indre-salten"}


def test_national_administrator_without_offices_gets_the_counties(client, demo_data):
    client.force_login(make(Role.NATIONAL_ADMIN))
    response = client.get(reverse("home"))
    counties = {county.number: county.office_count for county in response.context["counties"]}
    assert counties["50"] == 6
    assert counties["18"] == 3
    assert all(counties.values())  # counties without an office are left out
    assert f"{reverse('offices:list')}?county=50" in response.content.decode()


def test_only_an_office_leader_gets_the_dashboard_place(client, demo_data):
    for username, shown in (("leder.heimdal", True), ("radmann.trondheim", False)):
        client.force_login(User.objects.get(username=username))
        html = client.get(reverse("home")).content.decode()
        assert ('data-testid="leader-dashboard"' in html) is shown, username


def test_the_menu_costs_no_query_for_a_reviewer(demo_data, django_assert_num_queries):
    user = User.objects.get(username="fylkesdirektor.trondelag")
    roles = list(RoleAssignment.objects.active().filter(user=user))
    with django_assert_num_queries(0):
        navigation(user=user, roles=roles)


def test_front_page_queries_do_not_grow_with_the_offices_in_reach(client, demo_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(User.objects.get(username="fylkesdirektor.trondelag"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    before = queries()
    for _ in range(20):
        factories.OfficeMunicipalityFactory()  # a new office in Trøndelag, serving Trondheim
    after = queries()
    assert len(client.get(reverse("home")).context["my_offices"]) == 26
    assert after == before
