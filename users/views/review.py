"""The access review pages (rule 10): the offices in reach, one office, and its CSV export.

Who may see what is decided in ``users/access/review.py`` (through ``users/access/``): an office's
review exists only for its leader, the executive of a municipality it serves and its county
director; for anyone else, and for an unknown code, it is a 404.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from navpartner.forms import MUNICIPALITY
from navpartner.sidedata import Side
from navpartner.templatetags.dates import until_text
from offices.filters import OfficeFilter
from offices.models import County
from offices.selectors import office_detail
from users import access
from users.access.review import (
    LINE_SIDES,
    SideAccess,
    access_overview,
    access_review,
    reviewable_offices,
)
from users.pickers import picker_source, review_municipalities
from users.services import NOT_A_REVIEWER, access_review_confirm

# The CSV is made for Excel with Norwegian settings, where the list separator is ";" (the comma
# is the decimal mark), and Excel takes a file without a byte order mark for the local 8-bit
# code page (æ, ø, å garbled). So: UTF-8 with a BOM, semicolons, CRLF line ends (csv's default).
CSV_DELIMITER = ";"
CSV_BOM = "\ufeff"
# A cell starting with one of these is taken by spreadsheets as a formula: a name or the basis
# of a delegation (typed in by a person) must never run as one, so it is prefixed with '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@login_required
def access_overview_view(request):
    """The offices the user reviews, with counts; directors may narrow by county or municipality."""
    form = OfficeFilter(request.GET, request=request).form
    # Offer only the counties and municipalities of the offices in reach; any other is invalid.
    reach = reviewable_offices(request.user)
    form.fields["county"].queryset = County.objects.filter(offices__in=reach).distinct()
    form.fields["municipality"].queryset = review_municipalities(request.user)
    form.fields["municipality"].source = picker_source(MUNICIPALITY, "review")
    if not form.is_valid():
        # An unknown county or municipality: say which field, show no misleading list.
        return render(
            request, "users/review_overview.html", {"form": form, "overview": None}, status=400
        )
    county = form.cleaned_data.get("county")
    municipality = form.cleaned_data.get("municipality")
    overview = access_overview(user=request.user, county=county, municipality=municipality)
    filtered = county is not None or municipality is not None
    return render(
        request,
        "users/review_overview.html",
        {
            "form": form,
            "overview": overview,
            "filtered": filtered,
            # A filter helps only with more than one office (directors and executives).
            "show_filter": filtered or len(overview.rows) > 1,
        },
    )


@login_required
def access_review_view(request, code: str):
    review = access_review(user=request.user, office=code)
    return render(
        request,
        "users/review_office.html",
        {"review": review, "line_sides": LINE_SIDES},
    )


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _moment(value) -> str:
    """A delegation's end as the pages say it: "til og med 31.12.2026" (navpartner/formats)."""
    return until_text(value)


# Column titles, translated when the file is made.
CSV_HEADER = (
    gettext_noop("Office code"),
    gettext_noop("Office"),
    gettext_noop("Line"),
    gettext_noop("Username"),
    gettext_noop("Name"),
    gettext_noop("Employer side"),
    gettext_noop("Employer"),
    gettext_noop("Level"),
    gettext_noop("Cross-line"),
    gettext_noop("Bases"),
    gettext_noop("Delegation ends"),
)


def _csv_row(review, entry: SideAccess) -> list[str]:
    person = entry.person
    return [
        review.office.code,
        review.office.name,
        str(entry.side),
        person.username,
        person.name,
        person.employer_side_label,
        person.employer,
        entry.level_label,
        _("yes") if entry.cross_line else _("no"),
        " | ".join(str(basis) for basis in entry.bases),
        ", ".join(_moment(basis.ends_at) for basis in entry.delegations),
    ]


@login_required
def access_review_csv_view(request, code: str):
    """The review as CSV: a header row, then one row per person and side (state, municipal,
    joint, in that order). The side is its code (``state``, ``municipal``, ``joint``) so that a
    spreadsheet filter does not depend on the language; a delegation's end reads as on the page,
    "til og med 31.12.2026" (or "til 04.12.2026 14:05" when revoked)."""
    review = access_review(user=request.user, office=code)
    filename = (
        f"tilgangsgjennomgang-{review.office.code}-{timezone.localdate(review.at):%Y-%m-%d}.csv"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(CSV_BOM)
    writer = csv.writer(response, delimiter=CSV_DELIMITER)
    writer.writerow([_(title) for title in CSV_HEADER])
    for side in review.sides:
        for entry in side.entries:
            writer.writerow([_cell(value) for value in _csv_row(review, entry)])
    return response


@login_required
@require_POST
def access_review_confirm_view(request, code: str):
    """A reviewer's "I have looked through this review" (audit readiness, issue 11). 404 to
    anyone who may not see the office's joint data; 403 to those who see it but do not review
    the office's access (its staff, advisors); the confirmation is audited."""
    office = office_detail(user=request.user, code=code)
    if not access.can_access_side(request.user, access.VIEW, office, Side.JOINT):
        access.record_denial(type(office).objects.all(), request.user, "access_review", code=code)
        raise Http404
    if not reviewable_offices(request.user).filter(pk=office.pk).exists():
        raise PermissionDenied(_(NOT_A_REVIEWER))
    try:
        access_review_confirm(user=request.user, office=office, note=request.POST.get("note", ""))
    except ValidationError as failure:
        for problem in failure.messages:
            messages.error(request, problem)
        return redirect("access:review-office", code=office.code)
    messages.success(request, _("Your confirmation of the access review is recorded."))
    return redirect("access:review-office", code=office.code)
