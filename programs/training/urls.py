"""URL patterns of the training pages: plans, progress logs and their corrections, milestone and
record sign-off, case logs, the lists of plans to approve and overdue milestones."""

from django.urls import URLPattern, path

from training_portal.core.routes import record_pages, record_routes

from .views import cases, lists, plans, records, signoff

urlpatterns: list[URLPattern] = [
    path("signoff/<str:token>/", signoff.signoff, name="signoff"),
    *record_routes("logs", "log", plans, ("create", "acknowledge"), parent="students"),
    path("plan/", plans.my_plan, name="my-plan"),
    *record_routes("plans", "plan", plans, ("transition",)),
    path("plans/to-approve/", lists.plans_to_approve_list, name="plans-to-approve"),
    path("milestones/overdue/", lists.overdue_milestones_list, name="overdue-milestones"),
    *record_routes("logs", "log", records, ("edit", "correction")),
    *record_routes("milestones", "milestone", records, ("sign-off",)),
    # A sign-off request for one record of a kind (`signoff/request/milestone/<int:pk>/`).
    *record_pages("signoff/request/<str:kind>", records, {"": "signoff_request"}),
    path("cases/to-answer/", cases.my_cases_to_answer, name="my-cases-to-answer"),
    path("cases/to-verify/", cases.cases_to_verify, name="cases-to-verify"),
    *record_routes("cases", "case_log", cases, ("create", "verify", "query", "reject", "answer")),
]
