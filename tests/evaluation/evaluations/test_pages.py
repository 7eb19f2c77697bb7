"""The pages of evaluations for every role of the cast: the quality assessment (indicators),
the rounds (list, open, page, close), what one owes and the form to answer it, the results;
form errors on the page (200), query counts flat as data grows, the home-page item and the
navigation entry.

In these stories the round `opened(world)` is open; Tom owes an evaluation of Stan.
"""

from __future__ import annotations

from typing import Any

import pytest

from evaluation.evaluations import services
from evaluation.models import Evaluation, EvaluationRequest, EvaluationRound, Indicator, Source
from tests.cast import matrix
from tests.clients import client_for
from tests.evaluation.conftest import ROLES
from tests.programs.factories import ProgramFactory
from tests.queries import assert_flat_queries
from training_portal.core.attention import attention_for
from training_portal.core.navigation import entries_for

from .conftest import DEADLINE, PERIOD, World, full_scores, more_students_of, opened, owed

pytestmark = pytest.mark.django_db


#: Who may see the program (and its rounds): all but the other coordinator and the outsider.
SEE = matrix(
    ROLES,
    admin=200,
    program_admin=200,
    coordinator=200,
    other_coordinator=404,
    tutor=200,
    practice_tutor=200,
    other_tutor=200,
    student=200,
    other_student=200,
    outsider=404,
    anonymous=302,
)
#: Who may act as the program's administrators: others who see it get 403.
ADMINISTER = matrix(
    ROLES,
    admin=200,
    program_admin=200,
    coordinator=403,
    other_coordinator=404,
    tutor=403,
    practice_tutor=403,
    other_tutor=403,
    student=403,
    other_student=403,
    outsider=404,
    anonymous=302,
)


def redirected_ok(code: int, expected: int) -> bool:
    """A successful POST redirects (302) where the matrix says 200."""
    return code == (302 if expected == 200 else expected)


# ---- Indicators ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "code"), SEE)
def test_who_reads_the_quality_assessment(world: World, role: str, code: int) -> None:
    response = client_for(world.person(role)).get(
        f"/evaluation/programs/{world.program.pk}/indicators/"
    )
    assert response.status_code == code
    if code == 200:
        text = response.content.decode()
        assert "Practice ability" in text
        assert ("indicators-TOTAL_FORMS" in text) == (role in ("admin", "program_admin"))


def post_indicators(world: World, user: Any, weights: tuple[str, str, str]) -> Any:
    data: dict[str, Any] = {
        "indicators-TOTAL_FORMS": "3",
        "indicators-INITIAL_FORMS": "3",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "50",
    }
    for index, (indicator, weight) in enumerate(zip(world.indicators, weights, strict=True)):
        data.update(
            {
                f"indicators-{index}-id": indicator.pk,
                f"indicators-{index}-category": indicator.category,
                f"indicators-{index}-name": indicator.name,
                f"indicators-{index}-weight": weight,
                f"indicators-{index}-scale_min": indicator.scale_min,
                f"indicators-{index}-scale_max": indicator.scale_max,
            }
        )
    return client_for(user).post(f"/evaluation/programs/{world.program.pk}/indicators/", data)


@pytest.mark.parametrize(("role", "code"), ADMINISTER)
def test_who_edits_the_indicators(world: World, role: str, code: int) -> None:
    response = post_indicators(world, world.person(role), ("40.00", "40.00", "20.00"))
    assert redirected_ok(response.status_code, code)
    changed = Indicator.objects.filter(weight="40.00").count() == 2
    assert changed == (code == 200)


def test_weights_not_adding_up_are_shown_on_the_form(world: World) -> None:
    response = post_indicators(world, world.program_admin, ("40.00", "40.00", "10.00"))
    assert response.status_code == 200
    assert "they must add up to exactly 100" in response.content.decode()
    assert not Indicator.objects.filter(weight="40.00").exists()


def test_a_row_error_is_shown_on_its_row(world: World) -> None:
    Indicator.objects.filter(pk=world.indicators[1].pk).update(name="Research output")
    response = post_indicators(world, world.program_admin, ("40.00", "0.001", "20.00"))
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors


def test_the_quality_assessment_page_has_flat_queries(world: World) -> None:
    client = client_for(world.program_admin)
    count = [0]

    def grow() -> None:
        for indicator in Indicator.objects.filter(program=world.program):
            indicator.weight = "10.00"
            indicator.save()
        for index in range(7):
            count[0] += 1
            Indicator.objects.create(
                program=world.program, category="other", name=f"Extra {index}", weight="10.00"
            )

    assert_flat_queries(
        lambda: client.get(f"/evaluation/programs/{world.program.pk}/indicators/"),
        grow,
        max_queries=20,
    )


# ---- Rounds --------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "code"), ADMINISTER)
def test_who_opens_a_round(world: World, role: str, code: int) -> None:
    client = client_for(world.person(role))
    url = f"/evaluation/programs/{world.program.pk}/rounds/new/"
    assert client.get(url).status_code == code
    response = client.post(
        url,
        {
            "title": "Autumn",
            "period_start": PERIOD[0].isoformat(),
            "period_end": PERIOD[1].isoformat(),
            "deadline": DEADLINE.isoformat(),
            "sources": [Source.SELF, Source.TUTOR],
        },
    )
    assert redirected_ok(response.status_code, code)
    assert EvaluationRound.objects.filter(title="Autumn").exists() == (code == 200)


def test_the_round_form_offers_a_checkbox_per_source(world: World) -> None:
    """The sources are ticked one by one (a multiple choice, not a single on/off box)."""
    page = client_for(world.program_admin).get(
        f"/evaluation/programs/{world.program.pk}/rounds/new/"
    )
    html = page.content.decode()
    for source in Source.values:
        assert f'name="sources" value="{source}"' in html, source
    assert 'name="sources" id=""' not in html


def test_a_round_with_a_past_deadline_is_a_form_error(world: World) -> None:
    response = client_for(world.program_admin).post(
        f"/evaluation/programs/{world.program.pk}/rounds/new/",
        {
            "title": "Late",
            "period_start": PERIOD[0].isoformat(),
            "period_end": PERIOD[1].isoformat(),
            "deadline": "2000-01-01",
            "sources": [Source.SELF],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"]
    assert not EvaluationRound.objects.exists()


@pytest.mark.parametrize(("role", "code"), SEE)
def test_who_sees_a_round_and_its_results(world: World, role: str, code: int) -> None:
    round_ = opened(world)
    client = client_for(world.person(role))
    assert client.get(f"/evaluation/rounds/{round_.pk}/").status_code == code
    assert client.get(f"/evaluation/rounds/{round_.pk}/results/").status_code == code
    listed = client.get("/evaluation/rounds/")
    assert listed.status_code == (302 if role == "anonymous" else 200)
    if role != "anonymous":
        assert ("Spring evaluations" in listed.content.decode()) == (code == 200)


def test_the_round_list_filters_by_program(world: World) -> None:
    opened(world)
    other = ProgramFactory(code="OTHER-1")
    EvaluationRound.objects.create(
        program=other,
        title="Other program's round",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        deadline=DEADLINE,
    )
    client = client_for(world.admin)

    def titles(query: str) -> tuple[bool, bool]:
        page = client.get(f"/evaluation/rounds/{query}").content.decode()
        return "Spring evaluations" in page, "Other program&#x27;s round" in page

    assert titles("") == (True, True)
    assert titles(f"?program={world.program.pk}") == (True, False)
    assert titles(f"?program={other.pk}") == (False, True)
    assert titles("?program=abc") == (True, True)
    # A program the user may not see: nothing of it, and no error.
    tutor = client_for(world.tutor.user)
    page = tutor.get(f"/evaluation/rounds/?program={other.pk}")
    assert page.status_code == 200 and "Other program" not in page.content.decode()


def test_the_inspector_sees_the_round_they_owe_in(world: World) -> None:
    round_ = opened(world)
    response = client_for(world.inspector).get(f"/evaluation/rounds/{round_.pk}/")
    assert response.status_code == 200
    assert "/evaluation/owed/" in response.content.decode()


@pytest.mark.parametrize(("role", "code"), ADMINISTER)
def test_who_closes_a_round(world: World, role: str, code: int) -> None:
    round_ = opened(world)
    response = client_for(world.person(role)).post(f"/evaluation/rounds/{round_.pk}/close/")
    assert redirected_ok(response.status_code, code)
    round_.refresh_from_db()
    assert (round_.status == EvaluationRound.Status.CLOSED) == (code == 200)


def test_the_round_page_shows_progress_to_administrators_only(world: World) -> None:
    round_ = opened(world)
    assert (
        "Progress"
        in client_for(world.program_admin).get(f"/evaluation/rounds/{round_.pk}/").content.decode()
    )
    assert (
        "Progress"
        not in client_for(world.tutor.user).get(f"/evaluation/rounds/{round_.pk}/").content.decode()
    )


def test_round_pages_have_flat_queries(world: World) -> None:
    round_ = opened(world)
    client = client_for(world.program_admin)

    def grow() -> None:
        more_students_of(world, world.tutor, 3)
        new = opened(world, title="Another")
        for request in EvaluationRequest.objects.filter(
            round__in=[round_, new],
            source__in=[Source.TUTOR, Source.SELF],
            status=EvaluationRequest.Status.PENDING,
        ).select_related("evaluator"):
            services.submit_evaluation(
                user=request.evaluator, request=request, scores=full_scores(world)
            )

    for url in (
        "/evaluation/rounds/",
        f"/evaluation/rounds/{round_.pk}/",
        f"/evaluation/rounds/{round_.pk}/results/",
    ):
        assert_flat_queries(lambda url=url: client.get(url), grow, max_queries=25)


# ---- Owing and answering -------------------------------------------------------------------


def test_what_one_owes_is_listed_with_links(world: World) -> None:
    round_ = opened(world)
    response = client_for(world.student.user).get("/evaluation/mine/")
    text = response.content.decode()
    for request in EvaluationRequest.objects.filter(round=round_, evaluator=world.student.user):
        assert f"/evaluation/owed/{request.pk}/" in text
    assert "Tom Tutor" in text  # Stan owes an evaluation of Tom


@pytest.mark.parametrize("role", ROLES)
def test_the_list_of_what_one_owes_is_for_everyone_signed_in(world: World, role: str) -> None:
    opened(world)
    response = client_for(world.person(role)).get("/evaluation/mine/")
    assert response.status_code == (302 if role == "anonymous" else 200)


def test_the_list_of_what_one_owes_has_flat_queries(world: World) -> None:
    opened(world)
    client = client_for(world.student.user)

    def grow() -> None:
        opened(world, title="Second")
        opened(world, title="Third")

    assert_flat_queries(lambda: client.get("/evaluation/mine/"), grow, max_queries=15)


@pytest.mark.parametrize(
    ("role", "code"),
    matrix(
        ROLES,
        admin=403,
        program_admin=403,
        coordinator=404,
        other_coordinator=404,
        tutor=200,
        practice_tutor=404,
        other_tutor=404,
        student=404,
        other_student=404,
        outsider=404,
        anonymous=302,
    ),
)
def test_only_the_evaluator_answers(world: World, role: str, code: int) -> None:
    request = owed(opened(world), Source.TUTOR, world.tutor.user)
    client = client_for(world.person(role))
    assert client.get(f"/evaluation/owed/{request.pk}/").status_code == code
    scores = {f"score_{pk}": value for pk, value in full_scores(world).items()}
    response = client.post(f"/evaluation/owed/{request.pk}/", {**scores, "comment": "Good"})
    assert redirected_ok(response.status_code, code)
    assert Evaluation.objects.exists() == (code == 200)


def test_a_missing_score_is_a_form_error(world: World) -> None:
    request = owed(opened(world), Source.TUTOR, world.tutor.user)
    first = world.indicators[0]
    response = client_for(world.tutor.user).post(
        f"/evaluation/owed/{request.pk}/", {f"score_{first.pk}": 3}
    )
    assert response.status_code == 200
    assert len(response.context["form"].errors) == 2
    assert not Evaluation.objects.exists()


def test_a_given_evaluation_shows_thanks_and_cannot_be_given_again(world: World) -> None:
    request = owed(opened(world), Source.TUTOR, world.tutor.user)
    services.submit_evaluation(user=world.tutor.user, request=request, scores=full_scores(world))
    client = client_for(world.tutor.user)
    assert (
        "You have given this evaluation"
        in client.get(f"/evaluation/owed/{request.pk}/").content.decode()
    )
    scores = {f"score_{pk}": value for pk, value in full_scores(world).items()}
    assert client.post(f"/evaluation/owed/{request.pk}/", scores).status_code == 403


def test_the_home_page_item_and_the_navigation(world: World) -> None:
    assert attention_for(world.student.user) == [] or all(
        item.url != "/evaluation/mine/" for item in attention_for(world.student.user)
    )
    opened(world)
    [item] = [i for i in attention_for(world.student.user) if i.url == "/evaluation/mine/"]
    assert (item.count, item.level) == (4, "primary")
    EvaluationRound.objects.update(deadline=PERIOD[0])
    [item] = [i for i in attention_for(world.student.user) if i.url == "/evaluation/mine/"]
    assert item.level == "danger"
    labels = [str(e.label) for e in entries_for(world.student.user)]
    assert "Evaluations" in labels
    assert "Evaluations" not in [str(e.label) for e in entries_for(world.outsider)]


@pytest.mark.parametrize(
    ("role", "code"),
    matrix(
        ROLES,
        admin=200,
        program_admin=200,
        coordinator=200,
        other_coordinator=404,
        tutor=200,
        practice_tutor=200,
        other_tutor=404,
        student=404,
        other_student=404,
        outsider=404,
        anonymous=302,
    ),
)
def test_who_sees_the_results_about_a_student(world: World, role: str, code: int) -> None:
    """Stan's page shows what his tutor said, to those who may read it (while the round is
    open, not yet to Stan: a subject with nothing one may see is not found)."""
    round_ = opened(world)
    request = owed(round_, Source.TUTOR, world.tutor.user)
    services.submit_evaluation(user=world.tutor.user, request=request, scores=full_scores(world))
    url = f"/evaluation/rounds/{round_.pk}/results/student/{world.student.pk}/"
    response = client_for(world.person(role)).get(url)
    assert response.status_code == code
    if code == 200:
        assert "68.50" in response.content.decode()


def test_the_round_page_offers_the_indicators_only_to_those_who_may_open_them(
    world: World,
) -> None:
    """An inspector evaluates in the round but may not open the program's indicators: no
    link to a page that would answer 404."""
    round_ = opened(world)
    indicators = f"/evaluation/programs/{world.program.pk}/indicators/"
    for user, offered in ((world.program_admin, True), (world.inspector, False)):
        client = client_for(user)
        page = client.get(f"/evaluation/rounds/{round_.pk}/").content.decode()
        assert (indicators in page) is offered
        assert client.get(indicators).status_code == (200 if offered else 404)
