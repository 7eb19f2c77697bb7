"""The partner register in the portal: organisations listed and searched, one organisation's
programs, partnerships, places, people and status history; their editing, status changes and
the renewal of a partnership's agreement.

Reads start from `visible_to(request.user)` (outside it: 404); actions are checked with the
predicates of `programs.partners.permissions` (allowed read, forbidden action: 403) and done by one
service call, whose ValidationError is shown on the form of a page rendered with 200.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import RoleMembership
from accounts.roles import Role
from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.forms import BootstrapForm
from training_portal.core.pages import act, page_of, permitted, submit
from training_portal.core.permissions import is_active_user, require

from ..models import Organization, Placement, Program, ProgramPartner, TutorProfile
from ..models.programs import Responsibility
from . import responsibilities
from .filters import OrganizationFilter
from .forms import (
    CounsellorPostingForm,
    OrganizationForm,
    OrganizationStatusForm,
    RenewAgreementForm,
)
from .permissions import (
    can_change_organization_status,
    can_create_organization,
    can_edit_organization,
    can_post_counsellors,
    can_renew_agreement,
    can_see_organization_people,
    can_see_responsibility_matrix,
)
from .services import counsellors, organizations, partners

PER_PAGE = 25
#: An agreement ending within this many days is flagged on the organisation's page.
AGREEMENT_WARNING_DAYS = 60
#: Placements that take one of the places a partner offers.
PLACE_TAKING = (Placement.Status.PLANNED, Placement.Status.ACTIVE)
FORM_PAGE = "programs/organizations/form.html"


@require(is_active_user)
def organization_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    filters = OrganizationFilter(
        request.GET or None, queryset=Organization.objects.visible_to(user), request=request
    )
    rows = filters.qs.annotate(
        partnership_count=Count("partnerships", filter=Q(partnerships__is_active=True))
    ).order_by("name", "pk")
    page = page_of(request, rows, PER_PAGE)
    return render(
        request,
        "programs/organizations/list.html",
        {"form": filters.form, "page": page, "can_create": can_create_organization(user)},
    )


@require(is_active_user)
def organization_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organization = get_object_or_404(Organization.objects.visible_to(user), pk=pk)
    programs = Program.objects.visible_to(user)
    led = list(programs.filter(lead_university=organization).order_by("code"))
    partnerships = _partnerships(user, organization, programs)
    program_ids = [program.pk for program in led] + [p.program_id for p in partnerships]
    people = can_see_organization_people(user, organization, program_ids)
    context = {
        "organization": organization,
        "led": led,
        "partnerships": partnerships,
        "can_edit": can_edit_organization(user, organization),
        "can_change_status": can_change_organization_status(user, organization),
        "can_post_counsellors": can_post_counsellors(user, organization),
        "today": timezone.localdate(),
        "shows_people": people,
        "tutors": _tutors(user, organization) if people else [],
        **(_posted(organization) if people else {"coordinators": [], "counsellors": []}),
        "status_changes": organization.status_changes.select_related("changed_by"),
        "warning_days": AGREEMENT_WARNING_DAYS,
        **_hidden(organization, led, partnerships),
    }
    return render(request, "programs/organizations/detail.html", context)


def _hidden(
    organization: Organization, led: list[Program], partnerships: list[ProgramPartner]
) -> dict[str, int]:
    """How many of the organisation's led programs and partnerships the user may not see, so
    that an empty list says "none you may see" only when some are hidden."""
    totals = Program.objects.filter(
        Q(lead_university=organization) | Q(partners__organization=organization)
    ).aggregate(
        led=Count("pk", filter=Q(lead_university=organization), distinct=True),
        partnered=Count("partners", filter=Q(partners__organization=organization), distinct=True),
    )
    return {
        "hidden_led": totals["led"] - len(led),
        "hidden_partnerships": totals["partnered"] - len(partnerships),
    }


def _partnerships(user: Any, organization: Organization, programs: Any) -> list[ProgramPartner]:
    """The organisation's partnerships in the programs the user may see, each with the places
    it offers against those taken (planned and active placements of the program's students
    there), and how its agreement stands."""
    taken = (
        Placement.objects.filter(
            host_id=OuterRef("organization_id"),
            student__program_id=OuterRef("program_id"),
            status__in=PLACE_TAKING,
        )
        .order_by()
        .values("host_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows: list[ProgramPartner] = list(
        ProgramPartner.objects.filter(organization=organization, program__in=programs)
        .select_related("program")
        .prefetch_related("responsibilities")
        .annotate(places_used=Coalesce(Subquery(taken), 0))
        .order_by("program__code")
    )
    today = timezone.localdate()
    soon = today + dt.timedelta(days=AGREEMENT_WARNING_DAYS)
    for partner in rows:
        end = partner.agreement_end
        partner.agreement_state = (  # type: ignore[attr-defined]
            "" if end is None else "expired" if end < today else "ending" if end <= soon else ""
        )
        partner.over_capacity = partner.places_used > partner.places_offered  # type: ignore[attr-defined]
        partner.administered = can_renew_agreement(user, partner)  # type: ignore[attr-defined]
    return rows


def _tutors(user: Any, organization: Organization) -> Any:
    return (
        TutorProfile.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("user")
        .with_load()
        .order_by("user__full_name", "pk")
    )


def _posted(organization: Organization) -> dict[str, list[RoleMembership]]:
    """Its coordinators and the counsellors posted there (its mental-health service)."""
    memberships = (
        RoleMembership.objects.current()
        .filter(role__in=(Role.PARTNER_COORDINATOR, Role.COUNSELLOR))
        .scoped_by(Organization)
        .filter(scope_id=organization.pk)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    posted: dict[str, list[RoleMembership]] = {"coordinators": [], "counsellors": []}
    for membership in memberships:
        key = "counsellors" if membership.role == Role.COUNSELLOR else "coordinators"
        posted[key].append(membership)
    return posted


# ---- Writes --------------------------------------------------------------------------------


def _render_form(
    request: AuthenticatedHttpRequest,
    form: forms.Form,
    *,
    title: str,
    back: str,
    multipart: bool = False,
    **extra: Any,
) -> HttpResponse:
    context = {"form": form, "title": title, "back": back, "multipart": multipart, **extra}
    return render(request, FORM_PAGE, context)


def _organization_page(organization: Organization) -> str:
    return reverse("programs:organization-detail", args=[organization.pk])


def _submit(
    request: AuthenticatedHttpRequest,
    form: BootstrapForm,
    action: Callable[[dict[str, Any]], Any],
    *,
    done: str | Callable[[Any], str],
    organization: Organization | None,
    page: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """An organisation's form page: back to the organisation (`action`'s result when it makes
    one) on success, else the form again (`page()` gives its title, back link and the rest,
    read once the action has been tried)."""
    return submit(
        request,
        form,
        action,
        success=done,
        redirect_to=lambda result: _organization_page(organization or result),
        page=lambda: _render_form(request, form, **page()),
    )


@require(can_create_organization)
@require_http_methods(["GET", "POST"])
def organization_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _submit(
        request,
        OrganizationForm(request.POST or None),
        lambda data: partners.create_organization(user=request.user, **data),
        done=_("The organisation has been registered."),
        organization=None,
        page=lambda: {
            "title": _("New organisation"),
            "back": reverse("programs:organization-list"),
        },
    )


def _organization_for(request: AuthenticatedHttpRequest, pk: int, allowed: Any) -> Organization:
    return permitted(Organization.objects.visible_to(request.user), request.user, allowed, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _organization_for(request, pk, can_edit_organization)
    initial = {name: getattr(organization, name) for name in organizations.EDITABLE_FIELDS}
    return _submit(
        request,
        OrganizationForm(request.POST or None, initial=initial),
        lambda data: organizations.update_organization(
            user=request.user, organization=organization, **data
        ),
        done=_("The organisation has been updated."),
        organization=organization,
        page=lambda: {
            "title": _("Edit %(organization)s") % {"organization": organization.name},
            "back": _organization_page(organization),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _organization_for(request, pk, can_change_organization_status)
    return _submit(
        request,
        OrganizationStatusForm(request.POST or None),
        lambda data: partners.change_organization_status(
            user=request.user, organization=organization, **data
        ),
        done=_("The organisation's status has been changed."),
        organization=organization,
        page=lambda: {
            "title": _("Change the status of %(organization)s")
            % {"organization": organization.name},
            "back": _organization_page(organization),
            "current_status": organization.get_status_display(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_renew(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    partners_seen = ProgramPartner.objects.filter(
        program__in=Program.objects.visible_to(request.user)
    ).select_related("program", "organization")
    partner = permitted(partners_seen, request.user, can_renew_agreement, pk=pk)
    return _submit(
        request,
        RenewAgreementForm(request.POST or None, request.FILES or None),
        lambda data: organizations.renew_agreement(user=request.user, partner=partner, **data),
        done=_("The agreement has been renewed."),
        organization=partner.organization,
        page=lambda: {
            "title": _("Renew the agreement of %(organization)s in %(program)s")
            % {"organization": partner.organization.name, "program": partner.program.code},
            "back": reverse("programs:organization-detail", args=[partner.organization_id]),
            "multipart": True,
            "partner": partner,
        },
    )


# ---- Counsellors posted at an organisation --------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def counsellor_post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _organization_for(request, pk, can_post_counsellors)
    return _submit(
        request,
        CounsellorPostingForm(request.POST or None),
        lambda data: counsellors.post_counsellor(
            user=request.user, organization=organization, **data
        ),
        done=lambda membership: (
            _("%(person)s is now posted here as a counsellor.") % {"person": membership.user}
        ),
        organization=organization,
        page=lambda: {
            "title": _("Post a counsellor at %(organization)s")
            % {"organization": organization.name},
            "back": _organization_page(organization),
        },
    )


@login_required
@require_POST
def counsellor_end(request: AuthenticatedHttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organization = _organization_for(request, pk, can_post_counsellors)
    membership = get_object_or_404(
        counsellors.postings_at(organization).select_related("user"), pk=membership_pk
    )
    return act(
        request,
        lambda: counsellors.end_counsellor_posting(user=request.user, membership=membership),
        success=_("The posting of %(person)s ends today.") % {"person": membership.user},
        redirect_to=_organization_page(organization),
    )


# ---- The responsibility matrix of a program ------------------------------------------------


@login_required
def responsibility_matrix(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The program's partners against the ten responsibilities, with the evidence the audit rule
    `responsibility_unfulfilled` reads: for the program's administrators."""
    program = permitted(
        Program.objects.visible_to(request.user), request.user, can_see_responsibility_matrix, pk=pk
    )
    today = timezone.localdate()
    period_days = responsibilities.period_days_for(program)
    rows = responsibilities.matrix(program, today=today, period_days=period_days)
    return render(
        request,
        "programs/organizations/responsibility_matrix.html",
        {
            "program": program,
            "rows": rows,
            "columns": Responsibility.choices,
            "period_days": period_days,
            "since": today - dt.timedelta(days=period_days),
        },
    )
