"""Forms of the agreement pages: drafting, editing a draft, deciding, new versions.

The forms only shape input; every rule (who may write, one county, overlaps, the content an
approval is for, stale edits) is the services' (``agreements/services.py``), whose refusals the
views put on the form (``navpartner.views.add_service_errors``).
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    AgreementVersion,
    MunicipalService,
    PartnershipAgreement,
    RequiredTopic,
)
from navpartner.forms import NorwegianDateField
from offices.filters import MunicipalityPickerFilter
from offices.models import County, Municipality, Office
from offices.selectors import offices_serving

DATE_HELP = _("Format: dd.mm.yyyy.")


def section_field_name(topic: str) -> str:
    return f"section_{topic}"


def service_field_names(service: MunicipalService) -> tuple[str, str]:
    return f"service_{service.code}", f"service_{service.code}_start"


class AgreementDraftForm(forms.Form):
    """A new agreement: its offices, title and period. The draft then opens for editing."""

    offices = forms.ModelMultipleChoiceField(
        label=_("Offices"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The offices the agreement covers, all in one county. You can choose the offices "
            "whose partnership you may write for."
        ),
        error_messages={
            "required": _("Choose at least one office."),
            "invalid_choice": _("Choose offices from the list."),
            "invalid_pk_value": _("Choose offices from the list."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        help_text=_("E.g. “Partnerskapsavtale mellom Fauske kommune og NAV Nordland”."),
        error_messages={
            "required": _("Write a title for the agreement."),
            "max_length": _("Write a title of at most %(limit_value)d characters."),
        },
    )
    valid_from = NorwegianDateField(
        label=_("Valid from"),
        help_text=DATE_HELP,
        error_messages={"required": _("Choose the date the agreement starts.")},
    )
    valid_to = NorwegianDateField(
        label=_("Valid to (inclusive, optional)"),
        required=False,
        help_text=_("The last day it holds. Leave empty if it holds until replaced. dd.mm.yyyy."),
    )
    revision_due = NorwegianDateField(
        label=_("Revision due (optional)"), required=False, help_text=DATE_HELP
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = offices
        self.fields["offices"].label_from_instance = lambda office: (
            f"{office.name} ({office.county.name})"
        )


class AgreementVersionForm(forms.Form):
    """A draft's whole content: period, signatories, agreed meetings, a text per required
    topic, and the services from the catalogue with their start dates.

    ``version`` is the draft's version counter as the page showed it: a change someone else
    saved in between is refused by the service, naming who made it.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    valid_from = NorwegianDateField(
        label=_("Valid from"),
        help_text=DATE_HELP,
        error_messages={"required": _("Choose the date the agreement starts.")},
    )
    valid_to = NorwegianDateField(
        label=_("Valid to (inclusive, optional)"),
        required=False,
        help_text=_("The last day it holds. Leave empty if it holds until replaced. dd.mm.yyyy."),
    )
    revision_due = NorwegianDateField(
        label=_("Revision due (optional)"), required=False, help_text=DATE_HELP
    )
    signatories = forms.CharField(
        label=_("Signatories"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Who signs for each party, one per line."),
    )
    cooperation_meetings_per_year = forms.IntegerField(
        label=_("Cooperation meetings a year"),
        min_value=0,
        max_value=52,
        help_text=_("Samarbeidsmøter between the municipal executive and the county director."),
        error_messages={
            "required": _("Write how many cooperation meetings a year the parties hold."),
            "invalid": _("Write a whole number, e.g. 2."),
            "min_value": _("Write a number from 0 to 52."),
            "max_value": _("Write a number from 0 to 52."),
        },
    )
    partnership_meetings_per_year = forms.IntegerField(
        label=_("Partnership meetings a year"),
        min_value=0,
        max_value=52,
        error_messages={
            "required": _("Write how many partnership meetings a year the parties hold."),
            "invalid": _("Write a whole number, e.g. 1."),
            "min_value": _("Write a number from 0 to 52."),
            "max_value": _("Write a number from 0 to 52."),
        },
    )

    # The brukerråd's meetings (audit readiness, issue 11): edited here once the version service
    # accepts the field (``agreements.services.EDITABLE_FIELDS``); until then it is left out of
    # the form, so an edit never silently drops it.
    user_council_meetings_per_year = forms.IntegerField(
        label=_("User council meetings a year"),
        min_value=0,
        max_value=52,
        required=False,
        help_text=_("Meetings of the office's user council (brukerråd); about four a year."),
        error_messages={
            "invalid": _("Write a whole number, e.g. 4."),
            "min_value": _("Write a number from 0 to 52."),
            "max_value": _("Write a number from 0 to 52."),
        },
    )

    def __init__(self, *args, version: AgreementVersion, services, **kwargs):
        self.services = list(services)
        initial = {
            "version": version.version,
            "valid_from": version.valid_from,
            "valid_to": version.valid_to,
            "revision_due": version.revision_due,
            "signatories": version.signatories,
            "cooperation_meetings_per_year": version.cooperation_meetings_per_year,
            "partnership_meetings_per_year": version.partnership_meetings_per_year,
            "user_council_meetings_per_year": version.user_council_meetings_per_year,
        }
        texts = dict(version.sections.values_list("topic", "text"))
        for topic in RequiredTopic:
            initial[section_field_name(topic.value)] = texts.get(topic.value, "")
        included = dict(version.services.values_list("service_id", "starts_on"))
        for service in self.services:
            chosen, start = service_field_names(service)
            initial[chosen] = service.pk in included
            initial[start] = included.get(service.pk)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for topic in RequiredTopic:
            self.fields[section_field_name(topic.value)] = forms.CharField(
                label=topic.label, required=False, widget=forms.Textarea
            )
        for service in self.services:
            chosen, start = service_field_names(service)
            self.fields[chosen] = forms.BooleanField(label=service.display_name, required=False)
            self.fields[start] = NorwegianDateField(
                label=_("%(service)s: offered from") % {"service": service.display_name},
                required=False,
                help_text=_("Empty: from the start of the agreement. dd.mm.yyyy."),
            )

    # --- what the template and the view read --------------------------------------------------

    def section_fields(self):
        return [self[section_field_name(topic.value)] for topic in RequiredTopic]

    def service_rows(self):
        """(service, its checkbox, its start date field) for each catalogue entry."""
        rows = []
        for service in self.services:
            chosen, start = service_field_names(service)
            rows.append((service, self[chosen], self[start]))
        return rows

    def meta_fields(self):
        names = ("valid_from", "valid_to", "revision_due", "signatories")
        return [self[name] for name in names]

    def meeting_fields(self):
        names = (
            "cooperation_meetings_per_year",
            "partnership_meetings_per_year",
            "user_council_meetings_per_year",
        )
        return [self[name] for name in names]

    def changes(self) -> dict:
        names = (
            "valid_from",
            "valid_to",
            "revision_due",
            "signatories",
            "cooperation_meetings_per_year",
            "partnership_meetings_per_year",
            "user_council_meetings_per_year",
        )
        return {name: self.cleaned_data[name] for name in names}

    def sections(self) -> dict[str, str]:
        return {
            topic.value: self.cleaned_data[section_field_name(topic.value)]
            for topic in RequiredTopic
        }

    def chosen_services(self) -> list:
        chosen = []
        for service in self.services:
            box, start = service_field_names(service)
            if self.cleaned_data.get(box):
                chosen.append((service, self.cleaned_data.get(start)))
        return chosen


class DecisionForm(forms.Form):
    """Approve or reject: the content hash the page showed, and a comment (needed to reject)."""

    content_hash = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={
            "required": _(
                "The version was changed after you read it. Read it again before you decide."
            )
        },
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Needed when you reject: say what must change."),
    )


class ExtensionForm(forms.Form):
    """Extend the version in force to a later end: a new version with the same content."""

    valid_to = NorwegianDateField(
        label=_("New end date (inclusive)"),
        help_text=DATE_HELP,
        error_messages={"required": _("Choose the new last day of the agreement.")},
    )


class AgreementFilter(django_filters.FilterSet):
    """The overview's filter: a county (by number), a municipality (a picker, by number) or an
    office (by code). An unknown value is an error naming the field, never an empty list."""

    county = django_filters.ModelChoiceFilter(
        label=_("County"),
        queryset=County.objects.all(),
        to_field_name="number",
        empty_label=_("All counties"),
    )
    municipality = MunicipalityPickerFilter(
        label=_("Municipality"),
        help_text=_("Type part of the name or the number, and choose."),
        error_messages={
            "invalid_choice": _(
                "We found no municipality named “%(value)s”. Type part of the name and choose "
                "from the list, or type the municipality number."
            )
        },
        queryset=lambda request: Municipality.objects.valid_on().select_related("county"),
        to_field_name="number",
        method="filter_municipality",
        empty_label=_("All municipalities"),
    )
    office = django_filters.ModelChoiceFilter(
        label=_("Office"),
        queryset=Office.objects.all(),
        to_field_name="code",
        method="filter_office",
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("We found no office with the code “%(value)s”.")},
    )

    class Meta:
        model = PartnershipAgreement
        fields = ["county", "municipality", "office"]

    def filter_municipality(self, queryset, name, value):
        offices = offices_serving(Office.objects.all(), value)
        return queryset.filter(
            pk__in=PartnershipAgreement.offices.through.objects.filter(office__in=offices).values(
                "partnershipagreement"
            )
        )

    def filter_office(self, queryset, name, value):
        return queryset.filter(
            pk__in=PartnershipAgreement.offices.through.objects.filter(office=value).values(
                "partnershipagreement"
            )
        )
