"""A student's training record: plan, milestones, placements, projects, evaluations, cases."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from programs.models import (
    Course,
    Milestone,
    MilestoneTemplate,
    Placement,
    Project,
    ProjectMember,
    Student,
    TrainingPlan,
)
from programs.models.programs import CourseCategory
from training_portal.core import charts

from ...models import (
    Evaluation,
    Source,
)
from .base import (
    ReportData,
    Section,
    case_totals_section,
    choice_labels,
    listing_section,
    two_places,
)

# ---- A student's training record ---------------------------------------------------------


def student_record(student: Student) -> ReportData:
    plan = (
        TrainingPlan.objects.filter(student=student)
        .order_by("-version")
        .values("pk", "version", "status", "career_goal", "personal_objectives")
        .first()
    )
    sections = [
        Section(
            key="plan",
            title=_("Training plan"),
            columns=[_("Version"), _("Status"), _("Career goal"), _("Personal objectives")],
            rows=[
                [plan["version"], plan["status"], plan["career_goal"], plan["personal_objectives"]]
            ]
            if plan
            else [],
            labels={
                1: choice_labels(TrainingPlan.Status.choices),
                2: choice_labels(TrainingPlan.CareerGoal.choices),
            },
        ),
        _plan_courses(plan["pk"] if plan else None),
        _student_milestones(student),
        _student_placements(student),
        case_totals_section(Q(student=student)),
        _student_projects(student),
        _student_evaluations(student),
    ]
    return ReportData(
        kind="student_record",
        title=_("Training record"),
        subject=f"{student.user} ({student.student_number})",
        period="",
        subject_key={"student": student.pk},
        sections=sections,
    )


def _plan_courses(plan_id: int | None) -> Section:
    rows = (
        [
            [code, title, two_places(credits), category]
            for code, title, credits, category in Course.objects.filter(plans=plan_id)
            .order_by("code")
            .values_list("code", "title", "credits", "category")
        ]
        if plan_id
        else []
    )
    return Section(
        key="courses",
        title=_("Courses"),
        columns=[_("Code"), _("Title"), _("Credits"), _("Category")],
        rows=rows,
        labels={3: choice_labels(CourseCategory.choices)},
    )


def _student_milestones(student: Student) -> Section:
    return listing_section(
        "milestones",
        _("Milestones"),
        Milestone.objects.filter(student=student).order_by("due_date", "pk"),
        {
            "title": _("Milestone"),
            "kind": _("Kind"),
            "due_date": _("Due"),
            "completed_on": _("Completed"),
            "signed_off_at__date": _("Signed off"),
        },
        {"kind": MilestoneTemplate.Kind.choices},
    )


def _student_placements(student: Student) -> Section:
    return listing_section(
        "placements",
        _("Placements"),
        Placement.objects.filter(student=student).order_by("start_date", "pk"),
        {
            "host__name": _("Host"),
            "start_date": _("Start"),
            "end_date": _("End"),
            "status": _("Status"),
        },
        {"status": Placement.Status.choices},
    )


def _student_projects(student: Student) -> Section:
    return listing_section(
        "projects",
        _("Projects"),
        ProjectMember.objects.filter(user=student.user_id).order_by("project__title", "pk"),
        {
            "project__title": _("Project"),
            "project__kind": _("Kind"),
            "project__size": _("Size"),
            "project__status": _("Status"),
            "role": _("Role"),
        },
        {
            "project__kind": Project.Kind.choices,
            "project__size": Project.Size.choices,
            "project__status": Project.Status.choices,
            "role": ProjectMember.Role.choices,
        },
    )


def _student_evaluations(student: Student) -> Section:
    rows = [
        [title, period_end, source, two_places(total), submitted_at.date()]
        for title, period_end, source, total, submitted_at in Evaluation.objects.filter(
            subject_kind="student", student=student
        )
        .order_by("round__period_end", "submitted_at", "pk")
        .values_list("round__title", "round__period_end", "source", "total", "submitted_at")
    ]
    return Section(
        key="evaluations",
        title=_("Evaluations"),
        columns=[_("Round"), _("Period end"), _("Source"), _("Weighted total"), _("Submitted")],
        rows=rows,
        labels={2: choice_labels(Source.choices)},
        chart=charts.bar_chart(
            [(f"{row[0]} · {Source(str(row[2])).label}", row[3]) for row in rows][:20],
            title=_("Evaluations"),
            empty_label=_("No evaluations."),
            max_value=100,
        ),
    )
