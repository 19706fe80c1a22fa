"""Benchmark: our multi-target tracker against Stone Soup's, on the same simulated data.

What it measures
----------------
Wall time of the tracking loop and per-scan GOSPA accuracy of
:class:`tate.tracking.tracker.Tracker` and of Stone Soup's ``MultiTargetTracker``
(the open-source Python tracking reference, docs/references.md §7), both fed the SAME
detections in ONE process run.

How
---
1. The §7 scenario is simulated once with the simulator of the unit tests
   (``tests.unit.tracking.test_tracker.simulate``, fixed seed): 2-D nearly-constant-velocity
   targets (q = 0.5 m²/s³ per axis, dt = 1 s), position measurements with σ = 2 m,
   P_D = 0.9, Poisson clutter with mean 5 per scan, all targets alive throughout.
2. Ours: ``Tracker(TrackerConfig(motion="cv", q=0.5, meas_std=2.0, confirm_m=3,
   confirm_n=3, delete_after=3, init_speed=15.0))``, one ``step(t, z)`` per scan.
3. Stone Soup: ``MultiTargetTracker`` with ``KalmanPredictor`` on
   ``CombinedLinearGaussianTransitionModel([ConstantVelocity(0.5)] * 2)``,
   ``KalmanUpdater`` with a ``LinearGaussian`` position model (mapping (0, 2), noise
   diag(4, 4)), ``DistanceHypothesiser(Mahalanobis, missed_distance=3)``,
   ``GNNWith2DAssignment``, ``MultiMeasurementInitiator(min_points=3)`` (prior: zero state,
   covariance diag(0, 15², 0, 15²); the position part comes from the measurement) and
   ``UpdateTimeStepsDeleter(3)``.  Detections are pre-built ``Detection`` objects with
   timestamps, fed by a plain list of ``(datetime, set of detections)``.
4. Only the tracking loop is timed (``Tracker.step`` resp. the tracker's ``next``); the
   simulation, building the detections and the scoring are outside the clock.
5. This is done for each N in ``--targets`` (default 10, 100 and 500).  Stone Soup is
   slow at large N (about 0.4 s per scan at N = 100 and 7 s at N = 500 here), so by
   default it runs the first 100, 50 and 20 scans respectively (``--ss-scans``); both
   trackers are scored on those scans, while our timing covers all ``--scans``.
6. Memory: ours runs ``--memory-scans`` scans (default 10,000) of a 10-target scene
   generated scan by scan, and the resident set size is read from ``/proc/self/statm``
   every tenth of the run, to show that it stays flat (no per-track history is kept).
7. Both are scored with OUR :func:`tate.tracking.metrics.gospa` (α = 2, p = 1, c = 10 m)
   per scan on the confirmed tracks' positions (Stone Soup: every track in
   ``tracker.tracks`` after the scan, position components 0 and 2 of its latest state),
   averaged over the scans after a 10-scan warm-up, with the localisation / missed /
   false parts.

Why the comparison is fair
--------------------------
Same detections, same motion model (Stone Soup's ``ConstantVelocity(q)`` is the same
continuous-white-noise-acceleration model as our ``"cv"``), same measurement noise,
same prior velocity spread (15 m/s), same GNN on a Mahalanobis cost, the same deletion
rule (a confirmed track dies after 3 consecutive misses: ``UpdateTimeStepsDeleter(3)`` ==
``delete_after=3``) and, by default, the same confirmation rule: Stone Soup's holding
tracks get their own ``UpdateTimeStepsDeleter(1)`` (``--ss-hold-misses``), so a track is
released only after 3 consecutive updates, which is our 3-of-3 M-of-N.  Both run on one
core (BLAS threads are set to 1 before numpy is imported).

What differs
------------
* Initiation: ours starts a one-point track (position from the measurement, zero
  velocity) on every unassigned measurement and confirms it by M-of-N in the main table;
  Stone Soup holds candidate tracks in a separate initiator with its own association
  and releases them after ``min_points`` updates (3-point initiation).  Both start from
  one measurement with zero velocity and σ_v = 15 m/s.
* Gating: ours gates at the 99 % chi-square probability (d² < 9.21, miss cost = gate);
  Stone Soup's ``missed_distance=3`` is a Mahalanobis distance d < 3, i.e. d² < 9.
* Stone Soup keeps every track's full state history in memory; ours keeps live rows only.
"""

from __future__ import annotations

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import argparse
import datetime as dt
import importlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.tracking.metrics import gospa
from tate.tracking.tracker import Tracker, TrackerConfig

F64 = NDArray[np.float64]
REPO = Path(__file__).resolve().parents[1]
C_CUT, P_ORDER, ALPHA = 10.0, 1.0, 2.0  # GOSPA settings [m], [-], [-]
Q, SIGMA, PD, CLUTTER, INIT_SPEED = 0.5, 2.0, 0.9, 5.0, 15.0  # §7 scenario (SI units)


@dataclass(frozen=True)
class Run:
    """One tracker's result: tracking-loop wall time [s] and per-scan estimate positions."""

    name: str
    wall: float
    scans: int
    positions: list[F64]


@dataclass(frozen=True)
class Score:
    """Mean GOSPA and its parts over the scored scans [m] (p = 1, so parts add up)."""

    distance: float
    localisation: float
    missed: float
    false: float
    n_tracks: float


def load_simulator() -> Callable[..., tuple[list[F64], list[F64]]]:
    """The unit tests' scenario simulator (repo root put on ``sys.path``)."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    module = importlib.import_module("tests.unit.tracking.test_tracker")
    simulate: Callable[..., tuple[list[F64], list[F64]]] = module.simulate
    return simulate


def run_ours(scans_z: list[F64]) -> Run:
    """Our tracker, one ``step`` per scan at t = scan index [s]; times the loop only."""
    config = TrackerConfig(motion="cv", q=Q, meas_std=SIGMA, confirm_m=3, confirm_n=3,
                           delete_after=3, init_speed=INIT_SPEED)
    tracker = Tracker(config)
    positions: list[F64] = []
    wall = 0.0
    for k, z in enumerate(scans_z):
        t0 = time.perf_counter()
        rows = tracker.step(float(k), z)
        wall += time.perf_counter() - t0
        positions.append(rows.x[:, :2].copy())
    return Run("tate Tracker", wall, len(scans_z), positions)


def run_stonesoup(scans_z: list[F64], hold_misses: int) -> Run:
    """Stone Soup's ``MultiTargetTracker`` configured as in docs/references.md §7."""
    from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
    from stonesoup.deleter.time import UpdateTimeStepsDeleter
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.initiator.simple import MultiMeasurementInitiator
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.tracker.simple import MultiTargetTracker
    from stonesoup.types.detection import Detection
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import KalmanUpdater

    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(Q), ConstantVelocity(Q)])
    measurement = LinearGaussian(ndim_state=4, mapping=(0, 2),
                                 noise_covar=np.diag([SIGMA**2, SIGMA**2]))
    predictor = KalmanPredictor(transition)
    updater = KalmanUpdater(measurement)
    hypothesiser = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(),
                                        missed_distance=3)
    associator = GNNWith2DAssignment(hypothesiser)
    start = dt.datetime(2026, 1, 1)
    prior = GaussianState(np.zeros((4, 1)), np.diag([0.0, INIT_SPEED**2, 0.0, INIT_SPEED**2]),
                          timestamp=start)
    initiator = MultiMeasurementInitiator(
        prior_state=prior, measurement_model=measurement,
        deleter=UpdateTimeStepsDeleter(hold_misses),
        data_associator=GNNWith2DAssignment(hypothesiser), updater=updater, min_points=3)
    feed: list[tuple[dt.datetime, set[Any]]] = []
    for k, z in enumerate(scans_z):
        stamp = start + dt.timedelta(seconds=k)
        feed.append((stamp, {Detection(np.array([[a], [b]]), timestamp=stamp,
                                       measurement_model=measurement) for a, b in z}))
    tracker = MultiTargetTracker(initiator=initiator, deleter=UpdateTimeStepsDeleter(3),
                                 detector=feed, data_associator=associator, updater=updater)
    it = iter(tracker)
    positions: list[F64] = []
    wall = 0.0
    for _ in feed:
        t0 = time.perf_counter()
        _, tracks = next(it)
        wall += time.perf_counter() - t0
        pos = [np.asarray(tr.state_vector, dtype=float).ravel()[[0, 2]] for tr in tracks]
        positions.append(np.array(pos).reshape(-1, 2))
    return Run("Stone Soup MultiTargetTracker", wall, len(feed), positions)


def score(truths: list[F64], positions: list[F64], warmup: int) -> Score:
    """Mean per-scan GOSPA (and parts, and number of tracks) after ``warmup`` scans."""
    parts = np.array([
        (r.distance, r.localisation, r.missed, r.false, est.shape[0])
        for truth, est in zip(truths[warmup:], positions[warmup:], strict=True)
        for r in [gospa(truth, est, c=C_CUT, p=P_ORDER, alpha=ALPHA)]
    ])
    d, loc, miss, false, n = parts.mean(axis=0)
    return Score(float(d), float(loc), float(miss), float(false), float(n))


def report(n: int, args: argparse.Namespace, n_det: int, ours: Run, ss: Run, s_ours: Score,
           s_ss: Score, n_scored: int) -> dict[str, float]:
    """Print one N's comparison block; return its figures for the summary."""
    ratio_base = ours.wall * ss.scans / ours.scans  # our time on Stone Soup's scans
    same = "" if ss.scans == ours.scans else f" (Stone Soup ran the first {ss.scans})"
    lines = [
        ("targets", f"{n}"),
        ("scans", f"{ours.scans:,}{same}"),
        ("detections", f"{n_det:,} (seed {args.seed})"),
        ("wall time, ours", f"{ours.wall:.3f} s  ({ours.wall / ours.scans * 1e3:.2f} ms/scan)"),
        ("wall time, Stone Soup", f"{ss.wall:.3f} s  ({ss.wall / ss.scans * 1e3:.2f} ms/scan)"),
        ("speed ratio (Stone Soup / ours)", f"{ss.wall / ratio_base:,.0f}x"),
        ("GOSPA scored scans", f"{n_scored} (scans {args.warmup}..{args.warmup + n_scored - 1})"),
    ]
    for name, s in (("ours", s_ours), ("Stone Soup", s_ss)):
        lines += [
            (f"mean GOSPA, {name}", f"{s.distance:.2f} m"),
            ("  localisation / missed / false",
             f"{s.localisation:.2f} / {s.missed:.2f} / {s.false:.2f} m"),
            ("  mean confirmed tracks", f"{s.n_tracks:.2f}"),
        ]
    width = max(len(k) for k, _ in lines) + 2
    print("\n".join(f"{k:<{width}}{v}" for k, v in lines), flush=True)
    print(flush=True)
    return {"n": n, "ours_ms": ours.wall / ours.scans * 1e3, "ss_ms": ss.wall / ss.scans * 1e3,
            "ours_total": ours.wall, "ratio": ss.wall / ratio_base,
            "g_ours": s_ours.distance, "g_ss": s_ss.distance}


def rss_mib() -> float:
    """Current resident set size of this process [MiB] (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory_run(scans: int, seed: int) -> list[tuple[int, float, int]]:
    """Ours on a 10-target §7 scene generated scan by scan; (scan, RSS MiB, rows) samples."""
    from tate.tracking.motion import process_noise, transition

    rng = np.random.default_rng(seed)
    F = transition("cv", [1.0], 2)[0]
    L = np.linalg.cholesky(process_noise("cv", [1.0], Q, 2)[0])
    n = 10
    x = np.column_stack([rng.uniform(-400, 400, (n, 2)), rng.uniform(-10, 10, (n, 2))])
    config = TrackerConfig(motion="cv", q=Q, meas_std=SIGMA, confirm_m=3, confirm_n=3,
                           delete_after=3, init_speed=INIT_SPEED)
    tracker = Tracker(config)
    samples = []
    every = max(scans // 10, 1)
    for k in range(scans):
        x = x @ F.T + rng.normal(size=x.shape) @ L.T
        seen = rng.random(n) < PD
        z = x[seen, :2] + rng.normal(scale=SIGMA, size=(int(seen.sum()), 2))
        lo, hi = x[:, :2].min(axis=0) - 50, x[:, :2].max(axis=0) + 50
        z = np.vstack([z, rng.uniform(lo, hi, size=(rng.poisson(CLUTTER), 2))])
        tracker.step(float(k), z)
        if k % every == 0 or k == scans - 1:
            samples.append((k + 1, rss_mib(), int(tracker.book.ids.size)))
    return samples


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default="10,100,500", help="comma-separated target counts")
    ap.add_argument("--scans", default="100,100,50", help="scans (1 s apart) for each N")
    ap.add_argument("--ss-scans", default="100,50,20",
                    help="scans given to Stone Soup for each N; both are scored on these")
    ap.add_argument("--seed", type=int, default=20240601, help="simulation seed")
    ap.add_argument("--warmup", type=int, default=10, help="scans left out of the GOSPA mean")
    ap.add_argument("--ss-hold-misses", type=int, default=1,
                    help="UpdateTimeStepsDeleter steps for Stone Soup's holding tracks "
                         "(1: 3 consecutive updates, our 3-of-3)")
    ap.add_argument("--memory-scans", type=int, default=10_000,
                    help="scans of the memory run (0: skip it)")
    return ap.parse_args(argv)


def _ints(text: str, n: int, name: str) -> list[int]:
    values = [int(v) for v in text.split(",")]
    if len(values) == 1:
        values *= n
    if len(values) != n:
        raise SystemExit(f"{name} needs one value or one per target count, got {text!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    simulate = load_simulator()
    targets = [int(v) for v in args.targets.split(",")]
    scans = _ints(args.scans, len(targets), "--scans")
    ss_scans = [min(a, b) for a, b in
                zip(_ints(args.ss_scans, len(targets), "--ss-scans"), scans, strict=True)]
    rows = []
    for n, n_scans, n_ss in zip(targets, scans, ss_scans, strict=True):
        if n_ss <= args.warmup:
            raise SystemExit(f"Stone Soup's scans ({n_ss}) must exceed --warmup ({args.warmup})")
        truths, scans_z = simulate(args.seed, n_targets=n, scans=n_scans, q=Q, sigma=SIGMA,
                                   pd=PD, clutter=CLUTTER)
        ours = run_ours(scans_z)
        ss = run_stonesoup(scans_z[:n_ss], args.ss_hold_misses)
        s_ours = score(truths[:n_ss], ours.positions[:n_ss], args.warmup)
        s_ss = score(truths[:n_ss], ss.positions, args.warmup)
        n_det = sum(z.shape[0] for z in scans_z)
        rows.append(report(n, args, n_det, ours, ss, s_ours, s_ss, n_ss - args.warmup))
    print("summary (ms per scan; GOSPA in m; ratio = Stone Soup time / ours on the same scans)")
    print(f"{'N':>5} {'ours ms':>9} {'SS ms':>9} {'ratio':>7} {'ours total s':>13} "
          f"{'GOSPA ours':>11} {'GOSPA SS':>9} {'no worse':>9}")
    for r in rows:
        ok = "yes" if r["g_ours"] <= r["g_ss"] else "NO"
        print(f"{r['n']:>5.0f} {r['ours_ms']:>9.2f} {r['ss_ms']:>9.1f} {r['ratio']:>6.0f}x "
              f"{r['ours_total']:>13.3f} {r['g_ours']:>11.2f} {r['g_ss']:>9.2f} {ok:>9}")
    if args.memory_scans:
        samples = memory_run(args.memory_scans, args.seed)
        print(f"\nmemory run: 10 targets, {args.memory_scans:,} scans "
              "(scan, RSS MiB, live track rows)")
        print("  " + "  ".join(f"{k}:{m:.1f}/{r}" for k, m, r in samples))
        first = samples[1][1] if len(samples) > 1 else samples[0][1]
        print(f"  RSS growth after the first tenth: {samples[-1][1] - first:+.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
