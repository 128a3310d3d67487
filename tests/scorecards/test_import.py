"""Importing measurements from CSV and Excel (issue 10, item 4): the parser
(``scorecards/imports.py``) and the import page, all or nothing, every bad row named with its
line; who may import for which side; the CSV template."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from scorecards import imports
from scorecards.measurements import MeasurementRow, record_measurements
from scorecards.models import Measurement
from scorecards.periods import add_months, format_period, reporting_month
from tests.scorecards.conftest import new_indicator, quiet_month
from users.models import User

pytestmark = pytest.mark.django_db

HEADER = "office;indicator;period;value;comment"


def upload(name: str, content: bytes | str) -> SimpleUploadedFile:
    if isinstance(content, str):
        content = content.encode("utf-8")
    return SimpleUploadedFile(name, content)


def refusal(name, content) -> str:
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_measurement_file(upload(name, content))
    return refused.value.message


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def signed_in(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def import_url(office="heimdal"):
    return reverse("scorecards:import", kwargs={"office": office})


# --- The parser --------------------------------------------------------------------------------


def test_csv_semicolon_with_bom_and_line_numbers():
    content = (
        "\ufeff" + HEADER + "\nheimdal;t-a;2024-11;55,5;God måned\n\nheimdal;t-b;2024-11;12;\n"
    )
    rows = imports.read_measurement_file(upload("verdier.csv", content))
    assert rows == [
        MeasurementRow(2, "heimdal", "t-a", "2024-11", "55,5", "God måned", None),
        MeasurementRow(4, "heimdal", "t-b", "2024-11", "12", "", None),
    ]


def test_csv_comma_and_norwegian_headers_in_any_order():
    content = 'verdi,kontor,måned,indikator,kommentar\n"12,5",heimdal,2024-11,t-a,"a, b"\n'
    (row,) = imports.read_measurement_file(upload("VERDIER.CSV", content))
    assert (row.office, row.indicator, row.period, row.value, row.comment) == (
        "heimdal",
        "t-a",
        "2024-11",
        "12,5",
        "a, b",
    )


def test_comment_column_is_optional():
    (row,) = imports.read_measurement_file(
        upload("a.csv", "office;indicator;period;value\nheimdal;t-a;2024-11;1\n")
    )
    assert row.comment == ""


def test_not_utf8_is_refused_with_the_reason():
    content = (HEADER + "\nheimdal;t-a;2024-11;1;Særlig god måned\n").encode("cp1252")
    assert refusal("verdier.csv", content) == _(imports.NOT_UTF8)


@pytest.mark.parametrize("name", ["verdier.txt", "verdier.pdf", "verdier.xls", "verdier"])
def test_other_kinds_of_file_are_refused(name):
    assert refusal(name, HEADER + "\n") == _(imports.NOT_A_TABLE)


def test_a_pdf_renamed_to_xlsx_is_refused():
    assert refusal("verdier.xlsx", b"%PDF-1.7 not a workbook") == _(imports.NOT_EXCEL)


def test_a_workbook_renamed_to_csv_is_refused():
    assert refusal("verdier.csv", workbook([HEADER.split(";")])) == _(imports.NOT_A_TABLE)


@pytest.mark.parametrize("content", ["", "\n\n", HEADER + "\n", HEADER + "\n;;;;\n"])
def test_empty_files_are_refused(content):
    assert refusal("a.csv", content) == _(imports.EMPTY)


def test_missing_columns_are_named():
    message = refusal("a.csv", "office;indicator;comment\nheimdal;t-a;x\n")
    assert message == _(imports.MISSING_COLUMNS) % {"columns": "period, value"}


def test_a_file_without_a_header_is_refused():
    assert refusal("a.csv", "heimdal;t-a;2024-11;1\n") == _(imports.NO_HEADER)


def test_too_many_rows_are_refused(settings):
    settings.MEASUREMENT_IMPORT_MAX_ROWS = 3
    content = HEADER + "\n" + "".join(f"heimdal;t-a;2024-{m:02d};1;\n" for m in range(1, 6))
    assert refusal("a.csv", content) == _(imports.TOO_MANY_ROWS) % {"count": 5, "limit": 3}


def test_excel_first_sheet_with_dates_and_numbers():
    content = workbook(
        [
            ["Kontor", "Indikator", "Måned", "Verdi", "Kommentar"],
            # Excel keeps no time zone: a cell holds a naive date and time.
            ["heimdal", "t-a", datetime.datetime(2024, 11, 1), 55.5, "God"],  # noqa: DTZ001
            [None, None, None, None, None],
            ["heimdal", "t-b", "2024-10", "12,5", None],
        ]
    )
    rows = imports.read_measurement_file(upload("verdier.xlsx", content))
    assert rows == [
        MeasurementRow(2, "heimdal", "t-a", "2024-11", 55.5, "God", None),
        MeasurementRow(4, "heimdal", "t-b", "2024-10", "12,5", "", None),
    ]


def test_template_reads_back():
    text = imports.template_csv([["heimdal", "t-a", "2024-11", "1,5", "x"]])
    (row,) = imports.read_measurement_file(upload("mal.csv", text))
    assert (row.line, row.value) == (2, "1,5")


def test_template_comments_never_become_formulas():
    text = imports.template_csv([["heimdal", "t-a", "2024-11", "-1", "=HYPERLINK(1)"]])
    assert ";-1;'=HYPERLINK(1)" in text  # a negative value stays a number
    (row,) = imports.read_measurement_file(upload("mal.csv", text))
    assert (row.value, row.comment) == ("-1", "=HYPERLINK(1)")


# --- The page ----------------------------------------------------------------------------------


@pytest.fixture
def month():
    return quiet_month()


@pytest.fixture
def indicators(demo_data):
    return {
        "state": new_indicator(side="state"),
        "municipal": new_indicator(side="municipal"),
    }


def csv_of(rows) -> str:
    return HEADER + "\n" + "".join(";".join(str(cell) for cell in row) + "\n" for row in rows)


def post(client, name, content):
    return client.post(import_url(), {"file": upload(name, content)})


def row_errors(response) -> list[tuple[str, str]]:
    """``(line, field)`` of each row in the page's table of refused lines."""
    return re.findall(r'data-line="(\d+)" data-field="([a-z]*)"', response.content.decode())


def test_leader_imports_csv(client, indicators, month):
    period = format_period(month)
    content = csv_of(
        [
            ["heimdal", indicators["state"].code, period, "55,5", "God"],
            ["heimdal", indicators["municipal"].code, period, "12", ""],
        ]
    )
    response = post(signed_in(client, "leder.heimdal"), "verdier.csv", content)
    assert response.status_code == 302 and response["Location"] == import_url()
    stored = Measurement.objects.get(indicator=indicators["state"], period=month)
    assert stored.value == Decimal("55.5") and stored.source == "import"
    assert stored.comment == "God"
    assert Measurement.objects.get(indicator=indicators["municipal"], period=month).value == 12
    page = client.get(import_url())
    expected = _(
        "The file is imported: %(created)d new values, %(updated)d changed, "
        "%(unchanged)d unchanged."
    ) % {"created": 2, "updated": 0, "unchanged": 0}
    assert expected in page.content.decode()


def test_staff_imports_excel_for_their_side(client, indicators, month):
    content = workbook(
        [
            ["office", "indicator", "period", "value", "comment"],
            ["heimdal", indicators["municipal"].code, month, 44, "fra Excel"],
        ]
    )
    response = post(signed_in(client, "kommune.heimdal"), "verdier.xlsx", content)
    assert response.status_code == 302
    stored = Measurement.objects.get(indicator=indicators["municipal"], period=month)
    assert stored.value == 44 and stored.comment == "fra Excel"


def test_staff_cannot_import_the_other_sides_values(client, indicators, month):
    period = format_period(month)
    content = csv_of(
        [
            ["heimdal", indicators["municipal"].code, period, "12", ""],
            ["heimdal", indicators["state"].code, period, "50", ""],
        ]
    )
    response = post(signed_in(client, "kommune.heimdal"), "verdier.csv", content)
    assert response.status_code == 400
    assert ("3", "office") in row_errors(response)
    assert not Measurement.objects.filter(indicator__in=indicators.values())


def test_another_offices_rows_are_refused(client, indicators, month):
    content = csv_of([["lerkendal", indicators["state"].code, format_period(month), "12", ""]])
    response = post(signed_in(client, "leder.heimdal"), "verdier.csv", content)
    assert response.status_code == 400
    assert ("2", "office") in row_errors(response)
    assert not Measurement.objects.filter(indicator__in=indicators.values())


def test_duplicate_rows_and_101_percent_are_named(client, indicators, month):
    period = format_period(month)
    code = indicators["state"].code
    content = csv_of(
        [
            ["heimdal", code, period, "50", ""],
            ["heimdal", code, period, "51", ""],
            ["heimdal", indicators["municipal"].code, period, "101", ""],
        ]
    )
    response = post(signed_in(client, "leder.heimdal"), "verdier.csv", content)
    assert response.status_code == 400
    errors = row_errors(response)
    assert ("3", "period") in errors
    assert ("4", "value") in errors
    html = response.content.decode()
    assert _("The same office, indicator and month as line %(line)d.") % {"line": 2} in html
    assert _("A percentage must be between 0 and 100.") in html
    assert not Measurement.objects.filter(indicator__in=indicators.values())


def test_one_bad_row_among_ten_thousand_stores_nothing(client, demo_data, month):
    codes = [new_indicator(side="state").code for _index in range(50)]
    first = datetime.date(2009, 1, 1)
    months = [format_period(add_months(first, offset)) for offset in range(200)]
    assert add_months(first, 199) < reporting_month()
    rows = [["heimdal", code, period, "50", ""] for code in codes for period in months]
    assert len(rows) == 10_000
    rows[7_321][3] = "fem"
    response = post(signed_in(client, "leder.heimdal"), "stor.csv", csv_of(rows))
    assert response.status_code == 400
    assert row_errors(response) == [("7323", "value")]
    assert not Measurement.objects.filter(indicator__code__in=codes).exists()


def test_not_utf8_is_shown_at_the_field(client, indicators, month):
    content = csv_of([["heimdal", indicators["state"].code, format_period(month), "1", "Særlig"]])
    response = post(signed_in(client, "leder.heimdal"), "a.csv", content.encode("latin-1"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_file-error"' in html
    assert _(imports.NOT_UTF8) in html


@pytest.mark.parametrize(("name", "content"), [("a.txt", HEADER), ("a.pdf", b"%PDF-1.7")])
def test_other_files_are_refused_on_the_page(client, demo_data, name, content):
    response = post(signed_in(client, "leder.heimdal"), name, content)
    assert response.status_code == 400
    assert _(imports.NOT_A_TABLE) in response.content.decode()


@pytest.mark.parametrize(
    "username", ["stat.lerkendal", "kommune.lerkendal", "fylkesdirektor.nordland"]
)
def test_import_is_unknown_to_outsiders(client, indicators, month, username):
    signed_in(client, username)
    assert client.get(import_url()).status_code == 404
    assert client.get(import_url(), {"mal": 1}).status_code == 404
    content = csv_of([["heimdal", indicators["state"].code, format_period(month), "1", ""]])
    assert post(client, "a.csv", content).status_code == 404
    assert not Measurement.objects.filter(indicator__in=indicators.values())


def test_import_signs_in_anonymous_callers(client, demo_data):
    response = client.get(import_url())
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unknown_office_is_404(client, demo_data):
    assert signed_in(client, "leder.heimdal").get(import_url("nowhere")).status_code == 404


@pytest.mark.parametrize(
    ("username", "state", "municipal"),
    [
        ("stat.heimdal", True, False),
        ("kommune.heimdal", False, True),
        ("leder.heimdal", True, True),
    ],
)
def test_template_has_the_indicators_one_enters(client, indicators, username, state, municipal):
    period = reporting_month()
    record_measurements(
        user=User.objects.get(username="leder.heimdal"),
        rows=[MeasurementRow(1, "heimdal", indicators["state"].code, period, "61,5", "kommentar")],
        source="form",
    )
    response = signed_in(client, username).get(import_url(), {"mal": 1})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER
    state_line = f"heimdal;{indicators['state'].code};{format_period(period)};61,5;kommentar"
    assert (state_line in text) is state
    municipal_line = f"heimdal;{indicators['municipal'].code};{format_period(period)};;"
    assert (municipal_line in text) is municipal
    # The template is a file the import reads.
    rows = imports.read_measurement_file(upload("mal.csv", response.content))
    assert all(row.office == "heimdal" for row in rows)


def test_page_links_the_template(client, demo_data):
    html = signed_in(client, "leder.heimdal").get(import_url()).content.decode()
    assert 'data-testid="template-link"' in html and "?mal=1" in html
    assert 'enctype="multipart/form-data"' in html


def test_rows_for_other_offices_one_changes_are_stored(client, indicators, month):
    period = format_period(month)
    code = indicators["municipal"].code
    content = csv_of([["heimdal", code, period, "10", ""], ["lerkendal", code, period, "20", ""]])
    response = post(signed_in(client, "radmann.trondheim"), "verdier.csv", content)
    assert response.status_code == 302
    values = dict(
        Measurement.objects.filter(indicator=indicators["municipal"]).values_list(
            "office__code", "value"
        )
    )
    assert values == {"heimdal": 10, "lerkendal": 20}
