"""Shared pieces of the agreements API tests: clients, a clean slate, and a full partnership
made through the services (the demo's own agreements are removed first, so no test depends on
what the demo data holds)."""

import datetime
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from agreements.content import content_hash
from agreements.models import (
    AgreementVersion,
    CooperationAgreement,
    Meeting,
    MunicipalService,
    PartnershipAgreement,
)
from agreements.services import (
    agreement_draft,
    agreement_version_approve,
    agreement_version_new,
    meeting_record,
    operating_agreement_save,
)
from navpartner.sidedata_services import side_data_create
from offices.models import Municipality
from tests.agreements.conftest import every_topic, minimum_services

TRONDHEIM_OFFICES = ["heimdal", "lerkendal", "midtbyen", "ostbyen"]


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def remove_every_agreement() -> None:
    """Start from no agreements, meetings or cooperation agreements (inside the test's
    transaction). Later versions first: a version protects the one it is based on."""
    Meeting.objects.all().delete()
    CooperationAgreement.objects.all().delete()
    for version in AgreementVersion.objects.order_by("-number"):
        version.delete()
    PartnershipAgreement.objects.all().delete()


def minimum_codes() -> list[str]:
    return sorted(MunicipalService.objects.filter(is_minimum=True).values_list("code", flat=True))


def draft_body(offices: list[str], *, title: str = "Partnerskapsavtale", start=None) -> dict:
    start = start or timezone.localdate()
    return {
        "title": title,
        "offices": offices,
        "valid_from": start.isoformat(),
        "valid_to": (start + datetime.timedelta(days=4 * 365)).isoformat(),
        "revision_due": (start + datetime.timedelta(days=2 * 365)).isoformat(),
        "signatories": "Rådmann\nFylkesdirektør",
        "sections": every_topic(),
        "services": [{"service": code, "starts_on": start.isoformat()} for code in minimum_codes()],
    }


def approve(version, *users) -> AgreementVersion:
    for user in users:
        version = agreement_version_approve(
            user=user, version=version, seen_hash=content_hash(version)
        )
    version.refresh_from_db()
    return version


def draft(people, offices, *, by="fylkesdirektor.nordland", office="indre-salten", title="Avtale"):
    start = timezone.localdate()
    return agreement_draft(
        user=people[by],
        title=title,
        offices=[offices[office]],
        valid_from=start,
        valid_to=start + datetime.timedelta(days=4 * 365),
        revision_due=start + datetime.timedelta(days=2 * 365),
        sections=every_topic(),
        services=minimum_services(start),
    )


def indre_salten_world(people, offices) -> dict:
    """NAV Indre Salten's partnership, through the services: version 1 binding, version 2 a
    draft revision, an operating agreement, a cooperation agreement and a meeting."""
    director, executive = people["fylkesdirektor.nordland"], people["radmann.fauske"]
    binding = approve(draft(people, offices), executive, director)
    revision = agreement_version_new(user=executive, agreement=binding.agreement)
    fauske = Municipality.objects.valid_on().get(number="1841")
    operating = operating_agreement_save(
        user=director,
        agreement=binding.agreement,
        shares=[("state", None, Decimal(60)), ("municipal", fauske, Decimal(40))],
        rent_nok_per_year=Decimal(1200000),
    )
    today = timezone.localdate()
    cooperation = side_data_create(
        user=director,
        instance=CooperationAgreement(
            office=offices["indre-salten"],
            partner="Salten friluftsråd",
            partner_responsibility="Aktivitetstilbud",
            office_responsibility="Henvisning",
            how_carried_out="Månedlige møter",
            unclear_responsibility="Løses i samarbeidsmøtet",
            next_evaluation=today + datetime.timedelta(days=200),
            valid_from=today,
        ),
    )
    section = binding.sections.get(topic="hiring")
    meeting = meeting_record(
        user=director,
        kind="cooperation",
        offices=[offices["indre-salten"]],
        held_on=today,
        title="Samarbeidsmøte",
        decisions=[{"text": "Revidere ansettelseskapitlet", "section": section}],
    )
    return {
        "agreement": binding.agreement_id,
        "binding": binding.pk,
        "draft": revision.pk,
        "operating": operating.pk,
        "cooperation": cooperation.pk,
        "meeting": meeting.pk,
        "draft_version": revision.version,
        "draft_hash": content_hash(revision),
    }
