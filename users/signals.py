"""Signal receivers of the users app: keep permissions in step, and audit sign-ins and roles.

Permissions are synced in the same transaction as the change that moves them (a role, a
delegation, an employer, an office membership), whether the change comes from a service, the
admin or a data migration, so the user's next request already sees it.
"""

import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from knox.models import AuthToken

from offices.models import Office, OfficeMunicipality
from users.access.audit import audit_record, audit_record_after_response, current_user
from users.access.permissions import (
    permissions_sync,
    permissions_sync_users,
    users_reaching_county,
    users_reaching_municipality,
)
from users.models import (
    AuditAction,
    Delegation,
    OfficeUserObjectPermission,
    RoleAssignment,
    User,
)
from users.sign_in import REFUSED_DURING_LOCKOUT, sign_in_method

logger = logging.getLogger("navpartner.auth")


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs) -> None:
    method = sign_in_method(request)
    logger.info("sign-in user=%s method=%s", user.username, method)
    audit_record(actor=user, action=AuditAction.SIGN_IN, details={"method": method})


@receiver(user_login_failed)
def audit_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # The password is never recorded; the username is, as tried, so repeated guessing shows.
    username = str(credentials.get("username", ""))[:150]
    method = sign_in_method(request)
    # Refused by django-axes without checking the password: the name and address are locked out.
    locked_out = getattr(request, REFUSED_DURING_LOCKOUT, False)
    logger.warning(
        "%s username=%s method=%s",
        "sign-in refused during lockout" if locked_out else "failed sign-in",
        username,
        method,
    )
    audit_record_after_response(
        actor=None,
        actor_username=username,
        action=AuditAction.SIGN_IN_LOCKED_OUT if locked_out else AuditAction.SIGN_IN_FAILED,
        details={"method": method},
    )


@receiver(post_save, sender=User)
def revoke_api_tokens(sender, instance: User, created: bool, raw: bool = False, **kwargs):
    """A new password (``set_password`` then save, the admin's too) or deactivation ends every
    API token of the user. ``_password`` is how Django's own ``save()`` knows the password was
    set (it calls the validators' ``password_changed`` on it); a hash upgrade at sign-in clears
    it first and so keeps the tokens."""
    if raw or created:
        return
    if not instance.is_active:
        reason = "deactivated"
    elif getattr(instance, "_password", None) is not None:
        reason = "password_changed"
    else:
        return
    count, _deleted = AuthToken.objects.filter(user=instance).delete()
    if count:
        audit_record(
            actor=current_user(),
            action=AuditAction.API_TOKENS_REVOKED,
            details={"user": instance.username, "reason": reason, "count": count},
        )


# What a saved role assignment's audit event compares with the row as it was before the save.
_ROLE_FIELDS = (
    "user_id",
    "role",
    "office_id",
    "municipality_id",
    "county_id",
    "valid_from",
    "valid_to",
    "approved_at",
)


def _role_actor(instance: RoleAssignment):
    # Services name who acts (a service may run outside a request); the admin is a request.
    return getattr(instance, "audit_actor", None) or current_user()


def _role_details(instance: RoleAssignment, change: str, **extra) -> dict:
    return {
        "change": change,
        "user": instance.user.username,
        "role": instance.role,
        "valid_from": instance.valid_from.isoformat(),
        "valid_to": instance.valid_to.isoformat() if instance.valid_to else None,
        **extra,
    }


def role_change(previous: dict | None, instance: RoleAssignment) -> tuple[str, str] | None:
    """The audit action and kind of change of one save of a role assignment, or ``None``.

    ``previous`` holds ``_ROLE_FIELDS`` as stored before the save (``None``: a new row). A new
    row is ``proposed`` (a joint appointment waiting for approval) or ``assigned``; a row whose
    approval arrives comes ``in_force``; a row whose end is set or brought forward is ``ended``
    (``role_ended``); any other change is ``changed``; a save that changes nothing is not an
    event.
    """
    if previous is None:
        change = "assigned" if instance.approved_at else "proposed"
        return AuditAction.ROLE_ASSIGNED, change
    now = {field: getattr(instance, field) for field in _ROLE_FIELDS}
    if now == previous:
        return None
    old_end, new_end = previous["valid_to"], instance.valid_to
    if new_end is not None and (old_end is None or new_end < old_end):
        return AuditAction.ROLE_ENDED, "ended"
    if previous["approved_at"] is None and instance.approved_at is not None:
        return AuditAction.ROLE_ASSIGNED, "in_force"
    return AuditAction.ROLE_ASSIGNED, "changed"


@receiver(pre_save, sender=RoleAssignment)
def role_saving(sender, instance: RoleAssignment, raw: bool = False, **kwargs):
    """Remember the row as stored, so the audit event says what this save changed."""
    instance._stored_before_save = (
        None
        if raw or instance._state.adding
        else RoleAssignment.objects.filter(pk=instance.pk).values(*_ROLE_FIELDS).first()
    )


@receiver(post_save, sender=RoleAssignment)
def role_saved(sender, instance: RoleAssignment, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    permissions_sync(user=instance.user)
    previous = None if created else getattr(instance, "_stored_before_save", None)
    change = role_change(previous, instance)
    if change is None:
        return
    action, kind = change
    extra = {}
    if previous is not None and kind == "changed":
        extra["before"] = {
            field: value.isoformat() if hasattr(value, "isoformat") else value
            for field, value in previous.items()
            if value != getattr(instance, field)
        }
    audit_record(
        actor=_role_actor(instance),
        action=action,
        office=instance.office,
        target=instance,
        details=_role_details(instance, kind, **extra),
    )


@receiver(post_delete, sender=RoleAssignment)
def role_deleted(sender, instance: RoleAssignment, **kwargs):
    permissions_sync(user=instance.user)
    audit_record(
        actor=_role_actor(instance),
        action=AuditAction.ROLE_ENDED,
        office=instance.office,
        target=instance,  # the id is still set while the deletion is under way
        details=_role_details(instance, "deleted", deleted=True),
    )


@receiver(post_save, sender=Delegation)
@receiver(post_delete, sender=Delegation)
def delegation_changed(sender, instance: Delegation, raw: bool = False, **kwargs):
    if not raw:
        permissions_sync(user=instance.grantee)


@receiver(post_save, sender=User)
def user_saved(sender, instance: User, created: bool, raw=False, update_fields=None, **kwargs):
    # A sign-in only stamps last_login; nothing that decides access changed.
    if raw or created or (update_fields and set(update_fields) <= {"last_login", "password"}):
        return
    permissions_sync(user=instance)


@receiver(post_save, sender=OfficeMunicipality)
@receiver(post_delete, sender=OfficeMunicipality)
def membership_changed(sender, instance: OfficeMunicipality, raw: bool = False, **kwargs):
    if not raw:
        permissions_sync_users(users_reaching_municipality(instance.municipality_id))


@receiver(post_save, sender=Office)
def office_saved(sender, instance: Office, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    # A new office joins its county's reach; a moved one leaves the old county's.
    affected = set(users_reaching_county(instance.county_id))
    if not created:
        # Every holder, past and future rows alike (a join sees only the rows in force now).
        holders = OfficeUserObjectPermission.all_rows.filter(content_object=instance)
        affected |= set(User.objects.filter(pk__in=holders.values("user")))
    permissions_sync_users(affected)
