"""What the imports plug in: their job kinds and Celery tasks."""

from __future__ import annotations


def register() -> None:
    from . import tasks  # noqa: F401 -- the worker knows the import tasks
    from .specs import register_job_kinds

    register_job_kinds()
