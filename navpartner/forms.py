"""Form fields the pages share: pickers that scale, and one kind of date input.

**Pickers** (``PickerField``) choose one person, office or municipality from a queryset that the
access policy computed for the user. The page renders a plain text field; with JavaScript,
``static/js/combobox.js`` makes it a WAI-ARIA 1.2 combobox that asks the picker's search
endpoint (``users/views/search.py``) as the user types. Either way the server resolves what was
sent: the key (username, office code, municipality number), a suggestion's label as shown
("Kari Nordmann (kari.nordmann)"), or a name that matches exactly one choice. Anything else —
unknown, or not among this user's choices — gets the same per-field error, so a picker tells
nobody what exists beyond what they may choose.

**Dates** are typed as dd.mm.åååå in a text field (``NorwegianDateField``; docs/decisions.md,
"Date input"). ISO (åååå-mm-dd) is accepted too, for people who paste it.
"""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATE_INVALID = _("Write the date as dd.mm.yyyy, for example 31.12.2026.")
SEARCH_RESULTS = 20  # suggestions per search; a picker asks for one more to know there are more


@dataclass(frozen=True)
class PickerKind:
    """How one kind of object is keyed, labelled and searched."""

    name: str  # "person", "office", "municipality"
    key: str  # the field a form sends and the API uses
    order: tuple[str, ...]

    def label(self, obj) -> str:
        return f"{self.title(obj)} ({getattr(obj, self.key)})"

    def title(self, obj) -> str:
        if self.name == "person":
            return obj.get_full_name() or obj.username
        return obj.name

    def description(self, obj) -> str:
        if self.name == "person":
            employer = obj.employer
            side = obj.get_employer_side_display()
            return f"{side}, {employer.name}" if employer is not None else str(side)
        return obj.county.name  # offices and municipalities alike

    def related(self) -> tuple[str, ...]:
        if self.name == "person":
            return ("employer_county", "employer_municipality")
        return ("county",)

    def matching(self, queryset: QuerySet, query: str) -> QuerySet:
        """Rows where every word of ``query`` is part of the name or the key (case-insensitive).

        Django writes ``icontains`` as ``UPPER(col) LIKE UPPER('%…%')``; on PostgreSQL trigram
        indexes on ``UPPER(col)`` answer it (``users/migrations/0007``, the audit log's
        ``0006``). Few rows need reading then, and a search returns at most ``SEARCH_RESULTS``.
        """
        for word in query.split()[:5]:
            if self.name == "person":
                queryset = queryset.filter(
                    Q(username__icontains=word)
                    | Q(first_name__icontains=word)
                    | Q(last_name__icontains=word)
                )
            elif self.name == "office":
                queryset = queryset.filter(Q(name__icontains=word) | Q(code__icontains=word))
            else:
                queryset = queryset.filter(Q(name__icontains=word) | Q(number__startswith=word))
        return queryset

    def by_title(self, queryset: QuerySet, text: str) -> QuerySet:
        if self.name == "person":
            return queryset.alias(
                picker_full_name=Concat("first_name", Value(" "), "last_name")
            ).filter(picker_full_name__iexact=text)
        return queryset.filter(name__iexact=text)

    def search(self, queryset: QuerySet, query: str) -> tuple[list[dict], bool]:
        """Up to ``SEARCH_RESULTS`` suggestions and whether there are more (one query)."""
        rows = list(
            self.matching(queryset, query)
            .select_related(*self.related())
            .order_by(*self.order)[: SEARCH_RESULTS + 1]
        )
        results = [
            {
                "value": str(getattr(obj, self.key)),
                "label": self.label(obj),
                "description": self.description(obj),
            }
            for obj in rows[:SEARCH_RESULTS]
        ]
        return results, len(rows) > SEARCH_RESULTS


PERSON = PickerKind("person", "username", ("last_name", "first_name", "username"))
OFFICE = PickerKind("office", "code", ("name",))
MUNICIPALITY = PickerKind("municipality", "number", ("name", "number"))
KINDS = {kind.name: kind for kind in (PERSON, OFFICE, MUNICIPALITY)}

_KEY_IN_PARENTHESES = re.compile(r"\(\s*([^()]+?)\s*\)\s*$")


class ComboboxInput(forms.TextInput):
    """A text field that ``static/js/combobox.js`` turns into a combobox asking ``source``."""

    is_combobox = True

    def __init__(self, attrs=None, *, source: str = ""):
        super().__init__(attrs)
        self.source = source


class PickerBoundField(BoundField):
    @property
    def display_value(self) -> str:
        """What the text field shows: the label of the chosen object, else what was typed."""
        cleaned = getattr(self.form, "cleaned_data", {}).get(self.name)
        if isinstance(cleaned, self.field.queryset.model):  # resolved already: no query
            return self.field.kind.label(cleaned)
        return self.field.display(self.value())


class PickerField(forms.ModelChoiceField):
    """One object of ``kind`` from ``queryset``, typed or picked (see the module docstring)."""

    widget = ComboboxInput

    def __init__(self, *, kind: PickerKind, queryset: QuerySet, source: str = "", **kwargs):
        self.kind = kind
        kwargs.setdefault("to_field_name", kind.key)
        super().__init__(queryset=queryset, **kwargs)
        self.source = source

    @property
    def source(self) -> str:
        return self.widget.source

    @source.setter
    def source(self, url: str) -> None:
        self.widget.source = url

    def get_bound_field(self, form, field_name):
        return PickerBoundField(form, self, field_name)

    def resolve(self, text: str):
        """The one choice ``text`` names, or None."""
        text = text.strip()
        if not text:
            return None
        keys = [text]
        bracketed = _KEY_IN_PARENTHESES.search(text)
        if bracketed:
            keys.insert(0, bracketed.group(1))
        for key in keys:
            for lookup in ("exact", "iexact"):
                found = list(self.queryset.filter(**{f"{self.to_field_name}__{lookup}": key})[:2])
                if len(found) == 1:
                    return found[0]
        named = list(self.kind.by_title(self.queryset, text)[:2])
        return named[0] if len(named) == 1 else None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            return value
        found = self.resolve(str(value))
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value).strip()},
            )
        return found

    def display(self, value) -> str:
        if value in self.empty_values:
            return ""
        if isinstance(value, self.queryset.model):
            return self.kind.label(value)
        found = self.resolve(str(value))
        return self.kind.label(found) if found is not None else str(value)


class NorwegianDateField(forms.DateField):
    """A date typed as dd.mm.åååå (ISO åååå-mm-dd accepted too) in a plain text field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        messages = {"invalid": DATE_INVALID}
        messages.update(kwargs.pop("error_messages", {}))
        kwargs["error_messages"] = messages
        kwargs.setdefault("widget", forms.DateInput(format="%d.%m.%Y"))
        super().__init__(**kwargs)
