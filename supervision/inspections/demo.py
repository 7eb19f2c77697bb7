"""Demo data of external supervision, on top of the MIT-2025 demo program.

`seed_inspection_demo()` creates:
- the inspectors `inspector@demo.example` (Ingrid Huang) and `inspector2@demo.example`
  (Leo Fang, a lead inspector), with the demo password;
- a checklist template for every inspection type;
- a declared conflict of interest: Leo Fang used to work at Riverside People's Hospital, so he
  is never assigned to it nor to MIT-2025 (a partner of which it is);
- assignments: Ingrid for MIT-2025 and the partner hospitals, Leo for Eastbridge First
  Hospital;
- a recorded draw of two organisations among the partner hospitals and enterprises, with one
  inspector each, that scheduled their (announced) inspections; its seed is the first demo
  seed that draws Riverside People's Hospital, so that Leo's recusal is recorded;
- a PUBLISHED routine inspection of MIT-2025 with a correction (two versions, chained);
- a follow-up inspection of Eastbridge First Hospital IN_REPLY, its window open, with a
  comment of the hospital's coordinator (coordinator@demo.example) awaiting an answer;
- a thematic inspection of Eastbridge First Hospital AWAITING APPROVAL: written by Ingrid,
  its reply window over, publication asked for; Leo (lead inspector on the team) approves it;
- an UNANNOUNCED fund inspection of Eastbridge First Hospital next month, which the
  coordinator cannot discover (no page, count or notification reaches them);
- the published audit summaries of the demo programs (refreshed after every audit run).

The services do the work (so that the data is what the portal would make, notifications
included); only the dates of the published inspection are moved into the past afterwards.
Seeded once per piece (training_portal.core.seeding): a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_portal_admin
from accounts.models import User
from programs.demo import ORGANIZATIONS, PROGRAM_CODE
from programs.models import Organization, Program
from training_portal.core.history import history_context
from training_portal.core.seeding import seed_once

from ..models import (
    ChecklistItem,
    ChecklistTemplate,
    ConflictOfInterest,
    Draw,
    Inspection,
    InspectionAssignment,
    InspectionType,
    InspectorProfile,
    SampledStudent,
    Severity,
)
from . import draw as draws
from . import services
from .publication import publish_audit_summary

INSPECTOR = ("inspector@demo.example", "Ingrid Huang", "Clinical training and placements")
LEAD = ("inspector2@demo.example", "Leo Fang", "Training quality and fund use")
DRAW_SEED_PREFIX = "demo-draw-2026"
PUBLISHED_TITLE = "Routine inspection of MIT-2025"
REPLY_TITLE = "Follow-up inspection of Eastbridge First Hospital"
UNANNOUNCED_TITLE = "Fund use inspection of Eastbridge First Hospital"
AWAITING_TITLE = "Thematic inspection of Eastbridge First Hospital: clinical placements"

TEMPLATES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    InspectionType.ROUTINE: (
        "Routine inspection",
        [
            ("Governance", "Is the collaboration agreement signed and current?", ""),
            ("Governance", "Does the program committee meet at least twice a year?", ""),
            ("Supervision", "Does every student have an academic and a practice tutor?", ""),
            ("Supervision", "Are tutors within their supervision capacity?", ""),
            ("Training", "Are training plans approved and up to date?", "Look at the sample."),
            ("Training", "Are case logs verified by practice tutors?", "Look at the sample."),
        ],
    ),
    InspectionType.THEMATIC: (
        "Thematic inspection: clinical placements",
        [
            ("Placements", "Are placements confirmed before they start?", ""),
            ("Placements", "Are practice tutors present on site?", ""),
            ("Students", "Do students log their cases weekly?", "Look at the sample."),
        ],
    ),
    InspectionType.FUNDS: (
        "Fund use inspection",
        [
            ("Controls", "Is every expenditure approved by someone other than its submitter?", ""),
            ("Controls", "Are expenditures within their budget line's period?", ""),
            ("Records", "Is every expenditure backed by an invoice?", "Sample ten entries."),
        ],
    ),
    InspectionType.FOLLOW_UP: (
        "Follow-up inspection",
        [
            ("Follow-up", "Have the corrective actions of the last report been taken?", ""),
            ("Follow-up", "Are the open findings being remedied on time?", ""),
            ("Students", "Do the sampled students confirm the improvements?", ""),
        ],
    ),
}

PUBLISHED_SECTIONS = [
    (
        "summary",
        "Summary",
        "The program provides structured clinical and engineering training. Supervision is "
        "in place for the students examined; some case logs were verified late.",
    ),
    (
        "findings",
        "Findings",
        "Training plans were approved for the files examined. Case logs at one partner "
        "hospital were verified with a delay of several weeks.",
    ),
    (
        "recommendations",
        "Recommendations",
        "Practice tutors should verify case logs within two weeks of the case.",
    ),
]

AWAITING_SECTIONS = [
    (
        "summary",
        "Summary",
        "Clinical placements at the hospital are confirmed before they start and practice "
        "tutors are on site; the inspected side made no comment during the reply window.",
    ),
    (
        "recommendations",
        "Recommendations",
        "Keep the weekly case-log review that the teaching office introduced this year.",
    ),
]


def _user(email: str, full_name: str) -> User:
    user = User.objects.with_email(email).first()
    if user is None:
        user = User(email=email, full_name=full_name, preferred_language="en")
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    return user


def _inspector(email: str, full_name: str, expertise: str, *, is_lead: bool) -> User:
    user = _user(email, full_name)
    InspectorProfile.objects.get_or_create(
        user=user, defaults={"is_lead": is_lead, "expertise": expertise}
    )
    return user


def _templates(admin: User) -> None:
    for kind, (title, items) in TEMPLATES.items():
        if ChecklistTemplate.objects.filter(inspection_type=kind).exists():
            continue
        services.save_checklist_template(
            by=admin,
            inspection_type=kind,
            title=title,
            items=[
                {"section": section, "text": text, "guidance": guidance}
                for section, text, guidance in items
            ],
        )


def _assign(admin: User, inspector: User, **target: Any) -> None:
    today = timezone.localdate()
    if InspectionAssignment.objects.current(today).filter(inspector=inspector, **target).exists():
        return
    services.create_assignment(
        by=admin,
        inspector=inspector,
        valid_from=today - dt.timedelta(days=90),
        valid_until=today + dt.timedelta(days=365),
        **target,
    )


def _draw_seed(candidates: list[int], wanted: int, targets: int) -> str:
    """The first demo seed whose draw of targets includes `wanted` (ids differ between
    databases; the search keeps the demo's story, a recorded recusal, on every one)."""
    for number in range(1000):
        seed = f"{DRAW_SEED_PREFIX}-{number}"
        if wanted in draws.rank(seed, "targets", candidates)[:targets]:
            return seed
    return DRAW_SEED_PREFIX


def _draw(admin: User, orgs: dict[str, Organization]) -> None:
    if Draw.objects.filter(seed__startswith=DRAW_SEED_PREFIX).exists():
        return
    candidates = sorted(orgs[key].pk for key in ("rph", "hch", "lumina", "nova", "ibi"))
    starts = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    starts += dt.timedelta(days=14)
    draws.make_draw(
        by=admin,
        target_kind=Draw.TargetKind.ORGANIZATION,
        inspection_type=InspectionType.THEMATIC,
        unannounced=False,
        targets=2,
        students_per_target=3,
        inspectors_per_target=1,
        candidate_ids=candidates,
        seed=_draw_seed(candidates, orgs["rph"].pk, 2),
        starts_at=starts,
        ends_on=(starts + dt.timedelta(days=2)).date(),
    )


def _conduct(inspection: Inspection, inspector: User) -> Inspection:
    started = services.start_inspection(by=inspector, inspection=inspection)
    items = ChecklistItem.objects.filter(inspection=started).select_related("inspection")
    for number, item in enumerate(items):
        result = ChecklistItem.Result.PARTLY_MET if number == 5 else ChecklistItem.Result.MET
        services.record_checklist_result(by=inspector, item=item, result=result)
    for sampled in SampledStudent.objects.filter(inspection=started).select_related("inspection"):
        services.update_sampled_student(by=inspector, sampled=sampled, examined=True)
    return started


def _published(admin: User, inspector: User, program: Program) -> None:
    if Inspection.objects.filter(title=PUBLISHED_TITLE).exists():
        return
    now = timezone.now()
    inspection = services.schedule_inspection(
        by=admin,
        title=PUBLISHED_TITLE,
        inspection_type=InspectionType.ROUTINE,
        program=program,
        unannounced=False,
        starts_at=now - dt.timedelta(minutes=5),
        ends_on=timezone.localdate(),
        inspectors=[inspector],
        author=inspector,
        sample_size=6,
    )
    inspection = _conduct(inspection, inspector)
    services.add_observation(
        by=inspector,
        inspection=inspection,
        text="Case logs at one hospital were verified several weeks after the case.",
    )
    services.record_inspection_finding(
        by=inspector,
        inspection=inspection,
        severity=Severity.MINOR,
        title="Late verification of case logs",
        text="Case logs should be verified within two weeks.",
    )
    for key, title, body in PUBLISHED_SECTIONS:
        services.save_report_section(
            by=inspector, inspection=inspection, key=key, title=title, body=body
        )
    services.open_reply_window(by=inspector, inspection=inspection, days=10)
    _close_window_in_the_past(inspection)
    services.request_publication(by=inspector, inspection=inspection)
    services.approve_publication(by=admin, inspection=inspection)
    services.start_correction(by=inspector, inspection=inspection)
    services.save_report_section(
        by=inspector,
        inspection=inspection,
        key="findings",
        title="Findings",
        body=PUBLISHED_SECTIONS[1][2].replace("several weeks", "three to five weeks"),
    )
    services.request_publication(
        by=inspector,
        inspection=inspection,
        correction_note="The delay of case-log verification is stated precisely.",
    )
    services.approve_publication(by=admin, inspection=inspection)


def _close_window_in_the_past(inspection: Inspection) -> None:
    """Move the visit and the reply window into the past (the demo cannot wait ten days)."""
    now = timezone.now()
    Inspection.objects.filter(pk=inspection.pk).update(
        starts_at=now - dt.timedelta(days=50),
        ends_on=timezone.localdate() - dt.timedelta(days=48),
        reply_opens_at=now - dt.timedelta(days=30),
        reply_closes_at=now - dt.timedelta(days=20),
    )
    inspection.refresh_from_db()


def _in_reply(admin: User, team: list[User], hospital: Organization) -> None:
    if Inspection.objects.filter(title=REPLY_TITLE).exists():
        return
    inspection = services.schedule_inspection(
        by=admin,
        title=REPLY_TITLE,
        inspection_type=InspectionType.FOLLOW_UP,
        organization=hospital,
        unannounced=False,
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        ends_on=timezone.localdate() + dt.timedelta(days=1),
        inspectors=team,
        author=team[0],
        sample_size=3,
    )
    inspection = _conduct(inspection, team[0])
    summary = services.save_report_section(
        by=team[0],
        inspection=inspection,
        key="summary",
        title="Summary",
        body="The corrective actions of the last inspection were taken in 2025; placements "
        "are now confirmed before they start.",
    )
    services.save_report_section(
        by=team[0],
        inspection=inspection,
        key="findings",
        title="Findings",
        body="Practice tutors were present on site on the days of the visit.",
    )
    services.open_reply_window(by=team[0], inspection=inspection, days=10)
    coordinator = User.objects.with_email("coordinator@demo.example").first()
    if coordinator is not None:
        services.comment_on_section(
            by=coordinator,
            section=summary,
            text="The corrective actions were completed in December 2024, not in 2025.",
        )


@transaction.atomic
def _awaiting_approval(admin: User, team: list[User], hospital: Organization) -> None:
    """Written by Ingrid, its reply window over, publication asked for: the second person of
    the two-person rule is Leo, the lead inspector on the team (or an administrator)."""
    author = team[0]
    with history_context(user=admin.pk, reason="demo data"):
        inspection = services.schedule_inspection(
            by=admin,
            title=AWAITING_TITLE,
            inspection_type=InspectionType.THEMATIC,
            organization=hospital,
            unannounced=False,
            starts_at=timezone.now() - dt.timedelta(minutes=5),
            ends_on=timezone.localdate(),
            inspectors=team,
            author=author,
            sample_size=3,
        )
        inspection = _conduct(inspection, author)
        for key, title, body in AWAITING_SECTIONS:
            services.save_report_section(
                by=author, inspection=inspection, key=key, title=title, body=body
            )
        services.open_reply_window(by=author, inspection=inspection, days=10)
        _close_window_in_the_past(inspection)
        services.request_publication(by=author, inspection=inspection)


def _unannounced(admin: User, team: list[User], hospital: Organization) -> None:
    if Inspection.objects.filter(title=UNANNOUNCED_TITLE).exists():
        return
    starts = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    starts += dt.timedelta(days=30)
    services.schedule_inspection(
        by=admin,
        title=UNANNOUNCED_TITLE,
        inspection_type=InspectionType.FUNDS,
        organization=hospital,
        unannounced=True,
        starts_at=starts,
        ends_on=(starts + dt.timedelta(days=1)).date(),
        inspectors=team,
        author=team[0],
        scope_note="Expenditures of the clinical training budget lines.",
    )


def seed_inspection_demo() -> None:
    """Create the inspections demo (see the module docstring), once: a second run creates
    nothing."""
    program = Program.objects.filter(code=PROGRAM_CODE).first()
    admin = demo_portal_admin()
    if program is None or admin is None:
        return
    seed_once(
        "inspections",
        lambda: _seed(admin, program),
        already_there=InspectorProfile.objects.filter(user__email=INSPECTOR[0]).exists,
    )
    inspector = User.objects.with_email(INSPECTOR[0]).first()
    lead = User.objects.with_email(LEAD[0]).first()
    hospital = Organization.objects.filter(name=ORGANIZATIONS["efh"][0]).first()
    if inspector is not None and lead is not None and hospital is not None:
        # A piece added later: databases seeded before it receive it on their next start.
        seed_once(
            "inspections.awaiting-approval",
            lambda: _awaiting_approval(admin, [inspector, lead], hospital),
            already_there=Inspection.objects.filter(
                title=AWAITING_TITLE, organization=hospital, team__inspector=inspector
            ).exists,
        )


@transaction.atomic
def _seed(admin: User, program: Program) -> None:
    orgs = {
        key: Organization.objects.get(name=name) for key, (name, *_rest) in ORGANIZATIONS.items()
    }
    with history_context(user=admin.pk, reason="demo data"):
        inspector = _inspector(*INSPECTOR, is_lead=False)
        lead = _inspector(*LEAD, is_lead=True)
        if not ConflictOfInterest.objects.filter(inspector=lead).exists():
            services.declare_conflict(
                by=lead,
                inspector=lead,
                organization=orgs["rph"],
                kind=ConflictOfInterest.Kind.FORMER_MEMBER,
                explanation="Worked in its radiology department until 2023.",
            )
        _templates(admin)
        _assign(admin, inspector, program=program)
        for key in ("efh", "rph", "hch"):
            _assign(admin, inspector, organization=orgs[key])
        _assign(admin, lead, organization=orgs["efh"])
        _draw(admin, orgs)
        _published(admin, inspector, program)
        _in_reply(admin, [inspector, lead], orgs["efh"])
        _unannounced(admin, [inspector, lead], orgs["efh"])
        for demo_program in Program.objects.filter(code=PROGRAM_CODE):
            publish_audit_summary(program=demo_program)
