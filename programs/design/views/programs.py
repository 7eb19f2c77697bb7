"""The program list and a program's page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.pages import page_of
from training_portal.core.permissions import is_active_user, require

from ... import extensions
from ...models import Course, Program, ProgramCourse, Stage, Student, TutorAssignment
from ...partners.permissions import can_open_agreement
from ...people.filters import ProgramStudentFilter
from .. import workflow
from ..permissions import can_manage_program, course_ids_editable_by

#: The latest steps of a program's lifecycle shown on its page (all are in its history).
STATUS_CHANGES_SHOWN = 10
#: A program's students shown at a time (its table is searched and paged: thousands of them).
STUDENTS_PER_PAGE = 50


# ---- Programs and placements ---------------------------------------------------------------


@require(is_active_user)
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programs = Program.objects.visible_to(request.user).select_related("lead_university")
    return render(request, "programs/program_list.html", {"programs": programs})


@login_required
def program_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    program = get_object_or_404(
        Program.objects.visible_to(user)
        .select_related("lead_university")
        .prefetch_related(
            "objectives",
            Prefetch(
                "stages",
                queryset=Stage.objects.prefetch_related("milestone_templates").order_by("order"),
            ),
            Prefetch(
                "curriculum",
                queryset=ProgramCourse.objects.select_related(
                    "course__delivering_organization"
                ).order_by("semester", "course__code"),
            ),
            "milestone_templates",
            "partners__organization",
            "partners__responsibilities",
        ),
        pk=pk,
    )
    filters = ProgramStudentFilter(
        request.GET or None,
        queryset=Student.objects.of_program_visible_to(program, user),
        request=request,
    )
    students = (
        filters.qs.order_by("student_number")
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=TutorAssignment.objects.filter(ended_on__isnull=True)
                .select_related("tutor__user")
                .order_by("role", "started_on"),
                to_attr="current_assignments",
            )
        )
    )
    can_manage = can_manage_program(user, program)
    stages = list(program.stages.all())
    in_use_stages = {s.pk for s in stages if s.retired_at is None}
    templates = list(program.milestone_templates.all())
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "can_manage": can_manage,
            "can_edit_elements": can_manage and workflow.allows(program, "edit_elements"),
            "transitions": workflow.allowed_transitions(user, program),
            "openable_agreements": {
                partner.pk
                for partner in program.partners.all()
                if partner.agreement_file and can_open_agreement(user, partner)
            },
            # Other apps' pages about the program (evaluation's indicators, new round, dashboard).
            "sections": extensions.sections_for(user, program),
            "student_filter": filters.form,
            "students": page_of(request, students, STUDENTS_PER_PAGE),
            "objectives": _in_use(program.objectives.all()),
            "stages": _in_use(stages),
            "unplaced_templates": [
                t for t in templates if t.retired_at is None and t.stage_id not in in_use_stages
            ],
            "retired_templates": [t for t in templates if t.retired_at is not None],
            "curriculum": _in_use(program.curriculum.all()),
            "editable_courses": course_ids_editable_by(
                user, Course.objects.filter(in_programs__program=program)
            )
            if can_manage
            else set(),
            "partners": _split(program.partners.all(), lambda p: p.is_active),
            # Who moved the program through its lifecycle and why: for those who manage it.
            "status_changes": program.status_changes.select_related("changed_by")[
                :STATUS_CHANGES_SHOWN
            ]
            if can_manage
            else [],
        },
    )


def _split(rows: Any, in_use: Any) -> tuple[list[Any], list[Any]]:
    """(in use, retired), for the page's two lists of an element."""
    rows = list(rows)
    return [r for r in rows if in_use(r)], [r for r in rows if not in_use(r)]


def _in_use(rows: Any) -> tuple[list[Any], list[Any]]:
    return _split(rows, lambda row: row.retired_at is None)
