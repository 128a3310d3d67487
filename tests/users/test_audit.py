"""The audit log: who writes into it, who reads what, its filters, and that nothing alters it.

Pages answer at /tilgang/logg/, the API at /api/v1/audit-events/; both read
``AuditEvent.objects.visible_to(user)`` (one's own events, and those of the offices one reviews)
through the same filters (``users/filters.py``).
"""

import datetime
import zoneinfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from offices.models import Office
from users.access.audit import audit_record
from users.models import AuditAction, AuditEvent, User
from users.services import delegation_grant

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
LIST_URL = "/tilgang/logg/"
API_URL = "/api/v1/audit-events/"
BASIS = "delegasjonsvedtak 2010-14"


def user(username: str) -> User:
    return User.objects.get(username=username)


def office(code: str) -> Office:
    return Office.objects.get(code=code)


@pytest.fixture
def events(demo_data):
    """A delegation at Heimdal (by the rådmann), and one change each at Heimdal and Lerkendal."""
    heimdal, lerkendal = office("heimdal"), office("lerkendal")
    delegation = delegation_grant(
        grantor=user("radmann.trondheim"),
        grantee=user("stat.heimdal"),
        office=heimdal,
        side="municipal",
        level="view",
        basis=BASIS,
        valid_to=timezone.localdate() + datetime.timedelta(days=30),
    )
    return {
        "granted": AuditEvent.objects.get(
            action=AuditAction.DELEGATION_GRANTED, object_id=str(delegation.pk)
        ),
        "heimdal": audit_record(
            actor=user("kommune.heimdal"),
            action=AuditAction.DATA_CREATED,
            office=heimdal,
            side="municipal",
            basis="heimdal test event",
        ),
        "lerkendal": audit_record(
            actor=user("stat.lerkendal"),
            action=AuditAction.DATA_CHANGED,
            office=lerkendal,
            side="state",
            basis="lerkendal test event",
        ),
    }


def api_as(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user(username))
    return client


def api_ids(username: str, **params) -> set[int]:
    response = api_as(username).get(API_URL, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def page_events(client, username: str, **params) -> list[AuditEvent]:
    client.force_login(user(username))
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


# --- What is written ------------------------------------------------------------------------


def test_sign_in_and_failed_sign_in_through_the_page_are_logged(client, demo_data):
    response = client.post("/logg-inn/", {"username": "leder.heimdal", "password": "wrong"})
    assert response.status_code == 200  # the form again, with its error
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert failed.actor is None
    assert failed.actor_username == "leder.heimdal"
    assert failed.ip_address == "127.0.0.1"

    response = client.post("/logg-inn/", {"username": "leder.heimdal", "password": demo_data})
    assert response.status_code == 302
    signed_in = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert signed_in.actor == user("leder.heimdal")
    assert signed_in.ip_address == "127.0.0.1"

    # The user's own sign-in shows on their page and in the API ...
    shown = list(client.get(LIST_URL).context["page"].object_list)
    assert signed_in in shown
    assert signed_in.pk in api_ids("leder.heimdal", action="sign_in")
    # ... a failed one has neither actor nor office, so only operators see it (in the admin):
    # anyone may type anyone's username, so it is not shown to that user.
    assert failed not in shown
    client.force_login(user("admin"))
    changelist = client.get(reverse("admin:users_auditevent_changelist"))
    assert changelist.status_code == 200
    assert failed in changelist.context["cl"].result_list


# --- Who reads what -------------------------------------------------------------------------


def test_office_leader_sees_her_office_but_not_others(client, events):
    visible = api_ids("leder.heimdal")
    assert {events["granted"].pk, events["heimdal"].pk} <= visible
    assert events["lerkendal"].pk not in visible
    offices = {event.office_id for event in AuditEvent.objects.filter(pk__in=visible)}
    assert offices <= {office("heimdal").pk, None}
    shown = page_events(client, "leder.heimdal")
    assert events["granted"] in shown and events["lerkendal"] not in shown


@pytest.mark.parametrize(
    ("username", "own_side", "other_side"),
    [
        ("radmann.trondheim", "heimdal", "lerkendal"),
        ("fylkesdirektor.trondelag", "lerkendal", "heimdal"),
    ],
)
def test_executive_and_county_director_see_every_office_they_review(
    client, events, username, own_side, other_side
):
    # Data events only of the side each may view (tests/users/test_audit_truthful.py).
    visible = api_ids(username)
    assert {events["granted"].pk, events[own_side].pk} <= visible
    assert events[other_side].pk not in visible
    shown = page_events(client, username)
    assert events[own_side] in shown and events[other_side] not in shown


def test_another_county_director_sees_neither(events):
    visible = api_ids("fylkesdirektor.nordland")
    assert not {events["granted"].pk, events["heimdal"].pk, events["lerkendal"].pk} & visible


def test_plain_staff_see_only_their_own_events(client, events):
    visible = api_ids("kommune.heimdal")
    assert events["heimdal"].pk in visible
    assert {e.actor_username for e in AuditEvent.objects.filter(pk__in=visible)} == {
        "kommune.heimdal"
    }
    assert events["granted"] in AuditEvent.objects.filter(office=office("heimdal"))
    assert events["granted"].pk not in visible
    shown = page_events(client, "kommune.heimdal")  # signing in adds a sign_in event
    assert events["heimdal"] in shown and events["granted"] not in shown
    assert {event.actor_username for event in shown} == {"kommune.heimdal"}


def test_the_grantee_does_not_see_the_grant_without_reviewing_the_office(events):
    # stat.heimdal is the grantee, not the actor, and reviews no office.
    assert events["granted"].pk not in api_ids("stat.heimdal")


def test_anonymous_callers_are_turned_away(client, events):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert APIClient().get(API_URL).status_code == 401
    assert APIClient().get(f"{API_URL}{events['heimdal'].pk}/").status_code == 401


def test_detail_shows_office_code_and_actor_username(events):
    body = api_as("leder.heimdal").get(f"{API_URL}{events['granted'].pk}/").json()
    assert body["office"] == "heimdal"
    assert body["actor"] == "radmann.trondheim"
    assert body["action"] == "delegation_granted"
    assert body["side"] == "municipal"
    assert body["basis"] == BASIS
    assert body["details"]["grantee"] == "stat.heimdal"


def test_detail_of_an_event_out_of_reach_is_404_and_logged(events):
    target = events["lerkendal"]
    response = api_as("leder.heimdal").get(f"{API_URL}{target.pk}/")
    assert response.status_code == 404
    denied = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED)
    assert denied.actor_username == "leder.heimdal"
    assert denied.object_id == str(target.pk)
    assert api_as("leder.heimdal").get(f"{API_URL}999999/").status_code == 404


def test_page_shows_the_columns_in_local_time(client, events):
    at = datetime.datetime(2025, 3, 10, 22, 30, tzinfo=datetime.UTC)  # 23:30 in Oslo
    AuditEvent.objects.create(
        at=at,
        actor=user("leder.heimdal"),
        actor_username="leder.heimdal",
        action=AuditAction.DATA_CHANGED,
        office=office("heimdal"),
        side="state",
        object_repr="Målekort mars 2025",
        basis="rolle: kontorleder",
        ip_address="10.1.2.3",
    )
    client.force_login(user("leder.heimdal"))
    html = client.get(LIST_URL, {"date_to": "2025-03-10"}).content.decode()
    for text in ("10.03.2025 23:30", "leder.heimdal", "NAV Heimdal", "Målekort mars 2025"):
        assert text in html
    assert "rolle: kontorleder" in html and "10.1.2.3" in html
    assert '<th scope="col"' in html and '<th scope="row"' in html
    assert 'aria-describedby="result-count' in html and "<caption" in html
    assert '<label for="id_office"' in html and '<label for="id_date_from"' in html


# --- Filters --------------------------------------------------------------------------------


def test_api_filters(events):
    director = "fylkesdirektor.trondelag"

    def found(reader=director, **params) -> list[AuditEvent]:
        ids = api_ids(reader, **params)
        return list(AuditEvent.objects.filter(pk__in=ids).select_related("office"))

    def check(params: dict, includes: str, excludes: str, holds, reader=director) -> None:
        rows = found(reader, **params)
        assert events[includes] in rows and events[excludes] not in rows, params
        assert all(holds(row) for row in rows), params

    check({"office": "lerkendal"}, "lerkendal", "heimdal", lambda e: e.office.code == "lerkendal")
    check(
        {"action": "delegation_granted"},
        "granted",
        "heimdal",
        lambda e: e.action == "delegation_granted",
    )
    check(
        {"actor": "radmann.trondheim"},
        "granted",
        "lerkendal",
        lambda e: e.actor_username == "radmann.trondheim",
    )
    check({"side": "state"}, "lerkendal", "heimdal", lambda e: e.side == "state")
    check({"search": "2010-14"}, "granted", "lerkendal", lambda e: "2010-14" in e.basis)
    check(
        {"search": "KOMMUNE.HEIM"},
        "heimdal",
        "granted",
        lambda e: "kommune.heim" in (e.actor_username + e.object_repr + e.basis).lower(),
        reader="radmann.trondheim",  # the director may not view Heimdal's municipal side
    )
    assert found(actor="radmann") == []  # a username is exact, not a prefix
    assert found(search="lerkendal test event") == [events["lerkendal"]]
    combined = {"office": "heimdal", "side": "municipal", "actor": "kommune.heimdal"}
    assert found("radmann.trondheim", **combined, action="data_created") == [events["heimdal"]]

    body = api_as(director).get(API_URL, {"search": BASIS, "actor": "radmann.trondheim"}).json()
    assert set(body) == {"next", "previous", "results"}  # a cursor; no count
    row = next(row for row in body["results"] if row["id"] == events["granted"].pk)
    assert (row["office"], row["actor"], row["action"]) == (
        "heimdal",
        "radmann.trondheim",
        "delegation_granted",
    )


def test_dates_are_whole_days_in_norwegian_time(client, demo_data):
    leader, heimdal = user("leder.heimdal"), office("heimdal")

    def event_at(local: datetime.datetime) -> AuditEvent:
        return AuditEvent.objects.create(
            at=local,
            actor=leader,
            actor_username=leader.username,
            action=AuditAction.DATA_CHANGED,
            office=heimdal,
            basis="date test",
        )

    late_on_10th = event_at(
        datetime.datetime(2025, 3, 10, 23, 30, tzinfo=OSLO)
    )  # 22:30 UTC on the 10th
    early_on_11th = event_at(
        datetime.datetime(2025, 3, 11, 0, 30, tzinfo=OSLO)
    )  # 23:30 UTC on the 10th
    end_of_11th = event_at(datetime.datetime(2025, 3, 11, 23, 59, 59, tzinfo=OSLO))
    on_12th = event_at(datetime.datetime(2025, 3, 12, 0, 0, tzinfo=OSLO))

    def ids(**params):
        return api_ids("leder.heimdal", search="date test", **params)

    assert ids(date_from="2025-03-11", date_to="2025-03-11") == {early_on_11th.pk, end_of_11th.pk}
    assert ids(date_to="2025-03-10") == {late_on_10th.pk}
    assert ids(date_from="2025-03-12") == {on_12th.pk}
    assert {e.pk for e in page_events(client, "leder.heimdal", date_from="2025-03-11")} >= {
        early_on_11th.pk,
        end_of_11th.pk,
        on_12th.pk,
    }
    # The ends of the calendar filter nothing out and are no server error.
    assert len(ids(date_from="0001-01-01", date_to="9999-12-31")) == 4


def test_page_filters(client, events):
    filters = {"office": "heimdal", "action": "data_created", "side": "municipal"}
    shown = page_events(client, "radmann.trondheim", **filters, actor="kommune.heimdal")
    assert shown == [events["heimdal"]]
    shown = page_events(client, "radmann.trondheim", **filters)
    assert events["heimdal"] in shown
    assert all((e.office.code, e.action, e.side) == tuple(filters.values()) for e in shown)
    shown = page_events(client, "fylkesdirektor.trondelag", search="lerkendal test event")
    assert shown == [events["lerkendal"]]


INVALID = [
    ({"office": "finnes-ikke"}, "office"),
    ({"action": "hacked"}, "action"),
    ({"side": "both"}, "side"),
    ({"date_from": "not-a-date"}, "date_from"),
    ({"date_to": "2025-02-30"}, "date_to"),
    ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "date_to"),
    ({"search": "x" * 101}, "search"),
]


@pytest.mark.parametrize(("params", "field"), INVALID)
def test_invalid_filters_on_the_page_answer_400_naming_the_field(client, events, params, field):
    client.force_login(user("leder.heimdal"))
    response = client.get(LIST_URL, params)
    assert response.status_code == 400
    assert list(response.context["filter"].errors) == [field]
    assert response.context["page"] is None
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert f'href="#id_{field}"' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(("params", "field"), INVALID)
def test_invalid_filters_in_the_api_answer_400_naming_the_field(events, params, field):
    response = api_as("leder.heimdal").get(API_URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert list(body["errors"]) == [field]


# --- Nothing alters an event ----------------------------------------------------------------


def snapshot(event: AuditEvent) -> dict:
    fresh = AuditEvent.objects.get(pk=event.pk)
    return {field.attname: getattr(fresh, field.attname) for field in AuditEvent._meta.fields}


def test_the_api_refuses_writes(events):
    event = events["granted"]
    before, count = snapshot(event), AuditEvent.objects.count()
    client = api_as("radmann.trondheim")
    detail = f"{API_URL}{event.pk}/"
    assert client.post(API_URL, {"action": "sign_in", "basis": "forged"}).status_code == 405
    assert client.put(detail, {"basis": "forged"}).status_code == 405
    assert client.patch(detail, {"basis": "forged"}).status_code == 405
    assert client.delete(detail).status_code == 405
    assert snapshot(event) == before
    assert AuditEvent.objects.count() == count


def test_the_page_is_read_only(client, events):
    client.force_login(user("leder.heimdal"))
    assert client.post(LIST_URL, {"basis": "forged"}).status_code == 405


def test_no_way_to_alter_or_delete_an_event(client, events):
    event = events["granted"]
    before, count = snapshot(event), AuditEvent.objects.count()

    event.basis = "forged"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(basis="forged")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()

    # The admin shows events read-only, even to a superuser: no add, change or delete.
    client.force_login(user("admin"))
    change_url = reverse("admin:users_auditevent_change", args=[event.pk])
    delete_url = reverse("admin:users_auditevent_delete", args=[event.pk])
    changelist_url = reverse("admin:users_auditevent_changelist")
    viewed = client.get(change_url)
    assert viewed.status_code == 200
    assert 'name="_save"' not in viewed.content.decode()
    assert client.post(change_url, {"basis": "forged", "action": "sign_in"}).status_code == 403
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:users_auditevent_add")).status_code == 403
    # The bulk "delete selected" action is not offered; asking for it anyway deletes nothing.
    assert "delete_selected" not in client.get(changelist_url).content.decode()
    client.post(changelist_url, {"action": "delete_selected", "_selected_action": [event.pk]})

    # On PostgreSQL a trigger refuses UPDATE and DELETE even in raw SQL. SQLite (the embedded
    # default) has no such trigger, so there the model, queryset and admin above are the guard.
    if connection.vendor == "postgresql":
        for sql in (
            "UPDATE users_auditevent SET basis = 'forged' WHERE id = %s",
            "DELETE FROM users_auditevent WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [event.pk])

    assert snapshot(event) == before
    # Only the admin sign-in was added; nothing was removed.
    assert AuditEvent.objects.count() == count + 1


# --- Bounded queries ------------------------------------------------------------------------


def _more_events(n: int) -> None:
    offices = [office("heimdal"), office("lerkendal")]
    actor = user("stat.lerkendal")
    for i in range(n):
        audit_record(
            actor=actor,
            action=AuditAction.DATA_CHANGED,
            office=offices[i % 2],
            side="state",
            basis=f"bulk {i}",
        )


def _queries_at_two_sizes(get, django_assert_max_num_queries, django_assert_num_queries, ceiling):
    """The same request, with more than a page of events per office and then with 200 more.

    A first call fills what a process fills once (content types, permissions); the two calls
    counted must then cost exactly the same number of queries.
    """
    get()
    _more_events(120)
    with django_assert_max_num_queries(ceiling) as smaller:
        first = get()
    _more_events(200)
    with django_assert_num_queries(len(smaller.captured_queries)):
        second = get()
    return first, second


def test_list_page_queries_do_not_grow_with_events(
    client, events, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(user("fylkesdirektor.trondelag"))  # reviews the state side of Heimdal
    responses = _queries_at_two_sizes(
        lambda: client.get(LIST_URL, {"office": "heimdal"}),
        django_assert_max_num_queries,
        django_assert_num_queries,
        ceiling=15,
    )
    for response in responses:
        assert response.status_code == 200
        page = response.context["page"]
        assert len(page.object_list) == 50
        assert page.has_next()


def test_list_endpoint_queries_do_not_grow_with_events(
    events, django_assert_max_num_queries, django_assert_num_queries
):
    client = api_as("fylkesdirektor.trondelag")
    responses = _queries_at_two_sizes(
        lambda: client.get(API_URL, {"office": "lerkendal", "page_size": 20}),
        django_assert_max_num_queries,
        django_assert_num_queries,
        ceiling=10,
    )
    for response in responses:
        assert response.status_code == 200
        body = response.json()
        assert len(body["results"]) == 20
        assert body["next"]
