"""People of a program: tutor profiles, students, and dual supervision assignments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training_portal.core.history import tracked
from training_portal.core.model_fields import check, in_range, period_check, ref, unique, user_ref

from ..choices import StudentStatus, TutorKind
from .organizations import Organization
from .programs import Program


class TutorProfileQuerySet(models.QuerySet["TutorProfile"]):
    def visible_to(self, user: Any) -> TutorProfileQuerySet:
        from ..scopes import tutor_ids_visible_to

        return self.filter(pk__in=tutor_ids_visible_to(user))

    def with_load(self) -> TutorProfileQuerySet:
        """Annotate `active_students`: current assignments of active students."""
        return self.annotate(
            active_students=models.Count(
                "assignments",
                filter=Q(assignments__ended_on__isnull=True, assignments__student__status="active"),
            )
        )


@tracked()
class TutorProfile(models.Model):
    """An academic or practice tutor: where they work, what they know, how many they take."""

    Kind = TutorKind

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutor_profile"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TutorKind.choices)
    organization = ref(Organization, _("organisation"), related_name="tutors")
    professional_title = models.CharField(_("professional title"), max_length=100, blank=True)
    specialty = models.CharField(_("specialty"), max_length=200, blank=True)
    qualifications = models.TextField(_("qualifications"), blank=True)
    practice_experience = models.TextField(_("practice experience"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (students)"), default=6)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TutorProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("tutor")
        verbose_name_plural = _("tutors")
        ordering = ["user__full_name"]
        constraints = [
            check(
                in_range("capacity", 1, 100),
                "programs_tutor_capacity_range",
                _("Capacity must be between 1 and 100 students."),
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class StudentQuerySet(models.QuerySet["Student"]):
    def visible_to(self, user: Any) -> StudentQuerySet:
        from ..scopes import student_ids_visible_to

        return self.filter(pk__in=student_ids_visible_to(user))

    def of_program_visible_to(self, program: Program, user: Any) -> StudentQuerySet:
        """The students of `program` that `user` may see: `visible_to` within the program.
        Its administrators (and the portal's) see every student of it, so their rows are
        read without the scope's subqueries, straight from the (program, student_number)
        index that the program page walks."""
        from ..scopes import sees_every_student_of

        students = self.filter(program=program)
        return students if sees_every_student_of(user, program.pk) else students.visible_to(user)

    def active(self) -> StudentQuerySet:
        return self.filter(status=Student.Status.ACTIVE)


@tracked()
class Student(models.Model):
    """A master's candidate enrolled in a program."""

    Status = StudentStatus

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="students")
    student_number = models.CharField(_("student number"), max_length=32, unique=True)
    cohort = models.PositiveSmallIntegerField(_("cohort (year of entry)"))
    enrolled_on = models.DateField(_("enrolled on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    # Set by the status lifecycle (programs.people.services.student_status): the day the current
    # status began (audits count supervision from a resumption, not across a suspension),
    # and the expected end of study once an extension has set one.
    status_since = models.DateField(_("status since"), null=True, blank=True)
    expected_end_on = models.DateField(_("expected end of study"), null=True, blank=True)

    objects = StudentQuerySet.as_manager()

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["student_number"]
        indexes = [
            models.Index(fields=["program", "status"]),
            # A program's students in the default order: the program page's table.
            models.Index(fields=["program", "student_number"]),
        ]
        constraints = [
            check(
                in_range("cohort", 1990, 2100),
                "programs_student_cohort_range",
                _("The cohort must be a year between 1990 and 2100."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.student_number})"


@tracked()
class TutorAssignment(models.Model):
    """Dual supervision: one current academic tutor and any number of practice tutors."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="assignments")
    tutor = models.ForeignKey(TutorProfile, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=16, choices=TutorKind.choices)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    over_capacity_reason = models.TextField(
        _("reason for exceeding capacity"),
        blank=True,
        help_text=_("Required when the tutor already has as many students as their capacity."),
    )
    assigned_by = user_ref(on_delete=models.SET_NULL, null=True)

    class Meta:
        verbose_name = _("tutor assignment")
        verbose_name_plural = _("tutor assignments")
        ordering = ["student", "role", "started_on"]
        indexes = [models.Index(fields=["tutor", "ended_on"])]
        constraints = [
            unique(
                ["student"],
                "programs_one_current_academic_tutor",
                _("The student already has an academic tutor."),
                condition=Q(role="academic", ended_on__isnull=True),
            ),
            unique(
                ["student", "tutor"],
                "programs_assignment_unique_current",
                _("This tutor already supervises this student."),
                condition=Q(ended_on__isnull=True),
            ),
            period_check(
                "programs_assignment_period_order",
                _("An assignment cannot end before it starts."),
                start="started_on",
                end="ended_on",
                open_end=True,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tutor} → {self.student} ({self.get_role_display()})"
