"""Token sign-in for integrations, and who the caller is."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, throttling
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from users.api.serializers import CurrentUserSerializer, TokenRequestSerializer, TokenSerializer
from users.selectors import active_role_assignments

# One message for an unknown user, a wrong password and an inactive account: no hint which.
INVALID_CREDENTIALS = _("Unable to sign in with the given username and password.")


class TokenThrottle(throttling.AnonRateThrottle):
    scope = "token"


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (``Authorization: Token <token>``)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise exceptions.ValidationError(INVALID_CREDENTIALS)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class CurrentUserView(APIView):
    """The signed-in user: employer side, employer, and the roles in force now."""

    @extend_schema(responses={200: CurrentUserSerializer})
    def get(self, request):
        user = request.user
        user.roles = active_role_assignments(user=user)
        return Response(CurrentUserSerializer(user).data)
