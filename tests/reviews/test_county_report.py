"""The county's monthly summary PDF (issue 11, item 5): asked for on the review page, made by
the report pipeline, read with the requester's visibility at render time — the director's
PDF has the state's values and the municipal ones only where shared."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from reports.definitions import DEFINITIONS, ReportContentUnavailable
from reports.models import ReportKind, ReportRequest, ReportStatus
from reviews.county_report import CountySummaryReport
from scorecards.periods import format_period, reporting_month
from scorecards.templatetags.scorecard_tags import format_measure
from tests.reviews.test_county import own_values  # noqa: F401 (a fixture)
from users.models import RoleAssignment, User

pytestmark = pytest.mark.django_db


def user(username: str) -> User:
    return User.objects.get(username=username)


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def shown(value, indicator) -> str:
    with translation.override("nb"):
        text = format_measure(value, unit=indicator.unit, decimals=indicator.decimals)
    return re.sub(r"\s+", " ", text)


def render(username: str, **parameters) -> str:
    with translation.override("nb"):
        data = CountySummaryReport().render(
            user=user(username), parameters={"county": "50", **parameters}
        )
    assert data.startswith(b"%PDF-")
    return text_of(data)


def test_the_kind_is_registered():
    assert isinstance(DEFINITIONS[ReportKind.COUNTY_SUMMARY], CountySummaryReport)


def test_the_directors_pdf_has_state_and_shared_values_and_no_municipal_value(own_values):  # noqa: F811
    period = own_values["period"]
    text = render("fylkesdirektor.trondelag", maned=format_period(period))
    assert shown("4321.7", own_values["state"]) in text
    assert shown("6543.1", own_values["shared"]) in text
    assert shown("8765.3", own_values["municipal"]) not in text
    assert "8765" not in text
    assert "NAV Heimdal" in text
    assert "NAV Bodø" not in text  # another county's office


def test_the_pdf_follows_the_filters(own_values):  # noqa: F811
    period = own_values["period"]
    text = render("fylkesdirektor.trondelag", maned=format_period(period), side="municipal")
    assert shown("4321.7", own_values["state"]) not in text
    assert shown("6543.1", own_values["shared"]) in text


@pytest.mark.parametrize("username", ["fylkesdirektor.nordland", "radmann.trondheim"])
def test_others_cannot_ask_for_it(demo_data, username):
    with pytest.raises(ValidationError) as error:
        CountySummaryReport().clean_parameters(user=user(username), parameters={"county": "50"})
    assert "county" in error.value.message_dict


@pytest.mark.parametrize(
    "parameters, field",
    [
        ({}, "county"),
        ({"county": "50", "maned": "2026-13"}, "maned"),
        ({"county": "50", "side": "joint"}, "side"),
    ],
)
def test_bad_parameters_are_refused(demo_data, parameters, field):
    with pytest.raises(ValidationError) as error:
        CountySummaryReport().clean_parameters(
            user=user("fylkesdirektor.trondelag"), parameters=parameters
        )
    assert field in error.value.message_dict


def test_the_content_is_read_again_with_the_requesters_roles(demo_data):
    director = user("fylkesdirektor.trondelag")
    parameters, _subject = CountySummaryReport().clean_parameters(
        user=director, parameters={"county": "50"}
    )
    assert parameters == {"county": "50", "maned": format_period(reporting_month())}
    RoleAssignment.objects.filter(user=director).delete()
    with pytest.raises(ReportContentUnavailable):
        CountySummaryReport().context(user=director, parameters=parameters)


def test_the_button_makes_the_report_through_the_pipeline(
    client, demo_data, django_capture_on_commit_callbacks
):
    client.force_login(user("fylkesdirektor.trondelag"))
    url = reverse("reviews:county-pdf", args=["50"])
    with translation.override("nb"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}?side=state&status=missed")
    report = ReportRequest.objects.get(kind=ReportKind.COUNTY_SUMMARY)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", kwargs={"report_id": report.id})
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.parameters == {
        "county": "50",
        "maned": format_period(reporting_month()),
        "side": "state",
        "status": "missed",
    }


def test_the_button_refuses_bad_parameters_with_a_400(client, demo_data):
    client.force_login(user("fylkesdirektor.trondelag"))
    response = client.post(reverse("reviews:county-pdf", args=["50"]) + "?maned=nope")
    assert response.status_code == 400
    assert not ReportRequest.objects.filter(kind=ReportKind.COUNTY_SUMMARY).exists()


def test_the_button_is_a_post(client, demo_data):
    client.force_login(user("fylkesdirektor.trondelag"))
    assert client.get(reverse("reviews:county-pdf", args=["50"])).status_code == 405
