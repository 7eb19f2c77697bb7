"""The public portal (/public/, no login): every page answers anonymous visitors and every
role; search, filters and pagination; bad parameters give a message, never a 500; query
counts stay flat as publications grow; the verify pages detect tampering; the Atom feed;
caching without leaking anything per user; the rate limit for anonymous clients.

Stories use the inspections cast (`tests/supervision/inspections/conftest.py`):
`published_inspection` (of `cast.program`, two versions) is what the public reads.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from supervision.inspections.public.pages import rule_title
from supervision.inspections.publication import publish_audit_summary, publish_report_version
from supervision.models import (
    ChecklistTemplate,
    Draw,
    Inspection,
    InspectionType,
    PublishedAuditSummary,
    PublishedReport,
)
from tests.cast import Cast
from tests.clients import client_for
from tests.programs.factories import OrganizationFactory, ProgramFactory
from tests.queries import assert_flat_queries, count_queries
from tests.supervision.conftest import make_finding
from tests.supervision.inspections.conftest import (
    INSPECTION_ROLES,
    add_sections,
    as_role,
    make_inspection,
    make_program_draw,
)

ATOM = "{http://www.w3.org/2005/Atom}"
_serial = itertools.count()


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> Iterator[None]:
    """Each test starts with an empty cache (pages, rate-limit counters)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_page_cache(settings: Any) -> None:
    """Every request renders (to count its queries, or to see a change at once)."""
    settings.PUBLIC_CACHE_SECONDS = 0


def fetch(url: str, user: User | None = None, **extra: Any) -> Any:
    return client_for(user).get(url, **extra)


def text_of(response: Any) -> str:
    return response.content.decode()


# ---- Fixtures: summaries and a draw -----------------------------------------------------------


@pytest.fixture
def public_urls(
    published_inspection: Inspection, summary: PublishedAuditSummary, draw: Draw
) -> list[str]:
    """Every public page of the published fixtures."""
    report = published_inspection.pk
    program = summary.program_id
    return [
        reverse("public:home"),
        reverse("public:report-list"),
        reverse("public:report-list") + "?q=program&type=routine",
        reverse("public:report-detail", args=[report]),
        reverse("public:report-version", args=[report, 1]),
        reverse("public:report-version", args=[report, 2]),
        reverse("public:report-verify", args=[report]),
        reverse("public:summary-list"),
        reverse("public:summary-detail", args=[program]),
        reverse("public:summary-version", args=[program, 1]),
        reverse("public:summary-verify", args=[program]),
        reverse("public:draw-verify", args=[draw.public_id]),
        reverse("public:feed"),
    ]


# ---- Every page, every role --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", *INSPECTION_ROLES])
def test_every_public_page_answers_every_role(
    role: str, inspection_people: dict[str, Any], public_urls: list[str]
) -> None:
    user = as_role(inspection_people, role)
    for url in public_urls:
        response = fetch(url, user)
        assert response.status_code == 200, (url, response.status_code)


def test_anonymous_visitor_sees_the_public_header_and_a_sign_in_link(
    published_inspection: Inspection,
) -> None:
    page = text_of(fetch(reverse("public:home")))
    assert "Published results" in page
    assert reverse("accounts:login") in page
    assert reverse("public:feed") in page
    assert "Published inspection of the program" in page


def test_public_pages_only_answer_get(published_inspection: Inspection) -> None:
    response = Client().post(reverse("public:report-list"))
    assert response.status_code == 405


def test_report_page_shows_the_frozen_content_and_its_hash_chain(
    published_inspection: Inspection,
) -> None:
    versions = list(PublishedReport.objects.filter(inspection=published_inspection))
    page = text_of(fetch(reverse("public:report-detail", args=[published_inspection.pk])))
    assert "The hospital provides structured clinical training." in page
    assert "Is the training agreement signed and current?" in page
    assert "Corrected the number of sampled files." in page
    assert "fewer than 5" in page
    assert 'class="count suppressed"' in page
    for version in versions:
        assert version.content_hash in page
    assert reverse("public:report-verify", args=[published_inspection.pk]) in page
    assert "A later version" not in page


def test_report_page_renders_the_stored_document_not_the_live_inspection(
    published_inspection: Inspection,
) -> None:
    published_inspection.report_sections.filter(key="summary").update(body="Changed since.")
    page = text_of(fetch(reverse("public:report-detail", args=[published_inspection.pk])))
    assert "The hospital provides structured clinical training." in page
    assert "Changed since." not in page


def test_an_earlier_version_says_a_later_one_exists(published_inspection: Inspection) -> None:
    page = text_of(fetch(reverse("public:report-version", args=[published_inspection.pk, 1])))
    assert "A later version (2) has been published." in page


@pytest.mark.parametrize(
    "name, args",
    [
        ("public:report-detail", lambda i: [i.pk + 1000]),
        ("public:report-version", lambda i: [i.pk, 3]),
        ("public:report-verify", lambda i: [i.pk + 1000]),
        ("public:summary-detail", lambda i: [i.program_id + 1000]),
        ("public:summary-version", lambda i: [i.program_id, 1]),
        ("public:summary-verify", lambda i: [i.program_id + 1000]),
    ],
)
def test_what_is_not_published_is_not_found(
    name: str, args: Any, published_inspection: Inspection
) -> None:
    assert fetch(reverse(name, args=args(published_inspection))).status_code == 404


@pytest.mark.parametrize("name", ["public:report-detail", "public:report-verify"])
def test_an_inspection_that_was_never_published_is_not_found(
    name: str, inspection: Inspection, reply_inspection: Inspection, admin: User
) -> None:
    for unpublished in (inspection, reply_inspection):
        assert fetch(reverse(name, args=[unpublished.pk])).status_code == 404
        assert fetch(reverse(name, args=[unpublished.pk]), admin).status_code == 404


def test_draw_uuid_that_does_not_exist_is_not_found(db: None) -> None:
    url = reverse("public:draw-verify", args=["00000000-0000-0000-0000-000000000000"])
    assert fetch(url).status_code == 404
    assert fetch("/public/draws/not-a-uuid/verify/").status_code == 404


# ---- Reports list: search, filters, pagination -------------------------------------------------


def publish(
    *,
    admin: User,
    inspector: User,
    lead_inspector: User,
    templates: dict[str, ChecklistTemplate],
    title: str,
    **target: Any,
) -> Inspection:
    """A published inspection (one version) of `target` (program= or organization=)."""
    inspection = make_inspection(
        admin=admin,
        team=[inspector, lead_inspector],
        templates=templates,
        status=Inspection.Status.PUBLISHED,
        starts_in_days=-30,
        title=title,
        **target,
    )
    add_sections(inspection)
    publish_report_version(
        inspection=inspection, published_by=inspector, approved_by=lead_inspector
    )
    return inspection


@pytest.fixture
def org_report(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> Inspection:
    inspection = make_inspection(
        admin=admin,
        team=[inspector, lead_inspector],
        templates=checklist_templates,
        inspection_type=InspectionType.THEMATIC,
        status=Inspection.Status.PUBLISHED,
        starts_in_days=-30,
        organization=cast.hospital,
        title="Thematic review of clinical placements",
    )
    add_sections(inspection)
    inspection.report_sections.filter(key="summary").update(
        body="Radiology rotations are well organised."
    )
    publish_report_version(
        inspection=inspection, published_by=inspector, approved_by=lead_inspector
    )
    return inspection


def list_page(**params: Any) -> str:
    response = fetch(reverse("public:report-list"), data=params)
    assert response.status_code == 200
    return text_of(response)


def test_the_list_shows_each_report_once_at_its_latest_version(
    published_inspection: Inspection,
) -> None:
    page = list_page()
    assert page.count("Published inspection of the program") == 1
    assert "1 report" in page


def test_search_finds_words_of_the_title_and_of_the_text(
    published_inspection: Inspection, org_report: Inspection
) -> None:
    assert "Thematic review" in list_page(q="radiology")
    assert "Published inspection of the program" not in list_page(q="radiology")
    assert "Published inspection of the program" in list_page(q="published PROGRAM")
    assert "No published report matches." in list_page(q="nothing-like-this")


def test_filters_by_organisation_program_type_and_date(
    cast: Cast, published_inspection: Inspection, org_report: Inspection
) -> None:
    by_org = list_page(organization=cast.hospital.pk)
    assert "Thematic review" in by_org and "Published inspection of the program" not in by_org
    by_program = list_page(program=cast.program.pk)
    assert (
        "Published inspection of the program" in by_program and "Thematic review" not in by_program
    )
    by_type = list_page(type=InspectionType.THEMATIC)
    assert "Thematic review" in by_type and "Published inspection of the program" not in by_type
    today = timezone.localdate()
    assert "2 reports" in list_page(published_from=today.isoformat(), published_to=today)
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert "No published report matches." in list_page(published_from=tomorrow)


def test_only_published_organisations_and_programs_are_offered(
    cast: Cast, published_inspection: Inspection
) -> None:
    page = list_page()
    assert cast.program.code in page
    assert cast.other_hospital.name not in page


@pytest.mark.parametrize(
    "params",
    [
        {"organization": "abc"},
        {"organization": "99999999999999999999999"},
        {"program": "-1"},
        {"type": "secret"},
        {"published_from": "yesterday"},
        {"published_from": "2026-02-30"},
        {"published_from": "2026-05-01", "published_to": "2026-01-01"},
        {"q": "x" * 500},
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-3"},
        {"q": "\x00"},
        {"date": "31/31/2026"},
    ],
)
def test_bad_parameters_give_a_message_never_a_500(
    params: dict[str, str], published_inspection: Inspection, summary: PublishedAuditSummary
) -> None:
    for url in (reverse("public:report-list"), reverse("public:summary-list")):
        response = fetch(url, data=params)
        assert response.status_code == 200, (url, params)
    page = list_page(**params)
    if "page" not in params and "date" not in params:
        assert "Some filters could not be used and were ignored" in page
    # The valid filters still apply, the invalid ones are ignored: the report is listed.
    assert "Published inspection of the program" in page


def test_a_bad_filter_is_ignored_and_the_good_ones_still_apply(
    cast: Cast, published_inspection: Inspection, org_report: Inspection
) -> None:
    page = list_page(organization="abc", type=InspectionType.THEMATIC)
    assert "Thematic review" in page and "Published inspection of the program" not in page


def test_the_list_is_paginated_and_the_pages_keep_the_filters(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> None:
    for number in range(23):
        publish(
            admin=admin,
            inspector=inspector,
            lead_inspector=lead_inspector,
            templates=checklist_templates,
            title=f"Inspection number {number:02d}",
            program=cast.program,
        )
    first = list_page(q="number")
    assert "23 reports" in first
    assert first.count("Inspection number") == 20
    assert "page=2" in first and "q=number" in first
    second = list_page(q="number", page=2)
    assert second.count("Inspection number") == 3


# ---- Audit summaries ----------------------------------------------------------------------------


def test_summary_page_shows_findings_by_rule_and_severity_with_rule_titles(
    summary: PublishedAuditSummary,
) -> None:
    page = text_of(fetch(reverse("public:summary-detail", args=[summary.program_id])))
    by_rule = page.split("Findings by rule and severity")[1].split("<svg")[0]
    assert rule_title("supervision_gap") in by_rule
    assert rule_title("fund_self_approval") in by_rule
    assert "supervision_gap" not in by_rule
    assert '<data class="count" value="8">' in page  # all findings
    assert '<data class="count" value="7">' in page  # supervision gaps
    assert "fewer than 5" in page  # the one fund finding, the 2 resolved (and the 6 active)
    assert "<svg" in page
    assert "Resolved rate" in page
    assert summary.content_hash in page
    assert summary.previous_hash in page


@pytest.mark.parametrize(("language", "month"), [("en", "%B %Y"), ("zh-hans", "%Y年%-m月")])
def test_summary_months_are_named_in_the_readers_language(
    summary: PublishedAuditSummary, language: str, month: str
) -> None:
    response = fetch(
        reverse("public:summary-detail", args=[summary.program_id]),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    table = text_of(response).split('id="months-title"')[1]
    current = dt.date.fromisoformat(summary.content["by_month"][-1]["month"] + "-01")
    assert f">{current.strftime(month)}</th>" in table
    assert f">{current:%Y-%m}</th>" not in table


def test_summary_list_filters_by_program_and_organisation(
    cast: Cast, summary: PublishedAuditSummary
) -> None:
    other = ProgramFactory()
    publish_audit_summary(program=other)
    url = reverse("public:summary-list")
    all_programs = text_of(fetch(url))
    assert cast.program.code in all_programs and other.code in all_programs
    only = text_of(fetch(url, data={"program": other.pk}))
    assert f"{other}</a>" in only and f"{cast.program}</a>" not in only
    led = text_of(fetch(url, data={"organization": cast.program.lead_university_id}))
    assert f"{cast.program.code} {cast.program.title}</a>" in led
    assert f"{other.code} {other.title}</a>" not in led


def test_summary_list_shows_the_version_current_on_a_date(
    cast: Cast, summary: PublishedAuditSummary
) -> None:
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    PublishedAuditSummary.objects.filter(program=cast.program, version=1).update(
        published_at=ten_days_ago
    )
    url = reverse("public:summary-list")
    five_days_ago = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    then = text_of(fetch(url, data={"date": five_days_ago}))
    assert re.search(r"<td>1</td>", then) and not re.search(r"<td>2</td>", then)
    now = text_of(fetch(url, data={"date": timezone.localdate().isoformat()}))
    assert re.search(r"<td>2</td>", now)
    long_ago = text_of(fetch(url, data={"date": "2020-01-01"}))
    assert "No published audit summary matches." in long_ago


# ---- Verification and tampering -------------------------------------------------------------


def test_verify_page_says_intact_then_names_the_tampered_version(
    no_page_cache: None, published_inspection: Inspection
) -> None:
    url = reverse("public:report-verify", args=[published_inspection.pk])
    page = text_of(fetch(url))
    assert 'data-verdict="intact"' in page
    assert 'data-version="1" data-ok="yes"' in page and 'data-version="2" data-ok="yes"' in page

    first = PublishedReport.objects.get(inspection=published_inspection, version=1)
    content = {**first.content, "title": "A kinder title"}
    PublishedReport.objects.filter(pk=first.pk).update(content=content)

    page = text_of(fetch(url))
    assert 'data-verdict="broken"' in page
    assert "The chain is broken" in page
    assert 'data-version="1" data-ok="no"' in page
    assert 'data-version="2" data-ok="yes"' in page
    assert "version 1: the content does not match its hash" in page


def test_verify_page_detects_a_rewritten_hash_that_breaks_the_link(
    no_page_cache: None, published_inspection: Inspection
) -> None:
    first = PublishedReport.objects.get(inspection=published_inspection, version=1)
    content = {**first.content, "title": "A kinder title"}
    PublishedReport.objects.filter(pk=first.pk).update(content=content)
    first.refresh_from_db()
    # A careful forger recomputes version 1's hash: version 2's link then breaks.
    PublishedReport.objects.filter(pk=first.pk).update(content_hash=first.compute_hash())
    page = text_of(fetch(reverse("public:report-verify", args=[published_inspection.pk])))
    assert 'data-verdict="broken"' in page
    assert 'data-version="1" data-ok="yes"' in page
    assert 'data-version="2" data-ok="no"' in page


def test_summary_verify_page_detects_tampering(
    no_page_cache: None, summary: PublishedAuditSummary
) -> None:
    url = reverse("public:summary-verify", args=[summary.program_id])
    assert 'data-verdict="intact"' in text_of(fetch(url))
    PublishedAuditSummary.objects.filter(pk=summary.pk).update(change_note="Nothing changed.")
    page = text_of(fetch(url))
    assert 'data-verdict="broken"' in page
    assert 'data-version="2" data-ok="no"' in page


# ---- Draws ------------------------------------------------------------------------------------


def test_draw_page_reproduces_the_draw_and_names_no_person(
    draw: Draw, cast: Cast, inspector: User, lead_inspector: User
) -> None:
    page = text_of(fetch(reverse("public:draw-verify", args=[draw.public_id])))
    assert 'data-verdict="reproduced"' in page
    assert draw.seed in page
    assert "sha256-rank/1" in page
    assert str(cast.program) in page
    for person in (inspector, lead_inspector, cast.student.user, cast.other_student.user):
        assert person.full_name not in page
        assert person.email not in page
    for student in (cast.student, cast.other_student):
        assert student.student_number not in page


def test_draw_page_detects_a_changed_result(no_page_cache: None, draw: Draw) -> None:
    result = {**draw.result, "targets": [{**draw.result["targets"][0], "students": [1, 2]}]}
    Draw.objects.filter(pk=draw.pk).update(result=result)
    page = text_of(fetch(reverse("public:draw-verify", args=[draw.public_id])))
    assert 'data-verdict="mismatch"' in page


def test_an_unannounced_draw_stays_hidden_until_its_inspections_start(
    no_page_cache: None,
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> None:
    secret = make_program_draw(admin, cast, unannounced=True, starts_in_days=30)
    url = reverse("public:draw-verify", args=[secret.public_id])
    for user in (None, cast.program_admin, cast.coordinator, admin):
        assert fetch(url, user).status_code == 404
    secret.inspections.update(starts_at=timezone.now() - dt.timedelta(hours=1))
    assert fetch(url).status_code == 200


# ---- The feed -----------------------------------------------------------------------------


def test_the_feed_is_atom_with_every_published_version(
    published_inspection: Inspection, summary: PublishedAuditSummary
) -> None:
    response = fetch(reverse("public:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id") is not None and root.find(f"{ATOM}updated") is not None
    entries = root.findall(f"{ATOM}entry")
    links = {entry.find(f"{ATOM}link").get("href") for entry in entries}  # type: ignore[union-attr]
    for version in (1, 2):
        path = reverse("public:report-version", args=[published_inspection.pk, version])
        assert f"http://testserver{path}" in links
        path = reverse("public:summary-version", args=[summary.program_id, version])
        assert f"http://testserver{path}" in links
    for entry in entries:
        for tag in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
    assert len({entry.find(f"{ATOM}id").text for entry in entries}) == len(entries)  # type: ignore[union-attr]
    assert b"Corrected the number of sampled files." in response.content


# ---- Query counts ------------------------------------------------------------------------


@pytest.fixture
def grow(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> Any:
    """Publish more: reports of other organisations and programs, corrections, summaries."""

    def add() -> None:
        for _round in range(3):
            organization = OrganizationFactory()
            program = ProgramFactory()
            for target in ({"organization": organization}, {"program": program}):
                inspection = publish(
                    admin=admin,
                    inspector=inspector,
                    lead_inspector=lead_inspector,
                    templates=checklist_templates,
                    title=f"Grown inspection {next(_serial)}",
                    **target,
                )
                publish_report_version(
                    inspection=inspection,
                    published_by=inspector,
                    approved_by=lead_inspector,
                    change_note="A correction.",
                )
            make_finding(program, program, rule="fund_self_approval")
            publish_audit_summary(program=program)

    return add


#: Each page and the most queries it may make for an anonymous visitor.
QUERY_LIMITS = {
    "home": 2,
    "reports": 4,
    "report": 2,
    "verify": 3,
    "summaries": 4,
    "summary": 2,
    "summary-verify": 3,
    "draw": 7,
    "feed": 2,
}


def page_url(name: str, inspection: Inspection, summary: PublishedAuditSummary, draw: Draw) -> str:
    return {
        "home": lambda: reverse("public:home"),
        "reports": lambda: reverse("public:report-list") + "?q=inspection&type=routine",
        "report": lambda: reverse("public:report-detail", args=[inspection.pk]),
        "verify": lambda: reverse("public:report-verify", args=[inspection.pk]),
        "summaries": lambda: reverse("public:summary-list"),
        "summary": lambda: reverse("public:summary-detail", args=[summary.program_id]),
        "summary-verify": lambda: reverse("public:summary-verify", args=[summary.program_id]),
        "draw": lambda: reverse("public:draw-verify", args=[draw.public_id]),
        "feed": lambda: reverse("public:feed"),
    }[name]()


@pytest.mark.parametrize("role", ["anonymous", "admin"])
@pytest.mark.parametrize("name", list(QUERY_LIMITS))
def test_query_counts_stay_flat_as_publications_grow(
    name: str,
    role: str,
    no_page_cache: None,
    inspection_people: dict[str, Any],
    published_inspection: Inspection,
    summary: PublishedAuditSummary,
    draw: Draw,
    grow: Any,
) -> None:
    client = client_for(as_role(inspection_people, role))
    url = page_url(name, published_inspection, summary, draw)
    # Signed-in requests read the session and the user: a few queries of their own.
    limit = QUERY_LIMITS[name] + (0 if role == "anonymous" else 4)
    assert_flat_queries(lambda: client.get(url), grow, max_queries=limit)


def test_a_cached_page_costs_an_anonymous_visitor_no_query(
    published_inspection: Inspection,
) -> None:
    url = reverse("public:report-list")
    assert fetch(url).status_code == 200
    queries, response = count_queries(lambda: Client().get(url))
    assert response.status_code == 200
    assert queries == 0
    assert "Published inspection of the program" in text_of(response)


def test_the_home_shows_a_publication_at_once_not_when_its_cache_expires(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The home is cached (PUBLIC_CACHE_SECONDS, in the tests' cache backend); a report, its
    correction and a summary published since appear on the next visit."""
    url = reverse("public:home")
    assert "No inspection report has been published yet." in text_of(fetch(url))
    assert count_queries(lambda: fetch(url))[0] == 0  # served from the cache
    with django_capture_on_commit_callbacks(execute=True):
        inspection = publish(
            admin=admin,
            inspector=inspector,
            lead_inspector=lead_inspector,
            templates=checklist_templates,
            title="Review of the imaging rotations",
            program=cast.program,
        )
    assert "Review of the imaging rotations" in text_of(fetch(url))

    Inspection.objects.filter(pk=inspection.pk).update(title="Corrected review of imaging")
    inspection.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        publish_report_version(
            inspection=inspection,
            published_by=inspector,
            approved_by=lead_inspector,
            change_note="Title corrected.",
        )
    home = text_of(fetch(url))
    assert "Corrected review of imaging" in home
    assert "version 2" in home

    assert "No audit summary has been published yet." in home
    make_finding(cast.program, cast.student, student=cast.student)
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_audit_summary(program=cast.program) is not None
    assert "No audit summary has been published yet." not in text_of(fetch(url))


def test_a_publication_expires_the_cached_pages_only_once_committed(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = reverse("public:home")
    fetch(url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(
            admin=admin,
            inspector=inspector,
            lead_inspector=lead_inspector,
            templates=checklist_templates,
            title="Review not yet committed",
            program=cast.program,
        )
        assert "Review not yet committed" not in text_of(fetch(url))
    for callback in callbacks:
        callback()
    assert "Review not yet committed" in text_of(fetch(url))


def test_the_cache_keeps_languages_apart(published_inspection: Inspection) -> None:
    url = reverse("public:home")
    english = fetch(url, HTTP_ACCEPT_LANGUAGE="en")
    chinese = fetch(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert '<html lang="en">' in text_of(english)
    assert '<html lang="zh-Hans">' in text_of(chinese)
    assert "Accept-Language" in english["Vary"]


def test_a_page_cached_for_a_signed_in_user_leaks_nothing_of_theirs(
    published_inspection: Inspection, admin: User
) -> None:
    url = reverse("public:report-detail", args=[published_inspection.pk])
    admin_client = client_for(admin)
    admin_page = text_of(admin_client.get(url))
    assert admin.get_short_name() in admin_page  # the layout greets them
    anonymous = Client()
    page = text_of(anonymous.get(url))
    assert admin.get_short_name() not in page
    assert admin.email not in page
    assert reverse("accounts:login") in page
    # Each visitor gets their own CSRF token (the layout is never cached).
    admin_token = admin_client.cookies["csrftoken"].value
    assert anonymous.cookies["csrftoken"].value != admin_token


# ---- Rate limit ------------------------------------------------------------------------------


def test_anonymous_clients_over_the_limit_get_429_and_then_recover(
    settings: Any, published_inspection: Inspection, admin: User
) -> None:
    settings.PUBLIC_RATE_LIMIT = 3
    settings.PUBLIC_RATE_WINDOW = 60
    url = reverse("public:home")
    client = Client()
    assert [client.get(url).status_code for _n in range(3)] == [200, 200, 200]
    limited = client.get(url)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "Too many requests" in text_of(limited)
    assert client.get(reverse("public:feed")).status_code == 429
    # Another address is counted apart; a signed-in user is not limited.
    assert Client(REMOTE_ADDR="10.0.0.2").get(url).status_code == 200
    assert client_for(admin).get(url).status_code == 200
    cache.clear()  # the window is over
    assert client.get(url).status_code == 200


def test_the_rate_limit_message_is_translated(settings: Any, db: None) -> None:
    settings.PUBLIC_RATE_LIMIT = 1
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.get(reverse("public:home"))
    limited = client.get(reverse("public:home"))
    assert limited.status_code == 429
    assert '<html lang="zh-Hans">' in text_of(limited)


def test_filter_choices_do_not_reveal_unpublished_targets(
    cast: Cast, published_inspection: Inspection, org_inspection: Inspection
) -> None:
    """`cast.hospital` is being inspected (not published): it is not offered as a filter."""
    page = list_page()
    organizations = re.search(r'<select name="organization".*?</select>', page, re.DOTALL)
    programs = re.search(r'<select name="program".*?</select>', page, re.DOTALL)
    assert organizations is not None and programs is not None
    assert cast.hospital.name not in organizations.group(0)
    assert str(cast.program) in programs.group(0)
