"""Who sees which reward entries, and who may act on the ledger. Deny by default.

A person sees their own entries; a coordinator sees their organisation's; a program's
administrators see all the entries of their programs; portal administrators see everything.
The program's administrators (and portal administrators) set its points per project size
and reverse its entries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.permissions import is_portal_admin, visible_filter
from accounts.roles import TRAINING_ROLES
from programs.scopes import administered_program_ids, administers, coordinated_organization_ids
from training_portal.core.permissions import is_active_user

#: The roles whose holders have a ledger of their own (or of their organisation, or program).
_LEDGER_ROLES = TRAINING_ROLES


@visible_filter
def entry_filter(user: Any) -> Q:
    """The reward entries `user` may read (used by `RewardEntry.objects.visible_to`)."""
    return (
        Q(user=user)
        | Q(organization__in=coordinated_organization_ids(user))
        | Q(program__in=administered_program_ids(user))
    )


def sees_ledger(user: Any) -> bool:
    """Who finds the ledger in the menu (no query). Its pages are open to everyone signed
    in and hold the entries they may see (none for an account without a role)."""
    if not is_active_user(user):
        return False
    return is_portal_admin(user) or any(role in user.role_names for role in _LEDGER_ROLES)


def can_edit_rules(user: Any, program: Any) -> bool:
    """A program's points per project size are set by its administrators."""
    return administers(user, program)


def can_reverse_entry(user: Any, entry: Any) -> bool:
    """A program's administrators correct its ledger, award by award."""
    return entry.kind == entry.Kind.AWARD and administers(user, entry.program)


def reads_rule_history(user: Any, rule: Any) -> bool:
    """The history of a program's points per size is read by its administrators."""
    return administers(user, rule.program)
