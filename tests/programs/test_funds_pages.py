"""The funds pages: budget lines and expenditures in the browser, for every role of the cast.

Cora (coordinator of the First Hospital, a partner) spends on the hospital's line; Petra
(program administrator) or Alice (portal administrator) decides; nobody decides on their own
spending; Otto (the Second Hospital's coordinator), tutors, students and outsiders see nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from programs.funds import services as funds
from programs.funds.attention import funds_attention
from tests.cast import Cast, matrix, who
from tests.clients import client_for
from tests.factories import UserFactory
from tests.files import image_bytes, pdf_bytes
from tests.queries import assert_flat_queries
from training_portal.core.attention import attention_for
from training_portal.core.navigation import entries_for
from training_portal.core.validation import MAX_UPLOAD_BYTES

from .factories import BudgetLineFactory, ExpenditureFactory, OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

Status = m.Expenditure.Status
PNG = image_bytes("PNG")
ROLES = [
    "program_admin",
    "coordinator",
    "other_coordinator",
    "tutor",
    "student",
    "outsider",
    "admin",
    "anonymous",
]


# ---- The cast and its money ----------------------------------------------------------------


@pytest.fixture
def line(cast: Cast) -> m.BudgetLine:
    """1000.00 for the First Hospital's materials in 2026."""
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    return BudgetLineFactory(
        program=cast.program,
        holder=cast.hospital,
        title="Phantoms and contrast",
        amount=Decimal("1000.00"),
    )


@pytest.fixture
def spent(cast: Cast, line: m.BudgetLine) -> m.Expenditure:
    """250.00 submitted by Cora, with a PNG receipt."""
    return funds.submit_expenditure(
        user=cast.coordinator,
        line=line,
        amount="250.00",
        spent_on=dt.date(2026, 3, 2),
        category="materials",
        payee="Imaging Supplies Co.",
        description="Phantoms for CT quality control",
        receipt=SimpleUploadedFile("invoice.png", PNG, content_type="image/png"),
    )


def user_named(cast: Cast, name: str, outsider: User, admin: User) -> User | None:
    if name == "anonymous":
        return None
    if name == "admin":
        return admin
    if name == "other_coordinator":
        return cast.other_coordinator
    return who(cast, name, outsider)  # type: ignore[no-any-return]


def approve(expenditure: m.Expenditure, by: User) -> None:
    """Mark approved as if decided by `by` (for totals), without going through the pages."""
    m.Expenditure.objects.filter(pk=expenditure.pk).update(
        status=Status.APPROVED, approved_by=by, decided_at=timezone.now()
    )


def refreshed(expenditure: m.Expenditure) -> m.Expenditure:
    return m.Expenditure.objects.get(pk=expenditure.pk)


def receipts_on_disk(settings: Any) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "receipts"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


# ---- Who gets which page -------------------------------------------------------------------

LISTS = matrix(
    ROLES,
    program_admin=200,
    coordinator=200,
    other_coordinator=200,  # a coordinator: the page, without the First Hospital's line
    # Lists of records: everyone signed in gets what they may see (tutors, students and
    # outsiders hold no budget line: an empty list; Funds is not in their menu).
    tutor=200,
    student=200,
    outsider=200,
    admin=200,
    anonymous=302,
)
LINE_HOLDERS = ("admin", "program_admin", "coordinator")
LINE_VIEWERS = matrix(
    ROLES,
    program_admin=200,
    coordinator=200,
    other_coordinator=404,
    tutor=404,
    student=404,
    outsider=404,
    admin=200,
    anonymous=302,
)


@pytest.mark.parametrize(("name", "status"), LISTS)
def test_budget_line_list_by_role(
    cast: Cast, line: m.BudgetLine, outsider: User, admin: User, name: str, status: int
) -> None:
    response = client_for(user_named(cast, name, outsider, admin)).get(
        reverse("programs:budget-line-list")
    )
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("accounts:login"))
    if status == 200:
        listed = [row.pk for row in response.context["page"].object_list]
        assert listed == ([line.pk] if name in LINE_HOLDERS else [])


@pytest.mark.parametrize(("name", "status"), LISTS)
def test_expenditure_list_by_role(
    cast: Cast, spent: m.Expenditure, outsider: User, admin: User, name: str, status: int
) -> None:
    response = client_for(user_named(cast, name, outsider, admin)).get(
        reverse("programs:expenditure-list")
    )
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("accounts:login"))
    if status == 200:
        listed = [row.pk for row in response.context["page"].object_list]
        assert listed == ([spent.pk] if name in LINE_HOLDERS else [])


@pytest.mark.parametrize(("name", "status"), LINE_VIEWERS)
def test_budget_line_detail_by_role(
    cast: Cast,
    spent: m.Expenditure,
    line: m.BudgetLine,
    outsider: User,
    admin: User,
    name: str,
    status: int,
) -> None:
    response = client_for(user_named(cast, name, outsider, admin)).get(
        reverse("programs:budget-line-detail", args=[line.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert [e.pk for e in response.context["page"].object_list] == [spent.pk]
        assert response.context["can_submit"] is (name in {"program_admin", "coordinator", "admin"})


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        ROLES,
        program_admin=200,
        coordinator=403,  # sees the program (a partner's coordinator), manages no budget
        other_coordinator=404,
        tutor=403,  # sees the program through a student
        student=403,
        outsider=404,
        admin=200,
        anonymous=302,
    ),
)
def test_budget_line_create_page_by_role(
    cast: Cast, outsider: User, admin: User, name: str, status: int
) -> None:
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    response = client_for(user_named(cast, name, outsider, admin)).get(
        reverse("programs:budget-line-create", args=[cast.program.pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(("name", "status"), LINE_VIEWERS)
def test_expenditure_create_page_by_role(
    cast: Cast, line: m.BudgetLine, outsider: User, admin: User, name: str, status: int
) -> None:
    response = client_for(user_named(cast, name, outsider, admin)).get(
        reverse("programs:expenditure-create", args=[line.pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(("name", "status"), LINE_VIEWERS)
def test_expenditure_detail_by_role(
    cast: Cast, spent: m.Expenditure, outsider: User, admin: User, name: str, status: int
) -> None:
    response = client_for(user_named(cast, name, outsider, admin)).get(
        reverse("programs:expenditure-detail", args=[spent.pk])
    )
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        approve_url = reverse("programs:expenditure-approve", args=[spent.pk])
        deciding = name in {"program_admin", "admin"}
        assert response.context["can_decide"] is deciding
        assert (approve_url in page) is deciding
        assert reverse("programs:expenditure-receipt", args=[spent.pk]) in page
        assert "invoice.png" in page


@pytest.mark.parametrize(("name", "status"), LINE_VIEWERS)
def test_receipt_is_served_only_to_those_who_see_the_expenditure(
    cast: Cast, spent: m.Expenditure, outsider: User, admin: User, name: str, status: int
) -> None:
    response = client_for(user_named(cast, name, outsider, admin)).get(
        reverse("programs:expenditure-receipt", args=[spent.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
        assert 'filename="invoice.png"' in response["Content-Disposition"]
        assert response["Content-Disposition"].startswith("attachment")
    response.close()


def test_receipt_of_an_expenditure_without_one_is_not_found(cast: Cast, line: m.BudgetLine) -> None:
    bare = ExpenditureFactory(line=line, submitted_by=cast.coordinator)
    response = client_for(cast.program_admin).get(
        reverse("programs:expenditure-receipt", args=[bare.pk])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        ROLES,
        program_admin=302,
        coordinator=403,  # the submitter: refused, with the reason
        other_coordinator=404,
        tutor=404,
        student=404,
        outsider=404,
        admin=302,
        anonymous=302,
    ),
)
def test_approve_by_role(
    cast: Cast, spent: m.Expenditure, outsider: User, admin: User, name: str, status: int
) -> None:
    user = user_named(cast, name, outsider, admin)
    response = client_for(user).post(
        reverse("programs:expenditure-approve", args=[spent.pk]), {"override_reason": ""}
    )
    assert response.status_code == status
    after = refreshed(spent)
    if name in {"program_admin", "admin"}:
        assert response.url == reverse("programs:expenditure-detail", args=[spent.pk])
        assert after.status == Status.APPROVED
        assert after.approved_by == user
    else:
        assert after.status == Status.SUBMITTED
        assert after.approved_by is None
    if name == "anonymous":
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        ROLES,
        program_admin=302,
        coordinator=403,
        other_coordinator=404,
        tutor=404,
        student=404,
        outsider=404,
        admin=302,
        anonymous=302,
    ),
)
def test_reject_by_role(
    cast: Cast, spent: m.Expenditure, outsider: User, admin: User, name: str, status: int
) -> None:
    response = client_for(user_named(cast, name, outsider, admin)).post(
        reverse("programs:expenditure-reject", args=[spent.pk]), {"reason": "No quote attached."}
    )
    assert response.status_code == status
    after = refreshed(spent)
    if status == 302 and name != "anonymous":
        assert after.status == Status.REJECTED
        assert after.rejection_reason == "No quote attached."
    else:
        assert after.status == Status.SUBMITTED
        assert after.rejection_reason == ""


# ---- Nobody decides on their own spending --------------------------------------------------


def test_submitter_is_not_offered_the_decision_and_is_refused_with_a_message(
    cast: Cast, spent: m.Expenditure
) -> None:
    client = client_for(cast.coordinator)
    page = client.get(reverse("programs:expenditure-detail", args=[spent.pk]))
    assert page.status_code == 200
    assert reverse("programs:expenditure-approve", args=[spent.pk]) not in page.content.decode()
    assert reverse("programs:expenditure-reject", args=[spent.pk]) not in page.content.decode()
    assert "someone else decides on it" in page.content.decode()

    for action, data in (("approve", {"override_reason": "Urgent"}), ("reject", {"reason": "x"})):
        response = client.post(reverse(f"programs:expenditure-{action}", args=[spent.pk]), data)
        assert response.status_code == 403
        assert "Nobody approves or rejects their own expenditure." in response.content.decode()
    after = refreshed(spent)
    assert (after.status, after.approved_by, after.decided_at) == (Status.SUBMITTED, None, None)
    assert after.override_reason == after.rejection_reason == ""


def test_program_admin_cannot_approve_what_they_submitted(cast: Cast, line: m.BudgetLine) -> None:
    client = client_for(cast.program_admin)
    response = client.post(
        reverse("programs:expenditure-create", args=[line.pk]),
        {
            "amount": "80.00",
            "spent_on": "2026-04-01",
            "category": "travel",
            "payee": "Rail",
            "description": "Visit to the hospital",
        },
    )
    own = m.Expenditure.objects.get(payee="Rail")
    assert response.url == reverse("programs:expenditure-detail", args=[own.pk])
    page = client.get(response.url)
    assert page.context["can_decide"] is False
    assert reverse("programs:expenditure-approve", args=[own.pk]) not in page.content.decode()
    refused = client.post(reverse("programs:expenditure-approve", args=[own.pk]))
    assert refused.status_code == 403
    assert "Nobody approves or rejects their own expenditure." in refused.content.decode()
    assert refreshed(own).status == Status.SUBMITTED


def test_coordinator_who_did_not_submit_may_not_decide(cast: Cast, line: m.BudgetLine) -> None:
    by_petra = ExpenditureFactory(line=line, submitted_by=cast.program_admin)
    client = client_for(cast.coordinator)
    assert (
        client.get(reverse("programs:expenditure-detail", args=[by_petra.pk])).context["can_decide"]
        is False
    )
    response = client.post(reverse("programs:expenditure-approve", args=[by_petra.pk]))
    assert response.status_code == 403
    assert refreshed(by_petra).status == Status.SUBMITTED


def test_line_approver_decides_on_what_others_submit(cast: Cast, line: m.BudgetLine) -> None:
    line.approver = cast.coordinator
    line.save()
    by_petra = ExpenditureFactory(line=line, submitted_by=cast.program_admin)
    client = client_for(cast.coordinator)
    page = client.get(reverse("programs:expenditure-detail", args=[by_petra.pk]))
    assert page.context["can_decide"] is True
    response = client.post(reverse("programs:expenditure-approve", args=[by_petra.pk]))
    assert response.status_code == 302
    after = refreshed(by_petra)
    assert (after.status, after.approved_by) == (Status.APPROVED, cast.coordinator)


# ---- Overspending needs a reason; rejecting too ---------------------------------------------


def test_overspend_needs_a_reason_shown_with_the_amounts(
    cast: Cast, line: m.BudgetLine, spent: m.Expenditure
) -> None:
    earlier = ExpenditureFactory(line=line, amount=Decimal("900.00"), submitted_by=cast.coordinator)
    approve(earlier, cast.program_admin)
    client = client_for(cast.program_admin)
    url = reverse("programs:expenditure-approve", args=[spent.pk])

    response = client.post(url, {"override_reason": "  "})
    assert response.status_code == 200
    errors = response.context["approve_form"].errors
    assert "over its" in errors["override_reason"][0]
    page = response.content.decode()
    for amount in ("1,000.00", "900.00", "100.00", "250.00"):
        assert amount in page, amount
    line_shown = response.context["line"]
    assert (line_shown.amount, line_shown.approved_total, line_shown.remaining) == (
        Decimal("1000.00"),
        Decimal("900.00"),
        Decimal("100.00"),
    )
    after = refreshed(spent)
    assert (after.status, after.override_reason) == (Status.SUBMITTED, "")

    response = client.post(url, {"override_reason": "Quality-control audit next week"})
    assert response.status_code == 302
    after = refreshed(spent)
    assert after.status == Status.APPROVED
    assert after.override_reason == "Quality-control audit next week"
    detail = client.get(response.url)
    assert "Quality-control audit next week" in detail.content.decode()
    assert detail.context["line"].remaining == Decimal("-150.00")


def test_within_the_line_no_reason_is_needed_nor_kept(cast: Cast, spent: m.Expenditure) -> None:
    response = client_for(cast.program_admin).post(
        reverse("programs:expenditure-approve", args=[spent.pk]),
        {"override_reason": "Not needed"},
    )
    assert response.status_code == 302
    after = refreshed(spent)
    assert (after.status, after.override_reason) == (Status.APPROVED, "")


def test_reject_without_reason_is_a_field_error(cast: Cast, spent: m.Expenditure) -> None:
    response = client_for(cast.program_admin).post(
        reverse("programs:expenditure-reject", args=[spent.pk]), {"reason": " "}
    )
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"] == [
        "Say why the expenditure is rejected."
    ]
    assert refreshed(spent).status == Status.SUBMITTED


def test_deciding_twice_says_it_was_already_decided(cast: Cast, spent: m.Expenditure) -> None:
    client = client_for(cast.program_admin)
    assert client.post(reverse("programs:expenditure-approve", args=[spent.pk])).status_code == 302
    again = client.post(reverse("programs:expenditure-reject", args=[spent.pk]), {"reason": "x"})
    assert again.status_code == 200
    assert "already decided" in again.content.decode()
    assert refreshed(spent).status == Status.APPROVED


def test_decisions_accept_only_post(cast: Cast, spent: m.Expenditure) -> None:
    client = client_for(cast.program_admin)
    for name in ("expenditure-approve", "expenditure-reject"):
        assert client.get(reverse(f"programs:{name}", args=[spent.pk])).status_code == 405
    assert refreshed(spent).status == Status.SUBMITTED


# ---- Submitting an expenditure -------------------------------------------------------------


def expenditure_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "amount": "120.50",
        "spent_on": "2026-05-04",
        "category": "materials",
        "payee": "Contrast Ltd",
        "description": "Contrast agent for the phantom study",
    }
    data.update(overrides)
    return data


def test_coordinator_submits_an_expenditure_with_a_receipt(
    cast: Cast, line: m.BudgetLine, settings: Any
) -> None:
    client = client_for(cast.coordinator)
    pdf = SimpleUploadedFile("quote.pdf", pdf_bytes())
    response = client.post(
        reverse("programs:expenditure-create", args=[line.pk]), expenditure_data(receipt=pdf)
    )
    assert response.status_code == 302, response.context["form"].errors
    expenditure = m.Expenditure.objects.get()
    assert response.url == reverse("programs:expenditure-detail", args=[expenditure.pk])
    assert expenditure.amount == Decimal("120.50")
    assert expenditure.submitted_by == cast.coordinator
    assert expenditure.status == Status.SUBMITTED
    assert len(receipts_on_disk(settings)) == 1
    download = client.get(reverse("programs:expenditure-receipt", args=[expenditure.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    download.close()


BAD_INPUT = [
    ({"amount": "-5"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"amount": "0.00"}, "amount"),
    ({"amount": "twelve"}, "amount"),
    ({"amount": "12,50"}, "amount"),
    ({"amount": "1.234"}, "amount"),
    ({"amount": "1e20"}, "amount"),
    ({"amount": "NaN"}, "amount"),
    ({"amount": ""}, "amount"),
    ({"spent_on": "2025-12-31"}, "spent_on"),  # before the line's period
    ({"spent_on": "2027-01-01"}, "spent_on"),  # after it
    ({"spent_on": "2026-13-45"}, "spent_on"),
    ({"spent_on": "99999-01-01"}, "spent_on"),
    ({"category": "caviar"}, "category"),
    ({"payee": "   "}, "payee"),
    ({"description": ""}, "description"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_bad_expenditure_input_is_a_field_error_and_nothing_is_saved(
    cast: Cast, line: m.BudgetLine, settings: Any, overrides: dict[str, str], field: str
) -> None:
    response = client_for(cast.coordinator).post(
        reverse("programs:expenditure-create", args=[line.pk]),
        expenditure_data(
            receipt=SimpleUploadedFile("r.png", PNG, content_type="image/png"), **overrides
        ),
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not m.Expenditure.objects.exists()
    assert receipts_on_disk(settings) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100),
        ("receipt.pdf", b"This is only text pretending to be a PDF."),
        ("receipt.png", b"%PDF-1.7 a PDF named as a PNG"),
        ("receipt.gif", b"GIF89a" + b"\x00" * 20),
        ("receipt", b"%PDF-1.7 without an extension"),
    ],
)
def test_receipt_of_the_wrong_type_is_refused(
    cast: Cast, line: m.BudgetLine, settings: Any, name: str, content: bytes
) -> None:
    response = client_for(cast.coordinator).post(
        reverse("programs:expenditure-create", args=[line.pk]),
        expenditure_data(receipt=SimpleUploadedFile(name, content)),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["receipt"] == [
        "Upload the receipt as a PDF, JPEG or PNG file."
    ]
    assert not m.Expenditure.objects.exists()
    assert receipts_on_disk(settings) == []


def test_receipt_larger_than_the_limit_is_refused(
    cast: Cast, line: m.BudgetLine, settings: Any
) -> None:
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES)
    response = client_for(cast.coordinator).post(
        reverse("programs:expenditure-create", args=[line.pk]), expenditure_data(receipt=big)
    )
    assert response.status_code == 200
    assert "larger than" in response.context["form"].errors["receipt"][0]
    assert not m.Expenditure.objects.exists()
    assert receipts_on_disk(settings) == []


def test_empty_receipt_is_refused(cast: Cast, line: m.BudgetLine) -> None:
    response = client_for(cast.coordinator).post(
        reverse("programs:expenditure-create", args=[line.pk]),
        expenditure_data(receipt=SimpleUploadedFile("empty.pdf", b"")),
    )
    assert response.status_code == 200
    assert "receipt" in response.context["form"].errors
    assert not m.Expenditure.objects.exists()


def test_non_submitters_cannot_post_an_expenditure(cast: Cast, line: m.BudgetLine) -> None:
    for user, status in ((cast.other_coordinator, 404), (cast.tutor.user, 404)):
        response = client_for(user).post(
            reverse("programs:expenditure-create", args=[line.pk]), expenditure_data()
        )
        assert response.status_code == status
    assert not m.Expenditure.objects.exists()


# ---- Creating a budget line ----------------------------------------------------------------


def line_data(cast: Cast, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "holder": cast.hospital.pk,
        "category": "equipment",
        "title": "Ultrasound trainer",
        "amount": "25000.00",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "approver": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def partner(cast: Cast) -> m.ProgramPartner:
    return m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )


def test_program_admin_creates_a_budget_line(cast: Cast, partner: m.ProgramPartner) -> None:
    client = client_for(cast.program_admin)
    url = reverse("programs:budget-line-create", args=[cast.program.pk])
    form = client.get(url).context["form"]
    assert set(form.fields["holder"].queryset) == {cast.hospital, cast.program.lead_university}
    assert cast.program_admin in form.fields["approver"].queryset
    assert cast.coordinator in form.fields["approver"].queryset
    assert cast.other_coordinator not in form.fields["approver"].queryset
    response = client.post(url, line_data(cast, approver=cast.coordinator.pk))
    created = m.BudgetLine.objects.get()
    assert response.url == reverse("programs:budget-line-detail", args=[created.pk])
    assert (created.amount, created.holder, created.approver) == (
        Decimal("25000.00"),
        cast.hospital,
        cast.coordinator,
    )
    page = client.get(response.url).content.decode()
    assert "25,000.00" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"amount": "999999999999999"}, "amount"),
        ({"end_date": "2025-12-31"}, "end_date"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"title": "  "}, "title"),
        ({"category": "yachts"}, "category"),
        ({"holder": "other"}, "holder"),  # not taking part in the program
        ({"approver": "other"}, "approver"),  # not one of the program's people
    ],
)
def test_bad_budget_line_input_is_a_field_error_and_nothing_is_saved(
    cast: Cast, partner: m.ProgramPartner, overrides: dict[str, Any], field: str
) -> None:
    values = {
        key: (
            cast.other_hospital.pk
            if key == "holder" and value == "other"
            else UserFactory().pk
            if key == "approver" and value == "other"
            else value
        )
        for key, value in overrides.items()
    }
    response = client_for(cast.program_admin).post(
        reverse("programs:budget-line-create", args=[cast.program.pk]), line_data(cast, **values)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not m.BudgetLine.objects.exists()


def test_coordinator_cannot_post_a_budget_line(cast: Cast, partner: m.ProgramPartner) -> None:
    response = client_for(cast.coordinator).post(
        reverse("programs:budget-line-create", args=[cast.program.pk]), line_data(cast)
    )
    assert response.status_code == 403
    assert not m.BudgetLine.objects.exists()


# ---- Lists: totals, filters, pagination ----------------------------------------------------


def test_line_list_shows_totals_with_two_decimals(cast: Cast, line: m.BudgetLine) -> None:
    line.amount = Decimal("1234567.5")
    line.save()
    approve(ExpenditureFactory(line=line, amount=Decimal("0.10")), cast.program_admin)
    ExpenditureFactory(line=line, amount=Decimal("2000.00"))
    ExpenditureFactory(
        line=line, amount=Decimal("99.99"), status=Status.REJECTED, decided_at=timezone.now()
    )
    response = client_for(cast.program_admin).get(reverse("programs:budget-line-list"))
    row = response.context["page"].object_list[0]
    assert (row.approved_total, row.pending_total, row.remaining) == (
        Decimal("0.10"),
        Decimal("2000.00"),
        Decimal("1234567.40"),
    )
    assert response.context["totals"] == {
        "amount": Decimal("1234567.50"),
        "approved": Decimal("0.10"),
        "pending": Decimal("2000.00"),
        "remaining": Decimal("1234567.40"),
    }
    page = response.content.decode()
    for shown in ("1,234,567.50", "1,234,567.40", "2,000.00", "0.10"):
        assert shown in page


def test_line_list_filters_by_program_and_offers_new_lines_where_managed(
    cast: Cast, line: m.BudgetLine, admin: User
) -> None:
    elsewhere = BudgetLineFactory(program=ProgramFactory(), holder=OrganizationFactory())
    client = client_for(admin)
    everything = client.get(reverse("programs:budget-line-list"))
    assert {row.pk for row in everything.context["page"].object_list} == {line.pk, elsewhere.pk}
    only = client.get(reverse("programs:budget-line-list"), {"program": cast.program.pk})
    assert [row.pk for row in only.context["page"].object_list] == [line.pk]
    assert only.context["totals"]["amount"] == line.amount
    bad = client.get(reverse("programs:budget-line-list"), {"program": "abc"})
    assert bad.status_code == 400
    assert "program" in bad.context["form"].errors
    petra = client_for(cast.program_admin).get(reverse("programs:budget-line-list"))
    create = reverse("programs:budget-line-create", args=[cast.program.pk])
    assert create in petra.content.decode()
    cora = client_for(cast.coordinator).get(reverse("programs:budget-line-list"))
    assert "/budget/new/" not in cora.content.decode()


def test_expenditure_list_filters_by_status_and_program(
    cast: Cast, line: m.BudgetLine, admin: User
) -> None:
    waiting = ExpenditureFactory(line=line, amount=Decimal("10.00"))
    done = ExpenditureFactory(line=line, amount=Decimal("20.00"))
    approve(done, cast.program_admin)
    elsewhere = ExpenditureFactory(amount=Decimal("30.00"))
    client = client_for(admin)
    url = reverse("programs:expenditure-list")

    def listed(**query: Any) -> set[int]:
        response = client.get(url, query)
        assert response.status_code == 200
        return {row.pk for row in response.context["page"].object_list}

    assert listed() == {waiting.pk, done.pk, elsewhere.pk}
    assert listed(status="submitted") == {waiting.pk, elsewhere.pk}
    assert listed(status="approved") == {done.pk}
    assert listed(program=cast.program.pk) == {waiting.pk, done.pk}
    assert listed(status="submitted", program=cast.program.pk) == {waiting.pk}
    summary = client.get(url, {"program": cast.program.pk}).context["summary"]
    assert summary == {"count": 2, "total": Decimal("30.00")}
    for bad in ({"status": "paid"}, {"program": "x"}, {"program": "999999"}):
        response = client.get(url, bad)
        assert response.status_code == 400
        assert set(bad) <= set(response.context["form"].errors)
        assert list(response.context["page"].object_list) == []


def test_coordinator_cannot_filter_into_another_program(cast: Cast, spent: m.Expenditure) -> None:
    elsewhere = ExpenditureFactory()
    response = client_for(cast.coordinator).get(
        reverse("programs:expenditure-list"), {"program": elsewhere.line.program_id}
    )
    assert response.status_code == 400
    assert list(response.context["page"].object_list) == []


def test_expenditure_list_is_paginated(cast: Cast, line: m.BudgetLine) -> None:
    ExpenditureFactory.create_batch(30, line=line)
    client = client_for(cast.program_admin)
    first = client.get(reverse("programs:expenditure-list"), {"status": "submitted"})
    assert len(first.context["page"].object_list) == 25
    assert "status=submitted&amp;page=2" in first.content.decode()
    second = client.get(reverse("programs:expenditure-list"), {"status": "submitted", "page": 2})
    assert len(second.context["page"].object_list) == 5
    assert second.context["summary"]["count"] == 30


# ---- Query counts stay flat ----------------------------------------------------------------


def _more_lines(cast: Cast, count: int) -> None:
    for n in range(count):
        more = BudgetLineFactory(program=cast.program, holder=cast.hospital, title=f"More {n}")
        ExpenditureFactory(line=more, submitted_by=cast.coordinator)
        approve(ExpenditureFactory(line=more, submitted_by=cast.coordinator), cast.program_admin)


def _more_expenditures(cast: Cast, line: m.BudgetLine, count: int) -> None:
    for n in range(count):
        expenditure = ExpenditureFactory(line=line, submitted_by=cast.coordinator, payee=f"P{n}")
        if n % 2:
            approve(expenditure, cast.program_admin)


def test_budget_line_list_query_count_is_flat(cast: Cast, line: m.BudgetLine) -> None:
    client = client_for(cast.program_admin)
    assert_flat_queries(
        lambda: client.get(reverse("programs:budget-line-list")),
        lambda: _more_lines(cast, 49),
        max_queries=14,
    )


def test_budget_line_detail_query_count_is_flat(cast: Cast, line: m.BudgetLine) -> None:
    ExpenditureFactory(line=line, submitted_by=cast.coordinator)
    client = client_for(cast.program_admin)
    assert_flat_queries(
        lambda: client.get(reverse("programs:budget-line-detail", args=[line.pk])),
        lambda: _more_expenditures(cast, line, 49),
        max_queries=12,
    )


def test_expenditure_list_query_count_is_flat(cast: Cast, line: m.BudgetLine) -> None:
    ExpenditureFactory(line=line, submitted_by=cast.coordinator)
    client = client_for(cast.coordinator)
    assert_flat_queries(
        lambda: client.get(reverse("programs:expenditure-list"), {"program": cast.program.pk}),
        lambda: _more_expenditures(cast, line, 49),
        max_queries=14,
    )


def test_expenditure_detail_query_count_is_flat(cast: Cast, spent: m.Expenditure) -> None:
    line = spent.line
    client = client_for(cast.program_admin)
    assert_flat_queries(
        lambda: client.get(reverse("programs:expenditure-detail", args=[spent.pk])),
        lambda: _more_expenditures(cast, line, 49),
        max_queries=12,
    )


# ---- Navigation, program page, attention ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "offered"),
    [
        ("program_admin", True),
        ("coordinator", True),
        ("other_coordinator", True),
        ("admin", True),
        ("tutor", False),
        ("student", False),
        ("outsider", False),
    ],
)
def test_funds_navigation_entry(
    cast: Cast, outsider: User, admin: User, name: str, offered: bool
) -> None:
    user = user_named(cast, name, outsider, admin)
    urls = [entry.url for entry in entries_for(user)]
    assert (reverse("programs:budget-line-list") in urls) is offered


def test_program_page_links_to_the_budget_for_its_administrators(cast: Cast) -> None:
    create = reverse("programs:budget-line-create", args=[cast.program.pk])
    url = reverse("programs:program-detail", args=[cast.program.pk])
    assert create in client_for(cast.program_admin).get(url).content.decode()
    assert create not in client_for(cast.student.user).get(url).content.decode()


def _waiting(user: User) -> int:
    items = funds_attention(user)
    assert len(items) == 1
    assert items[0].url == reverse("programs:expenditure-list") + "?status=submitted"
    return items[0].count


def test_attention_counts_expenditures_awaiting_the_users_decision(
    cast: Cast, line: m.BudgetLine, admin: User, outsider: User
) -> None:
    ExpenditureFactory.create_batch(2, line=line, submitted_by=cast.coordinator)
    ExpenditureFactory(line=line, submitted_by=cast.program_admin)  # Petra's own
    approve(ExpenditureFactory(line=line, submitted_by=cast.coordinator), admin)
    ExpenditureFactory(submitted_by=cast.coordinator)  # another program's line
    assert _waiting(cast.program_admin) == 2
    assert _waiting(admin) == 4
    assert _waiting(cast.coordinator) == 0  # submits, does not decide
    assert _waiting(cast.tutor.user) == 0
    assert _waiting(outsider) == 0
    line.approver = cast.coordinator
    line.save()
    assert _waiting(cast.coordinator) == 1  # Petra's, now that Cora approves the line
    assert _waiting(cast.other_coordinator) == 0
    assert funds_attention(AnonymousUser()) == []


def test_attention_is_one_query_and_on_the_home_dashboard(cast: Cast, line: m.BudgetLine) -> None:
    ExpenditureFactory.create_batch(3, line=line, submitted_by=cast.coordinator)
    ContentType.objects.get_for_model(m.Program)  # the content-type cache, not the user's data
    petra = User.objects.get(pk=cast.program_admin.pk)
    assert Role.PROGRAM_ADMIN in petra.role_names  # as on every page: the navigation reads them
    with CaptureQueriesContext(connection) as queries:
        count = funds_attention(petra)[0].count
    assert count == 3
    assert len(queries) == 1
    labels = [str(item.label) for item in attention_for(petra)]
    assert "Expenditures awaiting your decision" in labels
