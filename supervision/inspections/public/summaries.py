"""Public pages of the programs' published audit summaries: the list, a summary and its
versions, the verification of their hash chain."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Program

from ...models import PublishedAuditSummary, Severity
from ...models.inspection_reports import latest_only
from .. import publication
from .charts import month_chart
from .filters import PublicAuditSummaryFilter, valid_filters_applied
from .pages import (
    SEVERITIES,
    PublicPage,
    PublishedChain,
    iso_date,
    page_query,
    paginate,
    public_page,
    rule_title,
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


SUMMARY_CHAIN = PublishedChain("public:summary", PublishedAuditSummary, "program")


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


@public_page
def summary_version(
    request: HttpRequest, program_id: int, version: int | None = None
) -> PublicPage:
    """A version of a program's audit summary (the newest without `version`), its versions
    and their chain."""
    versions = SUMMARY_CHAIN.versions_or_404(program_id, "content")
    number = versions[-1].version if version is None else version
    shown = (
        PublishedAuditSummary.objects.filter(program_id=program_id, version=number)
        .select_related("program")
        .first()
    )
    if shown is None:
        raise Http404
    return SUMMARY_CHAIN.version_page(
        program_id,
        versions,
        number,
        title=_("Audit summary: %(program)s") % {"program": shown.program},
        template="supervision/public/summary_detail.html",
        context={"summary": shown, "document": summary_document(shown.content)},
    )


#: The newest version is the summary's page.
summary_detail = summary_version


#: Recompute the hash chain of a program's audit summaries.
summary_verify = SUMMARY_CHAIN.verify_view(
    Program,
    publication.verify_summary_chain,
    title=gettext_lazy("Verification of a published audit summary"),
    subject=lambda program, versions: _("Audit summary: %(program)s") % {"program": program},
)
