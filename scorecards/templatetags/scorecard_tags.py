"""Template tags of the scorecard: status tags, charts and values with their units.

{% load scorecard_tags %}
{% status_badge line.status %}
{% sparkline line.trend target=target tolerance=tolerance direction=direction label=label %}
{% trend_chart points targets=targets tolerance=tolerance decimals=2 title=title %}
{{ line.value|measure:line.indicator }}
"""

from decimal import Decimal

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy, ngettext_lazy

from scorecards import charts
from scorecards.models import Direction, Status, Unit
from scorecards.status import rounded

register = template.Library()

# A status is shown as a symbol and a word, never by colour alone (WCAG 1.4.1).
STATUS_SYMBOLS = {
    Status.MET: "✓",
    Status.CLOSE: "≈",
    Status.MISSED: "✗",
    Status.MISSING: "–",
    Status.NO_TARGET: "·",
}
# Aksel's tag colours (``data-color``).
STATUS_COLOURS = {
    Status.MET: "success",
    Status.CLOSE: "warning",
    Status.MISSED: "danger",
    Status.MISSING: "neutral",
    Status.NO_TARGET: "info",
}

NO_VALUE = "–"
PERCENT_FORMAT = gettext_lazy("%(number)s %%")
NOK_FORMAT = gettext_lazy("NOK %(number)s")
# Chooses singular or plural by ``count``, a whole number (``_plural_count``).
DAYS_FORMAT = ngettext_lazy("%(number)s day", "%(number)s days", "count")


@register.inclusion_tag("scorecards/includes/status.html")
def status_badge(status: Status | str | None) -> dict:
    """An Aksel tag with the status' symbol and word; nothing for no or an unknown status."""
    try:
        status = Status(status)
    except (ValueError, TypeError):
        return {"status": None}
    return {
        "status": status.value,
        "label": status.label,
        "symbol": STATUS_SYMBOLS[status],
        "color": STATUS_COLOURS[status],
    }


@register.simple_tag
def sparkline(
    points,
    target=None,
    tolerance=None,
    direction=Direction.HIGHER,
    label="",
    width=120,
    height=32,
) -> SafeString:
    return charts.sparkline(
        points or [],
        target=target,
        tolerance=tolerance,
        direction=direction,
        label=label,
        width=width,
        height=height,
    )


@register.simple_tag
def trend_chart(
    points,
    targets=None,
    tolerance=None,
    direction=Direction.HIGHER,
    unit_label="",
    decimals=0,
    title="",
    width=640,
    height=260,
) -> SafeString:
    return charts.trend_chart(
        points or [],
        targets=targets,
        tolerance=tolerance,
        direction=direction,
        unit_label=unit_label,
        decimals=decimals,
        title=title,
        width=width,
        height=height,
    )


@register.filter
def measure(value, indicator) -> str:
    """``value`` with the indicator's decimals and unit: 63 %, kr 1 234, 12 dager; – for none."""
    if value is None or value == "":
        return NO_VALUE
    return format_measure(value, unit=indicator.unit, decimals=indicator.decimals)


def format_measure(value: Decimal | int | str, *, unit: str, decimals: int) -> str:
    """A value in its unit's words, in the current language (see ``measure``)."""
    number = charts.format_number(value, decimals)
    if unit == Unit.PERCENT:
        text = PERCENT_FORMAT % {"number": number}
    elif unit == Unit.NOK:
        text = NOK_FORMAT % {"number": number}
    elif unit == Unit.DAYS:
        text = DAYS_FORMAT % {"count": _plural_count(value, decimals), "number": number}
    else:
        return number
    return _keep_together(text)


def _keep_together(text: str) -> str:
    """The unit stays on the number's line: "63 %" must not break in a narrow table cell."""
    return text.replace(" ", "\u00a0")


def _plural_count(value, decimals: int) -> int:
    """ngettext needs a whole number; a fraction reads as plural (1,5 dager, 1.5 days)."""
    shown = rounded(Decimal(str(value)), decimals)
    return int(shown) if shown == shown.to_integral_value() else 2
