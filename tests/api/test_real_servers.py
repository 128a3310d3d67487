"""The API through real servers: Django's development server (``make run``) and gunicorn (compose).

The test client calls the WSGI app in-process and forgives what a real server does not: a
header value that is a ``str`` subclass (DRF's ``Hyperlink``) passes the test client, while
wsgiref under ``runserver`` answers 500 for it. So each server runs here as a subprocess on a
free port, with a SQLite file database of its own (migrated and seeded in the same environment),
no broker (Celery runs eagerly in the web process) and its own ``NAVPARTNER_VAR_DIR``; gunicorn
runs as in docker-compose.yml, without DEBUG. Every API family is called once through each.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from tests.servers import ROOT, Server, free_port, stop, wait_until_up

DEMO_PASSWORD = "real-server-demo-password"
NO_STORE = "private, no-store"


def run(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{argv}\n{result.stdout}\n{result.stderr}"


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing of the test run's own configuration: no broker, no other database.
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "CACHE_", "NAVPARTNER_"))
        and key not in {"MEDIA_ROOT", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        NAVPARTNER_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
        DEMO_PASSWORD=DEMO_PASSWORD,
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory) -> Path:
    """Migrated and seeded once per module, in a subprocess; each server gets a copy."""
    var_dir = tmp_path_factory.mktemp("real-seed")
    development = environment(var_dir, NAVPARTNER_ENV="development")
    run([sys.executable, "manage.py", "migrate", "--noinput"], development)
    run([sys.executable, "manage.py", "seed_demo"], development)
    return var_dir / "db.sqlite3"


@pytest.fixture(scope="module", params=["runserver", "gunicorn"])
def server(request, tmp_path_factory, seeded_database) -> Iterator[Server]:
    kind = request.param
    python = sys.executable
    if kind == "gunicorn" and not (Path(python).parent / "gunicorn").is_file():
        pytest.fail("gunicorn is a runtime dependency and must be installed")
    var_dir = tmp_path_factory.mktemp(f"real-{kind}")
    shutil.copyfile(seeded_database, var_dir / "db.sqlite3")
    development = environment(var_dir, NAVPARTNER_ENV="development")
    port = free_port()
    if kind == "runserver":
        env = development
        argv = [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    else:
        # The server compose runs, without DEBUG. Production settings would need collectstatic,
        # which takes minutes here and is the image build's business, not the server's.
        env = environment(
            var_dir,
            NAVPARTNER_ENV="development",
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
        )
        gunicorn = str(Path(python).parent / "gunicorn")
        argv = [gunicorn, "navpartner.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        argv += ["--workers", "2", "--access-logfile", "-"]
    log = var_dir / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base_url, log)
        yield Server(base_url)
    finally:
        stop(process)


@pytest.fixture(scope="module")
def token(server) -> str:
    return server.token("radmann.fauske", DEMO_PASSWORD)


def test_token_is_issued_and_refused_without_the_password(server):
    assert server.token("radmann.fauske", DEMO_PASSWORD)
    wrong = server.call(
        "POST", "/api/v1/auth/token/", data={"username": "radmann.fauske", "password": "no"}
    )
    assert wrong.status in (400, 401, 403), wrong.body
    assert "token" not in wrong.json()


def test_me(server, token):
    answer = server.call("GET", "/api/v1/me/", token=token)
    assert answer.status == 200, answer.body
    assert answer.json()["username"] == "radmann.fauske"


def test_anonymous_api_call_is_401(server):
    assert server.call("GET", "/api/v1/me/").status == 401


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/counties/", "Nordland"),
        ("/api/v1/municipalities/?county=18", "Fauske"),
        ("/api/v1/offices/", "NAV Indre Salten"),
        ("/api/v1/delegations/", None),
        ("/api/v1/role-assignments/", "radmann.fauske"),
        ("/api/v1/audit-events/", None),
        ("/api/v1/access-review/?office=indre-salten", "NAV Indre Salten"),
        ("/api/v1/services/?is_minimum=true", "kvalifiseringsprogrammet"),
        ("/api/v1/agreements/?office=indre-salten", None),
        ("/api/v1/agreement-versions/?status=draft", None),
        ("/api/v1/operating-agreements/", None),
        ("/api/v1/cooperation-agreements/", None),
        ("/api/v1/meetings/?office=indre-salten", None),
        ("/api/v1/compliance/?office=indre-salten", "NAV Indre Salten"),
    ],
)
def test_read_families(server, token, path, expected):
    answer = server.call("GET", path, token=token)
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    if expected is not None:
        assert expected in json.dumps(body, ensure_ascii=False)


def test_note_is_created_and_read_back(server, token):
    created = server.call(
        "POST",
        "/api/v1/notes/",
        token=token,
        data={"office": "indre-salten", "side": "municipal", "title": "Through a real server"},
    )
    assert created.status == 201, created.body
    note = created.json()
    read = server.call("GET", f"/api/v1/notes/{note['id']}/", token=token)
    assert read.status == 200, read.body
    assert read.json()["title"] == "Through a real server"


def test_report_is_queued_with_a_plain_location_and_downloaded(server, token):
    """The development server answered 500 here: the Location header was DRF's Hyperlink."""
    queued = server.call(
        "POST",
        "/api/v1/reports/",
        token=token,
        data={"kind": "office_fact_sheet", "parameters": {"office": "indre-salten"}},
    )
    assert queued.status == 202, queued.body
    body = queued.json()
    assert queued.headers["Location"] == body["url"]
    assert queued.headers["Location"].endswith(f"/api/v1/reports/{body['id']}/")
    # No broker: the report was rendered in the web process before the answer.
    report = server.call("GET", f"/api/v1/reports/{body['id']}/", token=token).json()
    assert report["status"] == "done", report
    download = server.call("GET", f"/api/v1/reports/{body['id']}/download/", token=token)
    assert download.status == 200
    assert download.body.startswith(b"%PDF-")
    assert download.headers["Cache-Control"] == NO_STORE


def test_sign_in_page_and_security_headers(server, token):
    page = server.call("GET", "/logg-inn/")
    assert page.status == 200
    assert b'name="username"' in page.body
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    api = server.call("GET", "/api/v1/offices/", token=token)
    assert api.headers["Cache-Control"] == NO_STORE
    assert "Content-Security-Policy" in api.headers


def today() -> str:
    return timezone.localdate().isoformat()


def _indre_salten_draft(server, token) -> int:
    """A draft of NAV Indre Salten's agreement: the one waiting, a revision of the one the
    demo data holds, or a new agreement where there is none."""
    listed = server.call("GET", "/api/v1/agreements/?office=indre-salten", token=token).json()
    if not listed["results"]:
        body = {"title": "Real server", "offices": ["indre-salten"], "valid_from": today()}
        created = server.call("POST", "/api/v1/agreements/", token=token, data=body)
        assert created.status == 201, created.body
        return created.json()["versions"][0]["id"]
    agreement = listed["results"][0]
    drafts = [v["id"] for v in agreement["versions"] if v["status"] == "draft"]
    if drafts:
        return drafts[0]
    made = server.call(
        "POST", f"/api/v1/agreements/{agreement['id']}/new-version/", token=token, data={}
    )
    assert made.status == 201, made.body
    return made.json()["id"]


def test_agreement_is_changed_and_approved_by_both_parties(server, token):
    """Issue 9's "done when", through the API of a real server: Fauske's executive and
    Nordland's county director approve Indre Salten's draft, and it binds."""
    version_id = _indre_salten_draft(server, token)
    url = f"/api/v1/agreement-versions/{version_id}/"
    shown = server.call("GET", url, token=token).json()
    changed = server.call(
        "PATCH",
        url,
        token=token,
        data={"version": shown["version"], "sections": {"revision": "Revideres hvert år."}},
    )
    assert changed.status == 200, changed.body
    digest = changed.json()["content_hash"]
    director = server.token("fylkesdirektor.nordland", DEMO_PASSWORD)
    for party in (token, director):
        approved = server.call("POST", f"{url}approve/", token=party, data={"content_hash": digest})
        assert approved.status == 200, approved.body
    assert approved.json()["status"] == "approved"
    assert approved.json()["pending_parties"] == []


def test_meeting_and_cooperation_agreement_are_recorded(server, token):
    meeting = server.call(
        "POST",
        "/api/v1/meetings/",
        token=token,
        data={
            "kind": "cooperation",
            "offices": ["indre-salten"],
            "held_on": today(),
            "decisions": [{"text": "Through a real server"}],
        },
    )
    assert meeting.status == 201, meeting.body
    cooperation = server.call(
        "POST",
        "/api/v1/cooperation-agreements/",
        token=token,
        data={
            "office": "indre-salten",
            "partner": "Through a real server",
            "partner_responsibility": "-",
            "office_responsibility": "-",
            "how_carried_out": "-",
            "unclear_responsibility": "-",
            "next_evaluation": today(),
            "valid_from": today(),
        },
    )
    assert cooperation.status == 201, cooperation.body
