"""A test scene for the interceptor pool: four threats on straight lines at constant ECEF
velocity (crossing, climbing head-on, sea-skimming, and a fast one whose flight ends at
40 s) and a deck at the equator (tests/unit/engine/test_pool_jit.py,
tests/unit/weapons/test_power_speed.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


#: launches of the scene: (time [s], launcher row, threat row (-1: a false track), time to
#: the aim point [s]); the aim point is the threat's position then, 100 m off in each axis
SHOTS = [(1.0, 0, 0, 30.0), (2.0, 1, 1, 25.0), (4.0, 0, 2, 15.0), (6.0, 1, 3, 20.0),
         (8.0, 0, -1, 12.0), (9.0, 0, 0, 2.0), (9.0, 1, 1, 20.0)]


def fly_scene(pool: Any, truth: LineTruth, shots: list[tuple[float, int, int, float]],
              report: Callable[..., None]) -> None:
    """Launch ``shots`` and fly ``pool`` against ``truth`` in 0.5 s ticks for 120 s."""
    killed = np.zeros(truth.p0.shape[0], dtype=bool)
    t = 0.0
    while t < 120.0:
        for k, (tl, launcher, threat, t_pip) in enumerate(shots):
            if tl == t:
                pip, _ = truth.at(t + t_pip, np.array([max(threat, 0)]))
                pool.launch(t, launcher, pip[0] + 100.0, t_pip, shot=k, threat=threat)
        pool.fly(t, t + 0.5, truth, killed, report)
        t += 0.5
