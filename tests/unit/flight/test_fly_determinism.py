"""Same scenario and seed give bit-identical flights; the seed drives the distributions."""

from __future__ import annotations

import numpy as np

from tate.flight.fly import fly
from tate.flight.run import sample_for_run

from .conftest import scenario

UNCERTAIN = """
[[threats]]
id = "owa"
model = "drone"
count = 2
interval_s = 5
spread_m = 500
speed_mps = { normal = { mean = 50, std = 5 } }
cruise_alt_m = { uniform = { low = 100, high = 400 } }
aim = { ship = "S" }
[threats.launch]
lat_deg = 19.95
lon_deg = 149.9
time_s = { triangular = { low = 0, mode = 5, high = 20 } }
"""


def _same(x: np.ndarray, y: np.ndarray) -> bool:
    if x.dtype == object:
        return x.tolist() == y.tolist()
    return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()


def _tables_equal(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    """Bit-for-bit equality of two column tables (NaN included)."""
    return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)


def test_same_seed_same_bits() -> None:
    scn = scenario(UNCERTAIN)
    runs = [fly(sample_for_run(scn, 7)[0], dt=0.1) for _ in range(2)]
    for name in ("trajectory", "summary", "events"):
        assert _tables_equal(getattr(runs[0], name), getattr(runs[1], name)), name
    assert runs[0].scenario_hash == runs[1].scenario_hash


def test_different_seed_different_draws() -> None:
    scn = scenario(UNCERTAIN)
    a, _ = sample_for_run(scn, 7)
    b, _ = sample_for_run(scn, 8)
    assert a.threats[0].speed_mps != b.threats[0].speed_mps
    assert a.threats[0].launch.time_s != b.threats[0].launch.time_s
    assert 100.0 <= a.threats[0].cruise_alt_m <= 400.0


def test_seed_falls_back_to_the_file_then_zero() -> None:
    scn = scenario(UNCERTAIN)
    assert sample_for_run(scn, None)[1] == 0
    with_seed = scn.model_copy(update={"seed": 42})
    assert sample_for_run(with_seed, None)[1] == 42
