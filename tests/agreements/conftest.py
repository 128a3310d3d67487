"""Shared pieces of the agreement tests: the demo's people and offices, and a full draft.

Every test here starts without the demo's agreements (``_agreements_from_scratch``) unless it
asks for ``demo_agreements``: the demo seeds binding agreements for Trondheim, Indre Salten,
Narvik and Bodø, which a draft of its own for those offices would overlap."""

import datetime

import pytest
from django.utils import timezone

from agreements.models import (
    AgreementVersion,
    CooperationAgreement,
    Meeting,
    MunicipalService,
    PartnershipAgreement,
    RequiredTopic,
)
from agreements.services import agreement_draft
from offices.models import Office
from users.models import User


def clear_demo_agreements() -> None:
    """Remove the demo's agreements, meetings and cooperation agreements (``agreements/demo.py``)
    inside the current test's transaction, so that the test starts from offices without any
    agreement, as a new installation does. The rollback at the test's end puts them back."""
    Meeting.objects.all().delete()
    CooperationAgreement.objects.all().delete()
    # Versions point to the version they were based on (PROTECT): newest first.
    for version in AgreementVersion.objects.order_by("-number"):
        version.delete()
    PartnershipAgreement.objects.all().delete()


@pytest.fixture(autouse=True)
def _agreements_from_scratch(request):
    """The lifecycle, page and API tests draft their own agreements for the demo offices; the
    demo's binding ones would overlap them. Tests of the demo's agreements ask for
    ``demo_agreements`` and keep them."""
    if "demo_agreements" in request.fixturenames:
        return
    if request.node.get_closest_marker("django_db") is None:
        return
    if request.node.get_closest_marker("django_db").kwargs.get("transaction"):
        request.getfixturevalue("demo_data")
    else:
        request.getfixturevalue("db")
    clear_demo_agreements()


@pytest.fixture
def demo_agreements(demo_data):
    """The demo's agreements by title (seeded once per session with the rest of the demo)."""
    return {agreement.title: agreement for agreement in PartnershipAgreement.objects.all()}


@pytest.fixture
def people(demo_data):
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def offices(demo_data):
    return {office.code: office for office in Office.objects.all()}


def every_topic(prefix: str = "") -> dict[str, str]:
    return {topic.value: f"{prefix}{topic.label}: avtalt tekst." for topic in RequiredTopic}


def minimum_services(start: datetime.date) -> list:
    return [(service, start) for service in MunicipalService.objects.filter(is_minimum=True)]


@pytest.fixture
def indre_salten_draft(people, offices):
    """A complete draft for NAV Indre Salten (host Fauske), by the county director."""
    start = timezone.localdate()
    return agreement_draft(
        user=people["fylkesdirektor.nordland"],
        title="Partnerskapsavtale NAV Indre Salten",
        offices=[offices["indre-salten"]],
        valid_from=start,
        valid_to=start + datetime.timedelta(days=4 * 365),
        revision_due=start + datetime.timedelta(days=2 * 365),
        signatories="Rådmann, Fauske kommune\nFylkesdirektør, NAV Nordland",
        sections=every_topic(),
        services=minimum_services(start),
    )
