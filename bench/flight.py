"""Benchmark of the flight integrator: 10,000 boost-glide vehicles against solve_ivp.

What it measures
----------------
Throughput of :class:`tate.flight.integrator.Propagator` (fixed-step RK4 over all
bodies at once) on the model that dominates a raid's cost: 10,000 DF-17-class
boost-glide vehicles (:class:`~tate.flight.models.booster.Booster` two-stage boost,
:class:`~tate.flight.models.boost_glide.BoostGlide` constant-L/D glide, some with
S-turns), launched from 10-30°N, 140°E towards aim points 1,700-1,800 km east, flown
for 600 s at dt = 0.1 s (6,000 steps; every body is still flying at 600 s), with the
ground and aim-point checks that ``tate fly`` uses, no snapshots.  Printed:
body-steps per second (bodies x steps / wall time), the process's peak resident
memory (``ru_maxrss``), and the CPU-time / wall-time ratio of the run as evidence
that one core did the work (BLAS/OpenMP pools are limited to one thread before numpy
is imported; numpy's elementwise kernels are single-threaded anyway).

Baseline, and why it is fair
----------------------------
The same model, one trajectory at a time, with ``scipy.integrate.solve_ivp`` (RK45)
on a sample of ``--sample`` bodies.  The model's guidance is discrete: the flight
computer (``FlightModel.update``: staging and the step-average thrust every step,
phase changes and lift commands at the model's guidance rate) runs once at the start
of every step and its commands are held over the step.  A continuous-control
version would be a different ODE, so the baseline integrates the same one: for each
step interval [t, t + dt] it calls the model's ``update`` exactly as
``Propagator.step`` does (same clock, k dt), then one ``solve_ivp`` call over the
interval whose right-hand side is ``Propagator.derivative`` of a one-body
Propagator.  solve_ivp therefore replaces only the RK4 stage arithmetic; the physics
code and the per-step ``update`` are shared by both sides, and both timings include
them (the baseline skips the ground and aim-point checks, which favours it).

The baseline is tuned in its favour: ``first_step`` is the whole interval, and at the
default rtol = 1e-6 (atol 1e-6 m, 1e-8 m/s, 1e-8 kg) RK45's error test passes on
every interval, so it takes one step of 7 right-hand-side calls per interval (6
stages + the initial derivative; the FSAL value is not carried across solve_ivp
calls).  In trials on two bodies, rtol 1e-3 ... 1e-5 gave the same steps and result;
letting solve_ivp choose its first step cost ~12 calls per interval, about twice the
time, for an error we do not need (0.005-0.017 m instead of 0.007-0.046 m).  The
error the baseline leaves is printed next to ours and must not exceed it
("matched").  Ratio = (solve_ivp wall seconds per trajectory) / (our wall seconds per
trajectory = total / bodies).  What the ratio does not claim: a hand-written scalar
right-hand side (plain floats, numba, C) would make the per-trajectory loop much
faster; the baseline here is our model code called one trajectory at a time.

Accuracy
--------
Reference for the sampled bodies: the same held-command ODE integrated with
``solve_ivp`` DOP853 at rtol = 1e-10 (the sampled bodies stacked into one system,
which only makes the step control stricter; on two bodies it differed from rtol =
1e-12 by 2e-4 m after 600 s).  Printed: the largest final-position error after the
flight over the sample of (a) our RK4 at dt and (b) the RK45 baseline; the accuracy
counts as matched when (b) <= (a).

Run: ``python bench/flight.py [--bodies N --seconds T --dt DT --sample K --seed S]``.
"""

from __future__ import annotations

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import argparse
import platform
import resource
import sys
import time
from dataclasses import dataclass

import numpy as np
import scipy
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from tate.earth import geodesic, wgs84
from tate.flight.eom import Environment
from tate.flight.guidance import bearing_and_range
from tate.flight.integrator import Propagator
from tate.flight.models.boost_glide import BoostGlide
from tate.flight.models.booster import Booster, StageTable

F64 = NDArray[np.float64]

# DF-17-class two-stage booster (per stage: first, second).
PROPELLANT = (9_000.0, 3_000.0)  # [kg]
DRY = (1_000.0, 400.0)  # [kg]
ISP = (265.0, 280.0)  # [s]
BURN = (60.0, 45.0)  # [s]
PAYLOAD = 1_800.0  # glider mass [kg]
DIAMETER = 1.4  # [m]
BOOST_CD = 0.3  # [-]
T_VERT = 6.0  # vertical rise [s]
DIVE_RANGE = 60e3  # ground range at which the terminal dive starts [m]
S_TURN_SHARE = 0.25  # fraction of the vehicles flying S-turns [-]

GOAL_RATE = 2_000_000.0  # body-steps per second on one core
GOAL_RATIO = 100.0  # x the per-trajectory solve_ivp loop
GOAL_RSS_MIB = 1024.0  # peak resident memory [MiB]

BASELINE_RTOL = 1e-6  # RK45, with BASELINE_ATOL: error <= ours (checked and printed)
BASELINE_ATOL = (1e-6, 1e-8, 1e-8)  # position [m], velocity [m/s], mass [kg]
REFERENCE_RTOL = 1e-10  # DOP853
REFERENCE_ATOL = (1e-6, 1e-9, 1e-9)


@dataclass(frozen=True)
class Fleet:
    """Launch geometry and airframe parameters of ``n`` vehicles, arrays ``(n,)`` or
    ``(3, n)``."""

    launch: F64  #: launch points, ECEF (3, n) [m]
    aim: F64  #: aim points, ECEF (3, n) [m]
    lift_to_drag: F64  #: [-]
    beta: F64  #: ballistic coefficient [kg/m^2]
    theta_f: F64  #: final thrust elevation (≈ burnout flight-path angle) [rad]
    s_bank: F64  #: S-turn bank [rad]; 0: no S-turn
    s_period: F64  #: S-turn period [s]

    @property
    def n(self) -> int:
        """Number of vehicles."""
        return int(self.beta.shape[0])

    def take(self, idx: NDArray[np.intp]) -> Fleet:
        """The vehicles ``idx``."""
        return Fleet(self.launch[:, idx], self.aim[:, idx], self.lift_to_drag[idx],
                     self.beta[idx], self.theta_f[idx], self.s_bank[idx], self.s_period[idx])


def make_fleet(n: int, rng: np.random.Generator) -> Fleet:
    """Draw ``n`` vehicles: launch 10-30°N at 140°E, aim 1,700-1,800 km roughly east."""
    lat = np.radians(rng.uniform(10.0, 30.0, n))
    lon = np.full(n, np.radians(140.0))
    course = np.radians(rng.uniform(85.0, 95.0, n))
    aim_lat, aim_lon = geodesic.destination(lat, lon, course, rng.uniform(1_700e3, 1_800e3, n))
    s_turn = rng.random(n) < S_TURN_SHARE
    return Fleet(
        launch=wgs84.geodetic_to_ecef(lat, lon, np.zeros(n)).T,
        aim=wgs84.geodetic_to_ecef(aim_lat, aim_lon, np.zeros(n)).T,
        lift_to_drag=rng.uniform(2.4, 2.8, n),
        beta=rng.uniform(10_000.0, 15_000.0, n),
        theta_f=np.radians(rng.uniform(4.0, 8.0, n)),
        s_bank=np.where(s_turn, np.radians(rng.uniform(20.0, 30.0, n)), 0.0),
        s_period=rng.uniform(60.0, 120.0, n),
    )


def build(fleet: Fleet, dt: float) -> tuple[BoostGlide, F64, F64, F64]:
    """A fresh model and the launch state: model, position (3, n) [m], velocity (3, n)
    [m/s], mass (n,) [kg].  Models carry flight state, so every run needs its own."""
    n = fleet.n

    def per_stage(values: tuple[float, float]) -> F64:
        return np.repeat(np.asarray(values, float)[:, None], n, axis=1)

    stages = StageTable(per_stage(PROPELLANT), per_stage(DRY), per_stage(ISP), per_stage(BURN))
    payload = np.full(n, PAYLOAD)
    azimuth, _ = bearing_and_range(fleet.launch, fleet.aim)
    booster = Booster(stages, payload, np.full(n, np.pi * DIAMETER**2 / 4), np.full(n, BOOST_CD),
                      azimuth, fleet.theta_f, np.full(n, T_VERT), np.full(n, np.inf),
                      np.full(n, np.inf))
    unused_area = np.full(n, 0.4839)  # CAV-H reference area; the constant model ignores it
    model = BoostGlide(booster, fleet.aim, "constant", fleet.lift_to_drag, fleet.beta,
                       unused_area, np.full(n, np.nan), fleet.s_bank, fleet.s_period,
                       np.full(n, DIVE_RANGE), dt)
    return model, fleet.launch.copy(), np.zeros((3, n)), stages.liftoff_mass(payload)


@dataclass(frozen=True)
class VectorRun:
    """Outcome of the vectorised run."""

    y: F64  #: final state (7, n)
    steps: int
    wall: float  #: [s]
    cpu: float  #: process CPU time [s]
    alive: NDArray[np.bool_]  #: bodies still flying at the end (n,)


def run_vectorised(fleet: Fleet, seconds: float, dt: float) -> VectorRun:
    """Fly the whole fleet with the Propagator, timed (construction excluded)."""
    model, pos, vel, mass = build(fleet, dt)
    prop = Propagator([model], pos, vel, mass, dt, aim=fleet.aim)  # as `tate fly` does
    wall0, cpu0 = time.perf_counter(), time.process_time()
    prop.run(seconds, record_every=0)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return VectorRun(prop.y.copy(), round(prop.t / dt), wall, cpu, prop.alive.copy())


def fly_held(fleet: Fleet, steps: int, dt: float, method: str, rtol: float,
             atol: tuple[float, float, float], one_step: bool = False
             ) -> tuple[F64, float, int]:
    """The held-command ODE integrated step interval by step interval with solve_ivp.

    At every step start the model's ``update`` runs on the current state (as in
    ``Propagator.step``); then ``solve_ivp`` integrates [t, t + dt] with
    ``Propagator.derivative`` as the right-hand side.  All bodies of ``fleet`` form one
    stacked system.  ``one_step`` passes the whole interval as ``first_step``.

    Returns
    -------
    y, wall, nfev
        Final state (7, n), wall time [s] and right-hand-side evaluations.
    """
    model, pos, vel, mass = build(fleet, dt)
    n = fleet.n
    prop = Propagator([model], pos, vel, mass, dt, ground=False)
    env = Environment.empty(n)
    y = prop.y
    tol = np.repeat(np.asarray(atol)[[0, 0, 0, 1, 1, 1, 2]], n)

    def rhs(t: float, flat: F64) -> F64:
        return prop.derivative(t, flat.reshape(7, n), np.empty((7, n))).ravel()

    nfev = 0
    wall0 = time.perf_counter()
    for k in range(steps):
        t, t_next = k * dt, (k + 1) * dt  # the Propagator's clock, bit for bit
        env.compute(y[0:3], y[3:6], prop.opts)
        model.update(t, y[0:3], y[3:6], y[6], env)
        sol = solve_ivp(rhs, (t, t_next), y.ravel(), method=method, rtol=rtol, atol=tol,
                        first_step=(t_next - t) if one_step else None)
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed at t = {t:.1f} s: {sol.message}")
        y[...] = sol.y[:, -1].reshape(7, n)
        nfev += sol.nfev
    return y.copy(), time.perf_counter() - wall0, nfev


def position_error(y: F64, ref: F64) -> float:
    """Largest position difference over the bodies [m]."""
    d = y[0:3] - ref[0:3]
    return float(np.sqrt((d * d).sum(axis=0)).max())


@dataclass(frozen=True)
class BaselineRun:
    """Outcome of the per-trajectory solve_ivp loop over the sample."""

    y: F64  #: final states (7, k)
    wall: F64  #: wall time per trajectory (k,) [s]
    cpu: float  #: process CPU time of the whole loop [s]
    nfev: int  #: right-hand-side calls, all trajectories


def run_baseline(sub: Fleet, steps: int, dt: float, rtol: float) -> BaselineRun:
    """Fly the sample one trajectory at a time with RK45 (see the module docstring)."""
    finals, walls, nfev = [], [], 0
    cpu0 = time.process_time()
    for j in range(sub.n):
        y, wall, nf = fly_held(sub.take(np.array([j])), steps, dt, "RK45", rtol,
                               BASELINE_ATOL, one_step=True)
        finals.append(y)
        walls.append(wall)
        nfev += nf
    return BaselineRun(np.concatenate(finals, axis=1), np.array(walls),
                       time.process_time() - cpu0, nfev)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(args: argparse.Namespace, ours: VectorRun, rss_mib: float, base: BaselineRun,
           ref_wall: float, err_ours: float, err_base: float) -> list[tuple[str, str]]:
    """The rows of the printed table: (quantity, value)."""
    rate = args.bodies * ours.steps / ours.wall
    per_ours = ours.wall / args.bodies
    per_base = float(base.wall.mean())
    ratio = per_base / per_ours
    k = base.wall.size
    return [
        ("bodies", f"{args.bodies:,}"),
        ("steps (dt, flight time)", f"{ours.steps:,} ({args.dt:g} s, {args.seconds:g} s)"),
        ("bodies flying at the end", f"{int(ours.alive.sum()):,}"),
        ("wall time, vectorised RK4", f"{ours.wall:.2f} s"),
        ("CPU time / wall time", f"{ours.cpu / ours.wall:.2f}"),
        ("body-steps per second", f"{rate:,.0f}  (goal {GOAL_RATE:,.0f}: "
                                  f"{_met(rate >= GOAL_RATE)})"),
        ("peak RSS after the run", f"{rss_mib:,.0f} MiB  (goal < {GOAL_RSS_MIB:,.0f}: "
                                   f"{_met(rss_mib < GOAL_RSS_MIB)})"),
        ("solve_ivp RK45 sample", f"{k} bodies, rtol {args.rtol:g}, atol {BASELINE_ATOL}, "
                                  f"{base.nfev / (k * ours.steps):.1f} f-evals/step"),
        ("solve_ivp s/trajectory", f"{per_base:.2f} s  (min {base.wall.min():.2f}, max "
                                   f"{base.wall.max():.2f}; CPU/wall "
                                   f"{base.cpu / base.wall.sum():.2f})"),
        ("ours s/trajectory", f"{per_ours * 1e3:.2f} ms"),
        ("ratio", f"{ratio:,.0f}x  (goal {GOAL_RATIO:g}x: {_met(ratio >= GOAL_RATIO)})"),
        ("reference", f"DOP853 rtol {REFERENCE_RTOL:g}, stacked sample, {ref_wall:.1f} s"),
        ("final-position error, ours", f"{err_ours:.2e} m  (max over the sample)"),
        ("final-position error, RK45", f"{err_base:.2e} m  (matched, <= ours: "
                                       f"{'yes' if err_base <= err_ours else 'NO'})"),
    ]


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--bodies", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=600.0, help="flight time [s]")
    ap.add_argument("--dt", type=float, default=0.1, help="step [s]")
    ap.add_argument("--sample", type=int, default=10, help="bodies flown with solve_ivp")
    ap.add_argument("--seed", type=int, default=20_240_601)
    ap.add_argument("--rtol", type=float, default=BASELINE_RTOL, help="RK45 baseline rtol")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    args = parse(argv)
    fleet = make_fleet(args.bodies, np.random.default_rng(args.seed))
    k = min(args.sample, args.bodies)
    sample = np.linspace(0, args.bodies - 1, k).round().astype(np.intp)
    print(f"python {platform.python_version()}, numpy {np.__version__}, scipy "
          f"{scipy.__version__}, {platform.machine()}, {len(os.sched_getaffinity(0))} cpus "
          f"available, OMP/MKL/OPENBLAS threads 1", flush=True)
    ours = run_vectorised(fleet, args.seconds, args.dt)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    print(f"vectorised run: {ours.wall:.1f} s", flush=True)
    if not ours.alive[sample].all():
        print("warning: sampled bodies ended before the end; errors compare impact states")
    sub = fleet.take(sample)
    ref, ref_wall, _ = fly_held(sub, ours.steps, args.dt, "DOP853", REFERENCE_RTOL,
                                REFERENCE_ATOL)
    print(f"reference: {ref_wall:.1f} s", flush=True)
    base = run_baseline(sub, ours.steps, args.dt, args.rtol)
    err_ours = position_error(ours.y[:, sample], ref)
    err_base = position_error(base.y, ref)
    rows = report(args, ours, rss_mib, base, ref_wall, err_ours, err_base)
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
