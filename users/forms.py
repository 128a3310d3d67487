from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from navpartner.forms import MUNICIPALITY, OFFICE, PERSON, NorwegianDateField, PickerField
from navpartner.sidedata import DELEGABLE_SIDE_CHOICES
from offices.models import County, Municipality, Office
from users.models import DelegationLevel, User
from users.pickers import picker_source
from users.sign_in import LOCKOUT_SHOWN, too_many_failures_message


def required(message) -> dict:
    """A field's own "what to do" instead of Django's "This field is required."."""
    return {"required": message}


def picker_errors(required_message, invalid_message) -> dict:
    """A picker's messages: nothing chosen, and nothing found for what was typed."""
    return {"required": required_message, "invalid_choice": invalid_message}


# Said for an unknown value and for one outside the user's choices alike (navpartner/forms.py).
PERSON_NOT_FOUND = _(
    "We found no one you can choose matching “%(value)s”. Type part of the name and choose "
    "from the list, or type the username."
)
OFFICE_NOT_FOUND = _(
    "We found no office you can choose named “%(value)s”. Type part of the name and choose from "
    "the list, or type the office code."
)
MUNICIPALITY_NOT_FOUND = _(
    "We found no municipality you can choose named “%(value)s”. Type part of the name and choose "
    "from the list, or type the municipality number."
)


class DelegationForm(forms.Form):
    """Grant a delegation. The grantor's authority is checked by the service, field by field.

    The people and offices offered are those the grantor may choose (``delegation_grantees``,
    ``access.offices_delegable``); both are pickers that search as one types.
    """

    grantee = PickerField(
        kind=PERSON,
        label=_("Granted to"),
        queryset=User.objects.none(),
        help_text=_("Type part of the name or the username, and choose the person."),
        error_messages=picker_errors(_("Choose who is to get the access."), PERSON_NOT_FOUND),
    )
    office = PickerField(
        kind=OFFICE,
        label=_("Office"),
        queryset=Office.objects.none(),
        help_text=_("Type part of the office's name, and choose the office."),
        error_messages=picker_errors(_("Choose the office."), OFFICE_NOT_FOUND),
    )
    side = forms.ChoiceField(
        label=_("Line"),
        choices=(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whose data the delegation opens."),
            "invalid_choice": _("Choose the line whose data you answer for."),
        },
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=DelegationLevel.choices,
        widget=forms.RadioSelect,
        error_messages=required(_("Choose whether the person may only see or also change.")),
    )
    basis = forms.CharField(
        label=_("Basis"),
        max_length=300,
        help_text=_("The decision the delegation rests on, e.g. “delegasjonsvedtak 2010-14”."),
        error_messages=required(_("Write the decision the delegation rests on.")),
    )
    valid_to = NorwegianDateField(
        label=_("Valid to (inclusive)"),
        help_text=_("The last day it holds, at most one year from today. Format: dd.mm.yyyy."),
        error_messages=required(_("Choose the last day the delegation holds.")),
    )

    def __init__(self, *args, offices, grantees, sides, **kwargs):
        super().__init__(*args, **kwargs)
        side_choices = [(value, label) for value, label in DELEGABLE_SIDE_CHOICES if value in sides]
        self.fields["side"].choices = side_choices
        if len(side_choices) == 1:  # the one line the grantor answers for: chosen already
            self.fields["side"].initial = side_choices[0][0]
        self.fields["office"].queryset = offices
        self.fields["office"].source = picker_source(OFFICE, "delegation")
        self.fields["grantee"].queryset = grantees
        self.fields["grantee"].source = picker_source(PERSON, "delegation")


class RoleChoiceForm(forms.Form):
    """The first step of assigning a role: which role (only those the proposer may assign)."""

    role = forms.ChoiceField(
        label=_("Which role do you want to assign?"),
        choices=(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose which role to assign."),
            "invalid_choice": _("Choose one of the roles in the list."),
        },
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = choices.role_choices


SCOPE_FIELDS = {"office": OFFICE, "municipality": MUNICIPALITY}


class RoleAssignmentForm(forms.Form):
    """Assign (or, for an office leader, propose) one role, chosen in the first step.

    Every choice comes from what the proposer may assign that role to (``role_assignment_choices``
    narrowed ``for_role``): the people, and the scope field of the role's kind only (none for a
    national role). Every person offered may be given the role at every scope offered.
    """

    role = forms.ChoiceField(
        label=_("Role"),
        choices=(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose which role to assign."),
            "invalid_choice": _("Choose one of the roles in the list."),
        },
    )
    user = PickerField(
        kind=PERSON,
        label=_("Person"),
        queryset=User.objects.none(),
        help_text=_("Type part of the name or the username, and choose the person."),
        error_messages=picker_errors(_("Choose who is to have the role."), PERSON_NOT_FOUND),
    )
    office = PickerField(
        kind=OFFICE,
        label=_("Office"),
        queryset=Office.objects.none(),
        help_text=_("Type part of the office's name, and choose the office."),
        error_messages=picker_errors(_("Choose the office."), OFFICE_NOT_FOUND),
    )
    municipality = PickerField(
        kind=MUNICIPALITY,
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        help_text=_("Type part of the name or the number, and choose."),
        error_messages=picker_errors(_("Choose the municipality."), MUNICIPALITY_NOT_FOUND),
    )
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=County.objects.none(),
        to_field_name="number",
        error_messages=picker_errors(
            _("Choose the county."), _("Choose one of the counties in the list.")
        ),
    )
    valid_to = NorwegianDateField(
        label=_("Valid to (inclusive, optional)"),
        required=False,
        help_text=_("The last day the role holds. Leave empty if it has no end. dd.mm.yyyy."),
    )

    def __init__(self, *args, choices, role: str, **kwargs):
        kwargs.setdefault("initial", {})["role"] = role
        super().__init__(*args, **kwargs)
        self.role = role
        self.role_label = dict(choices.role_choices).get(role, "")
        self.fields["role"].choices = choices.role_choices
        offered = choices.for_role(role)
        purpose = f"role:{role}"
        self.fields["user"].queryset = offered.people
        self.fields["user"].source = picker_source(PERSON, purpose)
        kind = offered.scope_kind()
        for name in ("office", "municipality", "county"):
            if name != kind:
                del self.fields[name]
        scopes = {
            "office": offered.offices,
            "municipality": offered.municipalities,
            "county": offered.counties,
        }
        if kind is not None:
            self.fields[kind].queryset = scopes[kind]
        if kind in SCOPE_FIELDS:
            self.fields[kind].source = picker_source(SCOPE_FIELDS[kind], purpose)

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role != self.role:  # the fields offered are this role's: a changed role is refused
            raise ValidationError(self.fields["role"].error_messages["invalid_choice"])
        return role


class SignInForm(AuthenticationForm):
    """Django's sign-in form; django-axes counts its failures (``users/sign_in.py``).

    When axes refuses (this attempt reached the limit, or the username and address are locked
    out already), the form says so instead of "wrong username or password". The message is the
    same whether the username exists or not.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        # Says what to do, and not which of the two was wrong.
        "invalid_login": _(
            "Check the username and the password, and try again. Upper and lower case count."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = _("Write your username.")
        self.fields["password"].error_messages["required"] = _("Write your password.")

    def get_invalid_login_error(self):
        if self.request is not None and getattr(self.request, "axes_locked_out", False):
            setattr(self.request, LOCKOUT_SHOWN, True)
            return ValidationError(too_many_failures_message(), code="throttled")
        return super().get_invalid_login_error()
