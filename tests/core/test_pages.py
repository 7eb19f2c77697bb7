"""The steps of a form page (core.pages): the form again on errors, a message and a redirect on
success, 404 outside what the user sees and 403 for a forbidden action, one page of rows."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from training_portal.core.forms import BootstrapForm
from training_portal.core.models import Job
from training_portal.core.pages import act, flash_refusal, page_of, permitted, submit


class NameForm(BootstrapForm):
    name = forms.CharField(max_length=20)


def _request(method: str = "post", data: dict[str, Any] | None = None) -> HttpRequest:
    request = getattr(RequestFactory(), method)("/somewhere/", data or {})
    request._messages = CookieStorage(request)
    return request


def _page(form: forms.Form) -> HttpResponse:
    return HttpResponse(f"form page: {form.errors.as_text()}")


def _messages(request: HttpRequest) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(request)]


def test_submit_runs_the_action_then_says_so_and_redirects() -> None:
    request = _request(data={"name": "Alice"})
    form = NameForm(request.POST)
    response = submit(
        request,
        form,
        lambda data: data["name"].upper(),
        success=lambda result: f"{result} saved.",
        redirect_to=lambda result: f"/done/{result}/",
        page=lambda: _page(form),
    )
    assert response.status_code == 302
    assert response["Location"] == "/done/ALICE/"
    assert _messages(request) == [("success", "ALICE saved.")]


def test_submit_shows_the_form_on_a_get_and_on_invalid_input_without_acting() -> None:
    acted: list[Any] = []
    for request in (_request("get"), _request(data={"name": ""})):
        form = NameForm(request.POST if request.method == "POST" else None)
        response = submit(
            request,
            form,
            acted.append,
            success="Saved.",
            redirect_to="/",
            page=lambda: HttpResponse("form page"),
        )
        assert response.status_code == 200
        assert response.content.startswith(b"form page")
        assert not _messages(request)
    assert acted == []


def test_submit_puts_the_services_refusal_on_the_fields_it_names() -> None:
    request = _request(data={"name": "Bob"})
    form = NameForm(request.POST)

    def refuse(data: dict[str, Any]) -> None:
        raise ValidationError({"full_name": "Taken.", "other": "Not now."})

    response = submit(
        request,
        form,
        refuse,
        success="Saved.",
        redirect_to="/",
        page=lambda: _page(form),
        aliases=lambda: {"full_name": "name"},
    )
    assert response.status_code == 200
    assert form.errors == {"name": ["Taken."], "__all__": ["Not now."]}
    assert not _messages(request)


def test_act_gives_the_refusal_or_the_message_and_the_redirect() -> None:
    request = _request()

    def refuse() -> None:
        raise ValidationError("Too late.")

    refused = act(request, refuse, refused=flash_refusal(request, "/back/"), redirect_to="/")
    assert (refused.status_code, refused["Location"]) == (302, "/back/")
    assert _messages(request) == [("error", "Too late.")]

    request = _request()
    done = act(
        request,
        lambda: 3,
        success="Done.",
        refused=lambda exc: HttpResponse(status=400),
        redirect_to="/next/",
    )
    assert (done.status_code, done["Location"]) == (302, "/next/")
    assert _messages(request) == [("success", "Done.")]


@pytest.mark.django_db
def test_permitted_is_404_outside_the_queryset_and_403_when_the_predicate_refuses() -> None:
    job = Job.objects.create(kind="demo")
    jobs = Job.objects.all()
    assert permitted(jobs, None, lambda user, found: True, pk=job.pk) == job
    with pytest.raises(PermissionDenied):
        permitted(jobs, None, lambda user, found: False, pk=job.pk)
    with pytest.raises(Http404):
        permitted(jobs.none(), None, lambda user, found: True, pk=job.pk)


def test_page_of_reads_the_page_asked_for() -> None:
    request = RequestFactory().get("/", {"page": "2"})
    page = page_of(request, list(range(5)), 2)
    assert list(page) == [2, 3]
    assert page_of(RequestFactory().get("/", {"page": "9"}), list(range(5)), 2).number == 3
