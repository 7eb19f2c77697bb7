"""Crawl the demo as each demo account: every link a page offers opens.

The demo is loaded once for the module (`seed_demo`, then its first audit run in-process).
Each account starts at `/` and follows, breadth first, every same-site `<a href>` of the
pages it reaches (GET only); a link that answers 4xx or 5xx fails the test with the page that
offered it. Pages are deduplicated by their pattern (digits replaced), so that a list of 30
students costs one student page, not 30.

In Chinese, the visible text of every page must hold no English sentence of the catalogue
(a msgid of two words or more) outside what users entered (the demo's names, titles...).
"""

from __future__ import annotations

import io
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import polib
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client, override_settings
from django.utils import translation

from accounts.models import User
from training_portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "@demo.example"
# The README's table of demo accounts, and anonymous (None).
ACCOUNTS = [
    "admin",
    "progadmin",
    "coordinator",
    "tutor",
    "practice.tutor",
    "student",
    "student2",
    "inspector",
    "inspector2",
    "outsider",
    None,
]
MAX_PAGES = 150
SKIPPED_PREFIXES = (
    "/accounts/logout/",  # would end the session the crawl runs in
    # Django's own admin: its pages and links are Django's, and admin@ alone sees them.
    "/admin/",
    "/static/",
    "/media/",
)


class _Page(HTMLParser):
    """The links (`<a href>`) and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def pattern(url: str) -> str:
    """The URL with every run of digits replaced: one page per kind of page."""
    return re.sub(r"\d+", "N", url)


@dataclass
class Crawl:
    visited: dict[str, int] = field(default_factory=dict)  # url -> status
    broken: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # url -> visible text of HTML pages


def _offered(base: str, href: str) -> str | None:
    """The same-site path (and query) `href` leads to, or None for what is not crawled."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http", "https"):
        return None
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Client, *, language: str = "en") -> Crawl:
    # The pages activate their reader's language in this thread: give the next tests theirs.
    with translation.override(translation.get_language()):
        return _crawl(client, language)


def _crawl(client: Client, language: str) -> Crawl:
    result = Crawl()
    seen_patterns: set[str] = set()
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    headers = {"accept-language": language}
    while queue and len(result.visited) < MAX_PAGES:
        url, offered_by = queue.popleft()
        if pattern(url) in seen_patterns:
            continue
        seen_patterns.add(pattern(url))
        response = client.get(url, headers=headers)
        result.visited[url] = response.status_code
        if response.status_code >= 400:
            result.broken.append(f"{offered_by} -> {url}: {response.status_code}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = _offered(url, response["Location"])
            if target is not None:
                queue.append((target, f"{url} (redirect)"))
            continue
        if getattr(response, "streaming", False):  # a download: fetched, not parsed
            # Consumed to the end, the test client closes the file (and only the file).
            b"".join(response.streaming_content)
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = parse(response.content.decode())
        result.texts[url] = " ".join(" ".join(page.text).split())
        for href in page.links:
            target = _offered(url, href)
            if target is not None and pattern(target) not in seen_patterns:
                queue.append((target, url))
    return result


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "media"


@pytest.fixture(autouse=True)
def _media_root(settings: Any, demo_media: Path) -> None:
    """The demo's files (its reports) stay where the module's demo wrote them."""
    settings.MEDIA_ROOT = demo_media


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, demo_media: Path) -> Iterator[None]:
    """The demo, loaded once for the module and rolled back after it; its first audit (queued
    by seed_demo for the worker) runs in-process, so that findings are there to follow."""
    from supervision.audits.engine import run_audit
    from supervision.models import AuditRun

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    with (
        override_settings(
            MEDIA_ROOT=demo_media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", "--force", stdout=io.StringIO())
        for run in AuditRun.objects.all():
            run_audit(run.job_id)
        yield
        transaction.set_rollback(True)
    celery_app.conf.task_always_eager = eager


def client_for(account: str | None) -> Client:
    client = Client()
    if account is not None:
        client.force_login(User.objects.get(email=f"{account}{DOMAIN}"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: a or "anonymous")
def test_every_link_of_the_demo_opens_for_every_demo_account(
    demo: None, account: str | None
) -> None:
    result = crawl(client_for(account))

    assert len(result.visited) > 1
    assert result.broken == [], "\n".join(result.broken)


# ---- Chinese: no English outside what users entered ---------------------------------------


def catalogue_sentences() -> list[str]:
    """The English msgids of two words or more, cut at their placeholders and tags (each
    piece of two words or more is looked for)."""
    catalogue = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    pieces: set[str] = set()
    for entry in catalogue:
        for msgid in (entry.msgid, entry.msgid_plural):
            for piece in re.split(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|<[^>]+>|[“”\"'()]", msgid):
                words = piece.split()
                if len(words) >= 2 and re.search(r"[a-z]{3}", piece):
                    pieces.add(" ".join(words).strip(" .,:;"))
    return sorted(pieces, key=len, reverse=True)


def _strings(value: Any) -> Iterator[str]:
    """The strings in a value (a row, or the lists and objects of a JSON field)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def entered_values() -> list[str]:
    """Every text users (or the demo, as a user would) entered: the values of the text
    fields of every row of the portal's apps, choices excepted."""
    values: set[str] = set()
    for label in ("accounts", "programs", "supervision", "evaluation", "core"):
        for model in apps.get_app_config(label).get_models():
            fields = [
                f.name
                for f in model._meta.get_fields()
                if isinstance(f, models.CharField | models.TextField | models.JSONField)
                and not f.choices
            ]
            for row in model._default_manager.values_list(*fields) if fields else []:
                values.update(" ".join(v.split()) for v in _strings(row) if len(v) >= 3)
    return sorted(values, key=len, reverse=True)


@pytest.mark.django_db
@pytest.mark.parametrize("account", ["student2", "progadmin", "inspector2", None])
def test_the_chinese_demo_shows_no_english_sentence_outside_entered_content(
    demo: None, account: str | None
) -> None:
    if account is not None:
        User.objects.filter(email=f"{account}{DOMAIN}").update(preferred_language="zh-hans")
    result = crawl(client_for(account), language="zh-hans")
    english_sentence = re.compile(
        r"(?<![\w-])(?:" + "|".join(map(re.escape, catalogue_sentences())) + r")(?![\w-])"
    )
    entered = entered_values()

    english: list[str] = []
    for url, text in result.texts.items():
        for value in entered:
            if value in text:
                text = text.replace(value, " ")
        found = english_sentence.findall(text)
        if found:
            english.append(f"{url}: {found[:5]}")
    assert result.broken == [], "\n".join(result.broken)
    assert english == [], "\n".join(english)
