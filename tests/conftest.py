"""Shared fixtures. The suite runs on SQLite with eager Celery by default, and on PostgreSQL,
Redis and a real worker when DATABASE_URL / CELERY_BROKER_URL are set (see .ci/run).

With ``REQUIRE_SERVICES=1`` a test that would skip for want of a service fails instead.
"""

import os
import shutil

import pytest
from django.core.cache import cache
from django.core.management import call_command

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
