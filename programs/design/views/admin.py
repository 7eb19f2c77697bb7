"""The program administrator's pages: make a program and its elements, partners and people.

Each page validates one form and calls one service; a service's ValidationError is shown on
the form (200), PermissionDenied gives 403, a program the user may not see gives 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.forms import BootstrapForm
from training_portal.core.pages import permitted, submit
from training_portal.core.permissions import require

from ...models import Program, Student, TutorProfile
from ...partners.services import partners
from ...people.services import people
from ..forms import (
    AssignTutorForm,
    CurriculumForm,
    EnrolForm,
    MilestoneTemplateForm,
    ObjectiveForm,
    PartnerForm,
    ProgramForm,
    StageForm,
)
from ..permissions import can_create_program, can_manage_program

FORM_PAGE = "programs/admin/form_page.html"


def _managed_program(request: AuthenticatedHttpRequest, pk: int) -> Program:
    return permitted(
        Program.objects.visible_to(request.user), request.user, can_manage_program, pk=pk
    )


def _render(
    request: AuthenticatedHttpRequest,
    form: forms.Form,
    *,
    title: str,
    program: Program | None = None,
    **extra: Any,
) -> HttpResponse:
    context = {"form": form, "title": title, "program": program, **extra}
    return render(request, FORM_PAGE, context)


def _done(request: AuthenticatedHttpRequest, program: Program, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(_program_page(program))


def _program_page(program: Program) -> str:
    return reverse("programs:program-detail", args=[program.pk])


def _submit(
    request: AuthenticatedHttpRequest,
    form: BootstrapForm,
    action: Callable[[dict[str, Any]], Any],
    *,
    done: str,
    title: str,
    program: Program | None = None,
    **extra: Any,
) -> HttpResponse:
    """The form page of a program (or of a new one): back to the program when `action`
    succeeds, else the form again."""
    return submit(
        request,
        form,
        action,
        success=done,
        redirect_to=lambda result: _program_page(program or result),
        page=lambda: _render(request, form, title=title, program=program, **extra),
    )


@require(can_create_program)
@require_http_methods(["GET", "POST"])
def program_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _submit(
        request,
        ProgramForm(request.POST or None),
        lambda data: partners.create_program(user=request.user, **data),
        done=_("The program has been created."),
        title=_("New program"),
    )


def _element_adder(
    form_class: type[BootstrapForm],
    service: Callable[..., Any],
    title: Promise,
    done: Promise,
) -> Callable[..., HttpResponse]:
    """The page that adds one element (objective, stage, milestone) to a managed program."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        program = _managed_program(request, pk)
        return _submit(
            request,
            form_class(request.POST or None, program=program),
            lambda data: service(user=request.user, program=program, **data),
            done=str(done),
            title=str(title),
            program=program,
        )

    return add


objective_add = _element_adder(
    ObjectiveForm,
    partners.add_objective,
    gettext_lazy("Add a training objective"),
    gettext_lazy("The training objective has been added."),
)
stage_add = _element_adder(
    StageForm,
    partners.add_stage,
    gettext_lazy("Add a stage"),
    gettext_lazy("The stage has been added."),
)
milestone_template_add = _element_adder(
    MilestoneTemplateForm,
    partners.add_milestone_template,
    gettext_lazy("Add a milestone"),
    gettext_lazy("The milestone has been added."),
)


@login_required
@require_http_methods(["GET", "POST"])
def curriculum_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _managed_program(request, pk)
    form = CurriculumForm(request.POST or None)

    def add(data: dict[str, Any]) -> None:
        add = (
            partners.create_course_in_curriculum
            if form.new_course is not None
            else partners.add_course_to_curriculum
        )
        try:
            add(
                user=request.user,
                program=program,
                course=form.new_course or data["course"],
                requirement=data["requirement"],
                semester=data["semester"],
            )
        except ValidationError:
            if form.new_course is not None:
                form.new_course.pk = None
            raise

    return _submit(
        request,
        form,
        add,
        done=_("The course has been added to the curriculum."),
        title=_("Add a course to the curriculum"),
        program=program,
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _managed_program(request, pk)
    return _submit(
        request,
        PartnerForm(request.POST or None, request.FILES or None),
        lambda data: partners.add_partner(user=request.user, program=program, **data),
        done=_("The partner has been added."),
        title=_("Add a partner"),
        program=program,
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def student_enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _managed_program(request, pk)
    form = EnrolForm(request.POST or None)
    return submit(
        request,
        form,
        lambda data: people.enrol_student(
            user=request.user,
            program=program,
            student_user=data["email"],
            student_number=data["student_number"],
            cohort=data["cohort"],
            enrolled_on=data["enrolled_on"],
        ),
        success=_("The student has been enrolled."),
        redirect_to=_program_page(program),
        page=lambda: _render(request, form, title=_("Enrol a student"), program=program),
        aliases={"student_user": "email"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tutor_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _managed_program(request, pk)
    form = AssignTutorForm(
        request.POST or None,
        students=Student.objects.visible_to(request.user)
        .filter(program=program)
        .select_related("user")
        .order_by("user__full_name"),
        tutors=TutorProfile.objects.visible_to(request.user)
        .filter(is_active=True)
        .select_related("user")
        .order_by("user__full_name"),
    )
    return _submit(
        request,
        form,
        lambda data: people.assign_tutor(user=request.user, **data),
        done=_("The tutor has been assigned."),
        title=_("Assign a tutor"),
        program=program,
    )
