"""Months: how the scorecard names them (``YYYY-MM``) and when a month must be reported.

A month is stored as the date of its first day. The reporting deadline is a day of the next
month, ``SCORECARD_DEADLINE_DAY`` (default the 10th; an environment setting).
"""

import datetime
import re

from django.conf import settings
from django.utils import timezone

PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str) -> datetime.date:
    """``"2026-11"`` → 1 November 2026; ``ValueError`` for anything else."""
    match = PERIOD_PATTERN.match(str(text).strip())
    if not match:
        raise ValueError(f"not a month: {text!r}")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError(f"not a month: {text!r}")
    return datetime.date(year, month, 1)


def format_period(period: datetime.date) -> str:
    return f"{period.year:04d}-{period.month:02d}"


def add_months(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(period: datetime.date) -> datetime.date:
    return add_months(period, 1) - datetime.timedelta(days=1)


def months_back(period: datetime.date, count: int) -> list[datetime.date]:
    """The ``count`` months up to and including ``period``, oldest first."""
    return [add_months(period, offset) for offset in range(1 - count, 1)]


def current_month(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()).replace(day=1)


def reporting_month(today: datetime.date | None = None) -> datetime.date:
    """The month an office reports now: the last month that has ended."""
    return add_months(current_month(today), -1)


def reporting_deadline(period: datetime.date) -> datetime.date:
    """The last day to submit ``period``'s scorecard."""
    return add_months(period, 1).replace(day=settings.SCORECARD_DEADLINE_DAY)


def is_overdue(period: datetime.date, *, submitted: bool, today: datetime.date | None = None):
    return not submitted and (today or timezone.localdate()) > reporting_deadline(period)


def is_future(period: datetime.date, today: datetime.date | None = None) -> bool:
    """A month that has not begun — no value can be known for it yet."""
    return period > current_month(today)
