"""Links the crawl of the demo found broken: the findings list answered 400 to its own link
`?rule=inspection` (inspectors' findings are listed with the others, under a rule no audit
has), and a finding linked a program administrator to a whole-portal run (404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from supervision.audits.engine import JOB_KIND
from supervision.inspections import services
from supervision.models import AuditRun, Finding, Inspection, Severity
from tests.cast import Cast
from tests.clients import client_for
from training_portal.core import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection_finding(inspection: Inspection, inspector: User) -> Finding:
    return services.record_inspection_finding(
        by=inspector,
        inspection=inspection,
        severity=Severity.MINOR,
        title="Late verification of case logs",
        text="Case logs should be verified within two weeks.",
    )


@pytest.mark.parametrize("role", ["admin", "program_admin"])
def test_the_findings_list_filters_the_findings_inspectors_recorded(
    cast: Cast, admin: User, inspection_finding: Finding, role: str
) -> None:
    user = admin if role == "admin" else cast.program_admin
    client = client_for(user)
    dashboard = client.get(reverse("supervision:dashboard")).content.decode()
    assert "?rule=inspection" in dashboard

    response = client.get(reverse("supervision:finding-list"), {"rule": "inspection"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Recorded by an inspector" in page
    assert "Late verification of case logs" in page
    assert reverse("supervision:finding-detail", args=[inspection_finding.pk]) in page


def test_a_finding_links_to_the_runs_that_saw_it_only_for_those_who_may_open_them(
    cast: Cast, admin: User, inspection_finding: Finding
) -> None:
    job = jobs.start_job(kind=JOB_KIND, owner=admin, params={})
    whole_portal = AuditRun.objects.create(program=None, started_by=admin, job=job)
    Finding.objects.filter(pk=inspection_finding.pk).update(
        first_seen_run=whole_portal, last_seen_run=whole_portal
    )
    detail = reverse("supervision:finding-detail", args=[inspection_finding.pk])
    run = reverse("supervision:run-detail", args=[whole_portal.pk])
    pages: dict[str, Any] = {
        "admin": client_for(admin),
        "program_admin": client_for(cast.program_admin),
    }

    assert run in pages["admin"].get(detail).content.decode()
    assert pages["admin"].get(run).status_code == 200
    assert run not in pages["program_admin"].get(detail).content.decode()
    assert pages["program_admin"].get(run).status_code == 404
