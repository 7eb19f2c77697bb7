from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from tests.queries import assert_flat_queries
from training_portal.core.models import Notification
from training_portal.core.notifications import notify, send_notification_email
from training_portal.core.texts import text

pytestmark = pytest.mark.django_db


def make(recipient: User, n: int = 1) -> list[Notification]:
    return [
        notify(
            recipient=recipient,
            title=text("job.succeeded_title", kind="User import"),
            message=text("job.ended", kind="User import", number=i, outcome=""),
            link=f"/jobs/{i}/",
            email=False,
        )
        for i in range(n)
    ]


def test_a_notification_is_written_in_the_recipients_language(outsider: User) -> None:
    outsider.preferred_language = "zh-hans"
    (note,) = make(outsider)
    assert note.title != "User import finished"
    assert note.title.strip()


def test_the_email_leaves_only_after_commit_and_only_once(
    outsider: User, django_capture_on_commit_callbacks, celery_eager
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note = notify(
            recipient=outsider,
            title=text("job.failed_title", kind="User import"),
            message=text("job.ended", kind="User import", number=7, outcome="bad"),
        )
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.subject for m in mail.outbox] == ["User import failed"]
    assert send_notification_email(note.pk) is False
    assert len(mail.outbox) == 1


def test_only_the_recipient_sees_a_notification(
    outsider: User, other_user: User, admin: User
) -> None:
    (note,) = make(outsider)
    for user, status in [(outsider, 200), (other_user, 404), (admin, 404)]:
        api = APIClient()
        api.force_authenticate(user)
        assert api.get(reverse("api:notification-detail", args=[note.pk])).status_code == status
        client = Client()
        client.force_login(user)
        assert (
            client.post(reverse("core:notification-read", args=[note.pk])).status_code
            == {200: 302, 404: 404}[status]
        )
    assert APIClient().get(reverse("api:notification-list")).status_code == 401


def test_opening_a_notification_marks_it_read_and_follows_its_link(outsider: User) -> None:
    (note,) = make(outsider)
    client = Client()
    client.force_login(outsider)
    assert "badge" in client.get(reverse("core:home")).content.decode()
    response = client.post(reverse("core:notification-read", args=[note.pk]))
    assert response["Location"] == "/jobs/0/"
    note.refresh_from_db()
    assert note.is_read


def test_a_notification_never_redirects_off_site(outsider: User) -> None:
    note = Notification.objects.create(recipient=outsider, title="x", link="https://evil.example/")
    client = Client()
    client.force_login(outsider)
    assert client.post(reverse("core:notification-read", args=[note.pk]))["Location"] == reverse(
        "core:notification-list"
    )


def test_mark_all_read_in_the_page_and_the_api(outsider: User, other_user: User) -> None:
    make(outsider, 3)
    (theirs,) = make(other_user)
    client = Client()
    client.force_login(outsider)
    response = client.post(reverse("core:notification-read-all"), follow=True)
    assert "3 notifications marked as read." in response.content.decode()
    make(outsider, 2)
    api = APIClient()
    api.force_authenticate(outsider)
    assert len(api.get(reverse("api:notification-list"), {"unread": "true"}).data["results"]) == 2
    assert api.post(reverse("api:notification-read-all")).data == {"marked": 2}
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_reading_one_through_the_api(outsider: User) -> None:
    (note,) = make(outsider)
    api = APIClient()
    api.force_authenticate(outsider)
    data = api.post(reverse("api:notification-read", args=[note.pk])).data
    assert data["is_read"] is True and data["read_at"]


def test_notification_pages_query_counts_stay_flat(outsider: User) -> None:
    make(outsider)
    client = Client()
    client.force_login(outsider)
    api = APIClient()
    api.force_authenticate(outsider)
    assert_flat_queries(
        lambda: client.get(reverse("core:notification-list")),
        lambda: make(outsider, 10),
        max_queries=9,  # with the inspections menu: is the user an inspector
    )
    assert_flat_queries(
        lambda: api.get(reverse("api:notification-list")), lambda: make(outsider, 10), max_queries=3
    )
