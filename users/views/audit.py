"""The audit log page (``/tilgang/logg/``): search and read, never change."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from users.filters import AuditEventFilter
from users.selectors import audit_event_list

EVENTS_PER_PAGE = 50


@login_required
@require_GET
def audit_event_list_view(request):
    """One's own events and those of the offices one reviews, newest first, filtered."""
    filterset = AuditEventFilter(
        request.GET, queryset=audit_event_list(user=request.user), request=request
    )
    if not filterset.is_valid():
        # Bad filter values: say which field, show no list rather than a misleading one.
        return render(
            request, "users/audit_event_list.html", {"filter": filterset, "page": None}, status=400
        )
    page = Paginator(filterset.qs, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "users/audit_event_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )
