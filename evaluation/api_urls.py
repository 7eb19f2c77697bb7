"""The evaluation app's API routes: each feature's `api.urlpatterns`, and its routers (for
the API root, which lists their endpoints)."""

from django.urls import URLPattern, URLResolver, include, path

from .evaluations import api as evaluations
from .ledger import api as ledger
from .reports import api as reports
from .scores import api as scores

#: The routers of the features, in the order the API root lists their endpoints.
ROUTERS = [evaluations.router, ledger.router, scores.router, reports.router]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include(evaluations.urlpatterns)),
    path("", include(ledger.urlpatterns)),
    path("", include(scores.urlpatterns)),
    path("", include(reports.urlpatterns)),
]
