"""URL patterns of the imports pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("imports/organizations/", views.import_organizations, name="import-organizations"),
    path(
        "imports/organizations/template.xlsx",
        views.import_organizations_template,
        name="import-organizations-template",
    ),
    path("imports/tutors/", views.import_tutors, name="import-tutors"),
    path(
        "imports/tutors/template.xlsx", views.import_tutors_template, name="import-tutors-template"
    ),
    path("programs/<int:pk>/imports/students/", views.import_students, name="import-students"),
    path(
        "programs/<int:pk>/imports/students/template.xlsx",
        views.import_students_template,
        name="import-students-template",
    ),
]
