"""What the agreements API reads and writes, as JSON.

Read serializers describe stored rows; write serializers describe a request's body and hand
plain values to ``agreements/services.py``, which decides and answers refusals with per-field
errors. References are by the keys people use: offices by code, municipalities and counties by
number, services by catalogue code, people by username.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.content import content_hash
from agreements.models import (
    AgreementApproval,
    AgreementSection,
    AgreementService,
    AgreementVersion,
    CooperationAgreement,
    CostShare,
    Meeting,
    MeetingDecision,
    MeetingKind,
    MunicipalService,
    OperatingAgreement,
    PartnershipAgreement,
    RequiredTopic,
    VersionKind,
    VersionState,
)
from agreements.services import REASON_REQUIRED, parties_still_to_approve, party_of
from navpartner.api.sidedata import SideDataSerializer
from offices.models import Office
from users.models import EmployerSide, Role

UNKNOWN_FIELD = gettext_noop("Unknown field: leave it out.")

USERNAME = {"slug_field": "username", "read_only": True}


# --- The catalogue --------------------------------------------------------------------------------


class MunicipalServiceSerializer(serializers.ModelSerializer):
    """A catalogue entry; its ``code`` is fixed once created (agreements name it)."""

    class Meta:
        model = MunicipalService
        fields = [
            "code",
            "name",
            "name_en",
            "legal_basis",
            "is_minimum",
            "description",
            "is_active",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["code"].read_only = True
        return fields


# --- Agreements and versions ----------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, naming each, instead of silently dropping them (a
    misspelt topic would otherwise vanish from an agreement)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: [_(UNKNOWN_FIELD)] for key in unknown})
        return super().to_internal_value(data)


SectionsSerializer = type(
    "SectionsSerializer",
    (StrictSerializer,),
    {
        "__doc__": "The text on each required topic, keyed by topic; an empty text removes it.",
        **{
            topic.value: serializers.CharField(
                required=False, allow_blank=True, trim_whitespace=False, help_text=topic.label
            )
            for topic in RequiredTopic
        },
    },
)


class ServiceEntrySerializer(serializers.Serializer):
    """A catalogue service the version includes, from a date (default: the version's start)."""

    service = serializers.SlugRelatedField(
        slug_field="code",
        queryset=MunicipalService.objects.filter(is_active=True),
        help_text=gettext_lazy("The service's catalogue code."),
    )
    starts_on = serializers.DateField(required=False, allow_null=True)


class VersionSummarySerializer(serializers.ModelSerializer):
    """A version without its content: what lists and an agreement's history show."""

    state = serializers.ChoiceField(
        choices=VersionState.choices,
        read_only=True,
        help_text=gettext_lazy("The status with an approved version's dates applied."),
    )

    class Meta:
        model = AgreementVersion
        fields = [
            "id",
            "agreement",
            "number",
            "kind",
            "based_on",
            "status",
            "state",
            "valid_from",
            "valid_to",
            "revision_due",
            "approved_at",
            "ended_at",
            "updated_at",
        ]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="number", read_only=True)
    offices = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    municipalities = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    in_force = serializers.SerializerMethodField(
        help_text=gettext_lazy("The id of the version in force today, if any.")
    )
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = PartnershipAgreement
        fields = [
            "id",
            "title",
            "county",
            "offices",
            "municipalities",
            "created_at",
            "in_force",
            "versions",
        ]
        read_only_fields = fields

    def get_in_force(self, agreement) -> int | None:
        # From the prefetched versions: no query per agreement.
        return next(
            (v.pk for v in agreement.versions.all() if v.state() == VersionState.IN_FORCE), None
        )


class AgreementCreateSerializer(serializers.Serializer):
    """A new agreement with its first version as a draft (``agreement_draft``)."""

    title = serializers.CharField(max_length=300)
    offices = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=Office.objects.all(),
        help_text=gettext_lazy("The codes of the offices the agreement covers, of one county."),
    )
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)
    revision_due = serializers.DateField(required=False, allow_null=True)
    signatories = serializers.CharField(required=False, allow_blank=True, default="")
    sections = SectionsSerializer(required=False)
    services = ServiceEntrySerializer(many=True, required=False)
    cooperation_meetings_per_year = serializers.IntegerField(
        min_value=0, max_value=52, required=False, default=2
    )
    partnership_meetings_per_year = serializers.IntegerField(
        min_value=0, max_value=52, required=False, default=1
    )
    user_council_meetings_per_year = serializers.IntegerField(
        min_value=0, max_value=52, required=False, default=4
    )


# What a new version of an existing agreement may be (a new agreement is drafted instead).
NEW_VERSION_KINDS = [
    (VersionKind.REVISION.value, VersionKind.REVISION.label),
    (VersionKind.EXTENSION.value, VersionKind.EXTENSION.label),
]


class NewVersionSerializer(serializers.Serializer):
    """A new draft copying the binding version: a revision, or an extension to ``valid_to``."""

    kind = serializers.ChoiceField(choices=NEW_VERSION_KINDS, default=VersionKind.REVISION)
    valid_to = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("For an extension: the new last day, after the current one."),
    )


class SectionSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="get_topic_display", read_only=True)

    class Meta:
        model = AgreementSection
        fields = ["id", "topic", "title", "text"]
        read_only_fields = fields


class AgreementServiceSerializer(serializers.ModelSerializer):
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name = serializers.CharField(source="service.name", read_only=True)
    is_minimum = serializers.BooleanField(source="service.is_minimum", read_only=True)

    class Meta:
        model = AgreementService
        fields = ["service", "name", "is_minimum", "starts_on"]
        read_only_fields = fields


class ApprovalSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    decided_by = serializers.SlugRelatedField(**USERNAME)
    decided_by_name = serializers.CharField(source="decided_by.get_full_name", read_only=True)
    side = serializers.ChoiceField(choices=EmployerSide.choices, read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    counts = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Whether the decision is for the version's content now: an approval of content "
            "changed since no longer counts."
        )
    )

    class Meta:
        model = AgreementApproval
        fields = [
            "side",
            "municipality",
            "decision",
            "decided_by",
            "decided_by_name",
            "role",
            "decided_at",
            "content_hash",
            "comment",
            "counts",
        ]
        read_only_fields = fields

    def get_counts(self, approval) -> bool:
        return approval.content_hash == self.context.get("digest")


class PartySerializer(serializers.Serializer):
    """A party of rule 5: the county director of ``county``, or the municipal executive of
    ``municipality``."""

    side = serializers.ChoiceField(choices=EmployerSide.choices)
    role = serializers.ChoiceField(choices=Role.choices)
    county = serializers.CharField(source="county.number", allow_null=True, default=None)
    municipality = serializers.CharField(
        source="municipality.number", allow_null=True, default=None
    )
    label = serializers.CharField(source="__str__")


class VersionDetailSerializer(VersionSummarySerializer):
    """A version with its content, its decisions and who is still to decide.

    ``content_hash`` is the hash of the content now (for a draft) or of the content approved;
    an approval or rejection sends it back as the content its giver read.
    """

    agreement_title = serializers.CharField(source="agreement.title", read_only=True)
    content_hash = serializers.SerializerMethodField(
        help_text=gettext_lazy("SHA-256 of the content; send it back to approve or reject.")
    )
    created_by = serializers.SlugRelatedField(**USERNAME)
    updated_by = serializers.SlugRelatedField(**USERNAME)
    sections = serializers.SerializerMethodField()
    services = serializers.SerializerMethodField()
    missing_minimum_services = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Codes of legal-minimum services the version leaves out: allowed in a draft, but "
            "the compliance check will report it."
        )
    )
    approvals = serializers.SerializerMethodField()
    pending_parties = serializers.SerializerMethodField(
        help_text=gettext_lazy("For a draft: the parties whose approval of this content is due.")
    )
    your_party = serializers.SerializerMethodField(
        help_text=gettext_lazy("The party you may decide for on this draft now, if any.")
    )

    class Meta(VersionSummarySerializer.Meta):
        fields = [
            *VersionSummarySerializer.Meta.fields,
            "agreement_title",
            "signatories",
            "cooperation_meetings_per_year",
            "partnership_meetings_per_year",
            "user_council_meetings_per_year",
            "content_hash",
            "end_reason",
            "version",
            "created_by",
            "created_at",
            "updated_by",
            "sections",
            "services",
            "missing_minimum_services",
            "approvals",
            "pending_parties",
            "your_party",
        ]
        read_only_fields = fields

    def _digest(self, version) -> str:
        if not hasattr(version, "_api_digest"):
            version._api_digest = (
                content_hash(version) if version.is_draft else version.content_hash
            )
        return version._api_digest

    def _services(self, version) -> list:
        if not hasattr(version, "_api_services"):
            version._api_services = list(
                version.services.select_related("service").order_by(
                    "-service__is_minimum", "service__name"
                )
            )
        return version._api_services

    def get_content_hash(self, version) -> str:
        return self._digest(version)

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, version):
        order = {topic: index for index, topic in enumerate(RequiredTopic.values)}
        sections = sorted(version.sections.all(), key=lambda s: order.get(s.topic, len(order)))
        return SectionSerializer(sections, many=True).data

    @extend_schema_field(AgreementServiceSerializer(many=True))
    def get_services(self, version):
        return AgreementServiceSerializer(self._services(version), many=True).data

    def get_missing_minimum_services(self, version) -> list[str]:
        included = {entry.service_id for entry in self._services(version)}
        return list(
            MunicipalService.objects.filter(is_minimum=True, is_active=True)
            .exclude(pk__in=included)
            .order_by("code")
            .values_list("code", flat=True)
        )

    @extend_schema_field(ApprovalSerializer(many=True))
    def get_approvals(self, version):
        approvals = version.approvals.select_related("decided_by", "municipality")
        return ApprovalSerializer(
            approvals, many=True, context={"digest": self._digest(version)}
        ).data

    @extend_schema_field(PartySerializer(many=True))
    def get_pending_parties(self, version):
        if not version.is_draft:
            return []
        return PartySerializer(
            parties_still_to_approve(version, self._digest(version)), many=True
        ).data

    @extend_schema_field(PartySerializer(allow_null=True))
    def get_your_party(self, version):
        request = self.context.get("request")
        if request is None or not version.is_draft:
            return None
        party = party_of(request.user, version, self._digest(version))
        return PartySerializer(party).data if party else None


class VersionUpdateSerializer(StrictSerializer):
    """A change of a draft (``agreement_version_update``). ``version`` is the one the change is
    based on: if someone changed the draft since, the answer is 400 naming who."""

    version = serializers.IntegerField(
        min_value=1, help_text=gettext_lazy("The version the change is based on.")
    )
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False, allow_null=True)
    revision_due = serializers.DateField(required=False, allow_null=True)
    signatories = serializers.CharField(required=False, allow_blank=True)
    cooperation_meetings_per_year = serializers.IntegerField(
        min_value=0, max_value=52, required=False
    )
    partnership_meetings_per_year = serializers.IntegerField(
        min_value=0, max_value=52, required=False
    )
    user_council_meetings_per_year = serializers.IntegerField(
        min_value=0, max_value=52, required=False
    )
    sections = SectionsSerializer(
        required=False,
        help_text=gettext_lazy(
            "Topics named here get the new text (empty: removed); the others keep theirs."
        ),
    )
    services = ServiceEntrySerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("The whole list of services: those left out are removed."),
    )


class ApproveSerializer(serializers.Serializer):
    content_hash = serializers.CharField(
        max_length=64,
        help_text=gettext_lazy("The version's content_hash as you read it."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    content_hash = serializers.CharField(
        max_length=64,
        help_text=gettext_lazy("The version's content_hash as you read it."),
    )
    comment = serializers.CharField(
        allow_blank=True, help_text=gettext_lazy("Why: what should change.")
    )


class EndSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, help_text=gettext_lazy("Why the agreement is ended.")
    )

    def validate_reason(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_(REASON_REQUIRED))
        return value


class ChangeSerializer(serializers.Serializer):
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class SegmentSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete"])
    text = serializers.CharField(allow_blank=True)


class SectionChangeSerializer(serializers.Serializer):
    topic = serializers.ChoiceField(choices=RequiredTopic.choices)
    label = serializers.CharField()
    segments = serializers.SerializerMethodField()

    @extend_schema_field(SegmentSerializer(many=True))
    def get_segments(self, change):
        return [{"op": op, "text": text} for op, text in change.segments]


class VersionDiffSerializer(serializers.Serializer):
    """What changed from the version this one is based on (``from_version``) to this one.
    A first version is based on none: everything is empty."""

    from_version = serializers.IntegerField(allow_null=True)
    to_version = serializers.IntegerField()
    fields = ChangeSerializer(many=True)
    sections = SectionChangeSerializer(many=True)
    services_added = serializers.ListField(child=serializers.CharField())
    services_removed = serializers.ListField(child=serializers.CharField())
    services_changed = ChangeSerializer(many=True)


# --- Operating agreements -------------------------------------------------------------------------


class CostShareSerializer(serializers.ModelSerializer):
    side = serializers.ChoiceField(choices=EmployerSide.choices, read_only=True)
    municipality = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    municipality_name = serializers.CharField(
        source="municipality.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = CostShare
        fields = ["side", "municipality", "municipality_name", "percent"]
        read_only_fields = fields


class OperatingAgreementSerializer(serializers.ModelSerializer):
    updated_by = serializers.SlugRelatedField(**USERNAME)
    shares = CostShareSerializer(many=True, read_only=True)
    total = serializers.SerializerMethodField(help_text=gettext_lazy("The shares' sum, in %."))

    class Meta:
        model = OperatingAgreement
        fields = [
            "id",
            "agreement",
            "rent_nok_per_year",
            "annual_settlement",
            "revision_due",
            "shares",
            "total",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2))
    def get_total(self, operating) -> str:
        total = sum((share.percent for share in operating.shares.all()), Decimal(0))
        return f"{total:.2f}"


class ShareInputSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=EmployerSide.choices)
    municipality = serializers.CharField(
        max_length=4,
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy(
            "The municipality's number for a municipal share; null for the state."
        ),
    )
    percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100)
    )


class OperatingAgreementWriteSerializer(serializers.Serializer):
    """The operating agreement and its cost key, which must sum to exactly 100 %.

    POST names the partnership ``agreement`` (one operating agreement each); PUT changes one,
    naming the ``version`` it is based on."""

    agreement = serializers.PrimaryKeyRelatedField(queryset=PartnershipAgreement.objects.none())
    rent_nok_per_year = serializers.DecimalField(
        max_digits=12,
        decimal_places=0,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        default=None,
    )
    annual_settlement = serializers.CharField(required=False, allow_blank=True, default="")
    revision_due = serializers.DateField(required=False, allow_null=True, default=None)
    shares = ShareInputSerializer(many=True, allow_empty=False)
    version = serializers.IntegerField(min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            from agreements.selectors import agreement_list

            self.fields["agreement"].queryset = agreement_list(user=request.user)
        if self.context.get("changing"):
            self.fields["agreement"].read_only = True
            self.fields["version"].required = True


# --- Cooperation agreements -----------------------------------------------------------------------


class CooperationAgreementSerializer(SideDataSerializer):
    office = serializers.SlugRelatedField(slug_field="code", queryset=Office.objects.all())
    created_by = serializers.SlugRelatedField(**USERNAME)
    updated_by = serializers.SlugRelatedField(**USERNAME)

    create_only_fields = ("office",)

    class Meta:
        model = CooperationAgreement
        fields = [
            "id",
            "office",
            "partner",
            "partner_responsibility",
            "office_responsibility",
            "how_carried_out",
            "unclear_responsibility",
            "evaluation_interval_months",
            "next_evaluation",
            "valid_from",
            "valid_to",
            "version",
            "created_by",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


# --- Meetings -------------------------------------------------------------------------------------


class MeetingDecisionSerializer(serializers.ModelSerializer):
    section_topic = serializers.CharField(
        source="section.topic", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = MeetingDecision
        fields = ["id", "text", "section", "section_topic", "responsible", "due"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    offices = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    decisions = MeetingDecisionSerializer(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(**USERNAME)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "kind_display",
            "offices",
            "held_on",
            "title",
            "participants",
            "agenda",
            "minutes",
            "decisions",
            "created_by",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class VisibleSectionField(serializers.PrimaryKeyRelatedField):
    """An agreement section the caller may see; any other id is as unknown as a missing one."""

    def get_queryset(self):
        from users.access import VIEW

        request = self.context.get("request")
        if request is None:
            return AgreementSection.objects.none()
        return AgreementSection.objects.visible_to(request.user, VIEW)


class DecisionInputSerializer(serializers.Serializer):
    text = serializers.CharField()
    section = VisibleSectionField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("The id of the agreement section the decision concerns."),
    )
    responsible = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    due = serializers.DateField(required=False, allow_null=True, default=None)


class MeetingCreateSerializer(serializers.Serializer):
    """A meeting about one or more offices, with its decisions (``meeting_record``)."""

    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    offices = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Office.objects.all()
    )
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    participants = serializers.CharField(required=False, allow_blank=True, default="")
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    decisions = DecisionInputSerializer(many=True, required=False, default=list)


# --- Compliance -----------------------------------------------------------------------------------


class ComplianceQuerySerializer(serializers.Serializer):
    office = serializers.CharField(
        max_length=50, help_text=gettext_lazy("The office's code, e.g. indre-salten.")
    )


SEVERITIES = ["ok", "warning", "error"]


class FindingSerializer(serializers.Serializer):
    check = serializers.CharField(help_text=gettext_lazy("Which check, e.g. legal_minimum."))
    title = serializers.CharField()
    severity = serializers.ChoiceField(choices=SEVERITIES)
    severity_label = serializers.CharField()
    message = serializers.CharField(help_text=gettext_lazy("What was found and what to do."))
    source = serializers.CharField(help_text=gettext_lazy("Where the rule checked comes from."))
    version = serializers.IntegerField(source="version_id", allow_null=True)


class ComplianceSerializer(serializers.Serializer):
    office = serializers.CharField(source="office.code")
    office_name = serializers.CharField(source="office.name")
    severity = serializers.ChoiceField(choices=SEVERITIES)
    severity_label = serializers.CharField()
    version = serializers.IntegerField(
        source="version.pk",
        allow_null=True,
        default=None,
        help_text=gettext_lazy("The id of the agreement version in force, if any."),
    )
    findings = FindingSerializer(many=True)
