"""Convention-based routes: a feature's urls.py declares its records and their pages in a table.

Most pages of the portal are a record's list, its "new" page, its page, and actions on it
(`organizations/<int:pk>/edit/`). Their view functions and URL names follow one convention
(the view `organization_edit`, the name `organization-edit`), so a feature declares them once:

    urlpatterns = [
        *record_routes("organizations", "organization", views,
                       ("list", "create", "detail", "edit", "status")),
        path("programs/<int:pk>/responsibilities/", ...),  # what follows no convention
    ]

`record_routes()` maps each action to its path, view and name:

| action             | path                   | view            | name            |
| ------------------ | ---------------------- | --------------- | --------------- |
| `list`             | `<prefix>/`            | `<noun>_list`   | `<noun>-list`   |
| `create`           | `<prefix>/new/`        | `<noun>_create` | `<noun>-create` |
| `detail`           | `<prefix>/<pk>/`       | `<noun>_detail` | `<noun>-detail` |
| any other: `a-b/c` | `<prefix>/<pk>/a-b/c/` | `<noun>_a_b_c`  | `<noun>-a-b-c`  |

With `parent`, the "new" page sits under the parent record (`programs/<int:pk>/projects/new/`).
An empty `prefix` suits a URLconf mounted on the records themselves (`inspections/<int:pk>/`);
an empty `noun` names views and pages after the action alone (`<pk>/checklist/`: `checklist`).
The noun's underscores become hyphens in names (`budget_line` -> `budget-line-list`).

`record_pages()` covers a record's pages whose views the convention does not name (adding
to a program: `programs/<int:pk>/stages/new/` is `stage_add`): a table of paths and views,
each page named after its view.

What fits neither (other ids in the path, names that differ from their views) stays a plain
`path()` next to these; URL paths and names are public, so the builder never renames them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, path

#: The path converter of a record's id, as most records are addressed.
PK = "<int:pk>"

#: The actions whose paths do not take the record's id, and the segment each adds.
COLLECTION_ACTIONS = {"list": "", "create": "new"}


def _join(*segments: str) -> str:
    """The route of `segments`, each ending in a slash; empty ones are left out."""
    return "".join(f"{segment}/" for segment in segments if segment)


def _identifier(*parts: str) -> str:
    """The view name of `parts` (`("project", "member-add")` -> `project_member_add`)."""
    words = "_".join(part for part in parts if part)
    return words.replace("-", "_").replace("/", "_")


def _name(view_name: str) -> str:
    """The URL name of a view (`budget_line_list` -> `budget-line-list`)."""
    return view_name.replace("_", "-")


def _view(views: object, view_name: str) -> Callable[..., Any]:
    """The view function `view_name` of `views`, or a clear error at startup."""
    view = getattr(views, view_name, None)
    if not callable(view):
        owner = getattr(views, "__name__", repr(views))
        raise ImproperlyConfigured(f"{owner} has no view {view_name!r} for its routes")
    return view


def record_routes(
    prefix: str,
    noun: str,
    views: object,
    actions: Iterable[str],
    *,
    parent: str = "",
    pk: str = PK,
) -> list[URLPattern]:
    """The routes of one kind of record, in the order of `actions` (see the module's table).

    `prefix` is the records' path segment (`"organizations"`), `noun` the views' and names'
    prefix (`"organization"`), `views` the module holding the view functions, `parent` the
    segment of the record the "new" page is under (`"programs"`), `pk` the id's converter.
    """
    routes = []
    for action in actions:
        if action in COLLECTION_ACTIONS:
            record = _join(parent, pk) if parent and action == "create" else ""
            route = record + _join(prefix, COLLECTION_ACTIONS[action])
        else:
            route = _join(prefix, pk, "" if action == "detail" else action)
        view_name = _identifier(noun, action)
        routes.append(path(route, _view(views, view_name), name=_name(view_name)))
    return routes


def record_pages(
    prefix: str, views: object, pages: Mapping[str, str], *, pk: str = PK
) -> list[URLPattern]:
    """The pages of one record under `<prefix>/<pk>/`: `pages` maps each one's path below the
    record (`"stages/new"`) to its view in `views` (`"stage_add"`), which also names it
    (`stage-add`)."""
    return [
        path(_join(prefix, pk, below), _view(views, view_name), name=_name(view_name))
        for below, view_name in pages.items()
    ]
