"""Shared fixtures. The suite runs on SQLite with eager Celery by default, and on PostgreSQL,
Redis and a real worker when DATABASE_URL / CELERY_BROKER_URL are set (see .ci/run).

With ``REQUIRE_SERVICES=1`` a test that would skip for want of a service fails instead.
"""

import os
import shutil

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from navpartner.celery import app as celery_app

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip, or fail under REQUIRE_SERVICES=1, where nothing may be skipped."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _test_settings(request, settings, tmp_path):
    """Each test writes report files into its own folder; passwords hash fast in tests.

    Tests with the real worker keep the configured MEDIA_ROOT, which the worker shares.
    """
    if not request.node.get_closest_marker("services"):
        settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # throttling counts live in the cache; no test inherits another's


def wsgi_application_for_tests(environ, start_response):
    """The project's WSGI app, for tools that call it in-process (schemathesis).

    Like Django's test client, it keeps the app from closing the test's database connection
    at the start and end of each request: on PostgreSQL that would end the test's transaction.
    """
    from navpartner.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return [body]


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Run tasks in-process, unless the test asks for the real worker (marker ``services``)."""
    if request.node.get_closest_marker("services"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def demo_data(db, settings):
    """The demo offices and users of ``seed_demo``."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return settings.DEMO_PASSWORD


@pytest.fixture
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        skip_or_fail("no Chromium found (install Debian's chromium or set CHROMIUM_PATH)")
    return path
