"""Nothing on the pages breaks the Content-Security-Policy: no violation reaches the console.

Chromium reports every refused script, style, font or image as a console error ("... violates
the following Content Security Policy directive ..."); the policy's own event
``securitypolicyviolation`` is counted too, for violations that log nothing.
"""

import re

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

VIOLATION = re.compile(r"Content.Security.Policy", re.IGNORECASE)
# Counts the page's own violation events; added before any of the page's scripts run.
COUNT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

PAGES = [
    "/",
    "/kontorer/",
    "/kontorer/indre-salten/",
    "/kontorer/indre-salten/notater/",
    "/rapporter/",
    "/tilgang/delegeringer/",
    "/tilgang/roller/",
    "/tilgang/gjennomgang/",
    "/tilgang/logg/",
    "/api/docs/",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/users/user/",
    "/admin/users/user/add/",
    "/admin/users/auditevent/",
]


def visit_and_collect(page: Page, paths: list[str]) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"{page.url}: {error}"))
    violations = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert response.headers.get("content-security-policy"), path
        page.wait_for_load_state("networkidle")
        violations += [f"{path}: {v}" for v in page.evaluate("() => window.__cspViolations")]
    return violations + [message for message in messages if VIOLATION.search(message)]


@pytest.fixture
def csp_page(page: Page) -> Page:
    page.add_init_script(COUNT_VIOLATIONS)
    return page


def test_main_pages_and_api_docs_break_no_policy(csp_page, sign_in):
    sign_in("radmann.fauske")
    assert not visit_and_collect(csp_page, PAGES)


def test_swagger_ui_renders_under_the_policy(csp_page, sign_in):
    sign_in("radmann.fauske")
    csp_page.goto("/api/docs/")
    # Swagger UI drew the operations from the schema: its scripts ran, from our static files.
    csp_page.locator(".opblock").first.wait_for()
    assert not csp_page.evaluate("() => window.__cspViolations")


def test_admin_works_under_the_policy(csp_page, sign_in):
    sign_in("admin", next_path="/admin/")
    violations = visit_and_collect(csp_page, ADMIN_PAGES)
    assert not violations
    csp_page.goto("/admin/users/user/add/")
    assert csp_page.locator("#id_username").is_visible()
