"""What each user may see: the visible-id querysets and filters every feature's reads, pages and
API use."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

from django.db.models import F, IntegerField, Lookup, Q, QuerySet, Subquery

from accounts.models import RoleMembership, RoleMembershipQuerySet
from accounts.permissions import is_portal_admin, visible_filter
from accounts.roles import Role
from training_portal.core.permissions import is_active_user


def _program_admins() -> RoleMembershipQuerySet:
    """The current memberships of the programs' administrators."""
    from .models import Program

    return RoleMembership.objects.current().of_role(Role.PROGRAM_ADMIN).scoped_by(Program)


def _coordinators() -> RoleMembershipQuerySet:
    """The current memberships of the organisations' coordinators."""
    from .models import Organization

    return (
        RoleMembership.objects.current().of_role(Role.PARTNER_COORDINATOR).scoped_by(Organization)
    )


def _held_scope_ids(user: Any, role: Role, model_name: str) -> list[int]:
    """The ids of the `model_name` rows `user` now holds `role` for, read from the memberships
    loaded once per user object (`User.current_roles`, the same query that tells whether they
    are a portal administrator; services that change roles drop it). A literal list is cheap
    to build into a query and lets the planner use the index of the scoping column, where a
    subquery of the memberships did not."""
    from django.contrib.contenttypes.models import ContentType

    from . import models

    roles = getattr(user, "current_roles", None)
    if not roles:
        return []
    content_type = ContentType.objects.get_for_model(getattr(models, model_name)).pk
    return sorted(
        {
            scope_id
            for held, scope_type, scope_id in roles
            if held == role and scope_type == content_type and scope_id is not None
        }
    )


def administered_program_ids(user: Any) -> list[int]:
    """The programs `user` now administers."""
    return _held_scope_ids(user, Role.PROGRAM_ADMIN, "Program")


def coordinated_organization_ids(user: Any) -> list[int]:
    """The organisations `user` now coordinates."""
    return _held_scope_ids(user, Role.PARTNER_COORDINATOR, "Organization")


def program_admin_ids(programs: Any) -> QuerySet[Any]:
    """The users who now administer any of `programs` (ids: a list or a queryset)."""
    return _program_admins().filter(scope_id__in=programs).values("user_id")


def coordinator_ids(organizations: Any) -> QuerySet[Any]:
    """The users who now coordinate any of `organizations` (ids: a list or a queryset)."""
    return _coordinators().filter(scope_id__in=organizations).values("user_id")


def tutored_student_ids(user: Any) -> QuerySet[Any]:
    from .models import TutorAssignment

    return TutorAssignment.objects.filter(tutor__user=user, ended_on__isnull=True).values(
        "student_id"
    )


def _none(model: Any) -> QuerySet[Any]:
    return model.objects.none().values("pk")


def _visible_ids(model_name: str) -> Callable[[Callable[[Any], Q]], Callable[[Any], QuerySet[Any]]]:
    """The ids of the `model_name` rows a user may see: none for a signed-out or inactive
    user, all for a portal administrator, and those the decorated function's Q selects for
    the others."""

    def decorate(scoped: Callable[[Any], Q]) -> Callable[[Any], QuerySet[Any]]:
        @functools.wraps(scoped)
        def ids(user: Any) -> QuerySet[Any]:
            from . import models

            model = getattr(models, model_name)
            if not is_active_user(user):
                return _none(model)
            if is_portal_admin(user):
                return model.objects.values("pk")
            return model.objects.filter(scoped(user)).values("pk")

        return ids

    return decorate


def student_ids_in_care_of(user: Any) -> QuerySet[Any]:
    """The students `user` administers (their programs), tutors or is: a UNION of the three,
    each read through its own index, where one OR of them made the planner scan every
    student (and then every milestone, plan or log of the portal it was joined to)."""
    from .models import Student

    if not is_active_user(user):
        return _none(Student)
    if is_portal_admin(user):
        return Student.objects.values("pk")
    administered = Student.objects.filter(program__in=administered_program_ids(user))
    own = Student.objects.filter(user=user)
    return (
        administered.order_by()
        .values("pk")
        .union(tutored_student_ids(user).order_by(), own.order_by().values("pk"), all=True)
    )


def sees_every_student_of(user: Any, program_id: int) -> bool:
    """Whether every student of the program is in `user`'s scope: for the portal's
    administrators and the program's (the first branch of `student_ids_in_care_of`)."""
    return is_active_user(user) and (
        is_portal_admin(user) or program_id in administered_program_ids(user)
    )


@_visible_ids("Student")
def student_ids_visible_to(user: Any) -> Q:
    from .models import Placement

    hosted = Placement.objects.filter(host__in=coordinated_organization_ids(user)).values(
        "student_id"
    )
    return Q(pk__in=student_ids_in_care_of(user)) | Q(pk__in=hosted)


@_visible_ids("Program")
def program_ids_visible_to(user: Any) -> Q:
    from .models import Student

    return (
        Q(pk__in=administered_program_ids(user))
        | Q(partners__organization__in=coordinated_organization_ids(user))
        | Q(lead_university__in=coordinated_organization_ids(user))
        | Q(pk__in=Student.objects.filter(pk__in=student_ids_in_care_of(user)).values("program_id"))
    )


@_visible_ids("TutorProfile")
def tutor_ids_visible_to(user: Any) -> Q:
    from .models import TutorAssignment

    of_my_students = TutorAssignment.objects.filter(
        student__in=student_ids_in_care_of(user)
    ).values("tutor_id")
    return (
        Q(user=user)
        | Q(organization__in=coordinated_organization_ids(user))
        | Q(pk__in=of_my_students)
        | Q(organization__partnerships__program__in=administered_program_ids(user))
        | Q(organization__led_programs__in=administered_program_ids(user))
    )


@_visible_ids("Placement")
def placement_ids_visible_to(user: Any) -> Q:
    return (
        Q(student__in=student_ids_in_care_of(user))
        | Q(host__in=coordinated_organization_ids(user))
        | Q(practice_tutor__user=user)
    )


@_visible_ids("Project")
def project_ids_visible_to(user: Any) -> Q:
    from .models import Student

    coordinated = coordinated_organization_ids(user)
    my_students_users = Student.objects.filter(pk__in=tutored_student_ids(user)).values("user_id")
    return (
        Q(program__in=administered_program_ids(user))
        | Q(lead_organization__in=coordinated)
        | Q(partner_organizations__in=coordinated)
        | Q(members__user=user)
        | Q(members__user__in=my_students_users)
        | Q(proposed_by=user)
    )


def _any_of(model_name: str, user: Any, *branches: Q) -> Q:
    """The rows of `model_name` that any of `branches` selects, spelt for the planner: for a
    program administrator (thousands of students) an OR, which a newest-first scan of the
    list's index filters until a page is full; for the others (a handful of students) a UNION
    whose branches each read the index of their own column, then sort the few rows found."""
    from . import models

    if administered_program_ids(user):
        return functools.reduce(operator.or_, branches)
    rows = getattr(models, model_name).objects.order_by()
    first, *others = [rows.filter(branch).values("pk") for branch in branches]
    return Q(pk__in=first.union(*others, all=True))


def _care_circle(user: Any) -> list[Q]:
    """`student_ids_in_care_of` branch by branch (the students of the programs `user`
    administers, those they tutor, their own), for `_any_of`."""
    from .models import Student

    students = Student.objects.order_by()
    return [
        Q(student__in=students.filter(program__in=administered_program_ids(user)).values("pk")),
        Q(student__in=tutored_student_ids(user)),
        Q(student__in=students.filter(user=user).values("pk")),
    ]


@visible_filter
def progress_log_filter(user: Any) -> Q:
    """Care circle; a student sees only the logs shared with them."""
    administered, tutored, own = _care_circle(user)
    return _any_of("ProgressLog", user, administered, tutored, Q(author=user), own & Q(shared=True))


@visible_filter
def milestone_filter(user: Any) -> Q:
    """The care circle's, as `VisibleByStudent`, spelt for the planner."""
    return _any_of("Milestone", user, *_care_circle(user))


@visible_filter
def case_log_filter(user: Any) -> Q:
    from .models import Placement

    hosted = Placement.objects.filter(host__in=coordinated_organization_ids(user)).values("pk")
    return _any_of("CaseLog", user, *_care_circle(user), Q(placement__in=hosted))


@visible_filter
def budget_line_filter(user: Any) -> Q:
    """Program administrators, the holder's coordinators and the line's named approver;
    never tutors or students."""
    return (
        Q(program__in=administered_program_ids(user))
        | Q(holder__in=coordinated_organization_ids(user))
        | Q(approver=user)
    )


# ---- Action predicates -------------------------------------------------------------------


def administers(user: Any, program: Any) -> bool:
    return is_portal_admin(user) or (
        is_active_user(user) and user.has_role(Role.PROGRAM_ADMIN, program)
    )


def coordinates(user: Any, organization: Any) -> bool:
    return is_active_user(user) and user.has_role(Role.PARTNER_COORDINATOR, organization)


def organization_ids_with_people_visible_to(user: Any) -> QuerySet[Any] | None:
    """The organisations whose people `user` may see, as `can_see_organization_people` decides
    one at a time: their own coordinators', and those leading or taking part in a program the
    user administers. None for a portal administrator (every organisation)."""
    from .models import Organization, Program, ProgramPartner

    if is_portal_admin(user):
        return None
    if not is_active_user(user):
        return _none(Organization)
    programs = administered_program_ids(user)
    return Organization.objects.filter(
        Q(pk__in=coordinated_organization_ids(user))
        | Q(pk__in=Program.objects.filter(pk__in=programs).values("lead_university_id"))
        | Q(pk__in=ProgramPartner.objects.filter(program__in=programs).values("organization_id"))
    ).values("pk")


def program_model() -> Any:
    from .models import Program

    return Program


@_visible_ids("Organization")
def tutor_organization_ids(user: Any) -> Q:
    """Organisations `user` may add tutors to: any for portal administrators; the lead
    university and active partners of the programs they administer; the organisations they
    coordinate."""
    from .models import Program, ProgramPartner

    administered = administered_program_ids(user)
    return (
        Q(pk__in=Program.objects.filter(pk__in=administered).values("lead_university_id"))
        | Q(
            pk__in=ProgramPartner.objects.filter(program__in=administered, is_active=True).values(
                "organization_id"
            )
        )
        | Q(pk__in=coordinated_organization_ids(user))
    )


# ---- Projects and the verification of case logs ------------------------------------------


def holds_for(user: Any, role: Role, model: Any, pk: Any) -> bool:
    """`user.has_role(role, scope)` from the scope's id alone (no fetch of the scope row)."""
    from django.contrib.contenttypes.models import ContentType

    if not is_active_user(user) or pk is None:
        return False
    return (str(role), ContentType.objects.get_for_model(model).pk, pk) in user.current_roles


@_visible_ids("Program")
def project_program_ids_open_to(user: Any) -> Q:
    """Programs in which `user` may propose projects: the programs they administer, and those
    that an organisation they coordinate leads or takes part in as an active partner."""
    coordinated = coordinated_organization_ids(user)
    tutoring = tutor_organization_ids_of(user)
    return (
        Q(pk__in=administered_program_ids(user))
        | Q(lead_university__in=coordinated)
        | Q(partners__organization__in=coordinated, partners__is_active=True)
        | Q(pk__in=own_program_ids(user))
        | Q(lead_university__in=tutoring)
        | Q(partners__organization__in=tutoring, partners__is_active=True)
    )


def own_program_ids(user: Any) -> QuerySet[Any]:
    """The programs `user` studies in (active students)."""
    from .models import Student

    return Student.objects.filter(user=user, status=Student.Status.ACTIVE).values("program_id")


def tutor_organization_ids_of(user: Any) -> QuerySet[Any]:
    from .models import TutorProfile

    return TutorProfile.objects.filter(user=user, is_active=True).values("organization_id")


def case_logs_to_verify_filter(user: Any) -> Q:
    """Unverified case logs that `user` may verify: the same rule as `can_verify_case_log`
    (the placement's practice tutor; without one, a current practice tutor of the student).

    The two cases are a UNION of two queries that each start from an index (the placements
    of the tutor, the students they practise with), not one OR over joins: that scanned every
    case log of the portal (about 270 ms at 100,000 students, 3-8 ms this way)."""
    from .models import CaseLog, TutorAssignment, TutorProfile

    if not is_active_user(user):
        return Q(pk__in=[])
    pending = CaseLog.objects.filter(
        verified_at__isnull=True, rejected_at__isnull=True, queried_at__isnull=True
    ).order_by()
    practising = TutorAssignment.objects.filter(
        tutor__user=user, ended_on__isnull=True, role=TutorProfile.Kind.PRACTICE
    ).values("student_id")
    of_my_placements = pending.filter(placement__practice_tutor__user=user).values("pk")
    without_practice_tutor = (
        pending.filter(student__in=practising)
        .filter(Q(placement__isnull=True) | Q(placement__practice_tutor__isnull=True))
        .values("pk")
    )
    return Q(pk__in=of_my_placements.union(without_practice_tutor, all=True))


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated queryset, as an integer column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()
    empty_result_set_value = 0


class _InIds(Lookup):
    """`column IN (subquery)`; on PostgreSQL `column = ANY(ARRAY(subquery))`, which runs the
    subquery once, before the scan (an InitPlan), and looks its ids up in the column's index
    even as one branch of an OR, where an IN subquery is a filter tried on every row."""

    lookup_name = "in_ids"
    prepare_rhs = False

    def _sides(self, compiler: Any, connection: Any) -> tuple[str, str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return lhs, rhs, (*lhs_params, *rhs_params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", params

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", params


def in_ids(column: str, ids: QuerySet[Any]) -> Q:
    """Rows whose `column` is one of `ids` (a one-column queryset), in a form the planner can
    answer from the column's index inside an OR of scopes (see `_InIds`)."""
    return Q(_InIds(F(column), Subquery(ids.order_by())))  # an order would only cost a sort
