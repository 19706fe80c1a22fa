"""Benchmark: one engagement of the bundled default scenario against real time.

What it measures
----------------
Wall time of :class:`tate.engine.engagement.Engagement` on the default scenario (two
destroyers and a port against 22 threats), split into its parts: flying the raid
(``tate.flight.fly``), drawing the sensors' detections (in windows as the run
advances: ``tate.sensors.windows``), and the rest of the tick loop (tracking, decisions,
interceptor flight, kill assessment).  The baseline is real time: the simulated span (first launch
to the end of the run) over the total wall time is the speed factor; the issue's goal is
at least 1,000× on one core.

How
---
BLAS/OpenMP pools are limited to one thread before numpy is imported.  Importing the
engine's modules (``tate.engine``, ``c2``, ``tracking``, ``sensors``, ``weapons``,
``flight``, ``predict``; most are imported lazily, on first use) is timed on its own, first:
it is process start-up, not engagement, and it costs more on a machine whose environment
sets ``PYTHONDONTWRITEBYTECODE`` (every process then compiles tate's sources again).  It
imports numba but loads no compiled kernel: those load from numba's cache inside the
scenario load and the first engagement, which is why that engagement is slower.  Loading
the scenario (schema and the reach check, which flies the ballistic grid pass that the
run's aiming then reuses from the process's memo) is timed on its own;
``Engagement.__init__`` is timed with the flight and the sensing timed inside it by
wrapping the two functions; ``run()`` is timed on its own.  The speed factor is given
for the engagement alone, for load plus engagement, for imports plus load plus engagement
(what ``tate run`` costs before it writes its tables), and for
further engagements of the same scenario in the same process (``--again`` of them, median
and best: what each run of a Monte Carlo worker costs, with the kernels loaded and the
per-process memos warm; the machine's timings scatter by ±20 %, hence several).  The
result's summary (kills, leakers, rounds) is printed so that a speed-up can be checked not
to change the outcome (same seed → same tables).

Run: ``python bench/engine.py [--seed S]``.
"""

from __future__ import annotations

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import argparse
import importlib
import pkgutil
import statistics
import time
from typing import Any

#: the packages an engagement imports from (their modules are imported before the timers)
ENGINE_PACKAGES = ("engine", "c2", "tracking", "sensors", "weapons", "flight", "predict")


def import_engine() -> int:
    """Import every module of :data:`ENGINE_PACKAGES`; the number imported."""
    names = []
    for pkg in ENGINE_PACKAGES:
        mod = importlib.import_module(f"tate.{pkg}")
        names.append(mod.__name__)
        for info in pkgutil.walk_packages(mod.__path__, f"tate.{pkg}."):
            names.append(info.name)
    for name in names:
        importlib.import_module(name)
    return len(names)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=None, help="run seed (default: the file's)")
    ap.add_argument("--again", type=int, default=3,
                    help="further runs in the same process (median and best reported)")
    args = ap.parse_args(argv)
    ti = time.perf_counter()
    n_mod = import_engine()
    imports = time.perf_counter() - ti
    import tate.engine.engagement as engagement
    import tate.flight.fly as fly_mod
    import tate.sensors.windows as win_mod
    from tate import jit
    from tate.scenario import default_scenario_path, load_scenario

    tl = time.perf_counter()
    scn = load_scenario(default_scenario_path())
    load = time.perf_counter() - tl
    spent: dict[str, float] = {"fly": 0.0, "sense": 0.0}

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t0
        return wrapper

    fly_mod.fly = timed("fly", fly_mod.fly)
    win = win_mod.WindowedSensing
    win.advance = timed("sense", win.advance)
    win.advance_scans = timed("sense", win.advance_scans)  # (the compiled path's route)
    c0, t0 = time.process_time(), time.perf_counter()
    eng = engagement.Engagement(scn, args.seed)
    t1 = time.perf_counter()
    sense_setup = spent["sense"]
    res = eng.run()
    t2, c2 = time.perf_counter(), time.process_time()
    s = res.summary
    total = t2 - t0
    first = dict(spent)  # the wrappers keep counting during the second run
    timing = ("engine_wall_s", "faster_than_real_time")
    walls, same = [], True
    for _ in range(max(args.again, 1)):
        t3 = time.perf_counter()
        warm = engagement.Engagement(scn, args.seed).run()
        walls.append(time.perf_counter() - t3)
        same &= ({k: v for k, v in warm.summary.items() if k not in timing}
                 == {k: v for k, v in s.items() if k not in timing})
    again = statistics.median(walls)
    span = s["simulated_s"]

    def speed(wall: float) -> str:
        return f"{span / wall:,.0f}x"
    rows = [
        ("scenario", "default (2 destroyers, 1 port, 22 threats)"),
        ("simulated span", f"{s['simulated_s']:.0f} s"),
        ("compiled kernels", "on" if jit.enabled() else "off (TATE_JIT=0: numpy path)"),
        ("wall time, fly the raid", f"{first['fly']:.2f} s"),
        ("wall time, sensors", f"{first['sense']:.2f} s  (windows, in setup and loop)"),
        ("wall time, other setup", f"{t1 - t0 - first['fly'] - sense_setup:.2f} s"),
        ("wall time, tick loop", f"{t2 - t1 - first['sense'] + sense_setup:.2f} s  "
                                 "(without the sensors)"),
        ("wall time, engagement", f"{total:.2f} s  (CPU/wall {(c2 - c0) / total:.2f})"),
        ("speed vs real time", f"{speed(total)}  (goal 1,000x: "
         f"{'met' if span / total >= 1000 else 'NOT met'})"),
        ("wall time, load scenario", f"{load:.2f} s  (schema and reach check)"),
        ("load + engagement", f"{load + total:.2f} s  = {speed(load + total)} real time"),
        ("imports (first, timed alone)", f"{imports:.2f} s  ({n_mod} modules)"),
        ("imports + load + engagement", f"{imports + load + total:.2f} s  = "
         f"{speed(imports + load + total)} real time"),
        (f"further runs, same process (x{len(walls)})",
         f"median {again:.2f} s = {speed(again)} real time, best {min(walls):.2f} s = "
         f"{speed(min(walls))} (summaries {'identical' if same else 'DIFFERENT'})"),
        ("  of which fly, sensors (mean)", f"{(spent['fly'] - first['fly']) / len(walls):.2f} s, "
         f"{(spent['sense'] - first['sense']) / len(walls):.2f} s"),
        ("outcome", f"{res.status}: {s['killed']} killed, {s['leaked']} leaked, "
         f"{s['shots']} rounds, ${s['cost_usd'] / 1e6:,.1f} M"),
    ]
    width = max(len(k) for k, _ in rows) + 2
    print("\n".join(f"{k:<{width}}{v}" for k, v in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
