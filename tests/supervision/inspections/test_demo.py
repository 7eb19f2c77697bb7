"""The inspections demo (`seed_inspection_demo`, run by `seed_demo`): the two inspector
accounts, a recorded draw that scheduled inspections, a published inspection with a correction,
one in its reply window, an unannounced one the demo coordinator cannot discover, the audit
summaries; and a second run that creates nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from programs.demo import PROGRAM_CODE
from programs.models import Organization
from supervision.inspections import draw as draws
from supervision.inspections import permissions
from supervision.inspections.demo import (
    PUBLISHED_TITLE,
    REPLY_TITLE,
    UNANNOUNCED_TITLE,
    seed_inspection_demo,
)
from supervision.inspections.publication import verify_report_chain, verify_summary_chain
from supervision.models import (
    ChecklistTemplate,
    ConflictOfInterest,
    Draw,
    Inspection,
    InspectionType,
    InspectorProfile,
    PublishedAuditSummary,
    PublishedReport,
)
from training_portal.core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hash(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", "--force", stdout=io.StringIO())


def inspection_rows() -> dict[str, int]:
    models = apps.get_app_config("supervision").get_models(include_auto_created=True)
    return {
        model._meta.db_table: model._default_manager.count()
        for model in models
        if model._meta.db_table.startswith("supervision_")
        and "audit" not in model._meta.db_table
        and "finding" not in model._meta.db_table
    }


def user(email: str) -> User:
    return User.objects.get(email=email)


def check_inspectors() -> None:
    for email, lead in (("inspector@demo.example", False), ("inspector2@demo.example", True)):
        account = user(email)
        assert account.check_password(settings.DEMO_PASSWORD)
        assert permissions.is_inspector(account)
        assert InspectorProfile.objects.get(user=account).is_lead is lead
    assert set(ChecklistTemplate.objects.values_list("inspection_type", flat=True)) == set(
        InspectionType.values
    )


def check_draw() -> None:
    """The lead inspector declared a conflict; the draw drew that organisation and recorded
    his recusal; its inspections are those of its result."""
    lead = user("inspector2@demo.example")
    conflict = ConflictOfInterest.objects.get(inspector=lead)
    draw = Draw.objects.get()
    assert draws.verify_draw(draw) == []
    drawn = [target["id"] for target in draw.result["targets"]]
    assert conflict.organization_id in drawn
    assert {"target": conflict.organization_id, "inspector": lead.pk} in [
        {"target": r["target"], "inspector": r["inspector"]} for r in draw.result["recusals"]
    ]
    scheduled = draw.inspections.all()
    assert sorted(i.organization_id for i in scheduled) == sorted(drawn)
    assert not scheduled.filter(organization=conflict.organization, inspectors=lead).exists()


def check_published() -> None:
    inspection = Inspection.objects.get(title=PUBLISHED_TITLE)
    assert inspection.status == Inspection.Status.PUBLISHED
    first, second = PublishedReport.objects.filter(inspection=inspection).order_by("version")
    assert second.previous_hash == first.content_hash
    assert second.change_note
    assert verify_report_chain(inspection) == []


def check_in_reply() -> None:
    inspection = Inspection.objects.get(title=REPLY_TITLE)
    coordinator = user("coordinator@demo.example")
    assert inspection.reply_window_open()
    assert permissions.can_reply(coordinator, inspection)
    comment = inspection.report_sections.get(key="summary").comments.get()
    assert comment.author == coordinator
    assert comment.answered_at is None


def check_unannounced() -> None:
    """The demo coordinator cannot discover the unannounced inspection of her hospital."""
    inspection = Inspection.objects.get(title=UNANNOUNCED_TITLE)
    coordinator = user("coordinator@demo.example")
    assert inspection.unannounced
    assert inspection.organization == Organization.objects.get(name="Eastbridge First Hospital")
    days = (inspection.starts_at - timezone.now()).days
    assert 25 <= days <= 31
    assert not Inspection.objects.visible_to(coordinator).filter(pk=inspection.pk).exists()
    assert not permissions.is_inspected_side(coordinator, inspection)
    texts = Notification.objects.filter(recipient=coordinator).values_list("title", "body")
    assert not [text for text in texts if "Fund use" in " ".join(text)]
    inspectors = set(inspection.inspectors.values_list("email", flat=True))
    assert inspectors == {"inspector@demo.example", "inspector2@demo.example"}


def test_the_demo_has_inspectors_templates_and_a_recorded_draw(demo: None) -> None:
    check_inspectors()
    check_draw()


def test_the_demo_has_inspections_at_every_stage_and_keeps_the_unannounced_one_secret(
    demo: None,
) -> None:
    check_published()
    check_in_reply()
    check_unannounced()


def test_the_demo_publishes_audit_summaries_and_seeding_twice_creates_nothing_new(
    demo: None,
) -> None:
    summary = PublishedAuditSummary.objects.get(program__code=PROGRAM_CODE)
    assert verify_summary_chain(summary.program) == []
    first = inspection_rows()
    seed_inspection_demo()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert inspection_rows() == first


def test_the_lead_inspector_completes_a_two_person_publication_in_the_demo(
    demo: None, client: Any
) -> None:
    """Ingrid wrote the report and asked for publication once the reply window ended; Leo,
    the lead inspector on her team, is told on his home page and approves it."""
    from supervision.inspections.demo import AWAITING_TITLE
    from supervision.inspections.services.reporting import approve_publication

    inspection = Inspection.objects.get(title=AWAITING_TITLE)
    author, lead = user("inspector@demo.example"), user("inspector2@demo.example")
    assert inspection.status == Inspection.Status.AWAITING_APPROVAL
    assert inspection.reply_closes_at is not None and inspection.reply_closes_at < timezone.now()
    assert inspection.publication_requested_by == author
    assert not permissions.can_approve_publication(author, inspection)
    assert permissions.can_approve_publication(lead, inspection)

    client.force_login(lead)
    home = client.get("/", headers={"accept-language": "en"})
    assert "Inspection reports awaiting your approval" in home.content.decode()
    client.force_login(author)
    assert "Inspection reports awaiting your approval" not in client.get("/").content.decode()

    version = approve_publication(by=lead, inspection=inspection)
    assert version.approved_by == lead and version.published_by == author
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PUBLISHED
