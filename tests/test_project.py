"""Settings, health, admin, demo data: the project as a whole."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection

from navpartner import demo
from navpartner.celery import app as celery_app
from offices.models import Office, OfficeMunicipality
from tests.conftest import REQUIRE_SERVICES, skip_or_fail
from users.models import RoleAssignment, User

BASE_DIR = Path(__file__).resolve().parent.parent
# Strong enough for production's check: 50 characters, many different ones.
STRONG_SECRET_KEY = "tq3Vb8-Lm0xZr5KwYc2Hn7JdPf4Gs9AeUo1iR6NjXk_MpTa-Qv"


def run_settings(env: dict) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly this environment."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    clean.pop("NAVPARTNER_ENV", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import navpartner.settings as s; print(s.DEBUG, s.LANGUAGE_CODE)"],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "navpartner.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NAVPARTNER_ENV": "production"}, "DJANGO_SECRET_KEY"),
        (
            {"NAVPARTNER_ENV": "production", "DJANGO_SECRET_KEY": STRONG_SECRET_KEY},
            "DJANGO_ALLOWED_HOSTS",
        ),
        ({"NAVPARTNER_ENV": "production", "DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secret_and_hosts(env, message):
    result = run_settings(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_starts_with_secret_and_hosts(tmp_path):
    result = run_settings(
        {
            "NAVPARTNER_ENV": "production",
            "DJANGO_SECRET_KEY": STRONG_SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "navpartner.example",
            "NAVPARTNER_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "nb"]


def test_embedded_default_needs_nothing(tmp_path):
    """No environment: SQLite under var/, eager Celery, a generated (not committed) key."""
    code = (
        "import navpartner.settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.TIME_ZONE)"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL"} and not key.startswith("DJANGO_")
    }
    env["NAVPARTNER_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "Europe/Oslo"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_healthz_reports_database_and_eager_tasks(client):
    """Tests run tasks eagerly (``_eager_celery``): no broker is asked, with or without one."""
    assert celery_app.conf.task_always_eager
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


@pytest.mark.services
@pytest.mark.django_db
def test_healthz_reaches_the_real_broker(client, settings):
    """With a broker configured (CI: Redis), the check really connects to it and pings."""
    if not settings.CELERY_BROKER_URL:
        skip_or_fail("no CELERY_BROKER_URL: there is no real broker to check")
    assert not celery_app.conf.task_always_eager
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker(client, monkeypatch):
    from navpartner.celery import app

    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, broker
    assert response.status_code == 503
    assert response.json()["broker"] == "error"


@pytest.mark.django_db
def test_seed_demo_is_idempotent(demo_data):
    counts = (Office.objects.count(), OfficeMunicipality.objects.count(), User.objects.count())
    roles = RoleAssignment.objects.count()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (
        Office.objects.count(),
        OfficeMunicipality.objects.count(),
        User.objects.count(),
    ) == counts
    assert RoleAssignment.objects.count() == roles
    assert set(Office.objects.values_list("code", flat=True)) >= {row[0] for row in demo.OFFICES}


@pytest.mark.django_db
def test_demo_users_named_in_the_issue_exist_and_can_sign_in(client, demo_data):
    for username in (
        "leder.heimdal",
        "stat.heimdal",
        "kommune.heimdal",
        "stat.lerkendal",
        "kommune.lerkendal",
        "radmann.trondheim",
        "fylkesdirektor.trondelag",
        "fylkesdirektor.nordland",
        "radmann.fauske",
        "radmann.saltdal",
        "admin",
    ):
        assert client.login(username=username, password=demo_data), username
    assert User.objects.get(username="kommune.heimdal").employer_side == "municipal"
    assert User.objects.get(username="stat.heimdal").employer_side == "state"
    assert User.objects.get(username="admin").is_superuser


def test_every_model_is_in_the_admin():
    from django.apps import apps

    ours = {"offices", "users", "reports", "agreements", "scorecards"}
    for model in apps.get_models():
        if model._meta.app_label in ours:
            assert admin.site.is_registered(model), model


@pytest.mark.django_db
def test_admin_lists_load_with_search_and_filters(client, demo_data):
    client.login(username="admin", password=demo_data)
    for model, model_admin in admin.site._registry.items():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
        if model_admin.search_fields:
            assert client.get(url, {"q": "heimdal"}).status_code == 200, url


@pytest.mark.django_db
def test_bokmal_by_default_and_english_on_request(client):
    response = client.get("/logg-inn/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "nb"
    assert '<html lang="nb"' in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/logg-inn/"})
    response = client.get("/logg-inn/")
    assert '<html lang="en"' in response.content.decode()
    assert "Sign in" in response.content.decode()


@pytest.mark.django_db
def test_sign_in_failure_gives_no_hint(client, demo_data):
    wrong_password = client.post("/logg-inn/", {"username": "leder.heimdal", "password": "x"})
    unknown_user = client.post("/logg-inn/", {"username": "ukjent", "password": "x"})
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert (
        wrong_password.context["form"].non_field_errors()
        == unknown_user.context["form"].non_field_errors()
    )
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_header_shows_name_employer_and_roles(client, demo_data):
    client.login(username="kommune.heimdal", password=demo_data)
    html = client.get("/").content.decode()
    assert "Kari Moe" in html
    assert "Trondheim" in html
    assert "NAV Heimdal" in html


@pytest.mark.django_db
def test_static_files_are_served_by_the_app(client):
    response = client.get("/static/vendor/aksel/aksel-ds-css-8.16.2.min.css")
    assert response.status_code == 200


def test_database_is_the_configured_one():
    """The suite runs on the database DATABASE_URL names: SQLite without one, PostgreSQL in CI."""
    url = os.environ.get("DATABASE_URL", "")
    if REQUIRE_SERVICES:
        assert url.startswith(("postgres://", "postgresql://")), url
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
def test_sign_in_is_refused_after_repeated_failures(client, demo_data, settings):
    from users.sign_in import too_many_failures_message

    for _attempt in range(settings.SIGN_IN_MAX_FAILURES):
        client.post("/logg-inn/", {"username": "leder.heimdal", "password": "wrong"})
    refused = client.post("/logg-inn/", {"username": "leder.heimdal", "password": demo_data})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert refused.context["form"].non_field_errors() == [too_many_failures_message()]
    # Someone else, from the same address, is not locked out.
    other = client.post("/logg-inn/", {"username": "stat.heimdal", "password": demo_data})
    assert other.status_code == 302
    # A name that does not exist gets the same treatment: no hint who has an account.
    client.logout()
    for _attempt in range(settings.SIGN_IN_MAX_FAILURES):
        client.post("/logg-inn/", {"username": "finnes.ikke", "password": "wrong"})
    unknown = client.post("/logg-inn/", {"username": "finnes.ikke", "password": "x"})
    assert unknown.context["form"].non_field_errors() == [too_many_failures_message()]


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_count(client, demo_data, settings):
    for _attempt in range(settings.SIGN_IN_MAX_FAILURES - 1):
        client.post("/logg-inn/", {"username": "leder.heimdal", "password": "wrong"})
    client.post("/logg-inn/", {"username": "leder.heimdal", "password": demo_data})
    assert "_auth_user_id" in client.session
    client.logout()
    client.post("/logg-inn/", {"username": "leder.heimdal", "password": "wrong"})
    ok = client.post("/logg-inn/", {"username": "leder.heimdal", "password": demo_data})
    assert ok.status_code == 302
