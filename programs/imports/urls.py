"""URL patterns of the imports pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from . import views


def import_routes(under: str, kind: str) -> list[URLPattern]:
    """The import page of `kind` (`imports/tutors/`, view `import_tutors`) below `under`, and
    its spreadsheet template (`imports/tutors/template.xlsx`, `import_tutors_template`)."""
    page = f"{under}imports/{kind}/"
    return [
        path(page, getattr(views, f"import_{kind}"), name=f"import-{kind}"),
        path(
            f"{page}template.xlsx",
            getattr(views, f"import_{kind}_template"),
            name=f"import-{kind}-template",
        ),
    ]


urlpatterns: list[URLPattern] = [
    *import_routes("", "organizations"),
    *import_routes("", "tutors"),
    *import_routes("programs/<int:pk>/", "students"),
]
