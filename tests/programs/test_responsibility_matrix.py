"""A program's responsibility matrix: its partners against the ten responsibilities, each
cell not held / fulfilled / not fulfilled / not checked, with the evidence the audit rule
`responsibility_unfulfilled` reads (the same checks, from programs.responsibilities)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from programs.models.programs import Responsibility
from programs.partners import responsibilities
from supervision.models import Inspection
from tests.cast import CAST_ROLES, Cast, who
from tests.clients import client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries

from .factories import (
    AssignmentFactory,
    BudgetLineFactory,
    CourseFactory,
    OrganizationFactory,
    PlacementFactory,
    StudentFactory,
    TutorFactory,
    grant,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def partner(c: Cast, organization: m.Organization, **extra: Any) -> m.ProgramPartner:
    return m.ProgramPartner.objects.create(
        program=c.program, organization=organization, agreement_start=ago(400), **extra
    )


# ---- What counts as activity, per responsibility --------------------------------------------


def hosts(c: Cast, org: m.Organization) -> None:
    PlacementFactory(student=c.other_student, host=org, start_date=ago(100), end_date=ago(-50))


def teaches(c: Cast, org: m.Organization) -> None:
    course = CourseFactory(delivering_organization=org, title="Imaging physics")
    m.ProgramCourse.objects.create(
        program=c.program, course=course, requirement="elective", semester=2
    )


def supervises(c: Cast, org: m.Organization) -> None:
    AssignmentFactory(
        student=c.other_student, tutor=TutorFactory(kind="practice", organization=org)
    )


def project(kind: str) -> Callable[[Cast, m.Organization], None]:
    def make(c: Cast, org: m.Organization) -> None:
        lead = OrganizationFactory()
        made = m.Project.objects.create(
            program=c.program, title=f"A {kind} project", kind=kind, size="small",
            lead_organization=lead,
        )  # fmt: skip
        made.partner_organizations.add(org)  # taking part counts as well as leading

    return make


def funds(c: Cast, org: m.Organization) -> None:
    BudgetLineFactory(program=c.program, holder=org, title="Device fund", end_date=ago(-100))


def counsels(c: Cast, org: m.Organization) -> None:
    grant(UserFactory(full_name="Mei Lin"), Role.COUNSELLOR, org)


def inspected(c: Cast, org: m.Organization) -> None:
    Inspection.objects.create(
        title="Routine inspection", inspection_type="routine", organization=org,
        starts_at=timezone.now() - dt.timedelta(days=60), ends_on=ago(58),
        status=Inspection.Status.PUBLISHED, created_by=c.program_admin,
    )  # fmt: skip


ACTIVITY: dict[str, Callable[[Cast, m.Organization], None]] = {
    "clinical_practice": hosts,
    "practical_training": hosts,
    "teaching": teaches,
    "curriculum_setting": teaches,
    "tutor_supervision": supervises,
    "research_training": project("research"),
    "knowledge_transfer": project("engineering"),
    "funding": funds,
    "mental_health_service": counsels,
    "supervision_external": inspected,
}


def test_every_responsibility_has_a_check() -> None:
    assert sorted(ACTIVITY) == sorted(Responsibility.values)
    assert all(responsibilities.check_for(value) for value in Responsibility.values)


def matrix_page(c: Cast, user: Any = None) -> Any:
    client = client_for(user or c.program_admin)
    return client.get(reverse("programs:responsibility-matrix", args=[c.program.pk]))


def cell(response: Any, organization: m.Organization, responsibility: str) -> Any:
    (row,) = [r for r in response.context["rows"] if r.partner.organization_id == organization.pk]
    (found,) = [c for c in row.cells if c.responsibility == responsibility]
    return found


@pytest.mark.parametrize("responsibility", sorted(ACTIVITY))
def test_a_held_responsibility_without_activity_is_not_fulfilled(
    cast: Cast, responsibility: str
) -> None:
    held = partner(cast, cast.other_hospital)
    m.PartnerResponsibility.objects.create(partner=held, responsibility=responsibility)

    found = cell(matrix_page(cast), cast.other_hospital, responsibility)

    assert (found.state, found.evidence) == ("unfulfilled", [])


@pytest.mark.parametrize("responsibility", sorted(ACTIVITY))
def test_a_held_responsibility_with_its_activity_is_fulfilled_with_the_evidence(
    cast: Cast, responsibility: str
) -> None:
    held = partner(cast, cast.other_hospital)
    m.PartnerResponsibility.objects.create(partner=held, responsibility=responsibility)
    ACTIVITY[responsibility](cast, cast.other_hospital)

    response = matrix_page(cast)
    found = cell(response, cast.other_hospital, responsibility)

    assert found.state == "fulfilled"
    assert len(found.evidence) == 1
    for item in found.evidence:
        assert item.label in response.content.decode().replace("&#x27;", "'")
        if item.url:
            assert item.url in response.content.decode()
            # The evidence links lead to pages the reader may open.
            assert client_for(cast.program_admin).get(item.url).status_code == 200


def test_activity_of_another_partner_or_program_does_not_count(cast: Cast) -> None:
    held = partner(cast, cast.other_hospital)
    m.PartnerResponsibility.objects.create(partner=held, responsibility="clinical_practice")
    hosts(cast, cast.hospital)  # another organisation
    PlacementFactory(
        host=cast.other_hospital, start_date=ago(10), end_date=ago(-10)
    )  # another program

    found = cell(matrix_page(cast), cast.other_hospital, "clinical_practice")

    assert found.state == "unfulfilled"


def test_cells_not_held_and_not_checked(cast: Cast) -> None:
    newcomer = m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.other_hospital, agreement_start=ago(100)
    )
    m.PartnerResponsibility.objects.create(partner=newcomer, responsibility="teaching")
    gone = partner(cast, cast.hospital, is_active=False)
    m.PartnerResponsibility.objects.create(partner=gone, responsibility="clinical_practice")

    response = matrix_page(cast)

    assert cell(response, cast.other_hospital, "teaching").state == "not_checked"
    assert cell(response, cast.other_hospital, "funding").state == "not_held"
    # The student's placement at the hospital is shown, but an inactive partner is not checked.
    hospital = cell(response, cast.hospital, "clinical_practice")
    assert (hospital.state, len(hospital.evidence)) == ("not_checked", 1)


def test_the_period_is_the_audit_rules_setting_for_the_program(cast: Cast) -> None:
    from supervision.audits.services import change_rule_setting

    held = partner(cast, cast.hospital)
    m.PartnerResponsibility.objects.create(partner=held, responsibility="clinical_practice")
    m.Placement.objects.filter(pk=cast.placement.pk).update(start_date=ago(300), end_date=ago(200))
    assert cell(matrix_page(cast), cast.hospital, "clinical_practice").state == "fulfilled"

    change_rule_setting(
        user=cast.program_admin,
        rule="responsibility_unfulfilled",
        program=cast.program,
        thresholds={"period_days": 199},
    )

    response = matrix_page(cast)
    assert response.context["period_days"] == 199
    assert cell(response, cast.hospital, "clinical_practice").state == "unfulfilled"


# ---- Who may open it -----------------------------------------------------------------------

# Those who see the program but do not administer it get 403; the others do not see it.
ALLOWED = dict.fromkeys(CAST_ROLES, 403) | {
    "admin": 200,
    "program_admin": 200,
    "other_coordinator": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("name", CAST_ROLES)
def test_each_role_opens_the_matrix_if_it_administers_the_program(
    cast: Cast, admin: User, outsider: User, name: str
) -> None:
    partner(cast, cast.hospital)
    users = {"admin": admin, "other_coordinator": cast.other_coordinator}
    user = users.get(name) or who(cast, name, outsider)
    assert matrix_page(cast, user).status_code == ALLOWED[name]


def test_the_program_page_links_to_the_matrix_for_its_administrators(cast: Cast) -> None:
    link = reverse("programs:responsibility-matrix", args=[cast.program.pk])
    detail = reverse("programs:program-detail", args=[cast.program.pk])
    assert link in client_for(cast.program_admin).get(detail).content.decode()
    assert link not in client_for(cast.tutor.user).get(detail).content.decode()


def test_the_matrix_query_count_is_flat(cast: Cast) -> None:
    def grow(n: int) -> None:
        for _ in range(n):
            organization = OrganizationFactory()
            held = partner(cast, organization)
            for value in Responsibility.values:
                m.PartnerResponsibility.objects.create(partner=held, responsibility=value)
            for make in ACTIVITY.values():
                make(cast, organization)
            StudentFactory(program=cast.program)

    grow(1)
    client = client_for(cast.program_admin)
    url = reverse("programs:responsibility-matrix", args=[cast.program.pk])
    # The session and roles, the program, its partners and their responsibilities, one query
    # per kind of evidence, and the navigation.
    assert_flat_queries(lambda: client.get(url), lambda: grow(5), max_queries=24)
