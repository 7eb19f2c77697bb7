"""Public pages of the published inspection reports: the portal's home, the list, a report and
its versions, the verification of their hash chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models.organizations import OrganizationKind

from ...models import (
    ChecklistItem,
    Inspection,
    InspectionType,
    PublishedAuditSummary,
    PublishedReport,
    Severity,
)
from ...models.inspection_reports import latest_only
from .. import publication
from .filters import PublicReportFilter, valid_filters_applied
from .pages import (
    SEVERITIES,
    PublicPage,
    PublishedChain,
    iso_date,
    label,
    page_query,
    paginate,
    public_page,
)

HOME_ROWS = 8


def latest_reports() -> QuerySet[PublishedReport]:
    """The newest version of every published report, newest first, without the documents."""
    return (
        latest_only(PublishedReport.objects.all(), "inspection_id")
        .select_related("program", "organization")
        .defer("content", "search_text")
        .order_by("-published_at", "-id")
    )


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
            type_label=label(InspectionType, report.inspection_type),
        )
        for report in reports
    ]


REPORT_CHAIN = PublishedChain("public:report", PublishedReport, "inspection")


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
                "result_label": label(ChecklistItem.Result, item.get("result", "")),
            }
        )
    findings = content.get("findings") or {}
    by_severity = findings.get("by_severity") or {}
    organization = content.get("organization") or {}
    period = content.get("period") or {}
    return {
        **content,
        "starts_on": iso_date(period.get("starts_on")),
        "ends_on": iso_date(period.get("ends_on")),
        "type_label": label(InspectionType, content.get("inspection_type", "")),
        "organization_kind": label(OrganizationKind, organization.get("kind", ""))
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
    filterset = PublicReportFilter(request.GET or None, queryset=latest_reports())
    page = paginate(request, valid_filters_applied(filterset))
    form = filterset.form
    return PublicPage(
        title=_("Published inspection reports"),
        template="supervision/public/report_list.html",
        context={
            "form": form,
            "page": page,
            "rows": _report_rows(page.object_list),
            "page_query": page_query(form),
        },
    )


@public_page
def report_version(
    request: HttpRequest, inspection_id: int, version: int | None = None
) -> PublicPage:
    """A version of a published report (the newest without `version`), its versions and
    their hash chain."""
    versions = REPORT_CHAIN.versions_or_404(inspection_id, "content", "search_text")
    number = versions[-1].version if version is None else version
    shown = PublishedReport.objects.filter(inspection_id=inspection_id, version=number).first()
    if shown is None:
        raise Http404
    return REPORT_CHAIN.version_page(
        inspection_id,
        versions,
        number,
        title=shown.title,
        template="supervision/public/report_detail.html",
        context={
            "report": shown,
            "document": _report_document(shown.content),
            "latest": versions[-1],
        },
    )


#: The newest version is the report's page.
report_detail = report_version


#: Recompute the hash chain of a report's versions: intact, or which versions fail.
report_verify = REPORT_CHAIN.verify_view(
    Inspection,
    publication.verify_report_chain,
    title=gettext_lazy("Verification of a published report"),
    subject=lambda inspection, versions: versions[-1].title,
)
