"""The base of every API viewset and the helpers of its writes.

A viewset starts every query from `Model.objects.visible_to(user)` (outsiders get 404); a
write validates its input with `read_input` (400 with field errors, related ids resolved only
within what the caller may see), calls one service as `actor(request)`, and answers with the
fresh record through `answer`. A detail action that does just that on the viewset's record is
declared as `confirm = RecordStep(services.confirm_placement, "placement")`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import filters, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

__all__ = [
    "Creates",
    "DetailAction",
    "RecordStep",
    "ScopedViewSet",
    "actor",
    "answer",
    "permitted",
    "read_input",
]


class ScopedViewSet(viewsets.ReadOnlyModelViewSet[Any]):
    """Starts every query from `Model.objects.visible_to(user)`: outsiders get 404."""

    model: Any
    related: tuple[str, ...] = ()
    prefetch: tuple[Any, ...] = ()
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.model.objects.visible_to(self.request.user)
        if self.related:
            queryset = queryset.select_related(*self.related)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        return queryset


def actor(request: Request) -> Any:
    """The signed-in caller (the API's default permission refuses anonymous callers)."""
    return request.user


def read_input(
    request: Request, serializer_class: Any, *, scoped: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Validate `request.data` (400 with field errors); the related fields that `scoped` names
    resolve only within `Model.objects.visible_to(caller)`, so that a hidden id reads as an
    unknown one."""
    serializer = serializer_class(data=request.data, context={"request": request})
    for name, model in (scoped or {}).items():
        field = serializer.fields.get(name)
        if field is not None:
            field.queryset = model.objects.visible_to(request.user)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def answer(viewset: Any, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
    """The record as the caller sees it now, through the viewset's own queryset."""
    fresh = viewset.get_queryset().get(pk=instance.pk)
    return Response(viewset.get_serializer(fresh).data, status=status_code)


#: The methods of a viewset that its router maps itself (no `@action`).
OWN_METHODS = frozenset({"create", "retrieve", "update", "partial_update", "destroy", "list"})


class DetailAction(ABC):
    """A detail action declared as a class attribute of a viewset; on the class's creation it
    becomes an ordinary DRF `@action` named after the attribute (its URL `<pk>/<name>/` unless
    `url_path` says otherwise), with its OpenAPI request and responses. Subclasses say what it
    does in `run`.

    `responses` defaults to `{status_code: the viewset's serializer_class}`; with `dashed_urls`
    the URL of `change_tutor` is `<pk>/change-tutor/`. Declared under the name of one of the
    viewset's own methods (`create`, `partial_update`), it is that method, not an extra action."""

    dashed_urls: bool = False

    def __init__(
        self,
        *,
        input: Any = None,
        responses: dict[int, Any] | None = None,
        status_code: int = status.HTTP_200_OK,
        url_path: str | None = None,
        url_name: str | None = None,
        doc: str | None = None,
    ) -> None:
        self.input = input
        self.responses = responses
        self.status_code = status_code
        self.url_path = url_path
        self.url_name = url_name
        self.doc = doc

    @abstractmethod
    def run(self, viewset: Any, request: Request, name: str) -> Response:
        """Answer the request for the action `name` on `viewset`."""

    def __set_name__(self, owner: type, name: str) -> None:
        def act(viewset: Any, request: Request, pk: str | None = None) -> Response:
            return self.run(viewset, request, name)

        act.__name__ = name
        act.__qualname__ = f"{owner.__qualname__}.{name}"
        act.__doc__ = self.doc
        schema = extend_schema(
            request=self.input,
            responses=self.responses or {self.status_code: owner.serializer_class},  # type: ignore[attr-defined]
        )
        if name in OWN_METHODS:
            setattr(owner, name, schema(act))
            return
        url_path = self.url_path
        if url_path is None and self.dashed_urls and "_" in name:
            url_path = name.replace("_", "-")
        routed = action(
            detail=True,
            methods=["post"],
            **({"url_path": url_path} if url_path else {}),
            **({"url_name": self.url_name} if self.url_name else {}),
        )(act)
        setattr(owner, name, schema(routed))


class ServiceAction(DetailAction):
    """An action that calls one service as the caller: `service(<caller>=caller, **given,
    **input)`, the `input` read with `read_input` (400 with field errors; related ids resolved
    within what the caller sees for the fields `scoped` names)."""

    def __init__(
        self,
        service: Callable[..., Any],
        *,
        scoped: Mapping[str, Any] | None = None,
        caller: str = "user",
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.service = service
        self.scoped = scoped
        self.caller = caller

    def call(self, request: Request, **given: Any) -> Any:
        data = read_input(request, self.input, scoped=self.scoped) if self.input else {}
        return self.service(**{self.caller: actor(request)}, **given, **data)


class RecordStep(ServiceAction):
    """One service step on the viewset's record (a transition, a sign-off...): the record
    (`get_object`, 404 outside what the caller sees; or `guard(viewset, request)`, e.g. one
    that also answers 403 to those who may not manage it; a string names a viewset method
    taking the request), then `service(<caller>=caller, <argument>=record, **input)`; the
    answer is the record as the caller sees it now (`status_code`), or with `answers_result`
    the record the service returns (e.g. a new revision)."""

    def __init__(
        self,
        service: Callable[..., Any],
        argument: str,
        *,
        guard: str | Callable[[Any, Request], Any] | None = None,
        answers_result: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(service, **options)
        self.argument = argument
        self.guard = guard
        self.answers_result = answers_result

    def record(self, viewset: Any, request: Request) -> Any:
        if self.guard is None:
            return viewset.get_object()
        if isinstance(self.guard, str):
            return getattr(viewset, self.guard)(request)
        return self.guard(viewset, request)

    def run(self, viewset: Any, request: Request, name: str) -> Response:
        record = self.record(viewset, request)
        result = self.call(request, **{self.argument: record})
        return answer(viewset, result if self.answers_result else record, self.status_code)


def permitted(check: Callable[[Any, Any], bool]) -> Callable[[Any, Request], Any]:
    """A `RecordStep` guard: the viewset's record (404 outside what the caller sees), then 403
    unless `check(caller, record)`."""

    def guard(viewset: Any, request: Request) -> Any:
        record = viewset.get_object()
        if not check(actor(request), record):
            raise PermissionDenied
        return record

    return guard


class Creates(ServiceAction):
    """`create = Creates(service, input=...)`: `service(<caller>=caller, **input)`; the answer
    is the new record as the caller sees it (201 unless `status_code`)."""

    def __init__(
        self,
        service: Callable[..., Any],
        *,
        status_code: int = status.HTTP_201_CREATED,
        **options: Any,
    ) -> None:
        super().__init__(service, status_code=status_code, **options)

    def run(self, viewset: Any, request: Request, name: str) -> Response:
        return answer(viewset, self.call(request), self.status_code)
