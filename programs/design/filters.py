"""The filters of the lists of programs, courses and program elements: one FilterSet per list, for
the API and the pages alike."""

from __future__ import annotations

from training_portal.core.api.filters import model_filter

from ..models import Course, MilestoneTemplate, Program, ProgramCourse, Stage, TrainingObjective

ProgramFilter = model_filter(Program, "status", "degree_type", "lead_university", doc="Programs.")

CourseFilter = model_filter(
    Course, "category", "integrates_ie", "delivering_organization", doc="The course catalogue."
)

ObjectiveFilter = model_filter(TrainingObjective, "program", doc="Training objectives.")

StageFilter = model_filter(Stage, "program", doc="Stages of the training process.")

MilestoneTemplateFilter = model_filter(MilestoneTemplate, "program", doc="Milestone templates.")

CurriculumFilter = model_filter(ProgramCourse, "program", doc="Curriculum entries.")
