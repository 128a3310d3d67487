"""Issue 8, finding 1: a form offers only what its user may choose, and refuses nothing it
offered.

For each demo role, every role, person and scope the role form offers is submitted (every
person at least once, every scope at least once) and must be accepted; so must every person,
office, line and level the delegation form offers. What lies outside the choices is not
offered, and is refused with the field's own message when typed anyway.
"""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests import factories
from users.forms import PERSON_NOT_FOUND, DelegationForm, RoleAssignmentForm
from users.models import Delegation, RoleAssignment, User
from users.pickers import delegable_sides
from users.selectors import delegation_grantees, role_assignment_choices

ROLE_URL = reverse("access:role-create")
DELEGATION_URL = reverse("access:delegation-create")

# Everyone the demo data gives a role, and the people with nothing to assign or delegate.
AUTHORITIES = [
    "leder.heimdal",
    "leder.indre-salten",
    "fylkesdirektor.trondelag",
    "fylkesdirektor.nordland",
    "radmann.trondheim",
    "radmann.fauske",
    "radmann.saltdal",
]
WITHOUT_CHOICES = ["stat.heimdal", "kommune.heimdal", "stat2.heimdal", "kommune.lerkendal"]
DELEGATING = [
    "fylkesdirektor.trondelag",
    "fylkesdirektor.nordland",
    "radmann.trondheim",
    "radmann.fauske",
    "radmann.saltdal",
]
# A national administrator's municipality list has 357 entries: every one is offered, a spread
# of them is submitted.
MOST_SUBMITTED = 40


@pytest.fixture
def national_admin(demo_data):
    admin = factories.UserFactory(username="direktoratet.admin")
    RoleAssignment.objects.create(user=admin, role="national_admin")
    return admin


def user(username: str) -> User:
    return User.objects.get(username=username)


def submit(client, url: str, data: dict):
    """POST, and undo whatever it stored, so that the next combination starts afresh."""
    with transaction.atomic():
        response = client.post(url, data)
        transaction.set_rollback(True)
    return response


def spread(items: list, count: int) -> list:
    """``count`` items spread over ``items`` (all of them if there are no more)."""
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)] + [items[-1]]


def combinations(people: list, scopes: list) -> list[tuple]:
    """Pairs in which every person and every (spread) scope occurs at least once."""
    scopes = spread(scopes, MOST_SUBMITTED)
    return [
        (people[i % len(people)], scopes[i % len(scopes)])
        for i in range(max(len(people), len(scopes)))
    ]


SCOPE_KEY = {"office": "code", "municipality": "number", "county": "number"}


def assert_every_offered_role_choice_is_accepted(client, proposer: User):
    client.force_login(proposer)
    choices = role_assignment_choices(user=proposer).with_someone_to_choose()
    assert choices, proposer.username
    first = client.get(ROLE_URL)
    assert first.status_code == 200
    if len(choices.roles) > 1:
        offered_roles = [value for value, _label in first.context["form"].fields["role"].choices]
        assert offered_roles == list(choices.roles)
    for role in choices.roles:
        page = client.get(ROLE_URL, {"role": role})
        assert page.status_code == 200
        form = page.context["form"]
        assert isinstance(form, RoleAssignmentForm)
        people = list(form.fields["user"].queryset)
        kind = choices.for_role(role).scope_kind()
        scopes = list(form.fields[kind].queryset) if kind else [None]
        assert people, (proposer.username, role, "no people offered")
        assert scopes, (proposer.username, role, "no scopes offered")
        assert proposer not in people
        assert set(form.fields) - {"role", "user", "valid_to"} == ({kind} if kind else set())
        for person, scope in combinations(people, scopes):
            data = {"role": role, "user": person.username}
            if kind:
                data[kind] = getattr(scope, SCOPE_KEY[kind])
            response = submit(client, ROLE_URL, data)
            errors = response.context["form"].errors if response.context else None
            assert response.status_code == 302, (proposer.username, data, errors)


@pytest.mark.parametrize("username", AUTHORITIES)
def test_every_role_choice_offered_is_accepted(client, demo_data, username):
    assert_every_offered_role_choice_is_accepted(client, user(username))


def test_every_role_choice_offered_to_a_national_admin_is_accepted(client, national_admin):
    assert_every_offered_role_choice_is_accepted(client, national_admin)


@pytest.mark.parametrize("username", WITHOUT_CHOICES)
def test_nothing_to_assign_or_delegate_means_no_form(client, demo_data, username):
    client.force_login(user(username))
    assert client.get(ROLE_URL).status_code == 404
    assert client.get(DELEGATION_URL).status_code == 404
    listing = client.get(reverse("access:role-list")).content.decode()
    assert ROLE_URL not in listing


def test_a_role_with_nobody_to_give_it_to_is_not_offered(client, demo_data):
    """Saltdal employs nobody but its executive: "municipal advisor" has nobody to go to."""
    executive = user("radmann.saltdal")
    assert "municipal_advisor" in role_assignment_choices(user=executive).roles  # the policy
    client.force_login(executive)
    page = client.get(ROLE_URL)
    offered = [value for value, _label in page.context["form"].fields["role"].choices]
    assert "municipal_advisor" not in offered
    assert client.get(ROLE_URL, {"role": "municipal_advisor"}).status_code == 400


def test_a_role_form_offers_nothing_the_policy_would_refuse(demo_data):
    """The people offered for each role are those its lines accept: the county director is
    not offered municipal staff as office staff (the previous form offered them, then
    refused)."""
    director = user("fylkesdirektor.trondelag")
    choices = role_assignment_choices(user=director)
    staff = choices.for_role("office_staff").people
    assert staff.exists()
    assert not staff.exclude(employer_side="state").exists()
    leaders = choices.for_role("office_leader").people
    assert leaders.filter(employer_side="municipal").exists()  # either side may lead
    advisors = choices.for_role("county_advisor").people
    assert not advisors.exclude(employer_side="state", employer_county__number="50").exists()
    assert choices.for_role("county_advisor").scope_kind() == "county"
    assert [c.number for c in choices.for_role("county_advisor").counties] == ["50"]


def test_a_person_outside_the_choices_is_refused_with_the_fields_message(client, demo_data):
    client.force_login(user("fylkesdirektor.trondelag"))
    for outsider in ("kommune.midtbyen", "stat.bodo", "finnes.ikke"):
        response = client.post(
            ROLE_URL, {"role": "office_staff", "user": outsider, "office": "heimdal"}
        )
        assert response.status_code == 400
        assert response.context["form"].errors["user"] == [
            PERSON_NOT_FOUND % {"value": outsider}
        ], outsider
    assert not RoleAssignment.objects.filter(
        user__username="kommune.midtbyen", office__code="heimdal"
    ).exists()


def test_a_role_not_offered_goes_back_to_the_first_step(client, demo_data):
    client.force_login(user("fylkesdirektor.trondelag"))
    response = client.get(ROLE_URL, {"role": "national_admin", "step": "role"})
    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    body = response.content.decode()
    assert 'value="national_admin"' not in body
    assert 'value="county_advisor"' in body


def test_the_leader_goes_straight_to_their_one_role(client, demo_data):
    client.force_login(user("leder.heimdal"))
    page = client.get(ROLE_URL)
    form = page.context["form"]
    assert isinstance(form, RoleAssignmentForm)
    assert form.role == "office_staff"
    assert 'type="hidden" name="role" value="office_staff"' in page.content.decode()


@pytest.mark.parametrize("username", DELEGATING)
def test_every_delegation_choice_offered_is_accepted(client, demo_data, username):
    grantor = user(username)
    client.force_login(grantor)
    page = client.get(DELEGATION_URL)
    assert page.status_code == 200
    form = page.context["form"]
    assert isinstance(form, DelegationForm)
    sides = [value for value, _label in form.fields["side"].choices]
    assert sides == delegable_sides(grantor) and len(sides) == 1
    people = list(form.fields["grantee"].queryset)
    offices = list(form.fields["office"].queryset)
    assert people and offices
    assert grantor not in people
    assert set(people) == set(delegation_grantees(user=grantor))
    last_day = (timezone.localdate() + datetime.timedelta(days=30)).strftime("%d.%m.%Y")
    for index, (person, office) in enumerate(combinations(people, offices)):
        data = {
            "grantee": person.username,
            "office": office.code,
            "side": sides[0],
            "level": ("view", "change")[index % 2],
            "basis": "delegasjonsvedtak 2026-14",
            "valid_to": last_day,
        }
        response = submit(client, DELEGATION_URL, data)
        errors = response.context["form"].errors if response.context else None
        assert response.status_code == 302, (username, data, errors)
    assert not Delegation.objects.filter(basis="delegasjonsvedtak 2026-14").exists()


def test_a_director_is_not_offered_the_municipal_line(client, demo_data):
    client.force_login(user("fylkesdirektor.trondelag"))
    body = client.get(DELEGATION_URL).content.decode()
    assert 'name="side" value="state"' in body
    assert 'value="municipal"' not in body
    response = client.post(
        DELEGATION_URL,
        {
            "grantee": "stat.heimdal",
            "office": "heimdal",
            "side": "municipal",
            "level": "view",
            "basis": "vedtak",
            "valid_to": (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d.%m.%Y"),
        },
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["side"]
