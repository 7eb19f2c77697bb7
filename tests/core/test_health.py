from __future__ import annotations

import pytest
from django.test import Client

from training_portal.celery import app as celery_app


def test_liveness_answers_without_touching_the_database(client: Client) -> None:
    # No django_db mark: any query here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_checks_the_database_and_the_broker(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": True, "detail": "postgresql"}
    assert checks["broker"]["ok"] is True


@pytest.mark.django_db
def test_readiness_fails_when_the_broker_is_unreachable(client: Client) -> None:
    original = celery_app.conf.broker_write_url
    celery_app.conf.broker_write_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/readyz")
    finally:
        celery_app.conf.broker_write_url = original
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
