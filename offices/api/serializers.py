import re

from rest_framework import serializers

from offices.models import County, Municipality, Office, OfficeMunicipality


class TemplatedIdentityField(serializers.HyperlinkedIdentityField):
    """``HyperlinkedIdentityField`` that calls ``reverse()`` once per request, not once per row.

    Serialising 500 offices spent a fifth of its time reversing each office's URL. The URL is
    reversed once with a placeholder for the lookup value (through DRF's ``reverse``, so the
    host, the ``?format=`` DRF keeps and any versioning are those of the request), and each row
    puts its own value in. A value that the URL would quote, or that the URL pattern might not
    accept, takes the ordinary path, so the output is the same byte for byte either way.
    """

    PLACEHOLDER = "_lookup_value_"
    # Characters every URL pattern for a code accepts and no quoting changes.
    PLAIN_VALUE = re.compile(r"[-a-zA-Z0-9_]+")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._template_for = None  # (view name, request, format) the template was made for
        self._template = ("", "", "")

    def get_url(self, obj, view_name, request, format):
        if hasattr(obj, "pk") and obj.pk in (None, ""):
            return None  # unsaved: no URL, as DRF does
        value = getattr(obj, self.lookup_field)
        if not isinstance(value, str) or not self.PLAIN_VALUE.fullmatch(value):
            return super().get_url(obj, view_name, request, format)
        key = (view_name, id(request), format)
        if self._template_for != key:
            url = self.reverse(
                view_name,
                kwargs={self.lookup_url_kwarg: self.PLACEHOLDER},
                request=request,
                format=format,
            )
            self._template = url.partition(self.PLACEHOLDER)
            self._template_for = key
        before, placeholder, after = self._template
        if not placeholder:
            return super().get_url(obj, view_name, request, format)
        return f"{before}{value}{after}"


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
    url = TemplatedIdentityField(view_name="api:office-detail", lookup_field="code", read_only=True)

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
