"""The test database: migrated once into a template, cloned by each test process.

Migrating from scratch takes about a minute and a half; copying a migrated database takes a
second or two. So the first run migrates a template database named after the test database
and a hash of every installed app's migration files (`test_<name>_tpl_<hash>`); each test
process (each xdist worker) then creates its own database from it with
`CREATE DATABASE ... TEMPLATE ...` and drops it at the end.

- Migrations change (a new or edited migration file, another version of a package with
  migrations, another set of installed apps): the hash changes, a new template is built and
  the template of the old hash is dropped. `--create-db` rebuilds the template anyway.
  Django's `migrate` still runs on the clone (a no-op when the template is up to date).
- Two runs at once (CI and a developer, two worktrees, two xdist workers): building and
  cloning happen under one PostgreSQL advisory lock, the template is built under a
  temporary name and renamed when complete, and each process's database is named after its
  pid, so runs never share or drop each other's databases.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
#: The advisory lock every run takes to build or clone a template.
LOCK = 0x7E57_DB  # "test db"


def migrations_hash() -> str:
    """A hash of every installed app's migration files (names and contents)."""
    from django.apps import apps

    digest = hashlib.sha256()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        digest.update(f"app:{config.label}\n".encode())
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{path.name}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def server(settings: dict[str, Any]) -> psycopg.Connection[Any]:
    """An autocommit connection to the server's maintenance database."""
    return psycopg.connect(
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def database_url(settings: dict[str, Any], name: str) -> str:
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{name}"


def exists(db: psycopg.Connection[Any], name: str) -> bool:
    return db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop(db: psycopg.Connection[Any], name: str) -> None:
    db.execute(sql.SQL("ALTER DATABASE {} IS_TEMPLATE false").format(sql.Identifier(name)))
    db.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def build_template(db: psycopg.Connection[Any], settings: dict[str, Any], template: str) -> None:
    """Migrate a new database and publish it as `template` (renamed only once complete)."""
    building = f"{template}_building"
    if exists(db, building):  # left by a run that was interrupted
        drop(db, building)
    db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
    env = {**os.environ, "DATABASE_URL": database_url(settings, building)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    db.execute(
        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(building), sql.Identifier(template)
        )
    )
    db.execute(sql.SQL("ALTER DATABASE {} IS_TEMPLATE true").format(sql.Identifier(template)))


def clone_test_database(rebuild: bool = False) -> str:
    """Create this process's test database (settings' TEST NAME) from the template of the
    current migrations, building the template first when there is none. Returns its name."""
    from django.db import connections

    settings = connections["default"].settings_dict
    name = settings["TEST"]["NAME"]
    base = f"test_{settings['NAME']}"
    template = f"{base}_tpl_{migrations_hash()}"
    with server(settings) as db:
        db.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            if rebuild and exists(db, template):
                drop(db, template)
            if not exists(db, template):
                build_template(db, settings, template)
                stale = db.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                    [f"{template.rsplit('_', 1)[0]}_".replace("_", "\\_") + "%", template],
                ).fetchall()
                for (old,) in stale:
                    if not old.endswith("_building"):
                        drop(db, old)
            if exists(db, name):  # left by a crashed run of a process with the same pid
                drop(db, name)
            db.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        finally:
            db.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
    return name


def drop_test_database(settings: dict[str, Any], name: str) -> None:
    with server(settings) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """A test database per test process, so that several runs on one machine never collide."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    base = test.get("NAME") or f"test_{db['NAME']}"
    test["NAME"] = f"{base}_p{os.getpid()}"


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's setup on a database cloned from the template: Django's own
    `setup_databases` keeps it (keepdb) and runs `migrate` on it, then it is dropped."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        name = clone_test_database(rebuild=django_db_createdb)
        settings = dict(connections["default"].settings_dict)
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=True,
        )
    yield
    with django_db_blocker.unblock():
        teardown_databases(db_cfg, verbosity=verbosity, keepdb=True)
        connections.close_all()
        drop_test_database(settings, name)
