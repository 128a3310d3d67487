"""HTML → PDF with WeasyPrint: A4, one embedded font family, tagged, PDF/A-2a + PDF/UA-1.

Templates extend ``templates/pdf/base.html``, which carries the page rules (size, margins, the
page counter in the footer), the title block and the fonts (Source Sans 3, complete, from
``static/vendor/fonts/source-sans-3/``). Static files (fonts, CSS) are resolved through Django's
finders so the worker needs no web server to fetch them.

Archiving and screen readers (``docs/decisions.md``, "PDF reports: PDF/A-2a and PDF/UA-1"):
WeasyPrint writes one variant per file. We ask it for PDF/A-2a — PDF/A-2 (what Norwegian public
archives take) at conformance level A, which makes WeasyPrint tag the document (a structure
tree from the HTML: headings, paragraphs, tables with their header cells, lists), map every
glyph to Unicode and set the language (``/Lang`` from ``<html lang>``) and the title shown in
the window (``DisplayDocTitle``) — everything WeasyPrint's own ``pdf/ua-1`` variant does. What
that variant adds is only the PDF/UA identification in the XMP metadata, which a finisher adds
here, declared as a PDF/A extension schema as PDF/A-2 demands of a schema it does not predefine.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, path2url

PDF_VARIANT = "pdf/a-2a"
PDF_UA_PART = 1

# The PDF/UA identification schema, and its declaration as a PDF/A extension schema (ISO
# 19005-2, 6.6.2.3.1: every schema not predefined by PDF/A must be described in the file).
PDF_UA_XMP = (
    '<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
    f"<pdfuaid:part>{PDF_UA_PART}</pdfuaid:part>"
    "</rdf:Description>"
    '<rdf:Description rdf:about=""'
    ' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
    ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
    ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>"
    "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"
    "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"
    '<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    "<pdfaProperty:name>part</pdfaProperty:name>"
    "<pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
    "<pdfaProperty:category>internal</pdfaProperty:category>"
    "<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>"
    "</rdf:li></rdf:Seq></pdfaSchema:property>"
    "</rdf:li></rdf:Bag></pdfaExtension:schemas>"
    "</rdf:Description>"
).encode()
RDF_END = b"</rdf:RDF>"


class StaticOnlyURLFetcher(URLFetcher):
    """Serve ``static:`` URLs from the project's static files and ``data:`` URLs; refuse the rest.

    A report never fetches from the network, and a missing font or stylesheet stops the
    rendering instead of silently giving a PDF without it.
    """

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

    def fetch(self, url, headers=None):
        if url.startswith("static:"):
            path = finders.find(url.removeprefix("static:"))
            if path is None:
                raise FatalURLFetchingError(f"no static file {url!r}")
            return super().fetch(path2url(path), headers)
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise FatalURLFetchingError(f"reports may not fetch {url!r}")


def identify_as_pdf_ua(document, pdf) -> None:
    """WeasyPrint finisher: add the PDF/UA-1 identification to the PDF/A XMP metadata."""
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    content = b"".join(
        chunk if isinstance(chunk, bytes) else str(chunk).encode() for chunk in metadata.stream
    )
    if content.count(RDF_END) != 1:
        raise ValueError("unexpected XMP metadata: cannot add the PDF/UA identification")
    metadata.stream = [content.replace(RDF_END, PDF_UA_XMP + RDF_END)]


def moment_text(moment) -> str:
    """A moment the way every page shows it: 04.12.2026 12:55, Oslo time."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def render_pdf(
    template_name: str, context: dict, *, title: str, language: str | None = None
) -> bytes:
    """The PDF of ``template_name``, tagged (``/Lang``) with ``language``.

    By default the language is the active one: the report task renders inside
    ``translation.override(report.language)``, so the text and the tag agree.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    generated_at = context.get("generated_at") or timezone.now()
    html = render_to_string(
        template_name,
        {
            **context,
            "title": title,
            "language": language,
            "generated_at": generated_at,
            "generated_moment": moment_text(generated_at),
        },
    )
    document = HTML(string=html, url_fetcher=StaticOnlyURLFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT, finisher=identify_as_pdf_ua)
