"""The inspections API (/api/v1/inspections/, /inspection-assignments/, /draws/) for every role
of the inspections cast: what each one lists and reads (404 outside `visible_to`), which
actions each may take (403 on a visible inspection otherwise), bad input (400 with field
errors), the secrecy of unannounced inspections (list, detail, count, filters, actions) for
the inspected side until they start, flat query counts, and the OpenAPI schema.

The cast is the one of `tests/supervision/inspections/conftest.py`, plus `revoked_inspector`
(Rita): on the team of every inspection, but her assignments are revoked, so she sees none.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from programs.models import Organization, Program
from supervision.inspections import draw as draws
from supervision.models import (
    ChecklistTemplate,
    Draw,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionTeamMember,
    InspectorProfile,
    Observation,
    ReplyComment,
    ReportSection,
)
from tests.cast import Cast
from tests.clients import api_for
from tests.factories import UserFactory
from tests.programs.factories import ProgramFactory, StudentFactory, grant
from tests.queries import assert_flat_queries
from tests.supervision.inspections.conftest import INSPECTION_ROLES, add_sections, make_inspection

pytestmark = pytest.mark.django_db

#: Every role this issue names: the supervision cast, the inspectors (on the team, lead,
#: unassigned, with revoked assignments) and the anonymous visitor.
ALL_ROLES = [*INSPECTION_ROLES, "revoked_inspector", "anonymous"]
TEAM = {"inspector", "lead_inspector"}
NOW = timezone.now()


def url(name: str, *args: Any) -> str:
    return reverse(f"api:{name}", args=args)


@pytest.fixture
def revoked_inspector(
    cast: Cast,
    admin: User,
    inspection: Inspection,
    org_inspection: Inspection,
    unannounced_inspection: Inspection,
    reply_inspection: Inspection,
    published_inspection: Inspection,
) -> User:
    user = UserFactory(email="rita@example.org", full_name="Rita Revoked")
    InspectorProfile.objects.create(user=user)
    today = timezone.localdate()
    for target in ({"program": cast.program}, {"organization": cast.hospital}):
        InspectionAssignment.objects.create(
            inspector=user,
            valid_from=today - dt.timedelta(days=30),
            valid_until=today + dt.timedelta(days=180),
            created_by=admin,
            revoked_at=timezone.now() - dt.timedelta(hours=1),
            revoked_by=admin,
            **target,
        )
    for item in (
        inspection,
        org_inspection,
        unannounced_inspection,
        reply_inspection,
        published_inspection,
    ):
        InspectionTeamMember.objects.create(inspection=item, inspector=user)
    return user


@pytest.fixture
def everyone(inspection_people: dict[str, Any], revoked_inspector: User) -> dict[str, Any]:
    return {**inspection_people, "revoked_inspector": revoked_inspector}


@dataclass
class Inspections:
    inspection: Inspection
    org_inspection: Inspection
    unannounced_inspection: Inspection
    reply_inspection: Inspection
    published_inspection: Inspection

    def ids(self, *names: str) -> set[int]:
        return {getattr(self, name).pk for name in names}


@pytest.fixture
def inspections(
    inspection: Inspection,
    org_inspection: Inspection,
    unannounced_inspection: Inspection,
    reply_inspection: Inspection,
    published_inspection: Inspection,
    everyone: dict[str, Any],
) -> Inspections:
    return Inspections(
        inspection, org_inspection, unannounced_inspection, reply_inspection, published_inspection
    )


ALL = ("inspection", "org_inspection", "unannounced_inspection", "reply_inspection")
#: Which inspections each role sees (the others see none).
SEES: dict[str, tuple[str, ...]] = {
    "admin": (*ALL, "published_inspection"),
    "inspector": (*ALL, "published_inspection"),
    "lead_inspector": ("inspection", "org_inspection", "reply_inspection", "published_inspection"),
    "program_admin": ("inspection", "published_inspection"),
    # Not the unannounced inspection of the hospital: it has not started.
    "coordinator": ("org_inspection", "reply_inspection"),
}


def expected(role: str, *, visible: set[str], allowed: set[str], success: int) -> int:
    """The status a role gets: 401 anonymous, 404 outside what it sees, 403 for a visible
    inspection it may not act on."""
    if role == "anonymous":
        return 401
    if role not in visible:
        return 404
    return success if role in allowed else 403


# ---- Reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_lists_exactly_the_inspections_it_may_see(
    role: str, everyone: dict[str, Any], inspections: Inspections
) -> None:
    response = api_for(everyone[role]).get(url("inspection-list"))
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    seen = {row["id"] for row in response.data["results"]}
    assert seen == inspections.ids(*SEES.get(role, ()))
    assert response.data["count"] == len(seen)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", [*ALL, "published_inspection"])
def test_each_role_reads_the_inspections_it_sees_and_gets_404_for_the_others(
    name: str, role: str, everyone: dict[str, Any], inspections: Inspections
) -> None:
    inspection = getattr(inspections, name)
    response = api_for(everyone[role]).get(url("inspection-detail", inspection.pk))
    visible = {who for who, names in SEES.items() if name in names}
    assert response.status_code == expected(role, visible=visible, allowed=visible, success=200)
    if response.status_code == 200:
        assert response.data["title"] == inspection.title
        assert set(response.data["can"]) >= {"conduct", "reply", "approve"}


def test_an_inspection_shows_its_target_team_versions_and_what_the_caller_may_do(
    inspections: Inspections, inspector: User, lead_inspector: User, cast: Cast
) -> None:
    published = inspections.published_inspection
    data = api_for(inspector).get(url("inspection-detail", published.pk)).data
    assert data["program"] == cast.program.pk
    assert data["program_code"] == cast.program.code
    assert data["organization"] is None
    assert data["status"] == "published"
    authors = [member["email"] for member in data["team"] if member["is_author"]]
    assert authors == [inspector.email]
    versions = data["published_versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["previous_hash"] == versions[0]["content_hash"]
    assert versions[1]["change_note"] == "Corrected the number of sampled files."
    assert "content" not in versions[0]
    assert data["can"]["start_correction"] is True
    assert data["can"]["approve"] is False
    in_list = api_for(lead_inspector).get(url("inspection-list")).data["results"]
    assert all(row["can"] is None for row in in_list)


#: Sub-resources: (URL name, the inspection, who reads them besides the team and admins).
WORKING_MATERIAL = ["inspection-checklist-results", "inspection-sample", "inspection-observations"]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", WORKING_MATERIAL)
def test_the_working_material_is_for_the_team_and_portal_administrators(
    name: str, role: str, everyone: dict[str, Any], inspections: Inspections
) -> None:
    response = api_for(everyone[role]).get(url(name, inspections.inspection.pk))
    visible = {"admin", "program_admin", *TEAM}
    assert response.status_code == expected(
        role, visible=visible, allowed={"admin", *TEAM}, success=200
    )


def test_the_working_material_lists_the_checklist_sample_and_observations(
    inspections: Inspections, inspector: User, cast: Cast
) -> None:
    api = api_for(inspector)
    pk = inspections.inspection.pk
    checklist = api.get(url("inspection-checklist-results", pk)).data
    assert [item["result"] for item in checklist] == ["pending"] * 3
    sample = api.get(url("inspection-sample", pk)).data
    assert [row["student_number"] for row in sample] == [
        cast.student.student_number,
        cast.other_student.student_number,
    ]
    observations = api.get(url("inspection-observations", pk)).data
    assert [row["text"] for row in observations] == ["The agreement was signed last year."]
    assert observations[0]["checklist_item"] == checklist[0]["id"]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_draft_and_its_comments_are_read_by_the_inspected_side_once_sent(
    role: str, everyone: dict[str, Any], inspections: Inspections
) -> None:
    visible = {"admin", "coordinator", *TEAM}
    for name in ("inspection-report-sections", "inspection-comments"):
        sent = api_for(everyone[role]).get(url(name, inspections.reply_inspection.pk))
        assert sent.status_code == expected(role, visible=visible, allowed=visible, success=200)
        # The thematic inspection of the hospital has no reply window yet.
        unsent = api_for(everyone[role]).get(url(name, inspections.org_inspection.pk))
        assert unsent.status_code == expected(
            role, visible=visible, allowed={"admin", *TEAM}, success=200
        )


def test_the_comments_show_their_section_author_and_answer(
    inspections: Inspections, cast: Cast
) -> None:
    comments = api_for(cast.coordinator).get(
        url("inspection-comments", inspections.reply_inspection.pk)
    )
    [comment] = comments.data
    assert comment["section_key"] == "summary"
    assert comment["author"] == cast.coordinator.pk
    assert comment["answer"] == ""
    sections = api_for(cast.coordinator).get(
        url("inspection-report-sections", inspections.reply_inspection.pk)
    )
    assert [row["key"] for row in sections.data] == ["summary", "findings"]


def _record_findings(inspection: Inspection, inspector: User, cast: Cast) -> dict[str, Finding]:
    """Two findings of the program inspection: one about the program, one about a student."""
    from supervision.inspections import services

    return {
        "program": services.record_inspection_finding(
            by=inspector,
            inspection=inspection,
            severity="minor",
            title="Outdated agreement",
            text="The agreement is from 2019.",
        ),
        "student": services.record_inspection_finding(
            by=inspector,
            inspection=inspection,
            severity="major",
            title="No training plan",
            text="The student's file has no current plan.",
            student=cast.student,
        ),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_findings_of_an_inspection_are_listed_for_whoever_sees_them(
    role: str, everyone: dict[str, Any], inspections: Inspections, inspector: User, cast: Cast
) -> None:
    found = _record_findings(inspections.inspection, inspector, cast)
    response = api_for(everyone[role]).get(url("inspection-findings", inspections.inspection.pk))
    visible = {"admin", "program_admin", *TEAM}
    assert response.status_code == expected(role, visible=visible, allowed=visible, success=200)
    if response.status_code == 200:
        shown = {row["id"] for row in response.data}
        assert shown == {finding.pk for finding in found.values()}
        # The same findings follow the life of every finding, in the findings API.
        assert {row["title"] for row in response.data} == {"Outdated agreement", "No training plan"}


# ---- Acting: every action for every role --------------------------------------------------------


@dataclass
class Scenario:
    """One action on an inspection in the state the action needs."""

    inspection: Inspection
    path: str
    body: dict[str, Any]
    #: Who sees the inspection, who may take the action, and the success status.
    visible: set[str]
    allowed: set[str]
    success: int = 200
    check: Callable[[Inspection], bool] = field(default=lambda _inspection: True)


PROGRAM_SIDE = {"admin", "program_admin", *TEAM}
HOSPITAL_SIDE = {"admin", "coordinator", *TEAM}


def _team_of(people: dict[str, Any]) -> list[User]:
    return [people["inspector"], people["lead_inspector"], people["revoked_inspector"]]


def _make(people: dict[str, Any], templates: dict[str, ChecklistTemplate], **fields: Any) -> Any:
    return make_inspection(
        admin=people["admin"], team=_team_of(people), templates=templates, **fields
    )


def scenario(
    name: str,
    people: dict[str, Any],
    cast: Cast,
    inspections: Inspections,
    templates: dict[str, ChecklistTemplate],
) -> Scenario:
    """The inspection, request and expectations of the action `name`."""
    inspection = inspections.inspection
    if name == "start":
        planned = _make(people, templates, program=cast.program, status=Inspection.Status.PLANNED)
        return Scenario(
            planned,
            url("inspection-start", planned.pk),
            {},
            PROGRAM_SIDE,
            TEAM,
            check=lambda i: i.status == Inspection.Status.IN_PROGRESS,
        )
    if name == "cancel":
        return Scenario(
            inspection,
            url("inspection-cancel", inspection.pk),
            {"reason": "The program asked for another date."},
            PROGRAM_SIDE,
            {"admin"},
            check=lambda i: i.status == Inspection.Status.CANCELLED,
        )
    if name == "checklist-results":
        item = inspection.checklist.first()
        assert item is not None
        return Scenario(
            inspection,
            url("inspection-checklist-results", inspection.pk),
            {"item": item.pk, "result": "met", "note": "Signed in 2025."},
            PROGRAM_SIDE,
            TEAM,
            check=lambda i: i.checklist.filter(result="met").count() == 1,
        )
    if name == "sample":
        sampled = inspection.sample.first()
        assert sampled is not None
        return Scenario(
            inspection,
            url("inspection-sample", inspection.pk),
            {"sampled": sampled.pk, "examined": True, "note": "File complete."},
            PROGRAM_SIDE,
            TEAM,
            check=lambda i: i.sample.filter(examined=True).count() == 1,
        )
    if name == "observations":
        return Scenario(
            inspection,
            url("inspection-observations", inspection.pk),
            {"text": "Tutors meet their students weekly."},
            PROGRAM_SIDE,
            TEAM,
            201,
            check=lambda i: i.observations.count() == 2,
        )
    if name == "findings":
        return Scenario(
            inspection,
            url("inspection-findings", inspection.pk),
            {"severity": "minor", "title": "Late logs", "text": "Logs are written late."},
            PROGRAM_SIDE,
            TEAM,
            201,
            check=lambda i: Finding.objects.filter(inspection=i).count() == 1,
        )
    if name == "report-sections":
        return Scenario(
            inspection,
            url("inspection-report-sections", inspection.pk),
            {"key": "summary", "title": "Summary", "body": "Structured training."},
            PROGRAM_SIDE,
            TEAM,
            check=lambda i: i.report_sections.count() == 1,
        )
    if name == "open-reply":
        add_sections(inspection)
        return Scenario(
            inspection,
            url("inspection-open-reply", inspection.pk),
            {"days": 7},
            PROGRAM_SIDE,
            {"inspector"},
            check=lambda i: i.status == Inspection.Status.IN_REPLY,
        )
    replying = inspections.reply_inspection
    if name == "comments":
        section = replying.report_sections.get(key="findings")
        return Scenario(
            replying,
            url("inspection-comments", replying.pk),
            {"section": section.pk, "text": "Two plans were renewed in March."},
            HOSPITAL_SIDE,
            {"coordinator"},
            201,
            check=lambda i: ReplyComment.objects.filter(section__inspection=i).count() == 2,
        )
    if name == "answer":
        comment = ReplyComment.objects.get(section__inspection=replying)
        return Scenario(
            replying,
            url("inspection-comment-answer", replying.pk, comment.pk),
            {"answer": "Corrected.", "revised_body": "Structured clinical training since 2024."},
            HOSPITAL_SIDE,
            TEAM,
            check=lambda i: ReplyComment.objects.get(section__inspection=i).draft_revised,
        )
    if name == "request-publication":
        closed = _make(
            people,
            templates,
            organization=cast.hospital,
            status=Inspection.Status.IN_REPLY,
            starts_in_days=-30,
            reply_opens_at=NOW - dt.timedelta(days=11),
            reply_closes_at=NOW - dt.timedelta(days=1),
        )
        add_sections(closed)
        return Scenario(
            closed,
            url("inspection-request-publication", closed.pk),
            {},
            HOSPITAL_SIDE,
            {"inspector"},
            check=lambda i: i.status == Inspection.Status.AWAITING_APPROVAL,
        )
    if name in ("approve", "return"):
        awaiting = _make(
            people,
            templates,
            program=cast.program,
            status=Inspection.Status.AWAITING_APPROVAL,
            starts_in_days=-30,
            reply_opens_at=NOW - dt.timedelta(days=11),
            reply_closes_at=NOW - dt.timedelta(days=1),
            publication_requested_by=people["inspector"],
            publication_requested_at=NOW,
        )
        add_sections(awaiting)
        if name == "approve":
            return Scenario(
                awaiting,
                url("inspection-approve", awaiting.pk),
                {},
                PROGRAM_SIDE,
                {"admin", "lead_inspector"},
                check=lambda i: (
                    i.status == Inspection.Status.PUBLISHED and i.published_versions.count() == 1
                ),
            )
        return Scenario(
            awaiting,
            url("inspection-return-for-changes", awaiting.pk),
            {"reason": "Say how many files were examined."},
            PROGRAM_SIDE,
            {"admin", "lead_inspector"},
            check=lambda i: i.status == Inspection.Status.DRAFTING,
        )
    assert name == "start-correction"
    published = inspections.published_inspection
    return Scenario(
        published,
        url("inspection-start-correction", published.pk),
        {},
        PROGRAM_SIDE,
        {"admin", "inspector"},
        check=lambda i: i.status == Inspection.Status.DRAFTING,
    )


ACTIONS = [
    "start",
    "cancel",
    "checklist-results",
    "sample",
    "observations",
    "findings",
    "report-sections",
    "open-reply",
    "comments",
    "answer",
    "request-publication",
    "approve",
    "return",
    "start-correction",
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_role_may_or_may_not_take_each_action(
    action: str,
    role: str,
    everyone: dict[str, Any],
    cast: Cast,
    inspections: Inspections,
    checklist_templates: dict[str, ChecklistTemplate],
) -> None:
    case = scenario(action, everyone, cast, inspections, checklist_templates)
    before = Inspection.objects.get(pk=case.inspection.pk).status
    response = api_for(everyone[role]).post(case.path, case.body, format="json")
    status = expected(role, visible=case.visible, allowed=case.allowed, success=case.success)
    assert response.status_code == status, response.data
    fresh = Inspection.objects.get(pk=case.inspection.pk)
    if status in (200, 201):
        assert case.check(fresh)
    else:
        assert fresh.status == before
        # A refusal says nothing about the inspection beyond the status code.
        assert case.inspection.title not in json.dumps(response.data)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_portal_administrators_schedule_inspections(
    role: str,
    everyone: dict[str, Any],
    cast: Cast,
    checklist_templates: dict[str, ChecklistTemplate],
) -> None:
    body = {
        "title": "Routine inspection of the program",
        "inspection_type": "routine",
        "program": cast.program.pk,
        "starts_at": (NOW + dt.timedelta(days=10)).isoformat(),
        "ends_on": (NOW + dt.timedelta(days=20)).date().isoformat(),
        "inspectors": [everyone["inspector"].pk, everyone["lead_inspector"].pk],
        "author": everyone["inspector"].pk,
        "sample_size": 1,
    }
    before = Inspection.objects.count()
    response = api_for(everyone[role]).post(url("inspection-list"), body, format="json")
    status = {"anonymous": 401, "admin": 201}.get(role, 403)
    assert response.status_code == status, response.data
    assert Inspection.objects.count() == before + (status == 201)
    if status == 201:
        assert response.data["status"] == "planned"
        assert {m["inspector"] for m in response.data["team"]} == {
            everyone["inspector"].pk,
            everyone["lead_inspector"].pk,
        }
        created = Inspection.objects.get(pk=response.data["id"])
        assert created.sample.count() == 1
        assert created.checklist.count() == 3


# ---- Bad input: 400 with field errors, nothing changed ----------------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"title", "inspection_type", "starts_at", "ends_on", "inspectors", "author"}),
        ({"inspection_type": "yearly"}, {"inspection_type"}),
        ({"program": 10**9}, {"program"}),
        ({"inspectors": ["x"]}, {"inspectors"}),
        ({"reply_days": 0}, {"reply_days"}),
        ({"sample_student_ids": [0]}, {"sample_student_ids"}),
        ({"starts_at": "tomorrow"}, {"starts_at"}),
    ],
)
def test_bad_schedules_get_400_with_field_errors(
    body: dict[str, Any],
    fields: set[str],
    admin: User,
    inspector: User,
    cast: Cast,
    checklist_templates: dict[str, ChecklistTemplate],
) -> None:
    valid = {
        "title": "Routine inspection",
        "inspection_type": "routine",
        "program": cast.program.pk,
        "starts_at": (NOW + dt.timedelta(days=10)).isoformat(),
        "ends_on": (NOW + dt.timedelta(days=20)).date().isoformat(),
        "inspectors": [inspector.pk],
        "author": inspector.pk,
    }
    data = body if not body else {**valid, **body}
    response = api_for(admin).post(url("inspection-list"), data, format="json")
    assert response.status_code == 400
    assert set(response.data) == fields
    assert not Inspection.objects.exists()


def test_the_services_rules_come_back_as_field_errors(
    admin: User,
    inspector: User,
    outsider: User,
    cast: Cast,
    checklist_templates: dict[str, ChecklistTemplate],
) -> None:
    """Both targets, a start after the end, an author off the team, a non-inspector."""
    response = api_for(admin).post(
        url("inspection-list"),
        {
            "title": "Inspection",
            "inspection_type": "routine",
            "program": cast.program.pk,
            "organization": cast.hospital.pk,
            "starts_at": (NOW + dt.timedelta(days=10)).isoformat(),
            "ends_on": (NOW + dt.timedelta(days=5)).date().isoformat(),
            "inspectors": [inspector.pk, outsider.pk],
            "author": inspector.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.data  # field errors or non_field_errors, never a 500
    assert all(isinstance(messages, list) for messages in response.data.values())
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field_name"),
    [
        ("inspection-checklist-results", {"item": 10**9, "result": "met"}, "item"),
        ("inspection-checklist-results", {"item": 1, "result": "perfect"}, "result"),
        ("inspection-sample", {"sampled": 10**9, "examined": True}, "sampled"),
        ("inspection-observations", {"text": ""}, "text"),
        ("inspection-observations", {"text": "Seen.", "checklist_item": 10**9}, "checklist_item"),
        ("inspection-findings", {"severity": "huge", "title": "T", "text": "X"}, "severity"),
        ("inspection-findings", {"severity": "minor", "title": "", "text": "X"}, "title"),
        ("inspection-report-sections", {"key": "no spaces", "title": "T", "body": ""}, "key"),
        ("inspection-cancel", {"reason": ""}, "reason"),
    ],
)
def test_bad_input_to_an_action_gets_400_on_its_field(
    path: str, body: dict[str, Any], field_name: str, inspections: Inspections, inspector: User
) -> None:
    user = inspections.inspection.created_by if path == "inspection-cancel" else inspector
    response = api_for(user).post(url(path, inspections.inspection.pk), body, format="json")
    assert response.status_code == 400
    assert field_name in response.data
    assert Inspection.objects.get(pk=inspections.inspection.pk).status == "in_progress"


def test_a_question_of_another_inspection_is_not_this_ones(
    inspections: Inspections, inspector: User
) -> None:
    other_item = inspections.org_inspection.checklist.first()
    assert other_item is not None
    response = api_for(inspector).post(
        url("inspection-checklist-results", inspections.inspection.pk),
        {"item": other_item.pk, "result": "met"},
        format="json",
    )
    assert response.status_code == 400
    assert "item" in response.data
    other_item.refresh_from_db()
    assert other_item.result == "pending"


def test_moves_the_state_does_not_allow_get_an_error_not_a_500(
    inspections: Inspections, inspector: User, cast: Cast
) -> None:
    api = api_for(inspector)
    # The reply window of the follow-up is still open: no publication yet.
    response = api.post(url("inspection-request-publication", inspections.reply_inspection.pk))
    assert response.status_code == 400
    assert "__all__" in response.data  # the API's key for errors of no single field
    # No section yet: no reply window.
    response = api.post(url("inspection-open-reply", inspections.inspection.pk))
    assert response.status_code == 400
    # An answer needs its text; an unknown comment is a 404.
    comment = ReplyComment.objects.get(section__inspection=inspections.reply_inspection)
    path = url("inspection-comment-answer", inspections.reply_inspection.pk, comment.pk)
    assert api.post(path, {"answer": ""}, format="json").status_code == 400
    missing = url("inspection-comment-answer", inspections.reply_inspection.pk, 10**9)
    assert api.post(missing, {"answer": "Yes."}, format="json").status_code == 404
    # A comment of another inspection is not found through this one.
    other = url("inspection-comment-answer", inspections.org_inspection.pk, comment.pk)
    assert api.post(other, {"answer": "Yes."}, format="json").status_code == 404


def test_the_whole_cycle_through_the_api(
    admin: User,
    inspector: User,
    lead_inspector: User,
    cast: Cast,
    checklist_templates: dict[str, ChecklistTemplate],
) -> None:
    """Schedule, start, conduct, draft, reply, answer, request, approve; then a correction
    published as version 2, chained to version 1."""
    staff, author, lead = api_for(admin), api_for(inspector), api_for(lead_inspector)
    created = staff.post(
        url("inspection-list"),
        {
            "title": "Thematic inspection of the hospital",
            "inspection_type": "thematic",
            "organization": cast.hospital.pk,
            "starts_at": (NOW - dt.timedelta(minutes=5)).isoformat(),
            "ends_on": (NOW + dt.timedelta(days=14)).date().isoformat(),
            "inspectors": [inspector.pk, lead_inspector.pk],
            "author": inspector.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert author.post(url("inspection-start", pk)).data["status"] == "in_progress"
    item = author.get(url("inspection-checklist-results", pk)).data[0]
    author.post(
        url("inspection-checklist-results", pk),
        {"item": item["id"], "result": "met"},
        format="json",
    )
    author.post(
        url("inspection-report-sections", pk),
        {"key": "summary", "title": "Summary", "body": "Training is structured."},
        format="json",
    )
    opened = author.post(url("inspection-open-reply", pk), {"days": 1}, format="json")
    assert opened.data["reply_window_open"] is True
    coordinator = api_for(cast.coordinator)
    section = coordinator.get(url("inspection-report-sections", pk)).data[0]
    comment = coordinator.post(
        url("inspection-comments", pk), {"section": section["id"], "text": "Since 2024."}
    )
    assert comment.status_code == 201
    answer = author.post(
        url("inspection-comment-answer", pk, comment.data["id"]),
        {"answer": "Corrected.", "revised_body": "Training is structured since 2024."},
        format="json",
    )
    assert answer.data["draft_revised"] is True
    Inspection.objects.filter(pk=pk).update(reply_closes_at=timezone.now())
    assert author.post(url("inspection-request-publication", pk)).status_code == 200
    # The author cannot approve their own report: a second person does.
    assert author.post(url("inspection-approve", pk)).status_code == 403
    approved = lead.post(url("inspection-approve", pk))
    assert approved.status_code == 200, approved.data
    assert approved.data["status"] == "published"
    assert author.post(url("inspection-start-correction", pk)).data["status"] == "drafting"
    author.post(
        url("inspection-report-sections", pk),
        {"key": "summary", "title": "Summary", "body": "Training is structured since 2023."},
        format="json",
    )
    refused = author.post(url("inspection-request-publication", pk))
    assert "correction_note" in refused.data
    requested = author.post(
        url("inspection-request-publication", pk),
        {"correction_note": "The year was wrong."},
        format="json",
    )
    assert requested.status_code == 200
    final = staff.post(url("inspection-approve", pk)).data
    versions = final["published_versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["previous_hash"] == versions[0]["content_hash"]
    assert versions[1]["change_note"] == "The year was wrong."


# ---- Unannounced inspections: invisible to the inspected side until they start --------------


@pytest.fixture
def unannounced_program_inspection(
    admin: User,
    inspector: User,
    cast: Cast,
    checklist_templates: dict[str, ChecklistTemplate],
) -> Inspection:
    return make_inspection(
        admin=admin,
        team=[inspector],
        templates=checklist_templates,
        status=Inspection.Status.PLANNED,
        starts_in_days=30,
        program=cast.program,
        unannounced=True,
        title="Surprise visit of the program",
    )


SECRET_QUERIES = [
    {},
    {"unannounced": "true"},
    {"status": "planned"},
    {"inspection_type": "funds"},
    {"organization": "{hospital}"},
    {"program": "{program}"},
    {"q": "Unannounced"},
    {"q": "Surprise"},
    {"starts_after": (NOW + dt.timedelta(days=20)).date().isoformat()},
    {"ordering": "-starts_at"},
    {"page_size": "1"},
]


@pytest.mark.parametrize("side", ["coordinator", "program_admin"])
def test_the_inspected_side_cannot_learn_of_an_unannounced_inspection_before_it_starts(
    side: str,
    everyone: dict[str, Any],
    inspections: Inspections,
    unannounced_program_inspection: Inspection,
    cast: Cast,
) -> None:
    user = everyone[side]
    api = api_for(user)
    secrets = [inspections.unannounced_inspection, unannounced_program_inspection]
    announced = set(SEES[side])
    for query in SECRET_QUERIES:
        params = {
            key: value.format(hospital=cast.hospital.pk, program=cast.program.pk)
            for key, value in query.items()
        }
        response = api.get(url("inspection-list"), params)
        assert response.status_code == 200
        text = json.dumps(response.data)
        for secret in secrets:
            assert secret.title not in text
        assert response.data["count"] <= len(announced)
    # Not found, exactly as an inspection that does not exist.
    missing = api.get(url("inspection-detail", 10**9))
    for secret in secrets:
        detail = api.get(url("inspection-detail", secret.pk))
        assert detail.status_code == 404
        assert detail.data == missing.data
        for name in ("inspection-findings", "inspection-comments", "inspection-report-sections"):
            assert api.get(url(name, secret.pk)).status_code == 404
        for name in ("inspection-start", "inspection-cancel", "inspection-comments"):
            assert api.post(url(name, secret.pk), {}, format="json").status_code == 404


@pytest.mark.parametrize("side", ["coordinator", "program_admin"])
def test_an_unannounced_inspection_is_visible_to_the_inspected_side_once_started(
    side: str,
    everyone: dict[str, Any],
    inspections: Inspections,
    unannounced_program_inspection: Inspection,
) -> None:
    secret = (
        inspections.unannounced_inspection
        if side == "coordinator"
        else unannounced_program_inspection
    )
    api = api_for(everyone[side])
    before = api.get(url("inspection-list")).data["count"]
    Inspection.objects.filter(pk=secret.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    after = api.get(url("inspection-list"), {"unannounced": "true"})
    assert [row["id"] for row in after.data["results"]] == [secret.pk]
    assert after.data["results"][0]["unannounced"] is True
    assert api.get(url("inspection-list")).data["count"] == before + 1
    assert api.get(url("inspection-detail", secret.pk)).status_code == 200
    # Visible now; still not theirs to conduct.
    assert api.post(url("inspection-start", secret.pk)).status_code == 403


def test_the_team_sees_the_unannounced_inspection_and_starts_it_when_the_time_comes(
    inspections: Inspections, inspector: User, lead_inspector: User
) -> None:
    secret = inspections.unannounced_inspection
    assert api_for(inspector).get(url("inspection-detail", secret.pk)).status_code == 200
    # Not on its team: the lead inspector does not see it.
    assert api_for(lead_inspector).get(url("inspection-detail", secret.pk)).status_code == 404
    early = api_for(inspector).post(url("inspection-start", secret.pk))
    assert early.status_code == 400
    assert "starts_at" in early.data
    Inspection.objects.filter(pk=secret.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert api_for(inspector).post(url("inspection-start", secret.pk)).status_code == 200


def test_revoking_an_assignment_takes_effect_on_the_next_request(
    inspections: Inspections, inspector: User, admin: User
) -> None:
    api = api_for(inspector)
    path = url("inspection-detail", inspections.inspection.pk)
    assert api.get(path).status_code == 200
    assignment = InspectionAssignment.objects.get(inspector=inspector, program__isnull=False)
    revoked = api_for(admin).post(url("inspection-assignment-revoke", assignment.pk))
    assert revoked.status_code == 200
    assert revoked.data["is_current"] is False
    assert api.get(path).status_code == 404
    listed = {row["id"] for row in api.get(url("inspection-list")).data["results"]}
    assert inspections.inspection.pk not in listed
    assert inspections.org_inspection.pk in listed  # still covered by the hospital's


# ---- Assignments ------------------------------------------------------------------------------

INSPECTORS = {"inspector", "lead_inspector", "unassigned_inspector", "revoked_inspector"}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_assignments_are_managed_by_administrators_and_read_by_their_inspector(
    role: str, everyone: dict[str, Any], inspections: Inspections, cast: Cast
) -> None:
    user = everyone[role]
    api = api_for(user)
    listed = api.get(url("inspection-assignment-list"))
    mine = InspectionAssignment.objects.filter(inspector=user) if user else None
    own = InspectionAssignment.objects.get(inspector=everyone["inspector"], program=cast.program)
    detail = api.get(url("inspection-assignment-detail", own.pk))
    today = timezone.localdate()
    created = api.post(
        url("inspection-assignment-list"),
        {
            "inspector": everyone["unassigned_inspector"].pk,
            "organization": cast.hospital.pk,
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=30)).isoformat(),
        },
        format="json",
    )
    revoke = api.post(url("inspection-assignment-revoke", own.pk))
    if role == "anonymous":
        assert {r.status_code for r in (listed, detail, created, revoke)} == {401}
    elif role == "admin":
        assert listed.status_code == 200
        assert listed.data["count"] == InspectionAssignment.objects.count() - 1  # the new one
        assert (detail.status_code, created.status_code, revoke.status_code) == (200, 201, 200)
    elif role in INSPECTORS:
        assert listed.status_code == 200
        assert {row["id"] for row in listed.data["results"]} == {a.pk for a in mine or []}
        assert detail.status_code == (200 if role == "inspector" else 404)
        assert created.status_code == 403
        assert revoke.status_code == (403 if role == "inspector" else 404)
    else:
        assert {r.status_code for r in (listed, detail, created, revoke)} == {403}
    own.refresh_from_db()
    assert (own.revoked_at is not None) == (role == "admin")


def test_an_assignment_shows_its_inspector_target_and_whether_it_is_current(
    inspections: Inspections, revoked_inspector: User, cast: Cast
) -> None:
    rows = api_for(revoked_inspector).get(url("inspection-assignment-list")).data["results"]
    assert {row["is_current"] for row in rows} == {False}
    assert {row["inspector_email"] for row in rows} == {"rita@example.org"}
    assert {row["program_code"] for row in rows} == {cast.program.code, None}
    assert {row["organization_name"] for row in rows} == {cast.hospital.name, None}


def test_bad_assignments_get_400(admin: User, inspector: User, outsider: User, cast: Cast) -> None:
    api = api_for(admin)
    today = timezone.localdate().isoformat()
    cases = [
        ({"inspector": inspector.pk, "valid_from": today, "valid_until": today}, "__all__"),
        (
            {
                "inspector": outsider.pk,
                "program": cast.program.pk,
                "valid_from": today,
                "valid_until": today,
            },
            "inspector",
        ),
        ({"inspector": inspector.pk, "program": cast.program.pk}, "valid_from"),
        (
            {
                "inspector": inspector.pk,
                "program": cast.program.pk,
                "valid_from": today,
                "valid_until": "2000-01-01",
            },
            "valid_until",
        ),
    ]
    before = InspectionAssignment.objects.count()
    for body, field_name in cases:
        response = api.post(url("inspection-assignment-list"), body, format="json")
        assert response.status_code == 400, body
        assert any(key.startswith(field_name) for key in response.data), response.data
    assert InspectionAssignment.objects.count() == before


def test_assignments_filter_by_inspector_target_and_whether_current(
    inspections: Inspections, admin: User, inspector: User, revoked_inspector: User, cast: Cast
) -> None:
    api = api_for(admin)

    def ids(**params: Any) -> set[int]:
        return {
            row["id"] for row in api.get(url("inspection-assignment-list"), params).data["results"]
        }

    assert ids(inspector=inspector.pk) == set(
        InspectionAssignment.objects.filter(inspector=inspector).values_list("pk", flat=True)
    )
    assert ids(current="false") == set(
        InspectionAssignment.objects.filter(inspector=revoked_inspector).values_list(
            "pk", flat=True
        )
    )
    assert ids(revoked="true") == ids(current="false")
    assert all(
        row["program"] == cast.program.pk
        for row in api.get(url("inspection-assignment-list"), {"program": cast.program.pk}).data[
            "results"
        ]
    )
    assert api.get(url("inspection-assignment-list"), {"inspector": "x"}).status_code == 400


# ---- Draws ------------------------------------------------------------------------------------


@pytest.fixture
def pool(cast: Cast, inspector: User, lead_inspector: User) -> list[Program]:
    """Three programs to draw from, each with two active students."""
    programs = [cast.program]
    for _ in range(2):
        program = ProgramFactory()
        for _student in range(2):
            StudentFactory(program=program)
        programs.append(program)
    return programs


def draw_body(pool: list[Program], **extra: Any) -> dict[str, Any]:
    return {
        "target_kind": "program",
        "inspection_type": "routine",
        "targets": 2,
        "students_per_target": 1,
        "inspectors_per_target": 1,
        "candidate_ids": [program.pk for program in pool],
        "seed": "public-seed-2026",
        "starts_at": (NOW + dt.timedelta(days=10)).isoformat(),
        "ends_on": (NOW + dt.timedelta(days=20)).date().isoformat(),
        **extra,
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_draws_are_for_portal_administrators(
    role: str,
    everyone: dict[str, Any],
    pool: list[Program],
    checklist_templates: dict[str, ChecklistTemplate],
) -> None:
    made = draws.make_draw(by=everyone["admin"], **_service_args(draw_body(pool)))
    api = api_for(everyone[role])
    responses = [
        api.get(url("draw-list")),
        api.get(url("draw-detail", made.pk)),
        api.get(url("draw-verify", made.pk)),
        api.post(url("draw-list"), draw_body(pool, seed="another-seed"), format="json"),
    ]
    codes = [response.status_code for response in responses]
    if role == "anonymous":
        assert codes == [401] * 4
    elif role == "admin":
        assert codes == [200, 200, 200, 201]
    else:
        assert codes == [403] * 4
    assert Draw.objects.count() == 1 + (role == "admin")


def _service_args(body: dict[str, Any]) -> dict[str, Any]:
    return {
        **body,
        "unannounced": False,
        "starts_at": dt.datetime.fromisoformat(body["starts_at"]),
        "ends_on": dt.date.fromisoformat(body["ends_on"]),
    }


def test_a_draw_records_everything_to_re_run_it_and_verifies(
    admin: User, pool: list[Program], checklist_templates: dict[str, ChecklistTemplate]
) -> None:
    api = api_for(admin)
    response = api.post(url("draw-list"), draw_body(pool), format="json")
    assert response.status_code == 201, response.data
    data = response.data
    assert data["seed"] == "public-seed-2026"
    assert data["algorithm"] == draws.ALGORITHM
    assert [c["id"] for c in data["inputs"]["candidates"]] == sorted(p.pk for p in pool)
    assert len(data["result"]["targets"]) == 2
    assert len(data["inspections"]) == 2
    assert data["replaces"] is None
    assert data["replaced_by"] is None
    verified = api.get(url("draw-verify", data["id"])).data
    assert verified == {
        "public_id": data["public_id"],
        "algorithm": draws.ALGORITHM,
        "reproduced": True,
        "differences": [],
    }
    # Tampering with the stored result is detected.
    tampered = dict(data["result"])
    tampered["targets"] = list(reversed(tampered["targets"]))
    Draw.objects.filter(pk=data["id"]).update(result=tampered)
    verified = api.get(url("draw-verify", data["id"])).data
    assert verified["reproduced"] is False
    assert verified["differences"]


def test_a_draw_is_redone_only_with_a_reason_and_names_the_one_it_replaces(
    admin: User, pool: list[Program], checklist_templates: dict[str, ChecklistTemplate]
) -> None:
    api = api_for(admin)
    first = api.post(url("draw-list"), draw_body(pool), format="json").data
    silent = api.post(url("draw-list"), draw_body(pool, replaces=first["id"]), format="json")
    assert silent.status_code == 400
    assert "replace_reason" in silent.data
    again = api.post(
        url("draw-list"),
        draw_body(
            pool, seed="second", replaces=first["id"], replace_reason="An inspector fell ill."
        ),
        format="json",
    )
    assert again.status_code == 201, again.data
    assert again.data["replaces"] == first["id"]
    assert again.data["replaces_public_id"] == first["public_id"]
    assert api.get(url("draw-detail", first["id"])).data["replaced_by"] == again.data["id"]
    cancelled = Inspection.objects.filter(pk__in=first["inspections"])
    assert set(cancelled.values_list("status", flat=True)) == {"cancelled"}
    twice = api.post(
        url("draw-list"),
        draw_body(pool, replaces=first["id"], replace_reason="Again."),
        format="json",
    )
    assert twice.status_code == 400
    replaced = api.get(url("draw-list"), {"replaced": "true"}).data
    assert [row["id"] for row in replaced["results"]] == [first["id"]]


@pytest.mark.parametrize(
    ("extra", "field_name"),
    [
        ({"targets": 0}, "targets"),
        ({"target_kind": "country"}, "target_kind"),
        ({"inspectors_per_target": 0}, "inspectors_per_target"),
        ({"seed": "x" * 65}, "seed"),
        ({"candidate_ids": ["a"]}, "candidate_ids"),
        ({"ends_on": "someday"}, "ends_on"),
    ],
)
def test_bad_draws_get_400_and_draw_nothing(
    extra: dict[str, Any],
    field_name: str,
    admin: User,
    pool: list[Program],
    checklist_templates: dict[str, ChecklistTemplate],
) -> None:
    response = api_for(admin).post(url("draw-list"), draw_body(pool, **extra), format="json")
    assert response.status_code == 400
    assert field_name in response.data
    assert not Draw.objects.exists()


# ---- Query counts -----------------------------------------------------------------------------


def _grow(
    admin: User,
    team: list[User],
    templates: dict[str, ChecklistTemplate],
    target: dict[str, Program | Organization],
) -> Callable[[], None]:
    """Add three published inspections of the target, with teams, sections and findings."""
    from supervision.inspections.publication import publish_report_version

    def grow() -> None:
        for n in range(3):
            more = make_inspection(
                admin=admin,
                team=team,
                templates=templates,
                status=Inspection.Status.PUBLISHED,
                title=f"More {n}",
                **target,
            )
            add_sections(more)
            publish_report_version(inspection=more, published_by=team[0], approved_by=admin)
            Observation.objects.create(inspection=more, text="Seen.", author=team[0])

    return grow


@pytest.mark.parametrize("role", ["admin", "inspector", "program_admin"])
def test_the_inspections_list_query_count_is_flat(
    role: str,
    everyone: dict[str, Any],
    inspections: Inspections,
    checklist_templates: dict[str, ChecklistTemplate],
    cast: Cast,
) -> None:
    api = api_for(everyone[role])
    team = [everyone["inspector"], everyone["lead_inspector"]]
    assert_flat_queries(
        lambda: api.get(url("inspection-list")),
        _grow(everyone["admin"], team, checklist_templates, {"program": cast.program}),
        max_queries=8,
    )


@pytest.mark.parametrize("role", ["admin", "inspector", "program_admin"])
def test_the_inspection_detail_query_count_is_flat(
    role: str,
    everyone: dict[str, Any],
    inspections: Inspections,
    checklist_templates: dict[str, ChecklistTemplate],
    cast: Cast,
) -> None:
    from supervision.inspections.publication import publish_report_version

    api = api_for(everyone[role])
    published = inspections.published_inspection

    def grow() -> None:
        for _ in range(3):
            publish_report_version(
                inspection=published,
                published_by=everyone["inspector"],
                approved_by=everyone["admin"],
                change_note="Again.",
            )
        for user in UserFactory.create_batch(2):
            InspectorProfile.objects.create(user=user)
            InspectionTeamMember.objects.create(inspection=published, inspector=user)

    assert_flat_queries(
        lambda: api.get(url("inspection-detail", published.pk)), grow, max_queries=25
    )


SUBLISTS = [
    "inspection-checklist-results",
    "inspection-sample",
    "inspection-observations",
    "inspection-findings",
    "inspection-report-sections",
    "inspection-comments",
]


@pytest.mark.parametrize("name", SUBLISTS)
def test_the_lists_of_an_inspection_have_flat_query_counts(
    name: str, inspections: Inspections, inspector: User, cast: Cast
) -> None:
    from supervision.inspections import services

    api = api_for(inspector)
    target = inspections.reply_inspection
    student = StudentFactory(program=cast.program)

    def grow() -> None:
        for n in range(3):
            target.checklist.create(
                section="More",
                text=f"Question {n}?",
                position=10 + n,
                result="met",
                checked_by=inspector,
                checked_at=timezone.now(),
            )
            target.sample.create(student=StudentFactory(program=cast.program), position=10 + n)
            Observation.objects.create(inspection=target, text=f"Seen {n}.", author=inspector)
            section = ReportSection.objects.create(
                inspection=target, key=f"more-{n}", title=f"More {n}", position=10 + n
            )
            comment = ReplyComment.objects.create(
                section=section, section_revision=1, text="Why?", author=cast.coordinator
            )
            services.answer_comment(by=inspector, comment=comment, answer="Because.")
            Finding.objects.create(
                rule=Finding.INSPECTION_RULE,
                severity="minor",
                fingerprint=f"grow-{name}-{n}",
                program=cast.program,
                organization=cast.hospital,
                student=student,
                subject_type_id=_student_type(),
                subject_id=student.pk,
                details={"title": "T", "text": "X"},
                inspection=target,
                author=inspector,
            )

    assert_flat_queries(lambda: api.get(url(name, target.pk)), grow, max_queries=8)


def _student_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    from programs.models import Student

    return ContentType.objects.get_for_model(Student).pk


def test_the_assignments_list_query_count_is_flat(
    inspections: Inspections, admin: User, cast: Cast
) -> None:
    api = api_for(admin)

    def grow() -> None:
        for user in UserFactory.create_batch(3):
            InspectorProfile.objects.create(user=user)
            InspectionAssignment.objects.create(
                inspector=user,
                program=cast.program,
                valid_from=timezone.localdate(),
                valid_until=timezone.localdate(),
                created_by=admin,
            )

    assert_flat_queries(lambda: api.get(url("inspection-assignment-list")), grow, max_queries=6)
    own = InspectionAssignment.objects.first()
    assert own is not None
    assert_flat_queries(
        lambda: api.get(url("inspection-assignment-detail", own.pk)), grow, max_queries=6
    )


def test_the_draws_query_counts_are_flat(
    admin: User, pool: list[Program], checklist_templates: dict[str, ChecklistTemplate]
) -> None:
    api = api_for(admin)
    first = draws.make_draw(by=admin, **_service_args(draw_body(pool)))
    seeds = iter(range(100))

    def grow() -> None:
        draws.make_draw(
            by=admin, **_service_args(draw_body(pool, seed=f"seed-{next(seeds)}", targets=3))
        )

    assert_flat_queries(lambda: api.get(url("draw-list")), grow, max_queries=6)
    assert_flat_queries(lambda: api.get(url("draw-detail", first.pk)), grow, max_queries=6)


# ---- The schema -------------------------------------------------------------------------------


def test_the_openapi_schema_describes_the_inspections_api_without_warnings(
    tmp_path: Path,
) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/v1/inspections/{id}/comments/{comment_id}/answer/:",
        "/api/v1/inspection-assignments/{id}/revoke/:",
        "/api/v1/draws/{id}/verify/:",
        "/api/v1/public/inspections/{id}/:",
        "/api/v1/public/audit-summaries/:",
    ):
        assert path in schema
    assert "InspectionStatusEnum:" in schema


def test_a_role_grant_without_an_inspection_sees_an_empty_list(cast: Cast) -> None:
    """A new coordinator of another organisation: no inspection, no count."""
    user = UserFactory()
    grant(user, Role.PARTNER_COORDINATOR, cast.other_hospital)
    data = api_for(user).get(url("inspection-list")).data
    assert data["count"] == 0


def test_ids_out_of_range_are_not_found_and_filter_to_nothing(
    inspections: Inspections, inspector: User, admin: User
) -> None:
    huge = 10**20
    api = api_for(inspector)
    assert api.get(f"/api/v1/inspections/{huge}/").status_code == 404
    listed = api.get(url("inspection-list"), {"program": huge})
    assert (listed.status_code, listed.data["count"]) == (200, 0)
    pk = inspections.inspection.pk
    response = api.post(
        url("inspection-checklist-results", pk), {"item": huge, "result": "met"}, format="json"
    )
    assert response.status_code == 400
    answer = f"/api/v1/inspections/{inspections.reply_inspection.pk}/comments/{huge}/answer/"
    assert api.post(answer, {"answer": "Yes."}, format="json").status_code == 404
    assert api_for(admin).get(f"/api/v1/draws/{huge}/").status_code == 404
