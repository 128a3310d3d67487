"""``GET /api/v1/readiness/``: the audit readiness of the offices (issue 11, item 8).

The same answers as the office page's "Revisjonsklar" section, from the same function
(``reviews/readiness/``): per office, the eleven criteria of the 2011 audit in their fixed
order, each with its state, evidence and a link to it. Only offices whose joint data the caller
may see are listed (a role at the office, a municipality it serves or its county); narrow with
``?county=50``, ``?municipality=5001`` or ``?office=heimdal``. An unknown county or
municipality number is a 400 naming the parameter; an office the caller does not follow is
simply not in the list. Paginated like every list (``page``, ``page_size`` up to 500); the
readiness of a page costs the same number of queries whether it holds 5 offices or 500.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from navpartner.sidedata import Side
from offices.filters import OfficeFilter
from offices.models import Office
from reviews.readiness import CRITERION_KEYS, STATES, readiness_for_offices
from users import access


class ReadinessFilter(OfficeFilter):
    """``county`` and ``municipality`` by number (unknown: 400), ``office`` by code."""

    office = django_filters.CharFilter(
        field_name="code", label=_("Office"), help_text=_("The office's code, e.g. heimdal.")
    )

    class Meta(OfficeFilter.Meta):
        fields = ["county", "municipality", "office"]

    # The office list's free-text search is not offered here.
    search = None


class ReadinessOfficeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    county = serializers.CharField(source="county.number")


# Patterns, not enums: drf-spectacular hoists every enum into a component named after its field,
# and "state" would collide with the agreement version's state.
@extend_schema_field({"type": "string", "pattern": f"^({'|'.join(CRITERION_KEYS)})$"})
class CriterionKeyField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "pattern": f"^({'|'.join(STATES)})$"})
class CriterionStateField(serializers.CharField):
    pass


class CriterionSerializer(serializers.Serializer):
    key = CriterionKeyField(help_text=_("The criterion; always in the same order."))
    title = serializers.CharField()
    source = serializers.CharField(help_text=_("The section of the 2011 audit, e.g. 001 §4.1."))
    state = CriterionStateField(
        help_text=_("unknown where the evidence is not yours to see, or nothing is due yet.")
    )
    evidence = serializers.CharField(help_text=_("What was found, with its date or number."))
    url = serializers.SerializerMethodField(
        help_text=_("The evidence, where the caller may open it; empty otherwise.")
    )

    def get_url(self, criterion) -> str:
        request = self.context.get("request")
        if not criterion.url or request is None:
            return criterion.url
        return request.build_absolute_uri(criterion.url)


class OfficeReadinessSerializer(serializers.Serializer):
    office = ReadinessOfficeSerializer()
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()
    unknown = serializers.IntegerField()
    total = serializers.IntegerField()
    criteria = CriterionSerializer(many=True)


@extend_schema_view(
    list=extend_schema(
        summary="Audit readiness of the offices",
        responses={
            200: OfficeReadinessSerializer(many=True),
            400: OpenApiResponse(description="An unknown county or municipality number"),
        },
    )
)
class ReadinessViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The 2011 audit's checkable criteria for each office whose joint data you may see, with
    evidence and links, computed live."""

    serializer_class = OfficeReadinessSerializer
    filterset_class = ReadinessFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self):
        user = self.request.user
        joint = access.side_permissions(user).offices(access.VIEW, Side.JOINT)
        return (
            Office.objects.filter(pk__in=sorted(joint))
            .select_related("county")
            .order_by("county__number", "name", "code")
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        offices = list(page if page is not None else queryset)
        readiness = readiness_for_offices(user=request.user, offices=offices)
        rows = [readiness[office.pk] for office in offices]
        serializer = self.get_serializer(rows, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)
