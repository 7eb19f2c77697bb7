"""Every upload is opened before it is kept: a file that only starts like a PDF, a zip named
as a Word or Excel file, random bytes named as a workbook are refused with a plain message,
and nothing is saved (milestone evidence, agreements, receipts, inspection evidence, imports)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import User
from accounts.services import start_user_import
from programs import models as m
from programs.funds import services as funds
from programs.partners.services import partners
from programs.training.services import training
from tests.cast import Cast
from tests.files import FAKE_PDF, docx_bytes, image_bytes, pdf_bytes, upload, xlsx_bytes, zip_bytes
from training_portal.core.tables import ImportFileError

from .factories import BudgetLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages are compared in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


NOT_A_PDF = "The file is not a readable PDF."


def milestone_of(cast: Cast) -> m.Milestone:
    return m.Milestone.objects.create(
        student=cast.student,
        kind="proposal",
        title="Proposal defence",
        due_date=cast.student.enrolled_on + dt.timedelta(days=200),
    )


def sign_off(cast: Cast, milestone: m.Milestone, file: Any) -> m.Milestone:
    return training.sign_off_milestone(
        user=cast.tutor.user,
        milestone=milestone,
        completed_on=timezone.localdate(),
        evidence_file=file,
    )


def test_milestone_evidence_that_only_starts_like_a_pdf_is_refused(cast: Cast) -> None:
    milestone = milestone_of(cast)
    with pytest.raises(ValidationError) as excinfo:
        sign_off(cast, milestone, upload("report.pdf", FAKE_PDF))
    assert excinfo.value.message_dict == {"evidence_file": [NOT_A_PDF]}
    milestone.refresh_from_db()
    assert (milestone.signed_off_at, milestone.evidence_file.name) == (None, "")


def test_milestone_evidence_that_is_a_real_scan_is_kept(cast: Cast) -> None:
    milestone = sign_off(cast, milestone_of(cast), upload("scan.jpg", image_bytes("JPEG")))
    assert milestone.evidence_file.name.endswith("scan.jpg")


def test_an_agreement_that_only_starts_like_a_pdf_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        partners.add_partner(
            user=cast.program_admin,
            program=cast.program,
            organization=cast.hospital,
            agreement_start=dt.date(2026, 1, 1),
            agreement_file=upload("agreement.pdf", FAKE_PDF),
        )
    assert excinfo.value.message_dict == {"agreement_file": [NOT_A_PDF]}
    assert not m.ProgramPartner.objects.exists()


def test_a_password_protected_agreement_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        partners.add_partner(
            user=cast.program_admin,
            program=cast.program,
            organization=cast.hospital,
            agreement_start=dt.date(2026, 1, 1),
            agreement_file=upload("agreement.pdf", pdf_bytes(password="secret")),
        )
    assert excinfo.value.message_dict == {
        "agreement_file": ["The PDF is protected by a password: upload it without one."]
    }


def test_a_receipt_that_only_starts_like_a_png_is_refused(cast: Cast) -> None:
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    line = BudgetLineFactory(program=cast.program, holder=cast.hospital)
    with pytest.raises(ValidationError) as excinfo:
        funds.submit_expenditure(
            user=cast.coordinator,
            line=line,
            amount=Decimal("10.00"),
            spent_on=dt.date(2026, 3, 2),
            category="materials",
            payee="Imaging Supplies Co.",
            description="Phantoms",
            receipt=upload("receipt.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        )
    assert excinfo.value.message_dict == {"receipt": ["The file is not a readable image."]}
    assert not m.Expenditure.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.xlsx", os.urandom(400), "The file is not a readable Excel (.xlsx) workbook."),
        ("list.xlsx", zip_bytes(), "The file is not a readable Excel (.xlsx) workbook."),
        ("list.xlsx", docx_bytes(), "The file is not a readable Excel (.xlsx) workbook."),
    ],
)
def test_a_user_import_that_is_no_workbook_is_refused_before_it_is_queued(
    admin: User, name: str, content: bytes, message: str
) -> None:
    with translation.override("en"), pytest.raises(ImportFileError) as excinfo:
        start_user_import(owner=admin, upload=upload(name, content), send_invitations=False)
    assert str(excinfo.value) == message


def test_a_real_workbook_is_queued(admin: User) -> None:
    job = start_user_import(
        owner=admin,
        upload=upload("list.xlsx", xlsx_bytes([["email", "full_name"]])),
        send_invitations=False,
    )
    assert (job.kind, job.input_name) == ("accounts.user_import", "list.xlsx")
