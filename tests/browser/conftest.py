"""Fixtures for the browser tests: one headless Chromium for the session, a fresh context per test.

Playwright's sync API is driven directly (pytest-playwright is not used). Chromium is Debian's
(never a browser Playwright downloads), found like the shared ``chromium_path`` fixture: the
``CHROMIUM_PATH`` variable, else ``chromium`` on the PATH; without one the tests skip, or fail
under ``REQUIRE_SERVICES=1``.

Every test here uses pytest-django's ``live_server``, so it runs on a transactional database.
Such a test ends with a flush of every table, which would also empty the SSB counties and
municipalities that a data migration loads; the ``django_db_serialized_rollback`` fixture puts
them back before each test, so ``seed_demo`` finds them, and they are put back once more after
the last browser test, for the tests that run after these.
"""

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.conftest import skip_or_fail

# Playwright's sync API keeps an asyncio event loop running in the test thread, and Django
# refuses ORM calls ("SynchronousOnlyOperation") in a thread with a running loop, which would hit
# the database work of the fixtures (seeding, the flush after each test). The ORM calls here are
# plain synchronous ones, so the check is switched off, before any test runs.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # No outside network here: no update checks, no sync, no first-run calls home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# How long one Playwright action or expectation may take (ms). Generous: CI's machine is small.
DEFAULT_TIMEOUT_MS = 15_000
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


def _chromium_executable() -> str:
    """The rule of the shared ``chromium_path`` fixture, which is function-scoped."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        skip_or_fail("no Chromium found (install Debian's chromium or set CHROMIUM_PATH)")
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright for the rest of the session, on the database connections the tests had.

    Between its calls Playwright's sync API leaves its event loop marked as running in this
    thread. Django keeps connections in an ``asgiref.local.Local(thread_critical=True)``, which
    then looks them up in a different store, so the code after the start would get new
    connection objects — without the ``_test_serialized_contents`` that the database setup
    stored on the old ones, so ``serialized_rollback`` would silently restore nothing whenever
    a database test ran before the first browser test. Handing the old connections over keeps
    one connection per alias, as in any other test.
    """
    from django.db import connections

    before = {alias: connections[alias] for alias in connections}
    with sync_playwright() as pw:
        for alias, connection in before.items():
            connections[alias] = connection
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=_chromium_executable(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_a_shared_sqlite_connection(django_db_setup) -> None:
    """On SQLite in memory the live server's request threads all use the test's one database
    connection (Django hands it over: another connection would see another, empty database).
    Two requests at once — a page's form posted while a combobox's search is still answering —
    then interleave their savepoints on that connection and fail ("no such savepoint").
    There the live server answers one request at a time; on PostgreSQL, as in CI and
    production, each request thread has its own connection and the server stays threaded.
    """
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    class OneRequestAtATime(WSGIServer):
        # The live server thread itself uses the shared connection (LiveServerThread.run).
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture(scope="module", autouse=True)
def _reference_data_left_in_place(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Put the migrated reference data back once the browser tests are done.

    Each live-server test ends with a flush of every table. Tests that come later in the run
    (transactional ones run last) would find no counties or municipalities, so the database
    is given back as the migrations left it, as Django's ``serialized_rollback`` would do it.
    """
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def context(
    browser: Browser, live_server, django_db_serialized_rollback
) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) pointed at the live server.

    The browser asks for English first (Accept-Language), as most machines' browsers do: the app
    must show bokmål anyway until the user picks another language.
    """
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", accept_downloads=True, java_script_enabled=True
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def sign_in(page: Page, demo_data: str):
    """Sign in through the sign-in form; returns the page, on the page the sign-in led to."""

    def _sign_in(username: str, password: str | None = None, *, next_path: str = "") -> Page:
        target = "/logg-inn/" + (f"?next={next_path}" if next_path else "")
        page.goto(target)
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(demo_data if password is None else password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        return page

    return _sign_in
