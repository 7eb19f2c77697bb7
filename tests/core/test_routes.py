"""The route builder: a record's actions become the conventional paths, views and names."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

from training_portal.core.routes import record_pages, record_routes


def _view(request: HttpRequest, pk: int = 0) -> HttpResponse:
    return HttpResponse()


def _views(*names: str) -> SimpleNamespace:
    """A stand-in views module: one distinct function a name."""
    functions = {}
    for name in names:

        def view(request: HttpRequest, pk: int = 0) -> HttpResponse:
            return HttpResponse()

        view.__name__ = name
        functions[name] = view
    return SimpleNamespace(**functions)


def _table(patterns: list[URLPattern]) -> list[tuple[str, str | None, str]]:
    return [(str(p.pattern), p.name, p.callback.__name__) for p in patterns]


def test_standard_actions_map_to_the_standard_paths_views_and_names() -> None:
    views = _views(
        "organization_list", "organization_create", "organization_detail", "organization_edit"
    )

    patterns = record_routes(
        "organizations", "organization", views, ("list", "create", "detail", "edit")
    )

    assert _table(patterns) == [
        ("organizations/", "organization-list", "organization_list"),
        ("organizations/new/", "organization-create", "organization_create"),
        ("organizations/<int:pk>/", "organization-detail", "organization_detail"),
        ("organizations/<int:pk>/edit/", "organization-edit", "organization_edit"),
    ]
    assert patterns[3].callback is views.organization_edit


def test_hyphens_and_slashes_of_an_action_become_underscores_in_the_view_only() -> None:
    views = _views("budget_line_list", "finding_corrective_action", "reply_open")

    patterns = [
        *record_routes("budget", "budget_line", views, ("list",)),
        *record_routes("findings", "finding", views, ("corrective-action",)),
        *record_routes("", "", views, ("reply/open",)),
    ]

    assert _table(patterns) == [
        ("budget/", "budget-line-list", "budget_line_list"),
        (
            "findings/<int:pk>/corrective-action/",
            "finding-corrective-action",
            "finding_corrective_action",
        ),
        ("<int:pk>/reply/open/", "reply-open", "reply_open"),
    ]


def test_the_new_page_goes_under_the_parent_and_the_other_pages_do_not() -> None:
    views = _views("project_create", "project_list", "project_detail")

    patterns = record_routes(
        "projects", "project", views, ("create", "list", "detail"), parent="programs"
    )

    assert [str(p.pattern) for p in patterns] == [
        "programs/<int:pk>/projects/new/",
        "projects/",
        "projects/<int:pk>/",
    ]


def test_an_empty_prefix_mounts_the_pages_on_the_records_and_pk_may_be_renamed() -> None:
    views = _views("inspection_list", "inspection_create", "report_detail")

    patterns = [
        *record_routes("", "inspection", views, ("list", "create")),
        *record_routes("", "report", views, ("detail",), pk="<int:inspection_id>"),
    ]

    assert [str(p.pattern) for p in patterns] == ["", "new/", "<int:inspection_id>/"]


def test_record_pages_are_named_after_their_views() -> None:
    views = _views("stage_add", "tutor_assign")

    patterns = record_pages(
        "programs", views, {"stages/new": "stage_add", "tutors/assign": "tutor_assign"}
    )

    assert _table(patterns) == [
        ("programs/<int:pk>/stages/new/", "stage-add", "stage_add"),
        ("programs/<int:pk>/tutors/assign/", "tutor-assign", "tutor_assign"),
    ]


def test_a_missing_view_fails_at_startup_with_its_name() -> None:
    views = SimpleNamespace(meeting_list=_view, meeting_edit="not a view")

    with pytest.raises(ImproperlyConfigured, match="'meeting_detail'"):
        record_routes("meetings", "meeting", views, ("list", "detail"))
    with pytest.raises(ImproperlyConfigured, match="'meeting_edit'"):
        record_routes("meetings", "meeting", views, ("edit",))
