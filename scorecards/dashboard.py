"""The NAV-leder's dashboard on the front page (issue 10, item 8).

``office_dashboards(user, offices)`` gathers, for each office the user leads or works at, what
the month asks of them: the reporting month's card (``scorecards_for``: rule 7 decides which
values and statuses they see — office staff get their own side), the values still missing and
the deadline, missed indicators with and without an action plan, the open action plans with
their actions, the partnership agreement's compliance findings, delegations at the office
ending soon and the next meetings. Everything is read through the access policy.

It costs a constant number of queries, whatever the number of offices and months of history
(``tests/scorecards/test_dashboard.py`` pins it).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from agreements.models import Meeting
from agreements.selectors import compliance_visible
from navpartner.sidedata import Side
from scorecards.models import Action, ActionPlan, ActionPlanStatus, ActionStatus
from scorecards.periods import current_month, reporting_month
from scorecards.selectors import Card, CardLine, scorecards_for
from users import access
from users.models import Delegation, Role, RoleAssignment

DELEGATIONS_ENDING_WITHIN_DAYS = 30
MEETINGS_SHOWN = 3


@dataclass
class OfficeDashboard:
    office: object
    card: Card
    leader: bool = False
    may_enter: bool = False
    joint_writer: bool = False
    plans: list[ActionPlan] = field(default_factory=list)
    compliance: object = None
    delegations: list[Delegation] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    today: datetime.date | None = None

    @property
    def period(self) -> datetime.date:
        return self.card.period

    @property
    def sides(self):
        return self.card.sides()

    @property
    def side_tables(self) -> list[tuple[str, str, list[CardLine], bool]]:
        """``(side, label, lines, shown)``: a side whose values the user does not see and
        whose month is not submitted yet has nothing to show (office staff's other side)."""
        return [
            (side, label, lines, any(line.value_visible or line.status for line in lines))
            for side, label, lines in self.card.sides()
        ]

    @property
    def value_lines(self) -> list[CardLine]:
        """The lines whose values this user sees (and so could be missing to them)."""
        return [line for line in self.card.lines if line.value_visible]

    @property
    def missing(self) -> list[CardLine]:
        return self.card.missing_values

    @property
    def missed_with_plan(self) -> list[CardLine]:
        return [line for line in self.card.missed if line.action_plan is not None]

    @property
    def missed_without_plan(self) -> list[CardLine]:
        return [line for line in self.card.missed if line.action_plan is None]

    @property
    def may_submit(self) -> bool:
        return self.leader and not self.card.is_submitted and self.period < current_month()


def dashboard_offices(user, roles: list[RoleAssignment] | None = None) -> list:
    """The offices the user leads or works at now (office leader and office staff roles),
    by name; ``roles`` are the user's active roles when the caller already has them."""
    if roles is None:
        roles = list(RoleAssignment.objects.active().filter(user=user).select_related("office"))
    offices = {
        role.office.pk: role.office
        for role in roles
        if role.role in (Role.OFFICE_LEADER, Role.OFFICE_STAFF) and role.office is not None
    }
    return sorted(offices.values(), key=lambda office: office.name)


def office_dashboards(
    user,
    offices,
    *,
    period: datetime.date | None = None,
    roles: list[RoleAssignment] | None = None,
    today: datetime.date | None = None,
) -> list[OfficeDashboard]:
    """One ``OfficeDashboard`` per office, in the order given (see the module)."""
    offices = list(offices)
    if not offices:
        return []
    period = period or reporting_month()
    today = today or timezone.localdate()
    if roles is None:
        roles = list(RoleAssignment.objects.active().filter(user=user))
    led = {
        role.office_id
        for role in roles
        if role.role == Role.OFFICE_LEADER and role.office_id is not None
    }
    cards = scorecards_for(user, offices, period)
    permissions = access.side_permissions(user, offices=offices)

    plans = defaultdict(list)
    for plan in (
        ActionPlan.objects.visible_to(user)
        .filter(office__in=offices, status=ActionPlanStatus.OPEN)
        .select_related("indicator")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.visible_to(user)
                .exclude(status__in=[ActionStatus.DONE, ActionStatus.CANCELLED])
                .order_by("due", "pk"),
                to_attr="open_actions",
            )
        )
        .order_by("period", "pk")
    ):
        plans[plan.office_id].append(plan)

    compliance = compliance_visible(user=user, offices=offices)

    now = timezone.now()
    delegations = defaultdict(list)
    for delegation in (
        Delegation.objects.visible_to(user)
        .active(now)
        .filter(
            office__in=offices,
            valid_to__lte=now + datetime.timedelta(days=DELEGATIONS_ENDING_WITHIN_DAYS),
        )
        .select_related("grantee")
        .order_by("valid_to", "pk")
    ):
        delegations[delegation.office_id].append(delegation)

    meetings = defaultdict(list)
    upcoming = Meeting.objects.visible_to(user).filter(held_on__gte=today)
    for link in (
        Meeting.offices.through.objects.filter(office__in=offices, meeting__in=upcoming)
        .select_related("meeting")
        .order_by("meeting__held_on", "meeting_id")
    ):
        if len(meetings[link.office_id]) < MEETINGS_SHOWN:
            meetings[link.office_id].append(link.meeting)

    return [
        OfficeDashboard(
            office=office,
            card=cards[office.pk],
            leader=office.pk in led,
            may_enter=any(
                permissions.allows(access.CHANGE, office, side)
                for side in (Side.STATE, Side.MUNICIPAL)
            ),
            joint_writer=permissions.allows(access.CHANGE, office, Side.JOINT),
            plans=plans.get(office.pk, []),
            compliance=compliance.get(office.pk),
            delegations=delegations.get(office.pk, []),
            meetings=meetings.get(office.pk, []),
            today=today,
        )
        for office in offices
    ]
