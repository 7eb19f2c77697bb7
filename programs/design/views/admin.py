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
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.forms import BootstrapForm
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
    program = get_object_or_404(Program.objects.visible_to(request.user), pk=pk)
    if not can_manage_program(request.user, program):
        raise PermissionDenied
    return program


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
    return redirect("programs:program-detail", pk=program.pk)


@require(can_create_program)
@require_http_methods(["GET", "POST"])
def program_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = partners.create_program(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, program, _("The program has been created."))
    return _render(request, form, title=_("New program"))


def _add_element(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    form_class: type[BootstrapForm],
    service: Callable[..., Any],
    title: str,
    done: str,
    form_needs_program: bool = False,
) -> HttpResponse:
    """A page that adds one element (objective, stage, milestone) to a managed program."""
    program = _managed_program(request, pk)
    extra = {"program": program} if form_needs_program else {}
    form = form_class(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            service(user=request.user, program=program, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, program, done)
    return _render(request, form, title=title, program=program)


@login_required
@require_http_methods(["GET", "POST"])
def objective_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _add_element(
        request,
        pk,
        form_class=ObjectiveForm,
        service=partners.add_objective,
        title=_("Add a training objective"),
        done=_("The training objective has been added."),
        form_needs_program=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def stage_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _add_element(
        request,
        pk,
        form_class=StageForm,
        service=partners.add_stage,
        title=_("Add a stage"),
        done=_("The stage has been added."),
        form_needs_program=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_template_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _add_element(
        request,
        pk,
        form_class=MilestoneTemplateForm,
        service=partners.add_milestone_template,
        title=_("Add a milestone"),
        done=_("The milestone has been added."),
        form_needs_program=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def curriculum_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _managed_program(request, pk)
    form = CurriculumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
        except ValidationError as exc:
            if form.new_course is not None:
                form.new_course.pk = None
            form.add_service_errors(exc)
        else:
            return _done(request, program, _("The course has been added to the curriculum."))
    return _render(request, form, title=_("Add a course to the curriculum"), program=program)


@login_required
@require_http_methods(["GET", "POST"])
def partner_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _managed_program(request, pk)
    form = PartnerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            partners.add_partner(user=request.user, program=program, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, program, _("The partner has been added."))
    return _render(
        request,
        form,
        title=_("Add a partner"),
        program=program,
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def student_enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _managed_program(request, pk)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people.enrol_student(
                user=request.user,
                program=program,
                student_user=data["email"],
                student_number=data["student_number"],
                cohort=data["cohort"],
                enrolled_on=data["enrolled_on"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc, {"student_user": "email"})
        else:
            return _done(request, program, _("The student has been enrolled."))
    return _render(request, form, title=_("Enrol a student"), program=program)


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
    if request.method == "POST" and form.is_valid():
        try:
            people.assign_tutor(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, program, _("The tutor has been assigned."))
    return _render(request, form, title=_("Assign a tutor"), program=program)
