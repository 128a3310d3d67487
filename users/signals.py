"""Signal receivers of the users app.

Sign-in and failed sign-in are logged here so operators can follow them; the audit log of the
access issue will record them as audit events through the same receivers.
"""

import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("navpartner.auth")


def _client_address(request) -> str:
    if request is None:
        return "-"
    return request.META.get("REMOTE_ADDR", "-")


@receiver(user_logged_in)
def log_sign_in(sender, request, user, **kwargs) -> None:
    logger.info("sign-in user=%s from=%s", user.username, _client_address(request))


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # The password is never logged; the username is, so repeated guessing shows.
    logger.warning(
        "failed sign-in username=%s from=%s",
        credentials.get("username", "-"),
        _client_address(request),
    )
