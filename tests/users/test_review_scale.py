"""The access review at the size of a large office: the same answer, and the same number of
queries, with 10 or 200 staff per side — and cross-line access counted as DESIGN.md says.

The review reads the values of the permission rows, never a model instance per row (issue 6:
"the office review builds ~7,400 model instances per request at 200 staff per side"). The staff
here are bulk-created, with the permission rows ``users/access/permissions.py`` would write for them
(its table: office staff get view and change on their own side and view on joint data; a
delegation its level on its side), so that 400 people take a second, not a minute.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from offices.models import Office
from users.access.review import access_overview, access_review
from users.models import (
    Delegation,
    EmployerSide,
    OfficeUserObjectPermission,
    PermissionBasis,
    Role,
    RoleAssignment,
    User,
)
from users.services import delegation_grant

pytestmark = pytest.mark.django_db

REVIEWER = "radmann.trondheim"  # reviews Heimdal and the other Trondheim offices
BASIS = "delegasjonsvedtak 2025-11"

# Queries per request, whatever the number of staff: pinned, so that a change that makes one
# of these grow with the rows (or adds a query per request) shows here.
REVIEW_SELECTOR_QUERIES = 2  # the office; the values of its permission rows
OVERVIEW_SELECTOR_QUERIES = 2  # the offices; one aggregate of their counts
# Requests add the request's savepoint and its release; pages the session and the user too.
CSV_QUERIES = 2 + 2 + REVIEW_SELECTOR_QUERIES
API_QUERIES = 2 + REVIEW_SELECTOR_QUERIES  # signed in by the test, no session
PAGE_QUERIES = CSV_QUERIES + 2  # and the menu's two (the user's roles, employer)
# And the county dropdown's one query (the counties in reach); the municipality is a picker,
# which lists nothing (it searches as one types).
OVERVIEW_PAGE_QUERIES = 2 + 2 + OVERVIEW_SELECTOR_QUERIES + 2 + 1


def user(username: str) -> User:
    return User.objects.get(username=username)


def add_staff(count: int, first: int = 0) -> tuple[list[User], list[User]]:
    """``count`` state and ``count`` municipal staff at Heimdal, each state staffer with a
    delegation to view municipal data: rows as ``users/access/permissions.py`` writes them. They are
    numbered from ``first``."""
    heimdal = Office.objects.get(code="heimdal")
    executive = user(REVIEWER)
    since = timezone.now() - datetime.timedelta(hours=1)
    until = timezone.now() + datetime.timedelta(days=10)
    state = User.objects.bulk_create(
        User(
            username=f"scale.state.{n}",
            first_name="Stat",
            last_name=f"Ansatt {n:03}",
            employer_side=EmployerSide.STATE,
            employer_county=heimdal.county,
        )
        for n in range(first, first + count)
    )
    trondheim = executive.employer_municipality
    municipal = User.objects.bulk_create(
        User(
            username=f"scale.municipal.{n}",
            first_name="Kommune",
            last_name=f"Ansatt {n:03}",
            employer_side=EmployerSide.MUNICIPAL,
            employer_municipality=trondheim,
        )
        for n in range(first, first + count)
    )
    # Read back: not every database gives bulk-created rows their primary keys.
    state = list(User.objects.filter(username__in=[p.username for p in state]))
    municipal = list(User.objects.filter(username__in=[p.username for p in municipal]))
    people = state + municipal
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=person, role=Role.OFFICE_STAFF, office=heimdal, valid_from=since)
        for person in people
    )
    assignments = {
        assignment.user_id: assignment
        for assignment in RoleAssignment.objects.filter(user__in=people, role=Role.OFFICE_STAFF)
    }
    Delegation.objects.bulk_create(
        Delegation(
            grantor=executive,
            grantee=person,
            office=heimdal,
            side="municipal",
            level="view",
            basis=BASIS,
            valid_from=since,
            valid_to=until,
        )
        for person in state
    )
    delegations = {
        delegation.grantee_id: delegation
        for delegation in Delegation.objects.filter(grantee__in=state)
    }
    permissions = dict(
        Permission.objects.filter(content_type__app_label="offices").values_list("codename", "pk")
    )

    def row(person, action, side, **source):
        return OfficeUserObjectPermission(
            user=person,
            content_object=heimdal,
            permission_id=permissions[f"{action}_{side}_data"],
            action=action,
            side=side,
            valid_from=since,
            **source,
        )

    rows = []
    for person in people:
        own = {"basis": PermissionBasis.ROLE, "role_assignment": assignments[person.pk]}
        rows += [
            row(person, "view", person.employer_side, **own),
            row(person, "change", person.employer_side, **own),
            row(person, "view", "joint", **own),
        ]
    for person in state:
        rows.append(
            row(
                person,
                "view",
                "municipal",
                basis=PermissionBasis.DELEGATION,
                delegation=delegations[person.pk],
                valid_to=until,
            )
        )
    OfficeUserObjectPermission.objects.bulk_create(rows)
    return state, municipal


class CountInstances:
    """Counts the model instances Django builds meanwhile (each sends ``post_init``)."""

    def __enter__(self):
        self.count = 0
        post_init.connect(self._built)
        return self

    def __exit__(self, *exc):
        post_init.disconnect(self._built)

    def _built(self, sender, **kwargs):
        self.count += 1


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


@pytest.fixture
def reviewer_client(client, demo_data):
    client.force_login(user(REVIEWER))
    return client


@pytest.mark.parametrize("staff", [10, 200])
def test_review_queries_are_pinned_whatever_the_number_of_staff(
    reviewer_client, django_assert_num_queries, staff
):
    before = access_review(user=user(REVIEWER), office="heimdal")
    state, municipal = add_staff(staff)
    reviewer = user(REVIEWER)
    api = APIClient()
    api.force_authenticate(reviewer)

    with django_assert_num_queries(REVIEW_SELECTOR_QUERIES):
        review = access_review(user=reviewer, office="heimdal")
    with django_assert_num_queries(OVERVIEW_SELECTOR_QUERIES):
        overview = access_overview(user=reviewer)
    with django_assert_num_queries(PAGE_QUERIES):
        page = reviewer_client.get(reverse("access:review-office", args=["heimdal"]))
    with django_assert_num_queries(CSV_QUERIES):
        export = reviewer_client.get(reverse("access:review-office-csv", args=["heimdal"]))
    with django_assert_num_queries(API_QUERIES):
        answer = api.get("/api/v1/access-review/", {"office": "heimdal"})
    with django_assert_num_queries(OVERVIEW_PAGE_QUERIES):
        overview_page = reviewer_client.get(reverse("access:review-overview"))
    for response in (page, export, answer, overview_page):
        assert response.status_code == 200

    # Everyone is there, once per side, and counted.
    state_side, municipal_side = review.side("state"), review.side("municipal")
    assert state_side.people == before.side("state").people + staff
    assert municipal_side.people == before.side("municipal").people + 2 * staff
    assert review.side("joint").people == before.side("joint").people + 2 * staff
    assert (
        municipal_side.cross_line_delegation
        == before.side("municipal").cross_line_delegation + staff
    )
    assert {e.person.username for e in state_side.entries} >= {p.username for p in state}
    assert (
        page.content.decode().count('data-cross-line="true"')
        == review.side("municipal").cross_line + review.side("state").cross_line
    )
    assert len(export.content.decode("utf-8").splitlines()) == 1 + sum(
        side.people for side in review.sides
    )
    heimdal = next(row for row in overview.rows if row.office.code == "heimdal")
    assert (heimdal.state, heimdal.municipal, heimdal.joint) == (
        state_side.people,
        municipal_side.people,
        review.side("joint").people,
    )
    assert heimdal.municipal_cross_line_delegation == municipal_side.cross_line_delegation
    # The people on a side are listed by last name, then first name.
    added = {person.username for person in state}
    staff_rows = [e.person.name for e in state_side.entries if e.person.username in added]
    assert staff_rows == [f"Stat Ansatt {n:03}" for n in range(staff)]
    assert {e.person.username for e in municipal_side.entries} >= {p.username for p in municipal}


def test_query_counts_are_the_same_at_10_and_at_200_staff(reviewer_client):
    """The same requests, counted at both sizes in one database: no query per person."""
    urls = [
        reverse("access:review-office", args=["heimdal"]),
        reverse("access:review-office-csv", args=["heimdal"]),
        reverse("access:review-overview"),
    ]
    add_staff(10)
    small = [queries(lambda url=url: reviewer_client.get(url)) for url in urls]
    add_staff(190, first=10)
    large = [queries(lambda url=url: reviewer_client.get(url)) for url in urls]
    assert large == small


def test_no_model_instance_per_person(reviewer_client):
    """The review builds the office and nothing per permission row: the same handful of model
    instances for 10 people per side as for 200 (it was some 7,400 at 200)."""
    reviewer = user(REVIEWER)
    page = reverse("access:review-office", args=["heimdal"])
    add_staff(10)
    with CountInstances() as small:
        access_review(user=reviewer, office="heimdal")
    with CountInstances() as small_page:
        reviewer_client.get(page)
    add_staff(190, first=10)
    with CountInstances() as large:
        review = access_review(user=reviewer, office="heimdal")
    with CountInstances() as large_page:
        reviewer_client.get(page)
    assert review.side("state").people > 200
    assert large.count == small.count <= 2  # the office (and its county)
    assert large_page.count == small_page.count


def test_every_person_and_basis_reads_as_the_models_say(demo_data):
    """What the review builds from values is what the models themselves say: names, employers,
    each role with its scope (office, municipality or county) and each delegation."""
    grant("stat4.heimdal")
    seen = set()
    for reviewer in (REVIEWER, "fylkesdirektor.trondelag"):
        review = access_review(user=user(reviewer), office="heimdal")
        for side in review.sides:
            for entry in side.entries:
                person = User.objects.get(pk=entry.person.user_id)
                assert entry.person.name == str(person)
                assert entry.person.employer == (person.employer.name if person.employer else "")
                for basis in entry.bases:
                    seen.add(basis.kind)
                    if basis.is_delegation:
                        delegation = Delegation.objects.get(pk=basis.delegation_id)
                        assert (basis.delegation_basis, basis.granted_by, basis.ends_at) == (
                            delegation.basis,
                            str(delegation.grantor),
                            delegation.ends_at,
                        )
                        continue
                    held = {
                        (assignment.role, str(assignment.scope), assignment.valid_to)
                        for assignment in person.role_assignments.all()
                    }
                    assert (basis.role, basis.scope, basis.ends_at) in held
                    seen.add(basis.role)
    assert seen >= {
        PermissionBasis.ROLE,
        PermissionBasis.OFFICE_LEADER,
        PermissionBasis.DELEGATION,
        Role.OFFICE_STAFF,
        Role.MUNICIPAL_EXECUTIVE,
        Role.COUNTY_DIRECTOR,
    }


# --- Counting cross-line access (DESIGN.md, clarification to rule 10) ----------------------


def grant(grantee: str, side: str = "municipal") -> Delegation:
    grantor = "radmann.trondheim" if side == "municipal" else "fylkesdirektor.trondelag"
    return delegation_grant(
        grantor=user(grantor),
        grantee=user(grantee),
        office=Office.objects.get(code="heimdal"),
        side=side,
        level="view",
        basis=BASIS,
        valid_to=timezone.localdate() + datetime.timedelta(days=10),
    )


def test_the_leader_is_counted_as_leader_never_as_staff_through_a_delegation(demo_data):
    """The office leader reaches both sides by the joint appointment; a delegation she also
    holds does not make her one of the staff who cross the line through a delegation (the 2011
    audit's figure). Each person is counted once."""
    reviewer = user(REVIEWER)
    before = access_review(user=reviewer, office="heimdal").side("municipal")
    grant("leder.heimdal")
    grant("stat4.heimdal")  # her delegation of the demo has run out
    review = access_review(user=reviewer, office="heimdal")
    municipal = review.side("municipal")
    leader = next(e for e in municipal.entries if e.person.username == "leder.heimdal")
    assert leader.cross_line
    assert {basis.kind for basis in leader.bases} == {
        PermissionBasis.OFFICE_LEADER,
        PermissionBasis.DELEGATION,
    }
    assert not leader.cross_line_through_delegation
    assert municipal.cross_line_office_leader == before.cross_line_office_leader == 1
    # stat4.heimdal is one more; the leader's delegation adds nobody.
    assert municipal.cross_line_delegation == before.cross_line_delegation + 1
    assert municipal.cross_line == before.cross_line + 1
    assert municipal.cross_line == municipal.cross_line_office_leader + (
        municipal.cross_line_delegation
    )
    # The overview, the page and the API count the same.
    heimdal = next(
        row for row in access_overview(user=reviewer).rows if row.office.code == "heimdal"
    )
    assert heimdal.municipal_cross_line == municipal.cross_line
    assert heimdal.municipal_cross_line_delegation == municipal.cross_line_delegation
    api = APIClient()
    api.force_authenticate(reviewer)
    body = api.get("/api/v1/access-review/", {"office": "heimdal"}).json()
    (side,) = [side for side in body["sides"] if side["side"] == "municipal"]
    assert (side["cross_line_office_leader"], side["cross_line_delegation"]) == (
        1,
        municipal.cross_line_delegation,
    )


def test_staff_through_a_delegation_is_the_2011_figure(demo_data):
    """State staff with municipal access at an office, through delegations only: per office,
    in the review and the overview, and nothing for the offices they have none at."""
    reviewer = user(REVIEWER)
    active = set(
        Delegation.objects.active()
        .filter(office__code="heimdal", side="municipal", grantee__employer_side="state")
        .exclude(grantee__role_assignments__role=Role.OFFICE_LEADER)
        .values_list("grantee__username", flat=True)
    )
    grant("stat4.heimdal")
    expected = active | {"stat4.heimdal"}
    municipal = access_review(user=reviewer, office="heimdal").side("municipal")
    assert {
        e.person.username for e in municipal.entries if e.cross_line_through_delegation
    } == expected
    assert municipal.cross_line_delegation == len(expected)
    rows = {row.office.code: row for row in access_overview(user=reviewer).rows}
    assert rows["heimdal"].municipal_cross_line_delegation == len(expected)
    # A municipal employee with a state delegation counts on the state side, as staff.
    grant("kommune.heimdal", side="state")
    state = access_review(user=user("fylkesdirektor.trondelag"), office="heimdal").side("state")
    assert (state.cross_line_delegation, state.cross_line_office_leader) == (1, 0)
    director_rows = {
        row.office.code: row for row in access_overview(user=user("fylkesdirektor.trondelag")).rows
    }
    assert director_rows["heimdal"].state_cross_line_delegation == 1
    assert director_rows["lerkendal"].state_cross_line_delegation == 0
