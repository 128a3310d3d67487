"""Issue 11 in a real Chromium: Trøndelag's county director does the monthly review — opens the
county review, filters it to the state's missed indicators of a submitted month, sorts it by the
most missed, drills into an office's scorecard and an indicator's history and comes back to
exactly the same URL, opens the ranking of an indicator, downloads the Excel export and asks for
the summary PDF. axe-core finds nothing serious or critical on the way.

Structure is found by data-testid, data attributes and hrefs, so the test holds in either
language.
"""

import io
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from navpartner.sidedata import Side
from scorecards.models import Status
from scorecards.periods import add_months, format_period, reporting_month
from tests.browser.test_browser import axe_violations, describe

pytestmark = pytest.mark.browser

PAGE = "/oppfolging/fylke/50/"
TRONDELAG = {"heimdal", "lerkendal", "malvik", "midtbyen", "stjordal", "ostbyen"}


def assert_accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}:\n{describe(violations)}"


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_county_director_does_the_monthly_review(page, sign_in):
    sign_in("fylkesdirektor.trondelag")
    if urlsplit(page.url).path != PAGE:
        page.goto(PAGE)
    heading = page.get_by_test_id("county-review")
    expect(heading).to_have_attribute("data-month", format_period(reporting_month()))
    expect(page.get_by_test_id("county-matrix").locator("tbody tr")).to_have_count(len(TRONDELAG))
    assert_accessible(page, "the review of the reporting month")

    # A submitted month, the state's line, the missed indicators: the URL says all three.
    month = format_period(add_months(reporting_month(), -2))
    filters = page.get_by_test_id("county-filter")
    filters.locator("input[name=maned]").fill(month)
    filters.locator("select[name=side]").select_option(Side.STATE.value)
    filters.locator("select[name=status]").select_option(Status.MISSED.value)
    with page.expect_navigation():
        page.get_by_test_id("county-filter-submit").click()
    query = query_of(page.url)
    assert query["maned"] == [month]
    assert query["side"] == [Side.STATE.value]
    assert query["status"] == [Status.MISSED.value]
    expect(heading).to_have_attribute("data-month", month)
    matrix = page.get_by_test_id("county-matrix")
    statuses = matrix.locator("td[data-status]")
    assert statuses.count() > 0
    assert {statuses.nth(i).get_attribute("data-status") for i in range(statuses.count())} == {
        Status.MISSED.value
    }
    sides = matrix.locator("thead th[data-side]")
    assert {sides.nth(i).get_attribute("data-side") for i in range(sides.count())} == {"state"}
    assert_accessible(page, "the filtered review")

    # Sorted by the most missed first.
    with page.expect_navigation():
        page.locator("a[data-sort-link=status]").first.click()
    assert query_of(page.url)["sorter"] == ["status"]
    missed = matrix.locator("tbody tr")
    counts = [int(missed.nth(i).get_attribute("data-missed")) for i in range(missed.count())]
    assert counts == sorted(counts, reverse=True)
    review_url = page.url

    # Into the first office's scorecard, and back to exactly this view.
    office = missed.first.get_attribute("data-office")
    with page.expect_navigation():
        matrix.locator(f"a[data-card-link='{office}']").click()
    assert urlsplit(page.url).path == f"/malekort/{office}/{month}/"
    assert_accessible(page, "the scorecard reached from the review")
    with page.expect_navigation():
        page.get_by_test_id("back-to-review").click()
    assert page.url == review_url

    # Into a cell's indicator history, and back.
    cell = matrix.locator("td[data-status=missed] a.app-cell__link").first
    with page.expect_navigation():
        cell.click()
    assert urlsplit(page.url).path.startswith("/malekort/indikatorer/")
    assert query_of(page.url)["maned"] == [month]
    with page.expect_navigation():
        page.get_by_test_id("back-to-review").click()
    assert page.url == review_url

    # The ranking of an indicator: best first.
    rank_link = matrix.locator("a[data-rank-link]").first
    code = rank_link.get_attribute("data-rank-link")
    with page.expect_navigation():
        rank_link.click()
    ranking = page.get_by_test_id("county-ranking")
    expect(ranking).to_have_attribute("data-indicator", code)
    ranks = ranking.locator("tbody tr[data-rank]")
    numbers = [
        int(value)
        for i in range(ranks.count())
        if (value := ranks.nth(i).get_attribute("data-rank"))
    ]
    assert numbers and numbers == sorted(numbers) and numbers[0] == 1
    assert_accessible(page, "the ranking")

    # The Excel export of what the page shows.
    with page.expect_download() as download_info:
        page.get_by_test_id("county-export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == f"fylke-50-{month}.xlsx"
    with open(download.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) > 1
    assert {row[0] for row in rows[1:]} <= TRONDELAG
    assert {row[6] for row in rows[1:]} == {month}

    # The summary PDF: asked for on the page, made in the background, downloaded.
    with page.expect_navigation():
        page.get_by_test_id("county-pdf").locator("button").click()
    download_link = page.locator("a[href$='/fil/'], a[download]").first
    expect(download_link).to_be_visible()
    response = page.request.get(download_link.get_attribute("href"))
    assert response.ok
    assert response.body().startswith(b"%PDF")
