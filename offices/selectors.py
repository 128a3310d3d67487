"""Reads of organisation units, each starting from what the user may see."""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from offices.models import County, Municipality, Office, OfficeMunicipality


def county_list(*, user) -> QuerySet[County]:
    return County.objects.visible_to(user).order_by("number")


def municipality_list(*, user, on: datetime.date | None = None) -> QuerySet[Municipality]:
    """Municipalities valid on ``on`` (default today)."""
    return (
        Municipality.objects.visible_to(user)
        .valid_on(on)
        .select_related("county")
        .order_by("number")
    )


def current_memberships(on: datetime.date | None = None) -> QuerySet[OfficeMunicipality]:
    return (
        OfficeMunicipality.objects.valid_on(on or timezone.localdate())
        .select_related("municipality")
        .order_by("-is_host", "municipality__name")
    )


def offices_serving(offices: QuerySet[Office], municipality: Municipality) -> QuerySet[Office]:
    return offices.filter(
        pk__in=current_memberships().filter(municipality=municipality).values("office")
    )


def offices_matching(offices: QuerySet[Office], search: str) -> QuerySet[Office]:
    """Offices whose name, code, postal place or a served municipality contains ``search``."""
    search = search.strip()
    if not search:
        return offices
    return offices.filter(
        Q(name__icontains=search)
        | Q(code__icontains=search)
        | Q(postal_place__icontains=search)
        | Q(
            pk__in=current_memberships()
            .filter(municipality__name__icontains=search)
            .values("office")
        )
    )


def office_list(*, user) -> QuerySet[Office]:
    """Offices with their county and the municipalities they serve today (one query each)."""
    return (
        Office.objects.visible_to(user)
        .select_related("county")
        .prefetch_related(
            Prefetch("memberships", queryset=current_memberships(), to_attr="current_memberships")
        )
        .order_by("name")
    )


def office_detail(*, user, code: str) -> Office:
    """One office by code, or 404 when it is unknown or not visible."""
    from users.access import get_visible_or_404

    queryset = Office.objects.select_related("county").prefetch_related(
        Prefetch("memberships", queryset=current_memberships(), to_attr="current_memberships")
    )
    return get_visible_or_404(queryset, user, code=code)


def office_note_list(*, user, office: Office | None = None):
    """Notes the user may see, newest first (the caller audits reads through a delegation)."""
    from offices.models import OfficeNote

    notes = OfficeNote.objects.visible_to(user).select_related("office", "created_by")
    if office is not None:
        notes = notes.filter(office=office)
    return notes.order_by("-updated_at", "-pk")


def office_note_detail(*, user, pk, action: str = "view"):
    """One note by id: 404 when unknown or not visible, 403 when visible but not ``action``-able."""
    from offices.models import OfficeNote
    from users.access import get_for_action_or_404

    return get_for_action_or_404(
        OfficeNote.objects.select_related("office", "created_by", "updated_by"),
        user,
        action,
        pk=pk,
    )


def county_overview(*, user) -> QuerySet[County]:
    """Counties with the number of offices in each: a national way into the office list."""
    from django.db.models import Count

    return county_list(user=user).annotate(office_count=Count("offices")).filter(office_count__gt=0)


def office_documents_visible(*, user, office: Office) -> QuerySet:
    """The office's dated documents (joint data: whoever may view its joint data), newest
    first, withdrawn ones included (the page marks them)."""
    from offices.models import OfficeDocument

    return (
        OfficeDocument.objects.visible_to(user)
        .filter(office=office)
        .select_related("recorded_by", "withdrawn_by")
        .order_by("kind", "-valid_from", "-pk")
    )


def office_document_get(*, user, office: Office, pk) -> "OfficeDocument":  # noqa: F821
    """One document of the office: 404 when unknown or not visible."""
    from offices.models import OfficeDocument
    from users.access import get_visible_or_404

    return get_visible_or_404(
        OfficeDocument.objects.select_related("office"), user, office=office, pk=pk
    )
