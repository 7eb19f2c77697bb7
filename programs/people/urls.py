"""URL patterns of the student pages: a tutor's students, a student's page and status."""

from django.urls import URLPattern, path

from training_portal.core.routes import record_routes

from .views import status, students

urlpatterns: list[URLPattern] = [
    path("students/mine/", students.my_students, name="my-students"),
    path("students/<int:pk>/", students.student_detail, name="student"),
    path(
        "students/<int:pk>/status/<slug:action>/",
        status.status_change,
        name="student-status-change",
    ),
    path("students/status-requests/", status.status_requests, name="status-requests"),
    *record_routes("status-changes", "status", status, ("decide",)),
    path("students/<int:pk>/destination/", status.destination_edit, name="destination"),
    *record_routes("students", "", status, ("follow-up",)),
]
