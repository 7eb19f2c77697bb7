"""The Atom feed of new publications: every published version of an inspection report or of an
audit summary, newest first. Like the public pages, it shows only what was published (titles,
organisations and programs, what changed), never who published or approved it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from training_portal.core.public_cache import cached

from ...models import PublishedAuditSummary, PublishedReport
from .pages import public_rate_limited

#: How many publications the feed carries.
FEED_ITEMS = 30


@dataclass(frozen=True)
class Publication:
    """One published version, report or audit summary, as a feed entry."""

    title: str
    link: str
    description: str
    published_at: dt.datetime
    content_hash: str
    category: str


def _newest(
    versions: QuerySet[Any], limit: int, texts: Callable[[Any], tuple[str, str, str]], category: str
) -> list[Publication]:
    """The newest `limit` of `versions` (one query) as entries of `category`; `texts(version)`
    gives an entry's title, link and description."""
    return [
        Publication(*texts(version), version.published_at, version.content_hash, category)
        for version in versions.order_by("-published_at", "-id")[:limit]
    ]


def _report_texts(report: PublishedReport) -> tuple[str, str, str]:
    target = report.program or report.organization
    return (
        _("%(title)s (version %(version)d)") % {"title": report.title, "version": report.version},
        reverse("public:report-version", args=[report.inspection_id, report.version]),
        report.change_note or _("Inspection report on %(target)s.") % {"target": target},
    )


def _summary_texts(summary: PublishedAuditSummary) -> tuple[str, str, str]:
    return (
        _("Audit summary: %(program)s (version %(version)d)")
        % {"program": summary.program, "version": summary.version},
        reverse("public:summary-version", args=[summary.program_id, summary.version]),
        summary.change_note
        or _("Summary of the audit results of %(program)s.") % {"program": summary.program},
    )


def _reports(limit: int) -> list[Publication]:
    versions = PublishedReport.objects.select_related("program", "organization").defer(
        "content", "search_text"
    )
    return _newest(versions, limit, _report_texts, _("Inspection report"))


def _summaries(limit: int) -> list[Publication]:
    versions = PublishedAuditSummary.objects.select_related("program").defer("content")
    return _newest(versions, limit, _summary_texts, _("Audit summary"))


class PublicationsFeed(Feed):
    """New publications of the public portal (Atom 1.0)."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Training Portal: published results")

    def subtitle(self) -> str:
        return _("New inspection reports, corrections and audit summaries.")

    def link(self) -> str:
        return reverse("public:home")

    def items(self) -> list[Publication]:
        # Two bounded queries; the newest FEED_ITEMS of both kinds together.
        merged = _reports(FEED_ITEMS) + _summaries(FEED_ITEMS)
        merged.sort(key=lambda item: item.published_at, reverse=True)
        return merged[:FEED_ITEMS]

    def item_title(self, item: Publication) -> str:
        return item.title

    def item_description(self, item: Publication) -> str:
        return item.description

    def item_link(self, item: Publication) -> str:
        return item.link

    def item_guid(self, item: Publication) -> str:
        return f"urn:sha256:{item.content_hash}"

    def item_guid_is_permalink(self, item: Publication) -> bool:
        return False

    def item_pubdate(self, item: Publication) -> dt.datetime:
        return item.published_at

    def item_updateddate(self, item: Publication) -> dt.datetime:
        return item.published_at

    def item_categories(self, item: Publication) -> list[str]:
        return [item.category]


_feed = PublicationsFeed()


@require_safe
@public_rate_limited
def publications_feed(request: HttpRequest) -> HttpResponse:
    """The feed, cached like the public pages (it holds nothing per visitor, so the whole
    response is cached)."""

    def render() -> tuple[bytes, str]:
        response = _feed(request)
        return response.content, response["Content-Type"]

    cached_feed: Any = cached("feed", request, render)
    content, content_type = cached_feed
    response = HttpResponse(content, content_type=content_type)
    patch_vary_headers(response, ["Accept-Language"])
    return response
