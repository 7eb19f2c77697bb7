"""Demo data of the supervision app: the first audit of the demo programs."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role
from training_portal.core.seeding import seed_once

from .audit import start_audit
from .models import AuditRun


def seed_audit_demo() -> AuditRun | None:
    """Queue one whole-portal audit for the worker, once: its findings are the planted
    problems of the demo (overdue milestones, silent tutors, the dubious expenditures...)."""
    admin = (
        User.objects.filter(
            is_active=True,
            role_memberships__role=Role.PORTAL_ADMIN,
            email__endswith="@demo.example",
        )
        .order_by("pk")
        .first()
    )
    if admin is None:
        return None
    return seed_once(
        "audit", lambda: start_audit(user=admin), already_there=AuditRun.objects.exists
    )
