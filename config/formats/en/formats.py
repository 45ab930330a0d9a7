"""Switchboard's own date and time formats (FORMAT_MODULE_PATH in config/settings.py).

Django's en-GB formats show times as "2:05 p.m." wherever a template or the admin prints
an instant without a format of its own. Operations people read a 24-hour clock: one
format everywhere — "Sun 6 Dec 2026, 14:05", in the viewer's zone, no seconds — the same
as the ``when`` template filter (core/templatetags/formatting.py).
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "D j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
