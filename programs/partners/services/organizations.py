"""Keeping the partner register current: an organisation's facts, and the renewal of a
partnership's agreement. (Registering an organisation and changing its status are in
`partners`, with the making of programs.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from training_portal.core.formats import format_date
from training_portal.core.history import history_context
from training_portal.core.validation import validated_save

from ...models import Organization, ProgramPartner
from ..permissions import can_edit_organization, can_renew_agreement
from .partners import _agreement_file_error

__all__ = ["EDITABLE_FIELDS", "renew_agreement", "update_organization"]

#: What an organisation's editor may change; the status has its own process, with a reason.
EDITABLE_FIELDS = ("name", "short_name", "kind", "city", "website", "description")


@transaction.atomic
def update_organization(*, user: User, organization: Organization, **fields: Any) -> Organization:
    """Correct an organisation's facts (name, kind, city …); every change is in its history."""
    if not can_edit_organization(user, organization):
        raise PermissionDenied
    if "status" in fields:
        raise ValidationError(
            {"status": _("Change an organisation's status on its own, with a reason.")}
        )
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    organization.refresh_from_db(from_queryset=Organization.objects.select_for_update())
    for name, value in fields.items():
        setattr(organization, name, value)
    with history_context(reason=_("Details corrected.")):
        return validated_save(organization)


@transaction.atomic
def renew_agreement(
    *,
    user: User,
    partner: ProgramPartner,
    agreement_end: dt.date,
    agreement_file: File[Any] | None = None,
) -> ProgramPartner:
    """Extend a partnership's agreement to a new end date, optionally with the newly signed
    agreement; the previous end date (and file) stay in the partnership's history."""
    if not can_renew_agreement(user, partner):
        raise PermissionDenied
    partner.refresh_from_db(from_queryset=ProgramPartner.objects.select_for_update())
    errors: dict[str, list[str]] = {}
    if agreement_end is None:
        errors["agreement_end"] = [_("Give the new end date of the agreement.")]
    elif partner.agreement_end is not None and agreement_end <= partner.agreement_end:
        errors["agreement_end"] = [
            _("A renewal ends after the current agreement, which ends on %(date)s.")
            % {"date": format_date(partner.agreement_end)}
        ]
    if agreement_file is not None:
        errors.update(_agreement_file_error(agreement_file))
    if errors:
        raise ValidationError(errors)
    previous = partner.agreement_end
    partner.agreement_end = agreement_end
    if agreement_file is not None:
        partner.agreement_file = agreement_file
    reason = _("Agreement renewed until %(date)s (it ended on %(previous)s).") % {
        "date": format_date(agreement_end),
        "previous": format_date(previous) if previous else "—",
    }
    with history_context(reason=reason):
        return validated_save(
            partner, constraint_fields={"programs_partner_agreement_order": "agreement_end"}
        )
