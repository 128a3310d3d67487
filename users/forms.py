from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from navpartner.sidedata import DELEGABLE_SIDE_CHOICES
from offices.models import County, Municipality, Office
from users.models import (
    COUNTY_ROLES,
    MUNICIPALITY_ROLES,
    OFFICE_ROLES,
    DelegationLevel,
    User,
)
from users.sign_in import LOCKOUT_SHOWN, too_many_failures_message


class DelegationForm(forms.Form):
    """Grant a delegation. The grantor's authority is checked by the service, field by field."""

    grantee = forms.ModelChoiceField(
        label=_("Granted to"), queryset=User.objects.none(), to_field_name="username"
    )
    office = forms.ModelChoiceField(
        label=_("Office"), queryset=Office.objects.none(), to_field_name="code"
    )
    side = forms.ChoiceField(label=_("Side"), choices=DELEGABLE_SIDE_CHOICES)
    level = forms.ChoiceField(label=_("Level"), choices=DelegationLevel.choices)
    basis = forms.CharField(
        label=_("Basis"),
        max_length=300,
        help_text=_("The decision the delegation rests on, e.g. “delegasjonsvedtak 2010-14”."),
    )
    valid_to = forms.DateField(
        label=_("Valid to (inclusive)"),
        help_text=_("At most one year from today. Format: dd.mm.yyyy."),
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
    )

    def __init__(self, *args, offices, grantees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["grantee"].queryset = grantees


class RoleAssignmentForm(forms.Form):
    """Assign (or, for an office leader, propose) a role. The scope field must match the role.

    Every choice comes from what the proposer may assign (``role_assignment_choices``): the
    roles, the people and the scopes; a scope field none of the offered roles uses is left out.
    """

    user = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none(), to_field_name="username"
    )
    role = forms.ChoiceField(label=_("Role"), choices=())
    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=Office.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("For office leaders and office staff."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        to_field_name="number",
        required=False,
        help_text=_("For municipal executives and advisors."),
    )
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=County.objects.none(),
        to_field_name="number",
        required=False,
        help_text=_("For county directors and advisors."),
    )
    valid_to = forms.DateField(
        label=_("Valid to (inclusive, optional)"),
        required=False,
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = choices.people
        self.fields["role"].choices = choices.role_choices
        scopes = {
            "office": (choices.offices, OFFICE_ROLES),
            "municipality": (choices.municipalities, MUNICIPALITY_ROLES),
            "county": (choices.counties, COUNTY_ROLES),
        }
        for name, (queryset, roles) in scopes.items():
            if roles.isdisjoint(choices.roles):
                del self.fields[name]
            else:
                self.fields[name].queryset = queryset


class SignInForm(AuthenticationForm):
    """Django's sign-in form; django-axes counts its failures (``users/sign_in.py``).

    When axes refuses (this attempt reached the limit, or the username and address are locked
    out already), the form says so instead of "wrong username or password". The message is the
    same whether the username exists or not.
    """

    def get_invalid_login_error(self):
        if self.request is not None and getattr(self.request, "axes_locked_out", False):
            setattr(self.request, LOCKOUT_SHOWN, True)
            return ValidationError(too_many_failures_message(), code="throttled")
        return super().get_invalid_login_error()
