from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import ReportKind


class ReportRequestForm(forms.Form):
    """Ask for a report. Parameters are checked by the report's definition in the service."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    office = forms.SlugField(label=_("Office"), max_length=50)
