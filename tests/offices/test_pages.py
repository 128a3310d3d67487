"""The office list and office pages: signed-in users only, filters, 404s, bounded queries."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, demo_data):
    client.login(username="stat.heimdal", password=demo_data)
    return client


def names(response) -> list[str]:
    return [office.name for office in response.context["page"].object_list]


def test_anonymous_users_are_sent_to_sign_in(client, demo_data):
    for url in (reverse("offices:list"), reverse("offices:detail", args=["heimdal"]), "/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_inactive_users_see_nothing(client, demo_data):
    user = factories.UserFactory(is_active=False)
    client.force_login(user)
    response = client.get(reverse("offices:list"))
    assert response.status_code == 302


def test_list_shows_all_offices_with_their_municipalities(signed_in):
    response = signed_in.get(reverse("offices:list"))
    assert response.status_code == 200
    assert "NAV Heimdal" in names(response)
    assert "NAV Indre Salten" in names(response)
    assert "Fauske - Fuossko" in response.content.decode()


def test_filter_by_county(signed_in):
    response = signed_in.get(reverse("offices:list"), {"county": "18"})
    assert names(response) == ["NAV Bodø", "NAV Indre Salten", "NAV Narvik"]


def test_filter_by_municipality(signed_in):
    response = signed_in.get(reverse("offices:list"), {"municipality": "1840"})
    assert names(response) == ["NAV Indre Salten"]
    response = signed_in.get(reverse("offices:list"), {"municipality": "5001"})
    assert names(response) == ["NAV Heimdal", "NAV Lerkendal", "NAV Midtbyen", "NAV Østbyen"]


def test_search_matches_office_and_municipality_names(signed_in):
    assert names(signed_in.get(reverse("offices:list"), {"search": "heimd"})) == ["NAV Heimdal"]
    # "heim" is also in Trondheim, which all four Trondheim offices serve.
    assert len(names(signed_in.get(reverse("offices:list"), {"search": "heim"}))) == 4
    assert names(signed_in.get(reverse("offices:list"), {"search": "Sørfold"})) == [
        "NAV Indre Salten"
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"county": "99"}, "county"), ({"municipality": "abcd"}, "municipality")],
)
def test_invalid_filter_values_answer_400_naming_the_field(signed_in, params, field):
    response = signed_in.get(reverse("offices:list"), params)
    assert response.status_code == 400
    assert field in response.context["filter"].errors
    assert response.context["page"] is None


def test_office_detail_shows_served_municipalities_and_host(signed_in):
    response = signed_in.get(reverse("offices:detail", args=["indre-salten"]))
    assert response.status_code == 200
    memberships = response.context["office"].current_memberships
    assert len(memberships) == 5
    assert [m.municipality.number for m in memberships if m.is_host] == ["1841"]


def test_unknown_office_code_is_404(signed_in):
    assert signed_in.get(reverse("offices:detail", args=["finnes-ikke"])).status_code == 404


def test_list_query_count_does_not_grow_with_offices(signed_in, django_assert_max_num_queries):
    with django_assert_max_num_queries(15) as few:
        signed_in.get(reverse("offices:list"))
    for _ in range(30):
        factories.OfficeMunicipalityFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(reverse("offices:list"))


def test_detail_query_count_is_bounded(signed_in, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        signed_in.get(reverse("offices:detail", args=["indre-salten"]))
