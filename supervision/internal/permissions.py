"""Who sees which review meetings and rating aggregates, and who may act. Deny by default.

Review meetings are seen by the administrators of their program, by the coordinators of the
organisations involved, and by the people named on them (participants, chair, the person
responsible for the actions, who recorded it); a student therefore sees the meetings they took
part in. Program administrators record meetings of their programs; the coordinators of an
organisation taking part in a program record meetings that involve their organisation, and
keep editing those they recorded.

Ratings are never read one by one. Their aggregates (per tutor and per program, per term) are
for the tutor (their own), the coordinators (the tutors of their organisation) and the program
administrators (their programs; comments too); an aggregate of fewer than `MIN_ANSWERS`
answers is not shown to anyone.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from accounts.permissions import is_portal_admin, visible_filter
from accounts.roles import Role
from programs.models import Organization, Program, ProgramPartner
from programs.scopes import administered_program_ids, administers, coordinated_organization_ids
from training_portal.core.permissions import is_active_user

#: The fewest answers an aggregate of ratings is shown with.
MIN_ANSWERS = 5

_MEETING_ROLES = (
    Role.PROGRAM_ADMIN,
    Role.PARTNER_COORDINATOR,
    Role.ACADEMIC_TUTOR,
    Role.PRACTICE_TUTOR,
    Role.STUDENT,
)
_AGGREGATE_ROLES = (
    Role.PROGRAM_ADMIN,
    Role.PARTNER_COORDINATOR,
    Role.ACADEMIC_TUTOR,
    Role.PRACTICE_TUTOR,
)


def _holds_any(user: Any, roles: tuple[Role, ...]) -> bool:
    return is_active_user(user) and any(role in user.role_names for role in roles)


def coordinated_ids(user: Any) -> set[int]:
    """The organisations `user` coordinates, from their cached roles (no query)."""
    if not is_active_user(user):
        return set()
    organization_type = ContentType.objects.get_for_model(Organization).pk
    return {
        scope_id
        for role, scope_type, scope_id in user.current_roles
        if role == Role.PARTNER_COORDINATOR and scope_type == organization_type and scope_id
    }


# ---- Review meetings -----------------------------------------------------------------------


@visible_filter
def review_meeting_filter(user: Any) -> Q:
    from ..models import ReviewMeetingOrganization, ReviewMeetingParticipant

    taking_part = ReviewMeetingParticipant.objects.filter(user=user).values("meeting_id")
    involving_mine = ReviewMeetingOrganization.objects.filter(
        organization__in=coordinated_organization_ids(user)
    ).values("meeting_id")
    return (
        Q(program__in=administered_program_ids(user))
        | Q(pk__in=taking_part)
        | Q(chair=user)
        | Q(action_owner=user)
        | Q(created_by=user)
        | Q(pk__in=involving_mine)
    )


def sees_meetings(user: Any) -> bool:
    """Who finds the review meetings in the menu (no query). The list is open to everyone
    signed in and holds the meetings they may see (none for an account without a role)."""
    return is_portal_admin(user) or _holds_any(user, _MEETING_ROLES)


def meeting_program_ids_open_to(user: Any) -> QuerySet[Any]:
    """Programs in which `user` may record review meetings: those they administer, and those
    in which an organisation they coordinate takes part (lead university or active partner)."""
    if not is_active_user(user):
        return Program.objects.none().values("pk")
    if is_portal_admin(user):
        return Program.objects.values("pk")
    coordinated = coordinated_organization_ids(user)
    partnered = ProgramPartner.objects.filter(organization__in=coordinated, is_active=True).values(
        "program_id"
    )
    return Program.objects.filter(
        Q(pk__in=administered_program_ids(user))
        | Q(lead_university__in=coordinated)
        | Q(pk__in=partnered)
    ).values("pk")


def can_create_meeting(user: Any, program: Any) -> bool:
    if administers(user, program):
        return True
    if not coordinated_ids(user):
        return False
    return Program.objects.filter(pk=program.pk, pk__in=meeting_program_ids_open_to(user)).exists()


def can_edit_meeting(user: Any, meeting: Any) -> bool:
    """The program's administrators; a coordinator, for the meetings they recorded that still
    involve their organisation."""
    if administers(user, meeting.program):
        return True
    if not is_active_user(user) or meeting.created_by_id != user.pk:
        return False
    mine = coordinated_ids(user)
    return bool(mine) and meeting.organization_links.filter(organization__in=mine).exists()


# ---- Ratings -------------------------------------------------------------------------------


def rates_supervision(user: Any) -> bool:
    """Students answer the rating of their supervision (navigation and page guard)."""
    return _holds_any(user, (Role.STUDENT,))


def sees_rating_aggregates(user: Any) -> bool:
    return is_portal_admin(user) or _holds_any(user, _AGGREGATE_ROLES)


@visible_filter
def tutor_rating_filter(user: Any, tutor_field: str) -> Q:
    """The ratings that count in the tutor aggregates `user` may see, for the tutor named by
    `tutor_field` ("academic_tutor" or "practice_tutor")."""
    return (
        Q(**{f"{tutor_field}__user": user})
        | Q(**{f"{tutor_field}__organization__in": coordinated_organization_ids(user)})
        | Q(program__in=administered_program_ids(user))
    )


@visible_filter
def program_rating_filter(user: Any) -> Q:
    """The ratings that count in the program aggregates `user` may see (with comments)."""
    return Q(program__in=administered_program_ids(user))
