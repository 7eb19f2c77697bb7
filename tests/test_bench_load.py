"""The pure parts of `bench/load.py` (`make bench-load`), so that the benchmark cannot rot:
its figures (percentiles, ratios, errors) and its mix (every URL resolves to the view the
bench means to measure)."""

from __future__ import annotations

import math

import pytest
from django.urls import resolve, reverse

from bench.load import ANONYMOUS, MIX, ROLES, Endpoint, Stats, percentile, ratio


def test_percentile_interpolates_between_the_closest_ranks() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 0) == 1
    assert percentile(values, 50) == 3
    assert percentile(values, 100) == 5
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([1.0, 2.0], 50) == 1.5
    assert percentile([7.0], 99) == 7
    assert math.isnan(percentile([], 50))


def test_ratio_is_nan_without_a_baseline() -> None:
    assert ratio(300, 100) == 3
    assert math.isnan(ratio(300, 0))
    assert math.isnan(ratio(math.nan, 100))
    assert math.isnan(ratio(300, math.nan))


def test_stats_count_every_answer_but_time_only_the_good_ones() -> None:
    stats = Stats()
    stats.add(0.1, 200)
    stats.add(0.3, 200)
    stats.add(9.0, 500)
    stats.add(60.0, "TimeoutError")
    assert (stats.count, stats.errors) == (4, 2)
    assert stats.ms(50) == pytest.approx(200)
    assert stats.statuses == {"200": 2, "500": 1, "TimeoutError": 1}
    summary = stats.summary(duration=2)
    assert summary["per_s"] == 2
    assert summary["p99_ms"] == pytest.approx(298)


def test_every_role_has_a_share_of_the_mix() -> None:
    assert {e.role for e in MIX} == set(ROLES)
    assert len(set(MIX)) == len(MIX)
    assert all(e.arg in (None, "program", "student") for e in MIX)


@pytest.mark.parametrize("endpoint", MIX, ids=lambda e: e.label)
def test_every_url_of_the_mix_resolves(endpoint: Endpoint) -> None:
    url = reverse(endpoint.url_name, kwargs={"pk": 1} if endpoint.arg else {})
    match = resolve(url)
    assert match.view_name == endpoint.url_name
    if endpoint.is_api:
        # The bare baseline (bench/bare.py) reads the list of a DRF viewset.
        assert match.func.actions["get"] == "list"  # type: ignore[attr-defined]
    assert endpoint.is_public == (endpoint.role == ANONYMOUS)
