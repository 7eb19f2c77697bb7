"""The demo data (seed_demo with the programs demo) and the scale data set (seed_scale)."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from accounts.demo import DEMO_ACCOUNTS
from accounts.models import RoleMembership, User
from accounts.roles import Role
from programs import models as m
from programs.demo import PROGRAM_CODE
from programs.demo_lifecycle import PIECES
from programs.scale import CODE_PREFIX, scale_users, seed_scale

ANCHOR = dt.date(2026, 3, 16)  # a fixed "today", so that runs on any day compare equal


@pytest.fixture(autouse=True)
def _fast_password_hash(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def row_counts() -> dict[str, int]:
    """Rows of every table of the accounts and programs apps (M2M tables included)."""
    counted = [
        *apps.get_app_config("accounts").get_models(include_auto_created=True),
        *apps.get_app_config("programs").get_models(include_auto_created=True),
    ]
    return {model._meta.db_table: model._default_manager.count() for model in counted}


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


# ---- seed_demo --------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_twice_creates_nothing_new() -> None:
    from training_portal.core.models import SeedRecord

    output = seed_demo()
    first = all_rows()
    records = set(SeedRecord.objects.values_list("name", "seeded_at"))
    changes = set(m.StudentStatusChange.objects.values_list("pk", "decision", "awaiting_start"))
    seed_demo()
    assert all_rows() == first
    assert set(SeedRecord.objects.values_list("name", "seeded_at")) == records
    assert (
        set(m.StudentStatusChange.objects.values_list("pk", "decision", "awaiting_start"))
        == changes
    )
    for account in DEMO_ACCOUNTS:
        assert account.email in output
    program = m.Program.objects.get(code=PROGRAM_CODE)
    assert program.students.count() == 30
    assert set(program.students.values_list("cohort", flat=True)) == {2024, 2025}
    kinds = Counter(program.partners.values_list("organization__kind", flat=True))
    assert kinds == {"university": 1, "hospital": 3, "enterprise": 2, "research_institute": 1}
    assert program.objectives.count() == 3
    assert program.stages.count() >= 4
    assert program.milestone_templates.count() == 6
    courses = m.Course.objects.filter(in_programs__program=program)
    assert courses.count() >= 6
    assert courses.filter(integrates_ie=True).exists()
    assert courses.filter(category=m.Course.Category.INNOVATION_ENTREPRENEURSHIP).exists()
    responsibilities = set(
        m.PartnerResponsibility.objects.filter(partner__program=program).values_list(
            "partner__organization__kind", "responsibility"
        )
    )
    assert {
        ("university", "curriculum_setting"),
        ("hospital", "clinical_practice"),
        ("enterprise", "knowledge_transfer"),
        ("research_institute", "research_training"),
    } <= responsibilities


@pytest.mark.django_db
def test_the_demo_accounts_hold_their_roles() -> None:
    seed_demo()
    program = m.Program.objects.get(code=PROGRAM_CODE)
    users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.example")}
    hospital = m.Organization.objects.get(name="Eastbridge First Hospital")
    assert users["progadmin"].check_password(settings.DEMO_PASSWORD)
    assert users["student2"].check_password(settings.DEMO_PASSWORD)
    assert users["progadmin"].has_role(Role.PROGRAM_ADMIN, program)
    assert users["coordinator"].has_role(Role.PARTNER_COORDINATOR, hospital)
    assert users["tutor"].has_role(Role.ACADEMIC_TUTOR)
    assert users["practice.tutor"].has_role(Role.PRACTICE_TUTOR, hospital)
    assert users["student"].has_role(Role.STUDENT, program)
    assert users["student2"].has_role(Role.STUDENT, program)
    assert not users["outsider"].role_memberships.exists()

    student = users["student"].student
    student2 = users["student2"].student
    tutor = users["tutor"].tutor_profile
    practice = users["practice.tutor"].tutor_profile
    current = m.TutorAssignment.objects.filter(ended_on__isnull=True)
    tutored = current.filter(tutor=tutor, role="academic").values_list("student", flat=True)
    assert student.pk in tutored and len(tutored) >= 3
    assert current.get(student=student2, role="academic").tutor != tutor
    assert current.filter(student=student, tutor=practice, role="practice").exists()
    assert practice.kind == "practice" and practice.organization == hospital
    placement = student.placements.get()
    assert placement.host == hospital and placement.practice_tutor == practice
    assert placement.status == "active" and placement.confirmed_by == users["coordinator"]
    plans = dict(student.plans.values_list("version", "status"))
    assert plans == {1: "approved", 2: "draft"}


@pytest.mark.django_db
def test_the_demo_has_the_situations_the_audits_look_for() -> None:
    seed_demo()
    program = m.Program.objects.get(code=PROGRAM_CODE)
    today = timezone.localdate()
    plans = m.TrainingPlan.objects.filter(student__program=program)
    assert set(plans.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "tutor_approved",
        "approved",
    }
    milestones = m.Milestone.objects.filter(student__program=program)
    assert milestones.overdue(today).count() >= 2
    assert milestones.filter(signed_off_by__isnull=False).count() >= 5
    last_contact = program.students.annotate(last=Max("progress_logs__date"))
    two_months_ago = today - dt.timedelta(days=60)
    assert last_contact.filter(Q(last__lt=two_months_ago) | Q(last__isnull=True)).count() >= 2
    assert last_contact.filter(last__gte=two_months_ago).count() >= 20
    placements = m.Placement.objects.filter(student__program=program)
    assert placements.filter(confirmed_by__isnull=False).count() >= 3
    assert placements.filter(confirmed_by__isnull=True).exists()
    sizes = set(m.Project.objects.filter(program=program).values_list("size", flat=True))
    assert sizes == {"small", "medium", "big"}
    assert m.CaseLog.objects.filter(student__program=program, verified_by__isnull=False).exists()
    assert m.ProjectMember.objects.filter(project__program=program).count() >= 10
    hospital_without_placements = m.ProgramPartner.objects.filter(
        program=program,
        responsibilities__responsibility="clinical_practice",
    ).exclude(organization__placements__student__program=program)
    assert hospital_without_placements.exists()


@pytest.mark.django_db
def test_the_demo_funds_hold_the_cases_a_fund_audit_flags() -> None:
    seed_demo()
    spending = m.Expenditure.objects.filter(line__program__code=PROGRAM_CODE)
    self_approved = spending.filter(status="approved", approved_by=F("submitted_by"))
    assert self_approved.count() == 1
    duplicates = (
        spending.exclude(status="rejected")
        .values("payee", "amount", "spent_on")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert len(duplicates) == 1
    outside = spending.filter(
        Q(spent_on__lt=F("line__start_date")) | Q(spent_on__gt=F("line__end_date"))
    )
    assert outside.count() == 1
    lines = m.BudgetLine.objects.filter(program__code=PROGRAM_CODE).with_spending()
    assert [line.title for line in lines.filter(approved_total__gt=F("amount"))] == [
        "Clinical training consumables"
    ]
    assert spending.filter(status="submitted").exists()
    assert spending.filter(status="rejected").exists()


@pytest.mark.django_db
def test_the_demo_has_a_suspended_and_a_graduated_student_a_request_and_a_retired_course() -> None:
    from programs.people.attention import pending_requests
    from training_portal.core.models import SeedRecord

    seed_demo()
    today = timezone.localdate()
    program = m.Program.objects.get(code=PROGRAM_CODE)
    Kind, Decision = m.StudentStatusChange.Kind, m.StudentStatusChange.Decision
    assert set(PIECES) <= set(SeedRecord.objects.values_list("name", flat=True))
    assert dict(program.students.values_list("status").annotate(n=Count("id"))) == {
        "active": 28,
        "suspended": 1,
        "graduated": 1,
    }

    # Suspended now, after a first suspension and resumption that moved the open milestones.
    suspended = program.students.get(status="suspended")
    assert suspended.user.email == "guo.rui@demo.example"
    history = list(suspended.status_changes.order_by("requested_at", "id"))
    assert [(c.kind, c.decision) for c in history] == [
        (Kind.SUSPENSION, Decision.APPROVED),
        (Kind.RESUMPTION, Decision.APPROVED),
        (Kind.SUSPENSION, Decision.APPROVED),
    ]
    first, back, current = history
    assert first.requested_by == suspended.user and first.decided_by == demo_user("progadmin")
    assert back.starts_on is not None and first.starts_on is not None
    assert back.starts_on == first.ends_on
    assert back.shift_days == (back.starts_on - first.starts_on).days > 0
    assert current.starts_on is not None and current.ends_on is not None
    assert current.starts_on < today < current.ends_on and current.reason
    assert suspended.status_since == current.starts_on
    assert not current.awaiting_start
    assert all(c.requested_at.date() <= today for c in history)
    open_milestones = m.Milestone.objects.filter(student=suspended, completed_on__isnull=True)
    natural = {
        t.pk: suspended.enrolled_on + dt.timedelta(days=t.due_offset_days)
        for t in program.milestone_templates.all()
    }
    assert open_milestones.exists()
    for milestone in open_milestones:
        assert milestone.template_id is not None
        assert milestone.due_date >= natural[milestone.template_id] + dt.timedelta(
            days=back.shift_days
        )
    # The EFH coordinator sees the suspended student (through the cancelled placement).
    assert m.Student.objects.visible_to(demo_user("coordinator")).filter(pk=suspended.pk).exists()

    graduated = program.students.get(status="graduated")
    assert graduated.user.email == "xu.ying@demo.example"
    assert not graduated.milestones.filter(
        Q(completed_on__isnull=True) | Q(signed_off_at__isnull=True)
    ).exists()
    graduation = graduated.status_changes.get()
    assert graduation.kind == Kind.GRADUATION and graduation.decision == Decision.APPROVED
    assert graduation.starts_on is not None and graduation.starts_on < today
    assert graduated.status_since == graduation.starts_on
    destination = m.GraduateDestination.objects.get(student=graduated)
    assert destination.follow_up_due > today and destination.followed_up_at is None
    assert destination.recorded_by == graduated.user

    pending = m.StudentStatusChange.objects.get(decision=Decision.PENDING)
    assert pending.student.user.email == "zhu.wei@demo.example"
    assert pending.requested_by == demo_user("tutor") and pending.kind == Kind.SUSPENSION
    assert pending.starts_on is not None and pending.starts_on > today
    assert pending.student.status == "active"
    assert list(pending_requests(demo_user("progadmin"))) == [pending]

    retired = m.ProgramCourse.objects.get(program=program, retired_at__isnull=False)
    assert retired.course.code == "MIT-302"
    assert program.curriculum.filter(retired_at__isnull=True).count() == 6
    plan = demo_user("student").student.plans.get(version=2)
    assert plan.courses.filter(code="MIT-302").exists()  # kept on the plan that held it


# ---- seed_scale -------------------------------------------------------------------------


def text(rows: Any) -> list[tuple[str, ...]]:
    return sorted(tuple(str(value) for value in row) for row in rows)


def fingerprint() -> dict[str, list[tuple[str, ...]]]:
    """Every generated value of the scale data, by natural keys (no primary keys)."""
    students = m.Student.objects.filter(student_number__startswith=CODE_PREFIX)
    programs = m.Program.objects.filter(code__startswith=CODE_PREFIX)
    scopes = {("program", pk): code for pk, code in programs.values_list("pk", "code")}
    scopes |= {
        ("organization", pk): name for pk, name in m.Organization.objects.values_list("pk", "name")
    }
    sn = "student__student_number"
    plan_sn = "plan__student__student_number"
    return {
        "users": text(scale_users().values_list("email", "full_name", "preferred_language")),
        "memberships": text(
            (email, role, scopes[model, scope_id])
            for email, role, model, scope_id in RoleMembership.objects.filter(
                user__in=scale_users()
            ).values_list("user__email", "role", "scope_type__model", "scope_id")
        ),
        "organizations": text(
            m.Organization.objects.filter(partnerships__program__in=programs)
            .distinct()
            .values_list("name", "kind", "status", "city")
        ),
        "students": text(
            students.values_list(
                "student_number", "user__email", "program__code", "cohort", "enrolled_on", "status"
            )
        ),
        "tutors": text(
            m.TutorProfile.objects.filter(user__in=scale_users()).values_list(
                "user__email", "kind", "organization__name", "professional_title", "capacity"
            )
        ),
        "assignments": text(
            m.TutorAssignment.objects.filter(student__in=students).values_list(
                sn, "tutor__user__email", "role", "started_on", "ended_on"
            )
        ),
        "plans": text(
            m.TrainingPlan.objects.filter(student__in=students).values_list(
                sn, "version", "status", "career_goal", "personal_objectives", "courses__code"
            )
        ),
        "targets": text(
            m.PlanCaseTarget.objects.filter(plan__student__in=students).values_list(
                plan_sn, "modality", "target"
            )
        ),
        "transitions": text(
            m.PlanTransition.objects.filter(plan__student__in=students).values_list(
                plan_sn, "from_status", "to_status", "by__email", "at"
            )
        ),
        "milestones": text(
            m.Milestone.objects.filter(student__in=students).values_list(
                sn, "title", "due_date", "completed_on", "signed_off_by__email", "signed_off_at"
            )
        ),
        "placements": text(
            m.Placement.objects.filter(student__in=students).values_list(
                sn,
                "host__name",
                "practice_tutor__user__email",
                "start_date",
                "end_date",
                "status",
                "confirmed_by__email",
                "confirmed_at",
            )
        ),
        "projects": text(
            m.Project.objects.filter(program__in=programs).values_list(
                "title", "kind", "size", "status", "lead_organization__name", "start_date"
            )
        ),
        "members": text(
            m.ProjectMember.objects.filter(project__program__in=programs).values_list(
                "project__title", "user__email", "role"
            )
        ),
        "logs": text(
            m.ProgressLog.objects.filter(student__in=students).values_list(
                sn,
                "author__email",
                "date",
                "kind",
                "minutes",
                "summary",
                "shared",
                "project__title",
                "placement__host__name",
                "created_at",
                "acknowledged_at",
                "student_comment",
            )
        ),
        "case_logs": text(
            m.CaseLog.objects.filter(student__in=students).values_list(
                sn,
                "date",
                "modality",
                "procedure",
                "count",
                "role",
                "placement__host__name",
                "verified_by__email",
                "verified_at",
            )
        ),
        "expenditures": text(
            m.Expenditure.objects.filter(line__program__in=programs).values_list(
                "line__title",
                "line__holder__name",
                "line__amount",
                "amount",
                "spent_on",
                "payee",
                "status",
                "submitted_by__email",
                "approved_by__email",
                "submitted_at",
                "decided_at",
            )
        ),
    }


def history_events() -> int:
    """Rows of every history (event) table of accounts and programs."""
    return sum(
        model._default_manager.count()
        for label in ("accounts", "programs")
        for model in apps.get_app_config(label).get_models()
        if model.__name__.endswith("Event")
    )


@pytest.mark.django_db
def test_seed_scale_builds_a_consistent_data_set_and_again_the_same() -> None:
    seed_demo()
    demo = row_counts()
    events = history_events()
    out = io.StringIO()
    args = ["--students", "300", "--seed", "7", "--today", ANCHOR.isoformat(), "--force"]
    call_command("seed_scale", *args, stdout=out)
    assert "progress logs" in out.getvalue() and "Done in" in out.getvalue()

    students = m.Student.objects.filter(student_number__startswith=CODE_PREFIX)
    assert students.count() == 300
    assert m.Program.objects.filter(code__startswith=CODE_PREFIX).count() == 1
    plans = m.TrainingPlan.objects.filter(student__in=students)
    assert plans.count() == 300
    assert set(plans.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "tutor_approved",
        "approved",
    }
    per_student = students.annotate(
        n_logs=Count("progress_logs", distinct=True),
        n_cases=Count("case_logs", distinct=True),
        n_plans=Count("plans", distinct=True),
        n_milestones=Count("milestones", distinct=True),
        academic=Count("assignments", filter=Q(assignments__role="academic"), distinct=True),
        practice=Count("assignments", filter=Q(assignments__role="practice"), distinct=True),
        n_placements=Count("placements", distinct=True),
    )
    for row in per_student:
        assert 15 <= row.n_logs <= 25
        assert 5 <= row.n_cases <= 15
        assert row.n_plans == 1 and row.n_milestones == 6 and row.n_placements == 1
        assert row.academic == 1 and row.practice == 1
    logs = m.ProgressLog.objects.filter(student__in=students).count()
    assert 19 * 300 <= logs <= 21 * 300
    assert 9 * 300 <= m.CaseLog.objects.filter(student__in=students).count() <= 11 * 300

    # Foreign keys agree with each other.
    program_ct = ContentType.objects.get_for_model(m.Program)
    memberships = RoleMembership.objects.filter(role=Role.STUDENT, scope_type=program_ct)
    assert set(memberships.filter(user__student__in=students).values_list("user", "scope_id")) == {
        (s.user_id, s.program_id) for s in students
    }
    tutors_of: dict[int, set[int]] = {}
    for student_id, user_id in m.TutorAssignment.objects.filter(student__in=students).values_list(
        "student", "tutor__user"
    ):
        tutors_of.setdefault(student_id, set()).add(user_id)
    for student_id, author_id in m.ProgressLog.objects.filter(student__in=students).values_list(
        "student", "author"
    ):
        assert author_id in tutors_of[student_id]
    placements = m.Placement.objects.filter(student__in=students)
    assert not placements.exclude(practice_tutor__organization=F("host")).exists()
    case_logs = m.CaseLog.objects.filter(student__in=students, placement__isnull=False)
    assert not case_logs.exclude(placement__student=F("student")).exists()
    partners = set(m.ProgramPartner.objects.values_list("program", "organization"))
    for program_id, org_id in m.TutorAssignment.objects.filter(student__in=students).values_list(
        "student__program", "tutor__organization"
    ):
        assert (program_id, org_id) in partners
    loads = m.TutorProfile.objects.filter(user__in=scale_users()).with_load()
    assert not loads.filter(active_students__gt=F("capacity")).exists()
    assert history_events() == events  # generated rows leave no history

    first = fingerprint()
    call_command("seed_scale", *args, stdout=io.StringIO())  # deletes, then the same again
    assert students.count() == 300
    assert fingerprint() == first
    after = row_counts()
    assert all(after[table] >= demo[table] for table in demo)
    assert m.Program.objects.get(code=PROGRAM_CODE).students.count() == 30


@pytest.mark.django_db
def test_seed_scale_gives_the_same_data_by_every_path_and_other_data_for_another_seed() -> None:
    seed_scale(60, seed=3, method="copy", today=ANCHOR)
    by_copy = fingerprint()
    seed_scale(60, seed=3, method="orm", today=ANCHOR)
    assert fingerprint() == by_copy
    report = seed_scale(60, seed=3, method="copy", today=ANCHOR, row_checks=True)
    assert report.purged > 0
    assert fingerprint() == by_copy
    seed_scale(60, seed=4, today=ANCHOR)
    assert fingerprint()["logs"] != by_copy["logs"]


@pytest.mark.django_db
def test_seed_scale_spreads_students_over_programs() -> None:
    report = seed_scale(50, programs=3, today=ANCHOR)
    assert report.programs == 3
    per_program = m.Student.objects.filter(student_number__startswith=CODE_PREFIX).values("program")
    assert sorted(Counter(row["program"] for row in per_program).values()) == [16, 17, 17]


def test_seed_scale_refuses_to_run_with_debug_off_unless_forced() -> None:
    assert not settings.DEBUG
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_scale", "--students", "10", stdout=io.StringIO())


# ---- seed once, then the portal is used -------------------------------------------------


def demo_user(name: str) -> User:
    return User.objects.get(email=f"{name}@demo.example")


def use_the_demo_as_people_would() -> dict[str, Any]:
    """Records of every kind users make, with the very values the demo uses (the demo once
    found its rows by those and then met two)."""
    from programs.funds.services import submit_expenditure
    from programs.placements.services import create_placement
    from programs.projects.services import create_project
    from programs.training.services.logs import record_case_log, write_progress_log
    from supervision.findings.services import dismiss_finding
    from supervision.models import Finding

    program = m.Program.objects.get(code=PROGRAM_CODE)
    student = demo_user("student").student
    today = timezone.localdate()
    case = record_case_log(
        user=demo_user("practice.tutor"),
        student=student,
        date=today - dt.timedelta(days=1),
        modality="ct",
        procedure="Head CT, non-contrast",
        count=2,
        role="performed",
        placement=student.placements.get(),
    )
    log = write_progress_log(
        user=demo_user("tutor"),
        student=student,
        date=today,
        kind="meeting",
        minutes=60,
        summary="Monthly meeting: reading list and thesis question agreed. (1)",
    )
    project = create_project(
        user=demo_user("progadmin"),
        program=program,
        title="Low-dose CT protocol optimisation",
        kind="clinical",
        size="small",
        lead_organization=m.Organization.objects.get(name="Eastbridge First Hospital"),
    )
    placement = create_placement(
        user=demo_user("progadmin"),
        student=demo_user("student2").student,
        host=m.Organization.objects.get(name="Eastbridge First Hospital"),
        start_date=today + dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=120),
        objectives="Emergency CT.",
    )
    line = m.BudgetLine.objects.get(program=program, title="Clinical training consumables")
    expenditure = submit_expenditure(
        user=demo_user("coordinator"),
        line=line,
        amount="38000.00",
        spent_on=today - dt.timedelta(days=2),
        category=line.category,
        payee="Contrast Media Co.",
        description="Contrast media for training scans",
    )
    finding = Finding.objects.active().filter(program=program).order_by("pk").first()
    assert finding is not None
    dismiss_finding(user=demo_user("progadmin"), finding=finding, justification="Known, agreed.")
    return {
        "case": case,
        "log": log,
        "project": project,
        "placement": placement,
        "expenditure": expenditure,
        "finding": finding,
    }


def run_the_demo_audit() -> None:
    from supervision.audits.engine import run_audit
    from supervision.models import AuditRun

    run_audit(AuditRun.objects.get().job_id)


def all_rows() -> dict[str, int]:
    counted = [
        model
        for label in ("accounts", "programs", "supervision", "evaluation", "core")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    return {model._meta.db_table: model._default_manager.count() for model in counted}


@pytest.mark.django_db
@pytest.mark.usefixtures("celery_eager")
def test_a_second_start_after_ordinary_use_keeps_the_data_and_creates_nothing() -> None:
    from supervision.models import Finding

    seed_demo()
    run_the_demo_audit()
    made = use_the_demo_as_people_would()
    before = all_rows()

    output = seed_demo()

    assert "admin@demo.example" in output
    assert all_rows() == before
    for row in made.values():
        row.refresh_from_db()  # still there
    assert made["finding"].status == Finding.Status.DISMISSED
    assert m.CaseLog.objects.filter(procedure="Head CT, non-contrast").count() >= 2
    assert m.Project.objects.filter(title="Low-dose CT protocol optimisation").count() == 2


@pytest.mark.django_db
def test_demo_data_of_an_older_version_is_recognised_and_not_loaded_again() -> None:
    from training_portal.core.models import SeedRecord

    seed_demo()
    names = set(SeedRecord.objects.values_list("name", flat=True))
    assert {"accounts", "programs", "audit", "inspections", "evaluation"} <= names
    assert set(PIECES) <= names
    SeedRecord.objects.all().delete()  # as loaded before the records existed
    m.CaseLog.objects.create(
        student=demo_user("student").student,
        date=timezone.localdate(),
        modality="ct",
        procedure="Head CT, non-contrast",
        count=1,
        role="observed",
        recorded_by=demo_user("student"),
    )
    before = all_rows()

    seed_demo()

    after = all_rows()
    assert after.pop("core_seedrecord") == len(names)
    before.pop("core_seedrecord")
    assert after == before
    found = SeedRecord.objects.filter(origin="found").values_list("name", flat=True)
    assert {"accounts", "programs", "audit", "inspections", "evaluation", *PIECES} <= set(found)


@pytest.mark.django_db
def test_a_seeder_that_has_run_is_not_run_again() -> None:
    from training_portal.core.seeding import seed_once

    calls: list[int] = []
    assert seed_once("piece", lambda: calls.append(1) or "made") == "made"
    assert seed_once("piece", lambda: calls.append(2) or "made") is None
    assert seed_once("other", lambda: calls.append(3), already_there=lambda: True) is None
    assert calls == [1]
