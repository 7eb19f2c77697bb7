"""URL patterns of the training pages: plans, progress logs and their corrections, milestone and
record sign-off, case logs, the lists of plans to approve and overdue milestones."""

from django.urls import URLPattern, path

from .views import cases, lists, plans, records, signoff

urlpatterns: list[URLPattern] = [
    path("signoff/<str:token>/", signoff.signoff, name="signoff"),
    path("students/<int:pk>/logs/new/", plans.log_create, name="log-create"),
    path("logs/<int:pk>/acknowledge/", plans.log_acknowledge, name="log-acknowledge"),
    path("plan/", plans.my_plan, name="my-plan"),
    path("plans/<int:pk>/transition/", plans.plan_transition, name="plan-transition"),
    path("plans/to-approve/", lists.plans_to_approve_list, name="plans-to-approve"),
    path("milestones/overdue/", lists.overdue_milestones_list, name="overdue-milestones"),
    path("logs/<int:pk>/edit/", records.log_edit, name="log-edit"),
    path("logs/<int:pk>/correction/", records.log_correction, name="log-correction"),
    path("milestones/<int:pk>/sign-off/", records.milestone_sign_off, name="milestone-sign-off"),
    path(
        "signoff/request/<str:kind>/<int:pk>/",
        records.signoff_request,
        name="signoff-request",
    ),
    path("cases/new/", cases.case_log_create, name="case-log-create"),
    path("cases/to-answer/", cases.my_cases_to_answer, name="my-cases-to-answer"),
    path("cases/to-verify/", cases.cases_to_verify, name="cases-to-verify"),
    path("cases/<int:pk>/verify/", cases.case_log_verify, name="case-log-verify"),
    path("cases/<int:pk>/query/", cases.case_log_query, name="case-log-query"),
    path("cases/<int:pk>/reject/", cases.case_log_reject, name="case-log-reject"),
    path("cases/<int:pk>/answer/", cases.case_log_answer, name="case-log-answer"),
]
