"""Projects: research, clinical, engineering, innovation and entrepreneurship projects of a
program, their members and outputs."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    actor_field,
    moment_field,
    period_check,
    ref,
    unique,
    user_ref,
)

from ..choices import ProjectKind, ProjectMemberRole, ProjectOutputKind, ProjectSize, ProjectStatus
from .organizations import Organization
from .programs import Program


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: Any) -> ProjectQuerySet:
        from ..scopes import project_ids_visible_to

        return self.filter(pk__in=project_ids_visible_to(user))


@tracked()
class Project(models.Model):
    """A research, clinical, engineering, innovation or entrepreneurship project."""

    Kind = ProjectKind
    Size = ProjectSize
    Status = ProjectStatus

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    size = models.CharField(_("size"), max_length=8, choices=Size.choices)
    lead_organization = ref(Organization, _("lead organisation"), related_name="led_projects")
    partner_organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="partner_projects",
        verbose_name=_("partner organisations"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    proposed_by = user_ref(_("proposed by"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusing"), blank=True)
    completion_requested_by = actor_field()
    completion_requested_at = moment_field(_("completion requested at"))
    completion_confirmed_by = actor_field()
    completion_confirmed_at = moment_field(_("completion confirmed at"))

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-start_date", "title"]
        constraints = [
            period_check(
                "programs_project_period_order",
                _("A project cannot end before it starts."),
                open_end=True,
                open_start=True,
            )
        ]

    def __str__(self) -> str:
        return self.title


@tracked()
class ProjectMember(models.Model):
    """A student or tutor in a project, with their role."""

    Role = ProjectMemberRole

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = user_ref(related_name="project_memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        constraints = [
            unique(
                ["project", "user"],
                "programs_project_member_unique",
                _("This person is already a member of the project."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


@tracked()
class ProjectOutput(models.Model):
    """What a project produced."""

    Kind = ProjectOutputKind

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    produced_on = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("project output")
        verbose_name_plural = _("project outputs")

    def __str__(self) -> str:
        return self.title
