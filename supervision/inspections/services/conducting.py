"""Inspections, conducted: the checklist, the sample, observations, evidence and findings."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from programs.models import Program, Student
from training_portal.core.uploads import readable_errors

from ...models import (
    ChecklistItem,
    EvidenceFile,
    Finding,
    Inspection,
    Observation,
    SampledStudent,
    Severity,
)
from .. import permissions
from ..workflow import Errors, check, lock, require, required
from .planning import target_organization_ids, target_students

#: The largest evidence file accepted.
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


# ---- Conducting ------------------------------------------------------------------------------


def _conducted(by: User, inspection: Inspection | int) -> Inspection:
    """The inspection (or the one of this id) locked, once `by` may conduct it (else
    PermissionDenied)."""
    inspection = lock(inspection)
    require(permissions.can_conduct(by, inspection))
    return inspection


def _of_inspection(inspection: Inspection, errors: Errors, **rows: tuple[Any, str]) -> None:
    """For each row given (`field=(row or None, message)`) that is not of the inspection, its
    message as the field's error."""
    for field, (row, message) in rows.items():
        if row is not None and row.inspection_id != inspection.pk:
            errors[field] = [message]


@transaction.atomic
def record_checklist_result(
    *, by: User, item: ChecklistItem, result: str, note: str = ""
) -> ChecklistItem:
    """Answer a checklist question (met, partly met, not met, not applicable)."""
    _conducted(by, item.inspection_id)
    if result not in ChecklistItem.Result.values:
        raise ValidationError({"result": [_("Choose a result from the list.")]})
    item.result = result
    item.note = (note or "").strip()
    item.checked_by = by
    item.checked_at = timezone.now()
    item.save(update_fields=["result", "note", "checked_by", "checked_at"])
    return item


@transaction.atomic
def update_sampled_student(
    *, by: User, sampled: SampledStudent, examined: bool, note: str = ""
) -> SampledStudent:
    """Mark a sampled student's file as examined, with a note."""
    _conducted(by, sampled.inspection_id)
    sampled.examined = bool(examined)
    sampled.note = (note or "").strip()
    sampled.save(update_fields=["examined", "note"])
    return sampled


@transaction.atomic
def add_observation(
    *,
    by: User,
    inspection: Inspection,
    text: str,
    checklist_item: ChecklistItem | None = None,
    sampled_student: SampledStudent | None = None,
) -> Observation:
    """Record what an inspector saw, about the inspection, a question or a sampled student."""
    inspection = _conducted(by, inspection)
    errors: Errors = {}
    text = required(text, "text", errors)
    _of_inspection(
        inspection,
        errors,
        checklist_item=(checklist_item, _("This question is not of this inspection.")),
        sampled_student=(sampled_student, _("This student is not in this inspection's sample.")),
    )
    check(errors)
    return Observation.objects.create(
        inspection=inspection,
        checklist_item=checklist_item,
        sampled_student=sampled_student,
        text=text,
        author=by,
    )


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def add_evidence(
    *,
    by: User,
    inspection: Inspection,
    upload: UploadedFile,
    observation: Observation | None = None,
) -> EvidenceFile:
    """Keep a file the inspectors collected (at most 20 MB), with its SHA-256; a PDF, Word,
    Excel or image file must open as one."""
    inspection = _conducted(by, inspection)
    errors: Errors = {}
    size = upload.size or 0
    if size == 0:
        errors["upload"] = [_("The file is empty.")]
    elif size > MAX_EVIDENCE_BYTES:
        errors["upload"] = [_("A file can be at most 20 MB.")]
    elif problems := readable_errors(upload):
        # Any kind of file is kept, but one named as a document or image must be one.
        errors["upload"] = problems
    _of_inspection(
        inspection,
        errors,
        observation=(observation, _("This observation is not of this inspection.")),
    )
    check(errors)
    name = os.path.basename(upload.name or "evidence")[-255:]
    return EvidenceFile.objects.create(
        inspection=inspection,
        observation=observation,
        file=upload,
        name=name,
        size=size,
        sha256=_sha256(upload),
        uploaded_by=by,
    )


def _finding_program(
    inspection: Inspection, program: Program | None, errors: Errors
) -> Program | None:
    if inspection.program is not None:
        if program is not None and program.pk != inspection.program_id:
            errors["program"] = [_("A finding of this inspection is about its program.")]
        return inspection.program
    if program is None:
        errors["program"] = [_("Choose the program the finding is about.")]
        return None
    orgs = target_organization_ids(program=program)
    if inspection.organization_id not in orgs:
        errors["program"] = [_("The organisation does not take part in this program.")]
    return program


def _student_errors(
    inspection: Inspection, program: Program | None, student: Student | None, errors: Errors
) -> None:
    if student is None or program is None:
        return
    of_target = target_students(program=inspection.program, organization=inspection.organization)
    if student.program_id != program.pk or not of_target.filter(pk=student.pk).exists():
        errors["student"] = [_("This student is not a student of the inspected target.")]


@transaction.atomic
def record_inspection_finding(
    *,
    by: User,
    inspection: Inspection,
    severity: str,
    title: str,
    text: str,
    program: Program | None = None,
    student: Student | None = None,
    due_date: dt.date | None = None,
) -> Finding:
    """Record a finding with the inspection as its source: it follows the life of audit
    findings and appears in the same lists."""
    inspection = _conducted(by, inspection)
    errors: Errors = {}
    if severity not in Severity.values:
        errors["severity"] = [_("Choose a severity from the list.")]
    title = required(title, "title", errors, limit=200)
    text = required(text, "text", errors)
    program = _finding_program(inspection, program, errors)
    _student_errors(inspection, program, student, errors)
    if due_date is not None and due_date < timezone.localdate():
        errors["due_date"] = [_("The due date cannot be in the past.")]
    check(errors)
    assert program is not None
    subject: Any = student or inspection.organization or program
    return Finding.objects.create(
        rule=Finding.INSPECTION_RULE,
        severity=severity,
        fingerprint=hashlib.sha256(
            f"inspection|{inspection.pk}|{uuid.uuid4()}".encode()
        ).hexdigest(),
        program=program,
        organization=inspection.organization,
        student=student,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        details={"title": title, "text": text},
        evidence={"inspection": inspection.pk, "inspection_title": inspection.title},
        due_date=due_date,
        inspection=inspection,
        author=by,
    )
