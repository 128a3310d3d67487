"""``/api/v1/role-assignments/``: roles along the lines, with joint approval of office leaders."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from offices.models import County, Municipality, Office
from users import access
from users.models import Role, RoleAssignment, User
from users.selectors import role_assignment_choices, role_assignment_list
from users.services import (
    NOT_OFFERED,
    end_of_day,
    pending_approvals,
    role_assignment_approve,
    role_assignment_end,
    role_assignment_propose,
)

NOT_OFFERED_ERRORS = {
    "does_not_exist": gettext_lazy(NOT_OFFERED),
    "invalid": gettext_lazy(NOT_OFFERED),
}


class PendingApprovalSerializer(serializers.Serializer):
    side = serializers.CharField()
    municipality = serializers.CharField(allow_null=True)


class RoleAssignmentSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    municipality = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    county = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    proposed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    pending_approvals = serializers.SerializerMethodField()

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "user",
            "role",
            "office",
            "municipality",
            "county",
            "valid_from",
            "valid_to",
            "proposed_by",
            "approved_at",
            "pending_approvals",
        ]
        read_only_fields = fields

    @extend_schema(responses=PendingApprovalSerializer(many=True))
    def get_pending_approvals(self, assignment) -> list[dict]:
        if assignment.approved_at is not None:
            return []
        return [
            {"side": party.side, "municipality": getattr(party.municipality, "number", None)}
            for party in pending_approvals(assignment)
        ]


class RoleAssignmentCreateSerializer(serializers.Serializer):
    """What a proposer may send: the same choices as the role form (``role_assignment_choices``).

    A username, office, municipality or county outside them — unknown, or not one the proposer
    may name — gets one and the same message, so the API tells nobody which usernames exist.
    """

    user = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.none(), error_messages=NOT_OFFERED_ERRORS
    )
    role = serializers.ChoiceField(choices=Role.choices)
    office = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Office.objects.none(),
        required=False,
        allow_null=True,
        error_messages=NOT_OFFERED_ERRORS,
    )
    municipality = serializers.SlugRelatedField(
        slug_field="number",
        queryset=Municipality.objects.none(),
        required=False,
        allow_null=True,
        error_messages=NOT_OFFERED_ERRORS,
    )
    county = serializers.SlugRelatedField(
        slug_field="number",
        queryset=County.objects.none(),
        required=False,
        allow_null=True,
        error_messages=NOT_OFFERED_ERRORS,
    )
    valid_to = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema: every role
            return
        choices = role_assignment_choices(user=request.user)
        self.fields["user"].queryset = choices.people
        self.fields["role"].choices = choices.role_choices
        self.fields["office"].queryset = choices.offices
        self.fields["municipality"].queryset = choices.municipalities
        self.fields["county"].queryset = choices.counties


class RoleAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Roles the caller may see. POST assigns (or proposes an office leader); ``approve`` and
    ``end`` follow the lines; a refusal is 400 naming ``role``, an unreachable role 404."""

    serializer_class = RoleAssignmentSerializer
    filterset_fields = ["role"]

    def get_queryset(self):
        return role_assignment_list(user=self.request.user)

    def get_object(self):
        return access.get_visible_or_404(
            RoleAssignment.objects.all(), self.request.user, pk=self.kwargs["pk"]
        )

    @extend_schema(
        request=RoleAssignmentCreateSerializer, responses={201: RoleAssignmentSerializer}
    )
    def create(self, request):
        incoming = RoleAssignmentCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        valid_to = data.get("valid_to")
        assignment = role_assignment_propose(
            proposer=request.user,
            valid_to=end_of_day(valid_to) if valid_to else None,
            **{key: data.get(key) for key in ("user", "role", "office", "municipality", "county")},
        )
        body = RoleAssignmentSerializer(assignment).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RoleAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        assignment = role_assignment_approve(approver=request.user, assignment=self.get_object())
        assignment.refresh_from_db()
        return Response(RoleAssignmentSerializer(assignment).data)

    @extend_schema(
        request=None,
        responses={200: RoleAssignmentSerializer, 204: None},
        description="Ends the role now: 200 with the ended role. A role that had not started "
        "yet is withdrawn instead (it never takes effect and is gone): 204.",
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = access.get_visible_or_404(
            RoleAssignment.objects.all(), request.user, access.CHANGE, pk=pk
        )
        ended = role_assignment_end(assignment=assignment, ended_by=request.user)
        if ended is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(RoleAssignmentSerializer(ended).data)
