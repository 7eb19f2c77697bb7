"""The management commands anyone can use to check the records: `verify_draw` re-runs draws,
`verify_publications` recomputes the hash chains; both exit with status 1 on a mismatch."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import uuid
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from supervision.inspections import draw as draws
from supervision.inspections.publication import publish_audit_summary
from supervision.models import (
    Draw,
    Inspection,
    InspectionType,
    PublishedAuditSummary,
    PublishedReport,
)
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def made(admin: User, cast: Cast, inspector: User) -> Draw:
    starts = timezone.now() + dt.timedelta(days=10)
    return draws.make_draw(
        by=admin,
        target_kind=Draw.TargetKind.PROGRAM,
        inspection_type=InspectionType.ROUTINE,
        unannounced=False,
        targets=1,
        students_per_target=1,
        inspectors_per_target=1,
        candidate_ids=[cast.program.pk],
        starts_at=starts,
        ends_on=(starts + dt.timedelta(days=1)).date(),
    )


def test_verify_draw_confirms_an_intact_draw(made: Draw) -> None:
    assert run("verify_draw", str(made.public_id)) == f"{made.public_id}: OK\n"
    assert run("verify_draw", "--all") == f"{made.public_id}: OK\n"


def test_verify_draw_prints_the_differences_and_fails(made: Draw) -> None:
    Draw.objects.filter(pk=made.pk).update(result={**made.result, "targets": []})
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 draws do not match"):
        call_command("verify_draw", "--all", stdout=out)
    assert f"{made.public_id}: MISMATCH" in out.getvalue()
    assert "result.targets: re-run gives [{" in out.getvalue()


def test_verify_draw_needs_one_known_draw(made: Draw) -> None:
    with pytest.raises(CommandError, match="No draw"):
        run("verify_draw", str(uuid.uuid4()))
    with pytest.raises(CommandError, match="No draw"):
        run("verify_draw", "not-a-uuid")
    with pytest.raises(CommandError, match="--all"):
        run("verify_draw")
    with pytest.raises(CommandError, match="--all"):
        run("verify_draw", str(made.public_id), "--all")


def test_verify_publications_confirms_intact_chains(
    cast: Cast, published_inspection: Inspection, findings: Any
) -> None:
    publish_audit_summary(program=cast.program)
    out = run("verify_publications")
    assert f"inspection {published_inspection.pk} report: OK" in out
    assert f"program {cast.program.code} audit summary: OK" in out
    assert out.endswith("2 chains intact.\n")
    only = run("verify_publications", "--inspection", str(published_inspection.pk))
    assert only.endswith("1 chains intact.\n")


def test_verify_publications_detects_a_tampered_version(
    cast: Cast, published_inspection: Inspection, findings: Any
) -> None:
    publish_audit_summary(program=cast.program)
    PublishedReport.objects.filter(inspection=published_inspection, version=2).update(
        title="Nothing to see"  # not hashed: the search copy
    )
    assert "2 chains intact" in run("verify_publications")
    version = PublishedReport.objects.get(inspection=published_inspection, version=2)
    PublishedReport.objects.filter(pk=version.pk).update(change_note="Silently rewritten.")
    PublishedAuditSummary.objects.filter(program=cast.program).update(content={})
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 of 2 chains are broken"):
        call_command("verify_publications", stdout=out)
    assert "version 2: the content does not match its hash" in out.getvalue()
    assert f"program {cast.program.code} audit summary: BROKEN" in out.getvalue()


def test_verify_publications_of_an_unknown_inspection_fails() -> None:
    with pytest.raises(CommandError, match="No inspection"):
        run("verify_publications", "--inspection", "999999")


def test_a_failed_verification_exits_with_status_1() -> None:
    """CommandError is what `manage.py` turns into exit status 1."""
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_draw"],
        capture_output=True,
        text=True,
        check=False,
        env=None,
    )
    assert result.returncode == 1
    assert "--all" in result.stderr
