"""National-scale data for ``manage.py seed_national`` and ``manage.py benchmark``, built fast,
committed, and reused. This module builds the organisation, notes and audit events; the
målekort and the agreements are built by ``benchdata_scorecards`` and ``benchdata_agreements``.

DESIGN.md's scale: 264 offices serving the 357 municipalities (some serve several; Oslo by 15
district offices), about ten staff per side per office, a leader per office, a director and two
advisors per county, an executive and an advisor per municipality, the directorate's
administrator and a statistics system, a delegation per office, ~79 k office notes and a million
audit events over a year. The counties and municipalities are the real ones (migration
``offices/0002``); everything else is named ``bench-…`` so that it can be recognised and reused
on the next run.

Rows are written in bulk: ``bulk_create`` for the few thousand people, roles and permission
rows, and for the notes and audit events one streamed ``COPY`` on PostgreSQL (a batched
``INSERT`` elsewhere). Signals do not fire for bulk writes, so the permission rows are written
here by the rules of ``users/access/permissions.py``; ``verify_permissions`` then runs the real
``permissions_sync`` on one person of each kind and fails if it would change anything.

The builder refuses a database holding anything but reference data and benchmark data (a real
installation) unless told it is a scratch database; ``--rebuild`` empties every table except the
reference data, so it is allowed only on such a database.
"""

import datetime
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from navpartner.sidedata import Side
from offices.models import County, Municipality, Office, OfficeMunicipality, OfficeNote
from users.models import (
    AuditAction,
    AuditEvent,
    Delegation,
    DelegationLevel,
    EmployerSide,
    OfficeUserObjectPermission,
    PermissionBasis,
    Role,
    RoleAssignment,
    User,
)

PREFIX = "bench-"
NATIONAL_OFFICES = 264
STAFF_PER_SIDE = 10
NOTES_PER_OFFICE = 300  # 264 × 300 ≈ 79 k notes
MONTHS = 120  # ten years of monthly values
COUNTY_ADVISORS = 2  # per county
# Oslo is one municipality served by one office per district (bydel): the largest municipality
# by offices, as in Norway. Only at national scale.
OSLO, OSLO_DISTRICTS = "0301", 15
AUDIT_EVENTS = 1_000_000
# Fixed moments, so that a top-up continues the same series: memberships from 2015 (before the
# ten years of values),
# roles from 2025, and the events one every 31.5 s from 1 November 2025 (a million in a year).
MEMBERSHIP_FROM = datetime.date(2015, 1, 1)
ROLES_FROM = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
DELEGATIONS_TO = datetime.datetime(2035, 1, 1, tzinfo=datetime.UTC)
EVENTS_FROM = datetime.datetime(2025, 11, 1, tzinfo=datetime.UTC)
EVENT_STEP = datetime.timedelta(days=365) / AUDIT_EVENTS
# No one signs in with a password: the benchmark signs its people in directly.
UNUSABLE_PASSWORD = "!benchmark"  # noqa: S105
# Tables kept by --rebuild: the reference data of the migrations.
REFERENCE_TABLES = {
    County._meta.db_table,
    Municipality._meta.db_table,
    "django_content_type",
    "auth_permission",
    "django_migrations",
}

NOT_SCRATCH = (
    "This database holds data other than reference data and benchmark data ({found}). "
    "The benchmark builds into a scratch database only, e.g. `createdb navpartner_bench`; "
    "if this one really is a scratch database, pass --database-is-scratch."
)
OTHER_SCALE = (
    "The benchmark data here was built for {built} offices, not {wanted}; "
    "pass --rebuild (on a scratch database) to build it again."
)


class NotScratch(Exception):
    """The database holds data the builder must not touch."""


@dataclass
class Scale:
    offices: int = NATIONAL_OFFICES
    staff_per_side: int = STAFF_PER_SIDE
    notes_per_office: int = NOTES_PER_OFFICE
    events: int = AUDIT_EVENTS
    months: int = MONTHS

    @property
    def oslo_districts(self) -> int:
        return OSLO_DISTRICTS if self.offices >= 100 else 0


@dataclass
class Built:
    """What the builder did, for the benchmark's header."""

    reused: bool
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


# --- Safety ------------------------------------------------------------------------------------


def foreign_data() -> list[str]:
    """What the database holds besides reference data and benchmark data."""
    found = []
    users = User.objects.exclude(username__startswith=PREFIX).count()
    offices = Office.objects.exclude(code__startswith=PREFIX).count()
    if users:
        found.append(f"{users} users")
    if offices:
        found.append(f"{offices} offices")
    return found


def check_scratch(*, database_is_scratch: bool) -> None:
    found = foreign_data()
    if found and not database_is_scratch:
        raise NotScratch(NOT_SCRATCH.format(found=", ".join(found)))


def wipe() -> None:
    """Empty every table but the reference data (a scratch database only: see check_scratch)."""
    tables = [
        table
        for table in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if table not in REFERENCE_TABLES
    ]
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)


def truncate_audit_events() -> None:
    """Empty the audit log (append-only: no DELETE; the owner's TRUNCATE, or SQLite's DELETE)."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table}")
        else:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608  (a table name, not input)


# --- Fast inserts ------------------------------------------------------------------------------


def _pg_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def insert_rows(
    model: type[models.Model], columns: list[str], rows: Iterable[tuple], batch: int = 50_000
) -> int:
    """Insert ``rows`` (values of ``columns``, by attname) without model instances or signals.

    Columns not given take the field's default (``now`` for auto timestamps), so a field added
    to the model later does not break the builder. PostgreSQL: ``COPY … FROM STDIN`` in chunks;
    elsewhere: ``executemany`` of a plain ``INSERT``.
    """
    fields = {f.attname: f for f in model._meta.concrete_fields}
    given = [fields[name] for name in columns]
    rest = [
        f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key
    ]
    now = timezone.now()
    defaults = tuple(
        now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in rest
    )
    all_fields = given + rest
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in all_fields)
    written = 0
    chunk: list[tuple] = []

    def flush() -> None:
        nonlocal written
        if not chunk:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                for row in chunk:
                    buffer.write("\t".join(_pg_text(v) for v in row + defaults))
                    buffer.write("\n")
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
            else:
                placeholders = ", ".join(["%s"] * len(all_fields))
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608
                    [
                        [
                            f.get_db_prep_save(v, connection)
                            for f, v in zip(all_fields, row + defaults, strict=True)
                        ]
                        for row in chunk
                    ],
                )
        written += len(chunk)
        chunk.clear()

    for row in rows:
        chunk.append(tuple(row))
        if len(chunk) >= batch:
            flush()
    flush()
    return written


# --- The organisation --------------------------------------------------------------------------


def _quotas(sizes: dict[int, int], total: int) -> dict[int, int]:
    """``total`` offices shared among counties in proportion to their municipalities (largest
    remainder), never more offices than a county has municipalities."""
    whole = sum(sizes.values())
    exact = {county: total * size / whole for county, size in sizes.items()}
    quotas = {county: min(int(share), sizes[county]) for county, share in exact.items()}
    by_remainder = sorted(exact, key=lambda c: (exact[c] - int(exact[c]), sizes[c]), reverse=True)
    while sum(quotas.values()) < min(total, whole):
        for county in by_remainder:
            if sum(quotas.values()) >= min(total, whole):
                break
            if quotas[county] < sizes[county]:
                quotas[county] += 1
    return quotas


def _chunks(items: list, parts: int) -> list[list]:
    """``items`` in ``parts`` consecutive groups, the first ones one larger."""
    size, extra = divmod(len(items), parts)
    groups, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        groups.append(items[start:end])
        start = end
    return groups


def build_organisation(scale: Scale) -> None:
    """Offices, memberships, people, roles, delegations and their permission rows."""
    municipalities = list(Municipality.objects.valid_on().order_by("county__number", "number"))
    by_county: dict[int, list[Municipality]] = {}
    for municipality in municipalities:
        by_county.setdefault(municipality.county_id, []).append(municipality)
    counties = {county.pk: county for county in County.objects.all()}
    oslo = next((m for m in municipalities if m.number == OSLO), None)
    districts = scale.oslo_districts if oslo else 0
    quotas = _quotas(
        {c: len(ms) for c, ms in by_county.items()}, scale.offices - max(0, districts - 1)
    )

    offices: list[Office] = []
    served: list[list[Municipality]] = []
    for county_id in sorted(by_county, key=lambda c: counties[c].number):
        groups = _chunks(by_county[county_id], quotas[county_id]) if quotas[county_id] else []
        if districts and oslo.county_id == county_id:
            groups = [g for g in groups if g != [oslo]] + [[oslo]] * districts
        for district, group in enumerate(groups):
            number = len(offices) + 1
            suffix = " m.fl." if len(group) > 1 else ""
            if group == [oslo] and districts:
                suffix = f" bydel {district + 1}"
            offices.append(
                Office(
                    code=f"{PREFIX}{number:03d}",
                    name=f"NAV {group[0].name}{suffix}",
                    county_id=county_id,
                    street_address=f"Storgata {number}",
                    postal_code=f"{number:04d}",
                    postal_place=group[0].name,
                )
            )
            served.append(group)
    Office.objects.bulk_create(offices)
    OfficeMunicipality.objects.bulk_create(
        OfficeMunicipality(
            office=office,
            municipality=municipality,
            valid_from=MEMBERSHIP_FROM,
            is_host=(k == 0 and len(group) > 1),
        )
        for office, group in zip(offices, served, strict=True)
        for k, municipality in enumerate(group)
    )

    def person(username: str, side: str, *, county=None, municipality=None, first="", last=""):
        return User(
            username=username,
            password=UNUSABLE_PASSWORD,
            first_name=first,
            last_name=last or username,
            employer_side=side,
            employer_county=county,
            employer_municipality=municipality,
        )

    people: list[User] = []
    roles: list[tuple[str, str, dict]] = []  # (username, role, scope)
    for office, group in zip(offices, served, strict=True):
        county = counties[office.county_id]
        short = office.code.removeprefix(PREFIX)
        leader_is_state = int(short) % 2 == 1
        people.append(
            person(
                f"{PREFIX}{short}-leder",
                EmployerSide.STATE if leader_is_state else EmployerSide.MUNICIPAL,
                county=county if leader_is_state else None,
                municipality=None if leader_is_state else group[0],
                first="Leder",
            )
        )
        roles.append((people[-1].username, Role.OFFICE_LEADER, {"office": office}))
        for n in range(scale.staff_per_side):
            people.append(person(f"{PREFIX}{short}-s{n}", EmployerSide.STATE, county=county))
            roles.append((people[-1].username, Role.OFFICE_STAFF, {"office": office}))
            people.append(
                person(
                    f"{PREFIX}{short}-k{n}",
                    EmployerSide.MUNICIPAL,
                    municipality=group[n % len(group)],
                )
            )
            roles.append((people[-1].username, Role.OFFICE_STAFF, {"office": office}))
    for county_id in sorted({office.county_id for office in offices}):
        county = counties[county_id]
        people.append(person(f"{PREFIX}fd-{county.number}", EmployerSide.STATE, county=county))
        roles.append((people[-1].username, Role.COUNTY_DIRECTOR, {"county": county}))
        for n in range(COUNTY_ADVISORS):
            people.append(
                person(f"{PREFIX}fr-{county.number}-{n}", EmployerSide.STATE, county=county)
            )
            roles.append((people[-1].username, Role.COUNTY_ADVISOR, {"county": county}))
    served_municipalities = {m.pk: m for group in served for m in group}
    for municipality in served_municipalities.values():
        for kind, role in (("rm", Role.MUNICIPAL_EXECUTIVE), ("ra", Role.MUNICIPAL_ADVISOR)):
            people.append(
                person(
                    f"{PREFIX}{kind}-{municipality.number}",
                    EmployerSide.MUNICIPAL,
                    municipality=municipality,
                )
            )
            roles.append((people[-1].username, role, {"municipality": municipality}))
    # The directorate's administrator and a national statistics system: roles without offices,
    # so no permission rows (users/access/permissions.py).
    people.append(person(f"{PREFIX}direktorat", EmployerSide.STATE))
    roles.append((people[-1].username, Role.NATIONAL_ADMIN, {}))
    people.append(person(f"{PREFIX}statistikk", ""))
    roles.append((people[-1].username, Role.STATISTICS_CLIENT, {}))
    User.objects.bulk_create(people, batch_size=2000)
    users = {user.username: user for user in User.objects.filter(username__startswith=PREFIX)}
    assignments = RoleAssignment.objects.bulk_create(
        (
            RoleAssignment(
                user=users[username],
                role=role,
                valid_from=ROLES_FROM,
                approved_at=ROLES_FROM,
                **scope,
            )
            for username, role, scope in roles
        ),
        batch_size=2000,
    )

    # A delegation per office: the executive of the next office of the county lets the office's
    # first state employee view that office's municipal data (the same office if it is alone).
    delegations = []
    for index, (office, _group) in enumerate(zip(offices, served, strict=True)):
        same_county = [i for i, o in enumerate(offices) if o.county_id == office.county_id]
        target = same_county[(same_county.index(index) + 1) % len(same_county)]
        short = office.code.removeprefix(PREFIX)
        delegations.append(
            Delegation(
                grantor=users[f"{PREFIX}rm-{served[target][0].number}"],
                grantee=users[f"{PREFIX}{short}-s0"],
                office=offices[target],
                side=Side.MUNICIPAL,
                level=DelegationLevel.VIEW,
                basis=f"delegasjonsvedtak bench {index + 1}",
                valid_from=ROLES_FROM,
                valid_to=DELEGATIONS_TO,
            )
        )
    delegations = Delegation.objects.bulk_create(delegations, batch_size=2000)
    OfficeUserObjectPermission.objects.bulk_create(
        _permission_rows(assignments, delegations, offices, served), batch_size=5000
    )


def _permission_rows(assignments, delegations, offices, served) -> Iterator:
    """The rows ``permissions_sync`` writes, by the table of ``users/access/permissions.py``."""
    permission_ids = dict(
        Permission.objects.filter(content_type__app_label="offices").values_list("codename", "pk")
    )
    county_offices: dict[int, list[int]] = {}
    municipality_offices: dict[int, list[int]] = {}
    for office, group in zip(offices, served, strict=True):
        county_offices.setdefault(office.county_id, []).append(office.pk)
        for municipality in group:
            municipality_offices.setdefault(municipality.pk, []).append(office.pk)
    both = ("view", "change")
    for assignment in assignments:
        employer = assignment.user.employer_side
        basis = PermissionBasis.ROLE
        if assignment.role in (Role.NATIONAL_ADMIN, Role.STATISTICS_CLIENT):
            continue
        if assignment.role == Role.OFFICE_LEADER:
            basis = PermissionBasis.OFFICE_LEADER
            reach = [assignment.office_id]
            sides = dict.fromkeys(Side.values, both)
        elif assignment.role == Role.OFFICE_STAFF:
            reach = [assignment.office_id]
            sides = {Side.JOINT: ("view",), employer: both}
        elif assignment.role == Role.COUNTY_DIRECTOR:
            reach = county_offices[assignment.county_id]
            sides = {Side.JOINT: both, Side.STATE: both}
        elif assignment.role == Role.COUNTY_ADVISOR:
            reach = county_offices[assignment.county_id]
            sides = {Side.JOINT: ("view",), Side.STATE: both}
        elif assignment.role == Role.MUNICIPAL_EXECUTIVE:
            reach = municipality_offices[assignment.municipality_id]
            sides = {Side.JOINT: both, Side.MUNICIPAL: both}
        else:  # the municipal advisor
            reach = municipality_offices[assignment.municipality_id]
            sides = {Side.JOINT: ("view",), Side.MUNICIPAL: both}
        for office_id in reach:
            for side, actions in sides.items():
                for action in actions:
                    yield OfficeUserObjectPermission(
                        user_id=assignment.user_id,
                        permission_id=permission_ids[f"{action}_{side}_data"],
                        content_object_id=office_id,
                        basis=basis,
                        valid_from=assignment.valid_from,
                        valid_to=None,
                        role_assignment_id=assignment.pk,
                        action=action,
                        side=side,
                    )
    for delegation in delegations:
        yield OfficeUserObjectPermission(
            user_id=delegation.grantee_id,
            permission_id=permission_ids[f"view_{delegation.side}_data"],
            content_object_id=delegation.office_id,
            basis=PermissionBasis.DELEGATION,
            valid_from=delegation.valid_from,
            valid_to=delegation.valid_to,
            delegation_id=delegation.pk,
            action="view",
            side=delegation.side,
        )


def verify_permissions() -> int:
    """Run the real ``permissions_sync`` on one person of each kind; fail on any change.

    Run in a transaction that is rolled back, so a failure leaves the data as it was.
    """
    from users.access.permissions import permissions_sync

    sample = [
        User.objects.filter(username__startswith=PREFIX, username__endswith=suffix)
        .order_by("username")
        .first()
        for suffix in ("-leder", "-s0", "-s1", "-k0")
    ]
    sample += [
        User.objects.filter(username__startswith=f"{PREFIX}{kind}-").order_by("username").first()
        for kind in ("fd", "fr", "rm", "ra")
    ]
    sample = [user for user in sample if user is not None]
    changed = []
    with transaction.atomic():
        for user in sample:
            before = set(
                OfficeUserObjectPermission.objects.filter(user=user).values_list("pk", flat=True)
            )
            permissions_sync(user=user)
            after = set(
                OfficeUserObjectPermission.objects.filter(user=user).values_list("pk", flat=True)
            )
            if before != after or not before:
                changed.append(f"{user.username}: {len(before)} rows, {len(after)} after sync")
        transaction.set_rollback(True)
    if changed:
        raise AssertionError(
            "The benchmark's permission rows differ from permissions_sync's: " + "; ".join(changed)
        )
    return len(sample)


# --- Notes and events --------------------------------------------------------------------------


def _office_people() -> tuple[list[int], dict[int, dict[str, list[tuple[int, str]]]]]:
    """Benchmark office ids in order, and per office its people by kind (state, municipal,
    leader) as (id, username)."""
    offices = list(
        Office.objects.filter(code__startswith=PREFIX).order_by("code").values_list("pk", "code")
    )
    people: dict[int, dict[str, list[tuple[int, str]]]] = {
        pk: {"state": [], "municipal": [], "leader": []} for pk, _ in offices
    }
    staff = (
        RoleAssignment.objects.filter(
            office_id__in=list(people), role__in=[Role.OFFICE_STAFF, Role.OFFICE_LEADER]
        )
        .order_by("user__username")
        .values_list("office_id", "role", "user_id", "user__username", "user__employer_side")
    )
    for office_id, role, user_id, username, employer in staff:
        kind = "leader" if role == Role.OFFICE_LEADER else employer
        people[office_id][kind].append((user_id, username))
    return [pk for pk, _ in offices], people


NOTE_SIDES = (Side.STATE, Side.STATE, Side.MUNICIPAL, Side.MUNICIPAL, Side.JOINT)


def build_notes(scale: Scale) -> int:
    office_ids, people = _office_people()
    step = datetime.timedelta(days=365) / max(1, len(office_ids) * scale.notes_per_office)

    def rows() -> Iterator[tuple]:
        serial = 0
        for office_id in office_ids:
            staff = people[office_id]
            for n in range(scale.notes_per_office):
                side = NOTE_SIDES[n % len(NOTE_SIDES)]
                authors = staff["leader"] if side == Side.JOINT else staff[side]
                author_id, _name = authors[n % len(authors)]
                at = EVENTS_FROM + step * serial
                serial += 1
                yield (
                    office_id,
                    side,
                    f"Notat {serial}",
                    "Virksomhetsplan, tiltak og oppfølging.",
                    1,
                    author_id,
                    at,
                    at,
                )

    return insert_rows(
        OfficeNote,
        [
            "office_id",
            "side",
            "title",
            "body",
            "version",
            "created_by_id",
            "created_at",
            "updated_at",
        ],
        rows(),
    )


# Of every 20 events: 12 changes, 4 creations (a third each state, municipal, joint), 2 sign-ins
# (no office), a read through a delegation and a role assigned.
EVENT_PATTERN = (
    [AuditAction.DATA_CHANGED] * 12
    + [AuditAction.DATA_CREATED] * 4
    + [AuditAction.SIGN_IN] * 2
    + [AuditAction.DELEGATED_READ, AuditAction.ROLE_ASSIGNED]
)


def event_rows(start: int, stop: int) -> Iterator[tuple]:
    """Audit events ``start`` … ``stop - 1`` of the fixed series: the n-th is at
    ``EVENTS_FROM + n × EVENT_STEP``, at office ``n mod offices``, by one of its people."""
    office_ids, people = _office_people()
    count = len(office_ids)
    for n in range(start, stop):
        office_id = office_ids[n % count]
        round_ = n // count
        action = EVENT_PATTERN[round_ % len(EVENT_PATTERN)]
        staff = people[office_id]
        office, side, object_type, object_id, object_repr, basis = office_id, "", "", "", "", ""
        if action in (AuditAction.DATA_CHANGED, AuditAction.DATA_CREATED):
            side = Side.values[round_ % 3]
            object_type, object_id, object_repr = "offices.officenote", str(n), f"Notat {n}"
        elif action == AuditAction.SIGN_IN:
            office = None
        elif action == AuditAction.DELEGATED_READ:
            side, basis = Side.MUNICIPAL, f"delegation {office_id}"
        else:
            object_type, object_repr = "users.roleassignment", f"Rolle {n}"
        kind = side if side in (Side.STATE, Side.MUNICIPAL) else ("state", "municipal")[n % 2]
        if action == AuditAction.DELEGATED_READ:
            kind = "state"
        actor_id, username = staff[kind][round_ % len(staff[kind])]
        yield (
            EVENTS_FROM + EVENT_STEP * n,
            actor_id,
            username,
            action,
            office,
            side,
            object_type,
            object_id,
            object_repr,
            basis,
            f"10.{n % 250}.{round_ % 250}.{1 + n % 200}",
            {},
        )


EVENT_COLUMNS = [
    "at",
    "actor_id",
    "actor_username",
    "action",
    "office_id",
    "side",
    "object_type",
    "object_id",
    "object_repr",
    "basis",
    "ip_address",
    "details",
]


def generated_events() -> int:
    """How many events of the series are in the log. Only they carry an address: the
    benchmark's own sign-ins (``force_login``) have none, and are not counted."""
    return AuditEvent.objects.filter(at__gte=EVENTS_FROM, ip_address__isnull=False).count()


def top_up_events(target: int) -> int:
    """Add events of the series until ``target`` of them are in the log; committed."""
    have = generated_events()
    if have >= target:
        return 0
    with transaction.atomic():
        return insert_rows(AuditEvent, EVENT_COLUMNS, event_rows(have, target))


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL), as autovacuum would give."""
    from navpartner import benchdata_agreements, benchdata_scorecards

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (
                Office,
                OfficeMunicipality,
                OfficeNote,
                User,
                RoleAssignment,
                Delegation,
                OfficeUserObjectPermission,
                AuditEvent,
                *benchdata_scorecards.TABLES,
                *benchdata_agreements.TABLES,
            ):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- The whole build ---------------------------------------------------------------------------


def built_offices() -> int:
    return Office.objects.filter(code__startswith=PREFIX).count()


def ensure(
    scale: Scale,
    *,
    rebuild: bool = False,
    database_is_scratch: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> Built:
    """The benchmark data at ``scale``: reused when present, built (and committed) when not."""
    import time

    check_scratch(database_is_scratch=database_is_scratch)
    built = Built(reused=False)
    existing = built_offices()
    if existing and not rebuild:
        if existing != scale.offices:
            raise NotScratch(OTHER_SCALE.format(built=existing, wanted=scale.offices))
        built.reused = True
        log(f"Reusing the benchmark data ({existing} offices).")
    else:
        if rebuild:
            log("Emptying every table but the reference data (--rebuild) …")
            wipe()
        log(f"Building {scale.offices} offices and their people …")
        began = time.perf_counter()
        with transaction.atomic():
            build_organisation(scale)
        built.seconds["organisation"] = time.perf_counter() - began
        log(f"Writing {scale.offices * scale.notes_per_office} notes …")
        began = time.perf_counter()
        with transaction.atomic():
            build_notes(scale)
        built.seconds["notes"] = time.perf_counter() - began
    # The målekort and the agreements (navpartner/benchdata_scorecards.py, _agreements.py):
    # built when missing, also on data built before they were part of the set.
    from navpartner import benchdata_agreements, benchdata_scorecards

    if not benchdata_scorecards.built():
        log(f"Writing the indicator library and {scale.months} months of values …")
        began = time.perf_counter()
        with transaction.atomic():
            benchdata_scorecards.build_library(scale)
        built.seconds["indicators_targets"] = time.perf_counter() - began
        began = time.perf_counter()
        benchdata_scorecards.build_values(scale)
        built.seconds["values_scorecards"] = time.perf_counter() - began
        built.reused = False
    if not benchdata_agreements.built():
        log("Writing agreements, versions, approvals and meetings …")
        began = time.perf_counter()
        benchdata_agreements.build_agreements(scale)
        built.seconds["agreements_meetings"] = time.perf_counter() - began
        built.reused = False
    if not benchdata_agreements.documents_built():
        began = time.perf_counter()
        with transaction.atomic():
            benchdata_agreements.build_documents(scale)
        built.seconds["office_documents"] = time.perf_counter() - began
        built.reused = False
    began = time.perf_counter()
    added = 0
    if generated_events() < scale.events:
        log(f"Writing audit events up to {scale.events} …")
        added = top_up_events(scale.events)
    built.seconds["audit_events"] = time.perf_counter() - began
    if not built.reused or added:
        began = time.perf_counter()
        analyze()
        built.seconds["analyze"] = time.perf_counter() - began
    built.seconds["verify"] = -time.perf_counter()
    built.counts["permissions_sync_checked"] = verify_permissions()
    built.seconds["verify"] += time.perf_counter()
    built.counts.update(
        offices=built_offices(),
        memberships=OfficeMunicipality.objects.filter(office__code__startswith=PREFIX).count(),
        users=User.objects.filter(username__startswith=PREFIX).count(),
        role_assignments=RoleAssignment.objects.filter(user__username__startswith=PREFIX).count(),
        delegations=Delegation.objects.filter(grantee__username__startswith=PREFIX).count(),
        permission_rows=OfficeUserObjectPermission.objects.count(),
        notes=OfficeNote.objects.count(),
        audit_events=AuditEvent.objects.count(),
    )
    built.counts.update(benchdata_scorecards.counts())
    built.counts.update(benchdata_agreements.counts())
    return built
