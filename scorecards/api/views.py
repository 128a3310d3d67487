"""``/api/v1/`` for the scorecard (issue 10, items 3 and 9).

* ``indicators/`` and ``targets/``: the definitions, read by everyone signed in and set by the
  owning line's authority at its level (``users/access/levels.py``; ``services.save_definition``
  decides). A change names the ``version`` it is based on; a stale one is a 400 naming who
  changed it. Who may see a definition but not set it gets 403 for a change; a new definition
  at a level the caller does not set is a 400 (the service's refusal).
* ``measurements/``: the values the caller may see (rule 7: a side's values to that side, a
  shared indicator's to both), read-only; values are written through ``measurements/bulk/``
  (``scorecards.measurements.record_measurements``, all or nothing, every problem by line and
  field).
* ``scorecards/``: the offices' months, joint data: statuses, reasons and comments, never
  values. ``POST scorecards/submit/`` submits a month by office and month (whether or not the
  month's scorecard row exists yet); ``POST scorecards/{id}/review/`` is one side's review and
  ``POST scorecards/{id}/reopen/`` takes a submitted month back.
* ``action-plans/``: tiltaksplaner (joint), with their actions and follow-ups;
  ``POST action-plans/{id}/actions/``, ``…/follow-ups/`` and ``…/close/``.

The statistics system's service account (``statistikk.klient``, role ``statistics_client``)
delivers values through ``measurements/bulk/`` for the offices of its county and reads the
indicator catalogue (it needs the codes). Nothing else: it holds no office permissions, so
measurements, scorecards and action plans are empty to it, and targets are withheld from it
explicitly (they are readable by every *person* signed in).

Reads go through the access policy; outsiders get 404 for a record, missing and forbidden
alike; who may see a record but not act on it gets 403. Joint data is never opened by a
delegation, so only measurements have delegated reads to audit (rule 9).
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from navpartner.api.exceptions import INVALID_INPUT
from navpartner.sidedata import Side
from offices.models import Office
from scorecards import services
from scorecards.api.filters import (
    ActionPlanFilter,
    IndicatorFilter,
    MeasurementFilter,
    ScorecardFilter,
    TargetFilter,
)
from scorecards.api.serializers import (
    ActionPlanSerializer,
    ActionSerializer,
    BulkErrorSerializer,
    BulkRequestSerializer,
    BulkResultSerializer,
    FollowUpSerializer,
    IndicatorSerializer,
    MeasurementSerializer,
    ReviewSerializer,
    ScorecardReviewSerializer,
    ScorecardSerializer,
    SubmitSerializer,
    TargetDetailSerializer,
    TargetSerializer,
    VersionSerializer,
)
from scorecards.measurements import MeasurementErrors, MeasurementRow, record_measurements
from scorecards.models import (
    ActionPlan,
    FollowUp,
    Indicator,
    Measurement,
    Scorecard,
    ScorecardLine,
    ScorecardReview,
    Source,
    Target,
    TargetHistory,
)
from scorecards.selectors import indicators_for_offices
from users import access

NOT_VISIBLE = OpenApiResponse(description="Unknown, or not visible to you.")
NOT_ALLOWED = OpenApiResponse(description="You may see this, but not change it.")

ROW_FIELDS = ("office", "indicator", "period", "value", "comment")
MEASUREMENT_COLUMNS = (
    "id", "version", "period", "value", "source", "comment", "updated_at",
    "office__code", "indicator__code", "indicator__side", "indicator__shared",
    "indicator__position", "updated_by__username",
)  # fmt: skip


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
    filter_backends = [DjangoFilterBackend]

    def base_queryset(self):
        # Only the columns the serializer writes: the page is the first 500 of a county's tens
        # of thousands of values, sorted, and PostgreSQL sorts narrow rows twice as fast.
        return (
            Measurement.objects.select_related("office", "indicator", "updated_by")
            .only(*MEASUREMENT_COLUMNS)
            .order_by("-period", "office__code", "indicator__position", "indicator__code", "pk")
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


# --- Definitions: indicators and targets ---------------------------------------------------------


class DefinitionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Shared by indicators and targets: read by all signed in, written through
    ``services.save_definition`` (the level policy, the version, the audit)."""

    filter_backends = [DjangoFilterBackend]

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user, access.VIEW)

    def get_object(self):
        key = self.lookup_url_kwarg or self.lookup_field
        action_name = access.VIEW if self.request.method in SAFE_METHODS else access.CHANGE
        return access.get_for_action_or_404(
            self.base_queryset(),
            self.request.user,
            action_name,
            **{self.lookup_field: self.kwargs[key]},
        )

    def perform_create(self, serializer):
        model = serializer.Meta.model
        serializer.instance = services.save_definition(
            user=self.request.user, instance=model(**serializer.validated_data)
        )

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        version = changes.pop("version", None)
        serializer.instance = services.save_definition(
            user=self.request.user, instance=serializer.instance, changes=changes, version=version
        )


@extend_schema_view(
    retrieve=extend_schema(responses={200: IndicatorSerializer, 404: NOT_VISIBLE}),
    update=extend_schema(responses={200: IndicatorSerializer, 403: NOT_ALLOWED}),
    partial_update=extend_schema(responses={200: IndicatorSerializer, 403: NOT_ALLOWED}),
)
class IndicatorViewSet(DefinitionViewSet):
    """The scorecard's indicators, by ``code``. Everyone signed in reads them (the statistics
    system's service account too: it needs the codes to deliver); the owning line's authority
    at the indicator's level creates and changes them."""

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def base_queryset(self):
        return Indicator.objects.select_related("county", "municipality", "updated_by")


@extend_schema_view(
    retrieve=extend_schema(responses={200: TargetDetailSerializer, 404: NOT_VISIBLE}),
    update=extend_schema(responses={200: TargetSerializer, 403: NOT_ALLOWED}),
    partial_update=extend_schema(responses={200: TargetSerializer, 403: NOT_ALLOWED}),
)
class TargetViewSet(DefinitionViewSet):
    """Targets (målkrav) at every level; ``retrieve`` includes every value a target has had.
    Read by every person signed in; withheld from a statistics system's service account,
    which only delivers values."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter

    def base_queryset(self):
        return Target.objects.select_related(
            "indicator", "county", "municipality", "office", "updated_by"
        )

    def get_queryset(self):
        if access.is_statistics_client(self.request.user):
            return Target.objects.none()
        return super().get_queryset()

    def get_object(self):
        if access.is_statistics_client(self.request.user):
            raise NotFound()
        return super().get_object()

    def get_serializer_class(self):
        return TargetDetailSerializer if self.action == "retrieve" else TargetSerializer

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        history = TargetHistory.objects.filter(target=instance).select_related("changed_by")
        instance._prefetched_objects_cache = {"history": history}
        return Response(self.get_serializer(instance).data)


# --- The month: scorecards ----------------------------------------------------------------------


@extend_schema_view(retrieve=extend_schema(responses={200: ScorecardSerializer, 404: NOT_VISIBLE}))
class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The offices' months the caller follows (joint data): status, the leader's comment, each
    indicator's status with the reasons and comments, and the sides' reviews — never a value.

    A month is submitted with ``POST scorecards/submit/`` naming the office and the month, so
    that it works whether or not the month's scorecard exists yet (it is made a draft on the
    first value or visit). Only the office leader submits (403 for others who follow the
    office; 404 for an office the caller does not follow)."""

    serializer_class = ScorecardSerializer
    filterset_class = ScorecardFilter
    filter_backends = [DjangoFilterBackend]

    def base_queryset(self):
        return (
            Scorecard.objects.select_related("office", "submitted_by")
            .prefetch_related(
                Prefetch(
                    "lines",
                    queryset=ScorecardLine.objects.select_related("indicator").order_by(
                        "indicator__side",
                        "indicator__perspective",
                        "indicator__position",
                        "indicator__code",
                    ),
                ),
                Prefetch("reviews", queryset=ScorecardReview.objects.select_related("reviewed_by")),
            )
            .order_by("-period", "office__code", "pk")
        )

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user, access.VIEW)

    def get_object(self):
        return access.get_visible_or_404(
            self.base_queryset(), self.request.user, access.VIEW, pk=self.kwargs["pk"]
        )

    def _answer(self, scorecard, code=status.HTTP_200_OK) -> Response:
        fresh = self.base_queryset().get(pk=scorecard.pk)
        return Response(
            ScorecardSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        request=SubmitSerializer,
        responses={200: ScorecardSerializer, 403: NOT_ALLOWED},
        description=(
            "The office leader submits the month: every indicator has a value or a reason in "
            "`missing_reasons` (indicator code → reason); `comments` (indicator code → text) "
            "are shown on the lines. 400 names what is missing."
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="submit",
        filterset_class=None,
        pagination_class=None,
    )
    def submit(self, request):
        given = SubmitSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        office = Office.objects.filter(code=data["office"]).first()
        if office is None or not access.can_access_side(
            request.user, access.VIEW, office, Side.JOINT
        ):
            raise NotFound()
        period = data["period"]
        by_code = {i.code: i.pk for i in indicators_for_offices([office], period)[office.pk]}
        keyed = {}
        for name in ("missing_reasons", "comments"):
            unknown = sorted(set(data[name]) - set(by_code))
            if unknown:
                raise ValidationError(
                    {
                        name: [
                            _("Not an indicator of this office's month: %(codes)s.")
                            % {"codes": ", ".join(unknown)}
                        ]
                    }
                )
            keyed[name] = {by_code[code]: text for code, text in data[name].items()}
        scorecard = services.submit_scorecard(
            user=request.user,
            office=office,
            period=period,
            missing_reasons=keyed["missing_reasons"],
            comments=keyed["comments"],
            comment=data["comment"],
            version=data.get("version"),
        )
        return self._answer(scorecard)

    @extend_schema(
        request=ReviewSerializer,
        responses={201: ScorecardReviewSerializer, 403: NOT_ALLOWED, 404: NOT_VISIBLE},
        description="One side's review of a submitted month: the county director for the "
        "state, the (host) municipality's executive for the municipality.",
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def review(self, request, pk=None):
        scorecard = self.get_object()
        given = ReviewSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        review = services.review_scorecard(
            user=request.user,
            scorecard=scorecard,
            side=given.validated_data["side"],
            comment=given.validated_data["comment"],
        )
        return Response(ScorecardReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=VersionSerializer,
        responses={200: ScorecardSerializer, 403: NOT_ALLOWED, 404: NOT_VISIBLE},
        description="The office leader takes a submitted month back; its summary and reviews go.",
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def reopen(self, request, pk=None):
        scorecard = self.get_object()
        given = VersionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        scorecard = services.reopen_scorecard(
            user=request.user, scorecard=scorecard, version=given.validated_data["version"]
        )
        return self._answer(scorecard)


# --- Action plans -----------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(responses={200: ActionPlanSerializer, 404: NOT_VISIBLE}),
    update=extend_schema(responses={200: ActionPlanSerializer, 403: NOT_ALLOWED}),
    partial_update=extend_schema(responses={200: ActionPlanSerializer, 403: NOT_ALLOWED}),
)
class ActionPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Action plans (tiltaksplaner, joint) of the offices the caller follows, with their
    actions and monthly follow-ups. Opened, changed and closed by whoever may write the
    office's joint data (the leader, either side's authority); a change names the
    ``version``. Actions and follow-ups are added with ``POST …/actions/`` and
    ``POST …/follow-ups/``, the plan closed with ``POST …/close/``."""

    serializer_class = ActionPlanSerializer
    filterset_class = ActionPlanFilter
    filter_backends = [DjangoFilterBackend]

    def base_queryset(self):
        return (
            ActionPlan.objects.select_related("office", "indicator", "updated_by")
            .prefetch_related(
                "actions",
                Prefetch("follow_ups", queryset=FollowUp.objects.select_related("written_by")),
            )
            .order_by("-period", "office__code", "pk")
        )

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user, access.VIEW)

    def get_object(self):
        action_name = access.VIEW if self.request.method in SAFE_METHODS else access.CHANGE
        return access.get_for_action_or_404(
            self.base_queryset(), self.request.user, action_name, pk=self.kwargs["pk"]
        )

    def _answer(self, plan, code=status.HTTP_200_OK) -> Response:
        fresh = self.base_queryset().get(pk=plan.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        plan = services.open_action_plan(
            user=request.user,
            office=data["office"],
            indicator=data["indicator"],
            period=data["period"],
            analysis=data.get("analysis", ""),
            goal=data.get("goal", ""),
        )
        return self._answer(plan, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        given = self.get_serializer(plan, data=request.data, partial=kwargs.get("partial", False))
        given.is_valid(raise_exception=True)
        changes = dict(given.validated_data)
        version = changes.pop("version")
        plan = services.update_action_plan(
            user=request.user, plan=plan, changes=changes, version=version
        )
        return self._answer(plan)

    @extend_schema(
        request=ActionSerializer,
        responses={201: ActionSerializer, 403: NOT_ALLOWED, 404: NOT_VISIBLE},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def actions(self, request, pk=None):
        plan = self.get_object()
        given = ActionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        added = services.add_action(user=request.user, plan=plan, **given.validated_data)
        return Response(ActionSerializer(added).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=FollowUpSerializer,
        responses={201: FollowUpSerializer, 403: NOT_ALLOWED, 404: NOT_VISIBLE},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="follow-ups",
        filterset_class=None,
        pagination_class=None,
    )
    def follow_ups(self, request, pk=None):
        plan = self.get_object()
        given = FollowUpSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        written = services.follow_up(
            user=request.user,
            plan=plan,
            period=given.validated_data["period"],
            note=given.validated_data["note"],
        )
        return Response(FollowUpSerializer(written).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=VersionSerializer,
        responses={200: ActionPlanSerializer, 403: NOT_ALLOWED, 404: NOT_VISIBLE},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def close(self, request, pk=None):
        plan = self.get_object()
        given = VersionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        if plan.status != "open":
            raise ValidationError({"non_field_errors": [_("The action plan is closed.")]})
        plan = services.close_action_plan(
            user=request.user, plan=plan, version=given.validated_data["version"]
        )
        return self._answer(plan)
