"""The inspection workspace's working tabs: checklist, sample, observations, evidence files
(uploaded, and downloaded through a permission-checked view that streams the file) and the
inspection's findings.

The checklist, sample, observations and evidence are the inspectors' working material: team
members with a current assignment and portal administrators open them, the inspected side gets
403 (it may know of the inspection, not of these notes), anybody else 404. Recording needs
`can_conduct` (a team member while the inspection is in progress or being drafted). The rows of
the checklist and the sample save through htmx when it is there, with a plain POST otherwise.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.typing import AuthenticatedHttpRequest
from programs.models import Program
from training_portal.core.files import serve_file
from training_portal.core.pages import submit

from ..findings.services import message_of
from ..models import ChecklistItem, EvidenceFile, Finding, Inspection, SampledStudent
from . import permissions, services
from .forms_workspace import (
    ChecklistResultForm,
    EvidenceForm,
    InspectionFindingForm,
    ObservationForm,
    SampledStudentForm,
)
from .views import Workspace, get_inspection, tab_page, workspace


def _conduct_or_403(space: Workspace) -> None:
    if not space.conducts:
        raise PermissionDenied


def _save_row(
    request: AuthenticatedHttpRequest,
    space: Workspace,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    *,
    row: Callable[[Any], dict[str, Any]],
    fragment: str,
    success: str,
    redirect_to: str,
    page: Callable[[], HttpResponse],
) -> HttpResponse:
    """A row of a tab's table saved from its form. Under htmx the answer is the row again,
    read afresh (`row(form)`: with the form's errors, or `row(None)` once saved); otherwise
    the success message and a redirect, or the whole tab with the form's errors."""
    if not request.htmx:  # type: ignore[attr-defined]
        return submit(request, form, save, success=success, redirect_to=redirect_to, page=page)
    saved = False
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            saved = True
    return render(
        request,
        fragment,
        {
            "space": space,
            "inspection": space.inspection,
            "row": row(None if saved else form),
            "saved": saved,
        },
    )


# ---- Checklist and sample: tables whose rows save one at a time ------------------------------


def _checklist_items(inspection: Inspection) -> QuerySet[ChecklistItem]:
    return inspection.checklist.select_related("checked_by").annotate(
        observation_count=Count("observations")
    )


def _sample(inspection: Inspection) -> QuerySet[SampledStudent]:
    return inspection.sample.select_related("student__user", "student__program").annotate(
        observation_count=Count("observations")
    )


def _checklist_sections(rows: list[dict[str, Any]]) -> dict[str, Any]:
    sections = [
        {"section": section, "rows": list(group)}
        for section, group in itertools.groupby(rows, key=lambda row: row["item"].section)
    ]
    return {"sections": sections}


@dataclass(frozen=True)
class _RowTab:
    """A tab whose table rows each save from a form of their own (the checklist, the sample):
    the tab shown with a form a row for those who conduct the inspection, and the answer to
    one row's form."""

    name: str  # the tab: the URL name of its page, and its template
    key: str  # the row's object in the template; also its form's prefix, its anchor and
    # the template's block for one row (`<key>-row`, the answer under htmx)
    form_class: Any  # its fields are shown with the object's values
    rows: Callable[[Inspection], QuerySet[Any]]
    context: Callable[[list[dict[str, Any]]], dict[str, Any]]  # the rows, as the template wants
    service: Callable[..., Any]  # saves a row: by=, the row's object as `key`, the form's data
    success: str | Promise

    @property
    def template(self) -> str:
        return f"supervision/inspections/{self.name}.html"

    def prefix(self, obj: Any) -> str:
        return f"{self.key}-{obj.pk}"

    def row(self, space: Workspace, obj: Any, form: Any = None) -> dict[str, Any]:
        if form is None and space.conducts:
            initial = {name: getattr(obj, name) for name in self.form_class.base_fields}
            form = self.form_class(initial=initial, prefix=self.prefix(obj))
        return {self.key: obj, "form": form}

    def page(
        self,
        request: AuthenticatedHttpRequest,
        space: Workspace,
        bound: tuple[int, Any] | None = None,
    ) -> HttpResponse:
        """The tab; with `bound` (a row's pk and its form with errors) that row shows the form."""
        rows = [
            self.row(space, obj, bound[1] if bound and bound[0] == obj.pk else None)
            for obj in self.rows(space.inspection)
        ]
        return render(
            request,
            self.template,
            {"space": space, "inspection": space.inspection, **self.context(rows)},
        )

    def save(self, request: AuthenticatedHttpRequest, pk: int, row_pk: int) -> HttpResponse:
        """One row's form posted: the row saved by `service` (only by those who conduct the
        inspection: else 403)."""
        space = workspace(request, pk, self.name)
        obj = get_object_or_404(self.rows(space.inspection), pk=row_pk)
        _conduct_or_403(space)
        form = self.form_class(request.POST, prefix=self.prefix(obj))
        return _save_row(
            request,
            space,
            form,
            lambda data: self.service(by=request.user, **{self.key: obj}, **data),
            row=lambda shown: self.row(space, self.rows(space.inspection).get(pk=obj.pk), shown),
            fragment=f"{self.template}#{self.key}-row",
            success=str(self.success),
            redirect_to=reverse(f"inspections:{self.name}", args=[pk]) + f"#{self.prefix(obj)}",
            page=lambda: self.page(request, space, bound=(obj.pk, form)),
        )

    def views(self) -> tuple[Callable[..., HttpResponse], Callable[..., HttpResponse]]:
        """The tab's page (GET) and the view its rows' forms post to (`row_pk` in the URL)."""

        @login_required
        @require_POST
        def save(request: AuthenticatedHttpRequest, pk: int, row_pk: int) -> HttpResponse:
            return self.save(request, pk, row_pk)

        return tab_page(self.name, self.page), save


CHECKLIST = _RowTab(
    name="checklist",
    key="item",
    form_class=ChecklistResultForm,
    rows=_checklist_items,
    context=_checklist_sections,
    service=services.record_checklist_result,
    success=gettext_lazy("The checklist question has been recorded."),
)
SAMPLE = _RowTab(
    name="sample",
    key="sampled",
    form_class=SampledStudentForm,
    rows=_sample,
    context=lambda rows: {"rows": rows},
    service=services.update_sampled_student,
    success=gettext_lazy("The sampled student's record has been saved."),
)


#: The pages of each tab (the tab, and one row's form posted from it): see `_RowTab.views`.
checklist, checklist_item = CHECKLIST.views()
sample, sample_update = SAMPLE.views()


# ---- Observations ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def observations(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    space = workspace(request, pk, "observations")
    inspection = space.inspection
    rows = inspection.observations.select_related(
        "author", "checklist_item", "sampled_student__student__user"
    ).prefetch_related("files")
    return _add_to_tab(
        request,
        space,
        _conduct_form(request, space, ObservationForm),
        lambda data: services.add_observation(by=request.user, inspection=inspection, **data),
        success=_("The observation has been recorded."),
        template="supervision/inspections/observations.html",
        context={"observations": rows},
    )


def _conduct_form(request: AuthenticatedHttpRequest, space: Workspace, form_class: Any) -> Any:
    """A tab's form to add something: bound on a POST (only by those who conduct the
    inspection: else 403), empty on a GET for them, none for the others."""
    if request.method == "POST":
        _conduct_or_403(space)
        return form_class(request.POST, request.FILES, inspection=space.inspection)
    return form_class(inspection=space.inspection) if space.conducts else None


def _add_to_tab(
    request: AuthenticatedHttpRequest,
    space: Workspace,
    form: Any,
    add: Callable[[dict[str, Any]], Any],
    *,
    success: str,
    template: str,
    context: dict[str, Any],
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """A tab listing what was added, with the form to add one more (back to the tab)."""

    def page() -> HttpResponse:
        shown = {"space": space, "inspection": space.inspection, **context, "form": form}
        return render(request, template, shown)

    if form is None:
        return page()
    return submit(
        request,
        form,
        add,
        success=success,
        redirect_to=reverse(f"inspections:{space.tab}", args=[space.inspection.pk]),
        page=page,
        aliases=aliases,
    )


# ---- Evidence --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    space = workspace(request, pk, "evidence")
    inspection = space.inspection
    return _add_to_tab(
        request,
        space,
        _conduct_form(request, space, EvidenceForm),
        lambda data: services.add_evidence(
            by=request.user,
            inspection=inspection,
            upload=data["upload"],
            observation=data["observation"],
        ),
        success=_("The file has been added to the evidence."),
        template="supervision/inspections/evidence.html",
        context={"files": inspection.evidence.select_related("uploaded_by", "observation")},
        aliases={"file": "upload"},
    )


@login_required
@require_GET
def evidence_download(request: AuthenticatedHttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    """The file, streamed to whoever works on the inspection (never a public media URL)."""
    inspection = get_inspection(request.user, pk)
    if not permissions.works_on(request.user, inspection):
        raise PermissionDenied
    item = get_object_or_404(EvidenceFile.objects.filter(inspection=inspection), pk=file_pk)
    return serve_file(item.file, filename=item.name)


# ---- Findings --------------------------------------------------------------------------------


def _finding_programs(inspection: Inspection) -> QuerySet[Program]:
    """The programs a finding of an organisation's inspection may concern: those the
    organisation takes part in."""
    if inspection.program_id:
        return Program.objects.filter(pk=inspection.program_id)
    return Program.objects.filter(partners__organization=inspection.organization_id).distinct()


@login_required
@require_http_methods(["GET", "POST"])
def findings(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The inspection's findings (those who work on it see them all; the inspected side those
    the findings list shows them) and, for the team, recording one."""
    user = request.user
    space = workspace(request, pk, "findings")
    inspection = space.inspection
    form = None
    if request.method == "POST":
        _conduct_or_403(space)
        form = InspectionFindingForm(
            request.POST, inspection=inspection, programs=_finding_programs(inspection)
        )
        if form.is_valid():
            try:
                services.record_inspection_finding(
                    by=user, inspection=inspection, **form.service_arguments()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The finding has been recorded."))
                return redirect("inspections:findings", pk=inspection.pk)
    elif space.conducts:
        form = InspectionFindingForm(inspection=inspection, programs=_finding_programs(inspection))
    of_inspection = Finding.objects.filter(inspection=inspection)
    # The findings list is the boundary of the finding pages: link only to what it shows.
    listed = set(
        Finding.objects.visible_to(user).filter(inspection=inspection).values_list("pk", flat=True)
    )
    shown = of_inspection if space.works_on else of_inspection.filter(pk__in=listed)
    rows = [
        {"finding": finding, "message": _finding_text(finding), "linked": finding.pk in listed}
        for finding in shown.select_related(
            "program", "organization", "student__user", "author"
        ).order_by("-first_seen_at", "-pk")
    ]
    return render(
        request,
        "supervision/inspections/findings.html",
        {"space": space, "inspection": inspection, "rows": rows, "form": form},
    )


def _finding_text(finding: Finding) -> str:
    details = finding.details or {}
    title = str(details.get("title") or "")
    return title or message_of(finding)
