"""The container deployment (Dockerfile, docker-compose.yml) starts things that really exist.

No database: these tests read the two files and resolve every entry point they name
(gunicorn WSGI target, Celery app, Django management commands) in this process.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.core.management import get_commands
from gunicorn.config import Config as GunicornConfig
from gunicorn.config import Setting as GunicornSetting

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
GUNICORN_CONF = BASE_DIR / "gunicorn.conf.py"

REQUIRED_SERVICES = ("db", "redis", "web", "worker", "beat")
APP_SERVICES = ("web", "worker", "beat")
CJK_FONT_PACKAGES = ("fonts-noto-cjk", "fonts-wqy-microhei")


# --- helpers --------------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def built_services() -> list[str]:
    """Services whose image is built from this project (they run the project's code)."""
    return sorted(name for name, service in services().items() if "build" in service)


def command_argv(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    assert command, "the service has no command"
    return shlex.split(command) if isinstance(command, str) else [str(arg) for arg in command]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # list form: ["KEY=value", ...]
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


@cache
def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    if pending:
        logical.append(pending)
    instructions = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_arguments(keyword: str) -> list[str]:
    return [arguments for kw, arguments in dockerfile_instructions() if kw == keyword]


def gunicorn_app_uri(argv: list[str]) -> str:
    """The APP_MODULE gunicorn would load, parsed with gunicorn's own option parser."""
    assert Path(argv[0]).name == "gunicorn"
    options = GunicornConfig().parser().parse_args(argv[1:])
    assert len(options.args) == 1, f"expected exactly one APP_MODULE in {argv}"
    return options.args[0]


def assert_wsgi_target_exists(app_uri: str) -> None:
    module_name, _, attribute = app_uri.partition(":")
    attribute = attribute or "application"
    module = importlib.import_module(module_name)
    assert hasattr(module, attribute), f"{module_name} has no attribute {attribute!r}"
    assert callable(getattr(module, attribute)), f"{app_uri} is not a WSGI callable"


def celery_app_and_subcommand(argv: list[str]) -> tuple[str, str]:
    assert Path(argv[0]).name == "celery"
    app_name = ""
    subcommand = ""
    args = iter(argv[1:])
    for arg in args:
        if arg in ("-A", "--app"):
            app_name = next(args, "")
        elif arg.startswith("--app="):
            app_name = arg.removeprefix("--app=")
        elif arg.startswith("-A") and len(arg) > 2:
            app_name = arg[2:]
        elif not arg.startswith("-") and not subcommand:
            subcommand = arg
    return app_name, subcommand


def manage_py_subcommand(argv: list[str]) -> str | None:
    """X for `python manage.py X ...` (also `./manage.py X`), None for anything else."""
    for index, arg in enumerate(argv):
        if Path(arg).name == "manage.py":
            assert index + 1 < len(argv), f"manage.py without a command in {argv}"
            return argv[index + 1]
    return None


def assert_entry_point_is_real(argv: list[str]) -> None:
    program = Path(argv[0]).name
    if program == "gunicorn":
        assert_wsgi_target_exists(gunicorn_app_uri(argv))
    elif program == "celery":
        app_name, subcommand = celery_app_and_subcommand(argv)
        assert app_name, f"celery command does not name its app with -A: {argv}"
        assert isinstance(find_app(app_name), Celery), f"-A {app_name} is not a Celery app"
        assert subcommand in ("worker", "beat"), f"unexpected celery subcommand {subcommand!r}"
    elif (management_command := manage_py_subcommand(argv)) is not None:
        assert management_command in get_commands(), (
            f"{management_command!r} is not a Django management command"
        )
    else:
        pytest.fail(f"unrecognised entry point: {argv}")


# --- docker-compose.yml ---------------------------------------------------------------------


def test_compose_defines_database_broker_web_worker_and_beat_services() -> None:
    missing = [name for name in REQUIRED_SERVICES if name not in services()]
    assert not missing, f"missing services: {missing}"


def test_worker_can_be_scaled_because_it_has_no_container_name_and_no_host_ports() -> None:
    worker = services()["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker


def test_web_worker_and_beat_are_built_from_the_project() -> None:
    assert set(APP_SERVICES) <= set(built_services())


@pytest.mark.parametrize("name", built_services())
def test_every_project_service_command_starts_a_real_entry_point(name: str) -> None:
    assert_entry_point_is_real(command_argv(services()[name]))


def test_web_serves_the_project_wsgi_application_with_gunicorn() -> None:
    argv = command_argv(services()["web"])
    assert Path(argv[0]).name == "gunicorn"
    assert gunicorn_app_uri(argv) == "training_portal.wsgi:application"


def test_worker_runs_a_celery_worker_and_beat_runs_celery_beat() -> None:
    assert celery_app_and_subcommand(command_argv(services()["worker"]))[1] == "worker"
    assert celery_app_and_subcommand(command_argv(services()["beat"]))[1] == "beat"


def test_the_celery_app_is_exported_by_the_project_package() -> None:
    package = importlib.import_module("training_portal")
    assert isinstance(package.celery_app, Celery)
    assert isinstance(importlib.import_module("training_portal.celery").app, Celery)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_gets_database_broker_and_debug_off_from_the_environment(name: str) -> None:
    env = environment(services()[name])
    assert env.get("DATABASE_URL"), f"{name} has no DATABASE_URL"
    assert env.get("CELERY_BROKER_URL"), f"{name} has no CELERY_BROKER_URL"
    assert env.get("DEBUG") == "false", f"{name} does not run with DEBUG=false"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_requires_the_site_url_from_the_environment(name: str) -> None:
    """With DEBUG off the portal refuses to serve without SITE_URL (core.E001): compose asks
    for it instead of inventing one."""
    assert environment(services()[name]).get("SITE_URL") == "${SITE_URL:?set SITE_URL}"


def test_web_and_worker_share_the_media_volume() -> None:
    def media_mount(name: str) -> str | None:
        for volume in services()[name].get("volumes", []):
            if isinstance(volume, str) and volume.split(":")[1:2] == ["/app/var/media"]:
                return volume.split(":")[0]
        return None

    assert media_mount("web") is not None
    assert media_mount("web") == media_mount("worker")


# --- Dockerfile -----------------------------------------------------------------------------


def test_dockerfile_is_based_on_python_311_slim_bookworm() -> None:
    base_images = dockerfile_arguments("FROM")
    assert base_images, "Dockerfile has no FROM"
    assert base_images[0].split()[0] == "python:3.11-slim-bookworm"


def test_dockerfile_installs_a_chinese_font_and_pango_for_pdfs() -> None:
    apt_runs = " ".join(run for run in dockerfile_arguments("RUN") if "apt-get install" in run)
    packages = set(apt_runs.split())
    assert packages & set(CJK_FONT_PACKAGES), "no CJK font package installed"
    assert any(package.startswith("libpango") for package in packages), "pango not installed"


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = dockerfile_arguments("USER")
    assert users, "Dockerfile has no USER: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


def dockerfile_cmd() -> list[str]:
    commands = dockerfile_arguments("CMD")
    assert commands, "Dockerfile has no CMD"
    argv = json.loads(commands[-1])  # exec (JSON) form
    assert isinstance(argv, list)
    return argv


def test_dockerfile_cmd_serves_the_same_wsgi_application_as_compose_web() -> None:
    argv = dockerfile_cmd()
    assert Path(argv[0]).name == "gunicorn"
    app_uri = gunicorn_app_uri(argv)
    assert app_uri == gunicorn_app_uri(command_argv(services()["web"]))
    assert_wsgi_target_exists(app_uri)


def test_dockerfile_build_steps_run_real_management_commands() -> None:
    found = []
    for run in dockerfile_arguments("RUN"):
        found += re.findall(r"manage\.py\s+([\w-]+)", run)
    assert "collectstatic" in found
    assert "compile_translations" in found
    unknown = [name for name in found if name not in get_commands()]
    assert not unknown, f"not Django management commands: {unknown}"


def test_dockerfile_bakes_no_secret_key_into_the_image_environment() -> None:
    env_lines = " ".join(dockerfile_arguments("ENV") + dockerfile_arguments("ARG"))
    assert "SECRET_KEY" not in env_lines


# --- what `make run` and the image install ----------------------------------------------------

APP_PACKAGES = ("accounts", "programs", "supervision", "evaluation", "training_portal")


def _base_requirements() -> set[str]:
    names = set()
    for line in (BASE_DIR / "requirements" / "base.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==", line)
        if match:
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return names


def _imported_top_level_modules() -> set[str]:
    import ast

    modules: set[str] = set()
    for package in APP_PACKAGES:
        for path in (BASE_DIR / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    return modules


def test_app_code_imports_only_what_the_base_requirements_install() -> None:
    """`make run` and the image install requirements/base.txt only: a module the app imports
    from a development dependency (pypdf was one) breaks uploads with a 500 there."""
    import sys
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    base = _base_requirements()
    missing = {}
    for module in sorted(_imported_top_level_modules()):
        if module in sys.stdlib_module_names or module in APP_PACKAGES or module == "__future__":
            continue
        owners = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(module, [])}
        if owners and not owners & base:
            missing[module] = sorted(owners)
    assert not missing, f"imported by the app but not in requirements/base.txt: {missing}"


# --- gunicorn.conf.py: workers and threads from the cores -------------------------------------


def load_gunicorn_conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> Any:
    """Execute gunicorn.conf.py as gunicorn does, with `env` (and nothing else of ours) set."""
    for name in (
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "GUNICORN_WORKER_CLASS",
        "GUNICORN_TIMEOUT",
        "GUNICORN_BIND",
        "GUNICORN_MAX_REQUESTS",
        "DATABASE_POOL_MAX_SIZE",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", GUNICORN_CONF)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gunicorn_settings(module: Any) -> dict[str, Any]:
    """The module's values gunicorn reads, each validated by gunicorn's own setting."""
    config = GunicornConfig()
    values = {}
    for name, setting in config.settings.items():
        if hasattr(module, name):
            assert isinstance(setting, GunicornSetting)
            config.set(name, getattr(module, name))  # raises on a value gunicorn refuses
            values[name] = config.settings[name].get()
    return values


@pytest.mark.parametrize(("cores", "workers"), [(1, 2), (2, 3), (8, 9), (64, 16)])
def test_gunicorn_runs_a_worker_per_core_plus_one_with_four_threads_each(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int
) -> None:
    conf = load_gunicorn_conf(monkeypatch)
    assert conf.concurrency(cores, {}) == (workers, 4)
    assert conf.concurrency(cores, {"WEB_CONCURRENCY": "", "GUNICORN_THREADS": ""}) == (
        workers,
        4,
    )


def test_gunicorn_defaults_are_gthread_workers_for_the_cores_of_this_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conf = load_gunicorn_conf(monkeypatch)
    values = gunicorn_settings(conf)
    cores = conf.available_cores()
    assert values["workers"] == min(cores + 1, 16)
    assert values["threads"] == 4
    assert values["worker_class"] == "gthread"
    assert values["bind"] == ["0.0.0.0:8000"]
    assert values["timeout"] == 60
    assert values["accesslog"] == "-"
    assert values["max_requests"] == 2000
    assert values["max_requests_jitter"] == 200
    assert not values.get("preload_app")  # every worker opens its own database pool
    # One pooled connection per thread, handed to the workers' settings.py.
    assert values["raw_env"] == ["DATABASE_POOL_MAX_SIZE=4"]


def test_gunicorn_honours_the_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load_gunicorn_conf(
        monkeypatch,
        WEB_CONCURRENCY="5",
        GUNICORN_THREADS="8",
        GUNICORN_TIMEOUT="120",
        GUNICORN_BIND="127.0.0.1:9000",
        GUNICORN_MAX_REQUESTS="0",
    )
    values = gunicorn_settings(conf)
    assert (values["workers"], values["threads"], values["worker_class"]) == (5, 8, "gthread")
    assert values["timeout"] == 120
    assert values["bind"] == ["127.0.0.1:9000"]
    assert (values["max_requests"], values["max_requests_jitter"]) == (0, 0)
    assert values["raw_env"] == ["DATABASE_POOL_MAX_SIZE=8"]


def test_gunicorn_with_one_thread_runs_sync_workers_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_gunicorn_conf(monkeypatch, GUNICORN_THREADS="1").worker_class == "sync"
    conf = load_gunicorn_conf(monkeypatch, GUNICORN_THREADS="1", GUNICORN_WORKER_CLASS="gthread")
    assert conf.worker_class == "gthread"


def test_gunicorn_leaves_an_explicit_pool_size_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load_gunicorn_conf(monkeypatch, GUNICORN_THREADS="8", DATABASE_POOL_MAX_SIZE="6")
    assert conf.raw_env == []


@pytest.mark.parametrize("value", ["0", "-2"])
def test_gunicorn_refuses_no_workers_or_no_threads(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    conf = load_gunicorn_conf(monkeypatch)
    with pytest.raises(ValueError, match="1 or more"):
        conf.concurrency(2, {"WEB_CONCURRENCY": value})
    with pytest.raises(ValueError, match="1 or more"):
        conf.concurrency(2, {"GUNICORN_THREADS": value})


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [("max 100000", None), ("100000 100000", 1), ("50000 100000", 1), ("150000 100000", 2)],
)
def test_gunicorn_counts_the_cpu_quota_of_a_container(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cpu_max: str, expected: int | None
) -> None:
    conf = load_gunicorn_conf(monkeypatch)
    monkeypatch.setattr(conf.os, "sched_getaffinity", lambda pid: set(range(8)))
    assert conf.available_cores(tmp_path) == 8  # no cgroup files: the affinity mask
    (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    assert conf.available_cores(tmp_path) == (expected or 8)


def test_dockerfile_and_compose_web_start_gunicorn_with_the_config_file() -> None:
    for argv in (dockerfile_cmd(), command_argv(services()["web"])):
        options = GunicornConfig().parser().parse_args(argv[1:])
        assert options.config == "gunicorn.conf.py", argv
        assert (BASE_DIR / options.config).is_file()
        # Workers, threads and the address come from the config file only.
        assert options.workers is None and options.threads is None and options.bind is None


def test_compose_web_pools_its_connections_and_the_celery_services_keep_them() -> None:
    """Celery closes a prefork child's connections, and its pool, after every task."""
    assert environment(services()["web"]).get("DATABASE_POOL") == "true"
    for name in ("worker", "beat", "migrate"):
        assert environment(services()[name]).get("DATABASE_POOL", "false") == "false", name


# --- PostgreSQL of the compose stack ----------------------------------------------------------

POSTGRES_SETTINGS = (
    "shared_buffers",
    "effective_cache_size",
    "work_mem",
    "maintenance_work_mem",
    "max_connections",
)
RESERVED_CONNECTIONS = 15  # beat, migrate, psql sessions, superuser_reserved_connections (3)
WORKER_REPLICAS = 4  # `docker compose up --scale worker=4`, as the README shows


def compose_default(value: str) -> str:
    """The value compose uses when the variable is unset: `${NAME:-default}` -> default."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def postgres_settings() -> dict[str, str]:
    argv = command_argv(services()["db"])
    assert argv[0] == "postgres"
    settings = {}
    for flag, assignment in zip(argv[1::2], argv[2::2], strict=True):
        assert flag == "-c", argv
        name, _, value = assignment.partition("=")
        settings[name] = compose_default(value)
    return settings


def megabytes(size: str) -> float:
    match = re.fullmatch(r"(\d+)\s*(kB|MB|GB|TB)", size, re.IGNORECASE)
    assert match, f"not a PostgreSQL memory size: {size!r}"
    factor = {"kb": 1 / 1024, "mb": 1, "gb": 1024, "tb": 1024 * 1024}[match.group(2).lower()]
    return int(match.group(1)) * factor


def test_compose_postgres_is_tuned_for_the_portal() -> None:
    settings = postgres_settings()
    assert set(POSTGRES_SETTINGS) <= set(settings)
    shared_buffers = megabytes(settings["shared_buffers"])
    assert shared_buffers >= 512  # PostgreSQL's own default is 128MB
    assert megabytes(settings["effective_cache_size"]) >= 2 * shared_buffers
    assert 8 <= megabytes(settings["work_mem"]) <= 64
    assert megabytes(settings["maintenance_work_mem"]) >= 128
    # Parallel queries need more /dev/shm than Docker's 64 MB.
    assert megabytes(compose_default(services()["db"]["shm_size"]).upper()) >= 256


def test_compose_postgres_accepts_every_connection_the_stack_may_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conf = load_gunicorn_conf(monkeypatch)
    web = conf.MAX_WORKERS * conf.DEFAULT_THREADS  # the most cores: one connection per thread
    worker_argv = command_argv(services()["worker"])
    concurrency = next(int(a.split("=")[1]) for a in worker_argv if a.startswith("--concurrency="))
    needed = web + WORKER_REPLICAS * (concurrency + 1) + RESERVED_CONNECTIONS
    assert int(postgres_settings()["max_connections"]) >= needed


def test_every_postgres_setting_can_be_set_from_the_environment() -> None:
    argv = command_argv(services()["db"])
    assert all(re.search(r"=\$\{PG_\w+:-[^}]+\}$", a) for a in argv[2::2]), argv
