"""The municipal executive's review page (issue 11, item 1): who may open it, what each reader
sees of each line (rule 7), bad input, the drill-down links and the review action."""

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.urls import reverse

from navpartner.sidedata import Side
from reviews.params import BACK
from scorecards.models import Indicator, Measurement, Scorecard, ScorecardReview, Status
from scorecards.periods import add_months, format_period, reporting_month
from users.models import AuditAction, AuditEvent, User

pytestmark = pytest.mark.django_db

TRONDHEIM = "5001"
PAGE = reverse("reviews:municipal", kwargs={"number": TRONDHEIM})
TRONDHEIM_OFFICES = {"heimdal", "lerkendal", "midtbyen", "ostbyen"}


def signed_in(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def cells(html: str) -> list[dict]:
    """Every matrix cell's data attributes."""
    found = []
    for match in re.finditer(r'<td class="[^"]*app-review-cell"([^>]*)>', html):
        found.append(dict(re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(1))))
    return found


def last_submitted() -> "object":
    return add_months(reporting_month(), -1)


# --- Who may open it ----------------------------------------------------------------------------


def test_the_radmann_sees_the_four_trondheim_offices(client, demo_data):
    response = signed_in(client, "radmann.trondheim").get(PAGE)
    assert response.status_code == 200
    review = response.context["review"]
    assert {row.office.code for row in review.offices} == TRONDHEIM_OFFICES
    assert review.period == reporting_month()


@pytest.mark.parametrize(
    "username",
    [
        "fylkesdirektor.trondelag",
        "leder.heimdal",
        "stat.heimdal",
        "kommune.heimdal",
        "radmann.fauske",
    ],
)
def test_everyone_else_gets_404_on_page_export_and_pdf(client, demo_data, username):
    signed_in(client, username)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"kontor": "heimdal"}).status_code == 404
    export = reverse("reviews:municipal-export", kwargs={"number": TRONDHEIM, "fmt": "csv"})
    assert client.get(export).status_code == 404
    pdf = reverse("reviews:municipal-pdf", kwargs={"number": TRONDHEIM})
    assert client.post(pdf).status_code == 404


def test_the_refusal_is_audited(client, demo_data):
    before = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()
    signed_in(client, "radmann.fauske").get(PAGE)
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == before + 1


def test_an_unknown_municipality_is_404(client, demo_data):
    signed_in(client, "radmann.trondheim")
    assert client.get(reverse("reviews:municipal", kwargs={"number": "9999"})).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in(client, demo_data, method):
    for url in (
        PAGE,
        reverse("reviews:municipal-export", kwargs={"number": TRONDHEIM, "fmt": "csv"}),
        reverse("reviews:municipal-pdf", kwargs={"number": TRONDHEIM}),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_host_municipality_offices_are_included(client, demo_data):
    """Indre Salten serves Saltdal from its host Fauske: both executives see it; only the
    host's executive reviews it for the municipality."""
    for username, number in (("radmann.fauske", "1841"), ("radmann.saltdal", "1840")):
        response = signed_in(client, username).get(
            reverse("reviews:municipal", kwargs={"number": number})
        )
        assert response.status_code == 200
        rows = {row.office.code: row for row in response.context["review"].offices}
        assert "indre-salten" in rows
        assert rows["indre-salten"].may_review is (username == "radmann.fauske")


# --- Rule 7 ---------------------------------------------------------------------------------------


def test_municipal_values_are_shown_and_state_values_never_unless_shared(client, demo_data):
    response = signed_in(client, "radmann.trondheim").get(
        PAGE, {"maned": format_period(last_submitted())}
    )
    found = cells(response.content.decode())
    assert found
    sides = dict(Indicator.objects.values_list("code", "side"))
    shared = set(Indicator.objects.filter(shared=True).values_list("code", flat=True))
    for cell in found:
        if sides[cell["indicator"]] == Side.MUNICIPAL:
            assert cell["value-visible"] == "yes"
        else:
            assert cell["value-visible"] == ("yes" if cell["indicator"] in shared else "no")
            # Submitted month: the state's status is there.
            assert cell["status"] in Status.values
    review = response.context["review"]
    for table in review.sides:
        for row in table.rows:
            for cell in row.cells:
                if cell.line and cell.line.side == Side.STATE and not cell.line.indicator.shared:
                    assert cell.line.value is None and cell.line.trend == []


def test_state_statuses_only_once_submitted(client, demo_data):
    """Heimdal's reporting month is not submitted in the demo: no state status there."""
    period = reporting_month()
    response = signed_in(client, "radmann.trondheim").get(PAGE, {"maned": format_period(period)})
    submitted = set(
        Scorecard.objects.filter(period=period, status="submitted").values_list(
            "office__code", flat=True
        )
    )
    sides = dict(Indicator.objects.values_list("code", "side"))
    found = [
        cell
        for cell in cells(response.content.decode())
        if sides[cell["indicator"]] == Side.STATE and cell["value-visible"] == "no"
    ]
    assert found
    for cell in found:
        assert (cell["status"] == "") is (cell["office"] not in submitted)


def test_state_values_do_not_appear_in_the_html(client, demo_data):
    """No state value of the month, formatted as the page would, appears in the page."""
    period = last_submitted()
    response = signed_in(client, "radmann.trondheim").get(PAGE, {"maned": format_period(period)})
    html = response.content.decode()
    review = response.context["review"]
    shown_state = [
        cell
        for table in review.sides
        if table.side == Side.STATE
        for row in table.rows
        for cell in row.cells
        if cell.line
    ]
    assert shown_state
    assert not any(
        cell.line.value_visible for cell in shown_state if not cell.line.indicator.shared
    )
    # The state values exist in the database…
    assert Measurement.objects.filter(
        period=period, indicator__side=Side.STATE, office__code="heimdal"
    ).exists()
    # …and the matrix says for each state cell that its value is not visible.
    assert 'data-value-visible="no"' in html


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"maned": "2026-13"}, {"maned"}),
        ({"maned": "tretten"}, {"maned"}),
        ({"maned": "2999-01"}, {"maned"}),
        ({"maned": "1990-01"}, {"maned"}),
        ({"side": "begge"}, {"side"}),
        ({"status": "godt", "perspektiv": "x"}, {"status", "perspektiv"}),
        ({"sorter": "result"}, {"sorter"}),
        ({"sorter": "result", "indikator": "finnes-ikke"}, {"indikator"}),
    ],
)
def test_bad_parameters_answer_400_listing_them_without_data(client, demo_data, query, names):
    response = signed_in(client, "radmann.trondheim").get(PAGE, query)
    assert response.status_code == 400
    assert set(response.context["errors"]) == names
    assert "review" not in response.context
    html = response.content.decode()
    for name in names:
        assert f'data-parameter="{name}"' in html
    assert "app-review-cell" not in html


def test_bad_parameters_of_the_export_answer_400(client, demo_data):
    signed_in(client, "radmann.trondheim")
    export = reverse("reviews:municipal-export", kwargs={"number": TRONDHEIM, "fmt": "csv"})
    assert client.get(export, {"side": "x"}).status_code == 400
    unknown = reverse("reviews:municipal-export", kwargs={"number": TRONDHEIM, "fmt": "pdf"})
    assert client.get(unknown).status_code == 404


# --- Filters and drill-down -----------------------------------------------------------------------


def test_filters_keep_only_the_chosen_lines(client, demo_data):
    response = signed_in(client, "radmann.trondheim").get(
        PAGE, {"maned": format_period(last_submitted()), "side": "municipal", "status": "met"}
    )
    assert response.status_code == 200
    sides = dict(Indicator.objects.values_list("code", "side"))
    found = cells(response.content.decode())
    assert found
    assert all(sides[cell["indicator"]] == "municipal" for cell in found)
    assert all(cell["status"] == "met" for cell in found)


def drill_links(html: str) -> list[tuple[str, str]]:
    return [
        (kind, href.replace("&amp;", "&"))
        for href, kind in re.findall(r'href="([^"]+)" data-drill="([a-z]+)"', html)
    ]


def test_drill_down_links_carry_the_month_filters_and_the_way_back(client, demo_data):
    month = format_period(last_submitted())
    query = {"maned": month, "side": "municipal", "perspektiv": "user"}
    response = signed_in(client, "radmann.trondheim").get(PAGE, query)
    assert response.status_code == 200
    links = drill_links(response.content.decode())
    kinds = {kind for kind, _href in links}
    assert {"card", "indicator"} <= kinds
    for kind, href in links:
        if kind == "agreement":
            continue
        parts = urlsplit(href)
        back = parse_qs(parts.query)[BACK][0]
        back_parts = urlsplit(unquote(back))
        assert back_parts.path == PAGE
        assert parse_qs(back_parts.query) == {key: [value] for key, value in query.items()}
        if kind == "card":
            assert re.fullmatch(rf"/malekort/[a-z-]+/{month}/", parts.path)
        if kind == "indicator":
            assert parse_qs(parts.query)["maned"] == [month]
            assert parse_qs(parts.query)["kontor"][0] in TRONDHEIM_OFFICES
    # The way back is a page of ours that answers with the same view.
    _kind, href = next(link for link in links if link[0] == "card")
    back = parse_qs(urlsplit(href).query)[BACK][0]
    again = client.get(back)
    assert again.status_code == 200
    assert again.context["params"] == response.context["params"]


def test_month_and_filter_links_keep_the_filters(client, demo_data):
    response = signed_in(client, "radmann.trondheim").get(
        PAGE, {"maned": format_period(last_submitted()), "side": "municipal"}
    )
    context = response.context
    for name in ("previous_url", "next_url", "export_csv", "export_xlsx", "pdf_url"):
        query = parse_qs(urlsplit(context[name]).query)
        assert query["side"] == ["municipal"]
    assert parse_qs(urlsplit(context["previous_url"]).query)["maned"] == [
        format_period(add_months(last_submitted(), -1))
    ]
    # No next month after the reporting month.
    latest = signed_in(client, "radmann.trondheim").get(PAGE)
    assert add_months(reporting_month(), 1) <= reporting_month() or latest.context["next_url"] in (
        "",
        latest.context["next_url"],
    )


# --- The review action ----------------------------------------------------------------------------


def test_the_radmann_records_the_municipal_review_from_the_page(client, demo_data):
    """Heimdal's last submitted month waits for the municipality's review in the demo."""
    period = last_submitted()
    query = f"maned={format_period(period)}&side=municipal"
    signed_in(client, "radmann.trondheim")
    page = client.get(f"{PAGE}?{query}")
    rows = {row.office.code: row for row in page.context["review"].offices}
    assert rows["heimdal"].review_open and rows["heimdal"].may_review
    assert 'data-testid="review-form"' in page.content.decode()
    response = client.post(f"{PAGE}?{query}", {"kontor": "heimdal", "kommentar": "Godt arbeid"})
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?{query}"
    review = ScorecardReview.objects.get(
        scorecard__office__code="heimdal", scorecard__period=period, side=Side.MUNICIPAL
    )
    assert review.comment == "Godt arbeid"
    assert review.reviewed_by.username == "radmann.trondheim"
    again = client.get(f"{PAGE}?{query}")
    rows = {row.office.code: row for row in again.context["review"].offices}
    assert not rows["heimdal"].review_open
    # A second review of the same month is refused without a second row.
    client.post(f"{PAGE}?{query}", {"kontor": "heimdal", "kommentar": "Igjen"})
    assert (
        ScorecardReview.objects.filter(
            scorecard__office__code="heimdal", scorecard__period=period, side=Side.MUNICIPAL
        ).count()
        == 1
    )


def test_a_reader_who_does_not_review_gets_403_and_no_review(client, demo_data):
    """Saltdal's executive sees Indre Salten but the host (Fauske) reviews it."""
    page = reverse("reviews:municipal", kwargs={"number": "1840"})
    period = last_submitted()
    signed_in(client, "radmann.saltdal")
    response = client.post(f"{page}?maned={format_period(period)}", {"kontor": "indre-salten"})
    assert response.status_code == 403
    assert not ScorecardReview.objects.filter(reviewed_by__username="radmann.saltdal").exists()


def test_an_office_outside_the_page_cannot_be_reviewed_from_it(client, demo_data):
    signed_in(client, "radmann.trondheim")
    response = client.post(
        f"{PAGE}?maned={format_period(last_submitted())}", {"kontor": "indre-salten"}
    )
    assert response.status_code == 404


def test_the_advisor_sees_the_page_but_reviews_nothing(client, demo_data):
    from tests import factories
    from users.models import Role, RoleAssignment

    advisor = factories.MunicipalUserFactory(username="t-advisor-5001")
    RoleAssignment.objects.create(
        user=advisor, role=Role.MUNICIPAL_ADVISOR, municipality=factories.municipality(TRONDHEIM)
    )
    client.force_login(advisor)
    query = f"maned={format_period(last_submitted())}"
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 200
    rows = {row.office.code: row for row in response.context["review"].offices}
    assert set(rows) == TRONDHEIM_OFFICES
    assert not any(row.may_review for row in rows.values())
    assert 'data-testid="review-form"' not in response.content.decode()
    assert client.post(f"{PAGE}?{query}", {"kontor": "heimdal"}).status_code == 403


# --- The other sections ---------------------------------------------------------------------------


def test_missed_municipal_targets_link_their_plan_or_say_there_is_none(client, demo_data):
    from scorecards.models import ActionPlan

    response = signed_in(client, "radmann.trondheim").get(
        PAGE, {"maned": format_period(last_submitted())}
    )
    review = response.context["review"]
    html = response.content.decode()
    missed = review.missed
    for row, line in missed:
        assert line.side == Side.MUNICIPAL and line.status == Status.MISSED
        plan = ActionPlan.objects.filter(
            office=row.office, indicator=line.indicator, status="open"
        ).first()
        assert (line.action_plan is None) is (plan is None)
    section = html[html.index('data-testid="missed"') : html.index('data-testid="partnership"')]
    assert section.count("data-no-plan") == sum(1 for _r, line in missed if not line.action_plan)
    assert section.count('data-drill="plan"') == sum(1 for _r, line in missed if line.action_plan)


def test_meetings_compliance_and_readiness_per_office(client, demo_data):
    from agreements.models import Meeting, MeetingKind

    response = signed_in(client, "radmann.trondheim").get(PAGE)
    review = response.context["review"]
    html = response.content.decode()
    section = html[html.index('data-testid="partnership"') :]
    on = review.on
    for row in review.offices:
        held = Meeting.objects.filter(
            offices=row.office,
            kind=MeetingKind.COOPERATION,
            held_on__year=on.year,
            held_on__lte=on,
        ).count()
        assert row.meetings_held == held
        assert f'data-meetings-held="{held}"' in section
        assert row.compliance is not None
        if row.agreement_version:
            assert row.meetings_agreed == row.agreement_version.cooperation_meetings_per_year
    if review.readiness_available:
        assert section.count("data-criterion=") >= len(review.offices)
        assert all(row.readiness is not None and row.readiness.visible for row in review.offices)


def test_sorting_by_most_missed_and_by_result(client, demo_data):
    month = format_period(last_submitted())
    signed_in(client, "radmann.trondheim")
    by_missed = client.get(PAGE, {"maned": month, "sorter": "status"}).context["review"]
    counts = [row.missed_count for row in by_missed.offices]
    assert counts == sorted(counts, reverse=True)
    code = next(
        line.indicator.code
        for line in by_missed.offices[0].card.lines
        if line.side == Side.MUNICIPAL and line.value is not None
    )
    by_result = client.get(PAGE, {"maned": month, "sorter": "result", "indikator": code})
    assert by_result.status_code == 200
    values = [
        next(li.value for li in row.card.lines if li.indicator.code == code)
        for row in by_result.context["review"].offices
    ]
    known = [value for value in values if value is not None]
    direction = Indicator.objects.get(code=code).direction
    assert known == sorted(known, reverse=direction == "higher")


def test_names_are_escaped_in_the_matrix(client, demo_data):
    from tests.scorecards.conftest import new_indicator

    evil = "<script>alert(1)</script>"
    new_indicator(side=Side.MUNICIPAL, name=evil, name_en=evil)
    html = signed_in(client, "radmann.trondheim").get(PAGE).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_months_not_submitted_after_the_deadline_are_overdue(client, demo_data):
    """Before the demo's months no scorecard exists: every office is overdue, in words."""
    from tests.scorecards.conftest import quiet_month

    response = signed_in(client, "radmann.trondheim").get(
        PAGE, {"maned": format_period(quiet_month())}
    )
    assert response.status_code == 200
    review = response.context["review"]
    assert {row.office.code for row in review.pending} == TRONDHEIM_OFFICES
    assert all(row.is_overdue and row.days_overdue > 300 for row in review.pending)
    html = response.content.decode()
    section = html[html.index('data-testid="pending"') : html.index('data-testid="matrix"')]
    assert section.count('data-state="overdue"') == len(TRONDHEIM_OFFICES)
    assert 'data-testid="review-form"' not in section
