"""``manage.py seed_national``: the Norway-sized data set of issue 11, into the configured
database — the one ``manage.py benchmark`` and ``make bench`` measure on.

The real 15 counties and 357 municipalities (migrations), 264 offices (Oslo's districts and
host-municipality offices serving several municipalities among them), people in every role
(about ten staff per side per office, leaders, county directors and advisors, municipal
executives and advisors, the directorate's administrator, a statistics system), delegations
and their permission rows, ~79 k notes, a million audit events, a library of ~40 indicators
with targets at every level, ten years of monthly values (over a million measurements) with
scorecards, summaries, reviews and action plans, and agreements with versions, approvals and
meetings. Everything is written in bulk (``COPY`` on PostgreSQL); see ``navpartner/benchdata.py``.

    python manage.py seed_national                                  # build, or reuse
    python manage.py seed_national --rebuild --database-is-scratch  # empty and build again

It builds only into a database that holds nothing but reference data and this data set, unless
told ``--database-is-scratch``; a second run reuses what is there.
"""

import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from navpartner import benchdata


class Command(BaseCommand):
    help = "Build the national-scale data set (minutes, in bulk), or reuse it when present."

    def add_arguments(self, parser):
        scale = benchdata.Scale()
        parser.add_argument("--offices", type=int, default=scale.offices)
        parser.add_argument("--staff-per-side", type=int, default=scale.staff_per_side)
        parser.add_argument("--notes-per-office", type=int, default=scale.notes_per_office)
        parser.add_argument("--events", type=int, default=scale.events, help="audit events")
        parser.add_argument("--months", type=int, default=scale.months, help="months of values")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="empty every table but the reference data, and build again",
        )
        parser.add_argument(
            "--database-is-scratch",
            action="store_true",
            help="build even though the database holds other data (it is a scratch database)",
        )
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, **options):
        settings.DEBUG = False  # no query log while a million rows go in
        scale = benchdata.Scale(
            offices=options["offices"],
            staff_per_side=options["staff_per_side"],
            notes_per_office=options["notes_per_office"],
            events=options["events"],
            months=options["months"],
        )
        log = self.stderr.write if options["json"] else self.stdout.write
        began = time.perf_counter()
        try:
            built = benchdata.ensure(
                scale,
                rebuild=options["rebuild"],
                database_is_scratch=options["database_is_scratch"],
                log=log,
            )
        except benchdata.NotScratch as refused:
            raise CommandError(str(refused)) from refused
        seconds = time.perf_counter() - began
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "reused": built.reused,
                        "seconds": round(seconds, 1),
                        "steps_seconds": {k: round(v, 1) for k, v in built.seconds.items()},
                        "counts": built.counts,
                    },
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"\n{'Reused' if built.reused else 'Built'} the national data set in {seconds:.1f} s"
        )
        for step, spent in built.seconds.items():
            self.stdout.write(f"  {step.replace('_', ' '):28}{spent:8.1f} s")
        for name, count in built.counts.items():
            self.stdout.write(f"  {name.replace('_', ' '):28}{count:>10,}")
