from rest_framework import serializers

from users.models import RoleAssignment, User


class ActiveRoleSerializer(serializers.ModelSerializer):
    office = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    municipality = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    county = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "office", "municipality", "county", "valid_from", "valid_to"]


class CurrentUserSerializer(serializers.ModelSerializer):
    employer_county = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    employer_municipality = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    roles = ActiveRoleSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "employer_side",
            "employer_county",
            "employer_municipality",
            "roles",
        ]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate_username(self, value: str) -> str:
        # As the sign-in form does (Django's UsernameField): look-alikes are one username.
        return User.normalize_username(value)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(
        help_text="When the token stops working; ask for a new one then."
    )
