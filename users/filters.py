"""Filters for the audit log, shared by its page (``/tilgang/logg/``) and the API
(``/api/v1/audit-events/``), so both accept the same parameters and refuse the same mistakes.

Parameters: ``office`` (the code of an office the reader reviews), ``action``, ``actor``
(username, exact), ``side``, ``date_from`` and ``date_to`` (dates, both days included, in
Norwegian time), ``search`` (in the object, the basis and the username; on PostgreSQL a trigram
index answers it). A value that cannot be right — an office one does not review, an unknown
action or side, a malformed date, an end before the start — is an error naming the field (400),
never an empty list, so a typo is not mistaken for "nothing happened".
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from navpartner.forms import DATE_INPUT_FORMATS, DATE_INVALID
from navpartner.sidedata import Side
from offices.models import Office
from users import access
from users.models import AuditAction, AuditEvent

END_BEFORE_START = _("Choose a to date that is on or after the from date.")


def _office_choices(request) -> QuerySet[Office]:
    """The offices whose log the reader reviews: six for a county director, not all 264."""
    return access.offices_reviewable(getattr(request, "user", None)).order_by("name")


@extend_schema_field(OpenApiTypes.STR)
class OfficeCodeFilter(django_filters.ModelChoiceFilter):
    """An office by its code (``heimdal``); an unknown code is an error."""


class DateInput(forms.DateInput):
    """A date typed as dd.mm.åååå, like every date in the app (docs/decisions.md, "Date
    input"); the API's query parameters are ISO dates (2026-03-31), which the field also takes."""

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%d.%m.%Y")


def _start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in Norwegian time (the project's time zone)."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time()), timezone.get_default_timezone()
    )


class AuditEventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", END_BEFORE_START)
        return cleaned


class AuditEventFilter(django_filters.FilterSet):
    office = OfficeCodeFilter(
        label=_("Office"),
        queryset=_office_choices,
        to_field_name="code",
        empty_label=_("All offices"),
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=AuditAction.choices, empty_label=_("All actions")
    )
    actor = django_filters.CharFilter(
        label=_("Username"), field_name="actor_username", lookup_expr="exact", max_length=150
    )
    side = django_filters.ChoiceFilter(
        label=_("Line"),
        choices=Side.choices,
        empty_label=_("All lines"),
    )
    date_from = django_filters.DateFilter(
        label=_("From date"),
        method="filter_date_from",
        widget=DateInput,
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("dd.mm.yyyy"),
        error_messages={"invalid": DATE_INVALID},
    )
    date_to = django_filters.DateFilter(
        label=_("To date"),
        method="filter_date_to",
        widget=DateInput,
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("dd.mm.yyyy"),
        error_messages={"invalid": DATE_INVALID},
    )
    search = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)

    class Meta:
        model = AuditEvent
        form = AuditEventFilterForm
        fields = ["office", "action", "actor", "side", "date_from", "date_to", "search"]

    def filter_date_from(self, queryset, name, value: datetime.date):
        if value == datetime.date.min:
            return queryset  # everything; its midnight in UTC would be before year 1
        return queryset.filter(at__gte=_start_of_day(value))

    def filter_date_to(self, queryset, name, value: datetime.date):
        if value == datetime.date.max:
            return queryset  # everything; there is no next day to stop before
        # The whole day is included: up to, not including, the next midnight.
        return queryset.filter(at__lt=_start_of_day(value + datetime.timedelta(days=1)))

    def filter_search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(basis__icontains=value)
            | Q(actor_username__icontains=value)
        )
