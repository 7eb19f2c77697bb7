"""Pages of the reports: the list, the request form per kind, a report's page with its
progress bar and downloads, the downloads themselves, and a program's live dashboard.

Reads start from `Report.objects.visible_to(request.user)` (outside it: 404); files are
served only through `report_download`, which checks the same boundary (never a public media
URL). Requests go through `services.request_report`, whose ValidationError is shown on the
form (200) and whose PermissionDenied is a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.typing import AuthenticatedHttpRequest
from programs.models import Organization, Program, Student
from programs.records import services as record_views
from training_portal.core.files import serve_file
from training_portal.core.pages import page_of, permitted
from training_portal.core.permissions import is_active_user, require

from ..models import Report
from . import builders, permissions, services
from .forms import ReportRequestForm

REPORTS_PER_PAGE = 25
FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def visible_reports(user: Any) -> QuerySet[Report]:
    return Report.objects.visible_to(user).select_related(
        "program", "organization", "student__user", "job", "requested_by"
    )


def requestable_kinds(user: Any) -> list[tuple[str, str]]:
    """The kinds of report `user` may request (a subject of that kind is open to them)."""
    open_to: dict[str, QuerySet[Any]] = {
        Report.Kind.PROGRAM_ANNUAL: Program.objects.filter(
            pk__in=permissions.program_ids_open_to(user)
        ),
        Report.Kind.PARTNER_SCORECARD: Organization.objects.filter(
            pk__in=permissions.organization_ids_open_to(user)
        ),
        Report.Kind.STUDENT_RECORD: Student.objects.filter(
            pk__in=permissions.student_ids_open_to(user)
        ),
    }
    return [(kind, str(label)) for kind, label in Report.Kind.choices if open_to[kind].exists()]


@require(is_active_user)
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reports `request.user` may see, for everyone signed in (none for an account
    without a role), with the kinds they may request; the menu offers it by
    `permissions.sees_reports`."""
    user = request.user
    page = page_of(request, visible_reports(user), REPORTS_PER_PAGE)
    dashboards = Program.objects.filter(pk__in=permissions.program_ids_open_to(user)).order_by(
        "code"
    )[:50]
    # Requesting stays with those the request page is for (`sees_reports`).
    kinds = requestable_kinds(user) if permissions.sees_reports(user) else []
    return render(
        request,
        "evaluation/reports/report_list.html",
        {"page": page, "kinds": kinds, "dashboards": dashboards},
    )


@require(permissions.sees_reports)
@require_http_methods(["GET", "POST"])
def report_request(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    if kind not in Report.Kind.values:
        raise Http404
    user = request.user
    if kind not in dict(requestable_kinds(user)):
        raise PermissionDenied
    initial = _initial(kind, request.GET)
    form = ReportRequestForm(
        request.POST if request.method == "POST" else None, kind=kind, user=user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.request_report(user=user, kind=kind, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("reports:report-detail", report.pk)
    return render(
        request,
        "evaluation/reports/report_request.html",
        {"form": form, "kind": kind, "kind_label": Report.Kind(kind).label},
    )


def _initial(kind: str, query: Any) -> dict[str, Any]:
    """Preselect the subject named in the query string (?program=, ?organization=,
    ?student=<id>, ?year=)."""
    initial: dict[str, Any] = {}
    for name in ("program", "organization", "year"):
        value = query.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
    student = query.get("student", "")
    if kind == Report.Kind.STUDENT_RECORD and student.isdigit():
        number = Student.objects.filter(pk=int(student)).values_list("student_number", flat=True)
        initial["student"] = number.first() or ""
    return initial


def _visible_report(user: Any, pk: int) -> Report:
    """The report if `user` may see it; 404 otherwise (an account without a role sees none)."""
    return get_object_or_404(visible_reports(user), pk=pk)


@require(is_active_user)
@require_GET
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request.user, pk)
    return render(
        request, "evaluation/reports/report_detail.html", {"report": report, "job": report.job}
    )


@require(is_active_user)
@require_GET
@never_cache
def report_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress and the downloads, polled by htmx until the report's job has finished."""
    report = _visible_report(request.user, pk)
    return render(
        request,
        "evaluation/reports/report_detail.html#progress",
        {"report": report, "job": report.job},
    )


@login_required
@require_GET
def report_download(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> FileResponse:
    report = _visible_report(request.user, pk)
    response = download_response(report, fmt)
    log_student_record_read(request.user, report)
    return response


def log_student_record_read(user: Any, report: Report) -> None:
    """A student's training record, downloaded, is a read of their record ("who viewed")."""
    if report.kind == Report.Kind.STUDENT_RECORD and report.student is not None:
        record_views.log_record_view(reader=user, student=report.student)


def download_response(report: Report, fmt: str) -> FileResponse:
    """A report's file as an attachment; 404 when the format is unknown or not made yet."""
    if fmt not in FORMATS:
        raise Http404
    return serve_file(getattr(report, fmt), content_type=FORMATS[fmt])


@login_required
@require_GET
def program_dashboard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The program's charts, live, for those who may see its reports (others who see the
    program: 403; the rest: 404)."""
    user = request.user
    program = permitted(
        Program.objects.visible_to(user), user, permissions.can_see_program_reports, pk=pk
    )
    this_year = timezone.localdate().year
    year_param = request.GET.get("year", "")
    year = int(year_param) if year_param.isdigit() else this_year
    if not services.FIRST_YEAR <= year <= this_year:
        year = this_year
    sections = builders.program_dashboard(program, year)
    return render(
        request,
        "evaluation/reports/dashboard.html",
        {
            "program": program,
            "year": year,
            "years": list(range(this_year, max(services.FIRST_YEAR, this_year - 9) - 1, -1)),
            "sections": [
                {"section": section, "rows": section.display_rows()} for section in sections
            ],
        },
    )
