"""Who may request, see and download which report, on the pages and through the API, for
every member of the cast; the dashboards; and the pages' query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from evaluation.models import Report
from evaluation.reports import permissions, services
from programs.models import Program
from tests.evaluation.conftest import ROLES
from tests.evaluation.conftest import by_role as roles
from tests.factories import JobFactory
from tests.queries import assert_flat_queries

from .conftest import YEAR, World, add_student

#: Who may see (and request) each kind of report about the cast's subjects.
ALLOWED = {
    "program_annual": {"program_admin", "admin"},
    "partner_scorecard": {"program_admin", "coordinator", "admin"},
    "student_record": {"program_admin", "tutor", "practice_tutor", "student", "admin"},
}
#: Who finds Reports in the menu and may ask for one at all (others: 403 on the request
#: page; the list and a report's pages answer them as anyone: what they may see).
SEES_REPORTS = {
    "program_admin",
    "coordinator",
    "other_coordinator",
    "tutor",
    "practice_tutor",
    "student",
    "other_student",
    "admin",
}
#: Who may ask for a kind of report at all, for some subject (the others get a 403 on its
#: request page): those allowed this subject, and the coordinator and the student of others.
ASKS_FOR = {
    "program_annual": ALLOWED["program_annual"],
    "partner_scorecard": ALLOWED["partner_scorecard"] | {"other_coordinator"},
    "student_record": ALLOWED["student_record"] | {"other_student"},
}


def make_report(world: World, kind: str, owner: Any) -> Report:
    cast = world.cast
    subject: dict[str, Any] = {
        "program_annual": {"program": cast.program, "year": YEAR},
        "partner_scorecard": {"organization": cast.hospital},
        "student_record": {"student": cast.student},
    }[kind]
    report = Report.objects.create(
        kind=kind,
        job=JobFactory(kind=services.JOB_KIND, owner=owner),
        requested_by=owner,
        content_hash="0" * 64,
        **subject,
    )
    for fmt in ("pdf", "xlsx", "csv"):
        getattr(report, fmt).save(f"r{report.pk}.{fmt}", ContentFile(b"%PDF-1.7 " + fmt.encode()))
    return report


class ClosingClient(Client):
    """A test client that closes file responses once read (no unclosed-file warnings)."""

    def get(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        response = super().get(*args, **kwargs)
        if getattr(response, "streaming", False):
            # Reading it to the end closes the file (the test client's wrapper does).
            response.body = b"".join(response.streaming_content)
        return response


def client_for(user: Any) -> Client:
    client = ClosingClient()
    if user is not None:
        client.force_login(user)
    return client


def subject_data(world: World, kind: str) -> dict[str, Any]:
    cast = world.cast
    return {
        "program_annual": {"program": cast.program.pk, "year": YEAR},
        "partner_scorecard": {"organization": cast.hospital.pk},
        "student_record": {"student": cast.student.pk},
    }[kind]


@pytest.fixture
def everyone(world: World, admin: Any, outsider: Any) -> dict[str, Any]:
    return roles(world.cast, admin, outsider)


@pytest.mark.parametrize("kind", list(ALLOWED))
def test_report_filter(world: World, everyone: dict[str, Any], kind: str) -> None:
    report = make_report(world, kind, everyone["admin"])
    for role in ROLES:
        user = everyone[role]
        visible = Report.objects.visible_to(user).filter(pk=report.pk).exists()
        assert visible == (role in ALLOWED[kind]), (role, kind)


@pytest.mark.parametrize("kind", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_pages_and_downloads(world: World, everyone: dict[str, Any], kind: str, role: str) -> None:
    report = make_report(world, kind, everyone["admin"])
    client = client_for(everyone[role])
    urls = [
        reverse("reports:report-detail", args=[report.pk]),
        reverse("reports:report-progress", args=[report.pk]),
        *[
            reverse("reports:report-download", args=[report.pk, fmt])
            for fmt in ("pdf", "xlsx", "csv")
        ],
    ]
    for url in urls:
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "login" in response["Location"], url
        elif role in ALLOWED[kind]:
            assert response.status_code == 200, (url, role)
        else:
            assert response.status_code == 404, (url, role)
    if role in ALLOWED[kind]:
        response = client.get(reverse("reports:report-download", args=[report.pk, "pdf"]))
        assert response.body.startswith(b"%PDF")  # type: ignore[attr-defined]
        assert "attachment" in response["Content-Disposition"]
        assert (
            client.get(reverse("reports:report-download", args=[report.pk, "doc"])).status_code
            == 404
        )
        listed = client.get(reverse("reports:report-list"))
        assert reverse("reports:report-detail", args=[report.pk]) in listed.content.decode()


@pytest.mark.parametrize("kind", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_api_read_and_download(
    world: World, everyone: dict[str, Any], kind: str, role: str
) -> None:
    report = make_report(world, kind, everyone["admin"])
    client = client_for(everyone[role])
    detail = client.get(f"/api/v1/reports/{report.pk}/")
    listing = client.get("/api/v1/reports/")
    downloads = [
        client.get(f"/api/v1/reports/{report.pk}/{fmt}/") for fmt in ("pdf", "xlsx", "csv")
    ]
    if role == "anonymous":
        assert (detail.status_code, listing.status_code) == (401, 401)
        assert [d.status_code for d in downloads] == [401, 401, 401]
    elif role in ALLOWED[kind]:
        assert detail.status_code == 200
        assert set(detail.json()["downloads"]) == {"pdf", "xlsx", "csv"}
        assert [row["id"] for row in listing.json()["results"]] == [report.pk]
        assert all(d.status_code == 200 for d in downloads)
    else:
        assert detail.status_code == 404
        assert listing.json()["results"] == []
        assert all(d.status_code == 404 for d in downloads)


@pytest.mark.parametrize("kind", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_request_page(world: World, everyone: dict[str, Any], kind: str, role: str) -> None:
    client = client_for(everyone[role])
    url = reverse("reports:report-request", args=[kind])
    data = subject_data(world, kind)
    if kind == "student_record":
        data = {"student": world.cast.student.student_number}
    response = client.post(url, data)
    made = Report.objects.filter(kind=kind)
    if role == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    elif role not in SEES_REPORTS:
        assert response.status_code == 403
    elif role in ALLOWED[kind]:
        report = made.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:report-detail", args=[report.pk])
        assert report.requested_by == everyone[role]
        return
    elif role in ASKS_FOR[kind]:
        # The kind is open to them, this subject is not: the form says so.
        assert response.status_code == 200, role
        assert response.context["form"].errors
    else:
        assert response.status_code == 403, role  # nothing of the kind is open to them
    assert not made.exists()


@pytest.mark.parametrize("kind", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_api_request(world: World, everyone: dict[str, Any], kind: str, role: str) -> None:
    client = client_for(everyone[role])
    response = client.post(
        "/api/v1/reports/",
        {"kind": kind, **subject_data(world, kind)},
        content_type="application/json",
    )
    made = Report.objects.filter(kind=kind)
    if role == "anonymous":
        assert response.status_code == 401
    elif role in ALLOWED[kind]:
        assert response.status_code == 202, response.content
        body = response.json()
        assert body["id"] == made.get().pk and body["job"]["status"] == "queued"
        return
    else:
        assert response.status_code == 400
        assert set(response.json()) & {"program", "organization", "student", "errors", "detail"}
    assert not made.exists()


def test_request_form_shows_field_errors(world: World) -> None:
    client = client_for(world.cast.program_admin)
    url = reverse("reports:report-request", args=["program_annual"])
    response = client.post(url, {"program": world.cast.program.pk, "year": 1950})
    assert response.status_code == 200 and "year" in response.context["form"].errors
    response = client.get(url + f"?program={world.cast.program.pk}&year={YEAR}")
    assert response.status_code == 200
    assert response.context["form"].initial == {"program": world.cast.program.pk, "year": YEAR}
    assert client.get(reverse("reports:report-request", args=["nonsense"])).status_code == 404
    api = client.post(
        "/api/v1/reports/",
        {"kind": "program_annual", "program": world.cast.program.pk, "year": 1950},
        content_type="application/json",
    )
    assert api.status_code == 400 and "year" in str(api.json())
    assert not Report.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_dashboard(world: World, everyone: dict[str, Any], role: str) -> None:
    response = client_for(everyone[role]).get(
        reverse("reports:program-dashboard", args=[world.cast.program.pk])
    )
    if role == "anonymous":
        assert response.status_code == 302
    elif role in ALLOWED["program_annual"]:
        assert response.status_code == 200
        assert response.content.decode().count("<svg") == 6
    elif Program.objects.visible_to(everyone[role]).filter(pk=world.cast.program.pk).exists():
        assert response.status_code == 403  # sees the program, not its reports
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_list_page_by_role(world: World, everyone: dict[str, Any], role: str) -> None:
    """A list of records: everyone signed in gets the reports they may see (none for an
    account without a role, and the page says so); the request buttons only for the kinds
    they may ask for."""
    reports = {kind: make_report(world, kind, everyone["admin"]) for kind in ALLOWED}
    response = client_for(everyone[role]).get(reverse("reports:report-list"))
    if role == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
        return
    assert response.status_code == 200
    listed = {report.pk for report in response.context["page"].object_list}
    assert listed == {reports[kind].pk for kind in ALLOWED if role in ALLOWED[kind]}
    page = response.content.decode()
    assert ("No reports yet." in page) == (not listed)
    offered = {kind for kind in ALLOWED if reverse("reports:report-request", args=[kind]) in page}
    assert offered >= {kind for kind in ALLOWED if role in ALLOWED[kind]}
    if role not in SEES_REPORTS:
        assert offered == set()
        assert (
            client_for(everyone[role])
            .get(reverse("reports:report-request", args=["program_annual"]))
            .status_code
            == 403
        )


def test_navigation_entry_for_those_who_see_reports(world: World, everyone: dict[str, Any]) -> None:
    for role in ROLES:
        assert permissions.sees_reports(everyone[role]) == (role in SEES_REPORTS), role


@pytest.mark.parametrize("reader", ["program_admin", "outsider"])
def test_list_page_queries_flat(world: World, everyone: dict[str, Any], reader: str) -> None:
    admin = world.cast.program_admin
    make_report(world, "program_annual", admin)
    client = client_for(everyone[reader])
    assert_flat_queries(
        lambda: client.get(reverse("reports:report-list")),
        lambda: [make_report(world, kind, admin) for kind in ALLOWED for _ in range(3)],
        max_queries=16,
    )


def test_detail_and_api_queries_flat(world: World) -> None:
    admin = world.cast.program_admin
    report = make_report(world, "student_record", admin)
    client = client_for(admin)
    assert_flat_queries(
        lambda: client.get(reverse("reports:report-detail", args=[report.pk])),
        lambda: [make_report(world, "student_record", admin) for _ in range(3)],
        max_queries=12,
    )
    assert_flat_queries(
        lambda: client.get("/api/v1/reports/"),
        lambda: [make_report(world, kind, admin) for kind in ALLOWED],
        max_queries=12,
    )


def test_dashboard_queries_flat(world: World) -> None:
    client = client_for(world.cast.program_admin)
    url = reverse("reports:program-dashboard", args=[world.cast.program.pk])
    assert_flat_queries(
        lambda: client.get(url),
        lambda: [add_student(world.cast, title=f"Grown {index}") for index in range(3)],
        max_queries=20,
    )
