"""History of changes, kept by PostgreSQL triggers (django-pghistory).

Requests record who changed what through pghistory's middleware; background work records
its job and owner through `history_context`. On the embedded SQLite database (make run)
no history is kept, and these helpers do nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import models


def history_enabled() -> bool:
    return bool(settings.HISTORY_ENABLED)


@contextlib.contextmanager
def history_context(**metadata: Any) -> Iterator[None]:
    """Attach metadata (e.g. user=, job=) to every history event written inside."""
    if not history_enabled():
        yield
        return
    import pghistory

    with pghistory.context(**metadata):
        yield


def events_about(obj: models.Model, limit: int = 100) -> list[Any]:
    """The latest events of `obj` and of the rows that reference it, newest first."""
    if not history_enabled():
        return []
    from pghistory.models import Events

    return list(Events.objects.references(obj).order_by("-pgh_created_at", "-pgh_id")[:limit])


def tracked(**kwargs: Any) -> Any:
    """Class decorator: keep every insert, update and delete of the model, with context."""
    import pghistory

    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs
    )
