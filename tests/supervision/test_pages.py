"""The audit pages for every role of the cast: the dashboard, runs, findings (list, detail,
moves, assignment, bulk actions) and rule settings; bad input gets errors and changes nothing;
query counts stay flat."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from supervision.audits import services as audit_services
from supervision.audits.engine import finish_run, start_audit
from supervision.findings import services
from supervision.findings.attention import assigned_findings_attention, serious_findings_attention
from supervision.models import AuditChunk, AuditRun, Finding, RuleSetting, ScheduleChange
from supervision.rules import all_rules
from tests.cast import Cast
from tests.clients import client_for
from tests.factories import UserFactory
from tests.programs.factories import (
    AssignmentFactory,
    OrganizationFactory,
    ProgramFactory,
    StudentFactory,
    TutorFactory,
    grant,
)
from tests.queries import assert_flat_queries
from training_portal.core.models import Notification
from training_portal.core.navigation import entries_for

from .conftest import ROLES, Findings, make_finding

pytestmark = pytest.mark.django_db

Status = Finding.Status
TODAY = timezone.localdate()
NEXT_MONTH = TODAY + dt.timedelta(days=30)
YESTERDAY = TODAY - dt.timedelta(days=1)
AUDITORS = {"admin", "program_admin"}

#: Who sees which of the `findings` (portal administrators see them all).
SEES = {
    "about_student": {"admin", "program_admin", "tutor", "practice_tutor", "student"},
    "about_other_student": {"admin", "program_admin", "other_tutor", "other_student"},
    "fund": {"admin", "program_admin", "coordinator"},
    "about_practice_tutor": {"admin", "program_admin", "coordinator", "practice_tutor"},
}


def finding_url(finding: Finding, name: str = "finding-detail") -> str:
    return reverse(f"supervision:{name}", args=[finding.pk])


def statuses(*items: Finding) -> list[str]:
    return [Finding.objects.get(pk=item.pk).status for item in items]


def run_of(cast: Cast, user: User, program: m.Program | None = None) -> AuditRun:
    """A queued run (its task is enqueued after commit, which the test never reaches)."""
    return start_audit(user=user, program=program)


# ---- Who gets which page -------------------------------------------------------------------


@pytest.mark.parametrize("name", [*ROLES, "anonymous"])
@pytest.mark.parametrize("page", ["dashboard", "run-list", "rule-settings"])
def test_audit_pages_are_for_portal_and_program_administrators(
    people: dict[str, Any], name: str, page: str
) -> None:
    response = client_for(people[name]).get(reverse(f"supervision:{page}"))
    if name == "anonymous":
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    else:
        assert response.status_code == (200 if name in AUDITORS else 403)


@pytest.mark.parametrize("name", [*ROLES, "anonymous"])
@pytest.mark.parametrize("page", ["run-detail", "run-progress"])
def test_a_programs_run_is_seen_by_its_administrators_only(
    cast: Cast, people: dict[str, Any], name: str, page: str
) -> None:
    run = run_of(cast, cast.program_admin, cast.program)
    response = client_for(people[name]).get(reverse(f"supervision:{page}", args=[run.pk]))
    expected = 302 if name == "anonymous" else 200 if name in AUDITORS else 404
    assert response.status_code == expected


def test_a_whole_portal_run_is_seen_by_portal_administrators_only(
    cast: Cast, people: dict[str, Any]
) -> None:
    run = run_of(cast, people["admin"])
    url = reverse("supervision:run-detail", args=[run.pk])
    assert client_for(people["admin"]).get(url).status_code == 200
    assert client_for(cast.program_admin).get(url).status_code == 404


@pytest.mark.parametrize("name", [*ROLES, "anonymous"])
def test_the_findings_list_shows_each_role_what_it_may_see(
    people: dict[str, Any], findings: Findings, name: str
) -> None:
    response = client_for(people[name]).get(reverse("supervision:finding-list"))
    if name == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    shown = {
        key
        for key in SEES
        if f'href="{finding_url(getattr(findings, key))}"' in response.content.decode()
    }
    assert shown == {key for key, names in SEES.items() if name in names}


@pytest.mark.parametrize("name", [*ROLES, "anonymous"])
@pytest.mark.parametrize("key", list(SEES))
def test_a_finding_page_answers_those_who_see_the_finding(
    people: dict[str, Any], findings: Findings, name: str, key: str
) -> None:
    response = client_for(people[name]).get(finding_url(getattr(findings, key)))
    expected = 302 if name == "anonymous" else 200 if name in SEES[key] else 404
    assert response.status_code == expected


def test_students_never_see_fund_findings_even_about_themselves(
    cast: Cast, findings: Findings
) -> None:
    assert findings.fund.student == cast.student
    client = client_for(cast.student.user)
    listed = client.get(reverse("supervision:finding-list"), {"status": "all"})
    assert finding_url(findings.fund) not in listed.content.decode()
    assert client.get(finding_url(findings.fund)).status_code == 404


def test_navigation_offers_audits_to_administrators_and_findings_to_the_roles(
    people: dict[str, Any],
) -> None:
    def labels(user: Any) -> set[str]:
        return {str(entry.label) for entry in entries_for(user)}

    for name in ("admin", "program_admin"):
        assert {"Audits", "Findings"} <= labels(people[name])
    for name in ("coordinator", "tutor", "practice_tutor", "student"):
        assert "Findings" in labels(people[name])
        assert "Audits" not in labels(people[name])
    assert not {"Audits", "Findings"} & labels(people["outsider"])


# ---- Dashboard and starting an audit -------------------------------------------------------


def test_dashboard_counts_open_findings_by_rule_severity_program_and_organisation(
    cast: Cast, findings: Findings
) -> None:
    Finding.objects.filter(pk=findings.about_other_student.pk).update(
        status=Status.RESOLVED, resolved_at=timezone.now()
    )
    response = client_for(cast.program_admin).get(reverse("supervision:dashboard"))
    assert response.status_code == 200
    context = response.context
    assert context["open_total"] == 3
    assert {row["code"]: row["total"] for row in context["by_rule"]} == {
        "supervision_gap": 1,
        "fund_self_approval": 1,
        "tutor_over_capacity": 1,
    }
    assert {s["value"]: s["n"] for s in context["by_severity"]} == {
        "critical": 1,
        "major": 1,
        "minor": 1,
        "info": 0,
    }
    assert [(r["program__code"], r["n"], r["serious"]) for r in context["by_program"]] == [
        (cast.program.code, 3, 2)
    ]
    assert [(r["organization__name"], r["n"]) for r in context["by_organization"]] == [
        ("First Hospital", 2)
    ]
    assert "Self-approved expenditure" in response.content.decode()


def test_dashboard_trend_shows_the_latest_finished_runs_as_a_chart(
    cast: Cast, people: dict[str, Any]
) -> None:
    runs = [run_of(cast, cast.program_admin, cast.program) for _ in range(8)]
    for index, run in enumerate(runs):
        AuditRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now() + dt.timedelta(minutes=index),
            counts={"supervision_gap": {"found": index, "new": 1, "reopened": 0, "gone": 2}},
        )
    response = client_for(cast.program_admin).get(reverse("supervision:dashboard"))
    points = response.context["trend"]["points"]
    assert [p.run.pk for p in points] == [run.pk for run in runs[-6:]]
    assert [p.found for p in points] == [2, 3, 4, 5, 6, 7]
    body = response.content.decode()
    assert "<svg" in body and body.count("<rect") >= 18


def test_program_admin_starts_an_audit_of_their_program_and_sees_it_run(
    cast: Cast, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.program_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("supervision:dashboard"),
            {"program": cast.program.pk, "rules": ["supervision_gap", "plan_not_approved"]},
        )
    run = AuditRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:run-detail", args=[run.pk])
    assert (run.program, run.started_by, run.rules) == (
        cast.program,
        cast.program_admin,
        ["supervision_gap", "plan_not_approved"],
    )
    run.refresh_from_db()
    assert run.finished_at is not None
    page = client.get(response["Location"])
    assert page.status_code == 200
    rows = {row["code"]: row for row in page.context["rows"]}
    assert set(rows) == {"supervision_gap", "plan_not_approved"}
    found = Finding.objects.filter(program=cast.program)
    assert rows["supervision_gap"]["found"] == found.filter(rule="supervision_gap").count() > 0
    assert page.context["totals"]["found"] == found.count()
    body = page.content.decode()
    assert "Supervision gap" in body and "Petra Progadmin" in body
    assert "hx-get" not in body  # finished: no more polling


def test_a_running_run_polls_its_progress(cast: Cast) -> None:
    run = run_of(cast, cast.program_admin, cast.program)
    AuditChunk.objects.create(run=run, rule="supervision_gap", program=cast.program)
    client = client_for(cast.program_admin)
    page = client.get(reverse("supervision:run-detail", args=[run.pk])).content.decode()
    assert f'hx-get="{reverse("supervision:run-progress", args=[run.pk])}"' in page
    fragment = client.get(reverse("supervision:run-progress", args=[run.pk]))
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert "0 / 1" in fragment.content.decode()


def test_a_scheduled_run_says_which_schedule_started_it(cast: Cast, admin: User) -> None:
    run = start_audit(user=None, schedule="Nightly audit")
    finish_run(run.pk)
    body = client_for(admin).get(reverse("supervision:run-detail", args=[run.pk])).content
    assert "Schedule “Nightly audit”" in body.decode()


def test_portal_admin_may_audit_the_whole_portal_but_program_admins_may_not(
    cast: Cast, admin: User
) -> None:
    response = client_for(admin).post(reverse("supervision:dashboard"), {"program": ""})
    assert response.status_code == 302
    assert AuditRun.objects.get().program is None
    response = client_for(cast.program_admin).post(reverse("supervision:dashboard"), {})
    assert response.status_code == 200
    assert response.context["form"].errors["program"]
    other = ProgramFactory()
    response = client_for(cast.program_admin).post(
        reverse("supervision:dashboard"), {"program": other.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors["program"]
    assert AuditRun.objects.count() == 1


def test_an_unknown_rule_is_refused_on_the_form(cast: Cast) -> None:
    response = client_for(cast.program_admin).post(
        reverse("supervision:dashboard"), {"program": cast.program.pk, "rules": ["no_such_rule"]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["rules"]
    assert not AuditRun.objects.exists()


# ---- Findings list: filters, sorting, pagination -------------------------------------------


def listed(client: Client, **params: Any) -> list[int]:
    response = client.get(reverse("supervision:finding-list"), params)
    assert response.status_code == 200, response.content
    return [row.finding.pk for row in response.context["rows"]]


def test_findings_list_filters(cast: Cast, findings: Findings) -> None:
    client = client_for(cast.program_admin)
    Finding.objects.filter(pk=findings.about_other_student.pk).update(
        status=Status.RESOLVED, resolved_at=timezone.now(), assignee=cast.program_admin
    )
    Finding.objects.filter(pk=findings.about_student.pk).update(assignee=cast.program_admin)
    every = {f.pk for f in findings.all()}
    active = every - {findings.about_other_student.pk}
    assert set(listed(client)) == active  # default: those needing work
    assert set(listed(client, status="all")) == every
    assert listed(client, status="resolved") == [findings.about_other_student.pk]
    assert listed(client, rule="fund_self_approval") == [findings.fund.pk]
    assert set(listed(client, severity=["critical", "minor"])) == {
        findings.fund.pk,
        findings.about_practice_tutor.pk,
    }
    assert set(listed(client, organization=cast.hospital.pk)) == {
        findings.fund.pk,
        findings.about_practice_tutor.pk,
    }
    assert listed(client, mine="on") == [findings.about_student.pk]
    assert set(listed(client, q="stan", status="all")) == {
        findings.about_student.pk,
        findings.fund.pk,
    }
    assert set(listed(client, program=cast.program.pk)) == active
    # A program without findings one may see is not a choice.
    response = client.get(reverse("supervision:finding-list"), {"program": ProgramFactory().pk})
    assert response.status_code == 400


def test_findings_list_sorts_by_severity_and_by_last_found(cast: Cast, findings: Findings) -> None:
    client = client_for(cast.program_admin)
    base = timezone.now()
    for days, item in enumerate(
        [findings.about_practice_tutor, findings.fund, findings.about_student]
    ):
        Finding.objects.filter(pk=item.pk).update(last_seen_at=base - dt.timedelta(days=days))
    by_severity = [findings.fund.pk, findings.about_student.pk, findings.about_practice_tutor.pk]
    assert [pk for pk in listed(client) if pk in by_severity] == by_severity
    assert [pk for pk in listed(client, sort="-severity") if pk in by_severity] == list(
        reversed(by_severity)
    )
    assert [pk for pk in listed(client, sort="last_seen") if pk in by_severity] == [
        findings.about_practice_tutor.pk,
        findings.fund.pk,
        findings.about_student.pk,
    ]


def test_findings_list_rejects_bad_filters_with_400(cast: Cast, findings: Findings) -> None:
    response = client_for(cast.program_admin).get(
        reverse("supervision:finding-list"), {"program": "abc", "sort": "nonsense"}
    )
    assert response.status_code == 400
    assert response.context["filters"].errors.keys() == {"program", "sort"}
    assert response.context["rows"] == []


def test_findings_list_paginates(cast: Cast) -> None:
    for _ in range(30):
        make_finding(cast.program, cast.student, student=cast.student)
    make_finding(cast.program, cast.student, student=cast.student, severity="critical")
    client = client_for(cast.program_admin)
    assert len(listed(client)) == 25
    assert len(listed(client, page=2)) == 6
    both = {"severity": ["critical", "major"]}
    response = client.get(reverse("supervision:finding-list"), both)
    assert "?severity=critical&amp;severity=major&amp;page=2" in response.content.decode()
    assert len(listed(client, page=2, **both)) == 6


# ---- One finding: moves, assignment, corrective action, history -----------------------------


def move(client: Client, finding: Finding, action: str, **data: Any) -> Any:
    return client.post(finding_url(finding, "finding-transition"), {"action": action, **data})


def test_program_admin_takes_a_finding_through_its_life(cast: Cast, findings: Findings) -> None:
    client = client_for(cast.program_admin)
    finding = findings.about_student
    assert move(client, finding, "acknowledge").status_code == 302
    page = client.get(finding_url(finding))
    assert page.context["corrective_form"] is None  # starting remediation takes it
    response = move(client, finding, "start_remediation", corrective_action="Weekly meetings.")
    assert response.status_code == 302
    page = client.get(finding_url(finding))
    assert page.context["corrective_form"].initial == {"text": "Weekly meetings."}
    assert [t["action"] for t in page.context["transitions"]] == ["resolve", "dismiss"]
    finding.refresh_from_db()
    assert (finding.status, finding.corrective_action) == (
        Status.IN_REMEDIATION,
        "Weekly meetings.",
    )
    assert move(client, finding, "resolve").status_code == 302
    assert statuses(finding) == [Status.RESOLVED]
    assert move(client, finding, "reopen").status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.reopened_count) == (Status.OPEN, 1)
    assert move(client, finding, "dismiss", justification="Student on leave.").status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.dismissal_justification) == (
        Status.DISMISSED,
        "Student on leave.",
    )


def test_the_finding_page_shows_evidence_links_and_the_allowed_moves(
    cast: Cast, findings: Findings
) -> None:
    response = client_for(cast.program_admin).get(finding_url(findings.fund))
    body = response.content.decode()
    assert "Cora Coordinator approved their own expenditure of ¥500.00." in body
    assert "Submitted by" in body and "Approved by" in body  # evidence, labelled by the rule
    assert "The submitter and the approver of an expenditure are the same person." in body
    assert reverse("programs:program-detail", args=[cast.program.pk]) in body
    assert reverse("programs:student", args=[cast.student.pk]) in body
    assert reverse("programs:expenditure-detail", args=[findings.fund.subject_id]) in body
    actions = [t["action"] for t in response.context["transitions"]]
    assert actions == ["acknowledge", "start_remediation", "resolve", "dismiss"]
    assert response.context["assign_form"] is not None


def test_a_tutor_sees_no_links_to_pages_they_may_not_open(cast: Cast, findings: Findings) -> None:
    response = client_for(cast.practice_tutor.user).get(finding_url(findings.about_practice_tutor))
    assert response.status_code == 200
    assert response.context["transitions"] == []  # neither manager nor assignee
    assert response.context["assign_form"] is None
    assert response.context["corrective_form"] is None
    assert response.context["history"] is None


#: Who manages each finding (moves, assignment, corrective action); the others who see it get
#: 403, those who do not 404.
MANAGES = {
    "about_student": {"admin", "program_admin"},
    "about_other_student": {"admin", "program_admin"},
    "fund": {"admin", "program_admin", "coordinator"},
    "about_practice_tutor": {"admin", "program_admin", "coordinator"},
}


def expected_for(name: str, key: str) -> int:
    if name == "anonymous" or name in MANAGES[key]:
        return 302
    return 403 if name in SEES[key] else 404


@pytest.mark.parametrize("name", [*ROLES, "anonymous"])
@pytest.mark.parametrize("key", ["about_student", "fund"])
def test_acknowledging_by_role(
    people: dict[str, Any], findings: Findings, name: str, key: str
) -> None:
    finding = getattr(findings, key)
    response = move(client_for(people[name]), finding, "acknowledge")
    assert response.status_code == expected_for(name, key)
    done = name in MANAGES[key]
    assert statuses(finding) == [Status.ACKNOWLEDGED if done else Status.OPEN]
    if name == "anonymous":
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", [*ROLES, "anonymous"])
def test_assigning_by_role(
    cast: Cast, people: dict[str, Any], findings: Findings, name: str
) -> None:
    response = client_for(people[name]).post(
        finding_url(findings.about_student, "finding-assign"),
        {"assignee": cast.tutor.user.pk, "due_date": NEXT_MONTH.isoformat()},
    )
    assert response.status_code == expected_for(name, "about_student")
    findings.about_student.refresh_from_db()
    expected = cast.tutor.user if name in MANAGES["about_student"] else None
    assert findings.about_student.assignee == expected


@pytest.mark.parametrize("name", [*ROLES, "anonymous"])
def test_writing_the_corrective_action_by_role(
    people: dict[str, Any], findings: Findings, name: str
) -> None:
    finding = findings.about_practice_tutor
    response = client_for(people[name]).post(
        finding_url(finding, "finding-corrective-action"), {"text": "Fewer students."}
    )
    assert response.status_code == expected_for(name, "about_practice_tutor")
    finding.refresh_from_db()
    done = name in MANAGES["about_practice_tutor"]
    assert finding.corrective_action == ("Fewer students." if done else "")


@pytest.mark.parametrize("name", [*ROLES, "anonymous"])
def test_bulk_acknowledging_by_role(people: dict[str, Any], findings: Findings, name: str) -> None:
    """Each role ticks every finding it sees: those it manages move, the others are reported;
    findings it cannot see cannot be ticked at all."""
    visible = [getattr(findings, key) for key in SEES if name in SEES[key]]
    response = bulk(client_for(people[name]), visible, "acknowledge")
    if name == "anonymous":
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        return
    assert response.status_code == (302 if visible else 200)
    for key in SEES:
        moved = name in MANAGES[key] and name in SEES[key]
        assert statuses(getattr(findings, key)) == [Status.ACKNOWLEDGED if moved else Status.OPEN]


@pytest.mark.parametrize(
    ("name", "key", "action", "expected"),
    [
        ("student", "about_student", "acknowledge", 403),
        ("tutor", "about_student", "acknowledge", 403),
        ("coordinator", "fund", "acknowledge", 302),  # the organisation's coordinator manages it
        ("coordinator", "fund", "dismiss", 403),  # dismissal is for program administrators
        ("other_coordinator", "fund", "acknowledge", 404),
        ("outsider", "about_student", "acknowledge", 404),
        ("other_student", "about_student", "resolve", 404),
        ("practice_tutor", "about_practice_tutor", "resolve", 403),
    ],
)
def test_who_may_move_a_finding(
    people: dict[str, Any], findings: Findings, name: str, key: str, action: str, expected: int
) -> None:
    finding = getattr(findings, key)
    response = move(client_for(people[name]), finding, action, justification="Because.")
    assert response.status_code == expected
    assert statuses(finding) == [Status.OPEN if expected != 302 else Status.ACKNOWLEDGED]


def test_the_assignee_works_on_their_finding(cast: Cast, findings: Findings) -> None:
    services.assign_finding(
        user=cast.program_admin, finding=findings.about_student, assignee=cast.tutor.user
    )
    client = client_for(cast.tutor.user)
    assert move(client, findings.about_student, "acknowledge").status_code == 302
    response = client.post(
        finding_url(findings.about_student, "finding-corrective-action"), {"text": "Meet weekly."}
    )
    assert response.status_code == 302
    assert move(client, findings.about_student, "dismiss", justification="x").status_code == 403
    findings.about_student.refresh_from_db()
    assert (findings.about_student.status, findings.about_student.corrective_action) == (
        Status.ACKNOWLEDGED,
        "Meet weekly.",
    )


def test_dismissing_without_a_justification_is_refused_on_the_form(
    cast: Cast, findings: Findings
) -> None:
    response = move(client_for(cast.program_admin), findings.fund, "dismiss", justification=" ")
    assert response.status_code == 200
    dismiss = next(t for t in response.context["transitions"] if t["action"] == "dismiss")
    assert dismiss["form"].errors["justification"]
    assert statuses(findings.fund) == [Status.OPEN]


def test_an_impossible_move_is_explained_not_made(cast: Cast, findings: Findings) -> None:
    response = move(client_for(cast.program_admin), findings.fund, "reopen")
    assert response.status_code == 200
    assert response.context["transition_errors"]
    assert "cannot become" in response.content.decode()
    assert statuses(findings.fund) == [Status.OPEN]
    response = move(client_for(cast.program_admin), findings.fund, "fly")
    assert response.status_code == 200
    assert statuses(findings.fund) == [Status.OPEN]


def test_program_admin_assigns_a_finding_to_a_tutor_who_is_notified(
    cast: Cast, findings: Findings, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.program_admin)
    page = client.get(finding_url(findings.about_student))
    candidates = list(page.context["assign_form"].fields["assignee"].queryset)
    assert {cast.program_admin, cast.tutor.user, cast.practice_tutor.user} <= set(candidates)
    assert cast.other_tutor.user not in candidates
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            finding_url(findings.about_student, "finding-assign"),
            {"assignee": cast.tutor.user.pk, "due_date": NEXT_MONTH.isoformat()},
        )
    assert response.status_code == 302
    findings.about_student.refresh_from_db()
    assert (findings.about_student.assignee, findings.about_student.due_date) == (
        cast.tutor.user,
        NEXT_MONTH,
    )
    notice = Notification.objects.get(recipient=cast.tutor.user)
    assert notice.link == finding_url(findings.about_student)
    assert [message.to for message in mail.outbox] == [[cast.tutor.user.email]]


@pytest.mark.parametrize(
    ("assignee", "due_date", "field"),
    [
        ("other_tutor", NEXT_MONTH, "assignee"),  # cannot see the finding
        ("other_student", NEXT_MONTH, "assignee"),
        ("tutor", YESTERDAY, "due_date"),
        ("tutor", "31/02/2026", "due_date"),
        (None, NEXT_MONTH, None),
    ],
)
def test_a_bad_assignment_is_refused_on_the_form(
    people: dict[str, Any],
    cast: Cast,
    findings: Findings,
    assignee: str | None,
    due_date: Any,
    field: str | None,
) -> None:
    data = {
        "assignee": people[assignee].pk if assignee else 999_999,
        "due_date": due_date.isoformat() if isinstance(due_date, dt.date) else due_date,
    }
    response = client_for(cast.program_admin).post(
        finding_url(findings.about_student, "finding-assign"), data
    )
    assert response.status_code == 200
    errors = response.context["assign_form"].errors
    assert field in errors if field else errors
    findings.about_student.refresh_from_db()
    assert (findings.about_student.assignee, findings.about_student.due_date) == (None, None)
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("tutor", 403), ("student", 403), ("coordinator", 404), ("practice_tutor", 403)],
)
def test_only_managers_assign(
    people: dict[str, Any], findings: Findings, name: str, expected: int
) -> None:
    response = client_for(people[name]).post(
        finding_url(findings.about_student, "finding-assign"),
        {"assignee": people[name].pk, "due_date": NEXT_MONTH.isoformat()},
    )
    assert response.status_code == expected
    findings.about_student.refresh_from_db()
    assert findings.about_student.assignee is None


def test_corrective_action_is_for_managers_and_the_assignee(cast: Cast, findings: Findings) -> None:
    url = finding_url(findings.about_student, "finding-corrective-action")
    assert client_for(cast.tutor.user).post(url, {"text": "x"}).status_code == 403
    assert client_for(cast.student.user).post(url, {"text": "x"}).status_code == 403
    response = client_for(cast.program_admin).post(url, {"text": "  Weekly meetings.  "})
    assert response.status_code == 302
    findings.about_student.refresh_from_db()
    assert findings.about_student.corrective_action == "Weekly meetings."


def test_program_admins_read_the_history_of_their_findings(cast: Cast, findings: Findings) -> None:
    admin_client = client_for(cast.program_admin)
    move(admin_client, findings.about_student, "acknowledge")
    page = admin_client.get(finding_url(findings.about_student))
    history = page.context["history"]
    assert [entry.action for entry in history] == ["update", "insert"]
    assert history[0].actor == "Petra Progadmin"
    assert any(change.new == "Acknowledged" for change in history[0].changes)
    core_history = reverse(
        "core:history", args=["supervision", "finding", findings.about_student.pk]
    )
    assert page.context["history_url"] == core_history
    assert admin_client.get(core_history).status_code == 200
    assert client_for(cast.tutor.user).get(core_history).status_code == 404
    other_program_admin = UserFactory()
    grant(other_program_admin, Role.PROGRAM_ADMIN, ProgramFactory())
    assert client_for(other_program_admin).get(core_history).status_code == 404


# ---- Bulk actions --------------------------------------------------------------------------


def bulk(client: Client, items: list[Finding], action: str, query: str = "", **data: Any) -> Any:
    return client.post(
        reverse("supervision:finding-list") + query,
        {"findings": [item.pk for item in items], "action": action, **data},
    )


def test_program_admin_acknowledges_several_findings_at_once(
    cast: Cast, findings: Findings
) -> None:
    items = [findings.about_student, findings.fund, findings.about_practice_tutor]
    response = bulk(client_for(cast.program_admin), items, "acknowledge", "?rule=&sort=severity")
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:finding-list") + "?rule=&sort=severity"
    assert statuses(*items) == [Status.ACKNOWLEDGED] * 3
    assert statuses(findings.about_other_student) == [Status.OPEN]


def test_bulk_assignment_with_a_due_date(cast: Cast, findings: Findings) -> None:
    items = [findings.fund, findings.about_practice_tutor]
    response = bulk(
        client_for(cast.program_admin),
        items,
        "assign",
        assignee=cast.coordinator.pk,
        due_date=NEXT_MONTH.isoformat(),
    )
    assert response.status_code == 302
    for item in items:
        item.refresh_from_db()
        assert (item.assignee, item.due_date) == (cast.coordinator, NEXT_MONTH)


def test_bulk_dismissal_needs_a_justification_and_changes_nothing_without(
    cast: Cast, findings: Findings
) -> None:
    items = [findings.about_student, findings.fund]
    client = client_for(cast.program_admin)
    response = bulk(client, items, "dismiss", justification="")
    assert response.status_code == 200
    assert response.context["bulk"].errors["justification"]
    assert statuses(*items) == [Status.OPEN] * 2
    assert bulk(client, items, "dismiss", justification="Duplicates.").status_code == 302
    assert statuses(*items) == [Status.DISMISSED] * 2


def test_a_bulk_action_is_all_or_nothing_on_a_validation_error(
    cast: Cast, findings: Findings
) -> None:
    Finding.objects.filter(pk=findings.fund.pk).update(status=Status.ACKNOWLEDGED)
    items = [findings.about_student, findings.fund, findings.about_practice_tutor]
    response = bulk(client_for(cast.program_admin), items, "acknowledge")
    assert response.status_code == 200
    errors = response.context["bulk"].non_field_errors()
    assert [f"Finding #{findings.fund.pk}:" in error for error in errors] == [True]
    assert statuses(*items) == [Status.OPEN, Status.ACKNOWLEDGED, Status.OPEN]


@pytest.mark.parametrize(
    ("assignee", "due_date", "field"),
    [
        ("tutor", NEXT_MONTH, "assignee"),
        ("coordinator", YESTERDAY, "due_date"),
        (None, None, "assignee"),
    ],
)
def test_a_bad_bulk_assignment_changes_nothing(
    people: dict[str, Any],
    cast: Cast,
    findings: Findings,
    assignee: str | None,
    due_date: dt.date | None,
    field: str,
) -> None:
    items = [findings.fund, findings.about_practice_tutor]  # the tutor sees neither
    data = {"assignee": people[assignee].pk if assignee else ""}
    data["due_date"] = due_date.isoformat() if due_date else ""
    response = bulk(client_for(cast.program_admin), items, "assign", **data)
    assert response.status_code == 200
    assert response.context["bulk"].errors[field]
    assert Finding.objects.filter(assignee__isnull=False).count() == 0
    assert not Notification.objects.exists()


def test_findings_not_permitted_are_reported_and_the_others_done(
    cast: Cast, findings: Findings
) -> None:
    services.assign_finding(
        user=cast.program_admin, finding=findings.about_student, assignee=cast.practice_tutor.user
    )
    client = client_for(cast.practice_tutor.user)
    page = client.get(reverse("supervision:finding-list"))
    assert {row.finding.pk: row.can_act for row in page.context["rows"]} == {
        findings.about_student.pk: True,
        findings.about_practice_tutor.pk: False,
    }
    response = bulk(client, [findings.about_student, findings.about_practice_tutor], "acknowledge")
    assert response.status_code == 302
    assert statuses(findings.about_student, findings.about_practice_tutor) == [
        Status.ACKNOWLEDGED,
        Status.OPEN,
    ]
    shown = [str(message) for message in client.get(response["Location"]).context["messages"]]
    assert shown == [
        "1 finding updated.",
        f"You may not do this to 1 of the findings ticked: #{findings.about_practice_tutor.pk}.",
    ]


def test_coordinators_may_not_dismiss_in_bulk(cast: Cast, findings: Findings) -> None:
    items = [findings.fund, findings.about_practice_tutor]
    response = bulk(client_for(cast.coordinator), items, "dismiss", justification="No.")
    assert response.status_code == 302
    assert statuses(*items) == [Status.OPEN] * 2


def test_bulk_actions_on_findings_one_cannot_see_are_refused(
    cast: Cast, findings: Findings
) -> None:
    response = bulk(client_for(cast.tutor.user), [findings.about_other_student], "acknowledge")
    assert response.status_code == 200
    assert response.context["bulk"].errors["findings"]
    response = bulk(client_for(cast.tutor.user), [], "acknowledge")
    assert response.status_code == 200
    assert response.context["bulk"].errors["findings"]
    assert statuses(findings.about_other_student) == [Status.OPEN]


# ---- Rule settings and the schedule --------------------------------------------------------


def rule_form(rule: str, **values: Any) -> dict[str, Any]:
    data = {"form": "rule", "rule": rule}
    data.update({f"{rule}-{name}": value for name, value in values.items()})
    return data


def settings_url(program: m.Program | None = None) -> str:
    url = reverse("supervision:rule-settings")
    return f"{url}?program={program.pk}" if program else url


def test_rule_settings_show_every_rule_with_its_thresholds(admin: User) -> None:
    RuleSetting.objects.create(rule="supervision_gap", thresholds={"days": 45})
    response = client_for(admin).get(settings_url())
    rows = {row["rule"].code: row for row in response.context["rules"]}
    assert set(rows) == {rule.code for rule in all_rules()}
    assert rows["supervision_gap"]["thresholds"] == [
        {
            "label": "Days without a progress log",
            "default": 30,
            "portal": 45,
            "program": None,
            "applies": 45,
        }
    ]
    assert all(row["form"] is not None for row in rows.values())
    body = response.content.decode()
    assert "An active student has had no progress log for a number of days." in body
    assert response.context["schedule_form"] is not None


def test_program_admin_changes_their_programs_settings(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    portal = client.get(settings_url())
    assert portal.status_code == 200 and not portal.context["editable"]
    assert all(row["form"] is None for row in portal.context["rules"])
    assert portal.context["schedule_form"] is None
    response = client.post(
        settings_url(cast.program),
        rule_form("supervision_gap", enabled="on", severity="critical", threshold_days="60"),
    )
    assert response.status_code == 302
    setting = RuleSetting.objects.get(program=cast.program)
    assert (setting.rule, setting.enabled, setting.severity, setting.thresholds) == (
        "supervision_gap",
        True,
        "critical",
        {"days": 60},
    )
    page = client.get(settings_url(cast.program))
    row = next(r for r in page.context["rules"] if r["rule"].code == "supervision_gap")
    assert row["thresholds"][0]["applies"] == 60
    assert row["history_url"] == reverse(
        "core:history", args=["supervision", "rulesetting", setting.pk]
    )
    assert client.get(row["history_url"]).status_code == 200


def test_decimal_thresholds_and_switching_a_rule_off(admin: User) -> None:
    response = client_for(admin).post(
        settings_url(),
        rule_form("fund_split", threshold_approval_threshold="5000.50", threshold_min_count="4"),
    )
    assert response.status_code == 302
    setting = RuleSetting.objects.get(rule="fund_split")
    assert (setting.enabled, setting.thresholds) == (
        False,
        {"approval_threshold": "5000.50", "min_count": 4},
    )


@pytest.mark.parametrize(
    "values",
    [
        {"threshold_days": "0"},
        {"threshold_days": "99999"},
        {"threshold_days": "ten"},
        {"severity": "catastrophic"},
    ],
)
def test_bad_rule_settings_are_refused_and_nothing_saved(
    cast: Cast, values: dict[str, str]
) -> None:
    response = client_for(cast.program_admin).post(
        settings_url(cast.program), rule_form("supervision_gap", enabled="on", **values)
    )
    assert response.status_code == 200
    row = next(r for r in response.context["rules"] if r["rule"].code == "supervision_gap")
    assert row["form"].errors
    assert not RuleSetting.objects.exists()


@pytest.mark.parametrize(
    ("name", "program", "expected"),
    [
        ("program_admin", None, 403),  # portal-wide is for portal administrators
        ("program_admin", "other", 404),
        ("coordinator", "own", 403),
        ("tutor", "own", 403),
        ("student", "own", 403),
        ("outsider", None, 403),
        ("admin", "other", 302),
    ],
)
def test_who_may_change_rule_settings(
    people: dict[str, Any], cast: Cast, name: str, program: str | None, expected: int
) -> None:
    target = {"own": cast.program, "other": ProgramFactory(), None: None}[program]
    response = client_for(people[name]).post(
        settings_url(target), rule_form("supervision_gap", enabled="on")
    )
    assert response.status_code == expected
    assert RuleSetting.objects.exists() == (expected == 302)


def test_a_program_admin_cannot_set_a_program_they_only_study_in(cast: Cast) -> None:
    other = ProgramFactory()
    StudentFactory(program=other, user=cast.program_admin)
    response = client_for(cast.program_admin).get(settings_url(other))
    assert response.status_code == 403


def test_an_unknown_rule_or_program_is_not_found(admin: User) -> None:
    client = client_for(admin)
    assert client.post(settings_url(), rule_form("no_such_rule")).status_code == 404
    assert client.get(reverse("supervision:rule-settings") + "?program=abc").status_code == 404
    assert client.get(reverse("supervision:rule-settings") + "?program=999999").status_code == 404


def schedule(client: Client, **values: Any) -> Any:
    return client.post(
        reverse("supervision:rule-settings"),
        {"form": "schedule", **{f"schedule-{k}": v for k, v in values.items()}},
    )


def test_portal_admin_moves_and_switches_off_the_nightly_audit(admin: User) -> None:
    assert schedule(client_for(admin), hour="3", minute="30").status_code == 302
    task = PeriodicTask.objects.select_related("crontab").get(name="Nightly audit")
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("3", "30", False)
    assert task.task == "supervision.scheduled_audit"
    change = ScheduleChange.objects.get()
    assert (change.hour, change.minute, change.enabled, change.changed_by) == (3, 30, False, admin)
    assert schedule(client_for(admin), hour="1", minute="5", enabled="on").status_code == 302
    task.refresh_from_db()
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("1", "5", True)
    page = client_for(admin).get(reverse("supervision:rule-settings"))
    assert "every night at 01:05" in page.content.decode()


def test_the_schedule_says_who_changed_it_last_in_the_readers_language(admin: User) -> None:
    """The stored description is the admin site's; the page says what the audit does and who
    changed its schedule last in the reader's language."""
    page = client_for(admin).get(reverse("supervision:rule-settings")).content.decode()
    assert "Last changed by" not in page  # nobody has changed it yet
    schedule(client_for(admin), hour="4", minute="15", enabled="on")
    assert ScheduleChange.objects.count() == 1
    task = PeriodicTask.objects.get(name="Nightly audit")
    assert task.description == "Every rule over every program that is not closed."
    page = client_for(admin).get(reverse("supervision:rule-settings")).content.decode()
    assert f"Last changed by {admin}" in page
    User.objects.filter(pk=admin.pk).update(preferred_language="zh-hans")
    admin.refresh_from_db()
    page = client_for(admin).get(reverse("supervision:rule-settings")).content.decode()
    assert f"最近由 {admin} 于" in page and "每晚" in page
    assert "Last changed by" not in page and task.description not in page


@pytest.mark.parametrize(("hour", "minute"), [("24", "0"), ("2", "60"), ("-1", "0"), ("x", "")])
def test_a_bad_schedule_is_refused_and_nothing_changes(admin: User, hour: str, minute: str) -> None:
    response = schedule(client_for(admin), hour=hour, minute=minute, enabled="on")
    assert response.status_code == 200
    assert response.context["schedule_form"].errors
    task = PeriodicTask.objects.select_related("crontab").get(name="Nightly audit")
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("2", "0", True)


def test_only_portal_admins_change_the_schedule(cast: Cast) -> None:
    assert schedule(client_for(cast.program_admin), hour="3", minute="0").status_code == 403
    with pytest.raises(services.PermissionDenied):
        audit_services.change_schedule(user=cast.program_admin, hour=3, minute=0, enabled=True)
    task = PeriodicTask.objects.select_related("crontab").get(name="Nightly audit")
    assert task.crontab.hour == "2"


def test_the_schedule_service_validates_its_input(admin: User) -> None:
    with pytest.raises(services.ValidationError) as caught:
        audit_services.change_schedule(user=admin, hour=True, minute=1.5, enabled=True)
    assert set(caught.value.message_dict) == {"hour", "minute"}


# ---- Attention items -----------------------------------------------------------------------


def test_attention_counts_assigned_and_serious_findings(cast: Cast, findings: Findings) -> None:
    services.assign_finding(
        user=cast.program_admin, finding=findings.about_student, assignee=cast.tutor.user
    )
    [assigned] = assigned_findings_attention(cast.tutor.user)
    assert assigned.count == 1
    assert listed(client_for(cast.tutor.user), mine="on") == [findings.about_student.pk]
    [serious] = serious_findings_attention(cast.program_admin)
    assert serious.count == 3  # the fund finding (critical) and two major gaps
    assert set(listed(client_for(cast.program_admin), **_query(serious.url))) == {
        findings.fund.pk,
        findings.about_student.pk,
        findings.about_other_student.pk,
    }
    assert serious_findings_attention(cast.tutor.user) == []
    assert assigned_findings_attention(UserFactory()) == []


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# ---- Query counts --------------------------------------------------------------------------


def _grow_findings(cast: Cast, count: int = 50) -> None:
    """Findings on several programs, organisations, students, tutors and assignees."""
    for index in range(count):
        program = ProgramFactory()
        grant(cast.program_admin, Role.PROGRAM_ADMIN, program)
        organization = OrganizationFactory()
        student = StudentFactory(program=program)
        tutor = TutorFactory(organization=organization)
        AssignmentFactory(student=student, tutor=tutor)
        make_finding(
            program,
            student,
            student=student,
            organization=organization,
            tutor=tutor.user,
            assignee=cast.program_admin if index % 2 else None,
            severity=["info", "minor", "major", "critical"][index % 4],
            rule=[rule.code for rule in all_rules()][index % len(all_rules())],
        )


def _grow_runs(cast: Cast, count: int = 50) -> None:
    for index in range(count):
        run = run_of(cast, cast.program_admin, cast.program)
        AuditChunk.objects.create(run=run, rule="supervision_gap", program=cast.program)
        AuditRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(),
            counts={"supervision_gap": {"found": index, "new": 1, "reopened": 0, "gone": 0}},
        )


def test_dashboard_query_count_is_flat(cast: Cast, findings: Findings) -> None:
    client = client_for(cast.program_admin)
    run_of(cast, cast.program_admin, cast.program)

    def grow() -> None:
        _grow_findings(cast)
        _grow_runs(cast)

    assert_flat_queries(lambda: client.get(reverse("supervision:dashboard")), grow, max_queries=20)


def test_findings_list_query_count_is_flat(cast: Cast, findings: Findings) -> None:
    client = client_for(cast.program_admin)
    assert_flat_queries(
        lambda: client.get(reverse("supervision:finding-list"), {"status": "all"}),
        lambda: _grow_findings(cast),
        max_queries=16,
    )


def test_findings_list_query_count_is_flat_for_a_tutor(cast: Cast, findings: Findings) -> None:
    client = client_for(cast.tutor.user)

    def grow() -> None:
        for _ in range(50):
            student = StudentFactory(program=cast.program)
            AssignmentFactory(student=student, tutor=cast.tutor)
            make_finding(cast.program, student, student=student)

    assert_flat_queries(
        lambda: client.get(reverse("supervision:finding-list")), grow, max_queries=16
    )


def test_finding_page_query_count_is_flat(cast: Cast, findings: Findings) -> None:
    client = client_for(cast.program_admin)
    finding = findings.fund
    move(client, finding, "acknowledge")  # a change by someone: their name is looked up

    def grow() -> None:
        _grow_findings(cast)
        for index in range(10):  # more history and more people who may take it
            services.update_corrective_action(
                user=cast.program_admin, finding=finding, text=f"Step {index}"
            )
            grant(UserFactory(), Role.PARTNER_COORDINATOR, cast.hospital)

    assert_flat_queries(lambda: client.get(finding_url(finding)), grow, max_queries=22)


def test_run_pages_query_counts_are_flat(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    run = run_of(cast, cast.program_admin, cast.program)
    AuditChunk.objects.create(run=run, rule="supervision_gap", program=cast.program)

    def grow() -> None:
        _grow_runs(cast)
        for rule in all_rules():
            if rule.code == "supervision_gap":
                continue
            for program in (cast.program, ProgramFactory()):
                AuditChunk.objects.create(run=run, rule=rule.code, program=program, found=2)

    assert_flat_queries(lambda: client.get(reverse("supervision:run-list")), grow, max_queries=12)
    assert_flat_queries(
        lambda: client.get(reverse("supervision:run-detail", args=[run.pk])),
        lambda: _grow_runs(cast),
        max_queries=12,
    )


def test_rule_settings_query_count_is_flat(cast: Cast) -> None:
    client = client_for(cast.program_admin)

    def grow() -> None:
        for rule in all_rules():
            RuleSetting.objects.create(rule=rule.code, severity="major")
            RuleSetting.objects.create(rule=rule.code, program=cast.program, enabled=False)

    assert_flat_queries(lambda: client.get(settings_url(cast.program)), grow, max_queries=14)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_money_in_the_evidence_is_shown_in_the_money_format(language: str) -> None:
    from django.utils import translation

    from supervision.findings.views import _evidence
    from supervision.rules import get_rule

    evidence = {"line_amount": "1000.00", "approved_total": "1500.5", "days": 3}
    with translation.override(language):
        shown = dict(_evidence(get_rule("fund_overspend"), evidence))
    assert sorted(shown.values(), key=str) == [3, "¥1,000.00", "¥1,500.50"]
