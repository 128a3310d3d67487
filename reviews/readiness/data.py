"""The records the criteria read, for all offices at once: one query per kind of record, each
by office ids and within the window its criterion looks at (``reviews.readiness``)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.compliance import compliance_for_offices
from agreements.models import AgreementService, Meeting, MeetingKind
from navpartner.sidedata import Side
from offices.models import OfficeDocument, OfficeDocumentKind, OfficeMunicipality
from reviews.readiness.model import KVP_SERVICE, SCORECARD_MONTHS, _full_name
from scorecards.models import ActionPlan, Scorecard, ScorecardLine, Status
from scorecards.periods import (
    add_months,
    reporting_month,
)
from users import access
from users.models import (
    AccessReviewConfirmation,
    Delegation,
    EmployerSide,
    PermissionBasis,
    Role,
    RoleApproval,
    RoleAssignment,
)

# --- The data, read once for all offices ---------------------------------------------------------


@dataclass
class _Data:
    """Everything the criteria read, by office id: one query per kind of record."""

    on: datetime.date
    now: datetime.datetime
    reviewable: set[int]
    compliance: dict
    kvp_versions: set[int]
    leaders: dict[int, list]  # office id -> [_Leader]
    meetings: dict[int, list[tuple[str, datetime.date]]]
    documents: dict[int, list[dict]]
    cross_line: dict[int, dict[str, set[int]]]
    confirmations: dict[int, AccessReviewConfirmation]
    scorecards: dict[int, dict[datetime.date, tuple]]
    missed: dict[int, list[tuple[int, str]]]
    plans: dict[tuple[int, int], list[tuple[str, datetime.date]]]


@dataclass(frozen=True)
class _Leader:
    name: str
    since: datetime.datetime
    user_id: int
    missing: tuple[str, ...]  # the parties whose approval of the appointment is not recorded

    @property
    def jointly_appointed(self) -> bool:
        return not self.missing


def _leaders(office_ids: list[int], now: datetime.datetime, on: datetime.date) -> dict:
    """The leaders in office at each office, each with the parties whose approval of the
    appointment is not recorded (rule 5: the county director, and the host municipality's
    executive or, without a host, every served municipality's; ``users/access/parties.py``).
    Three queries: the roles, their approvals, the offices' memberships."""
    rows = list(
        RoleAssignment.objects.active(now)
        .filter(role=Role.OFFICE_LEADER, office__in=office_ids)
        .order_by("office", "valid_from")
        .values_list(
            "pk",
            "office",
            "user",
            "user__first_name",
            "user__last_name",
            "user__username",
            "valid_from",
        )
    )
    if not rows:
        return {}
    given: dict[int, set[tuple[str, int | None]]] = defaultdict(set)
    for assignment_id, side, municipality_id in RoleApproval.objects.filter(
        assignment__in=[row[0] for row in rows]
    ).values_list("assignment", "side", "municipality"):
        given[assignment_id].add((side, municipality_id))
    served: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    for office_id, municipality_id, name, is_host in (
        OfficeMunicipality.objects.valid_on(on)
        .filter(office__in={row[1] for row in rows})
        .values_list("office", "municipality", "municipality__name", "is_host")
    ):
        served[office_id].append((municipality_id, name, is_host))
    found: dict[int, list[_Leader]] = defaultdict(list)
    for assignment_id, office_id, user_id, first, last, username, since in rows:
        memberships = served.get(office_id, [])
        hosts = [row for row in memberships if row[2]]
        missing = []
        if (EmployerSide.STATE, None) not in given[assignment_id]:
            missing.append(str(_("the county director")))
        for municipality_id, name, _host in sorted(hosts or memberships, key=lambda r: r[1]):
            if (EmployerSide.MUNICIPAL, municipality_id) not in given[assignment_id]:
                missing.append(_("the executive of %(municipality)s") % {"municipality": name})
        found[office_id].append(
            _Leader(_full_name(first, last, username), since, user_id, tuple(missing))
        )
    return found


def _meetings(office_ids: list[int], on: datetime.date) -> dict[int, list]:
    """Cooperation meetings since the start of the year and user councils in the last twelve
    months (whichever window starts first bounds the read)."""
    since = min(on.replace(month=1, day=1), on - datetime.timedelta(days=365))
    rows = Meeting.offices.through.objects.filter(
        office__in=office_ids,
        meeting__kind__in=[MeetingKind.COOPERATION, MeetingKind.USER_COUNCIL],
        meeting__held_on__gte=since,
        meeting__held_on__lte=on,
    ).values_list("office", "meeting__kind", "meeting__held_on")
    found: dict[int, list] = defaultdict(list)
    for office_id, kind, held_on in rows:
        found[office_id].append((kind, held_on))
    return found


def _documents(office_ids: list[int], on: datetime.date) -> dict[int, list[dict]]:
    rows = (
        OfficeDocument.objects.filter(office__in=office_ids)
        .in_force(on)
        .filter(
            Q(kind=OfficeDocumentKind.BUSINESS_PLAN, year=on.year)
            | Q(kind=OfficeDocumentKind.INTERNAL_CONTROL)
        )
        .order_by("office", "-valid_from", "-pk")
        .values(
            "pk",
            "office",
            "kind",
            "title",
            "valid_from",
            "recorded_by_side",
            "recorded_at",
        )
    )
    found: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        found[row["office"]].append(row)
    return found


def _cross_line(
    office_ids: list[int], now: datetime.datetime, leaders: dict
) -> dict[int, dict[str, set[int]]]:
    """Who reaches the other employer's side at each office, by basis: ``delegation`` (a
    delegation in force), ``leader`` (the office leader's role at the office, jointly
    appointed) and ``unfounded`` (anything else: a leader whose appointment lacks a party's
    approval, a row whose delegation is no longer in force). One query on the permission rows
    in force."""
    joint_leaders = {
        (office_id, leader.user_id)
        for office_id, found in leaders.items()
        for leader in found
        if leader.jointly_appointed
    }
    delegation_in_force = Exists(Delegation.objects.filter(pk=OuterRef("delegation")).active(now))
    rows = (
        access.permission_rows_in_force(now)
        .filter(
            content_object__in=office_ids,
            user__is_active=True,
            side__in=[Side.STATE, Side.MUNICIPAL],
        )
        .exclude(user__employer_side=F("side"))
        .annotate(delegation_in_force=delegation_in_force)
        .values_list(
            "content_object",
            "user",
            "basis",
            "delegation_in_force",
            "role_assignment__role",
            "role_assignment__office",
        )
        .distinct()
    )
    found: dict[int, dict[str, set[int]]] = defaultdict(
        lambda: {"delegation": set(), "leader": set(), "unfounded": set()}
    )
    for office_id, user_id, basis, in_force, role, role_office in rows:
        if basis == PermissionBasis.DELEGATION and in_force:
            kind = "delegation"
        elif (
            basis == PermissionBasis.OFFICE_LEADER
            and role == Role.OFFICE_LEADER
            and role_office == office_id
            and (office_id, user_id) in joint_leaders
        ):
            kind = "leader"
        else:
            kind = "unfounded"
        found[office_id][kind].add(user_id)
    return found


def _confirmations(office_ids: list[int]) -> dict[int, AccessReviewConfirmation]:
    """The latest confirmation of each office's access review (an anti-join: one query)."""
    newer = AccessReviewConfirmation.objects.filter(
        office=OuterRef("office"), confirmed_at__gt=OuterRef("confirmed_at")
    )
    rows = (
        AccessReviewConfirmation.objects.filter(office__in=office_ids)
        .exclude(Exists(newer))
        .select_related("confirmed_by")
        .order_by("office", "pk")
    )
    return {row.office_id: row for row in rows}


def _scorecard_window(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last month the scorecard criteria read: the twelve months before the
    reporting month (whose reporting is closed: their deadlines have all passed), and the
    reporting month itself, which may already be submitted (the action plans read the latest
    submitted month)."""
    reporting = reporting_month(on)
    return add_months(reporting, -SCORECARD_MONTHS), reporting


def _scorecards(office_ids: list[int], on: datetime.date) -> dict[int, dict]:
    first, last = _scorecard_window(on)
    rows = Scorecard.objects.filter(
        office__in=office_ids, period__gte=first, period__lte=last
    ).values_list("office", "period", "status", "submitted_at", "pk")
    found: dict[int, dict] = defaultdict(dict)
    for office_id, period, status, submitted_at, pk in rows:
        found[office_id][period] = (status, submitted_at, pk)
    return found


def _latest_submitted(cards: dict) -> tuple[datetime.date, int] | None:
    submitted = [
        (period, pk) for period, (status, _at, pk) in cards.items() if status == "submitted"
    ]
    return max(submitted) if submitted else None


def _missed(scorecard_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    if not scorecard_ids:
        return {}
    rows = (
        ScorecardLine.objects.filter(scorecard__in=scorecard_ids, status=Status.MISSED)
        .order_by("scorecard__office", "indicator__position", "indicator__code")
        .values_list("scorecard__office", "indicator", "indicator__code")
    )
    found: dict[int, list] = defaultdict(list)
    for office_id, indicator_id, code in rows:
        found[office_id].append((indicator_id, code))
    return found


def _plans(missed: dict[int, list[tuple[int, str]]]) -> dict[tuple[int, int], list]:
    if not missed:
        return {}
    condition = Q(pk__in=[])
    for office_id, lines in missed.items():
        condition |= Q(office=office_id, indicator__in=[indicator for indicator, _ in lines])
    found: dict[tuple[int, int], list] = defaultdict(list)
    for office_id, indicator_id, status, period in ActionPlan.objects.filter(condition).values_list(
        "office", "indicator", "status", "period"
    ):
        found[office_id, indicator_id].append((status, period))
    return found


def _kvp_versions(version_ids: list[int], on: datetime.date) -> set[int]:
    if not version_ids:
        return set()
    return set(
        AgreementService.objects.filter(
            version__in=version_ids, service__code=KVP_SERVICE, starts_on__lte=on
        ).values_list("version", flat=True)
    )


def _read(office_ids: list[int], *, user, on: datetime.date, compliance=None) -> _Data:
    now = timezone.now()
    if compliance is None or not set(office_ids) <= set(compliance):
        compliance = compliance_for_offices(office_ids, on=on)
    versions = [result.version.pk for result in compliance.values() if result.version]
    scorecards = _scorecards(office_ids, on)
    latest = {
        office_id: found
        for office_id, cards in scorecards.items()
        if (found := _latest_submitted(cards)) is not None
    }
    missed = _missed([pk for _period, pk in latest.values()])
    leaders = _leaders(office_ids, now, on)
    return _Data(
        on=on,
        now=now,
        reviewable=set(
            access.offices_reviewable(user).filter(pk__in=office_ids).values_list("pk", flat=True)
        ),
        compliance=compliance,
        kvp_versions=_kvp_versions(versions, on),
        leaders=leaders,
        meetings=_meetings(office_ids, on),
        documents=_documents(office_ids, on),
        cross_line=_cross_line(office_ids, now, leaders),
        confirmations=_confirmations(office_ids),
        scorecards=scorecards,
        missed=missed,
        plans=_plans(missed),
    )
