"""Audit readiness (revisjonsklar): the checkable criteria of the 2011 audit, live, per office.

Trondheim kommunerevisjon's report 07/2011 (source 001) judged the partnership against criteria
it names in §4.1 (services, leadership, samarbeidsmøter, internal control, virksomhetsplan),
§5.1 and ch. 7 (information security across the two employers) and §6.1 (user participation),
and followed the monthly målekort (§4.8.3) and its action plans (§4.9). This module asks the
same questions of the data, for many offices at once, so an office (or the rådmann and the
fylkesdirektør, on their review pages) can see what an auditor would find today, each answer
with its evidence and a link to it:

    readiness = readiness_for_offices(user=request.user, offices=offices)
    readiness[office.pk].criteria  # the 11 criteria, always in the order of CRITERIA
    readiness[office.pk].passed    # how many passed ("8 av 11")

Each criterion is ``passed``, ``failed`` or ``unknown``: unknown where the reader may not see the
evidence (the criteria read the office's **joint** data — agreements, meetings, documents, the
submitted scorecard summary and action plans — so they are unknown to anyone without a role at
the office, its municipalities or its county) or where there is nothing to judge yet (an office
that has not reported a month). The access-review criteria reveal only counts and dates, and
link to the access review only for those who may open it (``access.offices_reviewable``).

The answers are computed, never stored: a meeting recorded or a plan opened a second ago counts.
``readiness_for_offices`` costs a constant number of queries (about fifteen) however many offices
and however many years of data there are: every read is by office ids, within the window the
criterion looks at (this year, the last twelve months, the latest submitted month).

Choices written down here (docs: the criteria's docstrings below):

* *Internal control in force*: an ``OfficeDocument`` of kind ``internal_control`` recorded by a
  municipal-employed writer, valid from today or earlier and not withdrawn. Routines do not
  expire by themselves; the access review's yearly confirmation is where the parties look again.
* *Business plan*: one for this calendar year, in force (not withdrawn), recorded by anyone who
  may record it (``offices/services.py``).
* *Scorecard on time*: the twelve months before the reporting month (their reporting is closed),
  from the office's opening; a month counts as on time when its scorecard was submitted
  (``submitted_at``) by the end of its deadline day. A scorecard reopened and not yet submitted
  again counts as not submitted. The month now being reported is followed as due or overdue on
  the scorecard pages, not here, so the answer does not change with the day of the month.
* *Action plans*: each indicator missed in the latest submitted month needs an action plan for
  the office and indicator that is open, or was opened for that month or later.
* *One leader, jointly appointed*: exactly one office leader in office today whose appointment
  carries the recorded approval of both parties (``RoleApproval``: the county director, and the
  host municipality's executive or, without a host, every served municipality's — rule 5,
  ``users/access/parties.py``). A leader role put in place around the approvals (seeded, or
  given in the admin) is in force for the policy but not jointly appointed for the audit.
* *Cross-line access*: the permission rows in force (what the policy enforces) where a person
  reaches the other employer's side; each must rest on a delegation in force or on the jointly
  appointed leader's role at the office. Anything else — the reach of a leader whose
  appointment lacks a party's approval, or a row whose delegation is no longer in force (what
  the hourly resync repairs) — fails the criterion.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from agreements.compliance import Severity, compliance_for_offices
from agreements.models import AgreementService, Meeting, MeetingKind
from navpartner.sidedata import Side
from offices.models import Office, OfficeDocument, OfficeDocumentKind, OfficeMunicipality
from scorecards.models import ActionPlan, ActionPlanStatus, Scorecard, ScorecardLine, Status
from scorecards.periods import (
    add_months,
    format_period,
    month_end,
    reporting_deadline,
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

PASSED = "passed"
FAILED = "failed"
UNKNOWN = "unknown"
STATES = (PASSED, FAILED, UNKNOWN)

# A state is shown as a symbol and a word, never by colour alone (WCAG 1.4.1).
STATE_SYMBOLS = {PASSED: "✓", FAILED: "✗", UNKNOWN: "?"}
STATE_LABELS = {
    PASSED: pgettext_lazy("audit criterion", "Passed"),
    FAILED: pgettext_lazy("audit criterion", "Failed"),
    UNKNOWN: pgettext_lazy("audit criterion", "Unknown"),
}
# Aksel's tag colours (``data-color``), beside the symbol and the word.
STATE_COLOURS = {PASSED: "success", FAILED: "danger", UNKNOWN: "neutral"}

# The code of kvalifiseringsprogrammet in the service catalogue (agreements/migrations/0002).
KVP_SERVICE = "kvalifiseringsprogrammet"
# The access review must have been confirmed within this many days.
CONFIRMATION_VALID_DAYS = 365
# How many reporting months the målekort criterion looks back.
SCORECARD_MONTHS = 12


@dataclass(frozen=True)
class CriterionDefinition:
    key: str
    title: str  # lazy
    short_title: str  # lazy: a column heading
    source: str  # the audit's section


CRITERIA = (
    CriterionDefinition(
        "legal_minimum",
        gettext_lazy("The legal minimum of municipal services is offered"),
        gettext_lazy("Minimum"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "leader",
        gettext_lazy("One leader, jointly appointed"),
        gettext_lazy("Leader"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "cooperation_meetings",
        gettext_lazy("The agreed number of cooperation meetings this year"),
        gettext_lazy("Cooperation meetings"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "business_plan",
        gettext_lazy("A business plan (virksomhetsplan) for this year"),
        gettext_lazy("Business plan"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "internal_control",
        gettext_lazy("Internal-control routines recorded by the municipality"),
        gettext_lazy("Internal control"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "cross_line_delegated",
        gettext_lazy("Every cross-line access rests on a delegation in force"),
        gettext_lazy("Cross-line access"),
        "001 §5.1",
    ),
    CriterionDefinition(
        "access_review_confirmed",
        gettext_lazy("The access review confirmed within the last twelve months"),
        gettext_lazy("Access review"),
        "001 §5.1",
    ),
    CriterionDefinition(
        "kvp",
        gettext_lazy("The qualification programme (KVP) is offered"),
        gettext_lazy("KVP"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "user_council",
        gettext_lazy("The user council met as agreed in the last twelve months"),
        gettext_lazy("User council"),
        "001 §6.1",
    ),
    CriterionDefinition(
        "scorecard_on_time",
        gettext_lazy("The monthly scorecard reported on time"),
        gettext_lazy("Scorecard on time"),
        "001 §4.8.3",
    ),
    CriterionDefinition(
        "action_plans",
        gettext_lazy("An action plan for every missed target"),
        gettext_lazy("Action plans"),
        "001 §4.9",
    ),
)
CRITERION_KEYS = tuple(definition.key for definition in CRITERIA)
DEFINITIONS = {definition.key: definition for definition in CRITERIA}


@dataclass(frozen=True)
class Criterion:
    """One criterion's answer for one office."""

    key: str
    state: str  # PASSED, FAILED or UNKNOWN
    evidence: str = ""  # what was found, with its date or number
    url: str = ""  # the evidence, where the reader may open it

    @property
    def definition(self) -> CriterionDefinition:
        return DEFINITIONS[self.key]

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def short_title(self) -> str:
        return self.definition.short_title

    @property
    def source(self) -> str:
        return self.definition.source

    @property
    def symbol(self) -> str:
        return STATE_SYMBOLS[self.state]

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def colour(self) -> str:
        return STATE_COLOURS[self.state]

    @property
    def passed(self) -> bool:
        return self.state == PASSED

    @property
    def failed(self) -> bool:
        return self.state == FAILED


@dataclass
class OfficeReadiness:
    """The criteria of one office, in the order of ``CRITERIA``."""

    office: Office
    criteria: list[Criterion] = field(default_factory=list)
    visible: bool = True  # whether the reader may see the office's joint data at all

    def _count(self, state: str) -> int:
        return sum(1 for criterion in self.criteria if criterion.state == state)

    @property
    def passed(self) -> int:
        return self._count(PASSED)

    @property
    def failed(self) -> int:
        return self._count(FAILED)

    @property
    def unknown(self) -> int:
        return self._count(UNKNOWN)

    @property
    def total(self) -> int:
        return len(self.criteria)

    def criterion(self, key: str) -> Criterion:
        return next(criterion for criterion in self.criteria if criterion.key == key)

    def __iter__(self):
        return iter(self.criteria)


def _day(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return date_format(value, "SHORT_DATE_FORMAT")


def _full_name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


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


# --- The criteria ---------------------------------------------------------------------------------


def _version_url(version) -> str:
    return reverse(
        "agreements:version", kwargs={"pk": version.agreement_id, "number": version.number}
    )


def _agreement_url(version) -> str:
    return reverse("agreements:detail", kwargs={"pk": version.agreement_id})


def _agreements_url(office: Office) -> str:
    return f"{reverse('agreements:list')}?office={office.code}"


def _no_agreement(key: str, office: Office) -> Criterion:
    return Criterion(
        key, FAILED, _("No partnership agreement is in force today."), _agreements_url(office)
    )


def _legal_minimum(office: Office, data: _Data) -> Criterion:
    result = data.compliance.get(office.pk)
    if result is None or result.version is None:
        return _no_agreement("legal_minimum", office)
    finding = next(f for f in result.findings if f.check == "legal_minimum")
    state = PASSED if finding.severity == Severity.OK else FAILED
    return Criterion("legal_minimum", state, finding.message, _version_url(result.version))


def _leader(office: Office, data: _Data) -> Criterion:
    leaders = data.leaders.get(office.pk, [])
    url = (
        reverse("access:review-office", kwargs={"code": office.code})
        if office.pk in data.reviewable
        else reverse("offices:detail", kwargs={"code": office.code})
    )
    if not leaders:
        return Criterion("leader", FAILED, _("The office has no leader today."), url)
    if len(leaders) > 1:
        return Criterion(
            "leader",
            FAILED,
            _("%(count)s leaders today: %(names)s.")
            % {"count": len(leaders), "names": ", ".join(leader.name for leader in leaders)},
            url,
        )
    leader = leaders[0]
    values = {"name": leader.name, "day": _day(leader.since)}
    if not leader.jointly_appointed:
        values["parties"] = ", ".join(leader.missing)
        return Criterion(
            "leader",
            FAILED,
            _(
                "%(name)s, leader since %(day)s; no recorded approval of the appointment "
                "by %(parties)s."
            )
            % values,
            url,
        )
    return Criterion(
        "leader",
        PASSED,
        _("%(name)s, leader since %(day)s, appointed by both parties.") % values,
        url,
    )


def _cooperation_meetings(office: Office, data: _Data) -> Criterion:
    result = data.compliance.get(office.pk)
    if result is None or result.version is None:
        return _no_agreement("cooperation_meetings", office)
    wanted = result.version.cooperation_meetings_per_year
    year_start = data.on.replace(month=1, day=1)
    held = sorted(
        day
        for kind, day in data.meetings.get(office.pk, [])
        if kind == MeetingKind.COOPERATION and day >= year_start
    )
    evidence = _("%(held)s of %(wanted)s agreed in %(year)s") % {
        "held": len(held),
        "wanted": wanted,
        "year": data.on.year,
    }
    if held:
        evidence += " (" + ", ".join(_day(day) for day in held) + ")"
    evidence += "."
    state = PASSED if len(held) >= wanted else FAILED
    return Criterion("cooperation_meetings", state, evidence, _agreement_url(result.version))


def _documents_url(office: Office, kind: str, pk: int | None = None) -> str:
    url = f"{reverse('offices:documents', kwargs={'code': office.code})}?type={kind}"
    return f"{url}#document-{pk}" if pk else url


def _business_plan(office: Office, data: _Data) -> Criterion:
    plans = [
        row
        for row in data.documents.get(office.pk, [])
        if row["kind"] == OfficeDocumentKind.BUSINESS_PLAN
    ]
    kind = OfficeDocumentKind.BUSINESS_PLAN
    if not plans:
        return Criterion(
            "business_plan",
            FAILED,
            _("No business plan for %(year)s is recorded.") % {"year": data.on.year},
            _documents_url(office, kind),
        )
    plan = plans[0]
    return Criterion(
        "business_plan",
        PASSED,
        _("“%(title)s”, valid from %(day)s.")
        % {"title": plan["title"], "day": _day(plan["valid_from"])},
        _documents_url(office, kind, plan["pk"]),
    )


def _internal_control(office: Office, data: _Data) -> Criterion:
    kind = OfficeDocumentKind.INTERNAL_CONTROL
    routines = [
        row
        for row in data.documents.get(office.pk, [])
        if row["kind"] == kind and row["recorded_by_side"] == EmployerSide.MUNICIPAL
    ]
    if not routines:
        return Criterion(
            "internal_control",
            FAILED,
            _("No internal-control routines recorded by the municipality are in force."),
            _documents_url(office, kind),
        )
    routine = routines[0]
    return Criterion(
        "internal_control",
        PASSED,
        _("“%(title)s”, recorded by the municipality, valid from %(day)s.")
        % {"title": routine["title"], "day": _day(routine["valid_from"])},
        _documents_url(office, kind, routine["pk"]),
    )


def _review_url(office: Office, data: _Data) -> str:
    if office.pk in data.reviewable:
        return reverse("access:review-office", kwargs={"code": office.code})
    return ""


def _cross_line_delegated(office: Office, data: _Data) -> Criterion:
    found = data.cross_line.get(office.pk)
    url = _review_url(office, data)
    if not found:
        return Criterion(
            "cross_line_delegated", PASSED, _("Nobody reaches the other line's data."), url
        )
    delegated, leader = len(found["delegation"]), len(found["leader"])
    # A person counted under a founded basis is not counted again as unfounded elsewhere.
    unfounded = len(found["unfounded"] - found["delegation"] - found["leader"])
    counts = _(
        "%(delegated)s through a delegation in force, %(leader)s as office leader, "
        "%(unfounded)s without either."
    ) % {"delegated": delegated, "leader": leader, "unfounded": unfounded}
    state = FAILED if unfounded else PASSED
    return Criterion("cross_line_delegated", state, counts, url)


def _access_review_confirmed(office: Office, data: _Data) -> Criterion:
    confirmation = data.confirmations.get(office.pk)
    url = _review_url(office, data)
    if confirmation is None:
        return Criterion(
            "access_review_confirmed",
            FAILED,
            _("The access review has never been confirmed."),
            url,
        )
    evidence = _("Confirmed %(day)s by %(name)s.") % {
        "day": _day(confirmation.confirmed_at),
        "name": confirmation.confirmed_by.get_full_name() or confirmation.confirmed_by.username,
    }
    recent = confirmation.confirmed_at > data.now - datetime.timedelta(days=CONFIRMATION_VALID_DAYS)
    return Criterion("access_review_confirmed", PASSED if recent else FAILED, evidence, url)


def _kvp(office: Office, data: _Data) -> Criterion:
    result = data.compliance.get(office.pk)
    if result is None or result.version is None:
        return _no_agreement("kvp", office)
    url = _version_url(result.version)
    if result.version.pk in data.kvp_versions:
        return Criterion("kvp", PASSED, _("Offered in the agreement in force."), url)
    return Criterion("kvp", FAILED, _("Not offered in the agreement in force."), url)


def _user_council(office: Office, data: _Data) -> Criterion:
    result = data.compliance.get(office.pk)
    if result is None or result.version is None:
        return _no_agreement("user_council", office)
    wanted = result.version.user_council_meetings_per_year
    year_ago = data.on - datetime.timedelta(days=365)
    held = sorted(
        day
        for kind, day in data.meetings.get(office.pk, [])
        if kind == MeetingKind.USER_COUNCIL and day > year_ago
    )
    evidence = _("%(held)s of %(wanted)s agreed in the last twelve months") % {
        "held": len(held),
        "wanted": wanted,
    }
    if held:
        evidence += " (" + ", ".join(_day(day) for day in held) + ")"
    evidence += "."
    state = PASSED if len(held) >= wanted else FAILED
    return Criterion("user_council", state, evidence, _agreement_url(result.version))


def _card_url(office: Office, period: datetime.date) -> str:
    return reverse("scorecards:card", kwargs={"office": office.code, "period": period})


def _deadline_end(period: datetime.date) -> datetime.datetime:
    """The end of a month's deadline day, in local time."""
    day = reporting_deadline(period) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _scorecard_on_time(office: Office, data: _Data) -> Criterion:
    """The twelve months before the reporting month, from the office's opening to its closing:
    each submitted by the end of its deadline day. The month now being reported (deadline the
    10th of this month) is followed on the scorecard pages as due or overdue; the audit looks at
    the months whose reporting is closed, so the answer does not change with the day of the
    month."""
    first, reporting = _scorecard_window(data.on)
    cards = data.scorecards.get(office.pk, {})
    judged, late, period = [], [], first
    while period < reporting:
        opened = office.opened_on is None or month_end(period) >= office.opened_on
        closed = office.closed_on is not None and period > office.closed_on
        if opened and not closed:
            judged.append(period)
            status, submitted_at, _pk = cards.get(period, (None, None, None))
            submitted = status == "submitted" and submitted_at is not None
            if not submitted or submitted_at >= _deadline_end(period):
                late.append(period)
        period = add_months(period, 1)
    if not judged:
        return Criterion("scorecard_on_time", UNKNOWN, _("No month has been due yet."))
    on_time = len(judged) - len(late)
    evidence = _("%(on_time)s of %(months)s on time") % {"on_time": on_time, "months": len(judged)}
    if late:
        evidence += "; " + ", ".join(
            _("%(month)s late") % {"month": format_period(period)} for period in late
        )
    evidence += "."
    url = _card_url(office, late[0] if late else judged[-1])
    return Criterion("scorecard_on_time", FAILED if late else PASSED, evidence, url)


def _action_plans(office: Office, data: _Data) -> Criterion:
    latest = _latest_submitted(data.scorecards.get(office.pk, {}))
    if latest is None:
        return Criterion(
            "action_plans", UNKNOWN, _("No submitted scorecard in the last twelve months.")
        )
    period, _pk = latest
    missed = data.missed.get(office.pk, [])
    plans_url = reverse("scorecards:plans", kwargs={"office": office.code})
    if not missed:
        return Criterion(
            "action_plans",
            PASSED,
            _("No target missed in %(month)s.") % {"month": format_period(period)},
            _card_url(office, period),
        )
    without = [
        code
        for indicator_id, code in missed
        if not any(
            status == ActionPlanStatus.OPEN or opened_for >= period
            for status, opened_for in data.plans.get((office.pk, indicator_id), [])
        )
    ]
    values = {
        "month": format_period(period),
        "missed": len(missed),
        "planned": len(missed) - len(without),
    }
    evidence = (
        ngettext(
            "%(month)s: %(planned)s of %(missed)s missed target has an action plan",
            "%(month)s: %(planned)s of %(missed)s missed targets have an action plan",
            len(missed),
        )
        % values
    )
    if without:
        evidence += " (" + _("none for %(codes)s") % {"codes": ", ".join(without)} + ")"
        return Criterion("action_plans", FAILED, evidence + ".", _card_url(office, period))
    return Criterion("action_plans", PASSED, evidence + ".", plans_url)


JUDGES = {
    "legal_minimum": _legal_minimum,
    "leader": _leader,
    "cooperation_meetings": _cooperation_meetings,
    "business_plan": _business_plan,
    "internal_control": _internal_control,
    "cross_line_delegated": _cross_line_delegated,
    "access_review_confirmed": _access_review_confirmed,
    "kvp": _kvp,
    "user_council": _user_council,
    "scorecard_on_time": _scorecard_on_time,
    "action_plans": _action_plans,
}


def _unknown(office: Office) -> OfficeReadiness:
    return OfficeReadiness(
        office=office,
        criteria=[Criterion(key, UNKNOWN) for key in CRITERION_KEYS],
        visible=False,
    )


def readiness_for_offices(
    *, user, offices, on: datetime.date | None = None, compliance: dict | None = None
) -> dict[int, OfficeReadiness]:
    """``{office id: OfficeReadiness}`` for ``offices`` (Office instances, already filtered by
    the caller through the policy), in a constant number of queries.

    Offices whose joint data ``user`` may not see get every criterion ``unknown``, without
    evidence or link (``visible`` false): nothing of their partnership is revealed.

    ``compliance``: the result of ``agreements.compliance.compliance_for_offices`` for (at
    least) these offices on the same day, where the caller has it already (a review page that
    shows compliance too): it spares its nine queries. The criteria reading "now" (leaders,
    cross-line access, confirmations) read the present whatever ``on`` says.
    """
    offices = list(offices)
    on = on or timezone.localdate()
    if not offices:
        return {}
    permissions = access.side_permissions(user, offices=offices)
    visible = [office for office in offices if permissions.allows(access.VIEW, office, Side.JOINT)]
    results = {office.pk: _unknown(office) for office in offices}
    if not visible:
        return results
    data = _read([office.pk for office in visible], user=user, on=on, compliance=compliance)
    for office in visible:
        results[office.pk] = OfficeReadiness(
            office=office, criteria=[JUDGES[key](office, data) for key in CRITERION_KEYS]
        )
    return results


def office_readiness(*, user, office: Office, on: datetime.date | None = None) -> OfficeReadiness:
    return readiness_for_offices(user=user, offices=[office], on=on)[office.pk]


# --- Exports --------------------------------------------------------------------------------------


def readiness_header() -> list[str]:
    """Column titles for exports: a count, then per criterion its state and its evidence."""
    header = [_("Audit readiness (criteria passed)")]
    for definition in CRITERIA:
        header.append(str(definition.short_title))
        header.append(_("%(criterion)s: evidence") % {"criterion": definition.short_title})
    return header


def readiness_values(readiness: OfficeReadiness | None) -> list:
    """The values of one office's row under ``readiness_header()`` (empty cells when none)."""
    if readiness is None or not readiness.visible:
        return [""] * (1 + 2 * len(CRITERIA))
    values: list = [f"{readiness.passed}/{readiness.total}"]
    for criterion in readiness.criteria:
        values.append(criterion.state_label)
        values.append(criterion.evidence)
    return values


def readiness_rows(readiness: OfficeReadiness | None) -> list:
    """``[header, values]`` for one office: what an export adds to its row (``readiness_header``
    once, ``readiness_values`` per office, for exports with many offices)."""
    return [readiness_header(), readiness_values(readiness)]
