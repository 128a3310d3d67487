"""``/api/v1/delegations/``: list, grant (POST), revoke (POST …/revoke/)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from navpartner.sidedata import DELEGABLE_SIDE_CHOICES
from offices.models import Office
from users import access
from users.api.roles import NOT_OFFERED_ERRORS
from users.models import Delegation, DelegationLevel, User
from users.selectors import delegation_grantees, delegation_list
from users.services import delegation_grant, delegation_revoke


class DelegationSerializer(serializers.ModelSerializer):
    grantor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    grantee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    revoked_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    ends_at = serializers.DateTimeField(read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = Delegation
        fields = [
            "id",
            "grantor",
            "grantee",
            "office",
            "side",
            "level",
            "basis",
            "valid_from",
            "valid_to",
            "revoked_at",
            "revoked_by",
            "ends_at",
            "active",
        ]
        read_only_fields = fields

    def get_active(self, delegation) -> bool:
        return delegation.is_active()


class DelegationGrantSerializer(serializers.Serializer):
    """What a grantor may send: the grant form's choices (``offices_delegable``,
    ``delegation_grantees``); anything else, known or not, gets the same message."""

    grantee = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.none(), error_messages=NOT_OFFERED_ERRORS
    )
    office = serializers.SlugRelatedField(
        slug_field="code", queryset=Office.objects.none(), error_messages=NOT_OFFERED_ERRORS
    )
    side = serializers.ChoiceField(choices=DELEGABLE_SIDE_CHOICES)
    level = serializers.ChoiceField(choices=DelegationLevel.choices)
    basis = serializers.CharField(max_length=300)
    valid_to = serializers.DateField(help_text="Last day the delegation holds (at most a year).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["grantee"].queryset = delegation_grantees(user=request.user)
            self.fields["office"].queryset = access.offices_delegable(request.user)


class DelegationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Delegations the caller may see; granting and revoking follow rule 6 of the access model."""

    serializer_class = DelegationSerializer
    filterset_fields = ["side", "level"]

    def get_queryset(self):
        return delegation_list(user=self.request.user)

    def get_object(self):
        return access.get_visible_or_404(
            Delegation.objects.all(), self.request.user, access.VIEW, pk=self.kwargs["pk"]
        )

    @extend_schema(request=DelegationGrantSerializer, responses={201: DelegationSerializer})
    def create(self, request):
        incoming = DelegationGrantSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        delegation = delegation_grant(grantor=request.user, **incoming.validated_data)
        return Response(DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: DelegationSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        delegation = access.get_visible_or_404(
            Delegation.objects.all(), request.user, access.CHANGE, pk=pk
        )
        delegation = delegation_revoke(delegation=delegation, revoked_by=request.user)
        return Response(DelegationSerializer(delegation).data)
