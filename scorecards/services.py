"""Writes of the scorecard: submitting and reviewing a month, definitions, action plans.

Measurements have their own module (``scorecards/measurements.py``): the month form, imports and
the bulk API share it. Everything here runs in one transaction, asks ``users/access`` and writes
the audit log; refusals are ``ValidationError`` with field errors (pages show them on their
forms, the API answers 400).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from navpartner.sidedata import Side
from navpartner.sidedata_services import VERSION_REQUIRED, side_data_create, side_data_update
from offices.models import Office
from scorecards.models import (
    Action,
    ActionPlan,
    ActionPlanStatus,
    FollowUp,
    Indicator,
    Measurement,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    ScorecardStatus,
    Status,
    Target,
    TargetHistory,
)
from scorecards.periods import current_month, format_period, month_end
from scorecards.selectors import indicators_for_offices
from scorecards.status import compute_status
from scorecards.targets import TargetResolver


def _audit(*, user, action, office, target, side=Side.JOINT, details=None):
    from users.access.audit import audit_record

    audit_record(
        actor=user,
        action=action,
        office=office,
        side=side,
        target=target,
        details={"writer_side": getattr(user, "employer_side", ""), **(details or {})},
    )


# --- The month: submit, reopen, review -----------------------------------------------------------


def scorecard_for(office: Office, period: datetime.date) -> Scorecard:
    """The office's scorecard for the month, created as a draft the first time it is asked for."""
    scorecard, _created = Scorecard.objects.get_or_create(office=office, period=period)
    return scorecard


@transaction.atomic
def submit_scorecard(
    *,
    user,
    office: Office,
    period: datetime.date,
    missing_reasons: dict[int, str] | None = None,
    comments: dict[int, str] | None = None,
    comment: str = "",
    version: int | None = None,
) -> Scorecard:
    """The leader submits the month: every indicator has a value or a stated reason.

    Writes the joint summary (``ScorecardLine``: each indicator's status, the reasons and
    comments, no values; DESIGN.md rule 7). ``missing_reasons`` and ``comments`` are keyed by
    indicator id. ``version``: the scorecard version the leader saw, if any.
    """
    from users.access import is_office_leader
    from users.models import AuditAction

    if not is_office_leader(user, office):
        raise PermissionDenied(_("Only the office leader submits the month's scorecard."))
    if period >= current_month():
        raise ValidationError({"period": [_("The month is not over yet.")]})
    Scorecard.objects.get_or_create(office=office, period=period)
    scorecard = Scorecard.objects.select_for_update().get(office=office, period=period)
    if version is not None and scorecard.version != version:
        raise ValidationError({"version": [_stale(scorecard)]})
    if scorecard.is_submitted:
        raise ValidationError({"__all__": [_("This month has already been submitted.")]})
    missing_reasons = {k: (v or "").strip() for k, v in (missing_reasons or {}).items()}
    comments = {k: (v or "").strip() for k, v in (comments or {}).items()}
    indicators = indicators_for_offices([office], period)[office.pk]
    values = dict(
        Measurement.objects.filter(office=office, period=period).values_list("indicator", "value")
    )
    resolver = TargetResolver([office], indicators, [period])
    lines, unexplained = [], []
    for indicator in indicators:
        value = values.get(indicator.pk)
        target = resolver.get(office, indicator, period)
        status = compute_status(
            value,
            target.value if target else None,
            tolerance=target.tolerance if target else 0,
            direction=indicator.direction,
            decimals=indicator.decimals,
        )
        reason = missing_reasons.get(indicator.pk, "")
        if status == Status.MISSING and not reason:
            unexplained.append(indicator)
        lines.append(
            ScorecardLine(
                scorecard=scorecard,
                indicator=indicator,
                status=status,
                missing_reason=reason if status == Status.MISSING else "",
                comment=comments.get(indicator.pk, ""),
            )
        )
    if unexplained:
        raise ValidationError(
            {
                "missing_reasons": [
                    _("Give a value or say why it is missing: %(indicators)s.")
                    % {"indicators": ", ".join(i.display_name for i in unexplained)}
                ]
            },
            params={"indicators": [i.pk for i in unexplained]},
        )
    ScorecardLine.objects.bulk_create(lines)
    scorecard.status = ScorecardStatus.SUBMITTED
    scorecard.comment = comment.strip()
    scorecard.submitted_by = user
    scorecard.submitted_at = timezone.now()
    scorecard.updated_by = user
    scorecard.version += 1
    scorecard.save()
    counts = {}
    for line in lines:
        counts[line.status] = counts.get(line.status, 0) + 1
    _audit(
        user=user,
        action=AuditAction.DATA_CHANGED,
        office=office,
        target=scorecard,
        details={"event": "submitted", "period": format_period(period), "statuses": counts},
    )
    return scorecard


@transaction.atomic
def reopen_scorecard(*, user, scorecard: Scorecard, version: int) -> Scorecard:
    """The leader takes a submitted month back to correct it; its summary and reviews go."""
    from users.access import is_office_leader
    from users.models import AuditAction

    if not is_office_leader(user, scorecard.office):
        raise PermissionDenied(_("Only the office leader reopens the month's scorecard."))
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.version != version:
        raise ValidationError({"version": [_stale(scorecard)]})
    if not scorecard.is_submitted:
        raise ValidationError({"__all__": [_("This month has not been submitted.")]})
    scorecard.lines.all().delete()
    scorecard.reviews.all().delete()
    scorecard.status = ScorecardStatus.DRAFT
    scorecard.submitted_at = None
    scorecard.submitted_by = None
    scorecard.updated_by = user
    scorecard.version += 1
    scorecard.save()
    _audit(
        user=user,
        action=AuditAction.DATA_CHANGED,
        office=scorecard.office_id,
        target=scorecard,
        details={"event": "reopened", "period": format_period(scorecard.period)},
    )
    return scorecard


def review_sides(user, office: Office) -> list[str]:
    """The sides whose review ``user`` may give for ``office`` (rule 5's parties)."""
    from users.access.parties import acts_for, required_parties

    return sorted({party.side for party in required_parties([office]) if acts_for(user, party)})


@transaction.atomic
def review_scorecard(
    *, user, scorecard: Scorecard, side: str, comment: str = ""
) -> ScorecardReview:
    """One side's review of a submitted month: the county director for the state, the
    (host) municipality's executive for the municipality."""
    from users.models import AuditAction

    scorecard = Scorecard.objects.select_for_update().select_related("office").get(pk=scorecard.pk)
    if side not in review_sides(user, scorecard.office):
        raise PermissionDenied(_("You do not review this line's scorecard for this office."))
    if not scorecard.is_submitted:
        raise ValidationError({"__all__": [_("The office has not submitted this month yet.")]})
    if scorecard.reviews.filter(side=side).exists():
        raise ValidationError({"side": [_("This line has already reviewed the month.")]})
    review = ScorecardReview.objects.create(
        scorecard=scorecard,
        side=side,
        reviewed_by=user,
        reviewed_at=timezone.now(),
        comment=comment.strip(),
    )
    _audit(
        user=user,
        action=AuditAction.DATA_CREATED,
        office=scorecard.office_id,
        target=review,
        details={"event": "reviewed", "period": format_period(scorecard.period), "side": side},
    )
    return review


def _stale(obj) -> str:
    if obj.updated_by is not None:
        return _("%(name)s changed this after you opened it. Reload it and try again.") % {
            "name": obj.updated_by
        }
    return _("Someone else changed this after you opened it. Reload it and try again.")


# --- Definitions: indicators and targets ------------------------------------------------------


def _may_set(user, obj) -> None:
    from users.access import CHANGE, restrict

    if not restrict(type(obj)._default_manager.filter(pk=obj.pk), user, CHANGE).exists():
        raise ValidationError(
            {"__all__": [_("Only the owning line's authority at this level sets this.")]}
        )


@transaction.atomic
def save_definition(*, user, instance, changes: dict | None = None, version: int | None = None):
    """Create (``changes`` None) or change an indicator or target at a level ``user`` sets.

    The policy decides on the stored row before the commit, as for side data; a change names
    the version it was based on. A target's every value is kept in its history.
    """
    from users.models import AuditAction

    model = type(instance)
    creating = instance.pk is None
    if not creating:
        current = model._default_manager.select_for_update().get(pk=instance.pk)
        _may_set(user, current)
        if version is None:
            raise ValidationError({"version": [_(VERSION_REQUIRED)]})
        if current.version != version:
            raise ValidationError({"version": [_stale(current)]})
        for name, value in (changes or {}).items():
            setattr(current, name, value)
        current.version += 1
        instance = current
    else:
        instance.created_by = user
    instance.updated_by = user
    instance.full_clean()
    _check_definition(instance)
    instance.save()
    _may_set(user, instance)
    if isinstance(instance, Target):
        TargetHistory.objects.create(
            target=instance,
            version=instance.version,
            value=instance.value,
            tolerance=instance.tolerance,
            changed_by=user,
        )
    side = instance.side if isinstance(instance, Indicator) else instance.indicator.side
    _audit(
        user=user,
        action=AuditAction.DATA_CREATED if creating else AuditAction.DATA_CHANGED,
        office=getattr(instance, "office_id", None),
        side=side,
        target=instance,
        details={"fields": sorted(changes or {})} if changes else None,
    )
    return instance


def _check_definition(instance) -> None:
    if isinstance(instance, Target):
        indicator = instance.indicator
        duplicate = Target.objects.filter(
            indicator=indicator,
            level=instance.level,
            county=instance.county,
            municipality=instance.municipality,
            office=instance.office,
            year=instance.year,
            month=instance.month,
        ).exclude(pk=instance.pk)
        if duplicate.exists():
            raise ValidationError(
                {"__all__": [_("There is already a target for this level and period.")]}
            )
        try:
            from scorecards.measurements import parse_value

            parse_value(instance.value, indicator)
        except ValueError as reason:
            raise ValidationError({"value": [str(reason)]}) from None
        if instance.level == "county" and indicator.side != Side.STATE:
            raise ValidationError({"level": [_("County targets are for state indicators.")]})
        if instance.level == "municipality" and indicator.side != Side.MUNICIPAL:
            raise ValidationError(
                {"level": [_("Municipality targets are for municipal indicators.")]}
            )


# --- Action plans -------------------------------------------------------------------------------


def open_action_plan(
    *, user, office: Office, indicator: Indicator, period: datetime.date, analysis: str, goal=""
) -> ActionPlan:
    """A tiltaksplan for an indicator the office missed; one open plan per indicator."""
    if ActionPlan.objects.filter(
        office=office, indicator=indicator, status=ActionPlanStatus.OPEN
    ).exists():
        raise ValidationError(
            {"indicator": [_("There is already an open action plan for this indicator.")]}
        )
    scorecard = Scorecard.objects.filter(office=office, period=period).first()
    plan = ActionPlan(
        office=office,
        indicator=indicator,
        period=period,
        scorecard=scorecard,
        analysis=analysis.strip(),
        goal=goal.strip(),
    )
    return side_data_create(user=user, instance=plan)


def update_action_plan(*, user, plan: ActionPlan, changes: dict, version: int) -> ActionPlan:
    return side_data_update(user=user, instance=plan, changes=changes, version=version)


def close_action_plan(*, user, plan: ActionPlan, version: int) -> ActionPlan:
    return side_data_update(
        user=user,
        instance=plan,
        changes={"status": ActionPlanStatus.CLOSED, "closed_at": timezone.now()},
        version=version,
    )


def add_action(*, user, plan: ActionPlan, description: str, owner: str, due) -> Action:
    if plan.status != ActionPlanStatus.OPEN:
        raise ValidationError({"__all__": [_("The action plan is closed.")]})
    action = Action(plan=plan, description=description.strip(), owner=owner.strip(), due=due)
    return side_data_create(user=user, instance=action)


def update_action(*, user, action: Action, changes: dict, version: int) -> Action:
    return side_data_update(user=user, instance=action, changes=changes, version=version)


def follow_up(*, user, plan: ActionPlan, period: datetime.date, note: str) -> FollowUp:
    """The month's follow-up of a plan (one per month; a second one for a month is refused)."""
    if period > month_end(current_month()):
        raise ValidationError({"period": [_("That month has not begun.")]})
    if FollowUp.objects.filter(plan=plan, period=period).exists():
        raise ValidationError({"period": [_("This month has already been followed up.")]})
    return side_data_create(
        user=user, instance=FollowUp(plan=plan, period=period, note=note.strip(), written_by=user)
    )
