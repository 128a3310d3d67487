"""The county review (issue 11, item 2): who may open it, what it shows (rule 7), its filters,
sorting and ranking, its exports (item 4), its bad input (400 with the reasons, no data)."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from navpartner.sidedata import Side
from offices.models import Office
from reviews.exports import read_csv
from scorecards.measurements import MeasurementRow, record_measurements
from scorecards.models import Indicator, Status
from scorecards.periods import add_months, format_period, reporting_month
from tests.scorecards.conftest import new_indicator, new_target, quiet_month
from users.models import User

pytestmark = pytest.mark.django_db

URL = reverse("reviews:county", args=["50"])
CSV = reverse("reviews:county-export", args=["50", "csv"])
XLSX = reverse("reviews:county-export", args=["50", "xlsx"])
TRONDELAG = {"heimdal", "lerkendal", "malvik", "midtbyen", "stjordal", "ostbyen"}


def user(username: str) -> User:
    return User.objects.get(username=username)


def signed_in(client, username="fylkesdirektor.trondelag"):
    client.force_login(user(username))
    return client


def rows_of(html: str) -> list[tuple[str, str]]:
    """``(office code, missed)`` of the matrix' rows, in order."""
    matrix = html.split('data-testid="county-matrix"', 1)[1].split("</table>", 1)[0]
    return re.findall(
        r'<tr class="aksel-table__row" data-office="([^"]+)" data-missed="(\d+)"', matrix
    )


def cells_of(html: str, office: str | None = None) -> list[dict]:
    matrix = html.split('data-testid="county-matrix"', 1)[1].split("</table>", 1)[0]
    if office is not None:
        matrix = matrix.split(f'data-office="{office}"', 1)[1].split("</tr>", 1)[0]
    return [
        {"indicator": indicator, "status": status, "visible": visible}
        for indicator, status, visible in re.findall(
            r'data-indicator="([^"]+)" data-status="([^"]*)" data-value-visible="(yes|no)"',
            matrix,
        )
    ]


def enter(username: str, indicator: Indicator, value: str, period, office="heimdal") -> None:
    record_measurements(
        user=user(username),
        rows=[
            MeasurementRow(
                line=1,
                office=office,
                indicator=indicator.code,
                period=format_period(period),
                value=Decimal(value),
            )
        ],
        source="form",
    )


@pytest.fixture
def own_values(demo_data):
    """A quiet month at Heimdal with a state, a municipal and a shared municipal indicator of
    the tests' own, each with a value no demo number resembles."""
    period = quiet_month()
    state = new_indicator(side=Side.STATE, unit="count", decimals=1, name="T-statlig")
    municipal = new_indicator(side=Side.MUNICIPAL, unit="count", decimals=1, name="T-kommunal")
    shared = new_indicator(
        side=Side.MUNICIPAL, unit="count", decimals=1, name="T-delt", shared=True
    )
    new_target(state, "4000", year=period.year)
    enter("stat.heimdal", state, "4321.7", period)
    enter("kommune.heimdal", municipal, "8765.3", period)
    enter("kommune.heimdal", shared, "6543.1", period)
    return {"period": period, "state": state, "municipal": municipal, "shared": shared}


# --- Who may open it ----------------------------------------------------------------------------


def test_the_county_director_opens_the_review_of_every_office_of_the_county(client, demo_data):
    response = signed_in(client).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert {code for code, _missed in rows_of(html)} == TRONDELAG
    assert f'data-month="{format_period(reporting_month())}"' in html


@pytest.mark.parametrize(
    "username",
    ["fylkesdirektor.nordland", "radmann.trondheim", "leder.heimdal", "stat.heimdal"],
)
@pytest.mark.parametrize("url", [URL, CSV, XLSX])
def test_anyone_without_a_county_role_there_gets_404(client, demo_data, username, url):
    assert signed_in(client, username).get(url).status_code == 404


@pytest.mark.parametrize("username", ["fylkesdirektor.nordland", "radmann.trondheim"])
def test_the_pdf_button_is_404_for_them_too(client, demo_data, username):
    response = signed_in(client, username).post(reverse("reviews:county-pdf", args=["50"]))
    assert response.status_code == 404


def test_nordlands_director_has_their_own_county(client, demo_data):
    assert (
        signed_in(client, "fylkesdirektor.nordland")
        .get(reverse("reviews:county", args=["18"]))
        .status_code
        == 200
    )
    assert signed_in(client).get(reverse("reviews:county", args=["18"])).status_code == 404


def test_an_unknown_county_is_404(client, demo_data):
    assert signed_in(client).get(reverse("reviews:county", args=["99"])).status_code == 404


@pytest.mark.parametrize("url", [URL, CSV])
def test_anonymous_is_sent_to_sign_in(client, demo_data, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Rule 7 ------------------------------------------------------------------------------------


def test_the_director_sees_state_values_and_shared_municipal_ones_only(client, own_values):
    period = own_values["period"]
    response = signed_in(client).get(URL, {"maned": format_period(period)})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-value="4321.7000"' in html
    assert 'data-value="6543.1000"' in html  # shared by its owner
    assert "8765" not in html  # the municipal value
    cells = {c["indicator"]: c for c in cells_of(html, "heimdal")}
    assert cells[own_values["state"].code]["visible"] == "yes"
    assert cells[own_values["state"].code]["status"] == Status.MET
    assert cells[own_values["shared"].code]["visible"] == "yes"
    assert cells[own_values["municipal"].code]["visible"] == "no"
    assert cells[own_values["municipal"].code]["status"] == ""  # not submitted


def test_the_export_holds_the_same_and_no_more(client, own_values):
    period = own_values["period"]
    response = signed_in(client).get(CSV, {"maned": format_period(period)})
    assert response.status_code == 200
    rows = read_csv(response.content)
    header, body = rows[0], rows[1:]
    by_indicator = {row[2]: row for row in body if row[0] == "heimdal"}
    value = header.index(header[7])
    assert by_indicator[own_values["state"].code][value] == "4321.7000"
    assert by_indicator[own_values["shared"].code][value] == "6543.1000"
    assert by_indicator[own_values["municipal"].code][value] == ""
    assert "8765" not in response.content.decode("utf-8")
    assert {row[0] for row in body} <= TRONDELAG
    assert {row[6] for row in body} == {format_period(period)}


def test_the_excel_export_is_a_workbook_of_the_same_rows(client, own_values):
    period = own_values["period"]
    csv_rows = read_csv(signed_in(client).get(CSV, {"maned": format_period(period)}).content)
    response = client.get(XLSX, {"maned": format_period(period)})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(csv_rows)
    assert "8765" not in " ".join(str(v) for row in rows for v in row if v is not None)


def test_a_submitted_month_shows_the_municipal_status_without_the_value(client, demo_data):
    """A demo month the offices have submitted: municipal cells carry the joint summary's
    status and no value."""
    period = add_months(reporting_month(), -2)
    html = signed_in(client).get(URL, {"maned": format_period(period)}).content.decode()
    municipal = {i.code for i in Indicator.objects.filter(side=Side.MUNICIPAL, shared=False)}
    cells = [c for c in cells_of(html) if c["indicator"] in municipal]
    assert cells
    assert all(c["visible"] == "no" for c in cells)
    assert any(c["status"] for c in cells)


# --- Filters, sorting, ranking ------------------------------------------------------------------


def test_filters_keep_only_the_chosen_side_and_status(client, demo_data):
    period = add_months(reporting_month(), -2)
    html = (
        signed_in(client)
        .get(URL, {"maned": format_period(period), "side": "state", "status": "missed"})
        .content.decode()
    )
    heads = re.findall(r'data-indicator="[^"]+" data-side="([^"]+)"', html)
    assert heads and set(heads) == {"state"}
    cells = cells_of(html)
    assert cells and {c["status"] for c in cells} == {Status.MISSED}
    for _code, missed in rows_of(html):
        assert int(missed) >= 1


def test_perspective_filter(client, demo_data):
    html = signed_in(client).get(URL, {"perspektiv": "employee"}).content.decode()
    perspectives = re.findall(r'data-side="[^"]+" data-perspective="([^"]+)"', html)
    assert perspectives and set(perspectives) == {"employee"}


def test_sorting_by_status_puts_the_most_missed_first(client, demo_data):
    period = add_months(reporting_month(), -2)
    html = (
        signed_in(client)
        .get(URL, {"maned": format_period(period), "sorter": "status"})
        .content.decode()
    )
    missed = [int(m) for _code, m in rows_of(html)]
    assert missed == sorted(missed, reverse=True)
    assert len(missed) == len(TRONDELAG)


def test_sorting_by_office_is_by_name(client, demo_data):
    html = signed_in(client).get(URL).content.decode()
    codes = [code for code, _m in rows_of(html)]
    names = dict(Office.objects.filter(code__in=codes).values_list("code", "name"))
    assert [names[c] for c in codes] == sorted(names[c] for c in codes)


def test_the_ranking_of_an_indicator_is_best_first(client, demo_data):
    indicator = Indicator.objects.get(code="aktivitetsplan")
    period = add_months(reporting_month(), -2)
    response = signed_in(client).get(
        URL, {"maned": format_period(period), "indikator": indicator.code, "sorter": "result"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    ranking = html.split('data-testid="county-ranking-table"', 1)[1].split("</table>", 1)[0]
    ranks = [int(r) for r in re.findall(r'data-rank="(\d+)"', ranking)]
    assert ranks == sorted(ranks) and ranks[0] == 1
    ranked_offices = re.findall(r'data-office="([^"]+)" data-rank', ranking)
    # The matrix follows the ranking when sorted by result.
    assert [code for code, _m in rows_of(html)][: len(ranked_offices)] == ranked_offices


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, field",
    [
        ({"maned": "2026-13"}, "maned"),
        ({"maned": "i fjor"}, "maned"),
        ({"maned": "2999-01"}, "maned"),
        ({"side": "joint"}, "side"),
        ({"status": "bad"}, "status"),
        ({"perspektiv": "nope"}, "perspektiv"),
        ({"sorter": "size"}, "sorter"),
        ({"sorter": "result"}, "sorter"),
        ({"indikator": "no-such-indicator"}, "indikator"),
    ],
)
@pytest.mark.parametrize("url", [URL, CSV])
def test_bad_parameters_are_a_400_page_naming_them_and_showing_no_data(
    client, demo_data, query, field, url
):
    response = signed_in(client).get(url, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field="{field}"' in html
    assert 'data-testid="county-matrix"' not in html
    assert "data-office=" not in html


def test_a_month_before_any_office_of_the_county_existed_is_a_400(client, demo_data):
    Office.objects.filter(county__number="50").update(opened_on=datetime.date(2010, 3, 15))
    client = signed_in(client)
    response = client.get(URL, {"maned": "2010-02"})
    assert response.status_code == 400
    assert 'data-field="maned"' in response.content.decode()
    assert client.get(URL, {"maned": "2010-03"}).status_code == 200


def test_an_office_not_open_that_month_is_left_out(client, demo_data):
    Office.objects.filter(code="malvik").update(closed_on=add_months(reporting_month(), -3))
    html = signed_in(client).get(URL).content.decode()
    assert "malvik" not in {code for code, _m in rows_of(html)}


def test_an_export_over_the_limit_is_refused_with_the_reason(client, demo_data, settings):
    settings.REVIEW_EXPORT_MAX_ROWS = 3
    response = signed_in(client).get(CSV)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    settings.REVIEW_EXPORT_MAX_ROWS = 100_000
    assert client.get(CSV).status_code == 200


def test_an_unknown_export_format_is_404(client, demo_data):
    response = signed_in(client).get(reverse("reviews:county-export", args=["50", "pdf"]))
    assert response.status_code == 404


def test_the_export_follows_the_filters(client, demo_data):
    period = add_months(reporting_month(), -2)
    rows = read_csv(
        signed_in(client)
        .get(CSV, {"maned": format_period(period), "side": "state", "status": "missed"})
        .content
    )[1:]
    state = set(Indicator.objects.filter(side=Side.STATE).values_list("code", flat=True))
    assert rows and {row[2] for row in rows} <= state
    assert {row[9] for row in rows} == {str(Status.MISSED.label)}


def test_a_county_advisor_opens_it_too(client, demo_data):
    from tests.factories import UserFactory, county
    from users.access.permissions import permissions_sync
    from users.models import Role, RoleAssignment

    advisor = UserFactory(employer_county=county("50"))
    RoleAssignment.objects.create(user=advisor, role=Role.COUNTY_ADVISOR, county=county("50"))
    permissions_sync(user=advisor)
    client.force_login(advisor)
    assert client.get(URL).status_code == 200
    assert client.get(reverse("reviews:county", args=["18"])).status_code == 404


def test_the_export_carries_each_offices_audit_readiness(client, demo_data):
    from reviews.readiness import readiness_header

    rows = read_csv(signed_in(client).get(CSV).content)
    header = rows[0]
    assert header[-len(readiness_header()) :] == readiness_header()
    heimdal = next(row for row in rows[1:] if row[0] == "heimdal")
    passed = heimdal[len(header) - len(readiness_header())]
    assert re.fullmatch(r"\d+/\d+", passed)


def test_cross_line_counts_link_to_each_offices_access_review(client, demo_data):
    html = signed_in(client).get(URL).content.decode()
    section = html.split('data-testid="county-access"', 1)[1].split("</section>", 1)[0]
    for code in TRONDELAG:
        assert f'data-office="{code}" data-cross-line="' in section
        assert reverse("access:review-office", kwargs={"code": code}) in section
    assert 'data-testid="county-readiness"' in html
    readiness = html.split('data-testid="county-readiness"', 1)[1].split("</section>", 1)[0]
    assert readiness.count("data-readiness-passed=") == len(TRONDELAG)


def test_overdue_months_are_listed(client, demo_data):
    """A month past its deadline that an office has not submitted is overdue."""
    from scorecards.models import Scorecard

    period = add_months(reporting_month(), -1)
    Scorecard.objects.filter(office__code="malvik", period=period).delete()
    html = signed_in(client).get(URL).content.decode()
    section = html.split('data-testid="county-overdue"', 1)[1].split("</section>", 1)[0]
    assert 'data-office="malvik"' in section


def test_values_read_through_a_delegation_are_audited(own_values):
    """Rule 9 in the selector: a reader who sees an office's municipal values only through a
    delegation leaves a delegated-read event naming them; reading one's own side leaves none."""
    from django.utils import timezone

    from offices.models import County
    from reviews.county import county_review
    from reviews.params import ReviewParams
    from users.models import AuditAction, AuditEvent
    from users.services import delegation_grant

    period = own_values["period"]
    reader = user("stat.lerkendal")
    delegation_grant(
        grantor=user("radmann.trondheim"),
        grantee=reader,
        office=Office.objects.get(code="heimdal"),
        side="municipal",
        level="view",
        basis="delegasjonsvedtak",
        valid_to=timezone.localdate() + datetime.timedelta(days=10),
    )
    events = AuditEvent.objects.filter(actor=reader, action=AuditAction.DELEGATED_READ)
    before = events.count()
    review = county_review(reader, County.objects.get(number="50"), ReviewParams(month=period))
    heimdal = next(row for row in review.rows if row.office.code == "heimdal")
    cell = next(c for c in heimdal.cells if c and c.indicator == own_values["municipal"])
    assert cell.value_visible and cell.value == Decimal("8765.3")
    assert events.count() == before + 1
    assert events.latest("pk").office.code == "heimdal"
    assert events.latest("pk").side == "municipal"

    before = AuditEvent.objects.filter(action=AuditAction.DELEGATED_READ).count()
    county_review(
        user("fylkesdirektor.trondelag"),
        County.objects.get(number="50"),
        ReviewParams(month=period),
    )
    assert AuditEvent.objects.filter(action=AuditAction.DELEGATED_READ).count() == before


def test_the_countys_trends_have_twelve_months_per_indicator(client, demo_data):
    html = signed_in(client).get(URL, {"side": "state"}).content.decode()
    table = html.split('data-testid="county-trends-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r'<tr class="aksel-table__row" data-indicator="([^"]+)">(.*?)</tr>', table, re.S
    )
    state = set(Indicator.objects.filter(side=Side.STATE).values_list("code", flat=True))
    assert rows and {code for code, _row in rows} <= state
    for _code, row in rows:
        assert row.count("aksel-table__data-cell--align-right") == 13  # 12 months and the mean
        assert "<svg" in row  # the sparkline, with the numbers beside it
