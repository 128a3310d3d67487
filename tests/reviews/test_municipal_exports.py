"""The municipal review's exports (CSV, Excel) and summary PDF hold what the page shows the
reader, no more (rule 8): municipal values, the state's only where shared, its statuses once
submitted; the row limit answers 400 with its message."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from navpartner.sidedata import Side
from reports.definitions import DEFINITIONS, ReportContentUnavailable
from reports.models import ReportKind, ReportRequest
from reviews.exports import read_csv
from reviews.municipal_report import MunicipalSummaryReport
from scorecards.measurements import MeasurementRow, record_measurements
from scorecards.models import Indicator
from scorecards.periods import add_months, format_period, reporting_month
from scorecards.templatetags.scorecard_tags import format_measure
from tests.scorecards.conftest import new_indicator, quiet_month
from users.models import User

pytestmark = pytest.mark.django_db

TRONDHEIM = "5001"
PAGE = reverse("reviews:municipal", kwargs={"number": TRONDHEIM})
CSV = reverse("reviews:municipal-export", kwargs={"number": TRONDHEIM, "fmt": "csv"})
XLSX = reverse("reviews:municipal-export", kwargs={"number": TRONDHEIM, "fmt": "xlsx"})
PDF = reverse("reviews:municipal-pdf", kwargs={"number": TRONDHEIM})

# Columns of the export (reviews/views/municipal.py export_header).
OFFICE, INDICATOR, SIDE_COLUMN, MONTH, VALUE, TARGET, STATUS = 0, 2, 4, 6, 7, 8, 9


def user(username: str) -> User:
    return User.objects.get(username=username)


def signed_in(client, username: str):
    client.force_login(user(username))
    return client


def last_submitted():
    return add_months(reporting_month(), -1)


def shown(value, indicator) -> str:
    with translation.override("nb"):
        text = format_measure(value, unit=indicator.unit, decimals=indicator.decimals)
    return re.sub(r"\s+", " ", text)


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def own_values(demo_data):
    """A quiet month at Heimdal: a state, a shared state and a municipal indicator of the
    tests' own, each with a value no demo number resembles."""
    period = quiet_month()
    state = new_indicator(side=Side.STATE, unit="count", decimals=1, name="T-statlig")
    shared = new_indicator(side=Side.STATE, unit="count", decimals=1, name="T-delt", shared=True)
    municipal = new_indicator(side=Side.MUNICIPAL, unit="count", decimals=1, name="T-kommunal")
    for username, indicator, value in (
        ("stat.heimdal", state, "4321.7"),
        ("stat.heimdal", shared, "5678.9"),
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
    return {"period": period, "state": state, "shared": shared, "municipal": municipal}


# --- CSV and Excel --------------------------------------------------------------------------------


def test_the_csv_holds_the_rows_of_the_page(client, demo_data):
    query = {"maned": format_period(last_submitted())}
    signed_in(client, "radmann.trondheim")
    page = client.get(PAGE, query)
    response = client.get(CSV, query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response.content)
    header, body = rows[0], rows[1:]
    assert len(header) >= 12
    expected = {
        (office_row.office.code, line.indicator.code)
        for office_row, line in page.context["review"].export_rows()
    }
    assert {(row[OFFICE], row[INDICATOR]) for row in body} == expected
    assert len(body) == len(expected)
    assert {row[MONTH] for row in body} == {query["maned"]}


def test_a_municipal_reader_never_exports_a_state_value_unless_shared(client, own_values):
    period = own_values["period"]
    response = signed_in(client, "radmann.trondheim").get(CSV, {"maned": format_period(period)})
    body = read_csv(response.content)[1:]
    values = {(row[OFFICE], row[INDICATOR]): row[VALUE] for row in body}
    assert values[("heimdal", own_values["municipal"].code)] == "8765.3"
    assert values[("heimdal", own_values["shared"].code)] == "5678.9"
    assert values[("heimdal", own_values["state"].code)] == ""
    content = response.content.decode("utf-8")
    assert "4321" not in content
    sides = dict(Indicator.objects.values_list("code", "side"))
    shared = set(Indicator.objects.filter(shared=True).values_list("code", flat=True))
    for row in body:
        if sides[row[INDICATOR]] == Side.STATE and row[INDICATOR] not in shared:
            assert row[VALUE] == "" and row[TARGET] == ""


def test_state_statuses_are_exported_once_submitted(client, demo_data):
    response = signed_in(client, "radmann.trondheim").get(
        CSV, {"maned": format_period(last_submitted()), "side": "state"}
    )
    body = read_csv(response.content)[1:]
    assert body
    shared = set(Indicator.objects.filter(shared=True).values_list("code", flat=True))
    for row in body:
        assert row[STATUS]
        if row[INDICATOR] not in shared:
            assert row[VALUE] == ""


def test_the_county_director_cannot_export_it(client, demo_data):
    assert signed_in(client, "fylkesdirektor.trondelag").get(CSV).status_code == 404


def test_the_excel_file_has_the_same_rows(client, demo_data):
    query = {"maned": format_period(last_submitted()), "side": "municipal"}
    signed_in(client, "radmann.trondheim")
    csv_rows = read_csv(client.get(CSV, query).content)
    response = client.get(XLSX, query)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    xlsx_rows = list(sheet.iter_rows(values_only=True))
    assert len(xlsx_rows) == len(csv_rows)
    assert [row[INDICATOR] for row in xlsx_rows] == [row[INDICATOR] for row in csv_rows]


def test_too_many_rows_answer_400_with_the_message(client, demo_data, settings):
    settings.REVIEW_EXPORT_MAX_ROWS = 3
    response = signed_in(client, "radmann.trondheim").get(
        CSV, {"maned": format_period(last_submitted())}
    )
    assert response.status_code == 400
    assert "eksport" in response.context["errors"]
    assert 'data-parameter="eksport"' in response.content.decode()


def test_the_export_follows_the_filters(client, demo_data):
    response = signed_in(client, "radmann.trondheim").get(
        CSV, {"maned": format_period(last_submitted()), "side": "municipal", "status": "met"}
    )
    body = read_csv(response.content)[1:]
    sides = dict(Indicator.objects.values_list("code", "side"))
    assert body
    assert all(sides[row[INDICATOR]] == Side.MUNICIPAL for row in body)


# --- The summary PDF ------------------------------------------------------------------------------


def render(username: str, period) -> str:
    with translation.override("nb"):
        data = MunicipalSummaryReport().render(
            user=user(username),
            parameters={"municipality": TRONDHEIM, "period": format_period(period)},
        )
    assert data.startswith(b"%PDF-")
    return text_of(data)


def test_the_kind_is_registered():
    assert isinstance(DEFINITIONS[ReportKind.MUNICIPAL_SUMMARY], MunicipalSummaryReport)


def test_the_pdf_holds_municipal_and_shared_values_and_no_state_value(own_values):
    text = render("radmann.trondheim", own_values["period"])
    assert shown(Decimal("8765.3"), own_values["municipal"]) in text
    assert shown(Decimal("5678.9"), own_values["shared"]) in text
    assert shown(Decimal("4321.7"), own_values["state"]) not in text
    assert "4321" not in text
    for name in ("NAV Heimdal", "NAV Lerkendal", "NAV Midtbyen", "NAV Østbyen"):
        assert name in text


def test_the_pdf_content_is_the_requesters_view(own_values):
    """The context is read with the requester's visibility: no state value is in it."""
    context = MunicipalSummaryReport().context(
        user=user("radmann.trondheim"),
        parameters={"municipality": TRONDHEIM, "period": format_period(own_values["period"])},
    )
    for table in context["review"].sides:
        for row in table.rows:
            for cell in row.cells:
                if cell.line and cell.line.side == Side.STATE and not cell.line.indicator.shared:
                    assert cell.line.value is None and not cell.line.value_visible
    # Someone who lost the role gets a failed report, not someone else's view.
    with pytest.raises(ReportContentUnavailable):
        MunicipalSummaryReport().context(
            user=user("radmann.fauske"),
            parameters={"municipality": TRONDHEIM, "period": format_period(own_values["period"])},
        )


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"period": "2026-01"}, "municipality"),
        ({"municipality": TRONDHEIM}, "period"),
        ({"municipality": TRONDHEIM, "period": "2026-13"}, "period"),
        ({"municipality": TRONDHEIM, "period": "2999-01"}, "period"),
        ({"municipality": TRONDHEIM, "period": "1990-01"}, "period"),
        ({"municipality": "1841", "period": "2026-01"}, "municipality"),
    ],
)
def test_bad_parameters_are_refused(demo_data, parameters, field):
    with pytest.raises(ValidationError) as refused:
        MunicipalSummaryReport().clean_parameters(
            user=user("radmann.trondheim"), parameters=parameters
        )
    assert field in refused.value.message_dict


def test_the_button_makes_a_report_and_leads_to_it(
    client, demo_data, django_capture_on_commit_callbacks
):
    signed_in(client, "radmann.trondheim")
    query = f"maned={format_period(last_submitted())}&side=municipal"
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"{PDF}?{query}")
    assert response.status_code == 302
    report = ReportRequest.objects.filter(kind=ReportKind.MUNICIPAL_SUMMARY).latest("requested_at")
    assert response["Location"] == reverse("reports:detail", kwargs={"report_id": report.id})
    assert report.parameters == {
        "municipality": TRONDHEIM,
        "period": format_period(last_submitted()),
    }
    assert report.requested_by.username == "radmann.trondheim"


def test_the_button_is_a_post(client, demo_data):
    assert signed_in(client, "radmann.trondheim").get(PDF).status_code == 405
