"""Partner subjects and the making of a program, told through the cast."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import UniqueConstraint

from accounts.models import RoleMembership, User
from accounts.roles import Role
from programs import models as m
from programs.partners.services import partners as s
from programs.scopes import administers
from tests.cast import Cast
from tests.factories import UserFactory
from tests.files import pdf_bytes
from training_portal.core.validation import MAX_UPLOAD_BYTES

from .factories import CourseFactory, OrganizationFactory, ProgramFactory, UniversityFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 1)


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def pdf(name: str = "agreement.pdf", size: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(size=size), content_type="application/pdf")


# ---- Organisations -------------------------------------------------------------------------


def test_a_program_administrator_registers_an_organisation_that_starts_active(
    cast: Cast,
) -> None:
    org = s.create_organization(
        user=cast.program_admin, name="Imaging Devices Ltd", kind="enterprise", city="Suzhou"
    )
    assert org.status == m.Organization.Status.ACTIVE
    (start,) = org.status_changes.all()
    assert (start.from_status, start.to_status, start.changed_by) == (
        "",
        "active",
        cast.program_admin,
    )
    assert start.reason


@pytest.mark.parametrize("who", ["coordinator", "tutor", "outsider"])
def test_only_administrators_register_organisations(who: str, cast: Cast, outsider: User) -> None:
    user = {"coordinator": cast.coordinator, "tutor": cast.tutor.user, "outsider": outsider}[who]
    with pytest.raises(PermissionDenied):
        s.create_organization(user=user, name="Nope", kind="hospital")
    assert not m.Organization.objects.filter(name="Nope").exists()


def test_two_organisations_cannot_share_a_name(cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.create_organization(user=cast.program_admin, name="First Hospital", kind="hospital")
    assert list(errors_of(excinfo)) == ["name"]


def test_an_organisation_needs_a_known_kind_and_cannot_choose_its_first_status(
    cast: Cast,
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.create_organization(user=cast.program_admin, name="X", kind="bank")
    assert list(errors_of(excinfo)) == ["kind"]
    with pytest.raises(ValidationError) as excinfo:
        s.create_organization(user=cast.program_admin, name="X", kind="hospital", status="exited")
    assert list(errors_of(excinfo)) == ["status"]


def test_the_portal_administrator_puts_an_organisation_on_probation_and_history_says_why(
    cast: Cast, admin: User
) -> None:
    change = s.change_organization_status(
        user=admin, organization=cast.hospital, to_status="probation", reason="  Late reports. "
    )
    cast.hospital.refresh_from_db()
    assert cast.hospital.status == "probation"
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "active",
        "probation",
        "Late reports.",
        admin,
    )
    assert change.changed_at is not None
    s.change_organization_status(
        user=admin, organization=cast.hospital, to_status="active", reason="Reports arrived."
    )
    history = list(cast.hospital.status_changes.values_list("from_status", "to_status"))
    assert history == [("probation", "active"), ("active", "probation")]


@pytest.mark.parametrize("who", ["program_admin", "coordinator"])
def test_only_the_portal_administrator_changes_an_organisations_status(
    who: str, cast: Cast
) -> None:
    user = {"program_admin": cast.program_admin, "coordinator": cast.coordinator}[who]
    with pytest.raises(PermissionDenied):
        s.change_organization_status(
            user=user, organization=cast.hospital, to_status="suspended", reason="Because."
        )
    assert not cast.hospital.status_changes.exists()


@pytest.mark.parametrize(
    ("to_status", "reason", "fields"),
    [
        ("suspended", "   ", ["reason"]),
        ("active", "No change really.", ["to_status"]),
        ("dissolved", "Unknown status.", ["to_status"]),
        ("active", "", ["to_status", "reason"]),
    ],
    ids=["a_reason_is_required", "the_status_must_change", "the_status_must_exist", "both"],
)
def test_a_status_change_is_refused_when(
    to_status: str, reason: str, fields: list[str], cast: Cast, admin: User
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.change_organization_status(
            user=admin, organization=cast.hospital, to_status=to_status, reason=reason
        )
    assert sorted(errors_of(excinfo)) == sorted(fields)
    assert not cast.hospital.status_changes.exists()


# ---- Programs ------------------------------------------------------------------------------


def program_fields(lead: m.Organization, **extra: Any) -> dict[str, Any]:
    return {
        "code": "MIT-NEW",
        "title": "Medical Imaging Engineering",
        "discipline": "Medical imaging",
        "degree_type": "academic",
        "lead_university": lead,
        "start_date": dt.date(2026, 9, 1),
        **extra,
    }


def test_a_program_administrator_creates_a_program_and_administers_it_at_once(
    cast: Cast,
) -> None:
    user = cast.program_admin
    assert administers(user, cast.program)  # roles read (and cached) before
    program = s.create_program(user=user, **program_fields(cast.program.lead_university))
    membership = RoleMembership.objects.get(
        user=user,
        role=Role.PROGRAM_ADMIN,
        scope_type=ContentType.objects.get_for_model(m.Program),
        scope_id=program.pk,
    )
    assert membership.granted_by == user
    assert administers(user, program)
    assert program.status == m.Program.Status.DRAFT


def test_a_portal_administrators_program_needs_no_membership(admin: User) -> None:
    program = s.create_program(user=admin, **program_fields(UniversityFactory()))
    assert not RoleMembership.objects.filter(scope_id=program.pk, role=Role.PROGRAM_ADMIN).exists()


@pytest.mark.parametrize("who", ["coordinator", "student", "outsider"])
def test_only_administrators_create_programs(who: str, cast: Cast, outsider: User) -> None:
    user = {"coordinator": cast.coordinator, "student": cast.student.user, "outsider": outsider}[
        who
    ]
    with pytest.raises(PermissionDenied):
        s.create_program(user=user, **program_fields(cast.program.lead_university))


def test_a_program_is_led_by_a_university(admin: User, cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.create_program(user=admin, **program_fields(cast.hospital))
    assert list(errors_of(excinfo)) == ["lead_university"]


def test_a_program_has_a_unique_code_and_ends_after_it_starts(admin: User, cast: Cast) -> None:
    fields = program_fields(
        cast.program.lead_university, code=cast.program.code, end_date=dt.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        s.create_program(user=admin, **fields)
    assert sorted(errors_of(excinfo)) == ["code", "end_date"]


# ---- Partners ------------------------------------------------------------------------------


def test_a_program_administrator_adds_a_partner_with_responsibilities_and_agreement(
    cast: Cast,
) -> None:
    partner = s.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=cast.hospital,
        agreement_start=START,
        agreement_end=dt.date(2028, 12, 31),
        places_offered=4,
        responsibilities=["clinical_practice", "tutor_supervision", "clinical_practice"],
        agreement_file=pdf(),
    )
    assert sorted(partner.responsibilities.values_list("responsibility", flat=True)) == [
        "clinical_practice",
        "tutor_supervision",
    ]
    assert partner.agreement_file.name.endswith("agreement.pdf")
    assert partner.places_offered == 4


def test_an_organisation_is_a_partner_of_a_program_once(cast: Cast) -> None:
    s.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=cast.hospital,
        agreement_start=START,
    )
    with pytest.raises(ValidationError) as excinfo:
        s.add_partner(
            user=cast.program_admin,
            program=cast.program,
            organization=cast.hospital,
            agreement_start=START,
        )
    assert errors_of(excinfo) == {
        "organization": ["This organisation is already a partner of the program."]
    }


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"responsibilities": ["teaching", "catering"]}, "responsibilities"),
        ({"agreement_end": dt.date(2025, 12, 31)}, "agreement_end"),
        ({"agreement_file": pdf("agreement.docx")}, "agreement_file"),
        (
            {"agreement_file": SimpleUploadedFile("fake.pdf", b"PK\x03\x04 a zip")},
            "agreement_file",
        ),
        ({"agreement_file": pdf(size=10 * 1024 * 1024 + 1)}, "agreement_file"),
    ],
    ids=[
        "responsibilities_come_from_the_catalogue",
        "an_agreement_ends_after_it_starts",
        "an_agreement_is_a_pdf_by_name",
        "an_agreement_is_a_pdf_by_content",
        "an_agreement_is_at_most_10_mb",
    ],
)
def test_a_partner_is_refused_when(extra: dict[str, Any], field: str, cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.add_partner(
            user=cast.program_admin,
            program=cast.program,
            organization=cast.hospital,
            agreement_start=START,
            **extra,
        )
    assert list(errors_of(excinfo)) == [field]
    assert not m.ProgramPartner.objects.exists()


def test_a_10_mb_agreement_is_just_accepted(cast: Cast) -> None:
    upload = pdf(size=10 * 1024 * 1024)
    assert upload.size == MAX_UPLOAD_BYTES
    partner = s.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=cast.hospital,
        agreement_start=START,
        agreement_file=upload,
    )
    assert partner.agreement_file


@pytest.mark.parametrize("who", ["coordinator", "other_programs_admin"])
def test_only_the_programs_administrators_add_partners(who: str, cast: Cast) -> None:
    if who == "coordinator":
        user = cast.coordinator
    else:
        user = UserFactory()
        RoleMembership.objects.create(
            user=user,
            role=Role.PROGRAM_ADMIN,
            scope_type=ContentType.objects.get_for_model(m.Program),
            scope_id=ProgramFactory().pk,
        )
    with pytest.raises(PermissionDenied):
        s.add_partner(
            user=user, program=cast.program, organization=cast.hospital, agreement_start=START
        )


def test_updating_responsibilities_replaces_the_set(cast: Cast) -> None:
    partner = s.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=cast.hospital,
        agreement_start=START,
        responsibilities=["teaching", "funding"],
    )
    result = s.update_partner_responsibilities(
        user=cast.program_admin,
        partner=partner,
        responsibilities=["clinical_practice", "teaching"],
    )
    assert result == ["clinical_practice", "teaching"]
    held = sorted(partner.responsibilities.values_list("responsibility", flat=True))
    assert held == ["clinical_practice", "teaching"]


def test_updating_responsibilities_is_refused_outside_the_catalogue_and_to_others(
    cast: Cast,
) -> None:
    partner = s.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=cast.hospital,
        agreement_start=START,
        responsibilities=["teaching"],
    )
    with pytest.raises(ValidationError) as excinfo:
        s.update_partner_responsibilities(
            user=cast.program_admin, partner=partner, responsibilities=["marketing"]
        )
    assert list(errors_of(excinfo)) == ["responsibilities"]
    with pytest.raises(PermissionDenied):
        s.update_partner_responsibilities(
            user=cast.coordinator, partner=partner, responsibilities=["funding"]
        )
    assert list(partner.responsibilities.values_list("responsibility", flat=True)) == ["teaching"]


def test_a_duplicate_that_slips_past_validation_still_reads_as_a_field_error(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two administrators adding the same partner at once: the database has the last word."""
    s.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=cast.hospital,
        agreement_start=START,
    )
    monkeypatch.setattr(UniqueConstraint, "validate", lambda *args, **kwargs: None)
    with pytest.raises(ValidationError) as excinfo:
        s.add_partner(
            user=cast.program_admin,
            program=cast.program,
            organization=cast.hospital,
            agreement_start=START,
        )
    assert list(errors_of(excinfo)) == ["organization"]
    assert m.ProgramPartner.objects.count() == 1


# ---- The four elements ---------------------------------------------------------------------


def test_objectives_and_stages_are_numbered_in_the_order_they_are_added(cast: Cast) -> None:
    user, program = cast.program_admin, cast.program
    first = s.add_objective(user=user, program=program, title="Read CT", description="90% correct")
    second = s.add_objective(user=user, program=program, title="Lead", description="One project")
    assert (first.order, second.order) == (1, 2)
    stage = s.add_stage(
        user=user, program=program, kind="coursework", title="Courses", expected_months=6
    )
    assert stage.order == 1


def test_two_objectives_or_stages_cannot_share_a_position(cast: Cast) -> None:
    user, program = cast.program_admin, cast.program
    s.add_objective(user=user, program=program, title="A", description="a", order=1)
    with pytest.raises(ValidationError) as excinfo:
        s.add_objective(user=user, program=program, title="B", description="b", order=1)
    assert errors_of(excinfo) == {"order": ["Another objective of this program has this position."]}
    s.add_stage(user=user, program=program, kind="coursework", title="A", expected_months=6)
    with pytest.raises(ValidationError) as excinfo:
        s.add_stage(
            user=user, program=program, kind="defence", title="B", expected_months=1, order=1
        )
    assert list(errors_of(excinfo)) == ["order"]


def test_a_stage_lasts_at_least_a_month(cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.add_stage(
            user=cast.program_admin,
            program=cast.program,
            kind="coursework",
            title="Nothing",
            expected_months=0,
        )
    assert list(errors_of(excinfo)) == ["expected_months"]


def test_milestone_templates_have_unique_titles_and_stages_of_their_own_program(
    cast: Cast,
) -> None:
    user, program = cast.program_admin, cast.program
    stage = s.add_stage(user=user, program=program, kind="defence", title="D", expected_months=1)
    template = s.add_milestone_template(
        user=user,
        program=program,
        kind="defence",
        title="Defence",
        due_offset_days=900,
        stage=stage,
    )
    assert template.stage == stage
    with pytest.raises(ValidationError) as excinfo:
        s.add_milestone_template(
            user=user, program=program, kind="defence", title="Defence", due_offset_days=950
        )
    assert errors_of(excinfo) == {
        "title": ["This program already has a milestone with this title."]
    }
    foreign = m.Stage.objects.create(
        program=ProgramFactory(), order=1, kind="defence", title="X", expected_months=1
    )
    with pytest.raises(ValidationError) as excinfo:
        s.add_milestone_template(
            user=user, program=program, kind="other", title="Y", due_offset_days=9, stage=foreign
        )
    assert list(errors_of(excinfo)) == ["stage"]


def test_a_course_joins_the_curriculum_once_in_a_real_semester(cast: Cast) -> None:
    user, program = cast.program_admin, cast.program
    course = CourseFactory(credits=Decimal("3.0"))
    entry = s.add_course_to_curriculum(
        user=user, program=program, course=course, requirement="required", semester=1
    )
    assert entry.course == course
    with pytest.raises(ValidationError) as excinfo:
        s.add_course_to_curriculum(
            user=user, program=program, course=course, requirement="elective", semester=2
        )
    assert errors_of(excinfo) == {"course": ["This course is already in the program's curriculum."]}
    with pytest.raises(ValidationError) as excinfo:
        s.add_course_to_curriculum(
            user=user, program=program, course=CourseFactory(), requirement="required", semester=13
        )
    assert list(errors_of(excinfo)) == ["semester"]


@pytest.mark.parametrize("who", ["coordinator", "tutor", "student"])
def test_only_administrators_shape_the_four_elements(who: str, cast: Cast) -> None:
    user = {
        "coordinator": cast.coordinator,
        "tutor": cast.tutor.user,
        "student": cast.student.user,
    }[who]
    program = cast.program
    calls = [
        lambda: s.add_objective(user=user, program=program, title="A", description="a"),
        lambda: s.add_stage(
            user=user, program=program, kind="coursework", title="A", expected_months=1
        ),
        lambda: s.add_milestone_template(
            user=user, program=program, kind="other", title="A", due_offset_days=1
        ),
        lambda: s.add_course_to_curriculum(
            user=user, program=program, course=CourseFactory(), requirement="required", semester=1
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()


def test_errors_without_a_field_of_their_own_are_reported_for_the_whole_form(cast: Cast) -> None:
    organization = OrganizationFactory()
    with pytest.raises(ValidationError) as excinfo:
        s.validated_save(
            m.ProgramPartner(
                program=cast.program,
                organization=organization,
                agreement_start=START,
                agreement_end=dt.date(2025, 1, 1),
            )
        )
    assert list(errors_of(excinfo)) == [NON_FIELD_ERRORS]
