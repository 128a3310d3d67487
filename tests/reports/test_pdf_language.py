"""A report's PDF is tagged (``/Lang``) with the report's language, not always bokmål."""

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from reports.models import ReportKind, ReportStatus
from reports.services import report_request_create
from users.models import User

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.mark.parametrize(
    ("language", "words"), [("en", "Host municipality"), ("nb", "Vertskommune")]
)
def test_pdf_language_is_the_reports_language(
    demo_data, django_capture_on_commit_callbacks, language, words
):
    requester = User.objects.get(username="radmann.fauske")
    with translation.override(language), django_capture_on_commit_callbacks(execute=True):
        report = report_request_create(
            user=requester,
            kind=ReportKind.OFFICE_FACT_SHEET,
            parameters={"office": "indre-salten"},
        )
    report.refresh_from_db()
    assert report.language == language
    assert report.status == ReportStatus.DONE, report.error
    with report.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    # The text is in the report's language, and so is the tag a screen reader goes by.
    assert words in "\n".join(page.extract_text() for page in reader.pages)
    assert reader.trailer["/Root"]["/Lang"] == language
