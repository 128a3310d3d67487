"""Role administration: roles follow the lines; the office leader is appointed by both parties."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.test import APIClient

from offices.models import Office, OfficeNote
from offices.services import office_municipality_add
from tests import factories
from users import access
from users.models import AuditAction, AuditEvent, RoleAssignment, User
from users.services import (
    NOT_AN_APPROVER,
    NOT_ROLE_AUTHORITY,
    role_assignment_approve,
    role_assignment_propose,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo_data):
    return {user.username: user for user in User.objects.all()}


def office(code):
    return Office.objects.get(code=code)


def new_state_user():
    return factories.UserFactory()


def test_office_leader_needs_both_parties(people):
    candidate = new_state_user()
    lerkendal = office("lerkendal")
    assignment = role_assignment_propose(
        proposer=people["fylkesdirektor.trondelag"],
        user=candidate,
        role="office_leader",
        office=lerkendal,
    )
    # The county director proposed and so approved for the state; Trondheim has not yet.
    assert assignment.approved_at is None
    note = OfficeNote.objects.create(
        office=lerkendal, side="municipal", title="x", created_by=people["leder.heimdal"]
    )
    assert not access.can(candidate, "view", note)
    role_assignment_approve(approver=people["radmann.trondheim"], assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.approved_at is not None
    assert access.can(candidate, "change", note)  # in force at once
    # Proposed; approved by the state (the proposer), then by Trondheim; in force.
    assert [
        event.details["change"]
        for event in AuditEvent.objects.filter(
            action=AuditAction.ROLE_ASSIGNED, object_id=assignment.pk
        ).order_by("at", "pk")
    ] == ["proposed", "approved", "approved", "in_force"]


def test_host_office_needs_the_host_municipality(people):
    candidate = new_state_user()
    assignment = role_assignment_propose(
        proposer=people["fylkesdirektor.nordland"],
        user=candidate,
        role="office_leader",
        office=office("indre-salten"),
    )
    with pytest.raises(ValidationError) as error:
        role_assignment_approve(approver=people["radmann.saltdal"], assignment=assignment)
    assert error.value.message_dict["approved_at"] == [_(NOT_AN_APPROVER)]
    role_assignment_approve(approver=people["radmann.fauske"], assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.approved_at is not None


def test_without_a_host_every_served_municipality_approves(people):
    shared = factories.OfficeFactory(code="shared", county=factories.county("18"))
    for number in ("1840", "1841"):  # Saltdal and Fauske, no host
        office_municipality_add(
            office=shared,
            municipality=factories.municipality(number),
            valid_from=datetime.date(2024, 1, 1),
        )
    assignment = role_assignment_propose(
        proposer=people["radmann.saltdal"],
        user=new_state_user(),
        role="office_leader",
        office=shared,
    )
    assert assignment.approved_at is None
    role_assignment_approve(approver=people["radmann.fauske"], assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.approved_at is None  # the state has not approved yet
    role_assignment_approve(approver=people["fylkesdirektor.nordland"], assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.approved_at is not None


@pytest.mark.parametrize(
    ("proposer", "role", "scope"),
    [
        ("leder.heimdal", "office_staff", {"office": "heimdal"}),
        ("fylkesdirektor.trondelag", "office_staff", {"office": "lerkendal"}),
        ("fylkesdirektor.trondelag", "county_advisor", {"county": "50"}),
    ],
)
def test_roles_along_the_state_line(people, proposer, role, scope):
    candidate = new_state_user()
    kwargs = {
        "office": office(scope["office"]) if "office" in scope else None,
        "county": factories.county(scope["county"]) if "county" in scope else None,
    }
    assignment = role_assignment_propose(
        proposer=people[proposer], user=candidate, role=role, **kwargs
    )
    assert assignment.approved_at is not None
    assert RoleAssignment.objects.active().filter(user=candidate, role=role).exists()


@pytest.mark.parametrize(
    ("proposer", "role", "scope", "municipal_candidate"),
    [
        ("leder.heimdal", "office_staff", {"office": "lerkendal"}, False),  # not their office
        ("kommune.heimdal", "office_staff", {"office": "heimdal"}, False),  # staff assign none
        ("radmann.trondheim", "office_staff", {"office": "heimdal"}, False),  # a state employee
        ("fylkesdirektor.trondelag", "office_staff", {"office": "heimdal"}, True),  # municipal
        ("fylkesdirektor.nordland", "office_staff", {"office": "heimdal"}, False),  # other county
        ("radmann.trondheim", "county_director", {"county": "50"}, False),
        ("fylkesdirektor.trondelag", "municipal_advisor", {"municipality": "5001"}, True),
    ],
)
def test_roles_across_the_lines_are_refused_and_nothing_stored(
    people, proposer, role, scope, municipal_candidate
):
    candidate = factories.MunicipalUserFactory() if municipal_candidate else new_state_user()
    kwargs = {
        "office": office(scope["office"]) if "office" in scope else None,
        "county": factories.county(scope["county"]) if "county" in scope else None,
        "municipality": (
            factories.municipality(scope["municipality"]) if "municipality" in scope else None
        ),
    }
    with pytest.raises(ValidationError) as error:
        role_assignment_propose(proposer=people[proposer], user=candidate, role=role, **kwargs)
    assert error.value.message_dict["role"] == [_(NOT_ROLE_AUTHORITY)]
    assert not RoleAssignment.objects.filter(user=candidate).exists()


def test_municipal_executive_assigns_municipal_staff_and_advisors(people):
    for role, kwargs in (
        ("office_staff", {"office": office("heimdal")}),
        ("municipal_advisor", {"municipality": factories.municipality("5001")}),
    ):
        candidate = factories.MunicipalUserFactory()
        assignment = role_assignment_propose(
            proposer=people["radmann.trondheim"], user=candidate, role=role, **kwargs
        )
        assert assignment.approved_at is not None


def test_national_admin_assigns_county_directors(people):
    admin = new_state_user()
    RoleAssignment.objects.create(user=admin, role="national_admin")
    assignment = role_assignment_propose(
        proposer=admin,
        user=new_state_user(),
        role="county_director",
        county=factories.county("18"),
    )
    assert assignment.approved_at is not None


def test_nobody_assigns_roles_to_themselves(people):
    with pytest.raises(ValidationError):
        role_assignment_propose(
            proposer=people["leder.heimdal"],
            user=people["leder.heimdal"],
            role="office_staff",
            office=office("heimdal"),
        )


def test_pages_assign_approve_end(client, people, demo_data):
    candidate = new_state_user()
    client.login(username="fylkesdirektor.trondelag", password=demo_data)
    response = client.post(
        reverse("access:role-create"),
        {"user": candidate.username, "role": "office_leader", "office": "lerkendal"},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=candidate)
    assert assignment.approved_at is None
    client.login(username="radmann.trondheim", password=demo_data)
    listing = client.get(reverse("access:role-list"))
    assert assignment.pk in [a.pk for a in listing.context["assignments"]]
    client.post(reverse("access:role-approve", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.approved_at is not None
    client.post(reverse("access:role-end", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.valid_to is not None
    assert not RoleAssignment.objects.active().filter(pk=assignment.pk).exists()


def test_page_errors_name_the_field(client, demo_data):
    client.login(username="leder.heimdal", password=demo_data)
    response = client.post(
        reverse("access:role-create"), {"user": "stat.lerkendal", "role": "office_staff"}
    )
    assert response.status_code == 400
    assert "office" in response.context["form"].errors


def test_api_roles(people):
    api = APIClient()
    api.force_authenticate(people["leder.heimdal"])
    candidate = new_state_user()
    created = api.post(
        "/api/v1/role-assignments/",
        {"user": candidate.username, "role": "office_staff", "office": "heimdal"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    refused = api.post(
        "/api/v1/role-assignments/",
        {"user": candidate.username, "role": "office_staff", "office": "lerkendal"},
        format="json",
    )
    assert refused.status_code == 400
    assert "office" in refused.json()["errors"]  # not an office the leader is offered
    role_id = created.json()["id"]
    assert api.post(f"/api/v1/role-assignments/{role_id}/end/").status_code == 200
    outsider = APIClient()
    outsider.force_authenticate(people["kommune.lerkendal"])
    assert outsider.get(f"/api/v1/role-assignments/{role_id}/").status_code == 404
    assert outsider.post(f"/api/v1/role-assignments/{role_id}/end/").status_code == 404
    assert APIClient().get("/api/v1/role-assignments/").status_code == 401
