"""A partner's scorecard: its scores over periods, what it hosted and is responsible for,
its findings and points."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from programs.models import (
    Organization,
    PartnerResponsibility,
    Placement,
)
from programs.models.programs import Responsibility
from supervision.models import Finding
from training_portal.core import charts

from ...models import (
    PartnerScore,
    RewardEntry,
)
from .base import (
    ReportData,
    Section,
    choice_labels,
    component_label,
    count_rows,
    findings_by_severity_section,
    two_places,
)

# ---- A partner's scorecard ---------------------------------------------------------------


def partner_scorecard(organization: Organization) -> ReportData:
    scores = list(
        PartnerScore.objects.filter(organization=organization, run__finished_at__isnull=False)
        .select_related("run")
        .order_by("run__period_end", "run__pk")
    )
    component_keys = sorted({key for score in scores for key in (score.components or {})})
    score_rows = [
        [
            score.run.label,
            score.run.period_end,
            two_places(score.score),
            score.rank,
            score.recommendation or None,
            *[two_places(_number((score.components or {}).get(key))) for key in component_keys],
        ]
        for score in scores
    ]
    sections = [
        Section(
            key="scores",
            title=_("Scores over periods"),
            columns=[
                _("Period"),
                _("Period end"),
                _("Score"),
                _("Rank in kind"),
                _("Recommendation"),
                *[component_label(key) for key in component_keys],
            ],
            rows=score_rows,
            labels={4: choice_labels(PartnerScore.Recommendation.choices)},
            chart=charts.line_chart(
                [(row[0], row[2]) for row in score_rows],
                title=_("Scores over periods"),
                empty_label=_("No scores yet."),
                max_value=100,
            ),
        ),
        _latest_components(scores, component_keys),
        _placements_hosted(organization),
        _responsibilities(organization),
        findings_by_severity_section(
            Q(organization=organization, status__in=list(Finding.ACTIVE)),
            title=_("Open findings by severity"),
        ),
        _points_by_year(organization),
    ]
    return ReportData(
        kind="partner_scorecard",
        title=_("Partner scorecard"),
        subject=organization.name,
        period=scores[-1].run.label if scores else "",
        subject_key={"organization": organization.pk},
        sections=sections,
    )


def _number(value: Any) -> Any:
    try:
        return Decimal(str(value)) if value is not None else None
    except ArithmeticError:
        return None


def _latest_components(scores: list[PartnerScore], keys: list[str]) -> Section:
    latest = scores[-1] if scores else None
    rows = (
        [[key, two_places(_number((latest.components or {}).get(key)))] for key in keys]
        if latest
        else []
    )
    return Section(
        key="latest_components",
        title=_("Latest score's components"),
        columns=[_("Component"), _("Value (0-100)")],
        rows=rows,
        labels={0: {key: component_label(key) for key in keys}},
        chart=charts.bar_chart(
            [(component_label(str(key)), value) for key, value in rows],
            title=_("Latest score's components"),
            empty_label=_("No scores yet."),
            max_value=100,
        ),
    )


def _placements_hosted(organization: Organization) -> Section:
    rows = count_rows(
        Placement.objects.filter(host=organization), "student__program__code", "status"
    )
    return Section(
        key="placements",
        title=_("Placements hosted"),
        columns=[_("Program"), _("Status"), _("Placements")],
        rows=rows,
        labels={1: choice_labels(Placement.Status.choices)},
    )


def _responsibilities(organization: Organization) -> Section:
    rows = [
        [code, responsibility, active]
        for code, responsibility, active in PartnerResponsibility.objects.filter(
            partner__organization=organization
        )
        .order_by("partner__program__code", "responsibility")
        .values_list("partner__program__code", "responsibility", "partner__is_active")
    ]
    return Section(
        key="responsibilities",
        title=_("Responsibilities"),
        columns=[_("Program"), _("Responsibility"), _("Partnership active")],
        rows=rows,
        labels={1: choice_labels(Responsibility.choices), 2: {"True": _("Yes"), "False": _("No")}},
    )


def _points_by_year(organization: Organization) -> Section:
    rows = [
        [row["year"], two_places(row["points"])]
        for row in RewardEntry.objects.filter(organization=organization)
        .annotate(year=ExtractYear("earned_on"))
        .values("year")
        .annotate(points=Sum("points"))
        .order_by("year")
    ]
    return Section(
        key="points",
        title=_("Reward points per year"),
        columns=[_("Year"), _("Points")],
        rows=rows,
        chart=charts.bar_chart(
            [(str(year), points) for year, points in rows],
            title=_("Reward points per year"),
            empty_label=_("No reward points."),
        ),
    )
