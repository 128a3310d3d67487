"""The page shell in a real Chromium (issue 8): each role's front page and menu, the header in one
row with a visible focus ring on every stop, and no horizontal page scroll at 320 CSS px.

Structure is found by data-testid and hrefs; words are matched in either language.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import axe_violations, describe, path_is

pytestmark = pytest.mark.browser

HOME, OFFICES, REPORTS = "/", "/kontorer/", "/rapporter/"
DELEGATIONS, ROLES = "/tilgang/delegeringer/", "/tilgang/roller/"
REVIEW, AUDIT = "/tilgang/gjennomgang/", "/tilgang/logg/"
AGREEMENTS, SCORECARDS = "/avtaler/", "/malekort/"
EVERYONE = {HOME, OFFICES, AGREEMENTS, SCORECARDS, REPORTS}
REVIEWER = EVERYONE | {DELEGATIONS, ROLES, REVIEW, AUDIT}
TRONDHEIM_OFFICES = {"heimdal", "lerkendal", "midtbyen", "ostbyen"}
TRONDELAG_OFFICES = TRONDHEIM_OFFICES | {"malvik", "stjordal"}

# (username, the offices on their front page, their menu)
ROLES_SEEN = [
    ("leder.heimdal", {"heimdal"}, REVIEWER),
    ("stat.heimdal", {"heimdal"}, EVERYONE | {DELEGATIONS}),  # holds a delegation
    ("kommune.heimdal", {"heimdal"}, EVERYONE),
    ("radmann.trondheim", TRONDHEIM_OFFICES, REVIEWER | {"/oppfolging/kommune/5001/"}),
    ("fylkesdirektor.trondelag", TRONDELAG_OFFICES, REVIEWER | {"/oppfolging/fylke/50/"}),
]
ROLE_IDS = ["leader", "state-staff", "municipal-staff", "municipal-executive", "county-director"]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 320, "height": 640}


def menu_links(page: Page) -> list[str]:
    return (
        page.get_by_test_id("main-menu")
        .locator("a")
        .evaluate_all("links => links.map(link => link.getAttribute('href'))")
    )


# --- 1. Each role: its offices on the front page, only usable menu items ------------------------


@pytest.mark.parametrize(("username", "offices", "menu"), ROLES_SEEN, ids=ROLE_IDS)
def test_front_page_and_menu_per_role(page, sign_in, username, offices, menu):
    page.set_viewport_size(DESKTOP)
    sign_in(username)
    expect(page).to_have_url(path_is(HOME))

    mine = page.get_by_test_id("my-offices").locator("[data-office]")
    assert set(mine.evaluate_all("cards => cards.map(card => card.dataset.office)")) == offices
    for code in offices:
        card = page.locator(f"[data-office='{code}']")
        expect(card.locator(f"a[href='/kontorer/{code}/']")).to_be_visible()
        expect(card.locator(f"a[href='/kontorer/{code}/notater/']")).to_be_visible()

    links = menu_links(page)
    assert len(links) == len(set(links)), links
    assert set(links) == menu, links
    # Nothing on the way offers what the role cannot do.
    if ROLES not in menu:
        expect(page.locator("a[href='/tilgang/roller/ny/']")).to_have_count(0)

    for href in links:
        response = page.goto(href)
        assert response is not None and response.status == 200, (username, href)
        expect(page.locator("main h1")).to_have_count(1)
        assert page.locator("main").inner_text().strip(), (username, href)
        # The current page is marked in the menu.
        current = page.get_by_test_id("main-menu").locator("a[aria-current=page]")
        expect(current).to_have_attribute("href", href)

    if ROLES not in menu:
        # The role form itself is as absent as a forbidden object.
        assert page.goto("/tilgang/roller/ny/").status == 404


def test_leader_front_page_has_a_place_for_the_dashboard(page, sign_in):
    sign_in("leder.heimdal")
    dashboard = page.get_by_test_id("leader-dashboard")
    expect(dashboard).to_be_visible()
    expect(dashboard.locator("h2")).to_have_text(re.compile(r"NAV-leder|office leader"))
    page.context.clear_cookies()
    sign_in("fylkesdirektor.trondelag")
    expect(page.get_by_test_id("leader-dashboard")).to_have_count(0)


# --- 2. The header: one row at 1366 px, a user menu, a focus ring on every stop ---------------


HEADER_ITEMS = """header => Array.from(header.querySelectorAll(
    ':scope > a, :scope > nav a, :scope > details > summary, :scope > div button'))
  .filter(el => el.getClientRects().length > 0)
  .map(el => { const r = el.getBoundingClientRect();
               return {text: el.textContent.trim().replace(/\\s+/g, ' '),
                       top: r.top, bottom: r.bottom, height: r.height}; })"""


@pytest.mark.parametrize("username", ["fylkesdirektor.trondelag", "kommune.heimdal", None])
def test_header_is_one_row_at_1366(page, sign_in, username):
    page.set_viewport_size(DESKTOP)
    if username:
        sign_in(username)
    else:
        page.goto("/logg-inn/")
    header = page.get_by_test_id("header")
    items = header.evaluate(HEADER_ITEMS)
    assert len(items) >= (3 if username else 2), items
    tops = {round(item["top"]) for item in items}
    bottoms = {round(item["bottom"]) for item in items}
    assert max(tops) - min(tops) <= 2, items
    assert max(bottoms) - min(bottoms) <= 2, items
    assert header.bounding_box()["height"] <= 64


@pytest.mark.parametrize("width", [1344, 1343, 1024, 768, 480, 375])
def test_header_fits_in_one_row_at_every_width(page, sign_in, width):
    """The widest menu (a reviewer's, in bokmål) in a row down to 84rem, a "Menu" below; the
    row leaves room for a name of the user menu's full 12rem."""
    page.set_viewport_size({"width": width, "height": 800})
    sign_in("fylkesdirektor.trondelag")
    page.goto(REVIEW)
    assert page.get_by_test_id("header").bounding_box()["height"] <= 64
    assert overflow(page) is None, overflow(page)
    expect(page.get_by_test_id("main-menu")).to_be_visible(visible=width >= 1344)
    if width >= 1344:
        nav = page.get_by_test_id("main-menu").bounding_box()
        user_menu = page.get_by_test_id("current-user").bounding_box()
        name_room = 12 * 16 - page.locator(".app-usermenu__name").bounding_box()["width"]
        assert nav["x"] + nav["width"] + name_room <= user_menu["x"], (nav, user_menu)


def test_user_menu_lists_person_roles_language_and_sign_out(page, sign_in):
    page.set_viewport_size(DESKTOP)
    sign_in("radmann.trondheim")
    menu = page.get_by_test_id("current-user")
    panel = menu.locator(".app-popover")
    expect(panel).to_be_hidden()
    menu.locator("summary").click()
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Rolf Strand")
    expect(panel).to_contain_text("Trondheim")
    expect(panel).to_contain_text(re.compile(r"Kommunedirektør|Municipal chief executive"))
    expect(panel.locator("button[name=language][value=en]")).to_have_text("English")
    expect(panel.locator("form[action='/logg-ut/'] button")).to_be_visible()

    # Escape closes it and gives focus back to its button; so does a click elsewhere.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(menu.locator("summary")).to_be_focused()
    menu.locator("summary").click()
    expect(panel).to_be_visible()
    page.locator("main h1").click()
    expect(panel).to_be_hidden()


def test_header_menus_work_without_javascript(
    browser, live_server, django_db_serialized_rollback, demo_data
):
    """The disclosures are <details>: they open, switch language and sign out with no script."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.set_viewport_size(PHONE)
        page.goto("/logg-inn/")
        page.locator("input[name=username]").fill("kommune.heimdal")
        page.locator("input[name=password]").fill(demo_data)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        collapsed = page.locator("details.app-nav--collapsed")
        collapsed.locator("summary").click()
        expect(collapsed.locator(f"a[href='{OFFICES}']")).to_be_visible()
        user_menu = page.get_by_test_id("current-user")
        user_menu.locator("summary").click()
        with page.expect_navigation():
            user_menu.locator("button[name=language][value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_test_id("current-user").locator("summary").click()
        with page.expect_navigation():
            page.get_by_test_id("current-user").locator("form[action='/logg-ut/'] button").click()
        expect(page.get_by_test_id("current-user")).to_have_count(0)
    finally:
        context.close()


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let background = 'rgba(0, 0, 0, 0)';
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    const clear = /rgba\\(.*, 0\\)$/.test(colour) || colour === 'transparent';
    if (!clear) { background = colour; break; }
  }
  if (background === 'rgba(0, 0, 0, 0)') { background = 'rgb(255, 255, 255)'; }
  return {
    inHeader: !!el.closest('header'), text: el.textContent.trim().replace(/\\s+/g, ' '),
    tag: el.tagName, outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor, boxShadow: style.boxShadow, background,
  };
}"""


def _rgb(colour: str) -> tuple[float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", colour)[:3]]
    assert len(values) == 3, colour
    return values[0], values[1], values[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour):
        channels = []
        for value in _rgb(colour):
            c = value / 255
            channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        r, g, b = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted((luminance(a), luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def assert_focus_ring(page: Page) -> dict:
    stop = page.evaluate(FOCUS_STYLE)
    if stop["outlineStyle"] != "none" and stop["outlineWidth"] >= 2:
        ratio = contrast(stop["outlineColor"], stop["background"])
    else:
        assert stop["boxShadow"] != "none", f"no focus ring on {stop}"
        ratio = contrast(
            re.search(r"rgba?\([^)]*\)", stop["boxShadow"]).group(0), stop["background"]
        )
    # WCAG 1.4.11: a focus indicator contrasts at least 3:1 with what is next to it.
    assert ratio >= 3, f"focus ring contrast {ratio:.2f} on {stop}"
    return stop


def tab_through_header(page: Page) -> list[dict]:
    """Tab from the skip link until focus leaves the header; check every stop's ring."""
    page.keyboard.press("Tab")
    expect(page.locator("a[href='#main']")).to_be_focused()
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STYLE)
        if not stop["inHeader"]:
            return stops
        stops.append(assert_focus_ring(page))
    raise AssertionError(f"focus never left the header: {stops}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "320"])
def test_every_header_stop_shows_a_focus_ring(page, sign_in, viewport):
    page.set_viewport_size(viewport)
    sign_in("fylkesdirektor.trondelag")
    page.goto(OFFICES)
    stops = tab_through_header(page)
    texts = [stop["text"] for stop in stops]
    assert texts[0] == "navpartner", texts
    if viewport is DESKTOP:
        # title, the menu (with the county's review), the user menu
        assert len(stops) == 1 + len(REVIEWER) + 1 + 1, texts
    else:
        assert len(stops) == 3, texts  # title, "Menu", the user menu
        assert stops[1]["tag"] == "SUMMARY"

    # Inside the open user menu, each item shows the ring too.
    page.get_by_test_id("current-user").locator("summary").focus()
    page.keyboard.press("Enter")
    panel = page.get_by_test_id("current-user").locator(".app-popover")
    expect(panel).to_be_visible()
    inside = []
    for _ in range(3):
        page.keyboard.press("Tab")
        inside.append(assert_focus_ring(page))
    assert [stop["tag"] for stop in inside[:2]] == ["BUTTON", "BUTTON"], inside


def test_signed_out_header_has_a_focus_ring_on_the_language_switch(page):
    page.goto("/logg-inn/")
    stops = tab_through_header(page)
    assert [stop["text"] for stop in stops] == ["navpartner", "English"], stops


def test_phone_menu_opens_and_lists_the_same_pages(page, sign_in):
    page.set_viewport_size(PHONE)
    sign_in("leder.heimdal")
    expect(page.get_by_test_id("main-menu")).to_be_hidden()
    collapsed = page.locator("details.app-nav--collapsed")
    collapsed.locator("summary").click()
    links = collapsed.locator("a").evaluate_all("links => links.map(l => l.getAttribute('href'))")
    assert set(links) == REVIEWER
    with page.expect_navigation():
        collapsed.locator(f"a[href='{AUDIT}']").click()
    expect(page).to_have_url(path_is(AUDIT))
    assert page.get_by_test_id("header").bounding_box()["height"] <= 64


# --- 3. Reflow: no horizontal page scroll at 320 CSS px on every page ---------------------------

SKIPPED_PATHS = ("/admin/", "/api/", "/static/", "/media/", "/i18n/", "/logg-ut/")
MAX_PAGES_PER_PERSON = 80


def overflow(page: Page) -> dict | None:
    sizes = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth,
                  client: document.documentElement.clientWidth,
                  wide: Array.from(document.querySelectorAll('body *'))
                    .filter(el => el.getBoundingClientRect().right
                                  > document.documentElement.clientWidth + 1)
                    .slice(0, 3).map(el => el.outerHTML.slice(0, 120))})"""
    )
    return sizes if sizes["scroll"] > sizes["client"] else None


def walk(page: Page, base: str, start: str = HOME) -> dict[str, dict | None]:
    """Every page reachable by links from ``start``, once each: {url: overflow or None}."""
    seen: dict[str, dict | None] = {}
    queue = [start]
    while queue and len(seen) < MAX_PAGES_PER_PERSON:
        url = queue.pop(0)
        if url in seen:
            continue
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        seen[url] = overflow(page)
        for href in page.locator("a[href]").evaluate_all("links => links.map(l => l.href)"):
            parts = urlsplit(urljoin(base + url, href))
            if parts.netloc != urlsplit(base).netloc or parts.path.startswith(SKIPPED_PATHS):
                continue
            if parts.path.endswith(("/download/", "/csv/", ".csv", ".xlsx")):  # downloads
                continue
            found = parts.path + (f"?{parts.query}" if parts.query else "")
            if found not in seen and found not in queue:
                queue.append(found)
    return seen


def test_no_horizontal_scroll_at_320_on_any_page(page, sign_in, live_server):
    page.set_viewport_size(PHONE)
    pages: dict[str, dict | None] = {}
    for path in ("/logg-inn/", "/finnes-ikke/"):
        page.goto(path)
        pages[f"(signed out) {path}"] = overflow(page)
    for username in ("leder.heimdal", "fylkesdirektor.trondelag", "stat.heimdal"):
        page.context.clear_cookies()
        sign_in(username)
        if username == "leder.heimdal":
            # A report of one's own, so that its page is among those walked.
            page.goto("/kontorer/heimdal/")
            with page.expect_navigation():
                page.locator("main form[action='/rapporter/'] button[type=submit]").click()
        for url, wide in walk(page, live_server.url).items():
            pages[f"{username} {url}"] = wide
    assert len(pages) > 30, sorted(pages)
    for pattern in ("/tilgang/roller/ny/", "/tilgang/delegeringer/ny/", "/notater/", "/rapporter/"):
        assert any(pattern in url for url in pages), (pattern, sorted(pages))
    too_wide = {url: wide for url, wide in pages.items() if wide}
    assert not too_wide, f"pages wider than 320 px: {too_wide}"


# --- 4. axe-core on the shell's new parts -------------------------------------------------------


@pytest.mark.parametrize(("username", "offices", "menu"), ROLES_SEEN, ids=ROLE_IDS)
def test_axe_on_each_front_page(page, sign_in, username, offices, menu):
    sign_in(username)
    violations = axe_violations(page)
    assert not violations, f"front page of {username}:\n{describe(violations)}"


@pytest.mark.parametrize("disclosure", ["details.app-usermenu", "details.app-nav--collapsed"])
def test_axe_with_a_header_menu_open_on_a_phone(page, sign_in, disclosure):
    page.set_viewport_size(PHONE)
    sign_in("fylkesdirektor.trondelag")
    page.goto(REVIEW)
    page.locator(f"{disclosure} > summary").click()
    expect(page.locator(f"{disclosure} .app-popover")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)
