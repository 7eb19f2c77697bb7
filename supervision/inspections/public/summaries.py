"""Public pages of the programs' published audit summaries: the list, a summary and its
versions, the verification of their hash chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Program

from ...models import PublishedAuditSummary, Severity
from ...models.inspection_reports import latest_only
from .. import publication
from .charts import month_chart
from .filters import PublicAuditSummaryFilter, valid_filters_applied
from .pages import (
    SEVERITIES,
    PublicPage,
    chain_rows,
    iso_date,
    page_query,
    paginate,
    public_page,
    rule_title,
    version_checks,
)


def latest_summaries(versions: QuerySet[PublishedAuditSummary]) -> QuerySet[PublishedAuditSummary]:
    """The newest of `versions` for every program, newest first, without the documents."""
    return (
        latest_only(versions, "program_id")
        .select_related("program", "program__lead_university")
        .defer("content")
        .order_by("-published_at", "-id")
    )


@public_page
def summary_list(request: HttpRequest) -> PublicPage:
    """The newest published audit summary of every program (as it stood at the end of the
    day `date`, when given), filtered."""
    filterset = PublicAuditSummaryFilter(
        request.GET or None, queryset=PublishedAuditSummary.objects.all()
    )
    page = paginate(request, latest_summaries(valid_filters_applied(filterset)))
    form = filterset.form
    return PublicPage(
        title=_("Published audit summaries"),
        template="supervision/public/summary_list.html",
        context={"form": form, "page": page, "page_query": page_query(form)},
    )


def summary_url(program_id: int) -> Callable[[int], str]:
    return lambda version: reverse("public:summary-version", args=[program_id, version])


def month_start(value: Any) -> Any:
    """The first day of a snapshot's month ("2026-12"), shown in the reader's language."""
    return iso_date(f"{value}-01")


def summary_document(content: dict[str, Any]) -> dict[str, Any]:
    """The frozen summary, with the rules' titles and the severities' labels."""
    by_severity = content.get("by_severity") or {}
    rules: dict[str, dict[str, Any]] = {}
    for row in content.get("by_rule", []):
        code = row.get("rule", "")
        entry = rules.setdefault(code, {"code": code, "title": rule_title(code), "counts": {}})
        entry["counts"][row.get("severity", "")] = row.get("count")
    months = [
        {**row, "first_day": month_start(row.get("month"))} for row in content.get("by_month", [])
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
            "document": summary_document(shown.content),
            "is_latest": number == versions[-1].version,
            "chain": chain_rows(versions, summary_url(program_id), number),
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
            "checks": version_checks(versions, summary_url(program_id)),
            "checked_at": timezone.now(),
        },
    )
