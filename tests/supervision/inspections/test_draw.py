"""The double random draw: the documented algorithm (re-runnable by hand with SHA-256),
canonical inputs, conflicted inspectors excluded and the exclusion recorded, the inspections it
schedules, redrawing only with a reason, and verification that detects tampering."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from programs.models import Organization
from supervision.inspections import draw as draws
from supervision.inspections import permissions
from supervision.models import (
    ConflictOfInterest,
    Draw,
    Inspection,
    InspectionType,
    InspectorProfile,
)
from tests.cast import Cast
from tests.programs.factories import OrganizationFactory, PlacementFactory, StudentFactory
from training_portal.core.draw import canonical_json

pytestmark = pytest.mark.django_db

SEED = "0123456789abcdef"


def by_hand(seed: str, purpose: str, ids: list[int]) -> list[int]:
    """The module docstring's recipe, written out independently."""
    digests = {i: hashlib.sha256(f"{seed}|{purpose}|{i}".encode()).hexdigest() for i in ids}
    return sorted(ids, key=digests.__getitem__)


def test_rank_is_the_documented_sha256_order() -> None:
    ids = list(range(1, 40))
    assert draws.rank(SEED, "targets", ids) == by_hand(SEED, "targets", ids)
    assert draws.rank(SEED, "targets", ids) != draws.rank("another seed", "targets", ids)
    assert draws.rank(SEED, "targets", ids) == draws.rank(SEED, "targets", list(reversed(ids)))
    assert draws.ALGORITHM == "sha256-rank/1"


INPUTS: dict[str, Any] = {
    "algorithm": "sha256-rank/1",
    "target_kind": "organization",
    "targets": 2,
    "students_per_target": 2,
    "inspectors_per_target": 2,
    "candidates": [
        {"id": 1, "organizations": [1], "students": [10, 11, 12]},
        {"id": 2, "organizations": [2], "students": [20]},
        {"id": 3, "organizations": [3], "students": []},
    ],
    "inspectors": [100, 101, 102, 103],
    "conflicts": [
        {"inspector": 100, "organization": 1, "reason": "affiliation"},
        {"inspector": 101, "organization": 2, "reason": "declared:member"},
        {"inspector": 101, "organization": 3, "reason": "declared:family"},
    ],
}


def test_run_draw_is_pure_and_follows_the_recipe() -> None:
    result = draws.run_draw(SEED, INPUTS)
    assert draws.run_draw(SEED, INPUTS) == result
    assert result["inputs_sha256"] == hashlib.sha256(canonical_json(INPUTS).encode()).hexdigest()
    drawn = by_hand(SEED, "targets", [1, 2, 3])[:2]
    assert [t["id"] for t in result["targets"]] == drawn
    conflicted = {1: {100}, 2: {101}, 3: {101}}
    for target in result["targets"]:
        candidate = next(c for c in INPUTS["candidates"] if c["id"] == target["id"])
        assert (
            target["students"]
            == by_hand(SEED, f"students:{target['id']}", candidate["students"])[:2]
        )
        eligible = [u for u in INPUTS["inspectors"] if u not in conflicted[target["id"]]]
        assert target["inspectors"] == by_hand(SEED, f"inspectors:{target['id']}", eligible)[:2]
    assert {(r["target"], r["inspector"]) for r in result["recusals"]} == {
        (t, u) for t in drawn for u in conflicted[t]
    }


# ---- Making a draw ---------------------------------------------------------------------------


@pytest.fixture
def hospitals(cast: Cast) -> list[Organization]:
    """Three candidate hospitals: the cast's (where Stan is placed), another with three
    placed students, and one with none."""
    second = OrganizationFactory(name="Third Hospital")
    for _number in range(3):
        PlacementFactory(student=StudentFactory(program=cast.program), host=second)
    return [cast.hospital, second, OrganizationFactory(name="Fourth Hospital")]


def draw_now(admin: User, candidates: list[Organization], **fields: Any) -> Draw:
    starts = timezone.now() + dt.timedelta(days=10)
    values: dict[str, Any] = {
        "by": admin,
        "target_kind": Draw.TargetKind.ORGANIZATION,
        "inspection_type": InspectionType.THEMATIC,
        "unannounced": False,
        "targets": 3,
        "students_per_target": 2,
        "inspectors_per_target": 1,
        "candidate_ids": [o.pk for o in candidates],
        "seed": SEED,
        "starts_at": starts,
        "ends_on": (starts + dt.timedelta(days=1)).date(),
    }
    values.update(fields)
    return draws.make_draw(**values)


def test_a_draw_records_canonical_inputs_and_schedules_its_inspections(
    admin: User,
    cast: Cast,
    inspector: User,
    lead_inspector: User,
    hospitals: list[Organization],
    checklist_templates: Any,
) -> None:
    made = draw_now(admin, list(reversed(hospitals)))
    inputs = made.inputs
    assert [c["id"] for c in inputs["candidates"]] == sorted(o.pk for o in hospitals)
    assert inputs["inspectors"] == sorted([inspector.pk, lead_inspector.pk])
    for candidate in inputs["candidates"]:
        assert candidate["students"] == sorted(candidate["students"])
    assert made.result == draws.run_draw(SEED, inputs)
    assert draws.verify_draw(made) == []
    inspections = made.inspections.order_by("pk")
    assert inspections.count() == 3
    for inspection, drawn in zip(inspections, made.result["targets"], strict=True):
        assert inspection.organization_id == drawn["id"]
        assert inspection.status == Inspection.Status.PLANNED
        assert [m.inspector_id for m in inspection.team.filter(is_author=True)] == [
            drawn["inspectors"][0]
        ]
        assert sorted(inspection.sample.values_list("student_id", flat=True)) == sorted(
            drawn["students"]
        )
        assert inspection.checklist.count() == 3
    stan = next(t for t in made.result["targets"] if t["id"] == cast.hospital.pk)
    assert stan["students"] == [cast.student.pk]


def test_conflicted_inspectors_are_excluded_and_the_exclusion_recorded(
    admin: User,
    cast: Cast,
    inspector: User,
    lead_inspector: User,
    hospitals: list[Organization],
) -> None:
    ConflictOfInterest.objects.create(
        inspector=inspector, organization=cast.hospital, kind="member"
    )
    InspectorProfile.objects.filter(user=lead_inspector).update(affiliation=hospitals[1])
    made = draw_now(admin, hospitals[:2], targets=2)
    teams = {t["id"]: t["inspectors"] for t in made.result["targets"]}
    assert teams == {cast.hospital.pk: [lead_inspector.pk], hospitals[1].pk: [inspector.pk]}
    assert sorted(made.result["recusals"], key=lambda r: r["target"]) == sorted(
        [
            {
                "target": cast.hospital.pk,
                "inspector": inspector.pk,
                "organization": cast.hospital.pk,
                "reason": "declared:member",
            },
            {
                "target": hospitals[1].pk,
                "inspector": lead_inspector.pk,
                "organization": hospitals[1].pk,
                "reason": "affiliation",
            },
        ],
        key=lambda r: r["target"],
    )


def test_a_program_draw_excludes_inspectors_conflicted_with_its_organisations(
    admin: User, cast: Cast, inspector: User, lead_inspector: User
) -> None:
    ConflictOfInterest.objects.create(
        inspector=inspector, organization=cast.program.lead_university, kind="collaboration"
    )
    made = draw_now(
        admin,
        [],
        target_kind=Draw.TargetKind.PROGRAM,
        candidate_ids=[cast.program.pk],
        targets=1,
    )
    assert made.result["targets"][0]["inspectors"] == [lead_inspector.pk]
    assert made.result["targets"][0]["students"] == by_hand(
        SEED, f"students:{cast.program.pk}", sorted([cast.student.pk, cast.other_student.pk])
    )
    assert made.result["recusals"][0]["inspector"] == inspector.pk


def test_too_few_candidates_or_inspectors_is_an_error(
    admin: User, inspector: User, lead_inspector: User, hospitals: list[Organization]
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        draw_now(admin, hospitals[:2], targets=3)
    assert "targets" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        draw_now(admin, hospitals, inspectors_per_target=3)
    assert "inspectors_per_target" in excinfo.value.message_dict
    assert not Draw.objects.exists()


def test_bad_parameters_are_reported_by_field(admin: User, hospitals: list[Organization]) -> None:
    with pytest.raises(ValidationError) as excinfo:
        draw_now(
            admin,
            hospitals,
            target_kind="tutors",
            inspection_type="nonsense",
            targets=0,
            students_per_target=-1,
            inspectors_per_target=0,
            seed="x" * 65,
        )
    assert set(excinfo.value.message_dict) == {
        "target_kind",
        "inspection_type",
        "targets",
        "students_per_target",
        "inspectors_per_target",
        "seed",
    }
    with pytest.raises(ValidationError) as excinfo:
        draw_now(admin, hospitals, candidate_ids=[hospitals[0].pk, 999_999], targets=1)
    assert "candidate_ids" in excinfo.value.message_dict


@pytest.mark.parametrize("role", ["program_admin", "coordinator"])
def test_only_administrators_draw(
    cast: Cast, inspector: User, hospitals: list[Organization], role: str
) -> None:
    person = {"program_admin": cast.program_admin, "coordinator": cast.coordinator}[role]
    with pytest.raises(PermissionDenied):
        draw_now(person, hospitals)


def test_an_inspector_cannot_draw(inspector: User, hospitals: list[Organization]) -> None:
    with pytest.raises(PermissionDenied):
        draw_now(inspector, hospitals)


def test_without_a_seed_a_random_one_is_recorded(
    admin: User, inspector: User, hospitals: list[Organization]
) -> None:
    made = draw_now(admin, hospitals, seed=None, targets=1)
    assert len(made.seed) == 32
    assert draws.verify_draw(made) == []


def test_an_unannounced_draw_schedules_unannounced_inspections(
    admin: User, cast: Cast, inspector: User, hospitals: list[Organization]
) -> None:
    made = draw_now(admin, hospitals[:1], targets=1, unannounced=True)
    assert made.inspections.get().unannounced
    assert not permissions.sees_inspections(cast.coordinator)


# ---- Redrawing -------------------------------------------------------------------------------


def test_a_draw_is_redone_only_with_a_reason_and_cancels_the_replaced_inspections(
    admin: User, inspector: User, hospitals: list[Organization]
) -> None:
    first = draw_now(admin, hospitals, targets=2)
    with pytest.raises(ValidationError) as excinfo:
        draw_now(admin, hospitals, targets=2, replaces=first, seed="another")
    assert "replace_reason" in excinfo.value.message_dict
    second = draw_now(
        admin, hospitals, targets=2, replaces=first, seed="another", replace_reason="Wrong dates."
    )
    assert second.replaces == first and second.replace_reason == "Wrong dates."
    cancelled = first.inspections.all()
    assert {i.status for i in cancelled} == {Inspection.Status.CANCELLED}
    assert {i.cancel_reason for i in cancelled} == {"Drawn again: Wrong dates."}
    assert second.inspections.count() == 2
    with pytest.raises(ValidationError) as excinfo:
        draw_now(admin, hospitals, replaces=first, replace_reason="Once more.")
    assert "replaces" in excinfo.value.message_dict


def test_a_draw_whose_inspections_started_cannot_be_redone(
    admin: User, inspector: User, hospitals: list[Organization]
) -> None:
    first = draw_now(admin, hospitals, targets=1)
    first.inspections.update(status=Inspection.Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as excinfo:
        draw_now(admin, hospitals, targets=1, replaces=first, replace_reason="Why not.")
    assert "replaces" in excinfo.value.message_dict


def test_a_stored_draw_is_never_changed(admin: User, inspector: User, hospitals: Any) -> None:
    made = draw_now(admin, hospitals, targets=1)
    with pytest.raises(ValueError, match="never changed"):
        made.save()


# ---- Verification ----------------------------------------------------------------------------


@pytest.fixture
def made(admin: User, inspector: User, lead_inspector: User, hospitals: list[Organization]) -> Draw:
    return draw_now(admin, hospitals, targets=2)


def test_verification_detects_a_tampered_seed(made: Draw) -> None:
    seed = next(
        f"tampered-{n}"
        for n in range(500)
        if draws.run_draw(f"tampered-{n}", made.inputs)["targets"] != made.result["targets"]
    )
    Draw.objects.filter(pk=made.pk).update(seed=seed)
    problems = draws.verify_draw(Draw.objects.get(pk=made.pk))
    assert problems and all(problem.startswith("result.") for problem in problems)


def test_verification_detects_tampered_inputs(made: Draw) -> None:
    """Even a change that would not change the draw shows, through the inputs' hash."""
    inputs = {**made.inputs, "students_per_target": made.inputs["students_per_target"] + 50}
    Draw.objects.filter(pk=made.pk).update(inputs=inputs)
    problems = draws.verify_draw(Draw.objects.get(pk=made.pk))
    assert problems[0].startswith("result.inputs_sha256: re-run gives")


def test_verification_detects_a_tampered_result(made: Draw) -> None:
    result = {**made.result, "recusals": [{"target": 1, "inspector": 1}]}
    Draw.objects.filter(pk=made.pk).update(result=result)
    problems = draws.verify_draw(Draw.objects.get(pk=made.pk))
    assert any(problem.startswith("result.recusals") for problem in problems)


def test_verification_detects_a_result_rewritten_with_its_seed(
    made: Draw, hospitals: list[Organization]
) -> None:
    """Even a consistent rewrite (a new seed and its result) shows: the scheduled
    inspections are not those of the record."""
    drawn = {t["id"] for t in made.result["targets"]}
    seed = next(
        f"forged-{n}"
        for n in range(500)
        if {t["id"] for t in draws.run_draw(f"forged-{n}", made.inputs)["targets"]} != drawn
    )
    Draw.objects.filter(pk=made.pk).update(seed=seed, result=draws.run_draw(seed, made.inputs))
    problems = draws.verify_draw(Draw.objects.get(pk=made.pk))
    assert any(problem.startswith("inspection ") for problem in problems)


def test_verification_reports_unreadable_inputs_and_another_algorithm(made: Draw) -> None:
    Draw.objects.filter(pk=made.pk).update(inputs={**made.inputs, "candidates": None})
    assert draws.verify_draw(Draw.objects.get(pk=made.pk))[0].startswith("inputs: cannot")
    Draw.objects.filter(pk=made.pk).update(algorithm="dice/1")
    assert draws.verify_draw(Draw.objects.get(pk=made.pk))[0].startswith("algorithm:")
