"""Simplified Chinese formats of the portal: one date, time and number format.

Numbers are grouped by thousands with a comma (as finance offices write amounts), not by
ten-thousands without a separator as Django's defaults would.
"""

DATE_FORMAT = "Y年n月j日"  # 2026年12月7日
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年12月7日 14:05
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年12月
MONTH_DAY_FORMAT = "n月j日"  # 12月7日
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-12-07
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-12-07 14:05
FIRST_DAY_OF_WEEK = 1  # 星期一
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
