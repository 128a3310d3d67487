"""Issue 11 in a real Chromium: Trondheim's rådmann does the monthly review — lands on it after
signing in, changes the month and a filter (the URL follows), drills into an office's scorecard
and comes back to the same filtered view, records the municipality's review of a submitted
month with a comment, downloads the CSV and asks for the summary PDF. axe-core finds nothing
serious or critical on the way.

Structure is found by data-testid, data attributes and hrefs, so the test holds in either
language.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from navpartner.sidedata import Side
from reviews.exports import read_csv
from scorecards.models import ScorecardReview
from scorecards.periods import add_months, format_period, reporting_month
from tests.browser.test_browser import axe_violations, describe

pytestmark = pytest.mark.browser

PAGE = "/oppfolging/kommune/5001/"


def assert_accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}:\n{describe(violations)}"


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_radmann_does_the_monthly_review(page, sign_in):
    # Signed in, the rådmann lands on (or is one click from) the review of Trondheim.
    sign_in("radmann.trondheim")
    if urlsplit(page.url).path != PAGE:
        with page.expect_navigation():
            page.get_by_test_id("my-reviews").locator(f"a[href^='{PAGE}']").first.click()
    assert urlsplit(page.url).path == PAGE
    heading = page.get_by_test_id("municipal-review")
    expect(heading).to_have_attribute("data-month", format_period(reporting_month()))
    assert_accessible(page, "the review of the reporting month")

    # Another month and a filter, through the form: the URL says both.
    month = format_period(add_months(reporting_month(), -1))
    filters = page.get_by_test_id("filters")
    filters.locator("input[name=maned]").fill(month)
    filters.locator("select[name=side]").select_option(Side.MUNICIPAL.value)
    with page.expect_navigation():
        filters.locator("button[type=submit]").click()
    assert query_of(page.url)["maned"] == [month]
    assert query_of(page.url)["side"] == [Side.MUNICIPAL.value]
    expect(heading).to_have_attribute("data-month", month)
    matrix = page.get_by_test_id("matrix")
    expect(matrix.locator("table[data-side=municipal]")).to_have_count(1)
    expect(matrix.locator("table[data-side=state]")).to_have_count(0)
    filtered = page.url
    assert_accessible(page, "the filtered review")

    # Drill into Heimdal's scorecard and come back to exactly this view.
    with page.expect_navigation():
        matrix.locator("th[data-office=heimdal] a[data-drill=card]").click()
    assert urlsplit(page.url).path == f"/malekort/heimdal/{month}/"
    with page.expect_navigation():
        page.get_by_test_id("back-to-review").click()
    assert page.url == filtered

    # The municipality's review of Heimdal's submitted month, with a comment, from the page.
    form = (
        page.get_by_test_id("pending")
        .locator("tr[data-office=heimdal]")
        .get_by_test_id("review-form")
    )
    form.locator("textarea[name=kommentar]").fill("Gjennomgått i ledermøtet.")
    with page.expect_navigation():
        form.get_by_test_id("review-submit").click()
    assert page.url == filtered
    review = ScorecardReview.objects.get(
        scorecard__office__code="heimdal",
        scorecard__period=add_months(reporting_month(), -1),
        side=Side.MUNICIPAL,
    )
    assert review.comment == "Gjennomgått i ledermøtet."
    assert review.reviewed_by.username == "radmann.trondheim"
    expect(
        page.get_by_test_id("municipal-reviews").locator("li[data-office=heimdal]")
    ).to_have_count(1)
    assert_accessible(page, "the review after the municipality's review")

    # The CSV of what the page shows.
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.suggested_filename == f"oppfolging-5001-{month}.csv"
    with open(download.path(), "rb") as handle:
        rows = read_csv(handle.read())
    assert len(rows) > 1
    assert {row[0] for row in rows[1:]} <= {"heimdal", "lerkendal", "midtbyen", "ostbyen"}

    # The summary PDF: asked for on the page, made in the background, downloaded.
    with page.expect_navigation():
        page.get_by_test_id("make-pdf").click()
    assert "/rapporter/" in page.url or "report" in page.url
    download_link = page.locator("a[href$='/fil/'], a[download]").first
    expect(download_link).to_be_visible()
    response = page.request.get(download_link.get_attribute("href"))
    assert response.ok
    assert response.body().startswith(b"%PDF")
