"""The access matrix: every role × both employer sides × four kinds of office × three sides ×
view/change, against users/access/ and through the API.

The expected answers come from ``expected()`` below, written from DESIGN.md's rules directly
(not from users/access/permissions.py), so the two must agree.

The world: Trøndelag (50) and Nordland (18).
  own        — the user's office, serving Melhus (5028);
  neighbour  — another office in Trøndelag, serving Malvik (5031);
  far        — an office in Nordland, serving Bodø (1804);
  host       — a host-municipality office in Trøndelag: Skaun (5029) hosts, Melhus is served.
Office roles are at `own`, municipality roles at Melhus, county roles at Trøndelag.
"""

import datetime
import itertools

import pytest
from rest_framework.test import APIClient

from navpartner.sidedata import Side
from offices.models import OfficeNote
from offices.services import office_municipality_add
from tests import factories
from users import access
from users.models import EmployerSide, Role, RoleAssignment

OFFICE_KINDS = ("own", "neighbour", "far", "host")
SIDES = (Side.STATE, Side.MUNICIPAL, Side.JOINT)
ACTIONS = ("view", "change")
START = datetime.date(2024, 1, 1)


def expected(role: str, employer: str, office_kind: str, side: str, action: str) -> bool:
    """DESIGN.md rules 1–4, for the world above."""
    reach = {
        Role.OFFICE_LEADER: {"own"},
        Role.OFFICE_STAFF: {"own"},
        # Melhus is served by `own` and, as a member of a host cooperation, by `host`.
        Role.MUNICIPAL_EXECUTIVE: {"own", "host"},
        Role.MUNICIPAL_ADVISOR: {"own", "host"},
        Role.COUNTY_DIRECTOR: {"own", "neighbour", "host"},
        Role.COUNTY_ADVISOR: {"own", "neighbour", "host"},
        Role.NATIONAL_ADMIN: set(),
        # A statistics system delivers measurements for its county's offices and sees nothing.
        Role.STATISTICS_CLIENT: set(),
    }[role]
    if office_kind not in reach:
        return False
    if role == Role.OFFICE_LEADER:
        return True  # enhetlig ledelse: the leader sees and changes both sides
    if side == Side.JOINT:
        return action == "view" or role in (Role.MUNICIPAL_EXECUTIVE, Role.COUNTY_DIRECTOR)
    line = {
        Role.OFFICE_STAFF: employer,
        Role.MUNICIPAL_EXECUTIVE: EmployerSide.MUNICIPAL,
        Role.MUNICIPAL_ADVISOR: EmployerSide.MUNICIPAL,
        Role.COUNTY_DIRECTOR: EmployerSide.STATE,
        Role.COUNTY_ADVISOR: EmployerSide.STATE,
    }[role]
    # Own side only, and only when employed on that side.
    return side == line == employer


@pytest.fixture
def world(db):
    trondelag, nordland = factories.county("50"), factories.county("18")
    offices = {
        "own": factories.OfficeFactory(code="own", county=trondelag),
        "neighbour": factories.OfficeFactory(code="neighbour", county=trondelag),
        "far": factories.OfficeFactory(code="far", county=nordland),
        "host": factories.OfficeFactory(code="host", county=trondelag),
    }
    for kind, number, is_host in (
        ("own", "5028", False),
        ("neighbour", "5031", False),
        ("far", "1804", False),
        ("host", "5029", True),
        ("host", "5028", False),
    ):
        office_municipality_add(
            office=offices[kind],
            municipality=factories.municipality(number),
            valid_from=START,
            is_host=is_host,
        )
    author = factories.UserFactory(username="author")
    notes = {
        (kind, side): OfficeNote.objects.create(
            office=office, side=side, title=f"{kind} {side}", created_by=author
        )
        for kind, office in offices.items()
        for side in SIDES
    }
    return {"offices": offices, "notes": notes}


def make_user(role: str, employer: str, world) -> object:
    factory = factories.UserFactory if employer == "state" else factories.MunicipalUserFactory
    user = factory()
    scope = {}
    if role in (Role.OFFICE_LEADER, Role.OFFICE_STAFF):
        scope["office"] = world["offices"]["own"]
    elif role in (Role.MUNICIPAL_EXECUTIVE, Role.MUNICIPAL_ADVISOR):
        scope["municipality"] = factories.municipality("5028")
    elif role in (Role.COUNTY_DIRECTOR, Role.COUNTY_ADVISOR, Role.STATISTICS_CLIENT):
        scope["county"] = factories.county("50")
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


CASES = list(itertools.product(Role.values, EmployerSide.values))


@pytest.mark.parametrize(("role", "employer"), CASES)
def test_policy_matrix(world, role, employer):
    user = make_user(role, employer, world)
    mismatches = []
    for kind, side, action in itertools.product(OFFICE_KINDS, SIDES, ACTIONS):
        note = world["notes"][(kind, side)]
        got = access.can(user, action, note)
        if got != expected(role, employer, kind, side, action):
            mismatches.append((kind, side, action, got))
    assert not mismatches, mismatches


@pytest.mark.parametrize(("role", "employer"), CASES)
def test_api_matrix(world, role, employer):
    user = make_user(role, employer, world)
    client = APIClient()
    client.force_authenticate(user)

    listed = client.get("/api/v1/notes/", {"page_size": 100}).json()["results"]
    # The demo offices are in the database too (a county director of Trøndelag sees Heimdal's).
    seen = {(note["office"], note["side"]) for note in listed if note["office"] in OFFICE_KINDS}
    should_see = {
        (kind, side)
        for kind, side in itertools.product(OFFICE_KINDS, SIDES)
        if expected(role, employer, kind, side, "view")
    }
    assert seen == should_see

    for kind, side in itertools.product(OFFICE_KINDS, SIDES):
        note = world["notes"][(kind, side)]
        may_view = expected(role, employer, kind, side, "view")
        may_change = expected(role, employer, kind, side, "change")
        detail = client.get(f"/api/v1/notes/{note.pk}/")
        assert detail.status_code == (200 if may_view else 404), (kind, side)
        update = client.put(
            f"/api/v1/notes/{note.pk}/",
            {"side": side, "title": "changed", "body": "", "version": note.version},
            format="json",
        )
        # Outsiders get 404; those who may see the note but not change it get 403.
        assert update.status_code == (200 if may_change else 403 if may_view else 404), (
            kind,
            side,
        )
        created = client.post(
            "/api/v1/notes/",
            {"office": kind, "side": side, "title": "new"},
            format="json",
        )
        assert created.status_code == (201 if may_change else 400), (kind, side, created.json())
        if not may_change:
            assert "side" in created.json()["errors"]


def test_anonymous_gets_nothing(world):
    assert access.restrict(OfficeNote.objects.all(), None).count() == 0
    assert APIClient().get("/api/v1/notes/").status_code == 401


def test_superuser_without_roles_sees_no_side_data(world):
    operator = factories.UserFactory(
        is_superuser=True, is_staff=True, employer_side="", employer_county=None
    )
    assert not OfficeNote.objects.visible_to(operator).exists()
    client = APIClient()
    client.force_authenticate(operator)
    assert client.get("/api/v1/notes/").json()["count"] == 0


def test_inactive_user_gets_nothing(world):
    user = make_user(Role.OFFICE_LEADER, "state", world)
    user.is_active = False
    user.save()
    assert not OfficeNote.objects.visible_to(user).exists()


def test_demo_municipal_staff_sees_no_state_data_and_nothing_of_another_office(demo_data):
    """The issue's own check, on the demo data: kommune.heimdal at Heimdal and Lerkendal."""
    from offices.models import Office
    from users.models import User

    kommune = User.objects.get(username="kommune.heimdal")
    leader = User.objects.get(username="leder.heimdal")
    lerkendal = Office.objects.get(code="lerkendal")
    for side in SIDES:
        OfficeNote.objects.create(office=lerkendal, side=side, title=side, created_by=leader)
    visible = set(OfficeNote.objects.visible_to(kommune).values_list("office__code", "side"))
    assert visible == {("heimdal", "municipal"), ("heimdal", "joint")}
