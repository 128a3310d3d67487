"""``/api/v1/reports/``: ask for a report (202), follow its status, download it."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from navpartner.api.exceptions import ServiceUnavailable
from navpartner.api.renderers import PDFRenderer
from reports.api.serializers import ReportRequestCreateSerializer, ReportRequestSerializer
from reports.selectors import report_get, report_list
from reports.services import ReportQueueUnavailable, report_request_create
from reports.throttling import ReportCreateThrottle
from reports.views import report_file_response


class ReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own report requests. Nobody else's are ever listed or found (404)."""

    serializer_class = ReportRequestSerializer
    filterset_fields = ["status", "kind"]
    ordering_fields = ["requested_at"]

    def get_queryset(self):
        return report_list(user=self.request.user)

    def get_object(self):
        return report_get(user=self.request.user, report_id=self.kwargs["pk"])

    def get_throttles(self):
        if self.action == "create":
            return [ReportCreateThrottle()]
        return super().get_throttles()

    @extend_schema(
        request=ReportRequestCreateSerializer,
        responses={
            202: ReportRequestSerializer,
            503: OpenApiResponse(
                {"$ref": "#/components/schemas/Error"},
                description=(
                    "The report queue is unavailable; nothing was stored. Try again after "
                    "`Retry-After` seconds."
                ),
            ),
            429: OpenApiResponse(
                {"$ref": "#/components/schemas/Error"},
                description="Too many reports asked for in a short time; see `Retry-After`.",
            ),
        },
        description=(
            "Queue a report. Answers 202 with the report's URL; poll it until `done`. Each user "
            "may ask for a limited number of reports per minute (429 beyond that). While the "
            "report queue is down the answer is 503 with `Retry-After`, and nothing is stored."
        ),
    )
    def create(self, request, *args, **kwargs):
        incoming = ReportRequestCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            report = report_request_create(
                user=request.user,
                kind=incoming.validated_data["kind"],
                parameters=dict(incoming.validated_data["parameters"]),
            )
        except ReportQueueUnavailable as unavailable:
            raise ServiceUnavailable(
                str(unavailable), wait=unavailable.retry_after_seconds
            ) from unavailable
        except DjangoValidationError as error:
            # The definition names fields of the parameters ("office"); keep that path.
            raise ValidationError(
                {
                    (key if key == "kind" else f"parameters.{key}"): value
                    for key, value in error.message_dict.items()
                }
            ) from error
        body = ReportRequestSerializer(report, context={"request": request}).data
        # The serializer's url is DRF's Hyperlink, a str subclass that WSGI servers (wsgiref,
        # under runserver) refuse as a header value: hand them a plain str.
        location = str(body["url"])
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF"),
            404: OpenApiResponse(description="Unknown, not yours, or not done yet"),
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PDFRenderer])
    def download(self, request, pk=None):
        return report_file_response(self.get_object())
