"""Demo data of the audits: the first audit of the demo programs."""

from __future__ import annotations

from accounts.demo import demo_portal_admin
from training_portal.core.seeding import seed_once

from ..models import AuditRun
from .engine import start_audit


def seed_audit_demo() -> AuditRun | None:
    """Queue one whole-portal audit for the worker, once: its findings are the planted
    problems of the demo (overdue milestones, silent tutors, the dubious expenditures...)."""
    admin = demo_portal_admin()
    if admin is None:
        return None
    return seed_once(
        "audit", lambda: start_audit(user=admin), already_there=AuditRun.objects.exists
    )


def seed_audits() -> list[str] | None:
    """The demo seeder (registered in `hooks`): queue the first audit, and say so."""
    run = seed_audit_demo()
    if run is None:
        return None
    return [f"A first audit of the demo data (run {run.pk}) is queued; the worker runs it."]
