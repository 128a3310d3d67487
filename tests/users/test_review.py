"""The access review (rule 10): who can see each side's data of an office, on what basis, and
the cross-line access counted — on the page, in the CSV export and in the API; who may see a
review at all; and that the queries stay bounded whatever the number of people or offices.

Pages answer at /tilgang/gjennomgang/ (overview) and /tilgang/gjennomgang/<code>/ (+ csv/), the
API at /api/v1/access-review/?office=<code>; all read ``users/access/review.py``.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from navpartner.templatetags.dates import until_text
from offices.models import Office
from tests import factories
from users.access.review import access_overview, access_review
from users.models import AuditAction, AuditEvent, Delegation, PermissionBasis, Role, User
from users.services import delegation_grant, delegation_revoke, role_assignment_ensure

pytestmark = pytest.mark.django_db

BASIS = "delegasjonsvedtak 2025-07"
API_URL = "/api/v1/access-review/"
TRONDHEIM_OFFICES = ["NAV Heimdal", "NAV Lerkendal", "NAV Midtbyen", "NAV Østbyen"]


def user(username: str) -> User:
    return User.objects.get(username=username)


def office(code: str) -> Office:
    return Office.objects.get(code=code)


def page_url(code: str = "heimdal") -> str:
    return reverse("access:review-office", args=[code])


def csv_url(code: str = "heimdal") -> str:
    return reverse("access:review-office-csv", args=[code])


def as_user(client, username: str):
    client.force_login(user(username))
    return client


def api_as(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user(username))
    return client


def usernames(review, side: str) -> dict[str, str]:
    """username -> level, for one side of a review."""
    return {entry.person.username: entry.level for entry in review.side(side).entries}


def entry_of(review, side: str, username: str):
    return next(e for e in review.side(side).entries if e.person.username == username)


def grant_municipal_view(grantee: str = "stat.heimdal", code: str = "heimdal", **kwargs):
    return delegation_grant(
        grantor=user("radmann.trondheim"),
        grantee=user(grantee),
        office=office(code),
        side="municipal",
        level=kwargs.pop("level", "view"),
        basis=kwargs.pop("basis", BASIS),
        valid_to=timezone.localdate() + datetime.timedelta(days=30),
    )


@pytest.fixture
def roles_only(demo_data):
    """The demo, with the delegations it seeds at Heimdal revoked: access from roles alone."""
    for delegation in Delegation.objects.active().filter(office__code="heimdal"):
        delegation_revoke(delegation=delegation, revoked_by=delegation.grantor)
    return demo_data


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


# --- What the review shows ------------------------------------------------------------------


def test_leader_sees_who_has_access_to_each_side_and_on_what_basis(roles_only):
    review = access_review(user=user("leder.heimdal"), office="heimdal")
    assert review.office.code == "heimdal"
    state, municipal = usernames(review, "state"), usernames(review, "municipal")
    assert state["stat.heimdal"] == "change"
    assert state["leder.heimdal"] == "change"
    assert state["fylkesdirektor.trondelag"] == "change"
    assert municipal["kommune.heimdal"] == "change"
    assert municipal["leder.heimdal"] == "change"
    assert municipal["radmann.trondheim"] == "change"
    # Each side's staff have their own side only; the joint side, to view.
    assert "kommune.heimdal" not in state
    assert "stat.heimdal" not in municipal
    assert "radmann.trondheim" not in state
    assert "fylkesdirektor.trondelag" not in municipal
    joint = usernames(review, "joint")
    assert joint["stat.heimdal"] == joint["kommune.heimdal"] == "view"
    assert joint["radmann.trondheim"] == joint["fylkesdirektor.trondelag"] == "change"
    # Other offices' staff are nowhere.
    assert not {"stat.lerkendal", "kommune.lerkendal"} & (set(state) | set(municipal) | set(joint))
    staff = entry_of(review, "state", "stat.heimdal")
    assert (staff.person.name, staff.person.employer_side) == ("Stian Aune", "state")
    assert staff.person.employer == factories.county("50").name
    assert [(b.kind, b.role, b.scope) for b in staff.bases] == [
        ("role", Role.OFFICE_STAFF, "NAV Heimdal")
    ]
    assert not staff.cross_line
    municipal_staff = entry_of(review, "municipal", "kommune.heimdal")
    assert municipal_staff.person.employer_side == "municipal"
    assert not municipal_staff.cross_line


def test_without_delegations_the_leader_is_the_cross_line_access(roles_only):
    review = access_review(user=user("leder.heimdal"), office="heimdal")
    leader = entry_of(review, "municipal", "leder.heimdal")
    assert leader.cross_line  # a state employee with municipal access, as office leader
    assert [b.kind for b in leader.bases] == ["office_leader"]
    municipal = review.side("municipal")
    crossing = {e.person.username for e in municipal.entries if e.cross_line}
    assert crossing == {"leder.heimdal"}
    assert (municipal.cross_line, municipal.cross_line_office_leader) == (1, 1)
    assert municipal.cross_line_delegation == 0
    assert review.side("state").cross_line == 0
    assert review.side("joint").cross_line == 0
    assert review.cross_line == 1


def test_the_demo_delegations_at_heimdal_are_counted(demo_data):
    """The seeded situation: state staff at Heimdal with delegated municipal view."""
    active = set(
        Delegation.objects.active()
        .filter(office__code="heimdal", side="municipal")
        .values_list("grantee__username", flat=True)
    )
    ended = set(
        Delegation.objects.filter(office__code="heimdal")
        .exclude(grantee__username__in=active)
        .values_list("grantee__username", flat=True)
    )
    review = access_review(user=user("leder.heimdal"), office="heimdal")
    municipal = review.side("municipal")
    delegated = {
        e.person.username for e in municipal.entries if e.has_basis(PermissionBasis.DELEGATION)
    }
    assert delegated == active
    assert not ended & set(usernames(review, "municipal"))
    assert municipal.cross_line_delegation == len(active)


def test_a_delegation_shows_with_its_basis_and_end_and_counts_as_cross_line(roles_only):
    before = access_review(user=user("leder.heimdal"), office="heimdal").side("municipal")
    delegation = grant_municipal_view()
    review = access_review(user=user("leder.heimdal"), office="heimdal")
    staff = entry_of(review, "municipal", "stat.heimdal")
    assert staff.level == "view"
    assert staff.cross_line
    (basis,) = staff.bases
    assert basis.kind == "delegation"
    assert basis.delegation_id == delegation.pk
    assert basis.delegation_basis == BASIS
    assert basis.ends_at == delegation.ends_at
    assert basis.granted_by == str(user("radmann.trondheim"))
    municipal = review.side("municipal")
    assert municipal.people == before.people + 1
    assert municipal.cross_line == before.cross_line + 1
    assert municipal.cross_line_delegation == before.cross_line_delegation + 1 == 1
    assert review.cross_line == 2
    # Her own side is unchanged: change, by role.
    assert entry_of(review, "state", "stat.heimdal").level == "change"


def test_change_delegation_gives_level_change(roles_only):
    grant_municipal_view(level="change")
    review = access_review(user=user("leder.heimdal"), office="heimdal")
    staff = entry_of(review, "municipal", "stat.heimdal")
    assert staff.level == "change"
    assert [b.level for b in staff.bases] == ["change"]


def test_state_delegation_to_a_municipal_employee_counts_on_the_state_side(roles_only):
    delegation_grant(
        grantor=user("fylkesdirektor.trondelag"),
        grantee=user("kommune.heimdal"),
        office=office("heimdal"),
        side="state",
        level="view",
        basis="delegasjon fylke 3/2025",
        valid_to=timezone.localdate() + datetime.timedelta(days=10),
    )
    review = access_review(user=user("fylkesdirektor.trondelag"), office="heimdal")
    state = review.side("state")
    assert entry_of(review, "state", "kommune.heimdal").cross_line
    assert (state.cross_line, state.cross_line_delegation, state.cross_line_office_leader) == (
        1,
        1,
        0,
    )


def test_revoked_delegation_is_gone_on_the_next_request(client, roles_only):
    delegation = grant_municipal_view()
    as_user(client, "leder.heimdal")
    review = client.get(page_url()).context["review"]
    assert "stat.heimdal" in usernames(review, "municipal")
    delegation_revoke(delegation=delegation, revoked_by=user("radmann.trondheim"))
    response = client.get(page_url())
    assert BASIS not in response.content.decode()
    review = response.context["review"]
    assert "stat.heimdal" not in usernames(review, "municipal")
    assert review.side("municipal").cross_line_delegation == 0
    body = api_as("leder.heimdal").get(API_URL, {"office": "heimdal"}).json()
    municipal = next(side for side in body["sides"] if side["side"] == "municipal")
    assert "stat.heimdal" not in {entry["username"] for entry in municipal["entries"]}
    _header, *rows = read_csv(client.get(csv_url()))
    assert ("municipal", "stat.heimdal") not in {(row[2], row[3]) for row in rows}


def test_a_delegation_past_its_end_is_not_shown(roles_only):
    grant_municipal_view()
    later = timezone.now() + datetime.timedelta(days=40)
    review = access_review(user=user("leder.heimdal"), office="heimdal", at=later)
    assert "stat.heimdal" not in usernames(review, "municipal")


def test_inactive_people_are_left_out(demo_data):
    User.objects.filter(username="stat.heimdal").update(is_active=False)
    review = access_review(user=user("leder.heimdal"), office="heimdal")
    assert "stat.heimdal" not in usernames(review, "state")


# --- The page -------------------------------------------------------------------------------


def test_page_has_summary_then_a_table_per_side_and_flags_cross_line_rows(client, roles_only):
    delegation = grant_municipal_view()
    response = as_user(client, "leder.heimdal").get(page_url())
    assert response.status_code == 200
    body = response.content.decode()
    positions = [
        body.index(f'data-testid="review-{part}"')
        for part in ("summary", "state", "municipal", "joint")
    ]
    assert positions == sorted(positions)
    assert "Stian Aune" in body and "(stat.heimdal)" in body
    assert BASIS in body
    assert until_text(delegation.ends_at) in body
    # The two cross-line rows (the leader's and the delegation's) carry the tag; no other does.
    assert body.count('data-cross-line="true"') == 2
    assert csv_url() in body


# --- Who may see a review -------------------------------------------------------------------


@pytest.mark.parametrize(
    "username", ["leder.heimdal", "radmann.trondheim", "fylkesdirektor.trondelag"]
)
def test_reviewers_of_the_office_see_it_everywhere(client, demo_data, username):
    as_user(client, username)
    assert client.get(page_url()).status_code == 200
    assert client.get(csv_url()).status_code == 200
    assert api_as(username).get(API_URL, {"office": "heimdal"}).status_code == 200
    assert "NAV Heimdal" in names(client.get(reverse("access:review-overview")))


@pytest.mark.parametrize(
    "username",
    [
        "kommune.heimdal",
        "stat.heimdal",
        "stat.lerkendal",
        "radmann.fauske",
        "fylkesdirektor.nordland",
    ],
)
def test_everyone_else_gets_404_everywhere(client, roles_only, username):
    grant_municipal_view()  # a delegation at Heimdal makes nobody a reviewer of it
    as_user(client, username)
    assert client.get(page_url()).status_code == 404
    assert client.get(csv_url()).status_code == 404
    response = api_as(username).get(API_URL, {"office": "heimdal"})
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert "NAV Heimdal" not in names(client.get(reverse("access:review-overview")))


def test_a_leader_does_not_review_another_office(client, demo_data):
    as_user(client, "leder.heimdal")
    assert client.get(page_url("lerkendal")).status_code == 404
    assert client.get(page_url("indre-salten")).status_code == 404


def test_every_executive_of_a_shared_office_reviews_it(client, demo_data):
    for username in ("radmann.fauske", "radmann.saltdal", "fylkesdirektor.nordland"):
        assert as_user(client, username).get(page_url("indre-salten")).status_code == 200


def test_a_refused_review_is_written_to_the_audit_log(client, demo_data):
    as_user(client, "stat.lerkendal").get(page_url())
    event = AuditEvent.objects.get(
        action=AuditAction.ACCESS_DENIED, actor__username="stat.lerkendal"
    )
    # What was asked for, and nothing about the office the asker may not review.
    assert (event.object_type, event.object_id, event.office) == ("offices.office", "heimdal", None)
    assert event.details == {"action": "access_review"}


def test_unknown_office_is_404(client, demo_data):
    as_user(client, "fylkesdirektor.trondelag")
    assert client.get(page_url("finnes-ikke")).status_code == 404
    assert client.get(csv_url("finnes-ikke")).status_code == 404
    api = api_as("fylkesdirektor.trondelag")
    assert api.get(API_URL, {"office": "finnes-ikke"}).status_code == 404
    # An unknown office is written like a forbidden one: the log does not tell them apart.
    denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert {(e.object_id, e.office_id) for e in denied} == {("finnes-ikke", None)}


def test_anonymous_is_sent_to_sign_in_or_gets_401(client, demo_data):
    for url in (page_url(), csv_url(), reverse("access:review-overview")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert APIClient().get(API_URL, {"office": "heimdal"}).status_code == 401


def test_an_ended_role_no_longer_reviews(client, demo_data):
    assignment = user("leder.heimdal").role_assignments.get(role=Role.OFFICE_LEADER)
    assignment.valid_to = timezone.now()
    assignment.save()
    assert as_user(client, "leder.heimdal").get(page_url()).status_code == 404


# --- CSV ------------------------------------------------------------------------------------


def test_csv_has_a_header_and_one_row_per_person_and_side(client, roles_only):
    delegation = grant_municipal_view()
    response = as_user(client, "leder.heimdal").get(csv_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="tilgangsgjennomgang-heimdal-{today}.csv"'
    )
    header, *rows = read_csv(response)
    assert len(header) == 11
    assert {len(row) for row in rows} == {11}
    review = access_review(user=user("leder.heimdal"), office="heimdal")
    expected = [
        (side.side, entry.person.username) for side in review.sides for entry in side.entries
    ]
    assert [(row[2], row[3]) for row in rows] == expected
    by_key = {(row[2], row[3]): row for row in rows}
    delegated = by_key[("municipal", "stat.heimdal")]
    assert delegated[0:2] == ["heimdal", "NAV Heimdal"]
    assert delegated[4] == "Stian Aune"
    assert BASIS in delegated[9]
    # The end as the person entered it: the last day it holds (finding 6 of issue 8).
    assert delegated[10] == until_text(delegation.ends_at)
    assert delegated[10].startswith(("til og med ", "through "))
    flag_yes = delegated[8]
    assert by_key[("state", "stat.heimdal")][8] != flag_yes
    crossing = {key for key, row in by_key.items() if row[8] == flag_yes}
    assert crossing == {("municipal", "stat.heimdal"), ("municipal", "leder.heimdal")}


def test_csv_cells_never_start_a_formula(client, roles_only):
    grant_municipal_view(basis='=HYPERLINK("http://evil.example")')
    _header, *rows = read_csv(as_user(client, "leder.heimdal").get(csv_url()))
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# --- API ------------------------------------------------------------------------------------


def test_api_has_the_same_content_as_the_page(roles_only):
    delegation = grant_municipal_view()
    response = api_as("radmann.trondheim").get(API_URL, {"office": "heimdal"})
    assert response.status_code == 200
    body = response.json()
    review = access_review(user=user("radmann.trondheim"), office="heimdal")
    assert body["office"] == {"code": "heimdal", "name": "NAV Heimdal", "county": "50"}
    assert body["cross_line"] == review.cross_line == 2
    assert [side["side"] for side in body["sides"]] == ["state", "municipal", "joint"]
    for data, side in zip(body["sides"], review.sides, strict=True):
        assert [e["username"] for e in data["entries"]] == [e.person.username for e in side.entries]
        assert (data["people"], data["change"], data["cross_line"]) == (
            side.people,
            side.change,
            side.cross_line,
        )
    municipal = body["sides"][1]
    assert municipal["cross_line_delegation"] == 1
    (entry,) = [e for e in municipal["entries"] if e["username"] == "stat.heimdal"]
    assert entry["cross_line"] is True
    assert entry["employer_side"] == "state"
    assert entry["level"] == "view"
    (basis,) = entry["bases"]
    assert basis["basis"] == "delegation"
    assert basis["delegation"] == delegation.pk
    assert basis["delegation_basis"] == BASIS
    assert datetime.datetime.fromisoformat(basis["ends_at"]) == delegation.ends_at


def test_api_without_office_is_400_naming_the_field(demo_data):
    response = api_as("leder.heimdal").get(API_URL)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"office"}


# --- Overview -------------------------------------------------------------------------------


def names(response) -> list[str]:
    return [row.office.name for row in response.context["overview"].rows]


def test_leader_overview_is_her_office(client, demo_data):
    response = as_user(client, "leder.heimdal").get(reverse("access:review-overview"))
    assert response.status_code == 200
    assert names(response) == ["NAV Heimdal"]
    assert response.context["show_filter"] is False
    assert reverse("access:review-office", args=["heimdal"]) in response.content.decode()


def test_overview_counts_match_the_reviews(roles_only):
    grant_municipal_view()
    reviewer = user("radmann.trondheim")
    overview = access_overview(user=reviewer)
    assert [row.office.name for row in overview.rows] == TRONDHEIM_OFFICES
    for row in overview.rows:
        review = access_review(user=reviewer, office=row.office)
        assert row.state == review.side("state").people
        assert row.municipal == review.side("municipal").people
        assert row.joint == review.side("joint").people
        assert row.municipal_cross_line == review.side("municipal").cross_line
        assert row.municipal_cross_line_delegation == review.side("municipal").cross_line_delegation
        assert row.state_cross_line == review.side("state").cross_line
    heimdal = overview.rows[0]
    assert (heimdal.municipal_cross_line, heimdal.municipal_cross_line_delegation) == (2, 1)
    assert overview.totals.municipal_cross_line == sum(
        row.municipal_cross_line for row in overview.rows
    )


def test_county_director_overview_with_filters(client, demo_data):
    as_user(client, "fylkesdirektor.trondelag")
    url = reverse("access:review-overview")
    response = client.get(url)
    trondelag = sorted(Office.objects.filter(county__number="50").values_list("name", flat=True))
    assert sorted(names(response)) == trondelag
    assert response.context["show_filter"] is True
    assert names(client.get(url, {"municipality": "5001"})) == TRONDHEIM_OFFICES
    assert names(client.get(url, {"county": "50"})) == names(response)
    # Only the counties and municipalities of the offices in reach are choices.
    assert [c.number for c in response.context["form"].fields["county"].queryset] == ["50"]
    for params in ({"county": "99"}, {"county": "18"}, {"municipality": "1841"}):
        response = client.get(url, params)
        assert response.status_code == 400
        assert set(response.context["form"].errors) == set(params)
        assert response.context["overview"] is None


def test_staff_review_no_offices(client, demo_data):
    response = as_user(client, "stat.heimdal").get(reverse("access:review-overview"))
    assert response.status_code == 200
    assert names(response) == []


# --- Bounded queries ------------------------------------------------------------------------


def add_people_and_offices(count: int) -> None:
    """``count`` more state staff at Heimdal with a delegation each, as many municipal staff,
    and ``count`` more offices serving Trondheim."""
    heimdal = office("heimdal")
    for _ in range(count):
        staff = factories.UserFactory()
        role_assignment_ensure(user=staff, role=Role.OFFICE_STAFF, office=heimdal)
        grant_municipal_view(grantee=staff.username)
        other = factories.MunicipalUserFactory()
        role_assignment_ensure(user=other, role=Role.OFFICE_STAFF, office=heimdal)
        factories.OfficeMunicipalityFactory(municipality=factories.municipality("5001"))


def test_query_counts_do_not_grow_with_people_or_offices(
    client, demo_data, django_assert_max_num_queries
):
    as_user(client, "radmann.trondheim")
    api = api_as("radmann.trondheim")
    urls = [page_url(), csv_url(), reverse("access:review-overview")]
    before = access_review(user=user("radmann.trondheim"), office="heimdal").side("municipal")
    with django_assert_max_num_queries(30) as few:
        for url in urls:
            assert client.get(url).status_code == 200
        assert api.get(API_URL, {"office": "heimdal"}).status_code == 200
    add_people_and_offices(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        for url in urls:
            response = client.get(url)
        api.get(API_URL, {"office": "heimdal"})
    assert len(response.context["overview"].rows) == len(TRONDHEIM_OFFICES) + 15
    after = access_review(user=user("radmann.trondheim"), office="heimdal").side("municipal")
    assert after.cross_line_delegation == before.cross_line_delegation + 15
    assert after.people == before.people + 30


def test_selectors_use_two_queries_each(demo_data, django_assert_num_queries):
    reviewer = user("fylkesdirektor.trondelag")
    with django_assert_num_queries(2):
        access_review(user=reviewer, office="heimdal")
    with django_assert_num_queries(2):
        access_overview(user=reviewer)


# --- The API's contract ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status"),
    [({"office": "heimdal"}, 200), ({}, 400), ({"office": "finnes-ikke"}, 404)],
)
def test_api_answers_match_the_openapi_schema(demo_data, query, status):
    """The 200, 400 and 404 answers validate against the schema clients are generated from."""
    import json

    import schemathesis
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer
    from knox.models import AuthToken
    from schemathesis.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from tests.conftest import wsgi_application_for_tests

    document = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    schema = schemathesis.openapi.from_dict(document)
    schema.app = wsgi_application_for_tests
    grant_municipal_view()  # a delegation, so that a basis with an end date is in the answer
    _instance, token = AuthToken.objects.create(user=user("fylkesdirektor.trondelag"))
    auth = {"Authorization": f"Token {token}"}
    case = schema.find_operation_by_label(f"GET {API_URL}").Case(query=query)
    response = case.call(headers=auth)
    assert response.status_code == status
    case.validate_response(
        response,
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
        headers=auth,
    )
