"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import connection


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, type(exc).__name__
    return True, connection.vendor


def broker_ok() -> tuple[bool, str]:
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return False, type(exc).__name__
    return True, str(transport)


def readiness() -> dict[str, Any]:
    db, db_detail = database_ok()
    broker, broker_detail = broker_ok()
    return {
        "status": "ok" if db and broker else "unavailable",
        "checks": {
            "database": {"ok": db, "detail": db_detail},
            "broker": {"ok": broker, "detail": broker_detail},
        },
    }
