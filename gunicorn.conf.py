"""gunicorn settings for the portal's web service (Dockerfile CMD, docker-compose.yml `web`).

    gunicorn --config gunicorn.conf.py training_portal.wsgi:application

The portal is database-bound: most of a request's time is spent waiting for PostgreSQL (and
Redis), during which a Python thread holds no GIL. So the web service runs *gthread* workers:

    workers = cores + 1, at most 16    processes: one per core keeps every core busy with
                                       Python work (templates, serialisers), one spare
                                       covers a worker that is recycling or blocked
    threads = 4 per worker             while one thread waits on the database, the others
                                       render; a slow page no longer holds up the fast
                                       ones queued behind it (as with sync workers)

`cores` is what this process may really use: the CPU affinity mask, lowered to a container's
CPU quota (cgroup `cpu.max`, e.g. `docker run --cpus 2`). Environment variables override:

    WEB_CONCURRENCY         worker processes
    GUNICORN_THREADS        threads per worker; 1 selects sync workers
    GUNICORN_WORKER_CLASS   gthread (threads > 1) or sync (threads = 1) by default
    GUNICORN_TIMEOUT        seconds a request may take before its worker is restarted (60)
    GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_KEEPALIVE, GUNICORN_MAX_REQUESTS, GUNICORN_BIND

Each worker process has its own database connection pool (settings.py, DATABASE_POOL=true):
unless DATABASE_POOL_MAX_SIZE is set, it is the number of threads, one connection per
thread, so a thread never waits for a connection. The database then sees at most
workers x threads connections from the web service (docker-compose.yml sizes PostgreSQL's
max_connections for it).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

MAX_WORKERS = 16
DEFAULT_THREADS = 4
CGROUP_ROOT = Path("/sys/fs/cgroup")


def available_cores(cgroup_root: Path = CGROUP_ROOT) -> int:
    """The CPUs this process may use: its affinity mask, capped by a cgroup CPU quota."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    quota = _cgroup_cpu_quota(cgroup_root)
    return max(1, min(cores, math.ceil(quota))) if quota else cores


def _cgroup_cpu_quota(root: Path) -> float | None:
    """CPUs allowed by the cgroup (v2 `cpu.max`, v1 `cpu.cfs_quota_us`), None if unlimited."""
    try:
        if (root / "cpu.max").exists():
            quota, period = (root / "cpu.max").read_text().split()[:2]
        else:
            quota = (root / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (root / "cpu" / "cpu.cfs_period_us").read_text().strip()
    except (OSError, ValueError):
        return None
    if quota in ("max", "-1") or int(period) <= 0:
        return None
    return int(quota) / int(period)


def concurrency(cores: int, environ: Mapping[str, str]) -> tuple[int, int]:
    """(workers, threads) for `cores` CPUs, unless WEB_CONCURRENCY / GUNICORN_THREADS say."""
    workers = int(environ.get("WEB_CONCURRENCY") or min(max(cores, 1) + 1, MAX_WORKERS))
    threads = int(environ.get("GUNICORN_THREADS") or DEFAULT_THREADS)
    if workers < 1 or threads < 1:
        raise ValueError("WEB_CONCURRENCY and GUNICORN_THREADS must be 1 or more.")
    return workers, threads


workers, threads = concurrency(available_cores(), os.environ)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or ("gthread" if threads > 1 else "sync")

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Long work (reports, audits, imports of big files) runs in Celery jobs: a request that takes
# a minute is stuck, and its worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Behind the TLS proxy: keep its connections open a little (gthread workers only).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle a worker after this many requests (spread out) to bound memory growth; 0: never.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The workers' heartbeat files in memory: a container's overlay file system can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = "-"
errorlog = "-"
# No preload_app: every worker imports the portal itself and opens its own database pool,
# so no connection or pool thread is ever shared across fork().

# One pooled connection per thread in each worker (read by settings.py with DATABASE_POOL).
raw_env = [] if os.environ.get("DATABASE_POOL_MAX_SIZE") else [f"DATABASE_POOL_MAX_SIZE={threads}"]
