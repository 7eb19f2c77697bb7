"""Partner scores: the inputs each component reads, reproducibility from stored inputs, the
ranking per kind with the bottom share, recommendations (threshold, two periods running),
decisions written to the organisation's status history, the background job, and who sees and
does what on the pages and the API, with query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluation.models import (
    EvaluationRound,
    PartnerScore,
    PartnerScoreRun,
    ProbationDecision,
)
from evaluation.scores import formula, services
from evaluation.scores.demo import seed_scores_demo
from programs import models as m
from tests.clients import api_for, client_for
from tests.queries import assert_flat_queries, count_queries
from training_portal.core.attention import attention_for
from training_portal.core.models import Job
from training_portal.core.navigation import entries_for

from .conftest import END, START, YEAR, World, anonymous, evaluation_round, points, scored

pytestmark = pytest.mark.django_db


def score_of(run: PartnerScoreRun, organization: m.Organization) -> PartnerScore:
    return run.scores.get(organization=organization)


# ---- Inputs and components -----------------------------------------------------------------


def test_the_inputs_of_a_partner_are_read_from_every_source(data: World) -> None:
    run = scored(data)
    score = score_of(run, data.cast.hospital)
    assert score.inputs == {
        "evaluations": {
            "named_count": 2,
            "named_sum": "140.00",
            "anonymous_count": 0,  # four answers: too few, left out
            "anonymous_sum": "0",
        },
        "responsibilities": {"held": 2, "unfulfilled": 1},
        "findings": {"major": 1, "critical": 1},
        "funds": {"expenditures": 3, "flagged": 1},
        "rewards": {"points": "6.00", "best_of_kind": "12.00"},
    }
    assert score.components == {
        "evaluations": "70.00",
        "responsibilities": "50.00",
        "findings": "65.00",
        "funds": "66.67",
        "rewards": "50.00",
    }
    assert score.score == Decimal("62.50")


def test_anonymous_answers_count_per_round_from_the_minimum_on(data: World) -> None:
    # The data's round holds 4 answers about the hospital's practice tutor; a 5th in another
    # round makes no round reach the minimum: none count (their difference would be it).
    elsewhere = evaluation_round(data.cast.program)
    anonymous(elsewhere, "90", subject_kind="tutor", tutor=data.cast.practice_tutor)
    inputs = score_of(scored(data, label="elsewhere"), data.cast.hospital).inputs
    assert inputs["evaluations"]["anonymous_count"] == 0
    # A 5th in the data's round: that round's five count.
    round_ = EvaluationRound.objects.filter(program=data.cast.program).order_by("pk").first()
    anonymous(round_, "50", subject_kind="tutor", tutor=data.cast.practice_tutor)
    score = score_of(scored(data), data.cast.hospital)
    assert score.inputs["evaluations"]["anonymous_count"] == 5
    assert Decimal(score.inputs["evaluations"]["anonymous_sum"]) == Decimal(150)
    # (140 + 150) / 7
    assert score.components["evaluations"] == "41.43"


def test_anonymous_answers_of_an_open_round_do_not_count_yet(data: World) -> None:
    """A score recomputed after each new answer would give that answer away."""
    before = score_of(scored(data), data.cast.hospital).inputs["evaluations"]
    round_ = evaluation_round(data.cast.program, status=EvaluationRound.Status.OPEN)
    for _ in range(5):
        anonymous(round_, "90", subject_kind="tutor", tutor=data.cast.practice_tutor)
    after = score_of(scored(data), data.cast.hospital).inputs["evaluations"]
    assert after["anonymous_count"] == before["anonymous_count"]
    assert after["anonymous_sum"] == before["anonymous_sum"]
    round_.status = EvaluationRound.Status.CLOSED
    round_.save(update_fields=["status"])
    closed = score_of(scored(data), data.cast.hospital).inputs["evaluations"]
    # The data's 4 answers (too few in their round) stay out; this round's 5 count.
    assert (before["anonymous_count"], closed["anonymous_count"]) == (0, 5)


def test_evaluations_outside_the_period_do_not_count(data: World) -> None:
    run = scored(data, start=dt.date(YEAR - 1, 1, 1), end=dt.date(YEAR - 1, 12, 31))
    score = score_of(run, data.cast.hospital)
    assert score.inputs["evaluations"]["named_count"] == 0
    assert score.inputs["funds"]["expenditures"] == 1
    assert score.inputs["rewards"]["points"] == "50.00"
    # Findings found after the period's end do not count against it.
    assert score.inputs["findings"] == {"major": 0, "critical": 0}


def test_every_stored_score_is_reproduced_from_its_stored_inputs(data: World) -> None:
    weights = {
        "evaluations": "30.5",
        "responsibilities": "19.5",
        "findings": 25,
        "funds": 15,
        "rewards": 10,
    }
    for run in (scored(data), scored(data, weights=weights, label="other weights")):
        for score in run.scores.all():
            assert formula.score_from_inputs(score.inputs, run.weights) == score.score
            recomputed = formula.components_from_inputs(score.inputs)
            assert {k: str(v) for k, v in recomputed.items()} == score.components


def test_only_active_partners_that_have_not_exited_are_scored(data: World) -> None:
    m.ProgramPartner.objects.filter(organization=data.maker).update(is_active=False)
    data.third.status = m.Organization.Status.EXITED
    data.third.save()
    run = scored(data)
    assert set(run.scores.values_list("organization_id", flat=True)) == {
        data.cast.hospital.pk,
        data.cast.other_hospital.pk,
    }


def test_computing_reads_with_a_fixed_number_of_queries(data: World) -> None:
    few, _ = count_queries(lambda: scored(data, label="few"))
    for index in range(6):
        organization = m.Organization.objects.create(name=f"Extra {index}", kind="hospital")
        m.ProgramPartner.objects.create(
            program=data.cast.program, organization=organization, agreement_start=START
        )
    many, _ = count_queries(lambda: scored(data, label="many"))
    assert few == many


def test_a_finished_run_is_not_computed_again(data: World) -> None:
    run = scored(data)
    before = list(run.scores.values_list("pk", "score"))
    assert services.compute_scores(run) == 4
    assert list(run.scores.values_list("pk", "score")) == before


# ---- Ranking, bottom share, recommendations ------------------------------------------------


def test_partners_are_ranked_within_their_kind(data: World) -> None:
    run = scored(data)
    ranked = [
        (s.organization.name, s.kind, s.score, s.rank, s.in_bottom_share)
        for s in run.scores.select_related("organization").order_by("kind", "rank")
    ]
    assert ranked == [
        ("Maker Ltd", "enterprise", Decimal("60.00"), 1, False),
        ("Second Hospital", "hospital", Decimal("65.00"), 1, False),
        ("First Hospital", "hospital", Decimal("62.50"), 2, False),
        ("Third Hospital", "hospital", Decimal("55.00"), 3, True),
    ]
    assert not run.scores.exclude(recommendation="").exists()


def test_equal_scores_share_a_rank(world: World) -> None:
    run = scored(world)
    hospitals = run.scores.filter(kind="hospital")
    assert set(hospitals.values_list("rank", flat=True)) == {1}
    # The bottom share (one of three) takes those tied with its last one: names do not
    # decide between equal scores.
    assert hospitals.count() == 3
    assert hospitals.filter(in_bottom_share=True).count() == 3


def test_below_the_threshold_is_recommended(data: World) -> None:
    run = scored(data, threshold="63")
    recommended = {
        s.organization_id: s.recommendation for s in run.scores.exclude(recommendation="")
    }
    assert recommended == {
        data.cast.hospital.pk: "below_threshold",
        data.third.pk: "below_threshold",
        data.maker.pk: "below_threshold",
    }


def test_bottom_share_two_periods_running_is_recommended(data: World) -> None:
    first = scored(data, start=dt.date(YEAR - 1, 1, 1), end=dt.date(YEAR - 1, 12, 31))
    assert score_of(first, data.third).in_bottom_share
    assert score_of(first, data.third).recommendation == ""
    second = scored(data)
    assert services.previous_run(second) == first
    assert score_of(second, data.third).recommendation == "bottom_twice"
    assert run_recommendations(second) == {data.third.pk}


def run_recommendations(run: PartnerScoreRun) -> set[int]:
    return set(run.scores.exclude(recommendation="").values_list("organization_id", flat=True))


def test_bottom_share_once_is_not_enough(data: World) -> None:
    # Last year the third hospital earned points and Second Hospital was the bottom one.
    points(data.cast.program, data.third, 20, dt.date(YEAR - 1, 3, 1))
    first = scored(data, start=dt.date(YEAR - 1, 1, 1), end=dt.date(YEAR - 1, 12, 31))
    bottom = set(first.scores.filter(in_bottom_share=True).values_list("organization", flat=True))
    assert bottom == {data.cast.other_hospital.pk}
    second = scored(data)
    assert score_of(second, data.third).in_bottom_share
    assert run_recommendations(second) == set()


# ---- Starting a run (the job) --------------------------------------------------------------


def test_a_portal_administrator_starts_a_run_computed_by_a_job(
    data: World, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_partner_scores(
            user=data.people["admin"], period_start=START, period_end=END, label=str(YEAR)
        )
    run.refresh_from_db()
    job = Job.objects.get(pk=run.job_id)
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress_done == job.progress_total == services.STAGES
    assert job.result == {"run": run.pk, "scores": 4}
    assert run.finished_at is not None
    assert run.weights == formula.clean_weights(None)
    assert run.threshold == formula.DEFAULT_THRESHOLD
    assert score_of(run, data.cast.hospital).score == Decimal("62.50")


@pytest.mark.parametrize("name", ["program_admin", "coordinator", "tutor", "student", "outsider"])
def test_only_portal_administrators_start_a_run(data: World, name: str) -> None:
    with pytest.raises(PermissionDenied):
        services.start_partner_scores(
            user=data.people[name], period_start=START, period_end=END, label="x"
        )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"label": " "}, {"label"}),
        ({"period_end": START - dt.timedelta(days=1)}, {"period_end"}),
        ({"weights": formula.DEFAULT_WEIGHTS | {"rewards": 0}}, {"weights"}),
        ({"threshold": "120"}, {"threshold"}),
        ({"bottom_share": "100"}, {"bottom_share"}),
        ({"label": "", "threshold": "x"}, {"label", "threshold"}),
    ],
)
def test_a_run_is_validated(data: World, fields: dict[str, Any], errors: set[str]) -> None:
    values: dict[str, Any] = {"period_start": START, "period_end": END, "label": "2026"}
    values.update(fields)
    with pytest.raises(ValidationError) as caught:
        services.start_partner_scores(user=data.people["admin"], **values)
    assert set(caught.value.message_dict) == errors
    assert not PartnerScoreRun.objects.exists()
    assert not Job.objects.exists()


# ---- Decisions -----------------------------------------------------------------------------


@pytest.fixture
def recommended(data: World) -> PartnerScore:
    """The hospital's score, below a threshold of 63."""
    return score_of(scored(data, threshold="63"), data.cast.hospital)


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        ("probation", "probation"),
        ("suspend_placements", "suspended"),
        ("exit", "exited"),
    ],
)
def test_a_decision_changes_the_status_and_its_history_records_it(
    data: World, recommended: PartnerScore, decision: str, status: str
) -> None:
    admin = data.people["admin"]
    made = services.decide_probation(
        user=admin, score=recommended, decision=decision, reason="Two bad years."
    )
    hospital = m.Organization.objects.get(pk=data.cast.hospital.pk)
    assert hospital.status == status
    change = hospital.status_changes.get()
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "active",
        status,
        "Two bad years.",
        admin,
    )
    assert (made.decision, made.decided_by, made.score) == (decision, admin, recommended)


def test_no_action_leaves_the_status_as_it_is(data: World, recommended: PartnerScore) -> None:
    services.decide_probation(
        user=data.people["admin"], score=recommended, decision="no_action", reason="Improving."
    )
    hospital = m.Organization.objects.get(pk=data.cast.hospital.pk)
    assert hospital.status == "active"
    assert not hospital.status_changes.exists()
    assert ProbationDecision.objects.get().decision == "no_action"


def test_a_decision_needs_a_reason(data: World, recommended: PartnerScore) -> None:
    with pytest.raises(ValidationError) as caught:
        services.decide_probation(
            user=data.people["admin"], score=recommended, decision="probation", reason=" "
        )
    assert "reason" in caught.value.message_dict
    assert not ProbationDecision.objects.exists()
    assert m.Organization.objects.get(pk=data.cast.hospital.pk).status == "active"


def test_a_recommendation_is_decided_once(data: World, recommended: PartnerScore) -> None:
    admin = data.people["admin"]
    services.decide_probation(user=admin, score=recommended, decision="no_action", reason="Ok.")
    with pytest.raises(ValidationError) as caught:
        services.decide_probation(user=admin, score=recommended, decision="exit", reason="No.")
    assert "decision" in caught.value.message_dict
    assert m.Organization.objects.get(pk=data.cast.hospital.pk).status == "active"


def test_only_recommendations_are_decided(data: World) -> None:
    score = score_of(scored(data), data.cast.hospital)
    with pytest.raises(ValidationError) as caught:
        services.decide_probation(
            user=data.people["admin"], score=score, decision="probation", reason="Why not."
        )
    assert "decision" in caught.value.message_dict


def test_a_decision_to_the_current_status_is_refused_and_nothing_is_saved(
    data: World, recommended: PartnerScore
) -> None:
    m.Organization.objects.filter(pk=data.cast.hospital.pk).update(status="probation")
    with pytest.raises(ValidationError) as caught:
        services.decide_probation(
            user=data.people["admin"], score=recommended, decision="probation", reason="Again."
        )
    assert "decision" in caught.value.message_dict
    assert not ProbationDecision.objects.exists()


@pytest.mark.parametrize("name", ["program_admin", "coordinator", "tutor", "student"])
def test_only_portal_administrators_decide(
    data: World, recommended: PartnerScore, name: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.decide_probation(
            user=data.people[name], score=recommended, decision="exit", reason="No."
        )


def test_portal_administrators_are_told_of_undecided_recommendations(
    data: World, recommended: PartnerScore
) -> None:
    admin = data.people["admin"]
    items = [item for item in attention_for(admin) if item.url.endswith("/recommendations/")]
    assert [item.count for item in items] == [3]
    assert not [
        item
        for item in attention_for(data.cast.program_admin)
        if item.url.endswith("/recommendations/")
    ]


# ---- Who sees which scores -----------------------------------------------------------------

SEES = {
    "admin": 4,
    "program_admin": 4,
    "coordinator": 1,
    "other_coordinator": 1,
    "tutor": 0,
    "practice_tutor": 0,
    "other_tutor": 0,
    "student": 0,
    "other_student": 0,
    "outsider": 0,
    "anonymous": 0,
}


@pytest.mark.parametrize(("name", "count"), SEES.items())
def test_who_sees_which_scores(data: World, name: str, count: int) -> None:
    scored(data)
    user = data.people[name] or AnonymousUser()
    assert PartnerScore.objects.visible_to(user).count() == count


def test_a_program_administrator_sees_only_the_partners_of_their_programs(data: World) -> None:
    elsewhere = m.Organization.objects.create(name="Elsewhere Hospital", kind="hospital")
    other_program = m.Program.objects.create(
        code="OTH001",
        title="Other",
        discipline="Other",
        degree_type=data.cast.program.degree_type,
        lead_university=data.cast.program.lead_university,
        start_date=START,
    )
    m.ProgramPartner.objects.create(
        program=other_program, organization=elsewhere, agreement_start=START
    )
    run = scored(data)
    assert run.scores.count() == 5
    assert PartnerScore.objects.visible_to(data.cast.program_admin).count() == 4
    assert PartnerScore.objects.visible_to(data.people["admin"]).count() == 5


# ---- Pages ---------------------------------------------------------------------------------

#: The pages of those who see scores (others: 403).
SCORE_ROLES = {
    "admin": 200,
    "program_admin": 200,
    "coordinator": 200,
    "other_coordinator": 200,
    "tutor": 403,
    "practice_tutor": 403,
    "other_tutor": 403,
    "student": 403,
    "other_student": 403,
    "outsider": 403,
    "anonymous": 302,
}
#: The ranking is a list of records: everyone signed in gets the scores they may see (none,
#: and no run, for those outside `SEES_RUNS`, as the API gives them).
RANKING = {name: (302 if name == "anonymous" else 200) for name in SCORE_ROLES}
SEES_RUNS = {name for name, status in SCORE_ROLES.items() if status == 200}
FORMULA = {name: (302 if name == "anonymous" else 200) for name in RANKING}
SCORE = {
    "admin": 200,
    "program_admin": 200,
    "coordinator": 200,
    "other_coordinator": 404,
    "tutor": 404,
    "practice_tutor": 404,
    "other_tutor": 404,
    "student": 404,
    "other_student": 404,
    "outsider": 404,
    "anonymous": 302,
}
DECIDE = {**SCORE, "admin": 302, "program_admin": 403, "coordinator": 403}
ORGANISATION = {**SCORE_ROLES, "other_coordinator": 404}
ADMIN_ONLY = {
    name: (200 if name == "admin" else 302 if name == "anonymous" else 403) for name in RANKING
}
START_RUN = {**ADMIN_ONLY, "admin": 302}


@pytest.mark.parametrize(("name", "expected"), RANKING.items())
def test_ranking_pages_by_role(data: World, name: str, expected: int) -> None:
    run = scored(data)
    client = client_for(data.people[name])
    latest = client.get(reverse("partner_scores:ranking"))
    assert latest.status_code == expected
    response = client.get(reverse("partner_scores:run", args=[run.pk]))
    assert response.status_code == expected
    if expected == 200:
        shown = {score.organization_id for score in response.context["scores"]}
        assert len(shown) == SEES[name]
        page = latest.content.decode()
        # Those who see no score learn nothing of the runs either (the API refuses `runs/`):
        # no period, no threshold, no link to a run; the formula stays linked.
        assert ("Period from" in page) == (name in SEES_RUNS)
        assert ("Period from" in response.content.decode()) == (name in SEES_RUNS)
        assert (reverse("partner_scores:run", args=[run.pk]) in page) == (name in SEES_RUNS)
        assert ("No partner score to show." in page) == (name not in SEES_RUNS)
        assert reverse("partner_scores:formula") in page
        # Starting a run and the recommendations stay with the portal administrators.
        assert (reverse("partner_scores:run-start") in page) == (name == "admin")
        assert (reverse("partner_scores:recommendations") in page) == (name == "admin")


def test_the_ranking_without_scores_reads_in_chinese(data: World) -> None:
    scored(data)
    outsider = data.people["outsider"]
    outsider.preferred_language = "zh-hans"
    outsider.save(update_fields=["preferred_language"])
    response = client_for(outsider).get(reverse("partner_scores:ranking"))
    page = response.content.decode()
    assert "暂无可显示的合作单位得分。" in page
    assert "No partner score" not in page


def test_the_ranking_shows_each_kind_and_the_bottom_share(data: World) -> None:
    scored(data)
    page = client_for(data.people["admin"]).get(reverse("partner_scores:ranking")).content.decode()
    assert "Enterprise" in page and "Hospital" in page
    assert (
        page.index("Second Hospital") < page.index("First Hospital") < page.index("Third Hospital")
    )
    assert "bottom share" in page


@pytest.mark.parametrize(("name", "expected"), FORMULA.items())
def test_the_formula_page_is_for_anyone_signed_in(data: World, name: str, expected: int) -> None:
    response = client_for(data.people[name]).get(reverse("partner_scores:formula"))
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert "Fund compliance" in page and "35" in page and str(formula.NEUTRAL) in page


@pytest.mark.parametrize(("name", "expected"), SCORE.items())
def test_score_page_by_role(data: World, name: str, expected: int) -> None:
    score = score_of(scored(data), data.cast.hospital)
    response = client_for(data.people[name]).get(reverse("partner_scores:score", args=[score.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert response.context["recomputed"] == score.score


@pytest.mark.parametrize(("name", "expected"), DECIDE.items())
def test_decide_page_by_role(
    data: World, recommended: PartnerScore, name: str, expected: int
) -> None:
    url = reverse("partner_scores:decide", args=[recommended.pk])
    response = client_for(data.people[name]).post(
        url, {"decision": "probation", "reason": "Below the threshold."}
    )
    assert response.status_code == expected
    assert ProbationDecision.objects.exists() == (name == "admin")


def test_deciding_without_a_reason_shows_the_form_error(
    data: World, recommended: PartnerScore
) -> None:
    url = reverse("partner_scores:decide", args=[recommended.pk])
    response = client_for(data.people["admin"]).post(url, {"decision": "exit", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not ProbationDecision.objects.exists()


@pytest.mark.parametrize(("name", "expected"), ORGANISATION.items())
def test_organisation_page_by_role(data: World, name: str, expected: int) -> None:
    scored(data, start=dt.date(YEAR - 1, 1, 1), end=dt.date(YEAR - 1, 12, 31))
    scored(data)
    url = reverse("partner_scores:organization", args=[data.cast.hospital.pk])
    response = client_for(data.people[name]).get(url)
    assert response.status_code == expected
    if expected == 200:
        assert [s.run.label for s in response.context["scores"]] == [str(YEAR), str(YEAR - 1)]


@pytest.mark.parametrize(("name", "expected"), ADMIN_ONLY.items())
def test_recommendations_page_by_role(
    data: World, recommended: PartnerScore, name: str, expected: int
) -> None:
    response = client_for(data.people[name]).get(reverse("partner_scores:recommendations"))
    assert response.status_code == expected
    if expected == 200:
        assert len(response.context["page"].object_list) == 3


@pytest.mark.parametrize(("name", "expected"), START_RUN.items())
def test_start_page_by_role(data: World, name: str, expected: int) -> None:
    fields = {
        "label": "2026",
        "period_start": START.isoformat(),
        "period_end": END.isoformat(),
        "threshold": "40",
        "bottom_share": "10",
    } | {f"weight_{key}": value for key, value in formula.DEFAULT_WEIGHTS.items()}
    response = client_for(data.people[name]).post(reverse("partner_scores:run-start"), fields)
    assert response.status_code == expected
    assert PartnerScoreRun.objects.exists() == (name == "admin")


def test_start_form_shows_weight_errors(data: World) -> None:
    fields = {
        "label": "2026",
        "period_start": START.isoformat(),
        "period_end": END.isoformat(),
        "threshold": "40",
        "bottom_share": "10",
    } | {f"weight_{key}": 10 for key in formula.DEFAULT_WEIGHTS}
    response = client_for(data.people["admin"]).post(reverse("partner_scores:run-start"), fields)
    assert response.status_code == 200
    assert response.context["form"].errors["weight_evaluations"]
    assert not PartnerScoreRun.objects.exists()


def test_navigation_entries(data: World) -> None:
    def urls(user: Any) -> set[str]:
        return {entry.url_name for entry in entries_for(user)}

    assert "partner_scores:ranking" in urls(data.cast.coordinator)
    assert "partner_scores:formula" not in urls(data.cast.coordinator)
    assert "partner_scores:formula" in urls(data.cast.student.user)
    assert "partner_scores:ranking" not in urls(data.cast.student.user)


# ---- API -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "count"), SEES.items())
def test_api_lists_the_scores_each_role_sees(data: World, name: str, count: int) -> None:
    run = scored(data)
    response = api_for(data.people[name]).get(
        reverse("api:partner-score-list"), {"run": run.pk, "kind": "hospital"}
    )
    if name == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert response.json()["count"] == min(count, 3)


@pytest.mark.parametrize(("name", "expected"), SCORE.items())
def test_api_score_detail_by_role(data: World, name: str, expected: int) -> None:
    score = score_of(scored(data), data.cast.hospital)
    response = api_for(data.people[name]).get(reverse("api:partner-score-detail", args=[score.pk]))
    assert response.status_code == (401 if expected == 302 else expected)
    if expected == 200:
        body = response.json()
        assert body["score"] == "62.50"
        assert body["inputs"] == score.inputs


@pytest.mark.parametrize(("name", "expected"), SCORE_ROLES.items())
def test_api_runs_by_role(data: World, name: str, expected: int) -> None:
    scored(data)
    response = api_for(data.people[name]).get(reverse("api:partner-score-runs"))
    assert response.status_code == (401 if expected == 302 else expected)


@pytest.mark.parametrize(("name", "expected"), START_RUN.items())
def test_api_start_run_by_role(
    data: World, django_capture_on_commit_callbacks: Any, name: str, expected: int
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        response = api_for(data.people[name]).post(
            reverse("api:partner-score-runs"),
            {"label": "2026", "period_start": START, "period_end": END},
            format="json",
        )
    expected_api = 401 if name == "anonymous" else 202 if expected == 302 else 403
    assert response.status_code == expected_api
    if response.status_code == 202:
        assert response.json()["job"]["status"] == "queued"
        assert response.json()["weights"] == formula.clean_weights(None)


def test_api_start_run_errors_are_400_with_field_errors(data: World) -> None:
    response = api_for(data.people["admin"]).post(
        reverse("api:partner-score-runs"),
        {
            "label": "",
            "period_start": END,
            "period_end": START,
            "weights": formula.DEFAULT_WEIGHTS | {"funds": 50},
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"label", "period_end", "weights"}
    assert not PartnerScoreRun.objects.exists()


@pytest.mark.parametrize(("name", "expected"), DECIDE.items())
def test_api_decide_by_role(
    data: World, recommended: PartnerScore, name: str, expected: int
) -> None:
    url = reverse("api:partner-score-decide", args=[recommended.pk])
    response = api_for(data.people[name]).post(
        url, {"decision": "suspend_placements", "reason": "Below."}, format="json"
    )
    expected_api = 401 if name == "anonymous" else {302: 201, 403: 403, 404: 404}[expected]
    assert response.status_code == expected_api
    if response.status_code == 201:
        assert response.json()["decision"]["decision"] == "suspend_placements"
        assert m.Organization.objects.get(pk=data.cast.hospital.pk).status == "suspended"


def test_api_decide_errors_are_400_with_field_errors(
    data: World, recommended: PartnerScore
) -> None:
    url = reverse("api:partner-score-decide", args=[recommended.pk])
    response = api_for(data.people["admin"]).post(url, {"decision": "maybe"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"decision", "reason"}


def test_api_formula_for_anyone_signed_in(data: World) -> None:
    response = api_for(data.cast.student.user).get(reverse("api:partner-score-formula"))
    assert response.status_code == 200
    assert [c["key"] for c in response.json()["components"]] == list(formula.DEFAULT_WEIGHTS)


# ---- Query counts --------------------------------------------------------------------------


def grow(world: World) -> None:
    """More partners, with a decided recommendation, in a later run."""
    for index in range(5):
        organization = m.Organization.objects.create(name=f"Grown {index}", kind="hospital")
        m.ProgramPartner.objects.create(
            program=world.cast.program, organization=organization, agreement_start=START
        )
    later = scored(
        world, start=END + dt.timedelta(days=1), end=END + dt.timedelta(days=365), threshold="99"
    )
    for score in later.scores.all()[:3]:
        services.decide_probation(
            user=world.people["admin"], score=score, decision="no_action", reason="Fine."
        )


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("partner_scores:ranking"),
        lambda w: reverse("partner_scores:recommendations"),
        lambda w: reverse("partner_scores:organization", args=[w.cast.hospital.pk]),
        lambda w: reverse("partner_scores:formula"),
        lambda w: reverse("api:partner-score-list"),
        lambda w: reverse("api:partner-score-runs"),
    ],
)
def test_score_lists_query_counts_stay_flat(data: World, url: Any) -> None:
    scored(data, threshold="99")
    address = url(data)
    client = (
        api_for(data.people["admin"]) if "/api/" in address else client_for(data.people["admin"])
    )
    assert_flat_queries(lambda: client.get(address), lambda: grow(data), max_queries=14)


@pytest.mark.parametrize("name", ["coordinator", "student", "outsider"])
def test_the_ranking_query_count_stays_flat_for_everyone(data: World, name: str) -> None:
    scored(data, threshold="99")
    client = client_for(data.people[name])
    assert_flat_queries(
        lambda: client.get(reverse("partner_scores:ranking")), lambda: grow(data), max_queries=14
    )


def test_score_page_query_count(data: World, recommended: PartnerScore) -> None:
    services.decide_probation(
        user=data.people["admin"], score=recommended, decision="no_action", reason="Fine."
    )
    for client, url in (
        (client_for(data.people["admin"]), reverse("partner_scores:score", args=[recommended.pk])),
        (api_for(data.people["admin"]), reverse("api:partner-score-detail", args=[recommended.pk])),
    ):
        assert_flat_queries(lambda c=client, u=url: c.get(u), lambda: None, max_queries=10)


# ---- Demo ----------------------------------------------------------------------------------


def test_the_demo_scores_a_period_with_a_recommendation_once(data: World) -> None:
    run = seed_scores_demo(data.people["admin"])
    assert run.finished_at is not None
    assert run.scores.count() == 4
    assert run.scores.exclude(recommendation="").exists()
    for score in run.scores.all():
        assert formula.score_from_inputs(score.inputs, run.weights) == score.score
    assert seed_scores_demo(data.people["admin"]) == run
    assert PartnerScoreRun.objects.count() == 1
