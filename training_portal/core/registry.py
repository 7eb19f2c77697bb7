"""The one way an app plugs into the portal: feature hooks and demo seeders.

Every app's `AppConfig.ready()` calls `register_features(self, "feature", ...)`. For each
feature package named, its module `<app>.<feature>.hooks` is imported (when it exists) and its
`register()` is called, once: there the feature adds its navigation entries
(`core.navigation.register_nav`), home-page attention providers
(`core.attention.register_attention`), links on a program's page, audit rules, job kinds,
history readers and demo seeders (`register_demo_seeder`, below). Importing `hooks` also
imports the feature's Celery tasks when it imports `tasks`.

The demo (`manage.py seed_demo`) runs the registered seeders in their `order`; each returns
the lines it wants printed (accounts to sign in with, a queued audit run), or nothing. A lower
app registers lower numbers than the apps built on it (accounts 100, programs 200,
supervision 300, evaluation 400, a lifecycle demo that touches every app 900).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

__all__ = ["DemoSeeder", "demo_seeders", "register_demo_seeder", "register_features"]

_done: set[str] = set()


def register_features(app_config: Any, *features: str) -> None:
    """Call `register()` of `<app>.<feature>.hooks` for each feature (once per process)."""
    for feature in features:
        name = f"{app_config.name}.{feature}.hooks" if feature else f"{app_config.name}.hooks"
        if name in _done or find_spec(name) is None:
            continue
        _done.add(name)
        import_module(name).register()


@dataclass(frozen=True)
class DemoSeeder:
    order: int
    name: str
    seed: Callable[[], Iterable[str] | None]


_seeders: dict[str, DemoSeeder] = {}


def register_demo_seeder(order: int, name: str, seed: Callable[[], Iterable[str] | None]) -> None:
    """Add a piece of the demo; `seed()` is idempotent (see `core.seeding.seed_once`) and
    returns the lines `seed_demo` prints (after "Demo data ready", in the seeders' order), or
    None."""
    _seeders[name] = DemoSeeder(order, name, seed)


def demo_seeders() -> list[DemoSeeder]:
    return sorted(_seeders.values(), key=lambda seeder: (seeder.order, seeder.name))
