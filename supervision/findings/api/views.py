"""The findings API: the findings the caller may see, filtered as on the page
(`filters.FindingFilter`), with the moves of their life (`workflow`), assignment, notes, and
the same moves in bulk. Reads start from the `visible_to` QuerySet; actions call the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from training_portal.core.api.viewsets import DetailAction, ScopedViewSet, actor, answer, read_input

from ...models import Finding
from .. import permissions, services, workflow
from ..filters import FindingFilter
from . import serializers as s


@dataclass(frozen=True)
class Action:
    """What an endpoint on one finding takes: who may call it, the service, and its input."""

    allowed: Callable[[User, Finding], bool]
    service: Callable[..., Finding]
    input: type[serializers.Serializer[Any]] | None = None


#: The input of the moves of `workflow` that take some.
MOVE_INPUTS: dict[str, type[serializers.Serializer[Any]]] = {
    "start_remediation": s.CorrectiveActionNoteSerializer,
    "resolve": s.CorrectiveActionNoteSerializer,
    "dismiss": s.DismissalSerializer,
}

#: The moves of the finding's life (named as in URLs), then assignment and notes.
ACTIONS: dict[str, Action] = {
    **{
        move.slug: Action(
            move.allowed, services.MOVE_SERVICES[move.name], MOVE_INPUTS.get(move.name)
        )
        for move in workflow.MOVES
    },
    "assign": Action(
        permissions.can_assign_finding, services.assign_finding, s.AssignmentSerializer
    ),
    "corrective-action": Action(
        permissions.can_work_on_finding,
        services.update_corrective_action,
        s.CorrectiveActionSerializer,
    ),
}


class FindingAction(DetailAction):
    """The endpoint of `ACTIONS[name]` (named as in URLs: `start_remediation` is
    "start-remediation"), its input read from the table; `FindingViewSet._act` takes it."""

    dashed_urls = True

    def __set_name__(self, owner: type, name: str) -> None:
        self.input = ACTIONS[name.replace("_", "-")].input
        super().__set_name__(owner, name)

    def run(self, viewset: Any, request: Request, name: str) -> Response:
        return cast(Response, viewset._act(request, name.replace("_", "-")))


class FindingViewSet(ScopedViewSet):
    """Findings the caller may see (students: never about funds), with their life:
    acknowledge → start remediation → resolve, or dismiss with a justification; reopen;
    assign (the assignee is notified); corrective-action notes; the same moves in bulk."""

    model = Finding
    serializer_class = s.FindingSerializer
    related = ("program", "organization", "student__user", "tutor", "assignee", "subject_type")
    filterset_class = FindingFilter
    filter_backends = [DjangoFilterBackend]

    def _act(self, request: Request, name: str) -> Response:
        """404 outside what the caller sees, 403 if they may not act, 400 for bad input."""
        move = ACTIONS[name]
        finding = self.get_object()
        user = actor(request)
        if not move.allowed(user, finding):
            raise PermissionDenied
        data = read_input(request, move.input) if move.input is not None else {}
        move.service(user=user, finding=finding, **data)
        return answer(self, finding)

    acknowledge = FindingAction()
    start_remediation = FindingAction()

    @extend_schema(
        request=s.CorrectiveActionNoteSerializer, responses={200: s.ResolvedFindingSerializer}
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Resolve the finding, and say what the next audit run will do with it: the rule is
        checked again for the finding's program; `still_present` is true when the problem is
        still there (the next run reopens the finding), null when no run checks it any more."""
        response = self._act(request, "resolve")
        outlook = services.resolve_outlook(self.get_object())
        response.data = {
            **response.data,
            "still_present": outlook.still_present,
            "next_run": outlook.next_run,
        }
        return response

    dismiss = FindingAction()
    reopen = FindingAction()
    assign = FindingAction()
    corrective_action = FindingAction()

    @extend_schema(request=s.BulkActionSerializer, responses={200: s.BulkResultSerializer})
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        """One action on many findings in one transaction (`services.act_on_findings`): those
        the caller may not act on are left as they are and listed as refused, ids outside what
        the caller sees as not found; any other error undoes the whole batch (400)."""
        data = read_input(request, s.BulkActionSerializer)
        ids = list(dict.fromkeys(data.pop("ids")))
        findings = list(self.get_queryset().filter(pk__in=ids).order_by("pk"))
        outcome = services.act_on_findings(user=actor(request), findings=findings, **data)
        seen = {finding.pk for finding in findings}
        result = {
            "done": [finding.pk for finding in outcome.done],
            "refused": [finding.pk for finding in outcome.refused],
            "not_found": [pk for pk in ids if pk not in seen],
            "still_present": [finding.pk for finding in outcome.still_present],
        }
        return Response(s.BulkResultSerializer(result).data)
