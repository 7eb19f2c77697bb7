"""URL patterns of the program pages: the list, a program's page, building a program and
editing its elements; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, URLResolver, path, re_path

from training_portal.core.routes import record_pages, record_routes

from .views import admin, elements, programs

#: A program's element, by kind (the kinds of `views.elements.KINDS`) and id.
ELEMENT = (
    r"^programs/(?P<pk>[0-9]+)/(?P<kind>objectives|stages|milestones|curriculum|partners)/"
    r"(?P<item>[0-9]+)/"
)

#: Building a program: each page's path below the program, and its view in `views.admin`.
BUILDING = {
    "objectives/new": "objective_add",
    "stages/new": "stage_add",
    "milestones/new": "milestone_template_add",
    "curriculum/new": "curriculum_add",
    "partners/new": "partner_add",
    "students/new": "student_enrol",
    "tutors/assign": "tutor_assign",
}

urlpatterns: list[URLPattern | URLResolver] = [
    *record_routes("programs", "program", programs, ("list", "detail")),
    *record_routes("programs", "program", admin, ("create",)),
    *record_pages("programs", admin, BUILDING),
    *record_routes("programs", "program", elements, ("edit", "close", "transition")),
    re_path(ELEMENT + r"edit/$", elements.element_edit, name="element-edit"),
    re_path(ELEMENT + r"remove/$", elements.element_remove, name="element-remove"),
    re_path(ELEMENT + r"reinstate/$", elements.element_reinstate, name="element-reinstate"),
    re_path(ELEMENT + r"move/$", elements.element_move, name="element-move"),
    path(
        "programs/<int:pk>/curriculum/<int:item>/course/",
        elements.course_edit,
        name="course-edit",
    ),
]
