"""Pages of external inspections (namespace "inspections"): the list, the calendar, the
inspection's overview with its start and cancellation, and the home-page attention items.
The workspace tabs are in `views_workspace`, the report, reply and publication in
`views_report`, the administrators' pages in `views_admin`.

Reads start from `Inspection.objects.visible_to(request.user)` (outside it: 404), so that an
unannounced inspection reaches the inspected side through no page, list, count or calendar
before it starts; actions are checked with the predicates of
`supervision.inspections.permissions` (allowed read, forbidden action: 403) and done by one
service call, whose ValidationError is shown on the form of a page rendered with 200.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.history import history_url
from training_portal.core.pages import act, page_of, submit
from training_portal.core.permissions import is_active_user, require

from ..models import (
    Finding,
    Inspection,
    InspectionTeamMember,
)
from . import permissions, services, workflow
from .filters import InspectionFilter
from .forms import MonthForm, ReasonForm

PER_PAGE = 25
Status = Inspection.Status


# ---- Who sees what (composed from the predicates of `permissions`) ---------------------------


def sees_calendar(user: Any) -> bool:
    """The calendar is a tool of inspectors and administrators."""
    return permissions.can_manage_inspections(user) or permissions.is_inspector(user)


#: The inspections pages' own menu: (name, label, URL name, who sees it).
MENU = [
    ("list", gettext_lazy("Inspections"), "inspection-list", "any"),
    ("calendar", gettext_lazy("Calendar"), "calendar", "inspector"),
    ("assignments", gettext_lazy("Assignments"), "assignment-list", "inspector"),
    ("inspectors", gettext_lazy("Inspectors"), "inspector-list", "inspector"),
    ("templates", gettext_lazy("Checklist templates"), "template-list", "manager"),
    ("draws", gettext_lazy("Draws"), "draw-list", "manager"),
]


def menu_for(user: Any, active: str) -> list[dict[str, Any]]:
    """The entries of the inspections menu `user` may open (inspectors see their own
    assignments and profile; administrators everything)."""
    manager = permissions.can_manage_inspections(user)
    inspector = manager or permissions.is_inspector(user)
    allowed = {"any": True, "inspector": inspector, "manager": manager}
    entries = [
        {"label": label, "url": reverse(f"inspections:{url_name}"), "active": name == active}
        for name, label, url_name, who in MENU
        if allowed[who]
    ]
    # A menu of one entry is no menu.
    return entries if len(entries) > 1 else []


def team_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "team",
        queryset=InspectionTeamMember.objects.select_related("inspector").order_by(
            "-is_author", "inspector__full_name", "inspector__email"
        ),
    )


def visible_inspections(user: Any) -> QuerySet[Inspection]:
    return Inspection.objects.visible_to(user).select_related("program", "organization")


def get_inspection(user: Any, pk: int) -> Inspection:
    """The inspection if `user` may see it (404 otherwise), with its target and team."""
    return get_object_or_404(visible_inspections(user).prefetch_related(team_prefetch()), pk=pk)


# ---- The workspace frame: tabs and what the viewer may do ------------------------------------


@dataclass
class Workspace:
    """An inspection as one viewer sees it: what they may open and do (each predicate asked
    once per request)."""

    inspection: Inspection
    works_on: bool
    team_member: bool
    author: bool
    conducts: bool
    inspected_side: bool
    manages: bool
    tab: str
    tabs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def may_know_unannounced(self) -> bool:
        return self.works_on


#: (name, label, URL name, who sees it: "all", "works_on" or "reply").
TABS = [
    ("overview", pgettext_lazy("inspection tab", "Overview"), "inspection-detail", "all"),
    ("checklist", gettext_lazy("Checklist"), "checklist", "works_on"),
    ("sample", gettext_lazy("Sample"), "sample", "works_on"),
    ("observations", gettext_lazy("Observations"), "observations", "works_on"),
    ("evidence", gettext_lazy("Evidence"), "evidence", "works_on"),
    ("findings", gettext_lazy("Findings"), "findings", "all"),
    ("report", gettext_lazy("Report draft"), "report", "works_on"),
    ("reply", gettext_lazy("Reply"), "reply", "reply"),
    ("publication", gettext_lazy("Publication"), "publication", "all"),
]


def workspace(request: AuthenticatedHttpRequest, pk: int, tab: str) -> Workspace:
    """The inspection (404 outside `visible_to`) and the viewer's rights; 403 for a tab the
    viewer may not open."""
    user = request.user
    inspection = get_inspection(user, pk)
    manages = permissions.can_manage_inspections(user)
    team_member = permissions.is_team_member(user, inspection)
    inspected_side = not team_member and permissions.is_inspected_side(user, inspection)
    space = Workspace(
        inspection=inspection,
        works_on=manages or team_member,
        team_member=team_member,
        author=team_member and permissions.is_author(user, inspection),
        # `permissions.can_conduct` without asking again whether they are on the team.
        conducts=team_member and inspection.status in workflow.CONDUCTING,
        inspected_side=inspected_side,
        manages=manages,
        tab=tab,
    )
    audience = {
        "all": True,
        "works_on": space.works_on,
        "reply": space.works_on or space.inspected_side,
    }
    for name, label, url_name, who in TABS:
        if audience[who]:
            space.tabs.append(
                {
                    "name": name,
                    "label": label,
                    "url": reverse(f"inspections:{url_name}", args=[inspection.pk]),
                    "active": name == tab,
                }
            )
    if tab not in {item["name"] for item in space.tabs}:
        raise PermissionDenied
    return space


def tab_page(
    tab: str, show: Callable[[AuthenticatedHttpRequest, Workspace], HttpResponse]
) -> Callable[..., HttpResponse]:
    """The page of a workspace tab (GET), as `show(request, space)` renders it."""

    @login_required
    @require_GET
    def page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        return show(request, workspace(request, pk, tab))

    return page


# ---- The list and the calendar ---------------------------------------------------------------


@require(is_active_user)
@require_GET
def inspection_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The inspections `request.user` may see, for everyone signed in (none for an account
    that is on no side of an inspection: an empty list); the menu offers it by
    `permissions.sees_inspections`."""
    user = request.user
    visible = Inspection.objects.visible_to(user)
    inspector = permissions.is_inspector(user)
    manages = permissions.can_manage_inspections(user)
    query = request.GET.copy()
    query.pop("page", None)
    filters = InspectionFilter(
        query or None,
        queryset=visible.select_related("program", "organization").prefetch_related(
            team_prefetch()
        ),
        request=request,
        page=True,
        may_know_unannounced=manages or inspector,
        on_teams=inspector,
    )
    invalid = filters.is_bound and not filters.is_valid()
    rows = (filters.queryset.none() if invalid else filters.qs).order_by("-starts_at", "-pk")
    page = page_of(request, rows, PER_PAGE)
    return render(
        request,
        "supervision/inspections/inspection_list.html",
        {
            "filters": filters.form,
            "filter_fields": filters.page_fields(),
            "page": page,
            "may_know_unannounced": manages or inspector,
            "manages": manages,
            "sees_calendar": manages or inspector,
            "inspector": inspector,
            "menu": menu_for(user, "list"),
        },
        status=400 if invalid else 200,
    )


def _add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@require(sees_calendar)
@require_GET
def inspection_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A month of the inspections the viewer may see (Monday first), and the same as a list
    for narrow screens."""
    form = MonthForm(request.GET)
    month = form.cleaned_data["month"] if form.is_valid() else timezone.localdate().replace(day=1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    first, last = weeks[0][0], weeks[-1][-1]
    inspections = list(
        visible_inspections(request.user)
        .exclude(status=Status.CANCELLED)
        .filter(starts_at__date__lte=last, ends_on__gte=first)
        .order_by("starts_at", "pk")
    )
    spans = [
        (timezone.localtime(item.starts_at).date(), item.ends_on, item) for item in inspections
    ]
    grid = [
        [
            {
                "day": day,
                "in_month": day.month == month.month,
                "today": day == timezone.localdate(),
                "inspections": [item for start, end, item in spans if start <= day <= end],
            }
            for day in week
        ]
        for week in weeks
    ]
    month_end = _add_months(month, 1) - dt.timedelta(days=1)
    return render(
        request,
        "supervision/inspections/calendar.html",
        {
            "form": form,
            "month": month,
            "grid": grid,
            # Django's translated names (the calendar module speaks only the C locale).
            "weekdays": [WEEKDAYS_ABBR[index] for index in range(7)],
            "listed": [item for start, end, item in spans if start <= month_end and end >= month],
            "previous": _add_months(month, -1).strftime("%Y-%m"),
            "next": _add_months(month, 1).strftime("%Y-%m"),
            "menu": menu_for(request.user, "calendar"),
        },
        status=200 if form.is_valid() else 400,
    )


# ---- Overview, start, cancel -----------------------------------------------------------------


@login_required
@require_GET
def inspection_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    space = workspace(request, pk, "overview")
    inspection = space.inspection
    context: dict[str, Any] = {
        "space": space,
        "inspection": inspection,
        "can_start": space.team_member and permissions.can_start(request.user, inspection),
        "can_cancel": space.manages and permissions.can_cancel(request.user, inspection),
        "history_url": history_url(request.user, inspection),
    }
    if space.works_on:
        context["progress"] = _progress(inspection)
    return render(request, "supervision/inspections/overview.html", context)


def _progress(inspection: Inspection) -> dict[str, int]:
    """How far the work is (one query per kind of record, whatever their number)."""
    checklist = inspection.checklist.aggregate(
        total=Count("pk"), done=Count("pk", filter=~Q(result="pending"))
    )
    sample = inspection.sample.aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(examined=True))
    )
    return {
        "checklist_total": checklist["total"],
        "checklist_done": checklist["done"],
        "sample_total": sample["total"],
        "sample_done": sample["done"],
        "observations": inspection.observations.count(),
        "evidence": inspection.evidence.count(),
        "findings": Finding.objects.filter(inspection=inspection).count(),
    }


@login_required
@require_POST
def inspection_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection(request.user, pk)
    if not permissions.is_team_member(request.user, inspection):
        raise PermissionDenied
    return act(
        request,
        lambda: services.start_inspection(by=request.user, inspection=inspection),
        success=_("The inspection has started."),
        redirect_to=reverse("inspections:inspection-detail", args=[inspection.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection(request.user, pk)
    if not permissions.can_manage_inspections(request.user):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    return submit(
        request,
        form,
        lambda data: services.cancel_inspection(
            by=request.user, inspection=inspection, reason=data["reason"]
        ),
        success=_("The inspection has been cancelled."),
        redirect_to=reverse("inspections:inspection-detail", args=[inspection.pk]),
        page=lambda: render(
            request,
            "supervision/inspections/cancel.html",
            {"inspection": inspection, "form": form},
        ),
    )
