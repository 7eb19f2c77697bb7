"""Every file kept with a program record can be opened again, by those who see the record:
milestone evidence (student page), signed partner agreements (program page), receipts
(expenditure page); through the pages and the API, whose records carry absolute links."""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import cast as cast_to
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import User
from programs import models as m
from programs.funds import services as funds
from tests.cast import Cast, who
from tests.clients import api_for, client_for
from tests.files import image_bytes, pdf_bytes, upload
from tests.queries import assert_flat_queries

from .factories import BudgetLineFactory, MilestoneTemplateFactory, StudentFactory

pytestmark = pytest.mark.django_db

EVIDENCE = pdf_bytes(pages=2)
AGREEMENT = pdf_bytes()
RECEIPT = image_bytes("PNG")


def person(cast: Cast, name: str, outsider: User, admin: User) -> User | None:
    if name == "anonymous":
        return None
    return {"admin": admin, "other_coordinator": cast.other_coordinator}.get(name) or who(
        cast, name, outsider
    )


def evidence_of(student: m.Student, name: str = "答辩记录.pdf") -> m.Milestone:
    milestone = m.Milestone.objects.create(
        student=student,
        template=cast_to(m.MilestoneTemplate, MilestoneTemplateFactory(program=student.program)),
        kind="defence",
        title="Proposal defence",
        due_date=dt.date(2026, 6, 1),
    )
    milestone.evidence_file.save(name, ContentFile(EVIDENCE))
    return milestone


def partner_of(cast: Cast, *, with_file: bool = True) -> m.ProgramPartner:
    partner = m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    if with_file:
        partner.agreement_file.save("协议.pdf", ContentFile(AGREEMENT))
    return partner


def receipt_of(cast: Cast) -> m.Expenditure:
    if not m.ProgramPartner.objects.filter(organization=cast.hospital).exists():
        partner_of(cast, with_file=False)
    line = cast_to(
        m.BudgetLine,
        BudgetLineFactory(program=cast.program, holder=cast.hospital, amount="1000.00"),
    )
    return funds.submit_expenditure(
        user=cast.coordinator,
        line=line,
        amount="25.00",
        spent_on=dt.date(2026, 3, 2),
        category="materials",
        payee="Imaging Supplies Co.",
        description="Phantoms",
        receipt=upload("发票.png", RECEIPT, "image/png"),
    )


def downloaded(response: Any) -> bytes:
    content = b"".join(response.streaming_content)
    response.close()
    return content


def assert_served(response: Any, content: bytes, content_type: str, name: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["Content-Disposition"].endswith("filename*=UTF-8''" + quote(name, safe=""))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert downloaded(response) == content


# ---- Milestone evidence: the student's care circle -----------------------------------------

CARE = {"admin", "program_admin", "tutor", "practice_tutor", "student"}
ALL = [
    "admin",
    "program_admin",
    "coordinator",
    "other_coordinator",
    "tutor",
    "practice_tutor",
    "other_tutor",
    "student",
    "other_student",
    "outsider",
]


@pytest.mark.parametrize("name", ALL)
def test_milestone_evidence_opens_for_the_students_care_circle_only(
    cast: Cast, outsider: User, admin: User, name: str
) -> None:
    milestone = evidence_of(cast.student)
    user = person(cast, name, outsider, admin)
    page = client_for(user).get(reverse("programs:milestone-evidence", args=[milestone.pk]))
    api = api_for(user).get(reverse("api:milestone-evidence-file", args=[milestone.pk]))
    if name in CARE:
        assert_served(page, EVIDENCE, "application/pdf", "答辩记录.pdf")
        assert_served(api, EVIDENCE, "application/pdf", "答辩记录.pdf")
    else:
        assert (page.status_code, api.status_code) == (404, 404)


def test_anonymous_visitors_are_sent_to_sign_in_for_evidence(cast: Cast) -> None:
    milestone = evidence_of(cast.student)
    url = reverse("programs:milestone-evidence", args=[milestone.pk])
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    api = api_for(None).get(reverse("api:milestone-evidence-file", args=[milestone.pk]))
    assert api.status_code == 401


def test_a_milestone_without_a_file_or_a_guessed_id_is_a_404(cast: Cast) -> None:
    milestone = evidence_of(cast.student)
    bare = m.Milestone.objects.create(
        student=cast.student, kind="defence", title="Thesis", due_date=dt.date(2027, 6, 1)
    )
    client = client_for(cast.tutor.user)
    for pk in (bare.pk, milestone.pk + 1000):
        assert client.get(reverse("programs:milestone-evidence", args=[pk])).status_code == 404
    api = api_for(cast.tutor.user)
    assert api.get(reverse("api:milestone-evidence-file", args=[bare.pk])).status_code == 404


def test_the_student_page_links_the_evidence(cast: Cast) -> None:
    milestone = evidence_of(cast.student)
    page = client_for(cast.student.user).get(reverse("programs:student", args=[cast.student.pk]))
    assert reverse("programs:milestone-evidence", args=[milestone.pk]) in page.content.decode()


def test_the_api_shows_an_absolute_evidence_url_or_null(cast: Cast) -> None:
    milestone = evidence_of(cast.student)
    m.Milestone.objects.create(
        student=cast.student, kind="defence", title="Thesis", due_date=dt.date(2027, 6, 1)
    )
    rows = api_for(cast.tutor.user).get(reverse("api:milestone-list")).json()["results"]
    urls = {row["id"]: row["evidence_file_url"] for row in rows}
    path = reverse("api:milestone-evidence-file", args=[milestone.pk])
    assert urls.pop(milestone.pk) == "http://testserver" + path
    assert set(urls.values()) == {None}


def test_the_milestone_list_stays_flat_with_files(cast: Cast) -> None:
    api = api_for(cast.program_admin)

    def grow() -> None:
        for _ in range(3):
            evidence_of(cast_to(m.Student, StudentFactory(program=cast.program)))

    evidence_of(cast.student)
    assert_flat_queries(lambda: api.get(reverse("api:milestone-list")), grow, max_queries=8)


# ---- Signed agreements: the program's administrators and the partner's coordinators ---------

AGREEMENT_STATUS = {
    "admin": 200,
    "program_admin": 200,
    "coordinator": 200,
    "other_coordinator": 404,
    "tutor": 403,
    "practice_tutor": 403,
    "other_tutor": 403,
    "student": 403,
    "other_student": 403,
    "outsider": 404,
}


@pytest.mark.parametrize(("name", "status"), AGREEMENT_STATUS.items())
def test_the_signed_agreement_by_role(
    cast: Cast, outsider: User, admin: User, name: str, status: int
) -> None:
    partner = partner_of(cast)
    user = person(cast, name, outsider, admin)
    page = client_for(user).get(reverse("programs:partner-agreement", args=[partner.pk]))
    api = api_for(user).get(reverse("api:program-partner-agreement-file", args=[partner.pk]))
    if status == 200:
        assert_served(page, AGREEMENT, "application/pdf", "协议.pdf")
        assert_served(api, AGREEMENT, "application/pdf", "协议.pdf")
    else:
        assert (page.status_code, api.status_code) == (status, status)


def test_a_partner_without_an_agreement_file_is_a_404(cast: Cast) -> None:
    partner = partner_of(cast, with_file=False)
    response = client_for(cast.program_admin).get(
        reverse("programs:partner-agreement", args=[partner.pk])
    )
    assert response.status_code == 404


def test_the_program_page_links_the_agreement_for_those_who_may_open_it(cast: Cast) -> None:
    partner = partner_of(cast)
    link = reverse("programs:partner-agreement", args=[partner.pk])
    url = reverse("programs:program-detail", args=[cast.program.pk])
    assert link in client_for(cast.program_admin).get(url).content.decode()
    assert link in client_for(cast.coordinator).get(url).content.decode()
    assert link not in client_for(cast.student.user).get(url).content.decode()


def test_the_api_shows_the_agreement_url_only_to_those_who_may_open_it(
    cast: Cast, settings: Any
) -> None:
    partner = partner_of(cast)
    path = reverse("api:program-partner-agreement-file", args=[partner.pk])

    def url_for(user: User) -> Any:
        detail = reverse("api:program-partner-detail", args=[partner.pk])
        return api_for(user).get(detail).json()["agreement_file_url"]

    assert url_for(cast.program_admin) == "http://testserver" + path
    assert url_for(cast.student.user) is None


def test_the_partner_list_stays_flat_with_agreements(cast: Cast) -> None:
    from .factories import OrganizationFactory

    api = api_for(cast.program_admin)
    partner_of(cast)

    def grow() -> None:
        for _ in range(3):
            partner = m.ProgramPartner.objects.create(
                program=cast.program,
                organization=cast_to(m.Organization, OrganizationFactory()),
                agreement_start=dt.date(2025, 9, 1),
            )
            partner.agreement_file.save("a.pdf", ContentFile(AGREEMENT))

    assert_flat_queries(lambda: api.get(reverse("api:program-partner-list")), grow, max_queries=8)


# ---- Receipts: through the API too ----------------------------------------------------------

RECEIPT_STATUS = {
    "admin": 200,
    "program_admin": 200,
    "coordinator": 200,
    "other_coordinator": 404,
    "tutor": 404,
    "student": 404,
    "outsider": 404,
}


@pytest.mark.parametrize(("name", "status"), RECEIPT_STATUS.items())
def test_the_receipt_through_the_api_by_role(
    cast: Cast, outsider: User, admin: User, name: str, status: int
) -> None:
    expenditure = receipt_of(cast)
    user = person(cast, name, outsider, admin)
    response = api_for(user).get(reverse("api:expenditure-receipt", args=[expenditure.pk]))
    if status == 200:
        assert_served(response, RECEIPT, "image/png", "发票.png")
    else:
        assert response.status_code == status


def test_the_expenditure_page_serves_the_receipt_with_its_chinese_name(cast: Cast) -> None:
    expenditure = receipt_of(cast)
    response = client_for(cast.program_admin).get(
        reverse("programs:expenditure-receipt", args=[expenditure.pk])
    )
    assert_served(response, RECEIPT, "image/png", "发票.png")


def test_the_api_shows_an_absolute_receipt_url(cast: Cast, settings: Any) -> None:
    expenditure = receipt_of(cast)
    detail = api_for(cast.program_admin).get(
        reverse("api:expenditure-detail", args=[expenditure.pk])
    )
    path = reverse("api:expenditure-receipt", args=[expenditure.pk])
    assert detail.json()["receipt_url"] == "http://testserver" + path


def test_the_expenditure_list_stays_flat_with_receipts(cast: Cast) -> None:
    api = api_for(cast.program_admin)
    receipt_of(cast)

    def grow() -> None:
        for _ in range(3):
            receipt_of(cast)

    assert_flat_queries(lambda: api.get(reverse("api:expenditure-list")), grow, max_queries=8)
