"""The filters of the lists of tutors and students: one FilterSet per list, for the API and the
pages alike."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ..models import Student, TutorProfile


class TutorFilter(filters.FilterSet):
    """Tutors."""

    class Meta:
        model = TutorProfile
        fields = ["kind", "organization", "is_active"]


class StudentFilter(filters.FilterSet):
    """Students."""

    class Meta:
        model = Student
        fields = ["program", "cohort", "status"]
