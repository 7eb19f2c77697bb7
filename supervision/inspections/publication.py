"""What the public portal publishes, and how: frozen, de-identified, hash-chained versions.

**Inspection reports** (`PublishedReport`). `report_snapshot(inspection)` is the public
document of one version:

    {
      "title": str, "inspection_type": str (an `InspectionType` value),
      "unannounced": bool,
      "target": {"kind": "program" | "organization", "id": int, "name": str},
      "program": {"id", "code", "title"} | None,
      "organization": {"id", "name", "short_name", "kind"} | None,
      "period": {"starts_on": "YYYY-MM-DD", "ends_on": "YYYY-MM-DD"},
      "sections": [{"key", "title", "body"}],                 # the report, as approved
      "checklist": [{"section", "question", "result"}],       # answers, never the notes
      "sample": {"students": n | None, "examined": n | None},
      "findings": {"total": n | None, "by_severity": {severity: n | None}},
      "reply": {"comments": n | None, "revised_after_comment": n | None},
    }

Organisations and programs are named; no person is (no inspector, student, tutor or
coordinator: not their name, e-mail or student number), and every count below
`SUPPRESS_BELOW` is published as None ("fewer than 5"). The report's own text is written by
people, so before approval `personal_data_in` looks for the names, e-mail addresses and
student numbers of everyone linked to the inspection (and for any e-mail address at all) and
approval is refused while any is found.

**Audit summaries** (`PublishedAuditSummary`), one chain per program: the findings of the
audit rules (not those of inspections), by rule and by severity, the resolved rate (only when
at least `SUPPRESS_BELOW` findings count) and the findings found and resolved per month over
the last twelve months. The document has no date of its own, so that a refresh after an audit
run publishes a new version only when a figure changed.

Every version's `content_hash` chains it to the previous version (`ChainedVersion`);
`verify_report_chain` and `verify_summary_chain` recompute the chain.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from programs.models import Placement, Program, Student, TutorAssignment, TutorProfile
from training_portal.core.public_cache import expire_public_pages

from ..models import (
    Finding,
    Inspection,
    PublishedAuditSummary,
    PublishedReport,
    ReplyComment,
    Severity,
)
from ..models.inspection_reports import SUPPRESS_BELOW, verify_chain
from .permissions import inspected_side_users

__all__ = [
    "SUPPRESS_BELOW",
    "audit_summary_snapshot",
    "personal_data_in",
    "publish_audit_summary",
    "publish_report_version",
    "refresh_audit_summaries",
    "report_snapshot",
    "report_texts",
    "suppress",
    "verify_report_chain",
    "verify_summary_chain",
]

#: How many months of audit history a summary shows.
SUMMARY_MONTHS = 12
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def suppress(count: int) -> int | None:
    """The count as published: None (shown as "fewer than 5") when it is below the threshold."""
    return count if count >= SUPPRESS_BELOW else None


def suppress_group(counts: dict[str, int]) -> dict[str, int | None]:
    """Counts that add up to a published total, as published: each count below the threshold
    is hidden, and when exactly one is hidden the smallest other one is hidden too, so that
    the hidden count cannot be worked out by subtracting the others from the total."""
    shown: dict[str, int | None] = {key: suppress(value) for key, value in counts.items()}
    hidden = [key for key, value in shown.items() if value is None]
    if len(hidden) == 1:
        others = sorted((value, key) for key, value in counts.items() if key not in hidden)
        if others:
            shown[others[0][1]] = None
    return shown


# ---- Inspection reports ----------------------------------------------------------------------


def _target(inspection: Inspection) -> dict[str, Any]:
    if inspection.program is not None:
        program = inspection.program
        return {"kind": "program", "id": program.pk, "name": f"{program.code} {program.title}"}
    organization = inspection.organization
    assert organization is not None
    return {"kind": "organization", "id": organization.pk, "name": organization.name}


def _program(program: Program | None) -> dict[str, Any] | None:
    if program is None:
        return None
    return {"id": program.pk, "code": program.code, "title": program.title}


def _findings_figures(inspection: Inspection) -> dict[str, Any]:
    counts = dict(
        Finding.objects.filter(inspection=inspection)
        .exclude(status=Finding.Status.DISMISSED)
        .values_list("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    return {
        "total": suppress(sum(counts.values())),
        "by_severity": suppress_group({value: counts.get(value, 0) for value in Severity.values}),
    }


def _reply_figures(inspection: Inspection) -> dict[str, Any]:
    figures = ReplyComment.objects.filter(section__inspection=inspection).aggregate(
        comments=Count("pk"), revised=Count("pk", filter=Q(draft_revised=True))
    )
    return {
        "comments": suppress(figures["comments"]),
        "revised_after_comment": suppress(figures["revised"]),
    }


def report_snapshot(inspection: Inspection) -> dict[str, Any]:
    """The public, de-identified document of the inspection's report as it stands now."""
    organization = inspection.organization
    sample = inspection.sample.aggregate(
        students=Count("pk"), examined=Count("pk", filter=Q(examined=True))
    )
    return {
        "title": inspection.title,
        "inspection_type": inspection.inspection_type,
        "unannounced": inspection.unannounced,
        "target": _target(inspection),
        "program": _program(inspection.program),
        "organization": None
        if organization is None
        else {
            "id": organization.pk,
            "name": organization.name,
            "short_name": organization.short_name,
            "kind": organization.kind,
        },
        "period": {
            "starts_on": timezone.localtime(inspection.starts_at).date().isoformat(),
            "ends_on": inspection.ends_on.isoformat(),
        },
        "sections": [
            {"key": key, "title": title, "body": body}
            for key, title, body in inspection.report_sections.order_by(
                "position", "id"
            ).values_list("key", "title", "body")
        ],
        "checklist": [
            {"section": section, "question": text, "result": result}
            for section, text, result in inspection.checklist.order_by(
                "position", "id"
            ).values_list("section", "text", "result")
        ],
        "sample": {key: suppress(value) for key, value in sample.items()},
        "findings": _findings_figures(inspection),
        "reply": _reply_figures(inspection),
    }


def report_texts(inspection: Inspection) -> dict[str, str]:
    """Every free text that would be published, by where it appears (for the personal data
    check): the title, the correction note and each section's title and text."""
    texts = {_("Title"): inspection.title}
    if inspection.correction_note:
        texts[_("What the correction changes")] = inspection.correction_note
    for title, body in inspection.report_sections.order_by("position", "id").values_list(
        "title", "body"
    ):
        texts[title] = f"{title}\n{body}"
    return texts


def _target_students(inspection: Inspection) -> Any:
    """Every student of the target, whatever their status: of the program, or placed at the
    organisation."""
    if inspection.program_id is not None:
        return Student.objects.filter(program_id=inspection.program_id)
    hosted = Placement.objects.filter(host_id=inspection.organization_id).values("student_id")
    return Student.objects.filter(pk__in=hosted)


def _linked_people(inspection: Inspection) -> Any:
    """The accounts of everyone linked to the inspection: students and tutors of the target,
    the inspected side, the team and whoever commented or answered."""
    students = _target_students(inspection)
    assigned = TutorAssignment.objects.filter(student__in=students).values("tutor__user_id")
    tutors = Q(pk__in=assigned)
    if inspection.organization_id is not None:
        staff = TutorProfile.objects.filter(organization_id=inspection.organization_id)
        tutors |= Q(pk__in=staff.values("user_id"))
    comments = ReplyComment.objects.filter(section__inspection=inspection)
    return User.objects.filter(
        Q(pk__in=students.values("user_id"))
        | tutors
        | Q(pk__in=inspected_side_users(inspection).values("pk"))
        | Q(pk__in=inspection.team.values("inspector_id"))
        | Q(pk__in=comments.values("author_id"))
        | Q(pk__in=comments.exclude(answered_by=None).values("answered_by_id"))
    )


def _name_variants(full_name: str) -> Iterable[str]:
    name = " ".join(full_name.split())
    if len(name) < 4:  # too short to tell from an ordinary word
        return []
    parts = name.split(" ")
    return [name, " ".join(reversed(parts))] if len(parts) == 2 else [name]


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted({word for word in words if word}, key=len, reverse=True)
    if not unique:
        return None
    alternatives = "|".join(re.escape(word) for word in unique)
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.IGNORECASE)


def personal_data_in(inspection: Inspection, texts: dict[str, str]) -> list[str]:
    """Readable problems: the names, e-mail addresses and student numbers of people linked to
    the inspection, and any e-mail address, found in `texts` (place → text)."""
    people = list(_linked_people(inspection).values_list("full_name", "email"))
    numbers = _target_students(inspection).values_list("student_number", flat=True)
    names = _pattern(
        variant for full_name, _email in people for variant in _name_variants(full_name)
    )
    student_numbers = _pattern(numbers)
    problems: list[str] = []
    for place, text in texts.items():
        if names is not None:
            for match in sorted({m.group(0) for m in names.finditer(text)}):
                problems.append(
                    _("“%(place)s” names %(name)s, a person linked to this inspection.")
                    % {"place": place, "name": match}
                )
        for match in sorted(set(EMAIL.findall(text))):
            problems.append(
                _("“%(place)s” contains an e-mail address (%(email)s).")
                % {"place": place, "email": match}
            )
        if student_numbers is not None:
            for match in sorted({m.group(0) for m in student_numbers.finditer(text)}):
                problems.append(
                    _("“%(place)s” contains the student number %(number)s.")
                    % {"place": place, "number": match}
                )
    return problems


def _next_version(model: Any, **chain: Any) -> tuple[int, str, Any]:
    last = model.objects.filter(**chain).order_by("-version").first()
    if last is None:
        return 1, "", None
    return last.version + 1, last.content_hash, last


@transaction.atomic
def publish_report_version(
    *, inspection: Inspection, published_by: User, approved_by: User, change_note: str = ""
) -> PublishedReport:
    """Freeze the inspection's report as its next version, chained to the previous one.
    The caller has checked the permissions, the two-person rule and the personal data."""
    Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
    version, previous_hash, _last = _next_version(PublishedReport, inspection=inspection)
    content = report_snapshot(inspection)
    expire_public_pages()
    return PublishedReport.objects.create(
        inspection=inspection,
        program_id=inspection.program_id,
        organization_id=inspection.organization_id,
        inspection_type=inspection.inspection_type,
        title=inspection.title,
        search_text=_search_text(content),
        version=version,
        content=content,
        change_note=change_note if version > 1 else "",
        previous_hash=previous_hash,
        published_by=published_by,
        approved_by=approved_by,
    )


def _search_text(content: dict[str, Any]) -> str:
    parts = [content["title"], content["target"]["name"]]
    parts += [f"{section['title']}\n{section['body']}" for section in content["sections"]]
    return "\n".join(parts)


def _ordered(queryset: Any) -> list[Any]:
    return list(queryset.order_by("version"))


def verify_report_chain(inspection: Inspection) -> list[str]:
    """The problems of the inspection's published versions (empty when the chain is intact)."""
    return verify_chain(_ordered(PublishedReport.objects.filter(inspection=inspection)))


# ---- Audit summaries -------------------------------------------------------------------------


def _month_starts(as_of: dt.date, months: int) -> list[dt.date]:
    first = as_of.replace(day=1)
    starts = []
    for _step in range(months):
        starts.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(starts))


def _per_month(findings: Any, field: str, since: dt.date) -> dict[str, int]:
    rows = (
        findings.filter(**{f"{field}__date__gte": since})
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {timezone.localtime(month).strftime("%Y-%m"): n for month, n in rows}


def _suppressed_by_rule(rows: Sequence[Mapping[str, Any]]) -> dict[int, int | None]:
    """The counts by rule and severity, suppressed as groups: the rows of one severity add up to
    that severity's published count."""
    shown: dict[int, int | None] = {}
    for severity in Severity.values:
        group = {str(i): row["n"] for i, row in enumerate(rows) if row["severity"] == severity}
        shown.update({int(i): value for i, value in suppress_group(group).items()})
    return shown


def audit_summary_snapshot(program: Program, as_of: dt.date) -> dict[str, Any]:
    """The public summary of the program's audit findings (see the module docstring)."""
    findings = Finding.objects.filter(program=program).exclude(rule=Finding.INSPECTION_RULE)
    counted = findings.exclude(status=Finding.Status.DISMISSED)
    by_rule_severity = list(
        counted.values("rule", "severity").annotate(n=Count("pk")).order_by("rule", "severity")
    )
    totals = counted.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status__in=Finding.ACTIVE)),
        resolved=Count("pk", filter=Q(status=Finding.Status.RESOLVED)),
    )
    by_severity = dict.fromkeys(Severity.values, 0)
    for row in by_rule_severity:
        by_severity[row["severity"]] += row["n"]
    months = _month_starts(as_of, SUMMARY_MONTHS)
    found = _per_month(counted, "first_seen_at", months[0])
    resolved = _per_month(counted, "resolved_at", months[0])
    base, resolved_count = totals["total"], totals["resolved"]
    # total = active + resolved: the two are suppressed as a group; the rate is published
    # only when neither part is small (a rate and a total give away both parts).
    parts = suppress_group({"active": totals["active"], "resolved": resolved_count})
    by_rule = _suppressed_by_rule(by_rule_severity)
    return {
        "program": _program(program),
        "findings": {"total": suppress(base), **parts},
        "resolved_rate": round(100 * resolved_count / base, 1)
        if min(resolved_count, base - resolved_count) >= SUPPRESS_BELOW
        else None,
        "by_severity": suppress_group(by_severity),
        "by_rule": [
            {"rule": row["rule"], "severity": row["severity"], "count": by_rule[index]}
            for index, row in enumerate(by_rule_severity)
        ],
        "by_month": [
            {
                "month": start.strftime("%Y-%m"),
                "found": suppress(found.get(start.strftime("%Y-%m"), 0)),
                "resolved": suppress(resolved.get(start.strftime("%Y-%m"), 0)),
            }
            for start in months
        ],
    }


@transaction.atomic
def publish_audit_summary(*, program: Program) -> PublishedAuditSummary | None:
    """Publish the program's summary as a new version if its figures changed (else None)."""
    Program.objects.select_for_update().filter(pk=program.pk).first()
    as_of = timezone.localdate()
    content = audit_summary_snapshot(program, as_of)
    version, previous_hash, last = _next_version(PublishedAuditSummary, program=program)
    if last is not None and last.content == content:
        return None
    expire_public_pages()
    return PublishedAuditSummary.objects.create(
        program=program,
        as_of=as_of,
        version=version,
        content=content,
        change_note="" if version == 1 else _("Figures refreshed after an audit run."),
        previous_hash=previous_hash,
    )


def refresh_audit_summaries(program_ids: list[int]) -> int:
    """Publish the summaries of these programs whose figures changed; how many were."""
    published = 0
    for program in Program.objects.filter(pk__in=program_ids).order_by("pk"):
        if publish_audit_summary(program=program) is not None:
            published += 1
    return published


def verify_summary_chain(program: Program) -> list[str]:
    """The problems of the program's published summaries (empty when the chain is intact)."""
    return verify_chain(_ordered(PublishedAuditSummary.objects.filter(program=program)))
