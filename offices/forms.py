from django import forms
from django.utils.translation import gettext_lazy as _

from navpartner.sidedata import Side


class OfficeNoteForm(forms.Form):
    side = forms.ChoiceField(label=_("Line"), choices=Side.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea)
    # The version the user started from: a change made meanwhile by someone else is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
