"""Concurrent delegation changes for one grantee never leave permission rows that disagree with
the delegations and roles (issue 7, finding 1).

Two requests that change the same person's delegations at the same moment each re-derive that
person's permission rows. Without serialising the two, each writes from its own picture: a
revocation racing a grant left the revoked delegation's rows in force, and two grants racing
left an active delegation without rows. ``permissions_sync`` locks the grantee's user row, so
the second sync starts after the first commits and reads what it wrote.

Each round starts both changes on their own database connection behind a barrier, then checks
that the rows are exactly what the roles and delegations give, that the access review lists the
grantee's delegations exactly as they stand, and that nothing else failed. PostgreSQL only: the
race needs two real concurrent transactions (SQLite serialises every writer).
"""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from offices.models import Office
from tests.conftest import skip_or_fail
from users.access.permissions import _grant_of, _permission_ids, desired_grants
from users.access.review import access_review
from users.models import Delegation, OfficeUserObjectPermission, User
from users.services import delegation_grant, delegation_revoke

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROUNDS = 40  # each race showed about once in 20 rounds before the lock; 40 of each, twice over
BASIS = "delegasjonsvedtak 2026-race"


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        skip_or_fail("the delegation races need PostgreSQL (DATABASE_URL)")


def run_together(*actions) -> list[BaseException]:
    """Run each action on its own thread and database connection, released together."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action()
        except BaseException as error:  # reported to the test, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a racing change hung"
    return errors


def assert_rows_agree(grantee: User, office: Office) -> None:
    """The rows are exactly the roles' and delegations' grants; the review says the same."""
    grantee.refresh_from_db()
    codenames = {pk: name for name, pk in _permission_ids().items()}
    stored = OfficeUserObjectPermission.all_rows.filter(user=grantee)
    rows = {_grant_of(row, codenames) for row in stored}
    wanted = desired_grants(grantee, now=timezone.now())
    assert rows == wanted, (
        f"rows without a source: {rows - wanted}; sources without rows: {wanted - rows}"
    )
    active = set(
        Delegation.objects.filter(
            grantee=grantee, office=office, revoked_at__isnull=True, valid_to__gt=timezone.now()
        ).values_list("pk", flat=True)
    )
    director = User.objects.get(username="fylkesdirektor.trondelag")
    review = access_review(user=director, office=office)
    listed = {
        basis.delegation_id
        for side in review.sides
        for entry in side.entries
        if entry.person.user_id == grantee.pk
        for basis in entry.delegations
    }
    assert listed == active


@pytest.fixture
def race(demo_data):
    people = {user.username: user for user in User.objects.all()}
    office = Office.objects.get(code="heimdal")
    grantee = people["stat.lerkendal"]  # state staff elsewhere: only delegations reach Heimdal
    until = timezone.localdate() + datetime.timedelta(days=30)

    def grant(grantor: str, side: str, level: str = "view"):
        return lambda: delegation_grant(
            grantor=people[grantor],
            grantee=grantee,
            office=office,
            side=side,
            level=level,
            basis=BASIS,
            valid_to=until,
        )

    def revoke(delegation: Delegation, by: str):
        return lambda: delegation_revoke(delegation=delegation, revoked_by=people[by])

    return people, office, grantee, grant, revoke


def test_a_revocation_racing_a_grant_leaves_no_revoked_rows(race):
    people, office, grantee, grant, revoke = race
    for round_number in range(ROUNDS):
        standing = grant("radmann.trondheim", "municipal")()
        errors = run_together(
            revoke(standing, "radmann.trondheim"),
            grant("fylkesdirektor.trondelag", "state"),
        )
        assert not errors, f"round {round_number}: {errors!r}"
        assert_rows_agree(grantee, office)
        # Start the next round from nothing of this one's.
        for delegation in Delegation.objects.filter(grantee=grantee, revoked_at__isnull=True):
            delegation_revoke(delegation=delegation, revoked_by=delegation.grantor)
        assert_rows_agree(grantee, office)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("radmann.trondheim", "municipal", "view"), ("radmann.trondheim", "municipal", "change")),
        (("fylkesdirektor.trondelag", "state", "view"), ("radmann.trondheim", "municipal", "view")),
    ],
    ids=["two-grants-by-the-executive", "county-director-and-executive"],
)
def test_two_grants_racing_both_get_their_rows(race, first, second):
    people, office, grantee, grant, revoke = race
    for round_number in range(ROUNDS):
        errors = run_together(grant(*first), grant(*second))
        assert not errors, f"round {round_number}: {errors!r}"
        assert Delegation.objects.filter(grantee=grantee, revoked_at__isnull=True).count() == 2
        assert_rows_agree(grantee, office)
        for delegation in Delegation.objects.filter(grantee=grantee, revoked_at__isnull=True):
            delegation_revoke(delegation=delegation, revoked_by=delegation.grantor)
        assert_rows_agree(grantee, office)
