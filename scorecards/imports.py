"""Reading a file of measurements (CSV or Excel) into ``MeasurementRow``s for
``record_measurements``.

The file has a header row naming its columns, in English or bokmål —
``office;indicator;period;value;comment`` or ``kontor;indikator;måned;verdi;kommentar`` — and one
row per value. CSV is UTF-8 (a byte-order mark is fine), separated by ``;`` (what Norwegian Excel
writes) or ``,``; Excel is an ``.xlsx`` workbook, of which the first sheet is read, through
openpyxl's read-only mode (docs/decisions.md). Each row keeps its line in the file (the header is
line 1) so every refusal can name it.

This module only reads: whether a row may be stored is ``record_measurements``' question.
"""

import csv
import datetime
import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from scorecards.measurements import MeasurementRow
from scorecards.periods import format_period

# The column names a file may use for each field, lower-cased.
COLUMNS: dict[str, tuple[str, ...]] = {
    "office": ("office", "kontor"),
    "indicator": ("indicator", "indikator"),
    "period": ("period", "month", "måned", "maned", "maaned"),
    "value": ("value", "verdi"),
    "comment": ("comment", "kommentar"),
}
REQUIRED = ("office", "indicator", "period", "value")
TEMPLATE_HEADER = ["office", "indicator", "period", "value", "comment"]
MAX_BYTES = 20 * 1024 * 1024

NOT_A_TABLE = gettext_noop("Upload a CSV file (.csv) or an Excel workbook (.xlsx).")
NOT_UTF8 = gettext_noop(
    "The file is not UTF-8 text. Save it as “CSV UTF-8” (in Excel: Save as → CSV UTF-8) and "
    "upload it again."
)
NOT_EXCEL = gettext_noop("The file could not be read as an Excel workbook (.xlsx).")
EMPTY = gettext_noop("The file has no rows of values.")
NO_HEADER = gettext_noop("The file's first line must name its columns.")
MISSING_COLUMNS = gettext_noop("The file lacks the column(s) %(columns)s.")
TOO_MANY_ROWS = gettext_noop("The file has %(count)d rows; at most %(limit)d are read at a time.")
TOO_LARGE = gettext_noop("The file is larger than %(size)d MB.")


class ImportRefused(Exception):
    """The file as a whole cannot be read; ``message`` says why (translated)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def read_measurement_file(upload) -> list[MeasurementRow]:
    """The rows of an uploaded file (``UploadedFile`` or anything with ``name`` and ``read``)."""
    name = (getattr(upload, "name", "") or "").lower()
    if getattr(upload, "size", None) and upload.size > MAX_BYTES:
        raise ImportRefused(_(TOO_LARGE) % {"size": MAX_BYTES // (1024 * 1024)})
    data = upload.read()
    if len(data) > MAX_BYTES:
        raise ImportRefused(_(TOO_LARGE) % {"size": MAX_BYTES // (1024 * 1024)})
    if name.endswith(".xlsx"):
        return _rows(_excel_lines(data))
    if name.endswith(".csv"):
        return _rows(_csv_lines(data))
    raise ImportRefused(_(NOT_A_TABLE))


def _csv_lines(data: bytes):
    if data.startswith(b"PK\x03\x04"):
        raise ImportRefused(_(NOT_A_TABLE))  # a workbook renamed to .csv
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_(NOT_UTF8)) from None
    if "\x00" in text:
        raise ImportRefused(_(NOT_UTF8))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for cells in reader:
        yield reader.line_num, cells


def _excel_lines(data: bytes):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRefused(_(NOT_EXCEL)) from None
    except Exception:  # openpyxl raises its own kinds for broken workbooks
        raise ImportRefused(_(NOT_EXCEL)) from None
    try:
        if not workbook.worksheets:
            raise ImportRefused(_(EMPTY))
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(cell) for cell in cells]
    finally:
        workbook.close()


def _cell(cell):
    """An Excel cell as the measurement path reads it: a month for a date, text stays text."""
    if isinstance(cell, datetime.datetime):
        cell = cell.date()
    if isinstance(cell, datetime.date):
        return format_period(cell) if cell.day == 1 else cell.isoformat()
    if cell is None:
        return ""
    return cell


def _blank(cells) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _rows(lines) -> list[MeasurementRow]:
    limit = settings.MEASUREMENT_IMPORT_MAX_ROWS
    columns = None
    rows: list[MeasurementRow] = []
    for number, cells in lines:
        if _blank(cells):
            continue
        if columns is None:
            columns = _columns(cells)
            continue
        if len(rows) >= limit:
            count = len(rows) + 1 + sum(1 for _n, more in lines if not _blank(more))
            raise ImportRefused(_(TOO_MANY_ROWS) % {"count": count, "limit": limit})

        def cell(name, cells=cells, columns=columns):
            index = columns.get(name)
            if index is None or index >= len(cells):
                return ""
            value = cells[index]
            return value.strip() if isinstance(value, str) else value

        rows.append(
            MeasurementRow(
                line=number,
                office=str(cell("office")),
                indicator=str(cell("indicator")),
                period=str(cell("period")),
                value=cell("value"),
                comment=_read_text_cell(str(cell("comment") or "")),
                version=None,
            )
        )
    if columns is None:
        raise ImportRefused(_(EMPTY))
    if not rows:
        raise ImportRefused(_(EMPTY))
    return rows


def _columns(cells) -> dict[str, int]:
    names = [str(cell or "").strip().lower() for cell in cells]
    found: dict[str, int] = {}
    for field, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[field] = index
                break
    if not found:
        raise ImportRefused(_(NO_HEADER))
    missing = [field for field in REQUIRED if field not in found]
    if missing:
        raise ImportRefused(_(MISSING_COLUMNS) % {"columns": ", ".join(missing)})
    return found


# A cell starting with one of these is a formula to a spreadsheet; a comment someone typed
# must not become one when the template is opened in Excel (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _read_text_cell(text: str) -> str:
    """A comment as written by ``_text_cell``, without its protecting apostrophe."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def template_csv(rows: list[list[str]]) -> str:
    """A CSV file with the header and ``rows``, as the import reads it back (``;``, UTF-8 BOM
    so that Excel opens it as UTF-8). Comments that would read as formulas get an apostrophe,
    which the import takes off again."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    writer.writerows([*row[:4], _text_cell(str(row[4]))] for row in rows)
    return "\ufeff" + buffer.getvalue()
