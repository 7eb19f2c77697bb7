"""URL patterns of the organisation pages and of a program's responsibility matrix; included by
programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("organizations/", views.organization_list, name="organization-list"),
    path("organizations/new/", views.organization_create, name="organization-create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path("organizations/<int:pk>/status/", views.organization_status, name="organization-status"),
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
    path("partners/<int:pk>/renew/", views.agreement_renew, name="agreement-renew"),
    path(
        "programs/<int:pk>/responsibilities/",
        views.responsibility_matrix,
        name="responsibility-matrix",
    ),
]
