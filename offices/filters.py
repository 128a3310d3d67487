"""Filters for office lists, shared by the office page and the API so both accept the same."""

import django_filters
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from navpartner.forms import MUNICIPALITY, PickerField
from offices.models import County, Municipality, Office
from offices.selectors import offices_matching, offices_serving


@extend_schema_field(OpenApiTypes.STR)
class MunicipalityPickerFilter(django_filters.ModelChoiceFilter):
    """A municipality by its number (a string such as "1841"); on the page a picker that
    searches as one types (``navpartner/forms.py``), which also takes the name."""

    field_class = PickerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kind", MUNICIPALITY)
        kwargs.setdefault(
            "source",
            format_lazy("{}?for=filter", reverse_lazy("access:search", args=["kommuner"])),
        )
        super().__init__(*args, **kwargs)


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
    municipality = MunicipalityPickerFilter(
        label=_("Municipality"),
        help_text=_("Type part of the name or the number, and choose."),
        error_messages={
            "invalid_choice": _(
                "We found no municipality named “%(value)s”. Type part of the name and choose "
                "from the list, or type the municipality number."
            )
        },
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
