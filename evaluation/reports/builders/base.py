"""What every report is made of: `Section` and `ReportData` (with the content hash), the
helpers of the builders, and the sections that several reports share."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import (
    CaseLog,
)
from programs.models.training import Modality
from supervision.models import Finding
from supervision.models.audit import Severity
from training_portal.core import charts

TWO = Decimal("0.01")

#: Labels of the components of a partner score (unknown components show their key).
COMPONENT_LABELS = {
    "evaluations": gettext_lazy("Evaluations"),
    "responsibilities": gettext_lazy("Responsibilities fulfilled"),
    "findings": gettext_lazy("Open findings"),
    "funds": gettext_lazy("Fund compliance"),
    "fund_compliance": gettext_lazy("Fund compliance"),
    "points": gettext_lazy("Reward points"),
    "reward_points": gettext_lazy("Reward points"),
}


@dataclass
class Section:
    """One table of a report: raw rows, and how to label their coded columns."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    labels: dict[int, dict[str, str]] = field(default_factory=dict)
    chart: SafeString | None = None
    note: str = ""

    def display_rows(self) -> list[list[Any]]:
        """The rows as shown: codes replaced by their labels, empty values as ''."""
        shown = []
        for row in self.rows:
            cells = []
            for index, value in enumerate(row):
                if index in self.labels and value is not None:
                    value = self.labels[index].get(str(value), value)
                cells.append("" if value is None else value)
            shown.append(cells)
        return shown


@dataclass
class ReportData:
    kind: str
    title: str
    subject: str
    period: str
    subject_key: dict[str, Any]
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)

    def canonical(self) -> dict[str, Any]:
        """The content, without labels: the same inputs give the same canonical data."""
        return {
            "kind": self.kind,
            "subject": self.subject_key,
            "sections": {section.key: section.rows for section in self.sections},
        }

    def content_hash(self) -> str:
        payload = json.dumps(
            self.canonical(), sort_keys=True, separators=(",", ":"), default=_json_value
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def two_places(value: Any) -> Decimal | None:
    """Two decimals, or None."""
    if value is None:
        return None
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def choice_labels(choices: Sequence[tuple[str, Any]]) -> dict[str, str]:
    return {str(code): str(label) for code, label in choices}


def count_rows(queryset: Any, *fields: str) -> list[list[Any]]:
    """How many rows of `queryset` there are for each combination of `fields`, as table rows
    (the fields' values, then the count), ordered by the fields."""
    return [
        [*(row[name] for name in fields), row["n"]]
        for row in queryset.values(*fields).annotate(n=Count("pk")).order_by(*fields)
    ]


def listing_section(
    key: str,
    title: str,
    queryset: Any,
    columns: Mapping[str, str],
    labels: Mapping[str, Sequence[tuple[str, Any]]],
) -> Section:
    """A section listing `queryset`'s rows, one column a field (`columns`: field -> heading),
    the coded ones shown by the labels of their choices (`labels`: field -> choices)."""
    fields = list(columns)
    return Section(
        key=key,
        title=title,
        columns=list(columns.values()),
        rows=[list(values) for values in queryset.values_list(*fields)],
        labels={fields.index(field): choice_labels(choices) for field, choices in labels.items()},
    )


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def month_labels() -> list[str]:
    return [date_format(dt.date(2000, month, 1), "M") for month in range(1, 13)]


def component_label(key: str) -> str:
    label = COMPONENT_LABELS.get(key)
    return str(label) if label is not None else key


# ---- Sections shared by several reports --------------------------------------------------


def case_totals_section(filter_q: Q) -> Section:
    """Case-log totals by modality (entries and cases), in the catalogue's order."""
    found = {
        row["modality"]: row
        for row in CaseLog.objects.counted()
        .filter(filter_q)
        .values("modality")
        .annotate(entries=Count("pk"), cases=Sum("count"))
        .order_by()
    }
    rows = [
        [code, found[code]["entries"], found[code]["cases"] or 0]
        for code in Modality.values
        if code in found
    ]
    labels = choice_labels(Modality.choices)
    return Section(
        key="case_totals",
        title=_("Case-log totals by modality"),
        columns=[_("Modality"), _("Entries"), _("Cases")],
        rows=rows,
        labels={0: labels},
        chart=charts.bar_chart(
            [(labels[code], cases) for code, _entries, cases in rows],
            title=_("Case-log totals by modality"),
            empty_label=_("No cases recorded."),
        ),
    )


def findings_by_severity_section(filter_q: Q, *, title: str) -> Section:
    found = {
        row["severity"]: row
        for row in Finding.objects.filter(filter_q)
        .values("severity")
        .annotate(total=Count("pk"), active=Count("pk", filter=Q(status__in=list(Finding.ACTIVE))))
        .order_by()
    }
    rows = [
        [code, found[code]["total"], found[code]["active"]]
        for code in reversed(Severity.values)
        if code in found
    ]
    labels = choice_labels(Severity.choices)
    return Section(
        key="findings_by_severity",
        title=title,
        columns=[_("Severity"), _("Findings"), _("Still open")],
        rows=rows,
        labels={0: labels},
        chart=charts.bar_chart(
            [(labels[str(code)], total) for code, total, _active in rows],
            title=title,
            empty_label=_("No findings."),
            colours=[charts.SEVERITY_COLOURS.get(code, charts.PALETTE[0]) for code, *_ in rows],
        ),
    )
