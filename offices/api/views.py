"""Read endpoints for reference data: counties, municipalities, offices."""

import django_filters
from rest_framework import viewsets

from offices.api.serializers import CountySerializer, MunicipalitySerializer, OfficeSerializer
from offices.filters import OfficeFilter
from offices.models import County, Municipality
from offices.selectors import county_list, office_list


class CountyViewSet(viewsets.ReadOnlyModelViewSet):
    """The 15 counties (fylker), looked up by their two-digit number."""

    serializer_class = CountySerializer
    lookup_field = "number"
    lookup_value_regex = r"\d{2}"
    search_fields = ["name"]
    ordering_fields = ["number", "name"]

    def get_queryset(self):
        return county_list(user=self.request.user)


class MunicipalityFilter(django_filters.FilterSet):
    """``county`` by number; ``number``; ``valid_on`` a date (default: all, past ones included)."""

    county = django_filters.ModelChoiceFilter(queryset=County.objects.all(), to_field_name="number")
    number = django_filters.CharFilter()
    valid_on = django_filters.DateFilter(method="filter_valid_on")

    class Meta:
        model = Municipality
        fields = ["county", "number", "valid_on"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    """Municipalities (kommuner), dated: a merger ends one row and starts another."""

    serializer_class = MunicipalitySerializer
    filterset_class = MunicipalityFilter
    search_fields = ["name", "number"]
    ordering_fields = ["number", "name", "valid_from"]

    def get_queryset(self):
        return (
            Municipality.objects.visible_to(self.request.user)
            .select_related("county")
            .order_by("number", "valid_from")
        )


class OfficeViewSet(viewsets.ReadOnlyModelViewSet):
    """NAV offices with the municipalities they serve today, looked up by code."""

    serializer_class = OfficeSerializer
    filterset_class = OfficeFilter
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    # OfficeFilter's `search` covers names and codes; DRF's own `?search=` is not used here.
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self):
        return office_list(user=self.request.user)
