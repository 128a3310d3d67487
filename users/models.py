"""Users, their employer, and their dated role assignments.

Every person in an office is employed either by the state (NAV) or by a municipality, and what
they may see follows from that employer side and their roles (``users/access.py``).
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from offices.models import County, Municipality, Office


class Side(models.TextChoices):
    """Which party a piece of partnership data belongs to."""

    STATE = "state", _("State")
    MUNICIPAL = "municipal", _("Municipal")
    JOINT = "joint", _("Joint")


class EmployerSide(models.TextChoices):
    """Which party employs a person. A technical operator account has none."""

    STATE = "state", _("State")
    MUNICIPAL = "municipal", _("Municipal")


class User(AbstractUser):
    """A person who signs in: their employer side and employing county or municipality.

    State employees work for NAV in a county (``employer_county``; empty for the directorate);
    municipal employees for a municipality (``employer_municipality``). Accounts without an
    employer side are technical operators (superusers); see docs/access.md for what they see.
    """

    employer_side = models.CharField(
        _("employer side"), max_length=10, choices=EmployerSide.choices, blank=True
    )
    employer_county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("employing county"),
    )
    employer_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("employing municipality"),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(employer_side="state", employer_municipality__isnull=True)
                    | Q(
                        employer_side="municipal",
                        employer_municipality__isnull=False,
                        employer_county__isnull=True,
                    )
                    | Q(
                        employer_side="",
                        employer_county__isnull=True,
                        employer_municipality__isnull=True,
                    )
                ),
                name="user_employer_matches_side",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def employer(self) -> County | Municipality | None:
        return self.employer_municipality or self.employer_county


class Role(models.TextChoices):
    """The roles of DESIGN.md's access model, each with the kind of unit it is scoped to."""

    OFFICE_LEADER = "office_leader", _("Office leader")
    OFFICE_STAFF = "office_staff", _("Office staff")
    MUNICIPAL_EXECUTIVE = "municipal_executive", _("Municipal chief executive")
    MUNICIPAL_ADVISOR = "municipal_advisor", _("Municipal advisor")
    COUNTY_DIRECTOR = "county_director", _("County director")
    COUNTY_ADVISOR = "county_advisor", _("County advisor")
    NATIONAL_ADMIN = "national_admin", _("National administrator")


OFFICE_ROLES = frozenset({Role.OFFICE_LEADER, Role.OFFICE_STAFF})
MUNICIPALITY_ROLES = frozenset({Role.MUNICIPAL_EXECUTIVE, Role.MUNICIPAL_ADVISOR})
COUNTY_ROLES = frozenset({Role.COUNTY_DIRECTOR, Role.COUNTY_ADVISOR})


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self, at=None) -> "RoleAssignmentQuerySet":
        """Assignments in force at ``at`` (default: now): ``valid_from <= at < valid_to``."""
        at = at or timezone.now()
        return self.filter(valid_from__lte=at).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))


class RoleAssignment(models.Model):
    """A user's role, scoped to one office, municipality or county (or nothing, nationally).

    Dated to the second, so that ending a role takes effect on the user's next request rather
    than at midnight: the assignment holds from ``valid_from`` up to, not including, ``valid_to``.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("office"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("municipality"),
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("county"),
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=sorted(OFFICE_ROLES),
                        office__isnull=False,
                        municipality__isnull=True,
                        county__isnull=True,
                    )
                    | Q(
                        role__in=sorted(MUNICIPALITY_ROLES),
                        office__isnull=True,
                        municipality__isnull=False,
                        county__isnull=True,
                    )
                    | Q(
                        role__in=sorted(COUNTY_ROLES),
                        office__isnull=True,
                        municipality__isnull=True,
                        county__isnull=False,
                    )
                    | Q(
                        role=Role.NATIONAL_ADMIN,
                        office__isnull=True,
                        municipality__isnull=True,
                        county__isnull=True,
                    )
                ),
                name="role_assignment_scope_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="role_assignment_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["user", "valid_from", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.scope})"

    @property
    def scope(self) -> Office | Municipality | County | str:
        return self.office or self.municipality or self.county or _("national")


class OfficeUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-user permissions on offices, with a real foreign key (fast joins)."""

    content_object = models.ForeignKey(Office, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("office permission of a user")
        verbose_name_plural = _("office permissions of users")


class OfficeGroupObjectPermission(GroupObjectPermissionBase):
    """django-guardian's per-group permissions on offices, with a real foreign key."""

    content_object = models.ForeignKey(Office, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("office permission of a group")
        verbose_name_plural = _("office permissions of groups")
