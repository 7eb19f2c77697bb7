"""Evaluation rounds, what each evaluator owes, and the answers: named evaluations with a
score per indicator, and anonymous answers that nothing links to their author."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Placement, Program, Student, TutorProfile
from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    check,
    in_range,
    moment_field,
    now_field,
    optional_fk,
    period_order_check,
    ref,
    unique,
    user_ref,
)

from ..choices import EvaluationRequestStatus, EvaluationRoundStatus, Source, SubjectKind
from .indicators import Indicator

#: Shown only as aggregates of at least `EVALUATION_MIN_ANONYMOUS` answers, never linked to
#: their author.
ANONYMOUS_SOURCES = frozenset({Source.STUDENT_ON_TUTOR, Source.STUDENT_ON_PLACEMENT})


#: The subject field each kind fills (a program subject is the round's program).
SUBJECT_FIELDS = {
    SubjectKind.STUDENT: "student",
    SubjectKind.TUTOR: "tutor",
    SubjectKind.PLACEMENT: "placement",
    SubjectKind.PARTNER: "organization",
    SubjectKind.PROGRAM: None,
}


def _one_subject() -> Q:
    """Exactly the subject field of the kind is set."""
    fields = [f for f in SUBJECT_FIELDS.values() if f]
    cases = []
    for kind, field in SUBJECT_FIELDS.items():
        q = Q(subject_kind=kind)
        for other in fields:
            q &= Q(**{f"{other}__isnull": other != field})
        cases.append(q)
    result = cases[0]
    for case in cases[1:]:
        result |= case
    return result


class Subject(models.Model):
    """The subject of an evaluation: one student, tutor, placement, partner, or the program."""

    subject_kind = models.CharField(_("subject"), max_length=16, choices=SubjectKind.choices)
    student = optional_fk(Student, _("student"), on_delete=models.CASCADE)
    tutor = optional_fk(TutorProfile, _("tutor"), on_delete=models.CASCADE)
    placement = optional_fk(Placement, _("placement"), on_delete=models.CASCADE)
    organization = optional_fk(Organization, _("partner"), on_delete=models.CASCADE)

    class Meta:
        abstract = True

    @property
    def subject(self) -> Any:
        field = SUBJECT_FIELDS[SubjectKind(self.subject_kind)]
        return getattr(self, field) if field else self.round.program  # type: ignore[attr-defined]

    def subject_fields(self) -> dict[str, Any]:
        """The subject's kind and field ids, to give another record the same subject."""
        ids = {
            f"{field}_id": getattr(self, f"{field}_id")
            for field in SUBJECT_FIELDS.values()
            if field
        }
        return {"subject_kind": self.subject_kind, **ids}


class EvaluationRoundQuerySet(models.QuerySet["EvaluationRound"]):
    def visible_to(self, user: Any) -> EvaluationRoundQuerySet:
        from ..evaluations.permissions import round_filter

        return self.filter(round_filter(user))

    def open(self) -> EvaluationRoundQuerySet:
        return self.filter(status=EvaluationRound.Status.OPEN)


@tracked()
class EvaluationRound(models.Model):
    """A period's evaluations of a program, opened by an administrator with a deadline."""

    Status = EvaluationRoundStatus

    program = ref(Program, _("program"), related_name="evaluation_rounds")
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    deadline = models.DateField(_("deadline"))
    sources = models.JSONField(_("sources"), default=list)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opened_by = user_ref(_("opened by"), null=True)
    opened_at = now_field(_("opened at"))
    closed_at = moment_field(_("closed at"))

    objects = EvaluationRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            period_order_check("evaluation_round_period_order"),
        ]

    def __str__(self) -> str:
        return self.title


class EvaluationRequestQuerySet(models.QuerySet["EvaluationRequest"]):
    def visible_to(self, user: Any) -> EvaluationRequestQuerySet:
        from ..evaluations.permissions import request_filter

        return self.filter(request_filter(user))

    def pending(self) -> EvaluationRequestQuerySet:
        return self.filter(status=EvaluationRequest.Status.PENDING)

    def overdue(self, today: Any) -> EvaluationRequestQuerySet:
        return self.pending().filter(
            round__status=EvaluationRound.Status.OPEN, round__deadline__lt=today
        )


@tracked()
class EvaluationRequest(Subject):
    """An evaluation someone owes in a round: who, from which source, about what. For an
    anonymous source it is also the receipt that the answer was given (never what)."""

    Status = EvaluationRequestStatus

    round = ref(EvaluationRound, _("round"), on_delete=models.CASCADE, related_name="requests")
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    evaluator = user_ref(
        _("evaluator"), on_delete=models.CASCADE, related_name="evaluation_requests"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    reminded_at = moment_field(_("last reminded at"))

    objects = EvaluationRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation owed")
        verbose_name_plural = _("evaluations owed")
        ordering = ["round", "pk"]
        constraints = [
            # One request per evaluator, source and subject in a round; the subject fields
            # that do not apply are NULL, which a plain unique constraint treats as all
            # different (and SQLite has no NULLS NOT DISTINCT): compare them as 0 instead.
            models.UniqueConstraint(
                F("round"),
                F("source"),
                F("evaluator"),
                F("subject_kind"),
                *(
                    Coalesce(F(name), Value(0), output_field=models.BigIntegerField())
                    for name in ("student", "tutor", "placement", "organization")
                ),
                name="evaluation_request_once",
                violation_error_message=_("This evaluation is already owed in this round."),
            ),
            check(_one_subject(), "evaluation_request_one_subject"),
        ]
        indexes = [models.Index(fields=["evaluator", "status"])]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.source}:{self.evaluator_id}"

    @property
    def anonymous(self) -> bool:
        return self.source in ANONYMOUS_SOURCES


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def visible_to(self, user: Any) -> EvaluationQuerySet:
        from ..evaluations.permissions import evaluation_filter

        return self.filter(evaluation_filter(user))


@tracked()
class Evaluation(Subject):
    """A named evaluation (every source but the anonymous ones): a score per indicator, a
    comment, and the weighted total (0-100)."""

    request = models.OneToOneField(
        EvaluationRequest,
        on_delete=models.PROTECT,
        related_name="evaluation",
        verbose_name=_("evaluation owed"),
    )
    round = ref(EvaluationRound, _("round"), related_name="evaluations")
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    evaluator = user_ref(_("evaluator"), related_name="evaluations_given")
    comment = models.TextField(_("comment"), blank=True)
    total = models.DecimalField(_("weighted total"), max_digits=5, decimal_places=2)
    submitted_at = now_field(_("submitted at"))

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            check(~Q(source__in=sorted(ANONYMOUS_SOURCES)), "evaluation_named_sources_only"),
            check(_one_subject(), "evaluation_one_subject"),
            check(in_range("total", 0, 100), "evaluation_total_range"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.source}:{self.pk}"


@tracked()
class Score(models.Model):
    """One indicator's score in a named evaluation."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="scores", verbose_name=_("indicator")
    )
    value = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            unique(
                ["evaluation", "indicator"],
                "evaluation_score_once",
                _("This indicator is already scored."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value}"


class AnonymousAnswer(Subject):
    """An anonymous source's answer (student on tutor, student on placement).

    Deliberately not tracked in the history and without an author, a timestamp or a
    sequential id: nothing in the row leads back to who answered. The scores are kept in
    the row ({indicator id: score}), so that no score row's id orders the answers either.
    Shown only as aggregates of at least `EVALUATION_MIN_ANONYMOUS` answers.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = ref(EvaluationRound, _("round"), related_name="anonymous_answers")
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    scores = models.JSONField(_("scores"), default=dict)
    total = models.DecimalField(_("weighted total"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("anonymous answer")
        verbose_name_plural = _("anonymous answers")
        constraints = [
            check(Q(source__in=sorted(ANONYMOUS_SOURCES)), "evaluation_anonymous_sources_only"),
            check(_one_subject(), "evaluation_answer_one_subject"),
            check(in_range("total", 0, 100), "evaluation_answer_total_range"),
        ]

    def __str__(self) -> str:
        return str(_("Anonymous answer"))
