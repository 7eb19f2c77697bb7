"""The administrators' inspection pages for every role of the cast: scheduling, assignments
(with revocation), the inspector pool and conflicts of interest, checklist templates, and the
double random draws (new draw, its record, verification, drawing again with a reason). Bad
input gives form errors; list and record pages keep a flat query count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from supervision.inspections import draw as drawing
from supervision.inspections import services
from supervision.models import (
    ChecklistTemplate,
    ConflictOfInterest,
    Draw,
    Inspection,
    InspectionAssignment,
    InspectorProfile,
)
from tests.cast import Cast
from tests.clients import client_for
from tests.factories import UserFactory
from tests.programs.factories import OrganizationFactory, ProgramFactory, StudentFactory
from tests.queries import assert_flat_queries

from .conftest import INSPECTION_ROLES

pytestmark = pytest.mark.django_db

ROLES = [*INSPECTION_ROLES, "anonymous"]
INSPECTORS = {"inspector", "lead_inspector", "unassigned_inspector"}
#: Pages for portal administrators only.
ADMIN_PAGES = [
    "inspection-create",
    "assignment-create",
    "template-list",
    "draw-list",
    "draw-create",
]
#: Pages for portal administrators and inspectors (each inspector reading their own rows).
INSPECTOR_PAGES = ["assignment-list", "inspector-list"]


def url(name: str, *args: Any) -> str:
    return reverse(f"inspections:{name}", args=args)


def expected(name: str, allowed: set[str]) -> int:
    if name == "anonymous":
        return 302
    return 200 if name in allowed else 403


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# ---- Who opens which page --------------------------------------------------------------------


@pytest.mark.parametrize("name", ROLES)
def test_the_administration_pages_are_for_portal_administrators(
    inspection_people: dict[str, Any], checklist_templates: Any, name: str
) -> None:
    client = client_for(inspection_people[name])
    pages = [url(page) for page in ADMIN_PAGES] + [url("template-edit", "routine")]
    got = {page: client.get(page).status_code for page in pages}
    assert got == {page: expected(name, {"admin"}) for page in pages}


@pytest.mark.parametrize("name", ROLES)
def test_assignments_and_the_pool_are_for_administrators_and_inspectors(
    inspection_people: dict[str, Any], name: str
) -> None:
    client = client_for(inspection_people[name])
    got = {page: client.get(url(page)).status_code for page in INSPECTOR_PAGES}
    assert got == {page: expected(name, {"admin"} | INSPECTORS) for page in INSPECTOR_PAGES}


def test_an_unknown_inspection_type_has_no_template_page(admin: User) -> None:
    assert client_for(admin).get(url("template-edit", "nonsense")).status_code == 404


# ---- Scheduling ------------------------------------------------------------------------------


def _schedule_data(cast: Cast, inspector: User, lead: User, **extra: Any) -> dict[str, Any]:
    starts = timezone.now() + dt.timedelta(days=7)
    return {
        "title": "Routine inspection of the hospital",
        "inspection_type": "routine",
        "target": f"organization:{cast.hospital.pk}",
        "starts_at": local(starts),
        "ends_on": (starts + dt.timedelta(days=10)).date().isoformat(),
        "inspectors": [inspector.pk, lead.pk],
        "author": inspector.pk,
        "sample_size": 1,
        "reply_days": 10,
        "scope_note": "Clinical placements.",
        **extra,
    }


def test_an_administrator_schedules_an_unannounced_inspection(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: Any,
) -> None:
    response = client_for(admin).post(
        url("inspection-create"),
        _schedule_data(cast, inspector, lead_inspector, unannounced="on"),
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get(title="Routine inspection of the hospital")
    assert response["Location"] == url("inspection-detail", inspection.pk)
    assert inspection.unannounced and inspection.organization == cast.hospital
    assert set(inspection.team.values_list("inspector_id", "is_author")) == {
        (inspector.pk, True),
        (lead_inspector.pk, False),
    }
    assert inspection.checklist.count() == 3
    # The coordinator of the hospital cannot find it.
    coordinator = client_for(cast.coordinator)
    assert coordinator.get(url("inspection-detail", inspection.pk)).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"target": ""}, "target"),
        ({"target": "program:999999"}, "target"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"inspectors": []}, "inspectors"),
        ({"sample_size": "-1"}, "sample_size"),
        ({"reply_days": "0"}, "reply_days"),
    ],
)
def test_bad_scheduling_input_is_a_form_error(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    change: dict[str, Any],
    field: str,
) -> None:
    response = client_for(admin).post(
        url("inspection-create"), _schedule_data(cast, inspector, lead_inspector, **change)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_the_author_must_be_on_the_team(
    cast: Cast, admin: User, inspector: User, lead_inspector: User, unassigned_inspector: User
) -> None:
    response = client_for(admin).post(
        url("inspection-create"),
        _schedule_data(cast, inspector, lead_inspector, author=unassigned_inspector.pk),
    )
    assert response.status_code == 200
    assert "author" in response.context["form"].errors


def test_a_conflicted_inspector_is_refused_on_the_form(
    cast: Cast, admin: User, inspector: User, lead_inspector: User
) -> None:
    ConflictOfInterest.objects.create(
        inspector=lead_inspector, organization=cast.hospital, kind="member"
    )
    response = client_for(admin).post(
        url("inspection-create"), _schedule_data(cast, inspector, lead_inspector)
    )
    assert response.status_code == 200
    assert "inspectors" in response.context["form"].errors


# ---- Assignments -----------------------------------------------------------------------------


def test_the_assignment_list_shows_administrators_all_and_an_inspector_their_own(
    inspection_people: dict[str, Any],
) -> None:
    def listed(name: str) -> set[int]:
        response = client_for(inspection_people[name]).get(url("assignment-list"))
        return {row.inspector_id for row in response.context["page"].object_list}

    ingrid, leo = inspection_people["inspector"], inspection_people["lead_inspector"]
    assert listed("admin") == {ingrid.pk, leo.pk}
    assert listed("inspector") == {ingrid.pk}
    assert listed("unassigned_inspector") == set()


def test_an_administrator_creates_an_assignment(
    cast: Cast, admin: User, unassigned_inspector: User
) -> None:
    today = timezone.localdate()
    response = client_for(admin).post(
        url("assignment-create"),
        {
            "inspector": unassigned_inspector.pk,
            "target": f"program:{cast.program.pk}",
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 302
    assignment = InspectionAssignment.objects.get(inspector=unassigned_inspector)
    assert (assignment.program, assignment.created_by) == (cast.program, admin)


def test_an_assignment_ending_before_it_starts_is_a_form_error(
    cast: Cast, admin: User, unassigned_inspector: User
) -> None:
    today = timezone.localdate()
    response = client_for(admin).post(
        url("assignment-create"),
        {
            "inspector": unassigned_inspector.pk,
            "target": f"organization:{cast.hospital.pk}",
            "valid_from": today.isoformat(),
            "valid_until": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not InspectionAssignment.objects.filter(inspector=unassigned_inspector).exists()


def test_a_non_inspector_cannot_be_assigned(cast: Cast, admin: User, outsider: User) -> None:
    today = timezone.localdate()
    response = client_for(admin).post(
        url("assignment-create"),
        {
            "inspector": outsider.pk,
            "target": f"program:{cast.program.pk}",
            "valid_from": today.isoformat(),
            "valid_until": today.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "inspector" in response.context["form"].errors


@pytest.mark.parametrize("name", ROLES)
def test_only_administrators_revoke_assignments(
    inspection_people: dict[str, Any], name: str
) -> None:
    ingrid = inspection_people["inspector"]
    assignment = InspectionAssignment.objects.filter(inspector=ingrid).first()
    assert assignment is not None
    response = client_for(inspection_people[name]).post(url("assignment-revoke", assignment.pk))
    assignment.refresh_from_db()
    if name == "anonymous":
        assert response.status_code == 302 and assignment.revoked_at is None
    elif name == "admin":
        assert response.status_code == 302
        assert assignment.revoked_at is not None
    elif name == "inspector":
        # Her own assignment: she reads it, she cannot revoke it.
        assert response.status_code == 403
        assert assignment.revoked_at is None
    else:
        assert response.status_code == 404
        assert assignment.revoked_at is None


def test_revoking_twice_is_a_message_not_a_crash(
    inspection_people: dict[str, Any], admin: User
) -> None:
    assignment = InspectionAssignment.objects.filter(
        inspector=inspection_people["inspector"]
    ).first()
    assert assignment is not None
    client = client_for(admin)
    client.post(url("assignment-revoke", assignment.pk))
    response = client.post(url("assignment-revoke", assignment.pk), follow=True)
    assert response.status_code == 200


# ---- The pool and conflicts of interest ------------------------------------------------------


def test_the_pool_shows_administrators_everyone_and_an_inspector_themself(
    inspection_people: dict[str, Any], cast: Cast
) -> None:
    ConflictOfInterest.objects.create(
        inspector=inspection_people["lead_inspector"],
        organization=cast.hospital,
        kind="collaboration",
    )

    def listed(name: str) -> set[int]:
        response = client_for(inspection_people[name]).get(url("inspector-list"))
        return {profile.user_id for profile in response.context["page"].object_list}

    assert listed("admin") == {inspection_people[n].pk for n in INSPECTORS}
    assert listed("inspector") == {inspection_people["inspector"].pk}
    page = client_for(inspection_people["admin"]).get(url("inspector-list"))
    assert "First Hospital" in page.content.decode()


@pytest.mark.parametrize("name", ROLES)
def test_a_conflict_is_declared_by_the_inspector_themself_or_an_administrator(
    inspection_people: dict[str, Any], cast: Cast, name: str
) -> None:
    ingrid = inspection_people["inspector"]
    response = client_for(inspection_people[name]).post(
        url("conflict-create", ingrid.pk),
        {"organization": cast.other_hospital.pk, "kind": "family", "explanation": "Sister."},
    )
    declared = ConflictOfInterest.objects.filter(
        inspector=ingrid, organization=cast.other_hospital
    ).exists()
    if name == "anonymous":
        assert response.status_code == 302 and not declared
    elif name in {"admin", "inspector"}:
        assert response.status_code == 302 and declared
    else:
        assert response.status_code == 404 and not declared


def test_a_conflict_declared_twice_is_a_form_error(
    inspection_people: dict[str, Any], cast: Cast
) -> None:
    ingrid = inspection_people["inspector"]
    client = client_for(ingrid)
    data = {"organization": cast.other_hospital.pk, "kind": "member"}
    client.post(url("conflict-create", ingrid.pk), data)
    response = client.post(url("conflict-create", ingrid.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert ConflictOfInterest.objects.filter(inspector=ingrid).count() == 1


# ---- Checklist templates ---------------------------------------------------------------------


def _template_data(title: str, rows: list[tuple[str, str, str]], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": title,
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "200",
    }
    for index, (section, text, guidance) in enumerate(rows):
        data[f"items-{index}-section"] = section
        data[f"items-{index}-text"] = text
        data[f"items-{index}-guidance"] = guidance
    data.update(extra)
    return data


def test_an_administrator_writes_a_checklist_template(admin: User) -> None:
    data = _template_data(
        "Fund use checklist",
        [
            ("Budget", "Is every expenditure approved by someone else?", ""),
            ("", "", ""),
            ("Budget", "Are receipts kept?", "Look at five receipts."),
            ("Budget", "Deleted question", ""),
        ],
        **{"items-3-DELETE": "on"},
    )
    response = client_for(admin).post(url("template-edit", "funds"), data)
    assert response.status_code == 302
    template = ChecklistTemplate.objects.get(inspection_type="funds")
    assert template.title == "Fund use checklist"
    assert list(template.items.order_by("position").values_list("text", flat=True)) == [
        "Is every expenditure approved by someone else?",
        "Are receipts kept?",
    ]
    page = client_for(admin).get(url("template-edit", "funds"))
    assert page.status_code == 200
    assert "Are receipts kept?" in page.content.decode()


@pytest.mark.parametrize(
    "rows", [[("Budget", "", "Guidance without a question")], [("", "A question", "")]]
)
def test_a_half_written_question_is_a_form_error(
    admin: User, rows: list[tuple[str, str, str]]
) -> None:
    response = client_for(admin).post(url("template-edit", "funds"), _template_data("T", rows))
    assert response.status_code == 200
    assert any(form.errors for form in response.context["formset"])
    assert not ChecklistTemplate.objects.filter(inspection_type="funds").exists()


def test_a_broken_formset_is_a_form_error_not_a_crash(admin: User) -> None:
    response = client_for(admin).post(url("template-edit", "funds"), {"title": "T"})
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()


# ---- Draws -----------------------------------------------------------------------------------


@pytest.fixture
def draw_world(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    unassigned_inspector: User,
    checklist_templates: Any,
) -> Cast:
    """Three programs with students to draw from, and the pool of three inspectors."""
    for _n in range(2):
        program = ProgramFactory()
        for _s in range(3):
            StudentFactory(program=program)
    return cast


def _draw_data(**extra: Any) -> dict[str, Any]:
    starts = timezone.now() + dt.timedelta(days=14)
    return {
        "target_kind": "program",
        "inspection_type": "routine",
        "targets": 2,
        "students_per_target": 2,
        "inspectors_per_target": 2,
        "starts_at": local(starts),
        "ends_on": (starts + dt.timedelta(days=5)).date().isoformat(),
        **extra,
    }


def test_an_administrator_makes_a_draw_and_sees_its_record(draw_world: Cast, admin: User) -> None:
    client = client_for(admin)
    response = client.post(url("draw-create"), _draw_data(seed="open-seed-2026"))
    assert response.status_code == 302
    made = Draw.objects.get()
    assert response["Location"] == url("draw-detail", made.pk)
    assert made.seed == "open-seed-2026"
    assert made.inspections.count() == 2
    page = client.get(url("draw-detail", made.pk))
    html = page.content.decode()
    assert made.seed in html and made.algorithm in html
    assert len(page.context["summary"]["targets"]) == 2
    assert all(len(row["inspectors"]) == 2 for row in page.context["summary"]["targets"])
    assert reverse("public:draw-verify", args=[made.public_id]) in html


def test_the_draw_page_shows_recusals(draw_world: Cast, admin: User, inspector: User) -> None:
    ConflictOfInterest.objects.create(
        inspector=inspector, organization=draw_world.program.lead_university, kind="member"
    )
    client = client_for(admin)
    client.post(
        url("draw-create"),
        _draw_data(targets=1, candidate_programs=[draw_world.program.pk], seed="s1"),
    )
    made = Draw.objects.get()
    page = client.get(url("draw-detail", made.pk))
    recusals = page.context["summary"]["recusals"]
    assert [(row["inspector"], row["organization"]) for row in recusals] == [
        (inspector, draw_world.program.lead_university)
    ]


def test_verifying_a_draw_reruns_it(draw_world: Cast, admin: User) -> None:
    client = client_for(admin)
    client.post(url("draw-create"), _draw_data(seed="seed-a"))
    made = Draw.objects.get()
    response = client.post(url("draw-verify", made.pk))
    assert response.status_code == 200
    assert response.context["verified"] and response.context["verification"] == []
    # Tampering with the stored seed is found.
    Draw.objects.filter(pk=made.pk).update(seed="seed-b")
    response = client.post(url("draw-verify", made.pk))
    assert response.context["verification"]
    assert "does NOT give the stored result" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"targets": "0"}, "targets"),
        ({"targets": "9"}, "targets"),
        ({"inspectors_per_target": "5"}, "inspectors_per_target"),
        ({"target_kind": "students"}, "target_kind"),
        ({"starts_at": ""}, "starts_at"),
        ({"seed": "x" * 65}, "seed"),
    ],
)
def test_bad_draw_input_is_a_form_error(
    draw_world: Cast, admin: User, change: dict[str, Any], field: str
) -> None:
    response = client_for(admin).post(url("draw-create"), _draw_data(**change))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Draw.objects.exists()


def test_drawing_again_needs_a_reason_and_replaces_the_draw(draw_world: Cast, admin: User) -> None:
    client = client_for(admin)
    client.post(url("draw-create"), _draw_data(seed="first"))
    first = Draw.objects.get()
    page = client.get(url("draw-redo", first.pk))
    assert page.status_code == 200
    assert page.context["form"].initial["targets"] == 2
    refused = client.post(url("draw-redo", first.pk), _draw_data())
    assert refused.status_code == 200
    assert "replace_reason" in refused.context["form"].errors
    response = client.post(
        url("draw-redo", first.pk), _draw_data(replace_reason="An inspector fell ill.")
    )
    assert response.status_code == 302
    second = Draw.objects.exclude(pk=first.pk).get()
    assert (second.replaces, second.replace_reason) == (first, "An inspector fell ill.")
    assert set(first.inspections.values_list("status", flat=True)) == {"cancelled"}
    # A replaced draw is not drawn again a second time.
    again = client.post(url("draw-redo", first.pk), _draw_data(replace_reason="Again."))
    assert again.status_code == 200
    assert again.context["form"].non_field_errors()
    assert client.get(url("draw-detail", first.pk)).context["replaced_by"] == second


@pytest.mark.parametrize("name", [n for n in ROLES if n != "admin"])
def test_nobody_else_sees_or_makes_draws(
    draw_world: Cast, inspection_people: dict[str, Any], admin: User, name: str
) -> None:
    made = drawing.make_draw(
        by=admin,
        target_kind="program",
        inspection_type="routine",
        unannounced=False,
        targets=1,
        students_per_target=1,
        inspectors_per_target=1,
        starts_at=timezone.now() + dt.timedelta(days=3),
        ends_on=timezone.localdate() + dt.timedelta(days=5),
    )
    client = client_for(inspection_people[name])
    status = 302 if name == "anonymous" else 403
    assert client.get(url("draw-detail", made.pk)).status_code == status
    assert client.post(url("draw-verify", made.pk)).status_code == status
    assert client.get(url("draw-redo", made.pk)).status_code == status
    assert client.post(url("draw-create"), _draw_data()).status_code == status
    assert Draw.objects.count() == 1


# ---- Query counts ----------------------------------------------------------------------------


def _more_assignments(cast: Cast, admin: User, count: int) -> None:
    today = timezone.localdate()
    for _n in range(count):
        user = UserFactory()
        InspectorProfile.objects.create(user=user, affiliation=OrganizationFactory())
        ConflictOfInterest.objects.create(inspector=user, organization=cast.hospital, kind="other")
        InspectionAssignment.objects.create(
            inspector=user,
            organization=OrganizationFactory(),
            valid_from=today,
            valid_until=today + dt.timedelta(days=30),
            created_by=admin,
            revoked_at=timezone.now(),
            revoked_by=admin,
        )


@pytest.mark.parametrize("page", INSPECTOR_PAGES)
def test_the_pool_and_assignment_lists_query_counts_are_flat(
    cast: Cast, admin: User, inspector: User, page: str
) -> None:
    client = client_for(admin)
    assert_flat_queries(
        lambda: client.get(url(page)),
        lambda: _more_assignments(cast, admin, 8),
        max_queries=12,
    )


def test_the_template_list_query_count_is_flat(admin: User, checklist_templates: Any) -> None:
    client = client_for(admin)

    def grow() -> None:
        services.save_checklist_template(
            by=admin,
            inspection_type="funds",
            title="Bigger",
            items=[{"section": "S", "text": f"Q{n}", "guidance": ""} for n in range(20)],
        )

    assert_flat_queries(lambda: client.get(url("template-list")), grow, max_queries=10)


def _more_draws(admin: User, count: int) -> None:
    for number in range(count):
        drawing.make_draw(
            by=admin,
            target_kind="program",
            inspection_type="routine",
            unannounced=number % 2 == 0,
            targets=1,
            students_per_target=2,
            inspectors_per_target=2,
            seed=f"grow-{number}-{timezone.now().timestamp()}",
            starts_at=timezone.now() + dt.timedelta(days=3),
            ends_on=timezone.localdate() + dt.timedelta(days=5),
        )


def test_the_draw_list_query_count_is_flat(draw_world: Cast, admin: User) -> None:
    client = client_for(admin)
    _more_draws(admin, 1)
    assert_flat_queries(
        lambda: client.get(url("draw-list")), lambda: _more_draws(admin, 3), max_queries=10
    )


def test_the_draw_page_query_count_does_not_grow_with_the_draw(
    draw_world: Cast, admin: User
) -> None:
    client = client_for(admin)
    small = drawing.make_draw(
        by=admin,
        target_kind="program",
        inspection_type="routine",
        unannounced=False,
        targets=1,
        students_per_target=1,
        inspectors_per_target=1,
        seed="small",
        starts_at=timezone.now() + dt.timedelta(days=3),
        ends_on=timezone.localdate() + dt.timedelta(days=5),
    )
    big = drawing.make_draw(
        by=admin,
        target_kind="program",
        inspection_type="routine",
        unannounced=False,
        targets=3,
        students_per_target=3,
        inspectors_per_target=2,
        seed="big",
        starts_at=timezone.now() + dt.timedelta(days=3),
        ends_on=timezone.localdate() + dt.timedelta(days=5),
    )
    from tests.queries import count_queries

    client.get(url("draw-detail", small.pk))
    few, _response = count_queries(lambda: client.get(url("draw-detail", small.pk)))
    many, _response = count_queries(lambda: client.get(url("draw-detail", big.pk)))
    assert few == many <= 14


def test_a_bad_field_and_dates_in_the_wrong_order_are_shown_together(
    cast: Cast, admin: User, inspector: User, lead_inspector: User
) -> None:
    starts = timezone.now() + dt.timedelta(days=7)
    response = client_for(admin).post(
        url("inspection-create"),
        _schedule_data(
            cast,
            inspector,
            lead_inspector,
            title="",
            ends_on=(starts - dt.timedelta(days=1)).date().isoformat(),
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["title"] == ["This field is required."]
    assert errors["ends_on"] == ["An inspection cannot end before it starts."]
    assert not Inspection.objects.exists()
