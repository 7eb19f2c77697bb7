"""Answering what one owes: a named evaluation with its scores, or an anonymous answer whose
request stays the receipt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from training_portal.core.history import history_context
from training_portal.core.validation import comment_length_errors

from ...models import (
    ANONYMOUS_SOURCES,
    AnonymousAnswer,
    Evaluation,
    EvaluationRequest,
    EvaluationRound,
    Indicator,
    Score,
    Source,
    SubjectKind,
)
from .common import COMMENT_MAX_LENGTH, Errors, parse_int
from .indicators import weighted_total


def _score_errors(indicators: list[Indicator], scores: Mapping[Any, Any]) -> tuple[dict, Errors]:
    given = {str(key): value for key, value in (scores or {}).items()}
    values: dict[int, int] = {}
    errors: Errors = {}
    known = {str(i.pk) for i in indicators}
    for key in given:
        if key not in known:
            errors.setdefault("scores", []).append(
                _("Score only the indicators of the program (%(key)s is not one).") % {"key": key}
            )
    for indicator in indicators:
        raw = given.get(str(indicator.pk))
        value = parse_int(raw) if raw not in (None, "") else None
        name = f"score_{indicator.pk}"
        if value is None:
            errors[name] = [_("Give a score for “%(name)s”.") % {"name": indicator.name}]
        elif not indicator.scale_min <= value <= indicator.scale_max:
            errors[name] = [
                _("Give a score from %(low)d to %(high)d.")
                % {"low": indicator.scale_min, "high": indicator.scale_max}
            ]
        else:
            values[indicator.pk] = value
    return values, errors


@transaction.atomic
def submit_evaluation(
    *, user: User, request: EvaluationRequest, scores: Mapping[Any, Any], comment: str = ""
) -> Evaluation | None:
    """Answer what `user` owes: a score per indicator of the program (within its scale) and
    a comment. A named source gives an `Evaluation` with its scores; an anonymous source an
    `AnonymousAnswer` (returns None) and the request becomes the receipt."""
    locked = (
        EvaluationRequest.objects.select_for_update(of=("self",))
        .select_related("round__program", "placement")
        .get(pk=request.pk)
    )
    if locked.evaluator_id != user.pk:
        raise PermissionDenied
    if locked.status != EvaluationRequest.Status.PENDING:
        raise ValidationError({NON_FIELD_ERRORS: [_("This evaluation has already been given.")]})
    round_ = locked.round
    if round_.status != EvaluationRound.Status.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: [_("This round is closed.")]})
    indicators = list(Indicator.objects.filter(program=round_.program_id))
    values, errors = _score_errors(indicators, scores)
    comment = (comment or "").strip()
    if too_long := comment_length_errors(comment, COMMENT_MAX_LENGTH):
        errors["comment"] = too_long
    if not indicators:
        errors[NON_FIELD_ERRORS] = [_("The program has no indicators to score.")]
    if errors:
        raise ValidationError(errors)
    # What both kinds of answer record.
    answer: dict[str, Any] = {
        "round": round_,
        "source": locked.source,
        "total": weighted_total(indicators, values),
        "comment": comment,
    }
    locked.status = EvaluationRequest.Status.SUBMITTED
    if locked.source in ANONYMOUS_SOURCES:
        locked.save(update_fields=["status"])
        subject: dict[str, Any] = (
            {"subject_kind": SubjectKind.PARTNER, "organization_id": locked.placement.host_id}
            if locked.source == Source.STUDENT_ON_PLACEMENT and locked.placement is not None
            else {"subject_kind": locked.subject_kind, "tutor_id": locked.tutor_id}
        )
        AnonymousAnswer.objects.create(
            scores={str(pk): value for pk, value in values.items()}, **answer, **subject
        )
        request.status = locked.status
        return None
    with history_context(user=user.pk):
        locked.save(update_fields=["status"])
        evaluation = Evaluation.objects.create(
            request=locked, evaluator=user, **answer, **locked.subject_fields()
        )
        Score.objects.bulk_create(
            [
                Score(evaluation=evaluation, indicator_id=pk, value=value)
                for pk, value in values.items()
            ]
        )
    request.status = locked.status
    return evaluation
