"""Action plans (tiltaksplaner) in the browser: an office's plans, opening one for a missed
indicator, its actions, the monthly follow-up and closing it.

Plans are joint working records of the office (DESIGN.md): whoever sees the office's joint data
reads them; the leader and either side's authority write them (``access.may_write_joint``).
Outsiders get 404, readers who may not write 403; every write goes through
``scorecards/services.py``, which checks the policy on the stored row and writes the audit event.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from navpartner.sidedata import Side
from navpartner.views import add_service_errors, back_link
from offices.models import Office
from scorecards import services
from scorecards.forms.plans import ActionForm, ActionPlanForm, ClosePlanForm, FollowUpForm
from scorecards.models import (
    Action,
    ActionPlan,
    ActionPlanStatus,
    ActionStatus,
    FollowUp,
)
from scorecards.periods import current_month, parse_period, reporting_month
from scorecards.selectors import indicators_for_offices
from users import access

PLAN_CLOSED = gettext_noop("The action plan is closed.")


def _office_or_404(request, code: str) -> Office:
    """The office, if the user sees its joint data (its plans); else 404, as if it had none."""
    office = get_object_or_404(Office, code=code)
    permissions = access.side_permissions(request.user, offices=[office])
    if not permissions.allows(access.VIEW, office, Side.JOINT):
        raise Http404
    return office


def _plan(request, pk: int, action: str = access.VIEW) -> ActionPlan:
    """The plan: 404 to those who may not see it, 403 to readers for a change."""
    return access.get_for_action_or_404(
        ActionPlan.objects.select_related("office", "indicator", "updated_by"),
        request.user,
        action,
        pk=pk,
    )


@login_required
@require_GET
def plan_list_view(request, office: str):
    office = _office_or_404(request, office)
    plans = list(
        ActionPlan.objects.visible_to(request.user)
        .filter(office=office)
        .select_related("indicator")
        .annotate(
            actions_total=Count("actions", distinct=True),
            actions_done=Count(
                "actions", filter=Q(actions__status=ActionStatus.DONE), distinct=True
            ),
            last_follow_up=Max("follow_ups__period"),
        )
        .order_by("-period", "indicator__code")
    )
    return render(
        request,
        "scorecards/plan_list.html",
        {
            "office": office,
            "plan_groups": [
                ("open", _("Open plans"), [p for p in plans if p.status == ActionPlanStatus.OPEN]),
                (
                    "closed",
                    _("Closed plans"),
                    [p for p in plans if p.status == ActionPlanStatus.CLOSED],
                ),
            ],
            "may_write": access.may_write_joint(request.user, [office]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create_view(request, office: str):
    office = _office_or_404(request, office)
    if not access.may_write_joint(request.user, [office]):
        raise PermissionDenied(_(access.NOT_PERMITTED))
    period = _month_or_default(request.POST.get("period") or request.GET.get("maned"))
    indicators = indicators_for_offices([office], period)[office.pk]
    by_code = {indicator.code: indicator for indicator in indicators}
    form = ActionPlanForm(
        request.POST or None,
        indicators=[(i.code, i.display_name) for i in indicators],
        initial={"indicator": request.GET.get("indikator", ""), "period": period},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.open_action_plan(
                user=request.user,
                office=office,
                indicator=by_code[data["indicator"]],
                period=data["period"],
                analysis=data["analysis"],
                goal=data["goal"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action plan is opened. Add its actions."))
            return redirect("scorecards:plan", pk=plan.pk)
    return render(
        request,
        "scorecards/plan_form.html",
        {"office": office, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _month_or_default(text: str | None):
    try:
        return parse_period(text) if text else reporting_month()
    except ValueError:
        return reporting_month()


def _plan_page(request, plan: ActionPlan, *, close_form=None, status=200):
    may_write = access.may_write_joint(request.user, [plan.office])
    actions = list(
        Action.objects.visible_to(request.user).filter(plan=plan).select_related("updated_by")
    )
    follow_ups = list(
        FollowUp.objects.visible_to(request.user)
        .filter(plan=plan)
        .select_related("written_by")
        .order_by("-period")
    )
    is_open = plan.status == ActionPlanStatus.OPEN
    this_month = current_month()
    followed_up = any(f.period == this_month for f in follow_ups)
    return render(
        request,
        "scorecards/plan_detail.html",
        {
            "plan": plan,
            "office": plan.office,
            # Came from a review page (?tilbake=): the way back.
            "back_to_review": back_link(request, ""),
            "actions": actions,
            "actions_done": sum(1 for a in actions if a.status == ActionStatus.DONE),
            "follow_ups": follow_ups,
            "may_write": may_write,
            "is_open": is_open,
            "action_form": ActionForm() if may_write and is_open else None,
            "follow_up_form": (
                FollowUpForm(initial={"period": this_month})
                if may_write and is_open and not followed_up
                else None
            ),
            "followed_up": followed_up,
            "close_errors": [
                message
                for messages_ in (close_form.errors.values() if close_form else [])
                for message in messages_
            ],
            "close_form": (
                close_form or ClosePlanForm(initial={"version": plan.version})
                if may_write and is_open
                else None
            ),
        },
        status=status,
    )


@login_required
@require_GET
def plan_detail_view(request, pk: int):
    return _plan_page(request, _plan(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def action_add_view(request, pk: int):
    plan = _plan(request, pk, access.CHANGE)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_action(
                user=request.user,
                plan=plan,
                description=data["description"],
                owner=data["owner"],
                due=data["due"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action is added."))
            return redirect("scorecards:plan", pk=plan.pk)
    return render(
        request,
        "scorecards/action_form.html",
        {"plan": plan, "form": form, "action": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit_view(request, pk: int):
    action = access.get_for_action_or_404(
        Action.objects.select_related("plan__office", "plan__indicator", "updated_by"),
        request.user,
        access.CHANGE,
        pk=pk,
    )
    plan = action.plan
    form = ActionForm(
        request.POST or None,
        editing=True,
        initial={
            "description": action.description,
            "owner": action.owner,
            "due": action.due,
            "status": action.status,
            "version": action.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_action(
                user=request.user,
                action=action,
                changes={
                    "description": data["description"].strip(),
                    "owner": data["owner"].strip(),
                    "due": data["due"],
                    "status": data["status"],
                },
                version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action is saved."))
            return redirect("scorecards:plan", pk=plan.pk)
    return render(
        request,
        "scorecards/action_form.html",
        {"plan": plan, "form": form, "action": action},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_view(request, pk: int):
    plan = _plan(request, pk, access.CHANGE)
    form = FollowUpForm(request.POST or None, initial={"period": current_month()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if plan.status != ActionPlanStatus.OPEN:
                raise ValidationError({"__all__": [_(PLAN_CLOSED)]})
            services.follow_up(
                user=request.user, plan=plan, period=data["period"], note=data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The follow-up is saved."))
            return redirect("scorecards:plan", pk=plan.pk)
    return render(
        request,
        "scorecards/follow_up_form.html",
        {"plan": plan, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def plan_close_view(request, pk: int):
    plan = _plan(request, pk, access.CHANGE)
    form = ClosePlanForm(request.POST)
    if form.is_valid():
        try:
            if plan.status != ActionPlanStatus.OPEN:
                raise ValidationError({"__all__": [_(PLAN_CLOSED)]})
            services.close_action_plan(
                user=request.user, plan=plan, version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action plan is closed."))
            return redirect("scorecards:plan", pk=plan.pk)
    return _plan_page(request, plan, close_form=form, status=400)
