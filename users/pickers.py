"""What each picker offers one user, for the forms and for the search endpoint alike.

A picker is named by its kind (person, office, municipality) and its purpose (``delegation``,
``role:<role>``, ``filter``, ``review``). The form's field and the search endpoint both take
their queryset from ``picker_choices``, and that from the access policy's selectors, so a person
finds in a picker exactly what the form then accepts.
"""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from navpartner.forms import KINDS, MUNICIPALITY, OFFICE, PERSON, PickerKind
from navpartner.sidedata import Side
from offices.models import Municipality, Office
from offices.selectors import current_memberships
from users import access
from users.access.review import reviewable_offices
from users.selectors import delegation_grantees, role_assignment_choices

URL_KINDS = {"personer": PERSON, "kontorer": OFFICE, "kommuner": MUNICIPALITY}
URL_OF_KIND = {kind.name: slug for slug, kind in URL_KINDS.items()}


def picker_choices(*, user, kind: PickerKind, purpose: str) -> QuerySet | None:
    """The objects of ``kind`` that ``user`` may choose for ``purpose``; None for a purpose
    that has no such picker (the endpoint answers 404)."""
    if not access.is_signed_in(user):
        return None
    if purpose == "delegation":
        if not access.offices_delegable(user).exists():  # no grant form, no picker
            return None
        if kind is PERSON:
            return delegation_grantees(user=user)
        if kind is OFFICE:
            return access.offices_delegable(user)
        return None
    if purpose.startswith("role:"):
        choices = role_assignment_choices(user=user)
        role = purpose.removeprefix("role:")
        if role not in choices.roles:
            return None
        choices = choices.for_role(role)
        queryset = {
            PERSON: choices.people,
            OFFICE: choices.offices,
            MUNICIPALITY: choices.municipalities,
        }[kind]
        return None if queryset.query.is_empty() else queryset
    if purpose == "review":
        if kind is not MUNICIPALITY or not reviewable_offices(user).exists():
            return None
        return review_municipalities(user)
    if purpose == "filter":
        # Reference data: every signed-in user may filter by any office or municipality.
        if kind is OFFICE:
            return Office.objects.visible_to(user)
        if kind is MUNICIPALITY:
            return Municipality.objects.valid_on().visible_to(user)
    return None


def review_municipalities(user) -> QuerySet:
    """The municipalities the access overview may be narrowed to: those the reviewed offices
    serve today (the overview's filter and its picker)."""
    reach = reviewable_offices(user)
    return Municipality.objects.valid_on().filter(
        pk__in=current_memberships().filter(office__in=reach).values("municipality")
    )


def delegable_sides(user) -> list[str]:
    """The lines whose data ``user`` may delegate somewhere (the grant form's choices): state
    for a state-employed county director, municipal for a municipal-employed executive."""
    return [
        side
        for side in (Side.STATE, Side.MUNICIPAL)
        if access.delegation_authority_offices(user, side).exists()
    ]


def picker_source(kind: PickerKind, purpose: str) -> str:
    """The search endpoint's address for this picker."""
    url = reverse("access:search", kwargs={"kind": URL_OF_KIND[kind.name]})
    return f"{url}?{urlencode({'for': purpose})}"


__all__ = ["KINDS", "URL_KINDS", "delegable_sides", "picker_choices", "picker_source"]
