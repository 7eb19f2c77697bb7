"""The audits API: rules and their settings, runs, findings and their life, for every role
of the programs cast; bad input gets 400 with field errors; query counts stay flat."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from supervision.audits.engine import start_audit
from supervision.models import AuditChunk, AuditRun, Finding, RuleSetting
from supervision.rules import all_rules
from tests.cast import CAST_ROLES, Cast, who
from tests.clients import api_for
from tests.factories import UserFactory
from tests.programs.factories import (
    BudgetLineFactory,
    ExpenditureFactory,
    OrganizationFactory,
    ProgramFactory,
    StudentFactory,
    TutorFactory,
    grant,
)
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

ROLES = list(CAST_ROLES)
AUDITORS = {"admin", "program_admin"}
#: Roles that `who()` does not name.
EXTRA = ("admin", "other_coordinator")
TODAY = timezone.localdate()
NEXT_MONTH = (TODAY + dt.timedelta(days=30)).isoformat()

_serial = itertools.count()


@pytest.fixture
def people(cast: Cast, admin: User, outsider: User) -> dict[str, User]:
    named = {name: who(cast, name, outsider) for name in ROLES if name not in EXTRA}
    return {**named, "admin": admin, "other_coordinator": cast.other_coordinator}


def make_finding(cast: Cast, rule: str, subject: models.Model, **fields: Any) -> Finding:
    fields.setdefault("severity", "major")
    fields.setdefault("program", cast.program)
    return Finding.objects.create(
        rule=rule,
        fingerprint=f"test-{next(_serial)}",
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        **fields,
    )


def gap_finding(cast: Cast, student: m.Student | None = None, **fields: Any) -> Finding:
    student = student or cast.student
    return make_finding(
        cast,
        "supervision_gap",
        student,
        student=student,
        details={"days": 45, "never": False},
        evidence={"last_progress_log": "2026-01-05", "days_without_log": 45},
        **fields,
    )


def responsibility_finding(cast: Cast, organization: m.Organization) -> Finding:
    partner, _ = m.ProgramPartner.objects.get_or_create(
        program=cast.program,
        organization=organization,
        defaults={"agreement_start": dt.date(2025, 9, 1)},
    )
    held = m.PartnerResponsibility.objects.create(
        partner=partner, responsibility="clinical_practice"
    )
    return make_finding(
        cast,
        "responsibility_unfulfilled",
        held,
        organization=organization,
        severity="minor",
        details={"organization": organization.name, "responsibility": "clinical_practice"},
        evidence={"responsibility": "clinical_practice", "matching_activities": 0},
    )


@pytest.fixture
def findings(cast: Cast) -> dict[str, Finding]:
    """One finding for each circle of the cast (see finding_filter)."""
    line = BudgetLineFactory(program=cast.program, holder=cast.hospital)
    expenditure = ExpenditureFactory(line=line, submitted_by=cast.coordinator)
    return {
        "gap": gap_finding(cast),
        "other_gap": gap_finding(cast, cast.other_student),
        # About funds, though it names the student: students never see fund findings.
        "fund": make_finding(
            cast,
            "fund_self_approval",
            expenditure,
            organization=cast.hospital,
            student=cast.student,
            severity="critical",
            details={"person": "Cora Coordinator", "amount": "500.00"},
            evidence={
                "submitted_by": cast.coordinator.email,
                "approved_by": cast.coordinator.email,
            },
        ),
        "capacity": make_finding(
            cast,
            "tutor_over_capacity",
            cast.tutor,
            tutor=cast.tutor.user,
            organization=cast.program.lead_university,
            severity="minor",
            details={"load": 7, "capacity": 6},
            evidence={"current_students": 7, "capacity": 6},
        ),
        "responsibility": responsibility_finding(cast, cast.hospital),
        "other_responsibility": responsibility_finding(cast, cast.other_hospital),
    }


ALL = {"gap", "other_gap", "fund", "capacity", "responsibility", "other_responsibility"}
SEES = {
    "admin": ALL,
    "program_admin": ALL,
    "coordinator": {"fund", "responsibility"},
    "other_coordinator": {"other_responsibility"},
    "tutor": {"gap", "capacity"},
    "practice_tutor": {"gap"},
    "other_tutor": {"other_gap"},
    "student": {"gap"},
    "other_student": {"other_gap"},
    "outsider": set(),
}


def listed(api: APIClient, name: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get(reverse(f"api:{name}-list"), {"page_size": 200, **params})
    assert response.status_code == 200, response.data
    return list(response.data["results"])


def finding_ids(api: APIClient, **params: Any) -> set[int]:
    return {row["id"] for row in listed(api, "finding", **params)}


# ---- Who sees which findings ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_and_reads_exactly_the_findings_of_its_circle(
    role: str, people: dict[str, User], findings: dict[str, Finding]
) -> None:
    api = api_for(people[role])
    assert finding_ids(api) == {findings[name].pk for name in SEES[role]}
    for name, finding in findings.items():
        response = api.get(reverse("api:finding-detail", args=[finding.pk]))
        assert response.status_code == (200 if name in SEES[role] else 404), name


def test_anonymous_callers_get_401_on_every_endpoint(findings: dict[str, Finding]) -> None:
    api = api_for(None)
    pk = findings["gap"].pk
    for url in (
        reverse("api:audit-rule-list"),
        reverse("api:audit-rule-detail", args=["supervision_gap"]),
        reverse("api:audit-run-list"),
        reverse("api:finding-list"),
        reverse("api:finding-detail", args=[pk]),
    ):
        assert api.get(url).status_code == 401, url
    assert api.post(reverse("api:finding-bulk"), {}, format="json").status_code == 401
    for url in (
        reverse("api:audit-rule-settings", args=["supervision_gap"]),
        reverse("api:audit-run-list"),
        *(reverse(f"api:finding-{name}", args=[pk]) for name in ACTIONS),
    ):
        assert api.post(url, {}, format="json").status_code == 401, url


def test_a_student_never_gets_a_fund_finding_even_one_that_names_them(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    api = api_for(cast.student.user)
    assert finding_ids(api, rule="fund_self_approval") == set()
    fund = findings["fund"]
    assert fund.student_id == cast.student.pk
    assert api.get(reverse("api:finding-detail", args=[fund.pk])).status_code == 404
    assert api.post(reverse("api:finding-acknowledge", args=[fund.pk])).status_code == 404
    # The coordinator of the organisation concerned sees it.
    assert fund.pk in finding_ids(api_for(cast.coordinator), rule="fund_self_approval")


def test_a_finding_shows_its_message_evidence_subject_and_what_the_caller_may_do(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    gap = findings["gap"]
    data = api_for(cast.program_admin).get(reverse("api:finding-detail", args=[gap.pk])).data
    assert data["rule"] == "supervision_gap"
    assert data["rule_label"] == "Supervision gap"
    assert data["message"] == "No progress log for 45 days."
    assert data["evidence"] == [
        {"name": "last_progress_log", "label": "Last progress log", "value": "2026-01-05"},
        {"name": "days_without_log", "label": "Days without a log", "value": 45},
    ]
    assert data["subject_type"] == "programs.student"
    assert data["subject_id"] == cast.student.pk
    assert data["subject_url"] == reverse("api:student-detail", args=[cast.student.pk])
    assert data["student_name"] == "Stan Student"
    assert data["program_code"] == cast.program.code
    assert (data["status"], data["is_active"], data["severity"]) == ("open", True, "major")
    assert data["can"] == {"work": True, "assign": True, "dismiss": True, "reopen": True}
    assert data["next_statuses"] == ["acknowledged", "in_remediation", "resolved", "dismissed"]
    as_student = api_for(cast.student.user).get(reverse("api:finding-detail", args=[gap.pk])).data
    assert as_student["can"] == {"work": False, "assign": False, "dismiss": False, "reopen": False}
    # A coordinator works on their organisation's findings but does not dismiss them.
    held = findings["responsibility"]
    as_coordinator = (
        api_for(cast.coordinator).get(reverse("api:finding-detail", args=[held.pk])).data
    )
    assert as_coordinator["can"] == {"work": True, "assign": True, "dismiss": False, "reopen": True}
    assert as_coordinator["subject_url"] is None  # a responsibility has no endpoint of its own


def test_the_message_is_in_the_language_of_the_request(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    url = reverse("api:finding-detail", args=[findings["responsibility"].pk])
    api = api_for(cast.program_admin)
    english = api.get(url, HTTP_ACCEPT_LANGUAGE="en").data["message"]
    chinese = api.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").data["message"]
    assert "Clinical practice" in english
    assert "临床实践" in chinese


def test_findings_filter_by_rule_severity_status_and_the_people_concerned(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    api = api_for(cast.program_admin)
    pk = {name: finding.pk for name, finding in findings.items()}
    assert finding_ids(api, rule="supervision_gap") == {pk["gap"], pk["other_gap"]}
    assert finding_ids(api, severity="critical") == {pk["fund"]}
    assert finding_ids(api, severity=["critical", "minor"]) == {
        pk["fund"],
        pk["capacity"],
        pk["responsibility"],
        pk["other_responsibility"],
    }
    assert finding_ids(api, organization=cast.hospital.pk) == {pk["fund"], pk["responsibility"]}
    assert finding_ids(api, student=cast.student.pk) == {pk["gap"], pk["fund"]}
    assert finding_ids(api, tutor=cast.tutor.user.pk) == {pk["capacity"]}
    assert finding_ids(api, program=cast.program.pk) == set(pk.values())
    assert finding_ids(api, program=ProgramFactory().pk) == set()
    Finding.objects.filter(pk=pk["gap"]).update(status="acknowledged", assignee=cast.tutor.user)
    Finding.objects.filter(pk=pk["other_gap"]).update(status="resolved")
    assert finding_ids(api, status="acknowledged") == {pk["gap"]}
    assert finding_ids(api, assignee=cast.tutor.user.pk) == {pk["gap"]}
    assert pk["gap"] not in finding_ids(api, unassigned="true")
    assert finding_ids(api, active="false") == {pk["other_gap"]}
    assert finding_ids(api, active="true") == set(pk.values()) - {pk["other_gap"]}


def test_findings_order_by_severity_rank_not_by_the_alphabet(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    api = api_for(cast.program_admin)
    rows = listed(api, "finding", ordering="-severity")
    assert [row["severity"] for row in rows] == [
        "critical",
        "major",
        "major",
        "minor",
        "minor",
        "minor",
    ]
    # Among equals, the newest first: pages do not overlap.
    majors = [row["id"] for row in rows if row["severity"] == "major"]
    assert majors == [findings["other_gap"].pk, findings["gap"].pk]
    rows = listed(api, "finding", ordering="severity")
    assert rows[0]["severity"] == "minor" and rows[-1]["severity"] == "critical"


@pytest.mark.parametrize(
    "params",
    [
        {"rule": "no_such_rule"},
        {"severity": "extreme"},
        {"status": "forgotten"},
        {"program": "abc"},
        {"ordering": "fingerprint"},
    ],
)
def test_bad_filters_get_400(params: dict[str, str], cast: Cast) -> None:
    response = api_for(cast.program_admin).get(reverse("api:finding-list"), params)
    assert response.status_code == 400
    assert set(params) <= set(response.data)


# ---- The life of a finding: every action for every role -----------------------------------

#: action → (status before, body builder, status after)
ACTIONS: dict[str, tuple[str, Callable[[User], dict[str, Any]], str]] = {
    "acknowledge": ("open", lambda user: {}, "acknowledged"),
    "start-remediation": (
        "open",
        lambda user: {"corrective_action": "Fortnightly meetings"},
        "in_remediation",
    ),
    "resolve": ("acknowledged", lambda user: {"corrective_action": "Logs caught up"}, "resolved"),
    "dismiss": (
        "open",
        lambda user: {"justification": "The student was on sick leave."},
        "dismissed",
    ),
    "reopen": ("resolved", lambda user: {}, "open"),
    "assign": ("open", lambda user: {"assignee": user.pk, "due_date": NEXT_MONTH}, "open"),
    "corrective-action": ("open", lambda user: {"text": "Meet every two weeks."}, "open"),
}
#: What each role gets on a finding about `student` (no organisation concerned).
ON_GAP = {
    "admin": 200,
    "program_admin": 200,
    "coordinator": 404,
    "other_coordinator": 404,
    "tutor": 403,
    "practice_tutor": 403,
    "other_tutor": 404,
    "student": 403,
    "other_student": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_or_may_not_take_each_action_on_a_finding_about_a_student(
    role: str, cast: Cast, people: dict[str, User]
) -> None:
    user = people[role]
    api = api_for(user)
    for name, (before, body, after) in ACTIONS.items():
        finding = gap_finding(cast, status=before)
        if before == "resolved":
            Finding.objects.filter(pk=finding.pk).update(resolved_at=timezone.now())
        response = api.post(
            reverse(f"api:finding-{name}", args=[finding.pk]), body(user), format="json"
        )
        assert response.status_code == ON_GAP[role], (name, response.data)
        finding.refresh_from_db()
        if response.status_code == 200:
            assert response.data["status"] == after, name
            assert finding.status == after, name
        else:
            assert finding.status == before, name
    if ON_GAP[role] == 200:
        assigned = Finding.objects.filter(assignee=user).get()
        assert assigned.due_date == dt.date.fromisoformat(NEXT_MONTH)
        assert Finding.objects.filter(corrective_action="Meet every two weeks.").exists()
        assert Finding.objects.filter(
            status="dismissed", dismissal_justification="The student was on sick leave."
        ).exists()


def test_a_coordinator_works_on_their_organisations_finding_but_cannot_dismiss_it(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    api = api_for(cast.coordinator)
    finding = findings["responsibility"]
    url = lambda name: reverse(f"api:finding-{name}", args=[finding.pk])  # noqa: E731
    assert api.post(url("acknowledge")).data["status"] == "acknowledged"
    response = api.post(url("dismiss"), {"justification": "Not ours"}, format="json")
    assert response.status_code == 403
    response = api.post(
        url("assign"), {"assignee": cast.coordinator.pk, "due_date": NEXT_MONTH}, format="json"
    )
    assert response.status_code == 200 and response.data["assignee_email"] == cast.coordinator.email
    assert api.post(url("resolve"), {"corrective_action": "Placements booked"}).status_code == 200
    reopened = api.post(url("reopen"))
    assert reopened.status_code == 200
    assert (reopened.data["status"], reopened.data["reopened_count"]) == ("open", 1)
    assert reopened.data["corrective_action"] == "Placements booked"
    # The other hospital's coordinator does not even see it.
    assert api_for(cast.other_coordinator).post(url("acknowledge")).status_code == 404


def test_the_assignee_is_notified_and_may_work_on_the_finding_but_not_dismiss_or_reassign_it(
    cast: Cast, findings: dict[str, Finding], mailoutbox: list[Any]
) -> None:
    gap = findings["gap"]
    url = lambda name: reverse(f"api:finding-{name}", args=[gap.pk])  # noqa: E731
    tom = api_for(cast.tutor.user)
    assert tom.post(url("acknowledge")).status_code == 403
    response = api_for(cast.program_admin).post(
        url("assign"), {"assignee": cast.tutor.user.pk, "due_date": NEXT_MONTH}, format="json"
    )
    assert response.status_code == 200
    assert (response.data["assignee"], response.data["due_date"]) == (
        cast.tutor.user.pk,
        NEXT_MONTH,
    )
    assert cast.tutor.user.notifications.count() == 1
    assert tom.get(reverse("api:finding-detail", args=[gap.pk])).data["can"]["work"] is True
    assert tom.post(url("acknowledge")).data["status"] == "acknowledged"
    assert tom.post(url("corrective-action"), {"text": "Weekly calls"}).status_code == 200
    assert tom.post(url("dismiss"), {"justification": "x"}).status_code == 403
    assert tom.post(url("assign"), {"assignee": None}, format="json").status_code == 403
    resolved = tom.post(url("resolve"), {})
    assert (resolved.status_code, resolved.data["status"]) == (200, "resolved")
    assert resolved.data["corrective_action"] == "Weekly calls"
    assert resolved.data["resolved_at"]
    assert tom.post(url("reopen")).status_code == 403
    unassigned = api_for(cast.program_admin).post(url("assign"), {"assignee": None}, format="json")
    assert unassigned.status_code == 200 and unassigned.data["assignee"] is None


# ---- Bulk actions: one transaction, refused and unseen findings listed ---------------------


def bulk(api: APIClient, **body: Any) -> Any:
    return api.post(reverse("api:finding-bulk"), body, format="json")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_bulk_result_its_rights_allow(
    role: str, cast: Cast, people: dict[str, User]
) -> None:
    finding = gap_finding(cast)
    response = bulk(api_for(people[role]), ids=[finding.pk], action="acknowledge")
    assert response.status_code == 200
    outcome = {200: "done", 403: "refused", 404: "not_found"}[ON_GAP[role]]
    assert response.data == {
        "done": [],
        "refused": [],
        "not_found": [],
        "still_present": [],
        outcome: [finding.pk],
    }
    finding.refresh_from_db()
    assert finding.status == ("acknowledged" if outcome == "done" else "open")


def test_a_bulk_action_acts_on_what_it_may_and_lists_the_rest(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    pk = {name: finding.pk for name, finding in findings.items()}
    response = bulk(
        api_for(cast.coordinator),
        ids=[pk["responsibility"], pk["gap"], pk["fund"], 10**9, pk["fund"]],
        action="acknowledge",
    )
    assert response.status_code == 200
    assert response.data == {
        "done": [pk["fund"], pk["responsibility"]],
        "refused": [],
        "not_found": [pk["gap"], 10**9],
        "still_present": [],
    }
    response = bulk(
        api_for(cast.coordinator),
        ids=[pk["responsibility"]],
        action="dismiss",
        justification="Not ours",
    )
    assert response.data["refused"] == [pk["responsibility"]]
    assert Finding.objects.get(pk=pk["responsibility"]).status == "acknowledged"


def test_a_bulk_action_hides_what_the_caller_cannot_see(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    fund = findings["fund"]
    response = bulk(api_for(cast.student.user), ids=[fund.pk, 10**9], action="acknowledge")
    assert response.data["not_found"] == [fund.pk, 10**9]
    assert Finding.objects.get(pk=fund.pk).status == "open"


def test_one_finding_that_cannot_move_undoes_the_whole_batch(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    pk = {name: finding.pk for name, finding in findings.items()}
    Finding.objects.filter(pk=pk["capacity"]).update(status="acknowledged")
    response = bulk(
        api_for(cast.program_admin), ids=[pk["gap"], pk["capacity"]], action="acknowledge"
    )
    assert response.status_code == 400
    assert "__all__" in response.data
    assert Finding.objects.get(pk=pk["gap"]).status == "open"


def test_a_bulk_dismissal_needs_a_justification(cast: Cast, findings: dict[str, Finding]) -> None:
    ids = [findings["gap"].pk, findings["capacity"].pk]
    response = bulk(api_for(cast.program_admin), ids=ids, action="dismiss")
    assert response.status_code == 400 and "justification" in response.data
    assert set(Finding.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"open"}
    response = bulk(api_for(cast.program_admin), ids=ids, action="dismiss", justification="Agreed")
    assert sorted(response.data["done"]) == sorted(ids)
    assert set(Finding.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"dismissed"}


def test_a_bulk_assignment_notifies_the_assignee_once_per_finding(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    ids = [findings["gap"].pk, findings["capacity"].pk]
    response = bulk(
        api_for(cast.program_admin),
        ids=ids,
        action="assign",
        assignee=cast.tutor.user.pk,
        due_date=NEXT_MONTH,
    )
    assert sorted(response.data["done"]) == sorted(ids)
    assert cast.tutor.user.notifications.count() == 2
    # Someone who cannot see one of the findings is given none of them.
    response = bulk(
        api_for(cast.program_admin), ids=ids, action="assign", assignee=cast.student.user.pk
    )
    assert response.status_code == 400 and "assignee" in response.data
    assert set(Finding.objects.filter(pk__in=ids).values_list("assignee", flat=True)) == {
        cast.tutor.user.pk
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": [], "action": "acknowledge"}, "ids"),
        ({"ids": list(range(1, 202)), "action": "acknowledge"}, "ids"),
        ({"ids": ["x"], "action": "acknowledge"}, "ids"),
        ({"ids": [1], "action": "corrective-action"}, "action"),
        ({"ids": [1], "action": "forget"}, "action"),
        ({"ids": [1]}, "action"),
        ({"ids": [1], "action": "assign"}, "assignee"),
        ({"ids": [1], "action": "assign", "assignee": "abc"}, "assignee"),
        ({"ids": [1], "action": "assign", "assignee": None, "due_date": "2020-01-01"}, "due_date"),
    ],
)
def test_bad_bulk_input_gets_400_and_changes_nothing(
    body: dict[str, Any], field: str, cast: Cast
) -> None:
    finding = gap_finding(cast)
    body = {**body, "ids": [finding.pk if i == 1 else i for i in body["ids"]]}
    response = bulk(api_for(cast.program_admin), **body)
    assert response.status_code == 400
    assert field in response.data
    finding.refresh_from_db()
    assert (finding.status, finding.due_date) == ("open", None)


# ---- Bad input on findings: 400 with field errors, nothing saved ----------------------------


def test_dismissal_without_a_justification_gets_400(
    cast: Cast, findings: dict[str, Finding]
) -> None:
    api = api_for(cast.program_admin)
    url = reverse("api:finding-dismiss", args=[findings["gap"].pk])
    for body in ({}, {"justification": "   "}):
        response = api.post(url, body, format="json")
        assert response.status_code == 400
        assert "justification" in response.data
    assert Finding.objects.get(pk=findings["gap"].pk).status == "open"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("acknowledged", "acknowledge"),
        ("in_remediation", "acknowledge"),
        ("in_remediation", "start-remediation"),
        ("resolved", "resolve"),
        ("dismissed", "resolve"),
        ("resolved", "dismiss"),
        ("open", "reopen"),
        ("acknowledged", "reopen"),
    ],
)
def test_moves_the_finding_cannot_make_get_400(status: str, action: str, cast: Cast) -> None:
    finding = gap_finding(
        cast, status=status, dismissal_justification="Agreed" if status == "dismissed" else ""
    )
    body = {"justification": "Agreed"} if action == "dismiss" else {}
    response = api_for(cast.program_admin).post(
        reverse(f"api:finding-{action}", args=[finding.pk]), body, format="json"
    )
    assert response.status_code == 400
    assert "__all__" in response.data
    finding.refresh_from_db()
    assert finding.status == status


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"assignee": "outsider", "due_date": NEXT_MONTH}, "assignee"),
        ({"assignee": 10**9}, "assignee"),
        ({"assignee": "abc"}, "assignee"),
        ({"due_date": NEXT_MONTH}, "assignee"),
        ({"assignee": "tutor", "due_date": "2020-01-01"}, "due_date"),
        ({"assignee": "tutor", "due_date": "soon"}, "due_date"),
    ],
)
def test_bad_assignments_get_400_and_change_nothing(
    body: dict[str, Any], field: str, cast: Cast, people: dict[str, User]
) -> None:
    finding = gap_finding(cast)
    if body.get("assignee") in people:
        body = {**body, "assignee": people[body["assignee"]].pk}
    response = api_for(cast.program_admin).post(
        reverse("api:finding-assign", args=[finding.pk]), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.data
    finding.refresh_from_db()
    assert (finding.assignee_id, finding.due_date) == (None, None)


def test_a_corrective_action_note_needs_its_text(cast: Cast) -> None:
    finding = gap_finding(cast)
    api = api_for(cast.program_admin)
    url = reverse("api:finding-corrective-action", args=[finding.pk])
    response = api.post(url, {}, format="json")
    assert response.status_code == 400 and "text" in response.data
    response = api.post(url, {"text": "x" * 10_001}, format="json")
    assert response.status_code == 400 and "text" in response.data


# ---- Rules and their settings ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_read_the_rules(role: str, people: dict[str, User]) -> None:
    api = api_for(people[role])
    listing = api.get(reverse("api:audit-rule-list"), {"page_size": 100})
    one = api.get(reverse("api:audit-rule-detail", args=["milestone_overdue"]))
    if role in AUDITORS:
        assert listing.status_code == one.status_code == 200
        codes = [row["code"] for row in listing.data["results"]]
        assert codes == [rule.code for rule in all_rules()]
        assert one.data["code"] == "milestone_overdue"
    else:
        assert listing.status_code == one.status_code == 403


def test_a_rule_shows_its_description_thresholds_and_the_settings_in_force(admin: User) -> None:
    data = api_for(admin).get(reverse("api:audit-rule-detail", args=["fund_split"])).data
    assert data["label"] == "Split spending"
    assert data["description"]
    assert (data["default_severity"], data["about_funds"]) == ("major", True)
    assert data["subject"] == "programs.expenditure"
    thresholds = {row["name"]: row for row in data["thresholds"]}
    # Money is never a float: decimal thresholds are strings, counts are integers.
    assert thresholds["approval_threshold"] == {
        "name": "approval_threshold",
        "label": "Approval threshold",
        "default": "10000",
        "minimum": "1",
        "maximum": "1000000000",
        "decimal": True,
    }
    assert thresholds["min_count"]["default"] == 3
    assert data["program"] is None
    assert data["effective"] == {
        "enabled": True,
        "severity": "major",
        "thresholds": {
            "approval_threshold": "10000",
            "margin_percent": 10,
            "min_count": 3,
            "window_days": 14,
        },
    }
    assert data["setting"] is None


def test_unknown_rules_are_404(admin: User) -> None:
    api = api_for(admin)
    assert api.get(reverse("api:audit-rule-detail", args=["no_such_rule"])).status_code == 404
    response = api.post(reverse("api:audit-rule-settings", args=["no_such_rule"]), {})
    assert response.status_code == 404


def test_a_programs_setting_overrides_the_portal_wide_one(cast: Cast, admin: User) -> None:
    url = reverse("api:audit-rule-settings", args=["supervision_gap"])
    portal = api_for(admin).post(
        url, {"severity": "critical", "thresholds": {"days": 45}}, format="json"
    )
    assert portal.status_code == 200, portal.data
    assert portal.data["effective"] == {
        "enabled": True,
        "severity": "critical",
        "thresholds": {"days": 45},
    }
    assert portal.data["setting"]["updated_by"] == admin.email
    api = api_for(cast.program_admin)
    local = api.post(url, {"program": cast.program.pk, "thresholds": {"days": "60"}}, format="json")
    assert local.status_code == 200, local.data
    assert local.data["program"] == cast.program.pk
    assert local.data["effective"] == {
        "enabled": True,
        "severity": "critical",  # blank here: the portal-wide severity applies
        "thresholds": {"days": 60},
    }
    assert local.data["setting"]["thresholds"] == {"days": 60}
    detail = reverse("api:audit-rule-detail", args=["supervision_gap"])
    assert api.get(detail).data["effective"]["thresholds"] == {"days": 45}
    in_program = api.get(detail, {"program": cast.program.pk}).data
    assert in_program["effective"]["thresholds"] == {"days": 60}
    # Turned off portal-wide, the rule is off in every program.
    off = api_for(admin).post(url, {"enabled": False}, format="json")
    assert off.data["effective"]["enabled"] is False
    assert api.get(detail, {"program": cast.program.pk}).data["effective"]["enabled"] is False
    assert RuleSetting.objects.filter(rule="supervision_gap").count() == 2


def test_decimal_thresholds_keep_their_cents(admin: User) -> None:
    response = api_for(admin).post(
        reverse("api:audit-rule-settings", args=["fund_split"]),
        {"thresholds": {"approval_threshold": "12345.50"}},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["effective"]["thresholds"]["approval_threshold"] == "12345.50"
    setting = RuleSetting.objects.get(rule="fund_split")
    assert Decimal(setting.thresholds["approval_threshold"]) == Decimal("12345.50")


def test_program_administrators_change_only_their_programs_settings(
    cast: Cast, people: dict[str, User]
) -> None:
    api = api_for(cast.program_admin)
    url = reverse("api:audit-rule-settings", args=["supervision_gap"])
    body = {"thresholds": {"days": 40}}
    assert api.post(url, body, format="json").status_code == 403  # portal-wide
    elsewhere = ProgramFactory()
    response = api.post(url, {**body, "program": elsewhere.pk}, format="json")
    assert response.status_code == 400 and "program" in response.data
    detail = reverse("api:audit-rule-detail", args=["supervision_gap"])
    assert api.get(detail, {"program": elsewhere.pk}).status_code == 404
    assert api.get(reverse("api:audit-rule-list"), {"program": elsewhere.pk}).status_code == 404
    assert api.get(detail, {"program": "abc"}).status_code == 400
    # A second administrator of another program sees and changes only theirs.
    grant(people["outsider"], Role.PROGRAM_ADMIN, elsewhere)
    other = api_for(people["outsider"])
    response = other.post(url, {**body, "program": cast.program.pk}, format="json")
    assert response.status_code == 400
    assert other.post(url, {**body, "program": elsewhere.pk}, format="json").status_code == 200
    assert not RuleSetting.objects.filter(program=cast.program).exists()
    assert not RuleSetting.objects.filter(program__isnull=True).exists()


@pytest.mark.parametrize("role", sorted(set(ROLES) - AUDITORS))
def test_nobody_else_changes_settings(role: str, cast: Cast, people: dict[str, User]) -> None:
    response = api_for(people[role]).post(
        reverse("api:audit-rule-settings", args=["supervision_gap"]),
        {"program": cast.program.pk, "enabled": False},
        format="json",
    )
    assert response.status_code == 403
    assert not RuleSetting.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"thresholds": {"days": -5}}, "thresholds"),
        ({"thresholds": {"days": 0}}, "thresholds"),
        ({"thresholds": {"days": 99999}}, "thresholds"),
        ({"thresholds": {"days": "abc"}}, "thresholds"),
        ({"thresholds": {"days": 1.5}}, "thresholds"),
        ({"thresholds": {"days": True}}, "thresholds"),
        ({"thresholds": {"days": {"n": 3}}}, "thresholds"),
        ({"thresholds": {"no_such_threshold": 3}}, "thresholds"),
        ({"thresholds": [30]}, "thresholds"),
        ({"severity": "extreme"}, "severity"),
        ({"enabled": "perhaps"}, "enabled"),
        ({"program": 10**9}, "program"),
    ],
)
def test_bad_settings_get_400_and_save_nothing(
    body: dict[str, Any], field: str, admin: User
) -> None:
    response = api_for(admin).post(
        reverse("api:audit-rule-settings", args=["supervision_gap"]), body, format="json"
    )
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not RuleSetting.objects.exists()


@pytest.mark.parametrize("value", ["-1", "1000000001", "NaN", "Infinity", "1e400", "ten"])
def test_out_of_range_decimal_thresholds_get_400(value: str, admin: User) -> None:
    response = api_for(admin).post(
        reverse("api:audit-rule-settings", args=["fund_split"]),
        {"thresholds": {"approval_threshold": value}},
        format="json",
    )
    assert response.status_code == 400 and "thresholds" in response.data
    assert not RuleSetting.objects.exists()


# ---- Runs ----------------------------------------------------------------------------------


@pytest.fixture
def runs(cast: Cast, admin: User) -> dict[str, AuditRun]:
    return {
        "program": start_audit(user=cast.program_admin, program=cast.program),
        "portal": start_audit(user=admin),
        "elsewhere": start_audit(user=admin, program=ProgramFactory()),
    }


@pytest.mark.parametrize("role", ROLES)
def test_runs_are_for_administrators_of_their_scope(
    role: str, people: dict[str, User], runs: dict[str, AuditRun]
) -> None:
    api = api_for(people[role])
    listing = api.get(reverse("api:audit-run-list"))
    if role not in AUDITORS:
        assert listing.status_code == 403
        for run in runs.values():
            assert api.get(reverse("api:audit-run-detail", args=[run.pk])).status_code == 403
        return
    sees = set(runs) if role == "admin" else {"program"}
    assert {row["id"] for row in listing.data["results"]} == {runs[name].pk for name in sees}
    for name, run in runs.items():
        response = api.get(reverse("api:audit-run-detail", args=[run.pk]))
        assert response.status_code == (200 if name in sees else 404), name


def test_a_run_shows_its_scope_starter_and_job(cast: Cast, runs: dict[str, AuditRun]) -> None:
    run = runs["program"]
    data = api_for(cast.program_admin).get(reverse("api:audit-run-detail", args=[run.pk])).data
    assert (data["program"], data["program_code"]) == (cast.program.pk, cast.program.code)
    assert data["started_by"] == cast.program_admin.email
    assert (data["rules"], data["schedule"], data["counts"]) == ([], "", {})
    assert data["as_of"] == TODAY.isoformat()
    assert data["finished_at"] is None
    assert data["job"]["id"] == run.job_id
    assert (data["job"]["status"], data["job"]["percent"]) == ("queued", 0)


def test_runs_filter_by_status_scope_and_schedule(admin: User, runs: dict[str, AuditRun]) -> None:
    nightly = start_audit(user=None, schedule="nightly")
    api = api_for(admin)
    ids = lambda **params: {row["id"] for row in listed(api, "audit-run", **params)}  # noqa: E731
    assert ids(portal_wide="true") == {runs["portal"].pk, nightly.pk}
    assert ids(program=runs["program"].program_id) == {runs["program"].pk}
    assert ids(scheduled="true") == {nightly.pk}
    assert ids(started_by=admin.pk) == {runs["portal"].pk, runs["elsewhere"].pk}
    assert ids(status="queued") == {run.pk for run in runs.values()} | {nightly.pk}
    assert ids(status="succeeded") == set()
    assert api.get(reverse("api:audit-run-list"), {"status": "lost"}).status_code == 400


def test_starting_an_audit_answers_202_and_the_run_finds_the_overdue_milestone(
    cast: Cast,
    celery_eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    milestone = m.Milestone.objects.create(
        student=cast.student,
        kind="other",
        title="Proposal defence",
        due_date=TODAY - dt.timedelta(days=10),
    )
    api = api_for(cast.program_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api:audit-run-list"),
            {"program": cast.program.pk, "rules": ["milestone_overdue", "milestone_overdue"]},
            format="json",
        )
    assert response.status_code == 202, response.data
    assert response.data["job"]["status"] == "queued"  # answered before the work starts
    assert response.data["rules"] == ["milestone_overdue"]
    assert response.data["started_by"] == cast.program_admin.email
    run = api.get(reverse("api:audit-run-detail", args=[response.data["id"]])).data
    assert run["job"]["status"] == "succeeded" and run["job"]["percent"] == 100
    assert run["finished_at"]
    assert run["counts"] == {"milestone_overdue": {"found": 1, "new": 1, "reopened": 0, "gone": 0}}
    [finding] = listed(api_for(cast.student.user), "finding")
    assert finding["rule"] == "milestone_overdue"
    assert finding["subject_url"] == reverse("api:milestone-detail", args=[milestone.pk])
    assert finding["message"] == "“Proposal defence” is 10 days overdue."


def test_whole_portal_audits_are_for_portal_administrators(cast: Cast, admin: User) -> None:
    url = reverse("api:audit-run-list")
    assert api_for(cast.program_admin).post(url, {}, format="json").status_code == 403
    assert (
        api_for(cast.program_admin).post(url, {"program": None}, format="json").status_code == 403
    )
    response = api_for(admin).post(url, {"rules": ["fund_duplicate"]}, format="json")
    assert response.status_code == 202
    assert response.data["program"] is None and response.data["rules"] == ["fund_duplicate"]
    assert AuditRun.objects.count() == 1


@pytest.mark.parametrize("role", sorted(set(ROLES) - AUDITORS))
def test_nobody_else_starts_an_audit(role: str, cast: Cast, people: dict[str, User]) -> None:
    response = api_for(people[role]).post(
        reverse("api:audit-run-list"), {"program": cast.program.pk}, format="json"
    )
    assert response.status_code == 403
    assert not AuditRun.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rules": ["no_such_rule"]}, "rules"),
        ({"rules": "supervision_gap"}, "rules"),
        ({"rules": ["x" * 65]}, "rules"),
        ({"program": "closed"}, "program"),
        ({"program": "elsewhere"}, "program"),
        ({"program": 10**9}, "program"),
    ],
)
def test_bad_runs_get_400_and_start_nothing(body: dict[str, Any], field: str, cast: Cast) -> None:
    programs = {
        "closed": ProgramFactory(status=m.Program.Status.CLOSED),
        "elsewhere": ProgramFactory(),
    }
    grant(cast.program_admin, Role.PROGRAM_ADMIN, programs["closed"])
    body = {"program": cast.program.pk, **body}
    if body["program"] in programs:
        body["program"] = programs[body["program"]].pk
    response = api_for(cast.program_admin).post(reverse("api:audit-run-list"), body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not AuditRun.objects.exists()


# ---- Query counts: the same for 1 and for 50 ------------------------------------------------


def _more_findings(cast: Cast, count: int = 49) -> Callable[[], None]:
    """Findings about many students, tutors and organisations, each assigned to someone."""

    def grow() -> None:
        for n in range(count):
            student = StudentFactory(program=cast.program)
            tutor = TutorFactory(organization=cast.hospital)
            gap_finding(
                cast,
                student,
                organization=OrganizationFactory() if n % 2 else cast.hospital,
                tutor=tutor.user,
                assignee=UserFactory(),
                status=list(Finding.Status)[n % 4],
            )

    return grow


@pytest.mark.parametrize("role", ["admin", "program_admin", "coordinator", "tutor", "student"])
def test_the_findings_list_query_count_is_flat(
    role: str, cast: Cast, people: dict[str, User], findings: dict[str, Finding]
) -> None:
    api = api_for(people[role])
    url = reverse("api:finding-list")
    grow = _more_findings(cast)
    assert_flat_queries(
        lambda: api.get(url, {"page_size": 100, "ordering": "-severity"}), grow, max_queries=8
    )


def test_the_finding_detail_query_count_is_flat(cast: Cast, findings: dict[str, Finding]) -> None:
    api = api_for(cast.program_admin)
    url = reverse("api:finding-detail", args=[findings["fund"].pk])
    assert_flat_queries(lambda: api.get(url), _more_findings(cast), max_queries=8)


def _more_runs(cast: Cast, admin: User, run: AuditRun) -> Callable[[], None]:
    """Runs by several people, and many chunks and per-rule counts on `run`."""

    def grow() -> None:
        for n in range(49):
            more = start_audit(user=admin if n % 2 else cast.program_admin, program=cast.program)
            AuditChunk.objects.create(run=more, rule="supervision_gap", program=cast.program)
        AuditChunk.objects.bulk_create(
            AuditChunk(run=run, rule=rule.code, program=ProgramFactory())
            for rule in all_rules()
            for _ in range(4)
        )
        counts = {"found": 3, "new": 1, "reopened": 0, "gone": 2}
        AuditRun.objects.filter(pk=run.pk).update(
            counts={rule.code: counts for rule in all_rules()}
        )

    return grow


@pytest.mark.parametrize("role", ["admin", "program_admin"])
def test_the_runs_list_query_count_is_flat(
    role: str, cast: Cast, admin: User, people: dict[str, User], runs: dict[str, AuditRun]
) -> None:
    api = api_for(people[role])
    url = reverse("api:audit-run-list")
    grow = _more_runs(cast, admin, runs["program"])
    assert_flat_queries(lambda: api.get(url, {"page_size": 100}), grow, max_queries=6)


def test_the_run_detail_query_count_is_flat(
    cast: Cast, admin: User, runs: dict[str, AuditRun]
) -> None:
    api = api_for(cast.program_admin)
    url = reverse("api:audit-run-detail", args=[runs["program"].pk])
    assert_flat_queries(
        lambda: api.get(url), _more_runs(cast, admin, runs["program"]), max_queries=6
    )


def test_the_rules_query_counts_are_flat(cast: Cast, admin: User) -> None:
    def grow() -> None:
        for rule in all_rules():
            RuleSetting.objects.create(rule=rule.code, severity="critical", updated_by=admin)
            RuleSetting.objects.create(
                rule=rule.code, program=cast.program, enabled=False, updated_by=cast.program_admin
            )

    api = api_for(cast.program_admin)
    scoped = {"program": cast.program.pk}
    list_url = reverse("api:audit-rule-list")
    detail_url = reverse("api:audit-rule-detail", args=["supervision_gap"])
    for fetch in (
        lambda: api.get(list_url, {"page_size": 100}),
        lambda: api.get(list_url, {"page_size": 100, **scoped}),
        lambda: api.get(detail_url, scoped),
    ):
        RuleSetting.objects.all().delete()
        assert_flat_queries(fetch, grow, max_queries=8)
    assert api.get(list_url, scoped).data["results"][0]["setting"]["updated_by"] == (
        cast.program_admin.email
    )
