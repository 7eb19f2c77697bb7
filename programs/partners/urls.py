"""URL patterns of the organisation pages and of a program's responsibility matrix; included by
programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from training_portal.core.routes import record_routes

from . import views

urlpatterns: list[URLPattern] = [
    *record_routes(
        "organizations", "organization", views, ("list", "create", "detail", "edit", "status")
    ),
    path(
        "organizations/<int:pk>/counsellors/new/",
        views.counsellor_post,
        name="organization-counsellor-post",
    ),
    path(
        "organizations/<int:pk>/counsellors/<int:membership_pk>/end/",
        views.counsellor_end,
        name="organization-counsellor-end",
    ),
    *record_routes("partners", "agreement", views, ("renew",)),
    path(
        "programs/<int:pk>/responsibilities/",
        views.responsibility_matrix,
        name="responsibility-matrix",
    ),
]
