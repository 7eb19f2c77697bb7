"""Writes of partners, programs, people, placements and budget lines through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from programs import models as m
from tests.cast import Cast, who
from tests.clients import api_for
from tests.factories import UserFactory

from .factories import OrganizationFactory, StudentFactory, TutorFactory

pytestmark = pytest.mark.django_db

REFUSED = ["coordinator", "tutor", "student", "outsider"]
#: Creations whose input names by id what the role does not see (the cast's program, or its
#: student): bad input (400), as an unknown id would be. Every other refusal is a 403.
UNSEEN_INPUT = {
    ("program-partner", "coordinator"),
    ("program-partner", "outsider"),
    ("student", "coordinator"),
    ("student", "outsider"),
    ("placement", "outsider"),  # the coordinator sees the student placed at its hospital
    ("budget-line", "coordinator"),
    ("budget-line", "outsider"),
}


def organization_input(cast: Cast) -> dict[str, Any]:
    return {"name": "Third Hospital", "kind": "hospital", "city": "Springfield"}


def program_input(cast: Cast) -> dict[str, Any]:
    return {
        "code": "NEW001",
        "title": "Nursing",
        "discipline": "Nursing",
        "degree_type": m.Program.DegreeType.PROFESSIONAL,
        "lead_university": cast.program.lead_university.pk,
        "start_date": "2026-09-01",
        "end_date": "2029-08-31",
    }


def partner_input(cast: Cast) -> dict[str, Any]:
    return {
        "program": cast.program.pk,
        "organization": cast.other_hospital.pk,
        "agreement_start": "2026-01-01",
        "agreement_end": "2028-12-31",
        "places_offered": 4,
        "responsibilities": ["clinical_practice", "teaching"],
    }


def tutor_input(cast: Cast) -> dict[str, Any]:
    UserFactory(email="newtutor@example.org", full_name="Nina Newtutor")
    return {
        "email": "NewTutor@Example.org",
        "kind": "academic",
        "organization": cast.program.lead_university.pk,
        "capacity": 4,
    }


def student_input(cast: Cast) -> dict[str, Any]:
    UserFactory(email="newstudent@example.org", full_name="Nick Newstudent")
    return {
        "email": "NEWSTUDENT@example.org",
        "program": cast.program.pk,
        "student_number": "S9990001",
        "cohort": 2026,
        "enrolled_on": "2026-09-01",
    }


def partner(cast: Cast, organization: m.Organization) -> None:
    """Placements are hosted by active partners of the student's program only."""
    m.ProgramPartner.objects.get_or_create(
        program=cast.program,
        organization=organization,
        defaults={"agreement_start": cast.program.start_date, "places_offered": 10},
    )


def placement_input(cast: Cast) -> dict[str, Any]:
    partner(cast, cast.hospital)
    return {
        "student": cast.student.pk,
        "host": cast.hospital.pk,
        "start_date": "2026-03-01",
        "end_date": "2026-05-31",
        "objectives": "CT and MR rotations",
        "practice_tutor": cast.practice_tutor.pk,
    }


def budget_line_input(cast: Cast) -> dict[str, Any]:
    return {
        "program": cast.program.pk,
        "holder": cast.program.lead_university.pk,
        "category": m.BudgetLine.Category.MATERIALS,
        "title": "Phantoms",
        "amount": "2500.00",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
    }


CREATES: dict[str, tuple[Any, Callable[[Cast], dict[str, Any]]]] = {
    "organization": (m.Organization, organization_input),
    "program": (m.Program, program_input),
    "program-partner": (m.ProgramPartner, partner_input),
    "tutor": (m.TutorProfile, tutor_input),
    "student": (m.Student, student_input),
    "placement": (m.Placement, placement_input),
    "budget-line": (m.BudgetLine, budget_line_input),
}


def post(user: User, name: str, data: dict[str, Any]) -> Any:
    return api_for(user).post(reverse(f"api:{name}-list"), data, format="json")


@pytest.mark.parametrize("name", CREATES)
def test_the_program_administrator_creates_and_gets_the_record_as_listed(
    cast: Cast, admin: User, name: str
) -> None:
    model, payload = CREATES[name]
    before = model.objects.count()
    response = post(cast.program_admin, name, payload(cast))
    assert response.status_code == 201, response.data
    assert model.objects.count() == before + 1
    listed = api_for(admin).get(reverse(f"api:{name}-detail", args=[response.data["id"]]))
    if name != "program":  # the program's detail adds its four elements to the listed fields
        assert listed.data == response.data


@pytest.mark.parametrize("name", CREATES)
def test_the_portal_administrator_creates_too(cast: Cast, admin: User, name: str) -> None:
    _model, payload = CREATES[name]
    assert post(admin, name, payload(cast)).status_code == 201


@pytest.mark.parametrize("role", REFUSED)
@pytest.mark.parametrize("name", CREATES)
def test_other_roles_are_refused_and_nothing_is_saved(
    cast: Cast, outsider: User, name: str, role: str
) -> None:
    model, payload = CREATES[name]
    before = model.objects.count()
    response = post(who(cast, role, outsider), name, payload(cast))
    assert response.status_code == (400 if (name, role) in UNSEEN_INPUT else 403), response.data
    assert model.objects.count() == before


def test_the_created_records_read_back_with_their_details(cast: Cast) -> None:
    partner = post(cast.program_admin, "program-partner", partner_input(cast)).data
    assert partner["responsibilities"] == ["clinical_practice", "teaching"]
    assert partner["organization_name"] == "Second Hospital"
    tutor = m.TutorProfile.objects.get(
        pk=post(cast.program_admin, "tutor", tutor_input(cast)).data["id"]
    )
    assert tutor.user.email == "newtutor@example.org"
    student = m.Student.objects.get(
        pk=post(cast.program_admin, "student", student_input(cast)).data["id"]
    )
    assert (student.user.email, student.program) == ("newstudent@example.org", cast.program)
    organization = post(cast.program_admin, "organization", organization_input(cast)).data
    assert organization["status"] == "active"
    assert (
        m.OrganizationStatusChange.objects.filter(organization_id=organization["id"]).count() == 1
    )


def test_the_creator_of_a_program_administers_it(cast: Cast) -> None:
    newcomer = UserFactory(email="nora@example.org")
    from accounts.roles import Role

    from .factories import ProgramFactory, grant

    grant(newcomer, Role.PROGRAM_ADMIN, ProgramFactory())
    response = post(newcomer, "program", program_input(cast))
    assert response.status_code == 201, response.data
    assert response.data["code"] == "NEW001"
    assert (
        api_for(newcomer).get(reverse("api:program-detail", args=[response.data["id"]])).status_code
        == 200
    )


# ---- Bad input: 400 with the field's error, nothing saved -------------------------------------


@pytest.mark.parametrize(
    ("name", "change", "field"),
    [
        ("program", {"start_date": "2026-09-01", "end_date": "2026-01-01"}, "end_date"),
        ("placement", {"start_date": "2026-06-01", "end_date": "2026-05-01"}, "end_date"),
        ("budget-line", {"start_date": "2026-06-01", "end_date": "2026-05-01"}, "end_date"),
        ("program-partner", {"agreement_end": "2025-12-31"}, "agreement_end"),
        ("program-partner", {"responsibilities": ["teaching", "juggling"]}, "responsibilities"),
        ("budget-line", {"amount": "-5.00"}, "amount"),
        ("budget-line", {"holder": None}, "holder"),
        ("student", {"email": "nobody@example.org"}, "email"),
        ("tutor", {"email": "nobody@example.org"}, "email"),
        ("program", {"lead_university": None}, "lead_university"),
        ("organization", {"kind": "circus"}, "kind"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_saves_nothing(
    cast: Cast, name: str, change: dict[str, Any], field: str
) -> None:
    model, payload = CREATES[name]
    data = payload(cast)
    if change.get("holder", "") is None:
        change = {"holder": cast.other_hospital.pk}  # not a partner of the program
    if change.get("lead_university", "") is None:
        change = {"lead_university": cast.hospital.pk}  # not a university
    data.update(change)
    before = model.objects.count()
    response = post(cast.program_admin, name, data)
    assert response.status_code == 400, response.data
    assert field in response.data, response.data
    assert model.objects.count() == before


def test_an_unknown_email_says_so(cast: Cast) -> None:
    data = {**student_input(cast), "email": "nobody@example.org"}
    response = post(cast.program_admin, "student", data)
    assert response.data["email"] == ["No account with this e-mail address."]


def test_a_duplicate_student_number_is_a_400(cast: Cast) -> None:
    data = {**student_input(cast), "student_number": cast.student.student_number}
    response = post(cast.program_admin, "student", data)
    assert response.status_code == 400
    assert "student_number" in response.data
    assert not m.Student.objects.filter(user__email="newstudent@example.org").exists()


def test_an_enrolled_or_tutoring_account_is_reported_under_email(cast: Cast) -> None:
    enrolled = {**student_input(cast), "email": cast.other_student.user.email}
    assert "email" in post(cast.program_admin, "student", enrolled).data
    tutoring = {**tutor_input(cast), "email": cast.tutor.user.email}
    response = post(cast.program_admin, "tutor", tutoring)
    assert response.status_code == 400
    assert "email" in response.data


# ---- Partner responsibilities ---------------------------------------------------------------


def test_responsibilities_are_replaced_by_patch_or_action(cast: Cast) -> None:
    partner_id = post(cast.program_admin, "program-partner", partner_input(cast)).data["id"]
    api = api_for(cast.program_admin)
    detail = reverse("api:program-partner-detail", args=[partner_id])
    patched = api.patch(detail, {"responsibilities": ["funding"]}, format="json")
    assert patched.status_code == 200, patched.data
    assert patched.data["responsibilities"] == ["funding"]
    action = reverse("api:program-partner-responsibilities", args=[partner_id])
    posted = api.post(action, {"responsibilities": ["teaching", "funding"]}, format="json")
    assert sorted(posted.data["responsibilities"]) == ["funding", "teaching"]
    bad = api.post(action, {"responsibilities": ["juggling"]}, format="json")
    assert bad.status_code == 400
    assert "responsibilities" in bad.data
    assert sorted(
        m.PartnerResponsibility.objects.filter(partner_id=partner_id).values_list(
            "responsibility", flat=True
        )
    ) == ["funding", "teaching"]


def test_a_coordinator_cannot_change_responsibilities(cast: Cast) -> None:
    partner_id = post(cast.program_admin, "program-partner", partner_input(cast)).data["id"]
    action = reverse("api:program-partner-responsibilities", args=[partner_id])
    response = api_for(cast.coordinator).post(action, {"responsibilities": []}, format="json")
    assert response.status_code == 404  # another hospital's partnership: hidden
    assert m.PartnerResponsibility.objects.filter(partner_id=partner_id).count() == 2


# ---- Organisation status --------------------------------------------------------------------


def test_the_portal_administrator_changes_a_status_and_it_is_recorded(
    cast: Cast, admin: User
) -> None:
    url = reverse("api:organization-status", args=[cast.hospital.pk])
    response = api_for(admin).post(
        url, {"to_status": "probation", "reason": "Late reports"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["status"] == "probation"
    change = m.OrganizationStatusChange.objects.filter(organization=cast.hospital).latest("pk")
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "active",
        "probation",
        "Late reports",
        admin,
    )


@pytest.mark.parametrize("role", ["program_admin", *REFUSED])
def test_only_portal_administrators_change_a_status(cast: Cast, outsider: User, role: str) -> None:
    url = reverse("api:organization-status", args=[cast.hospital.pk])
    response = api_for(who(cast, role, outsider)).post(
        url, {"to_status": "suspended", "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    cast.hospital.refresh_from_db()
    assert cast.hospital.status == "active"


def test_a_status_change_needs_a_new_status_and_a_reason(cast: Cast, admin: User) -> None:
    url = reverse("api:organization-status", args=[cast.hospital.pk])
    same = api_for(admin).post(url, {"to_status": "active", "reason": "x"}, format="json")
    assert same.status_code == 400
    assert "to_status" in same.data
    blank = api_for(admin).post(url, {"to_status": "exited", "reason": ""}, format="json")
    assert blank.status_code == 400
    assert "reason" in blank.data
    assert not m.OrganizationStatusChange.objects.filter(organization=cast.hospital).exists()


# ---- Tutor assignment -----------------------------------------------------------------------


def assign(user: User, student: m.Student, **data: Any) -> Any:
    url = reverse("api:student-assign-tutor", args=[student.pk])
    return api_for(user).post(url, data, format="json")


def test_a_tutor_at_capacity_takes_one_more_only_with_a_reason(cast: Cast) -> None:
    newcomer = StudentFactory(program=cast.program)
    full = TutorFactory(organization=cast.program.lead_university, capacity=1)
    assert (
        assign(
            cast.program_admin, cast.other_student, tutor=full.pk, role="academic", replace=True
        ).status_code
        == 201
    )
    refused = assign(cast.program_admin, newcomer, tutor=full.pk, role="academic")
    assert refused.status_code == 400
    assert "over_capacity_reason" in refused.data
    assert not m.TutorAssignment.objects.filter(student=newcomer).exists()
    accepted = assign(
        cast.program_admin,
        newcomer,
        tutor=full.pk,
        role="academic",
        over_capacity_reason="Only CT specialist",
    )
    assert accepted.status_code == 201, accepted.data
    assert [a["tutor"] for a in accepted.data["tutors"]] == [full.pk]
    assignment = m.TutorAssignment.objects.get(student=newcomer)
    assert assignment.over_capacity_reason == "Only CT specialist"


def test_a_second_academic_tutor_needs_replace(cast: Cast) -> None:
    response = assign(cast.program_admin, cast.student, tutor=cast.other_tutor.pk, role="academic")
    assert response.status_code == 400
    assert "tutor" in response.data


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_cannot_assign_tutors(cast: Cast, outsider: User, role: str) -> None:
    before = m.TutorAssignment.objects.count()
    response = assign(
        who(cast, role, outsider),
        cast.student,
        tutor=cast.other_tutor.pk,
        role="academic",
        replace=True,
    )
    # The outsider does not see the student (404); the others see it, and may not (403).
    assert response.status_code == (404 if role == "outsider" else 403)
    assert m.TutorAssignment.objects.count() == before


def test_the_new_organisation_is_usable_as_a_host_once_a_partner(cast: Cast) -> None:
    host = OrganizationFactory()
    partner(cast, host)
    data = {**placement_input(cast), "host": host.pk, "practice_tutor": None}
    assert post(cast.program_admin, "placement", data).status_code == 201
