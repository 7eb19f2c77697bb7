"""URL patterns of the student pages: a tutor's students, a student's page and status."""

from django.urls import URLPattern, path

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
    path("status-changes/<int:pk>/decide/", status.status_decide, name="status-decide"),
    path("students/<int:pk>/destination/", status.destination_edit, name="destination"),
    path("students/<int:pk>/follow-up/", status.follow_up, name="follow-up"),
]
