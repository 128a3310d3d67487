"""The audit log page (``/tilgang/logg/``): search and read, never change.

The log only grows, so the page neither counts it nor numbers its pages: it shows the newest
events that match, and links to older and newer ones by a cursor (the API's pagination,
``NewestFirstCursorPagination``), keeping the filter in the links. Each page costs the same
whether the log holds ten thousand events or ten million.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from navpartner.api.pagination import NewestFirstCursorPagination
from users.filters import AuditEventFilter
from users.models import AuditEvent
from users.selectors import audit_event_list

TEMPLATE = "users/audit_event_list.html"


@dataclass
class CursorPage:
    """One page of events, and the links to the newer and older ones (``?…``, or empty)."""

    object_list: list[AuditEvent]
    newer: str
    older: str

    def has_next(self) -> bool:
        return bool(self.older)

    def has_previous(self) -> bool:
        return bool(self.newer)


def _relative(link: str | None) -> str:
    # The paginator builds absolute links; the page links within itself.
    return f"?{urlsplit(link).query}" if link else ""


@login_required
@require_GET
def audit_event_list_view(request):
    """One's own events and those of the offices one reviews, newest first, filtered.

    Invalid filter values answer 400 with the form's errors and no list; a damaged cursor 404.
    """
    filterset = AuditEventFilter(
        request.GET, queryset=audit_event_list(user=request.user), request=request
    )
    if not filterset.is_valid():
        return render(request, TEMPLATE, {"filter": filterset, "page": None}, status=400)
    paginator = NewestFirstCursorPagination()
    try:
        events = paginator.paginate_queryset(filterset.qs, Request(request))
    except NotFound as invalid:  # a cursor that is not ours, as in the API
        raise Http404 from invalid
    page = CursorPage(
        events, _relative(paginator.get_previous_link()), _relative(paginator.get_next_link())
    )
    return render(request, TEMPLATE, {"filter": filterset, "page": page})
