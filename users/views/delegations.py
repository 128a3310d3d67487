"""Pages for delegations (delegasjonsvedtak): list, grant, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from navpartner.views import add_service_errors
from users import access
from users.forms import DelegationForm
from users.models import Delegation
from users.pickers import delegable_sides
from users.selectors import delegation_grantees, delegation_list
from users.services import delegation_grant, delegation_revoke


@login_required
def delegation_list_view(request):
    delegations = list(delegation_list(user=request.user)[:200])
    revocable = set(
        Delegation.objects.visible_to(request.user, access.CHANGE)
        .filter(pk__in=[d.pk for d in delegations])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "users/delegation_list.html",
        {
            "delegations": delegations,
            "revocable": revocable,
            "now": timezone.now(),
            "may_grant": access.offices_delegable(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delegation_create_view(request):
    offices = access.offices_delegable(request.user)
    if not offices.exists():
        # Not an authority anywhere: the page is as absent as a forbidden object.
        return render(request, "errors/404.html", status=404)
    form = DelegationForm(
        request.POST or None,
        offices=offices,
        grantees=delegation_grantees(user=request.user),
        sides=delegable_sides(request.user),
        initial={"office": request.GET.get("office")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            delegation = delegation_grant(grantor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The delegation to %(grantee)s for %(office)s is granted and holds at once.")
                % {"grantee": delegation.grantee, "office": delegation.office},
            )
            return redirect("access:delegation-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "users/delegation_form.html", {"form": form}, status=status)


@login_required
@require_POST
def delegation_revoke_view(request, pk: int):
    delegation = access.get_visible_or_404(
        Delegation.objects.all(), request.user, access.CHANGE, pk=pk
    )
    try:
        delegation_revoke(delegation=delegation, revoked_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delegation is revoked."))
    return redirect("access:delegation-list")
