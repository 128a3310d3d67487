"""Forms of the action plans (tiltaksplaner): the plan, its actions, the month's follow-up and
closing. Each change names the version it was based on where the model has one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from navpartner.forms import NorwegianDateField
from scorecards.models import ActionStatus
from scorecards.periods import parse_period

MONTH_FORMAT = _("Give the month as YYYY-MM, for example 2026-11.")


class MonthField(forms.Field):
    """A month typed as ``YYYY-MM`` in a text field, cleaned to its first day."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("YYYY-MM, for example 2026-11."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if hasattr(value, "year"):
            return f"{value.year:04d}-{value.month:02d}"
        return value

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            return parse_period(value)
        except ValueError:
            raise forms.ValidationError(MONTH_FORMAT, code="invalid") from None


class ActionPlanForm(forms.Form):
    indicator = forms.ChoiceField(
        label=_("Indicator"),
        error_messages={
            "required": _("Choose the indicator the plan is for."),
            "invalid_choice": _("Choose one of the office's indicators in the list."),
        },
    )
    period = MonthField(
        label=_("Month the target was missed"),
        error_messages={"required": _("Give the month the target was missed.")},
    )
    analysis = forms.CharField(
        label=_("Analysis"),
        widget=forms.Textarea,
        help_text=_("Why the target was missed, as far as we know."),
        error_messages={"required": _("Write the analysis: why the target was missed.")},
    )
    goal = forms.CharField(
        label=_("Goal"),
        widget=forms.Textarea,
        required=False,
        help_text=_("What the plan should achieve."),
    )

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("Choose an indicator")), *indicators]


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("Action"),
        widget=forms.Textarea,
        error_messages={"required": _("Describe the action.")},
    )
    owner = forms.CharField(
        label=_("Owner"),
        max_length=200,
        help_text=_("Who carries it out."),
        error_messages={
            "required": _("Name who carries out the action."),
            "max_length": _("Write at most %(limit_value)d characters."),
        },
    )
    due = NorwegianDateField(
        label=_("Due"), error_messages={"required": _("Give the date the action is due.")}
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ActionStatus.choices,
        initial=ActionStatus.PLANNED,
        error_messages={"invalid_choice": _("Choose one of the statuses in the list.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            # A new action starts as planned; its status changes when it is edited.
            del self.fields["status"]
            del self.fields["version"]


class FollowUpForm(forms.Form):
    period = MonthField(
        label=_("Month"), error_messages={"required": _("Give the month you follow up.")}
    )
    note = forms.CharField(
        label=_("Follow-up"),
        widget=forms.Textarea,
        help_text=_("How the plan went this month: what was done, what the figures show."),
        error_messages={"required": _("Write the follow-up.")},
    )


class ClosePlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
