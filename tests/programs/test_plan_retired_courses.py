"""A course retired from the curriculum is offered to no plan any more: the service that sets a
plan's courses refuses it with a field error, for the page and the API alike; a plan that took
the course before it was retired keeps it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programs import models as m
from programs.training.services import training
from tests.cast import Cast
from tests.clients import api_for, client_for

from .factories import CourseFactory

pytestmark = pytest.mark.django_db

RETIRED = (
    "This course was retired from the curriculum of {program} and is no longer offered: {codes}."
)


def offered(cast: Cast, code: str) -> m.Course:
    course = CourseFactory(code=code)
    m.ProgramCourse.objects.create(
        program=cast.program, course=course, requirement="elective", semester=1
    )
    return course


def retire(cast: Cast, course: m.Course) -> None:
    m.ProgramCourse.objects.filter(program=cast.program, course=course).update(
        retired_at=timezone.now()
    )


def draft(cast: Cast, courses: list[m.Course]) -> m.TrainingPlan:
    return training.draft_plan(
        user=cast.student.user,
        student=cast.student,
        career_goal="clinical",
        personal_objectives="Read CT.",
        courses=courses,
    )


def test_a_new_plan_cannot_take_a_retired_course(cast: Cast) -> None:
    kept, retired = offered(cast, "C100"), offered(cast, "C200")
    retire(cast, retired)

    with pytest.raises(ValidationError) as error:
        draft(cast, [kept, retired])

    assert error.value.message_dict == {
        "courses": [RETIRED.format(program=cast.program.code, codes="C200")]
    }
    assert not m.TrainingPlan.objects.filter(student=cast.student).exists()


def test_a_retired_course_and_a_stray_one_are_reported_together(cast: Cast) -> None:
    retired = offered(cast, "C200")
    retire(cast, retired)

    with pytest.raises(ValidationError) as error:
        draft(cast, [retired, CourseFactory(code="X999")])

    assert error.value.message_dict["courses"] == [
        f"Not in the curriculum of {cast.program.code}: X999.",
        RETIRED.format(program=cast.program.code, codes="C200"),
    ]


def test_a_plan_keeps_a_course_retired_after_it_took_it_but_cannot_add_another(
    cast: Cast,
) -> None:
    first, second = offered(cast, "C100"), offered(cast, "C200")
    plan = draft(cast, [first])
    retire(cast, first)
    retire(cast, second)

    training.update_plan(user=cast.student.user, plan=plan, courses=[first])
    assert list(plan.courses.all()) == [first]
    with pytest.raises(ValidationError) as error:
        training.update_plan(user=cast.student.user, plan=plan, courses=[first, second])

    assert error.value.message_dict == {
        "courses": [RETIRED.format(program=cast.program.code, codes="C200")]
    }
    assert list(plan.courses.all()) == [first]


def test_the_api_refuses_a_retired_course_with_a_field_error(cast: Cast) -> None:
    retired = offered(cast, "C200")
    retire(cast, retired)

    response = api_for(cast.student.user).post(
        reverse("api:training-plan-list"),
        {
            "student": cast.student.pk,
            "career_goal": "clinical",
            "personal_objectives": "Read CT.",
            "courses": [retired.pk],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.data["courses"] == [RETIRED.format(program=cast.program.code, codes="C200")]
    assert not m.TrainingPlan.objects.filter(student=cast.student).exists()


def test_the_api_refuses_adding_a_retired_course_to_a_draft(cast: Cast) -> None:
    plan = draft(cast, [])
    retired = offered(cast, "C200")
    retire(cast, retired)

    response = api_for(cast.student.user).patch(
        reverse("api:training-plan-detail", args=[plan.pk]),
        {
            "student": cast.student.pk,
            "career_goal": "clinical",
            "personal_objectives": "Read CT.",
            "courses": [retired.pk],
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.data) == ["courses"]
    assert not plan.courses.exists()


def test_the_page_does_not_offer_a_retired_course(cast: Cast) -> None:
    kept, retired = offered(cast, "C100"), offered(cast, "C200")
    retire(cast, retired)

    page = client_for(cast.student.user).get(reverse("programs:my-plan")).content.decode()

    assert f'value="{kept.pk}"' in page
    assert f'value="{retired.pk}"' not in page
