"""Placement pages: the list, a placement and its actions, the placements coordinators confirm."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.pages import act, form_refusal
from training_portal.core.permissions import require

from ..models import Organization, Placement, Student, TutorProfile
from ..scopes import coordinates
from . import services as placements
from .filters import PlacementFilter
from .forms import (
    CancelPlacementForm,
    CompletePlacementForm,
    ConfirmPlacementForm,
    PlacementForm,
    StartPlacementForm,
)
from .permissions import can_manage_placements, is_coordinator


@require(is_coordinator)
def placements_to_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render_placements(request, ConfirmPlacementForm())


@require(is_coordinator)
@require_POST
def placement_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    placement = get_object_or_404(
        Placement.objects.visible_to(request.user).select_related("host"), pk=pk
    )
    # Only the host's coordinators act here; "already confirmed" is the service's to say.
    if not coordinates(request.user, placement.host):
        raise PermissionDenied
    form = ConfirmPlacementForm(request.POST)
    return act(
        request,
        lambda: placements.confirm_placement(user=request.user, placement=placement),
        refused=form_refusal(form, lambda: _render_placements(request, form)),
        success=_("The placement is confirmed."),
        redirect_to="programs:placements-to-confirm",
    )


def _render_placements(
    request: AuthenticatedHttpRequest, form: ConfirmPlacementForm
) -> HttpResponse:
    rows = list(
        placements.planned_placements_hosted_by(request.user)
        .with_capacity()
        .select_related("student__user", "student__program", "host", "practice_tutor__user")
        .order_by("start_date", "id")
    )
    last_start = placements.confirmable_by()
    notice = dt.timedelta(days=placements.START_NOTICE_DAYS)
    for row in rows:
        row.confirmable_from = row.start_date - notice
    return render(
        request,
        "programs/placements_to_confirm.html",
        {
            "placements": [row for row in rows if row.start_date <= last_start],
            "later": [row for row in rows if row.start_date > last_start],
            "notice_days": placements.START_NOTICE_DAYS,
            "form": form,
        },
    )


#: The form of each action taken from the placement's page ("edit" has its own page).
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "start": StartPlacementForm,
    "complete": CompletePlacementForm,
    "cancel": CancelPlacementForm,
}
DONE = {
    "start": gettext_lazy("The start of the placement is confirmed."),
    "complete": gettext_lazy("The placement is completed."),
    "cancel": gettext_lazy("The placement is cancelled."),
}


def _visible(request: AuthenticatedHttpRequest) -> QuerySet[Placement]:
    return (
        Placement.objects.visible_to(request.user)
        .with_capacity()
        .select_related(
            "student__user",
            "student__program",
            "host",
            "practice_tutor__user",
            "confirmed_by",
            "completed_by",
            "cancelled_by",
        )
    )


@login_required
def placement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = PlacementFilter(
        request.GET or None,
        queryset=_visible(request).order_by("-start_date", "id"),
        request=request,
        page=True,
    )
    return render(
        request,
        "programs/placements/list.html",
        {
            "placements": filters.qs,
            "statuses": Placement.Status.choices,
            "status": filters.form["status"].value() or "",
        },
    )


@login_required
def placement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_object_or_404(_visible(request), pk=pk))


def _render_detail(
    request: AuthenticatedHttpRequest,
    placement: Placement,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    actions = placements.allowed_actions(request.user, placement)
    action_forms = {
        action: (bound or {}).get(action) or form_class()
        for action, form_class in ACTION_FORMS.items()
        if action in actions
    }
    context = {
        "placement": placement,
        "can_edit": "edit" in actions,
        "action_forms": action_forms,
        "labels": {action: move.label for action, move in placements.TRANSITIONS.items()},
    }
    return render(request, "programs/placements/detail.html", context, status=status)


@require_POST
@login_required
def placement_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404
    placement = get_object_or_404(_visible(request), pk=pk)
    if not placements.roles_on(request.user, placement) & placements.TRANSITIONS[action].roles:
        raise PermissionDenied
    form = ACTION_FORMS[action](request.POST)
    if form.is_valid():
        try:
            _take(request, placement, action, form.cleaned_data)
        except ValidationError as exc:
            _show(form, exc)
        else:
            messages.success(request, DONE[action])
            return redirect("programs:placement", pk=placement.pk)
    return _render_detail(request, placement, {action: form})


def _take(
    request: AuthenticatedHttpRequest, placement: Placement, action: str, data: dict[str, Any]
) -> Placement:
    user = request.user
    if action == "start":
        return placements.start_placement(user=user, placement=placement, **data)
    if action == "complete":
        return placements.complete_placement(user=user, placement=placement, **data)
    return placements.cancel_placement(user=user, placement=placement, **data)


def _show(form: forms.Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, texts in exc.message_dict.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


# ---- Planning and editing ------------------------------------------------------------------


def _hosts(student: Student) -> QuerySet[Organization]:
    """The organisations that may host the student: active partners of their program."""
    return Organization.objects.hosting_for(student.program_id).order_by("name")


def _practice_tutors() -> QuerySet[TutorProfile]:
    return (
        TutorProfile.objects.filter(kind=TutorProfile.Kind.PRACTICE, is_active=True)
        .select_related("user", "organization")
        .order_by("organization__name", "user__full_name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = get_object_or_404(
        Student.objects.visible_to(request.user).select_related("user", "program"), pk=pk
    )
    if not can_manage_placements(request.user, student.program):
        raise PermissionDenied
    form = PlacementForm(request.POST or None, hosts=_hosts(student), tutors=_practice_tutors())
    if request.method == "POST" and form.is_valid():
        try:
            placement = placements.create_placement(
                user=request.user, student=student, **form.cleaned_data
            )
        except ValidationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The placement is planned."))
            return redirect("programs:placement", pk=placement.pk)
    title = _("New placement of %(student)s") % {"student": student.user}
    return render(
        request, "programs/placements/form.html", {"form": form, "title": title, "student": student}
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    placement = get_object_or_404(_visible(request), pk=pk)
    if "edit" not in placements.allowed_actions(request.user, placement):
        raise PermissionDenied  # not theirs to edit, or no longer planned
    initial = {
        "start_date": placement.start_date,
        "end_date": placement.end_date,
        "practice_tutor": placement.practice_tutor,
        "objectives": placement.objectives,
        "capacity_override_reason": placement.capacity_override_reason,
    }
    form = PlacementForm(
        request.POST or None,
        initial=initial,
        hosts=None,
        tutors=_practice_tutors(),
        host=placement.host,
    )
    if request.method == "POST" and form.is_valid():
        try:
            placements.update_placement(user=request.user, placement=placement, **form.cleaned_data)
        except ValidationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The placement has been saved."))
            return redirect("programs:placement", pk=placement.pk)
    title = _("Edit the placement of %(student)s") % {"student": placement.student.user}
    return render(
        request,
        "programs/placements/form.html",
        {"form": form, "title": title, "student": placement.student, "placement": placement},
    )
