"""Job and notification messages are stored as ids and parameters and rendered when read,
in the reader's language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import JobFactory
from training_portal.core import jobs
from training_portal.core.models import Job, Notification
from training_portal.core.notifications import notify, send_notification_email
from training_portal.core.texts import Text, render_text, text

pytestmark = pytest.mark.django_db


def finished_in_english(owner: User, message: Text, *, succeeded: bool = True) -> Job:
    job = JobFactory(owner=owner)
    claimed = jobs.claim_job(job.pk)
    assert claimed is not None
    with translation.override("en"):
        outcome = {"message": message} if succeeded else {"error": message}
        assert jobs.finish_job(claimed, succeeded=succeeded, **outcome)
    claimed.refresh_from_db()
    return claimed


def test_a_chinese_reader_sees_in_chinese_a_job_finished_while_english_was_active(
    outsider: User,
) -> None:
    job = finished_in_english(outsider, text("import.accounts_created", count=3))
    assert job.message == "3 accounts created."  # the fallback, as written
    assert (job.message_id, job.message_params) == ("import.accounts_created", {"count": 3})
    outsider.preferred_language = "zh-hans"
    outsider.save()
    client = Client()
    client.force_login(outsider)

    page = client.get(reverse("core:job-detail", args=[job.pk])).content.decode()

    assert "已创建 3 个账号。" in page
    assert "3 accounts created." not in page


def test_the_api_renders_the_message_in_the_requests_language_and_gives_the_id(
    outsider: User,
) -> None:
    job = finished_in_english(outsider, text("import.rows_have_errors", count=2), succeeded=False)
    api = APIClient()
    api.force_authenticate(outsider)
    url = reverse("api:job-detail", args=[job.pk])

    chinese = api.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").data
    english = api.get(url, HTTP_ACCEPT_LANGUAGE="en").data

    assert chinese["error"] == "2 行存在错误，未导入任何数据。"  # noqa: RUF001
    assert english["error"] == "2 rows have errors; nothing was imported."
    assert (english["error_id"], english["error_params"]) == (
        "import.rows_have_errors",
        {"count": 2},
    )


@pytest.mark.parametrize(
    ("count", "english"),
    [
        (1, "Audit complete: 1 finding."),
        (4, "Audit complete: 4 findings."),
        (0, "Audit complete: 0 findings."),
    ],
)
def test_counts_take_the_plural_form_of_their_number(count: int, english: str) -> None:
    with translation.override("en"):
        assert str(text("audit.complete", count=count)) == english


def test_plural_forms_in_chinese_have_one_form(outsider: User) -> None:
    with translation.override("zh-hans"):
        assert str(text("import.accounts_created", count=1)) == "已创建 1 个账号。"
        assert str(text("import.accounts_created", count=7)) == "已创建 7 个账号。"


def test_an_unknown_id_is_refused_when_written_and_falls_back_to_the_text_when_read() -> None:
    with pytest.raises(KeyError):
        text("no.such.message")
    assert render_text("gone.since", {"count": 1}, "as it was written") == "as it was written"
    assert render_text("import.accounts_created", {"wrong": 1}, "kept") == "kept"


def test_a_job_notification_is_rendered_again_in_the_readers_language(outsider: User) -> None:
    job = finished_in_english(outsider, text("import.accounts_created", count=2))
    jobs.notify_owner_of_end(job.pk)
    note = Notification.objects.get(recipient=outsider)
    assert note.title_id == "job.succeeded_title"
    assert note.title_params == {"kind": {"$job_kind": job.kind}}

    with translation.override("en"):
        assert "2 accounts created." in note.display_body
    with translation.override("zh-hans"):
        assert "已创建 2 个账号。" in note.display_body
        assert note.display_title.endswith("已完成")


def test_the_email_of_a_stored_message_is_in_the_recipients_language_of_the_moment(
    outsider: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    note = notify(
        recipient=outsider,
        title=text("job.failed_title", kind="Import"),
        message=text("import.rows_have_errors", count=5),
        email=False,
    )
    Notification.objects.filter(pk=note.pk).update(email_requested=True)
    outsider.preferred_language = "zh-hans"
    outsider.save()

    assert send_notification_email(note.pk)

    assert mail.outbox[0].subject == "Import失败"
    assert mail.outbox[0].body.startswith("5 行存在错误，未导入任何数据。")  # noqa: RUF001


def test_notify_takes_a_template_or_a_title_and_a_message_not_both(outsider: User) -> None:
    with pytest.raises(ValueError):
        notify(recipient=outsider, title=text("job.done"), message=text("job.done"), template="x")
    with pytest.raises(ValueError):
        notify(recipient=outsider)
