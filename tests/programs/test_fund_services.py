"""Training funds: lines, expenditures, and decisions by someone other than the submitter.

Cora (coordinator of the First Hospital, a partner) spends; Petra (program administrator)
or the line's approver decides; nobody decides on their own spending.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from programs import models as m
from programs.funds import services as s
from tests.cast import Cast
from tests.factories import UserFactory
from tests.files import image_bytes, pdf_bytes
from training_portal.core.models import Notification

from .factories import BudgetLineFactory, ExpenditureFactory

pytestmark = pytest.mark.django_db

Status = m.Expenditure.Status
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def line(cast: Cast) -> m.BudgetLine:
    """1000.00 for the First Hospital's materials in 2026."""
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    return BudgetLineFactory(program=cast.program, holder=cast.hospital, amount=Decimal("1000.00"))


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def titles_for(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def submit(user: User, line: m.BudgetLine, **fields: Any) -> m.Expenditure:
    values = {
        "amount": "250.00",
        "spent_on": dt.date(2026, 3, 2),
        "category": "materials",
        "payee": "Imaging Supplies Co.",
        "description": "Phantoms for CT quality control",
        **fields,
    }
    return s.submit_expenditure(user=user, line=line, **values)


def spent(line: m.BudgetLine, amount: str, status: str = "submitted", **extra: Any) -> Any:
    decided = {} if status == "submitted" else {"decided_at": dt.datetime.now(dt.UTC)}
    return ExpenditureFactory(line=line, amount=Decimal(amount), status=status, **decided, **extra)


# ---- Budget lines --------------------------------------------------------------------------


def line_fields(cast: Cast, **extra: Any) -> dict[str, Any]:
    return {
        "program": cast.program,
        "holder": cast.program.lead_university,
        "category": "equipment",
        "title": "Workstations",
        "amount": "12500.50",
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2026, 12, 31),
        **extra,
    }


def test_a_program_administrator_opens_a_budget_line_in_decimal_money(cast: Cast) -> None:
    new = s.create_budget_line(
        user=cast.program_admin, **line_fields(cast, approver=cast.coordinator)
    )
    new.refresh_from_db()
    assert new.amount == Decimal("12500.50")
    assert isinstance(new.amount, Decimal)
    assert new.approver == cast.coordinator


@pytest.mark.parametrize("who", ["coordinator", "tutor", "student"])
def test_only_administrators_open_budget_lines(who: str, cast: Cast) -> None:
    user = {
        "coordinator": cast.coordinator,
        "tutor": cast.tutor.user,
        "student": cast.student.user,
    }[who]
    with pytest.raises(PermissionDenied):
        s.create_budget_line(user=user, **line_fields(cast))
    assert not m.BudgetLine.objects.exists()


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        ({"amount": "0"}, {"amount": ["The amount must be more than zero."]}),
        ({"amount": "-5"}, {"amount": ["The amount must be more than zero."]}),
        ({"amount": "ten"}, {"amount": ["Enter an amount such as 1250.00."]}),
        ({"amount": "1.005"}, {"amount": ["The amount can have at most two decimal places."]}),
        (
            {"end_date": dt.date(2025, 12, 31)},
            {"end_date": ["The period cannot end before it starts."]},
        ),
        ({"title": "  "}, {"title": ["Please fill in this field."]}),
    ],
    ids=[
        "zero_amount",
        "negative_amount",
        "not_a_number",
        "fractions_of_a_cent",
        "period_backwards",
        "no_title",
    ],
)
def test_a_budget_line_is_refused_for(
    extra: dict[str, Any], errors: dict[str, list[str]], cast: Cast
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.create_budget_line(user=cast.program_admin, **line_fields(cast, **extra))
    assert errors_of(excinfo) == errors


def test_a_budget_line_is_held_by_an_organisation_of_the_program(cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.create_budget_line(
            user=cast.program_admin, **line_fields(cast, holder=cast.other_hospital)
        )
    assert list(errors_of(excinfo)) == ["holder"]


def test_money_is_never_a_float(cast: Cast) -> None:
    with pytest.raises(TypeError):
        s.create_budget_line(user=cast.program_admin, **line_fields(cast, amount=12.5))


# ---- Submitting ----------------------------------------------------------------------------


def test_the_holders_coordinator_submits_and_the_programs_administrators_are_told(
    cast: Cast, line: m.BudgetLine
) -> None:
    expenditure = submit(cast.coordinator, line, amount=Decimal("250.5"))
    expenditure.refresh_from_db()
    assert (expenditure.status, expenditure.amount, expenditure.submitted_by) == (
        Status.SUBMITTED,
        Decimal("250.50"),
        cast.coordinator,
    )
    assert titles_for(cast.program_admin) == [
        f"An expenditure of ¥250.50 on “{line.title}” awaits your decision"
    ]
    assert titles_for(cast.coordinator) == []


def test_a_lines_approver_is_told_instead_and_nobody_is_told_of_their_own_spending(
    cast: Cast, line: m.BudgetLine, outsider: User
) -> None:
    line.approver = outsider
    line.save()
    submit(cast.coordinator, line)
    assert len(titles_for(outsider)) == 1
    assert titles_for(cast.program_admin) == []
    line.approver = cast.program_admin
    line.save()
    submit(cast.program_admin, line)
    assert titles_for(cast.program_admin) == []


@pytest.mark.parametrize("who", ["other_coordinator", "tutor", "practice_tutor", "student"])
def test_only_administrators_and_the_holders_coordinators_submit(
    who: str, cast: Cast, line: m.BudgetLine
) -> None:
    user = {
        "other_coordinator": cast.other_coordinator,
        "tutor": cast.tutor.user,
        "practice_tutor": cast.practice_tutor.user,
        "student": cast.student.user,
    }[who]
    with pytest.raises(PermissionDenied):
        submit(user, line)
    assert not m.Expenditure.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("receipt.pdf", pdf_bytes()),
        ("receipt.JPG", image_bytes("JPEG")),
        ("receipt.jpeg", image_bytes("JPEG")),
        ("receipt.png", image_bytes("PNG")),
    ],
)
def test_a_receipt_may_be_a_pdf_jpeg_or_png(
    name: str, content: bytes, cast: Cast, line: m.BudgetLine
) -> None:
    expenditure = submit(cast.coordinator, line, receipt=SimpleUploadedFile(name, content))
    assert expenditure.receipt.name


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "0.00"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({"spent_on": dt.date(2025, 12, 31)}, "spent_on"),
        ({"category": "bribes"}, "category"),
        ({"payee": " "}, "payee"),
        ({"receipt": SimpleUploadedFile("receipt.gif", b"GIF89a")}, "receipt"),
        ({"receipt": SimpleUploadedFile("receipt.png", b"%PDF-1.4 renamed")}, "receipt"),
        ({"receipt": SimpleUploadedFile("big.png", PNG + b"0" * (10 * 1024 * 1024))}, "receipt"),
    ],
    ids=[
        "a_zero_amount",
        "a_negative_amount",
        "fractions_of_a_cent",
        "an_absurd_amount",
        "a_date_outside_the_lines_period",
        "an_unknown_category",
        "no_payee",
        "a_gif_receipt",
        "a_receipt_whose_content_is_not_what_its_name_says",
        "a_receipt_over_10_mb",
    ],
)
def test_an_expenditure_is_refused_for(
    fields: dict[str, Any], field: str, cast: Cast, line: m.BudgetLine
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        submit(cast.coordinator, line, **fields)
    assert list(errors_of(excinfo)) == [field]
    assert not m.Expenditure.objects.exists()
    assert not Notification.objects.exists()


# ---- Deciding ------------------------------------------------------------------------------


def test_a_program_administrator_approves_and_the_submitter_is_told(
    cast: Cast, line: m.BudgetLine
) -> None:
    expenditure = submit(cast.coordinator, line)
    s.approve_expenditure(user=cast.program_admin, expenditure=expenditure)
    expenditure.refresh_from_db()
    assert expenditure.status == Status.APPROVED
    assert expenditure.approved_by == cast.program_admin
    assert expenditure.decided_at is not None
    assert expenditure.override_reason == ""
    assert titles_for(cast.coordinator) == [
        "Your expenditure of ¥250.00 to Imaging Supplies Co. was approved"
    ]


def test_the_lines_approver_may_approve(cast: Cast, line: m.BudgetLine, outsider: User) -> None:
    line.approver = outsider
    line.save()
    expenditure = s.approve_expenditure(user=outsider, expenditure=submit(cast.coordinator, line))
    assert expenditure.approved_by == outsider


@pytest.mark.parametrize("submitter", ["program_admin", "approver"])
def test_nobody_approves_their_own_expenditure(
    submitter: str, cast: Cast, line: m.BudgetLine, outsider: User
) -> None:
    line.approver = outsider
    line.save()
    user = {"program_admin": cast.program_admin, "approver": outsider}[submitter]
    own = spent(line, "100.00", submitted_by=user)
    with pytest.raises(PermissionDenied, match="Nobody approves or rejects their own expenditure"):
        s.approve_expenditure(user=user, expenditure=own)
    with pytest.raises(PermissionDenied, match="their own expenditure"):
        s.reject_expenditure(user=user, expenditure=own, reason="Mine.")
    own.refresh_from_db()
    assert own.status == Status.SUBMITTED


def test_the_portal_administrator_decides_on_a_program_administrators_expenditure(
    cast: Cast, line: m.BudgetLine, admin: User
) -> None:
    expenditure = submit(cast.program_admin, line)
    assert s.approve_expenditure(user=admin, expenditure=expenditure).approved_by == admin


@pytest.mark.parametrize("who", ["coordinator", "other_coordinator", "tutor", "outsider"])
def test_only_administrators_and_the_approver_decide(
    who: str, cast: Cast, line: m.BudgetLine, outsider: User
) -> None:
    user = {
        "coordinator": cast.coordinator,
        "other_coordinator": cast.other_coordinator,
        "tutor": cast.tutor.user,
        "outsider": outsider,
    }[who]
    expenditure = spent(line, "100.00", submitted_by=UserFactory())
    with pytest.raises(PermissionDenied):
        s.approve_expenditure(user=user, expenditure=expenditure)
    with pytest.raises(PermissionDenied):
        s.reject_expenditure(user=user, expenditure=expenditure, reason="No.")


def test_approving_beyond_the_line_needs_a_reason_which_is_kept(
    cast: Cast, line: m.BudgetLine
) -> None:
    spent(line, "900.00", status=Status.APPROVED)
    spent(line, "5000.00")  # pending spending does not count
    spent(line, "5000.00", status=Status.REJECTED)  # nor does refused spending
    expenditure = submit(cast.coordinator, line, amount="200.00")
    with pytest.raises(ValidationError) as excinfo:
        s.approve_expenditure(user=cast.program_admin, expenditure=expenditure, override_reason=" ")
    (message,) = errors_of(excinfo)["override_reason"]
    assert "1100.00" in message
    assert "1000.00" in message
    expenditure.refresh_from_db()
    assert expenditure.status == Status.SUBMITTED

    s.approve_expenditure(
        user=cast.program_admin, expenditure=expenditure, override_reason=" Scanner broke. "
    )
    expenditure.refresh_from_db()
    assert (expenditure.status, expenditure.override_reason) == (Status.APPROVED, "Scanner broke.")
    (note,) = Notification.objects.filter(recipient=cast.coordinator, title__contains="approved")
    assert "Scanner broke." in note.body


def test_approving_exactly_what_is_left_needs_no_reason_and_keeps_none(
    cast: Cast, line: m.BudgetLine
) -> None:
    spent(line, "750.00", status=Status.APPROVED)
    expenditure = submit(cast.coordinator, line, amount="250.00")
    s.approve_expenditure(
        user=cast.program_admin, expenditure=expenditure, override_reason="Just in case."
    )
    expenditure.refresh_from_db()
    assert (expenditure.status, expenditure.override_reason) == (Status.APPROVED, "")


def test_approvals_one_after_the_other_see_each_others_totals(
    cast: Cast, line: m.BudgetLine, outsider: User
) -> None:
    """Two deciders each see 600 of 1000 left: the second approval must not pass silently."""
    line.approver = outsider
    line.save()
    first = submit(cast.coordinator, line, amount="600.00")
    second = submit(cast.coordinator, line, amount="600.00")
    s.approve_expenditure(user=cast.program_admin, expenditure=first)
    with pytest.raises(ValidationError) as excinfo:
        s.approve_expenditure(user=outsider, expenditure=second)
    assert list(errors_of(excinfo)) == ["override_reason"]


def test_an_approval_locks_its_line_before_adding_up(cast: Cast, line: m.BudgetLine) -> None:
    expenditure = submit(cast.coordinator, line)
    with CaptureQueriesContext(connection) as queries:
        s.approve_expenditure(user=cast.program_admin, expenditure=expenditure)
    sql = [q["sql"] for q in queries.captured_queries]
    line_table = m.BudgetLine._meta.db_table
    lock = next(
        i for i, q in enumerate(sql) if q.endswith("FOR UPDATE") and f'FROM "{line_table}"' in q
    )
    total = next(i for i, q in enumerate(sql) if "SUM(" in q)
    assert lock < total


def test_a_program_administrator_rejects_saying_why_and_the_submitter_is_told(
    cast: Cast, line: m.BudgetLine
) -> None:
    expenditure = submit(cast.coordinator, line)
    with pytest.raises(ValidationError) as excinfo:
        s.reject_expenditure(user=cast.program_admin, expenditure=expenditure, reason="  ")
    assert list(errors_of(excinfo)) == ["reason"]

    s.reject_expenditure(
        user=cast.program_admin, expenditure=expenditure, reason=" No receipt attached. "
    )
    expenditure.refresh_from_db()
    assert expenditure.status == Status.REJECTED
    assert expenditure.rejection_reason == "No receipt attached."
    assert expenditure.decided_at is not None
    (note,) = Notification.objects.filter(recipient=cast.coordinator)
    assert note.title == "Your expenditure of ¥250.00 to Imaging Supplies Co. was rejected"
    assert "No receipt attached." in note.body


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_a_decided_expenditure_cannot_be_decided_again(
    first: str, cast: Cast, line: m.BudgetLine, admin: User
) -> None:
    expenditure = submit(cast.coordinator, line)
    if first == "approve":
        s.approve_expenditure(user=cast.program_admin, expenditure=expenditure)
    else:
        s.reject_expenditure(user=cast.program_admin, expenditure=expenditure, reason="No.")
    for decide in (
        lambda: s.approve_expenditure(user=admin, expenditure=expenditure, override_reason="x"),
        lambda: s.reject_expenditure(user=admin, expenditure=expenditure, reason="Changed mind."),
    ):
        with pytest.raises(ValidationError) as excinfo:
            decide()
        assert list(errors_of(excinfo)) == [NON_FIELD_ERRORS]


def test_a_decision_on_a_stale_copy_sees_the_decision_made_meanwhile(
    cast: Cast, line: m.BudgetLine, admin: User
) -> None:
    expenditure = submit(cast.coordinator, line)
    stale = m.Expenditure.objects.get(pk=expenditure.pk)
    s.reject_expenditure(user=admin, expenditure=expenditure, reason="Duplicate claim.")
    with pytest.raises(ValidationError):
        s.approve_expenditure(user=cast.program_admin, expenditure=stale)
    stale.refresh_from_db()
    assert stale.status == Status.REJECTED


def test_outsiders_learn_nothing_about_a_decided_expenditure(
    cast: Cast, line: m.BudgetLine, outsider: User
) -> None:
    expenditure = spent(line, "10.00", status=Status.APPROVED)
    with pytest.raises(PermissionDenied):
        s.reject_expenditure(user=outsider, expenditure=expenditure, reason="Hm.")
