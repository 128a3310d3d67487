"""The rows of ``manage.py benchmark`` for issue 11's pages and API (``make bench``).

Each row's bare side gives the same output as the operation, checked before timing:

* **review pages and the dashboard**: the same view with the access policy's read —
  ``users.access.side_permissions``, the one query on the person's permission rows that every
  ``visible_to`` and every card asks — swapped for the (office, side, action) the person holds
  by the rules of ``users/access/permissions.py``, worked out by hand from the offices and their
  municipalities (``grants``). Same bytes, CSRF tokens aside;
* **the measurements API list** (a page of 500, as the county director): beside the same 500
  rows and their count through a plain ``values()`` query on a direct condition (the county's
  offices; the state's indicators, or shared ones) and ``json.dumps``; the parsed results and
  counts are compared;
* **the bulk API** (one month for all offices, as the statistics system): beside a bare bulk
  upsert (``bulk_create(update_conflicts=True)``) of the same JSON rows. Each call writes values
  other than those stored (they alternate between two sets), so both sides do real work; the
  check writes one set through each and compares the stored values.
"""

import datetime
import itertools
import json
from collections.abc import Callable
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, Q
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone
from rest_framework import serializers

from navpartner import benchdata
from offices.models import County, Municipality, Office, OfficeMunicipality
from scorecards.api.serializers import normalise
from scorecards.api.views import MeasurementViewSet
from scorecards.models import UNIT_RANGES, Indicator, Measurement, Source
from scorecards.periods import format_period, reporting_month
from users import access
from users.models import Role, RoleAssignment, User

VIEW, CHANGE = "view", "change"
BOTH = (VIEW, CHANGE)
API_PAGE = 500


class Mismatch(CommandError):
    """An operation and its bare counterpart gave different output: the ratio would lie."""


def grants(user: User) -> set[tuple[int, str, str]]:
    """The (office, side, action) ``user`` holds now, by the rules' table, from the roles and
    the offices' municipalities — not from the permission rows the policy reads."""
    held: set[tuple[int, str, str]] = set()
    now = timezone.now()
    employer = user.employer_side
    for role in RoleAssignment.objects.active(now).filter(user=user):
        if role.office_id:
            reach = [role.office_id]
        elif role.county_id:
            reach = list(
                Office.objects.filter(county_id=role.county_id).values_list("pk", flat=True)
            )
        elif role.municipality_id:
            reach = list(
                OfficeMunicipality.objects.filter(municipality_id=role.municipality_id)
                .filter(valid_from__lte=now.date())
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=now.date()))
                .values_list("office_id", flat=True)
            )
        else:
            continue
        if role.role == Role.OFFICE_LEADER:
            sides = {"joint": BOTH, "state": BOTH, "municipal": BOTH}
        else:
            joint = (
                BOTH if role.role in (Role.COUNTY_DIRECTOR, Role.MUNICIPAL_EXECUTIVE) else (VIEW,)
            )
            own = {
                Role.OFFICE_STAFF: employer,
                Role.COUNTY_DIRECTOR: "state",
                Role.COUNTY_ADVISOR: "state",
                Role.MUNICIPAL_EXECUTIVE: "municipal",
                Role.MUNICIPAL_ADVISOR: "municipal",
            }.get(role.role)
            sides = {"joint": joint}
            if own and own == employer:
                sides[own] = BOTH
        for office_id in reach:
            for side, actions in sides.items():
                for action in actions:
                    held.add((office_id, side, action))
    return held


def permissions_by_hand(user: User) -> Callable:
    """A stand-in for ``access.side_permissions``: the grants worked out by hand, no query."""
    rows = frozenset(grants(user))

    def side_permissions(who, *, offices=None):
        if getattr(who, "pk", None) != user.pk:
            raise Mismatch(f"side_permissions asked for {who}, not {user}")
        if offices is None:
            return access.SidePermissions(rows)
        ids = {getattr(office, "pk", office) for office in offices}
        return access.SidePermissions(r for r in rows if r[0] in ids)

    return side_permissions


def with_permissions_by_hand(user: User, run: Callable) -> Callable:
    stand_in = permissions_by_hand(user)

    def call():
        original = access.side_permissions
        access.side_permissions = stand_in
        try:
            return run()
        finally:
            access.side_permissions = original

    return call


# --- Who and what -------------------------------------------------------------------------------


def largest_county() -> County:
    counts: dict[int, int] = {}
    for county_id in Office.objects.filter(code__startswith=benchdata.PREFIX).values_list(
        "county", flat=True
    ):
        counts[county_id] = counts.get(county_id, 0) + 1
    return County.objects.get(pk=min(counts, key=lambda c: (-counts[c], c)))


def largest_municipality() -> Municipality:
    counts: dict[int, int] = {}
    for municipality_id in OfficeMunicipality.objects.filter(
        office__code__startswith=benchdata.PREFIX
    ).values_list("municipality", flat=True):
        counts[municipality_id] = counts.get(municipality_id, 0) + 1
    return Municipality.objects.get(pk=min(counts, key=lambda m: (-counts[m], m)))


def holder(role: str, **scope) -> User:
    return RoleAssignment.objects.filter(role=role, **scope).select_related("user")[0].user


# --- The measurements API list ------------------------------------------------------------------


def bare_measurements(county_offices: list[int], period_before=None) -> Callable:
    """The API's first page for the county director as a plain ``values()`` query + JSON:
    the county's offices, state indicators or shared ones, the API's order; and the count."""
    condition = Q(office_id__in=county_offices) & (
        Q(indicator__side="state") | Q(indicator__shared=True)
    )
    when = serializers.DateTimeField()

    def run() -> str:
        rows = Measurement.objects.filter(condition)
        count = rows.count()
        page = rows.order_by(
            "-period", "office__code", "indicator__position", "indicator__code", "pk"
        ).values(
            "id",
            "value",
            "source",
            "comment",
            "version",
            "period",
            "updated_at",
            office_code=F("office__code"),
            indicator_code=F("indicator__code"),
            indicator_side=F("indicator__side"),
            updated_by_name=F("updated_by__username"),
        )[:API_PAGE]
        results = [
            {
                "id": row["id"],
                "office": row["office_code"],
                "indicator": row["indicator_code"],
                "side": row["indicator_side"],
                "period": format_period(row["period"]),
                "value": normalise(row["value"]),
                "source": row["source"],
                "comment": row["comment"],
                "version": row["version"],
                "updated_by": row["updated_by_name"],
                "updated_at": when.to_representation(row["updated_at"]),
            }
            for row in page
        ]
        return json.dumps({"count": count, "results": results})

    return run


def same_measurements(response, bare_json: str) -> str:
    if response.status_code != 200:
        raise Mismatch(f"the API answered {response.status_code}")
    answer, bare = json.loads(response.content), json.loads(bare_json)
    if not answer.get("results"):
        raise Mismatch("no results: nothing to compare")
    if answer["results"] != bare["results"] or answer["count"] != bare["count"]:
        raise Mismatch("the API's rows differ from the bare values() rows")
    return f"same {len(answer['results'])} rows of {answer['count']:,}, same values"


# --- The bulk API -------------------------------------------------------------------------------


class BulkMonth:
    """One month's values for every office, as a statistics system delivers them: two sets of
    values that differ in every row, taken in turn so that each call changes every row."""

    def __init__(self):
        self.period = reporting_month()
        rows = (
            Measurement.objects.filter(
                office__code__startswith=benchdata.PREFIX, period=self.period
            )
            .order_by("office__code", "indicator__code")
            .values_list("office__code", "indicator__code", "value", "indicator__unit")
        )
        decimals = dict(
            Indicator.objects.filter(code__startswith=benchdata.PREFIX).values_list(
                "code", "decimals"
            )
        )
        self.rows: list[tuple[str, str, Decimal, Decimal]] = []
        for office, indicator, value, unit in rows:
            step = Decimal(1).scaleb(-decimals[indicator])
            low, high = UNIT_RANGES[unit]
            base = value
            if high is not None:
                base = min(base, high - step)
            if low is not None:
                base = max(base, low + step)
            self.rows.append((office, indicator, base - step, base + step))
        self.turn = itertools.count()
        self.bodies = [self.body(0), self.body(1)]
        self.fixed: int | None = None  # the check writes one set on purpose

    def body(self, which: int) -> bytes:
        month = format_period(self.period)
        return json.dumps(
            {
                "rows": [
                    {
                        "office": office,
                        "indicator": indicator,
                        "period": month,
                        "value": str(values[which]),
                    }
                    for office, indicator, *values in self.rows
                ]
            }
        ).encode()

    def next_body(self) -> bytes:
        return self.bodies[self.fixed if self.fixed is not None else next(self.turn) % 2]

    def stored(self) -> dict[tuple[str, str], Decimal]:
        return {
            (office, indicator): value
            for office, indicator, value in Measurement.objects.filter(
                office__code__startswith=benchdata.PREFIX, period=self.period
            ).values_list("office__code", "indicator__code", "value")
        }

    def expected(self, which: int) -> dict[tuple[str, str], Decimal]:
        return {(o, i): values[which] for o, i, *values in self.rows}


def bulk_api_call(month: BulkMonth, user: User, host: str, body: Callable[[], bytes]) -> Callable:
    """``POST /api/v1/measurements/bulk/`` through the view, as a request the middleware leaves
    it (the user signed in, in the request's own transaction as ``ATOMIC_REQUESTS`` gives)."""
    path = "/api/v1/measurements/bulk/"
    view = MeasurementViewSet.as_view({"post": "bulk"})
    match = resolve(path)

    def call():
        request = RequestFactory().post(
            path, body(), content_type="application/json", secure=True, HTTP_HOST=host
        )
        request.user = user
        request._dont_enforce_csrf_checks = True
        request.resolver_match = match
        with transaction.atomic():
            response = view(request)
        response.render()
        if response.status_code != 200:
            raise Mismatch(
                f"the bulk API answered {response.status_code}: {response.content[:300]}"
            )
        return response

    return call


def bare_bulk_upsert(user: User, body: Callable[[], bytes]) -> Callable:
    """The same JSON rows as one ``INSERT … ON CONFLICT DO UPDATE`` (no checks, no history)."""

    def call():
        rows = json.loads(body())["rows"]
        offices = dict(
            Office.objects.filter(code__in={r["office"] for r in rows}).values_list("code", "pk")
        )
        indicators = dict(
            Indicator.objects.filter(code__in={r["indicator"] for r in rows}).values_list(
                "code", "pk"
            )
        )
        now = timezone.now()
        with transaction.atomic():
            Measurement.objects.bulk_create(
                [
                    Measurement(
                        office_id=offices[r["office"]],
                        indicator_id=indicators[r["indicator"]],
                        period=datetime.date.fromisoformat(r["period"] + "-01"),
                        value=Decimal(r["value"]),
                        source=Source.API,
                        comment="",
                        updated_by=user,
                        updated_at=now,
                    )
                    for r in rows
                ],
                update_conflicts=True,
                unique_fields=["office", "indicator", "period"],
                update_fields=["value", "source", "comment", "updated_by", "updated_at"],
                batch_size=5000,
            )
        return len(rows)

    return call


def check_bulk(month: BulkMonth, api: Callable, bare: Callable) -> str:
    """Both sides leave the same stored values: each writes set 0 after the other wrote set 1,
    and the API reports every row as updated."""
    stored = []
    try:
        for first, second in ((bare, api), (api, bare)):
            month.fixed = 1
            first()
            month.fixed = 0
            answer = second()
            if second is api:
                updated = json.loads(answer.content).get("updated")
                if updated != len(month.rows):
                    raise Mismatch(f"the API updated {updated} of {len(month.rows)} rows")
            stored.append(month.stored())
            if stored[-1] != month.expected(0):
                raise Mismatch("the stored values are not the delivered ones")
    finally:
        month.fixed = None
    if stored[0] != stored[1]:
        raise Mismatch("the API and the bare upsert leave different values")
    return f"same {len(month.rows):,} stored values after either"
