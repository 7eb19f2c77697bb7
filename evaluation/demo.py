"""The evaluation demo, in the order its parts depend on one another: indicators and an open
round with answers, the ledger, one period of partner scores (one partner recommended for
probation), then one report of each kind made from all of that. Idempotent."""

from __future__ import annotations

from accounts.demo import demo_portal_admin
from programs.models import Program
from training_portal.core.seeding import seed_once

from .evaluations.demo import ROUND_TITLE, seed_evaluation_demo
from .ledger.demo import seed_ledger_demo
from .models import EvaluationRound
from .reports.demo import seed_reports_demo
from .scores.demo import seed_scores_demo


def seed_evaluation_app_demo() -> None:
    from programs.demo import PROGRAM_CODE

    program = Program.objects.filter(code=PROGRAM_CODE).first()
    admin = demo_portal_admin()
    if program is None or admin is None:
        return

    def seed() -> None:
        seed_evaluation_demo(program)
        seed_ledger_demo(program)
        seed_scores_demo(admin)
        seed_reports_demo(admin, program)

    seed_once(
        "evaluation",
        seed,
        already_there=EvaluationRound.objects.filter(program=program, title=ROUND_TITLE).exists,
    )
