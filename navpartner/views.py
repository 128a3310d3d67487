"""Small pieces the apps' pages share."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

PER_PAGE = 50
BACK = "tilbake"  # a drill-down's way back to the page it came from


def add_service_errors(form, error) -> None:
    """Show a service's ``ValidationError`` on the form: on its fields where they exist, else
    above the form (the error summary), so a refusal reads like any other form error."""
    for field, field_errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


def render_filtered_list(request, template_name: str, filterset, *, per_page: int = PER_PAGE):
    """A filtered, paginated list page; invalid filter values answer 400 with the form's errors.

    On bad input no list is shown at all, rather than a misleading one. ``query`` keeps the other
    parameters in the pagination links (templates/includes/pagination.html).
    """
    if not filterset.is_valid():
        return render(request, template_name, {"filter": filterset, "page": None}, status=400)
    page = Paginator(filterset.qs, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, template_name, {"filter": filterset, "page": page, "query": query.urlencode()}
    )


def back_link(request, default: str) -> str:
    """Where a drill-down page's "back" leads: its ``tilbake`` parameter if that is a path of
    this site (e.g. a review page's URL with its month and filters), else ``default``. Only a
    local path is followed, so the parameter cannot send anyone to another site."""
    target = request.GET.get(BACK, "")
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default
