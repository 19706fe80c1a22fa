"""Adaptive steps of the threat flight against the fixed step.

Oracle: the same raid flown with the fixed base step (``max_step=0``).  A ballistic
missile's coast above 80 km is Kepler motion with J2, which RK4 integrates to far below a
metre over 10 s, so its path must agree to metres; a glider's lift commands are
refreshed once per (longer) step, a different sampling of the same control law, so its
path may differ by a small fraction of its range while its impact point stays put.
"""

from __future__ import annotations

import numpy as np
import pytest

from tate.earth import wgs84
from tate.flight.fly import FlightResult, fly
from tate.flight.run import sample_for_run
from tate.scenario import default_scenario_path, load_scenario


@pytest.fixture(scope="module")
def pair() -> tuple[FlightResult, FlightResult]:
    scn = load_scenario(default_scenario_path())
    scn = scn.model_copy(update={"threats": [t for t in scn.threats
                                             if t.id in ("HGV-4", "MRBM-1")]})
    scn, _ = sample_for_run(scn, 1)
    return fly(scn, dt=0.2, record_s=1.0), fly(scn, dt=0.2, record_s=1.0, max_step=0.0)


def _path(res: FlightResult, ident: str) -> tuple[np.ndarray, np.ndarray]:
    tr = res.trajectory
    sel = np.asarray(tr["id"]).astype(str) == ident
    lat, lon = np.radians(tr["lat_deg"][sel]), np.radians(tr["lon_deg"][sel])
    return tr["time_s"][sel], wgs84.geodetic_to_ecef(lat, lon, tr["alt_m"][sel])


def test_samples_stay_every_record_interval(pair: tuple[FlightResult, FlightResult]) -> None:
    adaptive, fixed = pair
    for ident in ("HGV-4", "MRBM-1"):
        ta, _ = _path(adaptive, ident)
        tf, _ = _path(fixed, ident)
        n = min(ta.size, tf.size) - 1  # the last row is the impact
        np.testing.assert_allclose(ta[:n], tf[:n], atol=1e-6)
        assert np.all(np.abs(np.diff(ta[:-1]) - 1.0) < 1e-6)


def test_ballistic_path_agrees_to_metres(pair: tuple[FlightResult, FlightResult]) -> None:
    adaptive, fixed = pair
    _, pa = _path(adaptive, "MRBM-1")
    _, pf = _path(fixed, "MRBM-1")
    assert np.linalg.norm(pa - pf, axis=-1).max() < 5.0


def test_glider_path_within_a_fraction_of_its_range(
        pair: tuple[FlightResult, FlightResult]) -> None:
    adaptive, fixed = pair
    _, pa = _path(adaptive, "HGV-4")
    _, pf = _path(fixed, "HGV-4")
    n = min(len(pa), len(pf)) - 1
    rng_m = float(np.asarray(fixed.summary["range_km"])[
        np.asarray(fixed.summary["id"]).astype(str) == "HGV-4"][0]) * 1e3
    assert np.linalg.norm(pa[:n] - pf[:n], axis=-1).max() < 0.002 * rng_m
    assert np.linalg.norm(pa[-1] - pf[-1]) < 50.0  # impact points
