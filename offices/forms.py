from django import forms
from django.utils.translation import gettext_lazy as _

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
