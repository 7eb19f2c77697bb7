"""The public verification of a draw: its record (seed, algorithm, inputs, result) and the
outcome of re-running it now."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Organization, Program

from ...models import ConflictOfInterest, Draw, InspectionType
from .. import draw as draws
from .. import publication
from .pages import PublicPage, label, public_page


def draw_is_public(draw: Draw, now: Any = None) -> bool:
    """Whether anyone may see the draw's record. An unannounced draw names its targets, so it
    stays hidden (404, as if it did not exist) until every inspection it scheduled has
    started; one without inspections cannot show that it has, and stays hidden."""
    if not draw.unannounced:
        return True
    starts = [inspection.starts_at for inspection in draw.inspections.all()]
    return bool(starts) and max(starts) <= (now or timezone.now())


def _conflict_reason(reason: str) -> str:
    if reason == "affiliation":
        return _("belongs to it (affiliation)")
    kind = reason.removeprefix("declared:")
    return _("declared: %(kind)s") % {"kind": label(ConflictOfInterest.Kind, kind)}


def _draw_document(draw: Draw) -> dict[str, Any]:
    """The draw's record with the names of its organisations and programs (never of people:
    inspectors and students appear as ids, as in the stored inputs)."""
    inputs, result = draw.inputs or {}, draw.result or {}
    by_program = draw.target_kind == Draw.TargetKind.PROGRAM
    candidates = inputs.get("candidates", [])
    target_ids = {int(c.get("id", 0)) for c in candidates}
    organization_ids = {int(c.get("organization", 0)) for c in inputs.get("conflicts", [])}
    targets: dict[int, Any] = (
        Program.objects.in_bulk(target_ids)
        if by_program
        else Organization.objects.in_bulk(target_ids | organization_ids)
    )
    organizations: dict[int, Any] = (
        Organization.objects.in_bulk(organization_ids) if by_program else targets
    )

    def name(objects: dict[int, Any], pk: Any) -> str:
        found = objects.get(int(pk)) if isinstance(pk, int) else None
        return str(found) if found is not None else _("#%(id)s (no longer exists)") % {"id": pk}

    return {
        "target_kind": label(Draw.TargetKind, draw.target_kind),
        "inspection_type": label(InspectionType, draw.inspection_type),
        "numbers": {
            "targets": inputs.get("targets"),
            "students": inputs.get("students_per_target"),
            "inspectors": inputs.get("inspectors_per_target"),
            "pool": len(inputs.get("inspectors", [])),
        },
        "candidates": [
            {
                "id": c.get("id"),
                "name": name(targets, c.get("id")),
                "students": publication.suppress(len(c.get("students", []))),
            }
            for c in candidates
        ],
        "drawn": [
            {
                "id": t.get("id"),
                "name": name(targets, t.get("id")),
                "students": t.get("students", []),
                "inspectors": t.get("inspectors", []),
            }
            for t in result.get("targets", [])
        ],
        "recusals": [
            {
                "target": name(targets, r.get("target")),
                "inspector": r.get("inspector"),
                "organization": name(organizations, r.get("organization")),
                "reason": _conflict_reason(str(r.get("reason", ""))),
            }
            for r in result.get("recusals", [])
        ],
        "inputs_json": json.dumps(inputs, indent=1, sort_keys=True, ensure_ascii=False),
        "result_json": json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False),
    }


@public_page
def draw_verify(request: HttpRequest, public_id: UUID) -> PublicPage:
    """A draw's public record (seed, algorithm, inputs, result) and the outcome of re-running
    it now."""
    draw = (
        Draw.objects.select_related("replaces")
        .prefetch_related("inspections")
        .filter(public_id=public_id)
        .first()
    )
    if draw is None or not draw_is_public(draw):
        raise Http404
    replaced_by = Draw.objects.filter(replaces=draw).prefetch_related("inspections").first()
    return PublicPage(
        title=_("Verification of a draw"),
        template="supervision/public/draw_verify.html",
        context={
            "draw": draw,
            "document": _draw_document(draw),
            "problems": draws.verify_draw(draw),
            "replaces": draw.replaces
            if draw.replaces is not None and draw_is_public(draw.replaces)
            else None,
            "replaced_by": replaced_by
            if replaced_by is not None and draw_is_public(replaced_by)
            else None,
            "checked_at": timezone.now(),
        },
    )
