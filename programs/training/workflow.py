"""The plan's lifecycle: each transition a page or the API may ask for, with who may take it
and the service that takes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import TrainingPlan
from .permissions import (
    can_approve_plan,
    can_return_plan,
    can_revise_plan,
    can_submit_plan,
    can_tutor_approve_plan,
)
from .services import training

TRANSITIONS: dict[str, tuple[Callable[[Any, Any], bool], Callable[..., TrainingPlan]]] = {
    "submit": (can_submit_plan, training.submit_plan),
    "tutor_approve": (can_tutor_approve_plan, training.tutor_approve_plan),
    "approve": (can_approve_plan, training.approve_plan),
    "return": (can_return_plan, training.return_plan),
    "revise": (can_revise_plan, training.revise_plan),
}
