"""A report sent through the real Celery worker, over the real Redis broker (CI).

.ci/run starts the worker with DATABASE_URL pointing at the test database that pytest-django
creates, so the worker sees what this test commits. Without a broker the test is skipped — or
fails, under REQUIRE_SERVICES=1.
"""

import os
import time

import pytest
from django.conf import settings
from django.urls import reverse

from navpartner.celery import app as celery_app
from reports.models import ReportRequest, ReportStatus
from tests.conftest import skip_or_fail
from users.models import User

WORKER_WAIT_SECONDS = 90


@pytest.fixture
def real_worker():
    if not settings.CELERY_BROKER_URL:
        skip_or_fail("no CELERY_BROKER_URL: there is no real broker to send the report through")
    replies = celery_app.control.ping(timeout=5.0)
    if not replies:
        skip_or_fail("no Celery worker answered a ping on the broker")
    return replies


@pytest.mark.services
# transaction=True so the worker sees committed rows; serialized_rollback so the reference data
# of the data migration is back for the tests after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fact_sheet_goes_through_the_real_worker(real_worker, client, demo_data):
    assert not celery_app.conf.task_always_eager
    client.force_login(User.objects.get(username="radmann.fauske"))
    response = client.post(
        reverse("reports:list"), {"kind": "office_fact_sheet", "office": "indre-salten"}
    )
    assert response.status_code == 302
    report = ReportRequest.objects.get()

    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            break
        time.sleep(0.5)
    assert report.status == ReportStatus.DONE, (report.status, report.error)
    # Rendered by another process: the worker, not this one.
    assert report.rendered_by
    assert not report.rendered_by.endswith(f"/pid-{os.getpid()}")
    download = client.get(reverse("reports:download", args=[report.id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
