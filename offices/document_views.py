"""Pages for an office's dated documents: the annual business plan (virksomhetsplan) and the
municipality's internal-control routines (001 §4.1). They are joint data of the office: anyone
who may view its joint data sees them (others get 404); recording and withdrawing follow
``offices.services.document_kinds_writable`` (others who see them get 403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from navpartner.sidedata import Side
from navpartner.views import add_service_errors
from offices.forms import OfficeDocumentForm
from offices.models import OfficeDocumentKind
from offices.selectors import office_detail, office_document_get, office_documents_visible
from offices.services import (
    document_kinds_writable,
    office_document_record,
    office_document_withdraw,
)
from users import access

TYPE = "type"  # ?type=business_plan: one kind only
UNKNOWN_KIND = gettext_noop("“%(value)s” is not a kind of document; choose one of: %(choices)s.")
MAY_NOT_RECORD = gettext_noop("You may see the office's documents, but not record them.")


def _office_with_joint_view(request, code: str):
    """The office, if the user may view its joint data; else 404 like any other outsider."""
    office = office_detail(user=request.user, code=code)
    if not access.can_access_side(request.user, access.VIEW, office, Side.JOINT):
        access.record_denial(type(office).objects.all(), request.user, "view_documents", code=code)
        raise Http404
    return office


@login_required
@require_http_methods(["GET", "POST"])
def office_documents_view(request, code: str):
    office = _office_with_joint_view(request, code)
    kind = request.GET.get(TYPE) or None
    error = None
    if kind is not None and kind not in OfficeDocumentKind.values:
        error = _(UNKNOWN_KIND) % {"value": kind, "choices": ", ".join(OfficeDocumentKind.values)}
    writable = document_kinds_writable(user=request.user, office=office)
    if request.method == "POST" and not writable:
        raise PermissionDenied(_(MAY_NOT_RECORD))
    form = None
    if writable:
        initial = {"kind": kind if kind in writable else writable[0]}
        form = OfficeDocumentForm(request.POST or None, kinds=writable, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                document = office_document_record(
                    user=request.user, office=office, **form.cleaned_data
                )
            except ValidationError as failure:
                add_service_errors(form, failure)
            else:
                messages.success(request, _("The document is recorded."))
                return redirect(f"{request.path}?{TYPE}={document.kind}#document-{document.pk}")
    documents = [] if error else list(office_documents_visible(user=request.user, office=office))
    if kind and not error:
        documents = [document for document in documents if document.kind == kind]
    groups = [
        (value, label, [document for document in documents if document.kind == value])
        for value, label in OfficeDocumentKind.choices
        if not kind or kind == value
    ]
    status = 400 if error or request.method == "POST" else 200
    return render(
        request,
        "offices/office_documents.html",
        {
            "office": office,
            "groups": groups,
            "form": form,
            "writable": writable,
            "kind": kind,
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def office_document_withdraw_view(request, code: str, pk: int):
    office = _office_with_joint_view(request, code)
    document = office_document_get(user=request.user, office=office, pk=pk)
    if document.kind not in document_kinds_writable(user=request.user, office=office):
        raise PermissionDenied(_(MAY_NOT_RECORD))
    try:
        office_document_withdraw(user=request.user, document=document)
    except ValidationError as failure:
        for problem in failure.messages:
            messages.error(request, problem)
    else:
        messages.success(request, _("The document is withdrawn."))
    return redirect(f"{reverse('offices:documents', args=[office.code])}?{TYPE}={document.kind}")
