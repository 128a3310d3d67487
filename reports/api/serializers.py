from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.models import ReportKind, ReportRequest, ReportStatus


class ReportParametersSerializer(serializers.Serializer):
    """What each kind needs: ``office`` for the fact sheet, ``version`` for an agreement version,
    ``office`` and ``period`` for a scorecard (the report's definition says which is missing, as
    a 400 on ``parameters.<field>``)."""

    office = serializers.SlugField(
        max_length=50,
        required=False,
        help_text="`office_fact_sheet`, `scorecard`: office code, e.g. `heimdal`.",
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text="`agreement_version`: the agreement version's id.",
    )
    period = serializers.CharField(
        max_length=7,
        required=False,
        help_text="`scorecard`: the month, `YYYY-MM` (with `office`).",
    )


class ReportRequestCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    parameters = ReportParametersSerializer()


class ReportRequestSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:report-detail", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRequest
        fields = [
            "id",
            "url",
            "kind",
            "parameters",
            "subject",
            "status",
            "requested_at",
            "started_at",
            "finished_at",
            "error",
            "file_size",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, report) -> str | None:
        """Present only when the report is done."""
        if report.status != ReportStatus.DONE:
            return None
        path = reverse("api:report-download", kwargs={"pk": report.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
