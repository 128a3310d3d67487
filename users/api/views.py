"""Token sign-in for integrations, and who the caller is."""

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from navpartner.api.exceptions import INVALID_INPUT
from navpartner.api.throttling import TokenThrottle
from users.api.serializers import CurrentUserSerializer, TokenRequestSerializer, TokenSerializer
from users.selectors import active_role_assignments
from users.sign_in import too_many_failures_message

# One message for an unknown user, a wrong password and an inactive account: no hint which.
INVALID_CREDENTIALS = _("Unable to sign in with the given username and password.")


class ObtainTokenView(APIView):
    """Exchange a username and password for an expiring API token; revoke the token in use.

    The password is checked by ``authenticate()`` with the request, so django-axes counts and
    refuses here exactly as on the sign-in form and the admin login. Refusals are answered, not
    raised: raising rolls the request's transaction back, and axes' count of the failure with it.
    """

    throttle_classes = [TokenThrottle]

    def _revoking(self) -> bool:
        # No request while drf-spectacular builds the view; it sets one per method later.
        return getattr(self.request, "method", None) == "DELETE"

    def get_authenticators(self):
        # Signing in needs no token (and must not trip over a stale one); revoking needs one.
        return [TokenAuthentication()] if self._revoking() else []

    def get_permissions(self):
        return [permissions.IsAuthenticated() if self._revoking() else permissions.AllowAny()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        description=(
            "A token that expires after `API_TOKEN_TTL_HOURS`. Wrong credentials answer 400; "
            "after repeated failures for a username from one address, 429 until the lockout "
            "ends — the same lockout as the sign-in page and the admin."
        ),
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": too_many_failures_message()},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(settings.SIGN_IN_LOCKOUT_SECONDS)},
                )
            return Response(
                {
                    "detail": gettext(INVALID_INPUT),
                    "errors": {"non_field_errors": [str(INVALID_CREDENTIALS)]},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        with transaction.atomic():
            instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
            # Audits the sign-in (method "token"), stamps last_login, clears axes' count.
            user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The token used for this call no longer works."),
            401: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="No valid token: send `Authorization: Token <token>`.",
            ),
        },
        description="Revoke the token this call is made with (sign out an integration).",
    )
    def delete(self, request):
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class CurrentUserView(APIView):
    """The signed-in user: employer side, employer, and the roles in force now."""

    @extend_schema(responses={200: CurrentUserSerializer})
    def get(self, request):
        user = request.user
        user.roles = active_role_assignments(user=user)
        return Response(CurrentUserSerializer(user).data)
