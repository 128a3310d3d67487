"""Writes of side data: create, change, delete — the same rules for every side-data model.

Each helper runs in one transaction and

* checks the access policy on the *stored* row, after saving and before committing (as NetBox
  does): the policy decides on exactly what will be in the database — its offices and side,
  however the model reaches them — and a refusal rolls the write back;
* writes one audit event per office the row belongs to, naming the writer's side (DESIGN.md:
  working records may be written by either side's authority; each write is audited with the
  writer's side);
* guards against lost updates on models with a ``version`` field: a change names the version it
  was based on, and a stale one is refused, naming who changed the row since where the model
  records it (``updated_by``).

Refusals are ``django.core.exceptions.ValidationError`` with field errors, which the pages show
on their forms and the API's exception handler turns into a 400 with per-field errors.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from navpartner.querysets import declared_visibility
from navpartner.sidedata import SideData

SIDE_NOT_PERMITTED = gettext_noop(
    "You cannot change this side's data for this office. Neither side can change the other's "
    "data without a delegation."
)
CHANGED_MEANWHILE = gettext_noop(
    "Someone else changed this after you opened it. Reload it and make your change again."
)
CHANGED_MEANWHILE_BY = gettext_noop(
    "%(name)s changed this after you opened it. Reload it and make your change again."
)
VERSION_REQUIRED = gettext_noop("Give the version your change is based on.")


def _declared(instance: models.Model) -> SideData:
    declared = declared_visibility(type(instance))
    if not isinstance(declared, SideData):
        raise TypeError(f"{type(instance).__name__} does not declare side data")
    return declared


def _has_field(instance: models.Model, name: str) -> bool:
    return any(field.name == name for field in instance._meta.concrete_fields)


def _check_may_change(*, user, instance: models.Model, declared: SideData) -> None:
    """Refuse unless the policy lets ``user`` change the stored row (rolls the write back)."""
    from users.access import CHANGE

    manager = type(instance)._default_manager
    if not manager.filter(pk=instance.pk).visible_to(user, CHANGE).exists():
        raise ValidationError({declared.side_field or "__all__": [_(SIDE_NOT_PERMITTED)]})


def _audit(*, user, action: str, instance: models.Model, declared: SideData, details=None):
    from users.access.audit import audit_record

    offices, side = declared.office_and_side_of([instance]).get(instance.pk, ([], ""))
    for office_id in offices or [None]:
        audit_record(
            actor=user,
            action=action,
            office=office_id,
            side=side,
            target=instance,
            details={"writer_side": getattr(user, "employer_side", ""), **(details or {})},
        )


@transaction.atomic
def side_data_create(*, user, instance: models.Model) -> models.Model:
    """Store a new row of side data, if ``user`` may change its side of its office(s)."""
    from users.models import AuditAction

    declared = _declared(instance)
    if _has_field(instance, "created_by") and instance.created_by_id is None:
        instance.created_by = user
    if _has_field(instance, "updated_by"):
        instance.updated_by = user
    instance.full_clean()
    instance.save()
    _check_may_change(user=user, instance=instance, declared=declared)
    _audit(user=user, action=AuditAction.DATA_CREATED, instance=instance, declared=declared)
    return instance


@transaction.atomic
def side_data_update(
    *, user, instance: models.Model, changes: dict, version: int | None = None
) -> models.Model:
    """Change a row ``user`` may change, unless someone else changed it since ``version``.

    Both the row as it was and the row as it becomes must be the user's to change: moving data
    across the line is a change of both sides' data.
    """
    from users.models import AuditAction

    declared = _declared(instance)
    model = type(instance)
    _check_may_change(user=user, instance=instance, declared=declared)
    # Lock the row: the version compared is the version overwritten.
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    versioned = _has_field(current, "version")
    if versioned:
        if version is None:
            raise ValidationError({"version": [_(VERSION_REQUIRED)]})
        if current.version != version:
            raise ValidationError({"version": [_changed_meanwhile(current)]})
    changed = sorted(name for name, value in changes.items() if getattr(current, name) != value)
    for name, value in changes.items():
        setattr(current, name, value)
    if versioned:
        current.version = version + 1
    if _has_field(current, "updated_by"):
        current.updated_by = user
    if _has_field(current, "updated_at"):
        current.updated_at = timezone.now()
    current.full_clean()
    current.save()
    _check_may_change(user=user, instance=current, declared=declared)
    details = {"fields": changed}
    if versioned:
        details["version"] = current.version
    _audit(
        user=user,
        action=AuditAction.DATA_CHANGED,
        instance=current,
        declared=declared,
        details=details,
    )
    return current


@transaction.atomic
def side_data_delete(*, user, instance: models.Model) -> None:
    """Delete a row ``user`` may change; the audit event keeps what it was."""
    from users.models import AuditAction

    declared = _declared(instance)
    _check_may_change(user=user, instance=instance, declared=declared)
    _audit(user=user, action=AuditAction.DATA_DELETED, instance=instance, declared=declared)
    instance.delete()


def _changed_meanwhile(current: models.Model) -> str:
    changer = getattr(current, "updated_by", None) if _has_field(current, "updated_by") else None
    if changer is not None:
        return _(CHANGED_MEANWHILE_BY) % {"name": changer}
    return _(CHANGED_MEANWHILE)
