"""The program administrator's pages: a program made, staffed and peopled through the browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from programs import models as m
from programs.models.programs import Responsibility
from tests.cast import Cast
from tests.clients import client_for
from tests.factories import UserFactory
from tests.files import pdf_bytes

from .factories import CourseFactory, OrganizationFactory, UniversityFactory

pytestmark = pytest.mark.django_db

R = Responsibility


def pdf(name: str = "agreement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def program_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "NEWMIT",
        "title": "Nursing Innovation",
        "discipline": "Nursing",
        "degree_type": m.Program.DegreeType.PROFESSIONAL,
        "lead_university": "",
        "start_date": "2026-09-01",
        "end_date": "2029-08-31",
        "description": "A new program.",
        "quality_criteria": "",
    }
    data.update(overrides)
    return data


def post_ok(client: Client, url: str, data: dict[str, Any]) -> Any:
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    return response


def test_program_admin_builds_a_program_through_the_pages(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    university = cast.program.lead_university
    assert client.get(reverse("programs:program-create")).status_code == 200
    response = post_ok(
        client,
        reverse("programs:program-create"),
        program_data(lead_university=university.pk),
    )
    program = m.Program.objects.get(code="NEWMIT")
    detail = reverse("programs:program-detail", args=[program.pk])
    assert response.url == detail
    page = client.get(detail)
    assert page.status_code == 200
    assert page.context["can_manage"] is True
    assert reverse("programs:partner-add", args=[program.pk]) in page.content.decode()

    def url(name: str) -> str:
        return reverse(f"programs:{name}", args=[program.pk])

    for n in range(3):
        post_ok(
            client,
            url("objective-add"),
            {"title": f"Objective {n}", "description": "Measured by an exam."},
        )
    kinds = [
        m.Stage.Kind.COURSEWORK,
        m.Stage.Kind.CLINICAL_PLACEMENT,
        m.Stage.Kind.THESIS_RESEARCH,
        m.Stage.Kind.DEFENCE,
    ]
    for n, kind in enumerate(kinds):
        post_ok(
            client, url("stage-add"), {"kind": kind, "title": f"Stage {n}", "expected_months": 6}
        )
    for n, stage in enumerate(program.stages.order_by("order")):
        post_ok(
            client,
            url("milestone-template-add"),
            {
                "kind": m.MilestoneTemplate.Kind.OTHER,
                "title": f"Milestone {n}",
                "due_offset_days": 90 * (n + 1),
                "stage": stage.pk,
            },
        )
    existing = [CourseFactory(delivering_organization=university) for _ in range(4)]
    for n, course in enumerate(existing):
        post_ok(
            client,
            url("curriculum-add"),
            {"course": course.pk, "requirement": "required", "semester": n + 1},
        )
    for code, ie in (("NEW1", True), ("NEW2", False)):
        post_ok(
            client,
            url("curriculum-add"),
            {
                "requirement": "elective",
                "semester": 2,
                "new_code": code,
                "new_title": f"Course {code}",
                "new_credits": "3.5",
                "new_category": m.Course.Category.CORE,
                "new_integrates_ie": "on" if ie else "",
                "new_delivering_organization": university.pk,
            },
        )
    partners = [
        (university, [R.CURRICULUM_SETTING, R.TEACHING]),
        (cast.hospital, [R.CLINICAL_PRACTICE, R.TUTOR_SUPERVISION]),
        (OrganizationFactory(kind="enterprise"), [R.KNOWLEDGE_TRANSFER]),
    ]
    for organization, responsibilities in partners:
        post_ok(
            client,
            url("partner-add"),
            {
                "organization": organization.pk,
                "agreement_start": "2026-09-01",
                "agreement_end": "2030-08-31",
                "places_offered": 4,
                "responsibilities": [str(r) for r in responsibilities],
                "agreement_file": pdf(),
            },
        )
    # Students are enrolled once the program is active.
    activated = client.post(url("program-transition"), {"transition": "activate"})
    assert activated.status_code == 302
    program.refresh_from_db()
    assert program.status == m.Program.Status.ACTIVE
    newcomer = UserFactory(email="nina@example.org", full_name="Nina Newcomer")
    post_ok(
        client,
        url("student-enrol"),
        {
            "email": "NINA@example.org",
            "student_number": "S9990001",
            "cohort": 2026,
            "enrolled_on": "2026-09-01",
        },
    )
    student = m.Student.objects.get(user=newcomer)
    post_ok(
        client,
        url("tutor-assign"),
        {"student": student.pk, "tutor": cast.tutor.pk, "role": "academic"},
    )
    cast.practice_tutor.capacity = 1
    cast.practice_tutor.save()
    practice = {"student": student.pk, "tutor": cast.practice_tutor.pk, "role": "practice"}
    response = client.post(url("tutor-assign"), practice)
    assert response.status_code == 200
    assert "over_capacity_reason" in response.context["form"].errors
    post_ok(client, url("tutor-assign"), {**practice, "over_capacity_reason": "Thesis topic."})

    assert program.objectives.count() == 3
    assert program.stages.count() == 4
    assert program.milestone_templates.exclude(stage=None).count() == 4
    assert program.curriculum.count() == 6
    assert [pc.course.code for pc in program.curriculum.filter(course__integrates_ie=True)] == [
        "NEW1"
    ]
    assert program.partners.count() == 3
    held = {
        p.organization_id: {r.responsibility for r in p.responsibilities.all()}
        for p in program.partners.all()
    }
    assert held == {org.pk: {str(r) for r in rs} for org, rs in partners}
    assert all(p.agreement_file for p in program.partners.all())
    assignments = m.TutorAssignment.objects.filter(student=student, ended_on=None)
    assert {(a.tutor_id, a.role) for a in assignments} == {
        (cast.tutor.pk, "academic"),
        (cast.practice_tutor.pk, "practice"),
    }
    assert assignments.get(role="practice").over_capacity_reason == "Thesis topic."
    assert student.milestones.count() == 4
    page = client.get(detail).content.decode()
    assert "Nina Newcomer" in page and "Objective 2" in page


PROGRAM_PAGES = [
    "objective-add",
    "stage-add",
    "milestone-template-add",
    "curriculum-add",
    "partner-add",
    "student-enrol",
    "tutor-assign",
]


@pytest.mark.parametrize("page", PROGRAM_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("program_admin", 200),
        ("coordinator", 404),  # hosts a placement, but is no partner: does not see the program
        ("tutor", 403),
        ("student", 403),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_program_pages_by_role(cast: Cast, page: str, who: str, status: int) -> None:
    user = {
        "program_admin": cast.program_admin,
        "coordinator": cast.coordinator,
        "tutor": cast.tutor.user,
        "student": cast.student.user,
        "outsider": UserFactory(email="oscar@example.org"),
        "anonymous": None,
    }[who]
    url = reverse(f"programs:{page}", args=[cast.program.pk])
    client = client_for(user)
    assert client.get(url).status_code == status
    if status != 200:
        before = m.TrainingObjective.objects.count()
        assert client.post(url, {"title": "T", "description": "D"}).status_code == status
        assert m.TrainingObjective.objects.count() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", 403), ("tutor", 403), ("student", 403), ("anonymous", 302)],
)
def test_only_program_admins_create_programs(cast: Cast, who: str, status: int) -> None:
    user = {
        "coordinator": cast.coordinator,
        "tutor": cast.tutor.user,
        "student": cast.student.user,
        "anonymous": None,
    }[who]
    client = client_for(user)
    university = cast.program.lead_university
    url = reverse("programs:program-create")
    assert client.get(url).status_code == status
    assert client.post(url, program_data(lead_university=university.pk)).status_code == status
    assert not m.Program.objects.filter(code="NEWMIT").exists()


def test_links_shown_only_to_those_who_may_use_them(cast: Cast) -> None:
    detail = reverse("programs:program-detail", args=[cast.program.pk])
    add = reverse("programs:objective-add", args=[cast.program.pk])
    create = reverse("programs:program-create")
    admin = client_for(cast.program_admin)
    assert add in admin.get(detail).content.decode()
    assert create in admin.get(reverse("programs:program-list")).content.decode()
    tutor = client_for(cast.tutor.user)
    assert add not in tutor.get(detail).content.decode()
    assert create not in tutor.get(reverse("programs:program-list")).content.decode()


def test_program_ending_before_it_starts_is_refused(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    response = client.post(
        reverse("programs:program-create"),
        program_data(lead_university=UniversityFactory().pk, end_date="2025-01-01"),
    )
    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    assert not m.Program.objects.filter(code="NEWMIT").exists()


def test_partner_agreement_ending_before_it_starts_is_refused(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    response = client.post(
        reverse("programs:partner-add", args=[cast.program.pk]),
        {
            "organization": cast.other_hospital.pk,
            "agreement_start": "2026-09-01",
            "agreement_end": "2026-01-01",
            "places_offered": 1,
            "responsibilities": [R.TEACHING],
        },
    )
    assert response.status_code == 200
    assert "agreement_end" in response.context["form"].errors
    assert not m.ProgramPartner.objects.filter(organization=cast.other_hospital).exists()


def test_non_pdf_agreement_is_refused(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    response = client.post(
        reverse("programs:partner-add", args=[cast.program.pk]),
        {
            "organization": cast.other_hospital.pk,
            "agreement_start": "2026-09-01",
            "places_offered": 1,
            "responsibilities": [R.TEACHING],
            "agreement_file": SimpleUploadedFile("fake.pdf", b"PK\x03\x04 a zip"),
        },
    )
    assert response.status_code == 200
    assert "agreement_file" in response.context["form"].errors
    assert not m.ProgramPartner.objects.filter(organization=cast.other_hospital).exists()
    assert not m.PartnerResponsibility.objects.filter(
        partner__organization=cast.other_hospital
    ).exists()


def test_duplicate_student_number_is_refused(cast: Cast) -> None:
    newcomer = UserFactory(email="nina@example.org")
    client = client_for(cast.program_admin)
    response = client.post(
        reverse("programs:student-enrol", args=[cast.program.pk]),
        {
            "email": newcomer.email,
            "student_number": cast.student.student_number,
            "cohort": 2026,
            "enrolled_on": "2026-09-01",
        },
    )
    assert response.status_code == 200
    assert "student_number" in response.context["form"].errors
    assert not m.Student.objects.filter(user=newcomer).exists()


def test_enrolling_an_unknown_or_enrolled_account_is_refused(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    url = reverse("programs:student-enrol", args=[cast.program.pk])
    data = {"student_number": "S1", "cohort": 2026, "enrolled_on": "2026-09-01"}
    response = client.post(url, {**data, "email": "nobody@example.org"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    response = client.post(url, {**data, "email": cast.other_student.user.email})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not m.Student.objects.filter(student_number="S1").exists()


def test_a_new_course_is_not_kept_when_the_curriculum_refuses_it(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    response = client.post(
        reverse("programs:curriculum-add", args=[cast.program.pk]),
        {
            "requirement": "required",
            "semester": 99,
            "new_code": "ZZ1",
            "new_title": "Orphan",
            "new_credits": "2",
            "new_category": m.Course.Category.CORE,
            "new_delivering_organization": cast.program.lead_university.pk,
        },
    )
    assert response.status_code == 200
    assert "semester" in response.context["form"].errors
    assert not m.Course.objects.filter(code="ZZ1").exists()


def test_curriculum_needs_a_course(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    response = client.post(
        reverse("programs:curriculum-add", args=[cast.program.pk]),
        {"requirement": "required", "semester": 1},
    )
    assert response.status_code == 200
    assert "course" in response.context["form"].errors
    assert not cast.program.curriculum.exists()


def test_over_capacity_assignment_asks_for_a_reason(cast: Cast) -> None:
    cast.tutor.capacity = 1
    cast.tutor.save()
    client = client_for(cast.program_admin)
    url = reverse("programs:tutor-assign", args=[cast.program.pk])
    data = {"student": cast.other_student.pk, "tutor": cast.tutor.pk, "role": "academic"}
    data["replace"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "over_capacity_reason" in response.context["form"].errors
    assert not m.TutorAssignment.objects.filter(
        student=cast.other_student, tutor=cast.tutor
    ).exists()
    response = client.post(url, {**data, "over_capacity_reason": "Shares the topic."})
    assert response.status_code == 302
    assert m.TutorAssignment.objects.get(
        student=cast.other_student, tutor=cast.tutor, ended_on=None
    ).over_capacity_reason == ("Shares the topic.")
    assert m.TutorAssignment.objects.get(tutor=cast.other_tutor).ended_on is not None
