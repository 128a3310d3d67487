"""The scorecard PDF (issue 10, item 11): asked for on the card page or through the reports API,
rendered by the report pipeline with the requester's visibility (rules 7 and 8) — the other
side's values never, outsiders nothing (the same answer as an unknown office)."""

import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from rest_framework.test import APIClient

from navpartner.sidedata import Side
from reports.definitions import DEFINITIONS, ReportContentUnavailable
from reports.models import ReportKind, ReportRequest, ReportStatus
from reports.services import QUEUE_UNAVAILABLE, report_request_create
from scorecards.measurements import MeasurementRow, record_measurements
from scorecards.models import Measurement
from scorecards.periods import (
    add_months,
    current_month,
    format_period,
    reporting_deadline,
    reporting_month,
)
from scorecards.reports import PERIOD_REQUIRED, UNKNOWN_OFFICE, ScorecardReport
from scorecards.templatetags.scorecard_tags import format_measure
from tests.reports.test_broker_outage import dead_broker  # noqa: F401 (a fixture)
from tests.scorecards.conftest import new_indicator, quiet_month
from users.models import User

pytestmark = pytest.mark.django_db


def user(username: str) -> User:
    return User.objects.get(username=username)


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def report_text(report: ReportRequest) -> tuple[bytes, str]:
    with report.file.open("rb") as handle:
        data = handle.read()
    return data, text_of(data)


def shown(value, indicator) -> str:
    """A value as the PDF's template formats it (``measure``), in bokmål, spaces normalised."""
    with translation.override("nb"):
        text = format_measure(value, unit=indicator.unit, decimals=indicator.decimals)
    return re.sub(r"\s+", " ", text)


def nb(message: str) -> str:
    with translation.override("nb"):
        return translation.gettext(message)


@pytest.fixture
def own_values(demo_data):
    """A quiet month at Heimdal with one state and one municipal indicator of the tests' own,
    each with a value no demo number resembles, entered by each side's staff."""
    period = quiet_month()
    state = new_indicator(side=Side.STATE, unit="count", decimals=1, name="T-statlig")
    municipal = new_indicator(side=Side.MUNICIPAL, unit="count", decimals=1, name="T-kommunal")
    for username, indicator, value in (
        ("stat.heimdal", state, "4321.7"),
        ("kommune.heimdal", municipal, "8765.3"),
    ):
        record_measurements(
            user=user(username),
            rows=[
                MeasurementRow(
                    line=1,
                    office="heimdal",
                    indicator=indicator.code,
                    period=format_period(period),
                    value=Decimal(value),
                )
            ],
            source="form",
        )
    return {"period": period, "state": state, "municipal": municipal}


def render(username: str, period) -> str:
    with translation.override("nb"):
        data = ScorecardReport().render(
            user=user(username), parameters={"office": "heimdal", "period": format_period(period)}
        )
    assert data.startswith(b"%PDF-")
    return text_of(data)


# --- Asked for on the card page and rendered ----------------------------------------------------


def test_the_leader_asks_on_the_card_page_and_gets_both_sides(
    client, demo_data, django_capture_on_commit_callbacks
):
    period = reporting_month()
    client.force_login(user("leder.heimdal"))
    url = reverse("scorecards:pdf", kwargs={"office": "heimdal", "period": period})
    with translation.override("nb"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    report = ReportRequest.objects.get(kind=ReportKind.SCORECARD)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", kwargs={"report_id": report.id})
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.parameters == {"office": "heimdal", "period": format_period(period)}
    assert report.requested_by.username == "leder.heimdal"
    data, text = report_text(report)
    assert data.startswith(b"%PDF-")
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/OutputIntents" in root  # the base's PDF/A
    assert "NAV Heimdal" in text
    with translation.override("nb"):
        assert str(Side(Side.STATE).label) in text
        assert str(Side(Side.MUNICIPAL).label) in text
        assert reporting_deadline(period).strftime("%d.%m.%Y") in text


def test_the_pdf_uses_only_the_embedded_source_sans_3(own_values):
    with translation.override("nb"):
        data = ScorecardReport().render(
            user=user("leder.heimdal"),
            parameters={"office": "heimdal", "period": format_period(own_values["period"])},
        )
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts.add(str(font.get("/BaseFont")))
            descendants = font.get("/DescendantFonts") or []
            for descendant in descendants:
                descriptor = descendant.get_object().get("/FontDescriptor")
                assert descriptor is not None
                descriptor = descriptor.get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts
    assert all(re.sub(r"^/?[A-Z]{6}\+", "", name).startswith("Source-Sans-3") for name in fonts), (
        fonts
    )


def test_the_leader_sees_both_values(own_values):
    text = render("leder.heimdal", own_values["period"])
    assert shown(Decimal("4321.7"), own_values["state"]) in text
    assert shown(Decimal("8765.3"), own_values["municipal"]) in text


def test_the_municipal_executive_gets_municipal_values_and_not_the_state_ones(own_values):
    text = render("radmann.trondheim", own_values["period"])
    assert shown(Decimal("8765.3"), own_values["municipal"]) in text
    assert shown(Decimal("4321.7"), own_values["state"]) not in text
    assert "4321" not in text.replace(" ", "")


def test_the_municipal_executive_gets_heimdals_municipal_values_of_a_demo_month(demo_data):
    """Compared with the database: every municipal value of Heimdal's month, as formatted."""
    period = add_months(reporting_month(), -1)
    stored = list(
        Measurement.objects.filter(
            office__code="heimdal", period=period, indicator__side=Side.MUNICIPAL
        )
        .exclude(value=None)
        .select_related("indicator")
    )
    if not stored:
        pytest.skip("no demo values for the month")
    text = render("radmann.trondheim", period)
    for measurement in stored:
        assert shown(measurement.value, measurement.indicator) in text, measurement.indicator.code
    state_only = [
        m
        for m in Measurement.objects.filter(
            office__code="heimdal",
            period=period,
            indicator__side=Side.STATE,
            indicator__shared=False,
        ).select_related("indicator")
        if m.value is not None
    ]
    # The state's values are not shown: the lines say "status only" (the month is submitted).
    with translation.override("nb"):
        status_only = translation.gettext("Status only")
    if state_only:
        assert text.count(status_only) >= len(state_only)


# --- Who may ask, and with what -----------------------------------------------------------------


@pytest.mark.parametrize("username", ["stat.lerkendal", "kommune.lerkendal", "radmann.fauske"])
def test_another_offices_people_get_the_same_error_as_for_an_unknown_office(demo_data, username):
    period = format_period(reporting_month())
    errors = {}
    for office in ("heimdal", "no-such-office"):
        with pytest.raises(ValidationError) as refused:
            report_request_create(
                user=user(username),
                kind=ReportKind.SCORECARD,
                parameters={"office": office, "period": period},
            )
        errors[office] = refused.value.message_dict
    assert errors["heimdal"] == errors["no-such-office"]
    assert list(errors["heimdal"]) == ["office"]
    assert errors["heimdal"]["office"] == [translation.gettext(UNKNOWN_OFFICE)]
    assert not ReportRequest.objects.filter(kind=ReportKind.SCORECARD).exists()


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({}, "office"),
        ({"office": ""}, "office"),
        ({"office": 7, "period": "2026-01"}, "office"),
        ({"office": "heimdal"}, "period"),
        ({"office": "heimdal", "period": "2026-13"}, "period"),
        ({"office": "heimdal", "period": "2026-1-1"}, "period"),
        ({"office": "heimdal", "period": "november"}, "period"),
        ({"office": "heimdal", "period": 202611}, "period"),
    ],
)
def test_bad_parameters_are_refused_with_a_clear_error(demo_data, parameters, field):
    with pytest.raises(ValidationError) as refused:
        ScorecardReport().clean_parameters(user=user("leder.heimdal"), parameters=parameters)
    assert list(refused.value.message_dict) == [field]
    if field == "period" and parameters.get("period") != "2026-13":
        assert refused.value.message_dict["period"] == [translation.gettext(PERIOD_REQUIRED)]


def test_a_month_not_begun_is_refused(demo_data):
    with pytest.raises(ValidationError) as refused:
        ScorecardReport().clean_parameters(
            user=user("leder.heimdal"),
            parameters={
                "office": "heimdal",
                "period": format_period(add_months(current_month(), 1)),
            },
        )
    assert list(refused.value.message_dict) == ["period"]


def test_the_parameters_are_stored_cleaned_with_a_subject(demo_data):
    cleaned, subject = ScorecardReport().clean_parameters(
        user=user("kommune.heimdal"), parameters={"office": "heimdal", "period": "2026-03"}
    )
    assert cleaned == {"office": "heimdal", "period": "2026-03"}
    assert "NAV Heimdal" in subject


def test_the_content_is_read_again_with_the_requesters_visibility(demo_data):
    """A requester who lost sight of the office gets a failed report with a reason."""
    parameters = {"office": "heimdal", "period": format_period(reporting_month())}
    context = ScorecardReport().context(user=user("kommune.heimdal"), parameters=parameters)
    sides = {side["side"]: side for side in context["sides"]}
    for side in sides.values():
        for _perspective, _label, lines in side["groups"]:
            for line in lines:
                if line.side == Side.STATE and not line.indicator.shared:
                    assert not line.value_visible and line.value is None
    with pytest.raises(ReportContentUnavailable):
        ScorecardReport().context(user=user("stat.lerkendal"), parameters=parameters)


def test_the_kind_is_registered():
    assert isinstance(DEFINITIONS[ReportKind.SCORECARD], ScorecardReport)


# --- The card page's button ---------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, demo_data):
    url = reverse("scorecards:pdf", kwargs={"office": "heimdal", "period": reporting_month()})
    response = client.post(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert not ReportRequest.objects.filter(kind=ReportKind.SCORECARD).exists()


@pytest.mark.parametrize("username", ["stat.lerkendal", "radmann.fauske"])
def test_outsiders_get_404_on_the_button(client, demo_data, username):
    client.force_login(user(username))
    for office in ("heimdal", "no-such-office"):
        url = reverse("scorecards:pdf", kwargs={"office": office, "period": reporting_month()})
        assert client.post(url).status_code == 404
    assert not ReportRequest.objects.filter(kind=ReportKind.SCORECARD).exists()


def test_the_button_is_a_post(client, demo_data):
    client.force_login(user("leder.heimdal"))
    url = reverse("scorecards:pdf", kwargs={"office": "heimdal", "period": reporting_month()})
    assert client.get(url).status_code == 405


def test_a_future_month_is_refused_back_on_the_card(client, demo_data):
    client.force_login(user("leder.heimdal"))
    period = add_months(current_month(), 2)
    url = reverse("scorecards:pdf", kwargs={"office": "heimdal", "period": period})
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "scorecards:card", kwargs={"office": "heimdal", "period": period}
    )
    assert not ReportRequest.objects.filter(kind=ReportKind.SCORECARD).exists()


def test_with_the_broker_down_the_card_says_why_and_nothing_is_stored(
    client,
    demo_data,
    dead_broker,  # noqa: F811
):
    client.force_login(user("leder.heimdal"))
    period = reporting_month()
    url = reverse("scorecards:pdf", kwargs={"office": "heimdal", "period": period})
    with translation.override("nb"):
        response = client.post(url, follow=False, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "scorecards:card", kwargs={"office": "heimdal", "period": period}
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert nb(QUEUE_UNAVAILABLE) in messages
    assert not ReportRequest.objects.filter(kind=ReportKind.SCORECARD).exists()


# --- The reports API ----------------------------------------------------------------------------


def test_the_api_takes_the_scorecard_kind(demo_data):
    api = APIClient()
    api.force_authenticate(user("leder.heimdal"))
    response = api.post(
        "/api/v1/reports/",
        {
            "kind": "scorecard",
            "parameters": {"office": "heimdal", "period": format_period(reporting_month())},
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    report = ReportRequest.objects.get(pk=response.json()["id"])
    assert report.kind == ReportKind.SCORECARD
    assert report.parameters == {"office": "heimdal", "period": format_period(reporting_month())}


@pytest.mark.parametrize(
    ("username", "parameters", "field"),
    [
        ("leder.heimdal", {"office": "heimdal", "period": "2026-13"}, "parameters.period"),
        ("leder.heimdal", {"office": "heimdal"}, "parameters.period"),
        ("stat.lerkendal", {"office": "heimdal", "period": "2026-01"}, "parameters.office"),
    ],
)
def test_the_api_refuses_bad_parameters_and_outsiders(demo_data, username, parameters, field):
    api = APIClient()
    api.force_authenticate(user(username))
    response = api.post(
        "/api/v1/reports/", {"kind": "scorecard", "parameters": parameters}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not ReportRequest.objects.filter(kind=ReportKind.SCORECARD).exists()
