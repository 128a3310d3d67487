"""Forms of the indicator pages: the library's filters and a target (målkrav).

A target's level and unit are one choice (``level``: ``national``, ``county:<id>``,
``municipality:<id>``, ``office:<id>``) offered only where the user sets targets for this
indicator (``target_units``), so the form offers exactly what the policy accepts; anything else
posted is an invalid choice.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from navpartner.sidedata import Side
from scorecards.models import Level, Perspective

MONTH_NAMES = [
    _("January"),
    _("February"),
    _("March"),
    _("April"),
    _("May"),
    _("June"),
    _("July"),
    _("August"),
    _("September"),
    _("October"),
    _("November"),
    _("December"),
]


class IndicatorFilterForm(forms.Form):
    side = forms.ChoiceField(
        label=_("Line"),
        required=False,
        choices=[
            ("", _("Both lines")),
            (Side.STATE, Side.STATE.label),
            (Side.MUNICIPAL, Side.MUNICIPAL.label),
        ],
        error_messages={"invalid_choice": _("Choose one of the lines in the list.")},
    )
    perspective = forms.ChoiceField(
        label=_("Perspective"),
        required=False,
        choices=[("", _("All perspectives")), *Perspective.choices],
        error_messages={"invalid_choice": _("Choose one of the perspectives in the list.")},
    )


def target_units(authority, indicator) -> list[tuple[str, str]]:
    """``(choice, label)`` for every level and unit where ``authority`` sets targets of
    ``indicator`` and such a target can apply: national; the indicator's county (or any of the
    user's counties for a national state indicator); likewise municipalities for municipal
    indicators; offices in those units. Costs up to two queries."""
    from offices.models import County, Municipality, Office

    side = indicator.side
    choices: list[tuple[str, str]] = []
    if authority.national:
        choices.append((Level.NATIONAL.value, gettext("National")))
    if side == Side.STATE and authority.counties:
        counties = set(authority.counties)
        if indicator.scope == Level.COUNTY:
            counties &= {indicator.county_id}
        for county in County.objects.filter(pk__in=counties).order_by("name"):
            choices.append((f"{Level.COUNTY}:{county.pk}", _label(Level.COUNTY, county)))
    if side == Side.MUNICIPAL and authority.municipalities:
        municipalities = set(authority.municipalities)
        if indicator.scope == Level.MUNICIPALITY:
            municipalities &= {indicator.municipality_id}
        for municipality in Municipality.objects.filter(pk__in=municipalities).order_by("name"):
            choices.append(
                (
                    f"{Level.MUNICIPALITY}:{municipality.pk}",
                    _label(Level.MUNICIPALITY, municipality),
                )
            )
    offices = authority.state_offices if side == Side.STATE else authority.municipal_offices
    if side in (Side.STATE, Side.MUNICIPAL) and offices:
        queryset = Office.objects.filter(pk__in=offices)
        if indicator.scope == Level.COUNTY:
            queryset = queryset.filter(county=indicator.county_id)
        elif indicator.scope == Level.MUNICIPALITY:
            queryset = queryset.filter(
                Q(memberships__municipality=indicator.municipality_id)
            ).distinct()
        for office in queryset.order_by("name"):
            choices.append((f"{Level.OFFICE}:{office.pk}", _label(Level.OFFICE, office)))
    return choices


def _label(level, unit) -> str:
    return f"{Level(level).label}: {unit}"


def unit_of(choice: str) -> dict:
    """The model fields a ``level`` choice stands for."""
    level, _sep, pk = choice.partition(":")
    fields = {"level": level, "county_id": None, "municipality_id": None, "office_id": None}
    if level != Level.NATIONAL:
        fields[f"{level}_id"] = int(pk)
    return fields


class TargetForm(forms.Form):
    level = forms.ChoiceField(
        label=pgettext_lazy("scorecard target", "Level"),
        help_text=_("Who the target is for. You can only choose levels where you set targets."),
        error_messages={
            "required": _("Choose the level the target is for."),
            "invalid_choice": _("You do not set targets at that level. Choose one in the list."),
        },
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": _("Give the year."),
            "invalid": _("Write the year as four digits."),
            "min_value": _("Give a year from 2000 to 2100."),
            "max_value": _("Give a year from 2000 to 2100."),
        },
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Leave empty for a target for the whole year."),
        choices=[("", _("The whole year")), *((n, name) for n, name in enumerate(MONTH_NAMES, 1))],
        error_messages={"invalid_choice": _("Choose a month in the list.")},
    )
    value = forms.CharField(
        label=_("Target"), error_messages={"required": _("Give the target value.")}
    )
    tolerance = forms.CharField(
        label=_("Tolerance"),
        required=False,
        help_text=_("How far from the target a result still counts as close. Empty: none."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, indicator, units=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if editing:
            for name in ("level", "year", "month"):
                del self.fields[name]
        else:
            self.fields["level"].choices = units or []

    def _number(self, name: str, *, check_range: bool):
        from scorecards.measurements import parse_value

        raw = self.cleaned_data.get(name)
        try:
            if check_range:
                return parse_value(raw, self.indicator)
            return parse_value(raw, _Unbounded)
        except ValueError as reason:
            raise forms.ValidationError(str(reason)) from None

    def clean_value(self):
        return self._number("value", check_range=True)

    def clean_tolerance(self):
        if not (self.cleaned_data.get("tolerance") or "").strip():
            return None
        tolerance = self._number("tolerance", check_range=False)
        if tolerance < 0:
            raise forms.ValidationError(gettext("The tolerance cannot be negative."))
        return tolerance


class _Unbounded:
    """A stand-in indicator without a range, for parsing a tolerance like a value."""

    value_range = (None, None)
    unit = ""
