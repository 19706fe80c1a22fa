"""A test scene for the interceptor pool: four threats on straight lines at constant ECEF
velocity (crossing, climbing head-on, sea-skimming, and a fast one whose flight ends at
40 s) and a deck at the equator (tests/unit/engine/test_pool_jit.py,
tests/unit/weapons/test_power_speed.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tate.earth import wgs84


@dataclass
class LineTruth:
    """Threats on straight lines at constant ECEF velocity (what the pool reads)."""

    p0: np.ndarray  # (k, 3)
    v: np.ndarray  # (k, 3)
    t_last: np.ndarray  # (k,)

    def at(self, t: float, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(rows, np.intp)
        return self.p0[rows] + self.v[rows] * t, self.v[rows].copy()


def line_scene() -> tuple[LineTruth, np.ndarray]:
    """The four threats and the launching deck's ECEF position [m]."""
    deck = wgs84.geodetic_to_ecef(0.0, 0.0, 10.0)
    starts = [wgs84.geodetic_to_ecef(0.0, x / wgs84.A, h)
              for x, h in ((40e3, 5e3), (60e3, 12e3), (25e3, 50.0), (150e3, 20e3))]
    east = np.array([0.0, 1.0, 0.0])
    vels = [-250.0 * east, -900.0 * east + [0.0, 0.0, -50.0], -300.0 * east, -2000.0 * east]
    return LineTruth(np.array(starts), np.array(vels), np.array([1e6, 1e6, 1e6, 40.0])), deck
