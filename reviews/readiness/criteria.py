"""The eleven criteria, each judging one office from the records read once (``reviews.readiness``;
the choices behind each are in the package's docstring and docs/audit-readiness.md)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.compliance import Severity
from agreements.models import MeetingKind
from offices.models import Office, OfficeDocumentKind
from reviews.readiness.data import _Data, _latest_submitted, _scorecard_window
from reviews.readiness.model import (
    CONFIRMATION_VALID_DAYS,
    FAILED,
    PASSED,
    UNKNOWN,
    Criterion,
    _day,
)
from scorecards.models import ActionPlanStatus
from scorecards.periods import (
    add_months,
    format_period,
    month_end,
    reporting_deadline,
)
from users.models import (
    EmployerSide,
)

# --- The criteria ---------------------------------------------------------------------------------


def _version_url(version) -> str:
    return reverse(
        "agreements:version", kwargs={"pk": version.agreement_id, "number": version.number}
    )


def _agreement_url(version) -> str:
    return reverse("agreements:detail", kwargs={"pk": version.agreement_id})


def _agreements_url(office: Office) -> str:
    return f"{reverse('agreements:list')}?office={office.code}"


def _no_agreement(key: str, office: Office) -> Criterion:
    return Criterion(
        key, FAILED, _("No partnership agreement is in force today."), _agreements_url(office)
    )


def _legal_minimum(office: Office, data: _Data) -> Criterion:
    result = data.compliance.get(office.pk)
    if result is None or result.version is None:
        return _no_agreement("legal_minimum", office)
    finding = next(f for f in result.findings if f.check == "legal_minimum")
    state = PASSED if finding.severity == Severity.OK else FAILED
    return Criterion("legal_minimum", state, finding.message, _version_url(result.version))


def _leader(office: Office, data: _Data) -> Criterion:
    leaders = data.leaders.get(office.pk, [])
    url = (
        reverse("access:review-office", kwargs={"code": office.code})
        if office.pk in data.reviewable
        else reverse("offices:detail", kwargs={"code": office.code})
    )
    if not leaders:
        return Criterion("leader", FAILED, _("The office has no leader today."), url)
    if len(leaders) > 1:
        return Criterion(
            "leader",
            FAILED,
            _("%(count)s leaders today: %(names)s.")
            % {"count": len(leaders), "names": ", ".join(leader.name for leader in leaders)},
            url,
        )
    leader = leaders[0]
    values = {"name": leader.name, "day": _day(leader.since)}
    if not leader.jointly_appointed:
        values["parties"] = ", ".join(leader.missing)
        return Criterion(
            "leader",
            FAILED,
            _(
                "%(name)s, leader since %(day)s; no recorded approval of the appointment "
                "by %(parties)s."
            )
            % values,
            url,
        )
    return Criterion(
        "leader",
        PASSED,
        _("%(name)s, leader since %(day)s, appointed by both parties.") % values,
        url,
    )


def _cooperation_meetings(office: Office, data: _Data) -> Criterion:
    result = data.compliance.get(office.pk)
    if result is None or result.version is None:
        return _no_agreement("cooperation_meetings", office)
    wanted = result.version.cooperation_meetings_per_year
    year_start = data.on.replace(month=1, day=1)
    held = sorted(
        day
        for kind, day in data.meetings.get(office.pk, [])
        if kind == MeetingKind.COOPERATION and day >= year_start
    )
    evidence = _("%(held)s of %(wanted)s agreed in %(year)s") % {
        "held": len(held),
        "wanted": wanted,
        "year": data.on.year,
    }
    if held:
        evidence += " (" + ", ".join(_day(day) for day in held) + ")"
    evidence += "."
    state = PASSED if len(held) >= wanted else FAILED
    return Criterion("cooperation_meetings", state, evidence, _agreement_url(result.version))


def _documents_url(office: Office, kind: str, pk: int | None = None) -> str:
    url = f"{reverse('offices:documents', kwargs={'code': office.code})}?type={kind}"
    return f"{url}#document-{pk}" if pk else url


def _business_plan(office: Office, data: _Data) -> Criterion:
    plans = [
        row
        for row in data.documents.get(office.pk, [])
        if row["kind"] == OfficeDocumentKind.BUSINESS_PLAN
    ]
    kind = OfficeDocumentKind.BUSINESS_PLAN
    if not plans:
        return Criterion(
            "business_plan",
            FAILED,
            _("No business plan for %(year)s is recorded.") % {"year": data.on.year},
            _documents_url(office, kind),
        )
    plan = plans[0]
    return Criterion(
        "business_plan",
        PASSED,
        _("“%(title)s”, valid from %(day)s.")
        % {"title": plan["title"], "day": _day(plan["valid_from"])},
        _documents_url(office, kind, plan["pk"]),
    )


def _internal_control(office: Office, data: _Data) -> Criterion:
    kind = OfficeDocumentKind.INTERNAL_CONTROL
    routines = [
        row
        for row in data.documents.get(office.pk, [])
        if row["kind"] == kind and row["recorded_by_side"] == EmployerSide.MUNICIPAL
    ]
    if not routines:
        return Criterion(
            "internal_control",
            FAILED,
            _("No internal-control routines recorded by the municipality are in force."),
            _documents_url(office, kind),
        )
    routine = routines[0]
    return Criterion(
        "internal_control",
        PASSED,
        _("“%(title)s”, recorded by the municipality, valid from %(day)s.")
        % {"title": routine["title"], "day": _day(routine["valid_from"])},
        _documents_url(office, kind, routine["pk"]),
    )


def _review_url(office: Office, data: _Data) -> str:
    if office.pk in data.reviewable:
        return reverse("access:review-office", kwargs={"code": office.code})
    return ""


def _cross_line_delegated(office: Office, data: _Data) -> Criterion:
    found = data.cross_line.get(office.pk)
    url = _review_url(office, data)
    if not found:
        return Criterion(
            "cross_line_delegated", PASSED, _("Nobody reaches the other line's data."), url
        )
    delegated, leader = len(found["delegation"]), len(found["leader"])
    # A person counted under a founded basis is not counted again as unfounded elsewhere.
    unfounded = len(found["unfounded"] - found["delegation"] - found["leader"])
    counts = _(
        "%(delegated)s through a delegation in force, %(leader)s as office leader, "
        "%(unfounded)s without either."
    ) % {"delegated": delegated, "leader": leader, "unfounded": unfounded}
    state = FAILED if unfounded else PASSED
    return Criterion("cross_line_delegated", state, counts, url)


def _access_review_confirmed(office: Office, data: _Data) -> Criterion:
    confirmation = data.confirmations.get(office.pk)
    url = _review_url(office, data)
    if confirmation is None:
        return Criterion(
            "access_review_confirmed",
            FAILED,
            _("The access review has never been confirmed."),
            url,
        )
    evidence = _("Confirmed %(day)s by %(name)s.") % {
        "day": _day(confirmation.confirmed_at),
        "name": confirmation.confirmed_by.get_full_name() or confirmation.confirmed_by.username,
    }
    recent = confirmation.confirmed_at > data.now - datetime.timedelta(days=CONFIRMATION_VALID_DAYS)
    return Criterion("access_review_confirmed", PASSED if recent else FAILED, evidence, url)


def _kvp(office: Office, data: _Data) -> Criterion:
    result = data.compliance.get(office.pk)
    if result is None or result.version is None:
        return _no_agreement("kvp", office)
    url = _version_url(result.version)
    if result.version.pk in data.kvp_versions:
        return Criterion("kvp", PASSED, _("Offered in the agreement in force."), url)
    return Criterion("kvp", FAILED, _("Not offered in the agreement in force."), url)


def _user_council(office: Office, data: _Data) -> Criterion:
    result = data.compliance.get(office.pk)
    if result is None or result.version is None:
        return _no_agreement("user_council", office)
    wanted = result.version.user_council_meetings_per_year
    year_ago = data.on - datetime.timedelta(days=365)
    held = sorted(
        day
        for kind, day in data.meetings.get(office.pk, [])
        if kind == MeetingKind.USER_COUNCIL and day > year_ago
    )
    evidence = _("%(held)s of %(wanted)s agreed in the last twelve months") % {
        "held": len(held),
        "wanted": wanted,
    }
    if held:
        evidence += " (" + ", ".join(_day(day) for day in held) + ")"
    evidence += "."
    state = PASSED if len(held) >= wanted else FAILED
    return Criterion("user_council", state, evidence, _agreement_url(result.version))


def _card_url(office: Office, period: datetime.date) -> str:
    return reverse("scorecards:card", kwargs={"office": office.code, "period": period})


def _deadline_end(period: datetime.date) -> datetime.datetime:
    """The end of a month's deadline day, in local time."""
    day = reporting_deadline(period) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _scorecard_on_time(office: Office, data: _Data) -> Criterion:
    """The twelve months before the reporting month, from the office's opening to its closing:
    each submitted by the end of its deadline day. The month now being reported (deadline the
    10th of this month) is followed on the scorecard pages as due or overdue; the audit looks at
    the months whose reporting is closed, so the answer does not change with the day of the
    month."""
    first, reporting = _scorecard_window(data.on)
    cards = data.scorecards.get(office.pk, {})
    judged, late, period = [], [], first
    while period < reporting:
        opened = office.opened_on is None or month_end(period) >= office.opened_on
        closed = office.closed_on is not None and period > office.closed_on
        if opened and not closed:
            judged.append(period)
            status, submitted_at, _pk = cards.get(period, (None, None, None))
            submitted = status == "submitted" and submitted_at is not None
            if not submitted or submitted_at >= _deadline_end(period):
                late.append(period)
        period = add_months(period, 1)
    if not judged:
        return Criterion("scorecard_on_time", UNKNOWN, _("No month has been due yet."))
    on_time = len(judged) - len(late)
    evidence = _("%(on_time)s of %(months)s on time") % {"on_time": on_time, "months": len(judged)}
    if late:
        evidence += "; " + ", ".join(
            _("%(month)s late") % {"month": format_period(period)} for period in late
        )
    evidence += "."
    url = _card_url(office, late[0] if late else judged[-1])
    return Criterion("scorecard_on_time", FAILED if late else PASSED, evidence, url)


def _action_plans(office: Office, data: _Data) -> Criterion:
    latest = _latest_submitted(data.scorecards.get(office.pk, {}))
    if latest is None:
        return Criterion(
            "action_plans", UNKNOWN, _("No submitted scorecard in the last twelve months.")
        )
    period, _pk = latest
    missed = data.missed.get(office.pk, [])
    plans_url = reverse("scorecards:plans", kwargs={"office": office.code})
    if not missed:
        return Criterion(
            "action_plans",
            PASSED,
            _("No target missed in %(month)s.") % {"month": format_period(period)},
            _card_url(office, period),
        )
    without = [
        code
        for indicator_id, code in missed
        if not any(
            status == ActionPlanStatus.OPEN or opened_for >= period
            for status, opened_for in data.plans.get((office.pk, indicator_id), [])
        )
    ]
    values = {
        "month": format_period(period),
        "missed": len(missed),
        "planned": len(missed) - len(without),
    }
    evidence = (
        ngettext(
            "%(month)s: %(planned)s of %(missed)s missed target has an action plan",
            "%(month)s: %(planned)s of %(missed)s missed targets have an action plan",
            len(missed),
        )
        % values
    )
    if without:
        evidence += " (" + _("none for %(codes)s") % {"codes": ", ".join(without)} + ")"
        return Criterion("action_plans", FAILED, evidence + ".", _card_url(office, period))
    return Criterion("action_plans", PASSED, evidence + ".", plans_url)


JUDGES = {
    "legal_minimum": _legal_minimum,
    "leader": _leader,
    "cooperation_meetings": _cooperation_meetings,
    "business_plan": _business_plan,
    "internal_control": _internal_control,
    "cross_line_delegated": _cross_line_delegated,
    "access_review_confirmed": _access_review_confirmed,
    "kvp": _kvp,
    "user_council": _user_council,
    "scorecard_on_time": _scorecard_on_time,
    "action_plans": _action_plans,
}
