"""``/api/v1/notes/``: an office's notes, one side each, on the side-data API base."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from navpartner.api.sidedata import SideDataSerializer, SideDataViewSet
from navpartner.sidedata import Side
from offices.models import Office, OfficeNote


class OfficeNoteSerializer(SideDataSerializer):
    office = serializers.SlugRelatedField(slug_field="code", queryset=Office.objects.all())
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    create_only_fields = ("office",)

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
            "updated_by",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class OfficeNoteFilter(django_filters.FilterSet):
    office = django_filters.CharFilter(field_name="office__code", help_text="Office code")
    side = django_filters.ChoiceFilter(choices=Side.choices, label=_("Side"))

    class Meta:
        model = OfficeNote
        fields = ["office", "side"]


class OfficeNoteViewSet(SideDataViewSet):
    """Notes the caller may see. Writing follows the side rules: 400 naming ``side`` if not;
    a change names the ``version`` it is based on."""

    serializer_class = OfficeNoteSerializer
    filterset_class = OfficeNoteFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def base_queryset(self):
        return OfficeNote.objects.select_related("office", "created_by", "updated_by").order_by(
            "-updated_at", "-pk"
        )
