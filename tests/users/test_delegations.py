"""Delegations (delegasjonsvedtak): who may grant, bad input, the lifecycle on a moving clock,
open sessions, audit, and the pages and API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.test import APIClient

from offices.models import Office, OfficeNote
from tests import factories
from users import access
from users.models import AuditAction, AuditEvent, Delegation, RoleAssignment, User
from users.services import (
    BASIS_REQUIRED,
    END_IN_PAST,
    END_REQUIRED,
    END_TOO_LATE,
    NOT_AUTHORITY,
    TO_ONESELF,
    delegation_grant,
    delegation_revoke,
    role_assignment_end,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo_data):
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def heimdal(demo_data):
    return Office.objects.get(code="heimdal")


def municipal_note(office) -> OfficeNote:
    return OfficeNote.objects.get(office=office, side="municipal")


def grant(people, heimdal, **overrides):
    arguments = {
        "grantor": people["radmann.trondheim"],
        "grantee": people["stat.lerkendal"],
        "office": heimdal,
        "side": "municipal",
        "level": "view",
        "basis": "delegasjonsvedtak 2026-01",
        "valid_to": timezone.localdate() + datetime.timedelta(days=30),
    }
    arguments.update(overrides)
    return delegation_grant(**arguments)


class Clock:
    """Moves django.utils.timezone.now, which every part of the access model reads."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


# --- who may grant ---


def test_municipal_executive_grants_municipal_data_of_offices_serving_the_municipality(
    people, heimdal
):
    grantee = people["stat.lerkendal"]
    note = municipal_note(heimdal)
    assert not access.can(grantee, "view", note)
    delegation = grant(people, heimdal)
    assert access.can(grantee, "view", note)
    assert not access.can(grantee, "change", note)
    event = AuditEvent.objects.get(action=AuditAction.DELEGATION_GRANTED, object_id=delegation.pk)
    assert event.actor == people["radmann.trondheim"]
    assert event.basis == "delegasjonsvedtak 2026-01"
    assert event.office == heimdal


def test_county_director_grants_state_data(people, heimdal):
    note = OfficeNote.objects.get(office=heimdal, side="state")
    grantee = people["kommune.heimdal"]
    assert not access.can(grantee, "view", note)
    grant(
        people, heimdal, grantor=people["fylkesdirektor.trondelag"], side="state", grantee=grantee
    )
    assert access.can(grantee, "view", note)


@pytest.mark.parametrize(
    ("grantor", "side"),
    [
        ("radmann.trondheim", "state"),  # the municipality does not own state data
        ("fylkesdirektor.trondelag", "municipal"),  # nor the county municipal data
        ("radmann.fauske", "municipal"),  # Fauske is not served by Heimdal
        ("fylkesdirektor.nordland", "state"),  # Heimdal is not in Nordland
        ("leder.heimdal", "municipal"),  # the leader is not the owning side's authority
        ("kommune.heimdal", "municipal"),
    ],
)
def test_only_the_owning_authority_may_grant(people, heimdal, grantor, side):
    with pytest.raises(ValidationError) as error:
        grant(people, heimdal, grantor=people[grantor], side=side)
    assert error.value.message_dict["office"] == [_(NOT_AUTHORITY)]
    assert not Delegation.objects.filter(grantee=people["stat.lerkendal"]).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"basis": "  "}, "basis", BASIS_REQUIRED),
        ({"valid_to": None}, "valid_to", END_REQUIRED),
        ({"valid_to": datetime.date(2020, 1, 1)}, "valid_to", END_IN_PAST),
        (
            {"valid_to": timezone.localdate() + datetime.timedelta(days=400)},
            "valid_to",
            END_TOO_LATE,
        ),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_stored(
    people, heimdal, overrides, field, message
):
    before = Delegation.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        grant(people, heimdal, **overrides)
    assert error.value.message_dict[field] == [_(message)]
    assert (Delegation.objects.count(), AuditEvent.objects.count()) == before


def test_no_delegation_to_oneself(people, heimdal):
    with pytest.raises(ValidationError) as error:
        grant(people, heimdal, grantee=people["radmann.trondheim"])
    assert error.value.message_dict["grantee"] == [_(TO_ONESELF)]


# --- lifecycle on a moving clock ---


def test_lifecycle_before_start_active_after_end(people, heimdal, clock):
    grantee, note = people["stat.lerkendal"], municipal_note(heimdal)
    starts = clock.now + datetime.timedelta(days=2)
    delegation = Delegation.objects.create(
        grantor=people["radmann.trondheim"],
        grantee=grantee,
        office=heimdal,
        side="municipal",
        level="change",
        basis="delegasjonsvedtak 2026-02",
        valid_from=starts,
        valid_to=starts + datetime.timedelta(days=10),
    )
    assert not access.can(grantee, "view", note)  # before its start
    clock.advance(days=2)
    assert access.can(grantee, "view", note)  # active, from its first second
    assert access.can(grantee, "change", note)
    clock.now = delegation.valid_to - datetime.timedelta(seconds=1)
    assert access.can(grantee, "view", note)  # the last second
    clock.now = delegation.valid_to
    assert not access.can(grantee, "view", note)  # ended exactly at its end, no batch run


def test_revocation_ends_it_at_once(people, heimdal, clock):
    grantee, note = people["stat.lerkendal"], municipal_note(heimdal)
    delegation = grant(people, heimdal)
    clock.advance(minutes=5)
    assert access.can(grantee, "view", note)
    delegation_revoke(delegation=delegation, revoked_by=people["radmann.trondheim"])
    assert not access.can(grantee, "view", note)
    clock.advance(days=1)
    assert not access.can(grantee, "view", note)
    assert AuditEvent.objects.filter(
        action=AuditAction.DELEGATION_REVOKED, object_id=delegation.pk
    ).exists()


def test_the_demo_has_the_audit_situation(people, heimdal):
    """Several state employees at Heimdal see municipal data by delegation; one has expired."""
    note = municipal_note(heimdal)
    by_delegation = [
        username
        for username in ("stat.heimdal", "stat2.heimdal", "stat3.heimdal", "stat4.heimdal")
        if access.can(people[username], "view", note)
    ]
    assert by_delegation == ["stat.heimdal", "stat2.heimdal", "stat3.heimdal"]
    assert Delegation.objects.filter(grantee=people["stat4.heimdal"]).get().ends_at < timezone.now()


# --- open sessions: the very next request -------------------------------------------------------


def test_revoking_a_delegation_takes_effect_on_the_next_request(client, people, heimdal, demo_data):
    delegation = grant(people, heimdal)
    client.login(username="stat.lerkendal", password=demo_data)
    url = reverse("offices:notes", args=["heimdal"])
    assert "municipal" in [n.side for n in client.get(url).context["notes"]]
    delegation_revoke(delegation=delegation, revoked_by=people["radmann.trondheim"])
    assert "municipal" not in [n.side for n in client.get(url).context["notes"]]


def test_ending_a_role_takes_effect_on_the_next_request(client, people, heimdal, demo_data):
    client.login(username="kommune.heimdal", password=demo_data)
    url = reverse("offices:notes", args=["heimdal"])
    assert {n.side for n in client.get(url).context["notes"]} == {"municipal", "joint"}
    role = RoleAssignment.objects.get(user=people["kommune.heimdal"], office=heimdal)
    role_assignment_end(assignment=role)
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["notes"]) == []
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_ENDED, object_id=role.pk).exists()


# --- audit of reads through a delegation, and of refusals ---------------------------------------


def test_reads_through_a_delegation_are_audited(client, people, heimdal, demo_data):
    client.login(username="stat.heimdal", password=demo_data)
    client.get(reverse("offices:notes", args=["heimdal"]))
    event = AuditEvent.objects.filter(action=AuditAction.DELEGATED_READ).latest("at")
    assert event.actor == people["stat.heimdal"]
    assert event.side == "municipal"
    assert event.details["ids"] == [str(municipal_note(heimdal).pk)]
    # The leader reads both sides by role, not by delegation: nothing to record.
    count = AuditEvent.objects.filter(action=AuditAction.DELEGATED_READ).count()
    client.login(username="leder.heimdal", password=demo_data)
    client.get(reverse("offices:notes", args=["heimdal"]))
    assert AuditEvent.objects.filter(action=AuditAction.DELEGATED_READ).count() == count


def test_refused_access_answers_404_and_is_audited(client, people, heimdal, demo_data):
    note = OfficeNote.objects.get(office=heimdal, side="state")
    client.login(username="kommune.heimdal", password=demo_data)
    response = client.get(reverse("offices:note", args=["heimdal", note.pk]))
    assert response.status_code == 404
    missing = client.get(reverse("offices:note", args=["heimdal", 999999]))
    assert missing.status_code == 404
    # Missing and forbidden are written alike: what was asked for, nothing about the target.
    denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).order_by("pk")
    assert [e.object_id for e in denied] == [str(note.pk), "999999"]
    assert {(e.actor, e.office_id, e.side, e.object_repr) for e in denied} == {
        (people["kommune.heimdal"], None, "", "")
    }


# --- query counts ---


def test_visible_to_costs_two_queries_however_many_offices_and_delegations(people, heimdal):
    """One query for the user's permitted (office, side) pairs, one for the rows."""
    user = people["stat.heimdal"]

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            list(OfficeNote.objects.visible_to(user))
        return len(queries)

    before = count_queries()
    visible_before = OfficeNote.objects.visible_to(user).filter(side="state").count()
    grantor = people["fylkesdirektor.trondelag"]
    for _n in range(15):
        office = factories.OfficeFactory(county=factories.county("50"))
        OfficeNote.objects.create(office=office, side="state", title="x", created_by=grantor)
        delegation_grant(
            grantor=grantor,
            grantee=user,
            office=office,
            side="state",
            level="view",
            basis="b",
            valid_to=timezone.localdate() + datetime.timedelta(days=5),
        )
    assert count_queries() == before == 2
    assert OfficeNote.objects.visible_to(user).filter(side="state").count() == visible_before + 15


# --- pages and API ---


def test_grant_and_revoke_through_the_pages(client, people, heimdal, demo_data):
    client.login(username="radmann.trondheim", password=demo_data)
    assert client.get(reverse("access:delegation-create")).status_code == 200
    response = client.post(
        reverse("access:delegation-create"),
        {
            "grantee": "stat.lerkendal",
            "office": "heimdal",
            "side": "municipal",
            "level": "view",
            "basis": "delegasjonsvedtak 2026-03",
            "valid_to": (timezone.localdate() + datetime.timedelta(days=10)).strftime("%d.%m.%Y"),
        },
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get(basis="delegasjonsvedtak 2026-03")
    listing = client.get(reverse("access:delegation-list"))
    assert delegation.pk in listing.context["revocable"]
    client.post(reverse("access:delegation-revoke", args=[delegation.pk]))
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_grant_page_shows_field_errors_and_stores_nothing(client, people, heimdal, demo_data):
    client.login(username="radmann.trondheim", password=demo_data)
    response = client.post(
        reverse("access:delegation-create"),
        {"grantee": "stat.lerkendal", "office": "heimdal", "side": "municipal", "level": "view"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"basis", "valid_to"}
    assert not Delegation.objects.filter(basis="").exists()


def test_grant_page_is_absent_for_those_without_authority(client, demo_data):
    client.login(username="stat.heimdal", password=demo_data)
    assert client.get(reverse("access:delegation-create")).status_code == 404


def test_others_cannot_revoke(client, people, heimdal, demo_data):
    delegation = grant(people, heimdal)
    for username in (
        "stat.lerkendal",
        "leder.heimdal",
        "radmann.fauske",
        "fylkesdirektor.trondelag",
    ):
        client.login(username=username, password=demo_data)
        response = client.post(reverse("access:delegation-revoke", args=[delegation.pk]))
        assert response.status_code == 404, username
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_api_grant_list_revoke(people, heimdal):
    api = APIClient()
    api.force_authenticate(people["radmann.trondheim"])
    payload = {
        "grantee": "stat.lerkendal",
        "office": "heimdal",
        "side": "municipal",
        "level": "view",
        "basis": "delegasjonsvedtak 2026-04",
        "valid_to": str(timezone.localdate() + datetime.timedelta(days=10)),
    }
    created = api.post("/api/v1/delegations/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["active"] is True and body["grantee"] == "stat.lerkendal"
    grantee_api = APIClient()
    grantee_api.force_authenticate(people["stat.lerkendal"])
    assert body["id"] in [
        d["id"] for d in grantee_api.get("/api/v1/delegations/").json()["results"]
    ]
    assert grantee_api.post(f"/api/v1/delegations/{body['id']}/revoke/").status_code == 404
    revoked = api.post(f"/api/v1/delegations/{body['id']}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"basis": ""}, "basis"),
        ({"valid_to": "2020-01-01"}, "valid_to"),
        ({"valid_to": None}, "valid_to"),
        ({"side": "joint"}, "side"),
        ({"office": "lerkendal-not"}, "office"),
        ({"grantee": "radmann.trondheim"}, "grantee"),
        ({"side": "state"}, "office"),
    ],
)
def test_api_bad_input_is_400_per_field(people, heimdal, change, field):
    api = APIClient()
    api.force_authenticate(people["radmann.trondheim"])
    payload = {
        "grantee": "stat.lerkendal",
        "office": "heimdal",
        "side": "municipal",
        "level": "view",
        "basis": "b",
        "valid_to": str(timezone.localdate() + datetime.timedelta(days=10)),
        **change,
    }
    before = Delegation.objects.count()
    response = api.post("/api/v1/delegations/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert Delegation.objects.count() == before


def test_forged_ids_are_404(people):
    api = APIClient()
    api.force_authenticate(people["radmann.trondheim"])
    assert api.get("/api/v1/delegations/999999/").status_code == 404
    assert api.post("/api/v1/delegations/999999/revoke/").status_code == 404
    assert api.get("/api/v1/notes/999999/").status_code == 404
