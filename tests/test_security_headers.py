"""Security headers: a strict Content-Security-Policy everywhere, no caching of private answers.

The policy comes from django-csp (``CONTENT_SECURITY_POLICY`` in settings); ``Cache-Control``
from ``navpartner.middleware.PrivateCacheControlMiddleware``. The browser side of the policy
(nothing on a page breaks it) is ``tests/browser/test_csp.py``.
"""

import posixpath
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils import translation
from rest_framework.test import APIClient

from reports.models import ReportKind
from reports.services import report_request_create
from users.models import User

pytestmark = pytest.mark.django_db(transaction=False)

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
NO_STORE = "private, no-store"
# What the policy refuses in a page the browser gets (the PDF templates go to WeasyPrint only).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def policy(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: set(values) for name, *values in directives}


@pytest.fixture
def member(demo_data):
    return User.objects.get(username="radmann.fauske")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def api(member):
    api = APIClient()
    api.force_authenticate(member)
    return api


# --- Content-Security-Policy ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/logg-inn/", "/api/docs/", "/api/docs/?script="])
def test_anonymous_pages_carry_the_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert policy(response) == EXPECTED_POLICY


@pytest.mark.parametrize("path", ["/", "/kontorer/", "/rapporter/", "/tilgang/logg/", "/admin/"])
def test_signed_in_pages_carry_the_strict_policy(client, member, path):
    client.force_login(User.objects.get(username="admin") if path == "/admin/" else member)
    response = client.get(path)
    assert response.status_code == 200
    assert policy(response) == EXPECTED_POLICY


def test_api_docs_load_swagger_ui_from_our_static_files_only(client):
    """drf-spectacular's default is jsdelivr, unpinned, without integrity; the sidecar is ours."""
    html = client.get("/api/docs/").content.decode()
    assert "cdn" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), html
    sources = re.findall(r"""<(?:script|link)[^>]+(?:src|href)="([^"]+)""", html)
    assert {source.rsplit("/", 1)[-1].split("?")[0] for source in sources} >= {
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
    }
    for source in sources:
        assert source.startswith(("/static/", "/api/docs/")), source
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), source
    # Its start script comes from its own URL: the page has no inline script or style.
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_templates_have_no_inline_script_style_or_handlers():
    """What the policy would refuse in the browser, caught before a browser ever sees it."""
    offending = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        if "pdf" in template.relative_to(ROOT / "templates").parts:
            continue  # rendered by WeasyPrint into a PDF, never served as a page
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER, JAVASCRIPT_URL):
            offending += [f"{template.name}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not offending


def test_stylesheets_load_nothing_from_other_hosts():
    """Aksel's CSS used to fetch its fonts from cdn.nav.no, which ``font-src 'self'`` refuses."""
    for name in ("vendor/aksel/aksel-ds-css-8.16.2.min.css", "css/app.css", "css/api-docs.css"):
        css = Path(finders.find(name)).read_text()
        for url in re.findall(r"url\(([^)]*)\)", css):
            url = url.strip("\"'")
            assert not re.match(r"(https?:)?//", url), f"{name} loads {url}"
            if not url.startswith("data:"):
                assert finders.find(
                    posixpath.normpath(posixpath.join(posixpath.dirname(name), url))
                )


# --- Cache-Control ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/kontorer/", "/kontorer/indre-salten/", "/rapporter/"])
def test_pages_for_a_signed_in_user_are_not_stored(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


@pytest.mark.parametrize(
    "path", ["/api/v1/me/", "/api/v1/offices/", "/api/v1/notes/", "/api/v1/audit-events/"]
)
def test_api_answers_are_not_stored(api, path):
    response = api.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_api_refusals_are_not_stored_either(client):
    response = client.get("/api/v1/offices/")
    assert response.status_code == 401
    assert response["Cache-Control"] == NO_STORE


def test_access_review_export_is_not_stored(signed_in):
    response = signed_in.get("/tilgang/gjennomgang/indre-salten/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == NO_STORE


def test_report_downloads_are_not_stored(
    signed_in, api, member, django_capture_on_commit_callbacks
):
    with translation.override("nb"), django_capture_on_commit_callbacks(execute=True):
        report = report_request_create(
            user=member, kind=ReportKind.OFFICE_FACT_SHEET, parameters={"office": "indre-salten"}
        )
    for response in (
        signed_in.get(f"/rapporter/{report.id}/download/"),
        api.get(f"/api/v1/reports/{report.id}/download/"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == NO_STORE


def test_a_views_own_cache_control_is_kept(signed_in, member):
    """The report status poll says ``no-store`` itself; the middleware leaves it alone."""
    report = report_request_create(
        user=member, kind=ReportKind.OFFICE_FACT_SHEET, parameters={"office": "indre-salten"}
    )
    response = signed_in.get(f"/rapporter/{report.id}/status/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_anonymous_pages_are_left_to_their_views(client):
    """The sign-in page is ``never_cache`` (Django's); the health check too."""
    assert "no-store" in client.get("/logg-inn/")["Cache-Control"]


def test_static_files_keep_their_caching(signed_in):
    """Static files are the same for everyone: whitenoise answers them, never ``no-store``."""
    response = signed_in.get(static("css/app.css"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response
