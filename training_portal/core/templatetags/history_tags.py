"""`{% history_url obj as url %}`: a record's history page, or '' for who may not read it."""

from __future__ import annotations

from typing import Any

from django import template

from ..history import history_url as _history_url

register = template.Library()


@register.simple_tag(takes_context=True)
def history_url(context: template.Context, obj: Any) -> str:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return _history_url(user, obj)
