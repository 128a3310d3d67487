"""The indicator pages: the library, an indicator with its targets and trend, the comparison of
offices, the group tables (the KVP outcomes of 2010) and the target form — for every role, and
with the other side, another office and anonymous users getting nothing (DESIGN.md rule 7).

The tests make their own indicators (codes ``t-…``), so they hold with or without the demo's
scorecard data; the KVP 2010 test reads the demo's own figures and skips while they are absent.
"""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offices.models import County, Municipality, Office
from scorecards.models import Indicator, Measurement, Scorecard, ScorecardLine, Target
from scorecards.periods import add_months, format_period, reporting_month
from scorecards.templatetags.scorecard_tags import format_measure
from tests import factories
from users.models import AuditEvent, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

MONTH = add_months(reporting_month(), -2)  # a month inside every test indicator's validity

ROLES = [
    "leder.heimdal",
    "stat.heimdal",
    "kommune.heimdal",
    "stat.lerkendal",
    "radmann.trondheim",
    "fylkesdirektor.trondelag",
    "fylkesdirektor.nordland",
    "direktorat.admin",
]


# --- Helpers ------------------------------------------------------------------------------------


def national_admin() -> User:
    """The demo's ``direktorat.admin``, or one like it while the demo does not have it yet."""
    user = User.objects.filter(username="direktorat.admin").first()
    if user is None:
        user = factories.UserFactory(username="direktorat.admin")
        RoleAssignment.objects.create(user=user, role=Role.NATIONAL_ADMIN)
    return user


def person(username: str) -> User:
    if username == "direktorat.admin":
        return national_admin()
    return User.objects.get(username=username)


def make_indicator(code: str, **fields) -> Indicator:
    defaults = {
        "name": f"Test {code}",
        "name_en": f"Test {code}",
        "definition": "Counted for the test.",
        "source": "Testkilde",
        "perspective": "user",
        "side": "state",
        "scope": "national",
        "unit": "percent",
        "direction": "higher",
        "decimals": 0,
        "valid_from": datetime.date(2000, 1, 1),
    }
    defaults.update(fields)
    return Indicator.objects.create(code=code, **defaults)


def measure(office_code: str, indicator: Indicator, value, period=MONTH) -> Measurement:
    return Measurement.objects.create(
        office=Office.objects.get(code=office_code),
        indicator=indicator,
        period=period,
        value=Decimal(str(value)),
        source="form",
    )


def shown(indicator: Indicator, value) -> str:
    """The value as the pages show it (the unit kept on the number's line)."""
    return format_measure(Decimal(str(value)), unit=indicator.unit, decimals=indicator.decimals)


def cell(indicator: Indicator, value) -> str:
    """The value as a parsed table cell reads it (whitespace collapsed to spaces)."""
    return " ".join(shown(indicator, value).split())


class TableParser(HTMLParser):
    """The cells of each ``<table>`` as text, by row, and the rows' attributes."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._table = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = {"attrs": attrs, "rows": [], "row_attrs": [], "caption": ""}
            self.tables.append(self._table)
        elif tag == "tr" and self._table is not None:
            self._table["rows"].append([])
            self._table["row_attrs"].append(attrs)
        elif tag == "caption" or (tag in ("td", "th") and self._table is not None):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption" and self._cell is not None:
            self._table["caption"] = " ".join("".join(self._cell).split())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables_of(response) -> list[dict]:
    parser = TableParser()
    parser.feed(response.content.decode())
    return parser.tables


def table_with(response, testid: str) -> dict | None:
    for table in tables_of(response):
        if table["attrs"].get("data-testid") == testid:
            return table
    return None


def as_user(client, username):
    if username is not None:
        client.force_login(person(username))
    return client


@pytest.fixture
def state_indicator(demo_data):
    indicator = make_indicator("t-state", name="Testandel stat")
    Target.objects.create(indicator=indicator, level="national", year=MONTH.year, value=80)
    for code, value in [("heimdal", 73), ("lerkendal", 91), ("midtbyen", 88)]:
        measure(code, indicator, value)
    return indicator


@pytest.fixture
def municipal_indicator(demo_data):
    indicator = make_indicator(
        "t-muni", side="municipal", unit="days", direction="lower", name="Testdager kommune"
    )
    Target.objects.create(indicator=indicator, level="national", year=MONTH.year, value=20)
    for code, value in [("heimdal", 17), ("lerkendal", 23), ("midtbyen", 11)]:
        measure(code, indicator, value)
    return indicator


@pytest.fixture
def shared_indicator(demo_data):
    indicator = make_indicator(
        "t-shared", side="municipal", unit="count", shared=True, name="Testdeltakere delt"
    )
    for code, value in [("heimdal", 41), ("lerkendal", 52)]:
        measure(code, indicator, value)
    return indicator


# --- Anonymous users ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("indicators", {}),
        ("indicator", {"code": "t-state"}),
        ("compare", {"code": "t-state"}),
        ("target-create", {"code": "t-state"}),
        ("table", {"group": "kvp-avgang"}),
    ],
)
def test_anonymous_is_sent_to_login(client, state_indicator, name, kwargs):
    response = client.get(reverse(f"scorecards:{name}", kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_anonymous_target_edit_is_sent_to_login(client, state_indicator):
    target = Target.objects.get(indicator=state_indicator)
    response = client.get(reverse("scorecards:target-edit", args=[target.pk]))
    assert response.status_code == 302


# --- The library --------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ROLES)
def test_library_is_read_by_everyone_signed_in(
    client, state_indicator, municipal_indicator, username
):
    response = as_user(client, username).get(reverse("scorecards:indicators"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-code="t-state"' in content
    assert 'data-code="t-muni"' in content


def test_library_groups_by_side_and_filters(client, state_indicator, municipal_indicator):
    client.force_login(person("kommune.heimdal"))
    content = client.get(reverse("scorecards:indicators")).content.decode()
    assert content.index('data-side="state"') < content.index('data-side="municipal"')
    filtered = client.get(reverse("scorecards:indicators"), {"side": "municipal"})
    assert 'data-code="t-muni"' in filtered.content.decode()
    assert 'data-code="t-state"' not in filtered.content.decode()
    bad = client.get(reverse("scorecards:indicators"), {"side": "nobody"})
    assert bad.status_code == 400


def test_library_names_the_scope(client, demo_data):
    county = County.objects.get(number="50")
    municipality = Municipality.objects.valid_on().get(number="5001")
    make_indicator("t-county", scope="county", county=county)
    make_indicator(
        "t-municipality", side="municipal", scope="municipality", municipality=municipality
    )
    client.force_login(person("stat.heimdal"))
    response = client.get(reverse("scorecards:indicators"))
    rows = {}
    for table in tables_of(response):
        for attrs, cells in zip(table["row_attrs"], table["rows"], strict=True):
            if attrs.get("data-code"):
                rows[attrs["data-code"]] = cells
    assert str(county) in rows["t-county"]
    assert str(municipality) in rows["t-municipality"]


# --- One indicator ------------------------------------------------------------------------------

# username → what they see of t-state (state, not shared) at Heimdal: "values", "statuses", 404
STATE_AT_HEIMDAL = {
    "leder.heimdal": "values",
    "stat.heimdal": "values",
    "kommune.heimdal": "statuses",
    "stat.lerkendal": 404,
    "radmann.trondheim": "statuses",
    "fylkesdirektor.trondelag": "values",
    "fylkesdirektor.nordland": 404,
    "direktorat.admin": 404,
}


@pytest.mark.parametrize("username,expected", STATE_AT_HEIMDAL.items())
def test_indicator_page_values_by_role(client, state_indicator, username, expected):
    client.force_login(person(username))
    url = reverse("scorecards:indicator", args=["t-state"])
    response = client.get(url, {"kontor": "heimdal", "maned": format_period(MONTH)})
    if expected == 404:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    content = response.content.decode()
    value = shown(state_indicator, 73)
    if expected == "values":
        assert 'data-testid="trend-chart"' in content
        assert value in content
    else:
        assert 'data-testid="status-only"' in content
        assert 'data-testid="trend-chart"' not in content
        assert value not in content
        assert shown(state_indicator, 91) not in content


@pytest.mark.parametrize("username", ["kommune.heimdal", "radmann.trondheim"])
def test_other_side_sees_submitted_statuses_without_values(client, state_indicator, username):
    heimdal = Office.objects.get(code="heimdal")
    scorecard, _ = Scorecard.objects.update_or_create(
        office=heimdal, period=MONTH, defaults={"status": "submitted"}
    )
    ScorecardLine.objects.update_or_create(
        scorecard=scorecard, indicator=state_indicator, defaults={"status": "missed"}
    )
    client.force_login(person(username))
    response = client.get(
        reverse("scorecards:indicator", args=["t-state"]),
        {"kontor": "heimdal", "maned": format_period(MONTH)},
    )
    table = table_with(response, "status-history")
    row = dict(zip([a.get("data-period") for a in table["row_attrs"]], table["rows"], strict=True))
    from scorecards.models import Status

    assert str(Status.MISSED.label) in row[format_period(MONTH)][1]
    assert shown(state_indicator, 73) not in response.content.decode()


def test_shared_indicator_opens_values_to_the_other_side(client, shared_indicator):
    client.force_login(person("stat.heimdal"))  # state staff: municipal values only when shared
    response = client.get(
        reverse("scorecards:indicator", args=["t-shared"]),
        {"kontor": "heimdal", "maned": format_period(MONTH)},
    )
    assert 'data-testid="trend-chart"' in response.content.decode()
    assert shown(shared_indicator, 41) in response.content.decode()


def test_office_chooser_lists_only_offices_with_values_or_statuses(client, state_indicator):
    client.force_login(person("stat.heimdal"))
    response = client.get(reverse("scorecards:indicator", args=["t-state"]))
    options = re.findall(r'<option value="([^"]+)"', response.content.decode())
    assert options == ["heimdal"]
    client.force_login(person("fylkesdirektor.trondelag"))
    response = client.get(reverse("scorecards:indicator", args=["t-state"]))
    options = set(re.findall(r'<option value="([^"]+)"', response.content.decode()))
    assert {"heimdal", "lerkendal", "midtbyen", "ostbyen"} <= options
    assert "bodo" not in options


def test_indicator_page_marks_the_applied_target(client, state_indicator):
    heimdal = Office.objects.get(code="heimdal")
    own = Target.objects.create(
        indicator=state_indicator, level="office", office=heimdal, year=MONTH.year, value=75
    )
    client.force_login(person("leder.heimdal"))
    response = client.get(
        reverse("scorecards:indicator", args=["t-state"]),
        {"kontor": "heimdal", "maned": format_period(MONTH)},
    )
    applied = re.findall(r'data-target="(\d+)" data-applied="true"', response.content.decode())
    assert applied == [str(own.pk)]


@pytest.mark.parametrize("bad", ["2026-13", "26-01", "x"])
def test_indicator_page_refuses_bad_months(client, state_indicator, bad):
    client.force_login(person("leder.heimdal"))
    response = client.get(reverse("scorecards:indicator", args=["t-state"]), {"maned": bad})
    assert response.status_code == 400
    assert 'data-testid="period-error"' in response.content.decode()


def test_unknown_indicator_is_404(client, demo_data):
    client.force_login(person("leder.heimdal"))
    assert client.get(reverse("scorecards:indicator", args=["t-nothing"])).status_code == 404
    assert client.get(reverse("scorecards:compare", args=["t-nothing"])).status_code == 404


# --- Comparison ---------------------------------------------------------------------------------


def ranking(response) -> list[tuple[str, str]]:
    table = table_with(response, "ranking")
    if table is None:
        return []
    return [
        (attrs["data-office"], cells[0])
        for attrs, cells in zip(table["row_attrs"], table["rows"], strict=True)
        if attrs.get("data-office")
    ]


def compare_page(client, username, code, period=MONTH):
    client.force_login(person(username))
    return client.get(reverse("scorecards:compare", args=[code]), {"maned": format_period(period)})


def test_compare_ranks_higher_is_better_and_names_the_best(client, state_indicator):
    response = compare_page(client, "fylkesdirektor.trondelag", "t-state")
    assert response.status_code == 200
    rows = ranking(response)
    assert rows[:3] == [("lerkendal", "1"), ("midtbyen", "2"), ("heimdal", "3")]
    unranked = {code for code, rank in rows[3:]}
    assert {"ostbyen", "malvik", "stjordal"} <= unranked
    assert all(rank == "–" for _code, rank in rows[3:])
    assert not {"bodo", "narvik", "tromso"} & {code for code, _ in rows}
    best = re.search(r'data-testid="best">(.*?)</p>', response.content.decode(), re.S)[1]
    assert best.index("NAV Lerkendal") < best.index("NAV Midtbyen") < best.index("NAV Heimdal")
    assert shown(state_indicator, 91) in best


def test_compare_ranks_lower_is_better(client, municipal_indicator):
    rows = ranking(compare_page(client, "radmann.trondheim", "t-muni"))
    assert rows[:3] == [("midtbyen", "1"), ("heimdal", "2"), ("lerkendal", "3")]
    assert rows[3] == ("ostbyen", "–")


def test_compare_marks_the_users_office(client, state_indicator):
    response = compare_page(client, "leder.heimdal", "t-state")
    assert ranking(response) == [("heimdal", "1")]
    assert re.search(r'data-office="heimdal" aria-current="true"', response.content.decode())
    assert 'data-testid="own-office"' in response.content.decode()


# username → the offices of t-state (state) they see in the comparison; empty: not shared
STATE_COMPARE = {
    "leder.heimdal": {"heimdal"},
    "stat.heimdal": {"heimdal"},
    "kommune.heimdal": set(),
    "stat.lerkendal": {"lerkendal"},
    "radmann.trondheim": set(),
    "fylkesdirektor.nordland": {"bodo", "narvik", "indre-salten"},
    "direktorat.admin": set(),
}


@pytest.mark.parametrize("username,expected", STATE_COMPARE.items())
def test_compare_lists_only_offices_whose_values_the_user_sees(
    client, state_indicator, username, expected
):
    response = compare_page(client, username, "t-state")
    assert response.status_code == 200
    assert {code for code, _ in ranking(response)} == expected
    content = response.content.decode()
    if not expected:
        assert 'data-testid="not-shared"' in content
    for value in (73, 91, 88):
        if not expected & {"heimdal", "lerkendal", "midtbyen"}:
            assert shown(state_indicator, value) not in content


def test_compare_shared_municipal_indicator_for_the_county_director(client, shared_indicator):
    rows = ranking(compare_page(client, "fylkesdirektor.trondelag", "t-shared"))
    assert rows[:2] == [("lerkendal", "1"), ("heimdal", "2")]
    not_shared = ranking(compare_page(client, "fylkesdirektor.nordland", "t-shared"))
    assert not {"heimdal", "lerkendal"} & {code for code, _ in not_shared}


def test_compare_month_errors(client, state_indicator):
    client.force_login(person("leder.heimdal"))
    url = reverse("scorecards:compare", args=["t-state"])
    assert client.get(url, {"maned": "2026-00"}).status_code == 400
    assert client.get(url, {"ar": "20x0"}).status_code == 400


def test_compare_queries_do_not_grow_with_offices(client, state_indicator):
    client.force_login(person("fylkesdirektor.trondelag"))
    url = reverse("scorecards:compare", args=["t-state"])

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"maned": format_period(MONTH)}).status_code == 200
        return len(captured)

    before = count()
    for index in range(4):
        office = factories.OfficeFactory(code=f"t-office-{index}", county=factories.county("50"))
        factories.OfficeMunicipalityFactory(office=office, valid_from=datetime.date(2000, 1, 1))
        measure(office.code, state_indicator, 50 + index)
    assert len(ranking(client.get(url, {"maned": format_period(MONTH)}))) >= 10
    assert count() == before


# --- Group tables -------------------------------------------------------------------------------

KVP_ROWS = [
    ("arbeid", [63, 31, 31, 29]),
    ("utdanning", [11, 7, 0, 6]),
    ("uforetrygd", [0, 2, 18, 18]),
    ("aap", [24, 35, 31, 41]),
    ("sosialhjelp", [0, 13, 15, 0]),
    ("annet", [2, 12, 5, 6]),
]
AUDIT_ORDER = ["midtbyen", "ostbyen", "lerkendal", "heimdal"]


@pytest.fixture
def test_group(demo_data):
    """A group like the KVP table, of our own: Trondheim's, valid only in 2010."""
    municipality = Municipality.objects.valid_on().get(number="5001")
    indicators = []
    for position, (suffix, values) in enumerate(KVP_ROWS, start=1):
        indicator = make_indicator(
            f"t-avgang-{suffix}",
            side="municipal",
            scope="municipality",
            municipality=municipality,
            group="t-avgang",
            position=position,
            name=f"Testavgang {suffix}",
            valid_from=datetime.date(2010, 1, 1),
            valid_to=datetime.date(2010, 12, 31),
        )
        for code, value in zip(AUDIT_ORDER, values, strict=True):
            measure(code, indicator, value, period=datetime.date(2010, 12, 1))
        indicators.append(indicator)
    return indicators


def table_cells(response) -> tuple[list[str], list[list[str]]]:
    table = table_with(response, "group-table")
    assert table is not None, response.content.decode()[:2000]
    header, *rows = table["rows"]
    return header[1:], [row[1:] for row in rows]


def test_group_table_in_the_sources_order(client, test_group):
    client.force_login(person("radmann.trondheim"))
    response = client.get(
        reverse("scorecards:table", args=["t-avgang"]),
        {"ar": "2010", "kontor": ",".join(AUDIT_ORDER)},
    )
    assert response.status_code == 200
    header, rows = table_cells(response)
    assert header == ["NAV Midtbyen", "NAV Østbyen", "NAV Lerkendal", "NAV Heimdal"]
    expected = [[cell(test_group[0], v) for v in values] for _, values in KVP_ROWS]
    assert rows == expected
    caption = table_with(response, "group-table")["caption"]
    assert "2010" in caption and "Testkilde" in caption


def test_group_table_orders_columns_by_name(client, test_group):
    client.force_login(person("radmann.trondheim"))
    response = client.get(reverse("scorecards:table", args=["t-avgang"]), {"ar": "2010"})
    header, rows = table_cells(response)
    assert header == sorted(header)
    assert set(header) == {"NAV Midtbyen", "NAV Østbyen", "NAV Lerkendal", "NAV Heimdal"}


# username → the columns of the municipal test table they see
GROUP_COLUMNS = {
    "leder.heimdal": {"heimdal"},
    "stat.heimdal": {"heimdal"},  # state staff with a delegation to view municipal data
    "kommune.heimdal": {"heimdal"},
    "stat.lerkendal": set(),
    "radmann.trondheim": set(AUDIT_ORDER),
    "fylkesdirektor.trondelag": set(),
    "fylkesdirektor.nordland": set(),
    "direktorat.admin": set(),
}


@pytest.mark.parametrize("username,expected", GROUP_COLUMNS.items())
def test_group_table_columns_by_role(client, test_group, username, expected):
    from users.access import Side, side_permissions

    user = person(username)
    heimdal = Office.objects.get(code="heimdal")
    if username == "stat.heimdal" and not side_permissions(user).allows(
        "view", heimdal, Side.MUNICIPAL
    ):
        expected = set()  # the delegation is not in force in this demo
    client.force_login(user)
    response = client.get(reverse("scorecards:table", args=["t-avgang"]), {"ar": "2010"})
    assert response.status_code == 200
    table = table_with(response, "group-table")
    codes = set(re.findall(r'<th scope="col"[^>]*data-office="([^"]+)"', response.content.decode()))
    assert codes == expected
    if not expected:
        assert table is None
        assert 'data-testid="no-offices"' in response.content.decode()
        assert shown(test_group[0], 63) not in response.content.decode()


def test_group_table_shared_opens_it_to_the_county_director(client, test_group):
    Indicator.objects.filter(group="t-avgang").update(shared=True)
    client.force_login(person("fylkesdirektor.trondelag"))
    response = client.get(
        reverse("scorecards:table", args=["t-avgang"]),
        {"ar": "2010", "kontor": ",".join(AUDIT_ORDER)},
    )
    header, rows = table_cells(response)
    assert rows[0] == [cell(test_group[0], v) for v in KVP_ROWS[0][1]]


def test_group_table_errors(client, test_group):
    client.force_login(person("radmann.trondheim"))
    assert client.get(reverse("scorecards:table", args=["t-no-such-group"])).status_code == 404
    url = reverse("scorecards:table", args=["t-avgang"])
    assert client.get(url, {"maned": "2010-13"}).status_code == 400
    assert client.get(url, {"ar": "10"}).status_code == 400
    outside = client.get(url, {"ar": "2012"})
    assert outside.status_code == 200
    assert 'data-testid="not-valid"' in outside.content.decode()


def test_group_table_queries_do_not_grow_with_offices(client, test_group):
    client.force_login(person("radmann.trondheim"))
    url = reverse("scorecards:table", args=["t-avgang"])

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"ar": "2010"}).status_code == 200
        return len(captured)

    before = count()
    for index in range(3):
        office = factories.OfficeFactory(code=f"t-trondheim-{index}", county=factories.county("50"))
        factories.OfficeMunicipalityFactory(office=office, valid_from=datetime.date(2000, 1, 1))
        measure(office.code, test_group[0], 10 + index, period=datetime.date(2010, 12, 1))
    header, _rows = table_cells(client.get(url, {"ar": "2010"}))
    assert len(header) == 7
    assert count() == before


def kvp_demo_present() -> bool:
    return Measurement.objects.filter(
        indicator__group="kvp-avgang", period=datetime.date(2010, 12, 1)
    ).exists()


def test_kvp_2010_table_shows_the_audits_table_1(client, demo_data):
    """001 §5.4.2, table 1 (BRIEF.md): the demo's figures, exactly, in the audit's order."""
    if not kvp_demo_present():
        pytest.skip("the demo's KVP 2010 figures are not seeded yet (scorecards/demo.py)")
    client.force_login(person("radmann.trondheim"))
    library = client.get(reverse("scorecards:indicators")).content.decode()
    link = re.search(r'href="(/malekort/tabell/kvp-avgang/\?[^"]+)"', library)
    assert link, "the library links the KVP table"
    response = client.get(link[1].replace("&amp;", "&"))
    assert response.status_code == 200
    header, rows = table_cells(response)
    assert header == ["NAV Midtbyen", "NAV Østbyen", "NAV Lerkendal", "NAV Heimdal"]
    indicators = list(Indicator.objects.filter(group="kvp-avgang").order_by("position", "code"))
    assert [i.code for i in indicators] == [f"kvp-avgang-{suffix}" for suffix, _ in KVP_ROWS]
    assert rows == [
        [cell(indicator, v) for v in values]
        for indicator, (_suffix, values) in zip(indicators, KVP_ROWS, strict=True)
    ]
    caption = table_with(response, "group-table")["caption"]
    assert "2010" in caption
    assert indicators[0].source in caption


def test_kvp_2010_table_is_not_the_county_directors(client, demo_data):
    if not kvp_demo_present():
        pytest.skip("the demo's KVP 2010 figures are not seeded yet (scorecards/demo.py)")
    client.force_login(person("fylkesdirektor.trondelag"))
    response = client.get(
        reverse("scorecards:table", args=["kvp-avgang"]),
        {"ar": "2010", "kontor": ",".join(AUDIT_ORDER)},
    )
    assert response.status_code == 200
    if Indicator.objects.filter(group="kvp-avgang", shared=True).exists():
        return
    assert table_with(response, "group-table") is None
    assert 'data-testid="no-offices"' in response.content.decode()


# --- Targets ------------------------------------------------------------------------------------


def level_choices(response) -> list[str]:
    select = re.search(r'<select id="id_level".*?</select>', response.content.decode(), re.S)
    return re.findall(r'<option value="([^"]*)"', select[0]) if select else []


def test_target_form_offers_only_the_users_levels(client, state_indicator, municipal_indicator):
    trondelag = County.objects.get(number="50")
    trondheim = Municipality.objects.valid_on().get(number="5001")
    heimdal = Office.objects.get(code="heimdal")

    client.force_login(person("direktorat.admin"))
    assert level_choices(client.get(reverse("scorecards:target-create", args=["t-state"]))) == [
        "national"
    ]

    client.force_login(person("fylkesdirektor.trondelag"))
    choices = level_choices(client.get(reverse("scorecards:target-create", args=["t-state"])))
    assert choices[0] == f"county:{trondelag.pk}"
    assert f"office:{heimdal.pk}" in choices
    assert "national" not in choices
    assert all(c.startswith(("county:", "office:")) for c in choices)
    offices = {int(c.split(":")[1]) for c in choices if c.startswith("office:")}
    assert set(Office.objects.filter(pk__in=offices).values_list("county", flat=True)) == {
        trondelag.pk
    }
    # a municipal indicator is not the county director's to set
    response = client.get(reverse("scorecards:target-create", args=["t-muni"]))
    assert response.status_code == 403

    client.force_login(person("radmann.trondheim"))
    choices = level_choices(client.get(reverse("scorecards:target-create", args=["t-muni"])))
    assert choices[0] == f"municipality:{trondheim.pk}"
    assert f"office:{heimdal.pk}" in choices
    assert client.get(reverse("scorecards:target-create", args=["t-state"])).status_code == 403


@pytest.mark.parametrize(
    "username", ["leder.heimdal", "stat.heimdal", "kommune.heimdal", "fylkesdirektor.nordland"]
)
def test_target_form_is_403_for_those_who_only_read(client, state_indicator, username):
    # fylkesdirektor.nordland sets Nordland's targets: a national indicator offers them Nordland
    client.force_login(person(username))
    response = client.get(reverse("scorecards:target-create", args=["t-state"]))
    if username == "fylkesdirektor.nordland":
        assert response.status_code == 200
        assert not any(
            c == f"county:{County.objects.get(number='50').pk}" for c in level_choices(response)
        )
        return
    assert response.status_code == 403
    target = Target.objects.get(indicator=state_indicator)
    assert client.get(reverse("scorecards:target-edit", args=[target.pk])).status_code == 403
    post = client.post(
        reverse("scorecards:target-edit", args=[target.pk]),
        {"value": "10", "tolerance": "0", "version": target.version},
    )
    assert post.status_code == 403
    target.refresh_from_db()
    assert target.value == 80


def test_target_create_and_edit_with_history(client, state_indicator):
    trondelag = County.objects.get(number="50")
    client.force_login(person("fylkesdirektor.trondelag"))
    url = reverse("scorecards:target-create", args=["t-state"])
    response = client.post(
        url,
        {
            "level": f"county:{trondelag.pk}",
            "year": MONTH.year,
            "month": MONTH.month,
            "value": "82,5",
            "tolerance": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    target = Target.objects.get(indicator=state_indicator, level="county")
    assert (target.county, target.month, target.value, target.tolerance) == (
        trondelag,
        MONTH.month,
        Decimal("82.5"),
        Decimal(2),
    )
    assert AuditEvent.objects.filter(
        object_id=str(target.pk), object_type__contains="target"
    ).exists()
    edit = reverse("scorecards:target-edit", args=[target.pk])
    page = client.get(edit)
    assert page.status_code == 200
    assert 'name="version"' in page.content.decode()
    response = client.post(edit, {"value": "85", "tolerance": "1", "version": target.version})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == 85
    assert list(target.history.values_list("value", flat=True)) == [Decimal("82.5"), Decimal(85)]
    # the indicator page now marks it as the target applied to Heimdal that month
    response = client.get(
        reverse("scorecards:indicator", args=["t-state"]),
        {"kontor": "heimdal", "maned": format_period(MONTH)},
    )
    assert f'data-target="{target.pk}" data-applied="true"' in response.content.decode()


def test_target_post_of_a_level_not_offered_is_refused(client, state_indicator):
    nordland = County.objects.get(number="18")
    bodo = Office.objects.get(code="bodo")
    client.force_login(person("fylkesdirektor.trondelag"))
    url = reverse("scorecards:target-create", args=["t-state"])
    for level in ("national", f"county:{nordland.pk}", f"office:{bodo.pk}", "county:x"):
        response = client.post(
            url, {"level": level, "year": MONTH.year, "value": "50", "tolerance": ""}
        )
        assert response.status_code == 400, level
        assert 'id="id_level-error"' in response.content.decode()
    assert not Target.objects.filter(indicator=state_indicator).exclude(level="national").exists()


def test_target_bad_values_are_shown_at_their_fields(client, state_indicator):
    trondelag = County.objects.get(number="50")
    client.force_login(person("fylkesdirektor.trondelag"))
    url = reverse("scorecards:target-create", args=["t-state"])
    response = client.post(
        url, {"level": f"county:{trondelag.pk}", "year": "19", "value": "101", "tolerance": "-1"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    for field in ("year", "value", "tolerance"):
        assert f'id="id_{field}-error"' in content
    # a second target for the same level and year is refused by the service
    client.post(url, {"level": f"county:{trondelag.pk}", "year": MONTH.year, "value": "60"})
    again = client.post(url, {"level": f"county:{trondelag.pk}", "year": MONTH.year, "value": "61"})
    assert again.status_code == 400
    assert Target.objects.filter(indicator=state_indicator, level="county").count() == 1


def test_stale_target_edit_names_the_other_writer(client, state_indicator):
    trondelag = County.objects.get(number="50")
    director = person("fylkesdirektor.trondelag")
    target = Target.objects.create(
        indicator=state_indicator,
        level="county",
        county=trondelag,
        year=MONTH.year,
        value=70,
        version=2,
        updated_by=director,
    )
    client.force_login(director)
    response = client.post(
        reverse("scorecards:target-edit", args=[target.pk]),
        {"value": "71", "tolerance": "", "version": 1},
    )
    assert response.status_code == 400
    assert str(director) in response.content.decode()
    target.refresh_from_db()
    assert target.value == 70


def test_target_edit_of_unknown_target_is_404(client, demo_data):
    client.force_login(person("fylkesdirektor.trondelag"))
    assert client.get(reverse("scorecards:target-edit", args=[999999])).status_code == 404


def test_new_target_link_only_for_setters(client, state_indicator):
    url = reverse("scorecards:indicator", args=["t-state"])
    client.force_login(person("fylkesdirektor.trondelag"))
    assert 'data-testid="new-target"' in client.get(url).content.decode()
    client.force_login(person("leder.heimdal"))
    assert 'data-testid="new-target"' not in client.get(url).content.decode()


def test_values_read_through_a_delegation_are_audited(client, test_group, municipal_indicator):
    """stat.heimdal sees Heimdal's municipal values only through a delegation (rule 9)."""
    from users.access import Side, side_permissions
    from users.models import AuditAction

    user = person("stat.heimdal")
    heimdal = Office.objects.get(code="heimdal")
    if not side_permissions(user).allows("view", heimdal, Side.MUNICIPAL):
        pytest.skip("the demo's delegation to stat.heimdal is not in force")
    client.force_login(user)
    reads = AuditEvent.objects.filter(actor=user, action=AuditAction.DELEGATED_READ)
    before = reads.count()
    client.get(reverse("scorecards:table", args=["t-avgang"]), {"ar": "2010"})
    after_table = reads.count()
    assert after_table > before
    client.get(reverse("scorecards:compare", args=["t-muni"]), {"maned": format_period(MONTH)})
    after_compare = reads.count()
    assert after_compare > after_table
    client.get(
        reverse("scorecards:indicator", args=["t-muni"]),
        {"kontor": "heimdal", "maned": format_period(MONTH)},
    )
    assert reads.count() > after_compare
