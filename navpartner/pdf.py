"""HTML → PDF with WeasyPrint: A4, Norwegian hyphenation, page numbers, PDF/A-2b.

Templates extend ``templates/pdf/base.html`` which carries the page rules (size, margins, the
page counter in the footer). Static files (fonts, CSS) are resolved through Django's finders so
the worker needs no web server to fetch them.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, path2url

PDF_VARIANT = "pdf/a-2b"


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


def render_pdf(
    template_name: str, context: dict, *, title: str, language: str | None = None
) -> bytes:
    """The PDF of ``template_name``, tagged (``/Lang``) with ``language``.

    By default the language is the active one: the report task renders inside
    ``translation.override(report.language)``, so the text and the tag agree.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    html = render_to_string(template_name, {**context, "title": title, "language": language})
    document = HTML(string=html, url_fetcher=StaticOnlyURLFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT)
