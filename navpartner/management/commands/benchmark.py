"""``manage.py benchmark``: the main reads at national scale, each against a bare counterpart
that produces the same output, as ratios.

Timings in seconds mean little across machines; a ratio against the bare operation in the same
run does. To be a fair ratio:

* **same output**: before timing, each operation and its bare counterpart run once and their
  results are compared (the same note ids, the same 50 events in the same order, the same
  review; for a page or API the same bytes, CSRF tokens aside); a difference stops the command;
* **like with like**: a page or API row ("… (view)") calls the view on a request as the
  middleware leaves it; its bare side is the same view with the access policy's read swapped
  for a direct query (``swapped``, ``bare_viewset``), so the ratio is the policy's cost, not the
  framework's. The full request through the test client is timed on "whole request" rows, for
  reference only: no bare side, no ratio, checked to serve the view row's bytes;
* **interleaved**: each repetition runs both, alternating which goes first (ABBA…), and the
  median and 90th percentile of each are reported;
* **production settings**: ``DEBUG`` is forced off (and asserted); whole requests go through the
  full middleware stack and ``ATOMIC_REQUESTS`` as configured;
* **committed data, no transaction around the timings**: the data is built once into the
  configured database (``navpartner/benchdata.py``), committed, and reused on later runs.

    python manage.py benchmark                       # build once (minutes), then time
    python manage.py benchmark --repeat 30 --json    # for machines
    python manage.py benchmark --audit-scaling       # the audit log page at 10 k, 100 k, 1 M
    python manage.py benchmark --rebuild --database-is-scratch

It builds only into a database holding nothing but reference data and benchmark data, unless
told ``--database-is-scratch``. See the README ("Benchmark") for a PostgreSQL run.
"""

import gc
import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import resolve
from django.utils import timezone
from rest_framework import mixins

from navpartner import benchdata, benchpages
from navpartner.api.pagination import StandardPagination
from navpartner.sidedata import Side
from offices.api.notes import OfficeNoteViewSet
from offices.api.views import OfficeViewSet
from offices.models import Office, OfficeMunicipality, OfficeNote
from offices.selectors import current_memberships
from scorecards.api.views import MeasurementViewSet
from scorecards.periods import format_period, reporting_month
from users.access import review as review_module
from users.access.review import access_review
from users.models import (
    AuditEvent,
    Delegation,
    OfficeUserObjectPermission,
    Role,
    RoleAssignment,
    User,
)
from users.selectors import audit_event_list
from users.views import audit as audit_views
from users.views.review import access_review_view

PAGE = 50  # the pages' and the API's page size
TIME_IN_PAGE = re.compile(r'<time datetime="([^"]+)"')
REFERENCE = "whole request (for reference, no bare)"


Mismatch = benchpages.Mismatch  # an operation and its bare side differ: the ratio would lie


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class Pair:
    """An operation, its bare counterpart, and how to tell that both gave the same output.

    Without a bare counterpart (``bare=None``) the row is for reference only: it is timed and
    checked (``same`` gets ``None`` as the bare output) but has no ratio.
    """

    name: str
    bare_name: str
    operation: Callable
    bare: Callable | None
    same: Callable[[object, object], str]  # raises Mismatch, or says what matched
    # Compare once more when the first comparison fails: for pages that show the time to the
    # minute, which may tick over between the two sides.
    second_look: bool = False
    rows: int | None = None  # rows written per call: the table gives rows per second


@dataclass
class Result:
    name: str
    bare: str
    checked: str
    median_ms: float
    p90_ms: float
    bare_median_ms: float | None
    bare_p90_ms: float | None
    ratio: float | None
    p90_ratio: float | None
    queries: int
    bare_queries: int | None
    repeat: int
    p95_ms: float = 0.0
    bare_p95_ms: float | None = None
    rows: int | None = None
    rows_per_s: float | None = None
    bare_rows_per_s: float | None = None
    timings_ms: list[float] = field(default_factory=list, repr=False)
    bare_timings_ms: list[float] = field(default_factory=list, repr=False)


def _p90(values: list[float]) -> float:
    if len(values) < 2:
        return max(values)
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return max(values)
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _check(pair: Pair) -> tuple[str, int, int | None]:
    """Run both sides once, counting queries, and compare their output."""
    counters = QueryCounter(), QueryCounter()
    with connection.execute_wrapper(counters[0]):
        out = pair.operation()
    bare_out = None
    if pair.bare is not None:
        with connection.execute_wrapper(counters[1]):
            bare_out = pair.bare()
    bare_queries = counters[1].count if pair.bare is not None else None
    return pair.same(out, bare_out), counters[0].count, bare_queries


def measure(pair: Pair, repeat: int) -> Result:
    """Check the pair gives the same output, then time both sides interleaved."""
    try:
        checked, queries, bare_queries = _check(pair)
    except Mismatch:
        if not pair.second_look:
            raise
        checked, queries, bare_queries = _check(pair)
    timings: tuple[list[float], list[float]] = ([], [])
    sides = [(pair.operation, timings[0])]
    if pair.bare is not None:
        sides.append((pair.bare, timings[1]))
    gc.collect()
    gc.disable()  # as timeit does: a collection would land on one side at random
    try:
        for round_ in range(repeat):
            for run, sink in sides if round_ % 2 == 0 else reversed(sides):
                began = time.perf_counter()
                run()
                sink.append((time.perf_counter() - began) * 1000)
    finally:
        gc.enable()
    median, p90 = statistics.median(timings[0]), _p90(timings[0])
    bare_median = statistics.median(timings[1]) if timings[1] else None
    bare_p90 = _p90(timings[1]) if timings[1] else None
    return Result(
        name=pair.name,
        bare=pair.bare_name,
        checked=checked,
        median_ms=median,
        p90_ms=p90,
        bare_median_ms=bare_median,
        bare_p90_ms=bare_p90,
        ratio=median / bare_median if bare_median else None,
        p90_ratio=p90 / bare_p90 if bare_p90 else None,
        queries=queries,
        bare_queries=bare_queries,
        repeat=repeat,
        p95_ms=_p95(timings[0]),
        bare_p95_ms=_p95(timings[1]) if timings[1] else None,
        rows=pair.rows,
        rows_per_s=pair.rows / median * 1000 if pair.rows else None,
        bare_rows_per_s=pair.rows / bare_median * 1000 if pair.rows and bare_median else None,
        timings_ms=timings[0],
        bare_timings_ms=timings[1],
    )


def swapped(module, name: str, stand_in, run: Callable) -> Callable:
    """``run`` with ``module.name`` replaced by ``stand_in`` for the call: the bare side of a view
    runs the view's own code with the access policy's entry point swapped for a direct read."""

    def call():
        original = getattr(module, name)
        setattr(module, name, stand_in)
        try:
            return run()
        finally:
            setattr(module, name, original)

    return call


def issue11_targets(results: list[Result]) -> list[dict]:
    """Issue 11's limits, for the rows of this run that they concern."""
    targets = []
    for result in results:
        name = result.name
        if name.startswith(("county review", "municipal review")):
            targets.append(
                {
                    "what": f"{name}: p95",
                    "measured": f"{result.p95_ms:.1f} ms",
                    "limit": "300 ms",
                    "met": result.p95_ms < 300,
                }
            )
        elif name.startswith("measurements API") and result.ratio is not None:
            targets.append(
                {
                    "what": f"{name}: median / bare median",
                    "measured": f"{result.ratio:.2f}",
                    "limit": "2.00",
                    "met": result.ratio <= 2,
                }
            )
        elif name.startswith("bulk API") and result.bare_rows_per_s:
            share = result.rows_per_s / result.bare_rows_per_s
            targets.append(
                {
                    "what": f"{name}: rows/s against the bare upsert",
                    "measured": (
                        f"{result.rows_per_s:,.0f} / {result.bare_rows_per_s:,.0f} rows/s = "
                        f"{share:.2f}"
                    ),
                    "limit": "0.25",
                    "met": share >= 0.25,
                }
            )
    return targets


# --- Who is measured ---------------------------------------------------------------------------


@dataclass
class Cast:
    """Representative people of the benchmark data, and what each may read, by hand."""

    office: Office  # the first office of the county with most offices
    leader: User
    director: User
    county_offices: list[int]
    executive: User
    executive_offices: list[int]
    delegate: User  # a state employee of the office with a delegation elsewhere
    delegated_office: int

    @classmethod
    def pick(cls) -> "Cast":
        prefix = benchdata.PREFIX
        county_id = (
            Office.objects.filter(code__startswith=prefix)
            .values("county")
            .annotate(n=Count("pk"))
            .order_by("-n", "county")[0]["county"]
        )
        offices = Office.objects.filter(county_id=county_id, code__startswith=prefix)
        county_offices = list(offices.order_by("pk").values_list("pk", flat=True))
        office = offices.select_related("county").order_by("code").first()

        def holder(role: str, **scope) -> User:
            return RoleAssignment.objects.filter(role=role, **scope).select_related("user")[0].user

        # The executive of a municipality served together with others, where there is one.
        membership = (
            OfficeMunicipality.objects.filter(office__in=county_offices)
            .order_by("-is_host", "office__code")
            .first()
        )
        executive_offices = list(
            OfficeMunicipality.objects.filter(municipality_id=membership.municipality_id)
            .order_by("office_id")
            .values_list("office_id", flat=True)
        )
        delegate = User.objects.get(username=f"{office.code}-s0")
        delegation = Delegation.objects.get(grantee=delegate)
        return cls(
            office=office,
            leader=holder(Role.OFFICE_LEADER, office=office),
            director=holder(Role.COUNTY_DIRECTOR, county_id=county_id),
            county_offices=county_offices,
            executive=holder(Role.MUNICIPAL_EXECUTIVE, municipality_id=membership.municipality_id),
            executive_offices=executive_offices,
            delegate=delegate,
            delegated_office=delegation.office_id,
        )

    def notes_filter(self, who: str) -> Q:
        """The notes ``who`` may read, as a direct filter over offices and sides."""
        if who == "leader":
            return Q(office_id=self.office.pk)
        if who == "director":
            return Q(office_id__in=self.county_offices, side__in=[Side.STATE, Side.JOINT])
        if who == "executive":
            return Q(office_id__in=self.executive_offices, side__in=[Side.MUNICIPAL, Side.JOINT])
        return Q(office_id=self.office.pk, side__in=[Side.STATE, Side.JOINT]) | Q(
            office_id=self.delegated_office, side=Side.MUNICIPAL
        )

    def audit_filters(self, who: str) -> list[tuple[str, Q]]:
        """Direct filters for the audit events ``who`` reads: their own and their offices'.

        Two candidates for the county director: every event of the offices, or only those on a
        side the director may read (state, joint, none); the first that gives the policy's
        output is the bare side, and the table names it.
        """
        user = self.leader if who == "leader" else self.director
        reach = [self.office.pk] if who == "leader" else self.county_offices
        own = Q(actor_id=user.pk)
        candidates = [("actor = me OR office IN reach", own | Q(office_id__in=reach))]
        if who == "director":
            candidates.append(
                (
                    "actor = me OR (office IN reach AND side readable)",
                    own | Q(office_id__in=reach, side__in=["", Side.STATE, Side.JOINT]),
                )
            )
        return candidates


# --- Checks that both sides gave the same -------------------------------------------------------


def same_rows(out, bare_out) -> str:
    ids, bare_ids = sorted(o.pk for o in out), sorted(o.pk for o in bare_out)
    if ids != bare_ids:
        raise Mismatch(f"{len(ids)} rows against {len(bare_ids)} bare, or other rows")
    if not ids:
        raise Mismatch("no rows at all: nothing to compare")
    return f"same {len(ids)} rows"


def same_page(out, bare_out) -> str:
    ids, bare_ids = [o.pk for o in out], [o.pk for o in bare_out]
    if ids != bare_ids:
        raise Mismatch(f"a page of {len(ids)} events, not the bare page of {len(bare_ids)}")
    if not ids:
        raise Mismatch("an empty page: nothing to compare")
    return f"same {len(ids)} events, same order"


def _json(response) -> dict:
    if response.status_code != 200:
        raise Mismatch(f"answered {response.status_code}")
    return json.loads(response.content)


def same_json(response, bare_response) -> str:
    """The same JSON, byte for byte: results, count and links."""
    answer = _json(response)
    if not answer.get("results"):
        raise Mismatch("no results: nothing to compare")
    if bare_response.status_code != 200 or response.content != bare_response.content:
        raise Mismatch("the API's JSON differs from the bare view's")
    return f"same JSON of {len(answer['results'])} rows"


CSRF_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*"')


def page_bytes(response) -> bytes:
    """A page's HTML without its CSRF tokens (masked anew for every response)."""
    if response.status_code != 200:
        raise Mismatch(f"answered {response.status_code}")
    return CSRF_TOKEN.sub(rb'\1"', response.content)


def same_html(response, bare_response, *, shows: Callable[[str], str]) -> str:
    html = page_bytes(response)
    if html != page_bytes(bare_response):
        raise Mismatch("the page differs from the bare page (CSRF tokens aside)")
    return f"same HTML ({len(html):,} bytes), {shows(html.decode())}"


def events_shown(html: str) -> str:
    shown = len(TIME_IN_PAGE.findall(html))
    if not shown:
        raise Mismatch("a page without events: nothing to compare")
    return f"{shown} events"


def review_levels(review) -> dict[tuple[int, str], str]:
    return {(e.person.user_id, e.side): e.level for side in review.sides for e in side.entries}


def same_review(review, bare_review, *, levels: dict[tuple[int, str], str]) -> str:
    """The same review (people, sides, levels, bases), and it agrees with the permission rows."""
    if review.sides != bare_review.sides or review.office != bare_review.office:
        raise Mismatch("the review differs from the bare review")
    if review_levels(review) != levels or not levels:
        raise Mismatch("the review's people and levels differ from the permission rows")
    return f"same review: {len(levels)} (person, side, level)"


def people_shown(review_page: str, levels: dict[tuple[int, str], str]) -> str:
    names = User.objects.filter(pk__in={user_id for user_id, _ in levels})
    missing = [u.username for u in names if str(u) not in review_page]
    if missing or not levels:
        raise Mismatch(f"the page does not show {missing[:5]}")
    return f"all {len(names)} people shown"


def same_as_view(view_output: Callable, compare: Callable[[object, object], str]) -> Callable:
    """For a whole-request row: the response equals the view called directly (the measured
    side of the view row), so the view rows time the page that is served."""

    def check(response, _none) -> str:
        return compare(response, view_output())

    return check


# --- The bare side ------------------------------------------------------------------------------


def bare_levels(office_id: int) -> dict[tuple[int, str], str]:
    """Who holds what on the office now: the permission rows, read directly."""
    now = timezone.now()
    levels: dict[tuple[int, str], str] = {}
    rows = OfficeUserObjectPermission.objects.filter(
        content_object_id=office_id, valid_from__lte=now
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
    for user_id, side, action in rows.values_list("user_id", "side", "action"):
        if levels.get((user_id, side)) != "change":
            levels[(user_id, side)] = action
    return levels


def office_by_code(*, user, code: str) -> Office:
    """The office, without asking whether ``user`` may review it."""
    return Office.objects.select_related("county").get(code=code)


def bare_offices():
    """``office_list`` without ``visible_to``."""
    return (
        Office.objects.select_related("county")
        .prefetch_related(
            Prefetch("memberships", queryset=current_memberships(), to_attr="current_memberships")
        )
        .order_by("name")
    )


def bare_viewset(viewset, queryset: Callable):
    """The viewset with its queryset read directly, not through ``visible_to``, and without the
    delegated-read audit of the side-data base: the serializer, filters, pagination and renderer
    stay the same."""
    return type(
        f"Bare{viewset.__name__}",
        (viewset,),
        {"get_queryset": lambda self: queryset(), "list": mixins.ListModelMixin.list},
    )


class Command(BaseCommand):
    help = (
        "Time the main reads on national-scale data (built once, committed, reused), each "
        "against a bare counterpart with the same output, as ratios."
    )

    def add_arguments(self, parser):
        scale = benchdata.Scale()
        parser.add_argument("--offices", type=int, default=scale.offices)
        parser.add_argument("--staff-per-side", type=int, default=scale.staff_per_side)
        parser.add_argument("--notes-per-office", type=int, default=scale.notes_per_office)
        parser.add_argument("--events", type=int, default=scale.events, help="audit events")
        parser.add_argument("--months", type=int, default=scale.months, help="months of values")
        parser.add_argument("--repeat", type=int, default=15, help="timed runs of each side")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="empty every table but the reference data, and build again",
        )
        parser.add_argument(
            "--database-is-scratch",
            "--force",
            dest="database_is_scratch",
            action="store_true",
            help="build even though the database holds other data (it is a scratch database)",
        )
        parser.add_argument(
            "--audit-scaling",
            action="store_true",
            help="time the audit log page at 1 %%, 10 %% and 100 %% of --events",
        )
        parser.add_argument("--build-only", action="store_true", help="build, then stop")
        parser.add_argument("--json", action="store_true", help="print JSON only")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            help="time only the rows whose name contains this text (repeatable)",
        )
        parser.add_argument(
            "--output-dir",
            default="",
            help="also write the figures as JSON to <dir>/<time>.json and <dir>/latest.json",
        )

    def handle(self, *args, **options):
        settings.DEBUG = False  # production settings: no query log, no debug pages
        assert not settings.DEBUG  # noqa: S101  (the whole point of the command)
        if connection.in_atomic_block:
            raise CommandError("The benchmark must not run inside a transaction.")
        self.as_json = options["json"]
        scale = benchdata.Scale(
            offices=options["offices"],
            staff_per_side=options["staff_per_side"],
            notes_per_office=options["notes_per_office"],
            events=options["events"],
            months=options["months"],
        )
        began = time.perf_counter()
        try:
            built = benchdata.ensure(
                # --audit-scaling empties the log and grows it itself: no top-up first.
                replace(scale, events=0) if options["audit_scaling"] else scale,
                rebuild=options["rebuild"],
                database_is_scratch=options["database_is_scratch"],
                log=self.log,
            )
        except benchdata.NotScratch as refused:
            raise CommandError(str(refused)) from refused
        build_seconds = time.perf_counter() - began
        meta = {
            "vendor": connection.vendor,
            "debug": settings.DEBUG,
            "navpartner_env": settings.NAVPARTNER_ENV,
            "atomic_requests": connection.settings_dict.get("ATOMIC_REQUESTS", False),
            "in_transaction": connection.in_atomic_block,
            "repeat": options["repeat"],
            "data_reused": built.reused,
            "build_seconds": round(build_seconds, 1),
            "build_steps_seconds": {k: round(v, 1) for k, v in built.seconds.items()},
            "counts": built.counts,
        }
        self.log(
            f"Data {'reused' if built.reused else 'built'} in {build_seconds:.1f} s: "
            + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in built.counts.items())
        )
        if options["build_only"]:
            if self.as_json:
                self.stdout.write(json.dumps({"meta": meta}, indent=2))
            return
        cast = Cast.pick()
        assert not connection.in_atomic_block  # noqa: S101
        if options["audit_scaling"]:
            scaling = self.audit_scaling(cast, scale.events, options["repeat"])
            if self.as_json:
                self.stdout.write(json.dumps({"meta": meta, "audit_scaling": scaling}, indent=2))
            return
        self.cast = cast
        self.skipped: list[str] = []
        results = []
        only = options["only"]
        pairs = self.pairs(cast) + self.issue11_pairs()
        for pair in pairs:
            if only and not any(text in pair.name for text in only):
                continue
            self.log(f"  {pair.name} …")
            results.append(measure(pair, options["repeat"]))
        targets = issue11_targets(results)
        targets += [
            {"what": label, "measured": "not measured (404)", "limit": "", "met": False}
            for label in self.skipped
        ]
        report = {"meta": meta, "rows": [asdict(r) for r in results], "targets": targets}
        if options["output_dir"]:
            self.write_report(report, Path(options["output_dir"]))
        if self.as_json:
            self.stdout.write(json.dumps(report, indent=2))
        else:
            self.print_table(meta, cast, results)
            self.print_targets(targets)

    def write_report(self, report: dict, directory: Path) -> None:
        """``<directory>/<UTC time>.json`` and ``latest.json``: the figures of this run."""
        directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        text = json.dumps(report, indent=2)
        (directory / f"{stamp}.json").write_text(text)
        (directory / "latest.json").write_text(text)
        self.log(f"Figures written to {directory / f'{stamp}.json'} (and latest.json)")

    def print_targets(self, targets: list[dict]) -> None:
        if not targets:
            return
        self.stdout.write("\nIssue 11's targets")
        for target in targets:
            verdict = "met" if target["met"] else "MISSED"
            self.stdout.write(
                f"  {verdict:7}{target['what']}: {target['measured']} (limit {target['limit']})"
            )

    def log(self, message: str) -> None:
        (self.stderr if self.as_json else self.stdout).write(message)

    # --- The rows ---------------------------------------------------------------------------

    def client(self, user: User) -> Client:
        client = Client(HTTP_HOST=self.host())
        client.force_login(user)
        return client

    @staticmethod
    def host() -> str:
        return next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost").lstrip(".")

    def call_view(self, view: Callable, user: User, path: str, params=None, **kwargs) -> Callable:
        """The view called as the URL resolver would, on a request as the middleware leaves it
        (user, session, resolver match), without the middleware: the same for both sides."""
        client = self.client(user)  # a session, as the middleware would load it
        session = client.session

        def call():
            request = RequestFactory().get(path, params or {}, secure=True, HTTP_HOST=self.host())
            request.user = user
            request.session = session
            request.resolver_match = resolve(path)
            response = view(request, **kwargs)
            if hasattr(response, "render"):
                response.render()
            return response

        return call

    def pairs(self, cast: Cast) -> list[Pair]:
        pairs = []
        people = {
            "leader": ("office leader", cast.leader),
            "director": ("county director", cast.director),
            "executive": ("municipal executive", cast.executive),
            "delegate": ("staff with a delegation", cast.delegate),
        }
        for who, (label, user) in people.items():
            condition = cast.notes_filter(who)
            pairs.append(
                Pair(
                    f"notes visible_to: {label}",
                    "OfficeNote.objects.filter(offices, sides)",
                    lambda user=user: list(OfficeNote.objects.visible_to(user)),
                    lambda condition=condition: list(OfficeNote.objects.filter(condition)),
                    same_rows,
                )
            )
        notes_list = OfficeNoteViewSet.as_view({"get": "list"})
        for who in ("leader", "director"):
            label, user = people[who]
            condition = cast.notes_filter(who)
            bare_list = bare_viewset(
                OfficeNoteViewSet,
                lambda condition=condition: OfficeNoteViewSet().base_queryset().filter(condition),
            ).as_view({"get": "list"})
            view = self.call_view(notes_list, user, "/api/v1/notes/")
            pairs.append(
                Pair(
                    f"notes API page 1 (view): {label}",
                    "same view, notes filtered directly, no read audit",
                    view,
                    self.call_view(bare_list, user, "/api/v1/notes/"),
                    same_json,
                )
            )
            pairs.append(
                self.whole_request(user, "/api/v1/notes/", {}, view, same_json, label=label)
            )
        for who in ("leader", "director"):
            label, user = people[who]
            bare_name, bare_events = self.bare_audit_events(cast, who, user)
            pairs.append(
                Pair(
                    f"audit_event_list first {PAGE}: {label}",
                    bare_name,
                    lambda user=user: list(audit_event_list(user=user)[:PAGE]),
                    lambda bare_events=bare_events: list(bare_events()[:PAGE]),
                    same_page,
                )
            )
            page, bare_page = self.audit_pages(user, bare_events)
            pairs.append(
                Pair(
                    f"audit log page (view): {label}",
                    f"same view, events: {bare_name}",
                    page,
                    bare_page,
                    lambda out, bare: same_html(out, bare, shows=events_shown),
                )
            )
            pairs.append(
                self.whole_request(
                    user,
                    "/tilgang/logg/",
                    {},
                    page,
                    lambda out, bare: same_html(out, bare, shows=events_shown),
                    label=label,
                )
            )
        offices_list = OfficeViewSet.as_view({"get": "list"})
        bare_offices_list = bare_viewset(OfficeViewSet, bare_offices).as_view({"get": "list"})
        size = {"page_size": 500}
        assert size["page_size"] <= StandardPagination.max_page_size  # noqa: S101
        view = self.call_view(offices_list, cast.leader, "/api/v1/offices/", size)
        pairs.append(
            Pair(
                "offices API ?page_size=500 (view)",
                "same view, Office rows read directly",
                view,
                self.call_view(bare_offices_list, cast.leader, "/api/v1/offices/", size),
                same_json,
            )
        )
        pairs.append(self.whole_request(cast.leader, "/api/v1/offices/", size, view, same_json))
        office = cast.office
        levels = bare_levels(office.pk)
        pairs.append(
            Pair(
                "access_review (one office)",
                "same function, office read without the review check",
                lambda: access_review(user=cast.leader, office=office.code),
                swapped(
                    review_module,
                    "reviewable_office_get",
                    office_by_code,
                    lambda: access_review(user=cast.leader, office=office.code),
                ),
                lambda out, bare: same_review(out, bare, levels=levels),
                second_look=True,
            )
        )
        path = f"/tilgang/gjennomgang/{office.code}/"
        page = self.call_view(access_review_view, cast.leader, path, code=office.code)

        def shows_people(html: str) -> str:
            return people_shown(html, levels)

        pairs.append(
            Pair(
                "access review page (view)",
                "same view, office read without the review check",
                page,
                swapped(review_module, "reviewable_office_get", office_by_code, page),
                lambda out, bare: same_html(out, bare, shows=shows_people),
                second_look=True,
            )
        )
        reference = self.whole_request(
            cast.leader,
            path,
            {},
            page,
            lambda out, bare: same_html(out, bare, shows=shows_people),
        )
        pairs.append(replace(reference, name="GET /tilgang/gjennomgang/<office>/ whole request"))
        return pairs

    def issue11_pairs(self) -> list[Pair]:
        """The five operations of issue 11 (``make bench``), see ``navpartner/benchpages.py``."""
        pairs = []
        month = {"maned": format_period(reporting_month())}
        county = benchpages.largest_county()
        director = benchpages.holder(Role.COUNTY_DIRECTOR, county=county)
        municipality = benchpages.largest_municipality()
        executive = benchpages.holder(Role.MUNICIPAL_EXECUTIVE, municipality=municipality)
        county_offices = list(
            Office.objects.filter(county=county).order_by("pk").values_list("pk", flat=True)
        )

        def rows_shown(html: str) -> str:
            return f"{html.count('<tr')} table rows"

        def same_page(out, bare):
            return same_html(out, bare, shows=rows_shown)

        for label, user, path, params, kwargs in (
            (
                f"county review {county.number} ({len(county_offices)} offices)",
                director,
                f"/oppfolging/fylke/{county.number}/",
                month,
                {"number": county.number},
            ),
            (
                f"municipal review {municipality.number} "
                f"({OfficeMunicipality.objects.filter(municipality=municipality).count()} offices)",
                executive,
                f"/oppfolging/kommune/{municipality.number}/",
                month,
                {"number": municipality.number},
            ),
            ("NAV-leder dashboard /", self.cast.leader, "/", {}, {}),
        ):
            view = self.call_view(resolve(path).func, user, path, params, **kwargs)
            try:
                view()
            except Http404:
                # A page not built yet (its view a placeholder): said, not timed.
                self.log(f"  {label}: {path} answers 404 to {user.username}; not measured")
                self.skipped.append(label)
                continue
            pairs.append(
                Pair(
                    f"{label} (view)",
                    "same view, permission rows worked out by hand",
                    view,
                    benchpages.with_permissions_by_hand(user, view),
                    same_page,
                    second_look=True,
                )
            )
            pairs.append(
                replace(
                    self.whole_request(user, path, params, view, same_page),
                    name=f"{label} whole request",
                )
            )
        size = {"page_size": benchpages.API_PAGE}
        measurements = MeasurementViewSet.as_view({"get": "list"})
        view = self.call_view(measurements, director, "/api/v1/measurements/", size)
        pairs.append(
            Pair(
                f"measurements API ?page_size={benchpages.API_PAGE} (view): county director",
                "values() on a direct condition + json.dumps, same rows and count",
                view,
                benchpages.bare_measurements(county_offices),
                benchpages.same_measurements,
            )
        )
        month_rows = benchpages.BulkMonth()
        client = benchpages.holder(Role.STATISTICS_CLIENT)
        api = benchpages.bulk_api_call(month_rows, client, self.host(), month_rows.next_body)
        bare = benchpages.bare_bulk_upsert(client, month_rows.next_body)
        pairs.append(
            Pair(
                f"bulk API, one month for all offices ({len(month_rows.rows):,} rows)",
                "bulk_create(update_conflicts=True) of the same JSON rows",
                api,
                bare,
                lambda out, bare_out: benchpages.check_bulk(month_rows, api, bare),
                rows=len(month_rows.rows),
            )
        )
        return pairs

    def whole_request(
        self, user: User, path: str, params: dict, view: Callable, same, label: str = ""
    ) -> Pair:
        """The full request through the test client, for reference: middleware, session, auth,
        URL resolution, the view. No bare side and no ratio; checked to serve what the view row
        times."""
        client = self.client(user)
        query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
        return Pair(
            f"GET {path}{query} whole request" + (f": {label}" if label else ""),
            REFERENCE,
            lambda: client.get(path, params, secure=True),
            None,
            same_as_view(view, same),
            second_look=True,
        )

    def audit_pages(self, user: User, bare_events: Callable) -> tuple[Callable, Callable]:
        """The audit log page, and the same page with the events read directly."""
        page = self.call_view(audit_views.audit_event_list_view, user, "/tilgang/logg/")

        def direct(*, user):
            return bare_events()

        return page, swapped(audit_views, "audit_event_list", direct, page)

    def bare_audit_events(self, cast: Cast, who: str, user: User) -> tuple[str, Callable]:
        """The first candidate direct filter that gives the policy's page (see Cast)."""
        expected = [e.pk for e in audit_event_list(user=user)[:PAGE]]
        tried = []
        for name, condition in cast.audit_filters(who):

            def events(condition=condition):
                return (
                    AuditEvent.objects.filter(condition)
                    .select_related("office")
                    .order_by("-at", "-id")
                )

            if [e.pk for e in events()[:PAGE]] == expected:
                return name, events
            tried.append(name)
        raise Mismatch(f"No direct filter gives the audit page of the {who}: tried {tried}")

    # --- Audit log at growing size ---------------------------------------------------------

    def audit_scaling(self, cast: Cast, events: int, repeat: int) -> dict:
        stages = sorted({max(PAGE * 4, events // 100), max(PAGE * 4, events // 10), events})
        self.log(f"Emptying the audit log, then growing it: {stages} events")
        benchdata.truncate_audit_events()
        measured: dict[str, list[dict]] = {}
        for target in stages:
            benchdata.top_up_events(target)
            benchdata.analyze()
            for who, user in (("leader", cast.leader), ("director", cast.director)):
                bare_name, bare_events = self.bare_audit_events(cast, who, user)
                page, bare_page = self.audit_pages(user, bare_events)
                for pair in (
                    Pair(
                        f"audit log page (view): {who}",
                        bare_name,
                        page,
                        bare_page,
                        lambda out, bare: same_html(out, bare, shows=events_shown),
                    ),
                    Pair(
                        f"audit_event_list first {PAGE}: {who}",
                        bare_name,
                        lambda user=user: list(audit_event_list(user=user)[:PAGE]),
                        lambda bare_events=bare_events: list(bare_events()[:PAGE]),
                        same_page,
                    ),
                ):
                    result = measure(pair, repeat)
                    name = pair.name
                    measured.setdefault(name, []).append(
                        {
                            "events": AuditEvent.objects.count(),
                            "median_ms": result.median_ms,
                            "p90_ms": result.p90_ms,
                            "bare_median_ms": result.bare_median_ms,
                            "ratio_to_bare": result.ratio,
                            "checked": result.checked,
                        }
                    )
        summary = {
            name: {
                "stages": rows,
                "growth": rows[-1]["median_ms"] / rows[0]["median_ms"],
                "bare_growth": rows[-1]["bare_median_ms"] / rows[0]["bare_median_ms"],
            }
            for name, rows in measured.items()
        }
        if not self.as_json:
            self.stdout.write(
                f"\nAudit log page as the log grows ({connection.vendor}, DEBUG off, "
                f"median of {repeat}; growth = time at the largest size / time at the smallest)"
            )
            header = "".join(f"{row['events']:>12}" for row in next(iter(measured.values())))
            self.stdout.write(f"{'operation (ms at events)':42}{header}{'growth':>9}{'bare':>7}")
            for name, entry in summary.items():
                times = "".join(f"{row['median_ms']:12.2f}" for row in entry["stages"])
                self.stdout.write(
                    f"{name:42}{times}{entry['growth']:9.2f}{entry['bare_growth']:7.2f}"
                )
        return summary

    # --- Output -----------------------------------------------------------------------------

    def print_table(self, meta: dict, cast: Cast, results: list[Result]) -> None:
        counts = meta["counts"]
        self.stdout.write(
            f"\n{counts['offices']} offices, {counts['users']} users, "
            f"{counts['permission_rows']} permission rows, {counts['notes']} notes, "
            f"{counts['audit_events']} audit events; {meta['vendor']}, DEBUG "
            f"{'on' if meta['debug'] else 'off'}, NAVPARTNER_ENV={meta['navpartner_env']}, "
            f"no transaction; both sides interleaved, {meta['repeat']} runs each"
        )
        self.stdout.write(
            f"Measured as: {cast.leader.username} (leader of {cast.office.code}), "
            f"{cast.director.username} ({len(cast.county_offices)} offices), "
            f"{cast.executive.username} ({len(cast.executive_offices)} offices), "
            f"{cast.delegate.username}\n"
        )
        width = max(len(r.name) for r in results) + 2
        self.stdout.write(
            f"{'operation':{width}}{'median':>9}{'p90':>9}{'p95':>9}{'bare med':>10}"
            f"{'bare p95':>10}{'ratio':>7}{'queries':>9}  checked (vs bare)"
        )
        for r in results:
            if r.ratio is None:  # a whole request, for reference: no bare side, no ratio
                bare = f"{'–':>10}{'–':>10}{'–':>7}{r.queries:>9}  {r.checked} ({r.bare})"
            else:
                bare = (
                    f"{r.bare_median_ms:10.2f}{r.bare_p95_ms:10.2f}{r.ratio:7.2f}"
                    f"{f'{r.queries}/{r.bare_queries}':>9}  {r.checked} ({r.bare})"
                )
            self.stdout.write(
                f"{r.name:{width}}{r.median_ms:9.2f}{r.p90_ms:9.2f}{r.p95_ms:9.2f}{bare}"
            )
            if r.rows_per_s:
                self.stdout.write(
                    f"{'':{width}}{r.rows_per_s:,.0f} rows/s, bare {r.bare_rows_per_s:,.0f} "
                    f"rows/s ({r.rows:,} rows a call)"
                )
        self.stdout.write(
            "(times in ms; ratio = median / bare median; a view row calls the view on a request "
            "as the middleware leaves it, its bare side the same view with the access policy's "
            "read swapped for a direct one, and both give the same bytes; a whole-request row "
            "goes through the test client and the middleware, has no bare side, and is checked "
            "to serve the view row's output)"
        )
