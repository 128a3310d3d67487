"""Exports of what a review page shows, as CSV or Excel, with a row limit.

The rows come from the same selector as the page (so through the same visibility); this module
only writes them. A CSV is UTF-8 with a byte-order mark and ``;`` between fields, as Norwegian
Excel opens it (like the access review's CSV); an Excel file is written with openpyxl's
write-only mode, which streams rows instead of holding the sheet in memory.

An export larger than ``settings.REVIEW_EXPORT_MAX_ROWS`` is refused before anything is written
(``ExportTooLarge``): the page says how many rows it would have been, what the limit is, and how
to narrow it (a side, a status, a perspective) — rather than a download that runs into the
server's timeout.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CSV_DELIMITER = ";"
CSV_BOM = "\ufeff"


class UnknownFormat(Exception):
    pass


class ExportTooLarge(Exception):
    def __init__(self, rows: int, limit: int):
        self.rows = rows
        self.limit = limit
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _(
            "This export would hold %(rows)s rows; at most %(limit)s can be exported at once. "
            "Narrow the page first (a side, a perspective or a status), or export one month "
            "at a time."
        ) % {"rows": self.rows, "limit": self.limit}


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UnknownFormat(fmt)
    return fmt


def check_size(rows: int, *, limit: int | None = None) -> None:
    limit = settings.REVIEW_EXPORT_MAX_ROWS if limit is None else limit
    if rows > limit:
        raise ExportTooLarge(rows, limit)


def _cell(value):
    """Numbers stay numbers in Excel; everything else is its text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def export_response(
    fmt: str,
    *,
    filename: str,
    header: Sequence[str],
    rows: Sequence[Sequence],
    sheet_title: str = "",
    limit: int | None = None,
) -> HttpResponse:
    """The rows as a download. ``rows`` must be a sized sequence: its length is checked against
    the limit before a byte is written."""
    check_format(fmt)
    check_size(len(rows), limit=limit)
    response = HttpResponse(content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    if fmt == "csv":
        response.write(CSV_BOM)
        writer = csv.writer(response, delimiter=CSV_DELIMITER)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
    else:
        response.write(_xlsx(header, rows, sheet_title or filename))
    return response


def _xlsx(header: Sequence[str], rows: Iterable[Sequence], title: str) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])  # Excel's limit for a sheet's name

    bold = []
    for title_cell in header:
        cell = WriteOnlyCell(sheet, value=str(title_cell))
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_csv(content: bytes) -> list[list[str]]:
    """The rows of an export (for tests and for anyone checking a download)."""
    text = content.decode("utf-8").removeprefix(CSV_BOM)
    return list(csv.reader(io.StringIO(text), delimiter=CSV_DELIMITER))
