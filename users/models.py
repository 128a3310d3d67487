"""Users, their employer, and their dated role assignments.

Every person in an office is employed either by the state (NAV) or by a municipality, and what
they may see follows from that employer side and their roles (``users/access/``).
"""

from django.contrib.auth.models import AbstractUser, Permission, _user_has_perm
from django.db import models
from django.db.models import Q
from django.db.models.lookups import GreaterThan, IsNull, LessThanOrEqual
from django.db.models.sql.where import OR, WhereNode
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.managers import UserObjectPermissionManager
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from navpartner.querysets import VisibleToQuerySet
from navpartner.sidedata import DELEGABLE_SIDE_CHOICES, DELEGABLE_SIDES, Side, SideData  # noqa: F401  (Side re-exported)
from offices.models import County, Municipality, Office


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

    def has_perm(self, perm, obj=None) -> bool:
        # Django answers yes to an active superuser before asking any backend; operators get no
        # side data (docs/access.md), so for those permissions the backends decide, as for all.
        from users.access.backends import side_data_permission

        if self.is_superuser and side_data_permission(perm, obj) is not None:
            return self.is_active and _user_has_perm(self, perm, obj)
        return super().has_perm(perm, obj)


class Role(models.TextChoices):
    """The roles of DESIGN.md's access model, each with the kind of unit it is scoped to."""

    OFFICE_LEADER = "office_leader", _("Office leader")
    OFFICE_STAFF = "office_staff", _("Office staff")
    MUNICIPAL_EXECUTIVE = "municipal_executive", _("Municipal chief executive")
    MUNICIPAL_ADVISOR = "municipal_advisor", _("Municipal advisor")
    COUNTY_DIRECTOR = "county_director", _("County director")
    COUNTY_ADVISOR = "county_advisor", _("County advisor")
    NATIONAL_ADMIN = "national_admin", _("National administrator")
    # A statistics system's service account: it delivers measurements through the bulk API for
    # the offices of its county (or, without one, the whole country), and may do nothing else.
    STATISTICS_CLIENT = "statistics_client", _("Statistics system")


OFFICE_ROLES = frozenset({Role.OFFICE_LEADER, Role.OFFICE_STAFF})
MUNICIPALITY_ROLES = frozenset({Role.MUNICIPAL_EXECUTIVE, Role.MUNICIPAL_ADVISOR})
COUNTY_ROLES = frozenset({Role.COUNTY_DIRECTOR, Role.COUNTY_ADVISOR})


class RoleAssignmentQuerySet(VisibleToQuerySet):
    def approved(self) -> "RoleAssignmentQuerySet":
        return self.filter(approved_at__isnull=False)

    def active(self, at=None) -> "RoleAssignmentQuerySet":
        """Approved assignments in force at ``at`` (default: now): ``from <= at < to``."""
        at = at or timezone.now()
        return (
            self.approved()
            .filter(valid_from__lte=at)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))
        )


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
    proposed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    # Empty while a joint appointment (the office leader) waits for a party's approval; a role
    # gives nothing until it is approved.
    approved_at = models.DateTimeField(
        _("approved at"), null=True, blank=True, default=timezone.now
    )
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
                    | Q(
                        role=Role.STATISTICS_CLIENT,
                        office__isnull=True,
                        municipality__isnull=True,
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


class RoleApproval(models.Model):
    """One party's approval of a joint appointment (rule 5's "both parties" for the leader).

    The office leader is appointed by both lines: the county director for the state, and the
    host municipality's executive — or, where there is no host, every served municipality's.
    """

    assignment = models.ForeignKey(
        RoleAssignment, on_delete=models.CASCADE, related_name="approvals"
    )
    side = models.CharField(_("side"), max_length=10, choices=EmployerSide.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now)

    class Meta:
        verbose_name = _("role approval")
        verbose_name_plural = _("role approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "side"],
                condition=Q(municipality__isnull=True),
                name="role_approval_once_per_side",
            ),
            models.UniqueConstraint(
                fields=["assignment", "side", "municipality"],
                condition=Q(municipality__isnull=False),
                name="role_approval_once_per_municipality",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} – {self.get_side_display()} ({self.approved_by})"


class DelegationLevel(models.TextChoices):
    VIEW = "view", _("View")
    CHANGE = "change", _("Change")


class DelegationQuerySet(VisibleToQuerySet):
    def active(self, at=None) -> "DelegationQuerySet":
        at = at or timezone.now()
        return self.filter(valid_from__lte=at, valid_to__gt=at).filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__gt=at)
        )


class Delegation(models.Model):
    """A delegasjonsvedtak: the owning side lets a named person see or change its data.

    Granted by the owning side's authority (the municipal executive for municipal data of the
    offices serving the municipality; the county director for state data of the county's
    offices), for one office, one side and one level, with a reference to its basis and a
    mandatory end. It holds from ``valid_from`` up to ``valid_to`` or ``revoked_at``, whichever
    comes first — to the second, not at the next batch run.
    """

    grantor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="delegations_granted",
        verbose_name=_("granted by"),
    )
    grantee = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=_("granted to"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("office")
    )
    side = models.CharField(
        pgettext_lazy("data owner", "side"), max_length=10, choices=DELEGABLE_SIDE_CHOICES
    )
    level = models.CharField(_("level"), max_length=10, choices=DelegationLevel.choices)
    basis = models.CharField(
        _("basis"),
        max_length=300,
        help_text=_("The decision the delegation rests on, e.g. “delegasjonsvedtak 2010-14”."),
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_to = models.DateTimeField(_("valid to"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["office", "-valid_from"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gt=models.F("valid_from")), name="delegation_valid_range"
            ),
            models.CheckConstraint(
                condition=~Q(grantor=models.F("grantee")), name="delegation_not_to_oneself"
            ),
            models.CheckConstraint(
                condition=Q(side__in=[s.value for s in DELEGABLE_SIDES]),
                name="delegation_side_is_state_or_municipal",
            ),
        ]
        indexes = [models.Index(fields=["grantee", "valid_to"])]

    def __str__(self) -> str:
        side, level = self.get_side_display(), self.get_level_display()
        return f"{self.grantee} – {self.office} ({side}, {level})"

    @property
    def ends_at(self):
        """When the delegation stops: its end date, or its revocation if that came first."""
        if self.revoked_at and self.revoked_at < self.valid_to:
            return self.revoked_at
        return self.valid_to

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.valid_from <= at < self.ends_at


class PermissionBasis(models.TextChoices):
    """Why a user holds a permission on an office: the access review shows it."""

    ROLE = "role", _("Employer and role")
    OFFICE_LEADER = "office_leader", _("Office leader")
    DELEGATION = "delegation", _("Delegation")


def _in_force(at) -> Q:
    return Q(valid_from__lte=at) & (Q(valid_to__isnull=True) | Q(valid_to__gt=at))


class _InForceWhenJoined:
    """The join condition "the permission row is in force now", for joins *into* the rows.

    Guardian's ``ObjectPermissionChecker`` asks ``Permission`` joined to the rows (and
    ``get_users_with_perms`` asks ``User``), not the rows' manager; this condition makes such
    a join see only the rows in force when the query runs. A query that starts from the rows
    themselves is left to the manager it starts from (``objects`` or ``all_rows``), so the
    sync, the admin and the access review can still read every row.
    """

    contains_aggregate = False
    contains_over_clause = False

    def __init__(self, alias: str):
        self.alias = alias

    def relabeled_clone(self, change_map):
        return type(self)(change_map.get(self.alias, self.alias))

    def get_refs(self):
        return set()

    def as_sql(self, compiler, connection):
        model = compiler.query.model
        if model is not None and issubclass(model, OfficeUserObjectPermission):
            return "1 = 1", []
        now = timezone.now()
        fields = OfficeUserObjectPermission._meta
        valid_from = fields.get_field("valid_from").get_col(self.alias)
        valid_to = fields.get_field("valid_to").get_col(self.alias)
        in_force = WhereNode(
            [
                LessThanOrEqual(valid_from, now),
                WhereNode([IsNull(valid_to, True), GreaterThan(valid_to, now)], connector=OR),
            ]
        )
        return compiler.compile(in_force)


class _InForceForeignKey(models.ForeignKey):
    """A foreign key of the permission rows whose reverse joins see only rows in force."""

    def get_extra_restriction(self, alias, related_alias):
        # A join passes (other table, rows); a pushed-down subquery passes (rows, None).
        return _InForceWhenJoined(related_alias or alias)

    def deconstruct(self):
        # To migrations this is a plain foreign key: the condition lives in queries only.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ForeignKey", args, kwargs


class OfficePermissionsInForce(UserObjectPermissionManager):
    """Guardian's manager, returning only the rows in force now (``from <= now < to``).

    It is the default manager, so guardian (``get_objects_for_user``, ``prefetch_perms``) and
    any other code that asks ``OfficeUserObjectPermission.objects`` agree with the policy.
    """

    def get_queryset(self):
        return super().get_queryset().filter(_in_force(timezone.now()))


class OfficeUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-user permission on an office, with a real foreign key (fast joins).

    Each row is one permission from one source (a role assignment or a delegation), dated like
    its source, so a permission ends exactly when its role or delegation ends, and the access
    review can say on what basis each person has it. ``users/access/permissions.py`` keeps the
    rows in step with roles and delegations; the policy (``users/access/``) reads them.
    Guardian's own unique-per-permission rule is dropped: two sources may grant the same
    permission.

    ``objects`` and every join into the rows (from ``Permission``, ``User``, ``Office``) see
    only the rows in force now, so guardian tells the same truth as the policy; ``all_rows``
    has every row, past and future, for the sync, the admin and the access review.
    """

    user = _InForceForeignKey(User, on_delete=models.CASCADE)
    permission = _InForceForeignKey(Permission, on_delete=models.CASCADE)
    content_object = _InForceForeignKey(Office, on_delete=models.CASCADE)
    basis = models.CharField(_("basis"), max_length=20, choices=PermissionBasis.choices)
    role_assignment = models.ForeignKey(
        RoleAssignment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    # The permission's action and side, copied from its codename (``view_state_data`` is
    # ("view", "state")) so that the policy can join a record's (office, side) to these rows
    # directly — one semi-join on the (office, side) index — instead of OR-ing one subquery per
    # side, which PostgreSQL cannot turn into an index lookup.
    action = models.CharField(_("action"), max_length=10)
    side = models.CharField(
        pgettext_lazy("data owner", "side"), max_length=10, choices=Side.choices
    )

    objects = OfficePermissionsInForce()
    all_rows = UserObjectPermissionManager()

    class Meta:
        verbose_name = _("office permission of a user")
        verbose_name_plural = _("office permissions of users")
        indexes = [
            models.Index(fields=["user", "permission", "valid_from"]),
            models.Index(fields=["content_object", "permission"]),
            models.Index(
                fields=["user", "action", "side", "content_object"], name="office_perm_lookup"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(role_assignment__isnull=False, delegation__isnull=True)
                | Q(role_assignment__isnull=True, delegation__isnull=False),
                name="office_permission_has_one_source",
            ),
            models.CheckConstraint(
                condition=Q(action__in=["view", "change"]), name="office_permission_action"
            ),
        ]


class OfficeGroupObjectPermission(GroupObjectPermissionBase):
    """django-guardian's per-group permissions on offices, with a real foreign key.

    Not used by the access policy yet (every permission comes from a person's own roles and
    delegations); kept so guardian's group API works on offices and for groups of integrations.
    """

    content_object = models.ForeignKey(Office, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("office permission of a group")
        verbose_name_plural = _("office permissions of groups")


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_IN_LOCKED_OUT = "sign_in_locked_out", _("Sign-in refused during lockout")
    API_TOKENS_REVOKED = "api_tokens_revoked", _("API tokens revoked")
    ROLE_ASSIGNED = "role_assigned", _("Role assigned")
    ROLE_ENDED = "role_ended", _("Role ended")
    DELEGATION_GRANTED = "delegation_granted", _("Delegation granted")
    DELEGATION_REVOKED = "delegation_revoked", _("Delegation revoked")
    DATA_CREATED = "data_created", _("Data created")
    DATA_CHANGED = "data_changed", _("Data changed")
    DATA_DELETED = "data_deleted", _("Data deleted")
    DELEGATED_READ = "delegated_read", _("Read through a delegation")
    ACCESS_DENIED = "access_denied", _("Access denied")
    PERMISSIONS_RESYNCED = "permissions_resynced", _("Permissions corrected by a resync")


class AuditEventQuerySet(VisibleToQuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what, to which object, on what basis.

    Written in the same transaction as the change it records (``users/access/audit.py``). Rows are
    never changed or deleted: the model, its queryset and the admin refuse, and on PostgreSQL a
    trigger refuses at the database too (migration ``users/0002``).
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
    )
    side = models.CharField(
        pgettext_lazy("data owner", "side"), max_length=10, choices=Side.choices, blank=True
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    basis = models.CharField(_("basis"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # The page reads newest first by cursor (``audit_newest_first``); on PostgreSQL the search
        # has trigram indexes too (migration ``users/0006``, not part of the model's state).
        indexes = [
            models.Index(fields=["office", "-at"]),
            models.Index(fields=["actor", "-at"]),
            models.Index(fields=["action", "-at"]),
            models.Index(fields=["-at", "-id"], name="audit_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class AccessReviewConfirmation(models.Model):
    """That someone who reviews an office's access (its leader, a served municipality's
    executive, its county director) has looked through its access review and confirmed it.

    The 2011 audit asked the parties to make sure, through internal control, that information
    security holds as the circle of people with access grows (001 §5.1, ch. 7); a dated
    confirmation is the record that the review was actually looked at. It is joint data of the
    office: either party may see who confirmed and when. Written only through
    ``users.services.access_review_confirm``, which checks the reviewer and audits the write.
    """

    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="access_review_confirmations",
        verbose_name=_("office"),
    )
    confirmed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    visibility = SideData(office="office", side=Side.JOINT)
    objects = VisibleToQuerySet.as_manager()

    class Meta:
        ordering = ["office", "-confirmed_at", "-pk"]
        verbose_name = _("access review confirmation")
        verbose_name_plural = _("access review confirmations")
        indexes = [models.Index(fields=["office", "-confirmed_at"])]

    def __str__(self) -> str:
        return f"{self.office} {self.confirmed_at:%Y-%m-%d}"
