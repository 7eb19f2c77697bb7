"""Every absolute link that leaves the portal starts with settings.SITE_URL, the address users
reach (scheme, host and path prefix), never with the Host of the request or worker that built
it: the password reset, the invitation, the quick sign-off link, the notification e-mails
(an inspector's assignment to an inspection among them)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from programs.training.services import signoff
from supervision.inspections import services
from supervision.models import ChecklistTemplate, InspectionType
from tests.cast import Cast
from training_portal.core.links import absolute_url
from training_portal.core.models import Notification
from training_portal.core.notifications import send_notification_email

pytestmark = pytest.mark.django_db

SITE = "https://portal.example.org/sub"


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = SITE + "/"


def links(body: str) -> list[str]:
    return re.findall(r"\S+://\S+", body)


def test_an_absolute_url_joins_the_site_url_and_a_path_with_one_slash() -> None:
    assert absolute_url("/signoff/abc/") == f"{SITE}/signoff/abc/"
    assert absolute_url("api/x/") == f"{SITE}/api/x/"


def test_the_password_reset_link_starts_with_the_site_url(
    client: Any, outsider: User, mailoutbox: Any
) -> None:
    response = client.post(
        reverse("accounts:password-reset"), {"email": outsider.email}, HTTP_HOST="localhost"
    )

    assert response.status_code == 302
    (link,) = links(mailoutbox[0].body)
    assert link.startswith(f"{SITE}/accounts/password/reset/")


def test_the_quick_sign_off_link_starts_with_the_site_url(
    cast: Cast, django_capture_on_commit_callbacks: Any, mailoutbox: Any
) -> None:
    from tests.programs.factories import ProgressLogFactory

    log = ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    with django_capture_on_commit_callbacks(execute=True):
        token = signoff.issue_signoff_link(
            user=cast.tutor.user, target=log, tutor_user=cast.practice_tutor.user
        )

    (mail,) = mailoutbox
    assert f"{SITE}/signoff/{token}/" in links(mail.body)


def test_an_inspectors_assignment_e_mail_links_to_the_inspection_on_the_site_url(
    cast: Cast,
    admin: User,
    inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
    mailoutbox: Any,
) -> None:
    starts = timezone.now() + dt.timedelta(days=10)
    inspection = services.schedule_inspection(
        by=admin,
        title="Inspection of clinical training",
        inspection_type=InspectionType.ROUTINE,
        program=cast.program,
        unannounced=False,
        starts_at=starts,
        ends_on=(starts + dt.timedelta(days=2)).date(),
        inspectors=[inspector],
        author=inspector,
    )
    notification = Notification.objects.get(recipient=inspector)

    assert send_notification_email(notification.pk)

    (mail,) = [m for m in mailoutbox if m.to == [inspector.email]]
    path = reverse("inspections:inspection-detail", args=[inspection.pk])
    assert links(mail.body) == [f"{SITE}{path}"]


def test_an_invitation_links_to_setting_a_password_on_the_site_url(
    outsider: User, mailoutbox: Any
) -> None:
    from accounts.services import send_invitations

    assert send_invitations(user_ids=[outsider.pk]) == 1

    (link,) = links(mailoutbox[0].body)
    assert link.startswith(f"{SITE}/accounts/password/reset/")
