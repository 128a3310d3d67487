"""Lost reports come back by themselves, within bounds; and nobody may ask for reports unboundedly.

A worker child killed mid-render leaves its report ``running``; a lost message leaves it
``queued``. The broker redelivers (reject on worker lost, the visibility timeout) and the
housekeeping task re-queues what is still stuck, up to ``REPORT_MAX_ATTEMPTS`` renders. These run
with eager Celery: the re-sent task renders in-process when the housekeeping commits.
"""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework.test import APIClient

from navpartner.celery import app as celery_app
from navpartner.settings import check_report_timings
from reports.models import ReportKind, ReportRequest, ReportStatus
from reports.services import (
    RENDER_ABANDONED,
    RENDER_GAVE_UP,
    report_render,
    reports_housekeeping,
)
from reports.throttling import TOO_MANY_REPORTS
from users.models import User

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def requester(demo_data):
    return User.objects.get(username="radmann.fauske")


def stored_report(user, *, status, requested_minutes_ago, started_minutes_ago=None, attempts=0):
    """A report as a lost worker or a lost message leaves it."""
    now = timezone.now()
    report = ReportRequest.objects.create(
        kind=ReportKind.OFFICE_FACT_SHEET,
        parameters={"office": "indre-salten"},
        subject="NAV Indre Salten",
        requested_by=user,
        language="en",
        status=status,
        attempts=attempts,
        rendered_by="dead-host/pid-1" if started_minutes_ago is not None else "",
        started_at=(
            now - datetime.timedelta(minutes=started_minutes_ago)
            if started_minutes_ago is not None
            else None
        ),
    )
    # requested_at is auto_now_add: set the past with an update.
    ReportRequest.objects.filter(pk=report.pk).update(
        requested_at=now - datetime.timedelta(minutes=requested_minutes_ago)
    )
    report.refresh_from_db()
    return report


def housekeeping(capture) -> tuple[dict, int]:
    """Run the housekeeping and then, as a commit would, the renders it queued."""
    with capture(execute=True) as callbacks:
        result = reports_housekeeping()
    return result, len(callbacks)


# --- housekeeping re-queues ---------------------------------------------------------------------


def test_a_stale_running_report_is_queued_again_and_done_once(
    requester, django_capture_on_commit_callbacks
):
    report = stored_report(
        requester,
        status=ReportStatus.RUNNING,
        requested_minutes_ago=45,
        started_minutes_ago=40,
        attempts=1,
    )
    result, sent = housekeeping(django_capture_on_commit_callbacks)
    assert (result["requeued"], result["abandoned"], sent) == (1, 0, 1)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 2
    assert report.file_size > 1000
    assert report.rendered_by != "dead-host/pid-1"
    # Done once: a second run finds nothing to do and the report stays as it is.
    result, sent = housekeeping(django_capture_on_commit_callbacks)
    assert (result["requeued"], sent) == (0, 0)
    again = ReportRequest.objects.get(pk=report.pk)
    assert (again.status, again.attempts, again.file.name) == (
        ReportStatus.DONE,
        2,
        report.file.name,
    )


def test_a_report_that_used_up_its_attempts_fails_with_a_reason(
    requester, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_MAX_ATTEMPTS = 3
    report = stored_report(
        requester,
        status=ReportStatus.RUNNING,
        requested_minutes_ago=100,
        started_minutes_ago=31,
        attempts=3,
    )
    result, sent = housekeeping(django_capture_on_commit_callbacks)
    assert (result["requeued"], result["abandoned"], sent) == (0, 1, 0)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.finished_at is not None
    assert not report.file
    with translation.override("en"):
        assert report.error == _(RENDER_GAVE_UP) % {"attempts": 3}
    assert "3 attempts" in report.error


def test_a_long_queued_report_is_sent_again_and_done(requester, django_capture_on_commit_callbacks):
    report = stored_report(requester, status=ReportStatus.QUEUED, requested_minutes_ago=6)
    result, sent = housekeeping(django_capture_on_commit_callbacks)
    assert (result["requeued"], sent) == (1, 1)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 1


def test_a_report_queued_past_every_attempt_is_failed(
    requester, django_capture_on_commit_callbacks
):
    report = stored_report(requester, status=ReportStatus.QUEUED, requested_minutes_ago=91)
    result, sent = housekeeping(django_capture_on_commit_callbacks)
    assert (result["requeued"], result["abandoned"], sent) == (0, 1, 0)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    with translation.override("en"):
        assert report.error == _(RENDER_ABANDONED)


def test_fresh_queued_and_running_reports_are_left_alone(
    requester, django_capture_on_commit_callbacks
):
    queued = stored_report(requester, status=ReportStatus.QUEUED, requested_minutes_ago=2)
    running = stored_report(
        requester,
        status=ReportStatus.RUNNING,
        requested_minutes_ago=45,
        started_minutes_ago=20,
        attempts=1,
    )
    result, sent = housekeeping(django_capture_on_commit_callbacks)
    assert (result["requeued"], result["abandoned"], sent) == (0, 0, 0)
    for report, status in ((queued, ReportStatus.QUEUED), (running, ReportStatus.RUNNING)):
        fresh = ReportRequest.objects.get(pk=report.pk)
        assert (fresh.status, fresh.attempts, fresh.started_at) == (
            status,
            report.attempts,
            report.started_at,
        )


# --- redelivery -----------------------------------------------------------------------------


def test_a_redelivered_message_takes_over_a_report_its_dead_worker_left_running(requester):
    report = stored_report(
        requester,
        status=ReportStatus.RUNNING,
        requested_minutes_ago=2,
        started_minutes_ago=1,
        attempts=1,
    )
    # A duplicate (not redelivered) message leaves a recently started render to its worker ...
    assert report_render(report_id=report.id, worker="other/pid-2") is None
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.RUNNING, 1)
    # ... but the broker redelivers only when that worker died: the render starts over.
    done = report_render(report_id=report.id, worker="other/pid-2", redelivered=True)
    assert done.status == ReportStatus.DONE, done.error
    assert (done.attempts, done.rendered_by) == (2, "other/pid-2")
    # A redelivery of a finished report does nothing.
    assert report_render(report_id=report.id, worker="third/pid-3", redelivered=True) is None


# --- configuration --------------------------------------------------------------------------


def test_celery_redelivers_on_worker_loss_and_recycles_children(settings):
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    timeout = conf.broker_transport_options["visibility_timeout"]
    assert conf.task_time_limit < timeout < settings.REPORT_STALE_AFTER_MINUTES * 60
    assert conf.worker_max_tasks_per_child > 0
    assert conf.worker_max_memory_per_child > 0


@pytest.mark.parametrize(
    "timings",
    [
        {"visibility_timeout": 3600},  # longer than the stale threshold (30 min)
        {"visibility_timeout": 300},  # not longer than the hard time limit
        {"visibility_timeout": 200},
        {"soft_time_limit": 300},
    ],
)
def test_timings_in_the_wrong_order_are_refused(timings):
    good = {
        "time_limit": 300,
        "soft_time_limit": 240,
        "visibility_timeout": 600,
        "stale_after_minutes": 30,
    }
    check_report_timings(**good)
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_VISIBILITY_TIMEOUT"):
        check_report_timings(**(good | timings))


# --- throttle -------------------------------------------------------------------------------

REPORT = {"kind": "office_fact_sheet", "parameters": {"office": "indre-salten"}}


def test_the_api_refuses_too_many_report_requests_per_user(requester, settings):
    settings.REPORT_CREATE_RATE = "2/min"
    api = APIClient()
    api.force_authenticate(requester)
    answers = [api.post("/api/v1/reports/", REPORT, format="json") for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    refused = answers[-1]
    assert set(refused.json()) == {"detail"}
    assert int(refused["Retry-After"]) > 0
    assert ReportRequest.objects.filter(requested_by=requester).count() == 2
    # Reading is not limited, and another user has their own count.
    assert api.get("/api/v1/reports/").status_code == 200
    other = APIClient()
    other.force_authenticate(User.objects.get(username="radmann.saltdal"))
    assert other.post("/api/v1/reports/", REPORT, format="json").status_code == 202


def test_the_page_refuses_too_many_report_requests_and_stores_nothing(client, requester, settings):
    settings.REPORT_CREATE_RATE = "2/min"
    client.force_login(requester)
    form = {"kind": "office_fact_sheet", "office": "indre-salten"}
    # The page and the API share one count.
    api = APIClient()
    api.force_authenticate(requester)
    assert api.post("/api/v1/reports/", REPORT, format="json").status_code == 202
    assert client.post(reverse("reports:list"), form).status_code == 302
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = client.post(reverse("reports:list"), form)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.context["form"].non_field_errors() == [TOO_MANY_REPORTS]
    assert ReportRequest.objects.filter(requested_by=requester).count() == 2
