"""Shared pieces of the agreement tests: the demo's people and offices, and a full draft."""

import datetime

import pytest
from django.utils import timezone

from agreements.models import MunicipalService, RequiredTopic
from agreements.services import agreement_draft
from offices.models import Office
from users.models import User


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
