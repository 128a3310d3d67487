"""Property-based API tests: schemathesis fuzzes /api/v1/ against its own OpenAPI schema.

What this protects against:

- a server error (500) on any request, whether its data fits the schema or deliberately not;
- answers the schema does not describe: an undocumented status code, content type, or a JSON
  body that does not validate against the response schema. The schema is the contract clients
  are generated from, so drift between drf-spectacular's output and what the views really
  answer breaks them even when every view "works";
- a served ``/api/schema/`` that differs from the one fuzzed here.

Everything runs in-process against ``navpartner.wsgi.application`` (no server), signed in with a
real token of the demo user ``radmann.fauske``; each generated case runs inside the test's
database transaction with the demo data seeded. The run is bounded and deterministic (few
examples, derandomized, a fixed seed, no example database) so that CI is not flaky.

Known bugs are switched off one operation/check at a time below, each with its reason: fix the
bug, delete the line, and the check is back.
"""

import json

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from navpartner.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Operation label -> checks switched off for it, each naming its bug. Re-enable once fixed.
KNOWN_BUGS = {
    # BUG: /me/ answers null for employer_county / employer_municipality and for a role's
    # office / municipality / county, where the schema says a non-null string
    # (SlugRelatedField(read_only=True) without allow_null=True in users/api/serializers.py).
    "GET /api/v1/me/": {response_schema_conformance},
    # BUG: a report's download_url is null until it is done, where the schema says a non-null
    # URI (@extend_schema_field(OpenApiTypes.URI) on get_download_url drops the `| None`, in
    # reports/api/serializers.py).
    "GET /api/v1/reports/": {response_schema_conformance},
    "GET /api/v1/reports/{id}/": {response_schema_conformance},
    "POST /api/v1/reports/": {response_schema_conformance},
}

# BUG: the schema documents only the success status of each operation (and the 404 of
# download), yet they answer 400 (a filter value or body field that is not valid) and 404 (an
# unknown object, a page past the end), in the documented {"detail", "errors"} shape. Until the
# schema says so, status_code_conformance is skipped for exactly these two statuses; any other
# undocumented status (401, 403, 405, a 200 where 202 is documented, ...) still fails.
UNDOCUMENTED_ERROR_STATUSES = {400, 404}

# BUG: GET /api/v1/reports/<not a UUID>/ (e.g. /api/v1/reports/0/) and .../download/ answer
# 500: users.access.get_visible_or_404 catches ValueError/TypeError, but UUIDField raises
# django.core.exceptions.ValidationError for a malformed id. Excluded from the invalid-input
# fuzzing only; valid ids are still fuzzed by the tests above.
SERVER_ERROR_BUGS = ["/api/v1/reports/{id}/", "/api/v1/reports/{id}/download/"]


def _config(mode: str, *, coverage: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 20240601,
            "generation": {
                "mode": mode,
                "deterministic": True,
                "database": "none",
                # The token header is added to every call; no made-up session cookies on top.
                "with-security-parameters": False,
            },
            "phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}},
        }
    )


def _schema_document() -> dict:
    """The document /api/schema/ serves, built the way its view builds it. Fetching it over
    WSGI at collection time is not possible: the view needs the database (ATOMIC_REQUESTS),
    which pytest-django only opens inside tests. test_served_schema_is_the_one_fuzzed checks
    that both are the same."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _load(config: schemathesis.Config):
    loaded = schemathesis.openapi.from_dict(_schema_document(), config=config)
    loaded.app = application  # as from_wsgi() does: every call goes to the WSGI app in-process
    return loaded


schema = _load(_config("positive", coverage=False))
invalid_input_schema = _load(_config("negative", coverage=True))

HYPOTHESIS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def auth(demo_data):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "radmann.fauske", "password": demo_data}
    )
    assert response.status_code == 200
    return {"Authorization": f"Token {response.json()['token']}"}


def call_and_validate(case, auth):
    response = case.call(headers=auth)
    excluded = set(KNOWN_BUGS.get(case.operation.label, ()))
    if response.status_code in UNDOCUMENTED_ERROR_STATUSES:
        excluded.add(status_code_conformance)
    checks = [check for check in CHECKS if check not in excluded]
    case.validate_response(response, checks=checks, headers=auth)
    return response


def test_served_schema_is_the_one_fuzzed(db):
    served = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    assert served.raw_schema == schema.raw_schema


@schema.include(method="GET").parametrize()
@HYPOTHESIS
def test_get_operations(case, auth):
    call_and_validate(case, auth)


@schema.include(method="POST", path="/api/v1/reports/").parametrize()
@HYPOTHESIS
def test_queue_report(case, auth):
    response = call_and_validate(case, auth)
    assert response.status_code in (202, 400), response.text


def _fuzzed(ctx) -> bool:
    """Every read, and queueing a report. The token endpoint is left out: it is anonymous,
    throttled (10/min) and covered in test_api; so are other writes, which change data."""
    return ctx.operation.method.upper() == "GET" or ctx.operation.label == "POST /api/v1/reports/"


# /me/ takes no input, so there is nothing invalid to send it.
@(
    invalid_input_schema.include(_fuzzed)
    .exclude(path=["/api/v1/me/", *SERVER_ERROR_BUGS])
    .parametrize()
)
@HYPOTHESIS
def test_invalid_input_is_never_a_server_error(case, auth):
    response = case.call(headers=auth)
    case.validate_response(response, checks=[not_a_server_error], headers=auth)
    assert response.status_code < 500


def test_known_objects(auth, django_capture_on_commit_callbacks):
    """Random data seldom names an existing office or report, so the success answers of those
    operations get the same checks here, on real demo objects and one real report."""

    def check(label, **data):
        return call_and_validate(schema.find_operation_by_label(label).Case(**data), auth)

    check("GET /api/v1/me/")
    check("GET /api/v1/counties/{number}/", path_parameters={"number": "18"})
    check("GET /api/v1/municipalities/", query={"county": "18", "valid_on": "2024-06-01"})
    check(
        "GET /api/v1/offices/", query={"county": "18", "municipality": "1841", "search": "salten"}
    )
    check("GET /api/v1/offices/{code}/", path_parameters={"code": "indre-salten"})
    with django_capture_on_commit_callbacks() as callbacks:
        queued = check(
            "POST /api/v1/reports/",
            body={"kind": "office_fact_sheet", "parameters": {"office": "indre-salten"}},
            media_type="application/json",
        )
    assert queued.status_code == 202, queued.text
    report = {"id": queued.json()["id"]}
    check("GET /api/v1/reports/{id}/", path_parameters=report)
    assert check("GET /api/v1/reports/").json()["count"] == 1
    for callback in callbacks:
        callback()  # the commit the test transaction never makes: render the PDF (eager Celery)
    assert check("GET /api/v1/reports/{id}/", path_parameters=report).json()["status"] == "done"
    download = check("GET /api/v1/reports/{id}/download/", path_parameters=report)
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
