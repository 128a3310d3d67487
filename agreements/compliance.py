"""Is each office's partnership in order? Checks computed live, each with its source.

``compliance_for_offices(offices)`` answers for many offices in a constant number of queries
(the office page asks for one, the overviews for a county's forty); ``office_compliance(office)``
is the one-office shortcut. Every finding names the rule it checks and where that rule comes
from, and says what to do.

The checks (issue 9 §6):

1. an agreement in force today (NAV Act § 14: a local agreement for every office);
2. the legal minimum of municipal services in it (NAV Act § 13, the Social Services Act);
3. every required topic of the KS/directorate template covered;
4. revision or end within 90 days (warning) or passed (error);
5. an operating agreement whose cost key sums to 100 %;
6. cooperation agreements evaluated on time;
7. at least the agreed number of samarbeidsmøter and partnership meetings in the last year
   (the 2011 audit's criterion: two samarbeidsmøter a year).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from agreements.models import (
    AgreementSection,
    AgreementService,
    AgreementVersion,
    CooperationAgreement,
    CostShare,
    Meeting,
    MeetingKind,
    MunicipalService,
    RequiredTopic,
)

WARN_WITHIN_DAYS = 90


class Severity:
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


SEVERITY_LABELS = {
    Severity.OK: gettext_lazy("In order"),
    Severity.WARNING: gettext_lazy("Warning"),
    Severity.ERROR: gettext_lazy("Not in order"),
}

SOURCES = {
    "agreement_in_force": gettext_noop(
        "NAV Act § 14: the municipality and NAV make a local agreement for every office."
    ),
    "legal_minimum": gettext_noop(
        "NAV Act § 13 and the Social Services Act: the minimum municipal services in every office."
    ),
    "topics_covered": gettext_noop(
        "The KS and Directorate of Labour and Welfare template for partnership agreements."
    ),
    "revision": gettext_noop("The agreement's own revision clause and period."),
    "cost_key": gettext_noop(
        "The operating agreement (driftsavtale): the economic frame and cost-sharing key."
    ),
    "cooperation_evaluation": gettext_noop(
        "The cooperation agreement's own evaluation clause (samarbeidsavtale)."
    ),
    "meetings": gettext_noop(
        "The agreement's governance clause; the 2011 audit asked for at least two "
        "samarbeidsmøter a year between the municipal executive and the county director."
    ),
}

TITLES = {
    "agreement_in_force": gettext_lazy("Agreement in force"),
    "legal_minimum": gettext_lazy("Legal minimum of municipal services"),
    "topics_covered": gettext_lazy("Required topics covered"),
    "revision": gettext_lazy("Revision and period"),
    "cost_key": gettext_lazy("Operating agreement and cost key"),
    "cooperation_evaluation": gettext_lazy("Cooperation agreements evaluated"),
    "meetings": gettext_lazy("Governance meetings held"),
}


@dataclass(frozen=True)
class Finding:
    check: str  # a key of TITLES
    severity: str
    message: str
    version_id: int | None = None

    @property
    def title(self) -> str:
        return str(TITLES[self.check])

    @property
    def source(self) -> str:
        return _(SOURCES[self.check])

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS[self.severity])


@dataclass
class OfficeCompliance:
    office_id: int
    version: AgreementVersion | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def severity(self) -> str:
        severities = {finding.severity for finding in self.findings}
        for severity in (Severity.ERROR, Severity.WARNING):
            if severity in severities:
                return severity
        return Severity.OK

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS[self.severity])

    @property
    def problems(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity != Severity.OK]


def _date(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


def compliance_for_offices(offices, *, on: datetime.date | None = None) -> dict:
    """``{office id: OfficeCompliance}`` for ``offices`` (already filtered by the caller
    through the access policy). Nine queries, whatever the number of offices."""
    on = on or timezone.localdate()
    office_ids = [getattr(office, "pk", office) for office in offices]
    results = {pk: OfficeCompliance(pk, None) for pk in office_ids}
    if not office_ids:
        return results

    in_force: dict[int, AgreementVersion] = {}
    rows = (
        AgreementVersion.objects.in_force(on)
        .filter(agreement__offices__in=office_ids)
        .select_related("agreement")
        .values_list("agreement__offices", "pk")
    )
    version_of_office = dict(rows)
    versions = AgreementVersion.objects.select_related("agreement").in_bulk(
        set(version_of_office.values())
    )
    for office_id, version_id in version_of_office.items():
        in_force[office_id] = versions[version_id]
    version_ids = list(versions)

    minimum = dict(
        MunicipalService.objects.filter(is_minimum=True, is_active=True).values_list("pk", "name")
    )
    services = defaultdict(set)
    for version_id, service_id in AgreementService.objects.filter(
        version__in=version_ids, starts_on__lte=on
    ).values_list("version", "service"):
        services[version_id].add(service_id)
    topics = defaultdict(set)
    for version_id, topic in (
        AgreementSection.objects.filter(version__in=version_ids)
        .exclude(text="")
        .values_list("version", "topic")
    ):
        topics[version_id].add(topic)
    agreements = {version.agreement_id for version in versions.values()}
    cost_sums = dict(
        CostShare.objects.filter(operating_agreement__agreement__in=agreements)
        .values_list("operating_agreement__agreement")
        .annotate(total=Sum("percent"))
        .values_list("operating_agreement__agreement", "total")
    )
    overdue = defaultdict(list)
    for office_id, partner, next_evaluation in CooperationAgreement.objects.filter(
        office__in=office_ids, valid_from__lte=on
    ).values_list("office", "partner", "next_evaluation"):
        if next_evaluation < on:
            overdue[office_id].append((partner, next_evaluation))
    year_ago = on - datetime.timedelta(days=365)
    meetings = Counter(
        Meeting.offices.through.objects.filter(
            office__in=office_ids,
            meeting__held_on__gt=year_ago,
            meeting__held_on__lte=on,
        ).values_list("office", "meeting__kind")
    )

    for office_id in office_ids:
        result = results[office_id]
        version = in_force.get(office_id)
        result.version = version
        add = result.findings.append
        if version is None:
            add(
                Finding(
                    "agreement_in_force",
                    Severity.ERROR,
                    _("No partnership agreement is in force today. Draft one and approve it."),
                )
            )
            continue
        vid = version.pk
        add(
            Finding(
                "agreement_in_force",
                Severity.OK,
                _("“%(title)s”, version %(number)s, in force since %(start)s.")
                % {
                    "title": version.agreement.title,
                    "number": version.number,
                    "start": _date(version.valid_from),
                },
                vid,
            )
        )
        missing = sorted(name for pk, name in minimum.items() if pk not in services[vid])
        if missing:
            add(
                Finding(
                    "legal_minimum",
                    Severity.ERROR,
                    _("Missing from the agreement: %(services)s. Add them in a new version.")
                    % {"services": ", ".join(missing)},
                    vid,
                )
            )
        else:
            add(
                Finding(
                    "legal_minimum",
                    Severity.OK,
                    _("All %(count)s services of the legal minimum are offered.")
                    % {"count": len(minimum)},
                    vid,
                )
            )
        uncovered = [str(t.label) for t in RequiredTopic if t.value not in topics[vid]]
        if uncovered:
            add(
                Finding(
                    "topics_covered",
                    Severity.WARNING,
                    _("No text on: %(topics)s. Write them in the next version.")
                    % {"topics": ", ".join(uncovered)},
                    vid,
                )
            )
        else:
            add(Finding("topics_covered", Severity.OK, _("Every required topic is covered."), vid))
        add(_revision_finding(version, on))
        total = cost_sums.get(version.agreement_id)
        if total is None:
            add(
                Finding(
                    "cost_key",
                    Severity.WARNING,
                    _("No operating agreement with a cost key. Agree one with the municipality."),
                    vid,
                )
            )
        elif Decimal(total) != Decimal(100):
            add(
                Finding(
                    "cost_key",
                    Severity.ERROR,
                    _("The cost key sums to %(sum)s %%, not 100 %%. Correct the shares.")
                    % {"sum": f"{Decimal(total).normalize():f}"},
                    vid,
                )
            )
        else:
            add(Finding("cost_key", Severity.OK, _("The cost key sums to 100 %."), vid))
        late = overdue.get(office_id, [])
        if late:
            add(
                Finding(
                    "cooperation_evaluation",
                    Severity.WARNING,
                    _("Evaluation overdue: %(list)s. Evaluate and set the next date.")
                    % {
                        "list": ", ".join(
                            f"{partner} ({_date(day)})" for partner, day in sorted(late)
                        )
                    },
                )
            )
        else:
            add(
                Finding(
                    "cooperation_evaluation",
                    Severity.OK,
                    _("No cooperation agreement is overdue for evaluation."),
                )
            )
        held_cooperation = meetings[(office_id, MeetingKind.COOPERATION)]
        held_partnership = meetings[(office_id, MeetingKind.PARTNERSHIP)]
        wanted_cooperation = version.cooperation_meetings_per_year
        wanted_partnership = version.partnership_meetings_per_year
        if held_cooperation < wanted_cooperation or held_partnership < wanted_partnership:
            add(
                Finding(
                    "meetings",
                    Severity.WARNING,
                    _(
                        "In the last year: %(cooperation)s of %(cooperation_wanted)s cooperation "
                        "meetings and %(partnership)s of %(partnership_wanted)s partnership "
                        "meetings agreed. Plan the missing ones."
                    )
                    % {
                        "cooperation": held_cooperation,
                        "cooperation_wanted": wanted_cooperation,
                        "partnership": held_partnership,
                        "partnership_wanted": wanted_partnership,
                    },
                    vid,
                )
            )
        else:
            add(
                Finding(
                    "meetings",
                    Severity.OK,
                    _(
                        "In the last year: %(cooperation)s cooperation and %(partnership)s "
                        "partnership meetings, as agreed."
                    )
                    % {"cooperation": held_cooperation, "partnership": held_partnership},
                    vid,
                )
            )
    return results


def _revision_finding(version: AgreementVersion, on: datetime.date) -> Finding:
    """The revision date passed (error) or near (warning); the end near (warning). A version
    past its end is not in force, so that case is the "no agreement in force" finding."""
    soon = on + datetime.timedelta(days=WARN_WITHIN_DAYS)
    revision, end = version.revision_due, version.valid_to
    values = {"days": WARN_WITHIN_DAYS}
    if revision and revision < on:
        message = _("The revision was due %(day)s. Revise the agreement in a new version.")
        return Finding("revision", Severity.ERROR, message % {"day": _date(revision)}, version.pk)
    if revision and revision <= soon:
        message = _("The revision is due %(day)s, within %(days)s days. Start the revision.")
        return Finding(
            "revision",
            Severity.WARNING,
            message % {**values, "day": _date(revision)},
            version.pk,
        )
    if end and end <= soon:
        message = _(
            "The agreement ends %(day)s, within %(days)s days. Extend it or agree a new one."
        )
        return Finding(
            "revision", Severity.WARNING, message % {**values, "day": _date(end)}, version.pk
        )
    return Finding(
        "revision",
        Severity.OK,
        _("No revision or end within %(days)s days.") % values,
        version.pk,
    )


def office_compliance(office, *, on: datetime.date | None = None) -> OfficeCompliance:
    return compliance_for_offices([office], on=on)[getattr(office, "pk", office)]
