"""Benchmark: IMM against constant-velocity filtering and prediction on manoeuvring
boost-glide vehicles.

What it measures
----------------
Position error of the filtered estimate and of its prediction 10, 30, 60 and 120 s
ahead, for boost-glide vehicles flown by tate's own physics (``tate.flight.fly``),
observed by a ship radar in range/azimuth/elevation, tracked by (a) a 3-D
constant-velocity EKF at several process-noise levels and (b) the default IMM of
:func:`tate.tracking.filters.make_filter` (CV low q, coordinated turn, CV high q)
at several base q.  Printed: RMS and median error per horizon and filter, and the
time per filter run.

How
---
1. ``--gliders`` DF-17-class gliders (the bundled scenario's booster and glide
   parameters) are launched from 1,600 km west of a ship at 20° N 160° E; half fly
   S-turns (bank 20–45°, period 40–120 s, drawn from ``--seed``), the rest glide
   straight at the ship, all with equilibrium glide at L/D 2.6.
2. Truth at 1 s steps from ``fly`` is converted to the ship's ENU frame; the radar
   (mast 25 m) sees a glider above its 4/3-Earth horizon and within 900 km and
   measures range (σ 20 m), azimuth and elevation (σ 0.5 mrad) once a second,
   with its own random stream.
3. Every filter starts on a glider's first two measurements (position from the
   first, velocity from the difference) and is updated once a second (EKF update in
   range/azimuth/elevation); all gliders are rows of one vectorised filter.
4. From 30 s after the first detection on, at each second the filtered state is
   predicted h s ahead by the filter's own motion model (no measurement) and
   compared with the truth at that time, if the glider is still flying then.
"""

from __future__ import annotations

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import argparse
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.flight.fly import fly
from tate.scenario.loader import loads_scenario
from tate.sensors.detection import radar_horizon
from tate.tracking.filters import make_filter
from tate.tracking.measurement import RAEMeas
from tate.tracking.radar import rae
from tate.tracking.tracker import rae_to_position

F64 = NDArray[np.float64]
SHIP = (20.0, 160.0)
HORIZONS = (0, 10, 30, 60, 120)
SIG = np.array([20.0, 5e-4, 5e-4])  # range [m], az, el [rad]
MAST = 25.0

GLIDER = """
[[threats]]
id = "G{i}"
model = "boost-glide"
launch = {{ lat_deg = {lat:.4f}, lon_deg = 144.7, time_s = {t0:.1f} }}
aim = {{ lat_deg = {alat:.4f}, lon_deg = {alon:.4f} }}
stages = [
  {{ propellant_kg = 9000, dry_kg = 1000, isp_s = 265, burn_time_s = 60 }},
  {{ propellant_kg = 3000, dry_kg = 400, isp_s = 280, burn_time_s = 45 }},
]
payload_kg = 1800
diameter_m = 1.4
glide = {{ aero = "constant", lift_to_drag = 2.6, alt_m = {alt:.0f} }}
{manoeuvre}
"""


@dataclass(frozen=True)
class Truth:
    """Truth of all gliders on a common 1 s grid: positions (g, T, 3), NaN when not flying."""

    t: F64
    pos: F64


def build_truth(n: int, seed: int) -> Truth:
    """Fly ``n`` gliders and return their ENU truth about the ship."""
    rng = np.random.default_rng(seed)
    parts = ['name = "IMM bench"\nepoch_utc = "2030-06-01T00:00:00Z"\ntime_limit_s = 1500\n']
    for i in range(n):
        manoeuvre = ""
        if i % 2 == 0:
            manoeuvre = (f'manoeuvre = {{ kind = "s-turn", bank_deg = {rng.uniform(20, 45):.1f},'
                         f' period_s = {rng.uniform(40, 120):.0f} }}')
        parts.append(GLIDER.format(i=i, lat=20.0 + rng.uniform(-1, 1), t0=0.0,
                                   alat=SHIP[0] + rng.uniform(-0.05, 0.05),
                                   alon=SHIP[1] + rng.uniform(-0.05, 0.05),
                                   alt=rng.uniform(35e3, 45e3), manoeuvre=manoeuvre))
    scn = loads_scenario("\n".join(parts), "imm-bench")
    res = fly(scn, dt=0.2, record_s=1.0)
    tr = res.trajectory
    ids = np.asarray(tr["id"])
    names = [f"G{i}" for i in range(n)]
    t_all = np.asarray(tr["time_s"], float)
    grid = np.arange(0.0, np.ceil(t_all.max()) + 1.0)
    pos = np.full((n, grid.size, 3), np.nan)
    ecef = wgs84.geodetic_to_ecef(np.radians(tr["lat_deg"]), np.radians(tr["lon_deg"]),
                                  np.asarray(tr["alt_m"], float))
    enu = wgs84.ecef_to_enu(ecef, np.radians(SHIP[0]), np.radians(SHIP[1]), 0.0)
    for g, name in enumerate(names):
        sel = ids == name
        k = np.round(t_all[sel]).astype(int)
        on = np.isclose(t_all[sel], k)
        pos[g, k[on]] = enu[sel][on]
    return Truth(grid, pos)


def measure(truth: Truth, seed: int) -> tuple[F64, NDArray[np.bool_]]:
    """Radar measurements (g, T, 3) and the visibility mask (g, T)."""
    rng = np.random.default_rng([seed, 7])
    sensor = np.array([0.0, 0.0, MAST])
    p = truth.pos
    alt = p[..., 2]
    rng_m = np.linalg.norm(p - sensor, axis=-1)
    seen = np.isfinite(alt) & (rng_m < 900e3)
    seen &= rng_m < radar_horizon(MAST, np.maximum(np.nan_to_num(alt), 0.0))
    z = np.full(p.shape, np.nan)
    flat = p[seen] - sensor
    z[seen] = rae(flat) + rng.normal(size=flat.shape) * SIG
    return z, seen


def run_filter(name: str, motion: str, q: float, truth: Truth, z: F64, seen: NDArray[np.bool_]
               ) -> tuple[dict[int, F64], float]:
    """Errors per horizon (concatenated over gliders and times) and the wall time."""
    filt = make_filter(motion, 3, q)
    g, T = seen.shape
    first = np.where(seen.any(axis=1), seen.argmax(axis=1), T)
    R = np.diag(SIG**2)
    sensor = np.array([0.0, 0.0, MAST])
    errors: dict[int, list[F64]] = {h: [] for h in HORIZONS}
    t0 = time.perf_counter()
    state = None
    active = np.zeros(g, dtype=bool)
    rows_of = np.full(g, -1)
    for k in range(T):
        if state is not None:
            state = filt.predict(state, 1.0)
        start = np.flatnonzero(first == k)
        if start.size:
            pos, cov = rae_to_position(RAEMeas(sensor, R), z[start, k])
            new = filt.init(pos, cov, 2500.0)
            state = new if state is None else filt.concat(state, new)
            rows_of[start] = np.arange(active.sum(), active.sum() + start.size)
            active[start] = True
            continue
        upd = np.flatnonzero(active & seen[:, k] & (first < k))
        if upd.size:
            r = rows_of[upd]
            state, _ = filt.update(state, r, z[upd, k][:, None, :], np.ones((upd.size, 1)),
                                   np.zeros(upd.size), RAEMeas(sensor, np.broadcast_to(
                                       R, (upd.size, 3, 3)).copy()))
        scored = np.flatnonzero(active & (k - first >= 30) & np.isfinite(truth.pos[:, k, 0]))
        if scored.size == 0:
            continue
        r = rows_of[scored]
        for h in HORIZONS:
            if k + h >= T:
                continue
            ok = np.isfinite(truth.pos[scored, k + h, 0])
            if not ok.any():
                continue
            s = filt.take(state, r[ok])
            if h:
                s = filt.predict(s, float(h))
            x, _ = filt.output(s)
            errors[h].append(np.linalg.norm(x[:, :3] - truth.pos[scored[ok], k + h], axis=1))
    wall = time.perf_counter() - t0
    return {h: np.concatenate(v) if v else np.empty(0) for h, v in errors.items()}, wall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gliders", type=int, default=16)
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    truth = build_truth(args.gliders, args.seed)
    z, seen = measure(truth, args.seed)
    print(f"{args.gliders} gliders flown in {time.perf_counter() - t0:.1f} s; "
          f"{int(seen.sum()):,} radar measurements; tracked "
          f"{int(seen.any(axis=1).sum())} gliders")
    filters = [("CV q=10", "cv", 10.0), ("CV q=100", "cv", 100.0), ("CV q=1000", "cv", 1000.0),
               ("CV q=10000", "cv", 1e4), ("IMM q=10", "imm", 10.0), ("IMM q=100", "imm", 100.0),
               ("IMM q=1000", "imm", 1000.0)]
    head = " ".join(f"{f'{h} s':>15}" for h in HORIZONS)
    print(f"\nposition error, RMS / median [m], by prediction horizon\n{'filter':<12}{head}"
          f"{'wall s':>9}")
    for name, motion, q in filters:
        err, wall = run_filter(name, motion, q, truth, z, seen)
        cells = " ".join(
            f"{np.sqrt(np.mean(err[h]**2)):>7.0f}/{np.median(err[h]):>7.0f}" if err[h].size
            else f"{'-':>15}" for h in HORIZONS)
        print(f"{name:<12}{cells}{wall:>9.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
