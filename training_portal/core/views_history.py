"""The history of one record: what changed, who changed it, when and why.

Deny by default: an unknown or untracked model, a missing record, or a record whose history
the user may not read (see `history.register_history`) all answer 404, so that the page never
confirms that a record exists.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .history import (
    describe_history,
    events_of,
    history_enabled,
    may_see_history,
    record_url,
    tracked_model,
)
from .pages import page_of
from .views import AuthenticatedHttpRequest

EVENTS_PER_PAGE = 25


@login_required
@require_GET
def record_history(
    request: AuthenticatedHttpRequest, app_label: str, model_name: str, pk: str
) -> HttpResponse:
    model = tracked_model(app_label, model_name)
    if model is None:
        raise Http404
    try:
        obj = model._default_manager.get(pk=model._meta.pk.to_python(pk))
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not may_see_history(request.user, obj):
        raise Http404
    enabled = history_enabled()
    page = page_of(request, events_of(obj) if enabled else [], EVENTS_PER_PAGE)
    return render(
        request,
        "core/history.html",
        {
            "record": obj,
            "kind": model._meta.verbose_name,
            "record_url": record_url(obj),
            "page": page,
            "entries": describe_history(obj, page.object_list) if enabled else [],
            "history_enabled": enabled,
        },
    )
