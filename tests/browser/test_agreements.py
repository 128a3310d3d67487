"""Issue 9 in a real Chromium: the municipal executive of Fauske (the host municipality) and the
county director of Nordland approve NAV Indre Salten's agreement on its page, and it comes into
force; axe-core finds nothing serious or critical on the agreement pages on the way.

Structure is found by data-testid and hrefs, so the test holds in either language.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from agreements.models import (
    MunicipalService,
    PartnershipAgreement,
    RequiredTopic,
    VersionStatus,
)
from agreements.services import agreement_draft, agreement_version_new
from offices.models import Office
from tests.browser.test_browser import axe_violations, describe
from users.models import User

pytestmark = pytest.mark.browser


def draft_indre_salten():
    """A draft for NAV Indre Salten, by its leader: a new version of the agreement the demo data
    put in force, or, where there is none, a new agreement."""
    leader = User.objects.get(username="leder.indre-salten")
    office = Office.objects.get(code="indre-salten")
    existing = PartnershipAgreement.objects.filter(offices=office).order_by("-pk").first()
    if existing is not None and existing.versions.binding().exists():
        draft = existing.versions.filter(status=VersionStatus.DRAFT).first()
        return draft or agreement_version_new(user=leader, agreement=existing)
    start = timezone.localdate()
    return agreement_draft(
        user=leader,
        title="Partnerskapsavtale NAV Indre Salten",
        offices=[office],
        valid_from=start,
        valid_to=start + datetime.timedelta(days=4 * 365),
        revision_due=start + datetime.timedelta(days=2 * 365),
        signatories="Rådmann, Fauske kommune\nFylkesdirektør, NAV Nordland",
        sections={topic.value: f"{topic.label}: avtalt tekst." for topic in RequiredTopic},
        services=[(s, start) for s in MunicipalService.objects.filter(is_minimum=True)],
    )


def assert_accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}:\n{describe(violations)}"


def approve_on_the_page(page: Page, version_path: str) -> None:
    page.goto(version_path)
    form = page.get_by_test_id("decision-form")
    expect(form).to_be_visible()
    with page.expect_navigation():
        form.locator("button[value=approved]").click()
    expect(page.locator(".app-messages")).to_be_visible()


def test_both_parties_approve_indre_saltens_agreement(page, context, sign_in):
    version = draft_indre_salten()
    agreement_path = f"/avtaler/{version.agreement_id}/"
    version_path = f"{agreement_path}versjoner/{version.number}/"

    # The host municipality's executive: from the menu to the overview, to the agreement.
    sign_in("radmann.fauske")
    expect(page.get_by_test_id("main-menu").locator("a[href='/avtaler/']")).to_have_count(1)
    page.goto("/avtaler/")
    expect(page.get_by_test_id("agreements")).to_be_visible()
    assert_accessible(page, "overview")
    page.get_by_test_id("agreements").locator(f"a[href='{agreement_path}']").click()
    if version.number > 1:  # the page opens on the version in force, and points to the draft
        assert_accessible(page, "agreement in force with a draft")
        page.get_by_test_id("draft-notice").locator(f"a[href='{version_path}']").click()
    expect(page.get_by_test_id("parties")).to_be_visible()
    assert_accessible(page, "draft page")
    approve_on_the_page(page, version_path)
    parties = page.get_by_test_id("parties")
    expect(parties.locator("[data-party='municipal-1841'] [data-severity=ok]")).to_have_count(1)
    expect(parties.locator("[data-party='state'] [data-severity=warning]")).to_have_count(1)
    expect(page.get_by_test_id("decision-form")).to_have_count(0)  # decided already
    assert_accessible(page, "draft page after one approval")

    # The county director: the last approval makes the version bind.
    context.clear_cookies()
    sign_in("fylkesdirektor.nordland")
    approve_on_the_page(page, version_path)
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    expect(page.locator("[data-state=in_force]").first).to_be_visible()
    expect(page.get_by_test_id("content-hash")).to_have_text(version.content_hash)
    approvals = page.get_by_test_id("approvals").locator("tbody tr")
    expect(approvals).to_have_count(version.approvals.count())
    assert_accessible(page, "agreement in force")

    # The office page's compliance panel links to the version in force.
    page.goto("/kontorer/indre-salten/")
    panel = page.get_by_test_id("compliance")
    expect(panel.locator("[data-check=agreement_in_force][data-severity=ok]")).to_have_count(1)
    expect(panel.locator(f"a[href='{version_path}']").first).to_be_visible()
    assert_accessible(page, "office page with compliance")


def test_the_drafting_and_editing_pages_are_accessible(page, sign_in):
    version = draft_indre_salten()
    sign_in("leder.indre-salten")
    page.goto("/avtaler/ny/")
    expect(page.locator("main form input[type=checkbox]").first).to_be_visible()
    assert_accessible(page, "draft form")
    page.goto(f"/avtaler/{version.agreement_id}/versjoner/{version.number}/endre/")
    expect(page.get_by_test_id("service-choices")).to_be_visible()
    # Untick a minimum service and save: allowed, with the warning on the next pages.
    minimum = MunicipalService.objects.filter(is_minimum=True).first()
    page.locator(f"input[name=service_{minimum.code}]").uncheck()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_test_id("minimum-warning")).to_be_visible()
    page.goto(f"/avtaler/{version.agreement_id}/versjoner/{version.number}/endre/")
    expect(page.get_by_test_id("minimum-warning")).to_be_visible()
    assert_accessible(page, "edit form")
