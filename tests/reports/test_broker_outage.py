"""A broker or cache that is down gives clear answers and stores nothing (issue 7, finding 3).

In-process, with the broker and cache pointed at a port where nothing listens; the fault suite
(``tests/faults``) does the same against a real Redis that it stops. These run everywhere.
"""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from navpartner.broker import broker_reachable
from navpartner.celery import app as celery_app
from reports.models import ReportRequest, ReportStatus
from reports.services import QUEUE_UNAVAILABLE, report_request_create
from tests.servers import free_port
from users.models import User

pytestmark = pytest.mark.django_db

FACT_SHEET = {"kind": "office_fact_sheet", "parameters": {"office": "indre-salten"}}


def queue_unavailable() -> str:
    """The message as a client without a language choice reads it: bokmål."""
    with translation.override("nb"):
        return translation.gettext(QUEUE_UNAVAILABLE)


@pytest.fixture
def dead_broker(monkeypatch):
    """The app's broker is a Redis that is not there; tasks are no longer run in-process."""
    # Celery reads the CELERY_BROKER_URL environment variable before its configuration.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous


@pytest.fixture
def dead_cache():
    location = f"redis://127.0.0.1:{free_port()}/1"
    backend = "django.core.cache.backends.redis.RedisCache"
    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    with override_settings(
        CACHES={"default": {"BACKEND": backend, "LOCATION": location, "OPTIONS": options}}
    ):
        yield


@pytest.fixture
def requester(demo_data):
    return User.objects.get(username="radmann.fauske")


def test_the_broker_check_says_no_when_nothing_answers(dead_broker):
    assert broker_reachable() is False


def test_the_api_answers_503_with_retry_after_and_stores_nothing(dead_broker, requester):
    client = APIClient()
    client.force_authenticate(requester)
    before = ReportRequest.objects.count()
    response = client.post("/api/v1/reports/", FACT_SHEET, format="json")
    assert response.status_code == 503, response.content
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"] == queue_unavailable()
    assert ReportRequest.objects.count() == before


def test_the_page_answers_503_with_the_reason_and_stores_nothing(dead_broker, requester, client):
    client.force_login(requester)
    before = ReportRequest.objects.count()
    response = client.post(
        reverse("reports:list"), {"kind": "office_fact_sheet", "office": "indre-salten"}
    )
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert queue_unavailable() in response.content.decode()
    assert ReportRequest.objects.count() == before


def test_a_publish_lost_after_the_check_leaves_a_queued_row_for_housekeeping(
    dead_broker, requester, monkeypatch, django_capture_on_commit_callbacks
):
    """The broker answered the check, then went away before the commit: the request stands."""
    monkeypatch.setattr("reports.services.broker_reachable", lambda: True)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request_create(
            user=requester, kind="office_fact_sheet", parameters={"office": "indre-salten"}
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED  # and housekeeping re-sends it (test_recovery)


def test_token_sign_in_works_with_the_cache_down(dead_cache, demo_data):
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "radmann.fauske", "password": demo_data},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["token"]


def test_form_sign_in_works_with_the_cache_down(dead_cache, demo_data, client):
    response = client.post(reverse("login"), {"username": "radmann.fauske", "password": demo_data})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_report_requests_go_on_with_the_cache_down(dead_cache, requester):
    """The per-user limit counts in the cache; without it the request is let through."""
    client = APIClient()
    client.force_authenticate(requester)
    response = client.post("/api/v1/reports/", FACT_SHEET, format="json")
    assert response.status_code == 202, response.content
