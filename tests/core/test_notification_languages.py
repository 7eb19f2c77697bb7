"""Every notification is rendered when read, in the reader's language: those written from
templates (expenditures, training plans, status changes, findings...) as well as catalogued
messages. Made while English is active, a Chinese reader reads them in Chinese on
/notifications/ and in the API; an English reader in English; the e-mail follows the
recipient's language; the page's query count stays flat."""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from programs import models as m
from programs.funds import services as funds
from programs.people.services import student_status
from programs.training.services import training
from supervision.findings import services as supervision_services
from tests.cast import Cast
from tests.clients import api_for, client_for
from tests.programs.factories import BudgetLineFactory
from tests.queries import assert_flat_queries
from tests.supervision.conftest import make_finding
from training_portal.core.models import Notification
from training_portal.core.notifications import notify, send_notification_email
from training_portal.core.texts import render_text, stored_context

pytestmark = pytest.mark.django_db


def expenditure_approved(cast: Cast) -> User:
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    line = typing.cast(
        m.BudgetLine,
        BudgetLineFactory(
            program=cast.program, holder=cast.hospital, amount=Decimal("1000"), title="CT phantoms"
        ),
    )
    expenditure = funds.submit_expenditure(
        user=cast.coordinator,
        line=line,
        amount="250.00",
        spent_on=dt.date(2026, 3, 2),
        category="materials",
        payee="Imaging Supplies Co.",
        description="Phantoms",
    )
    funds.approve_expenditure(user=cast.program_admin, expenditure=expenditure)
    return cast.coordinator


def plan_returned(cast: Cast) -> User:
    plan = training.draft_plan(
        user=cast.student.user,
        student=cast.student,
        career_goal=m.TrainingPlan.CareerGoal.CLINICAL,
        personal_objectives="Become independent in CT protocols.",
    )
    training.submit_plan(user=cast.student.user, plan=plan)
    training.return_plan(user=cast.tutor.user, plan=plan, comment="Add an MR target.")
    return cast.student.user


def status_changed(cast: Cast) -> User:
    starts_on = timezone.localdate() - dt.timedelta(days=2)
    student_status.change_student_status(
        user=cast.program_admin,
        student=cast.student,
        action="suspend",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=180),
        reason="Illness",
    )
    return cast.tutor.user


def finding_assigned(cast: Cast) -> User:
    finding = make_finding(cast.program, cast.student, student=cast.student)
    supervision_services.assign_finding(
        user=cast.program_admin, finding=finding, assignee=cast.tutor.user
    )
    return cast.tutor.user


# kind -> (make it, the English title, a part of the Chinese title, a part of the Chinese body)
KINDS: dict[str, tuple[Callable[[Cast], User], str, str, str]] = {
    "expenditure approved": (
        expenditure_approved,
        "Your expenditure of ¥250.00 to Imaging Supplies Co. was approved",
        "支出已获批准",
        "已批准您在“CT phantoms”下的 ¥250.00 支出。",
    ),
    "plan returned": (
        plan_returned,
        "Your training plan (version 1) was returned for changes",
        "您的培养计划（第 1 版）已被退回修改",  # noqa: RUF001
        "请修改草稿后重新提交。",
    ),
    "status changed": (
        status_changed,
        "Status of Stan Student changed: Suspension of study",
        "Stan Student的学籍状态已变更：休学",  # noqa: RUF001
        "休学",
    ),
    "finding assigned": (
        finding_assigned,
        "A finding was assigned to you: Supervision gap (",
        "有一个问题已分配给您：",  # noqa: RUF001
        "已有 61 天没有指导记录。",
    ),
}


def made_in_english(cast: Cast, kind: str) -> tuple[User, Notification]:
    make = KINDS[kind][0]
    with translation.override("en"):
        reader = make(cast)
    note = Notification.objects.filter(recipient=reader).latest("id")
    return reader, note


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_chinese_reader_reads_in_chinese_what_was_sent_in_english(cast: Cast, kind: str) -> None:
    _, english_title, chinese_title, chinese_body = KINDS[kind]
    reader, note = made_in_english(cast, kind)
    assert note.title.startswith(english_title)  # the fallback, as written
    assert note.title_id.startswith("template:") and note.message_id.startswith("template:")
    reader.preferred_language = "zh-hans"
    reader.save(update_fields=["preferred_language"])

    page = client_for(reader).get(reverse("core:notification-list")).content.decode()
    assert chinese_title in page
    assert english_title not in page
    (row,) = [
        row
        for row in api_for(reader)
        .get(reverse("api:notification-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        .data["results"]
        if row["id"] == note.pk
    ]
    assert chinese_title in row["title"]
    assert chinese_body in row["body"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_english_reader_reads_in_english(cast: Cast, kind: str) -> None:
    _, english_title, chinese_title, _ = KINDS[kind]
    reader, note = made_in_english(cast, kind)

    page = client_for(reader).get(reverse("core:notification-list")).content.decode()
    assert english_title in page.replace("&#x27;", "'")
    assert chinese_title not in page
    (row,) = [
        row
        for row in api_for(reader)
        .get(reverse("api:notification-list"), HTTP_ACCEPT_LANGUAGE="en")
        .data["results"]
        if row["id"] == note.pk
    ]
    assert row["title"].startswith(english_title)


@pytest.mark.parametrize("kind", list(KINDS))
def test_what_is_stored_is_plain_json(cast: Cast, kind: str) -> None:
    _, note = made_in_english(cast, kind)
    stored = Notification.objects.values("title_params", "message_params").get(pk=note.pk)
    assert json.loads(json.dumps(stored)) == stored
    with translation.override("en"):
        assert note.display_title == note.title


def test_the_email_is_in_the_recipients_language_when_it_leaves(cast: Cast) -> None:
    reader, note = made_in_english(cast, "plan returned")
    Notification.objects.filter(pk=note.pk).update(email_requested=True, emailed_at=None)
    reader.preferred_language = "zh-hans"
    reader.save(update_fields=["preferred_language"])
    mail.outbox.clear()
    assert send_notification_email(note.pk)
    (message,) = mail.outbox
    assert message.subject == "您的培养计划（第 1 版）已被退回修改"  # noqa: RUF001
    assert "Add an MR target." in message.body


def test_a_context_must_be_plain_values(cast: Cast) -> None:
    with pytest.raises(TypeError):
        stored_context({"student": cast.student})
    with pytest.raises(TypeError):
        stored_context({"label": translation.gettext_lazy("Approved")})
    assert stored_context({"on": dt.date(2026, 3, 2), "amount": Decimal("1.50")}) == {
        "on": {"$date": "2026-03-02"},
        "amount": {"$decimal": "1.50"},
    }


def test_a_template_gone_falls_back_to_the_text_as_written() -> None:
    assert render_text("template:no/such_title", {}, "as written") == "as written"


def test_the_notifications_page_query_count_stays_flat(cast: Cast) -> None:
    reader = cast.student.user
    reader.preferred_language = "zh-hans"
    reader.save(update_fields=["preferred_language"])

    def grow() -> None:
        for version in range(5):
            notify(
                recipient=reader,
                template="programs/notifications/plan_returned",
                context={
                    "actor": {"full_name": "Tom Tutor"},
                    "plan": {"version": version, "student": {"user": {"full_name": "Stan"}}},
                    "comment": "More MR.",
                },
                email=False,
            )
            notify(
                recipient=reader,
                template="evaluation/evaluations/notifications/reminder",
                context={"count": version, "deadline": dt.date(2026, 5, 1), "overdue": True},
                email=False,
            )

    grow()
    client = client_for(reader)
    assert_flat_queries(lambda: client.get(reverse("core:notification-list")), grow, max_queries=9)
    api = api_for(reader)
    assert_flat_queries(lambda: api.get(reverse("api:notification-list")), grow, max_queries=3)
    assert "评价" in client.get(reverse("core:notification-list")).content.decode()
