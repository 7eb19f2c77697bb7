"""The filters of the lists of programs, courses and program elements: one FilterSet per list, for
the API and the pages alike."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ..models import Course, MilestoneTemplate, Program, ProgramCourse, Stage, TrainingObjective


class ProgramFilter(filters.FilterSet):
    """Programs."""

    class Meta:
        model = Program
        fields = ["status", "degree_type", "lead_university"]


class CourseFilter(filters.FilterSet):
    """The course catalogue."""

    class Meta:
        model = Course
        fields = ["category", "integrates_ie", "delivering_organization"]


class ObjectiveFilter(filters.FilterSet):
    """Training objectives."""

    class Meta:
        model = TrainingObjective
        fields = ["program"]


class StageFilter(filters.FilterSet):
    """Stages of the training process."""

    class Meta:
        model = Stage
        fields = ["program"]


class MilestoneTemplateFilter(filters.FilterSet):
    """Milestone templates."""

    class Meta:
        model = MilestoneTemplate
        fields = ["program"]


class CurriculumFilter(filters.FilterSet):
    """Curriculum entries."""

    class Meta:
        model = ProgramCourse
        fields = ["program"]
