"""Factories for the programs domain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from accounts.models import RoleMembership
from accounts.roles import Role
from programs import models as m
from tests.factories import UserFactory


def membership(user, role: Role, scope) -> RoleMembership:  # type: ignore[no-untyped-def]
    """An unsaved `role` of `user` over `scope` (an organisation or a program)."""
    from django.contrib.contenttypes.models import ContentType

    return RoleMembership(
        user=user, role=role, scope_type=ContentType.objects.get_for_model(scope), scope_id=scope.pk
    )


def grant(user, role: Role, scope) -> RoleMembership:  # type: ignore[no-untyped-def]
    row = membership(user, role, scope)
    row.save()
    return row


class OrganizationFactory(factory.django.DjangoModelFactory[m.Organization]):
    class Meta:
        model = m.Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = m.Organization.Kind.HOSPITAL


class UniversityFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"University {n}")
    kind = m.Organization.Kind.UNIVERSITY


class ProgramFactory(factory.django.DjangoModelFactory[m.Program]):
    class Meta:
        model = m.Program

    code = factory.Sequence(lambda n: f"MIT{n:03d}")
    title = "Medical Imaging Technology"
    discipline = "Medical imaging technology"
    degree_type = m.Program.DegreeType.PROFESSIONAL
    lead_university = factory.SubFactory(UniversityFactory)
    start_date = dt.date(2025, 9, 1)
    status = m.Program.Status.ACTIVE


class CourseFactory(factory.django.DjangoModelFactory[m.Course]):
    class Meta:
        model = m.Course

    code = factory.Sequence(lambda n: f"C{n:04d}")
    title = factory.Sequence(lambda n: f"Course {n}")
    credits = Decimal("2.0")
    category = m.Course.Category.CORE
    delivering_organization = factory.SubFactory(UniversityFactory)


class MilestoneTemplateFactory(factory.django.DjangoModelFactory[m.MilestoneTemplate]):
    class Meta:
        model = m.MilestoneTemplate

    program = factory.SubFactory(ProgramFactory)
    kind = m.MilestoneTemplate.Kind.PROPOSAL_DEFENCE
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_offset_days = 180


class TutorFactory(factory.django.DjangoModelFactory[m.TutorProfile]):
    class Meta:
        model = m.TutorProfile

    user = factory.SubFactory(UserFactory)
    kind = m.TutorProfile.Kind.ACADEMIC
    organization = factory.SubFactory(UniversityFactory)
    capacity = 6


class StudentFactory(factory.django.DjangoModelFactory[m.Student]):
    class Meta:
        model = m.Student

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    student_number = factory.Sequence(lambda n: f"S{2025000 + n}")
    cohort = 2025
    enrolled_on = dt.date(2025, 9, 1)


class AssignmentFactory(factory.django.DjangoModelFactory[m.TutorAssignment]):
    class Meta:
        model = m.TutorAssignment

    student = factory.SubFactory(StudentFactory)
    tutor = factory.SubFactory(TutorFactory)
    role = factory.LazyAttribute(lambda a: a.tutor.kind)
    started_on = dt.date(2025, 9, 1)


class PlanFactory(factory.django.DjangoModelFactory[m.TrainingPlan]):
    class Meta:
        model = m.TrainingPlan

    student = factory.SubFactory(StudentFactory)
    version = 1
    career_goal = m.TrainingPlan.CareerGoal.CLINICAL
    personal_objectives = "Become independent in CT and MR protocols."


class PlacementFactory(factory.django.DjangoModelFactory[m.Placement]):
    class Meta:
        model = m.Placement

    student = factory.SubFactory(StudentFactory)
    host = factory.SubFactory(OrganizationFactory)
    start_date = dt.date(2026, 3, 1)
    end_date = dt.date(2026, 8, 31)
    objectives = "Clinical CT practice"


class ProgressLogFactory(factory.django.DjangoModelFactory[m.ProgressLog]):
    class Meta:
        model = m.ProgressLog

    student = factory.SubFactory(StudentFactory)
    author = factory.SubFactory(UserFactory)
    date = dt.date(2026, 3, 10)
    kind = m.ProgressLog.Kind.MEETING
    minutes = 45
    summary = "Discussed the proposal."


class BudgetLineFactory(factory.django.DjangoModelFactory[m.BudgetLine]):
    class Meta:
        model = m.BudgetLine

    program = factory.SubFactory(ProgramFactory)
    holder = factory.SubFactory(OrganizationFactory)
    category = m.BudgetLine.Category.MATERIALS
    title = factory.Sequence(lambda n: f"Line {n}")
    amount = Decimal("10000.00")
    start_date = dt.date(2026, 1, 1)
    end_date = dt.date(2026, 12, 31)


class ExpenditureFactory(factory.django.DjangoModelFactory[m.Expenditure]):
    class Meta:
        model = m.Expenditure

    line = factory.SubFactory(BudgetLineFactory)
    amount = Decimal("500.00")
    spent_on = dt.date(2026, 3, 1)
    category = m.BudgetLine.Category.MATERIALS
    payee = "Imaging Supplies Co."
    description = "Phantoms"
    submitted_by = factory.SubFactory(UserFactory)
