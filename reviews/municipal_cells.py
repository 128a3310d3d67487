"""The matrix cells of the municipal review as HTML, written in Python.

Oslo's review has some 600 office × indicator cells, each a status tag, a value and target, a
sparkline with its text alternative and up to three drill-down links. Through the template
language (an inclusion tag per status, filters per value, ``{% url %}`` per link) they cost
about 400 ms of the request; written here with ``format_html`` (every value escaped) and each
URL reversed once per office or indicator instead of once per cell, they cost a few dozen.
The markup is the template's own: Aksel's tag with a symbol and a word (never colour alone,
as ``scorecards/includes/status.html``), the sparkline of ``scorecards.charts`` labelled with
the trend in words, links with their target named for screen readers.
"""

from urllib.parse import quote

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reviews.municipal import TrendWords, trend_text
from reviews.params import BACK
from scorecards import charts
from scorecards.models import Status
from scorecards.periods import format_period
from scorecards.templatetags.scorecard_tags import STATUS_COLOURS, STATUS_SYMBOLS

CELL_CLASS = "aksel-table__data-cell aksel-body-short"


def _badges() -> dict[str, SafeString]:
    return {
        status.value: format_html(
            '<span class="aksel-tag aksel-tag--small app-status" data-variant="moderate" '
            'data-color="{}" data-status="{}"><span aria-hidden="true" '
            'class="app-status__symbol">{}</span> {}</span>',
            STATUS_COLOURS[status],
            status.value,
            STATUS_SYMBOLS[status],
            status.label,
        )
        for status in Status
    }


def render_cells(review, back: str) -> None:
    """Set ``cell.html`` (a whole ``<td>``), ``cell.trend_text`` and the drill-down URLs of
    every cell of ``review.sides``; each link carries ``tilbake=back``."""
    period = review.period
    month = format_period(period)
    back_query = f"{BACK}={quote(back, safe='')}"
    badges = _badges()
    trend_words = TrendWords()
    words = {
        "not_submitted": escape(_("Not submitted")),
        "target": escape(_("target")),
        "history": escape(_("History")),
        "plan": escape(_("Plan")),
        "no_plan": escape(_("No plan")),
        "not_here": escape(_("not measured here")),
        "last_months": _("Last 12 months: %(trend)s"),
        "spark": _("%(indicator)s at %(office)s, last 12 months: %(trend)s"),
        "trend": trend_words,
    }
    for table in review.sides:
        for indicator_row in table.rows:
            indicator = indicator_row.indicator
            name = indicator.display_name
            history = reverse("scorecards:indicator", kwargs={"code": indicator.code})
            for cell in indicator_row.cells:
                office = cell.office
                line = cell.line
                if line is None:
                    cell.html = format_html(
                        '<td class="{}" data-office="{}"><span aria-hidden="true">–</span>'
                        '<span class="sr-only">{}</span></td>',
                        CELL_CLASS,
                        office.code,
                        words["not_here"],
                    )
                    continue
                cell.indicator_url = escape(
                    f"{history}?kontor={quote(office.code)}&maned={month}&{back_query}"
                )
                cell.plan_url = (
                    escape(
                        f"{reverse('scorecards:plan', kwargs={'pk': line.action_plan.pk})}"
                        f"?{back_query}"
                    )
                    if line.action_plan
                    else ""
                )
                cell.trend_text = trend_text(line, trend_words)
                cell.html = _cell(cell, line, indicator, name, badges, words)


def _cell(cell, line, indicator, name, badges, words) -> SafeString:
    """One ``<td>``: plain f-strings over values escaped here (``escape``) or built escaped
    (the URLs, the badges, the sparkline's SVG)."""
    office = cell.office
    code = escape(office.code)
    parts = [
        f'<td class="{CELL_CLASS} app-review-cell" data-office="{code}" '
        f'data-indicator="{escape(indicator.code)}" data-status="{escape(line.status or "")}" '
        f'data-value-visible="{"yes" if line.value_visible else "no"}">',
        badges.get(line.status) or f'<span class="aksel-detail">{words["not_submitted"]}</span>',
    ]
    if line.value_visible:
        value = "–" if line.value is None else words["trend"].measure(line.value, indicator)
        parts.append(
            f' <span class="app-review-cell__value app-number" data-testid="value">'
            f"{escape(value)}</span>"
        )
        if line.target:
            target = words["trend"].measure(line.target.value, indicator)
            parts.append(
                f'<span class="aksel-detail app-review-cell__target">{words["target"]} '
                f"{escape(target)}</span>"
            )
        label = words["spark"] % {
            "indicator": name,
            "office": office.name,
            "trend": cell.trend_text,
        }
        spark = charts.sparkline(
            line.trend,
            target=line.target.value if line.target else None,
            tolerance=line.target.tolerance if line.target else None,
            direction=indicator.direction,
            label=label,
            width=72,
            height=20,
        )
        parts.append(f'<span class="app-review-cell__trend">{spark}</span>')
    else:
        text = escape(words["last_months"] % {"trend": cell.trend_text})
        parts.append(f'<span class="sr-only">{text}</span>')
    target_name = f'<span class="sr-only">: {escape(name)}, {escape(office.name)}</span>'
    links = [
        f'<a class="aksel-link" href="{cell.indicator_url}" data-drill="indicator">'
        f"{words['history']}{target_name}</a>"
    ]
    if cell.plan_url:
        links.append(
            f'<a class="aksel-link" href="{cell.plan_url}" data-drill="plan">'
            f"{words['plan']}{target_name}</a>"
        )
    elif line.needs_action_plan:
        links.append(f'<span class="app-no-plan" data-no-plan>{words["no_plan"]}</span>')
    parts.append(f'<span class="app-review-cell__links">{" · ".join(links)}</span></td>')
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)
