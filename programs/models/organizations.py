"""Partner subjects: organisations of seven kinds, with a recorded status history."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from training_portal.core.history import tracked
from training_portal.core.model_fields import check, now_field, ref, status_change_check, user_ref

from ..choices import OrganizationKind, OrganizationStatus


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def visible_to(self, user: Any) -> OrganizationQuerySet:
        """Organisations are the partner register: their public facts are open to every
        signed-in, active user (as in the API); who works there is decided per page."""
        from training_portal.core.permissions import is_active_user

        return self if is_active_user(user) else self.none()

    def hosting_for(self, program_id: int) -> OrganizationQuerySet:
        """The organisations that may host the program's students: active organisations
        with an active partnership in the program (not on probation, suspended or exited)."""
        return self.filter(
            status=OrganizationStatus.ACTIVE,
            partnerships__program_id=program_id,
            partnerships__is_active=True,
        ).distinct()


@tracked()
class Organization(models.Model):
    """A partner subject: university, hospital, enterprise, institute or supporting body."""

    Kind = OrganizationKind
    Status = OrganizationStatus

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OrganizationStatus.choices,
        default=OrganizationStatus.ACTIVE,
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = now_field(_("created at"))

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.short_name or self.name


class OrganizationStatusChange(models.Model):
    """One change of an organisation's status: who, when and why (append-only)."""

    organization = ref(
        Organization, _("organisation"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("previous status"), max_length=16, choices=OrganizationStatus.choices, blank=True
    )
    to_status = models.CharField(_("new status"), max_length=16, choices=OrganizationStatus.choices)
    reason = models.TextField(_("reason"))
    changed_by = user_ref(_("changed by"), null=True)
    changed_at = now_field(_("changed at"))

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-id"]
        constraints = [
            check(
                ~Q(reason=""),
                "programs_status_change_has_reason",
                _("A status change needs a reason."),
            ),
            status_change_check("programs_status_change_changes"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.from_status} → {self.to_status}"
