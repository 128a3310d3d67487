"""``/api/v1/audit-events/``: the append-only audit log, read-only.

Each caller reads their own events and those of the offices they review (``users/access/``),
with the filters of the audit log page (``users/filters.py``), newest first, a page at a time by
cursor (``next`` / ``previous``, no ``count``). Nothing here writes: POST, PUT,
PATCH and DELETE answer 405, and the model and the database refuse changes anyway.
"""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from navpartner.api.pagination import NewestFirstCursorPagination
from navpartner.sidedata import Side
from users.access import get_visible_or_404
from users.filters import AuditEventFilter
from users.models import AuditEvent
from users.selectors import audit_event_list


class AuditEventSerializer(serializers.ModelSerializer):
    """One event: the office by its code, the actor by the username recorded at the time."""

    actor = serializers.CharField(
        source="actor_username",
        read_only=True,
        help_text="The username as recorded; for a failed sign-in, the name that was tried.",
    )
    office = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="The office's code (such as `heimdal`); null for events of no office.",
    )
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    # Blank for events of no one side (a sign-in, a role); the model field alone would make the
    # schema promise one of the three sides.
    side = serializers.ChoiceField(choices=Side.choices, allow_blank=True, read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "action_display",
            "office",
            "side",
            "object_type",
            "object_id",
            "object_repr",
            "basis",
            "ip_address",
            "details",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        description=(
            "Audit events the caller may read — their own, and those of the offices they review "
            "(office leader, the municipal executive of a served municipality, the county "
            "director) — newest first. An event about one side's data at an office (created, "
            "changed, deleted, read through a delegation) is listed only while the caller may "
            "view that side there; a refused access names only what was asked for. An invalid "
            "filter value answers 400 naming the parameter.\n\n"
            "Pages follow a cursor, not page numbers: the answer is `next`, `previous` and "
            "`results` (no `count`); follow `next` for older events and `previous` for newer "
            "ones, keeping the filters. `page_size` takes up to 500."
        )
    ),
    retrieve=extend_schema(
        responses={
            200: AuditEventSerializer,
            404: OpenApiResponse(description="Unknown, or not the caller's to read"),
        }
    ),
)
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The append-only audit log (read-only)."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    # AuditEventFilter's `search` covers object, basis and username; DRF's own is not used.
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    # The log only grows: a cursor on the time, no COUNT of a million rows per page.
    pagination_class = NewestFirstCursorPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return audit_event_list(user=self.request.user)

    def get_object(self):
        # Missing and forbidden look the same (404); a forbidden read is itself logged.
        return get_visible_or_404(
            AuditEvent.objects.select_related("office"), self.request.user, pk=self.kwargs["pk"]
        )
