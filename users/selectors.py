"""Reads about users, their roles and delegations."""

from django.db.models import QuerySet
from django.utils import timezone

from users.models import AuditEvent, Delegation, RoleAssignment, User


def active_role_assignments(*, user, at=None) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.active(at)
        .filter(user=user)
        .select_related("office", "municipality", "county")
        .order_by("role", "pk")
    )


def delegation_list(*, user, active_only: bool = False) -> QuerySet[Delegation]:
    """Delegations the user may see: their own, and those of the offices they answer for."""
    delegations = Delegation.objects.visible_to(user).select_related(
        "grantor", "grantee", "office", "revoked_by"
    )
    if active_only:
        delegations = delegations.active(timezone.now())
    return delegations.order_by("-valid_from", "-pk")


def delegation_grantees(*, user) -> QuerySet[User]:
    """Whom a delegation may name: active users other than the grantor."""
    return User.objects.filter(is_active=True).exclude(pk=user.pk).order_by("username")


def role_assignment_list(*, user) -> QuerySet[RoleAssignment]:
    """Roles the user may see, current and pending (ended ones are history, not shown)."""
    from django.db.models import Q

    now = timezone.now()
    return (
        RoleAssignment.objects.visible_to(user)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
        .select_related("user", "office", "municipality", "county", "proposed_by")
        .prefetch_related("approvals__municipality", "approvals__approved_by")
        .order_by("approved_at", "office__name", "role", "user__username")
    )


def audit_event_list(*, user) -> QuerySet[AuditEvent]:
    """The audit events ``user`` may read (their own, and those of the offices they review),
    newest first, with what the page and the API show of each."""
    return AuditEvent.objects.visible_to(user).select_related("office").order_by("-at", "-id")
