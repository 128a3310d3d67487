"""``manage.py benchmark``: how the main reads scale, as ratios against the bare operation.

Timings in seconds mean little across machines; a ratio against the bare query in the same run
does. The command fills the database, inside a transaction it rolls back at the end, up to the
national scale of DESIGN.md (~264 offices serving 357 municipalities), then times each operation
and its bare counterpart and prints ``ratio = operation / bare``. Nothing it writes survives.

    python manage.py benchmark            # national scale, 20 repetitions
    python manage.py benchmark --offices 50 --repeat 5
"""

import statistics
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from navpartner.sidedata import Side
from offices.models import County, Municipality, Office, OfficeMunicipality, OfficeNote
from offices.selectors import office_list
from users.models import EmployerSide, Role, RoleAssignment, User

NATIONAL_OFFICES = 264


class QueryCounter:
    def __init__(self, queries: list[str]):
        self.queries = queries

    def __call__(self, execute, sql, params, many, context):
        self.queries.append(sql)
        return execute(sql, params, many, context)


class Command(BaseCommand):
    help = "Time the main reads at national scale, as ratios against the bare query."

    def add_arguments(self, parser):
        parser.add_argument("--offices", type=int, default=NATIONAL_OFFICES)
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, offices: int, repeat: int, **options):
        with transaction.atomic():
            user = self.fill(offices)
            host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost")
            client = Client(HTTP_HOST=host.lstrip("."))
            client.force_login(user)
            rows = [
                ("Office rows (bare)", lambda: list(Office.objects.all()), None),
                (
                    "office_list selector",
                    lambda: [list(o.current_memberships) for o in office_list(user=user)],
                    "Office rows (bare)",
                ),
                (
                    "GET /api/v1/offices/?page_size=500",
                    lambda: client.get("/api/v1/offices/", {"page_size": 500}),
                    "Office rows (bare)",
                ),
                (
                    "GET /kontorer/ (page of 50)",
                    lambda: client.get("/kontorer/"),
                    "Office rows (bare)",
                ),
                (
                    "GET /kontorer/?county=50",
                    lambda: client.get("/kontorer/", {"county": "50"}),
                    "Office rows (bare)",
                ),
                (
                    # The rows the director may see, selected directly: what the policy costs.
                    "Note rows, same set (bare)",
                    lambda: list(
                        OfficeNote.objects.filter(
                            office__county__number="50", side__in=[Side.STATE, Side.JOINT]
                        )
                    ),
                    None,
                ),
                (
                    "OfficeNote.objects.visible_to (access policy)",
                    lambda: list(OfficeNote.objects.visible_to(user)),
                    "Note rows, same set (bare)",
                ),
                (
                    "GET /api/v1/notes/?page_size=500",
                    lambda: client.get("/api/v1/notes/", {"page_size": 500}),
                    "Note rows, same set (bare)",
                ),
            ]
            self.report(rows, repeat)
            transaction.set_rollback(True)

    def fill(self, offices: int) -> User:
        """Offices spread over the counties, each serving one to three municipalities."""
        start = timezone.localdate().replace(year=2024, month=1, day=1)
        municipalities = list(Municipality.objects.valid_on().select_related("county"))
        by_county: dict[int, list[Municipality]] = {}
        for municipality in municipalities:
            by_county.setdefault(municipality.county_id, []).append(municipality)
        counties = list(County.objects.all())
        existing = Office.objects.count()
        new_offices = [
            Office(
                code=f"benchmark-{n}",
                name=f"NAV Benchmark {n}",
                county=counties[n % len(counties)],
            )
            for n in range(max(0, offices - existing))
        ]
        Office.objects.bulk_create(new_offices)
        memberships = []
        for n, office in enumerate(Office.objects.filter(code__startswith="benchmark-")):
            pool = by_county[office.county_id]
            served = {pool[(n + k) % len(pool)] for k in range(1 + n % 3)}  # Oslo has one
            for k, municipality in enumerate(sorted(served, key=lambda m: m.number)):
                memberships.append(
                    OfficeMunicipality(
                        office=office,
                        municipality=municipality,
                        valid_from=start,
                        is_host=(k == 0 and len(served) > 1),
                    )
                )
        OfficeMunicipality.objects.bulk_create(memberships)
        author = User.objects.create(username="benchmark-author", employer_side="")
        OfficeNote.objects.bulk_create(
            OfficeNote(office=office, side=side, title=f"{side} {n}", created_by=author)
            for n, office in enumerate(Office.objects.all())
            for side in Side.values
        )
        trondelag = County.objects.get(number="50")
        user = User.objects.create(
            username="benchmark-user",
            employer_side=EmployerSide.STATE,
            employer_county=trondelag,
        )
        # A county director: the policy's widest ordinary reach (every office of the county).
        RoleAssignment.objects.create(user=user, role=Role.COUNTY_DIRECTOR, county=trondelag)
        return user

    def report(self, rows: list[tuple[str, Callable, str | None]], repeat: int) -> None:
        medians: dict[str, float] = {}
        self.stdout.write(
            f"{Office.objects.count()} offices, {OfficeMunicipality.objects.count()} memberships, "
            f"{connection.vendor}, median of {repeat} runs\n"
        )
        self.stdout.write(f"{'operation':45} {'median ms':>10} {'queries':>8} {'ratio':>8}")
        for name, operation, baseline in rows:
            operation()  # warm caches and connections
            queries: list[str] = []
            # execute_wrapper, not CaptureQueriesContext: each request resets Django's query log.
            with connection.execute_wrapper(QueryCounter(queries)):
                result = operation()
            status = getattr(result, "status_code", 200)
            if status != 200:
                raise CommandError(f"{name} answered {status}")
            timings = []
            for _ in range(repeat):
                began = time.perf_counter()
                operation()
                timings.append(time.perf_counter() - began)
            medians[name] = statistics.median(timings)
            ratio = medians[name] / medians[baseline] if baseline else 1.0
            self.stdout.write(
                f"{name:45} {medians[name] * 1000:10.2f} {len(queries):8d} {ratio:8.1f}"
            )
