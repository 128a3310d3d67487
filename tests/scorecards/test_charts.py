"""The scorecard's SVG charts, status tags and unit formatting (``scorecards/charts.py``,
``scorecards/templatetags/scorecard_tags.py``).

The charts are checked by their structure — parsed as XML, as WeasyPrint reads them — and by
their geometry, never by their English words.
"""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import dateformat, translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString

from scorecards.charts import format_number, nice_ticks, sparkline, trend_chart
from scorecards.models import Direction, Status, Unit
from scorecards.templatetags.scorecard_tags import (
    DAYS_FORMAT,
    NO_VALUE,
    NOK_FORMAT,
    PERCENT_FORMAT,
    STATUS_SYMBOLS,
    measure,
)

SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _bokmal():
    with translation.override("nb"):
        yield


def months(*values) -> list[tuple[datetime.date, Decimal | None]]:
    """Points for consecutive months from January 2025."""
    return [
        (datetime.date(2025 + index // 12, index % 12 + 1, 1), None if v is None else Decimal(v))
        for index, v in enumerate(values)
    ]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup.strip())  # noqa: S314 (our own markup)


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [
        element for element in root.iter(f"{SVG}{tag}") if cls in element.get("class", "").split()
    ]


def polyline_points(root: ET.Element) -> list[list[tuple[float, float]]]:
    return [
        [tuple(float(c) for c in pair.split(",")) for pair in line.get("points").split()]
        for line in by_class(root, "polyline", "app-chart__line")
    ]


def band_extent(root: ET.Element, tag: str) -> tuple[float, float]:
    """(top, bottom) of the tolerance band, in SVG coordinates (y grows downwards)."""
    (band,) = by_class(root, tag, "app-chart__band")
    if tag == "rect":
        top = float(band.get("y"))
        return top, top + float(band.get("height"))
    # The trend chart's band: "M x top H x V bottom H x Z" per month.
    first = band.get("d").split("Z")[0]
    top = float(first.split("H")[0].split()[1])
    bottom = float(first.split("V")[1].split("H")[0])
    return top, bottom


def target_y(root: ET.Element) -> float:
    (line,) = by_class(root, "line", "app-chart__target")
    assert line.get("y1") == line.get("y2")
    return float(line.get("y1"))


def path_first_y(root: ET.Element) -> float:
    (path,) = by_class(root, "path", "app-chart__target")
    return float(path.get("d").split("H")[0].split()[1])


# --- sparkline ---------------------------------------------------------------------------------


def test_sparkline_is_a_labelled_image():
    svg = sparkline(months(60, 62, 65), label="Andel i arbeid")
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Andel i arbeid"
    assert root.find(f"{SVG}title").text == "Andel i arbeid"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        "120",
        "32",
        "0 0 120 32",
    )


def test_sparkline_draws_one_point_per_value_and_the_last_as_a_dot():
    root = parse(sparkline(months(60, 62, 65, 61), label="x"))
    (line,) = polyline_points(root)
    assert len(line) == 4
    (last,) = by_class(root, "circle", "app-chart__last")
    assert (float(last.get("cx")), float(last.get("cy"))) == line[-1]
    # Higher values are drawn higher up.
    assert line[2][1] < line[0][1]


def test_a_gap_splits_the_line():
    root = parse(sparkline(months(60, 62, None, 65, 61), label="x"))
    lines = polyline_points(root)
    assert [len(line) for line in lines] == [2, 2]


def test_a_value_alone_between_gaps_is_a_dot():
    root = parse(sparkline(months(60, None, 62, None, 65, 61), label="x"))
    assert sum(len(line) for line in polyline_points(root)) == 2
    assert len(by_class(root, "circle", "app-chart__point")) == 2  # 60 and 62


def test_no_target_no_target_line():
    root = parse(sparkline(months(60, 62), label="x"))
    assert not by_class(root, "line", "app-chart__target")
    assert not by_class(root, "rect", "app-chart__band")


@pytest.mark.parametrize("direction", [Direction.HIGHER, Direction.LOWER])
def test_sparkline_band_lies_on_the_worse_side_of_the_target(direction):
    root = parse(
        sparkline(months(10, 14, 12), target=Decimal(12), tolerance=Decimal(2), direction=direction)
    )
    target = target_y(root)
    top, bottom = band_extent(root, "rect")
    if direction == Direction.HIGHER:
        # Below the target: from the target line down.
        assert top == pytest.approx(target) and bottom > target
    else:
        assert bottom == pytest.approx(target) and top < target


def test_sparkline_fits_target_and_band_inside_the_picture():
    root = parse(sparkline(months(50, 52), target=Decimal(80), tolerance=Decimal(10), height=32))
    top, bottom = band_extent(root, "rect")
    assert 0 <= target_y(root) <= 32
    assert 0 <= top < bottom <= 32


@pytest.mark.parametrize(
    "values", [(63, 63, 63), (0, 0), (-5, -12, 3), (Decimal("0.001"), Decimal("0.002"))]
)
def test_sparkline_draws_equal_negative_and_tiny_values(values):
    root = parse(sparkline(months(*values), target=Decimal(63), tolerance=Decimal(1)))
    for x, y in polyline_points(root)[0]:
        assert 0 <= x <= 120 and 0 <= y <= 32


@pytest.mark.parametrize("values", [(), (61,), (None, 61, None), (None, None)])
def test_fewer_than_two_values_give_a_labelled_empty_frame(values):
    root = parse(sparkline(months(*values), target=Decimal(60), label="Andel"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Andel"
    assert not polyline_points(root)
    assert by_class(root, "rect", "app-chart__frame")
    assert root.find(f"{SVG}text") is None


def test_text_is_escaped():
    label = '<script>alert("x")</script>'
    svg = sparkline(months(1, 2), label=label)
    assert "<script>" not in svg
    root = parse(svg)
    assert root.get("aria-label") == label
    assert root.find(f"{SVG}title").text == label
    chart = trend_chart(months(1, 2), title=label, unit_label="<b>")
    assert "<script>" not in chart and "<b>" not in chart
    assert parse(chart).find(f"{SVG}title").text == label


def test_missed_last_value_is_marked():
    met = parse(sparkline(months(70, 80), target=Decimal(75), tolerance=Decimal(2)))
    missed = parse(sparkline(months(80, 70), target=Decimal(75), tolerance=Decimal(2)))
    colour = {
        root: by_class(root, "circle", "app-chart__last")[0].get("fill") for root in (met, missed)
    }
    assert colour[met] != colour[missed]


def test_a_wrong_direction_is_refused():
    with pytest.raises(ValueError):
        sparkline(months(1, 2), direction="up")


# --- trend chart -------------------------------------------------------------------------------


def test_trend_chart_is_labelled_by_its_title_and_description():
    first = parse(trend_chart(months(60, 65, 70), targets=[Decimal(65)] * 3, title="Andel"))
    second = parse(trend_chart(months(60, 65, 70), title="Andel"))
    title, desc = first.find(f"{SVG}title"), first.find(f"{SVG}desc")
    assert first.get("role") == "img"
    assert first.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Andel"
    assert format_number(Decimal(70), 0) in desc.text and format_number(65, 0) in desc.text
    assert second.find(f"{SVG}title").get("id") != title.get("id")


def test_trend_chart_lines_dots_and_gaps():
    root = parse(trend_chart(months(60, 65, None, 70, 72, None), title="x"))
    assert [len(line) for line in polyline_points(root)] == [2, 2]
    assert len(by_class(root, "circle", "app-chart__point")) == 4


def test_trend_chart_ticks_are_rounded_and_cover_values_target_and_band():
    root = parse(
        trend_chart(months(61, 64, 66), targets=[Decimal(80)] * 3, tolerance=Decimal(5), decimals=1)
    )
    labels = [text.text for text in by_class(root, "text", "app-chart__label")]
    ticks = nice_ticks([61, 64, 66, 80, 75], decimals=1)
    assert 4 <= len(ticks) <= 5
    assert ticks[0] <= 61 and ticks[-1] >= 80
    for tick in ticks:
        assert number_format(tick, 0, use_l10n=True, force_grouping=True) in labels


@pytest.mark.parametrize(
    ("values", "decimals"),
    [
        ([63, 63, 63], 0),
        ([0, 0], 0),
        ([-12, 4], 0),
        ([Decimal("0.12"), Decimal("0.18")], 2),
        ([Decimal("4.5"), Decimal("4.6")], 1),
        ([1000, 1_234_567], 0),
        ([], 0),
    ],
)
def test_ticks_are_four_or_five_rounded_steps(values, decimals):
    ticks = nice_ticks(values, decimals)
    assert 4 <= len(ticks) <= 5
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    (step,) = steps
    assert step >= Decimal(1).scaleb(-decimals)
    assert step.normalize().as_tuple().digits[0] in (1, 2, 5)
    if values:
        assert ticks[0] <= min(values) and ticks[-1] >= max(values)
    if all(value >= 0 for value in values):
        assert ticks[0] >= 0


@pytest.mark.parametrize("direction", [Direction.HIGHER, Direction.LOWER])
def test_trend_chart_band_by_direction(direction):
    root = parse(
        trend_chart(
            months(10, 14, 12), targets=[Decimal(12)] * 3, tolerance=Decimal(2), direction=direction
        )
    )
    target = path_first_y(root)
    top, bottom = band_extent(root, "path")
    if direction == Direction.HIGHER:
        assert top == pytest.approx(target) and bottom > target
    else:
        assert bottom == pytest.approx(target) and top < target


def test_trend_chart_targets_step_and_break():
    root = parse(
        trend_chart(months(1, 2, 3, 4), targets=[Decimal(2), Decimal(3), None, Decimal(3)])
    )
    (path,) = by_class(root, "path", "app-chart__target")
    assert path.get("d").count("M") == 2  # broken where a month has no target
    assert "V" in path.get("d")  # a step where the target changes


def test_trend_chart_labels_every_month_up_to_twelve_then_every_third():
    def month_labels(count):
        root = parse(trend_chart(months(*range(count))))
        (axis,) = by_class(root, "g", "app-chart__x-axis")
        return [text.text for text in axis.iter(f"{SVG}text")]

    assert len(month_labels(12)) == 12
    eighteen = month_labels(18)
    assert len(eighteen) == 6
    assert eighteen[-1] == dateformat.format(datetime.date(2026, 6, 1), "M y")  # the latest


@pytest.mark.parametrize(
    "values", [(), (None, None), (5,), (63, 63), (-3, -1, None, -2), (None, 1, 2)]
)
def test_trend_chart_draws_any_series(values):
    root = parse(trend_chart(months(*values), targets=[Decimal(0)] * len(values)))
    assert root.get("role") == "img"
    for line in polyline_points(root):
        for x, y in line:
            assert 0 <= x <= 640 and 0 <= y <= 260


def test_missed_months_are_marked():
    root = parse(trend_chart(months(70, 80, 74), targets=[Decimal(75)] * 3, tolerance=Decimal(2)))
    assert len(by_class(root, "circle", "app-chart__missed")) == 1


# --- status badge -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("language", ["nb", "en"])
def test_status_badge_has_a_symbol_and_a_word(status, language):
    with translation.override(language):
        for given in (status, status.value):
            html = Template("{% load scorecard_tags %}{% status_badge s %}").render(
                Context({"s": given})
            )
            root = parse(html)
            (symbol,) = root.findall("span")
            assert symbol.get("aria-hidden") == "true"
            assert symbol.text == STATUS_SYMBOLS[status]
            assert root.get("data-status") == status.value
            assert "aksel-tag" in root.get("class").split()
            assert "".join(root.itertext()).strip() == f"{STATUS_SYMBOLS[status]} {status.label}"


@pytest.mark.parametrize("status", [None, "", "unknown"])
def test_no_status_no_badge(status):
    html = Template("{% load scorecard_tags %}{% status_badge s %}").render(Context({"s": status}))
    assert html.strip() == ""


# --- measure ------------------------------------------------------------------------------------


def indicator(unit, decimals=0):
    return SimpleNamespace(unit=unit, decimals=decimals)


def test_percent():
    number = number_format(Decimal(63), 0, use_l10n=True, force_grouping=True)
    expected = (PERCENT_FORMAT % {"number": number}).replace(" ", NBSP)
    assert measure(Decimal("63.0000"), indicator(Unit.PERCENT)) == expected
    assert measure(Decimal("63.0000"), indicator(Unit.PERCENT)).startswith("63")


def test_decimals_round_half_up():
    result = measure(Decimal("4.45"), indicator(Unit.SCORE, decimals=1))
    assert result == number_format(Decimal("4.5"), 1, use_l10n=True, force_grouping=True)
    assert result == "4,5"  # bokmål's decimal comma


def test_grouping_and_nok():
    number = number_format(Decimal(1234), 0, use_l10n=True, force_grouping=True)
    assert measure(Decimal(1234), indicator(Unit.COUNT)) == number
    assert number == f"1{NBSP}234"
    expected = (NOK_FORMAT % {"number": number}).replace(" ", NBSP)
    assert measure(Decimal("1234.2"), indicator(Unit.NOK)) == expected


@pytest.mark.parametrize(("value", "count"), [(Decimal(1), 1), (Decimal(12), 12)])
def test_days_are_counted(value, count):
    number = number_format(value, 0, use_l10n=True, force_grouping=True)
    expected = (DAYS_FORMAT % {"count": count, "number": number}).replace(" ", NBSP)
    assert measure(value, indicator(Unit.DAYS)) == expected


def test_no_value():
    assert measure(None, indicator(Unit.PERCENT)) == NO_VALUE


def test_no_minus_zero():
    assert measure(Decimal("-0.2"), indicator(Unit.NOK)) == measure(0, indicator(Unit.NOK))


# --- the table ----------------------------------------------------------------------------------


def test_trend_table():
    rows = [
        {
            "period": datetime.date(2025, 1, 1),
            "value": Decimal(63),
            "target": Decimal(70),
            "status": Status.MISSED,
        },
        {"period": datetime.date(2025, 2, 1), "value": None, "target": None, "status": None},
    ]
    html = render_to_string(
        "scorecards/includes/trend_table.html",
        {"caption": "Andel <i>", "rows": rows, "indicator": indicator(Unit.PERCENT)},
    )
    root = parse(html)
    assert root.get("role") == "region" and root.get("tabindex") == "0"
    assert root.get("aria-label") == "Andel <i>"
    table = root.find("table")
    assert table.find("caption").text == "Andel <i>"
    assert len(table.findall("thead/tr/th")) == 4
    body = table.findall("tbody/tr")
    assert [row.get("data-period") for row in body] == ["2025-01", "2025-02"]
    cells = body[0].findall("td")
    assert cells[0].text == measure(Decimal(63), indicator(Unit.PERCENT))
    assert cells[2].find("span").get("data-status") == Status.MISSED
    assert [cell.text for cell in body[1].findall("td")] == [NO_VALUE] * 3


# --- the PDF -------------------------------------------------------------------------------------


def test_weasyprint_draws_the_charts_without_complaint(caplog):
    from weasyprint import HTML

    points = months(60, 62, None, 65, 70, 68, 71, None, 75, 78, 80, 77, 79, 81)
    targets = [Decimal(75)] * 7 + [Decimal(80)] * 7
    html = (
        "<html><body><p>"
        + sparkline(points, target=Decimal(80), tolerance=Decimal(5), label="Andel")
        + "</p>"
        + trend_chart(points, targets=targets, tolerance=Decimal(5), unit_label="%", title="Andel")
        + "</body></html>"
    )
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert not [record for record in caplog.records if "svg" in record.getMessage().lower()]
