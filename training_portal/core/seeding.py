"""Seed once, remember that it did: the demo seeders run through `seed_once`.

A seeder that has a `SeedRecord` is not run again, so a second `make run` after ordinary use
never meets the users' rows (a case log with the demo's procedure, a project with the demo's
title). Demo data loaded by an older version, before the records existed, is recognised by a
key only the demo uses (an e-mail address of the demo domain, the demo program's code): the
record is then written without creating anything. New demo pieces get a new name, so that an
existing database receives them once too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

from .models import SeedRecord

T = TypeVar("T")


def has_seeded(name: str) -> bool:
    return SeedRecord.objects.filter(name=name).exists()


@transaction.atomic
def seed_once(
    name: str, seed: Callable[[], T], *, already_there: Callable[[], bool] | None = None
) -> T | None:
    """Run `seed` and record `name`, unless `name` is recorded already; `already_there` says
    whether an older version loaded this piece (then it is recorded, not run). Returns what
    `seed` returned, or None when it did not run. A concurrent second start fails on the
    unique name and rolls back, instead of seeding twice."""
    if has_seeded(name):
        return None
    if already_there is not None and already_there():
        SeedRecord.objects.create(name=name, origin="found")
        return None
    result = seed()
    SeedRecord.objects.create(name=name)
    return result
