"""The privacy scan of the public portal: every public page (found by following the links
from /public/, plus the draws' verify pages) and every public API response, over the
published fixtures and over the demo data, names no person (no name, e-mail or student
number of any user or student in the database) and shows no count from 1 to 4 where a count
is shown (pages mark counts as `<data class="count" value="n">`; in the API, every number of
a published document is a count, its ids and version aside).

Unannounced inspections stay out of it too: the draw of one that has not started is not
found, and nothing public mentions it.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from programs.models import Program, Student
from supervision.inspections.publication import publish_audit_summary, publish_report_version
from supervision.models import (
    ChecklistTemplate,
    Draw,
    Finding,
    Inspection,
    PublishedAuditSummary,
    PublishedReport,
    ReplyComment,
)
from tests.cast import Cast
from tests.supervision.conftest import make_finding

from .conftest import make_program_draw

#: The entry points of the crawl; everything else is reached by following links.
PAGE_ROOTS = ["/public/", "/public/reports/", "/public/audit-summaries/", "/public/feed.atom"]
API_ROOTS = ["/api/v1/public/inspections/", "/api/v1/public/audit-summaries/"]
#: A bound on the crawl (it stops with a failure rather than run away).
MAX_PAGES = 400
COUNT = re.compile(r'<data class="count" value="([^"]*)"')
HREF = re.compile(r'href="([^"]+)"')
#: Numbers of a published document that are not counts.
NOT_COUNTS = {"id", "version", "program", "organization", "target", "period", "resolved_rate"}


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> Iterator[None]:
    settings.PUBLIC_RATE_LIMIT = 0  # the crawl is one client making many requests
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}),
            "public": "100000/min",
        },
    }
    cache.clear()
    yield
    cache.clear()


# ---- The scanner -------------------------------------------------------------------------------


@dataclass
class PersonalData:
    """Every name, e-mail and student number in the database, as word-bounded patterns."""

    patterns: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)

    @classmethod
    def of_everyone(cls) -> PersonalData:
        found = cls()
        for full_name, email in User.objects.values_list("full_name", "email"):
            name = " ".join(full_name.split())
            if len(name) >= 4:  # shorter ones cannot be told from ordinary words
                found.add("name", name)
            found.add("e-mail", email)
        for number in Student.objects.values_list("student_number", flat=True):
            found.add("student number", number)
        return found

    def add(self, kind: str, value: str) -> None:
        pattern = re.compile(rf"(?<![\w@.]){re.escape(value)}(?![\w@])", re.IGNORECASE)
        self.patterns.append((f"{kind} {value!r}", pattern))

    def in_text(self, text: str) -> list[str]:
        return [label for label, pattern in self.patterns if pattern.search(text)]


def small_counts_in_page(text: str) -> list[str]:
    return [value for value in COUNT.findall(text) if value.isdigit() and 1 <= int(value) <= 4]


def small_counts_in_document(value: Any, path: str = "") -> list[str]:
    """Numbers 1 to 4 in a published document (`content`), ids and versions aside."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_COUNTS:
                found += small_counts_in_document(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += small_counts_in_document(item, f"{path}[{index}]")
    elif isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
        found.append(f"{path}={value}")
    return found


def documents_in(value: Any) -> Iterable[Any]:
    """Every `content` (a published document) inside an API answer."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "content":
                yield item
            else:
                yield from documents_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from documents_in(item)


def local_path(url: str) -> str | None:
    """The path and query of a link to a public page (None for anything else)."""
    parts = urlsplit(html.unescape(url))
    if parts.netloc not in ("", "testserver") or not parts.path.startswith("/public/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Scan:
    """What a crawl fetched and what it found."""

    fetched: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def scan_public_portal(extra_pages: Iterable[str] = ()) -> Scan:
    """Fetch every public page and API answer as an anonymous visitor; report personal data
    and small counts."""
    personal = PersonalData.of_everyone()
    scan = Scan()
    client = Client()
    queue = deque([*PAGE_ROOTS, *extra_pages])
    while queue:
        url = queue.popleft()
        if url in scan.fetched:
            continue
        assert len(scan.fetched) < MAX_PAGES, "the crawl does not end"
        response = client.get(url)
        scan.fetched[url] = response.status_code
        assert response.status_code == 200, (url, response.status_code)
        text = html.unescape(response.content.decode())
        scan.problems += [f"{url}: {label}" for label in personal.in_text(text)]
        scan.problems += [f"{url}: count {value}" for value in small_counts_in_page(text)]
        for link in HREF.findall(response.content.decode()):
            path = local_path(link)
            if path is not None and path not in scan.fetched:
                queue.append(path)
    for url in api_urls(client):
        response = client.get(url)
        scan.fetched[url] = response.status_code
        assert response.status_code == 200, (url, response.status_code)
        data = response.json()
        text = json.dumps(data, ensure_ascii=False)
        scan.problems += [f"{url}: {label}" for label in personal.in_text(text)]
        for document in documents_in(data):
            scan.problems += [f"{url}: count {c}" for c in small_counts_in_document(document)]
    return scan


def filtered_lists() -> list[str]:
    """The lists filtered by every organisation and program that has publications, and
    searched (the filters' options are pages too)."""
    reports = reverse("public:report-list")
    summaries = reverse("public:summary-list")
    urls = [f"{reports}?q=inspection", f"{reports}?type=routine"]
    for organization, program in PublishedReport.objects.values_list(
        "organization_id", "program_id"
    ).distinct():
        urls.append(
            f"{reports}?organization={organization}"
            if organization
            else f"{reports}?program={program}"
        )
    for program in PublishedAuditSummary.objects.values_list("program_id", flat=True).distinct():
        urls.append(f"{summaries}?program={program}")
    return urls


def api_urls(client: Client) -> list[str]:
    """Every page of the public API's lists and every item's detail."""
    urls: list[str] = []
    for root in API_ROOTS:
        url: str | None = root
        while url:
            urls.append(url)
            data = client.get(url).json()
            for item in data["results"]:
                if "inspection" in item:
                    urls.append(f"{API_ROOTS[0]}{item['inspection']}/")
                else:
                    urls.append(f"{API_ROOTS[1]}{item['program']['id']}/")
            url = data["next"]
            if url:
                parts = urlsplit(url)
                url = f"{parts.path}?{parts.query}"
    return urls


# ---- The published world of the fixtures -------------------------------------------------------


@pytest.fixture
def published_world(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    published_inspection: Inspection,
    reply_inspection: Inspection,
    unannounced_inspection: Inspection,
    org_inspection: Inspection,
    summary: PublishedAuditSummary,
    draw: Draw,
    checklist_templates: dict[str, ChecklistTemplate],
) -> dict[str, Any]:
    """Everything public: the two versions of `published_inspection`, an organisation's report
    with findings about students and answered comments of its coordinator, the audit summary
    of `cast.program` (findings that name students), a draw of the program (students and
    inspectors drawn), and the draw of an unannounced inspection that has not started."""
    for student in (cast.student, cast.other_student):
        make_finding(
            cast.program,
            student,
            rule=Finding.INSPECTION_RULE,
            student=student,
            organization=cast.hospital,
            inspection=org_inspection,
            author=inspector,
            details={"title": f"File of {student.user.full_name}", "text": "Missing plan."},
            evidence={"inspection": org_inspection.pk},
        )
    section = org_inspection.report_sections.create(
        key="summary", title="Summary", body="Placements are supervised.", position=0
    )
    ReplyComment.objects.create(
        section=section,
        section_revision=1,
        text=f"Written by {cast.coordinator.full_name}",
        author=cast.coordinator,
        answer="Thank you, corrected.",
        answered_by=inspector,
        answered_at=timezone.now(),
        draft_revised=True,
    )
    Inspection.objects.filter(pk=org_inspection.pk).update(status=Inspection.Status.PUBLISHED)
    org_inspection.refresh_from_db()
    publish_report_version(
        inspection=org_inspection, published_by=inspector, approved_by=lead_inspector
    )
    secret_draw = make_program_draw(admin, cast, unannounced=True, starts_in_days=30)
    return {"draw": draw, "secret_draw": secret_draw, "org_inspection": org_inspection}


def test_the_scanner_finds_what_it_looks_for(cast: Cast) -> None:
    """The scan would notice a leak: a name, an e-mail, a student number, a small count."""
    personal = PersonalData.of_everyone()
    student = cast.student
    assert personal.in_text(f"Seen: {student.user.full_name.upper()}.")
    assert personal.in_text(f"<a>{cast.coordinator.email}</a>")
    assert personal.in_text(f"number {student.student_number},")
    assert not personal.in_text(f"number X{student.student_number}9")
    assert small_counts_in_page('<data class="count" value="3">3</data>') == ["3"]
    assert small_counts_in_page('<data class="count" value="5">5</data>') == []
    assert small_counts_in_document({"sample": {"students": 2}, "target": {"id": 3}}) == [
        ".sample.students=2"
    ]


def test_no_public_page_or_api_answer_names_a_person_or_shows_a_small_count(
    published_world: dict[str, Any],
) -> None:
    draw_url = reverse("public:draw-verify", args=[published_world["draw"].public_id])
    scan = scan_public_portal(extra_pages=[draw_url, *filtered_lists()])
    assert scan.problems == []
    # The crawl did reach every kind of page and answer.
    fetched = set(scan.fetched)
    org_inspection = published_world["org_inspection"]
    assert reverse("public:report-detail", args=[org_inspection.pk]) in fetched
    assert any("/verify/" in url and "/reports/" in url for url in fetched)
    assert any("/audit-summaries/" in url and "/v1/" in url for url in fetched)
    assert any("/api/v1/public/inspections/" in url for url in fetched)
    assert any(url.startswith("/public/reports/?") for url in fetched)


def test_the_suppressed_counts_are_shown_as_fewer_than_5(
    published_world: dict[str, Any],
) -> None:
    org_inspection = published_world["org_inspection"]
    page = Client().get(reverse("public:report-detail", args=[org_inspection.pk]))
    text = page.content.decode()
    assert text.count('class="count suppressed"') >= 4  # findings, comments, revisions…
    assert "fewer than 5" in text


def test_an_unannounced_draw_that_has_not_started_is_nowhere(
    published_world: dict[str, Any], cast: Cast
) -> None:
    secret: Draw = published_world["secret_draw"]
    assert Client().get(reverse("public:draw-verify", args=[secret.public_id])).status_code == 404
    scan = scan_public_portal()
    everything = "".join(
        Client().get(url).content.decode() for url in scan.fetched if url.startswith("/public/")
    )
    assert str(secret.public_id) not in everything
    assert secret.seed not in everything
    assert "Unannounced fund inspection" not in everything


# ---- The demo data ---------------------------------------------------------------------


@pytest.fixture
def demo(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--force", stdout=io.StringIO())
    # Summaries as an audit run would refresh them (the run itself needs a worker).
    for program in Program.objects.all():
        publish_audit_summary(program=program)


@pytest.mark.django_db
def test_the_demo_publications_name_no_person_and_show_no_small_count(demo: None) -> None:
    assert PublishedReport.objects.values("inspection").distinct().count() >= 1
    assert PublishedReport.objects.filter(version=2).exists()  # the demo's correction
    draws = [
        reverse("public:draw-verify", args=[public_id])
        for public_id in Draw.objects.filter(unannounced=False).values_list("public_id", flat=True)
    ]
    scan = scan_public_portal(extra_pages=[*draws, *filtered_lists()])
    assert scan.problems == []
    assert len(scan.fetched) > 10


@pytest.mark.django_db
def test_the_demo_unannounced_inspection_is_not_on_the_public_portal(demo: None) -> None:
    planned = Inspection.objects.filter(
        unannounced=True, starts_at__gt=timezone.now() + dt.timedelta(days=1)
    )
    assert planned.exists()
    scan = scan_public_portal()
    everything = "".join(
        Client().get(url).content.decode() for url in scan.fetched if url.startswith("/public/")
    )
    for inspection in planned:
        assert inspection.title not in everything
        if inspection.draw is not None:
            url = reverse("public:draw-verify", args=[inspection.draw.public_id])
            assert Client().get(url).status_code == 404
