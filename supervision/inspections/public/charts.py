"""The public pages' chart: findings found and resolved per month, drawn on the server as SVG
by the portal's one chart module (`training_portal.core.charts`)."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training_portal.core.charts import ColumnGroup, Series, column_chart

#: The columns of the monthly chart: the measure and its series (Bootstrap's danger and
#: success, as on the audit dashboard).
MONTH_SERIES = [
    ("found", Series(gettext_lazy("Found"), "#dc3545")),
    ("resolved", Series(gettext_lazy("Resolved"), "#198754")),
]


def month_chart(months: list[dict[str, Any]]) -> SafeString | None:
    """An SVG column chart of findings found and resolved per month. A suppressed month is
    drawn as a thin grey mark ("fewer than 5")."""
    if not months:
        return None
    return column_chart(
        [
            ColumnGroup(
                str(row.get("month", ""))[2:],
                [row.get(name) for name, _s in MONTH_SERIES],
                prefix=f"{date_format(row['first_day'], 'YEAR_MONTH_FORMAT')} · "
                if row.get("first_day")
                else f"{row.get('month', '')} · ",
            )
            for row in months
        ],
        [series for _n, series in MONTH_SERIES],
        title=_("Findings found and resolved per month"),
        empty_label="",
        width=640,
        height=220,
        min_top=5,
        missing_label=_("fewer than 5"),
        fluid=True,
    )
