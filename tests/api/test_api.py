"""The API shell: token and session sign-in, pagination, filters, errors, schema and docs."""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from users.api.views import INVALID_CREDENTIALS

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(demo_data):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "radmann.fauske", "password": demo_data}
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_token_for_username_and_password(demo_data):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "leder.heimdal", "password": demo_data}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "leder.heimdal"
    assert me["employer_side"] == "state"
    assert me["roles"][0]["role"] == "office_leader"
    assert me["roles"][0]["office"] == "heimdal"


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "leder.heimdal", "password": "wrong"},
        {"username": "nobody", "password": "navpartner-demo"},
    ],
)
def test_wrong_credentials_give_one_message_without_hint(demo_data, credentials):
    response = APIClient().post("/api/v1/auth/token/", credentials)
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == [str(INVALID_CREDENTIALS)]


def test_missing_credentials_name_the_fields(db):
    response = APIClient().post("/api/v1/auth/token/", {})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}


@pytest.mark.parametrize(
    "url",
    ["/api/v1/counties/", "/api/v1/municipalities/", "/api/v1/offices/", "/api/v1/reports/"],
)
def test_anonymous_callers_get_401(db, url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_bad_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/offices/").status_code == 401


def test_session_authentication_works_too(client, demo_data):
    client.login(username="stat.heimdal", password=demo_data)
    assert client.get("/api/v1/counties/").status_code == 200


def test_lists_are_paginated(api):
    body = api.get("/api/v1/municipalities/", {"page_size": 100}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 357
    assert len(body["results"]) == 100
    assert body["previous"] is None
    assert "page=2" in body["next"]


def test_counties(api):
    body = api.get("/api/v1/counties/").json()
    assert body["count"] == 15
    assert api.get("/api/v1/counties/50/").json() == {"number": "50", "name": "Trøndelag"}
    assert api.get("/api/v1/counties/99/").status_code == 404


def test_municipalities_filter_by_county(api):
    body = api.get("/api/v1/municipalities/", {"county": "50", "page_size": 500}).json()
    assert body["count"] == 38
    assert {m["county"] for m in body["results"]} == {"50"}


def test_offices_show_municipalities_and_host(api):
    office = api.get("/api/v1/offices/indre-salten/").json()
    assert office["county"] == {"number": "18", "name": "Nordland"}
    assert len(office["municipalities"]) == 5
    assert [m["number"] for m in office["municipalities"] if m["is_host"]] == ["1841"]


def test_offices_filter(api):
    def codes(**params):
        return [o["code"] for o in api.get("/api/v1/offices/", params).json()["results"]]

    assert codes(county="18") == ["bodo", "indre-salten", "narvik"]
    assert codes(municipality="1845") == ["indre-salten"]
    assert codes(search="lerk") == ["lerkendal"]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/offices/", {"county": "99"}, "county"),
        ("/api/v1/offices/", {"municipality": "x"}, "municipality"),
        ("/api/v1/municipalities/", {"valid_on": "not-a-date"}, "valid_on"),
        ("/api/v1/municipalities/", {"county": "abc"}, "county"),
    ],
)
def test_invalid_filters_answer_400_naming_the_field(api, url, params, field):
    response = api.get(url, params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert field in body["errors"]


def test_unknown_office_is_a_json_404(api):
    response = api.get("/api/v1/offices/finnes-ikke/")
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"]}


def test_unknown_api_path_is_a_json_404(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_reference_data_is_read_only(api):
    assert api.post("/api/v1/offices/", {"code": "x", "name": "x"}).status_code == 405
    assert api.delete("/api/v1/counties/50/").status_code == 405


def test_list_query_counts_are_bounded(api, django_assert_max_num_queries):
    # 7: django-rest-knox reads the token (with its user) and the user's other tokens, to drop
    # expired ones.
    for url in ("/api/v1/counties/", "/api/v1/municipalities/", "/api/v1/offices/"):
        with django_assert_max_num_queries(7):
            assert api.get(url).status_code == 200


def test_schema_is_a_valid_openapi_3_document(db):
    out = io.StringIO()
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out
    )
    assert '"openapi": "3.' in out.getvalue()
    for path in ("/api/v1/offices/", "/api/v1/reports/", "/api/v1/auth/token/"):
        assert f'"{path}"' in out.getvalue()


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
