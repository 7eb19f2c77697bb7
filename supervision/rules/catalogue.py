"""The first catalogue of audit rules (DOMAIN.md, "Supervision").

Each `find` is a few set-based queries over the scope's programs at once (no query per
program or per student); it returns plain rows, each naming its program, that the audit
turns into findings in bulk.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db.models import Count, DecimalField, Exists, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Lower, Trim
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from programs.models import (
    BudgetLine,
    Course,
    Expenditure,
    Milestone,
    PartnerResponsibility,
    Placement,
    ProgramPartner,
    ProgressLog,
    Student,
    TrainingPlan,
    TutorAssignment,
)
from programs.models.programs import CourseCategory, Responsibility
from programs.partners.responsibilities import (
    DEFAULT_PERIOD_DAYS,
    Evidence,
    ResponsibilityCheck,
    activity_exists,
    register_check,
    register_period,
)
from training_portal.core.formats import format_date, format_money

from ..models import Inspection
from . import Hit, Rule, Scope, Threshold, register

ACTIVE_STUDENT = Student.Status.ACTIVE
SPENT = (Expenditure.Status.SUBMITTED, Expenditure.Status.APPROVED)
MONEY = DecimalField(max_digits=16, decimal_places=2)
#: How many rows a finder reads from the database at a time.
CHUNK = 5000


def _days(scope: Scope, name: str) -> dt.date:
    return scope.today - dt.timedelta(days=int(scope[name]))


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


def _rows(queryset: Any, *fields: str) -> Iterator[dict[str, Any]]:
    """`queryset`'s rows as dicts of `fields`, unordered, read in chunks."""
    return queryset.values(*fields).order_by().iterator(chunk_size=CHUNK)


def _hit(
    row: Mapping[str, Any],
    program: str,
    details: dict[str, Any],
    evidence: dict[str, Any],
    *,
    student: str | None = None,
    organization: str | None = None,
    subject: str = "pk",
) -> Hit:
    """A hit on the row's subject, in the program (of the student, about the organisation)
    that the row's fields of those names hold."""
    return Hit(
        subject_id=row[subject],
        program_id=row[program],
        student_id=row[student] if student else None,
        organization_id=row[organization] if organization else None,
        details=details,
        evidence=evidence,
    )


# ---- Training ------------------------------------------------------------------------------


def _milestone_overdue(scope: Scope) -> Iterator[Hit]:
    overdue = Milestone.objects.filter(
        student__program_id__in=scope.program_ids,
        student__status=ACTIVE_STUDENT,
        completed_on__isnull=True,
        due_date__lt=_days(scope, "grace_days"),
    )
    for row in _rows(overdue, "pk", "student_id", "title", "due_date", "student__program_id"):
        late = (scope.today - row["due_date"]).days
        yield _hit(
            row,
            "student__program_id",
            {"title": row["title"], "days": late},
            {"due_date": _iso(row["due_date"]), "days_overdue": late},
            student="student_id",
        )


def _supervision_gap(scope: Scope) -> Iterator[Hit]:
    """No log since `days` ago: one index probe per student for a recent log, and the date
    of the last one only for the students found."""
    since = _days(scope, "days")
    recent = ProgressLog.objects.filter(student_id=OuterRef("pk"), date__gte=since)
    last = ProgressLog.objects.filter(student_id=OuterRef("pk")).order_by("-date").values("date")
    rows = (
        Student.objects.filter(
            program_id__in=scope.program_ids, status=ACTIVE_STUDENT, enrolled_on__lt=since
        )
        # A suspension is no gap: after a resumption, count from the day study resumed.
        .exclude(status_since__gte=since)
        .exclude(Exists(recent))
        .annotate(last_log=Subquery(last[:1]))
        .values_list("pk", "program_id", "last_log", "enrolled_on", "status_since")
        .order_by()
    )
    for pk, program_id, last_log, enrolled_on, status_since in rows.iterator(chunk_size=CHUNK):
        days = (scope.today - max(d for d in (last_log, enrolled_on, status_since) if d)).days
        yield Hit(
            subject_id=pk,
            program_id=program_id,
            student_id=pk,
            details={"days": days, "never": last_log is None},
            evidence={"last_progress_log": _iso(last_log), "days_without_log": days},
        )


def _supervision_frequency(scope: Scope) -> Iterator[Hit]:
    """Per current assignment: the tutor's contacts with the student in the window (counted
    once per assignment; compared with the role's minimum here)."""
    since = _days(scope, "window_days")
    window = int(scope["window_days"])
    contacts = (
        ProgressLog.objects.filter(
            student_id=OuterRef("student_id"),
            author_id=OuterRef("tutor__user_id"),
            date__gte=since,
            date__lte=scope.today,
        )
        .order_by()
        .values("student_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    minimum = {"academic": int(scope["academic_min"]), "practice": int(scope["practice_min"])}
    rows = (
        TutorAssignment.objects.filter(
            student__program_id__in=scope.program_ids,
            student__status=ACTIVE_STUDENT,
            ended_on__isnull=True,
            started_on__lte=since,
            role__in=list(minimum),
        )
        # Weeks of a suspension are not counted: the window starts after a resumption.
        .exclude(student__status_since__gt=since)
        .annotate(contacts=Coalesce(Subquery(contacts), 0))
        .values_list(
            "pk",
            "student__program_id",
            "student_id",
            "role",
            "contacts",
            "tutor__user_id",
            "tutor__organization_id",
        )
        .order_by()
    )
    for pk, program_id, student_id, role, count, user_id, organization_id in rows.iterator(
        chunk_size=CHUNK
    ):
        required = minimum[role]
        if count >= required:
            continue
        yield Hit(
            subject_id=pk,
            program_id=program_id,
            student_id=student_id,
            tutor_id=user_id,
            organization_id=organization_id,
            key=role,
            details={"role": role, "contacts": count, "required": required, "window": window},
            evidence={
                "tutor_role": role,
                "contacts_in_window": count,
                "required_contacts": required,
                "window_days": window,
            },
        )


def _tutor_over_capacity(scope: Scope) -> Iterator[Hit]:
    """Counted across programs; reported in the program of the tutor's first active student
    (so that each tutor is audited by exactly one chunk). Only the tutors of the program's
    current students are counted, not every tutor of the portal for every program."""
    current = TutorAssignment.objects.filter(ended_on__isnull=True, student__status=ACTIVE_STUDENT)
    here = current.filter(student__program_id__in=scope.program_ids).values("tutor_id")
    rows = (
        current.filter(tutor_id__in=here)
        .values("tutor_id")
        .annotate(
            load=Count("pk"),
            home_program=Min("student__program_id"),
            capacity=Max("tutor__capacity"),
            user_id=Max("tutor__user_id"),
            organization_id=Max("tutor__organization_id"),
        )
        .filter(home_program__in=scope.program_ids, load__gt=F("capacity"))
        .values_list("tutor_id", "home_program", "user_id", "organization_id", "load", "capacity")
        .order_by()
    )
    for tutor_id, program_id, user_id, organization_id, load, capacity in rows:
        yield Hit(
            subject_id=tutor_id,
            program_id=program_id,
            tutor_id=user_id,
            organization_id=organization_id,
            details={"load": load, "capacity": capacity},
            evidence={"current_students": load, "capacity": capacity},
        )


def _plan_not_approved(scope: Scope) -> Iterator[Hit]:
    approved = TrainingPlan.objects.filter(
        student_id=OuterRef("pk"),
        status__in=(TrainingPlan.Status.APPROVED, TrainingPlan.Status.SUPERSEDED),
    )
    students = Student.objects.filter(
        program_id__in=scope.program_ids,
        status=ACTIVE_STUDENT,
        enrolled_on__lt=_days(scope, "days"),
    ).exclude(Exists(approved))
    for row in _rows(students, "pk", "program_id", "enrolled_on"):
        days = (scope.today - row["enrolled_on"]).days
        yield _hit(
            row,
            "program_id",
            {"days": days},
            {"enrolled_on": _iso(row["enrolled_on"]), "days_since_enrolment": days},
            student="pk",
        )


def _plan_without_ie(scope: Scope) -> Iterator[Hit]:
    ie_course = Course.objects.filter(
        Q(integrates_ie=True) | Q(category=CourseCategory.INNOVATION_ENTREPRENEURSHIP),
        plans=OuterRef("pk"),
    )
    plans = TrainingPlan.objects.filter(
        student__program_id__in=scope.program_ids,
        student__status=ACTIVE_STUDENT,
        status=TrainingPlan.Status.APPROVED,
    ).exclude(Exists(ie_course))
    for row in _rows(plans, "pk", "student_id", "version", "student__program_id"):
        yield _hit(
            row,
            "student__program_id",
            {"version": row["version"]},
            {"plan_version": row["version"], "ie_courses": 0},
            student="student_id",
        )


def _placement_without_tutor(scope: Scope) -> Iterator[Hit]:
    placements = Placement.objects.filter(
        student__program_id__in=scope.program_ids,
        status=Placement.Status.ACTIVE,
        practice_tutor__isnull=True,
    )
    fields = ("pk", "student_id", "host_id", "start_date", "host__name", "student__program_id")
    for row in _rows(placements, *fields):
        yield _hit(
            row,
            "student__program_id",
            {"host": row["host__name"]},
            {"placement_start": _iso(row["start_date"]), "practice_tutor": None},
            student="student_id",
            organization="host_id",
        )


# ---- Partners ------------------------------------------------------------------------------


def _responsibility_unfulfilled(scope: Scope) -> Iterator[Hit]:
    """One query: each responsibility without its matching activity (the checks are
    `programs.partners.responsibilities`, which the program's responsibility matrix shows too)."""
    since = _days(scope, "period_days")
    missing = [
        Q(responsibility=responsibility) & ~activity
        for responsibility, activity in activity_exists(since=since, today=scope.today).items()
    ]
    rows = (
        PartnerResponsibility.objects.filter(
            partner__program_id__in=scope.program_ids,
            partner__is_active=True,
            partner__agreement_start__lte=since,
        )
        .filter(reduce(operator.or_, missing))
        .values_list(
            "pk",
            "partner__program_id",
            "responsibility",
            "partner__organization_id",
            "partner__organization__name",
        )
        .order_by()
    )
    for pk, program_id, responsibility, organization_id, name in rows:
        yield Hit(
            subject_id=pk,
            program_id=program_id,
            organization_id=organization_id,
            details={"organization": name, "responsibility": responsibility},
            evidence={
                "responsibility": responsibility,
                "period_start": _iso(since),
                "matching_activities": 0,
            },
        )


def _agreement_expired(scope: Scope) -> Iterator[Hit]:
    rows = (
        ProgramPartner.objects.filter(
            program_id__in=scope.program_ids, is_active=True, agreement_end__lt=scope.today
        )
        .values("pk", "program_id", "organization_id", "organization__name", "agreement_end")
        .order_by()
    )
    for row in rows:
        ended = row["agreement_end"]
        assert ended is not None  # filtered on
        yield _hit(
            row,
            "program_id",
            {"organization": row["organization__name"]},
            {"agreement_end": _iso(ended), "days_since_end": (scope.today - ended).days},
            organization="organization_id",
        )


# ---- Funds ---------------------------------------------------------------------------------


def _fund_overspend(scope: Scope) -> Iterator[Hit]:
    rows = (
        BudgetLine.objects.filter(program_id__in=scope.program_ids)
        .annotate(
            approved=Coalesce(
                Sum("expenditures__amount", filter=Q(expenditures__status="approved")),
                Decimal(0),
                output_field=MONEY,
            )
        )
        .filter(approved__gt=F("amount"))
        .values("pk", "program_id", "holder_id", "title", "amount", "approved")
        .order_by()
    )
    for row in rows:
        over = row["approved"] - row["amount"]
        yield _hit(
            row,
            "program_id",
            {"line": row["title"], "over": _money(over)},
            {
                "line_amount": _money(row["amount"]),
                "approved_total": _money(row["approved"]),
                "overspend": _money(over),
            },
            organization="holder_id",
        )


def _expenditures(scope: Scope) -> Any:
    return Expenditure.objects.filter(line__program_id__in=scope.program_ids, status__in=SPENT)


#: The fields that place an expenditure: itself, its line's program and holder.
_EXPENDITURE = ("pk", "line__program_id", "line__holder_id")


def _expenditure_hit(
    row: Mapping[str, Any], details: dict[str, Any], evidence: dict[str, Any]
) -> Hit:
    return _hit(row, "line__program_id", details, evidence, organization="line__holder_id")


def _fund_out_of_period(scope: Scope) -> Iterator[Hit]:
    outside = _expenditures(scope).filter(
        Q(spent_on__lt=F("line__start_date")) | Q(spent_on__gt=F("line__end_date"))
    )
    fields = ("spent_on", "amount", "line__start_date", "line__end_date")
    for row in _rows(outside, *_EXPENDITURE, *fields):
        yield _expenditure_hit(
            row,
            {"date": _iso(row["spent_on"]), "amount": _money(row["amount"])},
            {
                "spent_on": _iso(row["spent_on"]),
                "line_start": _iso(row["line__start_date"]),
                "line_end": _iso(row["line__end_date"]),
            },
        )


def _fund_self_approval(scope: Scope) -> Iterator[Hit]:
    self_approved = Expenditure.objects.filter(
        line__program_id__in=scope.program_ids,
        status=Expenditure.Status.APPROVED,  # rejecting one's own claim is harmless
        approved_by_id=F("submitted_by_id"),
    )
    for row in _rows(self_approved, *_EXPENDITURE, "amount", "submitted_by__full_name"):
        person = row["submitted_by__full_name"]
        yield _expenditure_hit(
            row,
            {"amount": _money(row["amount"]), "person": person},
            {"submitted_by": person, "approved_by": person},
        )


def _fund_duplicate(scope: Scope) -> Iterator[Hit]:
    rows = (
        _expenditures(scope)
        .annotate(payee_key=Lower(Trim("payee")))
        .values("line__program_id", "payee_key", "amount", "spent_on")
        .annotate(n=Count("pk"), first=Min("pk"), holder=Min("line__holder_id"), shown=Min("payee"))
        .filter(n__gt=1)
        .order_by()
    )
    for row in rows:
        yield Hit(
            subject_id=row["first"],
            program_id=row["line__program_id"],
            organization_id=row["holder"],
            key=f"{row['payee_key']}|{row['amount']}|{row['spent_on']}",
            details={
                "payee": row["shown"],
                "amount": _money(row["amount"]),
                "date": _iso(row["spent_on"]),
                "times": row["n"],
            },
            evidence={
                "payee": row["shown"],
                "amount": _money(row["amount"]),
                "spent_on": _iso(row["spent_on"]),
                "occurrences": row["n"],
            },
        )


def _fund_split(scope: Scope) -> Iterator[Hit]:
    """An expenditure that makes `min_count` near-threshold payments to one payee of one line
    within `window_days` (it and the ones before it)."""
    limit = Decimal(scope["approval_threshold"])
    floor = limit * (1 - Decimal(scope["margin_percent"]) / 100)
    near = _expenditures(scope).filter(amount__gte=floor, amount__lt=limit)
    window = int(scope["window_days"])
    cluster = (
        near.filter(
            line_id=OuterRef("line_id"),
            payee__iexact=OuterRef("payee"),
            spent_on__lte=OuterRef("spent_on"),
            spent_on__gte=OuterRef("window_start"),
        )
        .order_by()
        .values("line_id")
        .annotate(n=Count("pk"), total=Sum("amount"))
    )
    clustered = (
        near.annotate(window_start=F("spent_on") - dt.timedelta(days=window))
        .annotate(
            n=Subquery(cluster.values("n")),
            total=Subquery(cluster.values("total"), output_field=MONEY),
        )
        .filter(n__gte=int(scope["min_count"]))
    )
    for row in _rows(clustered, *_EXPENDITURE, "payee", "n", "total", "spent_on"):
        yield _expenditure_hit(
            row,
            {"payee": row["payee"], "count": row["n"], "total": _money(row["total"])},
            {
                "payee": row["payee"],
                "payments_in_window": row["n"],
                "window_total": _money(row["total"]),
                "approval_threshold": _money(limit),
                "window_days": window,
            },
        )


def _fund_end_of_period_spike(scope: Scope) -> Iterator[Hit]:
    weeks = int(scope["last_weeks"])
    approved = Q(expenditures__status="approved")
    last = Q(expenditures__spent_on__gt=F("end_date") - dt.timedelta(weeks=weeks))
    rows = (
        BudgetLine.objects.filter(program_id__in=scope.program_ids, start_date__lte=scope.today)
        .annotate(
            total=Coalesce(
                Sum("expenditures__amount", filter=approved), Decimal(0), output_field=MONEY
            ),
            late=Coalesce(
                Sum("expenditures__amount", filter=approved & last), Decimal(0), output_field=MONEY
            ),
        )
        .filter(total__gt=0, total__gte=Decimal(scope["minimum_total"]))
        .values("pk", "program_id", "holder_id", "title", "total", "late", "end_date")
        .order_by()
    )
    share = Decimal(scope["share_percent"])
    for row in rows:
        percent = (row["late"] * 100 / row["total"]).quantize(Decimal("0.1"))
        if percent <= share:
            continue
        yield _hit(
            row,
            "program_id",
            {"line": row["title"], "percent": str(percent), "weeks": weeks},
            {
                "approved_total": _money(row["total"]),
                "spent_in_last_weeks": _money(row["late"]),
                "share_percent": str(percent),
                "line_end": _iso(row["end_date"]),
            },
            organization="holder_id",
        )


# ---- Messages ------------------------------------------------------------------------------


# Details keep amounts and dates as plain strings ("1234.50", "2026-03-01"); the message shows
# them in the reader's format.
_MONEY_DETAILS = frozenset({"amount", "over", "total"})
#: Evidence kept as money strings, shown on the pages in the reader's money format.
MONEY_EVIDENCE = frozenset(
    {
        "amount",
        "approval_threshold",
        "approved_total",
        "line_amount",
        "over",
        "overspend",
        "spent_in_last_weeks",
        "total",
        "window_total",
    }
)
_DATE_DETAILS = frozenset({"date"})


def _text(template: Any) -> Any:
    """A message from a lazily translated template (gettext_lazy, or ngettext_lazy with the
    name of the detail that holds the number), written in the language of the reader."""

    def message(details: Mapping[str, Any]) -> str:
        return str(template % _formatted(details))

    return message


def _formatted(details: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(details)
    for name, value in details.items():
        try:
            if name in _MONEY_DETAILS and value not in (None, ""):
                values[name] = format_money(Decimal(str(value)))
            elif name in _DATE_DETAILS and isinstance(value, str) and value:
                values[name] = format_date(dt.date.fromisoformat(value[:10]))
        except (ArithmeticError, ValueError):
            continue  # an old detail in another shape: shown as it was stored
    return values


def _frequency_message(details: Mapping[str, Any]) -> str:
    # Three numbers in one sentence: each one gets its own plural form.
    values = dict(details)
    contacts = ngettext("%(contacts)d contact", "%(contacts)d contacts", values["contacts"])
    days = ngettext("%(window)d day", "%(window)d days", values["window"])
    required = ngettext("%(required)d is required", "%(required)d are required", values["required"])
    if details.get("role") == "academic":
        template = _("The academic tutor recorded %(contacts)s in %(days)s; %(required)s.")
    else:
        template = _("The practice tutor recorded %(contacts)s in %(days)s; %(required)s.")
    return template % {
        "contacts": contacts % values,
        "days": days % values,
        "required": required % values,
    }


def _gap_message(details: Mapping[str, Any]) -> str:
    if details.get("never"):
        return ngettext(
            "No progress log since enrolment, %(days)d day ago.",
            "No progress log since enrolment, %(days)d days ago.",
            details["days"],
        ) % dict(details)
    return ngettext(
        "No progress log for %(days)d day.", "No progress log for %(days)d days.", details["days"]
    ) % dict(details)


def _responsibility_message(details: Mapping[str, Any]) -> str:
    label = dict(Responsibility.choices).get(details.get("responsibility", ""), "")
    return _("%(organization)s shows no activity for its responsibility “%(label)s”.") % {
        "organization": details.get("organization", ""),
        "label": label,
    }


DAYS = gettext_lazy("Days")

RULES = [
    Rule(
        code="milestone_overdue",
        label=gettext_lazy("Milestone overdue"),
        description=gettext_lazy(
            "A milestone is past its due date (plus a grace period) and not completed."
        ),
        severity="minor",
        subject="programs.milestone",
        find=_milestone_overdue,
        message=_text(
            ngettext_lazy(
                "“%(title)s” is %(days)d day overdue.",
                "“%(title)s” is %(days)d days overdue.",
                "days",
            )
        ),
        thresholds={"grace_days": Threshold(0, gettext_lazy("Grace period (days)"), 0, 365)},
        evidence_labels={
            "due_date": gettext_lazy("Due date"),
            "days_overdue": gettext_lazy("Days overdue"),
        },
    ),
    Rule(
        code="supervision_gap",
        label=gettext_lazy("Supervision gap"),
        description=gettext_lazy("An active student has had no progress log for a number of days."),
        severity="major",
        subject="programs.student",
        find=_supervision_gap,
        message=_gap_message,
        thresholds={"days": Threshold(30, gettext_lazy("Days without a progress log"), 1, 3650)},
        evidence_labels={
            "last_progress_log": gettext_lazy("Last progress log"),
            "days_without_log": gettext_lazy("Days without a log"),
        },
    ),
    Rule(
        code="supervision_frequency",
        label=gettext_lazy("Too few supervision contacts"),
        description=gettext_lazy(
            "A tutor recorded fewer contacts with a student in the window than the program "
            "requires; the academic and the practice tutor are counted separately."
        ),
        severity="minor",
        subject="programs.tutorassignment",
        find=_supervision_frequency,
        message=_frequency_message,
        thresholds={
            "window_days": Threshold(90, gettext_lazy("Window (days)"), 7, 730),
            "academic_min": Threshold(
                3, gettext_lazy("Contacts required of the academic tutor"), 0, 365
            ),
            "practice_min": Threshold(
                2, gettext_lazy("Contacts required of the practice tutor"), 0, 365
            ),
        },
        evidence_labels={
            "tutor_role": gettext_lazy("Tutor"),
            "contacts_in_window": gettext_lazy("Contacts in the window"),
            "required_contacts": gettext_lazy("Contacts required"),
            "window_days": gettext_lazy("Window (days)"),
        },
    ),
    Rule(
        code="tutor_over_capacity",
        label=gettext_lazy("Tutor over capacity"),
        description=gettext_lazy("A tutor supervises more active students than their capacity."),
        severity="minor",
        subject="programs.tutorprofile",
        find=_tutor_over_capacity,
        message=_text(
            ngettext_lazy(
                "Supervises %(load)d active student; capacity %(capacity)d.",
                "Supervises %(load)d active students; capacity %(capacity)d.",
                "load",
            )
        ),
        evidence_labels={
            "current_students": gettext_lazy("Current students"),
            "capacity": gettext_lazy("Capacity"),
        },
    ),
    Rule(
        code="plan_not_approved",
        label=gettext_lazy("Plan not approved"),
        description=gettext_lazy("No approved training plan a number of days after enrolment."),
        severity="minor",
        subject="programs.student",
        find=_plan_not_approved,
        message=_text(
            ngettext_lazy(
                "No approved training plan %(days)d day after enrolment.",
                "No approved training plan %(days)d days after enrolment.",
                "days",
            )
        ),
        thresholds={"days": Threshold(90, gettext_lazy("Days after enrolment"), 1, 3650)},
        evidence_labels={
            "enrolled_on": gettext_lazy("Enrolled on"),
            "days_since_enrolment": gettext_lazy("Days since enrolment"),
        },
    ),
    Rule(
        code="plan_without_ie",
        label=gettext_lazy("Plan without innovation & entrepreneurship"),
        description=gettext_lazy(
            "An approved plan has no innovation & entrepreneurship course and no course "
            "that integrates it."
        ),
        severity="minor",
        subject="programs.trainingplan",
        find=_plan_without_ie,
        message=_text(
            gettext_lazy("Approved plan version %(version)d has no I&E or I&E-integrated course.")
        ),
        evidence_labels={
            "plan_version": gettext_lazy("Plan version"),
            "ie_courses": gettext_lazy("I&E courses"),
        },
    ),
    Rule(
        code="placement_without_tutor",
        label=gettext_lazy("Placement without practice tutor"),
        description=gettext_lazy("An active placement has no practice tutor."),
        severity="major",
        subject="programs.placement",
        find=_placement_without_tutor,
        message=_text(gettext_lazy("The active placement at %(host)s has no practice tutor.")),
        evidence_labels={
            "placement_start": gettext_lazy("Placement start"),
            "practice_tutor": gettext_lazy("Practice tutor"),
        },
    ),
    Rule(
        code="responsibility_unfulfilled",
        label=gettext_lazy("Responsibility unfulfilled"),
        description=gettext_lazy(
            "A partner's responsibility shows no matching activity in the period: placements "
            "hosted (clinical practice, practical training), courses delivered (teaching, "
            "curriculum setting), students supervised, projects (research training, knowledge "
            "transfer), budget lines held (funding), a counsellor posted at the organisation "
            "(mental-health service) or an inspection of the organisation (external "
            "supervision)."
        ),
        severity="major",
        subject="programs.partnerresponsibility",
        find=_responsibility_unfulfilled,
        message=_responsibility_message,
        thresholds={
            "period_days": Threshold(DEFAULT_PERIOD_DAYS, gettext_lazy("Period (days)"), 30, 3650)
        },
        evidence_labels={
            "responsibility": gettext_lazy("Responsibility"),
            "period_start": gettext_lazy("Period start"),
            "matching_activities": gettext_lazy("Matching activities"),
        },
    ),
    Rule(
        code="agreement_expired",
        label=gettext_lazy("Agreement expired"),
        description=gettext_lazy("A partner is still active although its agreement has ended."),
        severity="major",
        subject="programs.programpartner",
        find=_agreement_expired,
        message=_text(gettext_lazy("The agreement with %(organization)s has ended.")),
        evidence_labels={
            "agreement_end": gettext_lazy("Agreement end"),
            "days_since_end": gettext_lazy("Days since"),
        },
    ),
    Rule(
        code="fund_overspend",
        label=gettext_lazy("Budget line overspent"),
        description=gettext_lazy("Approved spending is above the budget line's amount."),
        severity="critical",
        subject="programs.budgetline",
        find=_fund_overspend,
        message=_text(gettext_lazy("“%(line)s” is overspent by %(over)s.")),
        evidence_labels={
            "line_amount": gettext_lazy("Line amount"),
            "approved_total": gettext_lazy("Approved spending"),
            "overspend": gettext_lazy("Overspend"),
        },
        about_funds=True,
    ),
    Rule(
        code="fund_out_of_period",
        label=gettext_lazy("Spending outside the period"),
        description=gettext_lazy("An expenditure is dated outside its budget line's period."),
        severity="major",
        subject="programs.expenditure",
        find=_fund_out_of_period,
        message=_text(gettext_lazy("%(amount)s spent on %(date)s, outside the line's period.")),
        evidence_labels={
            "spent_on": gettext_lazy("Date"),
            "line_start": gettext_lazy("Line start"),
            "line_end": gettext_lazy("Line end"),
        },
        about_funds=True,
    ),
    Rule(
        code="fund_self_approval",
        label=gettext_lazy("Self-approved expenditure"),
        description=gettext_lazy(
            "The submitter and the approver of an expenditure are the same person."
        ),
        severity="critical",
        subject="programs.expenditure",
        find=_fund_self_approval,
        message=_text(gettext_lazy("%(person)s approved their own expenditure of %(amount)s.")),
        evidence_labels={
            "submitted_by": gettext_lazy("Submitted by"),
            "approved_by": gettext_lazy("Approved by"),
        },
        about_funds=True,
    ),
    Rule(
        code="fund_duplicate",
        label=gettext_lazy("Duplicate expenditure"),
        description=gettext_lazy("The same payee, amount and date appear more than once."),
        severity="major",
        subject="programs.expenditure",
        find=_fund_duplicate,
        message=_text(
            ngettext_lazy(
                "%(amount)s to “%(payee)s” on %(date)s was recorded %(times)d time.",
                "%(amount)s to “%(payee)s” on %(date)s was recorded %(times)d times.",
                "times",
            )
        ),
        evidence_labels={
            "payee": gettext_lazy("Payee"),
            "amount": gettext_lazy("Amount"),
            "spent_on": gettext_lazy("Date"),
            "occurrences": gettext_lazy("Occurrences"),
        },
        about_funds=True,
    ),
    Rule(
        code="fund_split",
        label=gettext_lazy("Split spending"),
        description=gettext_lazy(
            "Several payments to one payee from one line, each just under the approval "
            "threshold, within a short window."
        ),
        severity="major",
        subject="programs.expenditure",
        find=_fund_split,
        message=_text(
            ngettext_lazy(
                "%(count)d payment to “%(payee)s” just under the threshold (%(total)s).",
                "%(count)d payments to “%(payee)s” just under the threshold (%(total)s).",
                "count",
            )
        ),
        thresholds={
            "approval_threshold": Threshold(
                Decimal("10000"),
                gettext_lazy("Approval threshold"),
                Decimal(1),
                Decimal(10**9),
                True,
            ),
            "margin_percent": Threshold(
                10, gettext_lazy("Just under: within this percentage"), 1, 50
            ),
            "min_count": Threshold(3, gettext_lazy("Payments"), 2, 100),
            "window_days": Threshold(14, gettext_lazy("Window (days)"), 1, 365),
        },
        evidence_labels={
            "payee": gettext_lazy("Payee"),
            "payments_in_window": gettext_lazy("Payments in the window"),
            "window_total": gettext_lazy("Total in the window"),
            "approval_threshold": gettext_lazy("Approval threshold"),
            "window_days": gettext_lazy("Window (days)"),
        },
        about_funds=True,
    ),
    Rule(
        code="fund_end_of_period_spike",
        label=gettext_lazy("Spending spike at the end of the period"),
        description=gettext_lazy(
            "An unusual share of a line's approved spending falls in its last weeks."
        ),
        severity="minor",
        subject="programs.budgetline",
        find=_fund_end_of_period_spike,
        message=_text(
            ngettext_lazy(
                "%(percent)s%% of “%(line)s” was spent in its last %(weeks)d week.",
                "%(percent)s%% of “%(line)s” was spent in its last %(weeks)d weeks.",
                "weeks",
            )
        ),
        thresholds={
            "last_weeks": Threshold(4, gettext_lazy("Last weeks"), 1, 26),
            "share_percent": Threshold(50, gettext_lazy("Share (%)"), 1, 100),
            "minimum_total": Threshold(
                Decimal("1000"),
                gettext_lazy("Only lines with approved spending of at least"),
                Decimal(0),
                Decimal(10**9),
                True,
            ),
        },
        evidence_labels={
            "approved_total": gettext_lazy("Approved spending"),
            "spent_in_last_weeks": gettext_lazy("Spent in the last weeks"),
            "share_percent": gettext_lazy("Share (%)"),
            "line_end": gettext_lazy("Line end"),
        },
        about_funds=True,
    ),
]


def _inspections(since: dt.date, today: dt.date) -> Any:
    return (
        Inspection.objects.filter(
            organization__isnull=False, starts_at__date__lte=today, ends_on__gte=since
        )
        .exclude(status=Inspection.Status.CANCELLED)
        .order_by("-starts_at", "pk")
    )


def _inspection(row: Inspection) -> Evidence:
    return Evidence(
        _("Inspection “%(title)s”, ended %(date)s") % {"title": row.title, "date": row.ends_on}
    )


#: External supervision shows as inspections of the partner organisation (they live here, so
#: supervision tells programs how to check it).
SUPERVISED_EXTERNALLY = ResponsibilityCheck(
    gettext_lazy("Inspections of the organisation"),
    _inspections,
    ("organization_id",),
    None,
    _inspection,
)


def _responsibility_period(program: Any) -> int:
    """The period of `responsibility_unfulfilled` in force for the program (one query)."""
    from ..audits.engine import effective_settings

    rule = next(rule for rule in RULES if rule.code == "responsibility_unfulfilled")
    settings = effective_settings([rule], [program.pk])[(rule.code, program.pk)]
    return int(settings.thresholds["period_days"])


def register_catalogue() -> None:
    for rule in RULES:
        register(rule)
    register_check(Responsibility.SUPERVISION_EXTERNAL, SUPERVISED_EXTERNALLY)
    register_period(_responsibility_period)
