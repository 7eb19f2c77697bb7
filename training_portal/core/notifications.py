"""The one notification service: an in-app notification, and an e-mail queued after commit.

Texts come either from two templates, `<name>_title.txt` and `<name>_body.txt`, or from
catalogued messages (`title=` and `message=`, see training_portal.core.texts). Either way they
are stored as ids and parameters and rendered again when read, in the reader's language: a
template's context must therefore be plain JSON values (see `texts.stored_context()`: no model
instances, names resolved when sending, choices and rule names as markers rendered when read).
The e-mail is rendered in the recipient's preferred language; the rendered text is stored too,
as a fallback should an id disappear.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from .links import absolute_url
from .models import Notification
from .texts import TEMPLATE_PREFIX, Text, render_text, stored_context

logger = logging.getLogger(__name__)


@transaction.atomic
def notify(
    *,
    recipient: Any,
    template: str = "",
    context: dict[str, Any] | None = None,
    title: Text | None = None,
    message: Text | None = None,
    link: str = "",
    email: bool = True,
) -> Notification:
    """Notify `recipient` with a template pair or a catalogued title and message; the e-mail
    (if asked for) leaves only if the transaction commits."""
    if bool(template) == bool(title and message):
        raise ValueError("notify() takes either a template or a title and a message")
    stored: dict[str, Any] = {}
    with translation.override(_language(recipient)):
        if template:
            params = stored_context(context or {})
            stored = {
                "title_id": f"{TEMPLATE_PREFIX}{template}_title",
                "title_params": params,
                "message_id": f"{TEMPLATE_PREFIX}{template}_body",
                "message_params": params,
            }
            title_text = render_text(stored["title_id"], params)
            body = render_text(stored["message_id"], params)
        else:
            assert title is not None and message is not None
            title_text, body = str(title).strip(), str(message).strip()
            stored = {
                "title_id": title.id,
                "title_params": title.stored_params(),
                "message_id": message.id,
                "message_params": message.stored_params(),
            }
    notification = Notification.objects.create(
        recipient=recipient,
        title=title_text[:200],
        body=body,
        link=link,
        email_requested=email and bool(recipient.email),
        **stored,
    )
    if notification.email_requested:
        from .tasks import send_notification_email_task

        transaction.on_commit(partial(send_notification_email_task.delay, notification.pk))
    return notification


def send_notification_email(notification_id: int) -> bool:
    """E-mail a notification once: a second delivery of the task sends nothing."""
    claimed = Notification.objects.filter(
        pk=notification_id, email_requested=True, emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    # In the recipient's language as it is now, not as it was when the notification was made.
    with translation.override(_language(notification.recipient)):
        title, body = notification.display_title, notification.display_body.strip()
    if notification.link:
        body += "\n\n" + absolute_url(notification.link)
    try:
        send_mail(title[:200], body, None, [notification.recipient.email])
    except Exception:
        # Let the task retry: the claim is given back.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


def mark_read(*, user: Any, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all unread ones, or the given ones) as read."""
    unread = Notification.objects.visible_to(user).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


def _language(user: Any) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
