"""The steps every portal page repeats: run a service on a submitted form (its refusal shown on
the form, its success as a message and a redirect), fetch an object the user may see and act
on, and show one page of rows.

Views stay thin: they choose the form, the service call and the page; these functions hold the
order of the steps, so that each page answers the same way (a form's errors re-render the
page, a service's ValidationError goes on the form, success flashes a message and redirects).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

__all__ = [
    "RecordPage",
    "act",
    "flash_refusal",
    "form_refusal",
    "page_of",
    "permitted",
    "submit",
]

T = TypeVar("T")
M = TypeVar("M", bound=Model)

#: What a successful action leads to: a URL, a URL name, a model with get_absolute_url, or
#: a function of the action's result giving one of these.
Target = Any


class ServiceForm(Protocol):
    """A form (or formset) that can show a service's ValidationError on itself."""

    @property
    def cleaned_data(self) -> Any: ...

    def is_valid(self) -> bool: ...

    def add_service_errors(self, exc: ValidationError, /) -> None: ...


def _done(
    request: HttpRequest, result: T, success: str | Callable[[T], str], redirect_to: Target
) -> HttpResponse:
    message = success(result) if callable(success) else success
    if message:
        messages.success(request, message)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def submit(
    request: HttpRequest,
    form: ServiceForm,
    action: Callable[[Any], T],
    *,
    page: Callable[[], HttpResponse],
    success: str | Callable[[T], str] = "",
    redirect_to: Target,
    aliases: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
) -> HttpResponse:
    """The form page's answer: on a POST whose form is valid, `action(form.cleaned_data)`;
    if it succeeds, the `success` message (text, or a function of the action's result) and a
    redirect to `redirect_to`. Otherwise (a GET, an invalid form, or the action's
    ValidationError put on the form's fields, renamed by `aliases`, or by what `aliases()`
    gives once the form is cleaned) `page()` renders the form.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = action(form.cleaned_data)
        except ValidationError as exc:
            names = aliases() if callable(aliases) else aliases
            if names:
                form.add_service_errors(exc, names)  # type: ignore[call-arg]
            else:
                form.add_service_errors(exc)
        else:
            return _done(request, result, success, redirect_to)
    return page()


@dataclass(frozen=True)
class RecordPage:
    """A record's page that several forms are posted from: `render(**shown)` renders it with
    the forms named in `shown` (a form with errors replacing the blank one), `url` is where a
    successful form leads back to."""

    render: Callable[..., HttpResponse]
    url: str

    def submit(
        self,
        request: HttpRequest,
        form_key: str,
        form: ServiceForm,
        action: Callable[[Any], Any],
        success: str,
        aliases: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """`submit` for a form of this page: back to the page, or the page showing the form
        (as `form_key`) with its errors."""
        return submit(
            request,
            form,
            action,
            success=success,
            redirect_to=self.url,
            page=lambda: self.render(**{form_key: form}),
            aliases=aliases,
        )


def act(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    refused: Callable[[ValidationError], HttpResponse] | None = None,
    success: str | Callable[[T], str] = "",
    redirect_to: Target,
) -> HttpResponse:
    """A button's answer (no form to fill): run `action()`; its ValidationError gives
    `refused(exc)`, success gives the `success` message and a redirect to `redirect_to`.

    Without `refused`, a refusal leads to the same place as success: its messages as error
    messages, then a redirect to `redirect_to` (which must then not be a function)."""
    try:
        result = action()
    except ValidationError as exc:
        return (refused or flash_refusal(request, redirect_to))(exc)
    return _done(request, result, success, redirect_to)


def permitted(
    queryset: QuerySet[M], user: Any, predicate: Callable[[Any, M], bool], **lookup: Any
) -> M:
    """The object of `queryset` (what `user` may see) matching `lookup`, when `predicate`
    allows `user` to act on it: an object outside the queryset is a 404, an allowed read with
    a forbidden action a 403."""
    obj = get_object_or_404(queryset, **lookup)
    if not predicate(user, obj):
        raise PermissionDenied
    return obj


def page_of(
    request: HttpRequest, rows: Any, per_page: int, *, count_up_to: int | None = None
) -> Page[Any]:
    """The page of `rows` the request asks for (`?page=`; out of range: the last page).
    `count_up_to`: count no further than that many rows past the page asked for (see
    `CountedUpTo`), for lists that can hold hundreds of thousands."""
    if count_up_to is None:
        return Paginator(rows, per_page).get_page(request.GET.get("page"))
    asked = request.GET.get("page", "")
    number = int(asked) if asked.isdigit() and 0 < int(asked) < 100_000 else 1
    return CountedUpTo(rows, per_page, limit=count_up_to + number * per_page).get_page(asked)


class CountedUpTo(Paginator):
    """Counts at most `limit` rows, in any order (a COUNT over a LIMIT, not over every row):
    beyond it, `capped` is True and the page says "more than" the count."""

    def __init__(self, rows: Any, per_page: int, *, limit: int) -> None:
        super().__init__(rows, per_page)
        self.limit = limit
        self.capped = False

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list  # a queryset
        counted = int(rows.order_by()[: self.limit + 1].count())
        self.capped = counted > self.limit
        return min(counted, self.limit)


def flash_refusal(
    request: HttpRequest, redirect_to: Target
) -> Callable[[ValidationError], HttpResponse]:
    """For `act(refused=...)` after a button: each of the ValidationError's messages as an
    error message, then a redirect to `redirect_to`."""

    def refused(exc: ValidationError) -> HttpResponse:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(redirect_to)

    return refused


def form_refusal(
    form: ServiceForm,
    page: Callable[[], HttpResponse],
    aliases: Mapping[str, str] | None = None,
) -> Callable[[ValidationError], HttpResponse]:
    """For `act(refused=...)` after a button whose form shows the refusal: the
    ValidationError on `form` (its fields renamed by `aliases`), then `page()`."""

    def refused(exc: ValidationError) -> HttpResponse:
        if aliases:
            form.add_service_errors(exc, aliases)  # type: ignore[call-arg]
        else:
            form.add_service_errors(exc)
        return page()

    return refused
