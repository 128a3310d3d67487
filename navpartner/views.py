"""Small pieces the apps' pages share."""

from django.core.paginator import Paginator
from django.shortcuts import render

PER_PAGE = 50


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
