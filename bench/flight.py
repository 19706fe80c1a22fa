"""Benchmark of the flight integrator: 10,000 boost-glide vehicles against solve_ivp.

What it measures
----------------
Throughput of :class:`tate.flight.integrator.Propagator` (fixed-step RK4 over all
bodies at once) on the model that dominates a raid's cost: 10,000 DF-17-class
boost-glide vehicles (:class:`~tate.flight.models.booster.Booster` two-stage boost,
:class:`~tate.flight.models.boost_glide.BoostGlide` constant-L/D glide, some with
S-turns), launched from 10-30°N, 140°E towards aim points 1,700-1,800 km east, flown
for 600 s at dt = 0.1 s (6,000 steps; every body is still flying at 600 s), no
snapshots.  Printed: body-steps per second (bodies x steps / wall time), the
process's peak resident memory (``ru_maxrss``), and the CPU-time / wall-time ratio
of the run as evidence that one core did the work (BLAS/OpenMP pools are limited to
one thread before numpy is imported; numpy's elementwise kernels are single-threaded
anyway).

Baseline, and why it is fair
----------------------------
The same model, one trajectory at a time, with ``scipy.integrate.solve_ivp`` (RK45)
on a sample of ``--sample`` bodies.  The model's guidance is discrete: the flight
computer (``FlightModel.update``: staging, phase changes, lift commands, the
step-average thrust) runs once at the start of every step and its commands are held
over the step.  A continuous-control version would be a different ODE, so the
baseline integrates the same one: for each step interval [t, t + dt] it calls the
model's ``update`` exactly as the Propagator does, then one ``solve_ivp`` call over
the interval whose right-hand side is ``Propagator.derivative`` of a one-body
Propagator.  solve_ivp therefore replaces only the RK4 stage arithmetic; the physics
code, and the per-step ``update``, are shared by both sides.  The baseline is given
``first_step = dt`` (one RK45 step per interval when its error test passes, which
saves the two function calls of the initial-step heuristic) and the loosest
tolerance we found whose final-position error is no larger than ours (see
"Accuracy"), so the comparison favours the baseline.  Ratio = (solve_ivp wall seconds
per trajectory) / (our wall seconds per trajectory = total / bodies).

Accuracy
--------
Reference for the sampled bodies: the same held-command ODE integrated with
``solve_ivp`` DOP853 at rtol = 1e-12 (the sampled bodies stacked into one system,
which only makes the step control stricter).  Printed: the largest final-position
error (after 600 s) over the sample of (a) our RK4 at dt and (b) the RK45 baseline;
the baseline counts as matched when (b) <= (a).

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

from tate.earth import wgs84
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
REFERENCE_RTOL = 1e-12  # DOP853
REFERENCE_ATOL = (1e-7, 1e-10, 1e-10)


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
    aim_lat, aim_lon = wgs84.destination(lat, lon, course, rng.uniform(1_700e3, 1_800e3, n))
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
    model = BoostGlide(booster, fleet.aim, "constant", fleet.lift_to_drag, fleet.beta,
                       np.full(n, 0.4839), np.full(n, np.nan), fleet.s_bank, fleet.s_period,
                       np.full(n, DIVE_RANGE), dt)
    return model, fleet.launch.copy(), np.zeros((3, n)), stages.liftoff_mass(payload)


@dataclass(frozen=True)
class VectorRun:
    """Outcome of the vectorised run."""

    y: F64  #: final state (7, n)
    steps: int
    wall: float  #: [s]
    cpu: float  #: process CPU time [s]
    alive: int  #: bodies still flying at the end


def run_vectorised(fleet: Fleet, seconds: float, dt: float) -> VectorRun:
    """Fly the whole fleet with the Propagator, timed (construction excluded)."""
    model, pos, vel, mass = build(fleet, dt)
    prop = Propagator([model], pos, vel, mass, dt)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    prop.run(seconds, record_every=0)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return VectorRun(prop.y.copy(), round(prop.t / dt), wall, cpu, int(prop.alive.sum()))


def fly_held(fleet: Fleet, steps: int, dt: float, method: str, rtol: float,
             atol: tuple[float, float, float], first_step: float | None = None
             ) -> tuple[F64, float, int]:
    """The held-command ODE integrated step interval by step interval with solve_ivp.

    At every step start the model's ``update`` runs on the current state (as in
    ``Propagator.step``); then ``solve_ivp`` integrates [t, t + dt] with
    ``Propagator.derivative`` as the right-hand side.  All bodies of ``fleet`` form one
    stacked system.

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

    t, nfev = 0.0, 0
    wall0 = time.perf_counter()
    for _ in range(steps):
        env.compute(y[0:3], y[3:6], prop.opts)
        model.update(t, y[0:3], y[3:6], y[6], env)
        sol = solve_ivp(rhs, (t, t + dt), y.ravel(), method=method, rtol=rtol, atol=tol,
                        first_step=first_step)
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed at t = {t:.1f} s: {sol.message}")
        y[...] = sol.y[:, -1].reshape(7, n)
        nfev += sol.nfev
        t = t + dt  # the Propagator's clock, bit for bit
    return y.copy(), time.perf_counter() - wall0, nfev


def position_error(y: F64, ref: F64) -> float:
    """Largest position difference over the bodies [m]."""
    d = y[0:3] - ref[0:3]
    return float(np.sqrt((d * d).sum(axis=0)).max())


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bodies", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=600.0, help="flight time [s]")
    ap.add_argument("--dt", type=float, default=0.1, help="step [s]")
    ap.add_argument("--sample", type=int, default=10, help="bodies flown with solve_ivp")
    ap.add_argument("--seed", type=int, default=20_240_601)
    ap.add_argument("--rtol", type=float, default=BASELINE_RTOL, help="RK45 baseline rtol")
    args = ap.parse_args(argv)
    fleet = make_fleet(args.bodies, np.random.default_rng(args.seed))
    k = min(args.sample, args.bodies)
    sample = np.linspace(0, args.bodies - 1, k).round().astype(np.intp)
    print(f"python {platform.python_version()}, numpy {np.__version__}, scipy "
          f"{scipy.__version__}, {platform.machine()}, cpus available "
          f"{len(os.sched_getaffinity(0))}, OMP/MKL/OPENBLAS threads 1")

    ours = run_vectorised(fleet, args.seconds, args.dt)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    rate = args.bodies * ours.steps / ours.wall
    print(f"vectorised run done: {ours.wall:.1f} s", flush=True)

    sub = fleet.take(sample)
    base_wall, base_err, nfev = [], [], 0
    ref, ref_wall, _ = fly_held(sub, ours.steps, args.dt, "DOP853", REFERENCE_RTOL,
                                REFERENCE_ATOL)
    print(f"reference done: {ref_wall:.1f} s", flush=True)
    for j in range(k):
        one = sub.take(np.array([j]))
        y, wall, nf = fly_held(one, ours.steps, args.dt, "RK45", args.rtol, BASELINE_ATOL,
                               first_step=args.dt)
        base_wall.append(wall)
        base_err.append(position_error(y, ref[:, j:j + 1]))
        nfev += nf
    per_base = float(np.mean(base_wall))
    per_ours = ours.wall / args.bodies
    ratio = per_base / per_ours
    err_ours = position_error(ours.y[:, sample], ref)
    err_base = max(base_err)
    matched = err_base <= err_ours

    rows = [
        ("bodies", f"{args.bodies:,}"),
        ("steps (dt, flight time)", f"{ours.steps:,} ({args.dt:g} s, {args.seconds:g} s)"),
        ("bodies flying at the end", f"{ours.alive:,}"),
        ("wall time, vectorised RK4", f"{ours.wall:.2f} s"),
        ("CPU time / wall time", f"{ours.cpu / ours.wall:.2f}"),
        ("body-steps per second", f"{rate:,.0f}  (goal {GOAL_RATE:,.0f}: {_met(rate >= GOAL_RATE)})"),
        ("peak RSS", f"{rss_mib:,.0f} MiB  (goal < {GOAL_RSS_MIB:,.0f}: "
                     f"{_met(rss_mib < GOAL_RSS_MIB)})"),
        ("solve_ivp RK45 sample", f"{k} bodies, rtol {args.rtol:g}, atol {BASELINE_ATOL}, "
                                  f"{nfev / (k * ours.steps):.1f} f-evals/step"),
        ("solve_ivp s/trajectory", f"{per_base:.2f} s  (min {min(base_wall):.2f}, "
                                   f"max {max(base_wall):.2f})"),
        ("ours s/trajectory", f"{per_ours * 1e3:.2f} ms"),
        ("ratio", f"{ratio:,.0f}x  (goal {GOAL_RATIO:g}x: {_met(ratio >= GOAL_RATIO)})"),
        ("reference", f"DOP853 rtol {REFERENCE_RTOL:g}, {ref_wall:.1f} s for the sample"),
        ("final-position error, ours", f"{err_ours:.2e} m (max over the sample)"),
        ("final-position error, RK45", f"{err_base:.2e} m  (matched, <= ours: "
                                       f"{'yes' if matched else 'NO'})"),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
