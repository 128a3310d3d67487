"""``manage.py benchmark`` at a tiny scale, as a real run: its own process, its own database file
(migrated first), committed data, no test transaction around it.

It must print a ratio for every row that has a bare side, check each pair's output before timing
it (a page or API row byte for byte against the same view with the access policy's read swapped
for a direct one), print no ratio for a whole request, reuse the data it built on the next run,
and refuse to build into a database that holds real data.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TINY = [
    "--offices", "5", "--staff-per-side", "2", "--notes-per-office", "10", "--months", "14",
    "--events", "2000",
]  # fmt: skip
ROWS = [
    "notes visible_to: office leader",
    "notes visible_to: county director",
    "notes visible_to: municipal executive",
    "notes visible_to: staff with a delegation",
    "notes API page 1 (view): office leader",
    "audit_event_list first 50: county director",
    "audit log page (view): office leader",
    "audit log page (view): county director",
    "offices API ?page_size=500 (view)",
    "access_review (one office)",
    "access review page (view)",
]
ISSUE_11_ROWS = [
    "NAV-leder dashboard / (view)",
    "measurements API ?page_size=500 (view): county director",
    "bulk API, one month for all offices",
]
WHOLE_REQUESTS = [
    "GET /api/v1/notes/ whole request: office leader",
    "GET /tilgang/logg/ whole request: county director",
    "GET /api/v1/offices/?page_size=500 whole request",
    "GET /tilgang/gjennomgang/<office>/ whole request",
]


def manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "NAVPARTNER_ENV": "development",
        "DJANGO_DEBUG": "true",  # the command must switch it off itself
    }
    env.pop("CELERY_BROKER_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("benchmark") / "bench.sqlite3"
    migrated = manage(path, "migrate", "--no-input", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    return path


def test_table_with_checked_ratios_then_reuse_and_json(database, tmp_path):
    first = manage(database, "benchmark", *TINY, "--repeat", "2")
    assert first.returncode == 0, first.stderr + first.stdout
    out = first.stdout
    assert "Building 5 offices" in out
    assert "DEBUG off" in out
    assert "no transaction" in out
    assert "ratio" in out
    for name in ROWS:
        line = next((line for line in out.splitlines() if line.startswith(name)), None)
        assert line is not None, f"no row {name!r} in\n{out}"
        assert " same " in line, line
    for name in WHOLE_REQUESTS:
        line = next((line for line in out.splitlines() if line.startswith(name)), None)
        assert line is not None, f"no row {name!r} in\n{out}"
        assert "for reference, no bare" in line, line
        assert " same " in line, line  # the response is what the view row timed

    figures = tmp_path / "bench"
    again = manage(
        database, "benchmark", *TINY, "--repeat", "2", "--json", "--output-dir", str(figures)
    )
    assert again.returncode == 0, again.stderr
    assert "Reusing the benchmark data" in again.stderr
    report = json.loads(again.stdout)
    written = sorted(path.name for path in figures.iterdir())
    assert "latest.json" in written and len(written) == 2, written
    assert json.loads((figures / "latest.json").read_text())["rows"] == report["rows"]
    assert report["meta"]["debug"] is False
    assert report["meta"]["in_transaction"] is False
    assert report["meta"]["data_reused"] is True
    assert report["meta"]["counts"]["offices"] == 5
    assert report["meta"]["counts"]["permissions_sync_checked"] >= 5
    rows = {row["name"]: row for row in report["rows"]}
    for name in ROWS:
        assert rows[name]["ratio"] > 0
        assert rows[name]["checked"].startswith("same")
        assert len(rows[name]["timings_ms"]) == len(rows[name]["bare_timings_ms"]) == 2
    for name in ("audit log page (view): office leader", "access review page (view)"):
        assert rows[name]["checked"].startswith("same HTML"), rows[name]
    assert rows["notes API page 1 (view): office leader"]["checked"].startswith("same JSON")
    for name in WHOLE_REQUESTS:
        assert rows[name]["ratio"] is None
        assert rows[name]["bare_timings_ms"] == []
        assert len(rows[name]["timings_ms"]) == 2
    for prefix in ISSUE_11_ROWS:
        row = next((r for n, r in rows.items() if n.startswith(prefix)), None)
        assert row is not None, f"no row {prefix!r}"
        assert row["ratio"] > 0 and row["p95_ms"] >= row["median_ms"] > 0
        assert row["checked"].startswith("same"), row["checked"]
    bulk = next(r for n, r in rows.items() if n.startswith("bulk API"))
    assert bulk["rows"] > 0 and bulk["rows_per_s"] > 0 and bulk["bare_rows_per_s"] > 0
    assert {t["what"].split(":")[0] for t in report["targets"]} >= {
        next(n for n in rows if n.startswith("bulk API")),
        "measurements API ?page_size=500 (view)",
    }
    # No ratio compares a whole request with anything.
    assert all(row["ratio"] is None for row in report["rows"] if "whole request" in row["name"])


def test_audit_scaling_grows_the_log_between_measurements(database):
    grown = [*TINY[:-1], "5000"]  # 200, 500 and 5,000 events
    run = manage(database, "benchmark", *grown, "--repeat", "2", "--audit-scaling", "--json")
    assert run.returncode == 0, run.stderr
    scaling = json.loads(run.stdout)["audit_scaling"]
    page = scaling["audit log page (view): leader"]
    sizes = [stage["events"] for stage in page["stages"]]
    assert sizes[0] < sizes[1] < sizes[-1]
    assert sizes[-1] >= 5000
    assert page["growth"] > 0
    assert all(stage["checked"].startswith("same ") for stage in page["stages"])


def test_refuses_a_database_with_real_data(tmp_path):
    path = tmp_path / "real.sqlite3"
    assert manage(path, "migrate", "--no-input", "-v", "0").returncode == 0
    created = manage(
        path,
        "shell",
        "-c",
        "from users.models import User; User.objects.create(username='kari', employer_side='')",
    )
    assert created.returncode == 0, created.stderr
    refused = manage(path, "benchmark", *TINY, "--rebuild")
    assert refused.returncode != 0
    assert "--database-is-scratch" in refused.stderr
    assert "1 users" in refused.stderr
