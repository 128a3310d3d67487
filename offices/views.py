"""Pages for browsing offices: the list with filters, and one office."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from offices.filters import OfficeFilter
from offices.selectors import office_detail, office_list

OFFICES_PER_PAGE = 50


@login_required
def office_list_view(request):
    filterset = OfficeFilter(request.GET, queryset=office_list(user=request.user), request=request)
    if not filterset.is_valid():
        # Bad filter values: say which field, show no list rather than a misleading one.
        return render(
            request, "offices/office_list.html", {"filter": filterset, "page": None}, status=400
        )
    page = Paginator(filterset.qs, OFFICES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "offices/office_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
def office_detail_view(request, code: str):
    office = office_detail(user=request.user, code=code)
    return render(request, "offices/office_detail.html", {"office": office})
