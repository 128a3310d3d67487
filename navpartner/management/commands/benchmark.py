"""``manage.py benchmark``: the main reads at national scale, each against a bare counterpart
that produces the same output, as ratios.

Timings in seconds mean little across machines; a ratio against the bare operation in the same
run does. To be a fair ratio:

* **same output**: before timing, each operation and its bare counterpart run once and their
  results are compared (the same note ids, the same JSON, the same 50 events in the same
  order, the same people and levels); a difference stops the command;
* **interleaved**: each repetition runs both, alternating which goes first (ABBA…), and the
  median and 90th percentile of each are reported;
* **production settings**: ``DEBUG`` is forced off (and asserted), requests go through the full
  middleware stack and ``ATOMIC_REQUESTS`` as configured;
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

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.template.defaultfilters import date as date_filter
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from navpartner import benchdata
from navpartner.api.pagination import StandardPagination
from navpartner.sidedata import Side
from offices.api.notes import OfficeNoteSerializer
from offices.api.serializers import OfficeSerializer
from offices.models import Office, OfficeMunicipality, OfficeNote
from offices.selectors import current_memberships
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

PAGE = 50  # the pages' and the API's page size
TIME_IN_PAGE = re.compile(r'<time datetime="([^"]+)"')


class Mismatch(CommandError):
    """An operation and its bare counterpart gave different output: the ratio would lie."""


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class Pair:
    """An operation, its bare counterpart, and how to tell that both gave the same output."""

    name: str
    bare_name: str
    operation: Callable
    bare: Callable
    same: Callable[[object, object], str]  # raises Mismatch, or says what matched


@dataclass
class Result:
    name: str
    bare: str
    checked: str
    median_ms: float
    p90_ms: float
    bare_median_ms: float
    bare_p90_ms: float
    ratio: float
    p90_ratio: float
    queries: int
    bare_queries: int
    repeat: int
    timings_ms: list[float] = field(default_factory=list, repr=False)
    bare_timings_ms: list[float] = field(default_factory=list, repr=False)


def _p90(values: list[float]) -> float:
    if len(values) < 2:
        return max(values)
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def measure(pair: Pair, repeat: int) -> Result:
    """Check the pair gives the same output, then time both sides interleaved."""
    counters = QueryCounter(), QueryCounter()
    with connection.execute_wrapper(counters[0]):
        out = pair.operation()
    with connection.execute_wrapper(counters[1]):
        bare_out = pair.bare()
    checked = pair.same(out, bare_out)
    timings: tuple[list[float], list[float]] = ([], [])
    sides = ((pair.operation, timings[0]), (pair.bare, timings[1]))
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
    median, bare_median = statistics.median(timings[0]), statistics.median(timings[1])
    return Result(
        name=pair.name,
        bare=pair.bare_name,
        checked=checked,
        median_ms=median,
        p90_ms=_p90(timings[0]),
        bare_median_ms=bare_median,
        bare_p90_ms=_p90(timings[1]),
        ratio=median / bare_median,
        p90_ratio=_p90(timings[0]) / _p90(timings[1]),
        queries=counters[0].count,
        bare_queries=counters[1].count,
        repeat=repeat,
        timings_ms=timings[0],
        bare_timings_ms=timings[1],
    )


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


def same_api_page(response, bare_body: bytes) -> str:
    answer, bare = _json(response), json.loads(bare_body)
    if answer["results"] != bare["results"]:
        raise Mismatch("the API's results differ from the bare serialisation")
    if answer.get("count") != bare.get("count"):
        raise Mismatch(f"count {answer.get('count')} against {bare.get('count')}")
    return f"same JSON of {len(bare['results'])} rows"


def same_html_page(response, bare_out) -> str:
    if response.status_code != 200:
        raise Mismatch(f"answered {response.status_code}")
    shown = TIME_IN_PAGE.findall(response.content.decode())
    expected = [date_filter(timezone.localtime(event.at), "c") for event in bare_out]
    if shown != expected or not expected:
        raise Mismatch(f"the page shows {len(shown)} events, not the bare page's {len(expected)}")
    return f"same {len(expected)} events, same order"


def review_levels(review) -> dict[tuple[int, str], str]:
    return {(e.person.user_id, e.side): e.level for side in review.sides for e in side.entries}


def same_review(review, bare_levels) -> str:
    if review_levels(review) != bare_levels:
        raise Mismatch("the review's people and levels differ from the permission rows")
    return f"same {len(bare_levels)} (person, side, level)"


def same_review_page(response, bare_levels) -> str:
    if response.status_code != 200:
        raise Mismatch(f"answered {response.status_code}")
    html = response.content.decode()
    names = User.objects.filter(pk__in={user_id for user_id, _ in bare_levels})
    missing = [u.username for u in names if str(u) not in html]
    if missing or not bare_levels:
        raise Mismatch(f"the page does not show {missing[:5]}")
    return f"all {len(names)} people shown"


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
        results = []
        for pair in self.pairs(cast):
            self.log(f"  {pair.name} …")
            results.append(measure(pair, options["repeat"]))
        if self.as_json:
            rows = [asdict(result) for result in results]
            self.stdout.write(json.dumps({"meta": meta, "rows": rows}, indent=2))
        else:
            self.print_table(meta, cast, results)

    def log(self, message: str) -> None:
        (self.stderr if self.as_json else self.stdout).write(message)

    # --- The rows ---------------------------------------------------------------------------

    def client(self, user: User) -> Client:
        host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost")
        client = Client(HTTP_HOST=host.lstrip("."))
        client.force_login(user)
        return client

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
        for who in ("leader", "director"):
            label, user = people[who]
            pairs.append(
                Pair(
                    f"GET /api/v1/notes/ (page 1): {label}",
                    "serializer over the filtered notes",
                    self.api_get(self.client(user), "/api/v1/notes/", {}),
                    self.bare_notes_page(cast.notes_filter(who)),
                    same_api_page,
                )
            )
        for who in ("leader", "director"):
            label, user = people[who]
            bare_name, bare_page = self.bare_audit_page(cast, who, user)
            client = self.client(user)
            pairs.append(
                Pair(
                    f"audit_event_list first {PAGE}: {label}",
                    bare_name,
                    lambda user=user: list(audit_event_list(user=user)[:PAGE]),
                    bare_page,
                    same_page,
                )
            )
            pairs.append(
                Pair(
                    f"GET /tilgang/logg/: {label}",
                    bare_name,
                    lambda client=client: client.get("/tilgang/logg/", secure=True),
                    bare_page,
                    same_html_page,
                )
            )
        pairs.append(
            Pair(
                "GET /api/v1/offices/?page_size=500",
                "serializer over Office rows",
                self.api_get(self.client(cast.leader), "/api/v1/offices/", {"page_size": 500}),
                self.bare_offices_page(500),
                same_api_page,
            )
        )
        office = cast.office
        pairs.append(
            Pair(
                "access_review (one office)",
                "permission rows of the office",
                lambda: access_review(user=cast.leader, office=office.code),
                lambda: bare_levels(office.pk),
                same_review,
            )
        )
        leader_client = self.client(cast.leader)
        pairs.append(
            Pair(
                "GET /tilgang/gjennomgang/<office>/",
                "permission rows of the office",
                lambda: leader_client.get(f"/tilgang/gjennomgang/{office.code}/", secure=True),
                lambda: bare_levels(office.pk),
                same_review_page,
            )
        )
        return pairs

    @staticmethod
    def api_get(client: Client, path: str, params: dict) -> Callable:
        return lambda: client.get(path, params, secure=True)

    def drf_request(self, path: str, params: dict) -> Request:
        host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost")
        return Request(RequestFactory().get(path, params, secure=True, HTTP_HOST=host.lstrip(".")))

    @staticmethod
    def bare_notes_page(condition: Q) -> Callable:
        def page() -> bytes:
            notes = (
                OfficeNote.objects.filter(condition)
                .select_related("office", "created_by")
                .order_by("-updated_at", "-pk")
            )
            results = OfficeNoteSerializer(list(notes[:PAGE]), many=True).data
            return JSONRenderer().render({"count": notes.count(), "results": results})

        return page

    def bare_offices_page(self, size: int) -> Callable:
        request = self.drf_request("/api/v1/offices/", {"page_size": size})

        def page() -> bytes:
            offices = (
                Office.objects.select_related("county")
                .prefetch_related(
                    Prefetch(
                        "memberships",
                        queryset=current_memberships(),
                        to_attr="current_memberships",
                    )
                )
                .order_by("name")
            )
            rows = list(offices[:size])
            results = OfficeSerializer(rows, many=True, context={"request": request}).data
            return JSONRenderer().render({"count": offices.count(), "results": results})

        assert size <= StandardPagination.max_page_size  # noqa: S101
        return page

    def bare_audit_page(self, cast: Cast, who: str, user: User) -> tuple[str, Callable]:
        """The first candidate direct filter that gives the policy's page (see Cast)."""
        expected = [e.pk for e in audit_event_list(user=user)[:PAGE]]
        tried = []
        for name, condition in cast.audit_filters(who):

            def page(condition=condition) -> list:
                return list(
                    AuditEvent.objects.filter(condition)
                    .select_related("office")
                    .order_by("-at", "-id")[:PAGE]
                )

            if [e.pk for e in page()] == expected:
                return name, page
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
                bare_name, bare_page = self.bare_audit_page(cast, who, user)
                client = self.client(user)
                for name, operation, same in (
                    (
                        f"GET /tilgang/logg/: {who}",
                        lambda client=client: client.get("/tilgang/logg/", secure=True),
                        same_html_page,
                    ),
                    (
                        f"audit_event_list first {PAGE}: {who}",
                        lambda user=user: list(audit_event_list(user=user)[:PAGE]),
                        same_page,
                    ),
                ):
                    result = measure(Pair(name, bare_name, operation, bare_page, same), repeat)
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
        self.stdout.write(
            f"{'operation':46}{'median':>9}{'p90':>9}{'bare med':>10}{'bare p90':>10}"
            f"{'ratio':>7}{'queries':>9}  checked (vs bare)"
        )
        for r in results:
            self.stdout.write(
                f"{r.name:46}{r.median_ms:9.2f}{r.p90_ms:9.2f}{r.bare_median_ms:10.2f}"
                f"{r.bare_p90_ms:10.2f}{r.ratio:7.2f}{f'{r.queries}/{r.bare_queries}':>9}"
                f"  {r.checked} ({r.bare})"
            )
        self.stdout.write("(times in ms; ratio = median / bare median)")
