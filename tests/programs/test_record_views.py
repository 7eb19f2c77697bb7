"""Who viewed my record: every read of a student's record (the page, the API detail and its
sub-resources, the training-record report) is noted once per reader and day, at the cost of
one insert; the student sees the list on their own page, portal administrators see any."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.roles import Role
from evaluation.models import Report
from evaluation.reports import services as report_services
from programs import models as m
from programs.records.services import log_record_view
from tests.cast import Cast, who
from tests.clients import api_for, client_for
from tests.factories import JobFactory, UserFactory
from tests.programs.factories import grant
from tests.queries import assert_flat_queries, count_queries

pytestmark = pytest.mark.django_db


def readers(cast: Cast) -> list[tuple[str, str]]:
    return sorted(
        m.StudentRecordView.objects.filter(student=cast.student).values_list(
            "reader__email", "role"
        )
    )


def test_reading_the_page_twice_a_day_is_one_row(cast: Cast) -> None:
    client = client_for(cast.tutor.user)
    url = reverse("programs:student", args=[cast.student.pk])
    client.get(url)
    client.get(url)
    client_for(cast.program_admin).get(url)
    assert readers(cast) == [
        ("petra@example.org", Role.PROGRAM_ADMIN),
        ("tom@example.org", Role.ACADEMIC_TUTOR),
    ]


def test_the_students_own_reads_are_not_noted(cast: Cast) -> None:
    client_for(cast.student.user).get(reverse("programs:student", args=[cast.student.pk]))
    client_for(cast.student.user).get(reverse("programs:my-plan"))
    assert readers(cast) == []


def test_a_hidden_record_is_no_read(cast: Cast, outsider: Any) -> None:
    response = client_for(outsider).get(reverse("programs:student", args=[cast.student.pk]))
    assert response.status_code == 404
    assert readers(cast) == []


def test_api_detail_and_sub_resources_are_reads(cast: Cast) -> None:
    api_for(cast.coordinator).get(reverse("api:student-detail", args=[cast.student.pk]))
    api_for(cast.practice_tutor.user).get(
        reverse("api:student-status-changes", args=[cast.student.pk])
    )
    assert readers(cast) == [
        ("cora@example.org", Role.PARTNER_COORDINATOR),
        ("pia@example.org", Role.PRACTICE_TUTOR),
    ]


def _student_record_report(cast: Cast) -> Report:
    report = Report.objects.create(
        kind=Report.Kind.STUDENT_RECORD,
        student=cast.student,
        job=JobFactory(kind=report_services.JOB_KIND, owner=cast.program_admin),
        requested_by=cast.program_admin,
        content_hash="0" * 64,
    )
    report.pdf.save(f"r{report.pk}.pdf", ContentFile(b"%PDF-1.7 record"))
    return report


def test_downloading_the_training_record_is_a_read(cast: Cast) -> None:
    report = _student_record_report(cast)
    response = client_for(cast.program_admin).get(
        reverse("reports:report-download", args=[report.pk, "pdf"])
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)  # read to the end, which closes the file
    response = api_for(cast.tutor.user).get(reverse("api:report-pdf", args=[report.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)  # read to the end, which closes the file
    assert readers(cast) == [
        ("petra@example.org", Role.PROGRAM_ADMIN),
        ("tom@example.org", Role.ACADEMIC_TUTOR),
    ]


def test_a_read_costs_one_insert_at_most(cast: Cast) -> None:
    reader = cast.tutor.user
    reader.current_roles  # noqa: B018  (the request has read the roles already)
    first, _ = count_queries(lambda: log_record_view(reader=reader, student=cast.student))
    again, _ = count_queries(lambda: log_record_view(reader=reader, student=cast.student))
    assert (first, again) == (1, 1)
    assert m.StudentRecordView.objects.filter(student=cast.student).count() == 1


def test_the_student_sees_who_viewed_their_record(cast: Cast) -> None:
    client_for(cast.tutor.user).get(reverse("programs:student", args=[cast.student.pk]))
    page = client_for(cast.student.user).get(reverse("programs:my-plan")).content.decode()
    assert "Who viewed my record" in page and "Tom Tutor" in page and "Academic tutor" in page


@pytest.mark.parametrize(
    ("role", "sees"),
    [("student", True), ("program_admin", False), ("tutor", False), ("coordinator", False)],
)
def test_who_sees_the_list_on_the_student_page(
    cast: Cast, outsider: Any, role: str, sees: bool
) -> None:
    page = client_for(who(cast, role, outsider)).get(
        reverse("programs:student", args=[cast.student.pk])
    )
    assert ('id="viewers"' in page.content.decode()) is sees


def test_portal_admins_see_any_students_list(cast: Cast, admin: Any) -> None:
    client_for(cast.tutor.user).get(reverse("programs:student", args=[cast.student.pk]))
    page = client_for(admin).get(reverse("programs:student", args=[cast.student.pk]))
    assert 'id="viewers"' in page.content.decode()


@pytest.mark.parametrize(
    ("role", "code"),
    [("student", 200), ("program_admin", 403), ("tutor", 403), ("other_student", 404)],
)
def test_the_api_list_of_readers_by_role(cast: Cast, outsider: Any, role: str, code: int) -> None:
    url = reverse("api:student-record-views", args=[cast.student.pk])
    assert api_for(who(cast, role, outsider)).get(url).status_code == code


def test_the_api_list_of_readers_is_flat(cast: Cast) -> None:
    api = api_for(cast.student.user)
    url = reverse("api:student-record-views", args=[cast.student.pk])

    def more() -> None:
        for n in range(10):
            reader = UserFactory(email=f"reader{n}@example.org")
            grant(reader, Role.PROGRAM_ADMIN, cast.program)
            log_record_view(reader=reader, student=cast.student)

    assert_flat_queries(lambda: api.get(url), more, max_queries=10)


def test_the_student_page_pays_one_insert_for_the_read(cast: Cast, monkeypatch: Any) -> None:
    """The page read by a tutor, with and without the note of the read: one query apart."""
    from programs.people.views import students as views

    url = reverse("programs:student", args=[cast.student.pk])
    tutor = client_for(cast.tutor.user)
    tutor.get(url)
    noted, _ = count_queries(lambda: tutor.get(url))
    monkeypatch.setattr(views.record_views, "log_record_view", lambda **kwargs: None)
    unnoted, _ = count_queries(lambda: tutor.get(url))
    assert noted - unnoted == 1
    assert m.StudentRecordView.objects.count() == 1
