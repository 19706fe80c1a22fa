"""Benchmark: flying the default scenario's raid, numpy path against compiled path.

What it measures
----------------
CPU time (``time.process_time``) of :func:`tate.flight.fly.fly` on the raid of the bundled
default scenario as :class:`tate.engine.engagement.Engagement` flies it (same sampled
scenario, step and record interval), with :data:`tate.jit.ENABLED` off (numpy reference)
and on (numba kernels), alternating in one process, each repeat with the process's flight
memos cleared (the ballistic aiming batches and the subsonic flyers are flown every time).
The first compiled run (compilation or loading numba's on-disk cache) is timed separately
and left out of the medians.  It prints the medians, their ratio and the largest
differences between the two paths' tables (a speed-up must not change the flight).

Run: ``python bench/flight_jit.py [--repeats N]``.
"""

from __future__ import annotations

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import argparse
import statistics
import time
from typing import Any


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per path")
    args = ap.parse_args(argv)
    import numpy as np

    import tate.flight.fly as fly_mod
    import tate.flight.targeting as targeting
    from tate import jit
    from tate.engine.engagement import EngineConfig
    from tate.flight.run import sample_for_run
    from tate.scenario import default_scenario_path, load_scenario

    c = EngineConfig()
    scn, seed = sample_for_run(load_scenario(default_scenario_path()), None)

    def run(compiled: bool) -> tuple[float, Any]:
        fly_mod._SLOW.clear()
        targeting._BATCHES.clear()
        jit.ENABLED = compiled
        t0 = time.process_time()
        res = fly_mod.fly(scn, dt=c.flight_dt, record_s=c.record_s, seed=seed)
        return time.process_time() - t0, res

    first, _ = run(True)
    times: dict[bool, list[float]] = {False: [], True: []}
    results: dict[bool, Any] = {}
    for _ in range(args.repeats):
        for compiled in (False, True):
            t, results[compiled] = run(compiled)
            times[compiled].append(t)
    jit.ENABLED = True
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"fly, numpy path:    median {med[False]:.3f} s CPU  {times[False]}")
    print(f"fly, compiled path: median {med[True]:.3f} s CPU  {times[True]}")
    print(f"first compiled run (compile or cache load): {first:.3f} s CPU")
    print(f"speed-up {med[False] / med[True]:.2f}x")
    a, b = results[False], results[True]
    for name in ("trajectory", "summary", "events"):
        ta, tb = getattr(a, name), getattr(b, name)
        worst = 0.0
        for col, va in ta.items():
            vb = tb[col]
            if va.dtype.kind == "f":
                both = np.isnan(va) & np.isnan(vb)
                worst = max(worst, float(np.max(np.abs(np.where(both, 0.0, va - vb)),
                                                initial=0.0)))
            elif not np.array_equal(va, vb):
                print(f"  {name}.{col}: DIFFERENT")
        print(f"  {name}: {len(next(iter(ta.values())))} rows, largest |difference| of "
              f"a float column {worst:.3g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
