"""Pages for role administration: who holds which role, proposals, approvals, endings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from navpartner.views import add_service_errors
from users import access
from users.forms import RoleAssignmentForm, RoleChoiceForm
from users.models import RoleAssignment
from users.selectors import role_assignment_choices, role_assignment_list
from users.services import (
    ROLE_WITHDRAWN,
    end_of_day,
    may_approve,
    pending_approvals,
    role_assignment_approve,
    role_assignment_end,
    role_assignment_propose,
)


@login_required
def role_list_view(request):
    assignments = list(role_assignment_list(user=request.user)[:300])
    manageable = set(
        RoleAssignment.objects.visible_to(request.user, access.CHANGE)
        .filter(pk__in=[a.pk for a in assignments])
        .values_list("pk", flat=True)
    )
    for assignment in assignments:
        assignment.pending = pending_approvals(assignment) if assignment.approved_at is None else []
        assignment.may_approve = bool(assignment.pending) and may_approve(
            user=request.user, assignment=assignment
        )
    return render(
        request,
        "users/role_list.html",
        {
            "assignments": assignments,
            "manageable": manageable,
            "may_assign": bool(role_assignment_choices(user=request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def role_create_view(request):
    """Assign a role in two steps: which role (skipped when only one is offered), then whom and
    where — the people and scopes offered are that role's, so nothing offered is refused.

    The role travels in the query (``?role=…``) on the way to the second step, and in the
    form itself when it is sent; both work without JavaScript.
    """
    choices = role_assignment_choices(user=request.user)
    if not choices:
        # Nothing one may assign: the page is as absent as a forbidden object.
        return render(request, "errors/404.html", status=404)
    choices = choices.with_someone_to_choose()
    if not choices:
        return render(request, "users/role_choice_form.html", {"form": None})
    role = request.POST.get("role") if request.method == "POST" else request.GET.get("role")
    if role is None and len(choices.roles) == 1:
        role = choices.roles[0]
    if role not in choices.roles:
        chosen = role is not None or "step" in request.GET  # the first step was sent
        step = RoleChoiceForm({"role": role or ""} if chosen else None, choices=choices)
        step.is_valid()
        return render(
            request, "users/role_choice_form.html", {"form": step}, status=400 if chosen else 200
        )
    form = RoleAssignmentForm(request.POST or None, choices=choices, role=role)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = role_assignment_propose(
                proposer=request.user,
                user=data["user"],
                role=data["role"],
                office=data.get("office"),
                municipality=data.get("municipality"),
                county=data.get("county"),
                valid_to=end_of_day(data["valid_to"]) if data["valid_to"] else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if assignment.approved_at is None:
                messages.info(request, _("The appointment waits for the other party's approval."))
            else:
                messages.success(request, _("The role is assigned."))
            return redirect("access:role-list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "users/role_form.html",
        {"form": form, "several_roles": len(choices.roles) > 1},
        status=status,
    )


@login_required
@require_POST
def role_approve_view(request, pk: int):
    assignment = access.get_visible_or_404(RoleAssignment.objects.all(), request.user, pk=pk)
    try:
        role_assignment_approve(approver=request.user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your approval is recorded."))
    return redirect("access:role-list")


@login_required
@require_POST
def role_end_view(request, pk: int):
    assignment = access.get_visible_or_404(
        RoleAssignment.objects.all(), request.user, access.CHANGE, pk=pk
    )
    try:
        ended = role_assignment_end(assignment=assignment, ended_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The role is ended.") if ended else _(ROLE_WITHDRAWN))
    return redirect("access:role-list")
