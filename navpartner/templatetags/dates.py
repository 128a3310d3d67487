"""Ends of periods as people say them.

A delegation or role given "til og med 31.12.2026" is stored as the instant it stops holding,
01.01.2027 00:00 (half-open, docs/decisions.md). People entered the last day; they are shown
the last day: ``{{ delegation.ends_at|until }}`` → "til og med 31.12.2026". An end that is not a
midnight (a revocation, a role ended by hand at 14:05) is shown as the moment:
"til 04.12.2026 14:05".
"""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


def last_day(end: datetime.datetime | None) -> datetime.date | None:
    """The last day a period ending at ``end`` holds, if it ends at a local midnight."""
    if end is None:
        return None
    local = timezone.localtime(end)
    if local.time() != datetime.time():
        return None
    return local.date() - datetime.timedelta(days=1)


def until_text(end: datetime.datetime | None) -> str:
    """The end as people say it: "til og med 31.12.2026", "til 04.12.2026 14:05", or ""."""
    if end is None:
        return ""
    day = last_day(end)
    if day is not None:
        return _("through %(day)s") % {"day": formats.date_format(day, "SHORT_DATE_FORMAT")}
    moment = formats.date_format(timezone.localtime(end), "SHORT_DATETIME_FORMAT")
    return _("until %(moment)s") % {"moment": moment}


@register.filter
def until(end):
    return until_text(end)


@register.filter
def inclusive_end(end):
    """The last day as a date (for ``|date``), or the end itself when it is not a midnight."""
    return last_day(end) or end
