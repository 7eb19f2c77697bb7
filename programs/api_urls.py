"""The programs API's routes: the bulk imports, then each feature's router."""

from django.urls import URLPattern, URLResolver

from .design import api as design
from .funds import api as funds
from .imports import api as imports
from .partners import api as partners
from .people import api as people
from .placements import api as placements
from .projects import api as projects
from .training import api as training

#: The features' routers, in the order the API root lists their endpoints.
ROUTERS = [
    partners.router,
    design.router,
    people.router,
    training.router,
    placements.router,
    projects.router,
    funds.router,
]

urlpatterns: list[URLPattern | URLResolver] = [
    *imports.urlpatterns,
    *(pattern for router in ROUTERS for pattern in router.urls),
]
