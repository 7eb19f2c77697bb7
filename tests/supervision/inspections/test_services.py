"""The inspection services and predicates, for every role of the inspections cast: who sees
and may do what, the validation of bad input (errors, never crashes), the state machine, the
right of reply, notifications, and the secrecy of unannounced inspections before they start.

The cast is in `conftest.py`: Ingrid (`inspector`) writes every report, Leo (`lead_inspector`)
is a lead inspector on most teams, Una (`unassigned_inspector`) has no assignment; Petra
(`program_admin`) is the inspected side of program inspections, Cora (`coordinator`) of the
inspections of her hospital.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from programs.models import ProgramPartner
from supervision.inspections import permissions as p
from supervision.inspections import services
from supervision.inspections.tasks import reveal_started_inspections
from supervision.models import (
    ChecklistTemplate,
    ConflictOfInterest,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionType,
    InspectorProfile,
    ReplyComment,
    ReportSection,
)
from tests.cast import Cast
from tests.factories import UserFactory
from tests.files import FAKE_PDF, docx_bytes, image_bytes, pdf_bytes, xlsx_bytes, zip_bytes
from tests.programs.factories import StudentFactory
from training_portal.core.models import Notification

from .conftest import INSPECTION_ROLES

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
Status = Inspection.Status
ALL_ROLES = [*INSPECTION_ROLES, "anonymous"]


@pytest.fixture
def roles(inspection_people: dict[str, Any]) -> dict[str, Any]:
    return {**inspection_people, "anonymous": AnonymousUser()}


def titles(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, Any]:
    return excinfo.value.message_dict


def schedule(admin: User, cast: Cast, inspector: User, **fields: Any) -> Inspection:
    values: dict[str, Any] = {
        "by": admin,
        "title": "Planned inspection",
        "inspection_type": InspectionType.ROUTINE,
        "program": cast.program,
        "unannounced": False,
        "starts_at": timezone.now() + dt.timedelta(days=7),
        "ends_on": TODAY + dt.timedelta(days=9),
        "inspectors": [inspector],
        "author": inspector,
    }
    values.update(fields)
    if "organization" in fields and "program" not in fields:
        values["program"] = None
    return services.schedule_inspection(**values)


# ---- Who sees what ---------------------------------------------------------------------------

VISIBLE = {
    "inspection": {"admin", "program_admin", "inspector", "lead_inspector"},
    "org_inspection": {"admin", "coordinator", "inspector", "lead_inspector"},
    "unannounced_inspection": {"admin", "inspector"},
    "reply_inspection": {"admin", "coordinator", "inspector", "lead_inspector"},
    "published_inspection": {"admin", "program_admin", "inspector", "lead_inspector"},
}


@pytest.mark.parametrize("which", list(VISIBLE))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_sees_exactly_the_inspections_it_should(
    request: pytest.FixtureRequest, roles: dict[str, Any], which: str, role: str
) -> None:
    inspection = request.getfixturevalue(which)
    visible = Inspection.objects.visible_to(roles[role]).filter(pk=inspection.pk).exists()
    assert visible is (role in VISIBLE[which])


PREDICATES: dict[str, tuple[Callable[[Any, Any], bool], dict[str, set[str]]]] = {
    "is_team_member": (
        p.is_team_member,
        {
            "inspection": {"inspector", "lead_inspector"},
            "unannounced_inspection": {"inspector"},
            "reply_inspection": {"inspector", "lead_inspector"},
        },
    ),
    "is_author": (
        p.is_author,
        {"inspection": {"inspector"}, "unannounced_inspection": {"inspector"}},
    ),
    "can_conduct": (
        p.can_conduct,
        {
            "inspection": {"inspector", "lead_inspector"},
            "unannounced_inspection": set(),  # planned: not started yet
            "reply_inspection": set(),  # the visit is over
        },
    ),
    "can_write_report": (
        p.can_write_report,
        {
            "inspection": {"inspector", "lead_inspector"},
            "reply_inspection": {"inspector", "lead_inspector"},
            "published_inspection": set(),
        },
    ),
    "is_inspected_side": (
        p.is_inspected_side,
        {
            "inspection": {"program_admin"},
            "org_inspection": {"coordinator"},
            "unannounced_inspection": set(),  # Cora's hospital, but not started
            "reply_inspection": {"coordinator"},
        },
    ),
    "can_reply": (
        p.can_reply,
        {"inspection": set(), "reply_inspection": {"coordinator"}},
    ),
    "can_open_reply_window": (
        p.can_open_reply_window,
        {"inspection": {"inspector"}, "reply_inspection": set()},
    ),
    "can_cancel": (
        p.can_cancel,
        {"inspection": {"admin"}, "published_inspection": set()},
    ),
    "can_start_correction": (
        p.can_start_correction,
        {"published_inspection": {"admin", "inspector"}, "inspection": set()},
    ),
}


@pytest.mark.parametrize(
    ("predicate", "which"),
    [(name, which) for name, (_f, cases) in PREDICATES.items() for which in cases],
)
def test_each_predicate_allows_exactly_the_roles_it_should(
    request: pytest.FixtureRequest, roles: dict[str, Any], predicate: str, which: str
) -> None:
    function, cases = PREDICATES[predicate]
    inspection = request.getfixturevalue(which)
    allowed = {role for role in ALL_ROLES if function(roles[role], inspection)}
    assert allowed == cases[which]


def test_only_portal_administrators_manage_inspections(roles: dict[str, Any]) -> None:
    assert {r for r in ALL_ROLES if p.can_manage_inspections(roles[r])} == {"admin"}


def test_inspectors_are_those_with_a_profile(roles: dict[str, Any]) -> None:
    assert {r for r in ALL_ROLES if p.is_inspector(roles[r])} == {
        "inspector",
        "lead_inspector",
        "unassigned_inspector",
    }


def test_the_menu_shows_for_the_inspected_side_only_once_they_see_an_inspection(
    roles: dict[str, Any], unannounced_inspection: Inspection
) -> None:
    shown = {r for r in ALL_ROLES if p.sees_inspections(roles[r])}
    assert shown == {"admin", "inspector", "lead_inspector", "unassigned_inspector"}
    Inspection.objects.filter(pk=unannounced_inspection.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert p.sees_inspections(roles["coordinator"])


def test_a_revoked_assignment_ends_access_on_the_next_request(
    admin: User, inspector: User, inspection: Inspection
) -> None:
    assignment = InspectionAssignment.objects.get(inspector=inspector, program=inspection.program)
    assert p.can_conduct(inspector, inspection)
    services.revoke_assignment(by=admin, assignment=assignment)
    assert not p.is_team_member(inspector, inspection)
    assert not Inspection.objects.visible_to(inspector).filter(pk=inspection.pk).exists()
    with pytest.raises(PermissionDenied):
        services.add_observation(by=inspector, inspection=inspection, text="Seen.")


def test_an_expired_assignment_ends_access(inspector: User, inspection: Inspection) -> None:
    InspectionAssignment.objects.filter(inspector=inspector).update(
        valid_until=TODAY - dt.timedelta(days=1)
    )
    assert not p.is_team_member(inspector, inspection)
    assert not Inspection.objects.visible_to(inspector).exists()


def test_an_assignment_that_has_not_begun_gives_no_access(
    inspector: User, inspection: Inspection
) -> None:
    InspectionAssignment.objects.filter(inspector=inspector).update(
        valid_from=TODAY + dt.timedelta(days=1), valid_until=TODAY + dt.timedelta(days=9)
    )
    assert not p.is_team_member(inspector, inspection)


def test_inspected_side_users_are_the_coordinators_or_program_administrators(
    cast: Cast, inspection: Inspection, org_inspection: Inspection
) -> None:
    assert list(p.inspected_side_users(inspection)) == [cast.program_admin]
    assert list(p.inspected_side_users(org_inspection)) == [cast.coordinator]


def test_conflicts_are_declared_by_the_inspector_themself_or_an_administrator(
    roles: dict[str, Any], inspector: User
) -> None:
    allowed = {r for r in ALL_ROLES if p.can_declare_conflict(roles[r], inspector)}
    assert allowed == {"admin", "inspector"}


# ---- Assignments, conflicts, templates -------------------------------------------------------


def test_an_administrator_assigns_an_inspector_to_a_program(
    admin: User, cast: Cast, unassigned_inspector: User
) -> None:
    assignment = services.create_assignment(
        by=admin,
        inspector=unassigned_inspector,
        program=cast.program,
        valid_from=TODAY,
        valid_until=TODAY + dt.timedelta(days=30),
    )
    assert assignment.created_by == admin
    assert InspectionAssignment.objects.visible_to(unassigned_inspector).get() == assignment


@pytest.mark.parametrize("role", ["program_admin", "coordinator", "inspector", "outsider"])
def test_nobody_else_assigns_inspectors(
    roles: dict[str, Any], cast: Cast, unassigned_inspector: User, role: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.create_assignment(
            by=roles[role],
            inspector=unassigned_inspector,
            program=cast.program,
            valid_from=TODAY,
            valid_until=TODAY,
        )


def test_an_assignment_needs_one_target_an_inspector_and_a_period(
    admin: User, cast: Cast, outsider: User
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.create_assignment(
            by=admin,
            inspector=outsider,
            program=cast.program,
            organization=cast.hospital,
            valid_from=TODAY,
            valid_until=TODAY - dt.timedelta(days=1),
        )
    assert set(errors_of(excinfo)) == {"inspector", NON_FIELD_ERRORS, "valid_until"}


def test_an_inspector_is_never_assigned_to_an_organisation_they_conflict_with(
    admin: User, cast: Cast, unassigned_inspector: User
) -> None:
    services.declare_conflict(
        by=unassigned_inspector,
        inspector=unassigned_inspector,
        organization=cast.hospital,
        kind=ConflictOfInterest.Kind.FAMILY,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.create_assignment(
            by=admin,
            inspector=unassigned_inspector,
            organization=cast.hospital,
            valid_from=TODAY,
            valid_until=TODAY,
        )
    assert "conflict of interest" in errors_of(excinfo)["inspector"][0]


def test_an_affiliation_is_a_conflict_too(
    admin: User, cast: Cast, unassigned_inspector: User
) -> None:
    InspectorProfile.objects.filter(user=unassigned_inspector).update(
        affiliation=cast.program.lead_university
    )
    with pytest.raises(ValidationError):
        services.create_assignment(
            by=admin,
            inspector=unassigned_inspector,
            program=cast.program,
            valid_from=TODAY,
            valid_until=TODAY,
        )


def test_revoking_twice_is_refused(admin: User, inspector: User) -> None:
    assignment = InspectionAssignment.objects.filter(inspector=inspector).first()
    assert assignment is not None
    services.revoke_assignment(by=admin, assignment=assignment)
    with pytest.raises(ValidationError):
        services.revoke_assignment(by=admin, assignment=assignment)


def test_a_conflict_is_declared_once_with_a_known_kind(
    cast: Cast, inspector: User, lead_inspector: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.declare_conflict(
            by=lead_inspector, inspector=inspector, organization=cast.hospital, kind="member"
        )
    with pytest.raises(ValidationError) as excinfo:
        services.declare_conflict(
            by=inspector, inspector=inspector, organization=cast.hospital, kind="enemy"
        )
    assert "kind" in errors_of(excinfo)
    services.declare_conflict(
        by=inspector, inspector=inspector, organization=cast.hospital, kind="member"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.declare_conflict(
            by=inspector, inspector=inspector, organization=cast.hospital, kind="member"
        )
    assert "organization" in errors_of(excinfo)


def test_saving_a_template_replaces_its_questions_not_the_copies(
    admin: User, inspection: Inspection, checklist_templates: dict[str, ChecklistTemplate]
) -> None:
    copied = inspection.checklist.count()
    template = services.save_checklist_template(
        by=admin,
        inspection_type=InspectionType.ROUTINE,
        title="New routine",
        items=[{"section": "A", "text": "Only question?", "guidance": ""}],
    )
    assert template == checklist_templates[InspectionType.ROUTINE]
    assert list(template.items.values_list("text", flat=True)) == ["Only question?"]
    assert inspection.checklist.count() == copied


def test_a_template_needs_valid_questions(admin: User, inspector: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.save_checklist_template(
            by=admin, inspection_type="nonsense", title="", items=[{"section": "", "text": "x"}]
        )
    assert set(errors_of(excinfo)) == {"inspection_type", "title", "items"}
    with pytest.raises(ValidationError):
        services.save_checklist_template(by=admin, inspection_type="routine", title="T", items=[])
    with pytest.raises(PermissionDenied):
        services.save_checklist_template(
            by=inspector, inspection_type="routine", title="T", items=[]
        )


# ---- Scheduling ------------------------------------------------------------------------------


def test_scheduling_builds_the_team_checklist_sample_and_assignments(
    admin: User,
    cast: Cast,
    unassigned_inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> None:
    inspection = schedule(
        admin,
        cast,
        unassigned_inspector,
        inspectors=[unassigned_inspector, lead_inspector],
        sample_student_ids=[cast.other_student.pk],
    )
    assert inspection.status == Status.PLANNED
    assert inspection.team.get(is_author=True).inspector == unassigned_inspector
    assert inspection.checklist.count() == 3
    assert list(inspection.sample.values_list("student", flat=True)) == [cast.other_student.pk]
    # Una had no assignment: one was made to cover the inspection and its report.
    made = InspectionAssignment.objects.get(inspector=unassigned_inspector)
    assert made.program == cast.program
    assert made.valid_until == inspection.ends_on + dt.timedelta(
        days=services.ASSIGNMENT_GRACE_DAYS
    )
    assert p.is_team_member(unassigned_inspector, inspection)
    # Leo's assignment already covered it.
    assert InspectionAssignment.objects.filter(inspector=lead_inspector).count() == 2


def test_a_random_sample_takes_active_students_of_the_target(
    admin: User, cast: Cast, inspector: User
) -> None:
    StudentFactory(program=cast.program, status="withdrawn")
    inspection = schedule(admin, cast, inspector, sample_size=10)
    sampled = set(inspection.sample.values_list("student", flat=True))
    assert sampled == {cast.student.pk, cast.other_student.pk}


def test_an_organisation_sample_is_of_the_students_placed_there(
    admin: User, cast: Cast, inspector: User
) -> None:
    inspection = schedule(admin, cast, inspector, organization=cast.hospital, sample_size=5)
    assert list(inspection.sample.values_list("student", flat=True)) == [cast.student.pk]


def test_scheduling_rejects_bad_input_with_readable_errors(
    admin: User, cast: Cast, inspector: User, outsider: User
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        schedule(
            admin,
            cast,
            inspector,
            title=" ",
            inspection_type="audit",
            starts_at=timezone.now() + dt.timedelta(days=7),
            ends_on=TODAY,
            inspectors=[inspector, outsider],
            author=outsider,
            reply_days=0,
            sample_student_ids=[cast.student.pk, 999_999],
        )
    assert set(errors_of(excinfo)) == {
        "title",
        "inspection_type",
        "ends_on",
        "inspectors",
        "reply_days",
        "sample_student_ids",
    }
    assert "Oscar Outsider is not an inspector." in errors_of(excinfo)["inspectors"]


def test_scheduling_needs_one_target_and_a_team_with_its_author(
    admin: User, cast: Cast, inspector: User, lead_inspector: User
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        schedule(admin, cast, inspector, organization=cast.hospital, program=cast.program)
    assert NON_FIELD_ERRORS in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        schedule(admin, cast, inspector, inspectors=[], author=inspector)
    assert "inspectors" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        schedule(admin, cast, inspector, inspectors=[lead_inspector], author=inspector)
    assert "author" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        schedule(admin, cast, inspector, starts_at=dt.datetime(2030, 1, 1))
    assert "starts_at" in errors_of(excinfo)


def test_a_conflicted_inspector_or_one_of_the_inspected_side_cannot_be_on_the_team(
    admin: User, cast: Cast, inspector: User
) -> None:
    ConflictOfInterest.objects.create(
        inspector=inspector, organization=cast.hospital, kind="member"
    )
    with pytest.raises(ValidationError) as excinfo:
        schedule(admin, cast, inspector, organization=cast.hospital)
    assert "conflict of interest" in errors_of(excinfo)["inspectors"][0]
    InspectorProfile.objects.create(user=cast.program_admin)
    with pytest.raises(ValidationError):
        schedule(admin, cast, cast.program_admin, inspectors=[cast.program_admin, inspector])


@pytest.mark.parametrize("role", ["program_admin", "coordinator", "inspector", "student"])
def test_only_administrators_schedule(
    roles: dict[str, Any], cast: Cast, inspector: User, role: str
) -> None:
    with pytest.raises(PermissionDenied):
        schedule(roles[role], cast, inspector)


def test_an_announced_inspection_is_announced_to_the_team_and_the_inspected_side(
    admin: User,
    cast: Cast,
    inspector: User,
    celery_eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        schedule(admin, cast, inspector, organization=cast.hospital)
    assert titles(inspector) == ["You are on the team of an inspection of First Hospital"]
    assert titles(cast.coordinator) == ["An inspection of First Hospital is scheduled"]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "cora@example.org",
        "ingrid@example.org",
    ]


def test_an_unannounced_inspection_reaches_nobody_on_the_inspected_side_until_it_starts(
    admin: User,
    cast: Cast,
    inspector: User,
    celery_eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        inspection = schedule(admin, cast, inspector, organization=cast.hospital, unannounced=True)
    inspected = [cast.coordinator, cast.program_admin, cast.practice_tutor.user, cast.student.user]
    for person in inspected:
        assert titles(person) == []
        assert not Inspection.objects.visible_to(person).exists()
        assert not p.sees_inspections(person)
    assert [message.to for message in mail.outbox] == [["ingrid@example.org"]]
    assert "unannounced" in mail.outbox[0].body
    # Nothing is revealed by the periodic task before the start either.
    assert reveal_started_inspections() == 0
    with pytest.raises(ValidationError) as excinfo:
        services.start_inspection(by=inspector, inspection=inspection)
    assert "starts_at" in errors_of(excinfo)
    assert titles(cast.coordinator) == []


def test_once_started_the_inspected_side_is_told_once(
    cast: Cast,
    unannounced_inspection: Inspection,
    celery_eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Inspection.objects.filter(pk=unannounced_inspection.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reveal_started_inspections() == 1
        assert reveal_started_inspections() == 0
    assert titles(cast.coordinator) == ["An inspection of First Hospital has started"]
    assert [message.to for message in mail.outbox] == [["cora@example.org"]]
    assert Inspection.objects.visible_to(cast.coordinator).get() == unannounced_inspection


def test_a_cancelled_unannounced_inspection_is_never_revealed_by_the_task(
    admin: User, cast: Cast, unannounced_inspection: Inspection
) -> None:
    services.cancel_inspection(by=admin, inspection=unannounced_inspection, reason="Budget.")
    assert titles(cast.coordinator) == []
    Inspection.objects.filter(pk=unannounced_inspection.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert reveal_started_inspections() == 0


def test_starting_moves_a_planned_inspection_in_progress_and_tells_the_inspected_side(
    cast: Cast, inspector: User, lead_inspector: User, unannounced_inspection: Inspection
) -> None:
    Inspection.objects.filter(pk=unannounced_inspection.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    unannounced_inspection.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.start_inspection(by=lead_inspector, inspection=unannounced_inspection)
    started = services.start_inspection(by=inspector, inspection=unannounced_inspection)
    assert started.status == Status.IN_PROGRESS
    assert started.start_notice_sent_at is not None
    assert titles(cast.coordinator) == ["An inspection of First Hospital has started"]
    assert reveal_started_inspections() == 0
    with pytest.raises(ValidationError):
        services.start_inspection(by=inspector, inspection=started)


def test_cancelling_needs_a_reason_and_an_administrator(
    admin: User, inspector: User, inspection: Inspection, published_inspection: Inspection
) -> None:
    with pytest.raises(PermissionDenied):
        services.cancel_inspection(by=inspector, inspection=inspection, reason="No.")
    with pytest.raises(ValidationError) as excinfo:
        services.cancel_inspection(by=admin, inspection=inspection, reason="  ")
    assert "reason" in errors_of(excinfo)
    cancelled = services.cancel_inspection(by=admin, inspection=inspection, reason="Strike.")
    assert (cancelled.status, cancelled.cancel_reason) == (Status.CANCELLED, "Strike.")
    with pytest.raises(PermissionDenied):
        services.cancel_inspection(by=admin, inspection=published_inspection, reason="No.")


# ---- Conducting ------------------------------------------------------------------------------


def test_the_team_records_the_checklist(
    inspector: User, lead_inspector: User, inspection: Inspection
) -> None:
    item = inspection.checklist.first()
    assert item is not None
    saved = services.record_checklist_result(
        by=lead_inspector, item=item, result="partly_met", note="Two files late."
    )
    assert (saved.result, saved.checked_by) == ("partly_met", lead_inspector)
    with pytest.raises(ValidationError) as excinfo:
        services.record_checklist_result(by=inspector, item=item, result="perfect")
    assert "result" in errors_of(excinfo)


@pytest.mark.parametrize(
    "role", ["admin", "program_admin", "coordinator", "unassigned_inspector", "outsider"]
)
def test_nobody_outside_the_team_conducts(
    roles: dict[str, Any], inspection: Inspection, role: str
) -> None:
    item = inspection.checklist.first()
    assert item is not None
    with pytest.raises(PermissionDenied):
        services.record_checklist_result(by=roles[role], item=item, result="met")
    with pytest.raises(PermissionDenied):
        services.add_observation(by=roles[role], inspection=inspection, text="Seen.")


def test_nothing_is_conducted_before_the_start(
    inspector: User, unannounced_inspection: Inspection
) -> None:
    with pytest.raises(PermissionDenied):
        services.add_observation(by=inspector, inspection=unannounced_inspection, text="Early.")


def test_observations_and_sample_notes(
    inspector: User, inspection: Inspection, org_inspection: Inspection
) -> None:
    sampled = inspection.sample.first()
    assert sampled is not None
    services.update_sampled_student(by=inspector, sampled=sampled, examined=True, note="OK")
    sampled.refresh_from_db()
    assert sampled.examined
    observation = services.add_observation(
        by=inspector, inspection=inspection, text="Plan approved.", sampled_student=sampled
    )
    assert observation.author == inspector
    with pytest.raises(ValidationError) as excinfo:
        services.add_observation(
            by=inspector,
            inspection=inspection,
            text="",
            checklist_item=org_inspection.checklist.first(),
        )
    assert set(errors_of(excinfo)) == {"text", "checklist_item"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("minutes.pdf", FAKE_PDF, "The file is not a readable PDF."),
        ("minutes.docx", zip_bytes(), "The file is not a readable Word (.docx) document."),
        ("register.xlsx", b"name,date\n", "The file is not a readable Excel (.xlsx) workbook."),
        ("photo.jpg", image_bytes("PNG"), "The file is not a readable image."),
    ],
)
def test_evidence_named_as_a_document_must_open_as_one(
    inspector: User, inspection: Inspection, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.add_evidence(
            by=inspector, inspection=inspection, upload=SimpleUploadedFile(name, content)
        )
    assert errors_of(excinfo) == {"upload": [message]}
    assert not inspection.evidence.exists()


def test_real_documents_and_other_files_are_kept_as_evidence(
    inspector: User, inspection: Inspection
) -> None:
    for name, content in [
        ("minutes.docx", docx_bytes()),
        ("register.xlsx", xlsx_bytes()),
        ("photo.jpg", image_bytes("JPEG")),
        ("recording.m4a", b"any other kind of file"),
    ]:
        services.add_evidence(
            by=inspector, inspection=inspection, upload=SimpleUploadedFile(name, content)
        )
    assert inspection.evidence.count() == 4


def test_evidence_is_kept_with_its_hash_and_size_limit(
    inspector: User, inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    minutes = pdf_bytes()
    upload = SimpleUploadedFile("minutes.pdf", minutes, "application/pdf")
    evidence = services.add_evidence(by=inspector, inspection=inspection, upload=upload)
    assert evidence.name == "minutes.pdf"
    assert evidence.size == len(minutes)
    assert evidence.sha256 == hashlib.sha256(minutes).hexdigest()
    evidence.file.open("rb")
    assert evidence.file.read() == minutes
    evidence.file.close()
    with pytest.raises(ValidationError) as excinfo:
        services.add_evidence(
            by=inspector, inspection=inspection, upload=SimpleUploadedFile("empty.txt", b"")
        )
    assert errors_of(excinfo)["upload"] == ["The file is empty."]
    monkeypatch.setattr(services.conducting, "MAX_EVIDENCE_BYTES", 4)
    with pytest.raises(ValidationError) as excinfo:
        services.add_evidence(
            by=inspector, inspection=inspection, upload=SimpleUploadedFile("big.txt", b"12345")
        )
    assert errors_of(excinfo)["upload"] == ["A file can be at most 20 MB."]


def test_an_inspection_finding_follows_the_audit_findings_life(
    admin: User, cast: Cast, inspector: User, inspection: Inspection
) -> None:
    finding = services.record_inspection_finding(
        by=inspector,
        inspection=inspection,
        severity="major",
        title="Plan not approved",
        text="The plan is a draft.",
        student=cast.student,
        due_date=TODAY + dt.timedelta(days=30),
    )
    assert finding.rule == Finding.INSPECTION_RULE
    assert (finding.inspection, finding.author, finding.program) == (
        inspection,
        inspector,
        cast.program,
    )
    assert (finding.subject_type.model, finding.subject_id) == ("student", cast.student.pk)
    assert finding.details == {"title": "Plan not approved", "text": "The plan is a draft."}
    assert finding.evidence["inspection"] == inspection.pk
    assert finding.status == Finding.Status.OPEN
    assert len(finding.fingerprint) == 64
    assert Finding.objects.visible_to(admin).filter(pk=finding.pk).exists()


def test_an_organisation_finding_needs_a_program_it_takes_part_in(
    cast: Cast, inspector: User, org_inspection: Inspection
) -> None:
    def record(**fields: Any) -> Finding:
        return services.record_inspection_finding(
            by=inspector,
            inspection=org_inspection,
            severity="minor",
            title="Late logs",
            text="Logs verified late.",
            **fields,
        )

    with pytest.raises(ValidationError) as excinfo:
        record()
    assert "program" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        record(program=cast.program)
    assert errors_of(excinfo)["program"] == ["The organisation does not take part in this program."]
    ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=TODAY
    )
    with pytest.raises(ValidationError) as excinfo:
        record(program=cast.program, student=cast.other_student)  # not placed there
    assert "student" in errors_of(excinfo)
    finding = record(program=cast.program, student=cast.student)
    assert finding.organization == cast.hospital


def test_a_finding_rejects_bad_input(inspector: User, inspection: Inspection) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.record_inspection_finding(
            by=inspector,
            inspection=inspection,
            severity="apocalyptic",
            title="",
            text="",
            due_date=TODAY - dt.timedelta(days=1),
        )
    assert set(errors_of(excinfo)) == {"severity", "title", "text", "due_date"}


# ---- The draft report and the right of reply -------------------------------------------------


def test_writing_a_section_moves_to_drafting_and_revisions_count_changes(
    inspector: User, lead_inspector: User, inspection: Inspection
) -> None:
    section = services.save_report_section(
        by=inspector, inspection=inspection, key="summary", title="Summary", body="First."
    )
    inspection.refresh_from_db()
    assert (inspection.status, section.revision, section.position) == (Status.DRAFTING, 1, 0)
    same = services.save_report_section(
        by=lead_inspector, inspection=inspection, key="summary", title="Summary!", body="First."
    )
    assert (same.pk, same.revision, same.title) == (section.pk, 1, "Summary!")
    changed = services.save_report_section(
        by=inspector, inspection=inspection, key="summary", title="Summary", body="Second."
    )
    assert changed.revision == 2
    second = services.save_report_section(
        by=inspector, inspection=inspection, key="findings", title="Findings", body=""
    )
    assert second.position == 1


def test_a_section_needs_a_key_and_a_title(inspector: User, inspection: Inspection) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.save_report_section(
            by=inspector, inspection=inspection, key="not a key!", title="", body="x"
        )
    assert set(errors_of(excinfo)) == {"key", "title"}


def test_the_inspected_side_cannot_write_the_report(
    cast: Cast, inspection: Inspection, published_inspection: Inspection, inspector: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.save_report_section(
            by=cast.program_admin, inspection=inspection, key="a", title="A", body="B"
        )
    with pytest.raises(PermissionDenied):  # published: correct it first
        services.save_report_section(
            by=inspector, inspection=published_inspection, key="a", title="A", body="B"
        )


def test_the_reply_window_opens_on_a_written_draft_and_tells_the_inspected_side(
    cast: Cast, inspector: User, lead_inspector: User, inspection: Inspection
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.open_reply_window(by=inspector, inspection=inspection)
    assert NON_FIELD_ERRORS in errors_of(excinfo)
    services.save_report_section(
        by=inspector, inspection=inspection, key="summary", title="Summary", body="Text."
    )
    with pytest.raises(PermissionDenied):  # the author opens it
        services.open_reply_window(by=lead_inspector, inspection=inspection)
    with pytest.raises(ValidationError) as excinfo:
        services.open_reply_window(by=inspector, inspection=inspection, days=61)
    assert "days" in errors_of(excinfo)
    opened = services.open_reply_window(by=inspector, inspection=inspection)
    assert opened.status == Status.IN_REPLY
    assert opened.reply_closes_at is not None and opened.reply_opens_at is not None
    assert (opened.reply_closes_at - opened.reply_opens_at).days == opened.reply_days == 10
    assert titles(cast.program_admin) == [f"Draft inspection report of {cast.program}: your reply"]


def test_the_inspected_side_comments_while_the_window_is_open(
    cast: Cast, inspector: User, reply_inspection: Inspection
) -> None:
    section = reply_inspection.report_sections.get(key="findings")
    comment = services.comment_on_section(
        by=cast.coordinator, section=section, text="Two plans were approved on time."
    )
    assert (comment.section_revision, comment.author) == (1, cast.coordinator)
    assert titles(inspector) == [f"New comment on the draft report: {reply_inspection.title}"]
    with pytest.raises(ValidationError):
        services.comment_on_section(by=cast.coordinator, section=section, text=" ")
    Inspection.objects.filter(pk=reply_inspection.pk).update(
        reply_closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    section.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.comment_on_section(by=cast.coordinator, section=section, text="Late.")


@pytest.mark.parametrize(
    "role", ["program_admin", "other_coordinator", "practice_tutor", "inspector", "outsider"]
)
def test_only_the_inspected_side_comments(
    roles: dict[str, Any], reply_inspection: Inspection, role: str
) -> None:
    section = reply_inspection.report_sections.get(key="findings")
    with pytest.raises(PermissionDenied):
        services.comment_on_section(by=roles[role], section=section, text="Hello.")


def test_an_answer_may_revise_the_draft_and_everything_is_kept(
    cast: Cast, lead_inspector: User, inspector: User, reply_inspection: Inspection
) -> None:
    comment = ReplyComment.objects.get(section__inspection=reply_inspection)
    section = comment.section
    old_body = section.body
    with pytest.raises(PermissionDenied):
        services.answer_comment(by=cast.coordinator, comment=comment, answer="Me?")
    with pytest.raises(ValidationError):
        services.answer_comment(by=inspector, comment=comment, answer="")
    answered = services.answer_comment(
        by=lead_inspector,
        comment=comment,
        answer="Corrected: 2024.",
        revised_body="The hospital provides structured clinical training since 2024.",
    )
    section.refresh_from_db()
    assert answered.draft_revised and answered.answered_by == lead_inspector
    assert section.revision == 2 and section.body.endswith("since 2024.")
    assert answered.section_revision == 1  # the comment still says what it was about
    assert old_body != section.body
    assert titles(cast.coordinator) == [f"Your comment was answered: {reply_inspection.title}"]
    with pytest.raises(ValidationError) as excinfo:
        services.answer_comment(by=inspector, comment=comment, answer="Again.")
    assert NON_FIELD_ERRORS in errors_of(excinfo)


# ---- Publication workflow --------------------------------------------------------------------


def close_window(inspection: Inspection) -> None:
    Inspection.objects.filter(pk=inspection.pk).update(
        reply_closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    inspection.refresh_from_db()


def answer_all(inspection: Inspection, by: User) -> None:
    for comment in ReplyComment.objects.filter(section__inspection=inspection):
        services.answer_comment(by=by, comment=comment, answer="Noted, thank you.")


def test_publication_waits_for_the_window_and_the_answers(
    inspector: User, reply_inspection: Inspection
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.request_publication(by=inspector, inspection=reply_inspection)
    assert "reply window is open" in errors_of(excinfo)[NON_FIELD_ERRORS][0]
    close_window(reply_inspection)
    with pytest.raises(ValidationError) as excinfo:
        services.request_publication(by=inspector, inspection=reply_inspection)
    assert errors_of(excinfo)[NON_FIELD_ERRORS] == [
        "Answer every comment of the inspected side first."
    ]
    answer_all(reply_inspection, inspector)
    requested = services.request_publication(by=inspector, inspection=reply_inspection)
    assert requested.status == Status.AWAITING_APPROVAL
    assert requested.publication_requested_by == inspector


def test_only_the_author_asks_for_publication(
    admin: User, lead_inspector: User, reply_inspection: Inspection
) -> None:
    close_window(reply_inspection)
    for person in (admin, lead_inspector):
        with pytest.raises(PermissionDenied):
            services.request_publication(by=person, inspection=reply_inspection)


def test_a_draft_that_never_had_its_reply_window_cannot_be_published(
    inspector: User, inspection: Inspection
) -> None:
    services.save_report_section(
        by=inspector, inspection=inspection, key="summary", title="Summary", body="Text."
    )
    with pytest.raises(ValidationError):
        services.request_publication(by=inspector, inspection=inspection)


@pytest.fixture
def awaiting(inspector: User, reply_inspection: Inspection) -> Inspection:
    close_window(reply_inspection)
    answer_all(reply_inspection, inspector)
    return services.request_publication(by=inspector, inspection=reply_inspection)


def test_the_approvers_are_asked(admin: User, lead_inspector: User, awaiting: Inspection) -> None:
    assert services.approvers(awaiting) == [admin, lead_inspector]
    asked = f"Publication to approve: {awaiting.title}"
    assert asked in titles(admin) and asked in titles(lead_inspector)


@pytest.mark.parametrize(
    "role", ["inspector", "coordinator", "program_admin", "unassigned_inspector", "outsider"]
)
def test_the_author_and_others_cannot_approve(
    roles: dict[str, Any], awaiting: Inspection, role: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.approve_publication(by=roles[role], inspection=awaiting)


def test_a_lead_inspector_not_on_the_team_cannot_approve(
    unassigned_inspector: User, awaiting: Inspection
) -> None:
    InspectorProfile.objects.filter(user=unassigned_inspector).update(is_lead=True)
    assert not p.can_approve_publication(unassigned_inspector, awaiting)


@pytest.mark.parametrize("approver", ["admin", "lead_inspector"])
def test_a_second_person_publishes(
    roles: dict[str, Any], cast: Cast, inspector: User, awaiting: Inspection, approver: str
) -> None:
    version = services.approve_publication(by=roles[approver], inspection=awaiting)
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PUBLISHED
    assert (version.version, version.published_by, version.approved_by) == (
        1,
        inspector,
        roles[approver],
    )
    assert f"Published: {awaiting.title} (version 1)" in titles(cast.coordinator)


def test_personal_data_blocks_approval_with_a_clear_message(
    cast: Cast, inspector: User, lead_inspector: User, awaiting: Inspection
) -> None:
    ReportSection.objects.filter(inspection=awaiting, key="findings").update(
        body="Stan Student (stan@example.org) had no plan."
    )
    with pytest.raises(ValidationError) as excinfo:
        services.approve_publication(by=lead_inspector, inspection=awaiting)
    messages = errors_of(excinfo)[NON_FIELD_ERRORS]
    assert messages[0] == "Published reports name no one:"
    assert "“Findings” names Stan Student, a person linked to this inspection." in messages
    assert "“Findings” contains an e-mail address (stan@example.org)." in messages
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_APPROVAL


def test_the_approver_may_send_it_back(
    inspector: User, lead_inspector: User, awaiting: Inspection
) -> None:
    with pytest.raises(ValidationError):
        services.return_for_changes(by=lead_inspector, inspection=awaiting, reason="")
    returned = services.return_for_changes(
        by=lead_inspector, inspection=awaiting, reason="Shorten the summary."
    )
    assert returned.status == Status.DRAFTING
    assert returned.publication_requested_by is None
    assert f"Report sent back for changes: {awaiting.title}" in titles(inspector)


def test_a_correction_is_a_new_version_that_says_what_changed(
    admin: User, inspector: User, lead_inspector: User, published_inspection: Inspection
) -> None:
    with pytest.raises(PermissionDenied):
        services.start_correction(by=lead_inspector, inspection=published_inspection)
    drafting = services.start_correction(by=inspector, inspection=published_inspection)
    assert drafting.status == Status.DRAFTING
    services.save_report_section(
        by=inspector,
        inspection=drafting,
        key="findings",
        title="Findings",
        body="Training plans were current for all the files examined.",
    )
    with pytest.raises(ValidationError) as excinfo:
        services.request_publication(by=inspector, inspection=drafting)
    assert "correction_note" in errors_of(excinfo)
    services.request_publication(
        by=inspector, inspection=drafting, correction_note="All files, not most."
    )
    version = services.approve_publication(by=admin, inspection=drafting)
    previous = published_inspection.published_versions.get(version=2)
    assert (version.version, version.change_note) == (3, "All files, not most.")
    assert version.previous_hash == previous.content_hash
    drafting.refresh_from_db()
    assert drafting.correction_note == ""


def test_every_comment_and_revision_stays(reply_inspection: Inspection, inspector: User) -> None:
    comment = ReplyComment.objects.get(section__inspection=reply_inspection)
    services.answer_comment(by=inspector, comment=comment, answer="Yes.", revised_body="New.")
    with pytest.raises(ProtectedError):  # a comment is never lost with its section
        comment.section.delete()
    assert ReplyComment.objects.filter(pk=comment.pk).exists()


# ---- Cost and the admin ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "predicate", [p.is_team_member, p.is_author, p.can_conduct, p.is_inspected_side]
)
def test_each_predicate_answers_in_one_query(
    django_assert_max_num_queries: Any,
    cast: Cast,
    inspector: User,
    inspection: Inspection,
    predicate: Callable[[Any, Any], bool],
) -> None:
    person = cast.program_admin if predicate is p.is_inspected_side else inspector
    with django_assert_max_num_queries(1):
        assert predicate(person, inspection)


def test_the_django_admin_lists_the_inspection_models_and_never_changes_a_version(
    admin: User, published_inspection: Inspection, unannounced_inspection: Inspection
) -> None:
    client = Client()
    client.force_login(UserFactory(email="root@example.org", is_staff=True, is_superuser=True))
    for model in (
        "inspectorprofile",
        "inspectionassignment",
        "conflictofinterest",
        "checklisttemplate",
        "inspection",
        "draw",
        "publishedreport",
        "publishedauditsummary",
    ):
        assert client.get(reverse(f"admin:supervision_{model}_changelist")).status_code == 200
    version = published_inspection.published_versions.first()
    assert version is not None
    url = reverse("admin:supervision_publishedreport_change", args=[version.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "Changed"}).status_code == 403
    detail = reverse("admin:supervision_inspection_change", args=[unannounced_inspection.pk])
    assert client.get(detail).status_code == 200
