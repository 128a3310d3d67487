"""Drill-down from the county review (issue 11, item 3): every cell leads to the office's
indicator history, every office to its scorecard, every open plan to the plan — each link
carrying ``?tilbake=`` with the review's month and filters — and those pages lead back to
exactly that URL (``navpartner.views.back_link``)."""

import html as html_lib
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from scorecards.models import ActionPlan, ActionPlanStatus
from scorecards.periods import add_months, format_period, reporting_month
from users.models import User

pytestmark = pytest.mark.django_db

URL = reverse("reviews:county", args=["50"])


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def director(client, demo_data):
    client.force_login(user("fylkesdirektor.trondelag"))
    return client


def links(html: str, marker: str) -> list[str]:
    return [html_lib.unescape(href) for href in re.findall(rf'href="([^"]+)"[^>]*{marker}', html)]


def back_of(href: str) -> str:
    return parse_qs(urlsplit(href).query)["tilbake"][0]


def back_on_page(html: str) -> str | None:
    found = re.search(r'href="([^"]+)" data-testid="back-to-review"', html)
    return html_lib.unescape(found[1]) if found else None


@pytest.fixture
def review(director):
    """The review of a submitted demo month, filtered and sorted, and its links."""
    period = add_months(reporting_month(), -2)
    query = {"maned": format_period(period), "side": "state", "sorter": "status"}
    response = director.get(URL, query)
    assert response.status_code == 200
    page = response.content.decode()
    return {
        "period": period,
        "page": page,
        "url": f"{URL}?{urlencode(query)}",
        "query": query,
    }


def test_every_drill_down_link_carries_the_way_back_with_month_and_filters(review):
    cards = links(review["page"], "data-card-link")
    assert len(cards) == 6
    cell_links = re.findall(r'class="app-cell__link" href="([^"]+)"', review["page"])
    assert cell_links
    for href in cards + [html_lib.unescape(h) for h in cell_links]:
        back = back_of(href)
        assert urlsplit(back).path == URL
        assert parse_qs(urlsplit(back).query) == {k: [v] for k, v in review["query"].items()}


def test_the_scorecard_leads_back_to_the_same_review(director, review):
    card = links(review["page"], 'data-card-link="heimdal"')[0]
    assert urlsplit(card).path == reverse(
        "scorecards:card", kwargs={"office": "heimdal", "period": review["period"]}
    )
    page = director.get(card).content.decode()
    assert back_on_page(page) == back_of(card)
    # The card's own links keep the way back (another month, the indicator).
    month_links = re.findall(r'href="([^"]+)" rel="(?:prev|next)"', page)
    assert month_links and all("tilbake=" in href for href in month_links)


def test_the_indicator_history_leads_back(director, review):
    cell = html_lib.unescape(
        re.findall(r'class="app-cell__link" href="([^"]+)"', review["page"])[0]
    )
    response = director.get(cell)
    assert response.status_code == 200
    query = parse_qs(urlsplit(cell).query)
    assert query["maned"] == [format_period(review["period"])]
    assert "kontor" in query
    assert back_on_page(response.content.decode()) == back_of(cell)


def test_the_action_plan_leads_back(director, demo_data):
    plan = ActionPlan.objects.filter(
        office__county__number="50", status=ActionPlanStatus.OPEN
    ).first()
    assert plan is not None
    page = director.get(URL).content.decode()
    hrefs = [html_lib.unescape(h) for h in re.findall(r'href="([^"]+)" data-plan="', page)]
    plan_href = next(
        h for h in hrefs if urlsplit(h).path == reverse("scorecards:plan", args=[plan.pk])
    )
    response = director.get(plan_href)
    assert response.status_code == 200
    assert back_on_page(response.content.decode()) == back_of(plan_href)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "oppfolging/"],
)
def test_only_a_local_path_is_followed(director, demo_data, target):
    card = reverse("scorecards:card", kwargs={"office": "heimdal", "period": reporting_month()})
    page = director.get(card, {"tilbake": target}).content.decode()
    assert back_on_page(page) is None


def test_without_tilbake_the_pages_have_no_back_link(director, demo_data):
    card = reverse("scorecards:card", kwargs={"office": "heimdal", "period": reporting_month()})
    assert back_on_page(director.get(card).content.decode()) is None
