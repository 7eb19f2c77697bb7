"""Server-side SVG charts: bar, column, line and donut, built as strings with every label
escaped: the portal's one chart kit.

The same SVG is shown on the pages (`fluid=True`: as wide as its container) and embedded in
the PDF reports (a fixed size), so charts need no JavaScript. Values are numbers (int, float
or Decimal); None counts as no value. The font-family names a CJK font so that Chinese labels
render in the PDF as on the page: first in Chinese, after a Latin font in the other languages
(WeasyPrint lays SVG text out letter by letter, and a Latin font first makes that quicker and
the PDF's font subsets smaller).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

Number = int | float | Decimal

FONT = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
LATIN_FIRST_FONT = "'DejaVu Sans', " + FONT
PALETTE = ("#2f6db5", "#e07b39", "#3a9d5d", "#c8453b", "#8a63b8", "#8c6d46", "#d4a017")
#: Severity colours (info, minor, major, critical) used by the findings chart.
SEVERITY_COLOURS = {
    "info": "#6c8ebf",
    "minor": "#d4a017",
    "major": "#e07b39",
    "critical": "#c8453b",
}


def _num(value: Any) -> float:
    return float(value) if value is not None else 0.0


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.1f}"


def _tick(value: float) -> str:
    return str(round(value)) if abs(value) >= 100 else _fmt(value)


def _text(text: Any) -> str:
    return escape(str(text), quote=True)


def _font() -> str:
    return FONT if (get_language() or "").startswith("zh") else LATIN_FIRST_FONT


def _open(width: int, height: int, title: str, *, fluid: bool = False) -> str:
    size = (
        'class="report-chart w-100" preserveAspectRatio="xMinYMin meet"'
        if fluid
        else f'class="report-chart" width="{width}" height="{height}"'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" {size} role="img" '
        f'viewBox="0 0 {width} {height}" '
        f'font-family="{_text(_font())}" font-size="11">'
        f"<title>{_text(title)}</title>"
    )


def _empty(width: int, height: int, title: str, empty_label: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every label is escaped
        _open(width, height, title)
        + f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" '
        f'fill="#777">{_text(empty_label)}</text></svg>'
    )


def _close(parts: list[str]) -> SafeString:
    """Join the parts of a chart opened with _open and close its <svg>."""
    return mark_safe("".join([*parts, "</svg>"]))  # noqa: S308 - every label is escaped


def bar_chart(
    items: Sequence[tuple[Any, Any]],
    *,
    title: str,
    empty_label: str,
    width: int = 520,
    max_value: Number | None = None,
    colours: Sequence[str] | None = None,
    suffix: str = "",
) -> SafeString:
    """Horizontal bars, one per (label, value), with the value at the bar's end."""
    if not items:
        return _empty(width, 60, title, empty_label)
    row = 22
    label_width = min(200, max(60, 7 * max(len(str(label)) for label, _ in items)))
    plot = width - label_width - 60
    height = row * len(items) + 10
    top = max([_num(value) for _, value in items] + [_num(max_value), 0.0]) or 1.0
    parts = [_open(width, height, title)]
    for index, (label, value) in enumerate(items):
        y = 5 + index * row
        length = plot * _num(value) / top
        colour = (colours[index % len(colours)] if colours else PALETTE[0]) or PALETTE[0]
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{_text(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" '
            f'fill="{_text(colour)}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 14}">'
            f"{_text(_fmt(value) + suffix if value is not None else _fmt(value))}</text>"
        )
    return _close(parts)


def line_chart(
    points: Sequence[tuple[Any, Any]],
    *,
    title: str,
    empty_label: str,
    width: int = 520,
    height: int = 200,
    max_value: Number | None = None,
    suffix: str = "",
) -> SafeString:
    """A line through (label, value) points in order; None leaves a gap."""
    if not points or all(value is None for _, value in points):
        return _empty(width, 60, title, empty_label)
    right, top_margin, bottom = 24, 12, 28  # right: room for a 3-character label
    plot_h = height - top_margin - bottom
    top = max([_num(value) for _, value in points] + [_num(max_value), 0.0]) or 1.0
    # The axis: 0, half and the top, whole numbers from 100 on; as wide as its longest label.
    ticks = [(fraction, _tick(top * fraction) + suffix) for fraction in (0, 0.5, 1)]
    left = max(40, 7 * max(len(label) for _, label in ticks) + 8)
    plot_w = width - left - right
    step = plot_w / max(1, len(points) - 1)
    parts = [_open(width, height, title)]
    for fraction, label in ticks:
        y = top_margin + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#ddd"/><text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="#555">{_text(label)}</text>'
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, (label, value) in enumerate(points):
        x = left + index * step if len(points) > 1 else left + plot_w / 2
        parts.append(
            f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" fill="#555">'
            f"{_text(label)}</text>"
        )
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        y = top_margin + plot_h * (1 - _num(value) / top)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[0]}">'
            f"<title>{_text(label)}: {_text(_fmt(value) + suffix)}</title></circle>"
        )
    if segment:
        segments.append(segment)
    for line in segments:
        if len(line) > 1:
            parts.append(
                f'<polyline points="{" ".join(line)}" fill="none" stroke="{PALETTE[0]}" '
                f'stroke-width="2"/>'
            )
    return _close(parts)


def donut_chart(
    items: Sequence[tuple[Any, Any]],
    *,
    title: str,
    empty_label: str,
    size: int = 180,
    colours: Sequence[str] | None = None,
) -> SafeString:
    """A donut of the shares of (label, value), with a legend on its right."""
    total = sum(_num(value) for _, value in items)
    legend_width = 220
    width = size + legend_width
    if total <= 0:
        return _empty(width, 60, title, empty_label)
    height = max(size, 20 * len(items) + 10)
    radius, inner = size / 2 - 4, size / 4
    centre = size / 2
    parts = [_open(width, height, title)]
    angle = -math.pi / 2
    for index, (_, value) in enumerate(items):
        share = _num(value) / total
        if share <= 0:
            continue
        colour = colours[index % len(colours)] if colours else PALETTE[index % len(PALETTE)]
        if share >= 0.9999:
            parts.append(
                f'<circle cx="{centre}" cy="{centre}" r="{(radius + inner) / 2:.1f}" '
                f'fill="none" stroke="{_text(colour)}" stroke-width="{radius - inner:.1f}"/>'
            )
            continue
        end = angle + 2 * math.pi * share
        large = 1 if share > 0.5 else 0
        x1, y1 = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        x2, y2 = centre + radius * math.cos(end), centre + radius * math.sin(end)
        x3, y3 = centre + inner * math.cos(end), centre + inner * math.sin(end)
        x4, y4 = centre + inner * math.cos(angle), centre + inner * math.sin(angle)
        parts.append(
            f'<path d="M{x1:.2f},{y1:.2f} A{radius:.2f},{radius:.2f} 0 {large} 1 {x2:.2f},'
            f"{y2:.2f} L{x3:.2f},{y3:.2f} A{inner:.2f},{inner:.2f} 0 {large} 0 {x4:.2f},"
            f'{y4:.2f} Z" fill="{_text(colour)}"/>'
        )
        angle = end
    for index, (label, value) in enumerate(items):
        colour = colours[index % len(colours)] if colours else PALETTE[index % len(PALETTE)]
        y = 10 + index * 20
        parts.append(
            f'<rect x="{size + 10}" y="{y}" width="12" height="12" fill="{_text(colour)}"/>'
            f'<text x="{size + 28}" y="{y + 10}">{_text(label)}: {_text(_fmt(value))}</text>'
        )
    return _close(parts)


@dataclass(frozen=True)
class Series:
    """One measure of a column chart: its label (in the legend and the bars' tooltips) and
    colour."""

    label: Any
    colour: str


@dataclass(frozen=True)
class ColumnGroup:
    """The columns of one category (a run, a month): its label under the axis, the value of
    each series (None: not shown, e.g. a count too small to publish) and what each column's
    tooltip says before the series' label (e.g. the month's name)."""

    label: Any
    values: Sequence[Any]
    prefix: Any = ""


def column_chart(
    groups: Sequence[ColumnGroup],
    series: Sequence[Series],
    *,
    title: str,
    empty_label: str,
    width: int = 560,
    height: int = 200,
    slots: int | None = None,
    min_top: Number = 1,
    missing_label: str = "",
    missing_colour: str = "#adb5bd",
    fluid: bool = False,
) -> SafeString:
    """Vertical columns side by side for each group, over a zero line with the top value on
    the axis, the groups' labels under it and a legend of the series below. `slots` keeps room
    for that many groups (fewer are drawn from the left); a None value is drawn as a thin mark
    in `missing_colour`, named `missing_label` in its tooltip and in the legend."""
    if not groups:
        return _empty(width, 60, title, empty_label)
    left, top_margin, legend_row = 40, 12, 22
    baseline = height - legend_row - 22
    plot_height = baseline - top_margin
    values = [_num(value) for group in groups for value in group.values if value is not None]
    top = max([*values, _num(min_top)]) or 1.0
    span = (width - left) / max(slots or 0, len(groups))
    column = span / (len(series) + 1)
    parts = [
        _open(width, height, title, fluid=fluid),
        f'<line x1="{left}" y1="{baseline}" x2="{width}" y2="{baseline}" stroke="#6c757d"/>'
        f'<line x1="{left}" y1="{top_margin}" x2="{left}" y2="{baseline}" stroke="#dee2e6"/>'
        f'<text x="{left - 4}" y="{top_margin + 4}" text-anchor="end" fill="#6c757d">'
        f"{_text(_fmt(top))}</text>"
        f'<text x="{left - 4}" y="{baseline}" text-anchor="end" fill="#6c757d">0</text>',
    ]
    for index, group in enumerate(groups):
        start = left + index * span
        parts.append("<g>")
        for position, (measure, value) in enumerate(zip(series, group.values, strict=True)):
            missing = value is None
            bar = 3.0 if missing else plot_height * _num(value) / top
            shown = missing_label if missing else _fmt(value)
            parts.append(
                f'<rect x="{start + (position + 0.5) * column:.1f}" y="{baseline - bar:.1f}" '
                f'width="{column * 0.9:.1f}" height="{bar:.1f}" '
                f'fill="{_text(missing_colour if missing else measure.colour)}">'
                f"<title>{_text(group.prefix)}{_text(measure.label)}: {_text(shown)}</title>"
                "</rect>"
            )
        parts.append(
            f'<text x="{start + span / 2:.1f}" y="{baseline + 16}" text-anchor="middle" '
            f'fill="#212529">{_text(group.label)}</text></g>'
        )
    legend = [(measure.label, measure.colour) for measure in series]
    if missing_label:
        legend.append((missing_label, missing_colour))
    x = float(left)
    for label, colour in legend:
        y = height - legend_row + 6
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="10" height="10" fill="{_text(colour)}"/>'
            f'<text x="{x + 14:.1f}" y="{y + 9}">{_text(label)}</text>'
        )
        x += 24 + 7 * len(str(label))
    return _close(parts)
