"""What needs attention in the programs domain, and each role's summary on the home page.

Each provider asks the user's cached roles first (no query for those it does not concern)
and then counts with one aggregate query; each summary is one query. The lists behind the
counts (`plans_to_approve`, `overdue_milestones`) are the same querysets as the pages that
show them, so that a count and its page always agree.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from training_portal.core.attention import AttentionItem, register_attention

from . import permissions
from .models import (
    CaseLog,
    GraduateDestination,
    Milestone,
    Organization,
    Placement,
    Program,
    ProgramPartner,
    ProgressLog,
    Project,
    Student,
    StudentStatusChange,
    TrainingPlan,
    TutorAssignment,
    TutorProfile,
)
from .services.logs import CASES_TO_ANSWER
from .services.placements import confirmable_by, placements_to_confirm

Status = TrainingPlan.Status


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated queryset, as an integer column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()
    empty_result_set_value = 0


def _holds_any(user: Any, *roles: Role) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and any(
        role in user.role_names for role in roles
    )


# ---- Who acts on what ----------------------------------------------------------------------


def acts_on_plans(user: Any) -> bool:
    """Academic tutors approve their students' plans; program administrators give the final one."""
    return is_portal_admin(user) or _holds_any(user, Role.PROGRAM_ADMIN, Role.ACADEMIC_TUTOR)


def follows_milestones(user: Any) -> bool:
    return is_portal_admin(user) or _holds_any(
        user, Role.PROGRAM_ADMIN, Role.ACADEMIC_TUTOR, Role.PRACTICE_TUTOR
    )


def academic_student_ids(user: Any) -> QuerySet[Any]:
    return TutorAssignment.objects.filter(
        tutor__user=user, role=TutorProfile.Kind.ACADEMIC, ended_on__isnull=True
    ).values("student_id")


def plans_to_approve(user: Any) -> QuerySet[TrainingPlan]:
    """Visible plans in the state `user` acts on: submitted plans of their students (academic
    tutor), plans approved by the tutor in the programs they administer (final approval)."""
    final = Q(status=Status.TUTOR_APPROVED)
    if not is_portal_admin(user):
        final &= Q(student__program__in=permissions.administered_program_ids(user))
    by_tutor = Q(status=Status.SUBMITTED, student__in=academic_student_ids(user))
    return TrainingPlan.objects.visible_to(user).filter(final | by_tutor)


def overdue_milestones(user: Any) -> QuerySet[Milestone]:
    """Overdue milestones of the active students `user` administers or supervises."""
    milestones = Milestone.objects.visible_to(user).overdue()
    if not is_portal_admin(user):
        milestones = milestones.filter(
            Q(student__program__in=permissions.administered_program_ids(user))
            | Q(student__in=permissions.tutored_student_ids(user))
        )
    return milestones.filter(student__status=Student.Status.ACTIVE)


# ---- Attention providers -------------------------------------------------------------------


def decides_status(user: Any) -> bool:
    """Program administrators (and portal administrators) decide students' status requests."""
    return is_portal_admin(user) or _holds_any(user, Role.PROGRAM_ADMIN)


def pending_requests(user: Any) -> QuerySet[StudentStatusChange]:
    """Status requests awaiting a decision, in the programs `user` administers."""
    rows = StudentStatusChange.objects.filter(decision=StudentStatusChange.Decision.PENDING)
    if not is_portal_admin(user):
        rows = rows.filter(student__program__in=permissions.administered_program_ids(user))
    return rows


def follow_ups_due(user: Any) -> QuerySet[GraduateDestination]:
    """Destinations whose follow-up is due and not recorded, in the programs `user` administers."""
    rows = GraduateDestination.objects.filter(
        followed_up_at__isnull=True, follow_up_due__lte=timezone.localdate()
    )
    if not is_portal_admin(user):
        rows = rows.filter(student__program__in=permissions.administered_program_ids(user))
    return rows


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


def placements_awaiting_confirmation(user: Any) -> list[AttentionItem]:
    if not _holds_any(user, Role.PARTNER_COORDINATOR):
        return []
    return [
        AttentionItem(
            _("Placements to confirm"),
            placements_to_confirm(user).count(),
            reverse("programs:placements-to-confirm"),
            "warning",
        )
    ]


def proposals_to_decide(user: Any) -> QuerySet[Project]:
    """Visible proposals `user` approves or refuses: those of the programs they administer or
    led by the organisations they coordinate, never their own (`can_decide_proposal`)."""
    return (
        Project.objects.visible_to(user)
        .filter(status=Project.Status.PROPOSED)
        .filter(
            Q(program__in=permissions.administered_program_ids(user))
            | Q(lead_organization__in=permissions.coordinated_organization_ids(user))
        )
        .exclude(proposed_by=user)
    )


def project_proposals_to_decide(user: Any) -> list[AttentionItem]:
    if not _holds_any(user, Role.PROGRAM_ADMIN, Role.PARTNER_COORDINATOR):
        return []
    return [
        AttentionItem(
            _("Project proposals to decide"),
            proposals_to_decide(user).count(),
            f"{reverse('programs:project-list')}?status={Project.Status.PROPOSED}",
            "warning",
        )
    ]


def _unacknowledged_logs(student: Any) -> QuerySet[ProgressLog]:
    return ProgressLog.objects.filter(student=student, shared=True, acknowledged_at__isnull=True)


def student_actions(user: Any) -> list[AttentionItem]:
    """Shared logs to acknowledge, a plan to write or change (a draft, or one returned), and
    case logs their tutor queried or rejected."""
    if not _holds_any(user, Role.STUDENT):
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


# ---- Home summaries ------------------------------------------------------------------------


def program_admin_summary(user: Any) -> dict[str, Any] | None:
    """The programs `user` administers, with their active students and what waits on them."""
    if not _holds_any(user, Role.PROGRAM_ADMIN):
        return None
    students = Student.objects.filter(program=OuterRef("pk"), status=Student.Status.ACTIVE)
    programs = list(
        Program.objects.filter(pk__in=permissions.administered_program_ids(user))
        .annotate(
            active_students=SubqueryCount(students),
            plans_awaiting=SubqueryCount(
                TrainingPlan.objects.filter(
                    student__program=OuterRef("pk"), status=Status.TUTOR_APPROVED
                )
            ),
            overdue=SubqueryCount(
                Milestone.objects.overdue().filter(
                    student__program=OuterRef("pk"), student__status=Student.Status.ACTIVE
                )
            ),
        )
        .order_by("code")
    )
    return {"programs": programs} if programs else None


def coordinator_summary(user: Any) -> dict[str, Any] | None:
    """The organisations `user` coordinates, with their placements (active, to confirm)."""
    if not _holds_any(user, Role.PARTNER_COORDINATOR):
        return None
    hosted = Placement.objects.filter(host=OuterRef("pk"))
    organizations = list(
        Organization.objects.filter(pk__in=permissions.coordinated_organization_ids(user))
        .annotate(
            active_placements=SubqueryCount(hosted.filter(status=Placement.Status.ACTIVE)),
            to_confirm=SubqueryCount(
                hosted.filter(status=Placement.Status.PLANNED, start_date__lte=confirmable_by())
            ),
            places_offered=Subquery(
                ProgramPartner.objects.filter(organization=OuterRef("pk"), is_active=True)
                .order_by()
                .values("organization")
                .annotate(total=Sum("places_offered"))
                .values("total")
            ),
        )
        .order_by("name")
    )
    return {"organizations": organizations} if organizations else None


def tutor_summary(user: Any) -> dict[str, Any] | None:
    """How many students `user` supervises now, as academic and as practice tutor."""
    if not _holds_any(user, Role.ACADEMIC_TUTOR, Role.PRACTICE_TUTOR):
        return None
    current = TutorAssignment.objects.filter(tutor__user=user, ended_on__isnull=True)
    counts = current.aggregate(
        academic=_count(Q(role=TutorProfile.Kind.ACADEMIC)),
        practice=_count(Q(role=TutorProfile.Kind.PRACTICE)),
        active=_count(Q(student__status=Student.Status.ACTIVE)),
    )
    return {**counts, "approves_plans": acts_on_plans(user)}


def _count(condition: Q) -> Count:
    return Count("student", filter=condition, distinct=True)


def student_summary(user: Any) -> dict[str, Any] | None:
    """The student's plan status, next milestone due and shared logs to acknowledge."""
    if not _holds_any(user, Role.STUDENT):
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


def register() -> None:
    """Called once from `ProgramsConfig.ready()`; the order is the order on the home page."""
    from training_portal.core.views import register_home_section

    for provider in (
        students_work,
        placements_awaiting_confirmation,
        project_proposals_to_decide,
        student_actions,
    ):
        register_attention(provider)
    register_home_section("programs/attention/home_program_admin.html", program_admin_summary)
    register_home_section("programs/attention/home_coordinator.html", coordinator_summary)
    register_home_section("programs/attention/home_tutor.html", tutor_summary)
    register_home_section("programs/attention/home_student.html", student_summary)
