"""The one API base for side data: a new side-data model needs its model, serializer and tests.

``SideDataViewSet`` gives every model that declares ``visibility = SideData(...)``:

* restriction by HTTP method — reads see what the user may view, writes act on what the user
  may change; outsiders get 404 (missing and forbidden alike, both audited), and those who may
  see a row but not change it get 403 (DESIGN.md);
* writes through ``navpartner/sidedata_services.py``: the policy checked on the stored row
  inside the transaction, one audit event per write, optimistic versioning (``version`` in the
  body of a change);
* the delegated-read audit (rule 9) on every read path: list pages and single rows;
* errors in the project's one shape (``navpartner/api/exceptions.py``).

A subclass names ``serializer_class`` (a ``SideDataSerializer``), ``base_queryset()`` for its
joins, and optionally ``filterset_class``.
"""

from django.db import models
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from navpartner.sidedata_services import side_data_create, side_data_delete, side_data_update
from users import access


class SideDataSerializer(serializers.ModelSerializer):
    """A side-data row; ``version`` is required when changing a versioned row.

    ``create_only_fields`` may be given when creating and are read-only afterwards (a note does
    not move to another office).
    """

    create_only_fields: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            for name in self.create_only_fields:
                fields[name].read_only = True
        if "version" in fields:
            creating = self.instance is None
            fields["version"] = serializers.IntegerField(
                min_value=1,
                required=not creating,
                read_only=creating,
                help_text="The version the change is based on; a newer one answers 400.",
            )
        return fields


class SideDataViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class: type[SideDataSerializer]

    def base_queryset(self) -> models.QuerySet:
        """The rows with the joins the serializer needs; the policy restricts them."""
        return self.serializer_class.Meta.model._default_manager.all()

    @property
    def access_action(self) -> str:
        return access.VIEW if self.request.method in SAFE_METHODS else access.CHANGE

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user, access.VIEW)

    def get_object(self):
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        return access.get_for_action_or_404(
            self.base_queryset(), self.request.user, self.access_action, **lookup
        )

    # --- Reads: every row shown is a read, audited when only a delegation opens it ----------

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        access.record_delegated_reads(request.user, rows)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        access.record_delegated_reads(request.user, [instance])
        return Response(self.get_serializer(instance).data)

    # --- Writes: through the side-data services -----------------------------------------------

    def perform_create(self, serializer):
        model = serializer.Meta.model
        serializer.instance = side_data_create(
            user=self.request.user, instance=model(**serializer.validated_data)
        )

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        version = changes.pop("version", None)
        serializer.instance = side_data_update(
            user=self.request.user, instance=serializer.instance, changes=changes, version=version
        )

    def perform_destroy(self, instance):
        side_data_delete(user=self.request.user, instance=instance)
