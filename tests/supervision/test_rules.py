"""Every rule of the catalogue: what triggers it (message and evidence), what does not (clean
data, just under the threshold), how a portal-wide or per-program setting changes the
outcome, and that a rule turned off makes no chunk and leaves its findings alone.

The audits run through the real path (start_audit → run_audit → one chunk per rule and
program, Celery in eager mode) on the programs cast, with `as_of` fixed at TODAY.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import RoleMembership
from accounts.roles import Role
from programs import models as m
from supervision.audits.services import change_rule_setting
from supervision.models import AuditChunk, Finding, Inspection
from supervision.rules import all_rules
from supervision.rules.catalogue import RULES
from tests.cast import Cast
from tests.factories import UserFactory
from tests.programs.factories import (
    AssignmentFactory,
    BudgetLineFactory,
    CourseFactory,
    OrganizationFactory,
    PlacementFactory,
    PlanFactory,
    ProgramFactory,
    ProgressLogFactory,
    StudentFactory,
    TutorFactory,
    grant,
)
from tests.supervision.audits import TODAY, ago, audit, found, message, only, partner, spend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


def test_a_program_in_order_gets_no_finding_from_any_rule(clean: Cast) -> None:
    run = audit(clean.program)

    assert not Finding.objects.exists()
    assert run.chunks.count() == len(all_rules())
    assert run.job.message == "Audit complete: 0 findings."
    assert all(counts["found"] == 0 for counts in run.counts.values())
    assert set(run.counts) == {rule.code for rule in all_rules()}


def test_every_rule_of_the_catalogue_has_a_positive_case_here() -> None:
    tested = {
        name.removeprefix("test_").split("__")[0]
        for name in globals()
        if name.startswith("test_") and "__finds" in name
    }
    assert tested == {rule.code for rule in RULES}
    assert {"review_meeting_overdue", "inspection_publication_late"} <= {
        rule.code for rule in all_rules()
    }


# ---- milestone_overdue ---------------------------------------------------------------------


def overdue_milestone(c: Cast, days: int) -> m.Milestone:
    return m.Milestone.objects.create(
        student=c.student, kind="mid_term_review", title="Mid-term review", due_date=ago(days)
    )


def test_milestone_overdue__finds_a_milestone_past_due_and_not_completed(clean: Cast) -> None:
    milestone = overdue_milestone(clean, 10)

    audit(clean.program, rules=["milestone_overdue"])

    finding = only("milestone_overdue")
    assert (finding.subject_id, finding.student_id) == (milestone.pk, clean.student.pk)
    assert finding.severity == "minor"
    assert message(finding) == "“Mid-term review” is 10 days overdue."
    assert finding.evidence == {"due_date": "2026-06-05", "days_overdue": 10}


def test_milestone_overdue_ignores_one_due_today_completed_or_of_an_inactive_student(
    clean: Cast,
) -> None:
    overdue_milestone(clean, 0)
    m.Milestone.objects.create(
        student=clean.student, kind="defence", title="Done late", due_date=ago(20),
        completed_on=ago(2),
    )  # fmt: skip
    suspended = StudentFactory(program=clean.program, status=m.Student.Status.SUSPENDED)
    m.Milestone.objects.create(
        student=suspended, kind="defence", title="Suspended", due_date=ago(100)
    )

    audit(clean.program, rules=["milestone_overdue"])

    assert found("milestone_overdue") == []


def test_milestone_overdue_grace_period_portal_wide_and_per_program(
    clean: Cast, admin: Any
) -> None:
    overdue_milestone(clean, 10)
    change_rule_setting(user=admin, rule="milestone_overdue", thresholds={"grace_days": 10})
    audit(clean.program, rules=["milestone_overdue"])
    assert found("milestone_overdue") == []

    change_rule_setting(
        user=clean.program_admin,
        rule="milestone_overdue",
        program=clean.program,
        thresholds={"grace_days": 9},
    )
    audit(clean.program, rules=["milestone_overdue"])
    assert len(found("milestone_overdue")) == 1


# ---- supervision_gap -----------------------------------------------------------------------


def test_supervision_gap__finds_a_student_without_a_log_for_more_than_30_days(
    clean: Cast,
) -> None:
    m.ProgressLog.objects.filter(student=clean.student, date__gt=ago(31)).update(date=ago(31))

    audit(clean.program, rules=["supervision_gap"])

    finding = only("supervision_gap")
    assert (finding.subject_id, finding.student_id) == (clean.student.pk, clean.student.pk)
    assert finding.severity == "major"
    assert message(finding) == "No progress log for 31 days."
    assert finding.evidence == {"last_progress_log": "2026-05-15", "days_without_log": 31}


def test_supervision_gap_of_a_student_never_logged_counts_from_enrolment(clean: Cast) -> None:
    m.ProgressLog.objects.filter(student=clean.other_student).delete()

    audit(clean.program, rules=["supervision_gap"])

    finding = only("supervision_gap")
    assert finding.student_id == clean.other_student.pk
    assert message(finding) == "No progress log since enrolment, 287 days ago."
    assert finding.evidence == {"last_progress_log": None, "days_without_log": 287}


def test_supervision_gap_ignores_a_log_exactly_30_days_old_and_a_new_student(
    clean: Cast,
) -> None:
    m.ProgressLog.objects.filter(student=clean.student, date__gt=ago(30)).update(date=ago(30))
    StudentFactory(program=clean.program, enrolled_on=ago(30))  # no log yet, just enrolled

    audit(clean.program, rules=["supervision_gap"])

    assert found("supervision_gap") == []


def test_supervision_gap_days_portal_wide_and_per_program(clean: Cast, admin: Any) -> None:
    m.ProgressLog.objects.filter(student=clean.student, date__gt=ago(45)).update(date=ago(45))
    change_rule_setting(user=admin, rule="supervision_gap", thresholds={"days": 60})
    audit(clean.program, rules=["supervision_gap"])
    assert found("supervision_gap") == []

    change_rule_setting(
        user=clean.program_admin,
        rule="supervision_gap",
        program=clean.program,
        thresholds={"days": 44},
    )
    audit(clean.program, rules=["supervision_gap"])
    assert only("supervision_gap").evidence["days_without_log"] == 45


# ---- supervision_frequency -----------------------------------------------------------------


def test_supervision_frequency__finds_too_few_contacts_of_each_tutor_separately(
    clean: Cast,
) -> None:
    # One of Tom's three contacts falls out of the 90-day window; one of Pia's two was
    # written by another tutor: each tutor's own contacts are counted.
    m.ProgressLog.objects.filter(author=clean.tutor.user, date=ago(70)).update(date=ago(91))
    m.ProgressLog.objects.filter(author=clean.practice_tutor.user, date=ago(50)).update(
        author=clean.other_tutor.user
    )

    audit(clean.program, rules=["supervision_frequency"])

    academic = only("supervision_frequency", tutor=clean.tutor.user)
    practice = only("supervision_frequency", tutor=clean.practice_tutor.user)
    assert len(found("supervision_frequency")) == 2
    assert academic.subject_id == clean.student.assignments.get(role="academic").pk
    assert (academic.student_id, academic.organization_id) == (
        clean.student.pk,
        clean.program.lead_university_id,
    )
    assert message(academic) == (
        "The academic tutor recorded 2 contacts in 90 days; 3 are required."
    )
    assert academic.evidence == {
        "tutor_role": "academic",
        "contacts_in_window": 2,
        "required_contacts": 3,
        "window_days": 90,
    }
    assert message(practice) == "The practice tutor recorded 1 contact in 90 days; 2 are required."
    assert practice.evidence["contacts_in_window"] == 1
    assert practice.organization_id == clean.hospital.pk
    assert academic.fingerprint != practice.fingerprint


def test_supervision_frequency_counts_the_first_day_of_the_window_and_skips_new_assignments(
    clean: Cast,
) -> None:
    m.ProgressLog.objects.filter(author=clean.tutor.user, date=ago(70)).update(date=ago(90))
    newcomer = StudentFactory(program=clean.program, enrolled_on=ago(200))
    AssignmentFactory(student=newcomer, tutor=clean.other_tutor, started_on=ago(30))
    ProgressLogFactory(student=newcomer, author=clean.other_tutor.user, date=ago(3))

    audit(clean.program, rules=["supervision_frequency"])

    assert found("supervision_frequency") == []


def test_supervision_frequency_minimums_portal_wide_and_per_program(
    clean: Cast, admin: Any
) -> None:
    change_rule_setting(user=admin, rule="supervision_frequency", thresholds={"academic_min": 4})
    audit(clean.program, rules=["supervision_frequency"])
    assert {f.tutor_id for f in found("supervision_frequency")} == {
        clean.tutor.user_id,
        clean.other_tutor.user_id,
    }

    change_rule_setting(
        user=clean.program_admin,
        rule="supervision_frequency",
        program=clean.program,
        thresholds={"academic_min": 3, "practice_min": 3},
    )
    audit(clean.program, rules=["supervision_frequency"])
    assert only("supervision_frequency").tutor_id == clean.practice_tutor.user_id


# ---- tutor_over_capacity -------------------------------------------------------------------


def test_tutor_over_capacity__finds_a_tutor_with_more_students_than_capacity(
    clean: Cast,
) -> None:
    elsewhere = ProgramFactory()
    m.TutorProfile.objects.filter(pk=clean.tutor.pk).update(capacity=1)
    AssignmentFactory(student=StudentFactory(program=elsewhere), tutor=clean.tutor)

    audit(rules=["tutor_over_capacity"])

    finding = only("tutor_over_capacity")
    # Counted across programs, reported once: in the program of the first student.
    assert (finding.program_id, finding.subject_id) == (clean.program.pk, clean.tutor.pk)
    assert (finding.tutor_id, finding.organization_id, finding.student_id) == (
        clean.tutor.user_id,
        clean.tutor.organization_id,
        None,
    )
    assert message(finding) == "Supervises 2 active students; capacity 1."
    assert finding.evidence == {"current_students": 2, "capacity": 1}


def test_tutor_over_capacity_ignores_a_full_tutor_ended_assignments_and_inactive_students(
    clean: Cast,
) -> None:
    m.TutorProfile.objects.filter(pk=clean.tutor.pk).update(capacity=2)
    AssignmentFactory(student=StudentFactory(program=clean.program), tutor=clean.tutor)
    AssignmentFactory(
        student=StudentFactory(program=clean.program), tutor=clean.tutor, ended_on=ago(1)
    )
    AssignmentFactory(
        student=StudentFactory(program=clean.program, status=m.Student.Status.GRADUATED),
        tutor=clean.tutor,
    )

    audit(clean.program, rules=["tutor_over_capacity"])

    assert found("tutor_over_capacity") == []


def test_tutor_over_capacity_can_be_turned_off_for_one_program(clean: Cast, admin: Any) -> None:
    m.TutorProfile.objects.filter(pk=clean.tutor.pk).update(capacity=1)
    AssignmentFactory(student=StudentFactory(program=clean.program), tutor=clean.tutor)
    change_rule_setting(user=admin, rule="tutor_over_capacity", severity="major")
    audit(clean.program, rules=["tutor_over_capacity"])
    assert only("tutor_over_capacity").severity == "major"

    change_rule_setting(
        user=clean.program_admin, rule="tutor_over_capacity", program=clean.program, enabled=False
    )
    run = audit(clean.program)
    assert not run.chunks.filter(rule="tutor_over_capacity").exists()
    assert only("tutor_over_capacity").last_seen_run_id != run.pk  # left alone


# ---- plan_not_approved ---------------------------------------------------------------------


def test_plan_not_approved__finds_a_student_without_an_approved_plan_after_90_days(
    clean: Cast,
) -> None:
    m.TrainingPlan.objects.filter(student=clean.student).update(status="submitted")

    audit(clean.program, rules=["plan_not_approved"])

    finding = only("plan_not_approved")
    assert (finding.subject_id, finding.student_id) == (clean.student.pk, clean.student.pk)
    assert message(finding) == "No approved training plan 287 days after enrolment."
    assert finding.evidence == {"enrolled_on": "2025-09-01", "days_since_enrolment": 287}


def test_plan_not_approved_accepts_a_superseded_version_and_waits_90_days(clean: Cast) -> None:
    m.TrainingPlan.objects.filter(student=clean.student).update(status="superseded")
    PlanFactory(student=clean.student, version=2, status="draft")
    StudentFactory(program=clean.program, enrolled_on=ago(90))  # no plan, 90 days in

    audit(clean.program, rules=["plan_not_approved"])

    assert found("plan_not_approved") == []


def test_plan_not_approved_days_portal_wide_and_per_program(clean: Cast, admin: Any) -> None:
    StudentFactory(program=clean.program, enrolled_on=ago(100))
    change_rule_setting(user=admin, rule="plan_not_approved", thresholds={"days": 100})
    audit(clean.program, rules=["plan_not_approved"])
    assert found("plan_not_approved") == []

    change_rule_setting(
        user=clean.program_admin,
        rule="plan_not_approved",
        program=clean.program,
        thresholds={"days": 99},
    )
    audit(clean.program, rules=["plan_not_approved"])
    assert only("plan_not_approved").evidence["days_since_enrolment"] == 100


# ---- plan_without_ie -----------------------------------------------------------------------


def test_plan_without_ie__finds_an_approved_plan_without_any_ie_course(clean: Cast) -> None:
    plan = clean.student.plans.get()
    plan.courses.set([CourseFactory(category=m.Course.Category.CORE)])

    audit(clean.program, rules=["plan_without_ie"])

    finding = only("plan_without_ie")
    assert (finding.subject_id, finding.student_id) == (plan.pk, clean.student.pk)
    assert message(finding) == "Approved plan version 1 has no I&E or I&E-integrated course."
    assert finding.evidence == {"plan_version": 1, "ie_courses": 0}


def test_plan_without_ie_accepts_an_ie_integrated_course_and_ignores_unapproved_plans(
    clean: Cast,
) -> None:
    clean.student.plans.get().courses.set([CourseFactory(integrates_ie=True)])
    m.TrainingPlan.objects.filter(student=clean.other_student).update(status="tutor_approved")
    clean.other_student.plans.get().courses.clear()

    audit(clean.program, rules=["plan_without_ie"])

    assert found("plan_without_ie") == []


def test_plan_without_ie_severity_per_program(clean: Cast) -> None:
    clean.student.plans.get().courses.clear()
    change_rule_setting(
        user=clean.program_admin, rule="plan_without_ie", program=clean.program, severity="major"
    )

    audit(clean.program, rules=["plan_without_ie"])

    assert only("plan_without_ie").severity == "major"


# ---- placement_without_tutor ---------------------------------------------------------------


def test_placement_without_tutor__finds_an_active_placement_without_practice_tutor(
    clean: Cast,
) -> None:
    m.Placement.objects.filter(pk=clean.placement.pk).update(practice_tutor=None)

    audit(clean.program, rules=["placement_without_tutor"])

    finding = only("placement_without_tutor")
    assert (finding.subject_id, finding.student_id, finding.organization_id) == (
        clean.placement.pk,
        clean.student.pk,
        clean.hospital.pk,
    )
    assert finding.severity == "major"
    assert message(finding) == "The active placement at First Hospital has no practice tutor."
    assert finding.evidence == {"placement_start": "2026-03-01", "practice_tutor": None}


def test_placement_without_tutor_ignores_a_planned_one(clean: Cast) -> None:
    PlacementFactory(student=clean.other_student, host=clean.other_hospital)  # planned

    audit(clean.program, rules=["placement_without_tutor"])

    assert found("placement_without_tutor") == []


def test_placement_without_tutor_can_be_turned_off_portal_wide(clean: Cast, admin: Any) -> None:
    m.Placement.objects.filter(pk=clean.placement.pk).update(practice_tutor=None)
    change_rule_setting(user=admin, rule="placement_without_tutor", enabled=False)

    run = audit(clean.program)

    assert found("placement_without_tutor") == []
    assert not run.chunks.filter(rule="placement_without_tutor").exists()


# ---- responsibility_unfulfilled ------------------------------------------------------------


def hosts(c: Cast, org: m.Organization) -> None:
    PlacementFactory(
        student=c.other_student, host=org, start_date=ago(100), end_date=ago(-50),
        status=m.Placement.Status.ACTIVE,
    )  # fmt: skip


def teaches(c: Cast, org: m.Organization) -> None:
    course = CourseFactory(delivering_organization=org)
    m.ProgramCourse.objects.create(
        program=c.program, course=course, requirement="elective", semester=2
    )


def supervises(c: Cast, org: m.Organization) -> None:
    tutor = TutorFactory(kind="practice", organization=org)
    AssignmentFactory(student=c.other_student, tutor=tutor)


def project(kind: str) -> Callable[[Cast, m.Organization], None]:
    def make(c: Cast, org: m.Organization) -> None:
        m.Project.objects.create(
            program=c.program, title=f"A {kind} project", kind=kind, size="small",
            lead_organization=org,
        )  # fmt: skip

    return make


def funds(c: Cast, org: m.Organization) -> None:
    BudgetLineFactory(program=c.program, holder=org, end_date=ago(-100))


def counsels(c: Cast, org: m.Organization) -> None:
    """A counsellor posted at the organisation (a current, scoped membership)."""
    grant(UserFactory(), Role.COUNSELLOR, org)


def inspected(c: Cast, org: m.Organization) -> None:
    """An inspection of the organisation that took place in the period."""
    Inspection.objects.create(
        title="Routine inspection", inspection_type="routine", organization=org,
        starts_at=timezone.make_aware(dt.datetime.combine(ago(60), dt.time(9))),
        ends_on=ago(58), status=Inspection.Status.PUBLISHED, created_by=c.program_admin,
    )  # fmt: skip


ACTIVITY: dict[str, Callable[[Cast, m.Organization], None]] = {
    "clinical_practice": hosts,
    "practical_training": hosts,
    "teaching": teaches,
    "curriculum_setting": teaches,
    "tutor_supervision": supervises,
    "research_training": project("research"),
    "knowledge_transfer": project("engineering"),
    "funding": funds,
    "mental_health_service": counsels,
    "supervision_external": inspected,
}


def test_every_responsibility_is_checked() -> None:
    assert sorted(ACTIVITY) == sorted(m.PartnerResponsibility.Kind.values)


def test_mental_health_service_needs_a_counsellor_posted_there_now(clean: Cast) -> None:
    held = m.PartnerResponsibility.objects.create(
        partner=partner(clean, clean.other_hospital), responsibility="mental_health_service"
    )
    # Portal-wide counsellors, one posted elsewhere and one whose posting has ended.
    RoleMembership.objects.create(user=UserFactory(), role=Role.COUNSELLOR)
    grant(UserFactory(), Role.COUNSELLOR, clean.hospital)
    ended = grant(UserFactory(), Role.COUNSELLOR, clean.other_hospital)
    RoleMembership.objects.filter(pk=ended.pk).update(valid_until=ago(1))

    audit(clean.program, rules=["responsibility_unfulfilled"])

    assert only("responsibility_unfulfilled").subject_id == held.pk


def test_external_supervision_needs_an_inspection_of_the_organisation_in_the_period(
    clean: Cast,
) -> None:
    held = m.PartnerResponsibility.objects.create(
        partner=partner(clean, clean.other_hospital), responsibility="supervision_external"
    )
    start = timezone.make_aware(dt.datetime.combine(ago(30), dt.time(9)))
    # Too old, cancelled, of another organisation, of the program: none counts.
    for org, starts_at, ends_on, status in [
        (clean.other_hospital, start - dt.timedelta(days=500), ago(498), "published"),
        (clean.other_hospital, start, ago(28), "cancelled"),
        (clean.hospital, start, ago(28), "published"),
    ]:
        Inspection.objects.create(
            title="Elsewhere", inspection_type="routine", organization=org, starts_at=starts_at,
            ends_on=ends_on, status=status, created_by=clean.program_admin,
            cancel_reason="Postponed" if status == "cancelled" else "",
        )  # fmt: skip
    Inspection.objects.create(
        title="Of the program", inspection_type="routine", program=clean.program,
        starts_at=start, ends_on=ago(28), created_by=clean.program_admin,
    )  # fmt: skip

    audit(clean.program, rules=["responsibility_unfulfilled"])

    assert only("responsibility_unfulfilled").subject_id == held.pk


@pytest.mark.parametrize("responsibility", sorted(ACTIVITY))
def test_responsibility_unfulfilled__finds_a_responsibility_with_no_activity(
    clean: Cast, responsibility: str
) -> None:
    held = m.PartnerResponsibility.objects.create(
        partner=partner(clean, clean.other_hospital), responsibility=responsibility
    )

    audit(clean.program, rules=["responsibility_unfulfilled"])

    finding = only("responsibility_unfulfilled")
    assert (finding.subject_id, finding.organization_id) == (held.pk, clean.other_hospital.pk)
    label = m.PartnerResponsibility.Kind(responsibility).label
    assert (
        message(finding) == f"Second Hospital shows no activity for its responsibility “{label}”."
    )
    assert finding.evidence == {
        "responsibility": responsibility,
        "period_start": "2025-06-15",
        "matching_activities": 0,
    }


@pytest.mark.parametrize("responsibility", sorted(ACTIVITY))
def test_responsibility_unfulfilled_is_satisfied_by_the_matching_activity(
    clean: Cast, responsibility: str
) -> None:
    m.PartnerResponsibility.objects.create(
        partner=partner(clean, clean.other_hospital), responsibility=responsibility
    )
    ACTIVITY[responsibility](clean, clean.other_hospital)

    audit(clean.program, rules=["responsibility_unfulfilled"])

    assert found("responsibility_unfulfilled") == []


def test_responsibility_unfulfilled_skips_new_and_inactive_partners(clean: Cast) -> None:
    newcomer = m.ProgramPartner.objects.create(
        program=clean.program, organization=OrganizationFactory(), agreement_start=ago(100)
    )
    m.PartnerResponsibility.objects.create(partner=newcomer, responsibility="teaching")
    gone = partner(clean, OrganizationFactory(), active=False)
    m.PartnerResponsibility.objects.create(partner=gone, responsibility="teaching")
    # A research project does not transfer knowledge into products.
    engaged = partner(clean, OrganizationFactory(name="Research Lab"))
    project("research")(clean, engaged.organization)
    m.PartnerResponsibility.objects.create(partner=engaged, responsibility="knowledge_transfer")

    audit(clean.program, rules=["responsibility_unfulfilled"])

    assert [f.organization_id for f in found("responsibility_unfulfilled")] == [
        engaged.organization_id
    ]


def test_responsibility_unfulfilled_period_per_program(clean: Cast, admin: Any) -> None:
    m.Placement.objects.filter(pk=clean.placement.pk).update(
        start_date=ago(400), end_date=ago(200), status="completed"
    )
    audit(clean.program, rules=["responsibility_unfulfilled"])
    assert found("responsibility_unfulfilled") == []

    change_rule_setting(
        user=clean.program_admin,
        rule="responsibility_unfulfilled",
        program=clean.program,
        thresholds={"period_days": 199},
    )
    audit(clean.program, rules=["responsibility_unfulfilled"])
    assert only("responsibility_unfulfilled").organization_id == clean.hospital.pk


# ---- agreement_expired ---------------------------------------------------------------------


def test_agreement_expired__finds_an_active_partner_whose_agreement_ended(clean: Cast) -> None:
    expired = partner(clean, clean.other_hospital, end=ago(1))

    audit(clean.program, rules=["agreement_expired"])

    finding = only("agreement_expired")
    assert (finding.subject_id, finding.organization_id) == (expired.pk, clean.other_hospital.pk)
    assert message(finding) == "The agreement with Second Hospital has ended."
    assert finding.evidence == {"agreement_end": "2026-06-14", "days_since_end": 1}


def test_agreement_expired_ignores_an_agreement_ending_today_and_inactive_partners(
    clean: Cast,
) -> None:
    partner(clean, clean.other_hospital, end=TODAY)
    partner(clean, OrganizationFactory(), end=ago(30), active=False)

    audit(clean.program, rules=["agreement_expired"])

    assert found("agreement_expired") == []


def test_agreement_expired_severity_portal_wide(clean: Cast, admin: Any) -> None:
    partner(clean, clean.other_hospital, end=ago(1))
    change_rule_setting(user=admin, rule="agreement_expired", severity="critical")

    audit(clean.program, rules=["agreement_expired"])

    assert only("agreement_expired").severity == "critical"


# ---- fund_overspend ------------------------------------------------------------------------


def line_of(c: Cast, **kwargs: Any) -> m.BudgetLine:
    return BudgetLineFactory(program=c.program, holder=c.hospital, **kwargs)


def test_fund_overspend__finds_approved_spending_above_the_line(clean: Cast) -> None:
    line = line_of(clean, title="Consumables", amount=Decimal("10000.00"))
    spend(line, "6000.00", dt.date(2026, 2, 1))
    spend(line, "4500.50", dt.date(2026, 3, 1))

    audit(clean.program, rules=["fund_overspend"])

    finding = only("fund_overspend")
    assert (finding.subject_id, finding.organization_id) == (line.pk, clean.hospital.pk)
    assert finding.severity == "critical"
    assert message(finding) == "“Consumables” is overspent by ¥500.50."
    assert finding.evidence == {
        "line_amount": "10000.00",
        "approved_total": "10500.50",
        "overspend": "500.50",
    }


def test_fund_overspend_ignores_a_line_spent_exactly_and_unapproved_spending(
    clean: Cast,
) -> None:
    line = line_of(clean, amount=Decimal("10000.00"))
    spend(line, "10000.00", dt.date(2026, 2, 1))
    spend(line, "900.00", dt.date(2026, 3, 1), status="submitted")
    spend(line, "900.00", dt.date(2026, 3, 2), status="rejected")

    audit(clean.program, rules=["fund_overspend"])

    assert found("fund_overspend") == []


def test_fund_overspend_can_be_turned_off_for_one_program(clean: Cast) -> None:
    spend(line_of(clean, amount=Decimal("100.00")), "200.00", dt.date(2026, 2, 1))
    change_rule_setting(
        user=clean.program_admin, rule="fund_overspend", program=clean.program, enabled=False
    )

    run = audit()

    assert found("fund_overspend") == []
    assert not run.chunks.filter(rule="fund_overspend").exists()


# ---- fund_out_of_period --------------------------------------------------------------------


def test_fund_out_of_period__finds_spending_dated_outside_the_line(clean: Cast) -> None:
    line = line_of(clean)  # 2026-01-01 … 2026-12-31
    early = spend(line, "500.00", dt.date(2025, 12, 31))
    late = spend(line, "700.00", dt.date(2027, 1, 1), status="submitted")

    audit(clean.program, rules=["fund_out_of_period"])

    assert [f.subject_id for f in found("fund_out_of_period")] == [early.pk, late.pk]
    finding = only("fund_out_of_period", subject_id=early.pk)
    assert finding.organization_id == clean.hospital.pk
    assert message(finding) == "¥500.00 spent on 31 December 2025, outside the line's period."
    assert finding.evidence == {
        "spent_on": "2025-12-31",
        "line_start": "2026-01-01",
        "line_end": "2026-12-31",
    }


def test_fund_out_of_period_ignores_the_first_and_last_day_and_rejected_spending(
    clean: Cast,
) -> None:
    line = line_of(clean)
    spend(line, "500.00", dt.date(2026, 1, 1))
    spend(line, "500.00", dt.date(2026, 12, 31))
    spend(line, "500.00", dt.date(2025, 6, 1), status="rejected")

    audit(clean.program, rules=["fund_out_of_period"])

    assert found("fund_out_of_period") == []


def test_fund_out_of_period_severity_per_program(clean: Cast) -> None:
    spend(line_of(clean), "500.00", dt.date(2025, 12, 31))
    change_rule_setting(
        user=clean.program_admin, rule="fund_out_of_period", program=clean.program, severity="info"
    )

    audit(clean.program, rules=["fund_out_of_period"])

    assert only("fund_out_of_period").severity == "info"


# ---- fund_self_approval --------------------------------------------------------------------


def test_fund_self_approval__finds_spending_approved_by_its_submitter(clean: Cast) -> None:
    line = line_of(clean)
    selfish = spend(line, "750.00", dt.date(2026, 2, 1), by=clean.coordinator,
                    approver=clean.coordinator)  # fmt: skip

    audit(clean.program, rules=["fund_self_approval"])

    finding = only("fund_self_approval")
    assert (finding.subject_id, finding.organization_id) == (selfish.pk, clean.hospital.pk)
    assert finding.severity == "critical"
    assert message(finding) == "Cora Coordinator approved their own expenditure of ¥750.00."
    assert finding.evidence == {
        "submitted_by": "Cora Coordinator",
        "approved_by": "Cora Coordinator",
    }


def test_fund_self_approval_ignores_another_approver_and_rejecting_ones_own(
    clean: Cast,
) -> None:
    line = line_of(clean)
    spend(line, "750.00", dt.date(2026, 2, 1), by=clean.coordinator, approver=clean.program_admin)
    spend(line, "750.00", dt.date(2026, 2, 2), status="rejected", by=clean.coordinator,
          approver=clean.coordinator)  # fmt: skip

    audit(clean.program, rules=["fund_self_approval"])

    assert found("fund_self_approval") == []


def test_fund_self_approval_can_be_turned_off_portal_wide(clean: Cast, admin: Any) -> None:
    spend(line_of(clean), "750.00", dt.date(2026, 2, 1), by=clean.coordinator,
          approver=clean.coordinator)  # fmt: skip
    change_rule_setting(user=admin, rule="fund_self_approval", enabled=False)

    run = audit(clean.program)

    assert found("fund_self_approval") == []
    assert not run.chunks.filter(rule="fund_self_approval").exists()


# ---- fund_duplicate ------------------------------------------------------------------------


def test_fund_duplicate__finds_the_same_payee_amount_and_date_twice(clean: Cast) -> None:
    line = line_of(clean)
    first = spend(line, "1240.00", dt.date(2026, 3, 3), payee="Lumina Imaging")
    spend(line, "1240.00", dt.date(2026, 3, 3), payee=" LUMINA imaging ", status="submitted")

    audit(clean.program, rules=["fund_duplicate"])

    finding = only("fund_duplicate")
    assert (finding.subject_id, finding.organization_id) == (first.pk, clean.hospital.pk)
    assert finding.evidence["payee"] in ("Lumina Imaging", " LUMINA imaging ")
    assert {k: v for k, v in finding.evidence.items() if k != "payee"} == {
        "amount": "1240.00",
        "spent_on": "2026-03-03",
        "occurrences": 2,
    }
    payee = finding.evidence["payee"]
    assert message(finding) == f"¥1,240.00 to “{payee}” on 3 March 2026 was recorded 2 times."


def test_fund_duplicate_ignores_another_day_another_amount_and_rejected_copies(
    clean: Cast,
) -> None:
    line = line_of(clean)
    spend(line, "1240.00", dt.date(2026, 3, 3), payee="Lumina Imaging")
    spend(line, "1240.00", dt.date(2026, 3, 4), payee="Lumina Imaging")
    spend(line, "1240.01", dt.date(2026, 3, 3), payee="Lumina Imaging")
    spend(line, "1240.00", dt.date(2026, 3, 3), payee="Lumina Imaging", status="rejected")

    audit(clean.program, rules=["fund_duplicate"])

    assert found("fund_duplicate") == []


def test_fund_duplicate_severity_portal_wide(clean: Cast, admin: Any) -> None:
    line = line_of(clean)
    spend(line, "1240.00", dt.date(2026, 3, 3))
    spend(line, "1240.00", dt.date(2026, 3, 3))
    change_rule_setting(user=admin, rule="fund_duplicate", severity="critical")

    audit(clean.program, rules=["fund_duplicate"])

    assert only("fund_duplicate").severity == "critical"


# ---- fund_split ----------------------------------------------------------------------------


def split(c: Cast, *days: int, amount: str = "9500.00") -> list[m.Expenditure]:
    line = line_of(c, amount=Decimal("100000.00"))
    return [spend(line, amount, ago(d), payee="Phantom Labs") for d in days]


def test_fund_split__finds_payments_just_under_the_threshold_in_a_short_window(
    clean: Cast,
) -> None:
    *_, third = split(clean, 20, 15, 8)

    audit(clean.program, rules=["fund_split"])

    finding = only("fund_split")
    assert (finding.subject_id, finding.organization_id) == (third.pk, clean.hospital.pk)
    assert message(finding) == "3 payments to “Phantom Labs” just under the threshold (¥28,500.00)."
    assert finding.evidence == {
        "payee": "Phantom Labs",
        "payments_in_window": 3,
        "window_total": "28500.00",
        "approval_threshold": "10000.00",
        "window_days": 14,
    }


def test_fund_split_ignores_payments_at_the_threshold_or_spread_out(clean: Cast) -> None:
    split(clean, 20, 15, 8, amount="10000.00")
    split(clean, 30, 15, 1)  # never three within 14 days
    split(clean, 20, 15, 8, amount="8999.99")  # more than 10 % under

    audit(clean.program, rules=["fund_split"])

    assert found("fund_split") == []


def test_fund_split_thresholds_portal_wide_and_per_program(clean: Cast, admin: Any) -> None:
    _, second, third = split(clean, 20, 15, 8)
    change_rule_setting(user=admin, rule="fund_split", thresholds={"min_count": 2})
    audit(clean.program, rules=["fund_split"])
    assert [f.subject_id for f in found("fund_split")] == [second.pk, third.pk]

    change_rule_setting(
        user=clean.program_admin,
        rule="fund_split",
        program=clean.program,
        thresholds={"approval_threshold": "20000"},
    )
    audit(clean.program, rules=["fund_split"])
    assert found("fund_split") == []


# ---- fund_end_of_period_spike --------------------------------------------------------------


def spike(c: Cast, early: str, late: str) -> m.BudgetLine:
    line = line_of(
        c, title="Scanner time", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 5, 31)
    )
    spend(line, early, dt.date(2026, 2, 1))
    spend(line, late, dt.date(2026, 5, 20))  # within the last 4 weeks
    return line


def test_fund_end_of_period_spike__finds_most_spending_in_the_last_weeks(clean: Cast) -> None:
    line = spike(clean, "400.00", "1600.00")

    audit(clean.program, rules=["fund_end_of_period_spike"])

    finding = only("fund_end_of_period_spike")
    assert (finding.subject_id, finding.organization_id) == (line.pk, clean.hospital.pk)
    assert message(finding) == "80.0% of “Scanner time” was spent in its last 4 weeks."
    assert finding.evidence == {
        "approved_total": "2000.00",
        "spent_in_last_weeks": "1600.00",
        "share_percent": "80.0",
        "line_end": "2026-05-31",
    }


def test_fund_end_of_period_spike_ignores_half_and_small_lines(clean: Cast) -> None:
    spike(clean, "1000.00", "1000.00")  # exactly 50 %
    spike(clean, "100.00", "800.00")  # 89 % of 900, under the 1000 minimum

    audit(clean.program, rules=["fund_end_of_period_spike"])

    assert found("fund_end_of_period_spike") == []


def test_fund_end_of_period_spike_thresholds_portal_wide_and_per_program(
    clean: Cast, admin: Any
) -> None:
    spike(clean, "400.00", "1600.00")
    change_rule_setting(
        user=admin, rule="fund_end_of_period_spike", thresholds={"share_percent": 80}
    )
    audit(clean.program, rules=["fund_end_of_period_spike"])
    assert found("fund_end_of_period_spike") == []

    change_rule_setting(
        user=clean.program_admin,
        rule="fund_end_of_period_spike",
        program=clean.program,
        thresholds={"share_percent": 79, "last_weeks": 2},
    )
    audit(clean.program, rules=["fund_end_of_period_spike"])
    assert only("fund_end_of_period_spike").evidence["spent_in_last_weeks"] == "1600.00"


# ---- Turning a rule off --------------------------------------------------------------------


def test_a_rule_turned_off_makes_no_chunk_and_leaves_its_findings_alone(
    clean: Cast, admin: Any
) -> None:
    overdue_milestone(clean, 10)
    first = audit(clean.program)
    finding = only("milestone_overdue")
    assert first.chunks.filter(rule="milestone_overdue").exists()

    change_rule_setting(user=admin, rule="milestone_overdue", enabled=False)
    m.Milestone.objects.filter(pk=finding.subject_id).update(completed_on=TODAY)  # fixed
    second = audit(clean.program)

    assert not second.chunks.filter(rule="milestone_overdue").exists()
    assert second.chunks.count() == len(all_rules()) - 1
    assert "milestone_overdue" not in second.counts
    after = Finding.objects.get(pk=finding.pk)
    assert (after.status, after.last_seen_run_id, after.gone_at) == ("open", first.pk, None)
    assert after.evidence == finding.evidence


def test_a_program_cannot_turn_on_a_rule_turned_off_portal_wide(clean: Cast, admin: Any) -> None:
    overdue_milestone(clean, 10)
    change_rule_setting(user=admin, rule="milestone_overdue", enabled=False)
    change_rule_setting(
        user=clean.program_admin, rule="milestone_overdue", program=clean.program, enabled=True
    )

    run = audit(clean.program)

    assert not AuditChunk.objects.filter(run=run, rule="milestone_overdue").exists()
    assert found("milestone_overdue") == []
