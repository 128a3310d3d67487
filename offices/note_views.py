"""Pages for an office's notes: the simplest side data, on the side-data services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from navpartner.sidedata import Side
from navpartner.sidedata_services import side_data_create, side_data_delete, side_data_update
from navpartner.views import add_service_errors
from offices.forms import OfficeNoteForm
from offices.models import OfficeNote
from offices.selectors import office_detail, office_note_detail, office_note_list
from users import access


def _note_form(data, *, writable: list[str], initial: dict) -> OfficeNoteForm:
    form = OfficeNoteForm(data, initial=initial)
    form.fields["side"].choices = [(value, Side(value).label) for value in writable]
    return form


@login_required
@require_http_methods(["GET", "POST"])
def office_notes_view(request, code: str):
    office = office_detail(user=request.user, code=code)
    notes = list(office_note_list(user=request.user, office=office)[:200])
    access.record_delegated_reads(request.user, notes)
    writable = access.side_permissions(request.user, offices=[office]).sides(access.CHANGE, office)
    form = _note_form(
        request.POST or None, writable=writable, initial={"side": next(iter(writable), "")}
    )
    if request.method == "POST" and form.is_valid():
        note = OfficeNote(
            office=office,
            side=form.cleaned_data["side"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
        try:
            side_data_create(user=request.user, instance=note)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The note is saved."))
            return redirect("offices:notes", code=office.code)
    return render(
        request,
        "offices/office_notes.html",
        {"office": office, "notes": notes, "form": form if writable else None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def office_note_view(request, code: str, pk: int):
    action = access.CHANGE if request.method == "POST" else access.VIEW
    note = office_note_detail(user=request.user, pk=pk, action=action)  # 404, or 403 to a viewer
    if note.office.code != code:
        return redirect("offices:note", code=note.office.code, pk=note.pk)
    access.record_delegated_reads(request.user, [note])
    writable = access.side_permissions(request.user, offices=[note.office_id]).sides(
        access.CHANGE, note.office_id
    )
    form = None
    if note.side in writable:
        form = _note_form(
            request.POST or None,
            writable=writable,
            initial={
                "side": note.side,
                "title": note.title,
                "body": note.body,
                "version": note.version,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                side_data_update(
                    user=request.user,
                    instance=note,
                    version=form.cleaned_data["version"] or note.version,
                    changes={
                        "title": form.cleaned_data["title"],
                        "body": form.cleaned_data["body"],
                        "side": form.cleaned_data["side"],
                    },
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The note is saved."))
                return redirect("offices:note", code=code, pk=note.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "offices/office_note.html", {"note": note, "form": form}, status=status)


@login_required
@require_POST
def office_note_delete_view(request, code: str, pk: int):
    note = office_note_detail(user=request.user, pk=pk, action=access.CHANGE)
    office_code = note.office.code
    side_data_delete(user=request.user, instance=note)
    messages.success(request, _("The note is deleted."))
    return redirect("offices:notes", code=office_code)
