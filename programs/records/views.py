"""Downloads of the files kept with program records (milestone evidence, signed partner
agreements), each only to those who may see its record; receipts are in `programs.funds.views`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.files import serve_file, uploaded_name
from training_portal.core.pages import permitted

from ..models import Milestone, Program, ProgramPartner
from ..partners.permissions import can_open_agreement


@login_required
@require_GET
def milestone_evidence(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The evidence file of a milestone, to whoever sees the milestone (others: 404)."""
    milestone = get_object_or_404(Milestone.objects.visible_to(request.user), pk=pk)
    return serve_file(milestone.evidence_file, filename=uploaded_name(milestone.evidence_file))


@login_required
@require_GET
def partner_agreement(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The signed agreement of a partnership: to the program's administrators and the
    partner's coordinators; others who see the program get 403, the rest 404."""
    partner = permitted(
        ProgramPartner.objects.filter(
            program__in=Program.objects.visible_to(request.user)
        ).select_related("program", "organization"),
        request.user,
        can_open_agreement,
        pk=pk,
    )
    return serve_file(partner.agreement_file, filename=uploaded_name(partner.agreement_file))
