"""The baseline of `bench/load.py`: a bare view beside the portal, started only by the bench.

`/bare/<an API list's path>` gives the same page of rows as the API list would (the viewset's
own `filter_queryset(get_queryset())` for the signed-in caller: its scope, filters and
ordering; the first `PAGE_SIZE` rows), fetched with `.values()` of the model's concrete
columns and serialised to JSON with `json.dumps`: no serializer, no pagination count, no
renderer. Every other path is the portal's, so that its middleware (sessions, sign-in,
languages) works as in the portal.

    gunicorn bench.bare:application      (DJANGO_SETTINGS_MODULE=training_portal.settings)
"""

from __future__ import annotations

import json
import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training_portal.settings")

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, resolve

application = get_wsgi_application()  # sets Django up: the portal's URLconf can be imported
PORTAL_URLCONF = "training_portal.urls"


def bare_rows(request: HttpRequest, api_path: str) -> list[dict[str, Any]]:
    """The first page of rows of the API list at `api_path`, as the caller would get it."""
    match = resolve("/" + api_path, urlconf=PORTAL_URLCONF)
    view = match.func.cls(**match.func.initkwargs)  # type: ignore[attr-defined]
    view.action_map = {"get": "list"}
    view.args, view.kwargs, view.format_kwarg, view.headers = (), match.kwargs, None, {}
    view.request = view.initialize_request(request)
    view.action = "list"
    queryset = view.filter_queryset(view.get_queryset())
    names = [f.attname for f in queryset.model._meta.concrete_fields]
    size = settings.REST_FRAMEWORK["PAGE_SIZE"]
    return list(queryset.prefetch_related(None).values(*names)[:size])


def bare(request: HttpRequest, api_path: str) -> HttpResponse:
    rows = bare_rows(request, api_path)
    body = json.dumps({"results": rows}, cls=DjangoJSONEncoder)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [path("bare/<path:api_path>", bare), path("", include(PORTAL_URLCONF))]
settings.ROOT_URLCONF = __name__
