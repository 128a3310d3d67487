"""The English interface writes dates the Norwegian way too (31.12.2026, 14:05): the product
and its documents are Norwegian, and 12/31/2026 would read differently to half its readers."""

from navpartner.formats.nb.formats import (  # noqa: F401
    DATE_FORMAT,
    DATE_INPUT_FORMATS,
    DATETIME_FORMAT,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
)

MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
