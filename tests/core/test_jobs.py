from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import JobFactory
from training_portal.core import jobs
from training_portal.core.models import Job

pytestmark = pytest.mark.django_db


def test_a_job_is_claimed_once_however_often_it_is_delivered(outsider: User) -> None:
    job = JobFactory(owner=outsider)
    assert jobs.claim_job(job.pk) is not None
    assert jobs.claim_job(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)


def test_a_finished_job_is_not_run_again(outsider: User) -> None:
    job = JobFactory(owner=outsider, status=Job.Status.SUCCEEDED, finished_at=timezone.now())
    ran: list[int] = []
    jobs.run_job(job.pk, lambda j: ran.append(j.pk))
    assert ran == []


def test_only_the_attempt_that_holds_the_job_may_finish_it(outsider: User) -> None:
    job = JobFactory(owner=outsider)
    claimed = jobs.claim_job(job.pk)
    assert claimed is not None
    Job.objects.filter(pk=job.pk).update(attempts=2)  # another attempt took over
    assert not jobs.finish_job(claimed, succeeded=True, message="late")
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_a_failing_job_is_marked_failed_with_a_readable_error(outsider: User) -> None:
    job = JobFactory(owner=outsider)

    def explode(_job: Job) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        jobs.run_job(job.pk, explode)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "internal error" in job.error
    assert "boom" not in job.error


def test_a_stuck_job_is_queued_again_and_then_given_up(
    outsider: User, settings, django_capture_on_commit_callbacks, celery_eager
) -> None:  # type: ignore[no-untyped-def]
    long_ago = timezone.now() - settings.JOB_STALE_AFTER - dt.timedelta(minutes=1)
    stuck = JobFactory(
        owner=outsider,
        kind="accounts.user_import",
        status=Job.Status.RUNNING,
        attempts=1,
        heartbeat_at=long_ago,
    )
    fresh = JobFactory(
        owner=outsider, status=Job.Status.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    hopeless = JobFactory(
        owner=outsider,
        status=Job.Status.RUNNING,
        attempts=settings.JOB_MAX_ATTEMPTS,
        heartbeat_at=long_ago,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = jobs.recover_stuck_jobs()
    assert outcome == {"requeued": 1, "failed": 1}
    assert len(callbacks) == 2  # re-enqueue the stuck one, e-mail the owner of the given-up one
    assert outsider.notifications.get().title == "User import failed"
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    hopeless.refresh_from_db()
    assert stuck.status == Job.Status.QUEUED
    assert fresh.status == Job.Status.RUNNING
    assert hopeless.status == Job.Status.FAILED and hopeless.finished_at is not None
    assert "gave up" in hopeless.error or "given up" in hopeless.error


def test_the_stuck_job_check_is_scheduled_with_beat(settings) -> None:  # type: ignore[no-untyped-def]
    from training_portal.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["jobs-recover-stuck"]["task"] == "core.recover_stuck_jobs"
    assert "core.recover_stuck_jobs" in app.tasks


def test_celery_is_configured_for_reliability() -> None:
    from training_portal.celery import app

    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"


def test_owners_and_admins_see_a_job_and_others_get_404(
    outsider: User, other_user: User, admin: User
) -> None:
    job = JobFactory(owner=outsider)
    for user, status in [(outsider, 200), (admin, 200), (other_user, 404)]:
        client = Client()
        client.force_login(user)
        assert client.get(reverse("core:job-detail", args=[job.pk])).status_code == status
        assert client.get(reverse("core:job-progress", args=[job.pk])).status_code == status
        api = APIClient()
        api.force_authenticate(user)
        assert api.get(reverse("api:job-detail", args=[job.pk])).status_code == status
    anonymous = Client()
    assert anonymous.get(reverse("core:job-detail", args=[job.pk])).status_code == 302
    assert APIClient().get(reverse("api:job-detail", args=[job.pk])).status_code == 401


def test_job_lists_show_only_what_the_user_may_see(
    outsider: User, other_user: User, admin: User
) -> None:
    mine, theirs = JobFactory(owner=outsider), JobFactory(owner=other_user)
    api = APIClient()
    api.force_authenticate(outsider)
    assert [j["id"] for j in api.get(reverse("api:job-list")).data["results"]] == [mine.pk]
    api.force_authenticate(admin)
    assert {j["id"] for j in api.get(reverse("api:job-list")).data["results"]} == {
        mine.pk,
        theirs.pk,
    }
    client = Client()
    client.force_login(outsider)
    page = client.get(reverse("core:job-list")).content.decode()
    assert f"/jobs/{mine.pk}/" in page and f"/jobs/{theirs.pk}/" not in page


def test_the_progress_fragment_polls_until_the_job_ends(outsider: User) -> None:
    job = JobFactory(owner=outsider, status=Job.Status.RUNNING, progress_done=3, progress_total=10)
    client = Client()
    client.force_login(outsider)
    fragment = client.get(
        reverse("core:job-progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert 'value="30"' in fragment
    assert "<html" not in fragment
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, finished_at=timezone.now())
    fragment = client.get(reverse("core:job-progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in fragment
    assert 'value="100"' in fragment


def test_polling_does_not_keep_an_idle_session_alive(outsider: User) -> None:
    import time

    job = JobFactory(owner=outsider, status=Job.Status.RUNNING)
    client = Client()
    client.force_login(outsider)
    client.get(reverse("core:home"))
    earlier = int(time.time()) - 300
    session = client.session
    session["last_seen"] = earlier
    session.save()
    assert client.get(reverse("core:job-progress", args=[job.pk]) + "?poll=1").status_code == 200
    assert client.session["last_seen"] == earlier
    assert client.get(reverse("core:job-detail", args=[job.pk])).status_code == 200
    assert client.session["last_seen"] > earlier


def test_a_job_without_a_result_file_has_nothing_to_download(outsider: User) -> None:
    job = JobFactory(owner=outsider)
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("core:job-download", args=[job.pk, "result"])).status_code == 404
    assert client.get(reverse("core:job-download", args=[job.pk, "other"])).status_code == 404
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(reverse("api:job-download", args=[job.pk])).status_code == 404


def test_an_unknown_job_kind_cannot_be_started(outsider: User) -> None:
    with pytest.raises(ValueError):
        jobs.start_job(kind="nope", owner=outsider)
