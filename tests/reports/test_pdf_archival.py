"""Every kind of report is a PDF fit for a meeting and for the archive (issue 8, finding 9).

``pdffonts`` lists one embedded family, Source Sans 3, and nothing it fell back to; ``pdfinfo``
says ``Tagged: yes``; the XMP metadata claims PDF/A-2a and PDF/UA-1 (with the extension schema
PDF/A asks for); the language is the report's. poppler-utils gives the two tools (``.ci/run``
installs it); without it these tests skip, and fail under ``REQUIRE_SERVICES=1``.
"""

import io
import re
import shutil
import subprocess
from xml.etree import ElementTree

import pytest
from django.utils import translation
from pypdf import PdfReader

from agreements.models import AgreementVersion
from offices.models import Office, OfficeNote
from reports.definitions import DEFINITIONS
from reports.models import ReportKind
from scorecards.periods import format_period, reporting_month
from tests.conftest import skip_or_fail
from users.models import User

pytestmark = pytest.mark.django_db(transaction=False)

FAMILY = "Source-Sans-3"
# Every letter of Norwegian and the Sami languages, and the punctuation Norwegian text uses.
NORWEGIAN_TEXT = "ÆØÅ æøå Áá Čč Đđ Ŋŋ Šš Ŧŧ Žž Ïï ÄäÖö «sitat» – “gåseøyne” … § 12 % 1 500 kr €"


def example_agreement_version(user) -> dict:
    """A version of the demo's Trondheim agreement, which ``user`` can see."""
    version = AgreementVersion.objects.visible_to(user).order_by("agreement_id", "number").first()
    assert version is not None, "the demo data has no agreement version for this user"
    return {"version": version.pk}


# One example per kind of report: (who asks, how to make the parameters). A kind registered
# later without an example here fails test_every_kind_has_an_example.
EXAMPLES = {
    ReportKind.OFFICE_FACT_SHEET: ("leder.heimdal", lambda user: {"office": "heimdal"}),
    ReportKind.AGREEMENT_VERSION: ("radmann.trondheim", example_agreement_version),
    ReportKind.SCORECARD: (
        "leder.heimdal",
        lambda user: {"office": "heimdal", "period": format_period(reporting_month())},
    ),
    ReportKind.MUNICIPAL_SUMMARY: (
        "radmann.trondheim",
        lambda user: {"municipality": "5001", "period": format_period(reporting_month())},
    ),
    ReportKind.COUNTY_SUMMARY: (
        "fylkesdirektor.trondelag",
        lambda user: {"county": "50", "maned": format_period(reporting_month())},
    ),
}


@pytest.fixture
def poppler():
    if not (shutil.which("pdffonts") and shutil.which("pdfinfo")):
        skip_or_fail("pdffonts/pdfinfo (poppler-utils) are not installed")


def render(kind: str, language: str = "nb") -> bytes:
    username, parameters = EXAMPLES[kind]
    user = User.objects.get(username=username)
    with translation.override(language):
        return DEFINITIONS[kind].render(user=user, parameters=parameters(user))


def run_tool(tool: str, data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [tool, str(path)], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def embedded_fonts(data: bytes, tmp_path) -> list[dict]:
    """``pdffonts``' table as rows: name (without the subset tag), type, embedded."""
    lines = run_tool("pdffonts", data, tmp_path).splitlines()
    assert lines[1].startswith("-----"), lines
    rows = []
    for line in lines[2:]:
        columns = line.split()
        # name, type (one or two words), encoding, emb, sub, uni, object, generation
        rows.append(
            {
                "name": re.sub(r"^[A-Z]{6}\+", "", columns[0]),
                "type": " ".join(columns[1:-6]),
                "embedded": columns[-5] == "yes",
            }
        )
    return rows


def test_every_kind_has_an_example():
    assert set(EXAMPLES) == set(DEFINITIONS)


@pytest.mark.parametrize("kind", list(EXAMPLES))
@pytest.mark.parametrize("language", ["nb", "en"])
def test_one_embedded_family_and_tagged(demo_data, poppler, tmp_path, kind, language):
    data = render(kind, language)
    fonts = embedded_fonts(data, tmp_path)
    assert fonts, "no font at all"
    for font in fonts:
        assert font["name"].startswith(FAMILY), fonts  # no DejaVu or other fallback
        assert font["embedded"], fonts
    info = dict(
        line.split(":", 1)
        for line in run_tool("pdfinfo", data, tmp_path).splitlines()
        if ":" in line
    )
    assert info["Tagged"].strip() == "yes"
    assert info["PDF version"].strip() == "1.7"
    assert info["Page size"].strip().startswith("595.276 x 841.89")  # A4
    assert info["Title"].strip()


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_pdf_a_2a_and_pdf_ua_1_with_the_reports_language(demo_data, kind):
    for language in ("nb", "en"):
        reader = PdfReader(io.BytesIO(render(kind, language)))
        root = reader.trailer["/Root"]
        assert root["/Lang"] == language
        assert root["/MarkInfo"]["/Marked"].value is True
        assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
        assert "/StructTreeRoot" in root
        assert "/OutputIntents" in root
        xmp = root["/Metadata"].get_object().get_data()
        assert b'pdfaid:part="2"' in xmp and b'pdfaid:conformance="A"' in xmp
        assert b"<pdfuaid:part>1</pdfuaid:part>" in xmp
        # PDF/A-2 needs every schema it does not know described in the file.
        assert b"<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp
        assert xmp.count(b"<rdf:RDF") == 1
        # Still one well-formed XMP packet after the finisher's addition.
        start, end = xmp.index(b"<x:xmpmeta"), xmp.index(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")
        ElementTree.fromstring(xmp[start:end])  # noqa: S314 (our own file)


def test_norwegian_and_sami_letters_need_no_other_font(demo_data, poppler, tmp_path):
    heimdal = Office.objects.get(code="heimdal")
    leader = User.objects.get(username="leder.heimdal")
    OfficeNote.objects.create(
        office=heimdal,
        side="joint",
        title=NORWEGIAN_TEXT,
        created_by=leader,
        updated_by=leader,
    )
    data = render(ReportKind.OFFICE_FACT_SHEET)
    assert {font["name"].startswith(FAMILY) for font in embedded_fonts(data, tmp_path)} == {True}
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for word in ("ÆØÅ", "æøå", "Ŋŋ", "Ŧŧ", "«sitat»", "“gåseøyne”", "€"):
        assert word in text
