"""The base of every API viewset and the helpers of its writes.

A viewset starts every query from `Model.objects.visible_to(user)` (outsiders get 404); a
write validates its input with `read_input` (400 with field errors, related ids resolved only
within what the caller may see), calls one service as `actor(request)`, and answers with the
fresh record through `answer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

__all__ = ["ScopedViewSet", "actor", "answer", "read_input"]


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
