"""List pages and list endpoints of the access model: the number of queries does not grow with
the number of rows (offices, notes, delegations, roles, audit events)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offices.models import Office, OfficeNote
from tests import factories
from users.models import RoleAssignment, User
from users.services import delegation_grant

pytestmark = pytest.mark.django_db

# (who, url) — each as the person who sees the most on it.
LISTS = [
    ("radmann.trondheim", "/tilgang/delegeringer/"),
    ("radmann.trondheim", "/api/v1/delegations/"),
    ("fylkesdirektor.trondelag", "/tilgang/roller/"),
    ("fylkesdirektor.trondelag", "/api/v1/role-assignments/"),
    ("leder.heimdal", "/kontorer/heimdal/notater/"),
    ("leder.heimdal", "/api/v1/notes/"),
    ("fylkesdirektor.trondelag", "/tilgang/logg/"),
    ("fylkesdirektor.trondelag", "/api/v1/audit-events/"),
]


def add_rows(n: int) -> None:
    """More of everything those lists show, in reach of the people above."""
    people = {user.username: user for user in User.objects.all()}
    heimdal = Office.objects.get(code="heimdal")
    for _ in range(n):
        staff = factories.UserFactory()
        RoleAssignment.objects.create(user=staff, role="office_staff", office=heimdal)
        OfficeNote.objects.create(
            office=heimdal, side="joint", title="x", created_by=people["leder.heimdal"]
        )
        delegation_grant(
            grantor=people["radmann.trondheim"],
            grantee=staff,
            office=heimdal,
            side="municipal",
            level="view",
            basis="delegasjonsvedtak",
            valid_to=timezone.localdate() + datetime.timedelta(days=10),
        )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_list_queries_do_not_grow_with_rows(client, demo_data):
    before = {}
    for username, url in LISTS:
        client.force_login(User.objects.get(username=username))
        before[(username, url)] = queries(client, url)
    add_rows(12)
    for username, url in LISTS:
        client.force_login(User.objects.get(username=username))
        assert queries(client, url) <= before[(username, url)], (username, url)
