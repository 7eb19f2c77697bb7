"""The program administrator's pages that change what exists: edit the program and its
elements, remove (delete or retire) and reinstate them, reorder them, move the program through
its lifecycle.

As in `views.admin`: a program the user may not see is a 404, one they see but may not manage
a 403, a service's ValidationError is shown on the form (or as a message after a button).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.forms import BootstrapForm
from training_portal.core.pages import act, submit

from ...models import (
    MilestoneTemplate,
    Placement,
    Program,
    ProgramCourse,
    ProgramPartner,
    Stage,
    Student,
    TrainingObjective,
)
from .. import services as elements
from .. import workflow
from ..forms import (
    CourseForm,
    CurriculumEntryForm,
    MilestoneTemplateForm,
    ObjectiveForm,
    PartnerEditForm,
    ProgramCloseForm,
    ProgramForm,
    StageForm,
)
from ..permissions import can_edit_course, can_transition
from .admin import _done, _managed_program, _program_page, _render, _submit

CONFIRM_PAGE = "programs/admin/confirm_remove.html"
#: The page on which each `confirmed` step of the program's lifecycle is taken.
CONFIRMATION_PAGES = {"close": "programs:program-close"}


@dataclass(frozen=True)
class Kind:
    """One kind of element as the pages name it in URLs (`objectives`, `stages` …)."""

    model: type[models.Model]
    form: type[BootstrapForm]
    argument: str
    edit_title: Promise
    noun: Promise
    ordered: bool = False


KINDS: dict[str, Kind] = {
    "objectives": Kind(
        TrainingObjective,
        ObjectiveForm,
        "objective",
        gettext_lazy("Edit the training objective"),
        gettext_lazy("training objective"),
        ordered=True,
    ),
    "stages": Kind(
        Stage,
        StageForm,
        "stage",
        gettext_lazy("Edit the stage"),
        gettext_lazy("stage"),
        ordered=True,
    ),
    "milestones": Kind(
        MilestoneTemplate,
        MilestoneTemplateForm,
        "template",
        gettext_lazy("Edit the milestone"),
        gettext_lazy("milestone"),
    ),
    "curriculum": Kind(
        ProgramCourse,
        CurriculumEntryForm,
        "entry",
        gettext_lazy("Edit the course's place in the curriculum"),
        gettext_lazy("curriculum course"),
    ),
    "partners": Kind(
        ProgramPartner,
        PartnerEditForm,
        "partner",
        gettext_lazy("Edit the partnership"),
        gettext_lazy("partner"),
    ),
}

UPDATES: dict[str, Callable[..., Any]] = {
    "objectives": elements.update_objective,
    "stages": elements.update_stage,
    "milestones": elements.update_milestone_template,
    "curriculum": elements.update_curriculum_entry,
    "partners": elements.update_partner,
}


def _element(request: AuthenticatedHttpRequest, pk: int, kind: str, item: int) -> tuple[Any, Any]:
    """The managed program (404 hidden, 403 not managed) and its element of that kind."""
    if kind not in KINDS:
        raise Http404
    program = _managed_program(request, pk)
    rows = KINDS[kind].model._default_manager.select_related("program")
    if kind == "partners":
        rows = rows.select_related("organization")
    element = get_object_or_404(rows, pk=item, program=program)
    return program, element


def _initial(form_class: type[BootstrapForm], element: Any) -> dict[str, Any]:
    initial = {}
    for name in form_class.base_fields:
        if name == "agreement_file":
            continue
        if name == "responsibilities":
            initial[name] = [r.responsibility for r in element.responsibilities.all()]
        elif name == "stage":
            initial[name] = element.stage_id
        else:
            initial[name] = getattr(element, name)
    return initial


def _form(kind: str, request: AuthenticatedHttpRequest, element: Any) -> BootstrapForm:
    form_class = KINDS[kind].form
    extra: dict[str, Any] = {}
    if kind == "milestones":
        extra = {"program": element.program, "current_stage": element.stage_id}
    elif kind in ("objectives", "stages"):
        extra = {"program": element.program, "element": element}
    elif kind == "partners":
        extra = {"partner": element}
    return form_class(
        request.POST or None,
        request.FILES or None,
        initial=_initial(form_class, element),
        **extra,
    )


def _edit_title(kind: str, element: Any) -> Any:
    """A partnership's page names the partner organisation it is about."""
    if kind == "partners":
        return _("Edit the partnership with %(organization)s") % {
            "organization": element.organization.name
        }
    return KINDS[kind].edit_title


@login_required
@require_http_methods(["GET", "POST"])
def element_edit(request: AuthenticatedHttpRequest, pk: int, kind: str, item: int) -> HttpResponse:
    program, element = _element(request, pk, kind, item)
    form = _form(kind, request, element)

    def update(cleaned: dict[str, Any]) -> None:
        data = dict(cleaned)
        if kind == "partners" and not data.get("agreement_file"):
            data.pop("agreement_file", None)
        UPDATES[kind](user=request.user, **{KINDS[kind].argument: element}, **data)

    return _submit(
        request,
        form,
        update,
        done=_("Your changes have been saved."),
        title=_edit_title(kind, element),
        program=program,
        multipart=kind == "partners",
        record=element,
    )


@login_required
@require_http_methods(["GET", "POST"])
def element_remove(
    request: AuthenticatedHttpRequest, pk: int, kind: str, item: int
) -> HttpResponse:
    """GET: say whether the element will be deleted or retired, and why; POST: do it."""
    program, element = _element(request, pk, kind, item)
    if request.method == "POST":
        return _act(
            request,
            program,
            lambda: elements.remove_element(user=request.user, element=element),
            lambda removal: (
                _("It has been deleted.")
                if removal.action == "delete"
                else _(
                    "It has been retired: kept for the records that refer to it, offered no more."
                )
            ),
        )
    return render(
        request,
        CONFIRM_PAGE,
        {
            "program": program,
            "element": element,
            "noun": KINDS[kind].noun,
            "label": _in_program(element),
            "removal": elements.removal_of(element),
        },
    )


@login_required
@require_POST
def element_reinstate(
    request: AuthenticatedHttpRequest, pk: int, kind: str, item: int
) -> HttpResponse:
    program, element = _element(request, pk, kind, item)
    return _act(
        request,
        program,
        lambda: elements.reinstate_element(user=request.user, element=element),
        _("It is in use again."),
    )


@login_required
@require_POST
def element_move(request: AuthenticatedHttpRequest, pk: int, kind: str, item: int) -> HttpResponse:
    if kind not in KINDS or not KINDS[kind].ordered:
        raise Http404
    program, element = _element(request, pk, kind, item)
    return _act(
        request,
        program,
        lambda: elements.move_element(
            user=request.user, element=element, direction=request.POST.get("direction", "")
        ),
        "",
    )


def _act(
    request: AuthenticatedHttpRequest,
    program: Program,
    action: Callable[[], Any],
    done: str | Callable[[Any], str],
) -> HttpResponse:
    """A button on the program's page: back to it, with `done` or the refusal as messages."""
    return act(request, action, success=done, redirect_to=_program_page(program))


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: AuthenticatedHttpRequest, pk: int, item: int) -> HttpResponse:
    """The course of a curriculum entry; see `can_edit_course` for who may change it."""
    program, entry = _element(request, pk, "curriculum", item)
    course = entry.course
    if not can_edit_course(request.user, course):
        raise PermissionDenied
    initial = {name: getattr(course, name) for name in CourseForm.base_fields}
    form = CourseForm(request.POST or None, initial=initial)

    def page() -> HttpResponse:
        shared = course.in_programs.exclude(program=program).count()
        notice = _("This course is also taught in other programs; they will show the change.")
        return _render(
            request,
            form,
            title=_("Edit the course"),
            program=program,
            record=course,
            notice=notice if shared else "",
        )

    return submit(
        request,
        form,
        lambda data: elements.update_course(user=request.user, course=course, **data),
        success=_("Your changes have been saved."),
        redirect_to=_program_page(program),
        page=page,
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _managed_program(request, pk)
    initial = {name: getattr(program, name) for name in ProgramForm.base_fields}
    return _submit(
        request,
        ProgramForm(request.POST or None, initial=initial),
        lambda data: elements.update_program(user=request.user, program=program, **data),
        done=_("Your changes have been saved."),
        title=_("Edit the program"),
        program=program,
        record=program,
    )


def _in_program(element: Any) -> Any:
    """The element as its program's page names it: a course or a partner without the
    program's code, which the page already shows."""
    if isinstance(element, ProgramCourse):
        return element.course
    if isinstance(element, ProgramPartner):
        return element.organization
    return element


@login_required
@require_http_methods(["GET", "POST"])
def program_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: say what closing the program means (with what is still running), POST: close it,
    with an optional reason."""
    program = _managed_program(request, pk)
    transition = workflow.BY_NAME["close"]
    if not can_transition(request.user, program, transition):
        raise PermissionDenied  # not theirs, or the program is not active
    form = ProgramCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            elements.transition_program(
                user=request.user,
                program=program,
                name="close",
                confirmed=True,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            return _done(
                request,
                program,
                _("The program is now “%(status)s”.") % {"status": program.get_status_display()},
            )
    running = {
        "students": Student.objects.filter(program=program).active().count(),
        "placements": Placement.objects.taking_places().filter(student__program=program).count(),
    }
    return render(
        request,
        "programs/admin/confirm_close.html",
        {"program": program, "form": form, "running": running},
    )


@login_required
@require_POST
def program_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One click for the steps that need no confirmation; a step that does (closing) is sent to
    its confirmation page, and the service refuses it from here."""
    program = _managed_program(request, pk)
    transition = workflow.BY_NAME.get(request.POST.get("transition", ""))
    if (
        transition is not None
        and transition.confirmed
        and can_transition(request.user, program, transition)
    ):
        return redirect(CONFIRMATION_PAGES[transition.name], pk=program.pk)
    return _act(
        request,
        program,
        lambda: elements.transition_program(
            user=request.user,
            program=program,
            name=request.POST.get("transition", ""),
            reason=request.POST.get("reason", ""),
        ),
        lambda _result: (
            _("The program is now “%(status)s”.") % {"status": program.get_status_display()}
        ),
    )
