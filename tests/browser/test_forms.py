"""Forms in a real browser (issue 8, findings 1, 5, 6 and 8): a person picker finds one person
among 6,000 by part of a name; the combobox works with the keyboard as WAI-ARIA 1.2 describes;
after a failed submit focus lands on the error summary, and its links lead to the fields; the
same forms work without JavaScript; axe-core finds nothing serious or critical on them.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from offices.models import County
from tests.browser.test_browser import axe_violations, describe, path_is
from users.models import Delegation, EmployerSide, User

pytestmark = pytest.mark.browser

DELEGATION_FORM = "/tilgang/delegeringer/ny/"
ROLE_FORM = "/tilgang/roller/ny/"
NATIONAL_SCALE = 6_000


def add_state_staff(count: int) -> None:
    """``count`` state employees of Trøndelag; one in a thousand is a "Nålesen"."""
    county = County.objects.get(number="50")
    User.objects.bulk_create(
        User(
            username=f"skala.{n:05}",
            first_name=f"Fornavn{n:05}",
            last_name="Nålesen" if n == 4217 else "Skalasen",
            employer_side=EmployerSide.STATE,
            employer_county=county,
        )
        for n in range(count)
    )


def focused(page: Page) -> dict:
    return page.evaluate(
        "() => ({id: document.activeElement.id, tag: document.activeElement.tagName,"
        " href: document.activeElement.getAttribute('href')})"
    )


def last_day() -> str:
    return (timezone.localdate() + datetime.timedelta(days=60)).strftime("%d.%m.%Y")


def test_a_person_is_found_among_6000_and_chosen_with_the_keyboard(page, sign_in):
    add_state_staff(NATIONAL_SCALE)
    sign_in("fylkesdirektor.trondelag")
    page.goto(DELEGATION_FORM)
    person = page.locator("input[name=grantee]")
    # The script made the text field a combobox (WAI-ARIA 1.2), closed to begin with.
    expect(person).to_have_attribute("role", "combobox")
    expect(person).to_have_attribute("aria-expanded", "false")
    expect(person).to_have_attribute("aria-autocomplete", "list")
    listbox_id = person.get_attribute("aria-controls")
    listbox = page.locator(f"#{listbox_id}")
    expect(listbox).to_have_attribute("role", "listbox")
    expect(listbox).to_be_hidden()

    person.press_sequentially("nålese", delay=30)  # part of a surname, among 6,000 people
    expect(person).to_have_attribute("aria-expanded", "true")
    options = listbox.locator("[role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Fornavn04217 Nålesen (skala.04217)")
    status = page.locator(f"#{person.get_attribute('id')}-status")
    expect(status).to_have_text(re.compile(r"^(1 treff|1 match)"))

    # Arrow keys move the active option (aria-activedescendant), Enter chooses it.
    person.fill("")
    person.press_sequentially("fornavn0421", delay=30)
    expect(options).to_have_count(10)
    expect(status).to_have_text(re.compile(r"^10 (treff|matches)"))
    person.press("ArrowDown")
    first_id = options.nth(0).get_attribute("id")
    expect(person).to_have_attribute("aria-activedescendant", first_id)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    person.press("ArrowDown")
    person.press("ArrowDown")
    expect(person).to_have_attribute("aria-activedescendant", options.nth(2).get_attribute("id"))
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    person.press("ArrowUp")
    expect(person).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    person.press("ArrowUp")
    person.press("ArrowUp")  # wraps to the last
    expect(person).to_have_attribute("aria-activedescendant", options.nth(9).get_attribute("id"))
    person.press("ArrowDown")  # and back to the first
    person.press("ArrowDown")
    second = options.nth(1).locator(".app-combobox__label").inner_text()
    person.press("Enter")  # chooses; does not send the form
    expect(page).to_have_url(path_is(DELEGATION_FORM))
    expect(person).to_have_value(second)
    assert re.fullmatch(r"Fornavn0421\d \w+ \(skala\.0421\d\)", second), second
    expect(person).to_have_attribute("aria-expanded", "false")
    expect(person).not_to_have_attribute("aria-activedescendant", re.compile(".+"))

    # Escape closes an open list, and then empties the field.
    person.fill("")
    person.press_sequentially("skalasen", delay=20)
    expect(person).to_have_attribute("aria-expanded", "true")
    expect(options).to_have_count(20)
    expect(status).to_contain_text(re.compile("flere|more"))
    person.press("Escape")
    expect(person).to_have_attribute("aria-expanded", "false")
    expect(person).to_have_value("skalasen")
    person.press("Escape")
    expect(person).to_have_value("")

    # Chosen with the keyboard again, then the rest of the form, and it is granted to them.
    person.press_sequentially("fornavn04211", delay=20)
    expect(options).to_have_count(1)
    person.press("ArrowDown")
    person.press("Enter")
    office = page.locator("input[name=office]")
    office.press_sequentially("heimd", delay=20)
    expect(page.locator(f"#{office.get_attribute('aria-controls')} [role=option]")).to_have_count(1)
    office.press("ArrowDown")
    office.press("Enter")
    expect(office).to_have_value("NAV Heimdal (heimdal)")
    page.locator("input[name=level][value=view]").check()
    page.locator("input[name=basis]").fill("delegasjonsvedtak 2026-50")
    page.locator("input[name=valid_to]").fill(last_day())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(path_is("/tilgang/delegeringer/"))
    delegation = Delegation.objects.get(basis="delegasjonsvedtak 2026-50")
    assert delegation.grantee.username == "skala.04211"
    assert delegation.office.code == "heimdal"
    row = page.locator(f"tr[data-delegation='{delegation.pk}']")
    expect(row).to_contain_text(re.compile(rf"(til og med|through) {re.escape(last_day())}"))


def test_a_click_on_an_option_chooses_it(page, sign_in):
    sign_in("radmann.trondheim")
    page.goto(DELEGATION_FORM)
    person = page.locator("input[name=grantee]")
    person.press_sequentially("aune", delay=30)
    option = page.locator(f"#{person.get_attribute('aria-controls')} [role=option]").first
    expect(option).to_contain_text("(stat.heimdal)")
    option.click()
    expect(person).to_have_value("Stian Aune (stat.heimdal)")
    expect(person).to_be_focused()


def test_focus_lands_on_the_error_summary_and_its_links_lead_to_the_fields(page, sign_in):
    sign_in("fylkesdirektor.trondelag")
    page.goto(DELEGATION_FORM)
    page.locator("input[name=basis]").fill("vedtak")
    page.locator("input[name=valid_to]").fill("31/12/2026")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    links = summary.locator("a")
    expect(links.first).to_have_text(re.compile("Velg hvem som skal få tilgangen|Choose who"))
    expect(summary).not_to_contain_text("Dette feltet er påkrevd")
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#id_grantee"
    page.keyboard.press("Enter")
    expect(page.locator("#id_grantee")).to_be_focused()
    # The date's link leads to the date field, whose message says how to write it.
    summary.locator("a[href='#id_valid_to']").click()
    expect(page.locator("#id_valid_to")).to_be_focused()
    expect(page.locator("#id_valid_to-error")).to_contain_text(re.compile("dd.mm.åååå|dd.mm.yyyy"))
    # A radio group's link leads to its first radio button.
    summary.locator("a[href='#id_level']").click()
    expect(page.locator("#id_level_0")).to_be_focused()


def test_the_role_form_in_two_steps_with_the_keyboard(page, sign_in):
    sign_in("fylkesdirektor.trondelag")
    page.goto(ROLE_FORM)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()  # no role chosen
    expect(page.locator("#error-summary")).to_be_focused()
    page.locator("input[name=role][value=office_staff]").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"role=office_staff"))
    person = page.locator("input[name=user]")
    person.press_sequentially("lerkendal", delay=30)
    options = page.locator(f"#{person.get_attribute('aria-controls')} [role=option]")
    # The county director assigns state staff: the municipal employee is not offered.
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("(stat.lerkendal)")
    person.press("ArrowDown")
    person.press("Enter")
    office = page.locator("input[name=office]")
    office.press_sequentially("midt", delay=30)
    expect(office).to_have_attribute("aria-expanded", "true")
    office.press("ArrowDown")
    office.press("Enter")
    expect(office).to_have_value("NAV Midtbyen (midtbyen)")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(path_is("/tilgang/roller/"))
    assert (
        User.objects.get(username="stat.lerkendal")
        .role_assignments.filter(office__code="midtbyen", role="office_staff")
        .exists()
    )


def test_without_javascript_the_picker_is_a_text_field_the_server_resolves(
    browser, live_server, django_db_serialized_rollback, demo_data
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/logg-inn/")
    page.locator("input[name=username]").fill("radmann.trondheim")
    page.locator("input[name=password]").fill(demo_data)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(DELEGATION_FORM)
    person = page.locator("input[name=grantee]")
    assert person.get_attribute("role") is None
    person.fill("kari.finnes.ikke")
    page.locator("input[name=office]").fill("heimdal")
    page.locator("input[name=level][value=view]").check()
    page.locator("input[name=basis]").fill("delegasjonsvedtak 2026-51")
    page.locator("input[name=valid_to]").fill(last_day())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_grantee-error")).to_contain_text("kari.finnes.ikke")
    expect(page.locator("input[name=office]")).to_have_value("NAV Heimdal (heimdal)")
    page.locator("input[name=grantee]").fill("stat.heimdal")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(path_is("/tilgang/delegeringer/"))
    assert Delegation.objects.filter(
        basis="delegasjonsvedtak 2026-51", grantee__username="stat.heimdal"
    ).exists()
    context.close()


def open_picker(page: Page, name: str, text: str) -> None:
    field = page.locator(f"input[name={name}]")
    field.press_sequentially(text, delay=30)
    expect(field).to_have_attribute("aria-expanded", "true")
    field.press("ArrowDown")


@pytest.mark.parametrize(
    ("username", "path", "picker"),
    [
        ("fylkesdirektor.trondelag", DELEGATION_FORM, ("grantee", "stat")),
        ("fylkesdirektor.trondelag", ROLE_FORM, None),
        ("fylkesdirektor.trondelag", ROLE_FORM + "?role=office_staff", ("office", "nav")),
        ("radmann.trondheim", ROLE_FORM + "?role=municipal_advisor", ("municipality", "tr")),
        ("leder.heimdal", ROLE_FORM, ("user", "kommune")),
        ("radmann.fauske", "/kontorer/", ("municipality", "sal")),
    ],
    ids=["delegation", "role-step", "role-office", "role-municipality", "leader", "office-filter"],
)
def test_axe_finds_nothing_serious_on_the_forms(page, sign_in, username, path, picker):
    sign_in(username)
    page.goto(path)
    violations = axe_violations(page)
    assert not violations, f"{path}, as loaded:\n{describe(violations)}"
    if picker:
        open_picker(page, *picker)
        violations = axe_violations(page)
        assert not violations, f"{path}, with the list open:\n{describe(violations)}"
        page.keyboard.press("Escape")  # the list closes, and no longer covers the button
    form = page.locator("main form[method=post]")
    if form.count():
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        expect(page.locator("#error-summary")).to_be_focused()
        violations = axe_violations(page)
        assert not violations, f"{path}, after a failed submit:\n{describe(violations)}"
