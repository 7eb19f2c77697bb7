"""What people could not find again (a QA trial): the student's queried or rejected cases
(notification, home item, their own list), the coordinators' project proposals to decide, the
inspectors' roles on the home page, sign-off links offered only where they make sense, and a
report job's link to its report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import RoleMembership, User
from evaluation.models import Report
from programs import models as m
from programs.projects import services as projects
from programs.training.services import logs, signoff
from supervision.models import InspectorProfile
from tests.cast import Cast, who
from tests.clients import client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries
from training_portal.core.models import Job, Notification

from .factories import ProgressLogFactory

pytestmark = pytest.mark.django_db

TO_ANSWER = "Case logs to answer or correct"
PROPOSALS = "Project proposals to decide"


def items(user: Any) -> dict[str, Any]:
    response = client_for(user).get(reverse("core:home"))
    assert response.status_code == 200
    return {str(item.label): item for item in response.context["attention"]}


def case(cast: Cast, student: m.Student | None = None, procedure: str = "Head CT") -> m.CaseLog:
    return logs.record_case_log(
        user=(student or cast.student).user,
        student=student or cast.student,
        date=timezone.localdate(),
        modality="ct",
        procedure=procedure,
        count=3,
        role="performed",
        placement=cast.placement if student is None else None,
    )


# ---- 1. Cases to answer or correct --------------------------------------------------------


def test_a_query_and_a_rejection_notify_the_student_with_a_link_to_their_list(
    cast: Cast,
) -> None:
    queried, rejected = case(cast), case(cast, procedure="Chest CT")
    logs.query_case_log(user=cast.practice_tutor.user, case_log=queried, question="Which ward?")
    logs.reject_case_log(user=cast.practice_tutor.user, case_log=rejected, reason="Not yours.")
    notes = list(Notification.objects.filter(recipient=cast.student.user).order_by("pk"))
    assert [n.link for n in notes] == [reverse("programs:my-cases-to-answer")] * 2
    assert notes[0].title.startswith("A question about your cases of")
    assert "Pia Practice has a question" in notes[0].body and "Which ward?" in notes[0].body
    assert notes[1].title.startswith("Your cases of") and notes[1].title.endswith("were rejected")
    assert "Not yours." in notes[1].body


def test_a_refused_query_notifies_nobody(cast: Cast) -> None:
    queried = case(cast)
    with pytest.raises(ValidationError):
        logs.query_case_log(user=cast.practice_tutor.user, case_log=queried, question=" ")
    assert not Notification.objects.exists()


def test_the_student_home_counts_queried_and_rejected_cases_only(cast: Cast) -> None:
    tutor = cast.practice_tutor.user
    logs.query_case_log(user=tutor, case_log=case(cast), question="Which ward?")
    logs.reject_case_log(user=tutor, case_log=case(cast), reason="Wrong date.")
    logs.verify_case_log(user=tutor, case_log=case(cast))
    case(cast)  # pending: the tutor's turn
    found = items(cast.student.user)
    assert found[TO_ANSWER].count == 2
    assert found[TO_ANSWER].url == reverse("programs:my-cases-to-answer")
    assert found[TO_ANSWER].level == "warning"
    assert TO_ANSWER not in items(cast.other_student.user)


def test_the_list_shows_the_students_own_cases_waiting_for_them(cast: Cast) -> None:
    tutor = cast.practice_tutor.user
    logs.query_case_log(user=tutor, case_log=case(cast, procedure="Head CT"), question="Ward?")
    logs.reject_case_log(user=tutor, case_log=case(cast, procedure="Chest CT"), reason="Date.")
    case(cast, procedure="Pelvis CT")  # pending
    url = reverse("programs:my-cases-to-answer")
    page = client_for(cast.student.user).get(url).content.decode()
    assert "Head CT" in page and "Ward?" in page
    assert "Chest CT" in page and "Pia Practice rejected these cases:" in page
    assert "Pelvis CT" not in page
    other = client_for(cast.other_student.user).get(url).content.decode()
    assert "Head CT" not in other and "No case log waits for your answer" in other


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("student", 200),
        ("other_student", 200),
        ("tutor", 403),
        ("practice_tutor", 403),
        ("coordinator", 403),
        ("program_admin", 403),
        ("outsider", 403),
    ],
)
def test_the_list_is_for_students(cast: Cast, name: str, status: int) -> None:
    user = who(cast, name, UserFactory())
    response = client_for(user).get(reverse("programs:my-cases-to-answer"))
    assert response.status_code == status


def test_the_list_asks_anonymous_visitors_to_sign_in(client: Any) -> None:
    response = client.get(reverse("programs:my-cases-to-answer"))
    assert response.status_code == 302


def test_answering_returns_to_the_list(cast: Cast) -> None:
    queried = case(cast)
    logs.query_case_log(user=cast.practice_tutor.user, case_log=queried, question="Ward?")
    response = client_for(cast.student.user).post(
        reverse("programs:case-log-answer", args=[queried.pk]),
        {"answer": "Ward 3.", **{f: getattr(queried, f) for f in logs.CASE_CORRECTABLE}},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:my-cases-to-answer")


def test_the_list_and_the_student_home_queries_stay_flat(cast: Cast) -> None:
    tutor = cast.practice_tutor.user
    logs.reject_case_log(user=tutor, case_log=case(cast), reason="Date.")
    student = client_for(cast.student.user)

    def grow() -> None:
        for i in range(20):
            entry = case(cast, procedure=f"CT {i}")
            if i % 2:
                logs.query_case_log(user=tutor, case_log=entry, question="Ward?")
            else:
                logs.reject_case_log(user=tutor, case_log=entry, reason="Date.")

    assert_flat_queries(
        lambda: student.get(reverse("programs:my-cases-to-answer")), grow, max_queries=10
    )
    # The student's item is counted in the query of their other items: no query more.
    assert_flat_queries(lambda: student.get(reverse("core:home")), grow, max_queries=15)


# ---- 2. Project proposals to decide -------------------------------------------------------


def proposal(cast: Cast, by: Any, **fields: Any) -> m.Project:
    """A project proposed by `by`, led by `hospital` (made a partner of the program)."""
    m.ProgramPartner.objects.get_or_create(
        program=cast.program,
        organization=cast.hospital,
        defaults={"agreement_start": dt.date(2025, 9, 1)},
    )
    values: dict[str, Any] = {
        "program": cast.program,
        "title": "AI triage",
        "kind": m.Project.Kind.RESEARCH,
        "size": m.Project.Size.SMALL,
        "lead_organization": cast.hospital,
        "partner_organizations": [],
        "start_date": None,
        "end_date": None,
        "description": "",
        **fields,
    }
    return projects.create_project(user=by, **values)


def test_coordinators_and_program_administrators_see_the_proposals_they_decide(
    cast: Cast,
) -> None:
    proposal(cast, cast.student.user)
    proposal(cast, cast.coordinator, title="Her own")  # not hers to decide
    approved = proposal(cast, cast.student.user, title="Decided")
    projects.update_project_status(
        user=cast.program_admin, project=approved, status=m.Project.Status.APPROVED
    )
    url = f"{reverse('programs:project-list')}?status=proposed"
    coordinator, admin = items(cast.coordinator), items(cast.program_admin)
    assert (coordinator[PROPOSALS].count, coordinator[PROPOSALS].url) == (1, url)
    assert (admin[PROPOSALS].count, admin[PROPOSALS].url) == (2, url)
    for name in ("student", "tutor", "practice_tutor"):
        assert PROPOSALS not in items(who(cast, name, None))
    assert PROPOSALS not in items(cast.other_coordinator)  # not their organisation's


def test_the_link_lists_the_proposals(cast: Cast) -> None:
    proposal(cast, cast.student.user, title="Wanted project")
    active = proposal(cast, cast.student.user, title="Running project")
    m.Project.objects.filter(pk=active.pk).update(status=m.Project.Status.ACTIVE)
    url = items(cast.coordinator)[PROPOSALS].url
    page = client_for(cast.coordinator).get(url).content.decode()
    assert "Wanted project" in page and "Running project" not in page


def test_a_proposal_is_approved_or_refused_on_its_page_never_marked_failed(cast: Cast) -> None:
    project = proposal(cast, cast.student.user)
    page = client_for(cast.coordinator).get(reverse("programs:project-detail", args=[project.pk]))
    content = page.content.decode()
    assert 'name="status" value="approved"' in content
    assert 'name="status" value="failed"' not in content
    assert reverse("programs:project-refuse", args=[project.pk]) in content


# ---- 3. Inspectors' roles on the home page ------------------------------------------------


@pytest.mark.parametrize(("is_lead", "label"), [(False, "Inspector"), (True, "Lead inspector")])
def test_an_inspector_without_role_memberships_sees_their_role(is_lead: bool, label: str) -> None:
    user = UserFactory()
    InspectorProfile.objects.create(user=user, is_lead=is_lead)
    response = client_for(user).get(reverse("core:home"))
    content = response.content.decode()
    assert response.context["other_roles"] == [label]
    assert f"<li>{label}</li>" in content
    assert "You do not hold any role yet" not in content


def test_someone_without_any_role_is_still_told_so(cast: Cast) -> None:
    response = client_for(UserFactory()).get(reverse("core:home"))
    assert response.context["other_roles"] == []
    assert "You do not hold any role yet" in response.content.decode()


# ---- 4. Sign-off links where they make sense ----------------------------------------------


def offer_to(name: str) -> str:
    return f"E-mail {name} a sign-off link"


def test_a_link_is_offered_for_someone_elses_log_never_for_ones_own(cast: Cast) -> None:
    ProgressLogFactory(student=cast.student, author=cast.tutor.user, summary="By Tom")
    ProgressLogFactory(student=cast.student, author=cast.practice_tutor.user, summary="By Pia")
    url = reverse("programs:student", args=[cast.student.pk])
    as_student = client_for(cast.student.user).get(url)
    logs_shown = {log.summary: log.signoff_tutors for log in as_student.context["progress_logs"]}
    assert logs_shown == {"By Tom": [cast.practice_tutor.user], "By Pia": []}
    assert as_student.content.decode().count(offer_to("Pia Practice")) == 1
    as_pia = client_for(cast.practice_tutor.user).get(url)
    assert offer_to("Pia Practice") not in as_pia.content.decode()
    assert as_pia.context["signoff_tutors"] == []


def test_the_service_refuses_a_link_to_oneself_or_to_the_author(cast: Cast) -> None:
    by_pia = ProgressLogFactory(student=cast.student, author=cast.practice_tutor.user)
    by_tom = ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    pia = cast.practice_tutor.user
    with pytest.raises(ValidationError) as own:
        signoff.issue_signoff_link(user=pia, target=by_tom, tutor_user=pia)
    assert own.value.message_dict == {
        "tutor_user": ["You cannot send a sign-off link to yourself."]
    }
    with pytest.raises(ValidationError) as author:
        signoff.issue_signoff_link(user=cast.student.user, target=by_pia, tutor_user=pia)
    assert author.value.message_dict == {
        "tutor_user": [
            "Pia Practice wrote this record; a sign-off link asks someone else to confirm it."
        ]
    }
    assert not m.SignOffToken.objects.exists()
    signoff.issue_signoff_link(user=cast.student.user, target=by_tom, tutor_user=pia)
    assert m.SignOffToken.objects.count() == 1


def test_the_student_page_queries_stay_flat_with_logs(cast: Cast) -> None:
    ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    client = client_for(cast.student.user)
    url = reverse("programs:student", args=[cast.student.pk])

    def grow() -> None:
        for i in range(5):
            ProgressLogFactory(student=cast.student, author=cast.tutor.user, summary=f"T{i}")
            ProgressLogFactory(
                student=cast.student, author=cast.practice_tutor.user, summary=f"P{i}"
            )

    assert_flat_queries(lambda: client.get(url), grow, max_queries=40)


# ---- 5. A report job links to its report --------------------------------------------------


def report_job(cast: Cast, status: str = Job.Status.SUCCEEDED) -> tuple[Job, Report]:
    finished_at = timezone.now() if status in Job.FINISHED else None
    job = Job.objects.create(
        kind="evaluation.report", owner=cast.program_admin, status=status, finished_at=finished_at
    )
    report = Report.objects.create(
        kind="program_annual",
        program=cast.program,
        year=2026,
        job=job,
        requested_by=cast.program_admin,
    )
    return job, report


def test_a_succeeded_report_job_links_to_its_report(cast: Cast) -> None:
    job, report = report_job(cast)
    client = client_for(cast.program_admin)
    link = reverse("reports:report-detail", args=[report.pk])
    for url in (
        reverse("core:job-detail", args=[job.pk]),
        reverse("core:job-progress", args=[job.pk]),
    ):
        content = client.get(url).content.decode()
        assert f'href="{link}"' in content and "Open the report" in content


def test_an_unfinished_report_job_and_other_jobs_have_no_report_link(cast: Cast) -> None:
    running, _report = report_job(cast, status=Job.Status.RUNNING)
    other = Job.objects.create(
        kind="accounts.user_import",
        owner=cast.program_admin,
        status=Job.Status.SUCCEEDED,
        finished_at=timezone.now(),
    )
    client = client_for(cast.program_admin)
    for job in (running, other):
        response = client.get(reverse("core:job-detail", args=[job.pk]))
        assert response.context["result_link"] is None
        assert "Open the report" not in response.content.decode()


def test_the_link_is_only_for_who_may_see_the_report(cast: Cast) -> None:
    job, _report = report_job(cast)
    # The job's owner lost the program: the job page stays theirs, the report does not.
    RoleMembership.objects.filter(user=cast.program_admin).delete()
    response = client_for(User.objects.get(pk=cast.program_admin.pk)).get(
        reverse("core:job-detail", args=[job.pk])
    )
    assert response.status_code == 200
    assert response.context["result_link"] is None


@pytest.mark.parametrize(("name", "status"), [("program_admin", 200), ("coordinator", 404)])
def test_the_job_page_by_role(cast: Cast, name: str, status: int) -> None:
    job, _report = report_job(cast)
    response = client_for(who(cast, name, None)).get(reverse("core:job-detail", args=[job.pk]))
    assert response.status_code == status


def test_the_job_page_queries_stay_flat(cast: Cast) -> None:
    job, _report = report_job(cast)
    client = client_for(cast.program_admin)

    def grow() -> None:
        for _ in range(5):
            report_job(cast)

    assert_flat_queries(
        lambda: client.get(reverse("core:job-detail", args=[job.pk])), grow, max_queries=12
    )
