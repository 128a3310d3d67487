"""The audit log page (``/tilgang/logg/``): search and read, never change."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from navpartner.views import render_filtered_list
from users.filters import AuditEventFilter
from users.selectors import audit_event_list


@login_required
@require_GET
def audit_event_list_view(request):
    """One's own events and those of the offices one reviews, newest first, filtered."""
    filterset = AuditEventFilter(
        request.GET, queryset=audit_event_list(user=request.user), request=request
    )
    return render_filtered_list(request, "users/audit_event_list.html", filterset)
