"""Dates and times in one Norwegian form everywhere: 31.12.2026, 14:05 (Europe/Oslo).

Django's own bokmål formats write a date in full ("31. desember 2026") where no format is
named; ours are the short form the pages, the CSV files and the PDFs share. Read through
``FORMAT_MODULE_PATH`` (settings), before Django's locale formats.
"""

DATE_FORMAT = "d.m.Y"
SHORT_DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
MONTH_DAY_FORMAT = "j. F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
# Typed dates: dd.mm.åååå, and ISO for those who paste it (navpartner/forms.py).
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"]
