"""Compliance (issue 9, item 6): every finding the demo data produces, and each one cleared by
fixing it through the services, as a party would; the checks' queries do not grow with the
number of offices and versions.

The demo (``agreements/demo.py``): the four Trondheim offices are in order; Malvik, Stjørdal and
Tromsø have no agreement; Indre Salten's cooperation agreement is overdue for evaluation and it
held one samarbeidsmøte of two; Narvik's agreement lacks midlertidig botilbud, is due for
revision within 90 days and has no operating agreement or meetings; Bodø's is past its revision
date, lacks two topics, and its imported cost key sums to 95 %.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from agreements.compliance import Severity, compliance_for_offices, office_compliance
from agreements.content import content_hash
from agreements.demo import BODO_TITLE, INDRE_SALTEN_TITLE, NARVIK_TITLE, TRONDHEIM_TITLE
from agreements.models import (
    CooperationAgreement,
    CostShare,
    MeetingKind,
    MunicipalService,
    OperatingAgreement,
    RequiredTopic,
    VersionStatus,
)
from agreements.services import (
    agreement_draft,
    agreement_version_approve,
    agreement_version_new,
    agreement_version_update,
    meeting_record,
    operating_agreement_save,
)
from navpartner.sidedata_services import side_data_update
from offices.models import Municipality, Office
from tests.agreements.conftest import every_topic, minimum_services
from users.models import EmployerSide
from users.services import role_assignment_ensure, user_upsert

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_agreements")]


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, whatever the translations say."""
    with translation.override("en"):
        yield


IN_ORDER: dict[str, str] = {}
DEMO_FINDINGS = {
    "heimdal": IN_ORDER,
    "lerkendal": IN_ORDER,
    "midtbyen": IN_ORDER,
    "ostbyen": IN_ORDER,
    "malvik": {"agreement_in_force": Severity.ERROR},
    "stjordal": {"agreement_in_force": Severity.ERROR},
    "tromso": {"agreement_in_force": Severity.ERROR},
    "indre-salten": {"cooperation_evaluation": Severity.WARNING, "meetings": Severity.WARNING},
    "narvik": {
        "legal_minimum": Severity.ERROR,
        "revision": Severity.WARNING,
        "cost_key": Severity.WARNING,
        "meetings": Severity.WARNING,
    },
    "bodo": {
        "topics_covered": Severity.WARNING,
        "revision": Severity.ERROR,
        "cost_key": Severity.ERROR,
    },
}


def office(code: str) -> Office:
    return Office.objects.get(code=code)


def findings(code: str) -> dict:
    return {f.check: f for f in office_compliance(office(code)).findings}


def problems(code: str) -> dict[str, str]:
    return {f.check: f.severity for f in office_compliance(office(code)).problems}


def municipality(number: str) -> Municipality:
    return Municipality.objects.valid_on().get(number=number)


def approve(version, *users):
    for user in users:
        agreement_version_approve(user=user, version=version, seen_hash=content_hash(version))
    version.refresh_from_db()
    return version


def in_force(demo_agreements, title):
    return demo_agreements[title].versions.get(status=VersionStatus.APPROVED)


# --- What the demo shows --------------------------------------------------------------------------


def test_the_demo_shows_each_finding():
    results = compliance_for_offices(Office.objects.filter(code__in=DEMO_FINDINGS))
    codes = dict(Office.objects.values_list("pk", "code"))
    shown = {
        codes[pk]: {f.check: f.severity for f in result.problems} for pk, result in results.items()
    }
    assert shown == DEMO_FINDINGS
    # Every check is answered for an office with an agreement, each with its source.
    assert [f.check for f in findings("heimdal").values()] == [
        "agreement_in_force",
        "legal_minimum",
        "topics_covered",
        "revision",
        "cost_key",
        "cooperation_evaluation",
        "meetings",
    ]
    assert all(f.source for f in findings("heimdal").values())


def test_the_findings_name_what_is_wrong():
    narvik, bodo, salten = findings("narvik"), findings("bodo"), findings("indre-salten")
    assert "Midlertidig botilbud" in narvik["legal_minimum"].message
    assert "Økonomisk sosialhjelp" not in narvik["legal_minimum"].message
    assert "No operating agreement" in narvik["cost_key"].message
    assert "0 of 2 cooperation" in narvik["meetings"].message
    assert "within 90 days" in narvik["revision"].message
    for topic in (RequiredTopic.PRIVACY, RequiredTopic.CODETERMINATION):
        assert str(topic.label) in bodo["topics_covered"].message
    assert str(RequiredTopic.LOCATION.label) not in bodo["topics_covered"].message
    assert "95 %" in bodo["cost_key"].message
    assert f"{datetime.date(timezone.localdate().year - 1, 12, 31):%d.%m.%Y}" in (
        bodo["revision"].message
    )
    assert "Nordlandssykehuset HF" in salten["cooperation_evaluation"].message
    assert "1 of 2 cooperation" in salten["meetings"].message
    assert "No partnership agreement" in findings("malvik")["agreement_in_force"].message


# --- Each finding cleared through the services ----------------------------------------------------


def test_no_agreement_in_force_is_cleared_by_an_approved_agreement(people):
    """Malvik has none. Its executive (not among the demo people) and the county director
    agree one; a draft alone does not count."""
    malvik = office("malvik")
    executive = user_upsert(
        username="radmann.malvik",
        first_name="Ruth",
        last_name="Aas",
        employer_side=EmployerSide.MUNICIPAL,
        employer_municipality=municipality("5031"),
        password="navpartner-test",
    )
    role_assignment_ensure(
        user=executive, role="municipal_executive", municipality=municipality("5031")
    )
    today = timezone.localdate()
    draft = agreement_draft(
        user=people["fylkesdirektor.trondelag"],
        title="Partnerskapsavtale NAV Malvik",
        offices=[malvik],
        valid_from=today,
        revision_due=today + datetime.timedelta(days=730),
        sections=every_topic(),
        services=minimum_services(today),
    )
    assert problems("malvik") == {"agreement_in_force": Severity.ERROR}
    approve(draft, executive, people["fylkesdirektor.trondelag"])
    assert findings("malvik")["agreement_in_force"].severity == Severity.OK
    assert findings("malvik")["legal_minimum"].severity == Severity.OK
    assert findings("malvik")["topics_covered"].severity == Severity.OK
    assert findings("stjordal")["agreement_in_force"].severity == Severity.ERROR  # not its


def revise(demo_agreements, title, user, **update):
    """A revision of the demo agreement, changed by ``update`` (agreement_version_update)."""
    base = in_force(demo_agreements, title)
    draft = agreement_version_new(user=user, agreement=base.agreement)
    return agreement_version_update(
        user=user, version=draft, expected_version=draft.version, **update
    )


def test_the_missing_minimum_service_is_cleared_by_a_new_version(people, demo_agreements):
    director = people["fylkesdirektor.nordland"]
    base = in_force(demo_agreements, NARVIK_TITLE)
    shelter = MunicipalService.objects.get(code="midlertidig-botilbud")
    offered = [(row.service, row.starts_on) for row in base.services.select_related("service")]
    start = timezone.localdate()
    draft = revise(demo_agreements, NARVIK_TITLE, director, services=[*offered, (shelter, start)])
    assert "legal_minimum" in problems("narvik")  # a draft binds nobody
    approve(draft, people["radmann.narvik"], director)
    assert draft.status == VersionStatus.APPROVED
    assert findings("narvik")["legal_minimum"].severity == Severity.OK
    assert findings("narvik")["legal_minimum"].version_id == draft.pk
    base.refresh_from_db()
    assert base.status == VersionStatus.SUPERSEDED


def test_a_service_starting_later_does_not_count_yet(people, demo_agreements):
    director = people["fylkesdirektor.nordland"]
    base = in_force(demo_agreements, NARVIK_TITLE)
    shelter = MunicipalService.objects.get(code="midlertidig-botilbud")
    offered = [(row.service, row.starts_on) for row in base.services.select_related("service")]
    later = timezone.localdate() + datetime.timedelta(days=30)
    approve(
        revise(demo_agreements, NARVIK_TITLE, director, services=[*offered, (shelter, later)]),
        people["radmann.narvik"],
        director,
    )
    assert "legal_minimum" in problems("narvik")
    narvik = office("narvik")
    on_start = compliance_for_offices([narvik], on=later)[narvik.pk]
    assert "legal_minimum" not in {f.check for f in on_start.problems}


def test_missing_topics_are_cleared_by_a_new_version(people, demo_agreements):
    director = people["fylkesdirektor.nordland"]
    base = in_force(demo_agreements, BODO_TITLE)
    sections = {
        **dict(base.sections.values_list("topic", "text")),
        RequiredTopic.PRIVACY: "Hver part er behandlingsansvarlig for sine systemer.",
        RequiredTopic.CODETERMINATION: "Medbestemmelse i et partssammensatt utvalg.",
    }
    draft = revise(demo_agreements, BODO_TITLE, director, sections=sections)
    approve(draft, people["radmann.bodo"], director)
    assert findings("bodo")["topics_covered"].severity == Severity.OK
    assert "revision" in problems("bodo")  # the revision date was not moved: still overdue


def test_an_overdue_revision_is_cleared_by_a_revised_version(people, demo_agreements):
    director = people["fylkesdirektor.nordland"]
    later = timezone.localdate() + datetime.timedelta(days=2 * 365)
    draft = revise(demo_agreements, BODO_TITLE, director, changes={"revision_due": later})
    approve(draft, people["radmann.bodo"], director)
    assert findings("bodo")["revision"].severity == Severity.OK


def test_a_revision_within_90_days_is_cleared_by_a_revised_version(people, demo_agreements):
    director = people["fylkesdirektor.nordland"]
    assert findings("narvik")["revision"].severity == Severity.WARNING
    later = timezone.localdate() + datetime.timedelta(days=91)
    draft = revise(demo_agreements, NARVIK_TITLE, director, changes={"revision_due": later})
    approve(draft, people["radmann.narvik"], director)
    assert findings("narvik")["revision"].severity == Severity.OK


def test_an_end_within_90_days_warns_and_an_extension_clears_it(people, demo_agreements):
    """Indre Salten's agreement runs until replaced; a revision ending in 60 days warns, and an
    extension of it clears the warning."""
    director, fauske = people["fylkesdirektor.nordland"], people["radmann.fauske"]
    end = timezone.localdate() + datetime.timedelta(days=60)
    approve(
        revise(demo_agreements, INDRE_SALTEN_TITLE, director, changes={"valid_to": end}),
        fauske,
        director,
    )
    revision = findings("indre-salten")["revision"]
    assert (revision.severity, f"{end:%d.%m.%Y}" in revision.message) == (Severity.WARNING, True)
    extension = agreement_version_new(
        user=fauske,
        agreement=demo_agreements[INDRE_SALTEN_TITLE],
        kind="extension",
        valid_to=end + datetime.timedelta(days=365),
    )
    approve(extension, fauske, director)
    assert findings("indre-salten")["revision"].severity == Severity.OK


def test_a_wrong_cost_key_is_refused_by_the_service_and_cleared_through_it(people, demo_agreements):
    """The service never stores a key that does not sum to 100; the demo's Bodø key came in
    wrong from elsewhere (``agreements/demo.py`` sets one share directly), and compliance says
    so until a party saves a correct key."""
    director = people["fylkesdirektor.nordland"]
    agreement = demo_agreements[BODO_TITLE]
    operating = OperatingAgreement.objects.get(agreement=agreement)
    bodo = municipality("1804")
    with pytest.raises(ValidationError) as refused:
        operating_agreement_save(
            user=director,
            agreement=agreement,
            shares=[
                (EmployerSide.STATE, None, Decimal("50")),
                (EmployerSide.MUNICIPAL, bodo, Decimal("45")),
            ],
            expected_version=operating.version,
        )
    assert "shares" in refused.value.message_dict
    assert problems("bodo")["cost_key"] == Severity.ERROR
    operating_agreement_save(
        user=director,
        agreement=agreement,
        shares=[
            (EmployerSide.STATE, None, Decimal("50")),
            (EmployerSide.MUNICIPAL, bodo, Decimal("50")),
        ],
        rent_nok_per_year=operating.rent_nok_per_year,
        expected_version=operating.version,
    )
    assert findings("bodo")["cost_key"].severity == Severity.OK


def test_a_key_broken_after_saving_is_found_again(people, demo_agreements):
    """The check reads the stored shares, not what the service last accepted."""
    share = CostShare.objects.filter(
        operating_agreement__agreement=demo_agreements[INDRE_SALTEN_TITLE], side="state"
    )
    assert findings("indre-salten")["cost_key"].severity == Severity.OK
    share.update(percent=Decimal("50.5"))  # as if imported wrong
    cost_key = findings("indre-salten")["cost_key"]
    assert (cost_key.severity, "100.5 %" in cost_key.message) == (Severity.ERROR, True)


def test_a_missing_operating_agreement_is_cleared_by_saving_one(people, demo_agreements):
    operating_agreement_save(
        user=people["fylkesdirektor.nordland"],
        agreement=demo_agreements[NARVIK_TITLE],
        shares=[
            (EmployerSide.STATE, None, Decimal("48.5")),
            (EmployerSide.MUNICIPAL, municipality("1806"), Decimal("51.5")),
        ],
    )
    assert findings("narvik")["cost_key"].severity == Severity.OK


def test_an_overdue_evaluation_is_cleared_by_setting_the_next_one(people):
    cooperation = CooperationAgreement.objects.get(partner="Nordlandssykehuset HF")
    assert cooperation.next_evaluation < timezone.localdate()
    side_data_update(
        user=people["leder.indre-salten"],
        instance=cooperation,
        changes={"next_evaluation": timezone.localdate() + datetime.timedelta(days=365)},
        version=cooperation.version,
    )
    assert findings("indre-salten")["cooperation_evaluation"].severity == Severity.OK


def test_too_few_cooperation_meetings_are_cleared_by_holding_one(people):
    assert "1 of 2" in findings("indre-salten")["meetings"].message
    meeting_record(
        user=people["radmann.fauske"],
        kind=MeetingKind.COOPERATION,
        offices=[office("indre-salten")],
        held_on=timezone.localdate(),
        title="Samarbeidsmøte",
    )
    assert findings("indre-salten")["meetings"].severity == Severity.OK
    assert set(problems("indre-salten")) == {"cooperation_evaluation"}


def test_meetings_older_than_a_year_or_of_another_kind_do_not_count(people):
    salten = office("indre-salten")
    for kind, days in [(MeetingKind.COOPERATION, 366), (MeetingKind.DIALOGUE, 1)]:
        meeting_record(
            user=people["radmann.fauske"],
            kind=kind,
            offices=[salten],
            held_on=timezone.localdate() - datetime.timedelta(days=days),
        )
    assert findings("indre-salten")["meetings"].severity == Severity.WARNING


# --- Queries -------------------------------------------------------------------------------------


def queries(offices) -> int:
    offices = list(offices)
    with CaptureQueriesContext(connection) as captured:
        compliance_for_offices(offices)
    return len(captured)


def test_the_queries_do_not_grow_with_offices_and_versions(people, demo_agreements):
    small = queries(Office.objects.filter(code__in=["heimdal", "malvik"]))
    # More versions (superseded, drafts), meetings and cooperation agreements …
    director = people["fylkesdirektor.nordland"]
    approve(
        revise(demo_agreements, NARVIK_TITLE, director, changes={"signatories": "Partene"}),
        people["radmann.narvik"],
        director,
    )
    revise(demo_agreements, BODO_TITLE, director, changes={"signatories": "Partene"})
    agreement_version_new(
        user=people["radmann.trondheim"], agreement=demo_agreements[TRONDHEIM_TITLE]
    )
    for code in ("narvik", "bodo"):
        meeting_record(
            user=director,
            kind=MeetingKind.COOPERATION,
            offices=[office(code)],
            held_on=timezone.localdate(),
        )
    # … and every office.
    large = queries(Office.objects.all())
    assert Office.objects.count() >= 10
    assert large == small
    assert small <= 9
