"""What the features of the programs API share: inputs resolved within what the caller sees,
partial updates, service errors under the API's field names, links to files, and the removal
of a program's elements (deleted, or retired when other records refer to them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from programs.design import services as elements
from programs.design.permissions import can_manage_program
from training_portal.core.api import serializers as serializers_kit
from training_portal.core.api.serializers import optional_text
from training_portal.core.api.viewsets import Creates, RecordStep, actor, answer, read_input

from . import models as m

#: A download: the file itself, as an attachment.
FILE = OpenApiResponse(description="The file, as an attachment")


# ---- Inputs -----------------------------------------------------------------------------------

#: Related inputs resolved only within what the caller sees (`read_input(scoped=...)`).
VISIBLE_INPUTS: dict[str, Any] = {
    "student": m.Student,
    "placement": m.Placement,
    "line": m.BudgetLine,
    "tutor": m.TutorProfile,
}

#: The same, with programs, practice tutors and approvers (`read_scoped_input`).
MORE_VISIBLE_INPUTS: dict[str, Any] = {
    **VISIBLE_INPUTS,
    "program": m.Program,
    "practice_tutor": m.TutorProfile,
    "approver": User,
}


def read_scoped_input(request: Request, serializer_class: Any) -> dict[str, Any]:
    """`read_input`, with programs, practice tutors and approvers also scoped to the caller."""
    return read_input(request, serializer_class, scoped=MORE_VISIBLE_INPUTS)


def step(
    service: Any, argument: str, *, scoped: Any = VISIBLE_INPUTS, **options: Any
) -> RecordStep:
    """A detail action taking one service step on the record (`RecordStep`), its input's
    related fields resolved within what the caller sees (`VISIBLE_INPUTS` unless `scoped`)."""
    return RecordStep(service, argument, scoped=scoped, **options)


def creates(
    service: Any, input: Any, *, scoped: Any = MORE_VISIBLE_INPUTS, **options: Any
) -> Creates:
    """`create`: `service(user=caller, **input)` (`Creates`), its input's related fields
    resolved within what the caller sees (`MORE_VISIBLE_INPUTS` unless `scoped`)."""
    return Creates(service, input=input, scoped=scoped, **options)


def read_partial(request: Request, serializer_class: Any) -> dict[str, Any]:
    """Validate a partial update: only the fields sent; the program never moves."""
    serializer = serializer_class(data=request.data, partial=True, context={"request": request})
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    data.pop("program", None)
    return data


def merged(instance: Any, data: dict[str, Any], names: Any) -> dict[str, Any]:
    """A partial update's values: what was sent, the record's own values for the rest."""
    return {name: data[name] if name in data else getattr(instance, name) for name in names}


@contextmanager
def errors_renamed(**names: str) -> Iterator[None]:
    """Report a service's field errors under the API's field names (`student_user` → `email`)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): errors for field, errors in exc.error_dict.items()}
        ) from exc


class CommentSerializer(serializers.Serializer[Any]):
    comment = optional_text()


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class AccountEmailMixin(serializers.Serializer[Any]):
    """`email` names an existing account (any case); it validates to that `User`."""

    email = serializers.EmailField()

    def validate_email(self, value: str) -> User:
        account = User.objects.filter(email__iexact=value.strip()).first()
        if account is None:
            raise serializers.ValidationError(_("No account with this e-mail address."))
        return account


# ---- Outputs ----------------------------------------------------------------------------------


class DownloadUrlsMixin(serializers_kit.DownloadUrlsMixin):
    """Absolute links to the download views of the record's files (null without a file)."""


# ---- Program elements: removed (deleted or retired), reinstated -------------------------------


class RemovalSerializer(serializers.Serializer[Any]):
    """What removing an element does (or did): "delete" or "retire", and why."""

    action = serializers.ChoiceField(choices=["delete", "retire"])
    reasons = serializers.ListField(child=serializers.CharField())


class Removable(viewsets.GenericViewSet[Any]):
    """Actions of an element that is deleted, or retired when other records refer to it."""

    def _managed(self, request: Request) -> Any:
        element = self.get_object()
        if not can_manage_program(actor(request), element.program):
            raise PermissionDenied
        return element

    @extend_schema(request=None, responses={200: RemovalSerializer})
    @action(detail=True, methods=["get"])
    def removal(self, request: Request, pk: str | None = None) -> Response:
        """What `remove` would do: delete, or retire because other records refer to it."""
        removal = elements.removal_of(self._managed(request))
        return Response({"action": removal.action, "reasons": removal.reasons})

    @extend_schema(request=None, responses={200: RemovalSerializer})
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: str | None = None) -> Response:
        removal = elements.remove_element(user=actor(request), element=self.get_object())
        return Response({"action": removal.action, "reasons": removal.reasons})

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def reinstate(self, request: Request, pk: str | None = None) -> Response:
        element = elements.reinstate_element(user=actor(request), element=self.get_object())
        return answer(self, element)
