"""The named cast and shared fixtures (the programs cast: tests/plugins/cast.py).

Cast (grows as scopes arrive with later issues):
- `admin`: portal administrator (Alice)
- `counsellor`: a portal-wide counsellor (Carol)
- `outsider`: signed-in account with no role (Oscar)
- `other_user`: another account with no role (Bob), for "cannot see another's" stories
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from accounts.models import RoleMembership, User
from accounts.roles import Role
from training_portal.celery import app as celery_app

from .factories import PortalAdminFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent

#: Fixtures every test can take without importing them: the programs cast (`cast`,
#: `inspector`, `everyone`); the test database, cloned from a migrated template; and static
#: files scanned once per process rather than once per test client.
pytest_plugins = ["tests.plugins.cast", "tests.plugins.database", "tests.plugins.static"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`browser` on every test of tests/e2e, `worker` on every test that starts a real
    Celery worker (takes the `worker` fixture): `make test-fast` leaves both out."""
    e2e = ROOT / "tests" / "e2e"
    for item in items:
        if item.path.is_relative_to(e2e):
            item.add_marker(pytest.mark.browser)
        if "worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.worker)


@pytest.fixture(autouse=True)
def _default_language(settings: Any) -> Iterator[None]:
    """Each test starts in the default language: a request or an override in an earlier test
    on the same worker must not leak its language into this one (a management command's
    output came out in Chinese after a Chinese page test)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin(db: None) -> User:
    return PortalAdminFactory(email="alice@example.org", full_name="Alice Admin")


@pytest.fixture
def counsellor(db: None) -> User:
    user = UserFactory(email="carol@example.org", full_name="Carol Counsellor")
    RoleMembership.objects.create(user=user, role=Role.COUNSELLOR)
    return user


@pytest.fixture
def outsider(db: None) -> User:
    return UserFactory(email="oscar@example.org", full_name="Oscar Outsider")


@pytest.fixture
def other_user(db: None) -> User:
    return UserFactory(email="bob@example.org", full_name="Bob Other")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(admin: User) -> Client:
    return signed_in(admin)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return signed_in(outsider)


@pytest.fixture
def celery_eager() -> Iterator[None]:
    """Run tasks in-process when enqueued (after commit); the worker tests use a real one."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_eager_propagates = False


def database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(settings: Any, transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """A worker process on a queue of its own, sharing the test database and media folder."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_QUEUE": queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "training_portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    original = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield process
    finally:
        celery_app.conf.task_default_queue = original
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        connection.close()
