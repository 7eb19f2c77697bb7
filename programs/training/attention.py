"""Home-page attention of training: plans to approve, overdue milestones, case logs to verify, what
a student must do; the student's home summary."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from training_portal.core.attention import AttentionItem

from ..models import (
    CaseLog,
    Milestone,
    ProgressLog,
    Student,
    TrainingPlan,
    TutorAssignment,
    TutorProfile,
)
from ..people.attention import follow_ups_due, pending_requests
from ..people.permissions import decides_status, holds_any, is_tutor
from ..scopes import (
    SubqueryCount,
    administered_program_ids,
    case_logs_to_verify_filter,
    tutored_student_ids,
)
from .permissions import acts_on_plans, follows_milestones
from .services.logs import CASES_TO_ANSWER

Status = TrainingPlan.Status


def case_logs_to_verify(user: Any) -> QuerySet[CaseLog]:
    """The visible case-log entries `user` verifies."""
    return CaseLog.objects.visible_to(user).filter(case_logs_to_verify_filter(user))


def academic_student_ids(user: Any) -> QuerySet[Any]:
    return TutorAssignment.objects.filter(
        tutor__user=user, role=TutorProfile.Kind.ACADEMIC, ended_on__isnull=True
    ).values("student_id")


def plans_to_approve(user: Any) -> QuerySet[TrainingPlan]:
    """Visible plans in the state `user` acts on: submitted plans of their students (academic
    tutor), plans approved by the tutor in the programs they administer (final approval).
    The two kinds are a UNION, each read through the index of its students."""
    final = TrainingPlan.objects.filter(status=Status.TUTOR_APPROVED)
    if not is_portal_admin(user):
        final = final.filter(student__program__in=administered_program_ids(user))
    by_tutor = TrainingPlan.objects.filter(
        status=Status.SUBMITTED, student__in=academic_student_ids(user)
    )
    either = final.order_by().values("pk").union(by_tutor.order_by().values("pk"), all=True)
    return TrainingPlan.objects.visible_to(user).filter(pk__in=either)


def overdue_milestones(user: Any) -> QuerySet[Milestone]:
    """Overdue milestones of the active students `user` administers or supervises."""
    milestones = Milestone.objects.visible_to(user).overdue()
    if not is_portal_admin(user):
        administered = Student.objects.filter(program__in=administered_program_ids(user))
        followed = (
            administered.order_by()
            .values("pk")
            .union(tutored_student_ids(user).order_by(), all=True)
        )
        milestones = milestones.filter(student__in=followed)
    return milestones.filter(student__status=Student.Status.ACTIVE)


def _counted_together(**querysets: QuerySet[Any]) -> dict[str, int]:
    """The size of each queryset, in one query. Everything counted here belongs to a student:
    with no student at all (no row to annotate) every count is zero."""
    if not querysets:
        return {}
    # Prefixed: an annotation may not take the name of a field ("plans" is one of Student's).
    columns = {f"counted_{name}": name for name in querysets}
    row = (
        Student.objects.annotate(
            **{
                column: SubqueryCount(querysets[name].order_by().values("pk"))
                for column, name in columns.items()
            }
        )
        .values(*columns)
        .order_by()
        .first()
    )
    if row is None:
        return dict.fromkeys(querysets, 0)
    return {name: row[column] for column, name in columns.items()}


def students_work(user: Any) -> list[AttentionItem]:
    """What waits on who runs or supervises students: status requests to decide and graduate
    follow-ups due (program administrators), plans awaiting approval (tutors, program
    administrators), overdue milestones; counted in one query, whatever the user's roles."""
    querysets: dict[str, QuerySet[Any]] = {}
    if decides_status(user):
        querysets["pending"] = pending_requests(user)
        querysets["due"] = follow_ups_due(user)
    if acts_on_plans(user):
        querysets["plans"] = plans_to_approve(user)
    if follows_milestones(user):
        querysets["overdue"] = overdue_milestones(user)
    counts = _counted_together(**querysets)
    items = []
    if "pending" in counts:
        url = reverse("programs:status-requests")
        items += [
            AttentionItem(
                _("Student status requests to decide"),
                counts["pending"],
                f"{url}#requests",
                "warning",
            ),
            AttentionItem(_("Graduate follow-ups due"), counts["due"], f"{url}#follow-ups"),
        ]
    if "plans" in counts:
        items.append(
            AttentionItem(
                _("Plans awaiting your approval"),
                counts["plans"],
                reverse("programs:plans-to-approve"),
                "warning",
            )
        )
    if "overdue" in counts:
        items.append(
            AttentionItem(
                _("Overdue milestones"),
                counts["overdue"],
                reverse("programs:overdue-milestones"),
                "danger",
            )
        )
    return items


def _unacknowledged_logs(student: Any) -> QuerySet[ProgressLog]:
    return ProgressLog.objects.filter(student=student, shared=True, acknowledged_at__isnull=True)


def student_actions(user: Any) -> list[AttentionItem]:
    """Shared logs to acknowledge, a plan to write or change (a draft, or one returned), and
    case logs their tutor queried or rejected."""
    if not holds_any(user, Role.STUDENT):
        return []
    row = (
        Student.objects.filter(user=user)
        .annotate(
            logs=SubqueryCount(_unacknowledged_logs(OuterRef("pk"))),
            drafts=SubqueryCount(
                TrainingPlan.objects.filter(student=OuterRef("pk"), status=Status.DRAFT)
            ),
            versions=SubqueryCount(TrainingPlan.objects.filter(student=OuterRef("pk"))),
            cases=SubqueryCount(CaseLog.objects.filter(CASES_TO_ANSWER, student=OuterRef("pk"))),
        )
        .values("logs", "drafts", "versions", "cases", "status")
        .first()
    )
    if row is None:
        return []
    url = reverse("programs:my-plan")
    # No plan yet also needs the student: the first draft is theirs to write.
    plan_action = row["drafts"] if row["versions"] else 1
    if row["status"] != Student.Status.ACTIVE:
        plan_action = 0
    return [
        AttentionItem(_("Shared logs to acknowledge"), row["logs"], url),
        AttentionItem(_("Your plan needs your action"), plan_action, url, "warning"),
        AttentionItem(
            _("Case logs to answer or correct"),
            row["cases"],
            reverse("programs:my-cases-to-answer"),
            "warning",
        ),
    ]


def student_summary(user: Any) -> dict[str, Any] | None:
    """The student's plan status, next milestone due and shared logs to acknowledge."""
    if not holds_any(user, Role.STUDENT):
        return None
    latest = TrainingPlan.objects.filter(student=OuterRef("pk")).order_by("-version")
    next_due = Milestone.objects.filter(student=OuterRef("pk"), completed_on__isnull=True).order_by(
        "due_date", "id"
    )
    student = (
        Student.objects.filter(user=user)
        .select_related("program")
        .annotate(
            plan_status=Subquery(latest.values("status")[:1]),
            plan_version=Subquery(latest.values("version")[:1]),
            next_milestone=Subquery(next_due.values("title")[:1]),
            next_due_date=Subquery(next_due.values("due_date")[:1]),
            to_acknowledge=SubqueryCount(_unacknowledged_logs(OuterRef("pk"))),
        )
        .first()
    )
    if student is None:
        return None
    today = timezone.localdate()
    return {
        "student": student,
        "plan_status": dict(Status.choices).get(student.plan_status or ""),
        "plan_version": student.plan_version,
        "next_milestone": student.next_milestone,
        "next_due_date": student.next_due_date,
        "overdue": bool(student.next_due_date and student.next_due_date < today),
        "to_acknowledge": student.to_acknowledge,
    }


CASES_TO_VERIFY = gettext_lazy("Case-log entries to verify")


def case_logs_to_verify_attention(user: Any) -> list[AttentionItem]:
    """Home-page item for tutors: how many case-log entries wait for their verification."""
    if not is_tutor(user):
        return []
    return [
        AttentionItem(
            label=CASES_TO_VERIFY,
            count=case_logs_to_verify(user).count(),
            url=reverse("programs:cases-to-verify"),
            level="warning",
        )
    ]
