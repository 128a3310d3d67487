"""The audit log reveals nothing its reader could not read directly (issue 6, finding 1).

DESIGN.md: "a reader sees an event's object name, office and side only where they may view that
object's side now; refusals show their actor no more than the refused request itself did", and
missing and forbidden objects look the same. Also the log's query shapes: a cursor instead of a
COUNT, an office filter of the offices one reviews, and query counts that do not grow.
"""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from offices.models import Office, OfficeNote
from users.access.audit import audit_record
from users.models import AuditAction, AuditEvent, Delegation, User
from users.services import delegation_revoke

pytestmark = pytest.mark.django_db

API_URL = "/api/v1/audit-events/"
PAGE_URL = "/tilgang/logg/"
NOTES_URL = "/api/v1/notes/"


def user(username: str) -> User:
    return User.objects.get(username=username)


def office(code: str) -> Office:
    return Office.objects.get(code=code)


def api_as(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user(username))
    return client


def api_rows(username: str, **params) -> list[dict]:
    response = api_as(username).get(API_URL, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def page_html(client, username: str, **params) -> str:
    client.force_login(user(username))
    response = client.get(PAGE_URL, params)
    assert response.status_code == 200
    return response.content.decode()


def note(code: str, side: str, title: str, writer: str) -> OfficeNote:
    """A note, and the ``data_created`` event its writer leaves (as the notes' services write
    it: the office, the side and the note itself)."""
    created = OfficeNote.objects.create(
        office=office(code), side=side, title=title, created_by=user(writer)
    )
    audit_record(
        actor=created.created_by,
        action=AuditAction.DATA_CREATED,
        office=created.office,
        side=side,
        target=created,
    )
    return created


# --- Refusals -------------------------------------------------------------------------------


def test_a_refused_read_tells_its_actor_nothing_and_missing_equals_forbidden(client, demo_data):
    heimdal_notes = list(OfficeNote.objects.filter(office__code="heimdal"))
    assert {n.side for n in heimdal_notes} == {"state", "municipal", "joint"}
    missing = max(OfficeNote.objects.values_list("pk", flat=True)) + 1000
    outsider = api_as("stat.tromso")
    for requested in [*(n.pk for n in heimdal_notes), missing]:
        assert outsider.get(f"{NOTES_URL}{requested}/").status_code == 404

    rows = api_rows("stat.tromso", action="access_denied")
    assert len(rows) == len(heimdal_notes) + 1
    for row in rows:
        assert row["office"] is None and row["side"] == "" and row["object_repr"] == ""
        assert row["object_type"] == "offices.officenote"
        assert row["details"] == {"action": "view"}

    # The event for a missing id and for a forbidden one differ only in id, time and the id asked.
    def shape(row: dict) -> dict:
        return {k: v for k, v in row.items() if k not in {"id", "at", "object_id"}}

    by_asked = {row["object_id"]: row for row in rows}
    assert set(by_asked) == {str(n.pk) for n in heimdal_notes} | {str(missing)}
    for n in heimdal_notes:
        assert shape(by_asked[str(n.pk)]) == shape(by_asked[str(missing)])

    # Nothing of Heimdal's notes reaches the page either.
    html = page_html(client, "stat.tromso", action="access_denied")
    assert "Tilgang nektet" in html  # bokmål unless the user chose English
    for text in [n.title for n in heimdal_notes] + ["NAV Heimdal"]:
        assert text not in html
    # The stored events are the same too: nothing about the target, even for operators' eyes.
    stored = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert set(stored.values_list("office", "side", "object_repr")) == {(None, "", "")}


def test_a_malformed_id_is_refused_like_a_missing_one(demo_data):
    assert api_as("stat.tromso").get(f"{NOTES_URL}abc/").status_code == 404
    (row,) = api_rows("stat.tromso", action="access_denied")
    assert (row["object_id"], row["object_repr"], row["office"]) == ("abc", "", None)


def test_a_refused_access_review_names_only_the_code_asked_for(client, demo_data):
    client.force_login(user("stat.tromso"))
    assert client.get("/tilgang/gjennomgang/heimdal/").status_code == 404
    (row,) = api_rows("stat.tromso", action="access_denied")
    assert (row["object_type"], row["object_id"], row["office"]) == (
        "offices.office",
        "heimdal",
        None,
    )
    assert row["details"] == {"action": "access_review"}


def test_refusals_written_in_the_old_shape_are_left_to_operators(demo_data):
    leaky = audit_record(
        actor=user("stat.tromso"),
        action=AuditAction.ACCESS_DENIED,
        target=OfficeNote.objects.get(title="Sosialhjelp oktober"),
        details={"action": "view"},
    )
    assert leaky.object_repr == "Sosialhjelp oktober"
    assert api_rows("stat.tromso", action="access_denied") == []
    assert not AuditEvent.objects.visible_to(user("radmann.trondheim")).filter(pk=leaky.pk)


# --- Data events follow the side -------------------------------------------------------------


def test_an_executive_does_not_see_the_state_sides_titles(client, demo_data):
    secret = note("indre-salten", "state", "Sykefravær Indre Salten", "leder.indre-salten")
    joint = note("indre-salten", "joint", "Felles plan Indre Salten", "leder.indre-salten")
    rows = api_rows("radmann.saltdal")
    assert joint.title in {row["object_repr"] for row in rows}
    assert all(row["object_repr"] != secret.title for row in rows)
    assert api_rows("radmann.saltdal", side="state") == []
    assert not api_rows("radmann.saltdal", search="Sykefravær")
    html = page_html(client, "radmann.saltdal")
    assert joint.title in html and secret.title not in html
    # The office's leader, who may view the state side, sees it.
    assert secret.title in {row["object_repr"] for row in api_rows("leder.indre-salten")}


def test_the_county_director_does_not_see_municipal_titles(client, demo_data):
    secret = note("heimdal", "municipal", "Sosialhjelp november", "kommune.heimdal")
    rows = api_rows("fylkesdirektor.trondelag", side="municipal", office="heimdal")
    # Only the delegations of Heimdal's municipal data (about access, not data) are listed.
    assert rows and {row["action"] for row in rows} == {"delegation_granted"}
    assert api_rows("fylkesdirektor.trondelag", search="Sosialhjelp") == []
    html = page_html(client, "fylkesdirektor.trondelag", side="municipal")
    assert secret.title not in html
    # The owning side sees its own events: the writer, and the municipal executive.
    for reader in ("kommune.heimdal", "radmann.trondheim", "leder.heimdal"):
        rows = api_rows(reader, side="municipal", action="data_created")
        assert secret.title in {row["object_repr"] for row in rows}, reader


def test_delegations_stay_visible_to_every_reviewer_of_the_office(demo_data):
    # A delegation's side is about access, not that side's data.
    granted = api_rows("fylkesdirektor.trondelag", action="delegation_granted", office="heimdal")
    assert granted and {row["side"] for row in granted} == {"municipal"}


def test_own_events_disappear_with_the_access_to_their_side(demo_data):
    reader = "stat.heimdal"  # state staff at Heimdal, with a delegated view of municipal data
    municipal = OfficeNote.objects.get(office__code="heimdal", side="municipal")
    assert api_as(reader).get(f"{NOTES_URL}{municipal.pk}/").status_code == 200
    (read,) = api_rows(reader, action="delegated_read")
    assert (read["office"], read["side"]) == ("heimdal", "municipal")

    delegation = Delegation.objects.get(grantee__username=reader, revoked_at__isnull=True)
    delegation_revoke(delegation=delegation, revoked_by=user("radmann.trondheim"))
    assert api_rows(reader, action="delegated_read") == []
    assert api_as(reader).get(f"{API_URL}{read['id']}/").status_code == 404
    # The owning side still sees who read its data.
    assert read["id"] in {row["id"] for row in api_rows("radmann.trondheim")}


# --- Office filter, cursor, bounded queries -------------------------------------------------


def test_the_office_filter_offers_only_the_offices_one_reviews(client, demo_data):
    html = page_html(client, "fylkesdirektor.trondelag")
    trondelag = Office.objects.filter(county__number="50").values_list("name", flat=True)
    for name in trondelag:
        assert f">{name}</option>" in html
    for name in ("NAV Tromsø", "NAV Bodø", "NAV Indre Salten"):
        assert f">{name}</option>" not in html
    assert "</option>" in page_html(client, "stat.heimdal")  # "All offices" only
    assert ">NAV Heimdal</option>" not in page_html(client, "stat.heimdal")
    response = api_as("fylkesdirektor.trondelag").get(API_URL, {"office": "tromso"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["office"]


# Whatever the size of the log: no COUNT, the office filter's choices read once, one page.
PAGE_QUERIES = 10
API_QUERIES = 5


def _events(n: int) -> None:
    actor, heimdal = user("stat.heimdal"), office("heimdal")
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=timezone.now(),
            actor=actor,
            actor_username=actor.username,
            action=AuditAction.DATA_CHANGED,
            office=heimdal,
            side="state",
            object_repr=f"Målekort {i}",
        )
        for i in range(n)
    )


def test_pages_follow_a_cursor_without_counting(client, demo_data):
    _events(120)
    body = api_as("leder.heimdal").get(API_URL, {"office": "heimdal", "side": "state"}).json()
    assert set(body) == {"next", "previous", "results"}
    assert len(body["results"]) == 50 and body["previous"] is None
    assert "office=heimdal" in body["next"] and "cursor=" in body["next"]
    second = api_as("leder.heimdal").get(body["next"]).json()
    assert len(second["results"]) == 50
    assert not {r["id"] for r in body["results"]} & {r["id"] for r in second["results"]}
    assert second["results"][0]["id"] < body["results"][-1]["id"]

    client.force_login(user("leder.heimdal"))
    response = client.get(PAGE_URL, {"office": "heimdal", "side": "state"})
    page = response.context["page"]
    assert len(page.object_list) == 50 and page.has_next() and not page.has_previous()
    html = response.content.decode()
    assert '<nav aria-label="Nyere og eldre logghendelser"' in html
    assert "Eldre hendelser" in html
    assert page.older.startswith("?") and "office=heimdal" in page.older
    older = client.get(PAGE_URL + page.older).context["page"]
    assert len(older.object_list) == 50 and older.has_previous()
    assert older.object_list[0].pk < page.object_list[-1].pk
    assert client.get(PAGE_URL, {"cursor": "bm9uc2Vuc2U"}).status_code == 404


@pytest.mark.parametrize("more", [10, 200])
def test_the_page_costs_the_same_queries_at_any_size(
    client, demo_data, django_assert_num_queries, more
):
    _events(more)
    client.force_login(user("fylkesdirektor.trondelag"))
    client.get(PAGE_URL)  # the session and the like are warm
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(PAGE_URL, {"office": "heimdal", "search": "Målekort"})
    assert len(response.context["page"].object_list) == min(more, 50)


@pytest.mark.parametrize("more", [10, 200])
def test_the_api_list_costs_the_same_queries_at_any_size(
    demo_data, django_assert_num_queries, more
):
    director = user("fylkesdirektor.trondelag")
    before = AuditEvent.objects.visible_to(director).filter(office__code="heimdal").count()
    _events(more)
    client = api_as("fylkesdirektor.trondelag")
    with django_assert_num_queries(API_QUERIES):
        body = client.get(API_URL, {"office": "heimdal", "page_size": 100}).json()
    assert len(body["results"]) == min(before + more, 100)


def test_the_logged_address_is_the_one_the_lockout_counts(rf, settings):
    """REMOTE_ADDR by default — a client's X-Forwarded-For is not believed — and the address
    our own proxy appended when TRUSTED_PROXY_COUNT says there is one."""
    from rest_framework.settings import api_settings

    from users.access.audit import client_address

    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(request) == "10.0.0.9"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    api_settings.reload()
    try:
        assert client_address(request) == "203.0.113.7"
        forged = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="not-an-address")
        assert client_address(forged) is None
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
        api_settings.reload()
