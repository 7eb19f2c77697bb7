"""Training Portal: wiring (settings, URLs, Celery) and the cross-cutting core app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
