"""A table's column headings from their labels.

`{% table_head _("Name") _("Status") _("Points") end_from=3 %}`: the whole `<thead>`, one
`<th scope="col">` per label, in order; with `end_from=N` the columns from the Nth on (counted
from 1) are right-aligned, as numbers are; `end_to=M` stops the right alignment after the Mth
column, for a number column followed by text ones. `{% column_heads ... %}` gives the cells alone,
for a head that also has a conditional column before or after them.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


def _heading(label: object, *, end: bool) -> SafeString:
    if end:
        return format_html('<th scope="col" class="text-end">{}</th>', label)
    return format_html('<th scope="col">{}</th>', label)


@register.simple_tag
def column_heads(*labels: object, end_from: int = 0, end_to: int = 0) -> SafeString:
    last = end_to or len(labels)
    cells = (
        _heading(label, end=bool(end_from) and end_from <= number <= last)
        for number, label in enumerate(labels, start=1)
    )
    return format_html_join("", "{}", ((cell,) for cell in cells))


@register.simple_tag
def table_head(*labels: object, end_from: int = 0, end_to: int = 0) -> SafeString:
    heads = column_heads(*labels, end_from=end_from, end_to=end_to)
    return format_html("<thead><tr>{}</tr></thead>", heads)
