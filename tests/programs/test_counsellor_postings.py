"""Counsellors posted at an organisation (its mental-health service): a portal administrator
posts an existing account there by e-mail and ends a posting (its last day today, never
deleted), from the organisation's page, with history; others get 403, what is not there 404;
the responsibility matrix reads the postings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import RoleMembership, User
from accounts.roles import Role
from programs import models as m
from programs.partners import responsibilities
from programs.partners.services import counsellors
from tests.cast import Cast, who
from tests.clients import client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries

from .factories import grant

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOT_AN_ACCOUNT = (
    "No active account uses this e-mail address; the person needs an account before being "
    "posted here."
)


@pytest.fixture
def mei(db: None) -> User:
    return UserFactory(email="mei@example.org", full_name="Mei Lin")


def post(user: Any, organization: m.Organization, email: str) -> RoleMembership:
    return counsellors.post_counsellor(user=user, organization=organization, email=email)


def posted_at(organization: m.Organization) -> list[str]:
    return list(
        RoleMembership.objects.current()
        .filter(pk__in=counsellors.postings_at(organization))
        .values_list("user__email", flat=True)
    )


# ---- The services ----------------------------------------------------------------------------


def test_a_portal_administrator_posts_an_existing_account_by_e_mail(
    cast: Cast, admin: User, mei: User
) -> None:
    membership = post(admin, cast.hospital, "  MEI@example.org ")

    assert (membership.user, membership.role, membership.scope) == (
        mei,
        Role.COUNSELLOR,
        cast.hospital,
    )
    assert (membership.valid_until, membership.granted_by) == (None, admin)
    assert Role.COUNSELLOR in mei.role_names
    assert posted_at(cast.hospital) == ["mei@example.org"]
    assert posted_at(cast.other_hospital) == []


@pytest.mark.parametrize("email", ["nobody@example.org", ""])
def test_posting_someone_without_an_account_is_a_field_error(
    cast: Cast, admin: User, email: str
) -> None:
    with pytest.raises(ValidationError) as error:
        post(admin, cast.hospital, email)

    assert error.value.message_dict == {"email": [NOT_AN_ACCOUNT]}
    assert not counsellors.postings_at(cast.hospital).exists()


def test_an_inactive_account_cannot_be_posted(cast: Cast, admin: User, mei: User) -> None:
    User.objects.filter(pk=mei.pk).update(is_active=False)
    with pytest.raises(ValidationError) as error:
        post(admin, cast.hospital, mei.email)
    assert error.value.message_dict == {"email": [NOT_AN_ACCOUNT]}


def test_posting_the_same_counsellor_twice_says_so(cast: Cast, admin: User, mei: User) -> None:
    post(admin, cast.hospital, mei.email)
    with pytest.raises(ValidationError) as error:
        post(admin, cast.hospital, mei.email)
    assert error.value.message_dict == {
        "email": ["Mei Lin is already posted here as a counsellor."]
    }
    assert counsellors.postings_at(cast.hospital).count() == 1


def test_ending_a_posting_sets_its_last_day_and_keeps_it(
    cast: Cast, admin: User, mei: User
) -> None:
    membership = post(admin, cast.hospital, mei.email)

    counsellors.end_counsellor_posting(user=admin, membership=membership)

    membership.refresh_from_db()
    assert membership.valid_until == TODAY
    assert RoleMembership.objects.filter(pk=membership.pk).exists()
    tomorrow = TODAY + dt.timedelta(days=1)
    assert not RoleMembership.objects.current(tomorrow).filter(pk=membership.pk).exists()
    with pytest.raises(ValidationError) as error:
        counsellors.end_counsellor_posting(user=admin, membership=membership)
    assert error.value.messages[0].startswith("This posting has already ended")


def test_an_ended_posting_is_taken_up_again_from_today(cast: Cast, admin: User, mei: User) -> None:
    membership = post(admin, cast.hospital, mei.email)
    RoleMembership.objects.filter(pk=membership.pk).update(
        valid_from=TODAY - dt.timedelta(days=300), valid_until=TODAY - dt.timedelta(days=30)
    )

    again = post(admin, cast.hospital, mei.email)

    assert again.pk == membership.pk
    assert (again.valid_from, again.valid_until) == (TODAY, None)


def test_only_a_counsellor_posting_can_be_ended(cast: Cast, admin: User) -> None:
    coordinator = RoleMembership.objects.get(user=cast.coordinator, role=Role.PARTNER_COORDINATOR)
    with pytest.raises(ValidationError):
        counsellors.end_counsellor_posting(user=admin, membership=coordinator)
    coordinator.refresh_from_db()
    assert coordinator.valid_until is None


CAST = ["program_admin", "coordinator", "tutor", "student", "outsider"]


@pytest.mark.parametrize("name", CAST)
def test_nobody_but_a_portal_administrator_posts_or_ends(
    cast: Cast, admin: User, outsider: User, mei: User, name: str
) -> None:
    user = who(cast, name, outsider)
    with pytest.raises(PermissionDenied):
        post(user, cast.hospital, mei.email)
    membership = post(admin, cast.hospital, mei.email)
    with pytest.raises(PermissionDenied):
        counsellors.end_counsellor_posting(user=user, membership=membership)
    membership.refresh_from_db()
    assert membership.valid_until is None


# ---- The pages -------------------------------------------------------------------------------


def detail(organization: m.Organization) -> str:
    return reverse("programs:organization-detail", args=[organization.pk])


def post_url(organization: m.Organization) -> str:
    return reverse("programs:organization-counsellor-post", args=[organization.pk])


def end_url(organization: m.Organization, membership: RoleMembership) -> str:
    return reverse("programs:organization-counsellor-end", args=[organization.pk, membership.pk])


def test_the_administrator_posts_and_ends_from_the_organisation_page(
    cast: Cast, admin: User, mei: User
) -> None:
    client = client_for(admin)
    page = client.get(detail(cast.hospital)).content.decode()
    assert post_url(cast.hospital) in page
    assert client.get(post_url(cast.hospital)).status_code == 200

    response = client.post(post_url(cast.hospital), {"email": mei.email}, follow=True)

    html = response.content.decode()
    assert "Mei Lin is now posted here as a counsellor." in html
    membership = counsellors.postings_at(cast.hospital).get()
    assert end_url(cast.hospital, membership) in html
    history = reverse("core:history", args=["accounts", "rolemembership", membership.pk])
    assert history in html

    response = client.post(end_url(cast.hospital, membership), follow=True)

    html = response.content.decode()
    assert "The posting of Mei Lin ends today." in html
    assert "Last day today" in html
    assert end_url(cast.hospital, membership) not in html
    membership.refresh_from_db()
    assert membership.valid_until == TODAY
    events = client.get(history)
    assert events.status_code == 200
    assert "valid until" in events.content.decode().lower()


def test_bad_input_is_shown_on_the_form(cast: Cast, admin: User) -> None:
    client = client_for(admin)

    unknown = client.post(post_url(cast.hospital), {"email": "nobody@example.org"})
    malformed = client.post(post_url(cast.hospital), {"email": "not an address"})

    assert unknown.status_code == 200
    assert NOT_AN_ACCOUNT in unknown.content.decode()
    assert malformed.status_code == 200
    assert "email" in malformed.context["form"].errors
    assert not counsellors.postings_at(cast.hospital).exists()


@pytest.mark.parametrize("name", CAST)
def test_others_get_403_and_see_no_controls(
    cast: Cast, admin: User, outsider: User, mei: User, name: str
) -> None:
    membership = post(admin, cast.hospital, mei.email)
    client = client_for(who(cast, name, outsider))

    assert client.get(post_url(cast.hospital)).status_code == 403
    assert client.post(post_url(cast.hospital), {"email": "pia@example.org"}).status_code == 403
    assert client.post(end_url(cast.hospital, membership)).status_code == 403
    page = client.get(detail(cast.hospital)).content.decode()
    assert post_url(cast.hospital) not in page
    assert end_url(cast.hospital, membership) not in page
    membership.refresh_from_db()
    assert membership.valid_until is None
    assert posted_at(cast.hospital) == ["mei@example.org"]


def test_what_is_not_there_is_404(cast: Cast, admin: User, mei: User) -> None:
    membership = post(admin, cast.hospital, mei.email)
    coordinator = RoleMembership.objects.get(user=cast.coordinator, role=Role.PARTNER_COORDINATOR)
    client = client_for(admin)

    # A posting at another organisation, a membership that is no posting, no organisation.
    assert client.post(end_url(cast.other_hospital, membership)).status_code == 404
    assert client.post(end_url(cast.hospital, coordinator)).status_code == 404
    missing = reverse("programs:organization-counsellor-post", args=[10**9])
    assert client.get(missing).status_code == 404
    membership.refresh_from_db()
    assert membership.valid_until is None


def test_signed_out_visitors_are_sent_to_sign_in(cast: Cast) -> None:
    response = client_for(None).get(post_url(cast.hospital))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_organisation_page_stays_flat_as_counsellors_are_posted(
    cast: Cast, admin: User
) -> None:
    client = client_for(admin)

    def grow() -> None:
        for n in range(4):
            grant(UserFactory(email=f"c{n}@example.org"), Role.COUNSELLOR, cast.hospital)

    grant(UserFactory(email="first@example.org"), Role.COUNSELLOR, cast.hospital)
    assert_flat_queries(lambda: client.get(detail(cast.hospital)), grow, max_queries=30)


# ---- The responsibility matrix reads the postings ---------------------------------------------


def mental_health_cell(cast: Cast, on: dt.date) -> str:
    rows = responsibilities.matrix(cast.program, today=on)
    (row,) = [r for r in rows if r.partner.organization_id == cast.hospital.pk]
    (cell,) = [c for c in row.cells if c.responsibility == "mental_health_service"]
    return cell.state


def test_posting_and_ending_turn_the_mental_health_cell(cast: Cast, admin: User, mei: User) -> None:
    held = m.ProgramPartner.objects.create(
        program=cast.program,
        organization=cast.hospital,
        agreement_start=TODAY - dt.timedelta(days=800),
    )
    m.PartnerResponsibility.objects.create(partner=held, responsibility="mental_health_service")
    tomorrow = TODAY + dt.timedelta(days=1)
    assert mental_health_cell(cast, TODAY) == "unfulfilled"

    membership = post(admin, cast.hospital, mei.email)
    assert mental_health_cell(cast, TODAY) == "fulfilled"
    page = client_for(cast.program_admin).get(
        reverse("programs:responsibility-matrix", args=[cast.program.pk])
    )
    assert "Counsellor: Mei Lin" in page.content.decode()

    counsellors.end_counsellor_posting(user=admin, membership=membership)
    # Today is the posting's last day; from tomorrow the service is no longer provided.
    assert mental_health_cell(cast, TODAY) == "fulfilled"
    assert mental_health_cell(cast, tomorrow) == "unfulfilled"
