"""The agreements API's list filters (django-filter): offices by code, counties and
municipalities by number, ids as whole numbers the database can hold."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from agreements.models import (
    AgreementVersion,
    CooperationAgreement,
    Meeting,
    MeetingKind,
    OperatingAgreement,
    PartnershipAgreement,
    VersionStatus,
)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number the database can hold (a float or a huge number is a 400,
    not a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class AgreementFilter(django_filters.FilterSet):
    office = django_filters.CharFilter(
        field_name="offices__code", distinct=True, max_length=50, help_text="An office's code"
    )
    county = django_filters.CharFilter(
        field_name="county__number", max_length=2, help_text="A county's number"
    )
    municipality = django_filters.CharFilter(
        field_name="municipalities__number",
        distinct=True,
        max_length=4,
        help_text="A municipal party's number",
    )

    class Meta:
        model = PartnershipAgreement
        fields = ["office", "county", "municipality"]


class VersionFilter(django_filters.FilterSet):
    agreement = IdFilter(field_name="agreement_id")
    status = django_filters.ChoiceFilter(choices=VersionStatus.choices)
    office = django_filters.CharFilter(
        field_name="agreement__offices__code",
        distinct=True,
        max_length=50,
        help_text="An office's code",
    )

    class Meta:
        model = AgreementVersion
        fields = ["agreement", "status", "office"]


class OperatingAgreementFilter(django_filters.FilterSet):
    agreement = IdFilter(field_name="agreement_id")
    office = django_filters.CharFilter(
        field_name="agreement__offices__code",
        distinct=True,
        max_length=50,
        help_text="An office's code",
    )

    class Meta:
        model = OperatingAgreement
        fields = ["agreement", "office"]


class CooperationAgreementFilter(django_filters.FilterSet):
    office = django_filters.CharFilter(
        field_name="office__code", max_length=50, help_text="An office's code"
    )

    class Meta:
        model = CooperationAgreement
        fields = ["office"]


class MeetingFilter(django_filters.FilterSet):
    office = django_filters.CharFilter(
        field_name="offices__code", distinct=True, max_length=50, help_text="An office's code"
    )
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    held_after = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", help_text="Held on or after this date"
    )
    held_before = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", help_text="Held on or before this date"
    )

    class Meta:
        model = Meeting
        fields = ["office", "kind", "held_after", "held_before"]
