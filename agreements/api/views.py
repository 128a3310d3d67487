"""``/api/v1/`` for agreements: the catalogue, partnership agreements and their versions,
operating and cooperation agreements, meetings and compliance (issue 9, item 8).

Reads go through ``agreements/selectors.py`` and the access policy; writes through
``agreements/services.py`` (or the side-data services for cooperation agreements), which check
the policy and rule 5 and answer refusals with per-field errors (400, in the one error shape of
``navpartner/api/exceptions.py``). Outsiders get 404 for a record, missing or forbidden alike;
who may see a record but not change it gets 403 for the change. Joint data is never opened by a
delegation (delegations open one side), so no read here is a delegated read to audit.
"""

from dataclasses import dataclass

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements import selectors, services
from agreements.api.filters import (
    AgreementFilter,
    CooperationAgreementFilter,
    MeetingFilter,
    OperatingAgreementFilter,
    VersionFilter,
)
from agreements.api.serializers import (
    AgreementCreateSerializer,
    AgreementSerializer,
    ApproveSerializer,
    ComplianceQuerySerializer,
    ComplianceSerializer,
    CooperationAgreementSerializer,
    EndSerializer,
    MeetingCreateSerializer,
    MeetingSerializer,
    MunicipalServiceSerializer,
    NewVersionSerializer,
    OperatingAgreementSerializer,
    OperatingAgreementWriteSerializer,
    RejectSerializer,
    VersionDetailSerializer,
    VersionDiffSerializer,
    VersionSummarySerializer,
    VersionUpdateSerializer,
)
from agreements.compliance import OfficeCompliance
from agreements.content import version_diff
from agreements.models import (
    AgreementVersion,
    CooperationAgreement,
    Meeting,
    MunicipalService,
    OperatingAgreement,
    PartnershipAgreement,
)
from navpartner.api.sidedata import SideDataViewSet
from navpartner.sidedata import Side
from offices.models import Municipality, Office, OfficeMunicipality
from users import access

OPERATING_EXISTS = gettext_noop(
    "This agreement has an operating agreement already: change it with PUT, naming its version."
)

NOT_VISIBLE = OpenApiResponse(description="Unknown, or not visible to you.")
NOT_ALLOWED = OpenApiResponse(description="You may see this, but not change it.")


class PolicyObjectMixin:
    """One object through the access policy: 404 to outsiders (missing and forbidden alike,
    audited), 403 to those who may see it but not do what they asked. Reads ask for ``view``,
    writes for ``change``; ``object_actions`` names the exceptions (a party approves a version
    it may see: rule 5, not the change permission, decides)."""

    object_actions: dict[str, str] = {}

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user, access.VIEW)

    def access_action(self) -> str:
        if self.action in self.object_actions:
            return self.object_actions[self.action]
        return access.VIEW if self.request.method in SAFE_METHODS else access.CHANGE

    def get_object(self):
        key = self.lookup_url_kwarg or self.lookup_field
        return access.get_for_action_or_404(
            self.base_queryset(),
            self.request.user,
            self.access_action(),
            **{self.lookup_field: self.kwargs[key]},
        )


def _services(entries) -> list | None:
    if entries is None:
        return None
    return [(entry["service"], entry.get("starts_on")) for entry in entries]


# --- The catalogue --------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(responses={201: MunicipalServiceSerializer, 403: NOT_ALLOWED}),
    update=extend_schema(responses={200: MunicipalServiceSerializer, 403: NOT_ALLOWED}),
    partial_update=extend_schema(responses={200: MunicipalServiceSerializer, 403: NOT_ALLOWED}),
)
class MunicipalServiceViewSet(
    PolicyObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The national catalogue of municipal services, the legal minimum first. Everyone signed in
    reads it; national administrators keep it (others get 403)."""

    serializer_class = MunicipalServiceSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_fields = ["is_minimum", "is_active"]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def base_queryset(self):
        return MunicipalService.objects.all()

    def get_queryset(self):
        return selectors.service_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        if not access.is_national_admin(request.user):
            raise PermissionDenied(_(services.NOT_A_CATALOGUE_KEEPER))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.municipal_service_save(
            user=self.request.user, service=MunicipalService(**serializer.validated_data)
        )

    def perform_update(self, serializer):
        service = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(service, name, value)
        serializer.instance = services.municipal_service_save(
            user=self.request.user, service=service
        )


# --- Partnership agreements -----------------------------------------------------------------------


class AgreementViewSet(
    PolicyObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Partnership agreements of the offices whose joint data the caller may see, each with its
    offices, municipal parties, county and versions. POST drafts a new agreement (the office
    leader, the county director or the municipal executives of every office it covers);
    ``new-version`` starts a revision or extension of the binding version."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def base_queryset(self):
        return PartnershipAgreement.objects.select_related("county").prefetch_related(
            "offices", "municipalities", "versions"
        )

    def get_queryset(self):
        return selectors.agreement_list(user=self.request.user)

    @extend_schema(request=AgreementCreateSerializer, responses={201: AgreementSerializer})
    def create(self, request):
        incoming = AgreementCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data["services"] = _services(data.get("services"))
        version = services.agreement_draft(user=request.user, **data)
        agreement = selectors.agreement_get(user=request.user, pk=version.agreement_id)
        body = AgreementSerializer(agreement, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=NewVersionSerializer,
        responses={201: VersionDetailSerializer, 403: NOT_ALLOWED},
        description="A new draft copying the binding version, as a revision, or as an "
        "extension to a later `valid_to`. One draft at a time.",
    )
    @action(detail=True, methods=["post"], url_path="new-version", url_name="new-version")
    def new_version(self, request, pk=None):
        agreement = self.get_object()
        incoming = NewVersionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        version = services.agreement_version_new(
            user=request.user, agreement=agreement, **incoming.validated_data
        )
        body = VersionDetailSerializer(version, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        description="Versions of the agreements the caller may see, without their content "
        "(`?status=draft`: what waits for decisions)."
    ),
    retrieve=extend_schema(responses={200: VersionDetailSerializer, 404: NOT_VISIBLE}),
)
class AgreementVersionViewSet(
    PolicyObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Agreement versions: the content, the decisions on it and who is still to decide.

    A draft is changed with PATCH, naming the ``version`` it is based on. The parties of rule 5
    (the county director; the host municipality's executive, or every served municipality's)
    ``approve`` or ``reject`` the exact content they read (its ``content_hash``); the last
    approval makes the version binding and supersedes the one before. A binding version is never
    changed: make a new version of the agreement. Either party may ``end`` a binding version."""

    serializer_class = VersionSummarySerializer
    filterset_class = VersionFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    # Deciding is rule 5's business (services.party_of), not the change permission's.
    object_actions = {"approve": access.VIEW, "reject": access.VIEW, "end": access.VIEW}

    def base_queryset(self):
        return AgreementVersion.objects.select_related("agreement", "created_by", "updated_by")

    def get_queryset(self):
        return (
            AgreementVersion.objects.visible_to(self.request.user, access.VIEW)
            .select_related("agreement")
            .order_by("agreement", "number")
        )

    def get_serializer_class(self):
        return VersionSummarySerializer if self.action == "list" else VersionDetailSerializer

    def _detail(self, version, status_code=status.HTTP_200_OK):
        version = self.base_queryset().get(pk=version.pk)
        body = VersionDetailSerializer(version, context={"request": self.request}).data
        return Response(body, status=status_code)

    @extend_schema(
        request=VersionUpdateSerializer,
        responses={200: VersionDetailSerializer, 403: NOT_ALLOWED, 404: NOT_VISIBLE},
        description="Change a draft. `version` is the one the change is based on; if someone "
        "changed the draft since, the answer is 400 naming who. Approvals given for the "
        "content before no longer count.",
    )
    def partial_update(self, request, pk=None):
        version = self.get_object()
        incoming = VersionUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        expected = data.pop("version")
        sections = data.pop("sections", None)
        if sections is not None:
            sections = {**dict(version.sections.values_list("topic", "text")), **sections}
        entries = data.pop("services", None)
        updated = services.agreement_version_update(
            user=request.user,
            version=version,
            expected_version=expected,
            changes=data,
            sections=sections,
            services=_services(entries),
        )
        return self._detail(updated)

    @extend_schema(request=ApproveSerializer, responses={200: VersionDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the content you read, for the party you act for."""
        version = self.get_object()
        incoming = ApproveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        decided = services.agreement_version_approve(
            user=request.user,
            version=version,
            seen_hash=incoming.validated_data["content_hash"],
            comment=incoming.validated_data["comment"],
        )
        return self._detail(decided)

    @extend_schema(request=RejectSerializer, responses={200: VersionDetailSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject the content you read, saying why; the version stays a draft to change."""
        version = self.get_object()
        incoming = RejectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        decided = services.agreement_version_reject(
            user=request.user,
            version=version,
            seen_hash=incoming.validated_data["content_hash"],
            comment=incoming.validated_data["comment"],
        )
        return self._detail(decided)

    @extend_schema(request=EndSerializer, responses={200: VersionDetailSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """Terminate a binding version (one party's notice), with the reason."""
        version = self.get_object()
        incoming = EndSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        ended = services.agreement_version_end(
            user=request.user, version=version, reason=incoming.validated_data["reason"]
        )
        return self._detail(ended)

    @extend_schema(request=None, responses={200: VersionDiffSerializer, 404: NOT_VISIBLE})
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        """What changed from the version this one is based on."""
        version = self.get_object()
        base = version.based_on
        if base is None:
            body = {
                "from_version": None,
                "to_version": version.pk,
                "fields": [],
                "sections": [],
                "services_added": [],
                "services_removed": [],
                "services_changed": [],
            }
            return Response(VersionDiffSerializer(body).data)
        diff = version_diff(base, version)
        body = {
            "from_version": base.pk,
            "to_version": version.pk,
            "fields": diff.fields,
            "sections": diff.sections,
            "services_added": diff.services_added,
            "services_removed": diff.services_removed,
            "services_changed": diff.services_changed,
        }
        return Response(VersionDiffSerializer(body).data)


# --- Operating agreements -------------------------------------------------------------------------


def _cost_key_municipalities(agreement: PartnershipAgreement) -> dict[str, int]:
    """Number → id of the municipalities a share may name: the agreement's municipal parties
    and every municipality its offices serve (the service decides which it accepts)."""
    served = OfficeMunicipality.objects.valid_on(timezone.localdate()).filter(
        office__in=agreement.offices.all()
    )
    return dict(
        Municipality.objects.filter(
            Q(pk__in=agreement.municipalities.values("pk"))
            | Q(pk__in=served.values("municipality"))
        ).values_list("number", "pk")
    )


class OperatingAgreementViewSet(
    PolicyObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Operating agreements (driftsavtaler) with their cost keys. POST makes one for a
    partnership agreement, PUT changes it naming its ``version``; the shares — the state, and
    each of the agreement's municipalities at most once — must sum to exactly 100 %."""

    serializer_class = OperatingAgreementSerializer
    filterset_class = OperatingAgreementFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def base_queryset(self):
        return OperatingAgreement.objects.select_related("updated_by").prefetch_related(
            "shares__municipality"
        )

    def get_queryset(self):
        return super().get_queryset().order_by("agreement_id")

    def _save(self, request, agreement, *, changing: bool):
        incoming = OperatingAgreementWriteSerializer(
            data=request.data, context={"request": request, "changing": changing}
        )
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        agreement = agreement or data["agreement"]
        if not changing and OperatingAgreement.objects.filter(agreement=agreement).exists():
            raise ValidationError({"agreement": [_(OPERATING_EXISTS)]})
        numbers = _cost_key_municipalities(agreement)
        shares = [
            (
                share["side"],
                # An unknown number stays unknown (-1): the service names the allowed parties.
                numbers.get(share["municipality"], -1) if share["municipality"] else None,
                share["percent"],
            )
            for share in data["shares"]
        ]
        saved = services.operating_agreement_save(
            user=request.user,
            agreement=agreement,
            shares=shares,
            rent_nok_per_year=data["rent_nok_per_year"],
            annual_settlement=data["annual_settlement"],
            revision_due=data["revision_due"],
            expected_version=data.get("version"),
        )
        saved = self.base_queryset().get(pk=saved.pk)
        return OperatingAgreementSerializer(saved, context={"request": request}).data

    @extend_schema(
        request=OperatingAgreementWriteSerializer,
        responses={201: OperatingAgreementSerializer},
    )
    def create(self, request):
        body = self._save(request, None, changing=False)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=OperatingAgreementWriteSerializer,
        responses={200: OperatingAgreementSerializer, 403: NOT_ALLOWED, 404: NOT_VISIBLE},
    )
    def update(self, request, pk=None):
        operating = self.get_object()
        agreement = PartnershipAgreement.objects.get(pk=operating.agreement_id)
        return Response(self._save(request, agreement, changing=True))


# --- Cooperation agreements -----------------------------------------------------------------------


@extend_schema_view(
    update=extend_schema(responses={200: CooperationAgreementSerializer, 403: NOT_ALLOWED}),
    partial_update=extend_schema(responses={200: CooperationAgreementSerializer, 403: NOT_ALLOWED}),
    destroy=extend_schema(responses={204: None, 403: NOT_ALLOWED}),
)
class CooperationAgreementViewSet(SideDataViewSet):
    """Cooperation agreements (samarbeidsavtaler) of an office with external partners: joint
    data of the office. Writing is for those who may change its joint data; a change names the
    ``version`` it is based on."""

    serializer_class = CooperationAgreementSerializer
    filterset_class = CooperationAgreementFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def base_queryset(self):
        return CooperationAgreement.objects.select_related(
            "office", "created_by", "updated_by"
        ).order_by("office__name", "partner", "pk")


# --- Meetings -------------------------------------------------------------------------------------


class MeetingViewSet(
    PolicyObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Governance meetings about the offices whose joint data the caller may see, newest first,
    with their decisions. POST records one (the office leader or either side's authority for
    every office it concerns)."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def base_queryset(self):
        return Meeting.objects.select_related("created_by").prefetch_related(
            "offices", "decisions__section"
        )

    def get_queryset(self):
        return selectors.meeting_list(user=self.request.user).select_related("created_by")

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request):
        incoming = MeetingCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        meeting = services.meeting_record(user=request.user, **incoming.validated_data)
        meeting = self.base_queryset().get(pk=meeting.pk)
        body = MeetingSerializer(meeting, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- Compliance -----------------------------------------------------------------------------------


@dataclass
class OfficeComplianceAnswer:
    office: Office
    compliance: OfficeCompliance

    @property
    def severity(self) -> str:
        return self.compliance.severity

    @property
    def severity_label(self) -> str:
        return self.compliance.severity_label

    @property
    def version(self):
        return self.compliance.version

    @property
    def findings(self):
        return self.compliance.findings


class ComplianceView(APIView):
    """Is the office's partnership in order? Each check with its severity, what was found and
    the rule's source, computed now. For anyone who may see the office's joint data (its
    people, its municipalities' and county's); for anyone else, and an unknown office, 404."""

    @extend_schema(
        parameters=[ComplianceQuerySerializer],
        responses={
            200: ComplianceSerializer,
            404: OpenApiResponse(
                description=gettext_lazy("Unknown office, or not one whose joint data you see")
            ),
        },
    )
    def get(self, request):
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        joint = access.side_permissions(request.user).offices(access.VIEW, Side.JOINT)
        # Missing and forbidden alike: the same 404, the same audited refusal.
        office = access.get_visible_or_404(
            Office.objects.filter(pk__in=joint).select_related("county"),
            request.user,
            access.VIEW,
            code=query.validated_data["office"],
        )
        compliance = selectors.compliance_visible(user=request.user, offices=[office])[office.pk]
        return Response(ComplianceSerializer(OfficeComplianceAnswer(office, compliance)).data)
