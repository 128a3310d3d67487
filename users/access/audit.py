"""Writing the append-only audit log.

``audit_record(...)`` writes one ``AuditEvent`` in the caller's transaction, so a change and its
record commit or roll back together. The client address is taken from the current request
(set by ``AuditMiddleware``), so services need not pass requests around.

Some events must survive the request's rollback: a refused access (the view answers 404 by
raising, which rolls the request's transaction back) and a failed sign-in through the API (a
400). ``audit_record_after_response(...)`` keeps those until the response is made and writes
them then, outside the request's transaction; outside a request it writes at once.
"""

import ipaddress
from contextvars import ContextVar

from django.db import models
from rest_framework.throttling import BaseThrottle

from users.models import AuditAction, AuditEvent

_current_request: ContextVar = ContextVar("navpartner_current_request", default=None)
_after_response: ContextVar[list | None] = ContextVar("navpartner_audit_after", default=None)


def client_address(request) -> str | None:
    """The client's address as the sign-in lockout and the token throttle count it.

    ``REMOTE_ADDR``, unless ``TRUSTED_PROXY_COUNT`` (DRF's ``NUM_PROXIES``) says how many of our
    own proxies append to ``X-Forwarded-For``: trusting that header from anyone would let a
    client write any address into the log. Anything that is not an address is left out.
    """
    if request is None:
        return None
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address.strip()))
    except (AttributeError, ValueError):
        return None


def audit_record(
    *,
    actor,
    action: str,
    office=None,
    side: str = "",
    target: models.Model | None = None,
    basis: str = "",
    details: dict | None = None,
    actor_username: str = "",
) -> AuditEvent:
    """Write one audit event now, in the current transaction (``office``: an office or its id)."""
    known_actor = actor if actor is not None and getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=known_actor,
        actor_username=actor_username or (known_actor.get_username() if known_actor else ""),
        action=action,
        office_id=getattr(office, "pk", office),
        side=side,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:300] if target is not None else "",
        basis=basis[:300],
        ip_address=client_address(_current_request.get()),
        details=details or {},
    )


def current_user():
    """The signed-in user of the current request, if any (for changes made in the admin)."""
    request = _current_request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def audit_record_after_response(**kwargs) -> None:
    """Record an event that must outlive the request's transaction (see the module doc)."""
    pending = _after_response.get()
    if pending is None:
        audit_record(**kwargs)
    else:
        pending.append(kwargs)


class AuditMiddleware:
    """Knows the current request, and writes the events kept for after the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_token = _current_request.set(request)
        pending_token = _after_response.set([])
        try:
            response = self.get_response(request)
        finally:
            pending = _after_response.get() or []
            _after_response.reset(pending_token)
            try:
                for event in pending:
                    audit_record(**event)
            finally:
                _current_request.reset(request_token)
        return response


__all__ = [
    "AuditAction",
    "AuditMiddleware",
    "audit_record",
    "audit_record_after_response",
    "current_user",
]
