"""The programs' page URLconf: each feature's urlpatterns, under the `programs` namespace."""

from django.urls import URLPattern, URLResolver

from .design import urls as design
from .funds import urls as funds
from .imports import urls as urls_imports
from .partners import urls as partners
from .people import urls as people
from .placements import urls as placements
from .projects import urls as projects
from .records import urls as records
from .training import urls as training

app_name = "programs"

urlpatterns: list[URLPattern | URLResolver] = [
    *people.urlpatterns,
    *training.urlpatterns,
    *design.urlpatterns,
    *placements.urlpatterns,
    *records.urlpatterns,
    *funds.urlpatterns,
    *projects.urlpatterns,
    *urls_imports.urlpatterns,
    *partners.urlpatterns,
]
