"""`manage.py seed_demo` runs the demo seeders of the registry (`core.registry`) in their order
and prints, after its first line, the lines they return."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from training_portal.core import registry


@pytest.fixture
def seeders(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """An empty registry of seeders for the test (the apps' own come back afterwards); the
    list records the order in which the seeders ran."""
    monkeypatch.setattr(registry, "_seeders", {})
    yield []


def test_the_seeders_run_in_their_order_and_their_lines_follow_the_first_line(
    seeders: list[str],
) -> None:
    def seeder(name: str, lines: list[str] | None) -> None:
        def seed() -> list[str] | None:
            seeders.append(name)
            return lines

        registry.register_demo_seeder({"a": 100, "b": 300, "c": 200}[name], name, seed)

    seeder("b", ["queued"])
    seeder("a", ["  one", "  two"])
    seeder("c", None)
    out = io.StringIO()

    call_command("seed_demo", "--force", stdout=out)

    assert seeders == ["a", "c", "b"]
    assert out.getvalue().splitlines() == [
        "Demo data ready. Sign in with:",
        "  one",
        "  two",
        "queued",
    ]


def test_the_apps_register_their_demo_seeders_in_the_documented_order() -> None:
    assert [(seeder.order, seeder.name) for seeder in registry.demo_seeders()] == [
        (100, "accounts"),
        (200, "programs"),
        (300, "audits"),
        (310, "inspections"),
        (400, "evaluation"),
        (900, "programs.lifecycle"),
    ]
