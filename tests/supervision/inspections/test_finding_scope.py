"""Who sees which findings, before and after the scope filter was rewritten for the indexes.

`reference_filter` is `finding_filter` as it was (an OR of joins and subqueries); on a cast with
findings of every circle (students, tutors, coordinators, funds, and inspections announced,
unannounced and conducted) every role must see exactly the same ids through both. And the
findings list's query must filter the programs by a literal list and sort by the stored rank,
which the indexes serve."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.permissions import visible_filter
from programs.scopes import (
    administered_program_ids,
    coordinated_organization_ids,
    tutored_student_ids,
)
from supervision.findings import views as finding_views
from supervision.findings.filters import _SORT_FIELDS, PAGE_DEFAULTS
from supervision.findings.permissions import fund_rule_codes
from supervision.inspections.permissions import conducted_inspection_ids, revealed_filter
from supervision.models import Finding, Inspection
from tests.cast import Cast
from tests.clients import client_for
from tests.programs.factories import ProgramFactory
from tests.supervision.conftest import Findings, make_finding


@visible_filter
def reference_filter(user: Any) -> Q:
    """The scope as it was written before the indexes (kept to compare against)."""
    coordinated = coordinated_organization_ids(user)
    not_funds = ~Q(rule__in=fund_rule_codes())
    known = Q(inspection__isnull=True) | revealed_filter("inspection__")
    return Q(inspection__in=conducted_inspection_ids(user)) | known & (
        Q(program__in=administered_program_ids(user))
        | Q(organization__in=coordinated)
        | Q(tutor__tutor_profile__organization__in=coordinated)
        | Q(tutor=user)
        | (Q(student__in=tutored_student_ids(user)) & not_funds)
        | (Q(student__user=user) & not_funds)
    )


@pytest.fixture
def every_circle(
    cast: Cast,
    findings: Findings,
    inspection: Inspection,
    org_inspection: Inspection,
    unannounced_inspection: Inspection,
) -> list[Finding]:
    """The cast's findings, more of them about the other side of the cast, and inspectors'
    findings of an announced, an organisation's and a not yet revealed inspection."""
    extra = [
        make_finding(ProgramFactory(), cast.other_student, student=cast.other_student),
        make_finding(
            cast.program,
            cast.other_hospital,
            rule="tutor_over_capacity",
            organization=cast.other_hospital,
            tutor=cast.other_tutor.user,
        ),
        make_finding(cast.program, cast.tutor, tutor=cast.tutor.user, severity="info"),
        make_finding(cast.program, cast.student, rule="fund_self_approval", student=cast.student),
        make_finding(
            cast.program, cast.practice_tutor, tutor=cast.practice_tutor.user, status="resolved"
        ),
    ]
    for made in (inspection, org_inspection, unannounced_inspection):
        extra.append(
            make_finding(
                cast.program,
                made,
                rule=Finding.INSPECTION_RULE,
                inspection=made,
                student=cast.student,
                organization=cast.hospital,
            )
        )
    return [*findings.all(), *extra]


def test_every_role_sees_the_same_findings_as_with_the_old_scope(
    inspection_people: dict[str, Any], every_circle: list[Finding]
) -> None:
    assert len(every_circle) == 12
    seen_by_someone: set[int] = set()
    for name, user in inspection_people.items():
        before = set(Finding.objects.filter(reference_filter(user)).values_list("pk", flat=True))
        after = set(Finding.objects.visible_to(user).values_list("pk", flat=True))
        assert after == before, name
        if name != "admin":
            seen_by_someone |= after
    # Not trivially equal: between them, the roles other than the portal administrator see
    # findings of every kind, and nobody but them sees the unrevealed inspection's.
    assert len(seen_by_someone) > 6


def _list_query(user: Any) -> str:
    with CaptureQueriesContext(connection) as queries:
        response = client_for(user).get(reverse("supervision:finding-list"))
    assert response.status_code == 200
    return next(
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "supervision_finding"."id"') and "ORDER BY" in q["sql"]
    )


def test_the_list_query_scopes_by_program_ids_and_sorts_by_the_stored_rank(
    cast: Cast, findings: Findings
) -> None:
    sql = _list_query(cast.program_admin)
    assert f'"supervision_finding"."program_id" IN ({cast.program.pk})' in sql
    assert 'ORDER BY "supervision_finding"."severity_rank" DESC' in sql
    # The scope joins nothing (the inspection's being revealed is a subquery of ids).
    assert 'JOIN "supervision_inspection"' not in sql
    assert "CASE WHEN" not in sql


def test_the_list_counts_up_to_a_limit_past_the_page_and_says_more_beyond(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(finding_views, "COUNT_UP_TO", 3)
    for _ in range(40):
        make_finding(cast.program, cast.student, student=cast.student)
    client = client_for(cast.program_admin)
    first = client.get(reverse("supervision:finding-list")).content.decode()
    assert "More than 28 findings" in first  # 3 past the first page of 25
    assert "Page 1 of more than 2" in first
    second = client.get(reverse("supervision:finding-list"), {"page": 2})
    assert len(second.context["rows"]) == 15
    assert "40 findings" in second.content.decode()  # counted in full: 3 past page 2 is 53


def test_the_default_order_is_the_order_of_an_index_of_the_active_findings() -> None:
    by_name = {index.name: index for index in Finding._meta.indexes}
    default = list(_SORT_FIELDS[PAGE_DEFAULTS["sort"]])
    assert by_name["supervision_finding_rank_act"].fields == default
    assert by_name["supervision_finding_rank"].fields == ["program", "status", *default]
