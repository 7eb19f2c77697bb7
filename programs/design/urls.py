"""URL patterns of the program pages: the list, a program's page, building a program and
editing its elements; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, URLResolver, path, re_path

from .views import admin, elements, programs

#: A program's element, by kind (the kinds of `views.elements.KINDS`) and id.
ELEMENT = (
    r"^programs/(?P<pk>[0-9]+)/(?P<kind>objectives|stages|milestones|curriculum|partners)/"
    r"(?P<item>[0-9]+)/"
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("programs/", programs.program_list, name="program-list"),
    path("programs/<int:pk>/", programs.program_detail, name="program-detail"),
    path("programs/new/", admin.program_create, name="program-create"),
    path("programs/<int:pk>/objectives/new/", admin.objective_add, name="objective-add"),
    path("programs/<int:pk>/stages/new/", admin.stage_add, name="stage-add"),
    path(
        "programs/<int:pk>/milestones/new/",
        admin.milestone_template_add,
        name="milestone-template-add",
    ),
    path("programs/<int:pk>/curriculum/new/", admin.curriculum_add, name="curriculum-add"),
    path("programs/<int:pk>/partners/new/", admin.partner_add, name="partner-add"),
    path("programs/<int:pk>/students/new/", admin.student_enrol, name="student-enrol"),
    path("programs/<int:pk>/tutors/assign/", admin.tutor_assign, name="tutor-assign"),
    path("programs/<int:pk>/edit/", elements.program_edit, name="program-edit"),
    path("programs/<int:pk>/close/", elements.program_close, name="program-close"),
    path("programs/<int:pk>/transition/", elements.program_transition, name="program-transition"),
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
