"""Pages for an office's notes: the simplest side data, behind the access policy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from navpartner.sidedata import Side
from offices.forms import OfficeNoteForm
from offices.selectors import office_detail, office_note_detail, office_note_list
from offices.services import office_note_create, office_note_delete, office_note_update
from users import access


def _writable_sides(user, office) -> list[str]:
    return [
        side for side in Side.values if access.can_access_side(user, access.CHANGE, office, side)
    ]


def _apply_errors(form, error: ValidationError) -> None:
    for field, field_errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


@login_required
@require_http_methods(["GET", "POST"])
def office_notes_view(request, code: str):
    office = office_detail(user=request.user, code=code)
    notes = list(office_note_list(user=request.user, office=office)[:200])
    access.record_delegated_reads(request.user, notes)
    writable = _writable_sides(request.user, office)
    form = OfficeNoteForm(request.POST or None, initial={"side": writable[0] if writable else ""})
    form.fields["side"].choices = [(value, Side(value).label) for value in writable]
    if request.method == "POST" and form.is_valid():
        try:
            office_note_create(
                user=request.user,
                office=office,
                side=form.cleaned_data["side"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
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
    note = office_note_detail(user=request.user, pk=pk)
    if note.office.code != code:
        return redirect("offices:note", code=note.office.code, pk=note.pk)
    access.record_delegated_reads(request.user, [note])
    may_change = access.can(request.user, access.CHANGE, note)
    form = None
    if may_change:
        form = OfficeNoteForm(
            request.POST or None,
            initial={
                "side": note.side,
                "title": note.title,
                "body": note.body,
                "version": note.version,
            },
        )
        form.fields["side"].choices = [
            (value, Side(value).label) for value in _writable_sides(request.user, note.office)
        ]
        if request.method == "POST" and form.is_valid():
            try:
                office_note_update(
                    user=request.user,
                    note=note,
                    version=form.cleaned_data["version"] or note.version,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    side=form.cleaned_data["side"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The note is saved."))
                return redirect("offices:note", code=code, pk=note.pk)
    elif request.method == "POST":
        note = office_note_detail(user=request.user, pk=pk, action=access.CHANGE)  # 404
    status = 400 if request.method == "POST" else 200
    return render(request, "offices/office_note.html", {"note": note, "form": form}, status=status)


@login_required
@require_POST
def office_note_delete_view(request, code: str, pk: int):
    note = office_note_detail(user=request.user, pk=pk, action=access.CHANGE)
    office_code = note.office.code
    office_note_delete(user=request.user, note=note)
    messages.success(request, _("The note is deleted."))
    return redirect("offices:notes", code=office_code)
