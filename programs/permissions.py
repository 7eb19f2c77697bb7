"""Who may see and do what in programs. Deny by default.

Reads: the `*_visible_to` functions return subqueries of ids (or Q objects) that the
models' `visible_to(user)` QuerySets use, so one query answers "may see". Actions: the
`can_*` predicates, used by views, API permission classes and templates alike.

Circles around a student:
- *care*: portal and program administrators, the student's current tutors, the student;
- *visibility*: care, plus the coordinators of organisations hosting the student's placement.
Coordinators see their organisation's placements, projects and fund lines, not plans or logs.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import RoleMembership
from accounts.permissions import is_portal_admin
from accounts.roles import Role
from training_portal.core.permissions import is_active_user


def administered_program_ids(user: Any) -> QuerySet[Any]:
    from .models import Program

    return (
        RoleMembership.objects.current()
        .of_role(Role.PROGRAM_ADMIN)
        .scoped_by(Program)
        .filter(user=user)
        .values("scope_id")
    )


def coordinated_organization_ids(user: Any) -> QuerySet[Any]:
    from .models import Organization

    return (
        RoleMembership.objects.current()
        .of_role(Role.PARTNER_COORDINATOR)
        .scoped_by(Organization)
        .filter(user=user)
        .values("scope_id")
    )


def tutored_student_ids(user: Any) -> QuerySet[Any]:
    from .models import TutorAssignment

    return TutorAssignment.objects.filter(tutor__user=user, ended_on__isnull=True).values(
        "student_id"
    )


def _none(model: Any) -> QuerySet[Any]:
    return model.objects.none().values("pk")


def student_ids_in_care_of(user: Any) -> QuerySet[Any]:
    from .models import Student

    if not is_active_user(user):
        return _none(Student)
    if is_portal_admin(user):
        return Student.objects.values("pk")
    return Student.objects.filter(
        Q(program__in=administered_program_ids(user))
        | Q(pk__in=tutored_student_ids(user))
        | Q(user=user)
    ).values("pk")


def student_ids_visible_to(user: Any) -> QuerySet[Any]:
    from .models import Placement, Student

    if not is_active_user(user):
        return _none(Student)
    if is_portal_admin(user):
        return Student.objects.values("pk")
    hosted = Placement.objects.filter(host__in=coordinated_organization_ids(user)).values(
        "student_id"
    )
    return Student.objects.filter(Q(pk__in=student_ids_in_care_of(user)) | Q(pk__in=hosted)).values(
        "pk"
    )


def program_ids_visible_to(user: Any) -> QuerySet[Any]:
    from .models import Program, Student

    if not is_active_user(user):
        return _none(Program)
    if is_portal_admin(user):
        return Program.objects.values("pk")
    return Program.objects.filter(
        Q(pk__in=administered_program_ids(user))
        | Q(partners__organization__in=coordinated_organization_ids(user))
        | Q(lead_university__in=coordinated_organization_ids(user))
        | Q(pk__in=Student.objects.filter(pk__in=student_ids_in_care_of(user)).values("program_id"))
    ).values("pk")


def tutor_ids_visible_to(user: Any) -> QuerySet[Any]:
    from .models import TutorAssignment, TutorProfile

    if not is_active_user(user):
        return _none(TutorProfile)
    if is_portal_admin(user):
        return TutorProfile.objects.values("pk")
    of_my_students = TutorAssignment.objects.filter(
        student__in=student_ids_in_care_of(user)
    ).values("tutor_id")
    return TutorProfile.objects.filter(
        Q(user=user)
        | Q(organization__in=coordinated_organization_ids(user))
        | Q(pk__in=of_my_students)
        | Q(organization__partnerships__program__in=administered_program_ids(user))
        | Q(organization__led_programs__in=administered_program_ids(user))
    ).values("pk")


def placement_ids_visible_to(user: Any) -> QuerySet[Any]:
    from .models import Placement

    if not is_active_user(user):
        return _none(Placement)
    if is_portal_admin(user):
        return Placement.objects.values("pk")
    return Placement.objects.filter(
        Q(student__in=student_ids_in_care_of(user))
        | Q(host__in=coordinated_organization_ids(user))
        | Q(practice_tutor__user=user)
    ).values("pk")


def project_ids_visible_to(user: Any) -> QuerySet[Any]:
    from .models import Project, Student

    if not is_active_user(user):
        return _none(Project)
    if is_portal_admin(user):
        return Project.objects.values("pk")
    coordinated = coordinated_organization_ids(user)
    my_students_users = Student.objects.filter(pk__in=tutored_student_ids(user)).values("user_id")
    return Project.objects.filter(
        Q(program__in=administered_program_ids(user))
        | Q(lead_organization__in=coordinated)
        | Q(partner_organizations__in=coordinated)
        | Q(members__user=user)
        | Q(members__user__in=my_students_users)
        | Q(proposed_by=user)
    ).values("pk")


def progress_log_filter(user: Any) -> Q:
    """Care circle; a student sees only the logs shared with them."""
    if not is_active_user(user):
        return Q(pk__in=[])
    if is_portal_admin(user):
        return Q()
    staff = Q(student__program__in=administered_program_ids(user)) | Q(
        student__in=tutored_student_ids(user)
    )
    return staff | Q(author=user) | Q(student__user=user, shared=True)


def case_log_filter(user: Any) -> Q:
    if not is_active_user(user):
        return Q(pk__in=[])
    if is_portal_admin(user):
        return Q()
    return Q(student__in=student_ids_in_care_of(user)) | Q(
        placement__host__in=coordinated_organization_ids(user)
    )


def budget_line_filter(user: Any) -> Q:
    """Program administrators, the holder's coordinators and the line's named approver;
    never tutors or students."""
    if not is_active_user(user):
        return Q(pk__in=[])
    if is_portal_admin(user):
        return Q()
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


def can_create_program(user: Any) -> bool:
    return is_portal_admin(user) or (is_active_user(user) and Role.PROGRAM_ADMIN in user.role_names)


def can_manage_program(user: Any, program: Any) -> bool:
    return administers(user, program)


def can_edit_course(user: Any, course: Any) -> bool:
    """A course shared by several programs changes all their curricula: its editor is a
    portal administrator, or an administrator of every program that teaches it."""
    if is_portal_admin(user):
        return True
    if not is_active_user(user):
        return False
    from .models import Program

    teaching = set(Program.objects.filter(curriculum__course=course).values_list("pk", flat=True))
    administered = set(administered_program_ids(user).values_list("scope_id", flat=True))
    return bool(teaching) and teaching <= administered


def course_ids_editable_by(user: Any, courses: QuerySet[Any]) -> set[int]:
    """Which of `courses` `user` may edit (see `can_edit_course`), in one query."""
    if is_portal_admin(user):
        return set(courses.values_list("pk", flat=True))
    if not is_active_user(user):
        return set()
    from .models import Program

    others = Program.objects.exclude(pk__in=administered_program_ids(user))
    return set(
        courses.filter(in_programs__isnull=False)
        .exclude(in_programs__program__in=others)
        .values_list("pk", flat=True)
        .distinct()
    )


def can_open_agreement(user: Any, partner: Any) -> bool:
    """A signed agreement is for the program's administrators and the partner's coordinators."""
    return administers(user, partner.program) or coordinates(user, partner.organization)


def can_create_organization(user: Any) -> bool:
    return can_create_program(user)


def can_edit_organization(user: Any, organization: Any) -> bool:
    return is_portal_admin(user) or coordinates(user, organization)


def can_change_organization_status(user: Any, organization: Any) -> bool:
    """Probation, suspension and exit are decided by portal administrators."""
    return is_portal_admin(user)


def can_post_counsellors(user: Any, organization: Any) -> bool:
    """Counsellors are posted at an organisation (its mental-health service), and their
    postings ended, by portal administrators."""
    return is_portal_admin(user)


def can_renew_agreement(user: Any, partner: Any) -> bool:
    """A partnership's agreement is renewed by the program's administrators."""
    return administers(user, partner.program)


def can_see_responsibility_matrix(user: Any, program: Any) -> bool:
    """The matrix shows placements, projects and fund lines of every partner: for the
    program's administrators."""
    return administers(user, program)


def can_see_organization_people(user: Any, organization: Any, program_ids: Any = ()) -> bool:
    """Who works at an organisation (its tutors and coordinators) is shown to portal
    administrators, its own coordinators, and the administrators of the programs it takes
    part in (`program_ids`: those programs, already read by the page)."""
    from .models import Program

    if is_portal_admin(user) or coordinates(user, organization):
        return True
    return any(_holds_for(user, Role.PROGRAM_ADMIN, Program, pk) for pk in program_ids)


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


def current_tutor_roles(user: Any, student: Any) -> set[str]:
    """The roles (academic/practice) `user` currently holds as a tutor of `student`."""
    from .models import TutorAssignment

    if not is_active_user(user):
        return set()
    return set(
        TutorAssignment.objects.filter(
            student=student, tutor__user=user, ended_on__isnull=True
        ).values_list("role", flat=True)
    )


def is_own_student_record(user: Any, student: Any) -> bool:
    return is_active_user(user) and student.user_id == user.pk


def can_edit_plan(user: Any, plan: Any) -> bool:
    return plan.status == plan.Status.DRAFT and is_own_student_record(user, plan.student)


def can_submit_plan(user: Any, plan: Any) -> bool:
    return can_edit_plan(user, plan)


def can_tutor_approve_plan(user: Any, plan: Any) -> bool:
    return plan.status == plan.Status.SUBMITTED and "academic" in current_tutor_roles(
        user, plan.student
    )


def can_approve_plan(user: Any, plan: Any) -> bool:
    return plan.status == plan.Status.TUTOR_APPROVED and administers(user, plan.student.program)


def can_return_plan(user: Any, plan: Any) -> bool:
    """Send a plan back to its student for changes, at the step the user decides."""
    return can_tutor_approve_plan(user, plan) or can_approve_plan(user, plan)


def can_revise_plan(user: Any, plan: Any) -> bool:
    """Start a new version from an approved plan (the student's next change)."""
    return plan.status == plan.Status.APPROVED and is_own_student_record(user, plan.student)


def can_manage_students(user: Any, program: Any) -> bool:
    return administers(user, program)


def can_sign_off_milestone(user: Any, milestone: Any) -> bool:
    return bool(current_tutor_roles(user, milestone.student))


def can_write_progress_log(user: Any, student: Any) -> bool:
    return bool(current_tutor_roles(user, student))


def can_acknowledge_log(user: Any, log: Any) -> bool:
    return log.shared and is_own_student_record(user, log.student)


def can_record_cases(user: Any, student: Any) -> bool:
    return is_own_student_record(user, student) or bool(current_tutor_roles(user, student))


def can_verify_case_log(user: Any, case_log: Any) -> bool:
    if case_log.placement_id and case_log.placement.practice_tutor_id:
        return bool(is_active_user(user) and case_log.placement.practice_tutor.user_id == user.pk)
    return "practice" in current_tutor_roles(user, case_log.student)


def can_confirm_placement(user: Any, placement: Any) -> bool:
    """The host's coordinators confirm the start of a planned placement."""
    return placement.status == placement.Status.PLANNED and coordinates(user, placement.host)


def can_manage_placements(user: Any, program: Any) -> bool:
    return administers(user, program)


def can_manage_budget(user: Any, program: Any) -> bool:
    return administers(user, program)


def can_submit_expenditure(user: Any, line: Any) -> bool:
    return administers(user, line.program) or coordinates(user, line.holder)


def can_decide_expenditure(user: Any, expenditure: Any) -> bool:
    """Program administrators or the line's approver decide; never the submitter."""
    if not is_active_user(user) or expenditure.submitted_by_id == user.pk:
        return False
    if expenditure.status != expenditure.Status.SUBMITTED:
        return False
    line = expenditure.line
    return administers(user, line.program) or line.approver_id == user.pk


def _program_model() -> Any:
    from .models import Program

    return Program


def tutor_organization_ids(user: Any) -> QuerySet[Any]:
    """Organisations `user` may add tutors to: any for portal administrators; the lead
    university and active partners of the programs they administer; the organisations they
    coordinate."""
    from .models import Organization, Program, ProgramPartner

    if not is_active_user(user):
        return _none(Organization)
    if is_portal_admin(user):
        return Organization.objects.values("pk")
    administered = administered_program_ids(user)
    return Organization.objects.filter(
        Q(pk__in=Program.objects.filter(pk__in=administered).values("lead_university_id"))
        | Q(
            pk__in=ProgramPartner.objects.filter(program__in=administered, is_active=True).values(
                "organization_id"
            )
        )
        | Q(pk__in=coordinated_organization_ids(user))
    ).values("pk")


def can_create_tutor(user: Any, organization: Any) -> bool:
    return is_portal_admin(user) or (
        is_active_user(user) and tutor_organization_ids(user).filter(pk=organization.pk).exists()
    )


# ---- Projects and the verification of case logs ------------------------------------------


def _holds_for(user: Any, role: Role, model: Any, pk: Any) -> bool:
    """`user.has_role(role, scope)` from the scope's id alone (no fetch of the scope row)."""
    from django.contrib.contenttypes.models import ContentType

    if not is_active_user(user) or pk is None:
        return False
    return (str(role), ContentType.objects.get_for_model(model).pk, pk) in user.current_roles


def project_program_ids_open_to(user: Any) -> QuerySet[Any]:
    """Programs in which `user` may propose projects: the programs they administer, and those
    that an organisation they coordinate leads or takes part in as an active partner."""
    from .models import Program

    if not is_active_user(user):
        return _none(Program)
    if is_portal_admin(user):
        return Program.objects.values("pk")
    coordinated = coordinated_organization_ids(user)
    tutoring = _tutor_organization_ids_of(user)
    return Program.objects.filter(
        Q(pk__in=administered_program_ids(user))
        | Q(lead_university__in=coordinated)
        | Q(partners__organization__in=coordinated, partners__is_active=True)
        | Q(pk__in=_own_program_ids(user))
        | Q(lead_university__in=tutoring)
        | Q(partners__organization__in=tutoring, partners__is_active=True)
    ).values("pk")


def _own_program_ids(user: Any) -> QuerySet[Any]:
    """The programs `user` studies in (active students)."""
    from .models import Student

    return Student.objects.filter(user=user, status=Student.Status.ACTIVE).values("program_id")


def _tutor_organization_ids_of(user: Any) -> QuerySet[Any]:
    from .models import TutorProfile

    return TutorProfile.objects.filter(user=user, is_active=True).values("organization_id")


def proposes_as_member(user: Any, program: Any) -> bool:
    """Students of the program and tutors of an organisation taking part in it propose
    projects they then work on (they become its lead member)."""
    from .models import Program

    if not is_active_user(user):
        return False
    tutoring = _tutor_organization_ids_of(user)
    return Program.objects.filter(
        Q(pk__in=_own_program_ids(user))
        | Q(lead_university__in=tutoring)
        | Q(partners__organization__in=tutoring, partners__is_active=True),
        pk=program.pk,
    ).exists()


def can_create_project(user: Any, program: Any) -> bool:
    if administers(user, program) or proposes_as_member(user, program):
        return True
    if not is_active_user(user) or Role.PARTNER_COORDINATOR not in user.role_names:
        return False
    return (
        _program_model()
        .objects.filter(pk=program.pk, pk__in=project_program_ids_open_to(user))
        .exists()
    )


def administers_project_program(user: Any, project: Any) -> bool:
    from .models import Program

    return is_portal_admin(user) or _holds_for(
        user, Role.PROGRAM_ADMIN, Program, project.program_id
    )


def can_manage_project(user: Any, project: Any) -> bool:
    """The program's administrators and the coordinators of the lead organisation."""
    from .models import Organization

    return administers_project_program(user, project) or _holds_for(
        user, Role.PARTNER_COORDINATOR, Organization, project.lead_organization_id
    )


def can_decide_proposal(user: Any, project: Any) -> bool:
    """The program's administrators or the lead organisation's coordinators approve or refuse
    a proposal, never their own (completed projects earn reward points)."""
    return can_manage_project(user, project) and project.proposed_by_id != user.pk


def can_set_project_status(user: Any, project: Any, status: str) -> bool:
    if status == project.Status.APPROVED:
        return can_decide_proposal(user, project)
    return can_manage_project(user, project)


def can_request_completion(user: Any, project: Any) -> bool:
    """Those who run the project and its members say it is done."""
    if can_manage_project(user, project):
        return True
    return is_active_user(user) and project.members.filter(user=user).exists()


def can_confirm_completion(user: Any, project: Any) -> bool:
    """Someone who runs the project confirms its completion: neither who proposed it nor who
    asked for the confirmation."""
    return (
        can_manage_project(user, project)
        and project.proposed_by_id != user.pk
        and project.completion_requested_by_id != user.pk
    )


def case_logs_to_verify_filter(user: Any) -> Q:
    """Unverified case logs that `user` may verify: the same rule as `can_verify_case_log`
    (the placement's practice tutor; without one, a current practice tutor of the student)."""
    from .models import TutorAssignment, TutorProfile

    if not is_active_user(user):
        return Q(pk__in=[])
    practising = TutorAssignment.objects.filter(
        tutor__user=user, ended_on__isnull=True, role=TutorProfile.Kind.PRACTICE
    ).values("student_id")
    return Q(verified_at__isnull=True, rejected_at__isnull=True, queried_at__isnull=True) & (
        Q(placement__practice_tutor__user=user)
        | Q(placement__practice_tutor__isnull=True, student__in=practising)
    )


# ---- A student's status ---------------------------------------------------------------------


def can_decide_student_status(user: Any, student: Any) -> bool:
    """Suspension, resumption, extension, withdrawal, change of tutor and graduation are
    decided (or done directly) by the program's administrators."""
    return administers(user, student.program)


def can_request_student_status(user: Any, student: Any) -> bool:
    """The student and their current tutors may ask for a change, which an administrator
    then approves or refuses."""
    return is_own_student_record(user, student) or bool(current_tutor_roles(user, student))


def can_record_destination(user: Any, student: Any) -> bool:
    return can_decide_student_status(user, student) or is_own_student_record(user, student)


def can_see_record_views(user: Any, student: Any) -> bool:
    """Who read a student's record: the student, and portal administrators."""
    return is_own_student_record(user, student) or is_portal_admin(user)
