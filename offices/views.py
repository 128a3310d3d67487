"""Pages for browsing offices: the list with filters, and one office."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from navpartner.views import render_filtered_list
from offices.filters import OfficeFilter
from offices.selectors import office_detail, office_list


@login_required
def office_list_view(request):
    filterset = OfficeFilter(request.GET, queryset=office_list(user=request.user), request=request)
    return render_filtered_list(request, "offices/office_list.html", filterset)


@login_required
def office_detail_view(request, code: str):
    office = office_detail(user=request.user, code=code)
    return render(request, "offices/office_detail.html", {"office": office})
