"""The agreement lifecycle through its services: drafting, editing, rule 5's approvals on the
exact content, new versions, superseding, ending, and every refusal with nothing half-saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.content import AGREED_FIELDS, content_hash, version_diff
from agreements.models import (
    AgreementApproval,
    AgreementVersion,
    MunicipalService,
    PartnershipAgreement,
    VersionKind,
    VersionState,
    VersionStatus,
)
from agreements.services import (
    DRAFT_EXISTS,
    NOT_A_DRAFT,
    NOT_A_PARTY,
    agreement_draft,
    agreement_version_approve,
    agreement_version_end,
    agreement_version_new,
    agreement_version_reject,
    agreement_version_update,
    parties_still_to_approve,
)
from tests.agreements.conftest import every_topic, minimum_services

pytestmark = pytest.mark.django_db


def approve(version, user):
    return agreement_version_approve(user=user, version=version, seen_hash=content_hash(version))


def messages(error: ValidationError) -> str:
    return " ".join(str(m) for ms in error.message_dict.values() for m in ms)


def applied(segments, *, side: str) -> str:
    """The text on one side of a word diff: ``old`` keeps equal and deleted words, ``new``
    equal and inserted ones."""
    dropped = "insert" if side == "old" else "delete"
    return " ".join(text for op, text in segments if op != dropped)


@pytest.mark.parametrize(
    "drafter", ["fylkesdirektor.nordland", "radmann.fauske", "leder.indre-salten"]
)
def test_either_party_or_the_leader_drafts(people, offices, drafter):
    version = agreement_draft(
        user=people[drafter],
        title="Avtale",
        offices=[offices["indre-salten"]],
        valid_from=timezone.localdate(),
    )
    assert version.status == VersionStatus.DRAFT
    assert list(version.agreement.municipalities.values_list("name", flat=True)) == [
        "Fauske - Fuossko"
    ]


@pytest.mark.parametrize(
    "outsider",
    ["stat.indre-salten", "kommune.indre-salten", "radmann.trondheim", "fylkesdirektor.trondelag"],
)
def test_staff_and_other_lines_cannot_draft(people, offices, outsider):
    before = PartnershipAgreement.objects.count()
    with pytest.raises(ValidationError) as refused:
        agreement_draft(
            user=people[outsider],
            title="Avtale",
            offices=[offices["indre-salten"]],
            valid_from=timezone.localdate(),
        )
    assert "offices" in refused.value.message_dict
    assert PartnershipAgreement.objects.count() == before


def test_offices_of_two_counties_are_refused(people, offices):
    with pytest.raises(ValidationError) as refused:
        agreement_draft(
            user=people["fylkesdirektor.nordland"],
            title="Avtale",
            offices=[offices["indre-salten"], offices["heimdal"]],
            valid_from=timezone.localdate(),
        )
    assert "offices" in refused.value.message_dict


def test_both_parties_make_it_binding_and_in_force(people, indre_salten_draft):
    version = indre_salten_draft
    parties = parties_still_to_approve(version)
    assert [(p.side, getattr(p.municipality, "name", None)) for p in parties] == [
        ("state", None),
        ("municipal", "Fauske - Fuossko"),
    ]
    approve(version, people["radmann.fauske"])
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    approve(version, people["fylkesdirektor.nordland"])
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    assert version.state() == VersionState.IN_FORCE
    assert version.content_hash == content_hash(version)
    approvals = AgreementApproval.objects.filter(version=version).order_by("pk")
    assert [(a.decided_by.username, a.role) for a in approvals] == [
        ("radmann.fauske", "municipal_executive"),
        ("fylkesdirektor.nordland", "county_director"),
    ]
    assert {a.content_hash for a in approvals} == {version.content_hash}


@pytest.mark.parametrize(
    "wrong", ["radmann.saltdal", "leder.indre-salten", "kommune.indre-salten", "radmann.trondheim"]
)
def test_only_the_parties_approve(people, indre_salten_draft, wrong):
    """Saltdal is served by the office but Fauske is its host: the host's executive decides."""
    with pytest.raises(ValidationError) as refused:
        approve(indre_salten_draft, people[wrong])
    assert messages(refused.value) == _(NOT_A_PARTY)
    assert not AgreementApproval.objects.filter(version=indre_salten_draft).exists()


def test_nobody_approves_twice(people, indre_salten_draft):
    approve(indre_salten_draft, people["radmann.fauske"])
    with pytest.raises(ValidationError):
        approve(indre_salten_draft, people["radmann.fauske"])
    assert AgreementApproval.objects.filter(version=indre_salten_draft).count() == 1


def test_an_approval_is_for_the_content_seen(people, indre_salten_draft):
    seen = content_hash(indre_salten_draft)
    agreement_version_update(
        user=people["leder.indre-salten"],
        version=indre_salten_draft,
        expected_version=indre_salten_draft.version,
        changes={"signatories": "Kommunedirektør, Fauske kommune"},
    )
    with pytest.raises(ValidationError) as refused:
        agreement_version_approve(
            user=people["radmann.fauske"], version=indre_salten_draft, seen_hash=seen
        )
    assert "content_hash" in refused.value.message_dict
    assert not AgreementApproval.objects.filter(version=indre_salten_draft).exists()


def test_a_change_after_one_approval_asks_for_it_again(people, indre_salten_draft):
    approve(indre_salten_draft, people["radmann.fauske"])
    indre_salten_draft.refresh_from_db()
    agreement_version_update(
        user=people["fylkesdirektor.nordland"],
        version=indre_salten_draft,
        expected_version=indre_salten_draft.version,
        sections={**every_topic(), "revision": "Revideres hvert annet år."},
    )
    indre_salten_draft.refresh_from_db()
    assert [p.side for p in parties_still_to_approve(indre_salten_draft)] == [
        "state",
        "municipal",
    ]
    approve(indre_salten_draft, people["fylkesdirektor.nordland"])
    indre_salten_draft.refresh_from_db()
    assert indre_salten_draft.status == VersionStatus.DRAFT  # Fauske must approve the new text


def test_a_stale_edit_is_refused_naming_who_changed_it(people, indre_salten_draft):
    opened = indre_salten_draft.version
    agreement_version_update(
        user=people["radmann.fauske"],
        version=indre_salten_draft,
        expected_version=opened,
        changes={"signatories": "A"},
    )
    with pytest.raises(ValidationError) as refused:
        agreement_version_update(
            user=people["fylkesdirektor.nordland"],
            version=indre_salten_draft,
            expected_version=opened,
            changes={"signatories": "B"},
        )
    assert people["radmann.fauske"].get_full_name() in messages(refused.value)
    indre_salten_draft.refresh_from_db()
    assert indre_salten_draft.signatories == "A"


def binding(people, version):
    approve(version, people["radmann.fauske"])
    approve(version, people["fylkesdirektor.nordland"])
    version.refresh_from_db()
    return version


def test_a_binding_version_is_never_edited(people, indre_salten_draft):
    version = binding(people, indre_salten_draft)
    with pytest.raises(ValidationError) as refused:
        agreement_version_update(
            user=people["fylkesdirektor.nordland"],
            version=version,
            expected_version=version.version,
            changes={"signatories": "X"},
        )
    assert messages(refused.value) == _(NOT_A_DRAFT)


def test_a_revision_copies_the_content_and_supersedes_when_approved(people, indre_salten_draft):
    first = binding(people, indre_salten_draft)
    second = agreement_version_new(user=people["radmann.fauske"], agreement=first.agreement)
    assert (second.number, second.kind, second.based_on_id) == (2, VersionKind.REVISION, first.pk)
    assert dict(second.sections.values_list("topic", "text")) == dict(
        first.sections.values_list("topic", "text")
    )
    gjeld = MunicipalService.objects.get(code="gjeldsradgivning")
    start = timezone.localdate()
    agreement_version_update(
        user=people["radmann.fauske"],
        version=second,
        expected_version=second.version,
        sections={**every_topic(), "hiring": "Lederen ansettes av begge parter i fellesskap."},
        services=[*minimum_services(start), (gjeld, start)],
    )
    second.refresh_from_db()
    diff = version_diff(first, second)
    assert diff.services_added == ["Gjeldsrådgivning"]
    assert [change.topic for change in diff.sections] == ["hiring"]
    segments = diff.sections[0].segments
    assert applied(segments, side="new") == "Lederen ansettes av begge parter i fellesskap."
    assert applied(segments, side="old") == first.sections.get(topic="hiring").text
    assert ("insert", "Lederen ansettes") in segments
    binding(people, second)
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    assert list(AgreementVersion.objects.in_force().filter(agreement=first.agreement)) == [second]


def test_one_draft_at_a_time(people, indre_salten_draft):
    first = binding(people, indre_salten_draft)
    agreement_version_new(user=people["radmann.fauske"], agreement=first.agreement)
    with pytest.raises(ValidationError) as refused:
        agreement_version_new(user=people["fylkesdirektor.nordland"], agreement=first.agreement)
    assert messages(refused.value) == _(DRAFT_EXISTS) % {"number": 2}


def test_an_extension_must_end_later(people, indre_salten_draft):
    first = binding(people, indre_salten_draft)
    with pytest.raises(ValidationError) as refused:
        agreement_version_new(
            user=people["radmann.fauske"],
            agreement=first.agreement,
            kind=VersionKind.EXTENSION,
            valid_to=first.valid_to,
        )
    assert "valid_to" in refused.value.message_dict
    extension = agreement_version_new(
        user=people["radmann.fauske"],
        agreement=first.agreement,
        kind=VersionKind.EXTENSION,
        valid_to=first.valid_to + datetime.timedelta(days=180),
    )
    diff = version_diff(first, extension)
    assert [change.label for change in diff.fields] == [
        str(AGREED_FIELDS["kind"]),
        str(AGREED_FIELDS["valid_to"]),
    ]


def test_an_overlapping_agreement_for_the_same_office_is_refused(
    people, offices, indre_salten_draft
):
    binding(people, indre_salten_draft)
    before = PartnershipAgreement.objects.count()
    with pytest.raises(ValidationError) as refused:
        agreement_draft(
            user=people["fylkesdirektor.nordland"],
            title="En annen avtale",
            offices=[offices["indre-salten"]],
            valid_from=timezone.localdate() + datetime.timedelta(days=30),
        )
    assert "valid_from" in refused.value.message_dict
    assert PartnershipAgreement.objects.count() == before


def test_a_rejection_needs_a_reason_and_leaves_a_draft(people, indre_salten_draft):
    with pytest.raises(ValidationError) as refused:
        agreement_version_reject(
            user=people["radmann.fauske"],
            version=indre_salten_draft,
            seen_hash=content_hash(indre_salten_draft),
            comment=" ",
        )
    assert "comment" in refused.value.message_dict
    agreement_version_reject(
        user=people["radmann.fauske"],
        version=indre_salten_draft,
        seen_hash=content_hash(indre_salten_draft),
        comment="Kostnadsnøkkelen mangler.",
    )
    indre_salten_draft.refresh_from_db()
    assert indre_salten_draft.status == VersionStatus.DRAFT


def test_a_party_ends_a_binding_version_with_a_reason(people, indre_salten_draft):
    version = binding(people, indre_salten_draft)
    with pytest.raises(ValidationError):
        agreement_version_end(user=people["leder.indre-salten"], version=version, reason="x")
    agreement_version_end(user=people["radmann.fauske"], version=version, reason="Oppsagt.")
    version.refresh_from_db()
    assert version.state() == VersionState.TERMINATED


def test_the_user_council_meetings_are_agreed_edited_and_carried_over(people, indre_salten_draft):
    """The brukerråd's agreed number of meetings (issue 11's readiness criterion) is part of
    what the parties approve, editable on a draft, and copied into the next version."""
    assert "user_council_meetings_per_year" in AGREED_FIELDS
    seen = content_hash(indre_salten_draft)
    agreement_version_update(
        user=people["leder.indre-salten"],
        version=indre_salten_draft,
        expected_version=indre_salten_draft.version,
        changes={"user_council_meetings_per_year": 6},
    )
    indre_salten_draft.refresh_from_db()
    assert indre_salten_draft.user_council_meetings_per_year == 6
    assert content_hash(indre_salten_draft) != seen
    first = binding(people, indre_salten_draft)
    second = agreement_version_new(user=people["radmann.fauske"], agreement=first.agreement)
    assert second.user_council_meetings_per_year == 6
