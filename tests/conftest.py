"""Shared fixtures. The suite runs on SQLite with eager Celery by default, and on PostgreSQL,
Redis and a real worker when DATABASE_URL / CELERY_BROKER_URL are set (see .ci/run).

With ``REQUIRE_SERVICES=1`` a test that would skip for want of a service fails instead.
"""

import io
import os
import shutil

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.test import override_settings

from navpartner.celery import app as celery_app

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
# Fast password hashing, for every test and for the demo users seeded once per session.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
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


def seed_demo_data() -> None:
    """Run ``seed_demo`` (one transaction: afterwards all of the demo data is there, or none)."""
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        call_command("seed_demo", stdout=io.StringIO())


def demo_data_present() -> bool:
    """One indexed lookup. ``seed_demo`` writes ``admin`` last, in the same transaction."""
    from users.models import User

    return User.objects.filter(username="admin", is_superuser=True).exists()


def restore_migrated_data() -> None:
    """Put back what the migrations loaded (SSB counties and municipalities) after a flush.

    pytest-django keeps that snapshot only when some collected test asks for
    ``serialized_rollback``; without one there is nothing to put back.
    """
    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the demo data loaded once for the whole session.

    Each test then runs in a transaction that is rolled back, so it starts from the same demo
    data without paying for ``seed_demo`` again. Every database test sees these rows, whether
    or not it asks for ``demo_data``: no test may assume an empty table.
    """
    with django_db_blocker.unblock():
        seed_demo_data()
    yield


@pytest.fixture
def demo_data(db):
    """The demo offices and users of ``seed_demo``; returns their password.

    Seeded once per session (``django_db_setup``). A transactional test (``transactional_db``,
    a live server, the real worker) ends with a flush of every table, and pytest-django runs
    those tests last: for them the data is seeded again when it is gone (and the migrated
    reference data put back first, if that is gone too).
    """
    if not demo_data_present():
        from offices.models import County

        if not County.objects.exists():
            restore_migrated_data()
        if not County.objects.exists():
            pytest.fail(
                "the flush of an earlier transactional test emptied the reference data: mark "
                "transactional tests django_db(transaction=True, serialized_rollback=True)"
            )
        seed_demo_data()
    return django_settings.DEMO_PASSWORD


@pytest.fixture
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        skip_or_fail("no Chromium found (install Debian's chromium or set CHROMIUM_PATH)")
    return path
