"""Filters for office lists, shared by the office page and the API so both accept the same."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from offices.models import County, Municipality, Office
from offices.selectors import offices_matching, offices_serving


@extend_schema_field(OpenApiTypes.STR)
class NumberChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of county or municipality by its number (a string such as "1841")."""


class OfficeFilter(django_filters.FilterSet):
    """``county`` by number, ``municipality`` by number, ``search`` in names and codes.

    An unknown county or municipality number is an error (400 naming the field), not an empty
    list, so a typo is never mistaken for "no offices".
    """

    county = django_filters.ModelChoiceFilter(
        label=_("County"),
        queryset=County.objects.all(),
        to_field_name="number",
        empty_label=_("All counties"),
    )
    municipality = NumberChoiceFilter(
        label=_("Municipality"),
        # A callable, so "valid today" means today and not the day the process started.
        queryset=lambda request: Municipality.objects.valid_on().select_related("county"),
        to_field_name="number",
        method="filter_municipality",
        empty_label=_("All municipalities"),
    )
    search = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)

    class Meta:
        model = Office
        fields = ["county", "municipality", "search"]

    def filter_municipality(self, queryset, name, value):
        return offices_serving(queryset, value)

    def filter_search(self, queryset, name, value):
        return offices_matching(queryset, value)
