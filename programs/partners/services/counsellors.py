"""Counsellors posted at an organisation: the counsellor role scoped to it, which is what the
responsibility `mental_health_service` reads. Posted by e-mail (the account must exist) and
ended by setting the last day of the posting, never by deleting it, so that the history of
who served there stays; every change is kept in the membership's history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import RoleMembership, RoleMembershipQuerySet, User
from accounts.roles import Role
from training_portal.core.history import history_context

from ...models import Organization
from ...scopes import organization_ids_with_people_visible_to
from ..permissions import can_post_counsellors

__all__ = [
    "correct_counsellor_posting",
    "end_counsellor_posting",
    "post_counsellor",
    "postings_at",
    "postings_visible_to",
]


def postings_at(organization: Organization) -> RoleMembershipQuerySet:
    """Every counsellor posting at the organisation, current or ended."""
    return RoleMembership.objects.of_role(Role.COUNSELLOR).filter(
        scope_type=ContentType.objects.get_for_model(Organization), scope_id=organization.pk
    )


def postings_visible_to(user: Any) -> RoleMembershipQuerySet:
    """Every counsellor posting, current or ended, at the organisations whose people `user`
    may see (the organisation's page shows them to the same people)."""
    postings = RoleMembership.objects.of_role(Role.COUNSELLOR).scoped_by(Organization)
    organizations = organization_ids_with_people_visible_to(user)
    return postings if organizations is None else postings.filter(scope_id__in=organizations)


@transaction.atomic
def post_counsellor(*, user: User, organization: Organization, email: str) -> RoleMembership:
    """Post the person who has an account under `email` as a counsellor at the organisation
    (open-ended); a posting that had ended, or was to start later, starts again today."""
    if not can_post_counsellors(user, organization):
        raise PermissionDenied
    email = (email or "").strip()
    person = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if person is None:
        raise ValidationError(
            {
                "email": [
                    _(
                        "No active account uses this e-mail address; the person needs an "
                        "account before being posted here."
                    )
                ]
            }
        )
    # One membership per person, role and organisation: lock it, so two posts take turns.
    membership = postings_at(organization).select_for_update().filter(user=person).first()
    today = timezone.localdate()
    if membership is None:
        membership = RoleMembership.objects.create(
            user=person, role=Role.COUNSELLOR, scope=organization, granted_by=user
        )
    elif membership.valid_until is None and (
        membership.valid_from is None or membership.valid_from <= today
    ):
        raise ValidationError(
            {
                "email": [
                    _("%(person)s is already posted here as a counsellor.") % {"person": person}
                ]
            }
        )
    else:
        membership.valid_from = today
        membership.valid_until = None
        membership.granted_by = user
        membership.save(update_fields=["valid_from", "valid_until", "granted_by"])
    # The person's roles may have been read already (cached): read them again when asked.
    person.__dict__.pop("current_roles", None)
    return membership


def _check_posting(user: User, membership: RoleMembership) -> None:
    organization = membership.scope
    if not isinstance(organization, Organization) or membership.role != Role.COUNSELLOR:
        raise ValidationError(_("This is not a counsellor's posting at an organisation."))
    if not can_post_counsellors(user, organization):
        raise PermissionDenied
    membership.refresh_from_db(from_queryset=RoleMembership.objects.select_for_update())


@transaction.atomic
def correct_counsellor_posting(
    *,
    user: User,
    membership: RoleMembership,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
) -> RoleMembership:
    """Correct the first and last day of a posting (either may be open: no first day is
    "since before the portal", no last day is "until further notice"); the earlier dates stay
    in the membership's history."""
    _check_posting(user, membership)
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise ValidationError(
            {"valid_until": [_("The last day of the posting comes before its first day.")]}
        )
    membership.valid_from = valid_from
    membership.valid_until = valid_until
    with history_context(reason=_("Counsellor's posting corrected.")):
        membership.save(update_fields=["valid_from", "valid_until"])
    membership.user.__dict__.pop("current_roles", None)
    return membership


@transaction.atomic
def end_counsellor_posting(*, user: User, membership: RoleMembership) -> RoleMembership:
    """End a counsellor's posting: today is its last day. The membership is kept."""
    _check_posting(user, membership)
    today = timezone.localdate()
    if membership.valid_until is not None and membership.valid_until <= today:
        raise ValidationError(
            _("This posting has already ended (its last day is %(date)s).")
            % {"date": date_format(membership.valid_until, "DATE_FORMAT")}
        )
    if membership.valid_from is not None and membership.valid_from > today:
        membership.valid_from = today
    membership.valid_until = today
    membership.save(update_fields=["valid_from", "valid_until"])
    membership.user.__dict__.pop("current_roles", None)
    return membership
