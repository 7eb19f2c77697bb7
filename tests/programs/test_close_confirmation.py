"""Closing a program takes a confirmation on every surface: the service refuses an unconfirmed
close, the page's one-click transition form sends it to the confirmation page, and the API
takes it only with `"confirm": true`. Activating and reopening stay one step."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from programs import models as m
from programs.design import services as elements
from programs.design import workflow
from tests.cast import Cast
from tests.clients import api_for, client_for

from .test_element_pages import elements_of

pytestmark = pytest.mark.django_db

CLOSING_MEANS = (
    "Closing the program stops new students, placements and projects and makes its objectives, "
    "stages, curriculum and partners read-only; only a portal administrator can reopen it. "
    "Confirm it on the program's “Close the program” page, or send “confirm”: true with the "
    "request."
)

# step -> the status the program starts from, who takes the step, the status it leads to
STEPS = {
    "activate": ("draft", "program_admin", "active"),
    "close": ("active", "program_admin", "closed"),
    "reopen": ("closed", "admin", "active"),
}

# (step, confirm given, surface) -> the program's status afterwards
TABLE = [
    ("activate", False, "page", "active"),
    ("activate", True, "page", "active"),
    ("activate", False, "api", "active"),
    ("activate", True, "api", "active"),
    ("close", False, "page", "active"),  # sent to the confirmation page, nothing changes
    ("close", True, "page", "closed"),  # confirmed on the confirmation page
    ("close", False, "api", "active"),  # 400 on `confirm`
    ("close", True, "api", "closed"),
    ("reopen", False, "page", "active"),
    ("reopen", True, "page", "active"),
    ("reopen", False, "api", "active"),
    ("reopen", True, "api", "active"),
]


def ready_at(cast: Cast, status: str) -> m.Program:
    elements_of(cast.program)
    m.Program.objects.filter(pk=cast.program.pk).update(status=status)
    cast.program.refresh_from_db()
    return cast.program


@pytest.mark.parametrize(("step", "confirm", "surface", "result"), TABLE)
def test_only_closing_waits_for_a_confirmation(
    cast: Cast, admin: User, step: str, confirm: bool, surface: str, result: str
) -> None:
    start, who, _target = STEPS[step]
    program = ready_at(cast, start)
    user = admin if who == "admin" else cast.program_admin
    body: dict[str, object] = {"transition": step, "reason": "Closed by mistake."}
    response: Any
    if surface == "api":
        if confirm:
            body["confirm"] = True
        url = reverse("api:program-transition", args=[program.pk])
        response = api_for(user).post(url, body, format="json")
        refused = step == "close" and not confirm
        assert response.status_code == (400 if refused else 200)
        if refused:
            assert response.data == {"confirm": [CLOSING_MEANS]}
    else:
        client = client_for(user)
        close_page = reverse("programs:program-close", args=[program.pk])
        if step == "close" and confirm:
            response = client.post(close_page, {"reason": ""})
        else:
            if confirm:
                body["confirm"] = "true"  # the one-click form cannot confirm on its own
            url = reverse("programs:program-transition", args=[program.pk])
            response = client.post(url, body)
        assert response.status_code == 302
        if step == "close" and not confirm:
            assert response["Location"] == close_page
    program.refresh_from_db()
    assert program.status == result
    changes = m.ProgramStatusChange.objects.filter(program=program)
    assert changes.count() == (0 if result == start else 1)


def test_the_service_refuses_an_unconfirmed_close_on_the_confirm_field(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        elements.transition_program(user=cast.program_admin, program=cast.program, name="close")
    assert error.value.message_dict == {"confirm": [CLOSING_MEANS]}
    cast.program.refresh_from_db()
    assert cast.program.status == "active"


def test_every_confirmed_step_says_what_it_means_and_has_a_page() -> None:
    from programs.design.views.elements import CONFIRMATION_PAGES

    confirmed = {t.name for t in workflow.TRANSITIONS if t.confirmed}
    assert confirmed == set(CONFIRMATION_PAGES) == {"close"}


def test_a_close_the_program_may_not_take_is_refused_with_the_reason_not_redirected(
    cast: Cast,
) -> None:
    ready_at(cast, "draft")
    url = reverse("programs:program-transition", args=[cast.program.pk])
    response = client_for(cast.program_admin).post(url, {"transition": "close"}, follow=True)
    assert response.redirect_chain == [
        (reverse("programs:program-detail", args=[cast.program.pk]), 302)
    ]
    assert "A program that is “Draft” cannot take this step." in response.content.decode()
    cast.program.refresh_from_db()
    assert cast.program.status == "draft"


def test_a_tutor_is_not_sent_to_the_confirmation_page(cast: Cast) -> None:
    url = reverse("programs:program-transition", args=[cast.program.pk])
    assert client_for(cast.tutor.user).post(url, {"transition": "close"}).status_code == 403


def test_the_api_refusal_reads_in_chinese(cast: Cast) -> None:
    url = reverse("api:program-transition", args=[cast.program.pk])
    with translation.override("zh-hans"):
        response = api_for(cast.program_admin).post(
            url, {"transition": "close"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 400
    [message] = response.data["confirm"]
    assert "关闭" in message and "Closing" not in message
