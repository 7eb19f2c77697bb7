"""Quick sign-off: a practice tutor confirms a progress log, a case log or a milestone from a
single-use, expiring link sent to their own e-mail address.

Only the SHA-256 of the token is stored; the token itself exists only in the e-mail (it is
deliberately not put in an in-app notification, which would store it in the database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from training_portal.core.formats import format_date
from training_portal.core.history import history_context
from training_portal.core.links import absolute_url

from ...models import CaseLog, Milestone, ProgressLog, SignOffToken
from ...models.people import TutorKind
from ...people.permissions import current_tutor_roles
from ..permissions import can_verify_case_log, may_request_signoff

__all__ = [
    "DEFAULT_VALID_DAYS",
    "MAX_VALID_DAYS",
    "SignOffTarget",
    "author_id",
    "issue_signoff_link",
    "practice_tutor_users",
    "redeem_signoff",
    "signoff_tutors_for",
]

SignOffTarget = ProgressLog | CaseLog | Milestone
MAX_VALID_DAYS = 30
DEFAULT_VALID_DAYS = 7
_TARGET_MODELS = (ProgressLog, CaseLog, Milestone)


@transaction.atomic
def issue_signoff_link(
    *, user: User, target: SignOffTarget, tutor_user: User, valid_days: int = DEFAULT_VALID_DAYS
) -> str:
    """E-mail `tutor_user` a link that confirms `target`; return the token (for tests).

    Anyone in the student's care circle (the student, a current tutor, an administrator of
    the program) may ask; only a current practice tutor of the student may be asked.
    """
    if not isinstance(target, _TARGET_MODELS):
        raise ValidationError(
            {"target": _("Only a progress log, a case log or a milestone can be signed off.")}
        )
    if not may_request_signoff(user, target.student):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if tutor_user.pk == user.pk:
        errors["tutor_user"] = _("You cannot send a sign-off link to yourself.")
    elif tutor_user.pk == author_id(target):
        errors["tutor_user"] = _(
            "%(name)s wrote this record; a sign-off link asks someone else to confirm it."
        ) % {"name": tutor_user}
    elif not _may_confirm(tutor_user, target):
        errors["tutor_user"] = _(
            "%(name)s is not a current practice tutor of this student for this record."
        ) % {"name": tutor_user}
    if _confirmed_at(target) is not None:
        errors[NON_FIELD_ERRORS] = _("This record is already confirmed.")
    if isinstance(valid_days, bool) or not 1 <= valid_days <= MAX_VALID_DAYS:
        errors["valid_days"] = _("A link is valid for 1 to %(max)d days.") % {"max": MAX_VALID_DAYS}
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    record = SignOffToken.objects.create(
        token_hash=_digest(token),
        tutor=tutor_user,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        created_by=user,
        created_at=now,
        expires_at=now + dt.timedelta(days=valid_days),
    )
    message = _signoff_email(record, token=token, target=target, requester=user)
    # The link leaves only if the token row exists, i.e. after commit.
    transaction.on_commit(message.send, robust=True)
    return token


def author_id(target: Any) -> int | None:
    """Who wrote the record (a log's author, who recorded the cases); a milestone: nobody."""
    if isinstance(target, ProgressLog):
        return target.author_id
    if isinstance(target, CaseLog):
        return target.recorded_by_id
    return None


def signoff_tutors_for(tutors: list[User], target: Any, *, user: Any) -> list[User]:
    """The practice tutors a sign-off link for `target` may be offered to by `user`: never
    `user` themself, nor who wrote the record."""
    excluded = {user.pk, author_id(target)}
    return [tutor for tutor in tutors if tutor.pk not in excluded]


def practice_tutor_users(student: Any) -> QuerySet[User]:
    """Whom a sign-off link may be sent to: the student's current practice tutors."""
    return User.objects.filter(
        tutor_profile__assignments__student=student,
        tutor_profile__assignments__role=TutorKind.PRACTICE,
        tutor_profile__assignments__ended_on__isnull=True,
    ).order_by("full_name")


@transaction.atomic
def redeem_signoff(*, token: str, acting_user: Any = None) -> SignOffTarget:
    """Use a link once: confirm its target in the name of the tutor it was sent to."""
    record = (
        SignOffToken.objects.select_for_update()
        .select_related("tutor")
        .filter(token_hash=_digest(token or ""))
        .first()
    )
    if record is None:
        raise ValidationError({"token": _("This sign-off link is not valid.")})
    if getattr(acting_user, "is_authenticated", False) and acting_user.pk != record.tutor_id:
        # Links are bound to one person: a signed-in colleague cannot use someone else's.
        raise PermissionDenied
    if record.used_at is not None:
        raise ValidationError(
            {
                "token": _("This link has already been used on %(date)s.")
                % {"date": format_date(record.used_at)}
            }
        )
    if record.is_expired:
        raise ValidationError(
            {
                "token": _("This link expired on %(date)s. Ask for a new one.")
                % {"date": format_date(record.expires_at)}
            }
        )
    model = record.target_type.model_class()
    target = (
        model._default_manager.select_for_update().filter(pk=record.target_id).first()
        if model in _TARGET_MODELS
        else None
    )
    if not isinstance(target, _TARGET_MODELS):
        raise ValidationError({"token": _("The record this link confirms no longer exists.")})
    tutor = record.tutor
    if not _may_confirm(tutor, target):
        raise ValidationError(
            {"token": _("You no longer supervise this student; this link cannot be used.")}
        )
    now = timezone.now()
    with history_context(user=tutor.pk, signoff_link=record.pk):
        record.used_at = now
        record.save(update_fields=["used_at"])
        _confirm(target, tutor=tutor, now=now)
    return target


# ---- Helpers -------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _may_confirm(tutor_user: User, target: SignOffTarget) -> bool:
    """A current practice tutor of the student; for cases at a placement, its tutor."""
    if "practice" not in current_tutor_roles(tutor_user, target.student):
        return False
    return not isinstance(target, CaseLog) or can_verify_case_log(tutor_user, target)


def _confirmed_at(target: SignOffTarget) -> dt.datetime | None:
    if isinstance(target, ProgressLog):
        return target.confirmed_at
    if isinstance(target, CaseLog):
        return target.verified_at
    return target.signed_off_at


def _confirm(target: SignOffTarget, *, tutor: User, now: dt.datetime) -> None:
    """Record who confirmed and when; a record confirmed meanwhile keeps its first confirmer."""
    if _confirmed_at(target) is not None:
        return
    if isinstance(target, ProgressLog):
        target.confirmed_by, target.confirmed_at = tutor, now
        target.save(update_fields=["confirmed_by", "confirmed_at"])
    elif isinstance(target, CaseLog):
        # The tutor's confirmation settles an open question or an earlier rejection.
        target.verified_by, target.verified_at = tutor, now
        target.queried_at = target.rejected_at = target.rejected_by = None
        target.save(
            update_fields=["verified_by", "verified_at", "queried_at", "rejected_at", "rejected_by"]
        )
    else:
        target.signed_off_by, target.signed_off_at = tutor, now
        target.completed_on = target.completed_on or timezone.localdate(now)
        target.save(update_fields=["signed_off_by", "signed_off_at", "completed_on"])


def _signoff_email(
    record: SignOffToken, *, token: str, target: SignOffTarget, requester: User
) -> EmailMessage:
    """The e-mail to the tutor, in their language; the only place the token is written."""
    tutor = record.tutor
    context = {
        "tutor": tutor,
        "requester": requester,
        "student": target.student,
        "target": target,
        "kind": target._meta.model_name,
        "link": absolute_url(reverse("programs:signoff", args=[token])),
        "expires_at": record.expires_at,
    }
    with translation.override(tutor.preferred_language or settings.LANGUAGE_CODE):
        subject = render_to_string("programs/email/signoff_request_subject.txt", context)
        body = render_to_string("programs/email/signoff_request.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body.strip(), to=[tutor.email])


def find_signoff(token: str) -> tuple[SignOffToken | None, str]:
    """Look a link up without using it (e-mail scanners open links): the record or why not."""
    record = (
        SignOffToken.objects.select_related("tutor", "target_type")
        .filter(token_hash=_digest(token or ""))
        .first()
    )
    if record is None:
        return None, _("This sign-off link is not valid.")
    if record.used_at is not None:
        return record, _("This link has already been used on %(date)s.") % {
            "date": format_date(record.used_at)
        }
    if record.is_expired:
        return record, _("This link expired on %(date)s. Ask for a new one.") % {
            "date": format_date(record.expires_at)
        }
    return record, ""
