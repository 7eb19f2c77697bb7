"""The inspected side cannot learn of an unannounced inspection before it starts: through no
page, list, count, search, API field, notification or e-mail.

The tests are generic, so that pages added later are covered without touching this file:
they walk the project's URL resolver (`django.urls.get_resolver()`) and request

- every parameterless GET route (pages, API lists, the public portal, the home page with its
  attention counts and the navigation), the lists among them again with search and filter
  query strings (title words, status, type, announcement, organisation, dates);
- every route whose parameters can be filled from the inspection and what hangs from it
  (checklist items, the sample, observations, evidence, report sections, reply comments, its
  draw), recognised by the path segment in front of each parameter (`inspections/<pk>`,
  `comments/<comment_pk>`, `draws/<uuid:public_id>`...), and the history pages of those
  records;
- the routes of its neighbourhood (the inspected organisation, the program it takes part in,
  the sampled student, the placement) whose parameters can all be filled so.

Who: the inspected side and its neighbours. The closest (the coordinator of the inspected
organisation, the administrator of the program it takes part in, the practice tutor there,
the sampled student, the anonymous visitor) walk every page; the others (the academic tutor,
another student, another coordinator, an outsider), whose roles reach a subset of those pages,
walk the lists and the home page.

How: everybody walks before the inspection exists and again after it was scheduled (through
the service, its after-commit notifications and e-mails run): every response must be the
same, once CSRF tokens, CSP nonces and clock times are normalised (the second walk re-reads
what answered the first time, and every list whatever it answered). No response may carry its
title, scope, texts, its id in a URL or its dates in any format (ISO, English and Chinese,
long and short). The inspection's own URLs must answer as URLs of records that do not exist
(404, never a 403 that would confirm it), for GET and POST. Nobody on the inspected side gets
a notification or an e-mail. Then, once it has started, the inspected side sees it and is
told exactly once; its team and portal administrators see it before, no other inspector.

Runtime: the first test makes about two thousand requests (some 45 s on a loaded two-CPU
machine); the others are small.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import formats, timezone, translation

from accounts.models import User
from programs.models import ProgramPartner
from supervision.inspections import draw as draws
from supervision.inspections import services
from supervision.inspections.tasks import reveal_started_inspections
from supervision.models import (
    Draw,
    EvidenceFile,
    Inspection,
    InspectionAssignment,
    InspectionType,
    InspectorProfile,
    Observation,
    ReplyComment,
    ReportSection,
)
from tests.cast import Cast
from training_portal.core.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

#: Distinctive words of the secret inspection and of what hangs from it.
TITLE = "Surprise visit QUOKKA-4711"
SCOPE = "Petty cash of ward ZEBRA-0815 and its receipts"
OBSERVATION = "Cash box unlocked MARMOT-3141"
SECTION_TITLE = "Cash handling IBEX-2718"
SECTION_BODY = "The ward keeps cash in an unlocked drawer OKAPI-1618."
COMMENT = "Please check the drawer again DINGO-5772"
CHECKLIST_NOTE = "Receipts missing LEMUR-1123"
SAMPLE_NOTE = "File incomplete TAPIR-5813"
EVIDENCE_NAME = "receipts-WOMBAT-2134.txt"
WORDS = [
    TITLE,
    "QUOKKA-4711",
    SCOPE,
    OBSERVATION,
    SECTION_TITLE,
    SECTION_BODY,
    COMMENT,
    CHECKLIST_NOTE,
    SAMPLE_NOTE,
    EVIDENCE_NAME,
]

#: The routes whose answer does not depend on the data (the OpenAPI schema and its viewer are
#: generated from the code, and are slow to generate), and health checks.
DATA_INDEPENDENT = {"api-schema", "api-docs", "healthz", "readyz"}
#: The lists (and the home page with its counts): those of inspections, findings, draws, the
#: public portal; walked by everybody, searched and filtered.
SEARCHED = re.compile(r"inspection|finding|^public:|^core:home$|calendar|draw")
#: The closest neighbours of an inspection of `cast.hospital`: they walk every page (the others,
#: whose roles reach less, the lists).
CLOSE = ("coordinator", "program_admin", "practice_tutor", "sampled_student", "anonymous")


# ---- The URL resolver ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """A named URL pattern, with its whole text and its parameters (outermost first)."""

    name: str
    text: str
    params: tuple[str, ...]


def _walk(
    patterns: Iterable[URLPattern | URLResolver],
    prefix: str,
    namespace: str,
    params: tuple[str, ...],
) -> Iterator[Route]:
    for entry in patterns:
        names = params + tuple(entry.pattern.regex.groupindex)
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, text, inner, names)
        elif entry.name:
            yield Route(f"{namespace}:{entry.name}" if namespace else entry.name, text, names)


def all_routes() -> list[Route]:
    """Every named route of the project, but the Django admin (for staff only; nobody on the
    inspected side is staff, which the tests assert), DRF's format-suffix variants, the
    data-independent routes and signing out."""
    return [
        route
        for route in _walk(get_resolver().url_patterns, "", "", ())
        if not route.name.startswith("admin:")
        and "format" not in route.params
        and route.name not in DATA_INDEPENDENT
        and not route.name.endswith("logout")  # it would end the session of the walk
    ]


def segment_before(route: Route, param: str) -> str:
    """The static path segment right in front of a parameter: "inspections" for the pk of
    `inspections/<int:pk>/`, "comments" for `comments/(?P<comment_id>[0-9]+)`, "v" for
    `v<int:version>`; "" when another parameter stands there (the kind and the item of
    `programs/<pk>/<kind>/<item>/edit/`: both belong to no segment of their own)."""
    match = re.search(rf"\(\?P<{param}>|<(?:\w+:)?{param}>", route.text)
    assert match is not None, (route, param)
    pieces = [piece for piece in route.text[: match.start()].split("/") if piece]
    if not pieces:
        return ""
    return re.sub(r"\(\?P<\w+>[^)]*\)|<[^>]*>|[\^$]", "", pieces[-1])


def fill(route: Route, values: dict[str, Any]) -> dict[str, Any] | None:
    """The route's parameters from `values` (keyed by the segment in front of each parameter,
    "<segment>:<parameter>" first), or None when one of them cannot be filled."""
    kwargs = {}
    for param in route.params:
        segment = segment_before(route, param)
        if not segment:
            return None
        for key in (f"{segment}:{param}", segment):
            if key in values:
                kwargs[param] = values[key]
                break
        else:
            return None
    return kwargs


def parameterless_urls() -> dict[str, str]:
    """URL → route name of every parameterless route."""
    urls: dict[str, str] = {}
    for route in all_routes():
        if not route.params:
            urls.setdefault(reverse(route.name), route.name)
    return urls


def filled_urls(values: dict[str, Any]) -> dict[str, str]:
    """URL → route name of every route with parameters that `values` fill (core:history
    apart: `history_urls`)."""
    urls: dict[str, str] = {}
    for route in all_routes():
        if not route.params or route.name == "core:history":
            continue
        kwargs = fill(route, values)
        if kwargs is None:
            continue
        urls.setdefault(reverse(route.name, kwargs=kwargs), route.name)
    return urls


def history_urls(records: Iterable[Any]) -> dict[str, str]:
    """The history page of each record (core:history takes the model and the pk)."""
    urls = {}
    for record in records:
        meta = record._meta
        url = reverse("core:history", args=[meta.app_label, meta.model_name, record.pk])
        urls[url] = "core:history"
    return urls


# ---- Requests and their comparison -----------------------------------------------------------

VOLATILE = [
    # Per request or per session: CSRF tokens and CSP nonces.
    (re.compile(r'("X-CSRFToken": ")[^"]*'), r"\1"),
    (re.compile(r'(csrfmiddlewaretoken" value=")[^"]*'), r"\1"),
    (re.compile(r'(nonce=")[^"]*'), r"\1"),
    # The clock moves between the two passes: times of day (dates are kept, they are what
    # must not leak).
    (re.compile(r"T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "T<time>"),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?( ?[ap]\.?m\.?)?", re.IGNORECASE), "<time>"),
    (re.compile(r"(上午|下午)<time>"), "<time>"),
]


def normalise(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


@dataclass
class Answer:
    status: int
    body: str
    location: str = ""

    def same_as(self, other: Answer) -> bool:
        return (self.status, self.body, self.location) == (other.status, other.body, other.location)


def fetch(client: Client, url: str, method: str = "get") -> Answer:
    accept = "application/json" if url.startswith("/api/") else "text/html"
    response = getattr(client, method)(url, HTTP_ACCEPT=accept)
    # Reading a streamed response to its end closes it (the test client's wrapper does so
    # without closing the test's database connection, which `response.close()` would).
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    # A file (a spreadsheet template, an evidence file) is compared by its type: a zip stamps
    # the time it was made.
    media = kind.split(";")[0].strip()
    textual = media.startswith("text/") or media.endswith(("json", "/xml", "+xml", "javascript"))
    body = normalise(raw.decode("utf-8", "replace")) if textual else f"<file {kind}>"
    return Answer(response.status_code, body, response.get("Location", "") or "")


def diff(before: Answer, after: Answer, limit: int = 12) -> str:
    if before.status != after.status:
        return f"status {before.status} → {after.status}"
    if before.location != after.location:
        return f"redirect {before.location} → {after.location}"
    lines = list(
        difflib.unified_diff(before.body.splitlines(), after.body.splitlines(), lineterm="", n=0)
    )
    return "\n      ".join(line[:200] for line in lines[2 : 2 + limit])


# ---- The secret and what may reveal it -------------------------------------------------------


def local(value: dt.datetime | dt.date) -> Any:
    return timezone.localtime(value) if isinstance(value, dt.datetime) else value


def date_texts(*moments: dt.datetime | dt.date) -> set[str]:
    """Every way the portal could write these dates: ISO, and the formats of both languages."""
    texts: set[str] = set()
    for moment in moments:
        day = local(moment)
        texts |= {
            day.strftime("%Y-%m-%d"),
            day.strftime("%Y/%m/%d"),
            day.strftime("%d/%m/%Y"),
            day.strftime("%m/%d/%Y"),
            f"{day.year}年{day.month}月{day.day}日",
        }
        if isinstance(moment, dt.datetime):
            texts.add(moment.astimezone(dt.UTC).strftime("%Y-%m-%d"))
        names = ["DATE_FORMAT", "SHORT_DATE_FORMAT"]
        if isinstance(moment, dt.datetime):
            names += ["DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"]
        for language in ("en", "zh-hans"):
            with translation.override(language):
                texts |= {normalise(formats.date_format(day, name)) for name in names}
    return {text for text in texts if len(text) >= 6}


@dataclass
class Secret:
    """The unannounced inspection and everything hanging from it."""

    inspection: Inspection
    values: dict[str, Any] = field(default_factory=dict)
    records: list[Any] = field(default_factory=list)

    def traces(self) -> dict[str, str]:
        """text → what it would reveal."""
        pk = self.inspection.pk
        found = dict.fromkeys(WORDS, "a text of the inspection")
        found[self.inspection.title] = "the title"
        for url in (f"/inspections/{pk}/", f"/reports/{pk}/", f"inspections/{pk}/"):
            found[url] = "its id in a URL"
        if self.inspection.draw is not None:
            found[str(self.inspection.draw.public_id)] = "its draw"
        for text in date_texts(self.inspection.starts_at, self.inspection.ends_on):
            found[text] = "its dates"
        return found

    def missing_values(self) -> dict[str, Any]:
        """The same keys, pointing at records that do not exist."""
        return {
            key: (
                uuid.uuid4()
                if isinstance(value, uuid.UUID)
                else value
                if key == "version"
                else 2_000_000_000 + index
            )
            for index, (key, value) in enumerate(self.values.items())
        }


def traces_in(answer: Answer, traces: dict[str, str]) -> set[str]:
    text = answer.body + answer.location
    return {f"{reason} ({needle!r})" for needle, reason in traces.items() if needle in text}


def secret_values(inspection: Inspection) -> dict[str, Any]:
    """What fills the routes of the inspection and of what hangs from it, by the path
    segment in front of the parameter."""
    section = inspection.report_sections.first()
    comment = ReplyComment.objects.filter(section__inspection=inspection).first()
    values: dict[str, Any] = {
        "inspections": inspection.pk,
        "reports": inspection.pk,
        "version": 1,
        "checklist": inspection.checklist.first().pk,  # type: ignore[union-attr]
    }
    optional = {
        "sample": inspection.sample.first(),
        "observations": inspection.observations.first(),
        "evidence": inspection.evidence.first(),
        "report": section,
        "sections": section,
        "comments": comment,
        "draws": inspection.draw,
    }
    values |= {key: record.pk for key, record in optional.items() if record is not None}
    if inspection.draw is not None:
        values["draws:public_id"] = inspection.draw.public_id
    return values


def secret_records(inspection: Inspection) -> list[Any]:
    """The tracked records of the inspection, whose history pages must stay closed."""
    return [
        inspection,
        *inspection.checklist.all()[:1],
        *inspection.observations.all()[:1],
        *inspection.report_sections.all()[:1],
        *ReplyComment.objects.filter(section__inspection=inspection)[:1],
    ]


# ---- The cast ----------------------------------------------------------------------------------


def watched(cast: Cast, outsider: User) -> dict[str, User | None]:
    """The inspected side of an inspection of `cast.hospital`, and its neighbours."""
    return {
        "coordinator": cast.coordinator,
        "program_admin": cast.program_admin,
        "practice_tutor": cast.practice_tutor.user,
        "tutor": cast.tutor.user,
        "sampled_student": cast.student.user,
        "other_student": cast.other_student.user,
        "other_coordinator": cast.other_coordinator,
        "outsider": outsider,
        "anonymous": None,
    }


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def neighbourhood(
    cast: Cast,
    settings: Any,
    org_inspection: Inspection,
    inspection: Inspection,
    reply_inspection: Inspection,
    published_inspection: Inspection,
) -> Cast:
    """The cast with inspections the inspected side already knows of (so that their lists and
    counts are not empty), the hospital a partner of the program, some of them reading the
    portal in Chinese, and the public portal neither cached nor rate-limited (both passes
    must be rendered afresh, and the anonymous visitor makes many requests)."""
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_RATE_LIMIT = 0
    ProgramPartner.objects.get_or_create(
        program=cast.program,
        organization=cast.hospital,
        defaults={"agreement_start": timezone.localdate() - dt.timedelta(days=400)},
    )
    User.objects.filter(
        pk__in=[cast.program_admin.pk, cast.student.user.pk, cast.practice_tutor.user.pk]
    ).update(preferred_language="zh-hans")
    return cast


def neighbour_values(cast: Cast) -> dict[str, Any]:
    """What fills the routes of the inspected organisation's neighbourhood."""
    return {
        "programs": cast.program.pk,
        "organizations": cast.hospital.pk,
        "students": cast.student.pk,
        "placements": cast.placement.pk,
        "audit-summaries": cast.program.pk,
    }


def search_queries(cast: Cast, starts_at: dt.datetime) -> list[str]:
    """Searches and filters that would find the secret inspection in a list (each matches
    it; parameters a list does not know are ignored by it)."""
    day = local(starts_at).date()
    funds = InspectionType.FUNDS
    return [
        "q=QUOKKA&search=Surprise+visit",
        f"status=planned&inspection_type={funds}&type={funds}",
        "unannounced=true&announcement=unannounced",
        f"organization={cast.hospital.pk}&target=organization:{cast.hospital.pk}",
        f"month={day:%Y-%m}&starts_after={day}&starts_before={day}",
    ]


def lists(urls: dict[str, str]) -> dict[str, str]:
    """The home page, the notifications and the lists of inspections, findings, draws and of
    the public portal."""
    return {
        url: name
        for url, name in urls.items()
        if SEARCHED.search(name) or name.endswith("notification-list")
    }


def schedule_secret(
    *, admin: User, inspector: User, cast: Cast, starts_at: dt.datetime
) -> Inspection:
    """The unannounced inspection of the hospital, scheduled by the service, with a sample
    (the student placed there) and, made with the ORM (no service adds them before the
    start), every kind of record that hangs from an inspection."""
    inspection = services.schedule_inspection(
        by=admin,
        title=TITLE,
        inspection_type=InspectionType.FUNDS,
        organization=cast.hospital,
        unannounced=True,
        starts_at=starts_at,
        ends_on=local(starts_at).date() + dt.timedelta(days=2),
        inspectors=[inspector],
        author=inspector,
        scope_note=SCOPE,
        sample_student_ids=[cast.student.pk],
    )
    item = inspection.checklist.first()
    assert item is not None, "the checklist was not copied from the template"
    inspection.checklist.filter(pk=item.pk).update(note=CHECKLIST_NOTE)
    sampled = inspection.sample.get()
    inspection.sample.filter(pk=sampled.pk).update(note=SAMPLE_NOTE)
    observation = Observation.objects.create(
        inspection=inspection,
        checklist_item=item,
        sampled_student=sampled,
        text=OBSERVATION,
        author=inspector,
    )
    evidence = EvidenceFile(
        inspection=inspection,
        observation=observation,
        name=EVIDENCE_NAME,
        size=12,
        sha256="0" * 64,
        uploaded_by=inspector,
    )
    evidence.file.save(EVIDENCE_NAME, ContentFile(b"receipts 123"), save=False)
    evidence.save()
    section = ReportSection.objects.create(
        inspection=inspection, key="cash", title=SECTION_TITLE, body=SECTION_BODY
    )
    ReplyComment.objects.create(section=section, section_revision=1, text=COMMENT, author=inspector)
    return inspection


def secret_start() -> dt.datetime:
    """An unremarkable moment 47 days ahead, at 09:17 in the portal's time zone."""
    day = timezone.localdate() + dt.timedelta(days=47)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 17)))


# ---- The walk --------------------------------------------------------------------------------


@dataclass
class Walk:
    """What each watched user gets from each URL of their plan (URL → route name)."""

    clients: dict[str, Client]
    plan: dict[str, dict[str, str]]
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)

    def run(self, before: Walk | None = None) -> Walk:
        """Every URL of the plan; after `before`, those that answered (200) then, and the
        lists, whatever they answered: a refusal elsewhere does not depend on inspections
        (nothing but the inspections' pages asks whether one may see some), and so would
        not change. This halves the walk."""
        for who, client in self.clients.items():
            for url, name in self.plan[who].items():
                if before is None or rechecked(before.answers[who, url], name):
                    self.answers[who, url] = fetch(client, url)
        return self


def rechecked(earlier: Answer, name: str) -> bool:
    return earlier.status == 200 or bool(SEARCHED.search(name))


def compare(before: Walk, after: Walk, traces: dict[str, str]) -> list[str]:
    problems = []
    for key, answer in after.answers.items():
        earlier = before.answers[key]
        leaked = traces_in(answer, traces) - traces_in(earlier, traces)
        if leaked:
            problems.append(f"{key[0]} GET {key[1]}: {', '.join(sorted(leaked))}")
        elif not answer.same_as(earlier):
            problems.append(f"{key[0]} GET {key[1]} changed: {diff(earlier, answer)}")
    return problems


def search(walk: Walk, queries: list[str], traces: dict[str, str]) -> list[str]:
    """Every list that answers, searched and filtered so as to find the secret: no trace of
    it (but what the query itself says, echoed in the search form)."""
    problems = []
    for (who, url), answer in walk.answers.items():
        if answer.status != 200 or not SEARCHED.search(walk.plan[who][url]):
            continue
        for query in queries:
            said = unquote_plus(query)
            found = traces_in(fetch(walk.clients[who], f"{url}?{query}"), traces)
            found = {trace for trace in found if not any(part in said for part in _needles(trace))}
            if found:
                problems.append(f"{who} GET {url}?{query}: {', '.join(sorted(found))}")
    return problems


def _needles(trace: str) -> list[str]:
    """The text a trace label quotes ("its dates ('2026-01-14')" → "2026-01-14")."""
    return re.findall(r"'([^']*)'", trace)


def check_hidden(
    clients: dict[str, Client],
    secret: Secret,
    urls: dict[str, str],
    missing: Iterable[str],
    *,
    posters: Iterable[str] = (),
    statuses: dict[tuple[str, str, str], int] | None = None,
) -> list[str]:
    """Each URL of the secret must answer as the same URL of records that do not exist: a
    404 (the inspection's pages, the API), or the refusal anybody gets whatever the record
    (an administrators' page), never a page, and never a 403 that only a real record gets.
    `statuses` collects (who, method, URL) → status."""
    problems = []
    traces = secret.traces()
    paths = list(zip(urls, missing, strict=True))
    for who, client in clients.items():
        methods = ["get", "post"] if who in posters else ["get"]
        for method in methods:
            for real, fake in paths:
                # The URL asked for is echoed (the login redirect, the language form): that
                # tells the visitor nothing they did not type.
                answer = without_url(fetch(client, real, method), real)
                label = f"{who} {method.upper()} {real}"
                if statuses is not None:
                    statuses[who, method, real] = answer.status
                if 200 <= answer.status < 300:
                    problems.append(f"{label}: status {answer.status}")
                leaked = traces_in(answer, traces)
                if leaked:
                    problems.append(f"{label}: {', '.join(sorted(leaked))}")
                    continue
                if answer.status == 404:
                    continue  # what a missing record gets
                control = without_url(fetch(client, fake, method), fake)
                if not answer.same_as(control):
                    problems.append(
                        f"{label} differs from a missing record's: {diff(control, answer)}"
                    )
    return problems


def missing_of(chosen: dict[str, str], real: dict[str, str], missing: list[str]) -> list[str]:
    """The missing-record URLs of the `chosen` ones among `real` (same order)."""
    pairs = dict(zip(real, missing, strict=True))
    return [pairs[url] for url in chosen]


def without_url(answer: Answer, url: str) -> Answer:
    return Answer(
        answer.status, answer.body.replace(url, "<url>"), answer.location.replace(url, "<url>")
    )


def report(problems: list[str]) -> str:
    shown = "\n  ".join(problems[:40])
    more = f"\n  … and {len(problems) - 40} more" if len(problems) > 40 else ""
    return f"{len(problems)} ways to learn of the unannounced inspection:\n  {shown}{more}"


def secret_urls(secret: Secret) -> tuple[dict[str, str], list[str]]:
    """The URLs of the secret and the same URLs for records that do not exist (same order)."""
    real = filled_urls(secret.values) | history_urls(secret.records)
    fake_values = secret.missing_values()
    fake = filled_urls(fake_values)
    fake_history = [
        reverse("core:history", args=[r._meta.app_label, r._meta.model_name, 2_000_000_000])
        for r in secret.records
    ]
    fake_urls = list(fake) + fake_history
    assert len(fake_urls) == len(real)
    return real, fake_urls


# ---- The tests -------------------------------------------------------------------------------


def test_nothing_tells_the_inspected_side_of_an_unannounced_inspection_before_it_starts(
    neighbourhood: Cast,
    admin: User,
    outsider: User,
    inspector: User,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    caplog.set_level(logging.ERROR, logger="django.request")  # hundreds of 403s and 404s
    cast = neighbourhood
    people = watched(cast, outsider)
    assert not any(user.is_staff for user in people.values() if user is not None)
    clients = {who: client_of(user) for who, user in people.items()}
    starts_at = secret_start()
    neighbours = filled_urls(neighbour_values(cast)) | history_urls(
        [cast.hospital, cast.program, cast.student, cast.placement]
    )
    pages = parameterless_urls() | neighbours
    plan = {who: pages if who in CLOSE else lists(pages) for who in people}

    before = Walk(clients, plan).run()
    assert before.answers["coordinator", reverse("inspections:inspection-list")].status == 200

    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inspection = schedule_secret(
            admin=admin, inspector=inspector, cast=cast, starts_at=starts_at
        )
    secret = Secret(inspection, secret_values(inspection), secret_records(inspection))
    assert not Inspection.objects.visible_to(cast.coordinator).filter(pk=inspection.pk).exists()

    after = Walk(clients, plan).run(before)
    traces = secret.traces()
    problems = compare(before, after, traces)
    problems += search(after, search_queries(cast, starts_at), traces)

    real, missing = secret_urls(secret)
    # The walk reaches the inspection's pages: those who may see it get them.
    admin_client = client_of(admin)
    opened = {real[url] for url in real if fetch(admin_client, url).status == 200}
    assert {
        "inspections:inspection-detail",
        "inspections:checklist",
        "inspections:sample",
        "inspections:observations",
        "inspections:evidence-download",
        "inspections:report",
        "inspections:reply",
        "api:inspection-detail",
        "api:inspection-comments",
        "core:history",
    } <= opened, opened
    near = {who: clients[who] for who in ("coordinator", "sampled_student", "anonymous")}
    statuses: dict[tuple[str, str, str], int] = {}
    problems += check_hidden(
        near, secret, real, missing, posters=["coordinator"], statuses=statuses
    )
    # The inspection's own pages and API routes: "not found" for the inspected side (or "not
    # allowed" for a method no one may use there).
    own = re.compile(r"^inspections:(?!draw|assignment|template|inspector)|^api:inspection-")
    problems += [
        f"coordinator {method.upper()} {url}: status {status}, not 404"
        for (who, method, url), status in statuses.items()
        if who == "coordinator" and own.search(real[url]) and status not in (404, 405)
    ]

    # No notification, no e-mail to any of them (the team was told).
    recipients = {user.pk for user in people.values() if user is not None}
    told = Notification.objects.filter(pk__gt=last_notification or 0)
    problems += [
        f"notification to {n.recipient}: {n.title}" for n in told.filter(recipient__in=recipients)
    ]
    emails = {user.email for user in people.values() if user is not None}
    problems += [
        f"e-mail to {message.to}: {message.subject}"
        for message in mail.outbox
        if emails & set(message.to)
    ]
    assert told.filter(recipient=inspector).exists(), "the team is told of its inspection"
    assert problems == [], report(problems)


def test_an_unannounced_inspection_of_a_program_stays_hidden_from_its_administrators(
    neighbourhood: Cast,
    admin: User,
    outsider: User,
    inspector: User,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The same for a program: its administrators, tutors and students learn nothing."""
    caplog.set_level(logging.ERROR, logger="django.request")
    cast = neighbourhood
    people = {
        who: user
        for who, user in watched(cast, outsider).items()
        if who in ("program_admin", "tutor", "sampled_student")
    }
    clients = {who: client_of(user) for who, user in people.items()}
    pages = lists(parameterless_urls()) | filled_urls({"programs": cast.program.pk})
    plan = dict.fromkeys(people, pages)
    starts_at = secret_start()
    before = Walk(clients, plan).run()
    mail.outbox.clear()
    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        inspection = services.schedule_inspection(
            by=admin,
            title=TITLE,
            inspection_type=InspectionType.FUNDS,
            program=cast.program,
            unannounced=True,
            starts_at=starts_at,
            ends_on=local(starts_at).date() + dt.timedelta(days=2),
            inspectors=[inspector],
            author=inspector,
            scope_note=SCOPE,
            sample_size=2,
        )
    assert inspection.sample.count() == 2  # both students of the program
    secret = Secret(inspection, secret_values(inspection), secret_records(inspection))
    after = Walk(clients, plan).run(before)
    traces = secret.traces()
    problems = compare(before, after, traces)
    problems += search(after, search_queries(cast, starts_at), traces)
    real, missing = secret_urls(secret)
    inspected = {"program_admin": clients["program_admin"]}
    problems += check_hidden(inspected, secret, real, missing, posters=["program_admin"])
    emails = {user.email for user in people.values() if user is not None}
    problems += [f"e-mail to {m.to}: {m.subject}" for m in mail.outbox if emails & set(m.to)]
    told = Notification.objects.filter(pk__gt=last_notification or 0, recipient__in=people.values())
    problems += [f"notification to {n.recipient}: {n.title}" for n in told]
    assert problems == [], report(problems)


def test_a_draw_of_unannounced_inspections_stays_secret_until_they_start(
    neighbourhood: Cast,
    admin: User,
    outsider: User,
    inspector: User,
    lead_inspector: User,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The draw names its targets: neither its pages, its public verification page nor the
    API show it to the inspected side (or anybody but administrators) before the start."""
    caplog.set_level(logging.ERROR, logger="django.request")
    cast = neighbourhood
    # Only `inspector` in the pool, so that the draw's team is known.
    InspectorProfile.objects.exclude(user=inspector).update(is_active=False)
    starts_at = secret_start()
    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        made = draws.make_draw(
            by=admin,
            target_kind=Draw.TargetKind.ORGANIZATION,
            inspection_type=InspectionType.FUNDS,
            unannounced=True,
            targets=1,
            students_per_target=1,
            inspectors_per_target=1,
            candidate_ids=[cast.hospital.pk],
            starts_at=starts_at,
            ends_on=local(starts_at).date() + dt.timedelta(days=2),
        )
    InspectorProfile.objects.update(is_active=True)
    inspection = made.inspections.get()
    assert list(inspection.inspectors.all()) == [inspector]
    assert [sampled.student for sampled in inspection.sample.all()] == [cast.student]
    secret = Secret(inspection, secret_values(inspection), secret_records(inspection))
    real, missing = secret_urls(secret)
    drawn = {url: name for url, name in real.items() if "draw" in name or name.endswith("-detail")}
    assert {"public:draw-verify", "inspections:draw-detail", "api:draw-detail"} <= set(
        drawn.values()
    )
    people = {**watched(cast, outsider), "lead_inspector": lead_inspector}
    near = ("coordinator", "program_admin", "sampled_student", "lead_inspector", "anonymous")
    clients = {who: client_of(people[who]) for who in near}
    problems = check_hidden(clients, secret, drawn, missing_of(drawn, real, missing))
    recipients = [user for user in people.values() if user is not None]
    told = Notification.objects.filter(pk__gt=last_notification or 0, recipient__in=recipients)
    problems += [f"notification to {n.recipient}: {n.title}" for n in told]
    emails = {user.email for user in recipients}
    problems += [f"e-mail to {m.to}: {m.subject}" for m in mail.outbox if emails & set(m.to)]
    assert problems == [], report(problems)

    # Once every inspection of the draw has started, anybody may verify it.
    Inspection.objects.filter(pk=inspection.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    url = reverse("public:draw-verify", args=[made.public_id])
    assert client_of(None).get(url).status_code == 200


def test_its_team_and_portal_administrators_see_it_but_no_other_inspector(
    neighbourhood: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    unassigned_inspector: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cast = neighbourhood
    with django_capture_on_commit_callbacks(execute=True):
        inspection = schedule_secret(
            admin=admin, inspector=inspector, cast=cast, starts_at=secret_start()
        )
    detail = reverse("inspections:inspection-detail", args=[inspection.pk])
    api = reverse("api:inspection-detail", args=[inspection.pk])
    lists = [reverse("inspections:inspection-list"), reverse("api:inspection-list")]

    def sees(user: User) -> bool:
        client = client_of(user)
        statuses = {client.get(detail).status_code, client.get(api).status_code}
        listed = [TITLE in fetch(client, url).body for url in lists]
        assert statuses in ({200}, {404}), statuses
        assert listed in ([True, True], [False, False]), listed
        return statuses == {200} and all(listed)

    assert sees(admin)
    assert sees(inspector)
    # On no team of it, though assigned to the hospital; or without any assignment.
    assert not sees(lead_inspector)
    assert not sees(unassigned_inspector)
    # Revoking the assignment takes effect on the next request.
    assignment = InspectionAssignment.objects.current().get(
        inspector=inspector, organization=cast.hospital
    )
    services.revoke_assignment(by=admin, assignment=assignment)
    assert not sees(inspector)


def test_once_it_starts_the_inspected_side_sees_it_and_is_told_exactly_once(
    neighbourhood: Cast,
    admin: User,
    outsider: User,
    inspector: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cast = neighbourhood
    with django_capture_on_commit_callbacks(execute=True):
        inspection = schedule_secret(
            admin=admin, inspector=inspector, cast=cast, starts_at=secret_start()
        )
    people = watched(cast, outsider)
    clients = {who: client_of(user) for who, user in people.items()}
    detail = reverse("inspections:inspection-detail", args=[inspection.pk])
    api = reverse("api:inspection-detail", args=[inspection.pk])
    assert reveal_started_inspections() == 0  # not started: nobody is told

    # The test's clock: the start time passes.
    Inspection.objects.filter(pk=inspection.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )
    mail.outbox.clear()
    first = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        assert reveal_started_inspections() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert reveal_started_inspections() == 0  # a second run tells nobody again
    # The inspector starting it on site does not tell them a second time either.
    with django_capture_on_commit_callbacks(execute=True):
        services.start_inspection(by=inspector, inspection=inspection)

    told = Notification.objects.filter(pk__gt=first, link=detail)
    assert [n.recipient for n in told] == [cast.coordinator]
    assert [message.to for message in mail.outbox] == [[cast.coordinator.email]]

    # The coordinator of the hospital sees it; the others still do not.
    coordinator = clients.pop("coordinator")
    assert coordinator.get(detail).status_code == 200
    assert coordinator.get(api).status_code == 200
    assert TITLE in fetch(coordinator, reverse("inspections:inspection-list")).body
    assert TITLE in fetch(coordinator, reverse("api:inspection-list")).body
    for who, client in clients.items():
        if who == "anonymous":
            assert client.get(detail).status_code == 302  # to the login page
            assert client.get(api).status_code == 401
        else:
            assert (client.get(detail).status_code, client.get(api).status_code) == (404, 404), who


def test_cancelling_it_before_it_starts_tells_only_the_team(
    neighbourhood: Cast,
    admin: User,
    outsider: User,
    inspector: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cast = neighbourhood
    inspection = schedule_secret(
        admin=admin, inspector=inspector, cast=cast, starts_at=secret_start()
    )
    mail.outbox.clear()
    first = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_inspection(by=admin, inspection=inspection, reason="Budget cut.")
    told = Notification.objects.filter(pk__gt=first)
    assert {n.recipient for n in told} == {inspector}
    assert [message.to for message in mail.outbox] == [[inspector.email]]
    # Its start time passing later reveals nothing: a cancelled inspection stays untold.
    Inspection.objects.filter(pk=inspection.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert reveal_started_inspections() == 0
    assert not Notification.objects.filter(pk__gt=first, recipient=cast.coordinator).exists()


def test_a_cancelled_unannounced_inspection_stays_unknown_after_its_start_time(
    neighbourhood: Cast, admin: User, inspector: User
) -> None:
    """It never starts: its start time passing reveals it to nobody."""
    cast = neighbourhood
    inspection = schedule_secret(
        admin=admin, inspector=inspector, cast=cast, starts_at=secret_start()
    )
    services.cancel_inspection(by=admin, inspection=inspection, reason="Budget cut.")
    Inspection.objects.filter(pk=inspection.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )
    coordinator = client_of(cast.coordinator)
    detail = reverse("inspections:inspection-detail", args=[inspection.pk])
    assert TITLE not in fetch(coordinator, reverse("inspections:inspection-list")).body
    assert coordinator.get(detail).status_code == 404
