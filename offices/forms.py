from django import forms
from django.utils.translation import gettext_lazy as _

from navpartner.forms import NorwegianDateField
from navpartner.sidedata import Side


class OfficeNoteForm(forms.Form):
    side = forms.ChoiceField(
        label=_("Line"),
        choices=Side.choices,
        error_messages={
            "required": _("Choose whose data the note is."),
            "invalid_choice": _("Choose one of the lines in the list."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={
            "required": _("Write a title."),
            "max_length": _("Write a title of at most %(limit_value)d characters."),
        },
    )
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea)
    # The version the user started from: a change made meanwhile by someone else is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class OfficeDocumentForm(forms.Form):
    """A dated document of the office: the kinds offered are those the user may record."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        error_messages={
            "required": _("Choose the kind of document."),
            "invalid_choice": _("Choose one of the kinds in the list."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={
            "required": _("Write a title."),
            "max_length": _("Write a title of at most %(limit_value)d characters."),
        },
    )
    year = forms.IntegerField(
        label=_("Year (business plan)"),
        required=False,
        min_value=1900,
        max_value=2999,
        error_messages={"invalid": _("Write the year as four digits, for example 2026.")},
    )
    valid_from = NorwegianDateField(
        label=_("Valid from"), error_messages={"required": _("Give the date it holds from.")}
    )
    reference = forms.CharField(
        label=_("Reference (archive or case number, or a link)"), max_length=300, required=False
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        from offices.models import OfficeDocumentKind

        self.fields["kind"].choices = [(kind, OfficeDocumentKind(kind).label) for kind in kinds]
