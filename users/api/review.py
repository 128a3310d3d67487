"""``GET /api/v1/access-review/?office=<code>``: the access review of one office (rule 10).

The same content as the page ``/tilgang/gjennomgang/<code>/``, from the same selector
(``users/access/review.py``): per side, everyone who can see or change the office's data now,
on what basis, and the counts of cross-line access. Only the office's leader, the executive of a
municipality it serves and its county director get it; for anyone else, and for an unknown
office, it is a 404.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from navpartner.sidedata import Side
from users.access.review import access_review
from users.models import DelegationLevel, EmployerSide, PermissionBasis, Role


class AccessReviewQuerySerializer(serializers.Serializer):
    office = serializers.CharField(max_length=50, help_text=_("The office's code, e.g. heimdal."))


class AccessReviewBasisSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(
        source="kind",
        choices=PermissionBasis.choices,
        help_text=_("Employer and role, office leader, or a delegation."),
    )
    level = serializers.ChoiceField(choices=DelegationLevel.choices)
    role = serializers.ChoiceField(
        choices=Role.choices,
        allow_blank=True,
        help_text=_("The role, for the bases role and office_leader; empty for a delegation."),
    )
    scope = serializers.CharField(
        help_text=_("Where the role holds: office, municipality, county.")
    )
    delegation = serializers.IntegerField(
        source="delegation_id", allow_null=True, help_text=_("The delegation's id, if one.")
    )
    delegation_basis = serializers.CharField(
        help_text=_("The decision the delegation rests on; empty for a role.")
    )
    granted_by = serializers.CharField(help_text=_("Who granted the delegation; empty for a role."))
    ends_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_("When the delegation (or a role with an end) stops; null if open-ended."),
    )
    description = serializers.CharField(source="__str__", help_text=_("The basis in one line."))


class AccessReviewEntrySerializer(serializers.Serializer):
    username = serializers.CharField(source="person.username")
    name = serializers.CharField(source="person.name")
    employer_side = serializers.ChoiceField(
        source="person.employer_side",
        choices=EmployerSide.choices,
        allow_blank=True,
        help_text=_("Empty for a technical operator."),
    )
    employer = serializers.CharField(source="person.employer")
    level = serializers.ChoiceField(choices=DelegationLevel.choices)
    cross_line = serializers.BooleanField(
        help_text=_("The person's employer side is not the data's side.")
    )
    bases = AccessReviewBasisSerializer(many=True)


class AccessReviewSideSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)
    people = serializers.IntegerField(help_text=_("People with access to this side's data."))
    change = serializers.IntegerField(help_text=_("Of whom may change it."))
    cross_line = serializers.IntegerField(help_text=_("People with cross-line access."))
    cross_line_office_leader = serializers.IntegerField(help_text=_("Of which as office leader."))
    cross_line_delegation = serializers.IntegerField(
        help_text=_("Of which staff through a delegation (never the office leader).")
    )
    entries = AccessReviewEntrySerializer(many=True)


class AccessReviewOfficeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    county = serializers.CharField(source="county.number")


class AccessReviewSerializer(serializers.Serializer):
    office = AccessReviewOfficeSerializer()
    at = serializers.DateTimeField(help_text=_("The moment the review shows."))
    cross_line = serializers.IntegerField(
        help_text=_("People with cross-line access to either side, each counted once.")
    )
    sides = AccessReviewSideSerializer(many=True)


class AccessReviewErrorSerializer(serializers.Serializer):
    """The API's one error shape (``navpartner/api/exceptions.py``)."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class AccessReviewView(APIView):
    """Who can see or change each side's data of an office now, on what basis, and how much of
    it crosses the line between the employers. For the office's leader, the chief executive of
    a municipality it serves, and its county director."""

    @extend_schema(
        parameters=[AccessReviewQuerySerializer],
        responses={
            200: AccessReviewSerializer,
            400: OpenApiResponse(AccessReviewErrorSerializer, description="No office given"),
            404: OpenApiResponse(
                AccessReviewErrorSerializer, description="Unknown office, or not one you review"
            ),
        },
    )
    def get(self, request):
        query = AccessReviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        review = access_review(user=request.user, office=query.validated_data["office"])
        return Response(AccessReviewSerializer(review).data)
