"""The access policy: the one place that decides who may see or change what.

Every page, API endpoint, export and report asks this module, through
``Model.objects.visible_to(user, action)`` (``navpartner/querysets.py``) or the helpers below.
A model without a registered policy is visible to nobody, so a forgotten model fails closed.

What is decided here so far (the side rules of DESIGN.md build on the same entry point):

* **Reference data** — counties, municipalities, offices and which municipalities an office
  serves — may be read by every signed-in, active user. Nobody changes it through the app's
  pages or API; national administrators and operators maintain it in the admin.
* **Report requests** belong to the person who asked: nobody else sees them, their status or
  their file, superusers included (a report may hold the requester's side data).
* **Anonymous and inactive users** get nothing, everywhere.

Missing and forbidden objects look the same to the caller (404), so ids reveal nothing.
"""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.http import Http404

VIEW = "view"
CHANGE = "change"
ACTIONS = frozenset({VIEW, CHANGE, "add", "delete"})

Policy = Callable[[QuerySet, object, str], QuerySet]
_policies: dict[type[Model], Policy] = {}


def register(*models: type[Model]) -> Callable[[Policy], Policy]:
    """Register the policy function that restricts querysets of ``models``."""

    def decorator(policy: Policy) -> Policy:
        for model in models:
            _policies[model] = policy
        return policy

    return decorator


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def restrict(queryset: QuerySet, user, action: str = VIEW) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may ``action``; none if no policy says otherwise."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not is_signed_in(user):
        return queryset.none()
    policy = _policies.get(queryset.model)
    if policy is None:
        return queryset.none()
    return policy(queryset, user, action)


def get_visible_or_404(queryset: QuerySet, user, action: str = VIEW, **lookup) -> Model:
    """One object ``user`` may ``action``, or 404 whether it is missing or only forbidden."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as missing:
        # ValueError/TypeError: a malformed id (not a UUID, say) is as unknown as a missing one.
        raise Http404 from missing


def can(user, action: str, obj: Model) -> bool:
    """Whether ``user`` may ``action`` this one object."""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def _register_policies() -> None:
    """Policies are registered here, after the apps' models can be imported."""
    from offices.models import County, Municipality, Office, OfficeMunicipality
    from reports.models import ReportRequest

    @register(County, Municipality, Office, OfficeMunicipality)
    def reference_data(queryset: QuerySet, user, action: str) -> QuerySet:
        # Reference data: everyone signed in reads it; changes go through the admin only.
        return queryset if action == VIEW else queryset.none()

    @register(ReportRequest)
    def own_reports(queryset: QuerySet, user, action: str) -> QuerySet:
        return queryset.filter(requested_by=user)
