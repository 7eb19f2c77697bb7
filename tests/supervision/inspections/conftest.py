"""The inspections cast: the supervision cast (`cast`, `people`, `admin`, `outsider`) plus
inspectors, checklist templates and inspections in every stage, built with the ORM directly
(the services are what the tests exercise, not how the fixtures are made).

Inspectors (each has an `InspectorProfile`):
- `inspector` (Ingrid, ingrid@example.org): current assignments covering `cast.program` AND
  `cast.hospital` (from 30 days ago to 180 days ahead); the author of every inspection below;
- `lead_inspector` (Leo, leo@example.org): `is_lead`, the same two current assignments; on the
  team of `inspection`, `org_inspection`, `reply_inspection` and `published_inspection`
  (not of `unannounced_inspection`);
- `unassigned_inspector` (Una, una@example.org): a profile and no assignment: sees nothing.

`checklist_templates`: a dict InspectionType -> ChecklistTemplate, each with 3 questions in
2 sections ("Organisation": 2 questions, "Students": 1 question).

Inspections (created by `admin`; the announced ones are visible to the inspected side):
- `inspection`: ROUTINE, announced, of `cast.program`, IN_PROGRESS, started yesterday, ends in
  14 days; team `inspector` (author) + `lead_inspector`; checklist copied from the ROUTINE
  template; sample `cast.student` and `cast.other_student`; one observation by `inspector`
  on the first checklist question. Inspected side: `cast.program_admin`.
- `org_inspection`: THEMATIC, announced, of `cast.hospital`, IN_PROGRESS, started yesterday;
  team `inspector` (author) + `lead_inspector`; checklist copied. Inspected side:
  `cast.coordinator`.
- `unannounced_inspection`: FUNDS, UNANNOUNCED, of `cast.hospital` (the organisation
  `cast.coordinator` coordinates), PLANNED, starts in 30 days; team `inspector` (author) only.
  Nobody on the inspected side (coordinator, program admin, tutors, students) may learn of it.
- `reply_inspection`: FOLLOW_UP, announced, of `cast.hospital`, IN_REPLY with the window open
  (opened yesterday, closes in 9 days); team `inspector` (author) + `lead_inspector`; two
  report sections ("summary", "findings"); one unanswered comment by `cast.coordinator` on
  "summary".
- `published_inspection`: ROUTINE, announced, of `cast.program`, PUBLISHED; team `inspector`
  (author) + `lead_inspector`; two sections; two `PublishedReport` versions built with
  `supervision.inspections.publication.publish_report_version` (published by `inspector`,
  approved by `lead_inspector`; version 2 says "Corrected the number of sampled files.", and
  its `previous_hash` is version 1's `content_hash`).

`inspection_people`: `people` (every role of the supervision cast by name, None for the
anonymous visitor) plus "inspector", "lead_inspector" and "unassigned_inspector";
`INSPECTION_ROLES` lists those names. `as_role(inspection_people, name)` returns a user.

Helpers for more stories: `make_inspection(admin=, team=, templates=, ...)` (an inspection with
its team, the first member the author, and the checklist of its type) and
`add_sections(inspection)` (the "summary" and "findings" sections). The cast's `hospital` is not
a partner of `cast.program` (create a `ProgramPartner` when a story needs it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from supervision.inspections import draw as draws
from supervision.inspections.publication import publish_audit_summary
from supervision.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Draw,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionTeamMember,
    InspectionType,
    InspectorProfile,
    Observation,
    PublishedAuditSummary,
    PublishedReport,
    ReplyComment,
    ReportSection,
    SampledStudent,
)
from tests.cast import Cast
from tests.factories import UserFactory
from tests.supervision.conftest import ROLES, make_finding

#: Every role of the inspections cast (besides the anonymous visitor).
INSPECTION_ROLES = [*ROLES, "inspector", "lead_inspector", "unassigned_inspector"]

#: The questions every test template has: (section, text).
TEMPLATE_QUESTIONS = [
    ("Organisation", "Is the training agreement signed and current?"),
    ("Organisation", "Are practice tutors qualified for the students they supervise?"),
    ("Students", "Does every student have a current training plan?"),
]


def as_role(inspection_people: dict[str, Any], name: str) -> Any:
    """The user of a role of the inspections cast (None for "anonymous")."""
    return inspection_people[name]


def _inspector(email: str, full_name: str, *, is_lead: bool = False) -> User:
    user = UserFactory(email=email, full_name=full_name)
    InspectorProfile.objects.create(user=user, is_lead=is_lead, expertise="Clinical training")
    return user


def _assign(user: User, cast: Cast, by: User) -> None:
    today = timezone.localdate()
    for target in ({"program": cast.program}, {"organization": cast.hospital}):
        InspectionAssignment.objects.create(
            inspector=user,
            valid_from=today - dt.timedelta(days=30),
            valid_until=today + dt.timedelta(days=180),
            created_by=by,
            **target,
        )


@pytest.fixture
def inspector(cast: Cast, admin: User) -> User:
    user = _inspector("ingrid@example.org", "Ingrid Inspector")
    _assign(user, cast, admin)
    return user


@pytest.fixture
def lead_inspector(cast: Cast, admin: User) -> User:
    user = _inspector("leo@example.org", "Leo Lead", is_lead=True)
    _assign(user, cast, admin)
    return user


@pytest.fixture
def unassigned_inspector(db: None) -> User:
    return _inspector("una@example.org", "Una Unassigned")


@pytest.fixture
def inspection_people(
    people: dict[str, Any], inspector: User, lead_inspector: User, unassigned_inspector: User
) -> dict[str, Any]:
    return {
        **people,
        "inspector": inspector,
        "lead_inspector": lead_inspector,
        "unassigned_inspector": unassigned_inspector,
    }


@pytest.fixture
def checklist_templates(db: None) -> dict[str, ChecklistTemplate]:
    templates = {}
    for kind in InspectionType:
        template = ChecklistTemplate.objects.create(
            inspection_type=kind, title=f"{kind.label} checklist"
        )
        for position, (section, text) in enumerate(TEMPLATE_QUESTIONS):
            ChecklistTemplateItem.objects.create(
                template=template, section=section, text=text, position=position
            )
        templates[kind.value] = template
    return templates


def make_inspection(
    *,
    admin: User,
    team: list[User],
    templates: dict[str, ChecklistTemplate],
    inspection_type: str = InspectionType.ROUTINE,
    status: str = Inspection.Status.IN_PROGRESS,
    starts_in_days: int = -1,
    **fields: Any,
) -> Inspection:
    """An inspection with its team (the first member writes the report) and its checklist
    copied from the template of its type."""
    starts_at = timezone.now() + dt.timedelta(days=starts_in_days)
    inspection = Inspection.objects.create(
        title=fields.pop("title", "Inspection of clinical training"),
        inspection_type=inspection_type,
        status=status,
        starts_at=starts_at,
        ends_on=fields.pop("ends_on", (starts_at + dt.timedelta(days=14)).date()),
        created_by=admin,
        **fields,
    )
    for position, member in enumerate(team):
        InspectionTeamMember.objects.create(
            inspection=inspection, inspector=member, is_author=position == 0
        )
    for item in templates[inspection_type].items.all():
        ChecklistItem.objects.create(
            inspection=inspection,
            section=item.section,
            text=item.text,
            guidance=item.guidance,
            position=item.position,
        )
    return inspection


def add_sections(inspection: Inspection) -> list[ReportSection]:
    return [
        ReportSection.objects.create(
            inspection=inspection,
            key="summary",
            title="Summary",
            body="The hospital provides structured clinical training.",
            position=0,
        ),
        ReportSection.objects.create(
            inspection=inspection,
            key="findings",
            title="Findings",
            body="Training plans were current for the files examined.",
            position=1,
        ),
    ]


@pytest.fixture
def inspection(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> Inspection:
    inspection = make_inspection(
        admin=admin,
        team=[inspector, lead_inspector],
        templates=checklist_templates,
        program=cast.program,
        title="Routine inspection of the program",
    )
    for position, student in enumerate([cast.student, cast.other_student]):
        SampledStudent.objects.create(inspection=inspection, student=student, position=position)
    Observation.objects.create(
        inspection=inspection,
        checklist_item=inspection.checklist.first(),
        text="The agreement was signed last year.",
        author=inspector,
    )
    return inspection


@pytest.fixture
def org_inspection(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> Inspection:
    return make_inspection(
        admin=admin,
        team=[inspector, lead_inspector],
        templates=checklist_templates,
        inspection_type=InspectionType.THEMATIC,
        organization=cast.hospital,
        title="Thematic inspection of the hospital",
    )


@pytest.fixture
def unannounced_inspection(
    cast: Cast,
    admin: User,
    inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> Inspection:
    return make_inspection(
        admin=admin,
        team=[inspector],
        templates=checklist_templates,
        inspection_type=InspectionType.FUNDS,
        status=Inspection.Status.PLANNED,
        starts_in_days=30,
        organization=cast.hospital,
        unannounced=True,
        title="Unannounced fund inspection",
    )


@pytest.fixture
def reply_inspection(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> Inspection:
    now = timezone.now()
    inspection = make_inspection(
        admin=admin,
        team=[inspector, lead_inspector],
        templates=checklist_templates,
        inspection_type=InspectionType.FOLLOW_UP,
        status=Inspection.Status.IN_REPLY,
        starts_in_days=-20,
        organization=cast.hospital,
        title="Follow-up inspection of the hospital",
        reply_opens_at=now - dt.timedelta(days=1),
        reply_closes_at=now + dt.timedelta(days=9),
    )
    summary, _findings = add_sections(inspection)
    ReplyComment.objects.create(
        section=summary,
        section_revision=summary.revision,
        text="The training is structured since 2024, not 2025.",
        author=cast.coordinator,
    )
    return inspection


@pytest.fixture
def published_inspection(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> Inspection:
    from supervision.inspections.publication import publish_report_version

    inspection = make_inspection(
        admin=admin,
        team=[inspector, lead_inspector],
        templates=checklist_templates,
        status=Inspection.Status.PUBLISHED,
        starts_in_days=-60,
        program=cast.program,
        title="Published inspection of the program",
    )
    add_sections(inspection)
    publish_report_version(
        inspection=inspection, published_by=inspector, approved_by=lead_inspector
    )
    publish_report_version(
        inspection=inspection,
        published_by=inspector,
        approved_by=lead_inspector,
        change_note="Corrected the number of sampled files.",
    )
    assert PublishedReport.objects.filter(inspection=inspection).count() == 2
    return inspection


# ---- Public summaries and draws ------------------------------------------------------------


@pytest.fixture
def summary(cast: Cast) -> PublishedAuditSummary:
    """Two versions of `cast.program`'s audit summary: 7 findings (6 supervision gaps, 2 of
    them resolved, and 1 fund self-approval), then one more supervision gap (8)."""
    for number in range(6):
        make_finding(
            cast.program,
            cast.student,
            student=cast.student,
            status=Finding.Status.RESOLVED if number < 2 else Finding.Status.OPEN,
            resolved_at=timezone.now() if number < 2 else None,
        )
    make_finding(cast.program, cast.program, rule="fund_self_approval", severity="critical")
    first = publish_audit_summary(program=cast.program)
    assert first is not None
    make_finding(cast.program, cast.student, student=cast.student)
    second = publish_audit_summary(program=cast.program)
    assert second is not None and second.version == 2
    return second


def make_program_draw(
    admin: User, cast: Cast, *, unannounced: bool = False, starts_in_days: int = 7
) -> Draw:
    return draws.make_draw(
        by=admin,
        target_kind=Draw.TargetKind.PROGRAM,
        inspection_type=InspectionType.ROUTINE,
        unannounced=unannounced,
        targets=1,
        students_per_target=2,
        inspectors_per_target=2,
        candidate_ids=[cast.program.pk],
        starts_at=timezone.now() + dt.timedelta(days=starts_in_days),
        ends_on=timezone.localdate() + dt.timedelta(days=starts_in_days + 14),
    )


@pytest.fixture
def draw(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: dict[str, ChecklistTemplate],
) -> Draw:
    return make_program_draw(admin, cast)
