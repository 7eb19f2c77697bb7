"""Account processes: bulk import (as a background job) and invitations."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from training_portal.core.jobs import finish_job, report_progress, start_job
from training_portal.core.links import absolute_url
from training_portal.core.models import Job
from training_portal.core.tables import (
    ImportFileError,
    check_upload,
    fail_with_row_errors,
    read_table,
)
from training_portal.core.texts import text

from . import imports
from .models import User


def start_user_import(*, owner: User, upload: UploadedFile, send_invitations: bool) -> Job:
    """Queue a bulk import of accounts from an uploaded XLSX/CSV file."""
    check_upload(upload)
    return start_job(
        kind=imports.USER_IMPORT,
        owner=owner,
        params={"send_invitations": bool(send_invitations)},
        input_file=upload,
        input_name=upload.name or "import",
    )


def run_user_import(job: Job) -> None:
    """The body of the import job: validate everything, then create all or nothing."""
    report_progress(job, done=0, total=0, message=text("job.reading_file"))
    with job.input_file.open("rb") as handle:
        data = handle.read()
    try:
        rows = read_table(data, job.input_name or str(job.input_file.name))
        validation = imports.validate_rows(
            rows,
            progress=lambda done, total: report_progress(
                job, done=done, total=total, message=text("job.checking_rows")
            ),
        )
    except ImportFileError as exc:
        finish_job(job, succeeded=False, error=exc.message)
        return
    if validation.errors:
        fail_with_row_errors(job, validation.errors)
        return
    with transaction.atomic():
        users = imports.create_accounts(validation.rows)
        ids = [user.pk for user in users]
        finished = finish_job(
            job,
            succeeded=True,
            message=text("import.accounts_created", count=len(ids)),
            result={"created": len(ids), "user_ids": ids[:1000]},
        )
        if not finished:
            # Another attempt owns the job now: undo, it will create the accounts.
            transaction.set_rollback(True)
            return
        if job.params.get("send_invitations"):
            from .tasks import send_invitations_task

            transaction.on_commit(partial(send_invitations_task.delay, ids))


def send_invitations(*, user_ids: list[int]) -> int:
    """E-mail each user a link to set their password (in their own language)."""
    users = User.objects.filter(pk__in=user_ids, is_active=True)
    messages = []
    for user in users:
        with translation.override(user.preferred_language):
            link = absolute_url(
                reverse(
                    "accounts:password-reset-confirm",
                    kwargs={
                        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                        "token": default_token_generator.make_token(user),
                    },
                )
            )
            context: dict[str, Any] = {"user": user, "link": link}
            messages.append(
                EmailMessage(
                    subject=_("Your Training Portal account"),
                    body=render_to_string("accounts/email/invitation.txt", context),
                    to=[user.email],
                )
            )
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0
