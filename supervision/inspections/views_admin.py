"""The administrators' pages of external inspections: scheduling, assignments, the inspector
pool with its conflicts of interest, checklist templates, and the double random draws (with
their verification and redo).

Portal administrators manage; an inspector reads their own assignments and profile and
declares their own conflicts. Pages start from the `visible_to` querysets (outside: 404); a
forbidden action is a 403.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.typing import AuthenticatedHttpRequest
from programs.models import Organization, Program, Student
from training_portal.core.pages import act, page_of, permitted, submit
from training_portal.core.permissions import require

from ..models import (
    ChecklistTemplate,
    ConflictOfInterest,
    Draw,
    Inspection,
    InspectionAssignment,
    InspectionType,
    InspectorProfile,
)
from . import draw as drawing
from . import permissions, services
from .forms import (
    AssignmentForm,
    ChecklistTemplateForm,
    ConflictForm,
    DrawForm,
    RedoDrawForm,
    ScheduleInspectionForm,
    TemplateItemFormSet,
    template_items,
)
from .views import PER_PAGE, menu_for

manages = permissions.can_manage_inspections


def inspector_or_manager(user: Any) -> bool:
    return permissions.can_manage_inspections(user) or permissions.is_inspector(user)


def _programs() -> QuerySet[Program]:
    return Program.objects.exclude(status=Program.Status.CLOSED).order_by("code")


def _organizations() -> QuerySet[Organization]:
    return Organization.objects.order_by("name")


# ---- Scheduling ------------------------------------------------------------------------------


@require(manages)
@require_http_methods(["GET", "POST"])
def inspection_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ScheduleInspectionForm(
        request.POST or None, programs=_programs(), organizations=_organizations()
    )
    return submit(
        request,
        form,
        lambda data: services.schedule_inspection(by=request.user, **form.service_arguments()),
        success=_("The inspection has been scheduled."),
        redirect_to=lambda inspection: reverse(
            "inspections:inspection-detail", args=[inspection.pk]
        ),
        page=lambda: render(request, "supervision/inspections/schedule.html", {"form": form}),
        aliases={"program": "target", "organization": "target"},
    )


# ---- Assignments -----------------------------------------------------------------------------


@require(inspector_or_manager)
@require_GET
def assignment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Portal administrators: every assignment; an inspector: their own."""
    rows = (
        InspectionAssignment.objects.visible_to(request.user)
        .select_related("inspector", "program", "organization", "created_by", "revoked_by")
        .order_by("-valid_from", "-pk")
    )
    page = page_of(request, rows, PER_PAGE)
    return render(
        request,
        "supervision/inspections/assignment_list.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "manages": manages(request.user),
            "menu": menu_for(request.user, "assignments"),
        },
    )


@require(manages)
@require_http_methods(["GET", "POST"])
def assignment_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"valid_from": timezone.localdate()}
    if (inspector := request.GET.get("inspector", "")).isdigit():
        initial["inspector"] = int(inspector)
    form = AssignmentForm(
        request.POST or None,
        initial=initial,
        programs=_programs(),
        organizations=_organizations(),
    )
    return submit(
        request,
        form,
        lambda data: services.create_assignment(by=request.user, **form.service_arguments()),
        success=_("The assignment has been created."),
        redirect_to="inspections:assignment-list",
        page=lambda: render(
            request, "supervision/inspections/assignment_form.html", {"form": form}
        ),
        aliases={"program": "target", "organization": "target"},
    )


@login_required
@require_POST
def assignment_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = permitted(
        InspectionAssignment.objects.visible_to(request.user),
        request.user,
        lambda user, _assignment: manages(user),
        pk=pk,
    )
    return act(
        request,
        lambda: services.revoke_assignment(by=request.user, assignment=assignment),
        success=_("The assignment has been revoked; it no longer gives access."),
        redirect_to="inspections:assignment-list",
    )


# ---- The inspector pool and conflicts of interest --------------------------------------------


def visible_profiles(user: Any) -> QuerySet[InspectorProfile]:
    """Portal administrators: the whole pool; an inspector: their own profile; others none."""
    profiles = InspectorProfile.objects.select_related("user", "affiliation")
    if permissions.can_manage_inspections(user):
        return profiles
    if getattr(user, "is_authenticated", False) and user.is_active:
        return profiles.filter(user=user)
    return profiles.none()


@require(inspector_or_manager)
@require_GET
def inspector_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    profiles = (
        visible_profiles(request.user)
        .prefetch_related(
            Prefetch(
                "user__conflicts_of_interest",
                queryset=ConflictOfInterest.objects.select_related("organization").order_by(
                    "organization__name"
                ),
            )
        )
        .annotate(
            current_assignments=Count(
                "user__inspection_assignments",
                filter=Q(
                    user__inspection_assignments__revoked_at__isnull=True,
                    user__inspection_assignments__valid_from__lte=today,
                    user__inspection_assignments__valid_until__gte=today,
                ),
            )
        )
        .order_by("user__full_name", "user__email")
    )
    page = page_of(request, profiles, PER_PAGE)
    return render(
        request,
        "supervision/inspections/inspector_list.html",
        {
            "page": page,
            "manages": manages(request.user),
            "menu": menu_for(request.user, "inspectors"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflict_create(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    profile = get_object_or_404(visible_profiles(request.user), user_id=user_pk)
    inspector: User = profile.user
    if not permissions.can_declare_conflict(request.user, inspector):
        raise PermissionDenied
    form = ConflictForm(request.POST or None)
    return submit(
        request,
        form,
        lambda data: services.declare_conflict(by=request.user, inspector=inspector, **data),
        success=_("The conflict of interest has been recorded."),
        redirect_to="inspections:inspector-list",
        page=lambda: render(
            request,
            "supervision/inspections/conflict_form.html",
            {"form": form, "inspector": inspector},
        ),
        aliases={"inspector": "organization"},
    )


# ---- Checklist templates ---------------------------------------------------------------------


@require(manages)
@require_GET
def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    templates = {
        template.inspection_type: template
        for template in ChecklistTemplate.objects.annotate(questions=Count("items"))
    }
    rows = [
        {"type": value, "label": label, "template": templates.get(value)}
        for value, label in InspectionType.choices
    ]
    return render(
        request,
        "supervision/inspections/template_list.html",
        {"rows": rows, "menu": menu_for(request.user, "templates")},
    )


@require(manages)
@require_http_methods(["GET", "POST"])
def template_edit(request: AuthenticatedHttpRequest, inspection_type: str) -> HttpResponse:
    if inspection_type not in InspectionType.values:
        raise Http404
    label = InspectionType(inspection_type).label
    template = (
        ChecklistTemplate.objects.filter(inspection_type=inspection_type)
        .prefetch_related("items")
        .first()
    )
    if request.method == "POST":
        form = ChecklistTemplateForm(request.POST)
        formset = TemplateItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            try:
                services.save_checklist_template(
                    by=request.user,
                    inspection_type=inspection_type,
                    title=form.cleaned_data["title"],
                    items=template_items(formset),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The checklist template has been saved."))
                return redirect("inspections:template-list")
    else:
        form = ChecklistTemplateForm(
            initial={
                "title": template.title if template else _("%(type)s checklist") % {"type": label}
            }
        )
        formset = TemplateItemFormSet(
            prefix="items",
            initial=[
                {"section": item.section, "text": item.text, "guidance": item.guidance}
                for item in (template.items.all() if template else [])
            ],
        )
    return render(
        request,
        "supervision/inspections/template_form.html",
        {"form": form, "formset": formset, "label": label, "template": template},
    )


# ---- Draws -----------------------------------------------------------------------------------


@require(manages)
@require_GET
def draw_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = (
        Draw.objects.visible_to(request.user)
        .select_related("drawn_by", "replaces")
        .annotate(inspection_count=Count("inspections"))
        .order_by("-drawn_at", "-pk")
    )
    page = page_of(request, rows, PER_PAGE)
    return render(
        request,
        "supervision/inspections/draw_list.html",
        {"page": page, "menu": menu_for(request.user, "draws")},
    )


@require(manages)
@require_http_methods(["GET", "POST"])
def draw_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DrawForm(request.POST or None)
    return submit(
        request,
        form,
        lambda data: drawing.make_draw(by=request.user, **form.service_arguments()),
        success=_("The draw has been made and its inspections scheduled."),
        redirect_to=lambda made: reverse("inspections:draw-detail", args=[made.pk]),
        page=lambda: render(
            request, "supervision/inspections/draw_form.html", {"form": form, "draw": None}
        ),
        aliases=lambda: _draw_aliases(form),
    )


def _draw_aliases(form: DrawForm) -> dict[str, str]:
    """Service field names that the draw form calls differently."""
    kind = form.cleaned_data.get("target_kind")
    field = "candidate_programs" if kind == Draw.TargetKind.PROGRAM else "candidate_organizations"
    return {"candidate_ids": field}


def _visible_draw(user: Any, pk: int) -> Draw:
    return get_object_or_404(
        Draw.objects.visible_to(user).select_related("drawn_by", "replaces"), pk=pk
    )


@require(manages)
@require_GET
def draw_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_draw(request, _visible_draw(request.user, pk))


@require(manages)
@require_POST
def draw_verify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Runs the draw again from its record and shows whether the result is the same."""
    made = _visible_draw(request.user, pk)
    return _render_draw(request, made, verification=drawing.verify_draw(made))


def _render_draw(
    request: AuthenticatedHttpRequest, made: Draw, verification: list[str] | None = None
) -> HttpResponse:
    inspections = (
        Inspection.objects.visible_to(request.user)
        .filter(draw=made)
        .select_related("program", "organization")
        .order_by("pk")
    )
    replaced_by = Draw.objects.filter(replaces=made).only("pk", "public_id").first()
    return render(
        request,
        "supervision/inspections/draw_detail.html",
        {
            "draw": made,
            "summary": _draw_summary(made),
            "inputs_json": json.dumps(made.inputs, indent=2, sort_keys=True),
            "result_json": json.dumps(made.result, indent=2, sort_keys=True),
            "inspections": inspections,
            "replaced_by": replaced_by,
            "verification": verification,
            "verified": verification is not None,
            "public_verify_url": _public_verify_url(made),
            "may_redo": replaced_by is None,
        },
    )


def _draw_summary(made: Draw) -> dict[str, Any]:
    """The draw's inputs and result with names instead of ids (one query per kind of thing,
    whatever the size of the draw)."""
    inputs: dict[str, Any] = made.inputs or {}
    result: dict[str, Any] = made.result or {}
    drawn = result.get("targets", [])
    recusals = result.get("recusals", [])
    model: Any = Program if made.target_kind == Draw.TargetKind.PROGRAM else Organization
    targets = model.objects.in_bulk({t["id"] for t in drawn} | {r["target"] for r in recusals})
    people = User.objects.in_bulk(
        {user for t in drawn for user in t["inspectors"]} | {r["inspector"] for r in recusals}
    )
    students = Student.objects.select_related("user").in_bulk(
        {student for t in drawn for student in t["students"]}
    )
    organizations = Organization.objects.in_bulk({r["organization"] for r in recusals})
    return {
        "numbers": {
            "targets": inputs.get("targets"),
            "students_per_target": inputs.get("students_per_target"),
            "inspectors_per_target": inputs.get("inspectors_per_target"),
            "candidates": len(inputs.get("candidates", [])),
            "inspectors": len(inputs.get("inspectors", [])),
            "conflicts": len(inputs.get("conflicts", [])),
        },
        "targets": [
            {
                "id": t["id"],
                "target": targets.get(t["id"]),
                "students": [students.get(pk) or pk for pk in t["students"]],
                "inspectors": [people.get(pk) or pk for pk in t["inspectors"]],
            }
            for t in drawn
        ],
        "recusals": [
            {
                "target": targets.get(r["target"]) or r["target"],
                "inspector": people.get(r["inspector"]) or r["inspector"],
                "organization": organizations.get(r["organization"]) or r["organization"],
                "reason": r.get("reason", ""),
            }
            for r in recusals
        ],
    }


def _public_verify_url(made: Draw) -> str:
    try:
        return reverse("public:draw-verify", args=[made.public_id])
    except NoReverseMatch:
        return ""


def _redo_initial(made: Draw) -> dict[str, Any]:
    """The replaced draw's parameters, to start from (a fresh seed unless one is typed)."""
    inputs: dict[str, Any] = made.inputs or {}
    candidates = [c["id"] for c in inputs.get("candidates", [])]
    first = made.inspections.order_by("pk").first()
    field = (
        "candidate_programs"
        if made.target_kind == Draw.TargetKind.PROGRAM
        else "candidate_organizations"
    )
    return {
        "target_kind": made.target_kind,
        "inspection_type": made.inspection_type,
        "unannounced": made.unannounced,
        "targets": inputs.get("targets"),
        "students_per_target": inputs.get("students_per_target"),
        "inspectors_per_target": inputs.get("inspectors_per_target"),
        field: candidates,
        "starts_at": timezone.localtime(first.starts_at) if first else None,
        "ends_on": first.ends_on if first else None,
    }


@require(manages)
@require_http_methods(["GET", "POST"])
def draw_redo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Drawing again replaces the draw (its inspections are cancelled with the reason): never
    silently, always with a reason kept on the new draw."""
    made = _visible_draw(request.user, pk)
    form = RedoDrawForm(request.POST or None, initial=_redo_initial(made))
    return submit(
        request,
        form,
        lambda data: drawing.make_draw(by=request.user, replaces=made, **form.service_arguments()),
        success=_("The draw has been made again; the former one is replaced."),
        redirect_to=lambda redone: reverse("inspections:draw-detail", args=[redone.pk]),
        page=lambda: render(
            request, "supervision/inspections/draw_form.html", {"form": form, "draw": made}
        ),
        aliases=lambda: _draw_aliases(form),
    )
