"""Forms of an office's month: the month picker, the value grid, the import, submitting and
reviewing. They only collect what was typed: ``scorecards/measurements.py`` and
``scorecards/services.py`` decide what may be stored, and their refusals are shown at these
forms' fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scorecards.periods import parse_period

VALUE_MAX_LENGTH = 40
COMMENT_MAX_LENGTH = 500


class MonthForm(forms.Form):
    """``?maned=YYYY-MM``."""

    maned = forms.CharField(
        label=_("Month"), help_text=_("As YYYY-MM, for example 2026-11."), max_length=7
    )

    def clean_maned(self):
        try:
            return parse_period(self.cleaned_data["maned"])
        except ValueError:
            raise forms.ValidationError(
                _("Give the month as YYYY-MM, for example 2026-11.")
            ) from None


def value_field(indicator) -> str:
    return f"value_{indicator.code}"


def comment_field(indicator) -> str:
    return f"comment_{indicator.code}"


def version_field(indicator) -> str:
    return f"version_{indicator.code}"


class MonthValuesForm(forms.Form):
    """One row per indicator the user may change: value (a decimal comma is fine), comment and
    the stored version the user saw (0: none), so that a change made meanwhile is caught."""

    def __init__(self, *args, indicators, measurements, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        self.measurements = measurements  # {indicator id: Measurement}
        for indicator in self.indicators:
            stored = measurements.get(indicator.pk)
            self.fields[value_field(indicator)] = forms.CharField(
                label=_("Value: %(indicator)s") % {"indicator": indicator.display_name},
                required=False,
                max_length=VALUE_MAX_LENGTH,
                initial=_plain(stored.value) if stored else "",
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
            self.fields[comment_field(indicator)] = forms.CharField(
                label=_("Comment: %(indicator)s") % {"indicator": indicator.display_name},
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                initial=stored.comment if stored else "",
            )
            self.fields[version_field(indicator)] = forms.IntegerField(
                required=False,
                min_value=0,
                initial=stored.version if stored else 0,
                widget=forms.HiddenInput,
            )

    def rows(self):
        """``(indicator, value field, comment field, version field, stored)`` per row."""
        for indicator in self.indicators:
            yield (
                indicator,
                self[value_field(indicator)],
                self[comment_field(indicator)],
                self[version_field(indicator)],
                self.measurements.get(indicator.pk),
            )

    def changes(self):
        """``(row number, indicator, value, comment, version)`` of the rows typed into: a new
        value, or a changed comment. An empty value leaves the stored one as it is."""
        changed = []
        for number, indicator in enumerate(self.indicators, start=1):
            value = (self.cleaned_data.get(value_field(indicator)) or "").strip()
            comment = (self.cleaned_data.get(comment_field(indicator)) or "").strip()
            version = self.cleaned_data.get(version_field(indicator)) or 0
            stored = self.measurements.get(indicator.pk)
            if stored is None:
                if not value:
                    continue
            else:
                if not value:
                    if comment == stored.comment:
                        continue
                    value = _plain(stored.value)
                elif value == _plain(stored.value) and comment == stored.comment:
                    continue
            changed.append((number, indicator, value, comment, version))
        return changed


def _plain(value) -> str:
    """A stored value as it is typed back: no trailing zeros, a decimal comma."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8, separated by ; or ,) or Excel (.xlsx, the first sheet), with the "
            "columns office, indicator, period, value and comment."
        ),
    )


class SubmitForm(forms.Form):
    """The leader's submission: why each missing value is missing, a comment per missed
    indicator and the month's overall comment."""

    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("The leader's comment on the month"),
        required=False,
        widget=forms.Textarea,
        max_length=4000,
    )

    def __init__(self, *args, missing, missed, **kwargs):
        super().__init__(*args, **kwargs)
        self.missing = list(missing)  # CardLines with no value
        self.missed = list(missed)  # CardLines that missed their target
        for line in self.missing:
            self.fields[f"reason_{line.indicator.code}"] = forms.CharField(
                label=_("Why is the value of %(indicator)s missing?")
                % {"indicator": line.indicator.display_name},
                required=False,
                max_length=2000,
            )
        for line in self.missed:
            self.fields[f"missed_{line.indicator.code}"] = forms.CharField(
                label=_("Comment on %(indicator)s (target missed)")
                % {"indicator": line.indicator.display_name},
                required=False,
                max_length=2000,
            )

    def reason_fields(self):
        return [self[f"reason_{line.indicator.code}"] for line in self.missing]

    def missed_fields(self):
        return [self[f"missed_{line.indicator.code}"] for line in self.missed]

    def missing_reasons(self) -> dict[int, str]:
        return {
            line.indicator.pk: self.cleaned_data.get(f"reason_{line.indicator.code}", "")
            for line in self.missing
        }

    def comments(self) -> dict[int, str]:
        return {
            line.indicator.pk: self.cleaned_data.get(f"missed_{line.indicator.code}", "")
            for line in self.missed
        }


class ReopenForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    side = forms.ChoiceField(label=_("Reviewed for"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea, max_length=4000
    )

    def __init__(self, *args, sides, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["side"].choices = sides
        if len(sides) == 1:
            self.fields["side"].initial = sides[0][0]
            self.fields["side"].widget = forms.HiddenInput()
