"""Loud configuration: unsafe production settings refuse to start; the deploy check is clean."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3J9-production-like-secret-Qm7vX2pL8nR4tY6wZ0aB5cD1eF3gH9jK7mN2"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process: never pass it on.
    dropped = {
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "SECURE_SSL",
        "TESTING",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_off_without_a_secret_key_exits_with_a_clear_message() -> None:
    result = manage("check", DEBUG="false", ALLOWED_HOSTS="portal.example.edu")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_off_with_a_weak_secret_key_refuses_to_start() -> None:
    result = manage("check", DEBUG="false", SECRET_KEY="short", ALLOWED_HOSTS="portal.example.edu")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_debug_off_without_allowed_hosts_refuses_to_start() -> None:
    result = manage("check", DEBUG="false", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_the_deploy_check_is_clean_in_a_production_like_environment() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example.edu",
        SITE_URL="https://portal.example.edu",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_a_site_url_fails_the_deploy_check_and_the_server_start() -> None:
    production = {
        "DEBUG": "false",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "portal.example.edu",
    }
    result = manage("check", "--deploy", **production)
    assert result.returncode != 0
    assert "(core.E001) SITE_URL is not set." in result.stderr
    dropped = ("TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    serve = subprocess.run(
        [sys.executable, "-c", "import training_portal.wsgi"],
        cwd=ROOT,
        env={**base, **production},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert serve.returncode != 0
    assert "SITE_URL is not set." in serve.stderr


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced() -> None:
    result = manage(
        "seed_demo",
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example.edu",
        SITE_URL="https://portal.example.edu",
    )
    assert result.returncode != 0
    assert "--force" in result.stderr


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_creates_the_portal_administrator() -> None:
    from django.core.management import call_command

    from accounts.models import User

    out = io.StringIO()
    call_command("seed_demo", "--force", stdout=out)
    call_command("seed_demo", "--force", stdout=out)
    assert "admin@demo.example" in out.getvalue()
    admin = User.objects.get(email="admin@demo.example")
    assert admin.check_password("demo-pass-2026")
    assert admin.is_portal_admin and admin.is_staff
    assert admin.role_memberships.count() == 1


def test_security_settings_of_a_production_like_environment() -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.PASSWORD_HASHERS[0], s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.AXES_LOCKOUT_PARAMETERS, bool(s.AXES_COOLOFF_TIME),"
        " s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])"
    )
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example.edu",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "True",
        "True",
        "31536000",
        "[['username',",
        "'ip_address']]",
        "True",
        "[\"'self'\"]",
    ]


def test_offline_commands_run_without_any_configuration() -> None:
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    assert manage("check").returncode != 0  # anything that could serve still refuses


def test_make_run_gives_every_process_the_site_url_of_its_host_and_port() -> None:
    """honcho gives each process a PORT of its own (web 8080, worker 8180...): the links of
    e-mails come from the one DEFAULT_SITE_URL that `make run` passes to all of them."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=8080", "HOST=localhost"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert 'DEFAULT_SITE_URL="http://localhost:8080"' in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEFAULT_SITE_URL": "http://127.0.0.1:8080", "PORT": "8180"}, "http://127.0.0.1:8080"),
        (
            {"DEFAULT_SITE_URL": "http://127.0.0.1:8080", "SITE_URL": "https://portal.example.edu"},
            "https://portal.example.edu",
        ),
        ({}, "http://127.0.0.1:8000"),
    ],
)
def test_the_site_url_is_set_or_given_by_make_run(env: dict[str, str], expected: str) -> None:
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = manage("shell", "-c", code, DEBUG="true", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


# --- PostgreSQL connections: a pool or persistent connections --------------------------------

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "portal", "OPTIONS": {}}
POOL_VARIABLES = (
    "DATABASE_POOL",
    "DATABASE_POOL_MIN_SIZE",
    "DATABASE_POOL_MAX_SIZE",
    "DATABASE_POOL_TIMEOUT",
    "CONN_MAX_AGE",
)


def connection_settings(
    monkeypatch: pytest.MonkeyPatch, database: dict | None = None, **env: str
) -> dict:
    import environ

    from training_portal.settings import postgres_connection_settings

    for name in POOL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return postgres_connection_settings(environ.Env(), database or POSTGRES)


def test_without_a_pool_connections_persist_for_a_minute_and_are_health_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert connection_settings(monkeypatch) == {
        "OPTIONS": {},
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
    assert connection_settings(monkeypatch, CONN_MAX_AGE="0")["CONN_MAX_AGE"] == 0


def test_the_pool_has_default_sizes_and_no_persistent_connections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert connection_settings(monkeypatch, DATABASE_POOL="true") == {
        "OPTIONS": {"pool": {"min_size": 2, "max_size": 4, "timeout": 10.0}},
        "CONN_MAX_AGE": 0,  # Django refuses a pool with persistent connections
        "CONN_HEALTH_CHECKS": True,
    }


def test_the_pool_sizes_and_timeout_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = {**POSTGRES, "OPTIONS": {"sslmode": "require"}}
    result = connection_settings(
        monkeypatch,
        database,
        DATABASE_POOL="true",
        DATABASE_POOL_MIN_SIZE="3",
        DATABASE_POOL_MAX_SIZE="8",
        DATABASE_POOL_TIMEOUT="2.5",
    )
    assert result["OPTIONS"] == {
        "sslmode": "require",  # options of DATABASE_URL are kept
        "pool": {"min_size": 3, "max_size": 8, "timeout": 2.5},
    }
    assert database["OPTIONS"] == {"sslmode": "require"}  # not changed in place
    # A pool of one (a sync gunicorn worker) keeps that one connection open.
    one = connection_settings(monkeypatch, DATABASE_POOL="true", DATABASE_POOL_MAX_SIZE="1")
    assert one["OPTIONS"]["pool"]["min_size"] == 1


def test_the_pool_holds_one_connection_per_gunicorn_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gunicorn.conf.py hands its threads per worker to settings.py as the pool's maximum."""
    import importlib.util

    for name in ("WEB_CONCURRENCY", "DATABASE_POOL_MAX_SIZE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    spec = importlib.util.spec_from_file_location("gunicorn_conf_pool", ROOT / "gunicorn.conf.py")
    assert spec and spec.loader
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    handed = dict(item.split("=", 1) for item in conf.raw_env)
    result = connection_settings(monkeypatch, DATABASE_POOL="true", **handed)
    assert result["OPTIONS"]["pool"]["max_size"] == conf.threads == 6


@pytest.mark.parametrize(
    ("env", "database", "message"),
    [
        ({"CONN_MAX_AGE": "60"}, POSTGRES, "cannot be combined with CONN_MAX_AGE"),
        ({}, {**POSTGRES, "CONN_MAX_AGE": 30}, "cannot be combined with CONN_MAX_AGE"),
        ({"DATABASE_POOL_MIN_SIZE": "5"}, POSTGRES, "DATABASE_POOL_MIN_SIZE <= "),
        ({"DATABASE_POOL_MAX_SIZE": "0"}, POSTGRES, "DATABASE_POOL_MAX_SIZE >= 1"),
        ({"DATABASE_POOL_TIMEOUT": "0"}, POSTGRES, "DATABASE_POOL_TIMEOUT > 0"),
    ],
)
def test_a_pool_with_persistent_connections_or_bad_sizes_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], database: dict, message: str
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        connection_settings(monkeypatch, database, DATABASE_POOL="true", **env)


def test_the_deploy_check_is_clean_with_the_pool_of_the_compose_web_service() -> None:
    production = {
        "DEBUG": "false",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "portal.example.edu",
        "SITE_URL": "https://portal.example.edu",
        "DATABASE_URL": "postgres://portal@db.example.edu:5432/portal",
        "DATABASE_POOL": "true",
        "DATABASE_POOL_MAX_SIZE": "6",
    }
    check = manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert check.returncode == 0, check.stdout + check.stderr
    shown = manage("diffsettings", **production)
    assert shown.returncode == 0, shown.stderr
    assert "'pool': {'min_size': 2, 'max_size': 6, 'timeout': 10.0}" in shown.stdout
    assert "'CONN_MAX_AGE': 0" in shown.stdout


def test_a_pool_with_conn_max_age_refuses_to_start_with_a_clear_message() -> None:
    result = manage(
        "check",
        DEBUG="true",
        DATABASE_URL="postgres://portal@db.example.edu:5432/portal",
        DATABASE_POOL="true",
        CONN_MAX_AGE="60",
    )
    assert result.returncode != 0
    assert "DATABASE_POOL=true cannot be combined with CONN_MAX_AGE" in result.stderr
    assert "Traceback" not in result.stderr
