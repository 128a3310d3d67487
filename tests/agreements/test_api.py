"""The agreements API (issue 9, item 8): the parties draft, approve and put agreements in force;
nobody outside the partnership sees any of it; bad input gets 400 naming the field.

Every agreement here is made in the test, through the API or the services: the demo's own are
removed first (``remove_every_agreement``), so the tests hold whatever the demo data holds.
"""

import datetime

import pytest
from django.utils import timezone

from agreements.models import (
    AgreementApproval,
    AgreementVersion,
    MunicipalService,
    PartnershipAgreement,
)
from tests.agreements.api_helpers import (
    TRONDHEIM_OFFICES,
    api,
    approve,
    draft,
    draft_body,
    indre_salten_world,
    remove_every_agreement,
)
from tests.factories import RoleAssignmentFactory, UserFactory
from users.models import Role

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


@pytest.fixture(autouse=True)
def _no_agreements(demo_data):
    remove_every_agreement()


@pytest.fixture
def world(people, offices):
    return indre_salten_world(people, offices)


# --- Drafting → approval → in force, through the API -------------------------------------------


@pytest.mark.parametrize(
    ("codes", "executive", "director", "municipality"),
    [
        (["indre-salten"], "radmann.fauske", "fylkesdirektor.nordland", "1841"),
        (TRONDHEIM_OFFICES, "radmann.trondheim", "fylkesdirektor.trondelag", "5001"),
    ],
    ids=["indre-salten", "trondheim"],
)
def test_the_parties_draft_approve_and_put_in_force(
    people, codes, executive, director, municipality
):
    drafter = api(people[executive])
    created = drafter.post(f"{V1}/agreements/", draft_body(codes), format="json")
    assert created.status_code == 201, created.json()
    agreement = created.json()
    assert sorted(agreement["offices"]) == sorted(codes)
    assert agreement["municipalities"] == [municipality]
    assert agreement["in_force"] is None
    [summary] = agreement["versions"]
    assert (summary["number"], summary["status"], summary["state"]) == (1, "draft", "draft")

    url = f"{V1}/agreement-versions/{summary['id']}/"
    version = drafter.get(url).json()
    assert len(version["sections"]) == 14
    assert version["missing_minimum_services"] == []
    assert [(p["side"], p["municipality"]) for p in version["pending_parties"]] == [
        ("state", None),
        ("municipal", municipality),
    ]
    assert version["your_party"]["municipality"] == municipality

    first = drafter.post(
        f"{url}approve/", {"content_hash": version["content_hash"], "comment": "Godkjent."}
    )
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "draft"
    assert [p["side"] for p in first.json()["pending_parties"]] == ["state"]
    assert first.json()["your_party"] is None

    second = api(people[director]).post(f"{url}approve/", {"content_hash": version["content_hash"]})
    assert second.status_code == 200, second.json()
    binding = second.json()
    assert (binding["status"], binding["state"]) == ("approved", "in_force")
    assert binding["pending_parties"] == []
    assert [(a["decided_by"], a["role"], a["counts"]) for a in binding["approvals"]] == [
        (executive, "municipal_executive", True),
        (director, "county_director", True),
    ]
    assert {a["content_hash"] for a in binding["approvals"]} == {binding["content_hash"]}
    detail = drafter.get(f"{V1}/agreements/{agreement['id']}/").json()
    assert detail["in_force"] == summary["id"]


def test_a_revision_through_the_api_supersedes_and_shows_its_difference(people, offices):
    executive, director = people["radmann.fauske"], people["fylkesdirektor.nordland"]
    first = approve(draft(people, offices), executive, director)
    client = api(executive)
    made = client.post(f"{V1}/agreements/{first.agreement_id}/new-version/", {"kind": "revision"})
    assert made.status_code == 201, made.json()
    second = made.json()
    assert (second["number"], second["kind"], second["based_on"]) == (2, "revision", first.pk)
    url = f"{V1}/agreement-versions/{second['id']}/"
    services = [{"service": s["service"], "starts_on": s["starts_on"]} for s in second["services"]]
    changed = client.patch(
        url,
        {
            "version": second["version"],
            "sections": {"hiring": "Lederen ansettes av begge parter i fellesskap."},
            "services": [*services, {"service": "gjeldsradgivning"}],
        },
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["version"] == second["version"] + 1
    sections = {s["topic"]: s["text"] for s in changed.json()["sections"]}
    assert len(sections) == 14  # the other topics kept their text
    diff = client.get(f"{url}diff/").json()
    assert (diff["from_version"], diff["to_version"]) == (first.pk, second["id"])
    assert [s["topic"] for s in diff["sections"]] == ["hiring"]
    segments = diff["sections"][0]["segments"]
    # Equal and inserted words give the new text, whatever the old text was (in either language).
    new_text = " ".join(s["text"] for s in segments if s["op"] != "delete")
    assert new_text == "Lederen ansettes av begge parter i fellesskap."
    assert diff["services_added"] == ["Gjeldsrådgivning"]

    digest = changed.json()["content_hash"]
    for user in (executive, director):
        assert api(user).post(f"{url}approve/", {"content_hash": digest}).status_code == 200
    history = client.get(f"{V1}/agreements/{first.agreement_id}/").json()
    assert [(v["number"], v["state"]) for v in history["versions"]] == [
        (1, "superseded"),
        (2, "in_force"),
    ]
    assert client.get(f"{V1}/agreement-versions/{first.pk}/diff/").json()["from_version"] is None


def test_a_party_ends_a_binding_version(people, offices):
    binding = approve(
        draft(people, offices), people["radmann.fauske"], people["fylkesdirektor.nordland"]
    )
    url = f"{V1}/agreement-versions/{binding.pk}/end/"
    blank = api(people["radmann.fauske"]).post(url, {"reason": " "})
    assert blank.status_code == 400
    assert set(blank.json()["errors"]) == {"reason"}
    ended = api(people["radmann.fauske"]).post(url, {"reason": "Sagt opp."})
    assert ended.status_code == 200, ended.json()
    assert (ended.json()["state"], ended.json()["end_reason"]) == ("terminated", "Sagt opp.")


def test_a_rejection_keeps_the_draft_and_names_why(people, world):
    url = f"{V1}/agreement-versions/{world['draft']}/reject/"
    no_reason = api(people["radmann.fauske"]).post(
        url, {"content_hash": world["draft_hash"], "comment": ""}
    )
    assert no_reason.status_code == 400
    assert set(no_reason.json()["errors"]) == {"comment"}
    rejected = api(people["radmann.fauske"]).post(
        url, {"content_hash": world["draft_hash"], "comment": "Kostnadsnøkkelen mangler."}
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "draft"
    assert rejected.json()["approvals"][-1]["decision"] == "rejected"


def test_operating_agreement_cost_key(people, offices, world):
    director = api(people["fylkesdirektor.nordland"])
    url = f"{V1}/operating-agreements/{world['operating']}/"
    current = director.get(url).json()
    assert current["total"] == "100.00"
    changed = director.put(
        url,
        {
            "version": current["version"],
            "rent_nok_per_year": "1300000",
            "shares": [
                {"side": "state", "municipality": None, "percent": "55"},
                {"side": "municipal", "municipality": "1841", "percent": "45"},
            ],
        },
    )
    assert changed.status_code == 200, changed.json()
    assert {(s["side"], s["municipality"], s["percent"]) for s in changed.json()["shares"]} == {
        ("state", None, "55.00"),
        ("municipal", "1841", "45.00"),
    }
    assert changed.json()["version"] == current["version"] + 1

    # A new partnership agreement gets its own by POST.
    other = draft(people, offices, office="bodo", title="Bodø")
    made = director.post(
        f"{V1}/operating-agreements/",
        {
            "agreement": other.agreement_id,
            "shares": [
                {"side": "state", "percent": "50"},
                {"side": "municipal", "municipality": "1804", "percent": "50"},
            ],
        },
    )
    assert made.status_code == 201, made.json()
    again = director.post(
        f"{V1}/operating-agreements/",
        {"agreement": other.agreement_id, "shares": [{"side": "state", "percent": "100"}]},
    )
    assert again.status_code == 400
    assert set(again.json()["errors"]) == {"agreement"}


def test_cooperation_agreements_are_written_by_the_partnership(people, world):
    director = api(people["fylkesdirektor.nordland"])
    body = {
        "office": "indre-salten",
        "partner": "Fauske videregående skole",
        "partner_responsibility": "Opplæring",
        "office_responsibility": "Oppfølging",
        "how_carried_out": "Felles møter",
        "unclear_responsibility": "Samarbeidsmøtet avgjør",
        "next_evaluation": "2027-06-01",
        "valid_from": "2026-01-01",
    }
    created = director.post(f"{V1}/cooperation-agreements/", body)
    assert created.status_code == 201, created.json()
    url = f"{V1}/cooperation-agreements/{created.json()['id']}/"
    stale = {"version": 0, "partner": "X"}
    assert director.patch(url, stale).status_code == 400
    changed = director.patch(url, {"version": 1, "evaluation_interval_months": 6})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["version"] == 2
    staff = api(people["kommune.indre-salten"])
    assert staff.get(url).status_code == 200
    assert staff.patch(url, {"version": 2, "partner": "Y"}).status_code == 403
    assert staff.delete(url).status_code == 403
    assert director.delete(url).status_code == 204


def test_meetings_are_recorded_with_decisions(people, world):
    executive = api(people["radmann.fauske"])
    version = executive.get(f"{V1}/agreement-versions/{world['binding']}/").json()
    section = version["sections"][0]
    created = executive.post(
        f"{V1}/meetings/",
        {
            "kind": "partnership",
            "offices": ["indre-salten"],
            "held_on": "2026-11-01",
            "title": "Partnerskapsmøte høst",
            "decisions": [
                {"text": "Oppdatere avtalen", "responsible": "NAV-leder"},
                {"text": "Nytt lokale", "section": section["id"], "due": "2027-01-01"},
            ],
        },
    )
    assert created.status_code == 201, created.json()
    decisions = created.json()["decisions"]
    assert [(d["text"], d["section_topic"]) for d in decisions] == [
        ("Oppdatere avtalen", None),
        ("Nytt lokale", "location"),
    ]
    listed = executive.get(f"{V1}/meetings/", {"office": "indre-salten", "kind": "partnership"})
    assert [m["id"] for m in listed.json()["results"]] == [created.json()["id"]]
    # A section of an agreement the recorder cannot see is unknown to them.
    foreign = api(people["radmann.trondheim"]).post(
        f"{V1}/meetings/",
        {
            "kind": "dialogue",
            "offices": ["heimdal"],
            "held_on": "2026-11-01",
            "decisions": [{"text": "x", "section": section["id"]}],
        },
    )
    assert set(errors(foreign)) == {"decisions"}


def test_compliance_of_an_office(people, world):
    answer = api(people["radmann.saltdal"]).get(f"{V1}/compliance/", {"office": "indre-salten"})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["office"], body["version"]) == ("indre-salten", world["binding"])
    checks = {finding["check"] for finding in body["findings"]}
    assert {"agreement_in_force", "legal_minimum", "topics_covered", "cost_key"} <= checks
    for finding in body["findings"]:
        assert finding["title"] and finding["source"] and finding["message"]
        assert finding["severity"] in {"ok", "warning", "error"}
    for code in ("no-such-office", "heimdal"):
        hidden = api(people["radmann.fauske"]).get(f"{V1}/compliance/", {"office": code})
        assert hidden.status_code == 404, code
    missing = api(people["radmann.fauske"]).get(f"{V1}/compliance/")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"office"}


def test_the_catalogue_is_read_by_all_and_kept_by_national_admins(people):
    listed = api(people["kommune.heimdal"]).get(f"{V1}/services/", {"is_minimum": "true"})
    assert listed.status_code == 200
    assert listed.json()["count"] == 5
    body = {"code": "arbeidstrening", "name": "Arbeidstrening", "name_en": "Work training"}
    assert api(people["radmann.fauske"]).post(f"{V1}/services/", body).status_code == 403
    patch = {"legal_basis": "x"}
    refused = api(people["radmann.fauske"]).patch(f"{V1}/services/barnevern/", patch)
    assert refused.status_code == 403
    admin = UserFactory(username="direktorat")
    RoleAssignmentFactory(user=admin, role=Role.NATIONAL_ADMIN, office=None)
    created = api(admin).post(f"{V1}/services/", body)
    assert created.status_code == 201, created.json()
    assert MunicipalService.objects.filter(code="arbeidstrening").exists()
    changed = api(admin).patch(f"{V1}/services/arbeidstrening/", {"code": "ny", "is_active": False})
    assert changed.status_code == 200
    assert changed.json()["code"] == "arbeidstrening"  # the code is fixed once made
    assert changed.json()["is_active"] is False
    assert api(None).get(f"{V1}/services/").status_code == 401


# --- Bad input: 400 naming the field, nothing half-saved -----------------------------------------


def errors(response) -> dict:
    assert response.status_code == 400, (response.status_code, response.json())
    return response.json()["errors"]


def test_a_cost_key_not_summing_to_100_is_refused(people, world):
    url = f"{V1}/operating-agreements/{world['operating']}/"
    client = api(people["fylkesdirektor.nordland"])
    refused = client.put(
        url,
        {
            "version": 1,
            "shares": [
                {"side": "state", "percent": "60"},
                {"side": "municipal", "municipality": "1841", "percent": "30"},
            ],
        },
    )
    assert set(errors(refused)) == {"shares"}
    assert "90" in errors(refused)["shares"][0]
    outsider = client.put(
        url,
        {
            "version": 1,
            "shares": [
                {"side": "state", "percent": "50"},
                {"side": "municipal", "municipality": "5001", "percent": "50"},
            ],
        },
    )
    assert set(errors(outsider)) == {"shares"}
    too_much = client.put(url, {"version": 1, "shares": [{"side": "state", "percent": "101"}]})
    assert set(errors(too_much)) == {"shares"}
    no_version = client.put(url, {"shares": [{"side": "state", "percent": "100"}]})
    assert set(errors(no_version)) == {"version"}
    fine = {"version": 1, "shares": [{"side": "state", "percent": "100"}]}
    assert client.put(url, fine).status_code == 200
    stale = client.put(url, fine)  # version 1 again: someone (here, oneself) changed it since
    assert set(errors(stale)) == {"version"}
    assert people["fylkesdirektor.nordland"].get_full_name() in errors(stale)["version"][0]
    assert client.get(url).json()["version"] == 2


def test_a_stale_edit_is_refused_naming_who_changed_it(people, world):
    url = f"{V1}/agreement-versions/{world['draft']}/"
    opened = world["draft_version"]
    first = api(people["radmann.fauske"]).patch(url, {"version": opened, "signatories": "A"})
    assert first.status_code == 200
    second = api(people["fylkesdirektor.nordland"]).patch(
        url, {"version": opened, "signatories": "B"}
    )
    assert set(errors(second)) == {"version"}
    assert people["radmann.fauske"].get_full_name() in errors(second)["version"][0]
    assert AgreementVersion.objects.get(pk=world["draft"]).signatories == "A"
    no_version = api(people["radmann.fauske"]).patch(url, {"signatories": "C"})
    assert set(errors(no_version)) == {"version"}
    # What the service decides is not the client's to send: named, not silently dropped.
    status = api(people["radmann.fauske"]).patch(url, {"version": opened + 1, "status": "approved"})
    assert set(errors(status)) == {"status"}


def test_approving_content_that_changed_is_refused(people, world):
    url = f"{V1}/agreement-versions/{world['draft']}/"
    api(people["fylkesdirektor.nordland"]).patch(
        url, {"version": world["draft_version"], "sections": {"revision": "Hvert annet år."}}
    )
    refused = api(people["radmann.fauske"]).post(
        f"{url}approve/", {"content_hash": world["draft_hash"]}
    )
    assert set(errors(refused)) == {"content_hash"}
    assert not AgreementApproval.objects.filter(version_id=world["draft"]).exists()


def test_approving_twice_or_for_the_other_party_is_refused(people, world):
    url = f"{V1}/agreement-versions/{world['draft']}/approve/"
    body = {"content_hash": world["draft_hash"]}
    assert api(people["radmann.fauske"]).post(url, body).status_code == 200
    twice = api(people["radmann.fauske"]).post(url, body)
    assert set(errors(twice)) == {"non_field_errors"}
    # Saltdal is served by the office, but the host Fauske decides; the leader is no party.
    for username in ("radmann.saltdal", "leder.indre-salten", "stat.indre-salten"):
        other = api(people[username]).post(url, body)
        assert set(errors(other)) == {"non_field_errors"}, username
    assert AgreementApproval.objects.filter(version_id=world["draft"]).count() == 1


def test_a_binding_version_is_never_edited(people, world):
    url = f"{V1}/agreement-versions/{world['binding']}/"
    refused = api(people["fylkesdirektor.nordland"]).patch(url, {"version": 1, "signatories": "X"})
    assert set(errors(refused)) == {"non_field_errors"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sections": {"hiring": "x", "no-such-topic": "y"}}, "sections"),
        ({"services": [{"service": "no-such-service"}]}, "services"),
        ({"offices": ["no-such-office"]}, "offices"),
        ({"offices": []}, "offices"),
        ({"offices": ["indre-salten", "heimdal"]}, "offices"),
        ({"valid_to": "2020-01-01"}, "valid_to"),
        ({"title": " "}, "title"),
        ({"unknown": 1}, None),
    ],
)
def test_bad_drafts_name_the_field(people, change, field):
    before = PartnershipAgreement.objects.count()
    body = {**draft_body(["indre-salten"]), **change}
    answer = api(people["radmann.fauske"]).post(f"{V1}/agreements/", body)
    if field is None:  # unknown top-level keys are ignored, as everywhere in the API
        assert answer.status_code == 201
        return
    assert field in errors(answer)
    assert PartnershipAgreement.objects.count() == before


def test_an_overlapping_agreement_is_refused(people, world):
    answer = api(people["fylkesdirektor.nordland"]).post(
        f"{V1}/agreements/", draft_body(["indre-salten"])
    )
    assert set(errors(answer)) == {"valid_from"}


def test_a_second_draft_and_a_short_extension_are_refused(people, world):
    url = f"{V1}/agreements/{world['agreement']}/new-version/"
    client = api(people["radmann.fauske"])
    assert set(errors(client.post(url, {"kind": "revision"}))) == {"non_field_errors"}
    AgreementVersion.objects.filter(pk=world["draft"]).delete()
    binding = AgreementVersion.objects.get(pk=world["binding"])
    short = client.post(url, {"kind": "extension", "valid_to": binding.valid_to.isoformat()})
    assert set(errors(short)) == {"valid_to"}
    assert set(errors(client.post(url, {"kind": "new"}))) == {"kind"}


def test_the_leader_and_staff_cannot_draft_for_others(people):
    for username in ("stat.indre-salten", "kommune.indre-salten", "radmann.trondheim"):
        answer = api(people[username]).post(f"{V1}/agreements/", draft_body(["indre-salten"]))
        assert set(errors(answer)) == {"offices"}, username
    assert not PartnershipAgreement.objects.exists()


# --- Who sees what: outsiders get nothing ---------------------------------------------------------


def detail_urls(w: dict) -> list[str]:
    return [
        f"{V1}/agreements/{w['agreement']}/",
        f"{V1}/agreement-versions/{w['binding']}/",
        f"{V1}/agreement-versions/{w['draft']}/",
        f"{V1}/agreement-versions/{w['draft']}/diff/",
        f"{V1}/operating-agreements/{w['operating']}/",
        f"{V1}/cooperation-agreements/{w['cooperation']}/",
        f"{V1}/meetings/{w['meeting']}/",
        f"{V1}/compliance/?office=indre-salten",
    ]


def writes(w: dict) -> list[tuple[str, str, dict]]:
    draft_url = f"{V1}/agreement-versions/{w['draft']}/"
    shares = [{"side": "state", "percent": "100"}]
    return [
        ("patch", draft_url, {"version": w["draft_version"], "signatories": "X"}),
        ("post", f"{draft_url}approve/", {"content_hash": w["draft_hash"]}),
        ("post", f"{draft_url}reject/", {"content_hash": w["draft_hash"], "comment": "Nei"}),
        ("post", f"{V1}/agreement-versions/{w['binding']}/end/", {"reason": "Slutt"}),
        ("post", f"{V1}/agreements/{w['agreement']}/new-version/", {"kind": "revision"}),
        ("put", f"{V1}/operating-agreements/{w['operating']}/", {"version": 1, "shares": shares}),
        ("patch", f"{V1}/cooperation-agreements/{w['cooperation']}/", {"version": 1}),
        ("delete", f"{V1}/cooperation-agreements/{w['cooperation']}/", {}),
    ]


LISTS = [
    "agreements",
    "agreement-versions",
    "operating-agreements",
    "cooperation-agreements",
    "meetings",
]

# The other county's director, another municipality's executive, another office's people on
# both sides: none has a role at Indre Salten, at a municipality it serves or at its county.
OUTSIDERS = ["fylkesdirektor.trondelag", "radmann.trondheim", "stat.heimdal", "kommune.heimdal"]


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_get_nothing(people, world, username):
    client = api(people[username])
    for url in detail_urls(world):
        assert client.get(url).status_code == 404, url
    for method, url, body in writes(world):
        assert getattr(client, method)(url, body).status_code == 404, (method, url)
    for name in LISTS:
        listed = client.get(f"{V1}/{name}/")
        assert listed.status_code == 200
        assert listed.json()["count"] == 0, name
    assert client.get(f"{V1}/agreements/", {"office": "indre-salten"}).json()["count"] == 0
    assert AgreementVersion.objects.get(pk=world["draft"]).version == world["draft_version"]


def test_anonymous_callers_get_401(world):
    client = api(None)
    for url in [*detail_urls(world), *(f"{V1}/{name}/" for name in LISTS)]:
        assert client.get(url).status_code == 401, url
    for method, url, body in writes(world):
        assert getattr(client, method)(url, body).status_code == 401, (method, url)
    assert client.post(f"{V1}/agreements/", draft_body(["indre-salten"])).status_code == 401
    assert client.post(f"{V1}/meetings/", {}).status_code == 401


@pytest.mark.parametrize(
    "username",
    ["radmann.saltdal", "stat.indre-salten", "kommune.indre-salten", "leder.indre-salten"],
)
def test_the_partnership_sees_everything(people, world, username):
    client = api(people[username])
    for url in detail_urls(world):
        assert client.get(url).status_code == 200, url
    for name in LISTS:
        assert client.get(f"{V1}/{name}/").json()["count"] >= 1, name


@pytest.mark.parametrize("username", ["stat.indre-salten", "kommune.indre-salten"])
def test_staff_see_but_do_not_change(people, world, username):
    """Staff have the joint view, not the joint change: 403 for changes of a record, and a
    400 from the service where rule 5 decides (approving: they are no party)."""
    client = api(people[username])
    forbidden = [
        entry for entry in writes(world) if not entry[1].endswith(("approve/", "reject/", "end/"))
    ]
    for method, url, body in forbidden:
        assert getattr(client, method)(url, body).status_code == 403, (method, url)
    for method, url, body in writes(world):
        if url.endswith(("approve/", "reject/", "end/")):
            assert getattr(client, method)(url, body).status_code == 400, url
    meeting = client.post(
        f"{V1}/meetings/",
        {"kind": "dialogue", "offices": ["indre-salten"], "held_on": "2026-11-11"},
    )
    assert set(errors(meeting)) == {"offices"}


# --- Query counts do not grow with the agreements and versions ------------------------------------


def grow(people, offices, rounds: int) -> None:
    """Add ``rounds`` agreements (drafts, which may overlap), each with an operating agreement,
    a cooperation agreement and a meeting with decisions; one binding agreement with several
    versions."""
    from decimal import Decimal

    from agreements.models import CooperationAgreement
    from agreements.services import (
        agreement_version_new,
        meeting_record,
        operating_agreement_save,
    )
    from navpartner.sidedata_services import side_data_create

    director = people["fylkesdirektor.nordland"]
    today = timezone.localdate()
    for index in range(rounds):
        version = draft(people, offices, title=f"Utkast {index}")
        operating_agreement_save(
            user=director, agreement=version.agreement, shares=[("state", None, Decimal(100))]
        )
        side_data_create(
            user=director,
            instance=CooperationAgreement(
                office=offices["indre-salten"],
                partner=f"Partner {index}",
                partner_responsibility="a",
                office_responsibility="b",
                how_carried_out="c",
                unclear_responsibility="d",
                next_evaluation=today,
                valid_from=today,
            ),
        )
        meeting_record(
            user=director,
            kind="dialogue",
            offices=[offices["indre-salten"], offices["bodo"]],
            held_on=today - datetime.timedelta(days=index),
            decisions=[
                {"text": "En", "section": version.sections.first()},
                {"text": "To"},
            ],
        )
    if rounds > 1:
        executive = people["radmann.fauske"]
        binding = approve(draft(people, offices, title="Bindende"), executive, director)
        for _ in range(2):
            revision = agreement_version_new(user=director, agreement=binding.agreement)
            binding = approve(revision, executive, director)


LIST_URLS = [f"{V1}/{name}/" for name in LISTS] + [f"{V1}/services/"]


def test_list_query_counts_do_not_grow(people, offices, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(people["fylkesdirektor.nordland"])

    def counts() -> dict[str, int]:
        measured = {}
        for url in LIST_URLS:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            measured[url] = len(queries)
        return measured

    grow(people, offices, 1)
    small = counts()
    grow(people, offices, 4)
    assert AgreementVersion.objects.count() >= 6
    assert counts() == small
    for url, count in small.items():
        with django_assert_max_num_queries(count):
            client.get(url)


@pytest.mark.parametrize("value", ["1.0696504874676722e+38", "99999999999999999999", "1.5", "x"])
def test_an_id_filter_out_of_range_is_a_400(people, value):
    client = api(people["radmann.fauske"])
    for name in ("agreement-versions", "operating-agreements"):
        answer = client.get(f"{V1}/{name}/", {"agreement": value})
        assert set(errors(answer)) == {"agreement"}, name


def test_lists_filter_by_office_county_municipality_and_status(people, offices, world):
    client = api(people["fylkesdirektor.nordland"])
    bodo = draft(people, offices, office="bodo", title="Bodø")

    def ids(name, **query):
        answer = client.get(f"{V1}/{name}/", query)
        assert answer.status_code == 200, answer.json()
        return sorted(row["id"] for row in answer.json()["results"])

    assert ids("agreements") == sorted([world["agreement"], bodo.agreement_id])
    assert ids("agreements", office="indre-salten") == [world["agreement"]]
    assert ids("agreements", municipality="1804") == [bodo.agreement_id]
    assert ids("agreements", county="50") == []
    assert ids("agreement-versions", status="draft") == sorted([world["draft"], bodo.pk])
    assert ids("agreement-versions", agreement=world["agreement"], status="approved") == [
        world["binding"]
    ]
    assert ids("operating-agreements", office="bodo") == []
    assert ids("cooperation-agreements", office="indre-salten") == [world["cooperation"]]
    assert ids("meetings", held_before="2000-01-01") == []
    bad = client.get(f"{V1}/meetings/", {"held_after": "not a date", "kind": "party"})
    assert set(errors(bad)) == {"held_after", "kind"}
