"""The partner register in the portal: the list with its search and filters, an organisation's
page (programs, partnerships with their agreements and places, people, status history), its
editing and status changes by those allowed, and the renewal of a partnership's agreement."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from programs.demo import seed_programs_demo
from tests import files
from tests.cast import CAST_ROLES, Cast, who
from tests.clients import client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries
from training_portal.core.history import events_of
from training_portal.core.navigation import bar_for

from .factories import OrganizationFactory, PlacementFactory, StudentFactory, TutorFactory, grant

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def person(cast: Cast, name: str, admin: User, outsider: User) -> Any:
    if name == "admin":
        return admin
    if name == "other_coordinator":
        return cast.other_coordinator
    return who(cast, name, outsider)


@pytest.fixture
def partnered(cast: Cast) -> m.ProgramPartner:
    """The hospital is a partner of the program, offering two places; its agreement ends in
    30 days; the student's placement there (planned) takes one of them."""
    partner = m.ProgramPartner.objects.create(
        program=cast.program,
        organization=cast.hospital,
        agreement_start=TODAY - dt.timedelta(days=400),
        agreement_end=TODAY + dt.timedelta(days=30),
        places_offered=2,
    )
    m.PartnerResponsibility.objects.create(partner=partner, responsibility="clinical_practice")
    return partner


def url(name: str, *args: Any) -> str:
    return reverse(f"programs:{name}", args=args)


# ---- Who may open which page ---------------------------------------------------------------

READ = dict.fromkeys(CAST_ROLES, 200)
EDIT = dict.fromkeys(CAST_ROLES, 403) | {"admin": 200, "coordinator": 200}
STATUS = dict.fromkeys(CAST_ROLES, 403) | {"admin": 200}
CREATE = dict.fromkeys(CAST_ROLES, 403) | {"admin": 200, "program_admin": 200}
# The partnership's program is hidden from those outside it (404); visible to the others.
RENEW = dict.fromkeys(CAST_ROLES, 403) | {
    "admin": 200,
    "program_admin": 200,
    "other_coordinator": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("name", CAST_ROLES)
def test_each_role_opens_the_organisation_pages_it_may(
    cast: Cast, partnered: m.ProgramPartner, admin: User, outsider: User, name: str
) -> None:
    client = client_for(person(cast, name, admin, outsider))
    hospital = cast.hospital.pk
    assert client.get(url("organization-list")).status_code == READ[name]
    assert client.get(url("organization-detail", hospital)).status_code == READ[name]
    assert client.get(url("organization-edit", hospital)).status_code == EDIT[name]
    assert client.get(url("organization-status", hospital)).status_code == STATUS[name]
    assert client.get(url("organization-create")).status_code == CREATE[name]
    assert client.get(url("agreement-renew", partnered.pk)).status_code == RENEW[name]


def test_signed_out_visitors_are_sent_to_sign_in(cast: Cast) -> None:
    response = client_for(None).get(url("organization-list"))
    assert response.status_code == 302
    assert "/login" in response.url or "/accounts/" in response.url


def test_an_unknown_organisation_is_not_found(admin: User) -> None:
    assert client_for(admin).get(url("organization-detail", 999999)).status_code == 404


@pytest.mark.parametrize(
    ("name", "shown"),
    [("admin", True), ("program_admin", True), ("coordinator", True), ("tutor", False),
     ("student", False), ("outsider", False)],
)  # fmt: skip
def test_the_administration_menu_offers_the_register(
    cast: Cast, admin: User, outsider: User, name: str, shown: bool
) -> None:
    user = User.objects.get(pk=person(cast, name, admin, outsider).pk)
    urls = [getattr(item, "url", None) for item in bar_for(user)] + [
        entry.url for item in bar_for(user) for entry in getattr(item, "entries", [])
    ]
    assert (url("organization-list") in urls) is shown


# ---- The list ------------------------------------------------------------------------------


def names(response: Any) -> list[str]:
    return [organization.name for organization in response.context["page"]]


def test_the_list_searches_names_short_names_and_cities(cast: Cast, admin: User) -> None:
    OrganizationFactory(name="Shanghai Tech Park", short_name="STP", city="Shanghai")
    OrganizationFactory(name="Ningbo Clinic", city="Ningbo")
    client = client_for(admin)
    assert names(client.get(url("organization-list"), {"q": "stp"})) == ["Shanghai Tech Park"]
    assert names(client.get(url("organization-list"), {"q": "ningbo"})) == ["Ningbo Clinic"]
    assert names(client.get(url("organization-list"), {"q": "tech park"})) == ["Shanghai Tech Park"]


def test_the_list_filters_by_kind_status_and_city(cast: Cast, admin: User) -> None:
    OrganizationFactory(name="Alpha Bank", kind="financial_institution", city="Hangzhou")
    OrganizationFactory(name="Beta Bank", kind="financial_institution", status="suspended")
    OrganizationFactory(name="Gamma Works", kind="enterprise", city="Hangzhou")
    client = client_for(admin)
    listed = client.get(url("organization-list"), {"kind": "financial_institution"})
    assert names(listed) == ["Alpha Bank", "Beta Bank"]
    listed = client.get(
        url("organization-list"), {"kind": "financial_institution", "status": "active"}
    )
    assert names(listed) == ["Alpha Bank"]
    assert names(client.get(url("organization-list"), {"city": "Hangzhou"})) == [
        "Alpha Bank",
        "Gamma Works",
    ]


def test_an_unknown_filter_value_is_shown_as_an_error_and_ignored(cast: Cast, admin: User) -> None:
    response = client_for(admin).get(url("organization-list"), {"kind": "castle"})
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert len(names(response)) == m.Organization.objects.count()


def test_the_list_is_paginated(cast: Cast, admin: User) -> None:
    OrganizationFactory.create_batch(30)
    client = client_for(admin)
    first = client.get(url("organization-list"))
    assert len(names(first)) == 25
    second = client.get(url("organization-list"), {"page": 2})
    assert len(names(second)) == m.Organization.objects.count() - 25


def test_the_list_query_count_is_flat(cast: Cast, partnered: m.ProgramPartner) -> None:
    client = client_for(cast.coordinator)

    def grow() -> None:
        for n in range(20):
            organization = OrganizationFactory(city=f"City {n}")
            m.ProgramPartner.objects.create(
                program=cast.program, organization=organization, agreement_start=TODAY
            )

    assert_flat_queries(lambda: client.get(url("organization-list")), grow, max_queries=12)


# ---- The detail page -----------------------------------------------------------------------


def test_the_page_shows_partnerships_places_and_the_expiry_warning(
    cast: Cast, partnered: m.ProgramPartner
) -> None:
    # Placements taking a place: planned and active; completed and cancelled do not.
    PlacementFactory(student=cast.other_student, host=cast.hospital, status="active")
    PlacementFactory(student=cast.other_student, host=cast.hospital, status="completed")
    PlacementFactory(student=cast.other_student, host=cast.hospital, status="cancelled")
    # A placement in another program takes none of this program's places.
    PlacementFactory(host=cast.hospital, status="active")
    response = client_for(cast.program_admin).get(url("organization-detail", cast.hospital.pk))
    (row,) = response.context["partnerships"]
    assert (row.places_used, row.places_offered, row.over_capacity) == (2, 2, False)
    assert row.agreement_state == "ending"
    assert row.administered is True
    with translation.override("en"):
        page = client_for(cast.program_admin).get(url("organization-detail", cast.hospital.pk))
    text = page.content.decode()
    assert "Ends within 60 days" in text
    assert url("agreement-renew", partnered.pk) in text
    assert url("responsibility-matrix", cast.program.pk) in text


def test_an_expired_agreement_and_places_over_capacity_are_flagged(
    cast: Cast, partnered: m.ProgramPartner
) -> None:
    m.ProgramPartner.objects.filter(pk=partnered.pk).update(
        agreement_end=TODAY - dt.timedelta(days=1), places_offered=0
    )
    response = client_for(cast.program_admin).get(url("organization-detail", cast.hospital.pk))
    (row,) = response.context["partnerships"]
    assert (row.agreement_state, row.over_capacity) == ("expired", True)


def test_an_agreement_ending_later_is_not_flagged(cast: Cast, partnered: m.ProgramPartner) -> None:
    m.ProgramPartner.objects.filter(pk=partnered.pk).update(
        agreement_end=TODAY + dt.timedelta(days=61)
    )
    response = client_for(cast.program_admin).get(url("organization-detail", cast.hospital.pk))
    assert response.context["partnerships"][0].agreement_state == ""


def test_partnerships_in_hidden_programs_are_not_shown(
    cast: Cast, partnered: m.ProgramPartner
) -> None:
    response = client_for(cast.other_coordinator).get(url("organization-detail", cast.hospital.pk))
    assert response.context["partnerships"] == []
    assert response.context["led"] == []


def test_an_empty_list_says_none_you_may_see_only_when_some_are_hidden(
    cast: Cast, partnered: m.ProgramPartner, admin: User
) -> None:
    """The portal administrator sees every program: an empty list is simply empty. Otto
    (coordinator of another hospital) is told when programs exist that he may not see."""
    lonely = OrganizationFactory()
    university = cast.program.lead_university

    def page(user: User, organization: Any) -> str:
        return client_for(user).get(url("organization-detail", organization.pk)).content.decode()

    for_admin = page(admin, lonely)
    assert "None." in for_admin
    assert "No partnerships." in for_admin
    assert "you may see" not in for_admin
    hospital_for_admin = page(admin, cast.hospital)  # leads nothing, partners the program
    assert "None." in hospital_for_admin
    assert "you may see" not in hospital_for_admin

    hospital_for_otto = page(cast.other_coordinator, cast.hospital)
    assert "No partnerships you may see." in hospital_for_otto
    assert "None you may see." not in hospital_for_otto  # the hospital leads no program
    university_for_otto = page(cast.other_coordinator, university)
    assert "None you may see." in university_for_otto
    assert "No partnerships." in university_for_otto


def test_the_page_lists_the_programs_the_university_leads(cast: Cast, admin: User) -> None:
    university = cast.program.lead_university
    response = client_for(admin).get(url("organization-detail", university.pk))
    assert response.context["led"] == [cast.program]


@pytest.mark.parametrize(
    ("name", "shown"),
    [("admin", True), ("program_admin", True), ("coordinator", True),
     ("other_coordinator", False), ("practice_tutor", False), ("student", False),
     ("outsider", False)],
)  # fmt: skip
def test_people_are_shown_to_those_allowed(
    cast: Cast,
    partnered: m.ProgramPartner,
    admin: User,
    outsider: User,
    name: str,
    shown: bool,
) -> None:
    counsellor = UserFactory(email="mei@example.org")
    grant(counsellor, Role.COUNSELLOR, cast.hospital)
    client = client_for(person(cast, name, admin, outsider))
    response = client.get(url("organization-detail", cast.hospital.pk))
    assert response.context["shows_people"] is shown
    tutors = [tutor.user for tutor in response.context["tutors"]]
    coordinators = [membership.user for membership in response.context["coordinators"]]
    counsellors = [membership.user for membership in response.context["counsellors"]]
    if shown:
        assert (tutors, coordinators, counsellors) == (
            [cast.practice_tutor.user],
            [cast.coordinator],
            [counsellor],
        )
    else:
        assert (tutors, coordinators, counsellors) == ([], [], [])
        assert "cora@example.org" not in response.content.decode()
        assert "mei@example.org" not in response.content.decode()


def test_the_status_history_is_shown(cast: Cast, admin: User) -> None:
    client = client_for(admin)
    client.post(
        url("organization-status", cast.hospital.pk),
        {"to_status": "probation", "reason": "Late reports"},
    )
    response = client.get(url("organization-detail", cast.hospital.pk))
    (change,) = response.context["status_changes"]
    assert (change.from_status, change.to_status, change.reason) == (
        "active",
        "probation",
        "Late reports",
    )
    assert "Late reports" in response.content.decode()


def test_the_detail_query_count_is_flat(cast: Cast, partnered: m.ProgramPartner) -> None:
    client = client_for(cast.program_admin)

    def grow() -> None:
        for n in range(10):
            program = m.Program.objects.create(
                code=f"GROW{n}",
                title="Grown",
                discipline="x",
                degree_type="academic",
                lead_university=cast.program.lead_university,
                start_date=TODAY,
            )
            grant(cast.program_admin, Role.PROGRAM_ADMIN, program)
            m.ProgramPartner.objects.create(
                program=program, organization=cast.hospital, agreement_start=TODAY
            )
            PlacementFactory(student=StudentFactory(program=program), host=cast.hospital)
            TutorFactory(organization=cast.hospital)
            grant(UserFactory(), Role.PARTNER_COORDINATOR, cast.hospital)
            m.OrganizationStatusChange.objects.create(
                organization=cast.hospital,
                from_status="active" if n % 2 == 0 else "probation",
                to_status="probation" if n % 2 == 0 else "active",
                reason="Review",
            )
        cast.program_admin.__dict__.pop("current_roles", None)

    assert_flat_queries(
        lambda: client.get(url("organization-detail", cast.hospital.pk)), grow, max_queries=16
    )


# ---- Writes --------------------------------------------------------------------------------


def organization_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Zhejiang Medical Devices Ltd.",
        "short_name": "ZMD",
        "kind": "enterprise",
        "city": "Hangzhou",
        "website": "https://zmd.example.cn",
        "description": "Makes imaging devices.",
    }
    return data | overrides


def test_a_portal_administrator_registers_an_organisation(admin: User) -> None:
    response = client_for(admin).post(url("organization-create"), organization_data())
    organization = m.Organization.objects.get(name="Zhejiang Medical Devices Ltd.")
    assert response.status_code == 302
    assert response.url == url("organization-detail", organization.pk)
    assert organization.status == "active"
    assert organization.status_changes.get().to_status == "active"


def test_registering_reports_field_errors_together(admin: User) -> None:
    OrganizationFactory(name="Taken")
    with translation.override("en"):
        response = client_for(admin).post(
            url("organization-create"),
            organization_data(name="Taken", kind="castle", website="not a url"),
        )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"kind", "website"}
    # The duplicate name is reported once the form's own errors are fixed, by the service.
    response = client_for(admin).post(url("organization-create"), organization_data(name="Taken"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["name"]


def test_a_coordinator_corrects_their_organisation_and_the_history_keeps_it(
    cast: Cast,
) -> None:
    client = client_for(cast.coordinator)
    page = client.get(url("organization-edit", cast.hospital.pk))
    assert page.context["form"].initial["name"] == "First Hospital"
    response = client.post(
        url("organization-edit", cast.hospital.pk),
        organization_data(name="First Hospital of Zhejiang", kind="hospital"),
    )
    assert response.status_code == 302
    cast.hospital.refresh_from_db()
    assert (cast.hospital.name, cast.hospital.city, cast.hospital.status) == (
        "First Hospital of Zhejiang",
        "Hangzhou",
        "active",
    )
    last = events_of(cast.hospital).first()
    assert last.pgh_data["name"] == "First Hospital of Zhejiang"
    assert last.pgh_context["reason"] == "Details corrected."


def test_another_coordinator_cannot_edit(cast: Cast) -> None:
    response = client_for(cast.other_coordinator).post(
        url("organization-edit", cast.hospital.pk), organization_data()
    )
    assert response.status_code == 403
    cast.hospital.refresh_from_db()
    assert cast.hospital.name == "First Hospital"


def test_a_status_change_needs_a_different_status_and_a_reason(cast: Cast, admin: User) -> None:
    client = client_for(admin)
    with translation.override("en"):
        response = client.post(
            url("organization-status", cast.hospital.pk), {"to_status": "active", "reason": " "}
        )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "reason" in errors
    response = client.post(
        url("organization-status", cast.hospital.pk), {"to_status": "active", "reason": "Why"}
    )
    assert response.status_code == 200
    assert "to_status" in response.context["form"].errors
    assert not cast.hospital.status_changes.exists()


def test_a_coordinator_cannot_change_the_status(cast: Cast) -> None:
    response = client_for(cast.coordinator).post(
        url("organization-status", cast.hospital.pk), {"to_status": "exited", "reason": "Bye"}
    )
    assert response.status_code == 403
    cast.hospital.refresh_from_db()
    assert cast.hospital.status == "active"


# ---- Agreement renewal ---------------------------------------------------------------------


def pdf(name: str = "renewed.pdf") -> SimpleUploadedFile:
    """A real (small, readable) PDF: uploads are parsed, a `%PDF-` prefix is not enough."""
    return files.pdf(name)


def test_a_program_administrator_renews_an_agreement_with_a_new_file(
    cast: Cast, partnered: m.ProgramPartner
) -> None:
    old_end = partnered.agreement_end
    new_end = TODAY + dt.timedelta(days=3 * 365)
    response = client_for(cast.program_admin).post(
        url("agreement-renew", partnered.pk),
        {"agreement_end": new_end.isoformat(), "agreement_file": pdf()},
    )
    assert response.status_code == 302
    assert response.url == url("organization-detail", cast.hospital.pk)
    partnered.refresh_from_db()
    assert partnered.agreement_end == new_end
    assert partnered.agreement_file.name.endswith("renewed.pdf")
    ends = [event.pgh_data["agreement_end"] for event in events_of(partnered)]
    assert ends[:2] == [new_end.isoformat(), old_end.isoformat()]


def test_a_renewal_must_end_after_the_current_agreement(
    cast: Cast, partnered: m.ProgramPartner
) -> None:
    with translation.override("en"):
        response = client_for(cast.program_admin).post(
            url("agreement-renew", partnered.pk),
            {
                "agreement_end": TODAY.isoformat(),
                "agreement_file": SimpleUploadedFile("x.pdf", b"not a pdf"),
            },
        )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"agreement_end", "agreement_file"}
    assert "after the current agreement" in errors["agreement_end"][0]
    partnered.refresh_from_db()
    assert partnered.agreement_end == TODAY + dt.timedelta(days=30)


def test_a_coordinator_cannot_renew_their_own_agreement(
    cast: Cast, partnered: m.ProgramPartner
) -> None:
    response = client_for(cast.coordinator).post(
        url("agreement-renew", partnered.pk),
        {"agreement_end": (TODAY + dt.timedelta(days=900)).isoformat()},
    )
    assert response.status_code == 403
    partnered.refresh_from_db()
    assert partnered.agreement_end == TODAY + dt.timedelta(days=30)


# ---- On the demo ---------------------------------------------------------------------------

HREF = re.compile(r'href="(/[^"#]*)"')


@pytest.mark.parametrize(
    "email", ["admin@demo.example", "progadmin@demo.example", "coordinator@demo.example"]
)
def test_the_demo_organisation_pages_offer_no_broken_link(email: str) -> None:
    """Every organisation page and the responsibility matrix, as a demo account sees them:
    each link they offer (except sign-out and the language switch) opens."""
    program = seed_programs_demo()
    client = client_for(User.objects.get(email=email))
    pages = [url("organization-list")] + [
        url("organization-detail", pk) for pk in m.Organization.objects.values_list("pk", flat=True)
    ]
    if email != "coordinator@demo.example":
        pages.append(url("responsibility-matrix", program.pk))
    links: set[str] = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        links |= set(HREF.findall(response.content.decode()))
    for link in sorted(links - set(pages)):
        if "logout" in link or link.startswith(("/i18n/", "/static/")):
            continue
        assert client.get(link).status_code < 400, link


def test_the_city_filter_works_after_the_api_built_its_fields(cast: Cast, admin: User) -> None:
    """The API's schema and browsable forms build the class-level filters' fields; the page's
    cities must still be those of its own query (an order-dependent failure in CI)."""
    from programs.partners.filters import OrganizationFilter

    assert OrganizationFilter.base_filters["city"].field is not None
    OrganizationFactory(name="Alpha Bank", kind="financial_institution", city="Hangzhou")
    OrganizationFactory(name="Gamma Works", kind="enterprise", city="Hangzhou")
    listed = client_for(admin).get(url("organization-list"), {"city": "Hangzhou"})
    assert names(listed) == ["Alpha Bank", "Gamma Works"]
