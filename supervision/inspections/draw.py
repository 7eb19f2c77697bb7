"""The double random draw: targets (programs or organisations, then students within each) and
inspectors, in one step, reproducibly.

Algorithm "sha256-rank/1" (`ALGORITHM`, the ranking of `training_portal.core.draw`). Anyone
can re-run a draw by hand from its public record (seed, inputs, algorithm), for instance with
`sha256sum`:

1. To *rank* a list of ids for a purpose: `training_portal.core.draw.rank` (SHA-256 of
   ``f"{seed}|{purpose}|{id}"``, ascending). The first *k* ids of the ranking are drawn.
2. Targets: rank the candidates' ids (``inputs["candidates"][*]["id"]``) for the purpose
   ``"targets"``; the first ``inputs["targets"]`` are drawn.
3. For each drawn target *t* (in drawn order):
   - students: rank the target's student ids for the purpose ``"students:<t>"``; the first
     ``inputs["students_per_target"]`` are drawn (all of them if there are fewer);
   - recusals: every inspector of the pool with a conflict (``inputs["conflicts"]``) with one
     of the target's organisations (``candidate["organizations"]``) is excluded, and each
     such conflict is recorded;
   - inspectors: rank the ids of the pool (``inputs["inspectors"]``) without the excluded
     ones for the purpose ``"inspectors:<t>"``; the first ``inputs["inspectors_per_target"]``
     are drawn; the first of them writes the report. An inspector may be drawn for several
     targets.

The inputs, in a canonical order (everything sorted by id), are::

    {"algorithm": "sha256-rank/1", "target_kind": "program" | "organization",
     "targets": int, "students_per_target": int, "inspectors_per_target": int,
     "candidates": [{"id": int, "organizations": [int], "students": [int]}],
     "inspectors": [int],                                   # user ids of the pool
     "conflicts": [{"inspector": int, "organization": int,
                    "reason": "affiliation" | "declared:<kind>"}]}

and the result::

    {"targets": [{"id": int, "students": [int], "inspectors": [int]}],
     "recusals": [{"target": int, "inspector": int, "organization": int, "reason": str}],
     "inputs_sha256": str}

where ``inputs_sha256`` is the SHA-256 of the inputs' canonical JSON (keys sorted, no spaces,
UTF-8: `training_portal.core.draw.inputs_digest`), so that a changed input shows even
where it would not change the draw.

A program's organisations are its lead university and its active partners; an
organisation's, itself; its students are the program's active students, or the active
students placed at the organisation.

`run_draw` is pure; `make_draw` gathers the inputs from the database, runs it, stores the
`Draw` and schedules one inspection per drawn target. A draw is never changed nor silently
redone: drawing again makes a new draw that names the one it replaces and why, and cancels
that draw's inspections. `verify_draw` re-runs a stored draw and lists the differences.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from programs.models import Organization, Program
from training_portal.core import draw as drawing
from training_portal.core.draw import ALGORITHM, rank

from ..models import Draw, Inspection, InspectionType, InspectorProfile
from . import permissions
from .services import (
    cancel_inspection,
    conflicts_of,
    schedule_inspection,
    target_organization_ids,
    target_students,
)
from .workflow import Errors, check, require

__all__ = ["ALGORITHM", "gather_inputs", "make_draw", "rank", "run_draw", "verify_draw"]


# ---- The algorithm (pure) --------------------------------------------------------------------


def run_draw(seed: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The result of the draw of `inputs` with `seed` (see the module docstring)."""
    candidates = {int(c["id"]): c for c in inputs["candidates"]}
    drawn = rank(seed, "targets", list(candidates))[: int(inputs["targets"])]
    pool = [int(user) for user in inputs["inspectors"]]
    targets, recusals = [], []
    for target in drawn:
        candidate = candidates[target]
        organizations = {int(org) for org in candidate["organizations"]}
        conflicts = [
            c
            for c in inputs["conflicts"]
            if c["organization"] in organizations and c["inspector"] in pool
        ]
        excluded = {c["inspector"] for c in conflicts}
        eligible = [user for user in pool if user not in excluded]
        targets.append(
            {
                "id": target,
                "students": rank(seed, f"students:{target}", list(candidate["students"]))[
                    : int(inputs["students_per_target"])
                ],
                "inspectors": rank(seed, f"inspectors:{target}", eligible)[
                    : int(inputs["inspectors_per_target"])
                ],
            }
        )
        recusals += [{"target": target, **conflict} for conflict in conflicts]
    return {
        "targets": targets,
        "recusals": recusals,
        "inputs_sha256": drawing.inputs_digest(inputs),
    }


# ---- Gathering the inputs --------------------------------------------------------------------


def _candidates(kind: str, candidate_ids: list[int] | None) -> QuerySet[Any]:
    if kind == Draw.TargetKind.PROGRAM:
        programs = Program.objects.exclude(status=Program.Status.CLOSED)
        if candidate_ids is not None:
            programs = Program.objects.filter(pk__in=candidate_ids)
        return programs.order_by("pk")
    organizations = Organization.objects.exclude(status=Organization.Status.EXITED)
    if candidate_ids is not None:
        organizations = Organization.objects.filter(pk__in=candidate_ids)
    return organizations.order_by("pk")


def _candidate(kind: str, target: Any) -> dict[str, Any]:
    scope = {"program": target} if kind == Draw.TargetKind.PROGRAM else {"organization": target}
    return {
        "id": target.pk,
        "organizations": target_organization_ids(**scope),
        "students": list(target_students(**scope).values_list("pk", flat=True)),
    }


def gather_inputs(
    *,
    target_kind: str,
    targets: int,
    students_per_target: int,
    inspectors_per_target: int,
    candidate_ids: list[int] | None = None,
) -> dict[str, Any]:
    """The inputs of a draw, from the database, in the canonical order."""
    candidates = [
        _candidate(target_kind, target) for target in _candidates(target_kind, candidate_ids)
    ]
    pool = list(
        InspectorProfile.objects.in_pool().order_by("user_id").values_list("user_id", flat=True)
    )
    organizations = sorted({org for c in candidates for org in c["organizations"]})
    return {
        "algorithm": ALGORITHM,
        "target_kind": target_kind,
        "targets": targets,
        "students_per_target": students_per_target,
        "inspectors_per_target": inspectors_per_target,
        "candidates": candidates,
        "inspectors": pool,
        "conflicts": conflicts_of(pool, organizations),
    }


# ---- Making a draw ---------------------------------------------------------------------------


def _parameter_errors(
    target_kind: str,
    inspection_type: str,
    numbers: dict[str, int],
    seed: str | None,
    candidate_ids: list[int] | None,
) -> Errors:
    errors: Errors = {}
    if target_kind not in Draw.TargetKind.values:
        errors["target_kind"] = [_("Choose programs or organisations.")]
    if inspection_type not in InspectionType.values:
        errors["inspection_type"] = [_("Choose an inspection type from the list.")]
    for field, minimum in (
        ("targets", 1),
        ("students_per_target", 0),
        ("inspectors_per_target", 1),
    ):
        if not isinstance(numbers[field], int) or not minimum <= numbers[field] <= 100:
            errors[field] = [_("Enter a number from %(min)d to 100.") % {"min": minimum}]
    if seed is not None and not drawing.seed_is_valid(seed):
        errors["seed"] = [_("A seed has 1 to 64 characters.")]
    if candidate_ids is not None and len(set(candidate_ids)) < 1:
        errors["candidate_ids"] = [_("Choose at least one candidate.")]
    return errors


def _result_errors(
    inputs: dict[str, Any], result: dict[str, Any], candidate_ids: list[int] | None
) -> Errors:
    errors: Errors = {}
    available = len(inputs["candidates"])
    if candidate_ids is not None and available != len(set(candidate_ids)):
        errors["candidate_ids"] = [_("Some candidates do not exist.")]
    if available < inputs["targets"]:
        errors["targets"] = [
            ngettext(
                "There is only %(count)d candidate to draw from.",
                "There are only %(count)d candidates to draw from.",
                available,
            )
            % {"count": available}
        ]
    short = [
        t["id"] for t in result["targets"] if len(t["inspectors"]) < inputs["inspectors_per_target"]
    ]
    if short:
        errors["inspectors_per_target"] = [
            ngettext(
                "Not enough inspectors without a conflict of interest for %(count)d of the "
                "drawn targets.",
                "Not enough inspectors without a conflict of interest for %(count)d of the "
                "drawn targets.",
                len(short),
            )
            % {"count": len(short)}
        ]
    return errors


def _replace(replaces: Draw | None, reason: str, errors: Errors) -> None:
    """Check that `replaces` may be redone; the caller cancels its inspections."""
    if replaces is None:
        return
    if not reason:
        errors["replace_reason"] = [_("Drawing again needs a reason.")]
    if Draw.objects.filter(replaces=replaces).exists():
        errors["replaces"] = [_("This draw has already been drawn again.")]
    started = replaces.inspections.exclude(
        status__in=[Inspection.Status.PLANNED, Inspection.Status.CANCELLED]
    )
    if started.exists():
        errors["replaces"] = [_("Some inspections of this draw have already started.")]


def _cancel_replaced(by: User, replaces: Draw, reason: str) -> None:
    for inspection in replaces.inspections.exclude(status=Inspection.Status.CANCELLED):
        cancel_inspection(
            by=by,
            inspection=inspection,
            reason=_("Drawn again: %(reason)s") % {"reason": reason},
        )


def _schedule(
    by: User, made: Draw, starts_at: dt.datetime, ends_on: dt.date, inspection_type: str
) -> None:
    model = Program if made.target_kind == Draw.TargetKind.PROGRAM else Organization
    objects = model.objects.in_bulk([t["id"] for t in made.result["targets"]])
    people = User.objects.in_bulk(
        {user for t in made.result["targets"] for user in t["inspectors"]}
    )
    label = InspectionType(inspection_type).label
    for drawn in made.result["targets"]:
        target: Any = objects[drawn["id"]]
        team = [people[user] for user in drawn["inspectors"]]
        scope = {"program": target} if model is Program else {"organization": target}
        schedule_inspection(
            by=by,
            title=f"{label}: {target}",
            inspection_type=inspection_type,
            unannounced=made.unannounced,
            starts_at=starts_at,
            ends_on=ends_on,
            inspectors=team,
            author=team[0],
            draw=made,
            sample_student_ids=list(drawn["students"]),
            **scope,
        )


@transaction.atomic
def make_draw(
    *,
    by: User,
    target_kind: str,
    inspection_type: str,
    unannounced: bool,
    targets: int,
    students_per_target: int,
    inspectors_per_target: int,
    candidate_ids: list[int] | None = None,
    seed: str | None = None,
    starts_at: dt.datetime,
    ends_on: dt.date,
    replaces: Draw | None = None,
    replace_reason: str = "",
) -> Draw:
    """Draw targets, students and inspectors in one step, record everything needed to re-run
    it, and schedule one inspection per drawn target (see the module docstring)."""
    require(permissions.can_manage_inspections(by))
    numbers = {
        "targets": targets,
        "students_per_target": students_per_target,
        "inspectors_per_target": inspectors_per_target,
    }
    replace_reason = (replace_reason or "").strip()
    errors = _parameter_errors(target_kind, inspection_type, numbers, seed, candidate_ids)
    if replaces is not None:
        replaces = Draw.objects.select_for_update().get(pk=replaces.pk)
    _replace(replaces, replace_reason, errors)
    check(errors)
    seed = seed.strip() if seed is not None else drawing.new_seed()
    inputs = gather_inputs(target_kind=target_kind, candidate_ids=candidate_ids, **numbers)
    result = run_draw(seed, inputs)
    check(_result_errors(inputs, result, candidate_ids))
    if replaces is not None:
        _cancel_replaced(by, replaces, replace_reason)
    made = Draw.objects.create(
        target_kind=target_kind,
        inspection_type=inspection_type,
        unannounced=unannounced,
        seed=seed,
        algorithm=ALGORITHM,
        inputs=inputs,
        result=result,
        replaces=replaces,
        replace_reason=replace_reason if replaces is not None else "",
        drawn_by=by,
    )
    _schedule(by, made, starts_at, ends_on, inspection_type)
    return made


# ---- Verification ----------------------------------------------------------------------------


def _inspection_differences(draw: Draw) -> list[str]:
    """The inspections the draw scheduled must be those of its stored result."""
    field = "program_id" if draw.target_kind == Draw.TargetKind.PROGRAM else "organization_id"
    problems = []
    expected = {t["id"]: t for t in draw.result.get("targets", [])}
    for inspection in draw.inspections.prefetch_related("team", "sample"):
        target = getattr(inspection, field)
        drawn = expected.get(target)
        if drawn is None:
            problems.append(f"inspection {inspection.pk}: its target {target} was not drawn")
            continue
        team = sorted(member.inspector_id for member in inspection.team.all())
        sample = sorted(sampled.student_id for sampled in inspection.sample.all())
        if team != sorted(drawn["inspectors"]) or sample != sorted(drawn["students"]):
            problems.append(f"inspection {inspection.pk}: its team or sample is not the drawn one")
    return problems


def verify_draw(draw: Draw) -> list[str]:
    """The differences between the stored draw and a re-run of it (empty when identical)."""
    problems = []
    if draw.algorithm != ALGORITHM or draw.inputs.get("algorithm") != ALGORITHM:
        problems.append(f"algorithm: stored {draw.algorithm!r}, this portal runs {ALGORITHM!r}")
        return problems
    if draw.inputs.get("target_kind") != draw.target_kind:
        stated = draw.inputs.get("target_kind")
        problems.append(f"target_kind: stored {draw.target_kind!r}, inputs say {stated!r}")
    try:
        rerun = run_draw(draw.seed, draw.inputs)
    except (KeyError, TypeError, ValueError) as error:
        return [*problems, f"inputs: cannot be re-run ({error!r})"]
    problems += drawing.differences(rerun, draw.result, "result")
    problems += _inspection_differences(draw)
    return problems
