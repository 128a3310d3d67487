"""``permissions_resync`` repairs what bypassed the receivers, audits it, and is idempotent;
permission rows cannot be written by hand in the admin."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from offices.models import County, Municipality, Office, OfficeMunicipality
from tests import factories
from users import access
from users.models import (
    AuditAction,
    AuditEvent,
    OfficeGroupObjectPermission,
    OfficeUserObjectPermission,
    Role,
    RoleAssignment,
    User,
)
from users.tasks import permissions_resync as permissions_resync_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def heimdal(demo_data):
    return Office.objects.get(code="heimdal")


def person(username: str) -> User:
    return User.objects.get(username=username)


def may(username: str, action: str, office: Office, side: str) -> bool:
    """The policy's answer, and Django's permission API must give the same one."""
    user = person(username)
    answer = access.can_access_side(user, action, office, side)
    assert user.has_perm(f"offices.{action}_{side}_data", office) == answer
    return answer


def resync() -> str:
    out = io.StringIO()
    call_command("permissions_resync", stdout=out)
    return out.getvalue()


def resync_events(username: str):
    return AuditEvent.objects.filter(
        action=AuditAction.PERMISSIONS_RESYNCED, object_id=str(person(username).pk)
    )


def rows(details: list[dict]) -> set[tuple[str, str]]:
    return {(row["office"], row["permission"]) for row in details}


def assert_second_run_changes_nothing() -> None:
    events = AuditEvent.objects.count()
    before = sorted(OfficeUserObjectPermission.all_rows.values_list("pk", flat=True))
    assert "0 corrected" in resync()
    assert AuditEvent.objects.count() == events
    assert sorted(OfficeUserObjectPermission.all_rows.values_list("pk", flat=True)) == before


def test_the_demo_data_as_seeded_needs_no_correction(demo_data):
    assert_second_run_changes_nothing()


def test_a_membership_ended_by_update(heimdal):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    OfficeMunicipality.objects.filter(office=heimdal, municipality__number="5001").update(
        valid_to=yesterday
    )
    # Nothing told the permissions: Trondheim's executive still reaches Heimdal.
    assert may("radmann.trondheim", "view", heimdal, "municipal")

    output = resync()

    assert "corrected: radmann.trondheim" in output
    assert not may("radmann.trondheim", "view", heimdal, "municipal")
    assert not may("radmann.trondheim", "change", heimdal, "joint")
    assert may("radmann.trondheim", "view", Office.objects.get(code="lerkendal"), "municipal")
    event = resync_events("radmann.trondheim").get()
    assert event.actor is None
    assert ("heimdal", "view_municipal_data") in rows(event.details["removed"])
    assert "lerkendal" not in {office for office, _ in rows(event.details["removed"])}
    assert_second_run_changes_nothing()


def test_an_office_moved_to_another_county_by_update(heimdal):
    Office.objects.filter(pk=heimdal.pk).update(county=County.objects.get(number="18"))
    assert may("fylkesdirektor.trondelag", "view", heimdal, "state")
    assert not may("fylkesdirektor.nordland", "view", heimdal, "state")

    resync()

    assert not may("fylkesdirektor.trondelag", "view", heimdal, "state")
    assert may("fylkesdirektor.nordland", "view", heimdal, "state")
    assert may("fylkesdirektor.nordland", "change", heimdal, "state")
    removed = resync_events("fylkesdirektor.trondelag").get().details["removed"]
    assert ("heimdal", "change_state_data") in rows(removed)
    added = resync_events("fylkesdirektor.nordland").get().details["added"]
    assert rows(added) == {
        ("heimdal", codename)
        for codename in (
            "view_joint_data",
            "change_joint_data",
            "view_state_data",
            "change_state_data",
        )
    }
    assert_second_run_changes_nothing()


def test_an_employer_changed_by_update(heimdal):
    staff = factories.UserFactory(username="staff.heimdal")  # state-employed
    RoleAssignment.objects.create(user=staff, role=Role.OFFICE_STAFF, office=heimdal)
    User.objects.filter(username="staff.heimdal").update(
        employer_side="municipal",
        employer_county=None,
        employer_municipality=Municipality.objects.valid_on().get(number="5001"),
    )
    assert may("staff.heimdal", "change", heimdal, "state")
    assert not may("staff.heimdal", "view", heimdal, "municipal")

    resync()

    assert not may("staff.heimdal", "view", heimdal, "state")
    assert may("staff.heimdal", "change", heimdal, "municipal")
    assert may("staff.heimdal", "view", heimdal, "joint")
    event = resync_events("staff.heimdal").get()
    assert rows(event.details["removed"]) == {
        ("heimdal", "view_state_data"),
        ("heimdal", "change_state_data"),
    }
    assert rows(event.details["added"]) == {
        ("heimdal", "view_municipal_data"),
        ("heimdal", "change_municipal_data"),
    }
    assert_second_run_changes_nothing()


def test_a_deactivated_persons_rows_are_removed(heimdal):
    User.objects.filter(username="stat.heimdal").update(is_active=False)
    holder = person("stat.heimdal")
    assert OfficeUserObjectPermission.all_rows.filter(user=holder).exists()
    resync()
    assert not OfficeUserObjectPermission.all_rows.filter(user=holder).exists()
    assert resync_events("stat.heimdal").exists()
    assert_second_run_changes_nothing()


def test_the_periodic_task_runs_the_same_resync(heimdal):
    assert settings.CELERY_BEAT_SCHEDULE["permissions-resync"]["task"] == (
        "users.tasks.permissions_resync"
    )
    Office.objects.filter(pk=heimdal.pk).update(county=County.objects.get(number="18"))
    summary = permissions_resync_task.delay().get()
    assert summary["corrected"] >= 2  # the two county directors, at least
    assert resync_events("fylkesdirektor.nordland").exists()
    assert permissions_resync_task.delay().get()["corrected"] == 0


# --- The admin refuses hand-written permission rows ---------------------------------------


@pytest.fixture
def operator_client(client, demo_data):
    client.force_login(person("admin"))
    return client


@pytest.mark.parametrize("model", [OfficeUserObjectPermission, OfficeGroupObjectPermission])
def test_the_admin_refuses_to_add_permission_rows(operator_client, heimdal, model):
    url = reverse(f"admin:users_{model._meta.model_name}_add")
    assert operator_client.get(url).status_code == 403
    response = operator_client.post(
        url,
        {"user": person("stat.lerkendal").pk, "permission": 1, "content_object": heimdal.pk},
    )
    assert response.status_code == 403
    assert not OfficeUserObjectPermission.all_rows.filter(
        user=person("stat.lerkendal"), content_object=heimdal
    ).exists()


def test_the_admin_shows_permission_rows_but_refuses_changes_and_deletions(
    operator_client, heimdal
):
    row = OfficeUserObjectPermission.all_rows.filter(user=person("stat.heimdal")).first()
    change = reverse("admin:users_officeuserobjectpermission_change", args=[row.pk])
    delete = reverse("admin:users_officeuserobjectpermission_delete", args=[row.pk])
    changelist = reverse("admin:users_officeuserobjectpermission_changelist")
    assert operator_client.get(changelist).status_code == 200
    assert operator_client.get(change).status_code == 200  # read-only view
    assert operator_client.post(change, {"valid_to": ""}).status_code == 403
    assert operator_client.post(delete, {"post": "yes"}).status_code == 403
    assert OfficeUserObjectPermission.all_rows.filter(pk=row.pk).exists()


def test_the_admin_lists_rows_not_yet_in_force(operator_client, heimdal):
    row = OfficeUserObjectPermission.all_rows.filter(user=person("stat.heimdal")).first()
    OfficeUserObjectPermission.all_rows.filter(pk=row.pk).update(
        valid_from=timezone.now() + datetime.timedelta(days=1)
    )
    response = operator_client.get(
        reverse("admin:users_officeuserobjectpermission_change", args=[row.pk])
    )
    assert response.status_code == 200


def test_the_admin_refuses_to_delete_a_role_approval(operator_client, heimdal):
    """Who agreed to an appointment is not rewritten by hand, without a trace."""
    from users.models import RoleApproval
    from users.services import role_assignment_propose

    assignment = role_assignment_propose(
        proposer=person("fylkesdirektor.trondelag"),
        user=person("stat.lerkendal"),
        role="office_leader",
        office=heimdal,
    )
    approval = RoleApproval.objects.get(assignment=assignment)
    delete = reverse("admin:users_roleapproval_delete", args=[approval.pk])
    assert operator_client.post(delete, {"post": "yes"}).status_code == 403
    assert RoleApproval.objects.filter(pk=approval.pk).exists()
