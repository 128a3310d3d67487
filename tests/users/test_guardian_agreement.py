"""django-guardian and Django's permission API tell the same truth as the policy, at every
instant: before a delegation or role starts, once it starts, after its end has passed (with no
sync in between), and after a revocation; and operators (superusers) get no side data."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user, get_perms

from offices.models import Office
from tests import factories
from users import access
from users.access.backends import SIDE_DATA_CODENAMES
from users.models import Delegation, OfficeUserObjectPermission, Role, RoleAssignment, User
from users.services import delegation_revoke, role_assignment_end

pytestmark = pytest.mark.django_db

CODENAMES = sorted(SIDE_DATA_CODENAMES)
MUNICIPAL = {"view_municipal_data", "change_municipal_data"}
STATE_STAFF = {"view_joint_data", "view_state_data", "change_state_data"}


@pytest.fixture
def heimdal(demo_data):
    return Office.objects.get(code="heimdal")


def person(username: str) -> User:
    # A fresh instance each time: nothing cached on the user object carries over.
    return User.objects.get(username=username)


def held(user: User, office: Office, *, with_superuser: bool = True) -> set[str]:
    """The side-data codenames the policy gives ``user`` on ``office`` now — after checking
    that every other way of asking gives the same answer for every codename."""
    answers = {}
    for codename in CODENAMES:
        perm = f"offices.{codename}"
        action, side, _data = codename.split("_", 2)
        user = person(user.username)
        prefetched = ObjectPermissionChecker(user)
        prefetched.prefetch_perms(Office.objects.filter(pk=office.pk))
        asked = {
            "policy": access.can_access_side(user, action, office, side),
            "user.has_perm": user.has_perm(perm, office),
            "user.has_perms": user.has_perms([perm], office),
            "get_all_permissions": codename in user.get_all_permissions(office),
            "get_objects_for_user": get_objects_for_user(
                user, perm, Office, with_superuser=with_superuser
            )
            .filter(pk=office.pk)
            .exists(),
            "checker.get_user_perms": codename
            in ObjectPermissionChecker(user).get_user_perms(office),
            "default manager": OfficeUserObjectPermission.objects.filter(
                user=user, content_object=office, permission__codename=codename
            ).exists(),
            "users holding it": User.objects.filter(
                officeuserobjectpermission__content_object=office,
                officeuserobjectpermission__permission__codename=codename,
                pk=user.pk,
            ).exists(),
        }
        if not user.is_superuser:
            # Guardian's checker answers yes to superusers by itself (users/access/backends.py).
            asked["checker.has_perm"] = ObjectPermissionChecker(user).has_perm(perm, office)
            asked["checker prefetched"] = prefetched.has_perm(perm, office)
            asked["get_perms"] = codename in get_perms(user, office)
        assert len(set(asked.values())) == 1, f"{user.username} {codename}: {asked}"
        answers[codename] = asked["policy"]
    return {codename for codename, answer in answers.items() if answer}


def test_a_delegation_through_start_end_and_revocation(heimdal):
    grantee = person("stat.lerkendal")
    now = timezone.now()
    start, end = now + datetime.timedelta(hours=1), now + datetime.timedelta(days=2)
    Delegation.objects.create(
        grantor=person("radmann.trondheim"),
        grantee=grantee,
        office=heimdal,
        side="municipal",
        level="change",
        basis="delegasjonsvedtak 2026-07",
        valid_from=start,
        valid_to=end,
    )
    assert held(grantee, heimdal) == set()  # stored, not yet in force
    with time_machine.travel(start - datetime.timedelta(seconds=1), tick=False):
        assert held(grantee, heimdal) == set()
    with time_machine.travel(start, tick=False):
        assert held(grantee, heimdal) == MUNICIPAL
    with time_machine.travel(end - datetime.timedelta(seconds=1), tick=False):
        assert held(grantee, heimdal) == MUNICIPAL
    # The end passes with no change to any row: the dates alone end it, for every API.
    with time_machine.travel(end, tick=False):
        assert OfficeUserObjectPermission.all_rows.filter(user=grantee, delegation__isnull=False)
        assert held(grantee, heimdal) == set()

    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        delegation = Delegation.objects.get(grantee=grantee, office=heimdal)
        assert held(grantee, heimdal) == MUNICIPAL
        delegation_revoke(delegation=delegation, revoked_by=person("radmann.trondheim"))
        assert held(grantee, heimdal) == set()
    with time_machine.travel(end - datetime.timedelta(seconds=1), tick=False):
        assert held(grantee, heimdal) == set()


def test_a_role_through_start_end_and_revocation(heimdal):
    staff = factories.UserFactory()  # state-employed, no roles
    now = timezone.now()
    start, end = now + datetime.timedelta(hours=1), now + datetime.timedelta(days=3)
    RoleAssignment.objects.create(
        user=staff, role=Role.OFFICE_STAFF, office=heimdal, valid_from=start, valid_to=end
    )
    assert held(staff, heimdal) == set()
    with time_machine.travel(start - datetime.timedelta(seconds=1), tick=False):
        assert held(staff, heimdal) == set()
    with time_machine.travel(start, tick=False):
        assert held(staff, heimdal) == STATE_STAFF
    with time_machine.travel(end, tick=False):
        assert held(staff, heimdal) == set()

    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        assignment = RoleAssignment.objects.get(user=staff, office=heimdal)
        assert held(staff, heimdal) == STATE_STAFF
        role_assignment_end(assignment=assignment, ended_by=person("leder.heimdal"))
        assert held(staff, heimdal) == set()
    with time_machine.travel(end - datetime.timedelta(seconds=1), tick=False):
        assert held(staff, heimdal) == set()


def test_operators_get_no_side_data_from_djangos_permission_api(heimdal):
    operator = person("admin")
    assert operator.is_superuser
    assert held(operator, heimdal, with_superuser=False) == set()
    # Like anyone, an operator has what their own roles give: an employer-less office staff
    # member sees the joint data only.
    RoleAssignment.objects.create(user=operator, role=Role.OFFICE_STAFF, office=heimdal)
    assert held(operator, heimdal, with_superuser=False) == {"view_joint_data"}
    # Permissions that are not side data keep Django's rule: a superuser has them all.
    assert operator.has_perm("offices.change_office", heimdal)
    assert operator.has_perm("offices.change_office")


def test_inactive_and_anonymous_people_get_nothing(heimdal):
    from django.contrib.auth.models import AnonymousUser

    leader = person("leder.heimdal")
    assert held(leader, heimdal) == SIDE_DATA_CODENAMES
    User.objects.filter(pk=leader.pk).update(is_active=False)
    assert not any(person("leder.heimdal").has_perm(f"offices.{c}", heimdal) for c in CODENAMES)
    assert not any(AnonymousUser().has_perm(f"offices.{c}", heimdal) for c in CODENAMES)


def test_the_sync_the_admin_and_the_review_still_see_every_row(heimdal):
    grantee = person("stat.lerkendal")
    start = timezone.now() + datetime.timedelta(hours=1)
    Delegation.objects.create(
        grantor=person("radmann.trondheim"),
        grantee=grantee,
        office=heimdal,
        side="municipal",
        level="view",
        basis="delegasjonsvedtak 2026-08",
        valid_from=start,
        valid_to=start + datetime.timedelta(days=1),
    )
    future = OfficeUserObjectPermission.all_rows.filter(user=grantee, delegation__isnull=False)
    assert future.count() == 1
    assert not OfficeUserObjectPermission.objects.filter(pk=future.get().pk).exists()
    # Rows reached from the rows themselves keep their joins (the admin lists them this way).
    assert future.select_related("permission").get().permission.codename == ("view_municipal_data")


def test_rows_in_force_at_another_time(heimdal):
    grantee = person("stat.lerkendal")
    start = timezone.now() + datetime.timedelta(hours=1)
    Delegation.objects.create(
        grantor=person("radmann.trondheim"),
        grantee=grantee,
        office=heimdal,
        side="municipal",
        level="view",
        basis="delegasjonsvedtak 2026-09",
        valid_from=start,
        valid_to=start + datetime.timedelta(days=1),
    )
    later = start + datetime.timedelta(minutes=5)
    rows = access.permission_rows_in_force(later).filter(user=grantee, delegation__isnull=False)
    assert rows.exists()


def test_no_app_code_asks_guardian_where_superusers_get_everything():
    """Guardian's checker and ``get_objects_for_user(with_superuser=True)`` answer yes to any
    superuser; the app asks Django's ``has_perm`` or the policy instead."""
    pattern = re.compile(r"ObjectPermissionChecker\(|get_objects_for_user\(|get_obj_perms")
    root = Path(settings.BASE_DIR)
    offenders = [
        str(path.relative_to(root))
        for folder in ("navpartner", "offices", "users", "reports", "agreements", "scorecards")
        for pattern_glob in ("**/*.py", "**/*.html")
        for path in (root / folder).glob(pattern_glob)
        if path.name != "backends.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    offenders += [
        str(path.relative_to(root))
        for path in (root / "templates").glob("**/*.html")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
