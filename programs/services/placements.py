"""Placements: planned by program administrators, confirmed by the host's coordinator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .. import permissions, workflows
from ..models import Organization, Placement, Student, TutorProfile
from .validation import validated_save


@transaction.atomic
def create_placement(
    *,
    user: User,
    student: Student,
    host: Organization,
    start_date: dt.date,
    end_date: dt.date,
    objectives: str,
    practice_tutor: TutorProfile | None = None,
) -> Placement:
    """Plan a placement of a student with a host organisation (and its practice tutor)."""
    if not permissions.can_manage_placements(user, student.program):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not workflows.allows(student.program, "place"):
        errors[NON_FIELD_ERRORS] = [workflows.refusal(student.program, "place")]
    if practice_tutor is not None and (
        practice_tutor.kind != TutorProfile.Kind.PRACTICE
        or practice_tutor.organization_id != host.pk
    ):
        errors["practice_tutor"] = [_("Choose a practice tutor who works at the host.")]
    if host.status in (Organization.Status.SUSPENDED, Organization.Status.EXITED):
        errors["host"] = [
            _("This organisation cannot take new placements (%(status)s).")
            % {"status": host.get_status_display()}
        ]
    placement = Placement(
        student=student,
        host=host,
        practice_tutor=practice_tutor,
        start_date=start_date,
        end_date=end_date,
        objectives=objectives,
    )
    return validated_save(
        placement, errors=errors, constraint_fields={"programs_placement_period_order": "end_date"}
    )


@transaction.atomic
def confirm_placement(*, user: User, placement: Placement) -> Placement:
    """The host's coordinator confirms that the organisation takes the student."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.confirmed_at is not None:
        raise ValidationError(_("This placement is already confirmed."))
    if not permissions.can_confirm_placement(user, placement):
        raise PermissionDenied
    placement.confirmed_by, placement.confirmed_at = user, timezone.now()
    placement.save(update_fields=["confirmed_by", "confirmed_at"])
    return placement


def placements_to_confirm(user: Any) -> Any:
    """Unconfirmed, not cancelled placements hosted by the organisations the user coordinates."""
    return Placement.objects.filter(
        host__in=permissions.coordinated_organization_ids(user),
        confirmed_at__isnull=True,
    ).exclude(status=Placement.Status.CANCELLED)
