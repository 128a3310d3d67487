"""What a readiness answer is: the criteria's definitions, one criterion's answer, an office's
answers (``reviews.readiness``)."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy, pgettext_lazy

from offices.models import Office

PASSED = "passed"
FAILED = "failed"
UNKNOWN = "unknown"
STATES = (PASSED, FAILED, UNKNOWN)

# A state is shown as a symbol and a word, never by colour alone (WCAG 1.4.1).
STATE_SYMBOLS = {PASSED: "✓", FAILED: "✗", UNKNOWN: "?"}
STATE_LABELS = {
    PASSED: pgettext_lazy("audit criterion", "Passed"),
    FAILED: pgettext_lazy("audit criterion", "Failed"),
    UNKNOWN: pgettext_lazy("audit criterion", "Unknown"),
}
# Aksel's tag colours (``data-color``), beside the symbol and the word.
STATE_COLOURS = {PASSED: "success", FAILED: "danger", UNKNOWN: "neutral"}

# The code of kvalifiseringsprogrammet in the service catalogue (agreements/migrations/0002).
KVP_SERVICE = "kvalifiseringsprogrammet"
# The access review must have been confirmed within this many days.
CONFIRMATION_VALID_DAYS = 365
# How many reporting months the målekort criterion looks back.
SCORECARD_MONTHS = 12


@dataclass(frozen=True)
class CriterionDefinition:
    key: str
    title: str  # lazy
    short_title: str  # lazy: a column heading
    source: str  # the audit's section


CRITERIA = (
    CriterionDefinition(
        "legal_minimum",
        gettext_lazy("The legal minimum of municipal services is offered"),
        gettext_lazy("Minimum"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "leader",
        gettext_lazy("One leader, jointly appointed"),
        gettext_lazy("Leader"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "cooperation_meetings",
        gettext_lazy("The agreed number of cooperation meetings this year"),
        gettext_lazy("Cooperation meetings"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "business_plan",
        gettext_lazy("A business plan (virksomhetsplan) for this year"),
        gettext_lazy("Business plan"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "internal_control",
        gettext_lazy("Internal-control routines recorded by the municipality"),
        gettext_lazy("Internal control"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "cross_line_delegated",
        gettext_lazy("Every cross-line access rests on a delegation in force"),
        gettext_lazy("Cross-line access"),
        "001 §5.1",
    ),
    CriterionDefinition(
        "access_review_confirmed",
        gettext_lazy("The access review confirmed within the last twelve months"),
        gettext_lazy("Access review"),
        "001 §5.1",
    ),
    CriterionDefinition(
        "kvp",
        gettext_lazy("The qualification programme (KVP) is offered"),
        gettext_lazy("KVP"),
        "001 §4.1",
    ),
    CriterionDefinition(
        "user_council",
        gettext_lazy("The user council met as agreed in the last twelve months"),
        gettext_lazy("User council"),
        "001 §6.1",
    ),
    CriterionDefinition(
        "scorecard_on_time",
        gettext_lazy("The monthly scorecard reported on time"),
        gettext_lazy("Scorecard on time"),
        "001 §4.8.3",
    ),
    CriterionDefinition(
        "action_plans",
        gettext_lazy("An action plan for every missed target"),
        gettext_lazy("Action plans"),
        "001 §4.9",
    ),
)
CRITERION_KEYS = tuple(definition.key for definition in CRITERIA)
DEFINITIONS = {definition.key: definition for definition in CRITERIA}


@dataclass(frozen=True)
class Criterion:
    """One criterion's answer for one office."""

    key: str
    state: str  # PASSED, FAILED or UNKNOWN
    evidence: str = ""  # what was found, with its date or number
    url: str = ""  # the evidence, where the reader may open it

    @property
    def definition(self) -> CriterionDefinition:
        return DEFINITIONS[self.key]

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def short_title(self) -> str:
        return self.definition.short_title

    @property
    def source(self) -> str:
        return self.definition.source

    @property
    def symbol(self) -> str:
        return STATE_SYMBOLS[self.state]

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def colour(self) -> str:
        return STATE_COLOURS[self.state]

    @property
    def passed(self) -> bool:
        return self.state == PASSED

    @property
    def failed(self) -> bool:
        return self.state == FAILED


@dataclass
class OfficeReadiness:
    """The criteria of one office, in the order of ``CRITERIA``."""

    office: Office
    criteria: list[Criterion] = field(default_factory=list)
    visible: bool = True  # whether the reader may see the office's joint data at all

    def _count(self, state: str) -> int:
        return sum(1 for criterion in self.criteria if criterion.state == state)

    @property
    def passed(self) -> int:
        return self._count(PASSED)

    @property
    def failed(self) -> int:
        return self._count(FAILED)

    @property
    def unknown(self) -> int:
        return self._count(UNKNOWN)

    @property
    def total(self) -> int:
        return len(self.criteria)

    def criterion(self, key: str) -> Criterion:
        return next(criterion for criterion in self.criteria if criterion.key == key)

    def __iter__(self):
        return iter(self.criteria)


def _day(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return date_format(value, "SHORT_DATE_FORMAT")


def _full_name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username
