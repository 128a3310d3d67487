"""``GET /api/v1/readiness/``: the offices whose joint data the caller may see, with their
criteria; filters by county, municipality and office; paginated; constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from offices.models import County, Municipality, Office, OfficeMunicipality
from reviews.readiness import CRITERION_KEYS
from users.models import User

pytestmark = pytest.mark.django_db

URL = "/api/v1/readiness/"
TRONDELAG = {"heimdal", "lerkendal", "midtbyen", "ostbyen", "malvik", "stjordal"}
TRONDHEIM = {"heimdal", "lerkendal", "midtbyen", "ostbyen"}


def api(username: str | None) -> APIClient:
    client = APIClient()
    if username:
        client.force_authenticate(User.objects.get(username=username))
    return client


def codes(response) -> set[str]:
    return {row["office"]["code"] for row in response.json()["results"]}


def test_anonymous_gets_401(demo_data):
    assert api(None).get(URL).status_code == 401


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("fylkesdirektor.trondelag", TRONDELAG),
        ("radmann.trondheim", TRONDHEIM),
        ("leder.heimdal", {"heimdal"}),
        ("kommune.lerkendal", {"lerkendal"}),
        ("fylkesdirektor.nordland", {"indre-salten", "narvik", "bodo"}),
        ("direktorat.admin", set()),
        ("statistikk.klient", set()),
    ],
)
def test_only_offices_whose_joint_data_one_sees(demo_data, username, expected):
    response = api(username).get(URL, {"page_size": 500})
    assert response.status_code == 200
    assert codes(response) == expected


def test_each_office_has_its_criteria_in_order_with_links(demo_data):
    response = api("fylkesdirektor.trondelag").get(URL, {"office": "heimdal"})
    [row] = response.json()["results"]
    assert row["office"] == {"code": "heimdal", "name": "NAV Heimdal", "county": "50"}
    assert [criterion["key"] for criterion in row["criteria"]] == list(CRITERION_KEYS)
    assert row["passed"] + row["failed"] + row["unknown"] == row["total"] == 11
    for criterion in row["criteria"]:
        assert criterion["state"] in ("passed", "failed", "unknown")
        assert criterion["source"].startswith("001 §")
        if criterion["url"]:
            assert criterion["url"].startswith("http://testserver/")
    by_key = {criterion["key"]: criterion for criterion in row["criteria"]}
    assert by_key["leader"]["state"] == "passed"
    assert by_key["cross_line_delegated"]["url"].endswith("/tilgang/gjennomgang/heimdal/")


def test_staff_get_counts_but_no_access_review_link(demo_data):
    response = api("stat.heimdal").get(URL, {"office": "heimdal"})
    [row] = response.json()["results"]
    by_key = {criterion["key"]: criterion for criterion in row["criteria"]}
    assert by_key["cross_line_delegated"]["url"] == ""
    assert by_key["cross_line_delegated"]["state"] == "passed"
    assert by_key["access_review_confirmed"]["url"] == ""


def test_another_office_is_simply_not_listed(demo_data):
    response = api("kommune.lerkendal").get(URL, {"office": "heimdal"})
    assert response.status_code == 200
    assert response.json()["count"] == 0
    response = api("fylkesdirektor.nordland").get(URL, {"county": "50"})
    assert response.json()["count"] == 0


def test_filters(demo_data):
    director = api("fylkesdirektor.trondelag")
    assert codes(director.get(URL, {"county": "50"})) == TRONDELAG
    assert codes(director.get(URL, {"municipality": "5001"})) == TRONDHEIM
    assert codes(director.get(URL, {"municipality": "5031"})) == {"malvik"}
    assert codes(director.get(URL, {"office": "finnes-ikke"})) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [({"county": "99"}, "county"), ({"municipality": "9999"}, "municipality")],
)
def test_unknown_county_or_municipality_is_a_400_naming_it(demo_data, params, field):
    response = api("fylkesdirektor.trondelag").get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_paginated(demo_data):
    response = api("fylkesdirektor.trondelag").get(URL, {"page_size": 2})
    body = response.json()
    assert body["count"] == 6
    assert len(body["results"]) == 2
    assert body["next"]


def test_queries_are_the_same_for_a_page_of_5_and_of_40_offices(demo_data):
    county = County.objects.get(number="46")
    bergen = Municipality.objects.valid_on().get(number="4601")
    director = User.objects.create_user(
        username="t-api-director", employer_side="state", employer_county=county
    )
    from users.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=director, role=Role.COUNTY_DIRECTOR, county=county)

    def add(count):
        for n in range(count):
            office = Office.objects.create(
                code=f"t-api-{count}-{n}", name=f"NAV API {count} {n}", county=county
            )
            OfficeMunicipality.objects.create(
                office=office, municipality=bergen, valid_from=bergen.valid_from
            )

    client = api(None)
    client.force_authenticate(director)
    add(5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"page_size": 500}).json()["count"] == 5
    add(35)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL, {"page_size": 500}).json()["count"] == 40
    assert len(few) == len(many)
