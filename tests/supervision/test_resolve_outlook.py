"""Marking a finding resolved while its problem is still there: the rule is checked again for
the finding's program first. The page warns and asks to confirm; the API resolves and says
what the next audit run will do (`still_present`, `next_run`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from supervision.audits.engine import fingerprint, still_present
from supervision.findings import services
from supervision.models import Finding, RuleSetting
from tests.cast import Cast
from tests.clients import api_for, client_for
from tests.programs.factories import ProgressLogFactory

from .conftest import make_finding

pytestmark = pytest.mark.django_db

Status = Finding.Status
STILL_THERE = "The problem is still there: the next audit run will reopen this finding."
FIXED = "The problem is no longer there: the next audit run will keep it resolved."
UNCHECKED = "No audit run checks this rule for this program any more: it stays resolved."


@pytest.fixture
def gap(cast: Cast) -> Finding:
    """A supervision gap of `student` (enrolled long ago, never a progress log), with the
    fingerprint an audit run gives it."""
    finding = make_finding(cast.program, cast.student, student=cast.student)
    finding.fingerprint = fingerprint(
        "supervision_gap", "programs.student", cast.student.pk, "", cast.program.pk
    )
    finding.save(update_fields=["fingerprint"])
    return finding


def fix(cast: Cast) -> None:
    """The tutor meets the student today: the gap is closed."""
    ProgressLogFactory(student=cast.student, author=cast.tutor.user, date=timezone.localdate())


def transition(cast: Cast, finding: Finding, **data: Any) -> Any:
    return client_for(cast.program_admin).post(
        reverse("supervision:finding-transition", args=[finding.pk]),
        {"action": "resolve", **data},
    )


def texts(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# ---- The check -----------------------------------------------------------------------------


def test_the_rule_is_checked_again_for_the_findings_subject(cast: Cast, gap: Finding) -> None:
    assert still_present(gap) is True
    fix(cast)
    assert still_present(gap) is False


def test_another_subjects_problem_does_not_count(cast: Cast, gap: Finding) -> None:
    # The other student has a gap too; this finding is about `student`, whose gap is closed.
    fix(cast)
    assert still_present(gap) is False


def test_a_rule_switched_off_for_the_program_is_not_checked(cast: Cast, gap: Finding) -> None:
    RuleSetting.objects.create(rule="supervision_gap", program=cast.program, enabled=False)
    outlook = services.resolve_outlook(gap)
    assert (outlook.still_present, outlook.next_run) == (None, UNCHECKED)


# ---- The page ------------------------------------------------------------------------------


def test_the_page_warns_before_resolving_a_problem_that_is_still_there(
    cast: Cast, gap: Finding
) -> None:
    response = transition(cast, gap)
    assert response.status_code == 200
    body = response.content.decode()
    assert STILL_THERE in body
    assert 'name="confirm"' in body
    gap.refresh_from_db()
    assert gap.status == Status.OPEN  # nothing happens before the confirmation


def test_confirming_resolves_it_and_says_the_next_run_reopens_it(cast: Cast, gap: Finding) -> None:
    response = transition(cast, gap, confirm="True")
    assert response.status_code == 302
    gap.refresh_from_db()
    assert gap.status == Status.RESOLVED
    assert STILL_THERE in texts(response)


def test_a_fixed_problem_is_resolved_at_once_and_stays_resolved(cast: Cast, gap: Finding) -> None:
    fix(cast)
    response = transition(cast, gap)
    assert response.status_code == 302
    gap.refresh_from_db()
    assert gap.status == Status.RESOLVED
    assert FIXED in texts(response)


def test_a_finding_that_cannot_be_resolved_gets_the_usual_error_not_the_warning(
    cast: Cast, gap: Finding
) -> None:
    Finding.objects.filter(pk=gap.pk).update(
        status=Status.DISMISSED, dismissal_justification="Not a problem."
    )
    response = transition(cast, gap)
    assert response.status_code == 200
    assert response.context["resolve_warning"] is None
    assert len(response.context["transition_errors"]) == 1
    gap.refresh_from_db()
    assert gap.status == Status.DISMISSED


# ---- The API -------------------------------------------------------------------------------


def resolve_by_api(cast: Cast, finding: Finding) -> Any:
    return api_for(cast.program_admin).post(
        reverse("api:finding-resolve", args=[finding.pk]), {}, format="json"
    )


def test_the_api_resolves_and_says_the_problem_is_still_there(cast: Cast, gap: Finding) -> None:
    response = resolve_by_api(cast, gap)
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["still_present"], data["next_run"]) == (
        "resolved",
        True,
        STILL_THERE,
    )


def test_the_api_says_a_fixed_problem_stays_resolved(cast: Cast, gap: Finding) -> None:
    fix(cast)
    data = resolve_by_api(cast, gap).json()
    assert (data["status"], data["still_present"], data["next_run"]) == ("resolved", False, FIXED)


def test_the_api_refuses_those_who_may_not_resolve_before_checking(
    cast: Cast, gap: Finding
) -> None:
    response = api_for(cast.other_tutor.user).post(
        reverse("api:finding-resolve", args=[gap.pk]), {}, format="json"
    )
    assert response.status_code == 404
    gap.refresh_from_db()
    assert gap.status == Status.OPEN


# ---- Several at once -----------------------------------------------------------------------


def test_a_bulk_resolve_lists_the_findings_whose_problem_is_still_there(
    cast: Cast, gap: Finding
) -> None:
    other = make_finding(cast.program, cast.other_student, student=cast.other_student)
    response = api_for(cast.program_admin).post(
        reverse("api:finding-bulk"), {"ids": [gap.pk, other.pk], "action": "resolve"}, format="json"
    )
    assert response.status_code == 200
    # `other` carries a made-up fingerprint: no rule finds it again.
    assert (response.data["done"], response.data["still_present"]) == (
        [gap.pk, other.pk],
        [gap.pk],
    )


def test_the_bulk_page_warns_about_the_findings_that_will_reopen(cast: Cast, gap: Finding) -> None:
    response = client_for(cast.program_admin).post(
        reverse("supervision:finding-list"), {"action": "resolve", "findings": [gap.pk]}
    )
    assert response.status_code == 302
    gap.refresh_from_db()
    assert gap.status == Status.RESOLVED
    assert (
        f"The problem of 1 resolved finding is still there: the next audit run will reopen it "
        f"(#{gap.pk})." in texts(response)
    )


def test_the_rules_are_asked_once_per_rule_and_program(cast: Cast, gap: Finding) -> None:
    from supervision.audits.engine import still_present_of

    other = make_finding(cast.program, cast.other_student, student=cast.other_student)
    other.fingerprint = fingerprint(
        "supervision_gap", "programs.student", cast.other_student.pk, "", cast.program.pk
    )
    other.save(update_fields=["fingerprint"])
    fix(cast)
    assert still_present_of([gap, other]) == {gap.pk: False, other.pk: True}
