"""Issue 10 in a real Chromium: NAV Heimdal's leader runs a month end to end — the dashboard
shows the month's missing values, she enters them in the grid, submits the month, sees the
statuses, opens an action plan for the target missed and downloads the month's PDF; the
dashboard changes with each step. axe-core finds nothing serious or critical on the way.

Structure is found by data-testid, data attributes and hrefs, so the test holds in either
language. The values typed are chosen from the targets that apply, so one target is missed.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from offices.models import Office
from scorecards.models import ActionPlan, Direction, Measurement, Scorecard, ScorecardStatus
from scorecards.periods import format_period, reporting_month
from scorecards.selectors import indicators_for_offices
from scorecards.targets import TargetResolver
from tests.browser.test_browser import axe_violations, describe

pytestmark = pytest.mark.browser

# The indicator the leader misses on purpose (municipal, lower is better); the demo leaves
# Heimdal's municipal values of the reporting month for her to enter.
MISSED = "langtidsmottakere"


def assert_accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}:\n{describe(violations)}"


def values_to_enter(office, period) -> dict[str, str]:
    """A value for each indicator without one: the target (met), and for ``MISSED`` a value
    beyond the tolerance band (missed). Typed with a decimal comma, as a person would."""
    indicators = indicators_for_offices([office], period)[office.pk]
    stored = set(
        Measurement.objects.filter(office=office, period=period).values_list(
            "indicator__code", flat=True
        )
    )
    resolver = TargetResolver([office], indicators, [period])
    values = {}
    for indicator in indicators:
        if indicator.code in stored:
            continue
        target = resolver.get(office, indicator, period)
        value = target.value if target else Decimal(10)
        if indicator.code == MISSED:
            beyond = target.tolerance + 5
            value = value + beyond if indicator.direction == Direction.LOWER else value - beyond
        low, high = indicator.value_range
        value = min(max(value, low if low is not None else value), high or value)
        values[indicator.code] = format(value.normalize(), "f").replace(".", ",")
    return values


def test_the_leader_runs_a_month_end_to_end(page, sign_in):
    heimdal = Office.objects.get(code="heimdal")
    period = reporting_month()
    month = format_period(period)
    card_path = f"/malekort/heimdal/{month}/"
    to_enter = values_to_enter(heimdal, period)
    assert MISSED in to_enter, "the demo leaves Heimdal's municipal values for the leader"

    # The dashboard: this month is not submitted, and values are missing.
    sign_in("leder.heimdal")
    office = page.get_by_test_id("leader-dashboard").locator("[data-dashboard-office=heimdal]")
    summary = office.get_by_test_id("dashboard-summary")
    expect(summary).not_to_have_attribute("data-status", "submitted")
    expect(summary).to_have_attribute("data-missing", str(len(to_enter)))
    assert_accessible(page, "dashboard before the month is entered")

    # The grid: type the missing values and save.
    office.get_by_test_id("dashboard-enter-link").click()
    grid = page.get_by_test_id("grid")
    expect(grid).to_be_visible()
    assert_accessible(page, "value grid")
    for code, value in to_enter.items():
        grid.locator(f"tr[data-indicator='{code}'] input[name='value_{code}']").fill(value)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(card_path)
    assert Measurement.objects.filter(
        office=heimdal, period=period, indicator__code=MISSED
    ).exists()
    expect(page.get_by_test_id("card-status")).to_have_attribute("data-status", "draft")

    # The dashboard has no missing values left.
    page.goto("/")
    expect(summary).to_have_attribute("data-missing", "0")

    # Submit the month from the card.
    page.goto(card_path)
    page.get_by_test_id("card-actions").locator(f"a[href='{card_path}send-inn/']").click()
    expect(page.get_by_test_id("summary")).to_be_visible()
    assert_accessible(page, "submission page")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("card-status")).to_have_attribute("data-status", "submitted")
    scorecard = Scorecard.objects.get(office=heimdal, period=period)
    assert scorecard.status == ScorecardStatus.SUBMITTED
    assert scorecard.lines.get(indicator__code=MISSED).status == "missed"

    # The statuses on the card: the missed one says so in a tag with a symbol and a word.
    missed_row = page.locator(f"tr[data-indicator='{MISSED}']").first
    expect(missed_row.get_by_test_id("status").locator("[data-status=missed]")).to_have_count(1)
    assert_accessible(page, "submitted card")

    # Open an action plan for the missed target, from the card.
    missed_row.get_by_test_id("open-plan").click()
    page.locator("textarea[name=analysis]").fill("Flere langtidsmottakere etter nedbemanning.")
    page.locator("textarea[name=goal]").fill("Tilbake under målet innen seks måneder.")
    assert_accessible(page, "new action plan")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    plan = ActionPlan.objects.get(office=heimdal, indicator__code=MISSED, status="open")
    assert page.url.endswith(f"/malekort/tiltaksplan/{plan.pk}/")

    # The dashboard changed: submitted, and the missed target has its plan.
    page.goto("/")
    expect(summary).to_have_attribute("data-status", "submitted")
    expect(
        office.get_by_test_id("dashboard-missed").locator(f"[data-indicator='{MISSED}']")
    ).to_have_attribute("data-plan", "yes")
    assert_accessible(page, "dashboard after submission")

    # The month as a PDF: asked for on the card, made in the background, downloaded.
    page.goto(card_path)
    with page.expect_navigation():
        page.get_by_test_id("card-actions").locator(
            f"form[action='{card_path}pdf/'] button"
        ).click()
    download_link = page.locator("a[href$='/fil/'], a[download]").first
    expect(download_link).to_be_visible()
    response = page.request.get(download_link.get_attribute("href"))
    assert response.ok
    assert response.body().startswith(b"%PDF")
