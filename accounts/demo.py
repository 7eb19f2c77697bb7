"""Demo accounts (one per role as the issues add them), all with the documented password."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from training_portal.core.seeding import seed_once

from .models import RoleMembership, User
from .roles import Role


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    language: str
    role: Role | None  # None: signed in, but no role
    superuser: bool = False
    note: str = ""  # what the account shows, printed by seed_demo


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount(
        "admin@demo.example", "Portal Administrator", "en", Role.PORTAL_ADMIN, superuser=True
    ),
    # The programs demo (programs.demo) gives these their scoped roles in MIT-2025.
    DemoAccount("progadmin@demo.example", "Petra Wang", "en", Role.PROGRAM_ADMIN, note="MIT-2025"),
    DemoAccount(
        "coordinator@demo.example",
        "Cora Li",
        "en",
        Role.PARTNER_COORDINATOR,
        note="Eastbridge First Hospital",
    ),
    DemoAccount(
        "tutor@demo.example",
        "Tom Chen",
        "en",
        Role.ACADEMIC_TUTOR,
        note="supervises student@ and six more",
    ),
    DemoAccount(
        "practice.tutor@demo.example",
        "Pia Zhao",
        "en",
        Role.PRACTICE_TUTOR,
        note="Eastbridge First Hospital, supervises student@",
    ),
    DemoAccount(
        "student@demo.example",
        "Stan Liu",
        "en",
        Role.STUDENT,
        note="placed at Eastbridge First Hospital",
    ),
    DemoAccount(
        "student2@demo.example", "Su Yang", "zh-hans", Role.STUDENT, note="another academic tutor"
    ),
    # The inspections demo (supervision.inspections.demo) gives these their assignments.
    DemoAccount(
        "inspector@demo.example",
        "Ingrid Huang",
        "en",
        Role.INSPECTOR,
        note="external inspector: writes the demo reports",
    ),
    DemoAccount(
        "inspector2@demo.example",
        "Leo Fang",
        "en",
        Role.INSPECTOR,
        note="lead inspector: approves publications",
    ),
    DemoAccount("outsider@demo.example", "Oscar Outsider", "en", None),
]


def demo_portal_admin() -> User | None:
    """The first active demo portal administrator (the actor of the apps' demo seeds)."""
    return (
        User.objects.filter(
            is_active=True,
            role_memberships__role=Role.PORTAL_ADMIN,
            email__endswith="@demo.example",
        )
        .order_by("pk")
        .first()
    )


def seed_demo_accounts() -> list[DemoAccount]:
    """Create the demo accounts, once (see training_portal.core.seeding); returns them all."""
    seed_once(
        "accounts",
        _create_accounts,
        already_there=User.objects.with_email(DEMO_ACCOUNTS[0].email).exists,
    )
    return DEMO_ACCOUNTS


def seed_accounts() -> list[str]:
    """The demo seeder (registered in `hooks`): the accounts, and a line for each to sign in
    with."""
    lines = []
    for account in seed_demo_accounts():
        role = account.role.label if account.role else "no role"
        note = f", {account.note}" if account.note else ""
        lines.append(f"  {account.email:<32} {settings.DEMO_PASSWORD}  ({role}{note})")
    return lines


@transaction.atomic
def _create_accounts() -> None:
    for account in DEMO_ACCOUNTS:
        user = User.objects.with_email(account.email).first()
        if user is None:
            user = User(
                email=account.email,
                full_name=account.full_name,
                preferred_language=account.language,
                is_staff=account.superuser,
                is_superuser=account.superuser,
            )
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
        if account.role in (Role.PORTAL_ADMIN, Role.COUNSELLOR):
            RoleMembership.objects.get_or_create(user=user, role=account.role, scope_type=None)
