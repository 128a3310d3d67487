"""Audit readiness (revisjonsklar): the checkable criteria of the 2011 audit, live, per office.

Trondheim kommunerevisjon's report 07/2011 (source 001) judged the partnership against criteria
it names in §4.1 (services, leadership, samarbeidsmøter, internal control, virksomhetsplan),
§5.1 and ch. 7 (information security across the two employers) and §6.1 (user participation),
and followed the monthly målekort (§4.8.3) and its action plans (§4.9). This module asks the
same questions of the data, for many offices at once, so an office (or the rådmann and the
fylkesdirektør, on their review pages) can see what an auditor would find today, each answer
with its evidence and a link to it:

    readiness = readiness_for_offices(user=request.user, offices=offices)
    readiness[office.pk].criteria  # the 11 criteria, always in the order of CRITERIA
    readiness[office.pk].passed    # how many passed ("8 av 11")

Each criterion is ``passed``, ``failed`` or ``unknown``: unknown where the reader may not see the
evidence (the criteria read the office's **joint** data — agreements, meetings, documents, the
submitted scorecard summary and action plans — so they are unknown to anyone without a role at
the office, its municipalities or its county) or where there is nothing to judge yet (an office
that has not reported a month). The access-review criteria reveal only counts and dates, and
link to the access review only for those who may open it (``access.offices_reviewable``).

The answers are computed, never stored: a meeting recorded or a plan opened a second ago counts.
``readiness_for_offices`` costs a constant number of queries (about fifteen) however many offices
and however many years of data there are: every read is by office ids, within the window the
criterion looks at (this year, the last twelve months, the latest submitted month).

Choices written down here (docs: the criteria's docstrings below):

* *Internal control in force*: an ``OfficeDocument`` of kind ``internal_control`` recorded by a
  municipal-employed writer, valid from today or earlier and not withdrawn. Routines do not
  expire by themselves; the access review's yearly confirmation is where the parties look again.
* *Business plan*: one for this calendar year, in force (not withdrawn), recorded by anyone who
  may record it (``offices/services.py``).
* *Scorecard on time*: the twelve months before the reporting month (their reporting is closed),
  from the office's opening; a month counts as on time when its scorecard was submitted
  (``submitted_at``) by the end of its deadline day. A scorecard reopened and not yet submitted
  again counts as not submitted. The month now being reported is followed as due or overdue on
  the scorecard pages, not here, so the answer does not change with the day of the month.
* *Action plans*: each indicator missed in the latest submitted month needs an action plan for
  the office and indicator that is open, or was opened for that month or later.
* *One leader, jointly appointed*: exactly one office leader in office today whose appointment
  carries the recorded approval of both parties (``RoleApproval``: the county director, and the
  host municipality's executive or, without a host, every served municipality's — rule 5,
  ``users/access/parties.py``). A leader role put in place around the approvals (seeded, or
  given in the admin) is in force for the policy but not jointly appointed for the audit.
* *Cross-line access*: the permission rows in force (what the policy enforces) where a person
  reaches the other employer's side; each must rest on a delegation in force or on the jointly
  appointed leader's role at the office. Anything else — the reach of a leader whose
  appointment lacks a party's approval, or a row whose delegation is no longer in force (what
  the hourly resync repairs) — fails the criterion.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from navpartner.sidedata import Side
from offices.models import Office
from reviews.readiness.criteria import JUDGES
from reviews.readiness.data import _read
from reviews.readiness.model import (
    CONFIRMATION_VALID_DAYS,
    CRITERIA,
    CRITERION_KEYS,
    DEFINITIONS,
    FAILED,
    KVP_SERVICE,
    PASSED,
    SCORECARD_MONTHS,
    STATE_COLOURS,
    STATE_LABELS,
    STATE_SYMBOLS,
    STATES,
    UNKNOWN,
    Criterion,
    CriterionDefinition,
    OfficeReadiness,
)
from users import access

__all__ = [
    "CONFIRMATION_VALID_DAYS",
    "CRITERIA",
    "CRITERION_KEYS",
    "DEFINITIONS",
    "FAILED",
    "KVP_SERVICE",
    "PASSED",
    "SCORECARD_MONTHS",
    "STATES",
    "STATE_COLOURS",
    "STATE_LABELS",
    "STATE_SYMBOLS",
    "UNKNOWN",
    "Criterion",
    "CriterionDefinition",
    "OfficeReadiness",
    "office_readiness",
    "readiness_for_offices",
    "readiness_header",
    "readiness_rows",
    "readiness_values",
]


def _unknown(office: Office) -> OfficeReadiness:
    return OfficeReadiness(
        office=office,
        criteria=[Criterion(key, UNKNOWN) for key in CRITERION_KEYS],
        visible=False,
    )


def readiness_for_offices(
    *, user, offices, on: datetime.date | None = None, compliance: dict | None = None
) -> dict[int, OfficeReadiness]:
    """``{office id: OfficeReadiness}`` for ``offices`` (Office instances, already filtered by
    the caller through the policy), in a constant number of queries.

    Offices whose joint data ``user`` may not see get every criterion ``unknown``, without
    evidence or link (``visible`` false): nothing of their partnership is revealed.

    ``compliance``: the result of ``agreements.compliance.compliance_for_offices`` for (at
    least) these offices on the same day, where the caller has it already (a review page that
    shows compliance too): it spares its nine queries. The criteria reading "now" (leaders,
    cross-line access, confirmations) read the present whatever ``on`` says.
    """
    offices = list(offices)
    on = on or timezone.localdate()
    if not offices:
        return {}
    permissions = access.side_permissions(user, offices=offices)
    visible = [office for office in offices if permissions.allows(access.VIEW, office, Side.JOINT)]
    results = {office.pk: _unknown(office) for office in offices}
    if not visible:
        return results
    data = _read([office.pk for office in visible], user=user, on=on, compliance=compliance)
    for office in visible:
        results[office.pk] = OfficeReadiness(
            office=office, criteria=[JUDGES[key](office, data) for key in CRITERION_KEYS]
        )
    return results


def office_readiness(*, user, office: Office, on: datetime.date | None = None) -> OfficeReadiness:
    return readiness_for_offices(user=user, offices=[office], on=on)[office.pk]


# --- Exports --------------------------------------------------------------------------------------


def readiness_header() -> list[str]:
    """Column titles for exports: a count, then per criterion its state and its evidence."""
    header = [_("Audit readiness (criteria passed)")]
    for definition in CRITERIA:
        header.append(str(definition.short_title))
        header.append(_("%(criterion)s: evidence") % {"criterion": definition.short_title})
    return header


def readiness_values(readiness: OfficeReadiness | None) -> list:
    """The values of one office's row under ``readiness_header()`` (empty cells when none)."""
    if readiness is None or not readiness.visible:
        return [""] * (1 + 2 * len(CRITERIA))
    values: list = [f"{readiness.passed}/{readiness.total}"]
    for criterion in readiness.criteria:
        values.append(criterion.state_label)
        values.append(criterion.evidence)
    return values


def readiness_rows(readiness: OfficeReadiness | None) -> list:
    """``[header, values]`` for one office: what an export adds to its row (``readiness_header``
    once, ``readiness_values`` per office, for exports with many offices)."""
    return [readiness_header(), readiness_values(readiness)]
