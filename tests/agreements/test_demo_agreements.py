"""The demo's agreements (issue 9, item 10; ``agreements/demo.py``): Trondheim's history from
2008, Indre Salten's host-municipality agreement and cost key, made through the services (real
content hashes, audit events), seeded idempotently, and seen only along the lines."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from agreements import selectors
from agreements.content import content_hash, version_diff
from agreements.demo import (
    BODO_TITLE,
    INDRE_SALTEN_TITLE,
    MINIMUM,
    NARVIK_TITLE,
    TRONDHEIM_TITLE,
    seed_agreements,
)
from agreements.models import (
    AgreementApproval,
    AgreementSection,
    AgreementVersion,
    CooperationAgreement,
    CostShare,
    Meeting,
    MeetingDecision,
    PartnershipAgreement,
    RequiredTopic,
    VersionState,
)
from users.models import AuditEvent, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_agreements")]


@pytest.fixture(autouse=True)
def _english():
    """Labels and messages are compared in English, whatever the translations say."""
    with translation.override("en"):
        yield


TRONDHEIM_OFFICES = {"heimdal", "lerkendal", "midtbyen", "ostbyen"}


def user(username: str) -> User:
    return User.objects.get(username=username)


def versions(title: str) -> list[AgreementVersion]:
    return list(AgreementVersion.objects.filter(agreement__title=title).order_by("number"))


# --- Trondheim's history --------------------------------------------------------------------------


def test_trondheims_agreement_covers_the_four_offices_with_trondheim_as_party(demo_agreements):
    agreement = demo_agreements[TRONDHEIM_TITLE]
    assert set(agreement.offices.values_list("code", flat=True)) == TRONDHEIM_OFFICES
    assert list(agreement.municipalities.values_list("number", flat=True)) == ["5001"]
    assert agreement.county.number == "50"


def test_trondheims_history_2008_extension_and_2011(demo_agreements):
    """Signed November 2008 for 21.11.2008–21.11.2010, extended to May 2011, a new version from
    May 2011 in force today (001 ch. 3, footnote 5)."""
    first, extension, current = versions(TRONDHEIM_TITLE)
    rows = [
        (v.number, v.kind, v.state(), v.valid_from, v.valid_to) for v in (first, extension, current)
    ]
    assert rows == [
        (1, "new", "superseded", datetime.date(2008, 11, 21), datetime.date(2010, 11, 21)),
        (2, "extension", "superseded", datetime.date(2008, 11, 21), datetime.date(2011, 5, 15)),
        (3, "revision", "in_force", datetime.date(2011, 5, 16), None),
    ]
    assert (extension.based_on, current.based_on) == (first, extension)
    assert current.revision_due > timezone.localdate() + datetime.timedelta(days=90)
    assert [v.approved_at.date() for v in (first, extension, current)] == [
        datetime.date(2008, 11, 20),
        datetime.date(2010, 11, 15),
        datetime.date(2011, 5, 13),
    ]
    # A superseded version ended when the next one was approved.
    assert first.ended_at == extension.approved_at
    assert extension.ended_at == current.approved_at
    assert current.ended_at is None
    in_force = AgreementVersion.objects.in_force().filter(agreement__offices__code="heimdal")
    assert list(in_force) == [current]


def test_each_version_was_approved_by_both_parties_for_its_exact_content():
    for version in versions(TRONDHEIM_TITLE):
        approvals = AgreementApproval.objects.filter(version=version).order_by("decided_at")
        assert [(a.decided_by.username, a.role, a.decision) for a in approvals] == [
            ("radmann.trondheim", "municipal_executive", "approved"),
            ("fylkesdirektor.trondelag", "county_director", "approved"),
        ]
        # The hash approved is the hash of the content as it is today: nothing changed since.
        assert {a.content_hash for a in approvals} == {version.content_hash}
        assert version.content_hash == content_hash(version)
        assert {a.decided_at.date() for a in approvals} == {version.approved_at.date()}


def test_the_version_in_force_offers_the_minimum_and_debt_counselling_and_covers_every_topic():
    current = versions(TRONDHEIM_TITLE)[-1]
    assert set(current.services.values_list("service__code", flat=True)) == {
        *MINIMUM,
        "gjeldsradgivning",
    }
    assert set(current.services.values_list("starts_on", flat=True)) == {
        datetime.date(2008, 11, 21)
    }
    sections = dict(current.sections.values_list("topic", "text"))
    assert set(sections) == set(RequiredTopic.values)
    assert all(text.strip() for text in sections.values())
    assert "minimum to ganger per år" in sections[RequiredTopic.GOVERNANCE]


def test_the_extension_differs_from_2008_only_in_its_validity():
    first, extension, current = versions(TRONDHEIM_TITLE)
    diff = version_diff(first, extension)
    # The kind names what the version is (an extension); its content changed only its end.
    assert [(c.label, c.before, c.after) for c in diff.fields] == [
        ("kind", "New agreement", "Extension"),
        ("valid to (inclusive)", "21.11.2010", "15.05.2011"),
    ]
    assert (diff.sections, diff.services_added, diff.services_removed) == ([], [], [])
    assert diff.services_changed == []
    # The 2011 revision changed the period and three sections, not the services.
    revision = version_diff(extension, current)
    assert {c.label for c in revision.fields} == {
        "kind",
        "valid from",
        "valid to (inclusive)",
        "revision due",
    }
    assert [s.topic for s in revision.sections] == ["privacy", "goals", "revision"]
    assert not (revision.services_added or revision.services_removed)


def test_trondheims_operating_agreement_and_cooperation_agreements(demo_agreements):
    operating = demo_agreements[TRONDHEIM_TITLE].operating_agreement
    shares = {
        (s.side, getattr(s.municipality, "number", None)): s.percent
        for s in operating.shares.select_related("municipality")
    }
    assert shares == {("state", None): Decimal("50"), ("municipal", "5001"): Decimal("50")}
    partners = CooperationAgreement.objects.filter(office__code__in=TRONDHEIM_OFFICES)
    assert "St. Olavs hospital HF" in set(partners.values_list("partner", flat=True))
    assert all(p.next_evaluation > timezone.localdate() for p in partners)
    assert all(p.partner_responsibility and p.unclear_responsibility for p in partners)


def test_a_year_of_meetings_for_trondheim_with_decisions_on_sections():
    today = timezone.localdate()
    meetings = Meeting.objects.filter(offices__code="heimdal").distinct()
    assert all(today - datetime.timedelta(days=365) < m.held_on <= today for m in meetings)
    assert Counter(meetings.values_list("kind", flat=True)) == {
        "cooperation": 2,
        "partnership": 1,
        "dialogue": 1,
        "user_council": 1,
    }
    assert all(m.agenda and m.minutes and m.participants for m in meetings)
    # The samarbeidsmøter are about all four offices.
    for meeting in meetings.filter(kind="cooperation"):
        assert set(meeting.offices.values_list("code", flat=True)) == TRONDHEIM_OFFICES
    current = versions(TRONDHEIM_TITLE)[-1]
    decisions = MeetingDecision.objects.filter(meeting__in=meetings)
    assert decisions.count() >= 5
    assert set(decisions.values_list("section__version", flat=True)) == {current.pk}
    assert {"goals", "privacy", "revision"} <= set(
        decisions.values_list("section__topic", flat=True)
    )


# --- Indre Salten, Narvik, Bodø -------------------------------------------------------------------


def test_indre_salten_is_a_host_municipality_agreement_in_force(demo_agreements):
    agreement = demo_agreements[INDRE_SALTEN_TITLE]
    (version,) = versions(INDRE_SALTEN_TITLE)
    assert version.state() == VersionState.IN_FORCE
    assert list(agreement.municipalities.values_list("number", flat=True)) == ["1841"]  # host
    approvals = AgreementApproval.objects.filter(version=version).order_by("decided_at")
    assert [a.decided_by.username for a in approvals] == [
        "radmann.fauske",
        "fylkesdirektor.nordland",
    ]


def test_indre_saltens_cost_key_shares_among_the_state_and_the_five_municipalities(
    demo_agreements,
):
    shares = CostShare.objects.filter(
        operating_agreement__agreement=demo_agreements[INDRE_SALTEN_TITLE]
    ).select_related("municipality")
    parties = {getattr(s.municipality, "number", None) for s in shares}
    assert parties == {None, "1841", "1840", "1845", "1839", "1875"}
    assert sum(s.percent for s in shares) == Decimal("100")


def test_narvik_and_bodo_are_binding_with_their_flaws():
    (narvik,) = versions(NARVIK_TITLE)
    (bodo,) = versions(BODO_TITLE)
    assert narvik.state() == bodo.state() == VersionState.IN_FORCE
    assert "midlertidig-botilbud" not in set(
        narvik.services.values_list("service__code", flat=True)
    )
    assert bodo.revision_due < timezone.localdate()
    assert not AgreementSection.objects.filter(
        version=bodo, topic__in=[RequiredTopic.PRIVACY, RequiredTopic.CODETERMINATION]
    ).exists()


def test_everything_was_written_through_the_services_and_audited():
    for version in AgreementVersion.objects.filter(agreement__title__in=[TRONDHEIM_TITLE]):
        events = AuditEvent.objects.filter(
            object_type="agreements.agreementversion", object_id=str(version.pk)
        )
        # Drafted (or created as a new version) and approved twice, once per office each.
        assert set(events.values_list("office__code", flat=True)) == TRONDHEIM_OFFICES
        changes = Counter(event.details["change"] for event in events)
        assert changes["approved"] == 2 * len(TRONDHEIM_OFFICES)
    for model in ("meeting", "operatingagreement", "cooperationagreement"):
        assert AuditEvent.objects.filter(object_type=f"agreements.{model}").exists(), model


def test_seeding_again_changes_nothing():
    models = [
        PartnershipAgreement,
        AgreementVersion,
        AgreementApproval,
        AgreementSection,
        CostShare,
        Meeting,
        MeetingDecision,
        CooperationAgreement,
        AuditEvent,
    ]
    before = [model.objects.count() for model in models]
    seed_agreements()
    assert [model.objects.count() for model in models] == before


# --- Who sees them --------------------------------------------------------------------------------


def titles(who) -> set[str]:
    return set(selectors.agreement_list(user=who).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("radmann.trondheim", {TRONDHEIM_TITLE}),
        ("fylkesdirektor.trondelag", {TRONDHEIM_TITLE}),
        ("leder.heimdal", {TRONDHEIM_TITLE}),
        ("kommune.lerkendal", {TRONDHEIM_TITLE}),
        ("radmann.saltdal", {INDRE_SALTEN_TITLE}),  # served by Indre Salten, not its host
        ("radmann.fauske", {INDRE_SALTEN_TITLE}),
        ("radmann.narvik", {NARVIK_TITLE}),
        ("radmann.bodo", {BODO_TITLE}),
        ("fylkesdirektor.nordland", {INDRE_SALTEN_TITLE, NARVIK_TITLE, BODO_TITLE}),
        ("stat.malvik", set()),
        ("stat.tromso", set()),
    ],
)
def test_each_sees_the_agreements_of_their_offices_only(username, expected):
    assert titles(user(username)) == expected


def test_another_municipality_sees_none_of_the_others_records():
    saltdal, trondheim = user("radmann.saltdal"), user("radmann.trondheim")
    assert TRONDHEIM_TITLE not in titles(saltdal)
    assert INDRE_SALTEN_TITLE not in titles(trondheim)
    trondheim_meetings = Meeting.objects.filter(offices__code__in=TRONDHEIM_OFFICES)
    assert not selectors.meeting_list(user=saltdal).filter(pk__in=trondheim_meetings).exists()
    assert selectors.meeting_list(user=saltdal).exists()  # Indre Salten's
    assert not selectors.meeting_list(user=trondheim).filter(offices__code="indre-salten")
    coop = selectors.cooperation_agreement_list
    assert set(coop(user=saltdal).values_list("office__code", flat=True)) == {"indre-salten"}
    assert not coop(user=trondheim).filter(office__code="indre-salten").exists()


def test_an_anonymous_user_sees_no_agreement():
    anonymous = AnonymousUser()
    assert PartnershipAgreement.objects.exists()
    assert titles(anonymous) == set()
    assert not selectors.meeting_list(user=anonymous).exists()
    assert not selectors.cooperation_agreement_list(user=anonymous).exists()
