"""One JSON shape for every API error.

``{"detail": "<one readable sentence>", "errors": {"<field>": ["<message>", ...]}}`` — ``errors``
only when the problem is with named fields or query parameters, so a client can show both.

Services raise Django's ``ValidationError`` with field errors (they serve the pages too); here it
becomes the same 400 as a serializer's, so no view has to translate it by hand.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

INVALID_INPUT = gettext_noop("The request has invalid values; see errors for each field.")


class ServiceUnavailable(exceptions.APIException):
    """503: a service the request needs is down. Nothing was stored; ``Retry-After`` says when
    to try again (DRF's handler writes the header from ``wait``)."""

    status_code = 503
    default_detail = gettext_noop("The service is unavailable just now; please try again.")
    default_code = "service_unavailable"

    def __init__(self, detail=None, *, wait: int = 60):
        super().__init__(detail)
        self.wait = wait


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        errors = as_serializer_error(exc)
        # A model's whole-object errors are keyed "__all__"; the API calls them non-field.
        if "__all__" in errors:
            errors["non_field_errors"] = errors.pop("__all__")
        exc = exceptions.ValidationError(errors)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data
        if isinstance(errors, list):
            errors = {"non_field_errors": errors}
        response.data = {"detail": _(INVALID_INPUT), "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response
