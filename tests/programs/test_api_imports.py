"""Imports through the API, as jobs: POST a real .xlsx or .csv, get 202 and the job, poll it;
who may import is decided as on the pages; an unusable file is a 400 on `file`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from programs import models as m
from tests.accounts.import_files import csv_bytes, xlsx_bytes
from tests.cast import CAST_ROLES, Cast, who
from tests.clients import api_for
from training_portal.core.models import Job

pytestmark = pytest.mark.django_db

ORG_ROWS = [
    ["name", "short_name", "kind", "city", "website"],
    ["Zhongshan Hospital", "ZSH", "hospital", "Shanghai", "https://zs.example.cn"],
    ["上海科技金融服务中心", "", "科技服务中介机构", "上海", ""],
]
TUTOR_HEADER = ["email", "full_name", "kind", "organization", "specialty", "capacity"]
STUDENT_HEADER = [
    "email",
    "full_name",
    "student_number",
    "cohort",
    "enrolled_on",
    "academic_tutor",
    "practice_tutor",
]


def person(cast: Cast, name: str, admin: User, outsider: User) -> Any:
    if name == "anonymous":
        return None
    extra = {"admin": admin, "other_coordinator": cast.other_coordinator}
    return extra.get(name) or who(cast, name, outsider)


def xlsx(rows: Sequence[Sequence[Any]]) -> SimpleUploadedFile:
    return SimpleUploadedFile("import.xlsx", xlsx_bytes(rows))


def csv(rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("import.csv", csv_bytes(rows, encoding))


def tutor_rows(cast: Cast) -> list[list[str]]:
    return [
        TUTOR_HEADER,
        ["new.tutor@example.cn", "新导师", "academic", cast.program.lead_university.name, "", ""],
    ]


def student_rows() -> list[list[str]]:
    return [
        STUDENT_HEADER,
        ["li.lei@example.cn", "李雷", "2025101", "2025", "2025-09-01", "tom@example.org", ""],
        ["han@example.cn", "韩梅梅", "2025102", "2025", "2025-09-01", "", "pia@example.org"],
    ]


Post = Callable[[Any, str, SimpleUploadedFile], Any]


@pytest.fixture
def post(celery_eager: None, django_capture_on_commit_callbacks: Any) -> Post:
    """POST the file as `user` and run the job it starts (eagerly, after commit)."""

    def send(user: Any, url: str, file: SimpleUploadedFile) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return api_for(user).post(url, {"file": file}, format="multipart")

    return send


def organizations_url() -> str:
    return reverse("api:organization-import")


def tutors_url() -> str:
    return reverse("api:tutor-import")


def students_url(cast: Cast) -> str:
    return reverse("api:student-import", args=[cast.program.pk])


# ---- Who may start which import ------------------------------------------------------------

ROLES = [*CAST_ROLES, "anonymous"]
ORGANIZATIONS = dict.fromkeys(ROLES, 403) | {"admin": 202, "program_admin": 202, "anonymous": 401}
TUTORS = ORGANIZATIONS | {"coordinator": 202, "other_coordinator": 202}
# Those who do not see the program do not find its import (404).
STUDENTS = ORGANIZATIONS | {"coordinator": 404, "other_coordinator": 404, "outsider": 404}


@pytest.mark.parametrize("name", ROLES)
def test_each_role_may_start_an_organisation_import_or_not(
    cast: Cast, admin: User, outsider: User, post: Post, name: str
) -> None:
    response = post(person(cast, name, admin, outsider), organizations_url(), xlsx(ORG_ROWS))
    assert response.status_code == ORGANIZATIONS[name]
    assert Job.objects.exists() is (ORGANIZATIONS[name] == 202)


@pytest.mark.parametrize("name", ROLES)
def test_each_role_may_start_a_tutor_import_or_not(
    cast: Cast, admin: User, outsider: User, post: Post, name: str
) -> None:
    response = post(person(cast, name, admin, outsider), tutors_url(), xlsx(tutor_rows(cast)))
    assert response.status_code == TUTORS[name]
    assert Job.objects.exists() is (TUTORS[name] == 202)


@pytest.mark.parametrize("name", ROLES)
def test_each_role_may_start_a_student_import_or_not(
    cast: Cast, admin: User, outsider: User, post: Post, name: str
) -> None:
    response = post(person(cast, name, admin, outsider), students_url(cast), csv(student_rows()))
    assert response.status_code == STUDENTS[name]
    assert Job.objects.exists() is (STUDENTS[name] == 202)


# ---- Imports that succeed ------------------------------------------------------------------


def finished(user: Any, response: Any) -> dict[str, Any]:
    """The job as its owner polls it."""
    assert response.status_code == 202, response.data
    job = api_for(user).get(reverse("api:job-detail", args=[response.data["id"]]))
    assert job.status_code == 200
    return dict(job.data)


def test_organisations_are_imported_from_an_xlsx(admin: User, post: Post) -> None:
    job = finished(admin, post(admin, organizations_url(), xlsx(ORG_ROWS)))
    assert job["status"] == "succeeded", job
    created = m.Organization.objects.filter(pk__in=job["result"]["organization_ids"])
    assert sorted(created.values_list("name", "kind")) == [
        ("Zhongshan Hospital", "hospital"),
        ("上海科技金融服务中心", "intermediary"),
    ]


def test_tutors_are_imported_from_a_gb18030_csv(cast: Cast, post: Post) -> None:
    rows = [
        ["邮箱", "姓名", "类型", "单位", "专长", "名额"],
        ["wang@example.cn", "王老师", "学术导师", cast.program.lead_university.name, "CT", "4"],
    ]
    user = cast.program_admin
    job = finished(user, post(user, tutors_url(), csv(rows, "gb18030")))
    assert job["status"] == "succeeded", job
    tutor = m.TutorProfile.objects.get(user__email="wang@example.cn")
    assert (tutor.kind, tutor.capacity, tutor.organization) == (
        "academic",
        4,
        cast.program.lead_university,
    )


def test_students_are_imported_with_their_tutors(cast: Cast, post: Post) -> None:
    user = cast.program_admin
    job = finished(user, post(user, students_url(cast), xlsx(student_rows())))
    assert job["status"] == "succeeded", job
    li = m.Student.objects.get(student_number="2025101")
    assert li.program == cast.program
    assert list(li.assignments.values_list("tutor__user__email", "role")) == [
        ("tom@example.org", "academic")
    ]


def test_a_file_with_wrong_rows_saves_nothing_and_the_job_lists_every_problem(
    cast: Cast, post: Post
) -> None:
    rows = [*student_rows(), ["bad", "", "2025101", "1800", "someday", "nobody@example.cn", ""]]
    user = cast.program_admin
    job = finished(user, post(user, students_url(cast), csv(rows)))
    assert job["status"] == "failed"
    columns = {(error["row"], error["column"]) for error in job["result"]["errors"]}
    assert {(4, "email"), (4, "full_name"), (4, "cohort"), (4, "enrolled_on")} <= columns
    assert not m.Student.objects.filter(student_number__startswith="20251").exists()


# ---- Files refused at once -----------------------------------------------------------------


def test_a_file_that_is_not_a_spreadsheet_is_refused_before_any_job(
    admin: User, post: Post
) -> None:
    response = post(
        admin, organizations_url(), SimpleUploadedFile("orgs.xlsx", b"plain text, not a workbook")
    )
    assert response.status_code == 400
    assert list(response.data) == ["file"]
    assert not Job.objects.exists()


def test_a_file_without_the_required_columns_is_refused(cast: Cast, post: Post) -> None:
    response = post(cast.program_admin, students_url(cast), csv([["colour"], ["blue"]]))
    assert response.status_code == 400
    assert list(response.data) == ["file"]


def test_no_file_is_a_field_error(admin: User) -> None:
    response = api_for(admin).post(organizations_url(), {}, format="multipart")
    assert response.status_code == 400
    assert list(response.data) == ["file"]


def test_a_closed_program_takes_no_import(cast: Cast, post: Post) -> None:
    m.Program.objects.filter(pk=cast.program.pk).update(status=m.Program.Status.CLOSED)
    response = post(cast.program_admin, students_url(cast), csv(student_rows()))
    assert response.status_code == 400
    assert list(response.data) == ["file"]
    assert not Job.objects.exists()
