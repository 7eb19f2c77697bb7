"""The filters of the lists of tutors and students: one FilterSet per list, for the API and the
pages alike."""

from __future__ import annotations

from training_portal.core.api.filters import model_filter

from ..models import Student, TutorProfile

TutorFilter = model_filter(TutorProfile, "kind", "organization", "is_active", doc="Tutors.")

StudentFilter = model_filter(Student, "program", "cohort", "status", doc="Students.")
