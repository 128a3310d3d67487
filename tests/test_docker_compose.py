"""docker-compose.yml and the Dockerfile, checked without Docker.

There is no Docker engine in CI, so a typo in a container command (a renamed WSGI module, a
management command that does not exist, an environment variable nobody reads) would only show
up when someone runs ``docker compose up``. These tests read the files and check every name in
them against the code: they need neither Docker nor a database.
"""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS_FILE = ROOT / "navpartner" / "settings.py"

SERVICES = ("db", "redis", "web", "worker", "beat")
APP_SERVICES = ("web", "worker", "beat")
# beat has no health check on purpose: it has no endpoint to ask (see docker-compose.yml).
SERVICES_WITH_HEALTHCHECK = ("db", "redis", "web", "worker")

# How the shell command of `sh -c "..."` is split into simple commands.
SHELL_SEPARATORS = re.compile(r"&&|\|\||;|\n")
# gunicorn's APP_MODULE argument, `package.module:attribute`.
GUNICORN_APP = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*")


def load_compose() -> dict:
    # safe_load understands the `<<: *app` merge keys, so services come back fully merged.
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


def simple_commands(command: list[str] | str) -> list[list[str]]:
    """The argument vectors a service's ``command:`` runs, unwrapping ``sh -c "a && exec b"``."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] in (["sh", "-c"], ["bash", "-c"]):
        parts = [shlex.split(part) for part in SHELL_SEPARATORS.split(argv[2])]
        parts = [part for part in parts if part]
    else:
        parts = [argv]
    return [part[1:] if part[0] == "exec" else part for part in parts]


def app_commands() -> list[tuple[str, list[str]]]:
    """(service, argv) for every simple command of web, worker and beat, for parametrising."""
    services = load_compose()["services"]
    return [
        (name, argv) for name in APP_SERVICES for argv in simple_commands(services[name]["command"])
    ]


def option_value(argv: list[str], *names: str) -> str | None:
    """The value of ``-A X``, ``--app X`` or ``--app=X`` style options, or None."""
    for i, arg in enumerate(argv):
        if arg in names and i + 1 < len(argv):
            return argv[i + 1]
        for name in names:
            if name.startswith("--") and arg.startswith(f"{name}="):
                return arg.split("=", 1)[1]
    return None


def test_all_services_are_defined(compose):
    """The stack is database, broker, web, worker and beat; nothing may quietly go missing."""
    assert set(SERVICES) <= set(compose["services"])


@pytest.mark.parametrize("service", SERVICES_WITH_HEALTHCHECK)
def test_service_has_healthcheck(compose, service):
    """``depends_on: condition: service_healthy`` waits forever on a service with no check."""
    healthcheck = compose["services"][service].get("healthcheck")
    assert healthcheck, f"{service} has no healthcheck"
    assert healthcheck.get("test"), f"{service}'s healthcheck has no test"


def test_web_healthcheck_asks_a_real_url(compose):
    """The web health check must call /healthz, and /healthz must be routed to the view."""
    test = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in test
    assert resolve("/healthz").url_name == "healthz"


def test_named_volumes_are_declared(compose):
    """Every named volume a service mounts must be declared at the top level."""
    declared = set(compose.get("volumes") or {})
    assert {"pgdata", "redisdata", "media"} <= declared
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if not source.startswith((".", "/", "~")):  # a bind mount is a path
                assert source in declared, f"{name} mounts undeclared volume {source!r}"


def test_web_and_worker_share_media(compose):
    """The worker writes report PDFs that web serves, so both mount `media` at MEDIA_ROOT."""
    for name in ("web", "worker"):
        service = compose["services"][name]
        media_root = service["environment"]["MEDIA_ROOT"]
        assert f"media:{media_root}" in service["volumes"], f"{name} does not mount media"


@pytest.mark.parametrize(("service", "argv"), app_commands())
def test_command_names_real_code(service, argv):
    """Each program a service runs must point at code that exists in this project.

    gunicorn ``module:attr`` must import, ``celery -A x`` must find a Celery app the way the
    celery command does, and ``python manage.py cmd`` must be a known management command.
    """
    program = Path(argv[0]).name
    if program == "gunicorn":
        # Dotted identifiers on both sides, so a `--bind host:port` value does not match.
        targets = [arg for arg in argv[1:] if GUNICORN_APP.fullmatch(arg)]
        assert len(targets) == 1, f"{service}: no single module:attr in {argv}"
        module_name, attr = targets[0].split(":")
        assert hasattr(importlib.import_module(module_name), attr), targets[0]
    elif program == "celery":
        app_name = option_value(argv, "-A", "--app")
        assert app_name, f"{service}: celery without -A in {argv}"
        assert isinstance(find_app(app_name), Celery), app_name
    elif program in ("python", "python3") and argv[1:2] == ["manage.py"]:
        assert argv[2] in get_commands(), f"{service}: no management command {argv[2]!r}"
    else:
        pytest.fail(f"{service}: this test does not know how to check {argv}")


def test_celery_app_is_exposed():
    """``celery -A navpartner`` relies on the package exposing the app from navpartner.celery."""
    package = importlib.import_module("navpartner")
    assert isinstance(package.celery_app, Celery)
    assert package.celery_app is importlib.import_module("navpartner.celery").app


def test_app_environment_is_read_by_settings(compose):
    """An environment variable that settings never read is a setting that silently does nothing."""
    settings_source = SETTINGS_FILE.read_text()
    names = {
        name for service in APP_SERVICES for name in compose["services"][service]["environment"]
    }
    assert names
    for name in sorted(names):
        pattern = rf"env\.\w+\(\s*\"{re.escape(name)}\""
        assert re.search(pattern, settings_source), f"settings.py does not read {name}"


def test_dockerfile_installs_an_existing_requirements_file():
    """The image installs the pinned set; a moved requirements file would break the build."""
    files = re.findall(r"pip install\b[^\n]*?-r\s+(\S+)", DOCKERFILE.read_text())
    assert files, "the Dockerfile has no `pip install -r`"
    for name in files:
        assert (ROOT / name).is_file(), f"the Dockerfile installs missing {name}"
