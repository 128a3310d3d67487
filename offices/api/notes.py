"""``/api/v1/notes/``: an office's notes, one side each, behind the access policy."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from navpartner.sidedata import Side
from offices.models import Office, OfficeNote
from offices.selectors import office_note_detail, office_note_list
from offices.services import office_note_create, office_note_delete, office_note_update
from users import access

UNKNOWN_OFFICE = gettext_noop("Unknown office.")
NOT_A_SIDE = gettext_noop("Not a side; use one of %(sides)s.")


class OfficeNoteSerializer(serializers.ModelSerializer):
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = OfficeNote
        fields = [
            "id",
            "office",
            "side",
            "title",
            "body",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OfficeNoteCreateSerializer(serializers.Serializer):
    office = serializers.SlugRelatedField(slug_field="code", queryset=Office.objects.all())
    side = serializers.ChoiceField(choices=Side.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="")


class OfficeNoteUpdateSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        min_value=1, help_text="The version the change is based on; a newer one answers 400."
    )


class OfficeNoteViewSet(viewsets.GenericViewSet):
    """Notes the caller may see. Writing follows the side rules: 400 naming ``side`` if not."""

    serializer_class = OfficeNoteSerializer
    filter_backends = []  # the two filters below are checked by hand, with clear errors

    def get_queryset(self):
        return office_note_list(user=self.request.user)

    def _list_queryset(self):
        notes = office_note_list(user=self.request.user)
        office = self.request.query_params.get("office")
        side = self.request.query_params.get("side")
        if side and side not in Side.values:
            raise ValidationError({"side": [_(NOT_A_SIDE) % {"sides": ", ".join(Side.values)}]})
        if office:
            notes = notes.filter(office__code=office)
        if side:
            notes = notes.filter(side=side)
        return notes

    @extend_schema(
        parameters=[
            OpenApiParameter("office", str, description="Office code"),
            OpenApiParameter("side", str, enum=Side.values),
        ]
    )
    def list(self, request):
        page = self.paginate_queryset(self._list_queryset())
        access.record_delegated_reads(request.user, page)
        return self.get_paginated_response(OfficeNoteSerializer(page, many=True).data)

    @extend_schema(responses={200: OfficeNoteSerializer})
    def retrieve(self, request, pk=None):
        note = office_note_detail(user=request.user, pk=pk)
        access.record_delegated_reads(request.user, [note])
        return Response(OfficeNoteSerializer(note).data)

    @extend_schema(request=OfficeNoteCreateSerializer, responses={201: OfficeNoteSerializer})
    def create(self, request):
        incoming = OfficeNoteCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        office = incoming.validated_data["office"]
        # An office the caller cannot even see is as unknown as a missing one.
        if not Office.objects.visible_to(request.user).filter(pk=office.pk).exists():
            raise ValidationError({"office": [_(UNKNOWN_OFFICE)]})
        try:
            note = office_note_create(user=request.user, **incoming.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(OfficeNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OfficeNoteUpdateSerializer, responses={200: OfficeNoteSerializer})
    def update(self, request, pk=None):
        note = office_note_detail(user=request.user, pk=pk, action=access.CHANGE)
        incoming = OfficeNoteUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            note = office_note_update(user=request.user, note=note, **incoming.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(OfficeNoteSerializer(note).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        note = office_note_detail(user=request.user, pk=pk, action=access.CHANGE)
        office_note_delete(user=request.user, note=note)
        return Response(status=status.HTTP_204_NO_CONTENT)
