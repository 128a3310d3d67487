"""Role and delegation administration, closed (issue 6, findings 5 and 10, and two role bugs).

Nobody approves their own appointment; the choices a person is offered — roles, people, offices,
municipalities, counties, grantees — are what the lines let them act on, and the API answers an
unknown name and an unreachable one alike; a role that has not started can be ended; and the
audit trail of a role says exactly what happened to it.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.test import APIClient

from offices.models import Office
from tests import factories
from users.models import (
    AuditAction,
    AuditEvent,
    Delegation,
    RoleApproval,
    RoleAssignment,
    User,
)
from users.selectors import delegation_grantees, role_assignment_choices
from users.services import (
    NOT_OFFERED,
    NOT_ROLE_AUTHORITY,
    OWN_APPOINTMENT,
    ROLE_ALREADY_ENDED,
    end_of_day,
    role_assignment_approve,
    role_assignment_end,
    role_assignment_ensure,
    role_assignment_propose,
)

pytestmark = pytest.mark.django_db

# The demo's people along the lines of NAV Heimdal (and of every Trondheim office): the state
# employees of Trøndelag (county 50) and the municipal employees of Trondheim (5001).
TRONDELAG_STATE = {
    "fylkesdirektor.trondelag",
    "leder.heimdal",
    "stat.heimdal",
    "stat2.heimdal",
    "stat3.heimdal",
    "stat4.heimdal",
    "stat.lerkendal",
    "stat.midtbyen",
    "stat.ostbyen",
    "stat.malvik",
    "stat.stjordal",
}
TRONDHEIM_MUNICIPAL = {
    "radmann.trondheim",
    "kommune.heimdal",
    "kommune.lerkendal",
    "kommune.midtbyen",
    "kommune.ostbyen",
}
TRONDELAG_MUNICIPAL = TRONDHEIM_MUNICIPAL | {"kommune.malvik", "kommune.stjordal"}
TRONDHEIM_OFFICES = {"heimdal", "lerkendal", "midtbyen", "ostbyen"}
TRONDELAG_OFFICES = TRONDHEIM_OFFICES | {"malvik", "stjordal"}


@pytest.fixture
def people(demo_data):
    return {user.username: user for user in User.objects.all()}


def office(code):
    return Office.objects.get(code=code)


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def usernames(queryset):
    return {user.username for user in queryset}


def role_events(assignment_pk):
    return list(
        AuditEvent.objects.filter(
            object_type="users.roleassignment", object_id=str(assignment_pk)
        ).order_by("at", "pk")
    )


# --- Finding 5: nobody approves their own appointment --------------------------------------------


def test_the_appointee_cannot_approve_their_own_leader_appointment(people):
    assignment = role_assignment_propose(
        proposer=people["fylkesdirektor.trondelag"],
        user=people["radmann.trondheim"],
        role="office_leader",
        office=office("heimdal"),
    )
    assert assignment.approved_at is None  # the state approved; Trondheim has not
    with pytest.raises(ValidationError) as error:
        role_assignment_approve(approver=people["radmann.trondheim"], assignment=assignment)
    assert error.value.message_dict == {"approved_at": [_(OWN_APPOINTMENT)]}
    assignment.refresh_from_db()
    assert assignment.approved_at is None
    assert list(
        RoleApproval.objects.filter(assignment=assignment).values_list("side", flat=True)
    ) == ["state"]
    assert not RoleAssignment.objects.active().filter(pk=assignment.pk).exists()


def test_the_appointee_cannot_approve_through_page_or_api(client, people, demo_data):
    assignment = role_assignment_propose(
        proposer=people["fylkesdirektor.trondelag"],
        user=people["radmann.trondheim"],
        role="office_leader",
        office=office("heimdal"),
    )
    response = api_as(people["radmann.trondheim"]).post(
        f"/api/v1/role-assignments/{assignment.pk}/approve/"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"approved_at": [_(OWN_APPOINTMENT)]}
    client.force_login(people["radmann.trondheim"])
    response = client.post(reverse("access:role-approve", args=[assignment.pk]), follow=True)
    assert _(OWN_APPOINTMENT) in [str(m) for m in response.context["messages"]]
    assert RoleApproval.objects.filter(assignment=assignment).count() == 1
    assignment.refresh_from_db()
    assert assignment.approved_at is None


def test_a_proposer_who_is_the_appointee_approves_nothing(people):
    with pytest.raises(ValidationError) as error:
        role_assignment_propose(
            proposer=people["radmann.trondheim"],
            user=people["radmann.trondheim"],
            role="office_leader",
            office=office("heimdal"),
        )
    assert error.value.message_dict == {"role": [_(NOT_ROLE_AUTHORITY)]}
    assert (
        not RoleAssignment.objects.filter(role="office_leader", office__code="heimdal")
        .exclude(user__username="leder.heimdal")
        .exists()
    )
    # (The demo records both parties' approval of Heimdal's leader for audit readiness.)
    assert not RoleApproval.objects.exclude(assignment__user__username="leder.heimdal").exists()


# --- Finding 10: what the role form and the API offer ---------------------------------------------


def test_plain_staff_are_offered_no_role_form(client, people, demo_data):
    staff = people["kommune.heimdal"]
    assert not role_assignment_choices(user=staff)
    client.force_login(staff)
    assert client.get(reverse("access:role-create")).status_code == 404
    listing = client.get(reverse("access:role-list"))
    assert listing.status_code == 200
    assert reverse("access:role-create") not in listing.content.decode()
    response = client.post(
        reverse("access:role-create"),
        {"user": "stat.heimdal", "role": "national_admin"},
    )
    assert response.status_code == 404
    refused = api_as(staff).post(
        "/api/v1/role-assignments/",
        {"user": "stat.heimdal", "role": "office_staff", "office": "heimdal"},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["user"] == [_(NOT_OFFERED)]
    assert RoleAssignment.objects.filter(user=people["stat.heimdal"]).count() == 1


def test_the_leaders_choices_are_their_office_staff_and_its_people(
    client, people, demo_data, django_assert_num_queries
):
    leader = people["leder.heimdal"]
    choices = role_assignment_choices(user=leader)
    with django_assert_num_queries(1):  # the people offered: one query
        list(choices.people)
    client.force_login(leader)
    form = client.get(reverse("access:role-create")).context["form"]
    assert set(form.fields) == {"user", "role", "office", "valid_to"}
    assert [value for value, _label in form.fields["role"].choices] == ["office_staff"]
    assert [o.code for o in form.fields["office"].queryset] == ["heimdal"]
    assert usernames(form.fields["user"].queryset) == (TRONDELAG_STATE | TRONDHEIM_MUNICIPAL) - {
        "leder.heimdal"
    }


def test_the_county_directors_choices(people):
    choices = role_assignment_choices(user=people["fylkesdirektor.trondelag"])
    assert choices.roles == ("office_leader", "office_staff", "county_advisor")
    assert {o.code for o in choices.offices} == TRONDELAG_OFFICES
    assert [c.number for c in choices.counties] == ["50"]
    assert list(choices.municipalities) == []
    # State staff of the county; municipal staff of the municipalities its offices serve (for
    # an office leader, who may come from either side).
    assert usernames(choices.people) == (TRONDELAG_STATE | TRONDELAG_MUNICIPAL) - {
        "fylkesdirektor.trondelag"
    }


def test_the_municipal_executives_choices(people):
    choices = role_assignment_choices(user=people["radmann.trondheim"])
    assert choices.roles == ("office_leader", "office_staff", "municipal_advisor")
    assert {o.code for o in choices.offices} == TRONDHEIM_OFFICES
    assert [m.number for m in choices.municipalities] == ["5001"]
    assert list(choices.counties) == []
    assert usernames(choices.people) == (TRONDELAG_STATE | TRONDHEIM_MUNICIPAL) - {
        "radmann.trondheim"
    }


def test_only_a_national_admin_is_offered_the_national_roles(client, people, demo_data):
    national = ("national_admin", "county_director", "municipal_executive")
    for username in ("fylkesdirektor.trondelag", "radmann.trondheim", "leder.heimdal"):
        client.force_login(people[username])
        page = client.get(reverse("access:role-create"))
        offered = [value for value, _label in page.context["form"].fields["role"].choices]
        assert not set(national) & set(offered), username
        assert 'value="national_admin"' not in page.content.decode(), username
    admin = factories.UserFactory()
    RoleAssignment.objects.create(user=admin, role="national_admin")
    client.force_login(admin)
    page = client.get(reverse("access:role-create"))
    form = page.context["form"]
    assert [value for value, _label in form.fields["role"].choices] == [
        "municipal_executive",
        "county_director",
        "national_admin",
    ]
    assert 'value="national_admin"' in page.content.decode()
    form = client.get(reverse("access:role-create"), {"role": "national_admin"}).context["form"]
    assert "office" not in form.fields
    active_others = User.objects.filter(is_active=True).exclude(pk=admin.pk)
    assert usernames(form.fields["user"].queryset) == usernames(active_others)


def test_a_value_outside_the_choices_gets_the_forms_own_error(client, people, demo_data):
    client.force_login(people["leder.heimdal"])
    response = client.post(
        reverse("access:role-create"),
        {"user": "kommune.malvik", "role": "national_admin", "office": "lerkendal"},
    )
    assert response.status_code == 400
    # A role not offered: back to the first step, which offers the roles.
    assert set(response.context["form"].errors) == {"role"}
    response = client.post(
        reverse("access:role-create"),
        {"user": "kommune.malvik", "role": "office_staff", "office": "lerkendal"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"user", "office"}
    assert RoleAssignment.objects.filter(user=people["kommune.malvik"]).count() == 1


def test_the_service_still_checks_an_offered_combination_after_saving(people):
    # Municipal staff and office staff are both offered to the county director (the first for
    # an office leader), but the state line does not assign municipal office staff.
    api = api_as(people["fylkesdirektor.trondelag"])
    refused = api.post(
        "/api/v1/role-assignments/",
        {"user": "kommune.midtbyen", "role": "office_staff", "office": "heimdal"},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"role": [_(NOT_ROLE_AUTHORITY)]}
    assert not RoleAssignment.objects.filter(
        user__username="kommune.midtbyen", office__code="heimdal"
    ).exists()


def test_the_api_does_not_tell_which_usernames_exist(people):
    api = api_as(people["leder.heimdal"])

    def refusal(username):
        response = api.post(
            "/api/v1/role-assignments/",
            {"user": username, "role": "office_staff", "office": "heimdal"},
            format="json",
        )
        assert response.status_code == 400
        return response.json()["errors"]

    unknown, unreachable = refusal("finnes.ikke"), refusal("kommune.bodo")
    assert unknown == unreachable == {"user": [_(NOT_OFFERED)]}
    assert "kommune.bodo" not in str(unreachable)
    # Offices and scopes alike: an unknown office and one outside the leader's reach.
    for code in ("finnes-ikke", "lerkendal"):
        response = api.post(
            "/api/v1/role-assignments/",
            {"user": "stat.heimdal", "role": "office_staff", "office": code},
            format="json",
        )
        assert response.json()["errors"] == {"office": [_(NOT_OFFERED)]}, code


# --- Finding 10: whom a delegation may name -----------------------------------------------------


def test_delegation_grantees_follow_the_lines(client, people, demo_data):
    grantor = people["radmann.trondheim"]
    expected = (TRONDELAG_STATE | TRONDHEIM_MUNICIPAL) - {"radmann.trondheim"}
    assert usernames(delegation_grantees(user=grantor)) == expected
    client.force_login(grantor)
    form = client.get(reverse("access:delegation-create")).context["form"]
    assert usernames(form.fields["grantee"].queryset) == expected
    refused = client.post(
        reverse("access:delegation-create"),
        {
            "grantee": "stat.bodo",  # exists, but not along Trondheim's lines
            "office": "heimdal",
            "side": "municipal",
            "level": "view",
            "basis": "b",
            "valid_to": (timezone.localdate() + datetime.timedelta(days=10)).strftime("%d.%m.%Y"),
        },
    )
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"grantee"}
    assert not Delegation.objects.filter(grantee__username="stat.bodo").exists()
    # Nordland's director: the state staff of Nordland and the municipal staff of the
    # municipalities Nordland's offices serve — nobody from Trøndelag.
    nordland = usernames(delegation_grantees(user=people["fylkesdirektor.nordland"]))
    assert "stat.bodo" in nordland and "kommune.indre-salten" in nordland
    assert not nordland & (TRONDELAG_STATE | TRONDELAG_MUNICIPAL)
    assert not delegation_grantees(user=people["stat.heimdal"]).exists()


def test_delegation_api_answers_unknown_and_unreachable_grantees_alike(people):
    api = api_as(people["radmann.trondheim"])
    payload = {
        "office": "heimdal",
        "side": "municipal",
        "level": "view",
        "basis": "b",
        "valid_to": str(timezone.localdate() + datetime.timedelta(days=10)),
    }
    answers = []
    for grantee in ("finnes.ikke", "stat.bodo"):
        response = api.post("/api/v1/delegations/", {**payload, "grantee": grantee}, format="json")
        assert response.status_code == 400
        answers.append(response.json()["errors"])
    assert answers[0] == answers[1] == {"grantee": [_(NOT_OFFERED)]}
    response = api.post(
        "/api/v1/delegations/",
        {**payload, "grantee": "stat.heimdal", "office": "bodo"},
        format="json",
    )
    assert response.json()["errors"] == {"office": [_(NOT_OFFERED)]}


# --- Bug: ending a role that has not started ------------------------------------------------------


def future_staff_role(people):
    return role_assignment_ensure(
        user=factories.UserFactory(),
        role="office_staff",
        office=office("heimdal"),
        valid_from=timezone.now() + datetime.timedelta(days=7),
    )


def test_ending_a_role_that_has_not_started_withdraws_it_on_the_page(client, people, demo_data):
    role = future_staff_role(people)
    client.force_login(people["leder.heimdal"])
    response = client.post(reverse("access:role-end", args=[role.pk]))
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()
    [event] = [e for e in role_events(role.pk) if e.action == AuditAction.ROLE_ENDED]
    assert event.actor == people["leder.heimdal"]
    assert event.details["change"] == "deleted"


def test_ending_a_role_that_has_not_started_through_the_api(people):
    role = future_staff_role(people)
    api = api_as(people["leder.heimdal"])
    response = api.post(f"/api/v1/role-assignments/{role.pk}/end/")
    assert response.status_code == 204
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()
    assert api.post(f"/api/v1/role-assignments/{role.pk}/end/").status_code == 404


def test_an_ended_role_is_not_ended_again(people):
    role = RoleAssignment.objects.get(user=people["stat.heimdal"], office__code="heimdal")
    ended_at = timezone.now() - datetime.timedelta(days=1)
    role_assignment_end(assignment=role, at=ended_at)
    response = api_as(people["leder.heimdal"]).post(f"/api/v1/role-assignments/{role.pk}/end/")
    assert response.status_code == 400
    assert response.json()["errors"] == {"valid_to": [_(ROLE_ALREADY_ENDED)]}
    role.refresh_from_db()
    assert role.valid_to == ended_at  # not moved to now


# --- Bug: the audit trail of a time-limited office leader -----------------------------------------


def test_a_time_limited_leader_has_an_exact_audit_trail(people):
    candidate = factories.UserFactory()
    director, executive = people["fylkesdirektor.trondelag"], people["radmann.trondheim"]
    assignment = role_assignment_propose(
        proposer=director,
        user=candidate,
        role="office_leader",
        office=office("lerkendal"),
        valid_to=end_of_day(timezone.localdate() + datetime.timedelta(days=90)),
    )
    role_assignment_approve(approver=executive, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.approved_at is not None
    trail = [
        (e.action, e.details["change"], e.details.get("approval"), e.actor)
        for e in role_events(assignment.pk)
    ]
    assert trail == [
        (AuditAction.ROLE_ASSIGNED, "proposed", None, director),
        (AuditAction.ROLE_ASSIGNED, "approved", "state", director),
        (AuditAction.ROLE_ASSIGNED, "approved", "municipal", executive),
        (AuditAction.ROLE_ASSIGNED, "in_force", None, executive),
    ]
    role_assignment_end(assignment=assignment, ended_by=director)
    assert [(e.action, e.details["change"]) for e in role_events(assignment.pk)][4:] == [
        (AuditAction.ROLE_ENDED, "ended")
    ]


def test_changes_outside_the_services_are_audited_by_what_changed(people):
    # As in the admin: plain saves of the model.
    role = RoleAssignment.objects.get(user=people["stat.heimdal"], office__code="heimdal")
    before = len(role_events(role.pk))
    role.save()  # nothing changed: nothing to record
    later = timezone.now() + datetime.timedelta(days=30)
    role.valid_to = later
    role.save()  # an end is set
    role.valid_to = later + datetime.timedelta(days=30)
    role.save()  # the end moved later: a change, not an ending
    role.valid_to = None
    role.save()
    events = role_events(role.pk)[before:]
    assert [(e.action, e.details["change"]) for e in events] == [
        (AuditAction.ROLE_ENDED, "ended"),
        (AuditAction.ROLE_ASSIGNED, "changed"),
        (AuditAction.ROLE_ASSIGNED, "changed"),
    ]
    assert events[1].details["before"] == {"valid_to": later.isoformat()}


def test_approve_is_offered_only_to_a_party_still_to_approve(client, people, demo_data):
    own = role_assignment_propose(
        proposer=people["fylkesdirektor.trondelag"],
        user=people["radmann.trondheim"],
        role="office_leader",
        office=office("heimdal"),
    )
    other = role_assignment_propose(
        proposer=people["fylkesdirektor.trondelag"],
        user=people["stat.lerkendal"],
        role="office_leader",
        office=office("heimdal"),
    )
    client.force_login(people["radmann.trondheim"])
    html = client.get(reverse("access:role-list")).content.decode()
    assert reverse("access:role-approve", args=[other.pk]) in html
    assert reverse("access:role-approve", args=[own.pk]) not in html  # their own appointment
    client.force_login(people["fylkesdirektor.trondelag"])
    html = client.get(reverse("access:role-list")).content.decode()
    assert reverse("access:role-approve", args=[other.pk]) not in html  # the state has approved
