"""Bulk imports of organisations, tutors and students: who may, what a file must hold, and
that a file with any wrong row saves nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from openpyxl import load_workbook

from accounts.models import RoleMembership, User
from accounts.roles import Role
from programs import models as m
from programs.imports import specs, validation
from programs.people.services import people
from tests.accounts.import_files import csv_bytes, xlsx_bytes
from tests.cast import Cast, matrix, who
from tests.clients import client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries
from training_portal.core.models import Job
from training_portal.core.tables import Checked, ImportSpec

from .factories import OrganizationFactory, ProgramFactory, TutorFactory, grant

pytestmark = pytest.mark.django_db

ORG_HEADER = ["name", "short_name", "kind", "city", "website"]
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


# ---- Helpers -------------------------------------------------------------------------------


def person(cast: Cast, name: str, admin: User, outsider: User) -> User | None:
    if name == "anonymous":
        return None
    if name == "admin":
        return admin
    if name == "other_coordinator":
        return cast.other_coordinator
    return who(cast, name, outsider)


def as_file(rows: Sequence[Sequence[Any]], kind: str = "xlsx") -> SimpleUploadedFile:
    if kind == "xlsx":
        return SimpleUploadedFile("import.xlsx", xlsx_bytes(rows))
    return SimpleUploadedFile("import.csv", csv_bytes(rows))


def org_url() -> str:
    return reverse("programs:import-organizations")


def tutor_url() -> str:
    return reverse("programs:import-tutors")


def student_url(cast: Cast) -> str:
    return reverse("programs:import-students", args=[cast.program.pk])


Run = Callable[..., Job]


@pytest.fixture
def run(celery_eager: None, django_capture_on_commit_callbacks: Any) -> Run:
    """Upload through the page and run the job (eagerly, after commit) to its end."""

    def upload(user: User, url: str, file: SimpleUploadedFile) -> Job:
        client = client_for(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": file})
        assert response.status_code == 302, response.context["form"].errors
        job = Job.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
        assert job.owner == user and job.is_finished
        return job

    return upload


def problems(job: Job) -> list[tuple[int, str]]:
    return [(error["row"], error["column"]) for error in job.result["errors"]]


def message_of(job: Job, row: int, column: str) -> str:
    return next(
        e["message"] for e in job.result["errors"] if (e["row"], e["column"]) == (row, column)
    )


def students(n: int, *, start: int = 0, tutor: str = "", practice: str = "") -> list[list[str]]:
    return [
        [f"s{i}@example.cn", f"学生{i}", f"N{i:05d}", "2025", "2025-09-01", tutor, practice]
        for i in range(start, start + n)
    ]


# ---- Who may import ------------------------------------------------------------------------

ROLES = [
    "admin",
    "program_admin",
    "coordinator",
    "other_coordinator",
    "tutor",
    "practice_tutor",
    "student",
    "other_student",
    "outsider",
    "anonymous",
]


ADMINISTRATORS_ONLY = matrix(
    ROLES,
    admin=200,
    program_admin=200,
    coordinator=403,
    other_coordinator=403,
    tutor=403,
    practice_tutor=403,
    student=403,
    other_student=403,
    outsider=403,
    anonymous=302,
)
# Coordinators add the tutors of their own organisation (people.permissions.can_create_tutor).
ADMINISTRATORS_AND_COORDINATORS = [
    (name, 200 if name.endswith("coordinator") else status) for name, status in ADMINISTRATORS_ONLY
]


@pytest.mark.parametrize(("name", "status"), ADMINISTRATORS_ONLY)
@pytest.mark.parametrize("url_name", ["import-organizations", "import-organizations-template"])
def test_organisation_import_pages_by_role(
    cast: Cast, admin: User, outsider: User, url_name: str, name: str, status: int
) -> None:
    response = client_for(person(cast, name, admin, outsider)).get(reverse(f"programs:{url_name}"))
    assert response.status_code == status


@pytest.mark.parametrize(("name", "status"), ADMINISTRATORS_AND_COORDINATORS)
@pytest.mark.parametrize("url_name", ["import-tutors", "import-tutors-template"])
def test_tutor_import_pages_by_role(
    cast: Cast, admin: User, outsider: User, url_name: str, name: str, status: int
) -> None:
    response = client_for(person(cast, name, admin, outsider)).get(reverse(f"programs:{url_name}"))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        ROLES,
        admin=200,
        program_admin=200,
        coordinator=404,
        other_coordinator=404,
        tutor=403,
        practice_tutor=403,
        student=403,
        other_student=403,
        outsider=404,
        anonymous=302,
    ),
)
@pytest.mark.parametrize("url_name", ["import-students", "import-students-template"])
def test_student_import_pages_by_role(
    cast: Cast, admin: User, outsider: User, url_name: str, name: str, status: int
) -> None:
    url = reverse(f"programs:{url_name}", args=[cast.program.pk])
    assert client_for(person(cast, name, admin, outsider)).get(url).status_code == status


def test_another_programs_administrator_does_not_find_the_student_import(cast: Cast) -> None:
    stranger = UserFactory()
    grant(stranger, Role.PROGRAM_ADMIN, ProgramFactory())
    assert client_for(stranger).get(student_url(cast)).status_code == 404


@pytest.mark.parametrize("name", ["tutor", "student", "coordinator"])
def test_a_refused_upload_starts_no_job(cast: Cast, outsider: User, name: str) -> None:
    client = client_for(who(cast, name, outsider))
    # As their pages (above): the portal-wide imports are forbidden (403); the program's
    # student import is forbidden to its members (403) and hidden from the coordinator of a
    # hospital that is not its partner (404). Coordinators may import tutors (not tried).
    refused = {org_url(): 403, student_url(cast): 404 if name == "coordinator" else 403}
    if name != "coordinator":
        refused[tutor_url()] = 403
    for url, status in refused.items():
        response = client.post(url, {"file": as_file([STUDENT_HEADER, *students(1)])})
        assert response.status_code == status, url
    assert not Job.objects.exists()


def test_the_pages_link_to_the_imports_for_administrators_only(cast: Cast) -> None:
    admin_page = client_for(cast.program_admin).get(
        reverse("programs:program-detail", args=[cast.program.pk])
    )
    assert student_url(cast) in admin_page.content.decode()
    listing = client_for(cast.program_admin).get(reverse("programs:program-list")).content.decode()
    assert org_url() in listing and tutor_url() in listing
    tutor_page = client_for(cast.tutor.user).get(
        reverse("programs:program-detail", args=[cast.program.pk])
    )
    assert student_url(cast) not in tutor_page.content.decode()
    listing = client_for(cast.tutor.user).get(reverse("programs:program-list")).content.decode()
    assert org_url() not in listing and tutor_url() not in listing


@pytest.mark.parametrize(
    ("url_name", "spec"),
    [
        ("import-organizations-template", specs.ORGANIZATIONS),
        ("import-tutors-template", specs.TUTORS),
    ],
)
def test_each_template_workbook_holds_the_header_row(
    admin_client_: Client, url_name: str, spec: ImportSpec
) -> None:
    response = admin_client_.get(reverse(f"programs:{url_name}"))
    assert response["Content-Disposition"].endswith('-import-template.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == [column.key for column in spec.columns]
    assert sheet.max_row == 1


# ---- Refused files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("list.pdf", b"%PDF-1.7"), "Upload an .xlsx or .csv file."),
        (SimpleUploadedFile("list.xlsx", b"email,full_name\n"), "not a readable Excel"),
        (SimpleUploadedFile("list.xlsx", b"PK\x03\x04 broken"), "not a readable Excel"),
        (SimpleUploadedFile("list.csv", b""), "The submitted file is empty."),
        (as_file([STUDENT_HEADER]), "has a header but no data rows"),
        (as_file([[], []], "csv"), "The file is empty."),
        (
            as_file([["email", "full_name", "cohort"], ["a@b.cn", "A", "2025"]], "csv"),
            "Missing columns: student_number, enrolled_on.",
        ),
    ],
)
def test_an_unusable_file_is_refused_on_the_form_before_any_job(
    cast: Cast, file: SimpleUploadedFile, message: str
) -> None:
    response = client_for(cast.program_admin).post(student_url(cast), {"file": file})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Job.objects.exists()


def test_a_file_over_the_size_limit_is_refused(cast: Cast, settings: Any) -> None:
    settings.IMPORT_MAX_FILE_SIZE = 1024 * 1024
    data = b"name,kind\n" + b"x" * (1024 * 1024 + 1)
    response = client_for(cast.program_admin).post(
        org_url(), {"file": SimpleUploadedFile("big.csv", data)}
    )
    assert "The file is larger than 1 MB." in response.content.decode()
    assert not Job.objects.exists()


def test_a_closed_program_takes_no_import(cast: Cast) -> None:
    m.Program.objects.filter(pk=cast.program.pk).update(status=m.Program.Status.CLOSED)
    response = client_for(cast.program_admin).post(
        student_url(cast), {"file": as_file([STUDENT_HEADER, *students(1)])}
    )
    assert "The program is closed; it takes no new students." in response.content.decode()
    assert not Job.objects.exists()


# ---- Organisations -------------------------------------------------------------------------


def test_an_administrator_imports_organisations_from_xlsx(admin: User, run: Run) -> None:
    rows = [
        ORG_HEADER,
        ["Zhongshan Hospital", "ZSH", "hospital", "Shanghai", "https://zs.example.cn"],
        ["United Imaging", "", "Enterprise", "Shanghai", ""],
        ["上海科技金融服务中心", "", "科技服务中介机构", "上海", ""],
    ]
    job = run(admin, org_url(), as_file(rows))
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.message == "3 organisations created."
    created = m.Organization.objects.filter(pk__in=job.result["organization_ids"])
    assert sorted(created.values_list("kind", "status")) == [
        ("enterprise", "active"),
        ("hospital", "active"),
        ("intermediary", "active"),
    ]
    assert m.OrganizationStatusChange.objects.filter(organization__in=created).count() == 3


def test_a_program_administrator_imports_organisations_from_a_chinese_gb18030_csv(
    cast: Cast, run: Run
) -> None:
    rows = [["名称", "简称", "类型", "城市"], ["华山医院", "华山", "医院", "上海"]]
    file = SimpleUploadedFile("单位.csv", csv_bytes(rows, "gb18030"))
    job = run(cast.program_admin, org_url(), file)
    assert job.status == Job.Status.SUCCEEDED, job.error
    organization = m.Organization.objects.get(name="华山医院")
    assert (organization.short_name, organization.kind) == ("华山", "hospital")


def test_any_wrong_organisation_row_saves_none_and_reports_every_problem(
    admin: User, run: Run
) -> None:
    before = m.Organization.objects.count()
    rows = [
        ORG_HEADER,
        ["Good Hospital", "", "hospital", "", ""],
        ["", "", "hospital", "", ""],
        ["Odd Place", "", "castle", "", ""],
        ["Bad Site", "", "enterprise", "", "not a url"],
        ["good hospital", "", "hospital", "", ""],
        ["FIRST HOSPITAL", "", "hospital", "", ""],
    ]
    OrganizationFactory(name="First Hospital")
    job = run(admin, org_url(), as_file(rows, "csv"))
    assert job.status == Job.Status.FAILED
    assert job.error == "5 rows have errors; nothing was imported."
    assert problems(job) == [(3, "name"), (4, "kind"), (5, "website"), (6, "name"), (7, "name")]
    assert "castle" in message_of(job, 4, "kind")
    assert "row 2" in message_of(job, 6, "name")
    assert "already registered" in message_of(job, 7, "name")
    assert m.Organization.objects.count() == before + 1  # only the factory's


def test_the_error_report_lists_row_column_and_problem(admin: User, run: Run) -> None:
    job = run(
        admin, org_url(), as_file([ORG_HEADER, ["Clinic", "", "=cmd|' /C calc'!A0", "", ""]], "csv")
    )
    report = client_for(admin).get(reverse("core:job-download", args=[job.pk, "result"]))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Row", "Column", "Value", "Problem"]
    # The value is neutralised: a spreadsheet program would run it as a formula.
    assert [row[:3] for row in rows[1:]] == [["2", "kind", "'=cmd|' /C calc'!A0"]]
    page = client_for(admin).get(reverse("core:job-detail", args=[job.pk])).content.decode()
    assert "1 row has errors; nothing was imported." in page


# ---- Tutors --------------------------------------------------------------------------------


def test_an_administrator_imports_tutors_creating_missing_accounts(
    cast: Cast, admin: User, outsider: User, run: Run
) -> None:
    m.Organization.objects.filter(pk=cast.hospital.pk).update(short_name="FH")
    rows = [
        TUTOR_HEADER,
        ["New.Tutor@example.cn", "新导师", "academic", cast.program.lead_university.name, "CT", ""],
        [outsider.email, "Oscar", "实践导师", "fh", "MR", "3"],
        ["lin@example.cn", "Lin", "Practice tutor", "second hospital", "", "2"],
    ]
    job = run(admin, tutor_url(), as_file(rows))
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.message == "3 tutors created."
    assert job.result["accounts_created"] == 2
    new = m.TutorProfile.objects.select_related("user").get(user__email="new.tutor@example.cn")
    assert (new.kind, new.capacity, new.specialty) == ("academic", 6, "CT")
    assert new.user.full_name == "新导师" and not new.user.has_usable_password()
    oscar = m.TutorProfile.objects.get(user=outsider)
    assert (oscar.kind, oscar.organization, oscar.capacity) == ("practice", cast.hospital, 3)
    assert User.objects.get(pk=outsider.pk).full_name == "Oscar Outsider"  # kept as it was
    assert RoleMembership.objects.filter(user=outsider, role=Role.PRACTICE_TUTOR).exists()
    lin = m.TutorProfile.objects.get(user__email="lin@example.cn")
    assert lin.organization == cast.other_hospital


def test_a_program_administrator_adds_tutors_only_to_organisations_of_their_programs(
    cast: Cast, run: Run
) -> None:
    rows = [
        TUTOR_HEADER,
        ["ok@example.cn", "Ok", "academic", cast.program.lead_university.name, "", ""],
        ["no@example.cn", "No", "practice", cast.other_hospital.name, "", ""],
    ]
    job = run(cast.program_admin, tutor_url(), as_file(rows, "csv"))
    assert job.status == Job.Status.FAILED
    assert problems(job) == [(3, "organization")]
    assert message_of(job, 3, "organization") == "You may not add tutors to Second Hospital."
    assert not User.objects.filter(email__in=["ok@example.cn", "no@example.cn"]).exists()
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.other_hospital, agreement_start=dt.date(2025, 9, 1)
    )
    job = run(cast.program_admin, tutor_url(), as_file(rows, "csv"))
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert (
        m.TutorProfile.objects.filter(user__email__in=["ok@example.cn", "no@example.cn"]).count()
        == 2
    )


def test_a_coordinator_imports_tutors_of_their_own_organisation_only(cast: Cast, run: Run) -> None:
    rows = [
        TUTOR_HEADER,
        ["mine@example.cn", "Mine", "practice", cast.hospital.name, "", ""],
        ["theirs@example.cn", "Theirs", "practice", cast.other_hospital.name, "", ""],
    ]
    job = run(cast.coordinator, tutor_url(), as_file(rows, "csv"))
    assert job.status == Job.Status.FAILED
    assert problems(job) == [(3, "organization")]
    assert not User.objects.filter(email__in=["mine@example.cn", "theirs@example.cn"]).exists()
    job = run(cast.coordinator, tutor_url(), as_file(rows[:2], "csv"))
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert m.TutorProfile.objects.get(user__email="mine@example.cn").organization == cast.hospital


def test_any_wrong_tutor_row_saves_none_and_reports_every_problem(
    cast: Cast, admin: User, run: Run
) -> None:
    OrganizationFactory(name="North Clinic", short_name="NC")
    OrganizationFactory(name="Nanjing Centre", short_name="NC")
    university = cast.program.lead_university.name
    rows = [
        TUTOR_HEADER,
        ["fine@example.cn", "Fine", "academic", university, "", ""],
        ["tom@example.org", "Tom again", "academic", university, "", ""],
        ["fine@example.cn", "Twice", "academic", university, "", ""],
        ["who@example.cn", "Who", "academic", "Nowhere University", "", ""],
        ["nc@example.cn", "Nc", "practice", "NC", "", ""],
        ["odd@example.cn", "Odd", "honorary", university, "", ""],
        ["full@example.cn", "Full", "academic", university, "", "0"],
        ["many@example.cn", "Many", "academic", university, "", "lots"],
        ["not-an-email", "Bad", "academic", university, "", ""],
    ]
    job = run(admin, tutor_url(), as_file(rows))
    assert job.status == Job.Status.FAILED
    assert problems(job) == [
        (7, "kind"),
        (8, "capacity"),
        (9, "capacity"),
        (10, "email"),
        (4, "email"),
        (3, "email"),
        (5, "organization"),
        (6, "organization"),
    ]
    assert "already has a tutor profile" in message_of(job, 3, "email")
    assert "row 2" in message_of(job, 4, "email")
    assert "full name" in message_of(job, 6, "organization")
    assert not m.TutorProfile.objects.filter(user__email="fine@example.cn").exists()
    assert not User.objects.filter(email="fine@example.cn").exists()


# ---- Students ------------------------------------------------------------------------------


def test_a_program_administrator_imports_students_with_their_tutors(
    cast: Cast, outsider: User, run: Run
) -> None:
    rows = [
        STUDENT_HEADER,
        ["li.lei@example.cn", "李雷", "2025101", "2025", "2025-09-01", "TOM@example.org", ""],
        [
            outsider.email,
            "Oscar",
            "2025102",
            "2025",
            "2025/09/02",
            "tom@example.org",
            "pia@example.org",
        ],
        ["han@example.cn", "韩梅梅", "2025103", "2024", "2024年9月1日", "", ""],
    ]
    job = run(cast.program_admin, student_url(cast), as_file(rows, "csv"))
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert job.message == "3 students enrolled."
    assert (job.result["created"], job.result["accounts_created"]) == (3, 2)
    enrolled = m.Student.objects.filter(program=cast.program, student_number__startswith="20251")
    assert sorted(enrolled.values_list("student_number", "cohort", "enrolled_on")) == [
        ("2025101", 2025, dt.date(2025, 9, 1)),
        ("2025102", 2025, dt.date(2025, 9, 2)),
        ("2025103", 2024, dt.date(2024, 9, 1)),
    ]
    oscar = m.Student.objects.get(user=outsider)
    tutors = set(
        oscar.assignments.filter(ended_on__isnull=True).values_list("tutor__user__email", "role")
    )
    assert tutors == {("tom@example.org", "academic"), ("pia@example.org", "practice")}
    assert m.Student.objects.get(student_number="2025103").assignments.count() == 0
    assert RoleMembership.objects.filter(user=oscar.user, role=Role.STUDENT).exists()
    assert oscar.assignments.get(role="academic").assigned_by == cast.program_admin


def test_students_are_read_from_xlsx_date_cells(cast: Cast, admin: User, run: Run) -> None:
    rows = [STUDENT_HEADER, ["x@example.cn", "X", "X1", 2025, dt.date(2025, 9, 3), "", ""]]
    job = run(admin, student_url(cast), as_file(rows))
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert m.Student.objects.get(student_number="X1").enrolled_on == dt.date(2025, 9, 3)


def test_duplicate_student_numbers_in_the_file_and_in_the_database_save_nothing(
    cast: Cast, run: Run
) -> None:
    taken = cast.student.student_number
    rows = [
        STUDENT_HEADER,
        ["a@example.cn", "A", "D100", "2025", "2025-09-01", "", ""],
        ["b@example.cn", "B", "D100", "2025", "2025-09-01", "", ""],
        ["c@example.cn", "C", taken, "2025", "2025-09-01", "", ""],
        ["d@example.cn", "D", "D101", "2025", "2025-09-01", "", ""],
    ]
    job = run(cast.program_admin, student_url(cast), as_file(rows))
    assert job.status == Job.Status.FAILED
    assert problems(job) == [(3, "student_number"), (4, "student_number")]
    assert message_of(job, 3, "student_number") == ("This student number already appears in row 2.")
    assert message_of(job, 4, "student_number") == "This student number is already in use."
    assert not m.Student.objects.filter(student_number__in=["D100", "D101"]).exists()
    assert not User.objects.filter(email__in=["a@example.cn", "d@example.cn"]).exists()


def test_any_wrong_student_row_saves_none_and_reports_every_problem(cast: Cast, run: Run) -> None:
    m.TutorProfile.objects.filter(pk=cast.tutor.pk).update(capacity=2)  # Tom has one student
    unrelated = TutorFactory(user=UserFactory(email="far@example.org"))
    rows = [
        STUDENT_HEADER,
        ["ok@example.cn", "Ok", "E1", "2025", "2025-09-01", "tom@example.org", ""],
        ["full@example.cn", "Full", "E2", "2025", "2025-09-01", "tom@example.org", ""],
        ["date@example.cn", "Date", "E3", "2025", "2025-13-45", "", ""],
        ["us@example.cn", "Us", "E4", "2025", "09/01/2025", "", ""],
        ["cohort@example.cn", "Cohort", "E5", "1850", "2025-09-01", "", ""],
        ["ghost@example.cn", "Ghost", "E6", "2025", "2025-09-01", "ghost@example.org", ""],
        ["kind@example.cn", "Kind", "E7", "2025", "2025-09-01", "pia@example.org", ""],
        ["far@example.cn", "Far", "E8", "2025", "2025-09-01", unrelated.user.email, ""],
        [cast.student.user.email, "Stan", "E9", "2025", "2025-09-01", "", ""],
        ["ok@example.cn", "Again", "E10", "2025", "2025-09-01", "", ""],
        ["", "Nobody", "E11", "2025", "2025-09-01", "", ""],
    ]
    job = run(cast.program_admin, student_url(cast), as_file(rows, "csv"))
    assert job.status == Job.Status.FAILED
    assert problems(job) == [
        (4, "enrolled_on"),
        (5, "enrolled_on"),
        (6, "cohort"),
        (12, "email"),
        (11, "email"),
        (3, "academic_tutor"),
        (7, "academic_tutor"),
        (8, "academic_tutor"),
        (9, "academic_tutor"),
        (10, "email"),
    ]
    assert "capacity of 2" in message_of(job, 3, "academic_tutor")
    assert "another kind" in message_of(job, 8, "academic_tutor")
    assert message_of(job, 9, "academic_tutor") == (
        "No tutor you may assign has this e-mail address."
    )
    assert "already enrolled" in message_of(job, 10, "email")
    assert not m.Student.objects.filter(student_number__startswith="E").exists()
    assert cast.tutor.assignments.count() == 1


def test_a_failure_while_saving_rolls_back_every_row(
    cast: Cast, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a rule only the service knows refuse a row, the rows before it go too."""
    assign = people.assign_tutor

    def refuse_second(*, student: m.Student, **kwargs: Any) -> m.TutorAssignment:
        if student.student_number == "R2":
            raise ValidationError({"tutor": ["Refused by the service."]})
        return assign(student=student, **kwargs)

    monkeypatch.setattr(people, "assign_tutor", refuse_second)
    rows = [STUDENT_HEADER, *students(1, tutor="tom@example.org")]
    rows += [["r2@example.cn", "R", "R2", "2025", "2025-09-01", "tom@example.org", ""]]
    job = run(cast.program_admin, student_url(cast), as_file(rows))
    assert job.status == Job.Status.FAILED
    assert job.result["errors"] == [
        {
            "row": 3,
            "column": "academic_tutor",
            "value": "tom@example.org",
            "message": "Refused by the service.",
        },
    ]
    assert not User.objects.filter(email__in=["s0@example.cn", "r2@example.cn"]).exists()
    assert cast.tutor.assignments.count() == 1


def test_a_program_administrator_who_lost_the_role_saves_nothing(
    cast: Cast, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.program_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(student_url(cast), {"file": as_file([STUDENT_HEADER, *students(2)])})
    RoleMembership.objects.filter(user=cast.program_admin).delete()
    for callback in callbacks:
        callback()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.error == "You may no longer make this import; nothing was saved."
    assert not User.objects.filter(email="s0@example.cn").exists()


# ---- Cost -----------------------------------------------------------------------------------


def _flat(
    validate: Callable[[list[list[Any]]], Checked],
    small: list[list[Any]],
    large: list[list[Any]],
) -> None:
    table = [small]

    def fetch() -> Checked:
        checked = validate(table[0])
        assert checked.errors == [] and len(checked.rows) == len(table[0]) - 1
        return checked

    assert_flat_queries(fetch, lambda: table.__setitem__(0, large), max_queries=6)


def test_validating_100_students_costs_the_queries_of_10(cast: Cast) -> None:
    m.TutorProfile.objects.update(capacity=100)
    rows = students(100)
    for i, row in enumerate(rows):  # tutors within their capacity
        row[5] = "tom@example.org" if i % 2 else "otis@example.org"
        row[6] = "pia@example.org" if i % 2 else ""
    _flat(
        lambda table: validation.validate_students(
            table, user=cast.program_admin, program=cast.program
        ),
        [STUDENT_HEADER, *rows[:10]],
        [STUDENT_HEADER, *rows],
    )


def test_validating_100_tutors_costs_the_queries_of_10(cast: Cast) -> None:
    university = cast.program.lead_university.name
    rows = [[f"t{i}@example.cn", f"T{i}", "academic", university, "", "4"] for i in range(100)]
    _flat(
        lambda table: validation.validate_tutors(table, user=cast.program_admin),
        [TUTOR_HEADER, *rows[:10]],
        [TUTOR_HEADER, *rows],
    )


def test_validating_100_organisations_costs_the_queries_of_10(admin: User) -> None:
    rows = [[f"Clinic {i}", "", "hospital", "", ""] for i in range(100)]
    _flat(
        lambda table: validation.validate_organizations(table, user=admin),
        [ORG_HEADER, *rows[:10]],
        [ORG_HEADER, *rows],
    )


# ---- A real worker ---------------------------------------------------------------------------


def wait_for(job_id: int, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_students_from_redis(
    worker: subprocess.Popen[bytes], cast: Cast
) -> None:
    client = client_for(cast.program_admin)
    rows = [STUDENT_HEADER, *students(20, tutor="tom@example.org")]
    m.TutorProfile.objects.filter(pk=cast.tutor.pk).update(capacity=30)
    response = client.post(student_url(cast), {"file": as_file(rows)})
    assert response.status_code == 302
    job = wait_for(resolve(response["Location"]).kwargs["pk"])
    assert job.status == Job.Status.SUCCEEDED, (job.error, job.result)
    assert (job.progress_done, job.progress_total) == (20, 20)
    assert m.Student.objects.filter(student_number__startswith="N").count() == 20
    assert cast.tutor.assignments.count() == 21

    bad = client.post(
        student_url(cast), {"file": as_file([STUDENT_HEADER, *students(2, start=30), *students(1)])}
    )
    failed = wait_for(resolve(bad["Location"]).kwargs["pk"])
    assert failed.status == Job.Status.FAILED
    assert failed.result["bad_rows"] == [4]
    assert not User.objects.filter(email="s30@example.cn").exists()
    assert worker.poll() is None, "the worker died"


def test_a_bad_row_and_a_row_the_service_refuses_are_reported_in_one_pass(
    cast: Cast, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row 2 has a bad e-mail (found while checking), row 5 is refused by the service (found
    while saving): both are listed at once, and nothing is saved."""
    assign = people.assign_tutor

    def refuse_fourth(*, student: m.Student, **kwargs: Any) -> m.TutorAssignment:
        if student.student_number == "N00003":
            raise ValidationError({"tutor": ["Refused by the service."]})
        return assign(student=student, **kwargs)

    monkeypatch.setattr(people, "assign_tutor", refuse_fourth)
    rows = [STUDENT_HEADER, *students(4, tutor="tom@example.org")]
    rows[1][0] = "not-an-email"
    job = run(cast.program_admin, student_url(cast), as_file(rows))
    assert job.status == Job.Status.FAILED
    assert problems(job) == [(2, "email"), (5, "academic_tutor")]
    assert message_of(job, 5, "academic_tutor") == "Refused by the service."
    assert job.display_error == "2 rows have errors; nothing was imported."
    assert not m.Student.objects.filter(student_number__in=["N00001", "N00002"]).exists()


def test_a_wrong_row_and_an_unknown_organisation_are_reported_together(
    cast: Cast, admin: User, run: Run
) -> None:
    university = cast.program.lead_university.name
    rows = [
        TUTOR_HEADER,
        ["not-an-email", "Bad", "academic", university, "", ""],
        ["a@example.cn", "A", "academic", university, "", ""],
        ["b@example.cn", "B", "academic", university, "", ""],
        ["c@example.cn", "C", "academic", "Nowhere University", "", ""],
    ]
    job = run(admin, tutor_url(), as_file(rows))
    assert job.status == Job.Status.FAILED
    assert problems(job) == [(2, "email"), (5, "organization")]
    assert not m.TutorProfile.objects.filter(user__email="a@example.cn").exists()
