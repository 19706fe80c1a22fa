"""Fly-out tables: how long each interceptor preset takes to reach a point, found by
flying it.

For a grid of predicted intercept points (ground range × altitude) the preset is flown
with the engine's physics (:class:`~tate.weapons.interceptor.InterceptorModel`: boost,
vertical rise, midcourse zero-effort-miss steering to the fixed point, drag from the
Mach table, US76 air, rotating Earth with J2) from a deck 10 m above the sea toward
each point, all points in one propagation.  A cell records the time of the closest
approach to its point (cubic Hermite inside the step, never quantised by it) and the
speed there; it is *unreachable* (NaN) when the closest approach is further than
``REACH_FRACTION`` of the seeker's acquisition range (the seeker would not find a
target there) or the arrival speed is below ``MIN_ARRIVAL_SPEED_MPS``.  Engageability
(:mod:`tate.c2.engage`) interpolates the table bilinearly instead of the kinematic
stand-in where a table exists.

The tables of the bundled presets ship in ``data/flyout.json``;
``python -m tate.weapons.flyout`` regenerates them (about a minute), and a test re-flies
cells and compares.  Units: m, s, m/s.  Frame: ECEF for the flight, the table's axes are
ground range from the launcher and altitude above the ellipsoid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MIN_ARRIVAL_SPEED_MPS",
    "REACH_FRACTION",
    "FlyoutTable",
    "compute_table",
    "flyout_table",
]

F64 = NDArray[np.float64]
REACH_FRACTION = 0.05  #: closest approach ≤ this × seeker range: reachable [-] [A]
MIN_ARRIVAL_SPEED_MPS = 400.0  #: slower at the point: unreachable [m/s] [A]
DATA = Path(__file__).with_name("data") / "flyout.json"
GRID = {  # preset → (ranges [m], altitudes [m], longest flight [s])
    "sm3-iia-like": (np.linspace(0.0, 2500e3, 26), np.linspace(100e3, 1000e3, 10), 900.0),
    "sm3-ib-like": (np.linspace(0.0, 900e3, 19), np.linspace(100e3, 500e3, 9), 600.0),
    "sm6-like": (np.linspace(0.0, 370e3, 38), np.linspace(1000.0, 33e3, 12), 500.0),
    "gpi-like": (np.linspace(0.0, 600e3, 25), np.linspace(40e3, 70e3, 7), 500.0),
    "essm-like": (np.linspace(0.0, 50e3, 26), np.linspace(1000.0, 15e3, 8), 150.0),
}


@dataclass(frozen=True)
class FlyoutTable:
    """Time [s] and speed [m/s] at the closest approach to each grid point (NaN:
    unreachable), ``(R, H)`` over ``ranges_m (R,)`` × ``alts_m (H,)``."""

    preset: str
    ranges_m: F64
    alts_m: F64
    time_s: F64
    speed_mps: F64

    def time(self, ground_m: Any, alt_m: Any) -> F64:
        """Fly-out time to points at ground range ``ground_m`` and altitude ``alt_m``
        (broadcast), bilinear in the table; NaN beyond its last range or altitude or
        where a corner is unreachable.  Points below the lowest altitude take that row:
        the endo presets' tables start at 1 km, since a round flown point to point to a
        sea-skimmer's height would meet the sea first, where the real one's seeker brings
        it down from above in the last seconds."""
        g = np.asarray(ground_m, float)
        r, a = self.ranges_m, self.alts_m
        h = np.maximum(np.asarray(alt_m, float), a[0])
        inside = (g >= r[0]) & (g <= r[-1]) & (h <= a[-1])
        # np.minimum(hi, np.maximum(lo, x)): np.clip(x, lo, hi) without its dispatch
        i = np.minimum(r.size - 2, np.maximum(0, r.searchsorted(g, side="right") - 1))
        j = np.minimum(a.size - 2, np.maximum(0, a.searchsorted(h, side="right") - 1))
        u = np.minimum(1.0, np.maximum(0.0, (g - r[i]) / (r[i + 1] - r[i])))
        v = np.minimum(1.0, np.maximum(0.0, (h - a[j]) / (a[j + 1] - a[j])))
        t = self.time_s
        out = ((1 - u) * (1 - v) * t[i, j] + u * (1 - v) * t[i + 1, j]
               + (1 - u) * v * t[i, j + 1] + u * v * t[i + 1, j + 1])
        return np.where(inside, out, np.nan)

    def to_json(self) -> dict[str, Any]:
        def clean(x: F64) -> list[Any]:
            return [[None if not np.isfinite(v) else round(float(v), 3) for v in row]
                    for row in x]

        return {"preset": self.preset, "ranges_m": self.ranges_m.tolist(),
                "alts_m": self.alts_m.tolist(), "time_s": clean(self.time_s),
                "speed_mps": clean(self.speed_mps)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> FlyoutTable:
        def arr(x: list[Any]) -> F64:
            return np.array([[np.nan if v is None else v for v in row] for row in x], float)

        return cls(d["preset"], np.array(d["ranges_m"], float), np.array(d["alts_m"], float),
                   arr(d["time_s"]), arr(d["speed_mps"]))


def compute_table(name: str, ranges_m: F64, alts_m: F64, max_time_s: float) -> FlyoutTable:
    """Fly preset ``name`` to every (range, altitude) point of the grid."""
    from tate.earth import wgs84
    from tate.flight.integrator import Propagator
    from tate.weapons.intercept import closest_approach_hermite
    from tate.weapons.interceptor import InterceptorModel
    from tate.weapons.presets import interceptor_preset

    p = interceptor_preset(name)
    rr, hh = np.meshgrid(ranges_m, alts_m, indexing="ij")
    n = rr.size
    lon = rr.ravel() / wgs84.A  # due east along the equator
    pip = wgs84.geodetic_to_ecef(np.zeros(n), lon, hh.ravel()).T  # (3, n)
    deck = np.repeat(wgs84.geodetic_to_ecef(0.0, 0.0, 10.0).reshape(3, 1), n, axis=1)
    model = InterceptorModel([p] * n, 0.1)
    model.set_pip(np.arange(n), pip, np.zeros(n))
    prop = Propagator([model], deck, np.zeros_like(deck), model.liftoff_mass, 0.1)
    best = np.full(n, np.inf)
    t_best = np.full(n, np.nan)
    v_best = np.full(n, np.nan)
    done = np.zeros(n, dtype=bool)
    burn = float(model.t_burnout.max())
    while prop.t < max_time_s and not done.all():
        h = 0.1 if prop.t < p.t_vert_s + 0.5 else (0.25 if prop.t < burn else 0.5)
        p0, v0 = prop.pos.copy(), prop.vel.copy()
        t0 = prop.t
        prop.step(h)
        zero = np.zeros_like(pip)
        s, miss = closest_approach_hermite(p0, v0, prop.pos, prop.vel, pip, zero, pip, zero, h)
        better = (miss < best) & ~done
        best = np.where(better, miss, best)
        t_best = np.where(better, t0 + s, t_best)
        speed = np.linalg.norm(prop.vel, axis=0)
        v_best = np.where(better, speed, v_best)
        opening = np.einsum("ij,ij->j", pip - prop.pos, prop.vel) < 0
        done |= (opening & (s < h - 1e-9)) | ~prop.alive
    ok = (best <= REACH_FRACTION * p.seeker_range_m) & (v_best >= MIN_ARRIVAL_SPEED_MPS)
    shape = rr.shape
    return FlyoutTable(name, np.asarray(ranges_m, float), np.asarray(alts_m, float),
                       np.where(ok, t_best, np.nan).reshape(shape),
                       np.where(ok, v_best, np.nan).reshape(shape))


@cache
def _bundled() -> dict[str, FlyoutTable]:
    if not DATA.exists():
        return {}
    raw = json.loads(DATA.read_text())
    return {k: FlyoutTable.from_json(v) for k, v in raw.items()}


def flyout_table(name: str) -> FlyoutTable | None:
    """The bundled table of preset ``name``, or None."""
    return _bundled().get(name)


def main() -> None:
    """Regenerate ``data/flyout.json``."""
    import time

    out = {}
    for name, (ranges, alts, t_max) in GRID.items():
        t0 = time.perf_counter()
        out[name] = compute_table(name, ranges, alts, t_max).to_json()
        print(f"{name}: {time.perf_counter() - t0:.1f} s", flush=True)
    DATA.parent.mkdir(parents=True, exist_ok=True)
    tmp = DATA.with_suffix(".json.part")
    tmp.write_text(json.dumps(out, separators=(",", ":")))
    tmp.replace(DATA)


if __name__ == "__main__":
    main()
