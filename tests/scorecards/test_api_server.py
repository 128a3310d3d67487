"""The bulk delivery through a real server (gunicorn, as docker-compose runs it, on the test
database): the statistics system takes a token, delivers a month for every office of its
county, and the office leader reads the values back through the same server.

The server shares the test database, so the data must be committed: the test is transactional
and needs PostgreSQL (SQLite's test database lives in the test process's memory).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from offices.models import Office
from scorecards.periods import format_period, reporting_month
from scorecards.selectors import indicators_for_offices
from tests.conftest import skip_or_fail
from tests.servers import ROOT, Server, free_port, stop, wait_until_up
from users.models import User

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "real-server-password"  # noqa: S105 (a test user's)


def set_password(username: str) -> None:
    """A password the server can check (the test settings hash with MD5, which it lacks)."""
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(username=username).update(
        password=hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    )


def environment(var_dir: Path) -> dict[str, str]:
    database = connection.settings_dict
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
        **{key: database[key] or "" for key in ("USER", "HOST", "PORT", "NAME")}
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "CACHE_", "NAVPARTNER_"))
        and key not in {"MEDIA_ROOT", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        DATABASE_URL=url,
        DATABASE_CONN_MAX_AGE="0",  # hold no connection when pytest flushes the database
        MEDIA_ROOT=str(var_dir / "media"),
        NAVPARTNER_VAR_DIR=str(var_dir),
        NAVPARTNER_ENV="development",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
    )
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return env


@pytest.fixture
def server(demo_data, tmp_path):
    if connection.vendor != "postgresql":
        skip_or_fail("the real server shares the test database: it needs PostgreSQL")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.is_file():
        pytest.fail("gunicorn is a runtime dependency and must be installed")
    (tmp_path / "media").mkdir()
    port = free_port()
    argv = [str(gunicorn), "navpartner.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", "1", "--access-logfile", "-"]
    log = tmp_path / "web.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            argv, cwd=ROOT, env=environment(tmp_path), stdout=output, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base_url, log)
        yield Server(base_url)
    finally:
        stop(process)


def test_a_month_is_delivered_and_read_back_through_a_real_server(server):
    client = User.objects.filter(username="statistikk.klient").first()
    if client is None:
        skip_or_fail("the demo data has no statistics client (statistikk.klient)")
    for username in ("statistikk.klient", "leder.heimdal"):
        set_password(username)
    month = reporting_month()
    offices = list(Office.objects.filter(county__number="50").select_related("county"))
    applicable = indicators_for_offices(offices, month)
    rows = [
        {
            "office": office.code,
            "indicator": indicator.code,
            "period": format_period(month),
            "value": "3,5" if indicator.unit == "score" else "42.5",
        }
        for office in offices
        for indicator in applicable[office.pk]
    ]
    delivery = server.token("statistikk.klient", PASSWORD)
    answer = server.call("POST", "/api/v1/measurements/bulk/", token=delivery, data={"rows": rows})
    assert answer.status == 200, answer.body[:2000]
    counted = answer.json()
    assert counted["created"] + counted["updated"] + counted["unchanged"] == len(rows)
    # The service account reads nothing back.
    listed = server.call("GET", "/api/v1/measurements/", token=delivery)
    assert listed.status == 200
    assert listed.json()["results"] == []
    # A bad row: 400 naming it, nothing stored.
    bad = [dict(rows[0], value="101"), dict(rows[1], office="narvik")]
    refused = server.call("POST", "/api/v1/measurements/bulk/", token=delivery, data=bad)
    assert refused.status == 400
    assert [(e["line"], e["field"]) for e in refused.json()["rows"]][-1] == (2, "office")

    leader = server.token("leder.heimdal", PASSWORD)
    shown = server.call(
        "GET",
        f"/api/v1/measurements/?office=heimdal&period={format_period(month)}&page_size=500",
        token=leader,
    )
    assert shown.status == 200, shown.body
    values = {row["indicator"]: row["value"] for row in shown.json()["results"]}
    heimdal = next(office for office in offices if office.code == "heimdal")
    expected = {
        indicator.code: "3.5" if indicator.unit == "score" else "42.5"
        for indicator in applicable[heimdal.pk]
    }
    assert values == expected
