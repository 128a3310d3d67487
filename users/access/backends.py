"""Django's permission API on offices, answered by the access policy.

django-guardian stores our per-side office permissions (``view_state_data``,
``change_municipal_data``, …) as ``OfficeUserObjectPermission`` rows, each dated like the role
or delegation it comes from. Guardian itself knows nothing of those dates, so left alone it
would say yes before a role starts and after a delegation ends, while ``users/access/`` says
no. Three things make every way of asking give the policy's answer, at every instant:

* **This backend** replaces guardian's in ``AUTHENTICATION_BACKENDS``. For a side-data
  permission on an ``Office`` — ``user.has_perm("offices.view_municipal_data", office)`` — it
  asks the policy (``access.can_access_side``, one query on the rows in force), with nothing
  cached between calls, so an ended delegation answers no on the next call. Every other
  question goes to guardian unchanged.
* **``User.has_perm``** does not answer yes to superusers for those permissions before asking
  the backends, as Django does for everything else: operators get no side data.
* **The rows themselves** (``users/models.py``): the default manager
  ``OfficeUserObjectPermission.objects`` returns only rows in force now, and any join into the
  rows from ``Permission``, ``User`` or ``Office`` sees only those, so guardian's
  ``get_objects_for_user`` and ``ObjectPermissionChecker`` agree as well. ``all_rows`` has
  every row, for the sync, the admin and the access review.

Guardian's checker and ``get_objects_for_user`` (with its default ``with_superuser=True``)
still give a superuser everything, by a test of ``is_superuser`` inside guardian that no
setting turns off; the app calls neither (``tests/users/test_guardian_agreement.py`` checks).
"""

from guardian.backends import ObjectPermissionBackend

from navpartner.sidedata import Side
from offices.models import Office

SIDE_DATA_CODENAMES = frozenset(
    f"{action}_{side}_data" for action in ("view", "change") for side in Side.values
)


def side_data_permission(perm: str, obj) -> tuple[str, str] | None:
    """``(action, side)`` when ``perm`` is a side-data permission asked of an office, else None."""
    if not isinstance(obj, Office):
        return None
    app_label, _dot, codename = perm.rpartition(".")
    if app_label not in ("", Office._meta.app_label) or codename not in SIDE_DATA_CODENAMES:
        return None
    action, side, _data = codename.split("_", 2)
    return action, side


class OfficePermissionBackend(ObjectPermissionBackend):
    """Guardian's object-permission backend, with side data on offices asked of the policy."""

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        from users import access

        asked = side_data_permission(perm, obj)
        if asked is None:
            return super().has_perm(user_obj, perm, obj)
        action, side = asked
        return access.can_access_side(user_obj, action, obj, side)

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        permissions = set(super().get_all_permissions(user_obj, obj))
        if not isinstance(obj, Office):
            return permissions
        from users import access

        permissions -= SIDE_DATA_CODENAMES
        if access.is_signed_in(user_obj):
            rows = access.permission_rows_in_force().filter(user=user_obj, content_object=obj)
            permissions |= {
                f"{action}_{side}_data" for action, side in rows.values_list("action", "side")
            }
        return permissions

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        # No group holds side data: the policy gives it to people, by role and delegation.
        return set(super().get_group_permissions(user_obj, obj)) - (
            SIDE_DATA_CODENAMES if isinstance(obj, Office) else set()
        )
