"""``manage.py check --deploy`` with docker-compose.yml's defaults, and the secret key rule.

Compose serves plain http for a first try on one machine, so the only warning left is the one
plain http implies: security.W008, ``SECURE_SSL_REDIRECT`` off (README, "Production"). Any other
warning that creeps in (a weak secret, a missing header, a library's deployment check) fails here.
Each check runs in a subprocess: the settings are read once per process, at start.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from navpartner.settings import weak_secret_key

ROOT = Path(__file__).resolve().parent.parent
# The warnings that plain http implies; README's "Production" section says why each is there.
PLAIN_HTTP_WARNINGS = {"security.W008"}
# `${NAME:-default}` and `${NAME:?message}` in docker-compose.yml.
DEFAULT = re.compile(r"^\$\{(\w+):-([^}]*)\}$")
REQUIRED = re.compile(r"^\$\{(\w+):\?[^}]*\}$")
CHECK_ID = re.compile(r"^\S*: \((\w+\.[A-Z]\d+)\)", re.MULTILINE)


def strong_secret() -> str:
    return secrets.token_urlsafe(50)


def compose_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment web, worker and beat get from compose when only the secret key is set."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = {}
    for name, value in compose["x-app-environment"].items():
        value = str(value)
        if match := DEFAULT.match(value):
            value = match.group(2)
        elif REQUIRED.match(value):
            value = strong_secret() if name == "DJANGO_SECRET_KEY" else pytest.fail(name)
        environment[name] = value
    return {
        "PATH": os.environ["PATH"],
        **environment,
        # The Dockerfile sets /app/var; here a folder of this test's own.
        "NAVPARTNER_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "var" / "media"),
        **overrides,
    }


def manage(tmp_path: Path, *args: str, **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=compose_environment(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_defaults_warn_only_of_plain_http(tmp_path):
    result = manage(tmp_path, "check", "--deploy")
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert set(CHECK_ID.findall(output)) == PLAIN_HTTP_WARNINGS, output


def test_behind_tls_the_deploy_check_is_clean(tmp_path):
    result = manage(tmp_path, "check", "--deploy", DJANGO_SECURE_SSL_REDIRECT="true")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "a" * 40,  # the key of the finding: long enough for the old rule, one letter
        "ab" * 30,  # long, but only two different characters
        "django-insecure-" + secrets.token_urlsafe(50),  # what startproject writes
        secrets.token_urlsafe(50)[:49],  # one short of Django's minimum
        "",
    ],
    ids=["40-same-letter", "2-distinct", "django-insecure", "49-characters", "empty"],
)
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    assert weak_secret_key(key)
    result = manage(tmp_path, "check", DJANGO_SECRET_KEY=key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_accepts_a_strong_secret_key(tmp_path):
    key = strong_secret()
    assert not weak_secret_key(key)
    result = manage(tmp_path, "check", DJANGO_SECRET_KEY=key)
    assert result.returncode == 0, result.stderr


def test_the_dockerfiles_build_time_key_passes_the_rule():
    """collectstatic runs at image build with production settings and a throwaway key."""
    keys = re.findall(r"DJANGO_SECRET_KEY=(\S+)", (ROOT / "Dockerfile").read_text())
    assert keys
    for key in keys:
        assert not weak_secret_key(key), key
