"""The read-only public API (/api/v1/public/inspections/, /api/v1/public/audit-summaries/): the
same answer for everyone, anonymous or signed in; only published, de-identified versions
(no person's name, e-mail or student number anywhere, no count from 1 to 4); filters,
search and pagination; bad parameters get 400, never a 500; the hash chains and tampering;
flat query counts; the cache (per URL, never an error) and the rate limit (429, cached
answers included).

Stories use the inspections cast (`tests/supervision/inspections/conftest.py`):
`published_inspection` (of `cast.program`, two versions) is what the public reads.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from programs.models import Student
from supervision.inspections.publication import publish_audit_summary, publish_report_version
from supervision.models import (
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionType,
    PublishedAuditSummary,
    PublishedReport,
)
from tests.cast import Cast
from tests.programs.factories import OrganizationFactory, ProgramFactory
from tests.queries import assert_flat_queries, count_queries
from tests.supervision.conftest import make_finding
from tests.supervision.inspections.conftest import INSPECTION_ROLES, add_sections, make_inspection

pytestmark = pytest.mark.django_db

REPORTS = "api:public-inspection-list"
SUMMARIES = "api:public-audit-summary-list"
_serial = itertools.count()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache (answers, rate-limit counters)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_cache(settings: Any) -> None:
    """Every request computes its answer (to count queries, or to see a change at once)."""
    settings.PUBLIC_CACHE_SECONDS = 0


def get(name: str, *args: Any, user: User | None = None, **params: Any) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name, args=args), params)


def report_url(inspection: Inspection) -> str:
    return reverse("api:public-inspection-detail", args=[inspection.pk])


def publish(
    inspection: Inspection, inspector: User, approver: User, change_note: str = ""
) -> PublishedReport:
    return publish_report_version(
        inspection=inspection, published_by=inspector, approved_by=approver, change_note=change_note
    )


@pytest.fixture
def org_published(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> Inspection:
    """A published thematic inspection of the hospital (one version)."""
    inspection = make_inspection(
        admin=admin,
        team=[inspector, lead_inspector],
        templates=checklist_templates,
        inspection_type=InspectionType.THEMATIC,
        status=Inspection.Status.PUBLISHED,
        starts_in_days=-40,
        organization=cast.hospital,
        title="Thematic inspection of clinical supervision",
    )
    add_sections(inspection)
    publish(inspection, inspector, lead_inspector)
    return inspection


@pytest.fixture
def summary(cast: Cast) -> PublishedAuditSummary:
    """The program's audit summary: six open findings (some about people), one resolved."""
    for _ in range(6):
        make_finding(cast.program, cast.student, student=cast.student)
    make_finding(
        cast.program,
        cast.practice_tutor,
        rule="tutor_over_capacity",
        tutor=cast.practice_tutor.user,
        status=Finding.Status.RESOLVED,
        details={"person": cast.practice_tutor.user.full_name},
    )
    published = publish_audit_summary(program=cast.program)
    assert published is not None
    return published


# ---- Everyone reads the same thing --------------------------------------------------------------


@pytest.mark.parametrize("role", [*INSPECTION_ROLES, "anonymous"])
def test_every_role_reads_the_same_public_answers(
    role: str,
    inspection_people: dict[str, Any],
    published_inspection: Inspection,
    summary: PublishedAuditSummary,
    cast: Cast,
) -> None:
    user = inspection_people[role]
    answers = [
        get(REPORTS, user=user),
        get("api:public-inspection-detail", published_inspection.pk, user=user),
        get(SUMMARIES, user=user),
        get("api:public-audit-summary-detail", cast.program.pk, user=user),
    ]
    assert [answer.status_code for answer in answers] == [200] * 4
    anonymous = [
        get(REPORTS),
        get("api:public-inspection-detail", published_inspection.pk),
        get(SUMMARIES),
        get("api:public-audit-summary-detail", cast.program.pk),
    ]
    assert [a.json() for a in answers] == [a.json() for a in anonymous]


def test_the_public_api_is_read_only(published_inspection: Inspection) -> None:
    client = Client()
    assert client.post(reverse(REPORTS), {}).status_code == 405
    assert client.delete(report_url(published_inspection)).status_code == 405
    assert client.put(report_url(published_inspection), {}).status_code == 405


# ---- Published reports ------------------------------------------------------------------------


def test_the_list_gives_the_latest_version_of_each_report_with_its_chain(
    published_inspection: Inspection,
    inspection: Inspection,
    reply_inspection: Inspection,
    unannounced_inspection: Inspection,
    cast: Cast,
) -> None:
    data = get(REPORTS).json()
    assert data["count"] == 1
    [row] = data["results"]
    assert row["inspection"] == published_inspection.pk
    assert row["title"] == "Published inspection of the program"
    assert row["inspection_type"] == "routine"
    assert row["version"] == 2
    assert row["change_note"] == "Corrected the number of sampled files."
    assert row["program"] == {
        "id": cast.program.pk,
        "code": cast.program.code,
        "title": cast.program.title,
    }
    assert row["organization"] is None
    assert row["target"]["kind"] == "program"
    versions = row["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["previous_hash"] == ""
    assert versions[1]["previous_hash"] == versions[0]["content_hash"]
    assert versions[1]["content_hash"] == row["content_hash"]
    assert all("content" not in v for v in versions)
    assert [s["key"] for s in row["content"]["sections"]] == ["summary", "findings"]


def test_the_detail_gives_every_version_with_its_content_and_whether_the_chain_holds(
    published_inspection: Inspection, no_cache: None
) -> None:
    data = get("api:public-inspection-detail", published_inspection.pk).json()
    assert data["inspection"] == published_inspection.pk
    assert data["chain_intact"] is True
    assert [v["version"] for v in data["versions"]] == [1, 2]
    assert all(v["content"]["title"] == published_inspection.title for v in data["versions"])
    first = PublishedReport.objects.get(inspection=published_inspection, version=1)
    # Changing a stored version in place (bypassing `save`) breaks the chain for all to see.
    PublishedReport.objects.filter(pk=first.pk).update(
        content={**first.content, "title": "Nothing to report"}
    )
    tampered = get("api:public-inspection-detail", published_inspection.pk).json()
    assert tampered["chain_intact"] is False


def test_only_published_reports_are_found(
    inspection: Inspection,
    unannounced_inspection: Inspection,
    reply_inspection: Inspection,
    published_inspection: Inspection,
) -> None:
    missing = get("api:public-inspection-detail", 10**9)
    assert missing.status_code == 404
    for unpublished in (inspection, unannounced_inspection, reply_inspection):
        response = get("api:public-inspection-detail", unpublished.pk)
        assert response.status_code == 404
        assert response.json() == missing.json()
    assert Client().get("/api/v1/public/inspections/abc/").status_code == 404


def test_reports_filter_by_organisation_program_type_date_and_words(
    published_inspection: Inspection, org_published: Inspection, cast: Cast
) -> None:
    def ids(**params: Any) -> set[int]:
        response = get(REPORTS, **params)
        assert response.status_code == 200, response.content
        return {row["inspection"] for row in response.json()["results"]}

    both = {published_inspection.pk, org_published.pk}
    assert ids() == both
    assert ids(organization=cast.hospital.pk) == {org_published.pk}
    assert ids(program=cast.program.pk) == {published_inspection.pk}
    assert ids(inspection_type="thematic") == {org_published.pk}
    today = timezone.localdate()
    assert ids(published_after=today.isoformat()) == both
    assert ids(published_after=(today + dt.timedelta(days=1)).isoformat()) == set()
    assert ids(published_before=(today - dt.timedelta(days=1)).isoformat()) == set()
    assert ids(q="clinical supervision") == {org_published.pk}
    assert ids(q="structured") == both  # in the sections' text
    assert ids(q="hospital") == both  # in the text of both, and the name of the target
    assert ids(q="nowhere to be found") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"program": "x"},
        {"organization": "1.5"},
        {"inspection_type": "yearly"},
        {"published_after": "yesterday"},
        {"published_before": "2026-02-30"},
        {"q": "x" * 201},
        pytest.param(
            {"page": "x"},
            marks=pytest.mark.xfail(
                strict=True,
                reason="DRF's pagination answers a page that is not a number 404 (NotFound); "
                "bad input is a 400 (STYLE.md)",
            ),
        ),
    ],
)
def test_bad_parameters_get_400_never_a_500(
    params: dict[str, str], published_inspection: Inspection
) -> None:
    response = get(REPORTS, **params)
    assert response.status_code == 400
    assert response.json()


def test_reports_are_paginated(published_inspection: Inspection, org_published: Inspection) -> None:
    first = get(REPORTS, page_size=1).json()
    assert first["count"] == 2
    assert len(first["results"]) == 1
    assert first["next"] is not None
    second = get(REPORTS, page_size=1, page=2).json()
    assert second["next"] is None
    assert {first["results"][0]["inspection"], second["results"][0]["inspection"]} == {
        published_inspection.pk,
        org_published.pk,
    }
    # Newest first.
    assert first["results"][0]["inspection"] == org_published.pk
    assert get(REPORTS, page=3).status_code == 404


# ---- Audit summaries --------------------------------------------------------------------------


def test_the_summaries_give_the_latest_version_per_program_with_its_chain(
    summary: PublishedAuditSummary, cast: Cast, no_cache: None
) -> None:
    data = get(SUMMARIES).json()
    [row] = data["results"]
    assert row["program"]["code"] == cast.program.code
    assert row["version"] == 1
    assert row["content"]["findings"]["total"] == 7
    make_finding(cast.program, cast.other_student, student=cast.other_student)
    again = publish_audit_summary(program=cast.program)
    assert again is not None
    [row] = get(SUMMARIES).json()["results"]
    assert row["version"] == 2
    assert [v["version"] for v in row["versions"]] == [1, 2]
    assert row["versions"][1]["previous_hash"] == row["versions"][0]["content_hash"]
    detail = get("api:public-audit-summary-detail", cast.program.pk).json()
    assert detail["chain_intact"] is True
    assert [v["content"]["findings"]["total"] for v in detail["versions"]] == [7, 8]
    assert detail["versions"][0]["as_of"] == timezone.localdate().isoformat()


def test_summaries_filter_by_program_and_by_the_date_they_were_in_force(
    summary: PublishedAuditSummary, cast: Cast, no_cache: None
) -> None:
    other = ProgramFactory()
    for _ in range(5):
        make_finding(other, other, rule="program_without_partner")
    publish_audit_summary(program=other)

    def programs(**params: Any) -> list[int]:
        response = get(SUMMARIES, **params)
        assert response.status_code == 200, response.content
        return [row["program"]["id"] for row in response.json()["results"]]

    assert sorted(programs()) == sorted([cast.program.pk, other.pk])
    assert programs(program=other.pk) == [other.pk]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert programs(date=yesterday.isoformat()) == []
    # The version in force on a date: the later one is left out before it was published.
    PublishedAuditSummary.objects.filter(pk=summary.pk).update(
        published_at=timezone.now() - dt.timedelta(days=3)
    )
    assert programs(date=yesterday.isoformat()) == [cast.program.pk]
    assert get(SUMMARIES, date="soon").status_code == 400
    assert get(SUMMARIES, program="x").status_code == 400


def test_a_program_without_a_summary_is_not_found(cast: Cast) -> None:
    assert get("api:public-audit-summary-detail", cast.program.pk).status_code == 404


def test_tampering_with_a_summary_breaks_its_chain(
    summary: PublishedAuditSummary, cast: Cast, no_cache: None
) -> None:
    PublishedAuditSummary.objects.filter(pk=summary.pk).update(change_note="Nothing changed.")
    detail = get("api:public-audit-summary-detail", cast.program.pk).json()
    assert detail["chain_intact"] is False


# ---- De-identification ------------------------------------------------------------------------


def _public_answers(*inspections: Inspection, program_ids: list[int]) -> list[Any]:
    answers = [get(REPORTS), get(SUMMARIES), get(REPORTS, q="hospital")]
    answers += [get("api:public-inspection-detail", item.pk) for item in inspections]
    answers += [get("api:public-audit-summary-detail", pk) for pk in program_ids]
    assert {answer.status_code for answer in answers} == {200}
    return answers


def _ints(value: Any, key: str = "") -> Iterator[tuple[str, int]]:
    """Every integer of a document (ids aside, which are not counts), with its key."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _ints(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _ints(item, key)
    elif isinstance(value, int) and not isinstance(value, bool) and key != "id":
        yield key, value


def test_no_public_answer_names_a_person_or_gives_a_count_below_five(
    published_inspection: Inspection,
    org_published: Inspection,
    summary: PublishedAuditSummary,
    reply_inspection: Inspection,
    inspection: Inspection,
    inspection_people: dict[str, Any],
    cast: Cast,
) -> None:
    answers = _public_answers(published_inspection, org_published, program_ids=[cast.program.pk])
    text = "\n".join(answer.content.decode() for answer in answers).casefold()
    people = list(User.objects.values_list("full_name", "email"))
    # The whole cast (the anonymous visitor aside), inspectors included.
    assert len(people) >= len(INSPECTION_ROLES)
    for full_name, email in people:
        assert full_name.casefold() not in text, full_name
        assert email.casefold() not in text, email
    for number in Student.objects.values_list("student_number", flat=True):
        assert number.casefold() not in text, number
    contents = [
        version["content"]
        for answer in answers
        for row in answer.json().get("results", answer.json().get("versions", []))
        for version in [row, *row.get("versions", [])]
        if "content" in version
    ]
    assert contents
    small = [(key, n) for content in contents for key, n in _ints(content) if 1 <= n <= 4]
    assert small == []


# ---- Query counts -----------------------------------------------------------------------------


def test_the_reports_list_and_detail_query_counts_are_flat(
    published_inspection: Inspection,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
    no_cache: None,
) -> None:
    def grow() -> None:
        for n in range(3):
            more = make_inspection(
                admin=admin,
                team=[inspector],
                templates=checklist_templates,
                status=Inspection.Status.PUBLISHED,
                organization=OrganizationFactory(),
                title=f"More {next(_serial)} {n}",
            )
            add_sections(more)
            publish(more, inspector, lead_inspector)
            publish(more, inspector, lead_inspector, "Again.")
        publish(published_inspection, inspector, lead_inspector, "Once more.")

    assert_flat_queries(lambda: get(REPORTS), grow, max_queries=3)
    assert_flat_queries(lambda: get(REPORTS, q="hospital", page_size=2), grow, max_queries=3)
    assert_flat_queries(
        lambda: get("api:public-inspection-detail", published_inspection.pk), grow, max_queries=1
    )


def test_the_summaries_list_and_detail_query_counts_are_flat(
    summary: PublishedAuditSummary, cast: Cast, no_cache: None
) -> None:
    def grow() -> None:
        for _ in range(3):
            program = ProgramFactory()
            make_finding(program, program, rule="program_without_partner")
            publish_audit_summary(program=program)
        make_finding(cast.program, cast.student, student=cast.student)
        publish_audit_summary(program=cast.program)

    assert_flat_queries(lambda: get(SUMMARIES), grow, max_queries=3)
    assert_flat_queries(
        lambda: get("api:public-audit-summary-detail", cast.program.pk), grow, max_queries=1
    )


# ---- Cache and rate limit ---------------------------------------------------------------------


def test_answers_are_cached_per_url_and_errors_never(
    published_inspection: Inspection,
    inspection: Inspection,
    inspector: User,
    lead_inspector: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = get(REPORTS)
    queries, again = count_queries(lambda: get(REPORTS))
    assert queries == 0
    assert again.json() == first.json()
    other_url, _response = count_queries(lambda: get(REPORTS, page_size=5))
    assert other_url > 0
    # A 404 is not kept: once published, the report is found at once.
    assert get("api:public-inspection-detail", inspection.pk).status_code == 404
    add_sections(inspection)
    with django_capture_on_commit_callbacks() as committed:
        publish(inspection, inspector, lead_inspector)
    assert get("api:public-inspection-detail", inspection.pk).status_code == 200
    # Until the publication commits, the list is the one computed before; then it is new.
    assert get(REPORTS).json()["count"] == 1
    for callback in committed:
        callback()
    assert get(REPORTS).json()["count"] == 2


def test_answers_are_cached_per_language(published_inspection: Inspection) -> None:
    Client().get(reverse(REPORTS), HTTP_ACCEPT_LANGUAGE="en")
    queries, response = count_queries(
        lambda: Client().get(reverse(REPORTS), HTTP_ACCEPT_LANGUAGE="zh-hans")
    )
    assert response.status_code == 200
    assert queries > 0


def test_past_the_limit_a_client_gets_429_even_for_cached_answers(
    settings: Any, published_inspection: Inspection
) -> None:
    settings.PUBLIC_RATE_LIMIT = 3
    settings.PUBLIC_RATE_WINDOW = 60
    client = Client(REMOTE_ADDR="10.9.8.7")
    codes = [client.get(reverse(REPORTS)).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    refused = client.get(reverse(REPORTS))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert client.get(report_url(published_inspection)).status_code == 429
    # Another address has its own allowance.
    assert Client(REMOTE_ADDR="10.9.8.8").get(reverse(REPORTS)).status_code == 200


def test_a_limit_of_zero_turns_the_rate_limit_off(
    settings: Any, published_inspection: Inspection
) -> None:
    settings.PUBLIC_RATE_LIMIT = 0
    client = Client(REMOTE_ADDR="10.9.8.9")
    assert {client.get(reverse(REPORTS)).status_code for _ in range(5)} == {200}


def test_the_answers_carry_no_personal_data_of_the_caller(
    published_inspection: Inspection, inspector: User
) -> None:
    client = Client()
    client.force_login(inspector)
    response = client.get(reverse(REPORTS))
    assert inspector.email not in response.content.decode()
    assert "csrftoken" not in response.cookies
    assert json.loads(response.content) == get(REPORTS).json()


def test_ids_out_of_range_are_not_found_and_refused_as_filters(
    published_inspection: Inspection,
) -> None:
    huge = 10**20
    assert Client().get(f"/api/v1/public/inspections/{huge}/").status_code == 404
    assert Client().get(f"/api/v1/public/audit-summaries/{huge}/").status_code == 404
    # As any id that names nothing published: a filter that cannot be chosen (400, as on the
    # public pages), never a 500.
    assert get(REPORTS, program=huge).status_code == 400
    assert get(SUMMARIES, program=huge).status_code == 400
