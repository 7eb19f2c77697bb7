"""The API of people: tutor profiles, students (enrolment and tutors) and the student status
lifecycle; `views` holds the viewsets, `serializers` what they answer and read, `status` the
status actions of the students endpoint."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("tutors", views.TutorWrites, basename="tutor")
router.register("students", views.StudentWrites, basename="student")

urlpatterns = list(router.urls)
