"""One submission shows the field errors and the cross-field errors (date order, amounts,
periods) together, instead of one round of errors after another."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from programs import models as m
from tests.cast import Cast
from tests.clients import client_for

from .factories import BudgetLineFactory

pytestmark = pytest.mark.django_db


def errors_of(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def test_a_program_with_a_bad_field_and_an_end_before_its_start(cast: Cast) -> None:
    response = client_for(cast.program_admin).post(
        reverse("programs:program-create"),
        {
            "code": "NEWMIT",
            "title": "",
            "discipline": "Nursing",
            "degree_type": m.Program.DegreeType.PROFESSIONAL,
            "lead_university": cast.program.lead_university_id,
            "start_date": "2026-09-01",
            "end_date": "2026-08-31",
        },
    )
    assert errors_of(response) == {
        "title": ["This field is required."],
        "end_date": ["The program cannot end before it starts."],
    }
    assert not m.Program.objects.filter(code="NEWMIT").exists()


def test_a_program_without_an_end_date_has_no_date_order_error(cast: Cast) -> None:
    response = client_for(cast.program_admin).post(
        reverse("programs:program-create"),
        {"code": "NEWMIT", "title": "", "start_date": "2026-09-01", "end_date": ""},
    )
    assert "end_date" not in errors_of(response)


def test_a_budget_line_with_a_bad_title_a_zero_amount_and_a_backwards_period(
    cast: Cast,
) -> None:
    response = client_for(cast.program_admin).post(
        reverse("programs:budget-line-create", args=[cast.program.pk]),
        {
            "holder": cast.program.lead_university_id,
            "category": "equipment",
            "title": "",
            "amount": "0",
            "start_date": "2026-12-31",
            "end_date": "2026-01-01",
        },
    )
    assert errors_of(response) == {
        "title": ["This field is required."],
        "amount": ["The amount must be more than zero."],
        "end_date": ["The period cannot end before it starts."],
    }
    assert not m.BudgetLine.objects.exists()


def test_an_expenditure_with_a_bad_payee_a_zero_amount_and_a_date_outside_the_line(
    cast: Cast,
) -> None:
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    line = BudgetLineFactory(
        program=cast.program,
        holder=cast.hospital,
        amount=Decimal("1000.00"),
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    response = client_for(cast.coordinator).post(
        reverse("programs:expenditure-create", args=[line.pk]),
        {
            "amount": "0",
            "spent_on": "2027-02-01",
            "category": "materials",
            "payee": "",
            "description": "Contrast agent",
        },
    )
    assert errors_of(response) == {
        "amount": ["The amount must be more than zero."],
        "payee": ["This field is required."],
        "spent_on": [
            "The date must fall within the line's period, 1 January 2026 to 31 December 2026."
        ],
    }
    assert not m.Expenditure.objects.exists()


def test_a_partner_with_a_bad_number_of_places_and_an_agreement_ending_before_it_starts(
    cast: Cast,
) -> None:
    response = client_for(cast.program_admin).post(
        reverse("programs:partner-add", args=[cast.program.pk]),
        {
            "organization": cast.other_hospital.pk,
            "agreement_start": "2026-09-01",
            "agreement_end": "2026-01-31",
            "places_offered": "-2",
        },
    )
    errors = errors_of(response)
    assert errors["agreement_end"] == ["The agreement cannot end before it starts."]
    assert set(errors) == {"agreement_end", "places_offered"}
    assert not m.ProgramPartner.objects.filter(organization=cast.other_hospital).exists()
