"""The per-process memo of :func:`tate.flight.targeting.fly_ballistic_batch`: a hit is
bit-identical to flying the batch again, and any change of input misses."""

from __future__ import annotations

import numpy as np
import pytest

from tate.earth import wgs84
from tate.flight import targeting
from tate.flight.models.booster import StageTable
from tate.flight.targeting import BallisticDesign, fly_ballistic_batch


@pytest.fixture
def batch() -> tuple[BallisticDesign, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = 3  # a small sounding-rocket-like shot that lands in about two minutes
    d = BallisticDesign(StageTable(np.full((1, n), 300.0), np.full((1, n), 60.0),
                                   np.full((1, n), 230.0), np.full((1, n), 12.0)),
                        np.full(n, 50.0), np.full(n, 0.05), np.full(n, 0.3),
                        np.full(n, 3000.0))
    launch = np.asarray(wgs84.geodetic_to_ecef(np.radians([20.0, 20.0, 21.0]),
                                               np.radians([150.0, 150.5, 150.0]), 0.0)).T
    az = np.radians([90.0, 45.0, 10.0])
    theta = np.radians([45.0, 60.0, 30.0])
    return d, launch, az, theta, np.full(n, np.inf)


def test_hit_is_identical_to_a_fresh_flight_and_a_copy(batch: tuple) -> None:
    d, launch, az, theta, cut = batch
    targeting._BATCHES.clear()
    first = fly_ballistic_batch(d, launch, az, theta, cut, 0.5)
    assert np.isfinite(first).all()  # every shot landed
    assert len(targeting._BATCHES) == 1
    first[:] = 0.0  # the caller's copy: the memo must not change with it
    again = fly_ballistic_batch(d, launch, az, theta, cut, 0.5)
    assert len(targeting._BATCHES) == 1
    fresh = targeting._fly_batch(d, launch, az, theta, cut, 0.5, 4000.0)  # no memo
    assert np.array_equal(again, fresh)


def test_any_changed_input_misses(batch: tuple) -> None:
    d, launch, az, theta, cut = batch
    targeting._BATCHES.clear()
    base = fly_ballistic_batch(d, launch, az, theta, cut, 0.5)
    nudged = fly_ballistic_batch(d, launch, az + np.array([0.0, 0.0, 1e-3]), theta, cut, 0.5)
    heavier = BallisticDesign(d.stages, d.payload * 1.5, d.area, d.cd, d.rv_beta)
    other_payload = fly_ballistic_batch(heavier, launch, az, theta, cut, 0.5)
    other_step = fly_ballistic_batch(d, launch, az, theta, cut, 0.25)
    assert len(targeting._BATCHES) == 4
    assert not np.array_equal(base, nudged)
    assert not np.array_equal(base, other_payload)
    assert not np.array_equal(base, other_step)
