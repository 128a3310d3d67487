"""Side data declared once: the declaration, the policy reading it, the bulk lookup, the shared
write services and the API base — exercised through the notes, the first model built on them.

The world: Trøndelag office `own` (serving Melhus) and `other` (serving Malvik).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from navpartner.sidedata import Side, SideData
from navpartner.sidedata_services import side_data_create, side_data_update
from offices.models import Municipality, OfficeNote
from offices.services import office_municipality_add
from tests import factories
from users import access
from users.models import AuditAction, AuditEvent, Role, RoleAssignment

START = datetime.date(2024, 1, 1)


@pytest.fixture
def world(db):
    own = factories.OfficeFactory(code="own")
    other = factories.OfficeFactory(code="other")
    office_municipality_add(
        office=own, municipality=factories.municipality("5028"), valid_from=START
    )
    office_municipality_add(
        office=other, municipality=factories.municipality("5031"), valid_from=START
    )
    leader = factories.UserFactory(username="leader")
    RoleAssignment.objects.create(user=leader, role=Role.OFFICE_LEADER, office=own)
    state_staff = factories.UserFactory(username="state-staff")
    RoleAssignment.objects.create(user=state_staff, role=Role.OFFICE_STAFF, office=own)
    municipal_staff = factories.MunicipalUserFactory(username="municipal-staff")
    RoleAssignment.objects.create(user=municipal_staff, role=Role.OFFICE_STAFF, office=own)
    notes = {
        side: OfficeNote.objects.create(
            office=own, side=side, title=f"own {side}", created_by=leader
        )
        for side in Side.values
    }
    OfficeNote.objects.create(office=other, side=Side.STATE, title="other", created_by=leader)
    return {
        "own": own,
        "other": other,
        "leader": leader,
        "state_staff": state_staff,
        "municipal_staff": municipal_staff,
        "notes": notes,
    }


def municipal_reader_of_state_data(office):
    """A municipal employee without a role, given a view delegation of ``office``'s state data
    by the county director: everything they see of it, they see through the delegation."""
    from users.services import delegation_grant

    director = factories.UserFactory(username="director")
    RoleAssignment.objects.create(user=director, role=Role.COUNTY_DIRECTOR, county=office.county)
    reader = factories.MunicipalUserFactory(username="reader")
    delegation_grant(
        grantor=director,
        grantee=reader,
        office=office,
        side=Side.STATE,
        level="view",
        basis="delegasjonsvedtak 1",
        valid_to=timezone.localdate() + datetime.timedelta(days=30),
    )
    return reader


def test_bulk_lookup_agrees_with_the_one_by_one_answer_in_one_query(world):
    for who in ("leader", "state_staff", "municipal_staff"):
        user = world[who]
        with CaptureQueriesContext(connection) as queries:
            permissions = access.side_permissions(user)
        assert len(queries) == 1
        for office in (world["own"], world["other"]):
            for side in Side.values:
                for action in (access.VIEW, access.CHANGE):
                    assert permissions.allows(action, office, side) == access.can_access_side(
                        user, action, office, side
                    ), (who, office.code, side, action)
    assert access.side_permissions(world["state_staff"]).sides(access.CHANGE, world["own"]) == [
        Side.STATE
    ]


def test_visible_to_filters_by_literal_offices_not_a_join_to_permission_rows(world):
    """The shape that keeps PostgreSQL on the (office, side) index at any table size."""
    notes = OfficeNote.objects.visible_to(world["state_staff"])
    sql = str(notes.query)
    assert "officeuserobjectpermission" not in sql.lower()
    assert {n.title for n in notes} == {"own state", "own joint"}
    # The leader's filter is exactly the one a person would write: all sides of one office.
    leader_sql = str(OfficeNote.objects.visible_to(world["leader"]).query)
    assert '"side"' not in leader_sql.split("WHERE", 1)[1]


def test_a_declaration_reaching_several_offices_opens_a_row_through_any_of_them(world):
    """As one agreement covers four Trondheim offices: reachable through any of them."""
    declared = SideData(office="office_memberships__office", side=Side.JOINT).bind(Municipality)
    municipal_staff = world["municipal_staff"]
    reached = access.side_data(
        Municipality.objects.all(), municipal_staff, access.VIEW, declared
    ).values_list("number", flat=True)
    assert sorted(reached) == ["5028"]  # Melhus, through `own`; not Malvik (`other`)
    assert declared.office_is_many
    assert not access.side_data(
        Municipality.objects.all(), municipal_staff, access.CHANGE, declared
    ).exists()  # staff only view joint data


def test_create_checks_the_stored_row_and_rolls_back_on_refusal(world):
    before = OfficeNote.objects.count()
    with pytest.raises(ValidationError) as refused:
        side_data_create(
            user=world["state_staff"],
            instance=OfficeNote(office=world["own"], side=Side.MUNICIPAL, title="x"),
        )
    assert "side" in refused.value.message_dict
    assert OfficeNote.objects.count() == before
    note = side_data_create(
        user=world["state_staff"],
        instance=OfficeNote(office=world["own"], side=Side.STATE, title="mine"),
    )
    event = AuditEvent.objects.get(
        action=AuditAction.DATA_CREATED, object_type="offices.officenote", object_id=str(note.pk)
    )
    assert (event.office_id, event.side, event.details["writer_side"]) == (
        world["own"].pk,
        Side.STATE,
        "state",
    )
    assert note.created_by == world["state_staff"]


def test_moving_a_row_across_the_line_needs_both_sides(world):
    note = world["notes"][Side.STATE]
    with pytest.raises(ValidationError):
        side_data_update(
            user=world["state_staff"],
            instance=note,
            changes={"side": Side.MUNICIPAL},
            version=note.version,
        )
    note.refresh_from_db()
    assert note.side == Side.STATE


def test_a_stale_change_is_refused_naming_who_changed_it(world):
    note = world["notes"][Side.STATE]
    side_data_update(
        user=world["leader"], instance=note, changes={"title": "first"}, version=note.version
    )
    with pytest.raises(ValidationError) as stale:
        side_data_update(
            user=world["state_staff"], instance=note, changes={"title": "second"}, version=1
        )
    message = stale.value.message_dict["version"][0]
    assert str(world["leader"]) in message
    note.refresh_from_db()
    assert (note.title, note.version, note.updated_by) == ("first", 2, world["leader"])


def test_api_viewer_gets_403_outsider_404_and_errors_per_field(world):
    api = APIClient()
    api.force_authenticate(world["state_staff"])
    joint = world["notes"][Side.JOINT]
    municipal = world["notes"][Side.MUNICIPAL]
    change = {"side": "joint", "title": "t", "body": "", "version": 1}
    assert api.put(f"/api/v1/notes/{joint.pk}/", change).status_code == 403
    assert api.put(f"/api/v1/notes/{municipal.pk}/", change).status_code == 404
    assert api.delete(f"/api/v1/notes/{joint.pk}/").status_code == 403
    state = world["notes"][Side.STATE]
    missing_version = api.put(f"/api/v1/notes/{state.pk}/", {"side": "state", "title": "t"})
    assert missing_version.status_code == 400
    assert "version" in missing_version.json()["errors"]
    refused = api.post("/api/v1/notes/", {"office": "own", "side": "municipal", "title": "t"})
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["side"]
    moved = api.patch(f"/api/v1/notes/{state.pk}/", {"office": "other", "title": "t", "version": 1})
    assert moved.status_code == 200
    assert moved.json()["office"] == "own"  # the office is given at creation only
    assert api.get("/api/v1/notes/", {"side": "sideways"}).status_code == 400


def test_api_reads_through_a_delegation_are_audited_on_list_and_detail(world):
    reader = municipal_reader_of_state_data(world["other"])
    api = APIClient()
    api.force_authenticate(reader)
    listed = api.get("/api/v1/notes/").json()["results"]
    assert [note["title"] for note in listed] == ["other"]
    api.get(f"/api/v1/notes/{listed[0]['id']}/")
    reads = AuditEvent.objects.filter(actor=reader, action=AuditAction.DELEGATED_READ)
    assert reads.count() == 2
    assert {(e.office_id, e.side) for e in reads} == {(world["other"].pk, Side.STATE)}


def test_a_report_holds_what_its_requester_sees_and_audits_delegated_reads(
    world, django_capture_on_commit_callbacks
):
    """Reports read side data through the policy too, and record reads through a delegation."""
    import io

    from pypdf import PdfReader

    from reports.services import report_request_create

    reader = municipal_reader_of_state_data(world["own"])
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request_create(
            user=reader, kind="office_fact_sheet", parameters={"office": "own"}
        )
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "own state" in text  # through the delegation
    assert "own municipal" not in text  # the reader's own side needs a role, which they lack
    read = AuditEvent.objects.get(actor=reader, action=AuditAction.DELEGATED_READ)
    assert (read.office_id, read.side) == (world["own"].pk, Side.STATE)
    assert read.details["ids"] == [str(world["notes"][Side.STATE].pk)]
