"""The reward ledger: points earned by completed projects, append-only."""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Program, Project
from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    check,
    now_field,
    one_of,
    optional_fk,
    unique,
    user_ref,
)

from ..choices import RewardEntryKind

#: Points by project size when a program has not set its own (DOMAIN.md: small 1, medium 3,
#: big 5), so that many small projects count like a big one.
DEFAULT_POINTS = {
    Project.Size.SMALL: 1,
    Project.Size.MEDIUM: 3,
    Project.Size.BIG: 5,
}


@tracked()
class RewardRule(models.Model):
    """A program's points for a completed project of one size."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="reward_rules", verbose_name=_("program")
    )
    size = models.CharField(_("project size"), max_length=8, choices=Project.Size.choices)
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("reward rule")
        verbose_name_plural = _("reward rules")
        ordering = ["program", "size"]
        constraints = [
            unique(
                ["program", "size"],
                "evaluation_reward_rule_once",
                _("This program already has points for this size."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.program_id}:{self.size}={self.points}"


class RewardEntryQuerySet(models.QuerySet["RewardEntry"]):
    def visible_to(self, user: Any) -> RewardEntryQuerySet:
        from ..ledger.permissions import entry_filter

        return self.filter(entry_filter(user))


class RewardEntry(models.Model):
    """One line of the ledger: points to a person or an organisation for a project.

    Append-only (a database trigger refuses updates and deletes): a correction is a
    reversing entry, with a reason, that cancels exactly one earlier award.
    """

    Kind = RewardEntryKind

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="reward_entries", verbose_name=_("program")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="reward_entries", verbose_name=_("project")
    )
    user = user_ref(_("person"), related_name="reward_entries", null=True, blank=True)
    organization = optional_fk(
        Organization, _("organisation"), on_delete=models.PROTECT, related_name="reward_entries"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.AWARD)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    earned_on = models.DateField(_("date"))
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_by = user_ref(_("recorded by"), null=True, blank=True)
    created_at = now_field(_("recorded at"))

    objects = RewardEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward entry")
        verbose_name_plural = _("reward entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            check(
                one_of("user", "organization"),
                "evaluation_reward_one_beneficiary",
                _("An entry is for one person or one organisation."),
            ),
            check(
                Q(kind="award", points__gt=0, reverses__isnull=True)
                | (Q(kind="reversal", points__lt=0, reverses__isnull=False) & ~Q(reason="")),
                "evaluation_reward_kind_shape",
                _("An award has positive points; a reversal cancels one entry, with a reason."),
            ),
            unique(
                ["project", "user"],
                "evaluation_reward_award_once_per_person",
                _("This person already has the project's award."),
                condition=Q(kind="award", user__isnull=False),
            ),
            unique(
                ["project", "organization"],
                "evaluation_reward_award_once_per_organisation",
                _("This organisation already has the project's award."),
                condition=Q(kind="award", organization__isnull=False),
            ),
        ]
        # The API pages through the entries by (earned_on, id) in each scope.
        indexes = [
            models.Index(fields=["-earned_on", "-id"], name="evaluation_reward_newest_idx"),
            models.Index(
                fields=["program", "-earned_on", "-id"], name="evaluation_reward_program_idx"
            ),
            models.Index(fields=["user", "-earned_on", "-id"], name="evaluation_reward_user_idx"),
            models.Index(
                fields=["organization", "-earned_on", "-id"], name="evaluation_reward_org_idx"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="evaluation_reward_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points}"

    def reversal(self, *, reason: str, created_by: Any = None) -> RewardEntry:
        """The entry (not yet saved) that cancels this one: negative points, same beneficiary
        and date."""
        return RewardEntry(
            program_id=self.program_id,
            project_id=self.project_id,
            user_id=self.user_id,
            organization_id=self.organization_id,
            kind=RewardEntry.Kind.REVERSAL,
            points=-self.points,
            earned_on=self.earned_on,
            reverses=self,
            reason=reason,
            created_by=created_by,
        )
