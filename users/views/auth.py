"""Sign-in, sign-out and the front page."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from offices.selectors import office_list
from reports.selectors import report_list
from users.forms import SignInForm
from users.selectors import active_role_assignments

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
    roles = list(active_role_assignments(user=request.user))
    office_ids = {role.office_id for role in roles if role.office_id}
    return render(
        request,
        "home.html",
        {
            "roles": roles,
            "my_offices": office_list(user=request.user).filter(pk__in=office_ids),
            "recent_reports": report_list(user=request.user)[:RECENT_REPORTS],
        },
    )
