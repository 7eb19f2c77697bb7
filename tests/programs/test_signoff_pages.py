"""The quick sign-off page: opening the link changes nothing, confirming works once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs.models import SignOffToken
from programs.training.services.signoff import issue_signoff_link
from tests.cast import Cast

from .factories import ProgressLogFactory

pytestmark = pytest.mark.django_db


def link_for(cast: Cast) -> tuple[str, object]:
    log = ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    token = issue_signoff_link(
        user=cast.tutor.user, target=log, tutor_user=cast.practice_tutor.user
    )
    return reverse("programs:signoff", args=[token]), log


def test_the_link_confirms_once_and_then_says_it_was_used(cast: Cast) -> None:
    url, log = link_for(cast)
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and "Confirm" in page.content.decode()
    log.refresh_from_db()
    assert log.confirmed_at is None  # opening the link changes nothing
    done = client.post(url)
    assert done.status_code == 200 and "is confirmed in your name" in done.content.decode()
    log.refresh_from_db()
    assert log.confirmed_by == cast.practice_tutor.user and log.confirmed_at
    again = client.post(url)
    assert again.status_code == 410
    assert "This link has already been used on" in again.content.decode()


def test_an_expired_link_says_so(cast: Cast) -> None:
    url, log = link_for(cast)
    SignOffToken.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = Client().post(url)
    assert response.status_code == 410
    assert "This link expired on" in response.content.decode()
    log.refresh_from_db()
    assert log.confirmed_at is None


def test_an_unknown_link_is_a_404_with_a_clear_message() -> None:
    response = Client().get(reverse("programs:signoff", args=["not-a-token"]))
    assert response.status_code == 404
    assert "This sign-off link is not valid." in response.content.decode()


def test_another_signed_in_person_cannot_use_the_link(cast: Cast) -> None:
    url, log = link_for(cast)
    client = Client()
    client.force_login(cast.tutor.user)
    response = client.post(url)
    assert "sent to another tutor" in response.content.decode()
    log.refresh_from_db()
    assert log.confirmed_at is None
