"""Bulk import pages: a template to download, an upload form, then the job's own page.

Organisations: whoever may create organisations. Tutors: whoever may add tutors to some
organisation. Students: the program's administrators (a program the user cannot see: 404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.models import Job
from training_portal.core.pages import permitted
from training_portal.core.permissions import UserPredicate, require
from training_portal.core.tables import XLSX_CONTENT_TYPE, ImportSpec, template_workbook

from ..models import Program
from ..partners.permissions import can_create_organization
from ..people.permissions import can_manage_students
from . import services, specs
from .forms import ImportUploadForm
from .permissions import can_import_tutors


def _managed_program(request: AuthenticatedHttpRequest, pk: int) -> Program:
    return permitted(
        Program.objects.visible_to(request.user), request.user, can_manage_students, pk=pk
    )


def _upload_page(
    request: AuthenticatedHttpRequest,
    spec: ImportSpec,
    start: Callable[..., Job],
    *,
    template_url: str,
    program: Program | None = None,
) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        extra: dict[str, Any] = {"program": program} if program is not None else {}
        try:
            job = start(user=request.user, upload=form.cleaned_data["file"], **extra)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.info(request, _("The import has started. This page shows its progress."))
            return redirect("core:job-detail", pk=job.pk)
    context = {"form": form, "spec": spec, "template_url": template_url, "program": program}
    return render(request, "programs/imports/upload.html", context)


#: The file name of each import's template workbook, by the import's kind.
TEMPLATE_FILENAMES = {
    specs.ORGANIZATIONS.kind: "organisation-import-template.xlsx",
    specs.TUTORS.kind: "tutor-import-template.xlsx",
    specs.STUDENTS.kind: "student-import-template.xlsx",
}


def _workbook(spec: ImportSpec) -> HttpResponse:
    response = HttpResponse(template_workbook(spec), content_type=XLSX_CONTENT_TYPE)
    filename = TEMPLATE_FILENAMES[spec.kind]
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _site_import(
    allowed: UserPredicate,
    spec: ImportSpec,
    start: Callable[..., Job],
    *,
    template_url_name: str,
) -> tuple[Callable[..., HttpResponse], Callable[..., HttpResponse]]:
    """The upload page and the template download of an import that is not a program's."""

    @require(allowed)
    @require_http_methods(["GET", "POST"])
    def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
        return _upload_page(request, spec, start, template_url=reverse(template_url_name))

    @require(allowed)
    @require_GET
    def template(request: AuthenticatedHttpRequest) -> HttpResponse:
        return _workbook(spec)

    return upload, template


import_organizations, import_organizations_template = _site_import(
    can_create_organization,
    specs.ORGANIZATIONS,
    services.start_organization_import,
    template_url_name="programs:import-organizations-template",
)
import_tutors, import_tutors_template = _site_import(
    can_import_tutors,
    specs.TUTORS,
    services.start_tutor_import,
    template_url_name="programs:import-tutors-template",
)


@login_required
@require_http_methods(["GET", "POST"])
def import_students(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = _managed_program(request, pk)
    return _upload_page(
        request,
        specs.STUDENTS,
        services.start_student_import,
        template_url=reverse("programs:import-students-template", args=[program.pk]),
        program=program,
    )


@login_required
@require_GET
def import_students_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _managed_program(request, pk)
    return _workbook(specs.STUDENTS)
