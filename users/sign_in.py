"""How django-axes counts and refuses sign-ins, on every path: the form, the admin, the API token.

Axes keeps the count in the database (``AccessAttempt``), per (username, client address), so a
user locked out on one path is locked out on the others, and sign-in keeps working when Redis is
down. The settings are in ``navpartner/settings.py`` ("Users and sign-in"); this module holds
the three callables they name and the backend that must come first in
``AUTHENTICATION_BACKENDS``.
"""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.shortcuts import render
from django.utils.translation import gettext, gettext_noop
from rest_framework.throttling import BaseThrottle

TOO_MANY_FAILURES = gettext_noop(
    "Too many failed sign-ins. Wait %(minutes)s minutes and try again, or contact your "
    "administrator."
)

# Set on a request whose sign-in axes refused because of an existing lockout (the password was
# not even checked), so the audit receiver can tell it from an ordinary failure.
REFUSED_DURING_LOCKOUT = "navpartner_refused_during_lockout"
# Set by a view that already showed the lockout message itself (the sign-in form).
LOCKOUT_SHOWN = "navpartner_lockout_shown"

METHODS_BY_VIEW = {"login": "form", "admin:login": "admin", "api:token": "token"}


def too_many_failures_message() -> str:
    return gettext(TOO_MANY_FAILURES) % {"minutes": settings.SIGN_IN_LOCKOUT_SECONDS // 60}


def sign_in_key(username) -> str | None:
    """The username as Django signs in with it (NFKC), case-folded: look-alikes count as one."""
    if username is None:
        return None
    return AbstractBaseUser.normalize_username(str(username)).casefold()


def lockout_username(request, credentials: dict | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the key axes counts failures under."""
    field = str(settings.AXES_USERNAME_FORM_FIELD)
    if credentials is not None:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    return sign_in_key(username)


def client_address(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the same address the token throttle counts per.

    ``REMOTE_ADDR``, unless ``TRUSTED_PROXY_COUNT`` (DRF's ``NUM_PROXIES``) says how many proxies
    of ours append to ``X-Forwarded-For``; a client-sent header is never trusted otherwise.
    """
    return BaseThrottle().get_ident(request) or None


def sign_in_method(request) -> str:
    """Which sign-in path a request came through, for the audit log."""
    match = getattr(request, "resolver_match", None) if request is not None else None
    return METHODS_BY_VIEW.get(match.view_name if match else "", "other")


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the answer to an attempt refused for too many failures.

    The sign-in form shows the message in place (its own page, answered 429); other pages (the
    admin's login) get our page with the same message.
    """
    if original_response is not None and getattr(request, LOCKOUT_SHOWN, False):
        original_response.status_code = 429
        return original_response
    return render(
        request,
        "registration/locked_out.html",
        {"message": too_many_failures_message()},
        status=429,
    )


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check, first in ``AUTHENTICATION_BACKENDS``; it signs no one in itself.

    Two changes to axes' own: a refusal marks the request (see ``REFUSED_DURING_LOCKOUT``), and
    ``authenticate()`` without a request (the test client's ``login()``, a shell) is let through
    to the next backend instead of raising — every sign-in view passes its request
    (tests/users/test_sign_in_hardening.py checks each of them).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, REFUSED_DURING_LOCKOUT, True)
            raise
