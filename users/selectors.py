"""Reads about users and their roles."""

from django.db.models import QuerySet

from users.models import RoleAssignment


def active_role_assignments(*, user, at=None) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.active(at)
        .filter(user=user)
        .select_related("office", "municipality", "county")
        .order_by("role", "pk")
    )
