"""The inspections pages for every role of the cast: the list, the calendar, the workspace
tabs of an inspection of a program and of an organisation, and every action on them (with
bad input giving form errors, never a 500); evidence downloads; the secrecy of an
unannounced inspection towards the inspected side before it starts; the revocation of an
assignment taking effect on the next request; query counts that stay flat as data grows.

The administrators' pages (scheduling, assignments, the pool, checklist templates, draws) are
in `test_pages_admin.py`; the whole cycle through the browser in `test_pages_cycle.py`.

Who is who (see conftest.py): Ingrid (`inspector`) writes every report; Leo
(`lead_inspector`) is on the teams of every inspection but the unannounced one; Una
(`unassigned_inspector`) has no assignment; Rita (`revoked_inspector`) is on every team but
her assignments were revoked. Petra (`program_admin`) is the inspected side of the program's
inspections, Cora (`coordinator`) of the hospital's.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from supervision.inspections import permissions, services
from supervision.inspections.attention import inspections_attention
from supervision.models import (
    ChecklistItem,
    EvidenceFile,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionTeamMember,
    InspectorProfile,
    Observation,
    ReplyComment,
    ReportSection,
    SampledStudent,
)
from tests.cast import Cast
from tests.clients import api_for, client_for
from tests.factories import UserFactory
from tests.files import pdf_bytes
from tests.programs.factories import StudentFactory
from tests.queries import assert_flat_queries
from training_portal.core.attention import attention_for
from training_portal.core.navigation import entries_for

from .conftest import INSPECTION_ROLES

pytestmark = pytest.mark.django_db

#: Every role of the cast, with the inspector whose assignments were revoked, and the
#: anonymous visitor.
ROLES = [*INSPECTION_ROLES, "revoked_inspector", "anonymous"]
TEAM = {"inspector", "lead_inspector"}
#: Who works on an inspection: its team (with a current assignment) and portal administrators.
WORKERS = TEAM | {"admin"}
INSPECTORS = TEAM | {"unassigned_inspector", "revoked_inspector"}
TABS = [
    "inspection-detail",
    "checklist",
    "sample",
    "observations",
    "evidence",
    "findings",
    "report",
    "reply",
    "publication",
]
#: The tabs the inspected side may open (the others are the inspectors' working material).
INSPECTED_TABS = {"inspection-detail", "findings", "reply", "publication"}


@dataclass
class World:
    cast: Cast
    people: dict[str, Any]
    inspection: Inspection
    org_inspection: Inspection
    unannounced: Inspection
    reply: Inspection
    published: Inspection

    def user(self, name: str) -> Any:
        return self.people[name]

    def inspected(self, inspection: Inspection) -> set[str]:
        """The names of the inspected side of `inspection`."""
        return {"program_admin"} if inspection.program_id else {"coordinator"}


@pytest.fixture
def revoked_inspector(cast: Cast, admin: User) -> User:
    user = UserFactory(email="rita@example.org", full_name="Rita Revoked")
    InspectorProfile.objects.create(user=user)
    today = timezone.localdate()
    for target in ({"program": cast.program}, {"organization": cast.hospital}):
        InspectionAssignment.objects.create(
            inspector=user,
            valid_from=today - dt.timedelta(days=30),
            valid_until=today + dt.timedelta(days=180),
            created_by=admin,
            revoked_at=timezone.now() - dt.timedelta(hours=1),
            revoked_by=admin,
            **target,
        )
    return user


@pytest.fixture
def world(
    cast: Cast,
    inspection_people: dict[str, Any],
    revoked_inspector: User,
    inspection: Inspection,
    org_inspection: Inspection,
    unannounced_inspection: Inspection,
    reply_inspection: Inspection,
    published_inspection: Inspection,
) -> World:
    inspections = [
        inspection,
        org_inspection,
        unannounced_inspection,
        reply_inspection,
        published_inspection,
    ]
    for item in inspections:
        InspectionTeamMember.objects.create(inspection=item, inspector=revoked_inspector)
    return World(
        cast=cast,
        people={**inspection_people, "revoked_inspector": revoked_inspector},
        inspection=inspection,
        org_inspection=org_inspection,
        unannounced=unannounced_inspection,
        reply=reply_inspection,
        published=published_inspection,
    )


def url(name: str, *args: Any) -> str:
    return reverse(f"inspections:{name}", args=args)


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and reverse("accounts:login") in response["Location"]


def expected_tab(world: World, name: str, inspection: Inspection, tab: str) -> int:
    if name == "anonymous":
        return 302
    if name in WORKERS:
        return 200
    if name in world.inspected(inspection):
        return 200 if tab in INSPECTED_TABS else 403
    return 404


def check_statuses(client: Client, expected: dict[str, int]) -> None:
    """GET every URL and compare all the statuses at once (a readable failure)."""
    got = {target: client.get(target).status_code for target in expected}
    assert got == expected


# ---- The workspace tabs, for every role ------------------------------------------------------


@pytest.mark.parametrize("name", ROLES)
@pytest.mark.parametrize("which", ["inspection", "org_inspection", "reply", "published"])
def test_each_role_opens_the_workspace_tabs_it_may(world: World, name: str, which: str) -> None:
    inspection = getattr(world, which)
    expected = {url(tab, inspection.pk): expected_tab(world, name, inspection, tab) for tab in TABS}
    check_statuses(client_for(world.user(name)), expected)


@pytest.mark.parametrize("name", ROLES)
def test_nobody_on_the_inspected_side_finds_an_unannounced_inspection_before_it_starts(
    world: World, name: str
) -> None:
    inspection = world.unannounced
    allowed = {"admin", "inspector"}  # Leo is not on its team; Rita's assignments are revoked
    expected = {
        url(tab, inspection.pk): 302 if name == "anonymous" else 200 if name in allowed else 404
        for tab in TABS
    }
    check_statuses(client_for(world.user(name)), expected)


def test_the_workspace_shows_only_the_tabs_the_viewer_may_open(world: World) -> None:
    page = client_for(world.cast.program_admin).get(url("inspection-detail", world.inspection.pk))
    html = page.content.decode()
    assert url("findings", world.inspection.pk) in html
    assert url("reply", world.inspection.pk) in html
    assert url("checklist", world.inspection.pk) not in html
    assert url("evidence", world.inspection.pk) not in html
    team_page = client_for(world.user("inspector")).get(
        url("inspection-detail", world.inspection.pk)
    )
    assert url("checklist", world.inspection.pk) in team_page.content.decode()


def test_the_inspected_side_is_never_told_an_inspection_was_unannounced_by_the_list(
    world: World,
) -> None:
    """Once an unannounced inspection has started the coordinator sees it, without the
    announcement filter (which only those who may know are offered)."""
    Inspection.objects.filter(pk=world.unannounced.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1), status=Inspection.Status.IN_PROGRESS
    )
    page = client_for(world.cast.coordinator).get(url("inspection-list"))
    assert world.unannounced.title in page.content.decode()
    assert "announcement" not in page.context["filters"].fields
    inspector_page = client_for(world.user("inspector")).get(url("inspection-list"))
    assert "announcement" in inspector_page.context["filters"].fields


# ---- The list and the calendar ---------------------------------------------------------------

LIST_SEES: dict[str, set[str]] = {
    "admin": {"inspection", "org_inspection", "unannounced", "reply", "published"},
    "inspector": {"inspection", "org_inspection", "unannounced", "reply", "published"},
    "lead_inspector": {"inspection", "org_inspection", "reply", "published"},
    "program_admin": {"inspection", "published"},
    "coordinator": {"org_inspection", "reply"},
    "unassigned_inspector": set(),
    "revoked_inspector": set(),
}
ALL_INSPECTIONS = ["inspection", "org_inspection", "unannounced", "reply", "published"]


@pytest.mark.parametrize("name", ROLES)
def test_the_list_shows_each_role_the_inspections_it_may_see(world: World, name: str) -> None:
    response = client_for(world.user(name)).get(url("inspection-list"))
    if name == "anonymous":
        assert is_login_redirect(response)
        return
    # Everyone signed in gets the list of what they may see: tutors, students, outsiders and
    # the coordinator of an uninspected organisation an empty one, which says so.
    assert response.status_code == 200
    listed = {item.pk for item in response.context["page"].object_list}
    assert listed == {getattr(world, which).pk for which in LIST_SEES.get(name, set())}
    if not listed:
        assert "No inspection to show." in response.content.decode()
    # Scheduling and drawing stay with the portal administrators.
    schedule = url("inspection-create")
    assert (schedule in response.content.decode()) == (name == "admin")


def test_the_list_filters_by_status_type_target_announcement_and_team(world: World) -> None:
    client = client_for(world.user("admin"))

    def listed(**query: Any) -> set[int]:
        response = client.get(url("inspection-list"), query)
        assert response.status_code == 200
        return {item.pk for item in response.context["page"].object_list}

    assert listed(status="in_reply") == {world.reply.pk}
    assert listed(inspection_type="funds") == {world.unannounced.pk}
    assert listed(target=f"program:{world.cast.program.pk}") == {
        world.inspection.pk,
        world.published.pk,
    }
    assert listed(announcement="unannounced") == {world.unannounced.pk}
    lead = client_for(world.user("lead_inspector"))
    response = lead.get(url("inspection-list"), {"mine": "on", "status": "in_progress"})
    assert {item.pk for item in response.context["page"].object_list} == {
        world.inspection.pk,
        world.org_inspection.pk,
    }


@pytest.mark.parametrize(
    "query", [{"status": "nonsense"}, {"target": "program:999999"}, {"target": "x:1"}]
)
def test_a_bad_filter_is_a_form_error_not_a_crash(world: World, query: dict[str, str]) -> None:
    response = client_for(world.user("admin")).get(url("inspection-list"), query)
    assert response.status_code == 400
    assert response.context["filters"].errors


def test_the_list_is_paginated(world: World, admin: User) -> None:
    for number in range(30):
        Inspection.objects.create(
            title=f"Extra {number}",
            inspection_type="routine",
            program=world.cast.program,
            starts_at=timezone.now(),
            ends_on=timezone.localdate(),
            created_by=admin,
        )
    client = client_for(admin)
    first = client.get(url("inspection-list"))
    assert first.context["page"].paginator.num_pages == 2
    second = client.get(url("inspection-list"), {"page": 2})
    assert len(second.context["page"].object_list) == 35 - 25


@pytest.mark.parametrize("name", ROLES)
def test_the_calendar_is_for_inspectors_and_administrators(world: World, name: str) -> None:
    response = client_for(world.user(name)).get(url("calendar"))
    if name == "anonymous":
        assert is_login_redirect(response)
    else:
        assert response.status_code == (200 if name in INSPECTORS | {"admin"} else 403)


def _calendar_titles(client: Client, month: dt.date) -> set[str]:
    response = client.get(url("calendar"), {"month": month.strftime("%Y-%m")})
    assert response.status_code == 200
    return {item.title for item in response.context["listed"]}


def test_the_calendar_shows_only_visible_inspections_by_month(world: World) -> None:
    start = timezone.localtime(world.unannounced.starts_at).date()
    inspector = client_for(world.user("inspector"))
    lead = client_for(world.user("lead_inspector"))
    assert world.unannounced.title in _calendar_titles(inspector, start)
    assert world.unannounced.title not in _calendar_titles(lead, start)
    assert _calendar_titles(client_for(world.user("revoked_inspector")), start) == set()
    this_month = timezone.localdate()
    assert world.inspection.title in _calendar_titles(lead, this_month)


def test_the_calendar_moves_by_month_and_refuses_a_bad_month(world: World) -> None:
    client = client_for(world.user("admin"))
    response = client.get(url("calendar"), {"month": "2026-01"})
    assert response.context["previous"] == "2025-12"
    assert response.context["next"] == "2026-02"
    assert len(response.context["grid"]) in (4, 5, 6)
    bad = client.get(url("calendar"), {"month": "January"})
    assert bad.status_code == 400
    assert bad.context["form"].errors


# ---- Unannounced inspections: never revealed before they start -------------------------------


INSPECTED_SIDE = ["coordinator", "program_admin", "tutor", "practice_tutor", "student"]


@pytest.mark.parametrize("name", INSPECTED_SIDE)
def test_the_inspected_side_learns_nothing_of_an_unannounced_inspection_before_it_starts(
    world: World, name: str
) -> None:
    user = world.user(name)
    client = client_for(user)
    title = world.unannounced.title
    listing = client.get(url("inspection-list"))
    assert title not in listing.content.decode()
    if listing.status_code == 200:
        pks = {item.pk for item in listing.context["page"].object_list}
        assert world.unannounced.pk not in pks
    assert client.get(url("calendar")).status_code == 403
    for tab in TABS:
        assert client.get(url(tab, world.unannounced.pk)).status_code == 404
    home = client.get(reverse("core:home"))
    assert title not in home.content.decode()
    # No count gives it away: the counts are the same without it.
    with_it = _counts(user)
    world.unannounced.delete()
    assert _counts(user) == with_it


def test_the_coordinator_sees_nothing_at_all_while_only_an_unannounced_inspection_exists(
    cast: Cast, inspection_people: dict[str, Any], unannounced_inspection: Inspection
) -> None:
    coordinator = cast.coordinator
    client = client_for(coordinator)
    listing = client.get(url("inspection-list"))
    assert listing.status_code == 200  # as to anyone signed in: the list of what they see
    assert list(listing.context["page"].object_list) == []
    assert listing.context["page"].paginator.count == 0
    assert unannounced_inspection.title not in listing.content.decode()
    # Nor does the filter offer the inspected organisation as a target.
    assert len(listing.context["filters"].fields["target"].choices) == 1
    assert not any(
        entry.url_name == "inspections:inspection-list" for entry in entries_for(coordinator)
    )
    assert [item for item in attention_for(coordinator) if "nspection" in str(item.label)] == []
    assert all(item.count == 0 for item in inspections_attention(coordinator))
    home = client.get(reverse("core:home"))
    assert unannounced_inspection.title not in home.content.decode()


def test_once_an_unannounced_inspection_has_started_the_inspected_side_sees_it(
    cast: Cast, inspection_people: dict[str, Any], unannounced_inspection: Inspection
) -> None:
    Inspection.objects.filter(pk=unannounced_inspection.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5), status=Inspection.Status.IN_PROGRESS
    )
    client = client_for(cast.coordinator)
    listing = client.get(url("inspection-list"))
    assert listing.status_code == 200
    assert unannounced_inspection.title in listing.content.decode()
    assert client.get(url("inspection-detail", unannounced_inspection.pk)).status_code == 200
    assert any(
        entry.url_name == "inspections:inspection-list" for entry in entries_for(cast.coordinator)
    )
    # Still not the program administrator: the inspection is of the hospital.
    assert (
        client_for(cast.program_admin)
        .get(url("inspection-detail", unannounced_inspection.pk))
        .status_code
        == 404
    )


# ---- Revocation takes effect on the next request ---------------------------------------------


def test_revoking_an_assignment_ends_access_on_the_next_request(world: World, admin: User) -> None:
    lead = world.user("lead_inspector")
    client = client_for(lead)
    page = url("inspection-detail", world.inspection.pk)
    assert client.get(page).status_code == 200
    assignment = InspectionAssignment.objects.get(inspector=lead, program=world.cast.program)
    revoke = client_for(admin).post(url("assignment-revoke", assignment.pk))
    assert revoke.status_code == 302
    assert client.get(page).status_code == 404
    assert client.get(url("checklist", world.inspection.pk)).status_code == 404
    listing = client.get(url("inspection-list"))
    assert world.inspection.pk not in {item.pk for item in listing.context["page"].object_list}
    # The hospital's inspections stay visible: that assignment still holds.
    assert client.get(url("inspection-detail", world.org_inspection.pk)).status_code == 200


# ---- Actions in the workspace, for every role ------------------------------------------------


def _first_item(inspection: Inspection) -> ChecklistItem:
    return inspection.checklist.order_by("position", "pk")[0]


def _first_sampled(inspection: Inspection) -> SampledStudent:
    return inspection.sample.order_by("position", "pk")[0]


#: What a team member's successful POST needs: (URL, data).
def _action(world: World, action: str) -> tuple[str, dict[str, Any]]:
    inspection = world.inspection
    item = _first_item(inspection)
    sampled = _first_sampled(inspection)
    return {
        "checklist": (
            url("checklist-item", inspection.pk, item.pk),
            {f"item-{item.pk}-result": "met", f"item-{item.pk}-note": "Seen the agreement."},
        ),
        "sample": (
            url("sample-update", inspection.pk, sampled.pk),
            {f"sampled-{sampled.pk}-examined": "on", f"sampled-{sampled.pk}-note": "File ok."},
        ),
        "observation": (
            url("observations", inspection.pk),
            {"text": "The logbook is kept daily.", "checklist_item": item.pk},
        ),
        "finding": (
            url("findings", inspection.pk),
            {"severity": "major", "title": "Plans out of date", "text": "Two plans are old."},
        ),
        "section": (
            url("report", inspection.pk),
            {"new-key": "summary", "new-title": "Summary", "new-body": "All good."},
        ),
    }[action]


@pytest.mark.parametrize("name", ROLES)
@pytest.mark.parametrize("action", ["checklist", "sample", "observation", "finding", "section"])
def test_only_the_team_records_the_inspection(world: World, name: str, action: str) -> None:
    target, data = _action(world, action)
    response = client_for(world.user(name)).post(target, data)
    if name == "anonymous":
        assert is_login_redirect(response)
    elif name in TEAM:
        assert response.status_code == 302, getattr(response, "context", None) and [
            f.errors for f in response.context.get("sections", []) if hasattr(f, "errors")
        ]
    elif name == "admin" or name in world.inspected(world.inspection):
        # They may open the inspection but do not conduct it.
        assert response.status_code == 403
    else:
        assert response.status_code == 404


def test_recording_a_checklist_answer_saves_it(world: World) -> None:
    target, data = _action(world, "checklist")
    client_for(world.user("inspector")).post(target, data)
    item = _first_item(world.inspection)
    assert (item.result, item.note, item.checked_by) == (
        "met",
        "Seen the agreement.",
        world.user("inspector"),
    )


def test_a_checklist_answer_saves_through_htmx_and_returns_its_row(world: World) -> None:
    target, data = _action(world, "checklist")
    response = client_for(world.user("inspector")).post(target, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    item = _first_item(world.inspection)
    assert html.lstrip().startswith(f'<div class="card mb-2" id="item-{item.pk}"')
    assert "<html" not in html
    assert item.result == "met"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_checklist_answer_is_a_form_error(world: World, htmx: bool) -> None:
    item = _first_item(world.inspection)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client_for(world.user("inspector")).post(
        url("checklist-item", world.inspection.pk, item.pk),
        {f"item-{item.pk}-result": "excellent"},
        **headers,
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert _first_item(world.inspection).result == "pending"


def test_recording_a_sampled_student_and_an_observation(world: World) -> None:
    client = client_for(world.user("lead_inspector"))
    target, data = _action(world, "sample")
    client.post(target, data)
    sampled = _first_sampled(world.inspection)
    assert (sampled.examined, sampled.note) == (True, "File ok.")
    response = client.post(
        url("observations", world.inspection.pk),
        {"text": "Met the student.", "sampled_student": sampled.pk},
    )
    assert response.status_code == 302
    assert Observation.objects.filter(sampled_student=sampled, text="Met the student.").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"text": ""},
        {"text": "About somebody else's question.", "checklist_item": 999999},
    ],
)
def test_a_bad_observation_is_a_form_error(world: World, data: dict[str, Any]) -> None:
    before = Observation.objects.count()
    response = client_for(world.user("inspector")).post(
        url("observations", world.inspection.pk), data
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Observation.objects.count() == before


def test_an_observation_cannot_name_another_inspections_checklist_question(
    world: World,
) -> None:
    other_item = _first_item(world.org_inspection)
    response = client_for(world.user("inspector")).post(
        url("observations", world.inspection.pk),
        {"text": "Wrong question.", "checklist_item": other_item.pk},
    )
    assert response.status_code == 200
    assert "checklist_item" in response.context["form"].errors


def test_a_planned_inspection_is_not_conducted_yet(world: World) -> None:
    """The team of a planned inspection may read its workspace but not record (403)."""
    client = client_for(world.user("inspector"))
    item = _first_item(world.unannounced)
    response = client.post(
        url("checklist-item", world.unannounced.pk, item.pk), {f"item-{item.pk}-result": "met"}
    )
    assert response.status_code == 403


def test_recording_a_finding_joins_the_findings(world: World) -> None:
    target, data = _action(world, "finding")
    response = client_for(world.user("inspector")).post(target, data)
    assert response.status_code == 302
    finding = Finding.objects.get(inspection=world.inspection)
    assert finding.rule == Finding.INSPECTION_RULE
    assert finding.author == world.user("inspector")
    page = client_for(world.cast.program_admin).get(url("findings", world.inspection.pk))
    assert finding in [row["finding"] for row in page.context["rows"]]
    assert reverse("supervision:finding-detail", args=[finding.pk]) in page.content.decode()


def test_a_finding_without_a_title_is_a_form_error(world: World) -> None:
    response = client_for(world.user("inspector")).post(
        url("findings", world.inspection.pk), {"severity": "major", "title": "", "text": ""}
    )
    assert response.status_code == 200
    assert {"title", "text"} <= set(response.context["form"].errors)
    assert not Finding.objects.filter(inspection=world.inspection).exists()


def test_an_organisations_finding_names_one_of_its_programs(world: World) -> None:
    """The program of a finding about an inspected organisation must be one it takes part
    in: another program is refused on the form."""
    from programs.models import ProgramPartner
    from tests.programs.factories import ProgramFactory

    ProgramPartner.objects.create(
        program=world.cast.program,
        organization=world.cast.hospital,
        agreement_start=dt.date(2025, 9, 1),
    )
    stranger = ProgramFactory()
    client = client_for(world.user("inspector"))
    data = {"severity": "minor", "title": "Late logs", "text": "Logs are late."}
    refused = client.post(
        url("findings", world.org_inspection.pk), {**data, "program": stranger.pk}
    )
    assert refused.status_code == 200
    assert "program" in refused.context["form"].errors
    accepted = client.post(
        url("findings", world.org_inspection.pk), {**data, "program": world.cast.program.pk}
    )
    assert accepted.status_code == 302
    assert Finding.objects.get(inspection=world.org_inspection).program == world.cast.program


# ---- Evidence files --------------------------------------------------------------------------


AGREEMENT = pdf_bytes()


def _upload(world: World, content: bytes = AGREEMENT) -> EvidenceFile:
    response = client_for(world.user("inspector")).post(
        url("evidence", world.inspection.pk),
        {"upload": SimpleUploadedFile("agreement.pdf", content, "application/pdf")},
    )
    assert response.status_code == 302
    return EvidenceFile.objects.get(inspection=world.inspection)


@pytest.mark.parametrize("name", ROLES)
def test_evidence_is_downloaded_through_a_permission_checked_view(world: World, name: str) -> None:
    evidence = _upload(world)
    response = client_for(world.user(name)).get(
        url("evidence-download", world.inspection.pk, evidence.pk)
    )
    if name == "anonymous":
        assert is_login_redirect(response)
    elif name in WORKERS:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == AGREEMENT  # type: ignore[attr-defined]
        assert "attachment" in response["Content-Disposition"]
        assert "agreement.pdf" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
    elif name in world.inspected(world.inspection):
        assert response.status_code == 403
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", ROLES)
def test_evidence_is_listed_and_downloaded_through_the_api(world: World, name: str) -> None:
    evidence = _upload(world)
    api = api_for(world.user(name))
    pk = world.inspection.pk
    listed = api.get(reverse("api:inspection-evidence", args=[pk]))
    download = api.get(reverse("api:inspection-evidence-download", args=[pk, evidence.pk]))
    if name == "anonymous":
        assert (listed.status_code, download.status_code) == (401, 401)
    elif name in WORKERS:
        path = reverse("api:inspection-evidence-download", args=[pk, evidence.pk])
        assert listed.status_code == 200
        assert [(row["name"], row["file_url"]) for row in listed.json()] == [
            ("agreement.pdf", "http://testserver" + path)
        ]
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content) == AGREEMENT  # type: ignore[attr-defined]
        download.close()
    elif name in world.inspected(world.inspection):
        assert (listed.status_code, download.status_code) == (403, 403)
    else:
        assert (listed.status_code, download.status_code) == (404, 404)


def test_the_evidence_list_stays_flat(world: World) -> None:
    api = api_for(world.user("inspector"))
    _upload(world)

    def grow() -> None:
        for number in range(3):
            services.add_evidence(
                by=world.user("inspector"),
                inspection=world.inspection,
                upload=SimpleUploadedFile(f"more{number}.pdf", AGREEMENT),
            )

    assert_flat_queries(
        lambda: api.get(reverse("api:inspection-evidence", args=[world.inspection.pk])),
        grow,
        max_queries=12,
    )


def test_evidence_pages_never_link_to_the_media_storage(world: World, settings: Any) -> None:
    evidence = _upload(world)
    page = client_for(world.user("inspector")).get(url("evidence", world.inspection.pk))
    html = page.content.decode()
    assert url("evidence-download", world.inspection.pk, evidence.pk) in html
    assert evidence.file.name not in html
    assert evidence.sha256 in html


def test_evidence_of_another_inspection_is_not_found_through_this_one(world: World) -> None:
    evidence = _upload(world)
    response = client_for(world.user("inspector")).get(
        url("evidence-download", world.org_inspection.pk, evidence.pk)
    )
    assert response.status_code == 404


def test_uploading_without_a_file_is_a_form_error(world: World) -> None:
    response = client_for(world.user("inspector")).post(url("evidence", world.inspection.pk), {})
    assert response.status_code == 200
    assert "upload" in response.context["form"].errors


def test_an_upload_too_large_is_refused_on_the_form(world: World, monkeypatch: Any) -> None:
    """The service's limit (20 MB) is shown on the form; a smaller limit keeps the test light."""
    monkeypatch.setattr(services.conducting, "MAX_EVIDENCE_BYTES", 10)
    response = client_for(world.user("inspector")).post(
        url("evidence", world.inspection.pk),
        {"upload": SimpleUploadedFile("big.bin", b"x" * 64, "application/octet-stream")},
    )
    assert response.status_code == 200
    assert "upload" in response.context["form"].errors
    assert not EvidenceFile.objects.exists()


# ---- The report, the right of reply ----------------------------------------------------------


def test_the_team_writes_and_revises_sections(world: World) -> None:
    client = client_for(world.user("inspector"))
    target, data = _action(world, "section")
    assert client.post(target, data).status_code == 302
    section = ReportSection.objects.get(inspection=world.inspection, key="summary")
    response = client.post(
        url("report-section", world.inspection.pk, section.pk),
        {f"section-{section.pk}-title": "Summary", f"section-{section.pk}-body": "Revised."},
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert (section.body, section.revision) == ("Revised.", 2)


@pytest.mark.parametrize("key", ["", "not a slug!"])
def test_a_section_with_a_bad_key_is_a_form_error(world: World, key: str) -> None:
    response = client_for(world.user("inspector")).post(
        url("report", world.inspection.pk), {"new-key": key, "new-title": "Summary"}
    )
    assert response.status_code == 200
    assert "key" in response.context["new_form"].errors


def test_a_second_section_with_the_same_key_updates_it(world: World) -> None:
    client = client_for(world.user("inspector"))
    target, data = _action(world, "section")
    client.post(target, data)
    client.post(target, {**data, "new-body": "Second text."})
    assert ReportSection.objects.filter(inspection=world.inspection).count() == 1


@pytest.mark.parametrize("name", ROLES)
def test_only_the_author_opens_the_reply_window(world: World, name: str) -> None:
    ReportSection.objects.create(inspection=world.inspection, key="summary", title="Summary")
    response = client_for(world.user(name)).post(
        url("reply-open", world.inspection.pk), {"days": 5}
    )
    if name == "anonymous":
        assert is_login_redirect(response)
    elif name == "inspector":
        assert response.status_code == 302
        world.inspection.refresh_from_db()
        assert world.inspection.status == Inspection.Status.IN_REPLY
        assert world.inspection.reply_window_open()
    elif name in WORKERS:
        assert response.status_code == 403
    elif name in world.inspected(world.inspection):
        assert response.status_code == 403  # the report tab is not theirs
    else:
        assert response.status_code == 404


def test_opening_the_reply_window_without_a_section_is_refused_on_the_form(
    world: World,
) -> None:
    response = client_for(world.user("inspector")).post(
        url("reply-open", world.inspection.pk), {"days": 10}
    )
    assert response.status_code == 200
    assert response.context["open_form"].errors
    world.inspection.refresh_from_db()
    assert world.inspection.status == Inspection.Status.IN_PROGRESS


@pytest.mark.parametrize("days", ["0", "61", "ten"])
def test_a_bad_reply_window_length_is_a_form_error(world: World, days: str) -> None:
    ReportSection.objects.create(inspection=world.inspection, key="summary", title="Summary")
    response = client_for(world.user("inspector")).post(
        url("reply-open", world.inspection.pk), {"days": days}
    )
    assert response.status_code == 200
    assert "days" in response.context["open_form"].errors


def _summary(world: World) -> ReportSection:
    return ReportSection.objects.get(inspection=world.reply, key="summary")


@pytest.mark.parametrize("name", ROLES)
def test_only_the_inspected_side_comments_while_the_window_is_open(world: World, name: str) -> None:
    section = _summary(world)
    response = client_for(world.user(name)).post(
        url("reply-comment", world.reply.pk, section.pk),
        {f"comment-{section.pk}-text": "The date is wrong."},
    )
    if name == "anonymous":
        assert is_login_redirect(response)
    elif name == "coordinator":
        assert response.status_code == 302
        assert (
            ReplyComment.objects.filter(section=section, author=world.cast.coordinator).count() == 2
        )
    elif name in WORKERS:
        assert response.status_code == 403
    else:
        assert response.status_code == 404


def test_the_reply_page_shows_the_inspected_side_the_draft_and_comment_forms(
    world: World,
) -> None:
    page = client_for(world.cast.coordinator).get(url("reply", world.reply.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "The hospital provides structured clinical training." in html
    assert "The training is structured since 2024, not 2025." in html
    assert all(row["comment_form"] is not None for row in page.context["rows"])
    # The team answers; it does not comment.
    team = client_for(world.user("inspector")).get(url("reply", world.reply.pk))
    assert all(row["comment_form"] is None for row in team.context["rows"])
    assert any(
        item["answer_form"] is not None for row in team.context["rows"] for item in row["comments"]
    )


def test_after_the_window_closes_the_inspected_side_reads_but_no_longer_comments(
    world: World,
) -> None:
    Inspection.objects.filter(pk=world.reply.pk).update(
        reply_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client = client_for(world.cast.coordinator)
    page = client.get(url("reply", world.reply.pk))
    assert page.status_code == 200
    assert all(row["comment_form"] is None for row in page.context["rows"])
    section = _summary(world)
    response = client.post(
        url("reply-comment", world.reply.pk, section.pk), {f"comment-{section.pk}-text": "Late."}
    )
    assert response.status_code == 403


def test_before_the_window_opens_the_inspected_side_does_not_read_the_draft(
    world: World,
) -> None:
    ReportSection.objects.create(
        inspection=world.org_inspection, key="summary", title="Summary", body="Secret draft."
    )
    page = client_for(world.cast.coordinator).get(url("reply", world.org_inspection.pk))
    assert page.status_code == 200
    assert "Secret draft." not in page.content.decode()
    assert page.context["rows"] == []


def test_an_empty_comment_is_a_form_error(world: World) -> None:
    section = _summary(world)
    response = client_for(world.cast.coordinator).post(
        url("reply-comment", world.reply.pk, section.pk), {f"comment-{section.pk}-text": ""}
    )
    assert response.status_code == 200
    assert ReplyComment.objects.filter(section=section).count() == 1


@pytest.mark.parametrize("name", ROLES)
def test_only_the_team_answers_comments(world: World, name: str) -> None:
    comment = ReplyComment.objects.get(section__inspection=world.reply)
    response = client_for(world.user(name)).post(
        url("reply-answer", world.reply.pk, comment.pk),
        {f"answer-{comment.pk}-answer": "Corrected to 2024."},
    )
    if name == "anonymous":
        assert is_login_redirect(response)
    elif name in TEAM:
        assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.answer == "Corrected to 2024."
    elif name == "admin" or name == "coordinator":
        assert response.status_code == 403
    else:
        assert response.status_code == 404


def test_an_answer_may_revise_the_section_and_everything_is_kept(world: World) -> None:
    comment = ReplyComment.objects.get(section__inspection=world.reply)
    client_for(world.user("inspector")).post(
        url("reply-answer", world.reply.pk, comment.pk),
        {
            f"answer-{comment.pk}-answer": "Corrected.",
            f"answer-{comment.pk}-revised_body": "Structured clinical training since 2024.",
        },
    )
    comment.refresh_from_db()
    section = _summary(world)
    assert comment.draft_revised
    assert section.body == "Structured clinical training since 2024."
    assert section.revision == 2
    page = client_for(world.cast.coordinator).get(url("reply", world.reply.pk))
    html = page.content.decode()
    assert "The training is structured since 2024, not 2025." in html
    assert "Corrected." in html


def test_an_empty_answer_is_a_form_error(world: World) -> None:
    comment = ReplyComment.objects.get(section__inspection=world.reply)
    response = client_for(world.user("inspector")).post(
        url("reply-answer", world.reply.pk, comment.pk), {f"answer-{comment.pk}-answer": " "}
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.answered_at is None


# ---- Publication -----------------------------------------------------------------------------


def _close_window(world: World) -> None:
    Inspection.objects.filter(pk=world.reply.pk).update(
        reply_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )


def test_publication_cannot_be_requested_while_a_comment_is_unanswered(world: World) -> None:
    _close_window(world)
    response = client_for(world.user("inspector")).post(
        url("publication-request", world.reply.pk), {}
    )
    assert response.status_code == 200
    assert response.context["request_form"].errors
    world.reply.refresh_from_db()
    assert world.reply.status == Inspection.Status.IN_REPLY


def _request(world: World) -> None:
    _close_window(world)
    comment = ReplyComment.objects.get(section__inspection=world.reply)
    services.answer_comment(by=world.user("inspector"), comment=comment, answer="Noted.")
    response = client_for(world.user("inspector")).post(
        url("publication-request", world.reply.pk), {}
    )
    assert response.status_code == 302
    world.reply.refresh_from_db()
    assert world.reply.status == Inspection.Status.AWAITING_APPROVAL


@pytest.mark.parametrize("name", ROLES)
def test_publication_is_requested_by_the_author_only(world: World, name: str) -> None:
    _close_window(world)
    comment = ReplyComment.objects.get(section__inspection=world.reply)
    services.answer_comment(by=world.user("inspector"), comment=comment, answer="Noted.")
    response = client_for(world.user(name)).post(url("publication-request", world.reply.pk), {})
    if name == "anonymous":
        assert is_login_redirect(response)
    elif name == "inspector":
        assert response.status_code == 302
    elif name in WORKERS or name == "coordinator":
        assert response.status_code == 403
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", ROLES)
def test_a_second_person_approves_the_publication(world: World, name: str) -> None:
    _request(world)
    response = client_for(world.user(name)).post(url("publication-approve", world.reply.pk))
    world.reply.refresh_from_db()
    if name == "anonymous":
        assert is_login_redirect(response)
    elif name in {"admin", "lead_inspector"}:
        assert response.status_code == 302
        assert world.reply.status == Inspection.Status.PUBLISHED
        assert world.reply.published_versions.count() == 1
    elif name in {"inspector", "coordinator"}:
        # The author never approves their own report; the inspected side never approves.
        assert response.status_code == 403
        assert world.reply.status == Inspection.Status.AWAITING_APPROVAL
    else:
        assert response.status_code == 404


def test_the_approver_may_send_the_report_back_with_a_reason(world: World) -> None:
    _request(world)
    client = client_for(world.user("lead_inspector"))
    refused = client.post(url("publication-return", world.reply.pk), {"reason": ""})
    assert refused.status_code == 200
    assert "reason" in refused.context["return_form"].errors
    response = client.post(
        url("publication-return", world.reply.pk), {"reason": "Name the programs."}
    )
    assert response.status_code == 302
    world.reply.refresh_from_db()
    assert world.reply.status == Inspection.Status.DRAFTING
    assert (
        client_for(world.user("inspector"))
        .post(url("publication-return", world.reply.pk), {"reason": "x"})
        .status_code
        == 403
    )


def test_approval_refused_for_personal_data_shows_why_and_publishes_nothing(
    world: World,
) -> None:
    _close_window(world)
    comment = ReplyComment.objects.get(section__inspection=world.reply)
    services.answer_comment(
        by=world.user("inspector"),
        comment=comment,
        answer="Noted.",
        revised_body="Pia Practice supervises too many students.",
    )
    client_for(world.user("inspector")).post(url("publication-request", world.reply.pk), {})
    response = client_for(world.user("lead_inspector")).post(
        url("publication-approve", world.reply.pk)
    )
    assert response.status_code == 200
    assert response.context["errors"]
    assert world.reply.published_versions.count() == 0


@pytest.mark.parametrize("name", ROLES)
def test_a_correction_is_started_by_the_author_or_an_administrator(world: World, name: str) -> None:
    response = client_for(world.user(name)).post(url("publication-correction", world.published.pk))
    world.published.refresh_from_db()
    if name == "anonymous":
        assert is_login_redirect(response)
    elif name in {"inspector", "admin"}:
        assert response.status_code == 302
        assert world.published.status == Inspection.Status.DRAFTING
    elif name in {"lead_inspector", "program_admin"}:
        assert response.status_code == 403
        assert world.published.status == Inspection.Status.PUBLISHED
    else:
        assert response.status_code == 404


def test_the_publication_tab_shows_the_versions_their_hashes_and_the_public_page(
    world: World,
) -> None:
    page = client_for(world.cast.program_admin).get(url("publication", world.published.pk))
    assert page.status_code == 200
    html = page.content.decode()
    versions = list(world.published.published_versions.order_by("version"))
    assert [v.version for v in page.context["versions"]] == [2, 1]
    for version in versions:
        assert version.content_hash in html
    assert "Corrected the number of sampled files." in html
    assert page.context["chain_problems"] == []
    assert reverse("public:report-detail", args=[world.published.pk]) in html
    # The inspected side is not shown who published or approved.
    assert "Leo Lead" not in html


def test_a_correction_needs_its_note_before_it_is_requested(world: World) -> None:
    client = client_for(world.user("inspector"))
    client.post(url("publication-correction", world.published.pk))
    response = client.post(url("publication-request", world.published.pk), {"correction_note": ""})
    assert response.status_code == 200
    assert response.context["request_form"].errors
    response = client.post(
        url("publication-request", world.published.pk),
        {"correction_note": "Fixed a date."},
    )
    assert response.status_code == 302
    world.published.refresh_from_db()
    assert world.published.status == Inspection.Status.AWAITING_APPROVAL


# ---- Start and cancel ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ROLES)
def test_a_team_member_starts_a_planned_inspection_once_its_time_has_come(
    world: World, name: str
) -> None:
    Inspection.objects.filter(pk=world.unannounced.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client_for(world.user(name)).post(url("inspection-start", world.unannounced.pk))
    world.unannounced.refresh_from_db()
    if name == "anonymous":
        assert is_login_redirect(response)
    elif name == "inspector":
        assert response.status_code == 302
        assert world.unannounced.status == Inspection.Status.IN_PROGRESS
    elif name in {"admin", "coordinator"}:
        # The admin is not on the team; the coordinator now sees it (it has started).
        assert response.status_code == 403
    else:
        assert response.status_code == 404


def test_starting_before_the_start_time_is_refused_with_a_message(world: World) -> None:
    client = client_for(world.user("inspector"))
    response = client.post(url("inspection-start", world.unannounced.pk), follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    world.unannounced.refresh_from_db()
    assert world.unannounced.status == Inspection.Status.PLANNED


@pytest.mark.parametrize("name", ROLES)
def test_only_administrators_cancel(world: World, name: str) -> None:
    client = client_for(world.user(name))
    page = client.get(url("inspection-cancel", world.inspection.pk))
    response = client.post(url("inspection-cancel", world.inspection.pk), {"reason": "Strike."})
    world.inspection.refresh_from_db()
    if name == "anonymous":
        assert is_login_redirect(page) and is_login_redirect(response)
    elif name == "admin":
        assert (page.status_code, response.status_code) == (200, 302)
        assert world.inspection.status == Inspection.Status.CANCELLED
        assert world.inspection.cancel_reason == "Strike."
    elif name in TEAM or name == "program_admin":
        assert (page.status_code, response.status_code) == (403, 403)
    else:
        assert (page.status_code, response.status_code) == (404, 404)


def test_cancelling_without_a_reason_is_a_form_error(world: World) -> None:
    response = client_for(world.user("admin")).post(
        url("inspection-cancel", world.inspection.pk), {"reason": ""}
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    world.inspection.refresh_from_db()
    assert world.inspection.status == Inspection.Status.IN_PROGRESS


# ---- Attention, navigation, history ----------------------------------------------------------


def _counts(user: Any) -> dict[str, int]:
    return {str(item.label): item.count for item in inspections_attention(user)}


def test_the_home_page_counts_what_needs_each_person(world: World) -> None:
    inspector = _counts(world.user("inspector"))
    assert inspector["Inspections to conduct"] == 2  # the program's and the hospital's
    assert inspector["Reply comments awaiting your answer"] == 1
    coordinator = _counts(world.cast.coordinator)
    assert coordinator["Draft inspection reports open for your comments"] == 1
    assert coordinator["Inspections to conduct"] == 0
    assert _counts(world.cast.program_admin)["Draft inspection reports open for your comments"] == 0
    assert _counts(world.user("revoked_inspector"))["Inspections to conduct"] == 0
    assert _counts(world.cast.tutor.user) == {}
    assert _counts(None) == {}


def test_publications_awaiting_approval_are_counted_for_the_second_person(world: World) -> None:
    _request(world)
    label = "Inspection reports awaiting your approval"
    assert _counts(world.user("lead_inspector"))[label] == 1
    assert _counts(world.user("admin"))[label] == 1
    assert _counts(world.user("inspector"))[label] == 0
    home = client_for(world.user("lead_inspector")).get(reverse("core:home"))
    assert label in home.content.decode()


def test_a_lead_inspector_who_wrote_the_report_is_not_asked_to_approve_it(world: World) -> None:
    _request(world)
    lead = world.user("lead_inspector")
    InspectionTeamMember.objects.filter(inspection=world.reply, inspector=lead).update(
        is_author=True
    )
    assert not permissions.can_approve_publication(lead, world.reply)
    assert _counts(lead)["Inspection reports awaiting your approval"] == 0


def test_the_navigation_offers_inspections_to_those_concerned(world: World) -> None:
    def offered(name: str) -> bool:
        return any(
            entry.url_name == "inspections:inspection-list"
            for entry in entries_for(world.user(name))
        )

    assert offered("admin") and offered("inspector") and offered("unassigned_inspector")
    assert offered("coordinator") and offered("program_admin")
    assert not offered("tutor") and not offered("student") and not offered("outsider")


def test_the_history_link_is_for_administrators_and_the_team(world: World) -> None:
    from training_portal.core.history import history_url

    assert history_url(world.user("admin"), world.inspection)
    assert history_url(world.user("inspector"), world.inspection)
    assert not history_url(world.cast.program_admin, world.inspection)
    assert not history_url(world.user("revoked_inspector"), world.inspection)


# ---- Query counts ----------------------------------------------------------------------------


def _more_inspections(world: World, count: int) -> None:
    admin = world.user("admin")
    for number in range(count):
        item = Inspection.objects.create(
            title=f"More {number}",
            inspection_type="routine",
            program=world.cast.program if number % 2 else None,
            organization=None if number % 2 else world.cast.hospital,
            unannounced=number % 3 == 0,
            starts_at=timezone.now() - dt.timedelta(days=number % 5),
            ends_on=timezone.localdate() + dt.timedelta(days=3),
            created_by=admin,
        )
        for position, member in enumerate([world.user("inspector"), world.user("lead_inspector")]):
            InspectionTeamMember.objects.create(
                inspection=item, inspector=member, is_author=position == 0
            )


@pytest.mark.parametrize(
    "name", ["admin", "inspector", "coordinator", "program_admin", "tutor", "outsider"]
)
def test_the_list_query_count_is_flat(world: World, name: str) -> None:
    client = client_for(world.user(name))
    assert_flat_queries(
        lambda: client.get(url("inspection-list")),
        lambda: _more_inspections(world, 10),
        max_queries=16,
    )


@pytest.mark.parametrize("name", ["admin", "inspector"])
def test_the_calendar_query_count_is_flat(world: World, name: str) -> None:
    client = client_for(world.user(name))
    assert_flat_queries(
        lambda: client.get(url("calendar")),
        lambda: _more_inspections(world, 10),
        max_queries=12,
    )


_serial = itertools.count()


def _grow_workspace(world: World) -> None:
    """Five more of everything in `world.inspection` (the first call also moves it from
    "in progress" to "drafting", as writing the report does)."""
    inspection = world.inspection
    inspector = world.user("inspector")
    for _n in range(5):
        number = next(_serial)
        item = ChecklistItem.objects.create(
            inspection=inspection, section=f"Extra {number % 2}", text=f"Question {number}"
        )
        student = StudentFactory(program=world.cast.program)
        sampled = SampledStudent.objects.create(
            inspection=inspection, student=student, position=10 + number
        )
        observation = Observation.objects.create(
            inspection=inspection,
            checklist_item=item,
            sampled_student=sampled,
            text=f"Seen {number}",
            author=inspector,
        )
        services.add_evidence(
            by=inspector,
            inspection=inspection,
            upload=SimpleUploadedFile(f"file{number}.txt", b"evidence"),
            observation=observation,
        )
        services.record_inspection_finding(
            by=inspector,
            inspection=inspection,
            severity="minor",
            title=f"Finding {number}",
            text="Something to fix.",
            student=student,
        )
        section = services.save_report_section(
            by=inspector,
            inspection=inspection,
            key=f"part-{number}",
            title=f"Part {number}",
            body="Text.",
        )
        ReplyComment.objects.create(
            section=section,
            section_revision=1,
            text="A comment.",
            author=world.cast.program_admin,
        )


@pytest.mark.parametrize("tab", TABS)
@pytest.mark.parametrize("name", ["admin", "inspector"])
def test_workspace_tab_query_counts_are_flat(world: World, tab: str, name: str) -> None:
    _grow_workspace(world)
    client = client_for(world.user(name))
    assert_flat_queries(
        lambda: client.get(url(tab, world.inspection.pk)),
        lambda: _grow_workspace(world),
        max_queries=18,
    )


@pytest.mark.parametrize("tab", sorted(INSPECTED_TABS))
def test_inspected_side_tab_query_counts_are_flat(world: World, tab: str) -> None:
    Inspection.objects.filter(pk=world.inspection.pk).update(
        reply_opens_at=timezone.now() - dt.timedelta(days=1)
    )
    _grow_workspace(world)
    client = client_for(world.cast.program_admin)
    assert_flat_queries(
        lambda: client.get(url(tab, world.inspection.pk)),
        lambda: _grow_workspace(world),
        max_queries=18,
    )


def test_the_home_page_query_count_does_not_grow_with_inspections(world: World) -> None:
    client = client_for(world.user("inspector"))
    assert_flat_queries(
        lambda: client.get(reverse("core:home")),
        lambda: _more_inspections(world, 10),
        max_queries=40,
    )
