"""Organisations through the API: corrected (PATCH) by those who may edit them, and a
partnership's agreement renewed by the program's administrators, with field errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from programs import models as m
from tests.cast import CAST_ROLES, Cast, who
from tests.clients import api_for
from tests.files import pdf
from training_portal.core.history import events_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def person(cast: Cast, name: str, admin: User, outsider: User) -> Any:
    extra = {"admin": admin, "other_coordinator": cast.other_coordinator}
    return extra.get(name) or who(cast, name, outsider)


@pytest.fixture
def partnered(cast: Cast) -> m.ProgramPartner:
    return m.ProgramPartner.objects.create(
        program=cast.program,
        organization=cast.hospital,
        agreement_start=TODAY - dt.timedelta(days=300),
        agreement_end=TODAY + dt.timedelta(days=20),
    )


# ---- PATCH /organizations/{id}/ --------------------------------------------------------------

EDIT = dict.fromkeys(CAST_ROLES, 403) | {"admin": 200, "coordinator": 200}


@pytest.mark.parametrize("name", CAST_ROLES)
def test_each_role_may_correct_an_organisation_or_not(
    cast: Cast, admin: User, outsider: User, name: str
) -> None:
    url = reverse("api:organization-detail", args=[cast.hospital.pk])
    response = api_for(person(cast, name, admin, outsider)).patch(
        url, {"city": "Hangzhou"}, format="json"
    )
    assert response.status_code == EDIT[name]
    cast.hospital.refresh_from_db()
    assert cast.hospital.city == ("Hangzhou" if EDIT[name] == 200 else "")


def test_a_correction_changes_only_what_is_sent_and_is_in_the_history(
    cast: Cast, admin: User
) -> None:
    url = reverse("api:organization-detail", args=[cast.hospital.pk])
    response = api_for(admin).patch(
        url, {"name": "First Hospital of Zhejiang", "short_name": "FHZ"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["name"] == "First Hospital of Zhejiang"
    assert (response.data["kind"], response.data["status"]) == ("hospital", "active")
    last = events_of(cast.hospital).first()
    assert (last.pgh_data["name"], last.pgh_context["reason"]) == (
        "First Hospital of Zhejiang",
        "Details corrected.",
    )


def test_a_correction_reports_every_field_error_at_once(cast: Cast, admin: User) -> None:
    url = reverse("api:organization-detail", args=[cast.hospital.pk])
    response = api_for(admin).patch(
        url, {"kind": "castle", "website": "nowhere", "name": ""}, format="json"
    )
    assert response.status_code == 400
    assert set(response.data) == {"kind", "website", "name"}


def test_a_duplicate_name_is_a_field_error(cast: Cast, admin: User) -> None:
    url = reverse("api:organization-detail", args=[cast.hospital.pk])
    response = api_for(admin).patch(url, {"name": "Second Hospital"}, format="json")
    assert response.status_code == 400
    assert list(response.data) == ["name"]
    cast.hospital.refresh_from_db()
    assert cast.hospital.name == "First Hospital"


def test_the_status_cannot_be_patched(cast: Cast, admin: User) -> None:
    url = reverse("api:organization-detail", args=[cast.hospital.pk])
    response = api_for(admin).patch(url, {"status": "exited"}, format="json")
    assert response.status_code == 200  # an unknown field is ignored, as everywhere in the API
    cast.hospital.refresh_from_db()
    assert cast.hospital.status == "active"


def test_signed_out_callers_cannot_patch(cast: Cast) -> None:
    url = reverse("api:organization-detail", args=[cast.hospital.pk])
    assert api_for(None).patch(url, {"city": "X"}, format="json").status_code == 401


def test_an_unknown_organisation_is_not_found(admin: User) -> None:
    url = reverse("api:organization-detail", args=[999999])
    assert api_for(admin).patch(url, {"city": "X"}, format="json").status_code == 404


# ---- POST /program-partners/{id}/renew/ ----------------------------------------------------

# The partnership is seen by those who see its program; only its administrators renew it.
RENEW = dict.fromkeys(CAST_ROLES, 403) | {
    "admin": 200,
    "program_admin": 200,
    "other_coordinator": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("name", CAST_ROLES)
def test_each_role_may_renew_an_agreement_or_not(
    cast: Cast, partnered: m.ProgramPartner, admin: User, outsider: User, name: str
) -> None:
    new_end = TODAY + dt.timedelta(days=700)
    url = reverse("api:program-partner-renew", args=[partnered.pk])
    response = api_for(person(cast, name, admin, outsider)).post(
        url, {"agreement_end": new_end.isoformat()}, format="json"
    )
    assert response.status_code == RENEW[name]
    partnered.refresh_from_db()
    renewed = RENEW[name] == 200
    assert partnered.agreement_end == (new_end if renewed else TODAY + dt.timedelta(days=20))


def test_a_renewal_with_the_signed_file(cast: Cast, partnered: m.ProgramPartner) -> None:
    new_end = TODAY + dt.timedelta(days=700)
    upload = pdf("renewal.pdf")
    response = api_for(cast.program_admin).post(
        reverse("api:program-partner-renew", args=[partnered.pk]),
        {"agreement_end": new_end.isoformat(), "agreement_file": upload},
        format="multipart",
    )
    assert response.status_code == 200, response.data
    assert response.data["agreement_end"] == new_end.isoformat()
    partnered.refresh_from_db()
    assert partnered.agreement_file.name.endswith("renewal.pdf")


def test_a_renewal_reports_its_problems_together(cast: Cast, partnered: m.ProgramPartner) -> None:
    response = api_for(cast.program_admin).post(
        reverse("api:program-partner-renew", args=[partnered.pk]),
        {
            "agreement_end": TODAY.isoformat(),
            "agreement_file": SimpleUploadedFile("renewal.pdf", b"not a pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert set(response.data) == {"agreement_end", "agreement_file"}
    partnered.refresh_from_db()
    assert partnered.agreement_end == TODAY + dt.timedelta(days=20)


def test_a_renewal_needs_a_date(cast: Cast, partnered: m.ProgramPartner) -> None:
    response = api_for(cast.program_admin).post(
        reverse("api:program-partner-renew", args=[partnered.pk]), {}, format="json"
    )
    assert response.status_code == 400
    assert list(response.data) == ["agreement_end"]
