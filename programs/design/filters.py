"""The filters of the lists of programs and courses: one FilterSet per list, for the API and the
pages alike (a program's elements are listed by program: `api.ElementWrites`)."""

from __future__ import annotations

from training_portal.core.api.filters import model_filter

from ..models import Course, Program

ProgramFilter = model_filter(Program, "status", "degree_type", "lead_university", doc="Programs.")

CourseFilter = model_filter(
    Course, "category", "integrates_ie", "delivering_organization", doc="The course catalogue."
)
