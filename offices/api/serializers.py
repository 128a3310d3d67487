from rest_framework import serializers

from offices.models import County, Municipality, Office, OfficeMunicipality


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["number", "name"]


class MunicipalitySerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Municipality
        fields = ["id", "number", "name", "county", "valid_from", "valid_to"]


class MembershipSerializer(serializers.ModelSerializer):
    """A municipality the office serves, and whether it is the host."""

    number = serializers.CharField(source="municipality.number", read_only=True)
    name = serializers.CharField(source="municipality.name", read_only=True)

    class Meta:
        model = OfficeMunicipality
        fields = ["number", "name", "is_host", "valid_from", "valid_to"]


class OfficeSerializer(serializers.ModelSerializer):
    county = CountySerializer(read_only=True)
    municipalities = MembershipSerializer(source="current_memberships", many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:office-detail", lookup_field="code", read_only=True
    )

    class Meta:
        model = Office
        fields = [
            "code",
            "name",
            "url",
            "county",
            "street_address",
            "postal_code",
            "postal_place",
            "municipalities",
        ]
