"""Who sees which inspections, assignments and draws. Deny by default.

- portal administrators: everything;
- inspectors: while a current assignment covers the target, the inspections they are on;
  their own assignments; draws that drew them;
- the inspected side (coordinators of an inspected organisation, administrators of an
  inspected program): the inspections of their organisation or program that are revealed
  (announced, or unannounced and started);
- anybody else: nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_portal_admin, visible_filter
from accounts.roles import Role
from programs.scopes import (
    administered_program_ids,
    coordinated_organization_ids,
    coordinator_ids,
    program_admin_ids,
)
from training_portal.core.permissions import NOTHING, is_active_user

from .workflow import CONDUCTING, WRITING, allows


def covering_assignment(user: Any, prefix: str = "", on: dt.date | None = None) -> Exists:
    """A current assignment of `user` that covers the program or organisation at `prefix`
    (e.g. "" for an Inspection, "inspection__" for rows hanging from one)."""
    from ..models import InspectionAssignment

    return Exists(
        InspectionAssignment.objects.current(on).filter(
            Q(program_id=OuterRef(f"{prefix}program_id"), program__isnull=False)
            | Q(organization_id=OuterRef(f"{prefix}organization_id"), organization__isnull=False),
            inspector=user,
        )
    )


@visible_filter
def inspection_filter(user: Any, prefix: str = "") -> Q:
    revealed = revealed_filter(prefix)
    inspected = Q(**{f"{prefix}organization__in": coordinated_organization_ids(user)}) | Q(
        **{f"{prefix}program__in": administered_program_ids(user)}
    )
    return Q(on_team(user, prefix)) & Q(covering_assignment(user, prefix)) | (inspected & revealed)


def conducted_inspection_ids(user: Any) -> Any:
    """The ids (a subquery) of the inspections `user` is on the team of, under a current
    assignment."""
    from ..models import Inspection

    return Inspection.objects.filter(on_team(user), covering_assignment(user)).values("pk")


def revealed_filter(prefix: str = "", now: dt.datetime | None = None) -> Q:
    """Inspections the inspected side may know of: announced ones, and unannounced ones that
    have started, unless they were cancelled before the inspected side was told of them."""
    p = prefix
    return Q(**{f"{p}unannounced": False}) | (
        Q(**{f"{p}starts_at__lte": now or timezone.now()})
        & (~Q(**{f"{p}status": "cancelled"}) | Q(**{f"{p}start_notice_sent_at__isnull": False}))
    )


def on_team(user: Any, prefix: str = "") -> Exists:
    """`user` is on the team of the inspection at `prefix` ("" or "inspection__")."""
    from ..models import InspectionTeamMember

    inspection = f"{prefix[: -len('__')]}_id" if prefix else "pk"
    return Exists(
        InspectionTeamMember.objects.filter(inspection_id=OuterRef(inspection), inspector=user)
    )


@visible_filter
def assignment_filter(user: Any) -> Q:
    return Q(inspector=user)


def draw_filter(user: Any) -> Q:
    """Draws are for portal administrators (their records are public through the verify
    page, by public identifier)."""
    if is_active_user(user) and is_portal_admin(user):
        return Q()
    return NOTHING


# ---- Predicates (one permission concept for views, API and templates) ----------------------


def is_inspector(user: Any) -> bool:
    """An active account with an inspector profile (in or out of the pool); asked once per
    user object (a request's navigation and home page both ask)."""
    from ..models import InspectorProfile

    if not is_active_user(user):
        return False
    known = getattr(user, "_is_inspector", None)
    if known is None:
        is_lead = InspectorProfile.objects.filter(user=user).values_list("is_lead", flat=True)
        lead = is_lead.first()
        known = lead is not None
        user._is_inspector, user._is_lead_inspector = known, bool(lead)
    return bool(known)


def inspector_role_labels(user: Any) -> list[Any]:
    """ "Inspector" or "Lead inspector" for the home page's roles (inspectors hold a profile,
    not a role membership); no query beyond `is_inspector`'s."""
    if not is_inspector(user):
        return []
    if getattr(user, "_is_lead_inspector", False):
        return [_("Lead inspector")]
    return [Role.INSPECTOR.label]


def can_manage_inspections(user: Any) -> bool:
    """Schedule, assign, draw, edit checklist templates, cancel: portal administrators."""
    return is_active_user(user) and is_portal_admin(user)


def sees_inspections(user: Any) -> bool:
    """Whether the inspections menu is shown: portal administrators, inspectors, and the
    inspected side once at least one of their inspections is visible to them. The list
    itself is open to everyone signed in and holds what `visible_to` gives (an unannounced
    inspection reaches the inspected side only once it has started)."""
    from ..models import Inspection

    if not is_active_user(user):
        return False
    if is_portal_admin(user) or is_inspector(user):
        return True
    # Only administrators of programs and coordinators are ever on the inspected side.
    inspected_roles = {Role.PROGRAM_ADMIN, Role.PARTNER_COORDINATOR} & user.role_names
    return bool(inspected_roles) and Inspection.objects.visible_to(user).exists()


def _team(user: Any, inspection: Any, **extra: Any) -> bool:
    """On the team (with `extra` conditions on the membership) and covered by a current
    assignment, checked in one query."""
    from ..models import Inspection, InspectionTeamMember

    if not is_active_user(user) or inspection.pk is None:
        return False
    member = InspectionTeamMember.objects.filter(
        inspection_id=OuterRef("pk"), inspector=user, **extra
    )
    return (
        Inspection.objects.filter(pk=inspection.pk)
        .filter(Exists(member), covering_assignment(user))
        .exists()
    )


def is_team_member(user: Any, inspection: Any) -> bool:
    """On the inspection's team, and a current assignment covers its target (revoking the
    assignment ends the access on the next request)."""
    return _team(user, inspection)


def is_author(user: Any, inspection: Any) -> bool:
    """The team member who writes the report."""
    return _team(user, inspection, is_author=True)


def can_conduct(user: Any, inspection: Any) -> bool:
    """Record the checklist, the sample, observations, evidence and findings."""
    return inspection.status in CONDUCTING and is_team_member(user, inspection)


def can_start(user: Any, inspection: Any) -> bool:
    """Start a planned inspection once its start time has come."""
    return (
        allows("start", inspection.status)
        and inspection.has_started()
        and is_team_member(user, inspection)
    )


def can_write_report(user: Any, inspection: Any) -> bool:
    """Write and revise the sections of the draft report, and answer reply comments."""
    return inspection.status in WRITING and is_team_member(user, inspection)


def can_open_reply_window(user: Any, inspection: Any) -> bool:
    return allows("open_reply", inspection.status) and is_author(user, inspection)


def can_request_publication(user: Any, inspection: Any) -> bool:
    """The author, once the reply window has closed (or while drafting a correction); the
    service checks the rest (every comment answered, a correction note)."""
    return allows("request_publication", inspection.status) and is_author(user, inspection)


def can_start_correction(user: Any, inspection: Any) -> bool:
    return allows("correct", inspection.status) and (
        can_manage_inspections(user) or is_author(user, inspection)
    )


def can_cancel(user: Any, inspection: Any) -> bool:
    return allows("cancel", inspection.status) and can_manage_inspections(user)


def is_inspected_side(user: Any, inspection: Any) -> bool:
    """A coordinator of the inspected organisation or an administrator of the inspected
    program, once the inspection is revealed (announced, or unannounced and started)."""
    if not is_active_user(user) or not inspection.is_revealed():
        return False
    if inspection.organization_id is not None:
        return inspection.organization_id in coordinated_organization_ids(user)
    return inspection.program_id in administered_program_ids(user)


def can_reply(user: Any, inspection: Any) -> bool:
    """Comment on the draft: the inspected side, while the reply window is open."""
    return inspection.reply_window_open() and is_inspected_side(user, inspection)


def _is_lead(user: Any) -> bool:
    from ..models import InspectorProfile

    return InspectorProfile.objects.filter(user=user, is_lead=True).exists()


def can_approve_publication(user: Any, inspection: Any) -> bool:
    """The second person of the two-person rule: a portal administrator, or a lead inspector
    on the team; never the one who asked for publication, never the author."""
    if not allows("approve", inspection.status) or not is_active_user(user):
        return False
    if user.pk == inspection.publication_requested_by_id or is_author(user, inspection):
        return False
    if is_portal_admin(user):
        return True
    return _is_lead(user) and is_team_member(user, inspection)


def can_declare_conflict(user: Any, inspector: Any) -> bool:
    """The inspector themself, or a portal administrator."""
    if not is_active_user(user):
        return False
    return is_portal_admin(user) or user.pk == getattr(inspector, "pk", None)


def inspected_side_users(inspection: Any) -> Any:
    """The active accounts of the inspected side: the coordinators of the organisation, or
    the administrators of the program (current memberships). Whether they may already know
    of the inspection is the caller's question (`Inspection.is_revealed`)."""
    from accounts.models import User

    if inspection.organization_id is not None:
        holders = coordinator_ids([inspection.organization_id])
    else:
        holders = program_admin_ids([inspection.program_id])
    return User.objects.filter(is_active=True, pk__in=holders).order_by("pk")


def works_on(user: Any, inspection: Any) -> bool:
    """The inspectors' working material (checklist, sample, observations, evidence, the draft
    before the reply window) and their moves: team members with a current assignment and
    portal administrators; never the inspected side. The services decide each move exactly."""
    return can_manage_inspections(user) or is_team_member(user, inspection)


def reads_draft(user: Any, inspection: Any) -> bool:
    """The draft report and its comments: those who work on the inspection, and the
    inspected side once the draft has been sent to them for reply."""
    return works_on(user, inspection) or (
        inspection.reply_opens_at is not None and is_inspected_side(user, inspection)
    )
