"""Server-side SVG charts of an indicator's months: a sparkline for the card, a trend chart for
the indicator's page and the PDF.

The markup is plain SVG 1.1 (rect, line, polyline, circle, text, path) with explicit sizes and
literal colours, because the same fragment is drawn by browsers and by WeasyPrint, which knows
neither CSS variables inside SVG nor script, and because the Content-Security-Policy refuses
inline ``style`` attributes. A chart is never the only way to read a value: the caller prints a
table or a sentence beside it (``templates/scorecards/includes/trend_table.html``).

Points are ``(month, value)`` pairs, the month a ``date`` on its first day and the value a
``Decimal`` or ``None`` for a month without a value, which breaks the line.
"""

import datetime
import uuid
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils import dateformat
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from scorecards.models import Direction
from scorecards.status import rounded

Point = tuple[datetime.date, Decimal | None]
Number = Decimal | int | float | str

# Aksel's palette, as literal colours (see the module docstring).
TEXT_COLOUR = "#23262A"
LINE_COLOUR = "#0067C5"
TARGET_COLOUR = "#06893A"
BAND_COLOUR = "#CCF1D6"
BAND_OPACITY = "0.7"
MISSED_COLOUR = "#C30000"
GRID_COLOUR = "#CFD3D8"
AXIS_COLOUR = "#6F7785"
FRAME_COLOUR = "#CFD3D8"
FONT_FAMILY = "'Source Sans 3', 'Source Sans Pro', Arial, sans-serif"

SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def format_number(value: Number, decimals: int) -> str:
    """``value`` with ``decimals`` decimals in the current language (1 234,5 in bokmål).

    Rounded half up first, as ``scorecards.status`` rounds before it compares: Django's
    ``number_format`` cuts digits off, which would show 97,9 for a 97.96 counted as 98.0.
    """
    shown = rounded(_decimal(value), decimals)
    if shown == 0:
        shown = abs(shown)  # no "-0"
    return str(number_format(shown, decimals, use_l10n=True, force_grouping=True))


def sparkline(
    points: Sequence[Point],
    *,
    target: Number | None = None,
    tolerance: Number | None = None,
    direction: str = Direction.HIGHER,
    width: int = 120,
    height: int = 32,
    label: str = "",
) -> SafeString:
    """A small line of the values, the last one as a dot, with the target line and the
    tolerance band (below the target when higher is better, above it when lower is).

    With fewer than two values there is no line to draw: an empty frame, still labelled.
    """
    _check_direction(direction)
    values = [_optional_decimal(value) for _, value in points]
    target_value = _optional_decimal(target)
    band = _band(target_value, _optional_decimal(tolerance), direction)
    text = escape(label)
    opening = (
        f'<svg xmlns="{SVG_NAMESPACE}" class="app-sparkline" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{text}" focusable="false">'
        f"<title>{text}</title>"
    )
    numeric = [value for value in values if value is not None]
    if len(numeric) < 2:
        frame = _rect(
            0.5,
            0.5,
            width - 1,
            height - 1,
            fill="none",
            stroke=FRAME_COLOUR,
            cls="app-chart__frame",
        )
        return _svg([opening, frame, "</svg>"])

    padding = 3  # room for the last point's dot
    lowest, highest = _extent([*numeric, target_value, *(band or ())])
    y = _linear(lowest, highest, height - padding, padding)
    step = (width - 2 * padding) / (len(values) - 1)

    def x(index: int) -> float:
        return padding + index * step

    parts = [opening]
    if band:
        top, bottom = y(max(band)), y(min(band))
        parts.append(_band_rect(0, top, width, bottom - top))
    if target_value is not None:
        parts.append(_target_line(0, width, y(target_value)))
    parts.extend(_value_lines(values, x, y, isolated_radius=1.5))
    last = max(index for index, value in enumerate(values) if value is not None)
    missed = _is_missed(values[last], target_value, tolerance, direction)
    parts.append(
        _circle(x(last), y(values[last]), 2.5, MISSED_COLOUR if missed else LINE_COLOUR, "last")
    )
    parts.append("</svg>")
    return _svg(parts)


def trend_chart(
    points: Sequence[Point],
    *,
    targets: Sequence[Number | None] | None = None,
    tolerance: Number | None = None,
    direction: str = Direction.HIGHER,
    unit_label: str = "",
    decimals: int = 0,
    title: str = "",
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """A chart of the months with a y axis of rounded ticks, month labels, the values as a
    line with dots (red where the month missed its target), the targets as a step line and
    the tolerance band along it.

    ``targets`` holds one target (or ``None``) per point. The chart is labelled by its
    ``<title>`` and a one-sentence ``<desc>`` naming the latest value and its target.
    """
    _check_direction(direction)
    chart_id = f"app-chart-{uuid.uuid4().hex[:12]}"
    count = len(points)
    values = [_optional_decimal(value) for _, value in points]
    month_targets = [_optional_decimal(target) for target in (targets or [])][:count]
    month_targets += [None] * (count - len(month_targets))
    tolerance_value = _optional_decimal(tolerance)
    bands = [_band(target, tolerance_value, direction) for target in month_targets]

    ticks = nice_ticks(
        [*values, *month_targets, *(edge for band in bands if band for edge in band)], decimals
    )
    tick_labels = [format_number(tick, _decimals_of(ticks, decimals)) for tick in ticks]

    left = max(36, 10 + 7 * max(len(text) for text in tick_labels))
    right = 12
    top = 28 if unit_label else 12
    bottom = 32
    plot_width = width - left - right
    plot_height = height - top - bottom
    baseline = top + plot_height
    y = _linear(ticks[0], ticks[-1], baseline, top)
    slot = plot_width / max(count, 1)

    def x(index: int) -> float:
        return left + (index + 0.5) * slot

    parts = [
        f'<svg xmlns="{SVG_NAMESPACE}" class="app-trend-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'font-family="{FONT_FAMILY}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">'
        f"{escape(_summary(points, values, month_targets, unit_label, decimals))}</desc>",
    ]

    # The y axis: a grid line and a label per tick, the zero line darker.
    parts.append('<g class="app-chart__y-axis">')
    for tick, text in zip(ticks, tick_labels, strict=True):
        tick_y = y(tick)
        colour = AXIS_COLOUR if tick == 0 else GRID_COLOUR
        parts.append(_line(left, tick_y, width - right, tick_y, colour, "grid"))
        parts.append(_text(left - 6, tick_y + 4, text, anchor="end"))
    parts.append("</g>")
    if unit_label:
        parts.append(_text(4, 14, unit_label, anchor="start", cls="unit"))

    # The x axis: every month while they fit, else every third, counted back from the latest.
    parts.append('<g class="app-chart__x-axis">')
    parts.append(_line(left, baseline, width - right, baseline, AXIS_COLOUR, "axis"))
    every = 1 if count <= 12 else 3
    for index, (period, _) in enumerate(points):
        if (count - 1 - index) % every == 0:
            parts.append(_text(x(index), baseline + 18, dateformat.format(period, "M y")))
    parts.append("</g>")

    # The band and the target as steps: each month's target spans its whole slot.
    band_path = "".join(
        f"M{_n(left + index * slot)} {_n(y(max(band)))}H{_n(left + (index + 1) * slot)}"
        f"V{_n(y(min(band)))}H{_n(left + index * slot)}Z"
        for index, band in enumerate(bands)
        if band
    )
    if band_path:
        parts.append(
            f'<path class="app-chart__band" d="{band_path}" fill="{BAND_COLOUR}" '
            f'fill-opacity="{BAND_OPACITY}" stroke="none"/>'
        )
    target_path = _step_path(month_targets, left, slot, y)
    if target_path:
        parts.append(
            f'<path class="app-chart__target" d="{target_path}" fill="none" '
            f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 3"/>'
        )

    parts.extend(_value_lines(values, x, y, width=2))
    for index, value in enumerate(values):
        if value is None:
            continue
        if _is_missed(value, month_targets[index], tolerance_value, direction):
            parts.append(_circle(x(index), y(value), 4.5, MISSED_COLOUR, "point app-chart__missed"))
        else:
            parts.append(_circle(x(index), y(value), 3.5, LINE_COLOUR, "point"))
    parts.append("</svg>")
    return _svg(parts)


def nice_ticks(values: Sequence[Number | None], decimals: int = 0) -> list[Decimal]:
    """Four or five evenly spaced, rounded ticks (steps of 1, 2, 2.5 or 5 times a power of
    ten, never finer than ``decimals`` allows) covering every value given."""
    numbers = [_decimal(value) for value in values if value is not None]
    finest = Decimal(1).scaleb(-decimals)
    lowest, highest = (min(numbers), max(numbers)) if numbers else (Decimal(0), Decimal(1))
    if lowest == highest:
        padding = max(abs(highest) / 10, finest)
        # A row of zeros (or of anything not negative) gets no negative ticks.
        lowest = lowest - padding if lowest < 0 or lowest >= padding else Decimal(0)
        highest = highest + padding
    rough = (highest - lowest) / 4
    magnitude = rough.adjusted()
    steps = sorted(
        multiple.scaleb(exponent)
        for exponent in range(min(magnitude - 1, -decimals), max(magnitude, -decimals) + 3)
        for multiple in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
    )
    for step in steps:
        if step < finest or step % finest:
            continue
        first = (lowest / step).to_integral_value(ROUND_FLOOR)
        last = (highest / step).to_integral_value(ROUND_CEILING)
        if last - first + 1 <= 5:
            break
    while last - first + 1 < 4:
        # Grow downwards only where that does not invent negative values.
        if lowest < 0 or first > 0:
            first -= 1
        else:
            last += 1
    # normalize() drops trailing zeros (2.50 → 2.5) but writes 100 as 1E+2; adding 0 undoes that.
    return [(index * step).normalize() + 0 for index in range(int(first), int(last) + 1)]


# --- Pieces -------------------------------------------------------------------------------------


def _summary(points, values, targets, unit_label: str, decimals: int) -> str:
    latest = next((i for i in range(len(values) - 1, -1, -1) if values[i] is not None), None)
    if latest is None:
        return gettext("No values to show.")

    def measure(value: Decimal) -> str:
        number = format_number(value, decimals)
        return f"{number}\u00a0{unit_label}" if unit_label else number

    month = dateformat.format(points[latest][0], "F Y")
    if targets[latest] is None:
        return gettext("Latest value %(value)s (%(month)s), without a target.") % {
            "value": measure(values[latest]),
            "month": month,
        }
    return gettext("Latest value %(value)s (%(month)s), target %(target)s.") % {
        "value": measure(values[latest]),
        "month": month,
        "target": measure(targets[latest]),
    }


def _value_lines(values, x, y, *, width: float = 1.5, isolated_radius: float = 0) -> list[str]:
    """A polyline per run of months with values; a month alone between gaps gets a dot."""
    parts, run = [], []
    for index, value in enumerate([*values, None]):
        if value is not None:
            run.append((index, value))
            continue
        if len(run) > 1:
            coordinates = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, v in run)
            parts.append(
                f'<polyline class="app-chart__line" points="{coordinates}" fill="none" '
                f'stroke="{LINE_COLOUR}" stroke-width="{_n(width)}" stroke-linejoin="round" '
                f'stroke-linecap="round"/>'
            )
        elif run and isolated_radius:
            (i, v) = run[0]
            parts.append(_circle(x(i), y(v), isolated_radius, LINE_COLOUR, "point"))
        run = []
    return parts


def _step_path(targets, left: float, slot: float, y) -> str:
    path, previous = [], None
    for index, target in enumerate(targets):
        if target is None:
            previous = None
            continue
        start, end = left + index * slot, left + (index + 1) * slot
        if previous is None:
            path.append(f"M{_n(start)} {_n(y(target))}")
        elif target != previous:
            path.append(f"V{_n(y(target))}")
        path.append(f"H{_n(end)}")
        previous = target
    return "".join(path)


def _band(target, tolerance, direction) -> tuple[Decimal, Decimal] | None:
    """The tolerance band's edges: the target and the worst value still counted as close."""
    if target is None or not tolerance or tolerance <= 0:
        return None
    edge = target - tolerance if direction == Direction.HIGHER else target + tolerance
    return (target, edge)


def _is_missed(value, target, tolerance, direction) -> bool:
    if value is None or target is None:
        return False
    shortfall = target - value if direction == Direction.HIGHER else value - target
    return shortfall > (_optional_decimal(tolerance) or 0)


def _extent(values) -> tuple[Decimal, Decimal]:
    numbers = [value for value in values if value is not None]
    lowest, highest = min(numbers), max(numbers)
    if lowest == highest:
        return lowest - 1, highest + 1
    return lowest, highest


def _linear(lowest: Decimal, highest: Decimal, bottom: float, top: float):
    low, span = float(lowest), float(highest - lowest) or 1.0

    def scale(value: Decimal) -> float:
        return bottom - (float(value) - low) / span * (bottom - top)

    return scale


def _decimals_of(ticks: list[Decimal], decimals: int) -> int:
    """As many decimals as the ticks need, at most the indicator's: 0, 2,5, 5 — not 0,0000."""
    needed = max(max(0, -tick.as_tuple().exponent) for tick in ticks)
    return min(needed, decimals)


def _check_direction(direction: str) -> None:
    if direction not in Direction.values:
        raise ValueError(f"direction must be one of {Direction.values}, not {direction!r}")


def _decimal(value: Number) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _optional_decimal(value: Number | None) -> Decimal | None:
    return None if value is None else _decimal(value)


def _svg(parts: list[str]) -> SafeString:
    # Safe: every text in the parts went through escape(), every number through _n().
    return mark_safe("".join(parts))  # noqa: S308


def _n(number: float) -> str:
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _line(x1, y1, x2, y2, colour: str, cls: str) -> str:
    return (
        f'<line class="app-chart__{cls}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" '
        f'y2="{_n(y2)}" stroke="{colour}" stroke-width="1"/>'
    )


def _target_line(x1, x2, y) -> str:
    return (
        f'<line class="app-chart__target" x1="{_n(x1)}" y1="{_n(y)}" x2="{_n(x2)}" '
        f'y2="{_n(y)}" stroke="{TARGET_COLOUR}" stroke-width="1" stroke-dasharray="3 2"/>'
    )


def _band_rect(x, y, width, height) -> str:
    return (
        f'<rect class="app-chart__band" x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" '
        f'height="{_n(height)}" fill="{BAND_COLOUR}" fill-opacity="{BAND_OPACITY}"/>'
    )


def _rect(x, y, width, height, *, fill: str, stroke: str, cls: str) -> str:
    return (
        f'<rect class="{cls}" x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" '
        f'height="{_n(height)}" fill="{fill}" stroke="{stroke}" stroke-width="1"/>'
    )


def _circle(cx, cy, radius: float, colour: str, cls: str) -> str:
    return (
        f'<circle class="app-chart__{cls}" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(radius)}" '
        f'fill="{colour}" stroke="#FFFFFF" stroke-width="1"/>'
    )


def _text(x, y, text: str, *, anchor: str = "middle", cls: str = "label") -> str:
    return (
        f'<text class="app-chart__{cls}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" '
        f'font-size="12" fill="{TEXT_COLOUR}">{escape(text)}</text>'
    )
