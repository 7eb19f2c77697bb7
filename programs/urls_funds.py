"""URL patterns of the funds pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from . import views_funds

urlpatterns: list[URLPattern] = [
    path("budget/", views_funds.budget_line_list, name="budget-line-list"),
    path(
        "programs/<int:pk>/budget/new/",
        views_funds.budget_line_create,
        name="budget-line-create",
    ),
    path("budget/<int:pk>/", views_funds.budget_line_detail, name="budget-line-detail"),
    path(
        "budget/<int:pk>/expenditures/new/",
        views_funds.expenditure_create,
        name="expenditure-create",
    ),
    path("expenditures/", views_funds.expenditure_list, name="expenditure-list"),
    path("expenditures/<int:pk>/", views_funds.expenditure_detail, name="expenditure-detail"),
    path(
        "expenditures/<int:pk>/approve/",
        views_funds.expenditure_approve,
        name="expenditure-approve",
    ),
    path(
        "expenditures/<int:pk>/reject/",
        views_funds.expenditure_reject,
        name="expenditure-reject",
    ),
    path(
        "expenditures/<int:pk>/receipt/",
        views_funds.expenditure_receipt,
        name="expenditure-receipt",
    ),
]
