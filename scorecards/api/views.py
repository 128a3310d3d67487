"""``/api/v1/`` for the scorecard (issue 10, items 3 and 9).

* ``measurements/``: the values the caller may see (rule 7: a side's values to that side, a
  shared indicator's to both), read-only; values are written through ``measurements/bulk/``
  (``scorecards.measurements.record_measurements``, all or nothing, every problem by line and
  field).
* The statistics system's service account (``statistikk.klient``, role ``statistics_client``)
  may deliver values through ``measurements/bulk/`` for the offices of its county, and read the
  indicator catalogue (it needs the codes). Nothing else: it holds no office permissions, so
  every other list is empty to it and every record 404.

Reads go through the access policy; outsiders get 404 for a record, missing and forbidden
alike; who may see a record but not act on it gets 403.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from navpartner.api.exceptions import INVALID_INPUT
from scorecards.api.filters import MeasurementFilter
from scorecards.api.serializers import (
    BulkErrorSerializer,
    BulkRequestSerializer,
    BulkResultSerializer,
    MeasurementSerializer,
)
from scorecards.measurements import MeasurementErrors, MeasurementRow, record_measurements
from scorecards.models import Measurement, Source
from users import access

NOT_VISIBLE = OpenApiResponse(description="Unknown, or not visible to you.")
NOT_ALLOWED = OpenApiResponse(description="You may see this, but not change it.")

ROW_FIELDS = ("office", "indicator", "period", "value", "comment")


def _bulk_refusal(errors: list[dict]) -> Response:
    return Response(
        {"detail": _(INVALID_INPUT), "rows": errors}, status=status.HTTP_400_BAD_REQUEST
    )


def _rows_from(data) -> tuple[list[MeasurementRow], list[dict]]:
    """The body's rows as ``MeasurementRow``; errors for a body that is not a list of objects."""
    if isinstance(data, dict):
        if set(data) - {"rows"} or "rows" not in data:
            return [], [
                {"line": 0, "field": "rows", "message": _('Send {"rows": [ … ]} or a list.')}
            ]
        data = data["rows"]
    if not isinstance(data, list):
        return [], [{"line": 0, "field": "rows", "message": _("The rows must be a list.")}]
    rows, errors = [], []
    for index, item in enumerate(data):
        line = index + 1
        if not isinstance(item, dict):
            errors.append({"line": line, "field": "", "message": _("Each row must be an object.")})
            continue
        unknown = sorted(set(item) - set(ROW_FIELDS))
        for name in unknown:
            errors.append({"line": line, "field": name, "message": _("Unknown field.")})
        values = {}
        for name in ROW_FIELDS:
            value = item.get(name, "")
            if value is None:
                value = ""
            if name != "value" and not isinstance(value, str):
                errors.append({"line": line, "field": name, "message": _("Give text.")})
                value = ""
            if name == "value" and isinstance(value, (list, dict)):
                errors.append(
                    {
                        "line": line,
                        "field": name,
                        "message": _("“%(value)s” is not a number.") % {"value": value},
                    }
                )
                value = ""
            values[name] = value
        rows.append(
            MeasurementRow(
                line=line,
                office=values["office"].strip(),
                indicator=values["indicator"].strip(),
                period=values["period"].strip(),
                value=values["value"],
                comment=values["comment"],
            )
        )
    return rows, errors


class MeasurementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Measured values the caller may see (rule 7), newest month first. Writes: ``bulk/``.

    A statistics system's service account reads nothing here (it holds no office permission);
    it delivers through ``bulk/`` only.
    """

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    ordering_fields = ["period", "updated_at"]
    search_fields: list[str] = []

    def base_queryset(self):
        return Measurement.objects.select_related("office", "indicator", "updated_by").order_by(
            "-period", "office__code", "indicator__position", "indicator__code", "pk"
        )

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user, access.VIEW)

    def get_object(self):
        return access.get_visible_or_404(
            self.base_queryset(), self.request.user, access.VIEW, pk=self.kwargs["pk"]
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        access.record_delegated_reads(request.user, rows)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(responses={200: MeasurementSerializer, 404: NOT_VISIBLE})
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        access.record_delegated_reads(request.user, [instance])
        return Response(self.get_serializer(instance).data)

    @extend_schema(
        request=BulkRequestSerializer,
        responses={
            200: BulkResultSerializer,
            400: OpenApiResponse(
                BulkErrorSerializer,
                description="Rows refused, each by line (its position, from 1) and field; "
                "nothing was stored.",
            ),
        },
        description=(
            'Deliver many values at once: `{"rows": [{"office", "indicator", "period", '
            '"value", "comment"}, …]}` (or the bare list). All are stored or none. A value '
            "already stored is replaced; its history keeps the old one."
        ),
    )
    @action(
        detail=False, methods=["post"], url_path="bulk", filterset_class=None, pagination_class=None
    )
    def bulk(self, request):
        rows, errors = _rows_from(request.data)
        if errors:
            return _bulk_refusal(errors)
        if not rows:
            return _bulk_refusal(
                [{"line": 0, "field": "rows", "message": _("Send at least one row.")}]
            )
        try:
            result = record_measurements(
                user=request.user, rows=rows, source=Source.API, delivery=True
            )
        except MeasurementErrors as refused:
            return _bulk_refusal(refused.as_list())
        return Response(
            {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
