"""Issue 8, finding 5: pickers that scale.

The search endpoint finds, among the user's own choices only, by any part of a name or key, at
most 20 at a time, in a pinned number of queries whatever the number of people; without
JavaScript the server resolves what was typed into the plain text field.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from navpartner.forms import PERSON, SEARCH_RESULTS
from offices.models import County, Office
from tests import factories
from users.forms import OFFICE_NOT_FOUND, PERSON_NOT_FOUND
from users.models import Delegation, EmployerSide, User
from users.pickers import picker_choices
from users.selectors import delegation_grantees

PEOPLE_URL = reverse("access:search", args=["personer"])
OFFICES_URL = reverse("access:search", args=["kontorer"])
MUNICIPALITIES_URL = reverse("access:search", args=["kommuner"])
DELEGATION_URL = reverse("access:delegation-create")
ROLE_URL = reverse("access:role-create")
NATIONAL_SCALE = 6_000


def user(username: str) -> User:
    return User.objects.get(username=username)


def search(client, url: str, purpose: str, q: str = "") -> dict:
    response = client.get(url, {"for": purpose, "q": q})
    assert response.status_code == 200, response.status_code
    return response.json()


def values(answer: dict) -> list[str]:
    return [result["value"] for result in answer["results"]]


def add_state_staff(count: int, county_number: str = "50") -> None:
    """``count`` state employees of a county, the national scale of the person picker."""
    county = County.objects.get(number=county_number)
    User.objects.bulk_create(
        User(
            username=f"skala.{n:05}",
            first_name=f"Fornavn{n:05}",
            last_name="Skalasen" if n % 1000 else "Nålesen",
            employer_side=EmployerSide.STATE,
            employer_county=county,
        )
        for n in range(count)
    )


@pytest.fixture
def director(client, demo_data):
    client.force_login(user("fylkesdirektor.trondelag"))
    return client


# --- What a search finds ----------------------------------------------------------------------


def test_the_people_found_are_the_grantors_choices_only(director):
    grantor = user("fylkesdirektor.trondelag")
    offered = set(delegation_grantees(user=grantor).values_list("username", flat=True))
    found = set()
    for letter in "abcdefghijklmnopqrstuvwxyzæøå.":
        found |= set(values(search(director, PEOPLE_URL, "delegation", letter)))
    assert found == offered
    # Bodø's staff work along another county's lines: not found, whatever is typed.
    assert values(search(director, PEOPLE_URL, "delegation", "stat.bodo")) == []


def test_a_search_matches_every_word_in_any_part_of_the_name(director):
    assert values(search(director, PEOPLE_URL, "delegation", "stian")) == ["stat.heimdal"]
    assert values(search(director, PEOPLE_URL, "delegation", "AUNE sti")) == ["stat.heimdal"]
    assert values(search(director, PEOPLE_URL, "delegation", "stat.heim")) == ["stat.heimdal"]
    answer = search(director, PEOPLE_URL, "delegation", "stian aune")
    assert answer["results"][0]["label"] == "Stian Aune (stat.heimdal)"
    assert answer["results"][0]["description"]  # employer side and employer


def test_offices_and_municipalities_are_found_by_name_or_key(director, demo_data):
    assert values(search(director, OFFICES_URL, "delegation", "heimd")) == ["heimdal"]
    assert values(search(director, OFFICES_URL, "delegation", "bodø")) == []  # not theirs
    assert values(search(director, OFFICES_URL, "filter", "bodø")) == ["bodo"]
    assert "5001" in values(search(director, MUNICIPALITIES_URL, "filter", "trondh"))
    assert values(search(director, MUNICIPALITIES_URL, "filter", "1841")) == ["1841"]


def test_a_role_picker_finds_what_that_role_offers(director):
    staff = values(search(director, PEOPLE_URL, "role:office_staff", "kommune"))
    assert staff == []  # the county director assigns state staff only
    leaders = values(search(director, PEOPLE_URL, "role:office_leader", "kommune"))
    assert "kommune.heimdal" in leaders  # a leader may come from either side
    assert values(search(director, OFFICES_URL, "role:office_staff", "heimdal")) == ["heimdal"]


@pytest.mark.parametrize(
    ("username", "url", "purpose"),
    [
        ("stat.heimdal", PEOPLE_URL, "delegation"),
        ("stat.heimdal", PEOPLE_URL, "role:office_staff"),
        ("leder.heimdal", PEOPLE_URL, "role:county_director"),
        ("leder.heimdal", MUNICIPALITIES_URL, "role:office_staff"),
        ("fylkesdirektor.trondelag", PEOPLE_URL, "filter"),
        ("fylkesdirektor.trondelag", PEOPLE_URL, ""),
        ("fylkesdirektor.trondelag", reverse("access:search", args=["brukere"]), "delegation"),
    ],
)
def test_a_picker_one_has_not_been_given_answers_404(client, demo_data, username, url, purpose):
    client.force_login(user(username))
    assert client.get(url, {"for": purpose, "q": "a"}).status_code == 404


def test_anonymous_are_sent_to_sign_in(client, demo_data):
    response = client.get(PEOPLE_URL, {"for": "delegation", "q": "a"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- National scale --------------------------------------------------------------------------


def test_a_person_among_6000_is_found_by_part_of_a_name_in_pinned_queries(
    director, django_assert_num_queries
):
    add_state_staff(NATIONAL_SCALE)
    # The request's savepoint and its release, the session, the user, whether they may grant
    # at all, and the search itself (one query, the choices a subquery of it).
    with django_assert_num_queries(6):
        answer = search(director, PEOPLE_URL, "delegation", "nålesen")
    assert len(answer["results"]) == NATIONAL_SCALE // 1000
    assert answer["more"] is False
    with django_assert_num_queries(6):
        answer = search(director, PEOPLE_URL, "delegation", "fornavn0421")
    assert values(answer) == [f"skala.{n:05}" for n in range(4210, 4220)]
    with django_assert_num_queries(6):
        answer = search(director, PEOPLE_URL, "delegation", "skalasen")
    assert len(answer["results"]) == SEARCH_RESULTS and answer["more"] is True
    # The role picker reads the proposer's roles (the lines) instead of whether they grant.
    with django_assert_num_queries(6):
        answer = search(director, PEOPLE_URL, "role:county_advisor", "fornavn05999")
    assert values(answer) == ["skala.05999"]


def test_the_form_page_lists_no_people_at_national_scale(director, django_assert_max_num_queries):
    """The pickers render as text fields: the page does not read the 6,000 people."""
    add_state_staff(NATIONAL_SCALE)
    with django_assert_max_num_queries(12):
        page = director.get(DELEGATION_URL)
    body = page.content.decode()
    assert "skala.00001" not in body
    assert "<option" not in body


# --- Without JavaScript: the server resolves the text ------------------------------------------


def grant(client, **fields):
    data = {
        "grantee": "stat.heimdal",
        "office": "heimdal",
        "side": "state",
        "level": "view",
        "basis": "delegasjonsvedtak 2026-3",
        "valid_to": (timezone.localdate() + datetime.timedelta(days=20)).strftime("%d.%m.%Y"),
    }
    data.update(fields)
    return client.post(DELEGATION_URL, data)


@pytest.mark.parametrize(
    "typed",
    ["stat.heimdal", "STAT.HEIMDAL", "Stian Aune (stat.heimdal)", "  Stian Aune  ", "stian aune"],
)
def test_a_typed_person_is_resolved(client, demo_data, typed):
    client.force_login(user("radmann.trondheim"))
    response = grant(client, grantee=typed, side="municipal", office="NAV Heimdal (heimdal)")
    assert response.status_code == 302, response.context["form"].errors
    assert Delegation.objects.filter(
        grantee__username="stat.heimdal", basis="delegasjonsvedtak 2026-3"
    ).exists()


@pytest.mark.parametrize("typed", ["finnes.ikke", "stat.bodo", "Stian", "(stat.heimdal"])
def test_an_unknown_or_unoffered_person_gets_the_same_message(client, demo_data, typed):
    client.force_login(user("radmann.trondheim"))
    response = grant(client, grantee=typed, side="municipal")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["grantee"] == [PERSON_NOT_FOUND % {"value": typed.strip()}]
    body = response.content.decode()
    assert 'href="#id_grantee"' in body and 'id="id_grantee"' in body


def test_an_office_outside_the_choices_gets_the_fields_message(client, demo_data):
    client.force_login(user("radmann.trondheim"))
    response = grant(client, office="bodo", side="municipal")
    assert response.status_code == 400
    assert response.context["form"].errors["office"] == [OFFICE_NOT_FOUND % {"value": "bodo"}]


def test_the_picker_is_a_plain_text_field_the_script_enhances(client, demo_data):
    client.force_login(user("radmann.trondheim"))
    body = client.get(DELEGATION_URL, {"office": "heimdal"}).content.decode()
    field = re.search(r'<div class="app-combobox"[^>]*>\s*<input[^>]*name="grantee"[^>]*>', body)
    assert field is not None
    html = field.group(0)
    assert 'type="text"' in html and 'autocomplete="off"' in html
    assert f'data-source="{PEOPLE_URL}?for=delegation"' in html
    assert 'role="combobox"' not in html  # combobox.js adds the ARIA, with the behaviour
    # The office chosen in the link is shown as its label.
    assert re.search(r'name="office"[^>]*value="NAV Heimdal \(heimdal\)"', body)
    assert "js/combobox.js" in body and "css/combobox.css" in body


def test_picker_choices_are_the_forms_querysets(demo_data):
    """The endpoint and the form read the same selector, so what is found is accepted."""
    grantor = user("radmann.trondheim")
    choices = picker_choices(user=grantor, kind=PERSON, purpose="delegation")
    assert list(choices) == list(delegation_grantees(user=grantor))
    assert (
        picker_choices(user=user("stat.heimdal"), kind=PERSON, purpose="role:office_staff") is None
    )


def test_the_office_filters_municipality_picker(client, demo_data):
    client.force_login(user("stat.heimdal"))
    url = reverse("offices:list")
    assert client.get(url, {"municipality": "Bodø"}).status_code == 200
    response = client.get(url, {"municipality": "Bodø (1804)"})
    assert [o.code for o in response.context["page"].object_list] == ["bodo"]
    response = client.get(url, {"municipality": "Atlantis"})
    assert response.status_code == 400
    assert "Atlantis" in response.context["filter"].errors["municipality"][0]
    assert Office.objects.filter(code="bodo").exists()
    body = client.get(url).content.decode()
    assert f'data-source="{MUNICIPALITIES_URL}?for=filter"' in body


def test_a_new_user_is_found_at_once(director):
    factories.UserFactory(
        username="ny.ansatt",
        first_name="Ingrid",
        last_name="Nyberg",
        employer_side=EmployerSide.STATE,
        employer_county=County.objects.get(number="50"),
    )
    assert values(search(director, PEOPLE_URL, "delegation", "nyberg")) == ["ny.ansatt"]


AUTHORITIES = [
    "leder.heimdal",
    "fylkesdirektor.trondelag",
    "fylkesdirektor.nordland",
    "radmann.trondheim",
    "radmann.fauske",
    "radmann.saltdal",
]
KIND_URLS = {"person": PEOPLE_URL, "office": OFFICES_URL, "municipality": MUNICIPALITIES_URL}


@pytest.mark.parametrize("username", AUTHORITIES)
def test_each_picker_finds_exactly_what_its_form_accepts(client, demo_data, username):
    """For every picker a demo authority is given, what the search finds is within the form
    field's queryset, and — where there are no more than a page of choices — all of it."""
    from navpartner.forms import KINDS
    from users.selectors import role_assignment_choices

    proposer = user(username)
    client.force_login(proposer)
    purposes = [f"role:{role}" for role in role_assignment_choices(user=proposer).roles]
    purposes.append("delegation")
    checked = 0
    for purpose in purposes:
        for kind in KINDS.values():
            choices = picker_choices(user=proposer, kind=kind, purpose=purpose)
            url = KIND_URLS[kind.name]
            if choices is None:
                assert client.get(url, {"for": purpose}).status_code == 404, (purpose, kind)
                continue
            offered = {str(getattr(obj, kind.key)) for obj in choices}
            found = set()
            for letter in ("a", "e", "i", "o", "u", "ø", ".", "1", "3", "5"):
                answer = search(client, url, purpose, letter)
                assert set(values(answer)) <= offered, (purpose, kind.name, letter)
                found |= set(values(answer))
            if len(offered) <= SEARCH_RESULTS:
                assert found == offered, (purpose, kind.name)
            checked += 1
    assert checked


def test_the_access_reviews_municipality_picker_finds_the_reviewed_offices_municipalities(
    client, demo_data
):
    client.force_login(user("fylkesdirektor.nordland"))
    body = client.get(reverse("access:review-overview")).content.decode()
    assert f'data-source="{MUNICIPALITIES_URL}?for=review"' in body
    assert values(search(client, MUNICIPALITIES_URL, "review", "salt")) == ["1840"]
    assert values(search(client, MUNICIPALITIES_URL, "review", "trondh")) == []  # not theirs
    response = client.get(reverse("access:review-overview"), {"municipality": "Trondheim"})
    assert response.status_code == 400
    client.force_login(user("stat.heimdal"))  # reviews nothing: no such picker
    assert client.get(MUNICIPALITIES_URL, {"for": "review", "q": "a"}).status_code == 404
