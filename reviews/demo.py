"""The demo's audit readiness (issue 11, item 8): every criterion failing at some demo office and
passing at another, each with its evidence one click away.

``seed_readiness()`` is called by ``manage.py seed_demo`` after the agreements and the scorecard
(``agreements/demo.py``, ``scorecards/demo.py``), whose data already tells much of the story;
this module adds the rest, dated relative to the seeding day so the story holds next month and
next year. Running it again changes nothing (each addition is looked for first).

Criterion — passes at / fails at (where the data comes from):

* legal_minimum — Heimdal (Trondheim's agreement) / Narvik (no temporary accommodation in its
  agreement), Malvik (no agreement in force) (agreements demo);
* leader — Heimdal (Hege Lund, her appointment approved by both parties, recorded here) /
  Lerkendal (no leader), Indre Salten (its leader's appointment has no recorded approvals)
  (people demo);
* cooperation_meetings — Heimdal (two this year) / Indre Salten (one) (agreements demo; early in a
  year this module adds this year's meetings);
* business_plan — Heimdal (this year's) / Lerkendal (only last year's) (here);
* internal_control — Heimdal (recorded by the rådmann) / Midtbyen (its routines withdrawn) (here);
* cross_line_delegated — Heimdal (three delegations and the jointly appointed leader) / Indre
  Salten (its leader reaches both lines without a joint appointment on record) (people demo);
* access_review_confirmed — Heimdal (two months ago) / Midtbyen (fourteen months ago), Lerkendal
  (never) (here);
* kvp — Heimdal / Malvik (no agreement in force) (agreements demo);
* user_council — Bodø (four in the last twelve months) / Heimdal (one) (here, agreements demo);
* scorecard_on_time — Midtbyen / Østbyen (one month submitted five days late) (here);
* action_plans — Heimdal (a plan for every missed target) / Lerkendal (activity plans missed
  last month, no plan) (scorecards demo, and plans here for any other miss at Heimdal).

The demo's leaders are seeded as roles in force (``seed_demo``), around the approval flow of
rule 5; this module records the two parties' approvals of Heimdal's leader, as the flow would
have (``users.services.role_assignment_approve``), and leaves Indre Salten's without.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from agreements.models import AgreementVersion, Meeting, MeetingKind
from offices.models import Office, OfficeDocument, OfficeDocumentKind, OfficeMunicipality
from offices.services import office_document_record, office_document_withdraw
from scorecards.models import (
    ActionPlan,
    ActionPlanStatus,
    Scorecard,
    ScorecardLine,
    ScorecardStatus,
    Status,
)
from scorecards.periods import add_months, reporting_deadline, reporting_month
from users.models import (
    AccessReviewConfirmation,
    EmployerSide,
    Role,
    RoleApproval,
    RoleAssignment,
    User,
)
from users.services import access_review_confirm

TRONDHEIM = ("heimdal", "lerkendal", "midtbyen", "ostbyen")
INTERNAL_CONTROL_TITLE = "Internkontroll for sosiale tjenester i NAV (sosialtjenesteloven § 5)"
WITHDRAWN_TITLE = "Internkontroll for sosiale tjenester i NAV Midtbyen (utgått)"
COOPERATION_TITLE = "Samarbeidsmøte rådmann og fylkesdirektør (revisjonsklar)"
USER_COUNCIL_TITLE = "Brukerråd NAV Bodø"


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_readiness(*, today: datetime.date | None = None) -> None:
    """The demo's audit-readiness data; what is there already is left as it is."""
    today = today or timezone.localdate()
    with transaction.atomic():
        people = {
            user.username: user
            for user in User.objects.filter(
                username__in=[
                    "leder.heimdal",
                    "radmann.trondheim",
                    "fylkesdirektor.trondelag",
                    "fylkesdirektor.nordland",
                    "radmann.bodo",
                ]
            )
        }
        offices = {office.code: office for office in Office.objects.all()}
        if "heimdal" not in offices or len(people) < 5:
            return  # not the demo's offices and people
        _business_plans(people, offices, today)
        _internal_control(people, offices, today)
        _confirmations(people, offices, today)
        _cooperation_meetings(people, offices, today)
        _user_councils(people, offices, today)
        _leader_approvals(people, offices)
        _late_scorecard(offices, today)
        _plans_for_missed(people, offices["heimdal"])


def _business_plans(people, offices, today) -> None:
    leader = people["leder.heimdal"]
    director = people["fylkesdirektor.trondelag"]
    for office, author, year in (
        (offices["heimdal"], leader, today.year),
        (offices["lerkendal"], director, today.year - 1),  # only last year's: fails this year
    ):
        if OfficeDocument.objects.filter(
            office=office, kind=OfficeDocumentKind.BUSINESS_PLAN, year=year
        ).exists():
            continue
        office_document_record(
            user=author,
            office=office,
            kind=OfficeDocumentKind.BUSINESS_PLAN,
            title=f"Virksomhetsplan {year} for {office.name}",
            year=year,
            valid_from=datetime.date(year, 1, 1),
            reference=f"Sak {year}/{office.pk:04d}",
            description=(
                "Bygger på prioriteringsdokumentet fra rådmannen og fylkesdirektøren, med "
                "kontorets egne satsingsområder."
            ),
        )


def _internal_control(people, offices, today) -> None:
    radmann = people["radmann.trondheim"]
    heimdal, midtbyen = offices["heimdal"], offices["midtbyen"]
    if not OfficeDocument.objects.filter(
        office=heimdal, kind=OfficeDocumentKind.INTERNAL_CONTROL
    ).exists():
        office_document_record(
            user=radmann,
            office=heimdal,
            kind=OfficeDocumentKind.INTERNAL_CONTROL,
            title=INTERNAL_CONTROL_TITLE,
            valid_from=today - datetime.timedelta(days=400),
            reference="Trondheim kommune, kvalitetssystemet, dok. 2025/118",
        )
    if not OfficeDocument.objects.filter(
        office=midtbyen, kind=OfficeDocumentKind.INTERNAL_CONTROL
    ).exists():
        document = office_document_record(
            user=radmann,
            office=midtbyen,
            kind=OfficeDocumentKind.INTERNAL_CONTROL,
            title=WITHDRAWN_TITLE,
            valid_from=today - datetime.timedelta(days=900),
            reference="Trondheim kommune, kvalitetssystemet, dok. 2023/41",
            description="Trukket tilbake: rutinene gjelder ikke lenger etter omorganiseringen.",
        )
        office_document_withdraw(user=radmann, document=document)


def _confirm(user, office, when: datetime.datetime, note: str) -> None:
    if AccessReviewConfirmation.objects.filter(office=office).exists():
        return
    confirmation = access_review_confirm(user=user, office=office, note=note)
    # A historical date: the service records "now".
    AccessReviewConfirmation.objects.filter(pk=confirmation.pk).update(confirmed_at=when)


def _confirmations(people, offices, today) -> None:
    _confirm(
        people["leder.heimdal"],
        offices["heimdal"],
        _at(today - datetime.timedelta(days=60)),
        "Gått gjennom sammen med teamkoordinatorene; tre delegasjoner til statlig ansatte.",
    )
    _confirm(
        people["radmann.trondheim"],
        offices["midtbyen"],
        _at(today - datetime.timedelta(days=425)),
        "Gjennomgått før omorganiseringen.",
    )


def _in_force(office: Office, today) -> AgreementVersion | None:
    return (
        AgreementVersion.objects.in_force(today)
        .filter(agreement__offices=office)
        .select_related("agreement")
        .first()
    )


def _cooperation_meetings(people, offices, today) -> None:
    """Trondheim's samarbeidsmøter this year: the agreements demo holds two within the last
    year; early in a year, the demo adds this year's (on the first days of the year)."""
    trondheim = [offices[code] for code in TRONDHEIM]
    version = _in_force(offices["heimdal"], today)
    if version is None:
        return
    year_start = today.replace(month=1, day=1)
    held = (
        Meeting.objects.filter(
            kind=MeetingKind.COOPERATION,
            offices=offices["heimdal"],
            held_on__gte=year_start,
            held_on__lte=today,
        )
        .distinct()
        .count()
    )
    for number in range(held, version.cooperation_meetings_per_year):
        day = min(today, year_start + datetime.timedelta(days=14 * number))
        meeting = Meeting.objects.create(
            kind=MeetingKind.COOPERATION,
            held_on=day,
            title=f"{COOPERATION_TITLE} {number + 1}",
            participants="Rådmann Rolf Strand, fylkesdirektør Frida Haugen",
            created_by=people["radmann.trondheim"],
            updated_by=people["radmann.trondheim"],
        )
        meeting.offices.set(trondheim)


def _user_councils(people, offices, today) -> None:
    """Bodø's brukerråd: four meetings in the last twelve months, as agreed (default four)."""
    bodo = offices.get("bodo")
    if bodo is None or Meeting.objects.filter(title__startswith=USER_COUNCIL_TITLE).exists():
        return
    for days in (20, 110, 200, 290):
        day = today - datetime.timedelta(days=days)
        meeting = Meeting.objects.create(
            kind=MeetingKind.USER_COUNCIL,
            held_on=day,
            title=f"{USER_COUNCIL_TITLE} {day:%d.%m.%Y}",
            participants="Brukerrepresentanter, NAV-leder, kommunaldirektør",
            created_by=people["radmann.bodo"],
            updated_by=people["radmann.bodo"],
        )
        meeting.offices.set([bodo])


def _leader_approvals(people, offices) -> None:
    """Both parties' approval of Heimdal's leader: the county director and Trondheim's rådmann
    (Heimdal has no host municipality: every served municipality's executive approves)."""
    heimdal = offices["heimdal"]
    assignment = (
        RoleAssignment.objects.active()
        .filter(user=people["leder.heimdal"], role=Role.OFFICE_LEADER, office=heimdal)
        .first()
    )
    if assignment is None or assignment.approvals.exists():
        return
    approved_at = assignment.valid_from
    RoleApproval.objects.create(
        assignment=assignment,
        side=EmployerSide.STATE,
        approved_by=people["fylkesdirektor.trondelag"],
        approved_at=approved_at,
    )
    for membership in OfficeMunicipality.objects.valid_on().filter(office=heimdal):
        RoleApproval.objects.create(
            assignment=assignment,
            side=EmployerSide.MUNICIPAL,
            municipality=membership.municipality,
            approved_by=people["radmann.trondheim"],
            approved_at=approved_at,
        )


def _late_scorecard(offices, today) -> None:
    """Østbyen submitted one month five days after its deadline (three months back)."""
    period = add_months(reporting_month(today), -3)
    late = _at(reporting_deadline(period) + datetime.timedelta(days=5), 15)
    Scorecard.objects.filter(
        office=offices["ostbyen"], period=period, status=ScorecardStatus.SUBMITTED
    ).update(submitted_at=late)


def _plans_for_missed(people, office: Office) -> None:
    """Heimdal has an action plan for every target missed in its latest submitted month: the
    scorecard demo opens one for its story; any other miss of the drawn values gets one here."""
    latest = (
        Scorecard.objects.filter(office=office, status=ScorecardStatus.SUBMITTED)
        .order_by("-period")
        .first()
    )
    if latest is None:
        return
    leader = people["leder.heimdal"]
    missed = ScorecardLine.objects.filter(scorecard=latest, status=Status.MISSED).select_related(
        "indicator"
    )
    for line in missed:
        if ActionPlan.objects.filter(
            office=office, indicator=line.indicator, status=ActionPlanStatus.OPEN
        ).exists():
            continue
        ActionPlan.objects.create(
            office=office,
            indicator=line.indicator,
            scorecard=latest,
            period=latest.period,
            analysis="Resultatet er under målkravet denne måneden; årsakene kartlegges i teamet.",
            goal="Tilbake over målkravet innen tre måneder.",
            created_by=leader,
            updated_by=leader,
        )
