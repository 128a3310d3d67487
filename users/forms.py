from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from navpartner.sidedata import DELEGABLE_SIDE_CHOICES
from offices.models import County, Municipality, Office
from users.models import DelegationLevel, Role, User


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
    """Assign (or, for an office leader, propose) a role. The scope field must match the role."""

    user = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.filter(is_active=True), to_field_name="username"
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=Office.objects.order_by("name"),
        to_field_name="code",
        required=False,
        help_text=_("For office leaders and office staff."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.valid_on(),
        to_field_name="number",
        required=False,
        help_text=_("For municipal executives and advisors."),
    )
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=County.objects.all(),
        to_field_name="number",
        required=False,
        help_text=_("For county directors and advisors."),
    )
    valid_to = forms.DateField(
        label=_("Valid to (inclusive, optional)"),
        required=False,
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
    )


TOO_MANY_FAILURES = gettext_noop(
    "Too many failed sign-ins. Wait %(minutes)s minutes and try again, or contact your "
    "administrator."
)


def too_many_failures_message() -> str:
    return gettext(TOO_MANY_FAILURES) % {"minutes": settings.SIGN_IN_LOCKOUT_SECONDS // 60}


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing further attempts after repeated failures.

    Counted per username and client address in the cache, so guessing one person's password is
    slowed down without letting anyone lock another person out from everywhere. The message is
    the same whether the username exists or not.
    """

    def _failure_key(self) -> str:
        username = (self.data.get("username") or "").strip().lower()
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        return f"sign-in-failures:{address}:{username}"

    def clean(self):
        key = self._failure_key()
        if cache.get(key, 0) >= settings.SIGN_IN_MAX_FAILURES:
            raise ValidationError(too_many_failures_message(), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            cache.add(key, 0, settings.SIGN_IN_LOCKOUT_SECONDS)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, settings.SIGN_IN_LOCKOUT_SECONDS)
            raise
        cache.delete(key)
        return cleaned
