"""URL patterns of the funds pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("budget/", views.budget_line_list, name="budget-line-list"),
    path(
        "programs/<int:pk>/budget/new/",
        views.budget_line_create,
        name="budget-line-create",
    ),
    path("budget/<int:pk>/", views.budget_line_detail, name="budget-line-detail"),
    path(
        "budget/<int:pk>/expenditures/new/",
        views.expenditure_create,
        name="expenditure-create",
    ),
    path("expenditures/", views.expenditure_list, name="expenditure-list"),
    path("expenditures/<int:pk>/", views.expenditure_detail, name="expenditure-detail"),
    path(
        "expenditures/<int:pk>/approve/",
        views.expenditure_approve,
        name="expenditure-approve",
    ),
    path(
        "expenditures/<int:pk>/reject/",
        views.expenditure_reject,
        name="expenditure-reject",
    ),
    path(
        "expenditures/<int:pk>/receipt/",
        views.expenditure_receipt,
        name="expenditure-receipt",
    ),
]
