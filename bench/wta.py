"""Benchmark: exact weapon-target assignment (MILP on HiGHS) and greedy on Ahuja-style instances.

What it measures
----------------
For every instance: the wall time of ``ExactAssigner.assign`` (name ``"milp"``) and of
``GreedyAssigner.assign`` (``"greedy"``, maximum marginal return), the MILP's status,
master MILPs solved and proven relative gap, the objective (expected surviving value) of
both, and the greedy's excess over the proven optimum, (greedy − optimum)/optimum.  All
assigners run in ONE process run, one after the other, on the same instances.

Instances
---------
Random instances after Ahuja, Kumar, Jha & Orlin, "Exact and heuristic algorithms for the
weapon-target assignment problem", Operations Research 55(6), 2007: target values
V_j ~ U[25, 100], kill probabilities p_ij ~ U[0.6, 0.9], drawn with
``numpy.random.default_rng(seed)`` (V first, then p as a (W, T) array).

"W weapons" means W individual weapons that fire one round each (x_ij ∈ {0, 1},
Σ_j x_ij ≤ 1).  That is the standard reading: Ahuja et al. state the problem as assigning
n weapons to m targets, and the public benchmark set of Andersen, Pavlikov & Toffolo
("Weapon-target assignment problem: exact and approximate solution algorithms", Annals of
Operations Research, 2022) names its files W×T×μ with μ the rounds of each weapon, its
standard 50×100 instance being 50×100×1.  Goals: 20 weapons × 50 targets solved in under
50 ms; 50 × 100 proven optimal in under 10 s; a goal is met when the slowest seed meets it.

Extra rows without a goal show where the exact method slows down: W = T (some targets
draw two weapons), and a few weapon types with several rounds each (4 types × 8 rounds
against 12 targets, a ship's picture, where most targets draw several rounds).

How
---
1. One warm-up solve (library loading, first-call overheads) is run and discarded.
2. Instances are generated outside the clock.  The clock (``time.perf_counter``) covers
   the whole ``assign`` call: for the MILP the greedy incumbent, the exchange reductions,
   building the master, every HiGHS call (scipy's bundled HiGHS, the model handed over
   as CSC arrays) and every cut round.
3. BLAS/OpenMP pools are limited to one thread before numpy is imported; HiGHS runs with
   its default options.  The CPU-time / wall-time ratio of each size is printed as
   evidence of how many cores did the work.  Wall time on a shared machine varies by
   ±10-30 % from run to run.

Run: ``python bench/wta.py [--seeds N] [--no-extra]``.
"""

from __future__ import annotations

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import argparse
import platform
import time
from dataclasses import dataclass

import numpy as np
import scipy

from tate.c2.wta import Assignment, ExactAssigner, GreedyAssigner, WTAProblem


@dataclass(frozen=True)
class Case:
    """One family of instances: W weapons (types) with ``rounds`` each, T targets."""

    weapons: int
    targets: int
    rounds: int
    goal_s: float | None  # slowest MILP wall time allowed [s], None: no goal
    goal: str


CASES = [
    Case(20, 50, 1, 0.050, "solved in < 50 ms"),
    Case(50, 100, 1, 10.0, "proven optimal in < 10 s"),
]
EXTRA = [
    Case(20, 20, 1, None, ""),
    Case(100, 200, 1, None, ""),
    Case(4, 12, 8, None, ""),
]


def instance(case: Case, seed: int) -> WTAProblem:
    """Ahuja et al. (2007) random instance."""
    rng = np.random.default_rng(seed)
    value = rng.uniform(25.0, 100.0, case.targets)
    pk = rng.uniform(0.6, 0.9, (case.weapons, case.targets))
    return WTAProblem(value=value, pk=pk, rounds=case.rounds)


def run_case(case: Case, seeds: range) -> bool:
    """Solve every seed of ``case``, print one row each and a summary; True if the goal
    (if any) is met."""
    exact, greedy = ExactAssigner(time_limit=60.0), GreedyAssigner()
    label = f"{case.weapons} x {case.targets}, {case.rounds} round(s) each"
    print(f"\n{label}" + (f"   goal: {case.goal}" if case.goal_s else "   (no goal)"))
    print(f"{'seed':>5} {'milp ms':>9} {'status':>9} {'masters':>7} {'gap':>8} "
          f"{'optimum':>12} {'greedy ms':>9} {'greedy':>12} {'excess':>8}")
    times, excess, proven = [], [], []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for seed in seeds:
        p = instance(case, seed)
        a: Assignment = exact.assign(p)
        g: Assignment = greedy.assign(p)
        ex = (g.objective - a.objective) / a.objective
        times.append(a.solve_time)
        excess.append(ex)
        proven.append(a.status == "optimal")
        print(f"{seed:>5} {1e3 * a.solve_time:>9.1f} {a.status:>9} {a.iterations:>7} "
              f"{a.gap:>8.1e} {a.objective:>12.4f} {1e3 * g.solve_time:>9.2f} "
              f"{g.objective:>12.4f} {100 * ex:>7.2f}%", flush=True)
    cpu_ratio = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    t = np.array(times)
    met = all(proven) and (case.goal_s is None or t.max() < case.goal_s)
    verdict = "" if case.goal_s is None else f"  goal: {'met' if met else 'NOT met'}"
    print(f"  milp wall time median {1e3 * np.median(t):.1f} ms, max {1e3 * t.max():.1f} ms;"
          f" proven optimal {sum(proven)}/{len(proven)}; greedy excess mean "
          f"{100 * np.mean(excess):.2f} %, max {100 * np.max(excess):.2f} %; "
          f"CPU/wall {cpu_ratio:.2f}{verdict}")
    return met


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 per size")
    ap.add_argument("--no-extra", action="store_true", help="only the two goal sizes")
    args = ap.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"scipy {scipy.__version__} (its bundled HiGHS), {platform.machine()}")
    ExactAssigner().assign(instance(CASES[0], 10_000))      # warm-up, discarded
    t0 = time.perf_counter()
    ok = [run_case(c, range(args.seeds)) for c in CASES]
    if not args.no_extra:
        for c in EXTRA:
            run_case(c, range(args.seeds))
    print(f"\nwhole run {time.perf_counter() - t0:.1f} s; goals met: {sum(ok)}/{len(ok)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
