"""Internal supervision: review meetings (who records, sees and edits them; the people,
organisations and findings they name) and the students' anonymous ratings of their supervision
(stored without a link to the student, once per term, aggregates only from five answers on),
through the services, the pages and the API, for every role of the programs cast.

In these stories `hospital` (coordinated by Cora) is a partner of the program; `other_hospital`
(Otto) takes no part in it. The meeting of `meeting()` is chaired by Petra (program
administrator) with Tom (academic tutor) and Stan (student) taking part, and involves the
hospital; Pia (practice tutor) and Olga (other student) are not on it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from supervision.internal import aggregates
from supervision.internal import services as s
from supervision.models import (
    Finding,
    RatingReceipt,
    ReviewMeeting,
    ReviewMeetingFinding,
    ReviewMeetingParticipant,
    SupervisionRating,
)
from tests.cast import Cast, matrix, who
from tests.clients import api_for, client_for
from tests.programs.factories import (
    AssignmentFactory,
    ProgramFactory,
    StudentFactory,
    TutorFactory,
    grant,
)
from tests.queries import assert_flat_queries
from training_portal.core.attention import attention_for
from training_portal.core.history import history_url, is_tracked
from training_portal.core.navigation import entries_for
from training_portal.core.registry import register_features

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)
CAST = [
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


@pytest.fixture
def world(cast: Cast) -> Cast:
    """The cast, with `hospital` a partner of the program."""
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    return cast


def person(world: Cast, name: str, outsider: User) -> Any:
    if name == "anonymous":
        return None
    if name == "other_coordinator":
        return world.other_coordinator
    return who(world, name, outsider)


def make_finding(program: m.Program, *, rule: str = "supervision_gap", **about: Any) -> Finding:
    subject = about.get("student") or about.get("organization") or program
    return Finding.objects.create(
        rule=rule,
        severity="major",
        fingerprint=uuid.uuid4().hex,
        program=program,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        **about,
    )


def meeting_fields(world: Cast, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Spring review",
        "kind": ReviewMeeting.Kind.REGULAR_REVIEW,
        "status": ReviewMeeting.Status.HELD,
        "held_on": YESTERDAY,
        "chair": world.program_admin,
        "participants": [world.tutor.user, world.student.user],
        "organizations": [world.hospital],
        "findings": [],
        "criticism": "Too few supervision contacts at the hospital.",
        "review_record": "The hospital explained the staffing gap.",
        "corrective_actions": "Weekly supervision slot for every placed student.",
        "action_owner": world.coordinator,
        "actions_due_on": TODAY + dt.timedelta(days=30),
    }
    values.update(fields)
    return values


def meeting(world: Cast, *, by: Any = None, **fields: Any) -> ReviewMeeting:
    return s.create_review_meeting(
        user=by or world.program_admin, program=world.program, **meeting_fields(world, **fields)
    )


def errors_of(excinfo: Any) -> dict[str, list[str]]:
    return dict(excinfo.value.message_dict)


# ---- Service: recording meetings -----------------------------------------------------------


def test_a_program_administrator_records_a_held_meeting_with_its_record(world: Cast) -> None:
    gap = make_finding(world.program, student=world.student)
    recorded = meeting(world, findings=[gap])
    recorded.refresh_from_db()
    assert recorded.created_by == world.program_admin
    assert set(recorded.participants.all()) == {world.tutor.user, world.student.user}
    assert list(recorded.organizations.all()) == [world.hospital]
    assert list(recorded.findings.all()) == [gap]
    assert recorded.action_owner == world.coordinator


def test_the_meeting_and_its_links_are_kept_in_the_history_with_who(world: Cast) -> None:
    recorded = meeting(world)
    events = apps.get_model("supervision", "ReviewMeetingEvent").objects.filter(
        pgh_obj_id=recorded.pk
    )
    assert events.count() == 1
    assert events.get().pgh_context.metadata["user"] == world.program_admin.pk
    links = apps.get_model("supervision", "ReviewMeetingParticipantEvent").objects
    assert links.filter(meeting_id=recorded.pk).count() == 2


def test_a_partner_coordinator_records_a_meeting_involving_their_organisation(
    world: Cast,
) -> None:
    recorded = meeting(world, by=world.coordinator)
    assert recorded.created_by == world.coordinator


def test_a_coordinator_cannot_record_a_meeting_without_their_organisation(world: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        meeting(world, by=world.coordinator, organizations=[world.program.lead_university])
    assert errors_of(excinfo) == {
        "organizations": ["A meeting you record involves an organisation you coordinate."]
    }
    assert not ReviewMeeting.objects.exists()


@pytest.mark.parametrize(
    "name", ["tutor", "practice_tutor", "student", "other_student", "outsider"]
)
def test_tutors_students_and_outsiders_cannot_record_meetings(
    world: Cast, outsider: User, name: str
) -> None:
    with pytest.raises(PermissionDenied):
        meeting(world, by=person(world, name, outsider))


def test_a_coordinator_of_an_organisation_taking_no_part_cannot_record_meetings(
    world: Cast,
) -> None:
    with pytest.raises(PermissionDenied):
        meeting(world, by=world.other_coordinator, organizations=[world.other_hospital])


def test_participants_outside_the_program_are_refused_and_nothing_is_saved(
    world: Cast, outsider: User
) -> None:
    stranger = StudentFactory.create(program=ProgramFactory.create()).user
    with pytest.raises(ValidationError) as excinfo:
        meeting(
            world,
            participants=[world.student.user, outsider, stranger, world.other_coordinator],
        )
    errors = errors_of(excinfo)
    assert list(errors) == ["participants"]
    assert "Oscar Outsider" in errors["participants"][0]
    assert "Otto Coordinator" in errors["participants"][0]
    assert not ReviewMeeting.objects.exists()
    assert not ReviewMeetingParticipant.objects.exists()


def test_the_chair_and_the_person_responsible_are_people_of_the_program(
    world: Cast, outsider: User
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        meeting(world, chair=outsider, action_owner=world.other_coordinator)
    assert errors_of(excinfo) == {
        "chair": ["The chair must be one of the program's people."],
        "action_owner": ["The person responsible must be one of the program's people."],
    }


def test_organisations_taking_no_part_in_the_program_are_refused(world: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        meeting(world, organizations=[world.hospital, world.other_hospital])
    assert errors_of(excinfo) == {
        "organizations": ["Not taking part in the program: Second Hospital."]
    }


def test_a_finding_of_another_program_is_refused_and_nothing_is_saved(world: Cast) -> None:
    elsewhere = make_finding(ProgramFactory.create())
    with pytest.raises(ValidationError) as excinfo:
        meeting(world, findings=[elsewhere])
    assert errors_of(excinfo) == {
        "findings": [f"Not findings of this program that you can see: #{elsewhere.pk}."]
    }
    assert not ReviewMeeting.objects.exists()
    assert not ReviewMeetingFinding.objects.exists()


def test_a_coordinator_links_only_findings_they_can_see(world: Cast) -> None:
    about_student = make_finding(world.program, student=world.student)
    about_hospital = make_finding(
        world.program, rule="responsibility_unfulfilled", organization=world.hospital
    )
    with pytest.raises(ValidationError) as excinfo:
        meeting(world, by=world.coordinator, findings=[about_hospital, about_student])
    assert list(errors_of(excinfo)) == ["findings"]
    recorded = meeting(world, by=world.coordinator, findings=[about_hospital])
    assert list(recorded.findings.all()) == [about_hospital]


def test_a_held_meeting_is_not_in_the_future_a_planned_one_may_be(world: Cast) -> None:
    later = TODAY + dt.timedelta(days=7)
    with pytest.raises(ValidationError) as excinfo:
        meeting(world, held_on=later)
    assert list(errors_of(excinfo)) == ["held_on"]
    planned = meeting(
        world,
        status=ReviewMeeting.Status.PLANNED,
        held_on=later,
        review_record="",
        corrective_actions="",
        action_owner=None,
        actions_due_on=None,
    )
    assert planned.status == "planned"


def test_a_planned_meeting_has_no_record_nor_actions_yet(world: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        meeting(world, status=ReviewMeeting.Status.PLANNED)
    errors = errors_of(excinfo)
    assert errors["review_record"] == ["The record is written once the meeting is held."]
    assert errors["corrective_actions"] == [
        "Corrective actions are agreed at a meeting that has been held."
    ]


def test_corrective_actions_need_someone_responsible_and_a_due_date(world: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        meeting(world, action_owner=None, actions_due_on=None)
    assert errors_of(excinfo) == {
        "action_owner": ["Name who is responsible for the corrective actions."],
        "actions_due_on": ["Give the date the corrective actions are due."],
    }
    with pytest.raises(ValidationError) as excinfo:
        meeting(world, actions_due_on=YESTERDAY - dt.timedelta(days=1))
    assert errors_of(excinfo) == {
        "actions_due_on": ["The actions cannot be due before the meeting."]
    }
    assert not ReviewMeeting.objects.exists()


def test_an_edit_keeps_links_to_findings_the_editor_cannot_see(world: Cast) -> None:
    about_student = make_finding(world.program, student=world.student)
    about_hospital = make_finding(
        world.program, rule="responsibility_unfulfilled", organization=world.hospital
    )
    recorded = meeting(world, by=world.coordinator, findings=[about_hospital])
    ReviewMeetingFinding.objects.create(meeting=recorded, finding=about_student)
    s.update_review_meeting(
        user=world.coordinator,
        meeting=recorded,
        **meeting_fields(world, title="Spring review (amended)", findings=[]),
    )
    recorded.refresh_from_db()
    assert recorded.title == "Spring review (amended)"
    assert list(recorded.findings.all()) == [about_student]


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("program_admin", True),
        ("coordinator", False),  # did not record it
        ("tutor", False),
        ("student", False),
    ],
)
def test_who_edits_a_meeting_recorded_by_the_administrator(
    world: Cast, outsider: User, name: str, allowed: bool
) -> None:
    recorded = meeting(world)
    edit = dict(meeting_fields(world, title="Changed"))
    if allowed:
        s.update_review_meeting(user=person(world, name, outsider), meeting=recorded, **edit)
        assert ReviewMeeting.objects.get().title == "Changed"
    else:
        with pytest.raises(PermissionDenied):
            s.update_review_meeting(user=person(world, name, outsider), meeting=recorded, **edit)


# ---- Who sees a meeting, and which findings on it --------------------------------------------


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("program_admin", True),
        ("coordinator", True),  # the hospital is involved
        ("other_coordinator", False),
        ("tutor", True),  # a participant
        ("practice_tutor", False),
        ("student", True),  # a participant
        ("other_student", False),
        ("outsider", False),
    ],
)
def test_who_sees_a_meeting(world: Cast, outsider: User, name: str, sees: bool) -> None:
    recorded = meeting(world)
    visible = ReviewMeeting.objects.visible_to(person(world, name, outsider))
    assert visible.filter(pk=recorded.pk).exists() is sees


def test_portal_administrators_see_every_meeting(world: Cast, admin: User) -> None:
    recorded = meeting(world)
    assert list(ReviewMeeting.objects.visible_to(admin)) == [recorded]


def test_the_person_responsible_sees_the_meeting(world: Cast) -> None:
    recorded = meeting(world, action_owner=world.practice_tutor.user)
    assert ReviewMeeting.objects.visible_to(world.practice_tutor.user).get() == recorded


def _linked_findings(world: Cast) -> tuple[ReviewMeeting, Finding, Finding, Finding]:
    own = make_finding(world.program, student=world.student)
    others = make_finding(world.program, student=world.other_student)
    funds = make_finding(world.program, rule="fund_overspend", student=world.student)
    return meeting(world, findings=[own, others, funds]), own, others, funds


def test_a_student_sees_on_a_meeting_only_the_findings_they_see_anyway(world: Cast) -> None:
    recorded, own, others, funds = _linked_findings(world)
    page = client_for(world.student.user).get(
        reverse("internal-supervision:meeting-detail", args=[recorded.pk])
    )
    assert page.status_code == 200
    assert [row["finding"] for row in page.context["findings"]] == [own]
    data = api_for(world.student.user).get(reverse("api:review-meeting-detail", args=[recorded.pk]))
    assert [f["id"] for f in data.json()["linked_findings"]] == [own.pk]
    admin_page = client_for(world.program_admin).get(
        reverse("internal-supervision:meeting-detail", args=[recorded.pk])
    )
    assert {row["finding"] for row in admin_page.context["findings"]} == {own, others, funds}


# ---- Service: ratings ----------------------------------------------------------------------


def scores(**fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "academic_tutor_score": 4,
        "practice_tutor_score": 5,
        "program_support_score": 3,
        "comment": "",
    }
    values.update(fields)
    return values


def rater(world: Cast, *tutors: m.TutorProfile) -> User:
    """A new active student of the program, supervised by `tutors`."""
    student = StudentFactory.create(program=world.program)
    grant(student.user, Role.STUDENT, world.program)
    for tutor in tutors:
        AssignmentFactory.create(student=student, tutor=tutor)
    return student.user


def test_a_students_rating_is_stored_without_a_link_to_them(world: Cast) -> None:
    rating = s.submit_supervision_rating(user=world.student.user, **scores(comment="Helpful."))
    assert RatingReceipt.objects.filter(student=world.student, term=s.current_term()).exists()
    rating.refresh_from_db()
    assert (rating.academic_tutor, rating.academic_tutor_score) == (world.tutor, 4)
    assert (rating.practice_tutor, rating.practice_tutor_score) == (world.practice_tutor, 5)
    assert isinstance(rating.pk, uuid.UUID)
    related = {f.related_model for f in SupervisionRating._meta.get_fields() if f.is_relation}
    assert related == {m.Program, m.TutorProfile}
    assert not any(
        f.get_internal_type() in ("DateTimeField", "DateField")
        for f in SupervisionRating._meta.concrete_fields
    )
    # The history records who made each change: ratings are deliberately not in it.
    assert not is_tracked(SupervisionRating)


def test_a_second_rating_in_the_same_term_is_refused(world: Cast) -> None:
    s.submit_supervision_rating(user=world.student.user, **scores())
    with pytest.raises(ValidationError) as excinfo:
        s.submit_supervision_rating(user=world.student.user, **scores(program_support_score=1))
    assert list(errors_of(excinfo)) == [NON_FIELD_ERRORS]
    assert SupervisionRating.objects.count() == 1
    assert RatingReceipt.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("academic_tutor_score", 6), ("practice_tutor_score", 0), ("program_support_score", 9)],
)
def test_scores_out_of_range_are_refused_and_nothing_is_saved(
    world: Cast, field: str, value: int
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.submit_supervision_rating(user=world.student.user, **scores(**{field: value}))
    assert errors_of(excinfo) == {field: ["Give a score from 1 to 5."]}
    assert not SupervisionRating.objects.exists()
    assert not RatingReceipt.objects.exists()


def test_a_student_rates_the_tutors_they_have_and_no_others(world: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.submit_supervision_rating(user=world.other_student.user, **scores())
    assert errors_of(excinfo) == {"practice_tutor_score": ["You have no practice tutor to rate."]}
    rating = s.submit_supervision_rating(
        user=world.other_student.user, **scores(practice_tutor_score=None)
    )
    assert (rating.academic_tutor, rating.practice_tutor) == (world.other_tutor, None)


def test_a_student_with_two_practice_tutors_says_which_one_they_rate(world: Cast) -> None:
    second = TutorFactory.create(kind=m.TutorProfile.Kind.PRACTICE, organization=world.hospital)
    AssignmentFactory.create(student=world.student, tutor=second)
    with pytest.raises(ValidationError) as excinfo:
        s.submit_supervision_rating(user=world.student.user, **scores())
    assert errors_of(excinfo) == {"practice_tutor": ["Choose the practice tutor you rate."]}
    with pytest.raises(ValidationError) as excinfo:
        s.submit_supervision_rating(
            user=world.student.user, practice_tutor=world.other_tutor, **scores()
        )
    assert errors_of(excinfo) == {"practice_tutor": ["Choose one of your current practice tutors."]}
    rating = s.submit_supervision_rating(user=world.student.user, practice_tutor=second, **scores())
    assert rating.practice_tutor == second


@pytest.mark.parametrize("name", ["program_admin", "coordinator", "tutor", "outsider"])
def test_only_active_students_rate_supervision(world: Cast, outsider: User, name: str) -> None:
    with pytest.raises(PermissionDenied):
        s.submit_supervision_rating(user=person(world, name, outsider), **scores())


def _ratings_for_tutor(world: Cast, count: int, comment: str = "") -> None:
    for n in range(count):
        user = rater(world, world.tutor)
        s.submit_supervision_rating(
            user=user,
            **scores(academic_tutor_score=2 + n % 3, practice_tutor_score=None, comment=comment),
        )


def test_aggregates_are_hidden_under_five_answers(world: Cast) -> None:
    _ratings_for_tutor(world, 4, comment="Rarely available.")
    [row] = aggregates.tutor_aggregates(world.program_admin)
    assert (row.tutor_id, row.shown, row.answers, row.average) == (
        world.tutor.pk,
        False,
        None,
        None,
    )
    [program_row] = aggregates.program_aggregates(world.program_admin)
    assert not program_row.shown
    assert program_row.comments is None
    assert program_row.program_support_average is None


def test_aggregates_are_shown_from_five_answers_on(world: Cast) -> None:
    _ratings_for_tutor(world, 5, comment="Rarely available.")
    [row] = aggregates.tutor_aggregates(world.tutor.user)
    assert (row.shown, row.answers, row.role) == (True, 5, "academic")
    assert str(row.average) == "2.80"  # 2, 3, 4, 2, 3
    [program_row] = aggregates.program_aggregates(world.program_admin)
    assert program_row.answers == 5
    assert str(program_row.program_support_average) == "3.00"
    assert program_row.comments == ["Rarely available."] * 5
    # Nobody answered about a practice tutor: that average is not shown.
    assert program_row.practice_tutor_average is None


def test_who_sees_which_tutor_aggregates(world: Cast, outsider: User) -> None:
    for _n in range(5):
        s.submit_supervision_rating(
            user=rater(world, world.tutor, world.practice_tutor), **scores()
        )

    def seen(user: Any) -> set[tuple[int, str]]:
        return {(row.tutor_id, row.role) for row in aggregates.tutor_aggregates(user)}

    both = {(world.tutor.pk, "academic"), (world.practice_tutor.pk, "practice")}
    assert seen(world.program_admin) == both
    assert seen(world.tutor.user) == {(world.tutor.pk, "academic")}
    assert seen(world.practice_tutor.user) == {(world.practice_tutor.pk, "practice")}
    assert seen(world.coordinator) == {(world.practice_tutor.pk, "practice")}  # the hospital's
    assert seen(world.other_tutor.user) == set()
    assert seen(world.other_coordinator) == set()
    assert seen(outsider) == set()
    assert seen(world.student.user) == set()
    for user in (world.tutor.user, world.coordinator, world.practice_tutor.user):
        assert aggregates.program_aggregates(user) == []


def test_terms_are_ordered_in_time(world: Cast) -> None:
    assert s.current_term(dt.date(2026, 6, 30)) == "2026-spring"
    assert s.current_term(dt.date(2026, 7, 1)) == "2026-autumn"
    assert sorted(["2026-autumn", "2027-spring", "2026-spring"], key=s.term_order) == [
        "2026-spring",
        "2026-autumn",
        "2027-spring",
    ]


# ---- Pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=200,
        coordinator=200,
        other_coordinator=200,
        tutor=200,
        practice_tutor=200,
        student=200,
        other_student=200,
        outsider=200,  # a list of records: what they may see, none without a role
        anonymous=302,
    ),
)
def test_meeting_list_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    recorded = meeting(world)
    response = client_for(person(world, name, outsider)).get(
        reverse("internal-supervision:meeting-list")
    )
    assert response.status_code == status
    if status == 200:
        listed = [row.pk for row in response.context["page"]]
        sees = name in ("program_admin", "coordinator", "tutor", "student")
        assert listed == ([recorded.pk] if sees else [])
        page = response.content.decode()
        assert ("No review meetings." in page) == (not sees)
        # Recording a meeting stays with those who may: no button for the others.
        new = reverse("internal-supervision:meeting-create", args=[world.program.pk])
        assert (new in page) == (name in ("program_admin", "coordinator"))


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=200,
        coordinator=200,
        other_coordinator=404,
        tutor=200,
        practice_tutor=404,
        student=200,
        other_student=404,
        outsider=404,
        anonymous=302,
    ),
)
def test_meeting_page_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    recorded = meeting(world)
    response = client_for(person(world, name, outsider)).get(
        reverse("internal-supervision:meeting-detail", args=[recorded.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert "Weekly supervision slot" in response.content.decode()
        assert response.context["can_edit"] is (name == "program_admin")


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=200,
        coordinator=200,
        other_coordinator=404,  # the program is not theirs to see
        tutor=403,
        practice_tutor=403,
        student=403,
        other_student=403,
        outsider=404,
        anonymous=302,
    ),
)
def test_new_meeting_page_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    response = client_for(person(world, name, outsider)).get(
        reverse("internal-supervision:meeting-create", args=[world.program.pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=200,
        coordinator=403,  # sees it, did not record it
        other_coordinator=404,
        tutor=403,
        practice_tutor=404,
        student=403,
        other_student=404,
        outsider=404,
        anonymous=302,
    ),
)
def test_edit_meeting_page_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    recorded = meeting(world)
    response = client_for(person(world, name, outsider)).get(
        reverse("internal-supervision:meeting-edit", args=[recorded.pk])
    )
    assert response.status_code == status


def form_data(world: Cast, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Student forum",
        "kind": "student_forum",
        "status": "held",
        "held_on": YESTERDAY.isoformat(),
        "chair": world.coordinator.pk,
        "participants": [world.student.user.pk, world.practice_tutor.user.pk],
        "organizations": [world.hospital.pk],
        "criticism": "Night shifts leave no time for supervision.",
        "review_record": "Agreed to move supervision to day shifts.",
        "corrective_actions": "Supervision on day shifts only.",
        "action_owner": world.coordinator.pk,
        "actions_due_on": (TODAY + dt.timedelta(days=14)).isoformat(),
    }
    data.update(fields)
    return data


def test_a_coordinator_records_a_meeting_in_the_browser_and_edits_it(world: Cast) -> None:
    client = client_for(world.coordinator)
    response = client.post(
        reverse("internal-supervision:meeting-create", args=[world.program.pk]), form_data(world)
    )
    recorded = ReviewMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "internal-supervision:meeting-detail", args=[recorded.pk]
    )
    assert set(recorded.participants.all()) == {world.student.user, world.practice_tutor.user}
    edit_url = reverse("internal-supervision:meeting-edit", args=[recorded.pk])
    assert client.get(edit_url).status_code == 200
    response = client.post(edit_url, form_data(world, title="Student forum (spring)"))
    assert response.status_code == 302
    assert ReviewMeeting.objects.get().title == "Student forum (spring)"


def test_bad_input_on_the_meeting_form_shows_errors_and_saves_nothing(
    world: Cast, outsider: User
) -> None:
    elsewhere = make_finding(ProgramFactory.create())
    response = client_for(world.program_admin).post(
        reverse("internal-supervision:meeting-create", args=[world.program.pk]),
        form_data(
            world,
            participants=[outsider.pk],
            findings=[elsewhere.pk],
            held_on=(TODAY + dt.timedelta(days=3)).isoformat(),
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"participants", "findings"} <= set(form.errors)
    assert not ReviewMeeting.objects.exists()
    # Choices that are valid reach the service, which refuses a held meeting in the future.
    response = client_for(world.program_admin).post(
        reverse("internal-supervision:meeting-create", args=[world.program.pk]),
        form_data(world, held_on=(TODAY + dt.timedelta(days=3)).isoformat()),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["held_on"]
    assert not ReviewMeeting.objects.exists()


def test_the_form_offers_findings_to_work_on_and_those_already_linked(world: Cast) -> None:
    active = make_finding(world.program, student=world.student)
    resolved = make_finding(world.program, student=world.student)
    Finding.objects.filter(pk=resolved.pk).update(status=Finding.Status.RESOLVED)
    client = client_for(world.program_admin)
    new_form = client.get(
        reverse("internal-supervision:meeting-create", args=[world.program.pk])
    ).context["form"]
    assert list(new_form.fields["findings"].queryset) == [active]
    recorded = meeting(world, findings=[resolved])
    edit_form = client.get(
        reverse("internal-supervision:meeting-edit", args=[recorded.pk])
    ).context["form"]
    assert set(edit_form.fields["findings"].queryset) == {active, resolved}
    assert edit_form.initial["findings"] == [resolved.pk]


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=403,
        coordinator=403,
        other_coordinator=403,
        tutor=403,
        practice_tutor=403,
        student=200,
        other_student=200,
        outsider=403,
        anonymous=302,
    ),
)
def test_rating_page_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    response = client_for(person(world, name, outsider)).get(reverse("internal-supervision:rating"))
    assert response.status_code == status


def test_a_student_rates_their_supervision_once_in_the_browser(world: Cast) -> None:
    client = client_for(world.student.user)
    url = reverse("internal-supervision:rating")
    page = client.get(url)
    assert set(page.context["form"].fields) == {
        "academic_tutor_score",
        "practice_tutor_score",
        "program_support_score",
        "comment",
    }
    bad = client.post(url, {"academic_tutor_score": "7", "program_support_score": "3"})
    assert bad.status_code == 200
    assert {"academic_tutor_score", "practice_tutor_score"} <= set(bad.context["form"].errors)
    assert not SupervisionRating.objects.exists()
    answer = {
        "academic_tutor_score": "5",
        "practice_tutor_score": "4",
        "program_support_score": "4",
    }
    assert client.post(url, answer).status_code == 302
    again = client.get(url)
    assert again.context["form"] is None
    assert again.context["status"].answered
    assert client.post(url, answer).status_code == 200
    assert SupervisionRating.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=200,
        coordinator=200,
        other_coordinator=200,
        tutor=200,
        practice_tutor=200,
        student=403,
        other_student=403,
        outsider=403,
        anonymous=302,
    ),
)
def test_rating_aggregates_page_by_role(
    world: Cast, outsider: User, name: str, status: int
) -> None:
    response = client_for(person(world, name, outsider)).get(
        reverse("internal-supervision:rating-aggregates")
    )
    assert response.status_code == status


def test_comments_are_for_program_administrators_and_only_from_five_answers(
    world: Cast,
) -> None:
    url = reverse("internal-supervision:rating-aggregates")
    _ratings_for_tutor(world, 4, comment="Needs more lab hours.")
    admin_page = client_for(world.program_admin).get(url).content.decode()
    assert "Needs more lab hours." not in admin_page
    assert "Fewer than 5 answers: not shown" in admin_page
    _ratings_for_tutor(world, 1, comment="Needs more lab hours.")
    assert "Needs more lab hours." in client_for(world.program_admin).get(url).content.decode()
    tutor_page = client_for(world.tutor.user).get(url)
    assert "Needs more lab hours." not in tutor_page.content.decode()
    [row] = tutor_page.context["tutor_rows"]
    assert (row.answers, str(row.average)) == (5, "2.60")  # 2, 3, 4, 2 and 2
    assert tutor_page.context["program_rows"] == []


def test_the_term_filter_narrows_the_aggregates(world: Cast) -> None:
    _ratings_for_tutor(world, 5)
    for _n in range(5):
        SupervisionRating.objects.create(
            program=world.program,
            term="2025-autumn",
            academic_tutor=world.tutor,
            academic_tutor_score=5,
            program_support_score=5,
        )
    url = reverse("internal-supervision:rating-aggregates")
    client = client_for(world.program_admin)
    every = client.get(url).context["tutor_rows"]
    assert [(row.term, str(row.average)) for row in every] == [
        (s.current_term(), "2.80"),
        ("2025-autumn", "5.00"),
    ]
    [older] = client.get(url, {"term": "2025-autumn"}).context["tutor_rows"]
    assert older.term == "2025-autumn"
    # A term that is not on offer is ignored: every term is shown.
    assert len(client.get(url, {"term": "nonsense"}).context["tutor_rows"]) == 2


# ---- Navigation and the home page ----------------------------------------------------------


def test_registration_adds_entries_once_and_the_students_home_item(world: Cast) -> None:
    supervision = apps.get_app_config("supervision")
    register_features(supervision, "internal")
    register_features(supervision, "internal")
    recorded = meeting(world)
    assert history_url(world.program_admin, recorded).startswith("/history/supervision/")
    assert history_url(world.student.user, recorded) == ""
    student = world.student.user
    urls = [entry.url_name for entry in entries_for(student)]
    assert urls.count("internal-supervision:rating") == 1
    assert urls.count("internal-supervision:meeting-list") == 1
    assert "internal-supervision:rating-aggregates" not in urls
    tutor_urls = [entry.url_name for entry in entries_for(world.tutor.user)]
    assert "internal-supervision:rating-aggregates" in tutor_urls
    assert "internal-supervision:rating" not in tutor_urls
    due = [item for item in attention_for(student) if item.url.endswith("/supervision/rating/")]
    assert [item.count for item in due] == [1]
    s.submit_supervision_rating(user=student, **scores())
    assert not [item for item in attention_for(student) if item.url.endswith("/rating/")]


# ---- API -----------------------------------------------------------------------------------


def api_payload(world: Cast, **fields: Any) -> dict[str, Any]:
    data = form_data(world, **fields)
    data["program"] = world.program.pk
    data.setdefault("findings", [])
    return data


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=201,
        coordinator=201,
        other_coordinator=400,  # the program is not theirs to see: no such program
        tutor=403,
        practice_tutor=403,
        student=403,
        other_student=403,
        outsider=400,
        anonymous=401,
    ),
)
def test_api_create_meeting_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    response = api_for(person(world, name, outsider)).post(
        reverse("api:review-meeting-list"), api_payload(world), format="json"
    )
    assert response.status_code == status, response.content
    if status == 201:
        assert set(response.json()["participants"]) == {
            world.student.user.pk,
            world.practice_tutor.user.pk,
        }
    else:
        assert not ReviewMeeting.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"participants": "outsider"}, "participants"),
        ({"findings": "elsewhere"}, "findings"),
        ({"held_on": "future"}, "held_on"),
        ({"corrective_actions": "Do better.", "action_owner": None}, "action_owner"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_api_bad_meeting_input_is_a_400_with_field_errors(
    world: Cast, outsider: User, fields: dict[str, Any], field: str
) -> None:
    replacements = {
        "outsider": [outsider.pk],
        "elsewhere": [make_finding(ProgramFactory.create()).pk],
        "future": (TODAY + dt.timedelta(days=2)).isoformat(),
    }
    payload = api_payload(
        world, **{key: replacements.get(value, value) for key, value in fields.items()}
    )
    response = api_for(world.program_admin).post(
        reverse("api:review-meeting-list"), payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not ReviewMeeting.objects.exists()


def test_api_a_finding_of_another_program_that_the_caller_sees_is_refused(
    world: Cast, admin: User
) -> None:
    elsewhere = make_finding(ProgramFactory.create())
    response = api_for(admin).post(
        reverse("api:review-meeting-list"),
        api_payload(world, findings=[elsewhere.pk]),
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["findings"]
    assert not ReviewMeeting.objects.exists()


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("program_admin", 1),
        ("coordinator", 1),
        ("other_coordinator", 0),
        ("tutor", 1),
        ("practice_tutor", 0),
        ("student", 1),
        ("other_student", 0),
        ("outsider", 0),
    ],
)
def test_api_meeting_list_by_role(world: Cast, outsider: User, name: str, count: int) -> None:
    meeting(world)
    response = api_for(person(world, name, outsider)).get(reverse("api:review-meeting-list"))
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_api_meeting_list_refuses_anonymous_callers(world: Cast) -> None:
    assert api_for(None).get(reverse("api:review-meeting-list")).status_code == 401


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=200,
        coordinator=403,
        other_coordinator=404,
        tutor=403,
        practice_tutor=404,
        student=403,
        other_student=404,
        outsider=404,
        anonymous=401,
    ),
)
def test_api_edit_meeting_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    recorded = meeting(world)
    response = api_for(person(world, name, outsider)).patch(
        reverse("api:review-meeting-detail", args=[recorded.pk]),
        {"review_record": "Minutes corrected."},
        format="json",
    )
    assert response.status_code == status
    recorded.refresh_from_db()
    changed = recorded.review_record == "Minutes corrected."
    assert changed is (status == 200)
    if status == 200:
        # A partial update keeps what it does not name.
        assert set(recorded.participants.all()) == {world.tutor.user, world.student.user}


def test_api_a_meeting_stays_in_its_program(world: Cast) -> None:
    recorded = meeting(world)
    other = ProgramFactory.create()
    grant(world.program_admin, Role.PROGRAM_ADMIN, other)
    response = api_for(world.program_admin).patch(
        reverse("api:review-meeting-detail", args=[recorded.pk]),
        {"program": other.pk},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["program"]


def rating_payload(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = {"academic_tutor_score": 4, "program_support_score": 5}
    if name == "student":
        payload["practice_tutor_score"] = 3
    return payload


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=403,
        coordinator=403,
        other_coordinator=403,
        tutor=403,
        practice_tutor=403,
        student=201,
        other_student=201,
        outsider=403,
        anonymous=401,
    ),
)
def test_api_submit_rating_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    response = api_for(person(world, name, outsider)).post(
        reverse("api:supervision-rating-list"), rating_payload(name), format="json"
    )
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json() == {"term": s.current_term(), "can_answer": False, "answered": True}
        assert SupervisionRating.objects.count() == 1
    else:
        assert not SupervisionRating.objects.exists()


def test_api_bad_and_repeated_ratings_are_400s(world: Cast) -> None:
    api = api_for(world.student.user)
    url = reverse("api:supervision-rating-list")
    response = api.post(url, {**rating_payload("student"), "academic_tutor_score": 6})
    assert response.status_code == 400
    assert list(response.json()) == ["academic_tutor_score"]
    response = api.post(url, {**rating_payload("student"), "practice_tutor": world.other_tutor.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["practice_tutor"]
    assert not SupervisionRating.objects.exists()
    assert api.get(reverse("api:supervision-rating-mine")).json()["answered"] is False
    assert api.post(url, rating_payload("student")).status_code == 201
    response = api.post(url, rating_payload("student"))
    assert response.status_code == 400
    assert response.json() == {
        "__all__": [
            f"You have already rated your supervision for {s.term_label(s.current_term())}."
        ]
    }
    assert SupervisionRating.objects.count() == 1
    assert api.get(reverse("api:supervision-rating-mine")).json()["answered"] is True


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=200,
        coordinator=200,
        other_coordinator=200,
        tutor=200,
        practice_tutor=200,
        student=403,
        other_student=403,
        outsider=403,
        anonymous=401,
    ),
)
def test_api_rating_aggregates_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    response = api_for(person(world, name, outsider)).get(
        reverse("api:supervision-rating-aggregates")
    )
    assert response.status_code == status


def test_api_aggregates_never_give_single_answers_or_comments_to_tutors(world: Cast) -> None:
    _ratings_for_tutor(world, 5, comment="Kind but busy.")
    tutor_view = api_for(world.tutor.user).get(reverse("api:supervision-rating-aggregates"))
    body = tutor_view.content.decode()
    assert "Kind but busy." not in body
    assert not any(str(pk) in body for pk in SupervisionRating.objects.values_list("pk", flat=True))
    data = tutor_view.json()
    assert data["programs"] == []
    assert data["tutors"] == [
        {
            "program": world.program.pk,
            "program_code": world.program.code,
            "term": s.current_term(),
            "tutor": world.tutor.pk,
            "tutor_name": "Tom Tutor",
            "role": "academic",
            "shown": True,
            "answers": 5,
            "average": "2.80",
        }
    ]
    admin_view = api_for(world.program_admin).get(reverse("api:supervision-rating-aggregates"))
    assert admin_view.json()["programs"][0]["comments"] == ["Kind but busy."] * 5


def test_api_aggregates_under_five_answers_are_empty(world: Cast) -> None:
    _ratings_for_tutor(world, 3)
    data = api_for(world.program_admin).get(reverse("api:supervision-rating-aggregates")).json()
    [row] = data["tutors"]
    assert (row["shown"], row["answers"], row["average"]) == (False, None, None)
    [program] = data["programs"]
    assert (program["shown"], program["answers"], program["comments"]) == (False, None, None)


# ---- Flat query counts ---------------------------------------------------------------------


def _more_meetings(world: Cast, count: int) -> None:
    for n in range(count):
        extra = StudentFactory.create(program=world.program).user
        meeting(
            world,
            title=f"Review {n}",
            participants=[world.tutor.user, world.student.user, extra],
            findings=[make_finding(world.program, student=world.student)],
        )


@pytest.mark.parametrize("name", ["program_admin", "coordinator", "student", "outsider"])
def test_meeting_list_page_query_count_is_flat(world: Cast, outsider: User, name: str) -> None:
    client = client_for(person(world, name, outsider))
    _more_meetings(world, 1)
    assert_flat_queries(
        lambda: client.get(reverse("internal-supervision:meeting-list")),
        lambda: _more_meetings(world, 24),
        max_queries=12,
    )


@pytest.mark.parametrize("name", ["program_admin", "student"])
def test_meeting_page_query_count_is_flat(world: Cast, outsider: User, name: str) -> None:
    recorded = meeting(world, findings=[make_finding(world.program, student=world.student)])

    def grow() -> None:
        for _n in range(50):
            ReviewMeetingParticipant.objects.create(
                meeting=recorded, user=StudentFactory.create(program=world.program).user
            )
            ReviewMeetingFinding.objects.create(
                meeting=recorded, finding=make_finding(world.program, student=world.student)
            )

    client = client_for(person(world, name, outsider))
    assert_flat_queries(
        lambda: client.get(reverse("internal-supervision:meeting-detail", args=[recorded.pk])),
        grow,
        max_queries=14,
    )


def test_meeting_form_page_query_count_is_flat(world: Cast) -> None:
    recorded = meeting(world)
    client = client_for(world.program_admin)

    def grow() -> None:
        for _n in range(50):
            StudentFactory.create(program=world.program)
            make_finding(world.program, student=world.student)

    assert_flat_queries(
        lambda: client.get(reverse("internal-supervision:meeting-edit", args=[recorded.pk])),
        grow,
        max_queries=18,
    )


@pytest.mark.parametrize("name", ["program_admin", "coordinator", "student"])
def test_api_meeting_list_query_count_is_flat(world: Cast, outsider: User, name: str) -> None:
    api = api_for(person(world, name, outsider))
    _more_meetings(world, 1)
    assert_flat_queries(
        lambda: api.get(reverse("api:review-meeting-list"), {"page_size": 100}),
        lambda: _more_meetings(world, 49),
        max_queries=10,
    )


def test_api_meeting_detail_query_count_is_flat(world: Cast) -> None:
    recorded = meeting(world)
    api = api_for(world.program_admin)

    def grow() -> None:
        for _n in range(50):
            ReviewMeetingParticipant.objects.create(
                meeting=recorded, user=StudentFactory.create(program=world.program).user
            )
            ReviewMeetingFinding.objects.create(
                meeting=recorded, finding=make_finding(world.program, student=world.student)
            )

    assert_flat_queries(
        lambda: api.get(reverse("api:review-meeting-detail", args=[recorded.pk])),
        grow,
        max_queries=10,
    )


def _more_ratings(world: Cast, tutors: int) -> None:
    for _n in range(tutors):
        tutor = TutorFactory.create(organization=world.program.lead_university)
        for _k in range(5):
            s.submit_supervision_rating(
                user=rater(world, tutor, world.practice_tutor), **scores(comment="Fine.")
            )


@pytest.mark.parametrize("name", ["program_admin", "coordinator"])
def test_rating_aggregates_query_count_is_flat(world: Cast, outsider: User, name: str) -> None:
    client = client_for(person(world, name, outsider))
    api = api_for(person(world, name, outsider))
    _more_ratings(world, 1)
    assert_flat_queries(
        lambda: client.get(reverse("internal-supervision:rating-aggregates")),
        lambda: _more_ratings(world, 4),
        max_queries=12,
    )
    assert_flat_queries(
        lambda: api.get(reverse("api:supervision-rating-aggregates")),
        lambda: _more_ratings(world, 2),
        max_queries=8,
    )
