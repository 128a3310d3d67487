"""``manage.py seed_national`` at a small scale, as a real run: its own process and database file
(migrated first), committed data, no test transaction around it.

It must create every kind of record the national data set has — people in every role, the
indicator library with targets at every level, values for every month asked, scorecards with
their summaries and reviews, action plans, agreements in force with approvals by both parties,
meetings, notes and audit events — write the permission rows that ``permissions_sync`` would
(checked by the builder itself), reuse the data on a second run, and refuse a database with
real data.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SMALL = [
    "--offices", "6", "--staff-per-side", "2", "--notes-per-office", "5", "--months", "13",
    "--events", "500",
]  # fmt: skip
MONTHS = 13

CHECK = """
import json
from django.db.models import Count
from agreements.models import AgreementApproval, AgreementVersion, Meeting
from offices.models import Office
from scorecards.models import Measurement, Scorecard, ScorecardLine, Target
from scorecards.periods import months_back, reporting_month
from users.models import RoleAssignment
offices = list(Office.objects.filter(code__startswith="bench-").values_list("pk", flat=True))
in_force = AgreementVersion.objects.in_force().filter(agreement__offices__in=offices)
months = months_back(reporting_month(), MONTHS)
print(json.dumps({
    "roles": dict(RoleAssignment.objects.values_list("role").annotate(n=Count("pk"))),
    "target_levels": sorted(set(Target.objects.values_list("level", flat=True))),
    "months_per_office": sorted(set(
        Measurement.objects.values("office").annotate(n=Count("period", distinct=True))
        .values_list("n", flat=True)
    )),
    "first_month": str(Measurement.objects.order_by("period").first().period),
    "first_expected": str(months[0]),
    "submitted": Scorecard.objects.filter(status="submitted").count(),
    "lines": ScorecardLine.objects.count(),
    "in_force": in_force.count(),
    "approval_sides": sorted(set(
        AgreementApproval.objects.filter(version__in=in_force).values_list("side", flat=True)
    )),
    "meeting_kinds": sorted(set(Meeting.objects.values_list("kind", flat=True))),
}))
""".replace("MONTHS", str(MONTHS))


def manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "NAVPARTNER_ENV": "development"}
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
def seeded(tmp_path_factory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("national") / "national.sqlite3"
    migrated = manage(path, "migrate", "--no-input", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    run = manage(path, "seed_national", *SMALL, "--json")
    assert run.returncode == 0, run.stderr + run.stdout
    return path, json.loads(run.stdout)


def test_every_kind_of_record(seeded):
    path, report = seeded
    counts = report["counts"]
    assert report["reused"] is False
    assert counts["offices"] == 6
    assert counts["permissions_sync_checked"] >= 8  # one person of each kind, verified
    for name in (
        "delegations", "permission_rows", "notes", "audit_events", "indicators", "targets",
        "measurements", "scorecards", "scorecard_lines", "scorecard_reviews", "action_plans",
        "agreements", "agreement_versions", "agreements_in_force", "agreement_approvals",
        "meetings", "office_documents",
    ):  # fmt: skip
        assert counts[name] > 0, name
    assert counts["audit_events"] >= 500
    assert counts["indicators"] >= 40
    assert counts["measurements"] > counts["offices"] * 30 * (MONTHS - 1)
    for step in ("organisation", "notes", "values_scorecards", "agreements_meetings"):
        assert step in report["steps_seconds"]

    check = manage(path, "shell", "-c", CHECK)
    assert check.returncode == 0, check.stderr
    found = json.loads(check.stdout.strip().splitlines()[-1])
    assert set(found["roles"]) == {
        "office_leader", "office_staff", "county_director", "county_advisor",
        "municipal_executive", "municipal_advisor", "national_admin", "statistics_client",
    }  # fmt: skip
    assert found["roles"]["office_staff"] == 6 * 2 * 2  # staff per side, both sides
    assert found["target_levels"] == ["county", "municipality", "national", "office"]
    assert found["months_per_office"] == [MONTHS]
    assert found["first_month"] == found["first_expected"]
    assert found["submitted"] >= 6 * (MONTHS - 1)
    assert found["lines"] >= found["submitted"] * 30
    assert found["in_force"] >= 5
    assert found["approval_sides"] == ["municipal", "state"]
    assert set(found["meeting_kinds"]) >= {"cooperation", "partnership", "user_council"}


def test_second_run_reuses(seeded):
    path, first = seeded
    again = manage(path, "seed_national", *SMALL, "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["reused"] is True
    assert report["counts"] == first["counts"]


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
    refused = manage(path, "seed_national", *SMALL)
    assert refused.returncode != 0
    assert "--database-is-scratch" in refused.stderr
