"""External supervision: inspectors, their assignments to programs and organisations, and
their declared conflicts of interest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Program
from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    actor_field,
    check,
    moment_field,
    now_field,
    one_of,
    optional_fk,
    period_check,
    ref,
    unique,
    user_ref,
)

from ..choices import ConflictOfInterestKind

# ---- Inspectors ------------------------------------------------------------------------------


class InspectorProfileQuerySet(models.QuerySet["InspectorProfile"]):
    def in_pool(self) -> InspectorProfileQuerySet:
        """Inspectors who may be drawn."""
        return self.filter(is_active=True, user__is_active=True)


@tracked()
class InspectorProfile(models.Model):
    """An external inspector: the pool the draw picks from. A lead inspector may approve
    the publication of another inspector's report."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inspector_profile",
        verbose_name=_("user"),
    )
    affiliation = optional_fk(
        Organization,
        _("affiliation"),
        on_delete=models.SET_NULL,
        help_text=_("The organisation the inspector belongs to, if it is a partner."),
    )
    is_lead = models.BooleanField(_("lead inspector"), default=False)
    is_active = models.BooleanField(_("in the pool"), default=True)
    expertise = models.CharField(_("expertise"), max_length=200, blank=True)

    objects = InspectorProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        ordering = ["user__email"]

    def __str__(self) -> str:
        return str(self.user)


class InspectionAssignmentQuerySet(models.QuerySet["InspectionAssignment"]):
    def current(self, on: dt.date | None = None) -> InspectionAssignmentQuerySet:
        """Assignments in force on `on` (today by default), not revoked."""
        on = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, valid_from__lte=on, valid_until__gte=on)

    def visible_to(self, user: Any) -> InspectionAssignmentQuerySet:
        from ..inspections.permissions import assignment_filter

        return self.filter(assignment_filter(user))


@tracked()
class InspectionAssignment(models.Model):
    """What an inspector may see, and when: one program or one organisation, from one date
    to another. Outside a current assignment an inspector sees nothing; revoking one takes
    effect on the next request (every read checks it)."""

    inspector = user_ref(
        _("inspector"), on_delete=models.CASCADE, related_name="inspection_assignments"
    )
    program = optional_fk(
        Program, _("program"), on_delete=models.CASCADE, related_name="inspection_assignments"
    )
    organization = optional_fk(
        Organization,
        _("organisation"),
        on_delete=models.CASCADE,
        related_name="inspection_assignments",
    )
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"))
    created_by = actor_field(_("created by"), on_delete=models.SET_NULL)
    created_at = now_field(_("created at"))
    revoked_at = moment_field(_("revoked at"))
    revoked_by = actor_field(_("revoked by"), on_delete=models.SET_NULL)

    objects = InspectionAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection assignment")
        verbose_name_plural = _("inspection assignments")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["inspector", "valid_from", "valid_until"])]
        constraints = [
            check(
                one_of("program", "organization"),
                "supervision_assignment_one_target",
                _("An assignment covers either one program or one organisation."),
            ),
            period_check(
                "supervision_assignment_period",
                _("An assignment cannot end before it starts."),
                start="valid_from",
                end="valid_until",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspector} → {self.program or self.organization}"

    @property
    def target(self) -> Program | Organization | None:
        return self.program or self.organization


@tracked()
class ConflictOfInterest(models.Model):
    """An organisation an inspector belongs to or is linked with: they are never drawn for
    it, nor assigned to inspect it."""

    Kind = ConflictOfInterestKind

    inspector = user_ref(
        _("inspector"), on_delete=models.CASCADE, related_name="conflicts_of_interest"
    )
    organization = ref(
        Organization,
        _("organisation"),
        on_delete=models.CASCADE,
        related_name="inspector_conflicts",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    explanation = models.TextField(_("explanation"), blank=True)
    declared_at = now_field(_("declared at"))

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["organization__name"]
        constraints = [
            unique(
                ["inspector", "organization"],
                "supervision_conflict_once",
                _("This conflict of interest has already been declared."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspector} ≠ {self.organization}"
