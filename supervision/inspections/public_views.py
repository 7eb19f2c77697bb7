"""The public portal (namespace "public", no login): published inspection reports and audit
summaries with their hash chains and verification, and the verification of draws.

Everything shown here was frozen when it was published (`PublishedReport.content`,
`PublishedAuditSummary.content`: de-identified, counts below 5 suppressed); pages render those
documents and never read the live inspection, its people or its findings. A draw's record is
shown with ids, and with the names of organisations and programs only.

Safe for anonymous traffic:
- every query is bounded (paginated lists, a fixed number of queries per page);
- the body of each page (everything inside the layout) is rendered without the request, so
  that it holds nothing per user (no CSRF token, no name, no messages), and is cached for
  `PUBLIC_CACHE_SECONDS` (default 60) per language and URL; the layout around it (navigation,
  language switch, CSRF token) is rendered for each request. Caching whole responses with
  `cache_page` would serve one visitor's CSRF token to the next;
- anonymous clients are limited to `PUBLIC_RATE_LIMIT` requests (default 120) per
  `PUBLIC_RATE_WINDOW` seconds (default 60) and per IP address, counted in the cache (a fixed
  window); beyond it they get a 429 page with Retry-After.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar
from uuid import UUID

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from programs.models import Organization, Program, ProgramPartner
from programs.models.organizations import OrganizationKind
from training_portal.core.charts import ColumnGroup, Series, column_chart
from training_portal.core.forms import BootstrapForm

from ..models import (
    ChecklistItem,
    ConflictOfInterest,
    Draw,
    Inspection,
    InspectionType,
    PublishedAuditSummary,
    PublishedReport,
    Severity,
)
from ..models.inspections import ChainedVersion, latest_only
from ..rules import get_rule
from . import draw as draws
from . import public_cache, publication

PER_PAGE = 20
HOME_ROWS = 8
#: Severities, most severe first.
SEVERITIES = [Severity.CRITICAL, Severity.MAJOR, Severity.MINOR, Severity.INFO]
#: Words of a search (more are ignored: a search is a few words, not a document).
MAX_SEARCH_WORDS = 8

View = Callable[..., HttpResponse]
VersionT = TypeVar("VersionT", bound=ChainedVersion)


# ---- Rate limit and cache --------------------------------------------------------------------


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _client_address(request: HttpRequest) -> str:
    # As for django-axes (AXES_IPWARE_META_PRECEDENCE_ORDER): the proxy in front sets
    # REMOTE_ADDR; a forwarded-for header can be forged by the client.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _seconds_left_if_limited(request: HttpRequest) -> int | None:
    """Count this request of an anonymous client; the seconds until its window ends when it
    is over the limit, else None. Signed-in users are not limited."""
    if request.user.is_authenticated:
        return None
    limit = _setting("PUBLIC_RATE_LIMIT", 120)
    window = max(_setting("PUBLIC_RATE_WINDOW", 60), 1)
    if limit <= 0:
        return None
    now = time.time()
    bucket = int(now // window)
    address = hashlib.sha256(_client_address(request).encode()).hexdigest()[:32]
    key = f"public:rate:{address}:{bucket}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    return max(int((bucket + 1) * window - now), 1)


def rate_limited(view: View) -> View:
    """Answer 429 (translated, with Retry-After) to an anonymous client over its limit."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = _seconds_left_if_limited(request)
        if seconds is not None:
            response = render(
                request,
                "supervision/public/rate_limited.html",
                {"seconds": seconds},
                status=429,
            )
            response["Retry-After"] = str(seconds)
            return response
        return view(request, *args, **kwargs)

    return wrapped


def cache_seconds() -> int:
    return _setting("PUBLIC_CACHE_SECONDS", 60)


def cache_key(kind: str, request: HttpRequest) -> str:
    """One key per kind of content, language and URL (host, path and query string), in the
    current generation (a publication starts a new one: see `public_cache`)."""
    path = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"public:{kind}:{public_cache.generation()}:{translation.get_language()}:{path}"


@dataclass
class PublicPage:
    """What a public view gives: the page's title, and the template and context of its body
    (rendered without the request: nothing in it may depend on who asks)."""

    title: str | Promise
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def public_page(view: Callable[..., PublicPage]) -> View:
    """A GET (or HEAD) only, rate-limited public page whose body is cached (see the module
    docstring)."""

    @wraps(view)
    @require_safe
    @rate_limited
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = cache_seconds()
        key = cache_key("page", request)
        cached = cache.get(key) if seconds > 0 else None
        if cached is None:
            page = view(request, *args, **kwargs)
            cached = (str(page.title), render_to_string(page.template, page.context))
            if seconds > 0:
                cache.set(key, cached, seconds)
        title, body = cached
        response = render(
            request,
            "supervision/public/page.html",
            {"page_title": title, "body": mark_safe(body)},  # noqa: S308  (our own rendering)
        )
        patch_vary_headers(response, ["Accept-Language"])
        if not request.user.is_authenticated and seconds > 0:
            # Private: the layout around the body carries this visitor's CSRF token.
            patch_cache_control(response, private=True, max_age=seconds)
        return response

    return wrapped


# ---- Shared pieces ---------------------------------------------------------------------------


def _label(choices: Any, value: Any) -> str:
    """The translated label of a choice value; the value itself when it is unknown."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def rule_title(code: str) -> str:
    rule = get_rule(code)
    return str(rule.label) if rule is not None else code


def _paginate(request: HttpRequest, items: Any) -> Page:
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


def _page_query(form: forms.Form) -> str:
    """The filters of a list as a query string, for the pagination links."""
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    pairs = []
    for name, value in data.items():
        if value in (None, ""):
            continue
        pairs.append((name, value.pk if isinstance(value, Model) else value))
    return urlencode(pairs)


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


def _chain_rows(
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


def _version_checks(
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


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        # ISO dates: what <input type="date"> sends and shows, whatever the language.
        super().__init__(attrs, format or "%Y-%m-%d")


def _date_range_errors(form: forms.Form) -> None:
    start = form.cleaned_data.get("published_from")
    end = form.cleaned_data.get("published_to")
    if start and end and start > end:
        form.add_error("published_to", _("The end of the period is before its start."))


class ReportFilterForm(BootstrapForm):
    """Search and filters of the published reports (GET)."""

    q = forms.CharField(label=gettext_lazy("Search"), max_length=200, required=False)
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=gettext_lazy("All organisations"),
    )
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=gettext_lazy("All programs"),
    )
    type = forms.ChoiceField(
        label=gettext_lazy("Inspection type"),
        choices=[("", gettext_lazy("All types")), *InspectionType.choices],
        required=False,
    )
    published_from = forms.DateField(
        label=gettext_lazy("Published from"), required=False, widget=DateInput
    )
    published_to = forms.DateField(
        label=gettext_lazy("Published until"), required=False, widget=DateInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        published = PublishedReport.objects.all()
        # Only what has been published can be picked (and nothing else is revealed).
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=published.values("organization_id")
        ).order_by("name")
        self.fields["program"].queryset = Program.objects.filter(  # type: ignore[attr-defined]
            pk__in=published.values("program_id")
        ).order_by("code")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _date_range_errors(self)
        return cleaned


class SummaryFilterForm(BootstrapForm):
    """Filters of the published audit summaries (GET)."""

    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=gettext_lazy("All programs"),
    )
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=gettext_lazy("All organisations"),
        help_text=gettext_lazy("The programs it leads or takes part in."),
    )
    date = forms.DateField(
        label=gettext_lazy("As published on"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("The version of each summary that was current on this day."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programs = PublishedAuditSummary.objects.values("program_id")
        self.fields["program"].queryset = Program.objects.filter(  # type: ignore[attr-defined]
            pk__in=programs
        ).order_by("code")
        organizations = Organization.objects.filter(
            Q(led_programs__in=programs)
            | Q(partnerships__program_id__in=programs, partnerships__is_active=True)
        )
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            organizations.distinct().order_by("name")
        )


def _filtered(form: forms.Form) -> dict[str, Any]:
    """The filters that are valid (an invalid one is reported on the form and ignored)."""
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}


def _in_period(queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
    if "published_from" in filters:
        queryset = queryset.filter(published_at__date__gte=filters["published_from"])
    if "published_to" in filters:
        queryset = queryset.filter(published_at__date__lte=filters["published_to"])
    return queryset


def search_words(text: str) -> list[str]:
    return text.split()[:MAX_SEARCH_WORDS]


# ---- Reports ---------------------------------------------------------------------------------


def latest_reports() -> QuerySet[PublishedReport]:
    """The newest version of every published report, newest first, without the documents."""
    return (
        latest_only(PublishedReport.objects.all(), "inspection_id")
        .select_related("program", "organization")
        .defer("content", "search_text")
        .order_by("-published_at", "-id")
    )


def filter_reports(
    reports: QuerySet[PublishedReport], filters: dict[str, Any]
) -> QuerySet[PublishedReport]:
    for word in search_words(filters.get("q", "")):
        reports = reports.filter(Q(title__icontains=word) | Q(search_text__icontains=word))
    if "organization" in filters:
        reports = reports.filter(organization=filters["organization"])
    if "program" in filters:
        reports = reports.filter(program=filters["program"])
    if "type" in filters:
        reports = reports.filter(inspection_type=filters["type"])
    return _in_period(reports, filters)


@dataclass(frozen=True)
class ReportRow:
    report: PublishedReport
    target: str
    type_label: str


def _report_rows(reports: Iterable[PublishedReport]) -> list[ReportRow]:
    return [
        ReportRow(
            report=report,
            target=str(report.program or report.organization or ""),
            type_label=_label(InspectionType, report.inspection_type),
        )
        for report in reports
    ]


def _report_url(inspection_id: int) -> Callable[[int], str]:
    return lambda version: reverse("public:report-version", args=[inspection_id, version])


def _summary_url(program_id: int) -> Callable[[int], str]:
    return lambda version: reverse("public:summary-version", args=[program_id, version])


def _iso_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _month_start(value: Any) -> dt.date | None:
    """The first day of a snapshot's month ("2026-12"), shown in the reader's language."""
    return _iso_date(f"{value}-01")


def _report_document(content: dict[str, Any]) -> dict[str, Any]:
    """The frozen report, with labels for its coded values (and nothing else added)."""
    checklist: list[dict[str, Any]] = []
    for item in content.get("checklist", []):
        if not checklist or checklist[-1]["section"] != item.get("section"):
            checklist.append({"section": item.get("section", ""), "items": []})
        checklist[-1]["items"].append(
            {
                "question": item.get("question", ""),
                "result": item.get("result", ""),
                "result_label": _label(ChecklistItem.Result, item.get("result", "")),
            }
        )
    findings = content.get("findings") or {}
    by_severity = findings.get("by_severity") or {}
    organization = content.get("organization") or {}
    period = content.get("period") or {}
    return {
        **content,
        "starts_on": _iso_date(period.get("starts_on")),
        "ends_on": _iso_date(period.get("ends_on")),
        "type_label": _label(InspectionType, content.get("inspection_type", "")),
        "organization_kind": _label(OrganizationKind, organization.get("kind", ""))
        if organization
        else "",
        "checklist_sections": checklist,
        "severities": [
            {
                "value": value,
                "label": Severity(value).label,
                "count": by_severity.get(value.value),
            }
            for value in SEVERITIES
            if value.value in by_severity
        ],
    }


@public_page
def home(request: HttpRequest) -> PublicPage:
    """The newest publications, and a search box."""
    summaries = (
        latest_only(PublishedAuditSummary.objects.all(), "program_id")
        .select_related("program")
        .defer("content")
        .order_by("-published_at", "-id")
    )
    return PublicPage(
        title=_("Published results"),
        template="supervision/public/home.html",
        context={
            "reports": _report_rows(latest_reports()[:HOME_ROWS]),
            "summaries": list(summaries[:HOME_ROWS]),
        },
    )


@public_page
def report_list(request: HttpRequest) -> PublicPage:
    """Published inspection reports (the newest version of each), searched and filtered."""
    form = ReportFilterForm(request.GET or None)
    filters = _filtered(form) if form.is_bound else {}
    page = _paginate(request, filter_reports(latest_reports(), filters))
    return PublicPage(
        title=_("Published inspection reports"),
        template="supervision/public/report_list.html",
        context={
            "form": form,
            "page": page,
            "rows": _report_rows(page.object_list),
            "page_query": _page_query(form),
        },
    )


def _report_versions(inspection_id: int) -> list[PublishedReport]:
    versions = list(
        PublishedReport.objects.filter(inspection_id=inspection_id)
        .defer("content", "search_text")
        .order_by("version")
    )
    if not versions:
        raise Http404
    return versions


def _report_page(inspection_id: int, version: int | None) -> PublicPage:
    versions = _report_versions(inspection_id)
    number = versions[-1].version if version is None else version
    shown = PublishedReport.objects.filter(inspection_id=inspection_id, version=number).first()
    if shown is None:
        raise Http404
    document = _report_document(shown.content)
    return PublicPage(
        title=shown.title,
        template="supervision/public/report_detail.html",
        context={
            "report": shown,
            "document": document,
            "latest": versions[-1],
            "is_latest": number == versions[-1].version,
            "chain": _chain_rows(versions, _report_url(inspection_id), number),
            "verify_url": reverse("public:report-verify", args=[inspection_id]),
            "latest_url": reverse("public:report-detail", args=[inspection_id]),
        },
    )


@public_page
def report_detail(request: HttpRequest, inspection_id: int) -> PublicPage:
    """The newest version of a published report, its versions and their hash chain."""
    return _report_page(inspection_id, None)


@public_page
def report_version(request: HttpRequest, inspection_id: int, version: int) -> PublicPage:
    """One version of a published report."""
    return _report_page(inspection_id, version)


@public_page
def report_verify(request: HttpRequest, inspection_id: int) -> PublicPage:
    """Recompute the hash chain of a report's versions: intact, or which versions fail."""
    inspection = Inspection.objects.filter(
        pk=inspection_id, pk__in=PublishedReport.objects.values("inspection_id")
    ).first()
    if inspection is None:
        raise Http404
    problems = publication.verify_report_chain(inspection)
    versions = list(PublishedReport.objects.filter(inspection=inspection).order_by("version"))
    return PublicPage(
        title=_("Verification of a published report"),
        template="supervision/public/chain_verify.html",
        context={
            "subject": versions[-1].title,
            "subject_url": reverse("public:report-detail", args=[inspection_id]),
            "problems": problems,
            "checks": _version_checks(versions, _report_url(inspection_id)),
            "checked_at": timezone.now(),
        },
    )


# ---- Audit summaries -------------------------------------------------------------------------


def latest_summaries(on: dt.date | None = None) -> QuerySet[PublishedAuditSummary]:
    """The newest version of every program's summary (as it stood at the end of the day `on`,
    when given), newest first, without the documents."""
    versions = PublishedAuditSummary.objects.all()
    if on is not None:
        versions = versions.filter(published_at__date__lte=on)
    return (
        latest_only(versions, "program_id")
        .select_related("program", "program__lead_university")
        .defer("content")
        .order_by("-published_at", "-id")
    )


def filter_summaries(
    summaries: QuerySet[PublishedAuditSummary], filters: dict[str, Any]
) -> QuerySet[PublishedAuditSummary]:
    if "program" in filters:
        summaries = summaries.filter(program=filters["program"])
    if "organization" in filters:
        organization = filters["organization"]
        partners = ProgramPartner.objects.filter(organization=organization, is_active=True)
        summaries = summaries.filter(
            Q(program__lead_university=organization)
            | Q(program_id__in=partners.values("program_id"))
        )
    return summaries


@public_page
def summary_list(request: HttpRequest) -> PublicPage:
    """The newest published audit summary of every program, filtered."""
    form = SummaryFilterForm(request.GET or None)
    filters = _filtered(form) if form.is_bound else {}
    latest = latest_summaries(filters.get("date"))
    page = _paginate(request, filter_summaries(latest, filters))
    return PublicPage(
        title=_("Published audit summaries"),
        template="supervision/public/summary_list.html",
        context={"form": form, "page": page, "page_query": _page_query(form)},
    )


#: The columns of the monthly chart: the measure and its series (Bootstrap's danger and
#: success, as on the audit dashboard).
MONTH_SERIES = [
    ("found", Series(gettext_lazy("Found"), "#dc3545")),
    ("resolved", Series(gettext_lazy("Resolved"), "#198754")),
]


def month_chart(months: list[dict[str, Any]]) -> SafeString | None:
    """An SVG column chart of findings found and resolved per month. A suppressed month is
    drawn as a thin grey mark ("fewer than 5")."""
    if not months:
        return None
    return column_chart(
        [
            ColumnGroup(
                str(row.get("month", ""))[2:],
                [row.get(name) for name, _s in MONTH_SERIES],
                prefix=f"{date_format(row['first_day'], 'YEAR_MONTH_FORMAT')} · "
                if row.get("first_day")
                else f"{row.get('month', '')} · ",
            )
            for row in months
        ],
        [series for _n, series in MONTH_SERIES],
        title=_("Findings found and resolved per month"),
        empty_label="",
        width=640,
        height=220,
        min_top=5,
        missing_label=_("fewer than 5"),
        fluid=True,
    )


def _summary_document(content: dict[str, Any]) -> dict[str, Any]:
    """The frozen summary, with the rules' titles and the severities' labels."""
    by_severity = content.get("by_severity") or {}
    rules: dict[str, dict[str, Any]] = {}
    for row in content.get("by_rule", []):
        code = row.get("rule", "")
        entry = rules.setdefault(code, {"code": code, "title": rule_title(code), "counts": {}})
        entry["counts"][row.get("severity", "")] = row.get("count")
    months = [
        {**row, "first_day": _month_start(row.get("month"))} for row in content.get("by_month", [])
    ]
    for entry in rules.values():
        # A rule with no finding of a severity has no row: shown as a dash, not as a count.
        entry["cells"] = [
            {"present": value.value in entry["counts"], "count": entry["counts"].get(value.value)}
            for value in SEVERITIES
        ]
    return {
        **content,
        "severities": [
            {"value": value, "label": Severity(value).label, "count": by_severity.get(value.value)}
            for value in SEVERITIES
        ],
        "rules": sorted(rules.values(), key=lambda entry: entry["title"].casefold()),
        "severity_columns": SEVERITIES,
        "by_month": months,
        "chart": month_chart(months),
    }


def _summary_versions(program_id: int) -> list[PublishedAuditSummary]:
    versions = list(
        PublishedAuditSummary.objects.filter(program_id=program_id)
        .defer("content")
        .order_by("version")
    )
    if not versions:
        raise Http404
    return versions


def _summary_page(program_id: int, version: int | None) -> PublicPage:
    versions = _summary_versions(program_id)
    number = versions[-1].version if version is None else version
    shown = (
        PublishedAuditSummary.objects.filter(program_id=program_id, version=number)
        .select_related("program")
        .first()
    )
    if shown is None:
        raise Http404
    return PublicPage(
        title=_("Audit summary: %(program)s") % {"program": shown.program},
        template="supervision/public/summary_detail.html",
        context={
            "summary": shown,
            "document": _summary_document(shown.content),
            "is_latest": number == versions[-1].version,
            "chain": _chain_rows(versions, _summary_url(program_id), number),
            "verify_url": reverse("public:summary-verify", args=[program_id]),
            "latest_url": reverse("public:summary-detail", args=[program_id]),
        },
    )


@public_page
def summary_detail(request: HttpRequest, program_id: int) -> PublicPage:
    """The newest version of a program's audit summary, its versions and their chain."""
    return _summary_page(program_id, None)


@public_page
def summary_version(request: HttpRequest, program_id: int, version: int) -> PublicPage:
    """One version of a program's audit summary."""
    return _summary_page(program_id, version)


@public_page
def summary_verify(request: HttpRequest, program_id: int) -> PublicPage:
    """Recompute the hash chain of a program's audit summaries."""
    program = Program.objects.filter(
        pk=program_id, pk__in=PublishedAuditSummary.objects.values("program_id")
    ).first()
    if program is None:
        raise Http404
    problems = publication.verify_summary_chain(program)
    versions = list(PublishedAuditSummary.objects.filter(program=program).order_by("version"))
    return PublicPage(
        title=_("Verification of a published audit summary"),
        template="supervision/public/chain_verify.html",
        context={
            "subject": _("Audit summary: %(program)s") % {"program": program},
            "subject_url": reverse("public:summary-detail", args=[program_id]),
            "problems": problems,
            "checks": _version_checks(versions, _summary_url(program_id)),
            "checked_at": timezone.now(),
        },
    )


# ---- Draws -----------------------------------------------------------------------------------


def draw_is_public(draw: Draw, now: Any = None) -> bool:
    """Whether anyone may see the draw's record. An unannounced draw names its targets, so it
    stays hidden (404, as if it did not exist) until every inspection it scheduled has
    started; one without inspections cannot show that it has, and stays hidden."""
    if not draw.unannounced:
        return True
    starts = [inspection.starts_at for inspection in draw.inspections.all()]
    return bool(starts) and max(starts) <= (now or timezone.now())


def _conflict_reason(reason: str) -> str:
    if reason == "affiliation":
        return _("belongs to it (affiliation)")
    kind = reason.removeprefix("declared:")
    return _("declared: %(kind)s") % {"kind": _label(ConflictOfInterest.Kind, kind)}


def _draw_document(draw: Draw) -> dict[str, Any]:
    """The draw's record with the names of its organisations and programs (never of people:
    inspectors and students appear as ids, as in the stored inputs)."""
    inputs, result = draw.inputs or {}, draw.result or {}
    by_program = draw.target_kind == Draw.TargetKind.PROGRAM
    candidates = inputs.get("candidates", [])
    target_ids = {int(c.get("id", 0)) for c in candidates}
    organization_ids = {int(c.get("organization", 0)) for c in inputs.get("conflicts", [])}
    targets: dict[int, Any] = (
        Program.objects.in_bulk(target_ids)
        if by_program
        else Organization.objects.in_bulk(target_ids | organization_ids)
    )
    organizations: dict[int, Any] = (
        Organization.objects.in_bulk(organization_ids) if by_program else targets
    )

    def name(objects: dict[int, Any], pk: Any) -> str:
        found = objects.get(int(pk)) if isinstance(pk, int) else None
        return str(found) if found is not None else _("#%(id)s (no longer exists)") % {"id": pk}

    return {
        "target_kind": _label(Draw.TargetKind, draw.target_kind),
        "inspection_type": _label(InspectionType, draw.inspection_type),
        "numbers": {
            "targets": inputs.get("targets"),
            "students": inputs.get("students_per_target"),
            "inspectors": inputs.get("inspectors_per_target"),
            "pool": len(inputs.get("inspectors", [])),
        },
        "candidates": [
            {
                "id": c.get("id"),
                "name": name(targets, c.get("id")),
                "students": publication.suppress(len(c.get("students", []))),
            }
            for c in candidates
        ],
        "drawn": [
            {
                "id": t.get("id"),
                "name": name(targets, t.get("id")),
                "students": t.get("students", []),
                "inspectors": t.get("inspectors", []),
            }
            for t in result.get("targets", [])
        ],
        "recusals": [
            {
                "target": name(targets, r.get("target")),
                "inspector": r.get("inspector"),
                "organization": name(organizations, r.get("organization")),
                "reason": _conflict_reason(str(r.get("reason", ""))),
            }
            for r in result.get("recusals", [])
        ],
        "inputs_json": json.dumps(inputs, indent=1, sort_keys=True, ensure_ascii=False),
        "result_json": json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False),
    }


@public_page
def draw_verify(request: HttpRequest, public_id: UUID) -> PublicPage:
    """A draw's public record (seed, algorithm, inputs, result) and the outcome of re-running
    it now."""
    draw = (
        Draw.objects.select_related("replaces")
        .prefetch_related("inspections")
        .filter(public_id=public_id)
        .first()
    )
    if draw is None or not draw_is_public(draw):
        raise Http404
    replaced_by = Draw.objects.filter(replaces=draw).prefetch_related("inspections").first()
    return PublicPage(
        title=_("Verification of a draw"),
        template="supervision/public/draw_verify.html",
        context={
            "draw": draw,
            "document": _draw_document(draw),
            "problems": draws.verify_draw(draw),
            "replaces": draw.replaces
            if draw.replaces is not None and draw_is_public(draw.replaces)
            else None,
            "replaced_by": replaced_by
            if replaced_by is not None and draw_is_public(replaced_by)
            else None,
            "checked_at": timezone.now(),
        },
    )
