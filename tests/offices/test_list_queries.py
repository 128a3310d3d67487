"""The office list at national size: the API's office URLs are made without a ``reverse()`` per
row yet read exactly as ``reverse()`` makes them, and the office list page and API answer in a
pinned number of queries, with each filter dropdown's query run once per render."""

import datetime
import json
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.reverse import reverse as drf_reverse
from rest_framework.test import APIClient, APIRequestFactory

from offices.api.serializers import OfficeSerializer
from offices.models import County, Municipality, Office, OfficeMunicipality
from offices.selectors import office_list
from tests import factories
from users.models import User

pytestmark = pytest.mark.django_db

API_URL = "/api/v1/offices/"
LIST_URL = reverse("offices:list")
# Per request, whatever the number of offices. The API: the request's savepoint and its
# release, the count, the page of offices with their counties, their memberships. The page
# adds the session, the user, the menu's roles and employer, whether they hold or gave a
# delegation (the menu), and the county dropdown's one query; the municipality is a picker,
# which lists nothing (it searches as one types).
API_QUERIES = 5
LIST_PAGE_QUERIES = 11
LIST_PAGE_FILTERED_QUERIES = 13  # and the county and municipality asked for, to validate them


def add_offices(count: int, first: int = 0) -> None:
    """``count`` offices in Trøndelag, each serving Trondheim."""
    trondelag = factories.county("50")
    trondheim = factories.municipality("5001")
    codes = [f"scale-{n:04}" for n in range(first, first + count)]
    Office.objects.bulk_create(
        Office(code=code, name=f"NAV Skala {code}", county=trondelag, postal_place="Trondheim")
        for code in codes
    )
    OfficeMunicipality.objects.bulk_create(
        OfficeMunicipality(
            office=office, municipality=trondheim, valid_from=datetime.date(2024, 1, 1)
        )
        for office in Office.objects.filter(code__in=codes)
    )


@pytest.fixture
def api(demo_data):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="stat.heimdal"))
    return client


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


# --- The API: one reverse() per request, the same URLs -----------------------------------------


@pytest.mark.parametrize("query", ["", "&format=json"])
def test_500_offices_have_the_urls_reverse_gives(api, query):
    add_offices(500)
    response = api.get(f"{API_URL}?page_size=500{query}")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 500
    suffix = "?format=json" if query else ""
    for office in results:
        path = reverse("api:office-detail", kwargs={"code": office["code"]})
        assert office["url"] == f"http://testserver{path}{suffix}"


def test_the_list_is_byte_identical_to_reversing_each_row(api, settings):
    """The whole answer, against the same serializer with DRF's own field (reverse per row),
    for the request the API itself answered (its host, port and ``?format=``)."""

    class ReversingEachRow(OfficeSerializer):
        url = serializers.HyperlinkedIdentityField(
            view_name="api:office-detail", lookup_field="code", read_only=True
        )

    settings.ALLOWED_HOSTS = ["nav.example"]
    add_offices(50)
    Office.objects.create(code="Mixed_Case-1", name="NAV Blandet", county=factories.county())
    response = api.get(API_URL, {"page_size": 500, "format": "json"}, HTTP_HOST="nav.example:8443")
    assert response.status_code == 200
    context = {"request": response.renderer_context["request"], "format": None}
    offices = list(office_list(user=User.objects.get(username="stat.heimdal")))
    ours = JSONRenderer().render(OfficeSerializer(offices, many=True, context=context).data)
    theirs = JSONRenderer().render(ReversingEachRow(offices, many=True, context=context).data)
    assert ours == theirs
    assert JSONRenderer().render(response.data["results"]) == theirs
    urls = [office["url"] for office in json.loads(ours)]
    assert "http://nav.example:8443/api/v1/offices/Mixed_Case-1/?format=json" in urls


def test_reverse_runs_once_per_request_not_once_per_office(api):
    add_offices(500)
    with mock.patch("rest_framework.relations.reverse", wraps=drf_reverse) as spy:
        response = api.get(f"{API_URL}?page_size=500")
    assert len(response.json()["results"]) == 500
    assert spy.call_count == 1


def test_an_unsaved_office_has_no_url(demo_data):
    request = APIRequestFactory().get(API_URL)
    data = OfficeSerializer(Office(code="ny", name="NAV Ny"), context={"request": request}).data
    assert data["url"] is None


@pytest.mark.parametrize("offices", [10, 500])
def test_api_list_queries_are_pinned(api, django_assert_num_queries, offices):
    add_offices(offices)
    with django_assert_num_queries(API_QUERIES):
        response = api.get(f"{API_URL}?page_size=500")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(500, Office.objects.count())


# --- The page: each dropdown evaluated once -------------------------------------------------


@pytest.fixture
def browser(client, demo_data):
    client.force_login(User.objects.get(username="stat.heimdal"))
    return client


def options(body: str, name: str) -> list[tuple[str, bool]]:
    """(value, selected) of each option of the select named ``name``."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', body, re.S).group(1)
    return [
        (value, bool(selected))
        for value, selected in re.findall(r'<option value="([^"]*)"( selected)?>', select)
    ]


@pytest.mark.parametrize("offices", [10, 500])
def test_office_list_page_queries_are_pinned(browser, django_assert_num_queries, offices):
    add_offices(offices)
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        response = browser.get(LIST_URL)
    assert response.status_code == 200
    with django_assert_num_queries(LIST_PAGE_FILTERED_QUERIES):
        response = browser.get(LIST_URL, {"county": "50", "municipality": "5001"})
    assert response.status_code == 200


def test_each_dropdown_runs_its_query_once(browser):
    """The county dropdown reads its choices once; the municipality picker not at all."""
    with CaptureQueriesContext(connection) as captured:
        browser.get(LIST_URL)
    counties = [q for q in captured if 'FROM "offices_county"' in q["sql"]]
    municipalities = [q for q in captured if 'FROM "offices_municipality"' in q["sql"]]
    listing = [q for q in counties if "ORDER BY" in q["sql"]]
    assert len(listing) == 1, [q["sql"] for q in counties]
    assert municipalities == [], "the municipality picker lists nothing on the page"
    assert not [q for q in counties + municipalities if "COUNT(" in q["sql"]]


def test_dropdowns_list_every_choice_and_mark_the_chosen_one(browser):
    body = browser.get(LIST_URL, {"county": "50", "municipality": "5001"}).content.decode()
    counties = options(body, "county")
    assert [value for value, _ in counties] == [
        "",
        *County.objects.values_list("number", flat=True),
    ]
    assert [value for value, selected in counties if selected] == ["50"]
    # The municipality picker is a text field showing the chosen one's name and number.
    picker = re.search(r'<input[^>]*name="municipality"[^>]*>', body).group(0)
    assert 'value="Trondheim - Tråante (5001)"' in picker
    assert 'role="combobox"' not in picker  # the script makes it one; without it, a text field
    assert Municipality.objects.valid_on().filter(number="5001").exists()
    unfiltered = browser.get(LIST_URL).content.decode()
    # Unfiltered, the empty "all counties" option is the chosen one.
    assert [value for value, selected in options(unfiltered, "county") if selected] == [""]
