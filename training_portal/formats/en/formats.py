"""English formats of the portal: one date, time and number format, never ending in a full stop.

Django's own English formats end times in "a.m." and abbreviate months with a full stop, which
gives "at 10 a.m.." at the end of a sentence; these have no full stops at all.
"""

DATE_FORMAT = "j F Y"  # 7 December 2026
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "j F Y, H:i"  # 7 December 2026, 14:05
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 7 December
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-12-07
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-12-07 14:05
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
