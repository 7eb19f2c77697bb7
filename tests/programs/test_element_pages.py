"""The program page's management of its elements: edit, remove (delete or retire), reinstate,
reorder, the program's own edit and lifecycle buttons, for the cast."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from tests.cast import Cast
from tests.clients import client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries

from .factories import CourseFactory, PlanFactory, ProgramFactory, grant

pytestmark = pytest.mark.django_db


def elements_of(program: m.Program) -> dict[str, Any]:
    """One element of each kind in `program`."""
    objective = m.TrainingObjective.objects.create(
        program=program, order=1, title="Raeds images", description="Measured by an exam."
    )
    stage = m.Stage.objects.create(
        program=program, order=1, kind="coursework", title="Coursework", expected_months=6
    )
    template = m.MilestoneTemplate.objects.create(
        program=program, stage=stage, kind="other", title="Proposal", due_offset_days=90
    )
    entry = m.ProgramCourse.objects.create(
        program=program,
        course=CourseFactory(delivering_organization=program.lead_university),
        requirement="required",
        semester=1,
    )
    partner = m.ProgramPartner.objects.create(
        program=program, organization=program.lead_university, agreement_start=dt.date(2025, 1, 1)
    )
    return {
        "objectives": objective,
        "stages": stage,
        "milestones": template,
        "curriculum": entry,
        "partners": partner,
    }


def user_of(cast: Cast, name: str, admin: User) -> Any:
    return {
        "admin": admin,
        "program_admin": cast.program_admin,
        "tutor": cast.tutor.user,
        "student": cast.student.user,
        "coordinator": cast.coordinator,
        "outsider": UserFactory(email="oscar@example.org"),
    }[name]


#: Who sees the program (and may manage it, or not); the coordinator's hospital is no partner.
ROLES = [
    ("admin", 200),
    ("program_admin", 200),
    ("tutor", 403),
    ("student", 403),
    ("coordinator", 404),
    ("outsider", 404),
]


@pytest.mark.parametrize("kind", ["objectives", "stages", "milestones", "curriculum", "partners"])
@pytest.mark.parametrize(("name", "status"), ROLES)
def test_element_pages_by_role(cast: Cast, admin: User, kind: str, name: str, status: int) -> None:
    element = elements_of(cast.program)[kind]
    client = client_for(user_of(cast, name, admin))
    for page in ("element-edit", "element-remove"):
        url = reverse(f"programs:{page}", args=[cast.program.pk, kind, element.pk])
        assert client.get(url).status_code == status
    if status != 200:
        remove = reverse("programs:element-remove", args=[cast.program.pk, kind, element.pk])
        assert client.post(remove).status_code == status
        assert type(element).objects.filter(pk=element.pk).exists()


@pytest.mark.parametrize(("name", "status"), ROLES)
def test_program_and_course_edit_pages_by_role(
    cast: Cast, admin: User, name: str, status: int
) -> None:
    entry = elements_of(cast.program)["curriculum"]
    client = client_for(user_of(cast, name, admin))
    assert client.get(reverse("programs:program-edit", args=[cast.program.pk])).status_code == (
        status
    )
    course = reverse("programs:course-edit", args=[cast.program.pk, entry.pk])
    assert client.get(course).status_code == status


@pytest.mark.parametrize(
    ("name", "status"),
    [("program_admin", 302), ("tutor", 403), ("student", 403), ("outsider", 404)],
)
def test_buttons_by_role(cast: Cast, admin: User, name: str, status: int) -> None:
    made = elements_of(cast.program)
    second = m.TrainingObjective.objects.create(
        program=cast.program, order=2, title="Second", description="D"
    )
    client = client_for(user_of(cast, name, admin))
    move = reverse("programs:element-move", args=[cast.program.pk, "objectives", second.pk])
    assert client.post(move, {"direction": "up"}).status_code == status
    close = reverse("programs:program-close", args=[cast.program.pk])
    assert client.post(close, {}).status_code == status
    cast.program.refresh_from_db()
    second.refresh_from_db()
    if status == 302:
        assert (second.order, cast.program.status) == (1, "closed")
    else:
        assert (second.order, cast.program.status) == (2, "active")
        assert made["objectives"].order == 1


def test_program_admin_corrects_a_typo_and_the_change_is_in_its_history(cast: Cast) -> None:
    objective = elements_of(cast.program)["objectives"]
    client = client_for(cast.program_admin)
    url = reverse("programs:element-edit", args=[cast.program.pk, "objectives", objective.pk])
    form = client.get(url)
    assert "Raeds images" in form.content.decode()
    history = reverse("core:history", args=["programs", "trainingobjective", objective.pk])
    assert history in form.content.decode()
    response = client.post(url, {"title": "Reads images", "description": "Measured by an exam."})
    assert response.status_code == 302
    page = client.get(reverse("programs:program-detail", args=[cast.program.pk]))
    assert "Reads images" in page.content.decode()
    events = client.get(history)
    assert events.status_code == 200
    assert "Raeds images" in events.content.decode()


def test_the_confirmation_says_delete_or_retire_and_why(cast: Cast) -> None:
    made = elements_of(cast.program)
    entry = made["curriculum"]
    client = client_for(cast.program_admin)
    url = reverse("programs:element-remove", args=[cast.program.pk, "curriculum", entry.pk])
    assert "it will be deleted" in client.get(url).content.decode()
    PlanFactory(student=cast.student).courses.add(entry.course)
    page = client.get(url).content.decode()
    assert "It will be retired, not deleted" in page
    assert "1 training plan includes this course." in page
    assert client.post(url).status_code == 302
    entry.refresh_from_db()
    assert entry.retired_at is not None
    detail = client.get(reverse("programs:program-detail", args=[cast.program.pk]))
    retired = detail.content.decode().split('data-retired="curriculum"')[1]
    assert entry.course.code in retired
    reinstate = reverse(
        "programs:element-reinstate", args=[cast.program.pk, "curriculum", entry.pk]
    )
    assert reinstate in retired
    assert client.post(reinstate).status_code == 302
    entry.refresh_from_db()
    assert entry.retired_at is None


def test_an_unused_objective_is_deleted_from_the_page(cast: Cast) -> None:
    objective = elements_of(cast.program)["objectives"]
    client = client_for(cast.program_admin)
    url = reverse("programs:element-remove", args=[cast.program.pk, "objectives", objective.pk])
    assert client.post(url).status_code == 302
    assert not m.TrainingObjective.objects.filter(pk=objective.pk).exists()


def post_twice(client: Client, url: str, data: dict[str, Any]) -> Any:
    first = client.post(url, data)
    assert first.status_code == 302
    return client.post(url, data)


def test_the_back_button_adds_no_second_objective(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    url = reverse("programs:objective-add", args=[cast.program.pk])
    again = post_twice(client, url, {"title": "Reads images", "description": "By an exam."})
    assert again.status_code == 200
    assert again.context["form"].errors == {
        "title": ["This program already has an objective with this title."]
    }
    assert cast.program.objectives.count() == 1


def test_the_back_button_adds_no_second_stage_milestone_course_or_partner(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    course = CourseFactory()

    def url(name: str) -> str:
        return reverse(f"programs:{name}", args=[cast.program.pk])

    sent = [
        ("stage-add", {"kind": "coursework", "title": "Coursework", "expected_months": 6}),
        ("milestone-template-add", {"kind": "other", "title": "Proposal", "due_offset_days": 90}),
        ("curriculum-add", {"course": course.pk, "requirement": "required", "semester": 1}),
        ("partner-add", {"organization": cast.other_hospital.pk, "agreement_start": "2026-01-01"}),
    ]
    for name, data in sent:
        again = post_twice(client, url(name), {"places_offered": 0, **data})
        assert again.status_code == 200, name
        assert again.context["form"].errors, name
    assert cast.program.stages.count() == 1
    assert cast.program.milestone_templates.count() == 1
    assert cast.program.curriculum.count() == 1
    assert cast.program.partners.count() == 1


def test_a_partner_form_shows_field_and_date_errors_together(cast: Cast) -> None:
    partner = elements_of(cast.program)["partners"]
    client = client_for(cast.program_admin)
    url = reverse("programs:element-edit", args=[cast.program.pk, "partners", partner.pk])
    response = client.post(
        url,
        {"agreement_start": "2026-01-01", "agreement_end": "2025-01-01", "places_offered": "-1"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["agreement_end"] == ["The agreement cannot end before it starts."]
    assert "places_offered" in errors


def test_the_program_form_shows_field_and_date_errors_together(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    url = reverse("programs:program-edit", args=[cast.program.pk])
    response = client.post(
        url,
        {
            "code": cast.program.code,
            "title": "",
            "discipline": "Imaging",
            "degree_type": "professional",
            "lead_university": cast.program.lead_university.pk,
            "start_date": "2026-09-01",
            "end_date": "2025-01-01",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["end_date"] == ["The program cannot end before it starts."]
    assert "title" in errors


def test_the_program_is_edited_from_its_page(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    url = reverse("programs:program-edit", args=[cast.program.pk])
    data = client.get(url).context["form"].initial
    data = {k: (v.pk if isinstance(v, m.Organization) else v) for k, v in data.items()}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["title"] = "Imaging technology"
    assert client.post(url, data).status_code == 302
    cast.program.refresh_from_db()
    assert cast.program.title == "Imaging technology"


def test_a_shared_course_is_edited_only_by_who_administers_every_program(cast: Cast) -> None:
    entry = elements_of(cast.program)["curriculum"]
    other = ProgramFactory()
    m.ProgramCourse.objects.create(
        program=other, course=entry.course, requirement="elective", semester=2
    )
    client = client_for(cast.program_admin)
    url = reverse("programs:course-edit", args=[cast.program.pk, entry.pk])
    assert client.get(url).status_code == 403
    detail = reverse("programs:program-detail", args=[cast.program.pk])
    assert url not in client.get(detail).content.decode()
    grant(cast.program_admin, Role.PROGRAM_ADMIN, other)
    page = client.get(url)
    assert page.status_code == 200
    assert "also taught in other programs" in page.content.decode()
    assert url in client.get(detail).content.decode()


def test_controls_are_shown_only_to_who_may_use_them(cast: Cast, admin: User) -> None:
    objective = elements_of(cast.program)["objectives"]
    detail = reverse("programs:program-detail", args=[cast.program.pk])
    edit = reverse("programs:element-edit", args=[cast.program.pk, "objectives", objective.pk])
    transition = reverse("programs:program-transition", args=[cast.program.pk])
    assert edit in client_for(cast.program_admin).get(detail).content.decode()
    for user in (cast.tutor.user, cast.student.user):
        page = client_for(user).get(detail).content.decode()
        assert edit not in page and transition not in page
    # Closed: read-only for its administrators; the portal administrator may reopen it.
    m.Program.objects.filter(pk=cast.program.pk).update(status=m.Program.Status.CLOSED)
    page = client_for(cast.program_admin).get(detail).content.decode()
    assert edit not in page and transition not in page
    page = client_for(admin).get(detail).content.decode()
    assert edit not in page and 'value="reopen"' in page


def test_activating_an_empty_program_says_what_is_missing(cast: Cast) -> None:
    program = ProgramFactory(status=m.Program.Status.DRAFT)
    grant(cast.program_admin, Role.PROGRAM_ADMIN, program)
    client = client_for(cast.program_admin)
    url = reverse("programs:program-transition", args=[program.pk])
    response = client.post(url, {"transition": "activate"}, follow=True)
    assert "Before it is activated, the program needs" in response.content.decode()
    program.refresh_from_db()
    assert program.status == m.Program.Status.DRAFT


def test_objectives_are_reordered_from_the_page(cast: Cast) -> None:
    elements_of(cast.program)
    second = m.TrainingObjective.objects.create(
        program=cast.program, order=2, title="Second", description="D"
    )
    client = client_for(cast.program_admin)
    url = reverse("programs:element-move", args=[cast.program.pk, "objectives", second.pk])
    assert client.post(url, {"direction": "up"}).status_code == 302
    titles = cast.program.objectives.order_by("order").values_list("title", flat=True)
    assert list(titles) == ["Second", "Raeds images"]
    # Already first: said on the page, nothing changes.
    response = client.post(url, {"direction": "up"}, follow=True)
    assert "This item is already first." in response.content.decode()


def test_milestones_and_partners_cannot_be_moved(cast: Cast) -> None:
    template = elements_of(cast.program)["milestones"]
    client = client_for(cast.program_admin)
    url = reverse("programs:element-move", args=[cast.program.pk, "milestones", template.pk])
    assert client.post(url, {"direction": "up"}).status_code == 404


def _more_elements(program: m.Program, first: int, last: int) -> None:
    """Objectives, stages with milestones, courses and partners numbered `first`..`last`,
    half of them retired."""
    from .factories import OrganizationFactory

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for n in range(first, last + 1):
        retired = now if n % 2 else None
        m.TrainingObjective.objects.create(
            program=program, order=n, title=f"O{n}", description="D", retired_at=retired
        )
        stage = m.Stage.objects.create(
            program=program,
            order=n,
            kind="other",
            title=f"S{n}",
            expected_months=1,
            retired_at=retired,
        )
        m.MilestoneTemplate.objects.create(
            program=program, stage=stage, kind="other", title=f"M{n}", due_offset_days=n
        )
        m.ProgramCourse.objects.create(
            program=program,
            course=CourseFactory(),
            requirement="required",
            semester=1,
            retired_at=retired,
        )
        m.ProgramPartner.objects.create(
            program=program,
            organization=OrganizationFactory(),
            agreement_start=dt.date(2025, 1, 1),
            is_active=retired is None,
        )


@pytest.mark.parametrize("name", ["program_admin", "admin", "tutor"])
def test_program_page_query_count_is_flat_as_elements_grow(
    cast: Cast, admin: User, name: str
) -> None:
    client = client_for(user_of(cast, name, admin))
    _more_elements(cast.program, 1, 2)
    assert_flat_queries(
        lambda: client.get(reverse("programs:program-detail", args=[cast.program.pk])),
        lambda: _more_elements(cast.program, 3, 14),
        max_queries=22,
    )


def test_a_retired_course_is_offered_to_no_new_plan(cast: Cast) -> None:
    made = elements_of(cast.program)
    entry = made["curriculum"]
    kept = m.ProgramCourse.objects.create(
        program=cast.program, course=CourseFactory(), requirement="elective", semester=2
    )
    m.ProgramCourse.objects.filter(pk=entry.pk).update(
        retired_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    form = client_for(cast.student.user).get(reverse("programs:my-plan")).context["form"]
    offered = set(form.fields["courses"].queryset)
    assert kept.course in offered
    assert entry.course not in offered


def test_the_course_form_shows_every_problem_at_once(cast: Cast) -> None:
    entry = elements_of(cast.program)["curriculum"]
    client = client_for(cast.program_admin)
    url = reverse("programs:course-edit", args=[cast.program.pk, entry.pk])
    response = client.post(
        url,
        {
            "code": entry.course.code,
            "title": "",
            "credits": "25",
            "category": "core",
            "delivering_organization": cast.program.lead_university.pk,
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "credits"}
    entry.course.refresh_from_db()
    assert entry.course.credits != 25


def test_a_course_is_corrected_from_the_program_page(cast: Cast) -> None:
    entry = elements_of(cast.program)["curriculum"]
    client = client_for(cast.program_admin)
    url = reverse("programs:course-edit", args=[cast.program.pk, entry.pk])
    response = client.post(
        url,
        {
            "code": entry.course.code,
            "title": "Imaging physics",
            "credits": "3.5",
            "category": "core",
            "integrates_ie": "on",
            "delivering_organization": cast.program.lead_university.pk,
            "description": "Physics of imaging.",
        },
    )
    assert response.status_code == 302
    entry.course.refresh_from_db()
    assert (entry.course.title, entry.course.integrates_ie) == ("Imaging physics", True)


def test_a_retired_objective_is_offered_to_no_new_indicator(cast: Cast) -> None:
    from evaluation.models import Indicator

    retired = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    titles = ("Objective in use", "Dropped objective", "Objective retired but measured")
    kept, dropped, measured = (
        m.TrainingObjective.objects.create(
            program=cast.program,
            order=n,
            title=title,
            description="D",
            retired_at=None if n == 1 else retired,
        )
        for n, title in enumerate(titles, 1)
    )
    Indicator.objects.create(
        program=cast.program,
        objective=measured,
        category=Indicator.Category.values[0],
        name="Measured",
        weight=100,
        position=0,
    )
    page = client_for(cast.program_admin).get(f"/evaluation/programs/{cast.program.pk}/indicators/")
    assert page.status_code == 200
    options = page.content.decode()
    assert f'value="{kept.pk}"' in options
    assert f'value="{measured.pk}"' in options
    assert dropped.title not in options


def test_the_back_button_creates_no_second_program(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    url = reverse("programs:program-create")
    data = {
        "code": "NEWMIT",
        "title": "Nursing Innovation",
        "discipline": "Nursing",
        "degree_type": "professional",
        "lead_university": cast.program.lead_university.pk,
        "start_date": "2026-09-01",
    }
    again = post_twice(client, url, data)
    assert again.status_code == 200
    assert list(again.context["form"].errors) == ["code"]
    assert m.Program.objects.filter(code="NEWMIT").count() == 1


def a_real_pdf() -> bytes:
    """A one-page PDF that parses (not only one that starts with %PDF-)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_partners_signed_agreement_is_replaced_and_a_non_pdf_refused(cast: Cast) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    partner = elements_of(cast.program)["partners"]
    client = client_for(cast.program_admin)
    url = reverse("programs:element-edit", args=[cast.program.pk, "partners", partner.pk])
    data = {"agreement_start": "2025-01-01", "places_offered": 2, "responsibilities": ["teaching"]}
    fake = SimpleUploadedFile("agreement.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    refused = client.post(url, {**data, "agreement_file": fake})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "agreement_file": ["Upload the signed agreement as a PDF file."]
    }
    partner.refresh_from_db()
    assert (partner.agreement_file.name, partner.places_offered) == ("", 0)
    pdf = SimpleUploadedFile("signed.pdf", a_real_pdf())
    assert client.post(url, {**data, "agreement_file": pdf}).status_code == 302
    partner.refresh_from_db()
    assert partner.agreement_file.name.endswith("signed.pdf")
    assert partner.places_offered == 2
    assert [r.responsibility for r in partner.responsibilities.all()] == ["teaching"]


def test_the_partnership_page_names_the_partner_and_links_the_agreement_on_file(
    cast: Cast,
) -> None:
    from django.core.files.base import ContentFile

    partner = elements_of(cast.program)["partners"]
    client = client_for(cast.program_admin)
    url = reverse("programs:element-edit", args=[cast.program.pk, "partners", partner.pk])
    name = partner.organization.name
    empty = client.get(url).content.decode()
    assert f"<title>Edit the partnership with {name}" in empty
    assert f"Edit the partnership with {name}</h1>" in empty
    assert "No signed agreement is on file yet." in empty
    assert reverse("programs:partner-agreement", args=[partner.pk]) not in empty

    partner.agreement_file.save("signed-2025.pdf", ContentFile(a_real_pdf()))
    page = client.get(url).content.decode()
    link = reverse("programs:partner-agreement", args=[partner.pk])
    assert f'<a href="{link}">signed-2025.pdf</a>. A new upload replaces it.' in page
    assert "Replace the signed agreement (PDF)" in page
    download = client.get(link)
    assert download.status_code == 200
    assert 'filename="signed-2025.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    download.close()
