"""The app as a person uses it: a real headless Chromium against the live server.

Texts are matched in either language (bokmål or English) where the app shows words, since the
translations may lag behind; structure is found by ids, names, data-testid and hrefs.
"""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
# axe's impacts are minor, moderate, serious and critical; these two must not occur.
BLOCKING_IMPACTS = {"serious", "critical"}

NORDLAND_OFFICES = {"NAV Indre Salten", "NAV Narvik", "NAV Bodø"}
TRONDELAG_OFFICES = {
    "NAV Heimdal",
    "NAV Lerkendal",
    "NAV Midtbyen",
    "NAV Østbyen",
    "NAV Malvik",
    "NAV Stjørdal",
}
INDRE_SALTEN_MUNICIPALITIES = {
    "1841": "Fauske - Fuossko",
    "1840": "Saltdal",
    "1845": "Sørfold - Fuolldá",
    "1839": "Beiarn",
    "1875": "Hábmer - Hamarøy",
}
HOST_TAG = re.compile(r"Vertskommune|Host municipality")


def path_is(path: str) -> re.Pattern:
    """A URL whose path is exactly ``path`` (any query string)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def office_names(page: Page) -> list[str]:
    """The office names in the result table of the office list."""
    return page.locator("main table tbody tr th[scope=row] a").all_inner_texts()


def filter_offices(page: Page, *, county: str = "", municipality: str = "", search: str = ""):
    form = page.locator("main form[method=get]")
    form.locator("select[name=county]").select_option(county)
    # The municipality is a picker: a text field that takes the number (or the name).
    form.locator("input[name=municipality]").fill(municipality)
    form.locator("input[name=search]").fill(search)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(path_is("/kontorer/"))


# --- 1. Sign-in --------------------------------------------------------------------------------


def test_sign_in_lands_on_front_page_with_name_and_role_in_header(page, sign_in, live_server):
    sign_in("radmann.fauske")

    expect(page).to_have_url(f"{live_server.url}/")
    header = page.get_by_test_id("current-user")
    expect(header).to_be_visible()
    expect(header).to_contain_text("Randi Nilsen")
    expect(header).to_contain_text(re.compile(r"Kommunedirektør|Municipal chief executive"))
    expect(header).to_contain_text("Fauske")
    # The front page greets the same person.
    expect(page.locator("main h1")).to_contain_text("Randi Nilsen")


def test_wrong_password_stays_on_sign_in_page_without_saying_which_field(page, sign_in):
    sign_in("radmann.fauske", "not-the-password")

    expect(page).to_have_url(path_is("/logg-inn/"))
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    # The error summary, focused after the failed submit (Aksel's ErrorSummary).
    alert = page.locator("#error-summary li")
    expect(alert).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()
    wrong_password_message = alert.inner_text().strip()
    assert wrong_password_message
    # One message for the form, no error tied to either field.
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)
    expect(page.locator("input[name=password]")).to_have_value("")
    expect(page.locator("input[name=username]")).to_have_value("radmann.fauske")
    assert not re.search(
        r"(wrong|incorrect|invalid|unknown) (password|username|user)|"
        r"(feil|ugyldig|ukjent) (passord|brukernavn|bruker)|does not exist|finnes ikke",
        wrong_password_message,
        re.IGNORECASE,
    ), wrong_password_message

    # An unknown username gets the very same answer, so the form tells nobody who has an account.
    sign_in("ingen.slik.bruker", "not-the-password")
    expect(page).to_have_url(path_is("/logg-inn/"))
    expect(page.locator("#error-summary li")).to_have_text(wrong_password_message)


# --- 2. Office list and office page ---------------------------------------------------------------


def test_office_list_filters_and_office_page(page, sign_in):
    sign_in("radmann.fauske")
    page.goto("/kontorer/")

    filter_offices(page, county="18")
    assert "county=18" in page.url
    names = set(office_names(page))
    assert names == NORDLAND_OFFICES, names
    assert not names & TRONDELAG_OFFICES

    filter_offices(page, municipality="1840")
    assert office_names(page) == ["NAV Indre Salten"]

    filter_offices(page, search="heim")
    names = set(office_names(page))
    assert "NAV Heimdal" in names, names
    assert not names & NORDLAND_OFFICES, names

    filter_offices(page)
    page.locator("main table a[href='/kontorer/indre-salten/']").click()
    expect(page).to_have_url(path_is("/kontorer/indre-salten/"))
    expect(page.locator("main h1")).to_have_text("NAV Indre Salten")

    table = page.get_by_test_id("municipalities")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(INDRE_SALTEN_MUNICIPALITIES))
    shown = {
        row.locator("td").first.inner_text().strip(): row.locator("th").inner_text().strip()
        for row in rows.all()
    }
    assert shown == INDRE_SALTEN_MUNICIPALITIES
    host_rows = rows.filter(has_text=HOST_TAG)
    expect(host_rows).to_have_count(1)
    expect(host_rows).to_contain_text("Fauske")


# --- 3. Fact sheet --------------------------------------------------------------------------------


def test_fact_sheet_is_made_and_downloaded_as_pdf(page, sign_in):
    sign_in("radmann.fauske")
    page.goto("/kontorer/indre-salten/")

    with page.expect_navigation():
        page.locator("main form[action='/rapporter/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/rapporter/[0-9a-f-]{36}/$"))

    # The page follows the status by itself and reloads once the report is finished.
    status = page.locator("#report-status")
    expect(status).to_have_attribute("data-status", "done", timeout=90_000)
    expect(status).to_contain_text(re.compile(r"Ferdig|Done", re.IGNORECASE))
    link = page.locator("main a[href$='/download/']")
    expect(link).to_be_visible()
    expect(link).to_contain_text(re.compile(r"Last ned PDF|Download PDF"))

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF"), pdf[:20]
    assert len(pdf) > 1024, len(pdf)
    assert b"%%EOF" in pdf[-1024:]

    try:
        from pypdf import PdfReader
    except ImportError:  # pypdf is a dev dependency; without it the text is not checked
        return
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Indre Salten" in text, text[:500]
    assert "Fauske" in text, text[:500]


def test_report_page_follows_a_queued_report_and_reloads_when_it_is_done(
    page, sign_in, monkeypatch
):
    """With eager Celery the report is done before the page opens; here it stays queued."""
    from reports.tasks import render_report

    monkeypatch.setattr(render_report, "delay", lambda *args, **kwargs: None)
    sign_in("radmann.fauske")
    page.goto("/kontorer/indre-salten/")
    with page.expect_navigation():
        page.locator("main form[action='/rapporter/'] button[type=submit]").click()

    status = page.locator("#report-status")
    expect(status).to_have_attribute("data-status", "queued")
    expect(page.locator("main a[href$='/download/']")).to_have_count(0)
    status_url = re.compile(r"/rapporter/[0-9a-f-]{36}/status/$")
    with page.expect_response(status_url) as response_info:
        pass  # the page asks by itself, a second after it opened
    response = response_info.value
    assert response.ok
    assert response.json()["status"] == "queued"

    # When the answer is "done", the page reloads itself (to show the download link).
    page.route(
        status_url, lambda route: route.fulfill(json={"status": "done", "status_display": "Done"})
    )
    with page.expect_event("load"):
        pass
    expect(status).to_have_attribute("data-status", "queued")  # the database still says so


# --- 4. Anonymous visitors ------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in_and_back(page, sign_in, live_server):
    page.goto("/kontorer/")

    expect(page).to_have_url(path_is("/logg-inn/"))
    assert "next=/kontorer/" in page.url.replace("%2F", "/"), page.url
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("main table")).to_have_count(0)
    expect(page.get_by_test_id("current-user")).to_have_count(0)

    # After signing in, the visitor gets the page they asked for.
    sign_in("radmann.fauske", next_path="/kontorer/")
    expect(page).to_have_url(f"{live_server.url}/kontorer/")
    expect(page.get_by_test_id("current-user")).to_contain_text("Randi Nilsen")


# --- 5. Accessibility -----------------------------------------------------------------------------


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page, sign_in):
    for signed_in in (False, True):
        if signed_in:
            sign_in("radmann.fauske")
            page.goto("/kontorer/")
        else:
            page.goto("/logg-inn/")
        page.keyboard.press("Tab")
        skip_link = page.locator("a[href='#main']")
        expect(skip_link).to_be_focused()
        expect(skip_link).to_be_in_viewport()  # off-screen until focused, then shown
        expect(skip_link).to_have_text(re.compile(r"Hopp til hovedinnhold|Skip to main content"))
        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()


def test_page_landmarks_and_language(page, sign_in):
    sign_in("radmann.fauske")
    for path in ("/", "/kontorer/", "/kontorer/indre-salten/"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "nb")
        expect(page.locator("main")).to_have_count(1)
        expect(page.get_by_role("main")).to_have_count(1)
        expect(page.locator("header")).to_have_count(1)
        expect(page.get_by_role("banner")).to_have_count(1)
        expect(page.locator("h1")).to_have_count(1)
        assert page.title().strip(), path


def test_every_form_control_on_office_list_has_a_label(page, sign_in):
    sign_in("radmann.fauske")
    page.goto("/kontorer/")
    controls = page.evaluate(
        """() => Array.from(document.querySelectorAll("input, select, textarea"))
            .filter(el => !["hidden", "submit", "button", "reset"].includes(el.type))
            .map(el => ({
                name: el.name,
                labels: Array.from(el.labels || []).map(label => label.textContent.trim()),
            }))"""
    )
    names = {control["name"] for control in controls}
    assert {"county", "municipality", "search"} <= names, controls
    unlabelled = [c for c in controls if not c["labels"] or not all(c["labels"])]
    assert not unlabelled, f"form controls without a <label>: {unlabelled}"


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    # Evaluated, not added as an inline <script>, which the Content-Security-Policy refuses.
    page.evaluate(AXE_JS.read_text())
    assert page.evaluate("() => axe.version") == AXE_VERSION
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node['html'][:200]}")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("path", "username"),
    [
        ("/logg-inn/", None),
        ("/", "radmann.fauske"),
        ("/kontorer/", "radmann.fauske"),
        ("/kontorer/indre-salten/", "radmann.fauske"),
        ("/kontorer/heimdal/notater/", "leder.heimdal"),
        ("/tilgang/delegeringer/", "radmann.trondheim"),
        ("/tilgang/delegeringer/ny/", "radmann.trondheim"),
        ("/tilgang/roller/", "fylkesdirektor.trondelag"),
        ("/tilgang/roller/ny/", "fylkesdirektor.trondelag"),
        ("/tilgang/logg/", "leder.heimdal"),
        ("/tilgang/gjennomgang/", "fylkesdirektor.trondelag"),
        ("/tilgang/gjennomgang/heimdal/", "leder.heimdal"),
    ],
    ids=[
        "sign-in",
        "front-page",
        "office-list",
        "office-detail",
        "notes",
        "delegations",
        "delegation-form",
        "roles",
        "role-form",
        "audit-log",
        "review-overview",
        "review-office",
    ],
)
def test_axe_finds_no_serious_violations(page, sign_in, path, username):
    if username:
        sign_in(username)
    page.goto(path)
    expect(page).to_have_url(path_is(path))
    violations = axe_violations(page)
    assert not violations, f"axe-core {AXE_VERSION} on {path}:\n{describe(violations)}"


# --- 6. Language switch ---------------------------------------------------------------------------


def switch_language(page: Page, code: str) -> None:
    """Through the user menu, where the header keeps the language switch."""
    page.get_by_test_id("current-user").locator("summary").click()
    with page.expect_navigation():
        page.locator(f"[data-testid=language-switch] button[value={code}]").click()


def test_language_switch_to_english_and_back(page, sign_in):
    sign_in("radmann.fauske")
    page.goto("/kontorer/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")

    switch_language(page, "en")

    expect(page).to_have_url(path_is("/kontorer/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("NAV offices")
    expect(page.locator("main form[method=get] button[type=submit]")).to_have_text("Filter")
    # The switch offers the other language, named in that language.
    expect(page.locator("[data-testid=language-switch] button[value=nb]")).to_have_attribute(
        "lang", "nb"
    )

    # The choice holds on the next page, and switching back restores bokmål.
    page.goto("/kontorer/indre-salten/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("municipalities")).to_contain_text("Host municipality")
    switch_language(page, "nb")
    expect(page).to_have_url(path_is("/kontorer/indre-salten/"))
    expect(page.locator("html")).to_have_attribute("lang", "nb")


# --- 7. A delegation, end to end ---


def test_a_delegation_opens_municipal_data_to_a_state_employee_until_revoked(page, sign_in):
    """radmann.trondheim delegates view of Heimdal's municipal data to stat.lerkendal, who then
    sees the municipal note; after the revocation it is gone again."""

    def as_user(username):
        page.context.clear_cookies()  # a new session: the sign-in page skips signed-in users
        sign_in(username)

    as_user("stat.lerkendal")
    page.goto("/kontorer/heimdal/notater/")
    expect(page.locator("tr[data-side=municipal]")).to_have_count(0)

    as_user("radmann.trondheim")
    page.goto("/tilgang/delegeringer/ny/")
    # Pickers take the username and the office code as typed; the line and level are radios.
    page.fill("input[name=grantee]", "stat.lerkendal")
    page.fill("input[name=office]", "heimdal")
    page.check("input[name=side][value=municipal]")
    page.check("input[name=level][value=view]")
    page.fill("input[name=basis]", "delegasjonsvedtak 2026-11")
    page.fill("input[name=valid_to]", "31.12.2026")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(path_is("/tilgang/delegeringer/"))
    row = page.locator("tr", has_text="delegasjonsvedtak 2026-11")
    expect(row).to_have_count(1)

    as_user("stat.lerkendal")
    page.goto("/kontorer/heimdal/notater/")
    expect(page.locator("tr[data-side=municipal]")).to_have_count(1)

    as_user("radmann.trondheim")
    page.goto("/tilgang/delegeringer/")
    with page.expect_navigation():
        page.locator("tr", has_text="delegasjonsvedtak 2026-11").locator("button").click()

    as_user("stat.lerkendal")
    page.goto("/kontorer/heimdal/notater/")
    expect(page.locator("tr[data-side=municipal]")).to_have_count(0)
