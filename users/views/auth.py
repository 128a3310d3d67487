"""Sign-in, sign-out and the front page."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from offices.selectors import county_overview
from reports.selectors import report_list
from scorecards.dashboard import office_dashboards
from users import access
from users.context_processors import Shell
from users.forms import SignInForm
from users.models import Role
from users.selectors import offices_in_reach

RECENT_REPORTS = 5


class SignInView(auth_views.LoginView):
    """Django's sign-in, whose error never says whether the username or the password was wrong.

    django-axes refuses a username and address after repeated failures, here, in the admin and
    at the API token endpoint alike (``users/sign_in.py``).
    """

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = SignInForm


class SignOutView(auth_views.LogoutView):
    """Sign-out is a POST (a link could be triggered by another site)."""


@login_required
def home_view(request):
    """The front page: the person's roles, the offices in their reach with the links each
    needs, their latest reports — and, for a national administrator without offices, the
    counties as a way in — and, for those who lead or work at an office, the NAV-leder's
    dashboard of each such office (``scorecards/dashboard.py``; staff see their own side)."""
    user = request.user
    shell = Shell(request)  # the header's, so that the roles are read once for both
    roles = shell.roles
    offices = list(offices_in_reach(user=user))
    office_ids = [office.pk for office in offices]
    reviewable = set(
        access.offices_reviewable(user).filter(pk__in=office_ids).values_list("pk", flat=True)
    )
    delegable = set(
        access.offices_delegable(user).filter(pk__in=office_ids).values_list("pk", flat=True)
    )
    for office in offices:
        office.reviewable = office.pk in reviewable
        office.delegable = office.pk in delegable
    national = not offices and any(role.role == Role.NATIONAL_ADMIN for role in roles)
    # The dashboard: the offices the user leads or works at (staff see their own side).
    worked_at = {
        role.office_id
        for role in roles
        if role.role in (Role.OFFICE_LEADER, Role.OFFICE_STAFF) and role.office_id
    }
    dashboards = office_dashboards(
        user, [office for office in offices if office.pk in worked_at], roles=roles
    )
    return render(
        request,
        "home.html",
        {
            "shell": shell,
            "roles": roles,
            "my_offices": offices,
            "led_offices": [role.office for role in roles if role.role == Role.OFFICE_LEADER],
            "dashboards": dashboards,
            "counties": county_overview(user=user) if national else None,
            "recent_reports": report_list(user=user)[:RECENT_REPORTS],
        },
    )
