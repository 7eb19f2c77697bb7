"""The geometry of the public pages' charts (drawn by the templates as SVG, on the server)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

#: The bars of the monthly chart: the measure, its label, its colour (Bootstrap's danger and
#: success, as on the audit dashboard).
MONTH_BARS = [
    ("found", gettext_lazy("Found"), "#dc3545"),
    ("resolved", gettext_lazy("Resolved"), "#198754"),
]
CHART_WIDTH = 640
CHART_HEIGHT = 200
CHART_LEFT = 32
CHART_TOP = 12
CHART_BOTTOM = 170
#: The height of the mark drawn for a suppressed count ("fewer than 5").
SUPPRESSED_MARK = 3


def month_chart(months: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The geometry of a bar chart of findings found and resolved per month (drawn by the
    template as SVG, on the server). A suppressed month is drawn as a thin grey mark."""
    if not months:
        return None
    values = [row.get(name) for row in months for name, _l, _c in MONTH_BARS]
    top = max([value for value in values if isinstance(value, int)] + [5])
    span = (CHART_WIDTH - CHART_LEFT) / len(months)
    bar = span / (len(MONTH_BARS) + 1)
    scale = (CHART_BOTTOM - CHART_TOP) / top
    groups = []
    for index, row in enumerate(months):
        bars = []
        for position, (name, label, colour) in enumerate(MONTH_BARS):
            value = row.get(name)
            height = SUPPRESSED_MARK if value is None else round(value * scale, 1)
            bars.append(
                {
                    "x": round(CHART_LEFT + index * span + (position + 0.5) * bar, 1),
                    "y": round(CHART_BOTTOM - height, 1),
                    "width": round(bar, 1),
                    "height": height,
                    "colour": "#adb5bd" if value is None else colour,
                    "label": label,
                    "value": value,
                }
            )
        groups.append(
            {
                "month": row.get("month", ""),
                "first_day": row.get("first_day"),
                "label_x": round(CHART_LEFT + (index + 0.5) * span, 1),
                "bars": bars,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "top": top,
        "top_y": CHART_TOP,
        "baseline": CHART_BOTTOM,
        "label_y": CHART_BOTTOM + 18,
        "groups": groups,
        "legend": [{"label": label, "colour": colour} for _n, label, colour in MONTH_BARS],
    }
