"""What every public page shares.

Everything shown on the public portal was frozen when it was published
(`PublishedReport.content`, `PublishedAuditSummary.content`: de-identified, counts below 5
suppressed); pages render those documents and never read the live inspection, its people or
its findings. A draw's record is shown with ids, and with the names of organisations and
programs only.

Safe for anonymous traffic:
- every query is bounded (paginated lists, a fixed number of queries per page);
- the body of each page is rendered without the request and cached, the layout around it is
  rendered for each request (`training_portal.core.public_cache`);
- anonymous clients are rate-limited (`training_portal.core.ratelimit`): beyond the limit
  they get a 429 page with Retry-After.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from training_portal.core.public_cache import PublicPage, View, public_pages
from training_portal.core.ratelimit import rate_limited

from ...models import Severity
from ...models.inspection_reports import ChainedVersion
from ...rules import get_rule

__all__ = ["PublicPage", "public_page", "public_rate_limited"]

PER_PAGE = 20
#: Severities, most severe first.
SEVERITIES = [Severity.CRITICAL, Severity.MAJOR, Severity.MINOR, Severity.INFO]
RATE_LIMITED_TEMPLATE = "supervision/public/rate_limited.html"

#: GET (or HEAD) only, rate-limited, the body cached, in the public layout.
public_page = public_pages("supervision/public/page.html", RATE_LIMITED_TEMPLATE)
#: The public rate limit, for a public view that is not a page (the feed).
public_rate_limited = rate_limited(RATE_LIMITED_TEMPLATE)


def label(choices: Any, value: Any) -> str:
    """The translated label of a choice value; the value itself when it is unknown."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def rule_title(code: str) -> str:
    rule = get_rule(code)
    return str(rule.label) if rule is not None else code


def paginate(request: HttpRequest, items: Any) -> Page:
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


def page_query(form: forms.Form) -> str:
    """The filters of a list as a query string, for the pagination links."""
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    pairs = []
    for name, value in data.items():
        if value in (None, ""):
            continue
        pairs.append((name, value.pk if isinstance(value, Model) else value))
    return urlencode(pairs)


def iso_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class ChainRow:
    """One version of a chain as the pages show it."""

    version: int
    published_at: Any
    change_note: str
    content_hash: str
    previous_hash: str
    url: str
    current: bool


def chain_rows(
    versions: Sequence[ChainedVersion], url: Callable[[int], str], current: int
) -> list[ChainRow]:
    return [
        ChainRow(
            version=item.version,
            published_at=item.published_at,
            change_note=item.change_note,
            content_hash=item.content_hash,
            previous_hash=item.previous_hash,
            url=url(item.version),
            current=item.version == current,
        )
        for item in versions
    ]


@dataclass(frozen=True)
class VersionCheck:
    """A version's own verification, recomputed for the verify page."""

    version: int
    content_hash: str
    recomputed_hash: str
    hash_matches: bool
    link_holds: bool
    url: str


def version_checks(
    versions: Sequence[ChainedVersion], url: Callable[[int], str]
) -> list[VersionCheck]:
    """Per version: does its stored hash match its content, and does it link to the stored
    hash of the version before it (`verify_chain` gives the verdict; this is its detail)."""
    checks = []
    previous = ""
    for item in versions:
        recomputed = item.compute_hash()
        checks.append(
            VersionCheck(
                version=item.version,
                content_hash=item.content_hash,
                recomputed_hash=recomputed,
                hash_matches=recomputed == item.content_hash,
                link_holds=item.previous_hash == previous,
                url=url(item.version),
            )
        )
        previous = item.content_hash
    return checks


@dataclass(frozen=True)
class PublishedChain:
    """The public pages of one kind of hash-chained publication, by the convention of its
    routes: `<route>-detail`, `<route>-version` and `<route>-verify`, each taking the pk of
    what was published about (and `-version` the version's number)."""

    route: str
    #: The model of the published versions, and its field naming what they are about.
    model: Any
    subject_field: str

    def versions_or_404(self, pk: int, *deferred: str) -> list[Any]:
        """The versions published about `pk`, oldest first (404 if none), without the
        `deferred` fields."""
        versions = list(
            self.model.objects.filter(**{f"{self.subject_field}_id": pk})
            .defer(*deferred)
            .order_by("version")
        )
        if not versions:
            raise Http404
        return versions

    def version_url(self, pk: int) -> Callable[[int], str]:
        return lambda version: reverse(f"{self.route}-version", args=[pk, version])

    def version_page(
        self,
        pk: int,
        versions: Sequence[ChainedVersion],
        number: int,
        *,
        title: str,
        template: str,
        context: dict[str, Any],
    ) -> PublicPage:
        """Version `number` of the publication, with the whole chain and the links to the
        newest version and to the verification."""
        return PublicPage(
            title=title,
            template=template,
            context={
                **context,
                "is_latest": number == versions[-1].version,
                "chain": chain_rows(versions, self.version_url(pk), number),
                "verify_url": reverse(f"{self.route}-verify", args=[pk]),
                "latest_url": reverse(f"{self.route}-detail", args=[pk]),
            },
        )

    def verify_view(
        self,
        subject_model: type[Model],
        verify: Callable[[Any], Any],
        *,
        title: Any,
        subject: Callable[[Any, list[Any]], Any],
    ) -> View:
        """The public view that recomputes the hash chain of what was published about one
        `subject_model` (its pk in the URL): intact, or which versions fail. `verify` gives
        the problems; `subject(obj, versions)` names what was published."""
        published = self.model.objects.values(f"{self.subject_field}_id")

        @public_page
        def verify_page(request: HttpRequest, **kwargs: int) -> PublicPage:
            (pk,) = kwargs.values()
            obj = subject_model._default_manager.filter(pk=pk, pk__in=published).first()
            if obj is None:
                raise Http404
            problems = verify(obj)
            versions = list(
                self.model.objects.filter(**{self.subject_field: obj}).order_by("version")
            )
            return PublicPage(
                title=title,
                template="supervision/public/chain_verify.html",
                context={
                    "subject": subject(obj, versions),
                    "subject_url": reverse(f"{self.route}-detail", args=[pk]),
                    "problems": problems,
                    "checks": version_checks(versions, self.version_url(pk)),
                    "checked_at": timezone.now(),
                },
            )

        return verify_page
