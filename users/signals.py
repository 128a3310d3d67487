"""Signal receivers of the users app: keep permissions in step, and audit sign-ins and roles.

Permissions are synced in the same transaction as the change that moves them (a role, a
delegation, an employer, an office membership), whether the change comes from a service, the
admin or a data migration, so the user's next request already sees it.
"""

import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from offices.models import Office, OfficeMunicipality
from users.audit import audit_record, audit_record_after_response, current_user
from users.models import AuditAction, Delegation, RoleAssignment, User
from users.permissions import (
    permissions_sync,
    permissions_sync_users,
    users_reaching_county,
    users_reaching_municipality,
)

logger = logging.getLogger("navpartner.auth")


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs) -> None:
    logger.info("sign-in user=%s", user.username)
    audit_record(actor=user, action=AuditAction.SIGN_IN)


@receiver(user_login_failed)
def audit_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # The password is never recorded; the username is, so repeated guessing shows.
    username = str(credentials.get("username", ""))[:150]
    logger.warning("failed sign-in username=%s", username)
    audit_record_after_response(
        actor=None, actor_username=username, action=AuditAction.SIGN_IN_FAILED
    )


@receiver(post_save, sender=RoleAssignment)
def role_saved(sender, instance: RoleAssignment, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    permissions_sync(user=instance.user)
    audit_record(
        actor=current_user(),
        # A saved assignment with an end is a role ending (or a changed end); else a grant.
        action=(
            AuditAction.ROLE_ENDED
            if not created and instance.valid_to
            else AuditAction.ROLE_ASSIGNED
        ),
        office=instance.office,
        target=instance,
        details={
            "user": instance.user.username,
            "role": instance.role,
            "valid_from": instance.valid_from.isoformat(),
            "valid_to": instance.valid_to.isoformat() if instance.valid_to else None,
        },
    )


@receiver(post_delete, sender=RoleAssignment)
def role_deleted(sender, instance: RoleAssignment, **kwargs):
    permissions_sync(user=instance.user)
    audit_record(
        actor=current_user(),
        action=AuditAction.ROLE_ENDED,
        office=instance.office,
        details={"user": instance.user.username, "role": instance.role, "deleted": True},
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
        affected |= set(User.objects.filter(officeuserobjectpermission__content_object=instance))
    permissions_sync_users(affected)
