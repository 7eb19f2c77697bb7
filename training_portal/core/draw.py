"""A seeded, verifiable random draw: anyone can re-run it by hand from its public record (the
seed, the inputs, the algorithm), for instance with `sha256sum`.

Algorithm "sha256-rank/1" (`ALGORITHM`): to *rank* a list of ids for a purpose, compute for
each id the SHA-256 of the UTF-8 text ``f"{seed}|{purpose}|{id}"`` (ids in decimal, no
spaces) and sort the ids by that hexadecimal digest, ascending (ties are impossible in
practice; they would keep the id order). The first *k* ids of the ranking are the ones drawn
(`draw`), in that order.

The seed is published with the draw (a commitment to the inputs is `inputs_digest`: the
SHA-256 of their canonical JSON, so that a changed input shows even where it would not change
what is drawn). `differences` compares a re-run with the stored result, path by path: an empty
list means the draw is verified.

Used by external inspections (targets, students, inspectors) and by anything else that must
draw people or items verifiably (e.g. external reviewers).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from typing import Any

__all__ = [
    "ALGORITHM",
    "MAX_SEED_LENGTH",
    "canonical_json",
    "differences",
    "draw",
    "inputs_digest",
    "new_seed",
    "rank",
    "seed_is_valid",
]

ALGORITHM = "sha256-rank/1"
MAX_SEED_LENGTH = 64


def canonical_json(value: Any) -> str:
    """The one text a document is hashed as: keys sorted, no spaces, UTF-8 characters kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def new_seed() -> str:
    """A fresh random seed (32 hexadecimal digits)."""
    return secrets.token_hex(16)


def seed_is_valid(seed: str) -> bool:
    return 0 < len(seed.strip()) <= MAX_SEED_LENGTH


def _key(seed: str, purpose: str, item: int) -> str:
    return hashlib.sha256(f"{seed}|{purpose}|{item}".encode()).hexdigest()


def rank(seed: str, purpose: str, ids: Sequence[int]) -> list[int]:
    """The ids ordered by SHA-256 of "seed|purpose|id", ascending (the draw order)."""
    return sorted(ids, key=lambda item: _key(seed, purpose, item))


def draw(seed: str, purpose: str, ids: Sequence[int], k: int) -> list[int]:
    """The first `k` ids of the ranking (all of them if there are fewer)."""
    return rank(seed, purpose, ids)[:k]


def inputs_digest(inputs: Any) -> str:
    """The SHA-256 of the inputs' canonical JSON: the published commitment to the inputs."""
    return hashlib.sha256(canonical_json(inputs).encode("utf-8")).hexdigest()


def differences(expected: Any, stored: Any, path: str = "result") -> list[str]:
    """Where a re-run (`expected`) and the stored result differ (empty when identical)."""
    if isinstance(expected, dict) and isinstance(stored, dict):
        keys = sorted(set(expected) | set(stored))
        return [
            d
            for key in keys
            for d in differences(expected.get(key), stored.get(key), f"{path}.{key}")
        ]
    if isinstance(expected, list) and isinstance(stored, list) and len(expected) == len(stored):
        return [
            d
            for i, (a, b) in enumerate(zip(expected, stored, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    if expected != stored:
        return [f"{path}: re-run gives {expected!r}, stored {stored!r}"]
    return []
