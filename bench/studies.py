"""Benchmark: Monte Carlo throughput on 1 and 2 local workers and a Dask LocalCluster.

What it measures
----------------
Runs per second of :func:`tate.analysis.study.run_study` on the bundled default scenario
(``--runs`` runs per back end, default 4) with one worker (in process), a local process
pool of two and a Dask ``LocalCluster`` of two single-threaded workers, side by side in
one process run; the parallel efficiency is the two-worker rate over twice the one-worker
rate.  Each worker's first run also pays for loading the scenario and for what a worker
then remembers (the ballistic shooting passes, the subsonic flyers' flight), so the median
wall time of one run (from the ``runs`` table) is printed too, and a steady-state
projection from it.  The datasets of the three back ends are compared (they must be
identical but for wall times).  Then the parent's memory: a study of ``--many`` runs
of a small scenario (one ship, two cruise missiles) with two workers, the parent's RSS
sampled after every chunk; flat means the parent streams chunks to Parquet instead of keeping runs.

The issue's goal is 1,000 runs of the default scenario in under two minutes on this
2-core machine with at least 80 % efficiency; the time printed for 1,000 runs is at the
best two-worker rate (a measurement with ``--runs 1000``, a projection with fewer runs,
which also weigh each worker's first run more).

Run: ``python bench/studies.py [--runs N] [--many M]``; the goal's own figure is
``--runs 1000`` (about 8 min on the bench machine).
"""

from __future__ import annotations

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import argparse
import resource
import tempfile
import time
from pathlib import Path

SMALL = """
name = "bench: two cruise missiles"
epoch_utc = "2030-06-01T00:00:00Z"
time_limit_s = 400
seed = 11

[[ships]]
id = "DDG-1"
class = "ddg51-flight3"
lat_deg = 25.0
lon_deg = 150.0
heading_deg = 270
speed_kn = 15
magazine = { sm6-like = 4, essm-like = 8 }

[[threats]]
id = "CM-1"
model = "cruise"
launch = { lat_deg = 25.0, lon_deg = 149.55, time_s = { uniform = { low = 0, high = 20 } } }
aim = { ship = "DDG-1" }
speed_mps = 270
cruise_alt_m = 30

[[threats]]
id = "CM-2"
model = "cruise"
launch = { lat_deg = 25.1, lon_deg = 149.6, time_s = 20 }
aim = { ship = "DDG-1" }
speed_mps = 250
cruise_alt_m = 200
"""


def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=4, help="default-scenario runs per back end")
    ap.add_argument("--many", type=int, default=200, help="small-scenario runs (memory)")
    args = ap.parse_args(argv)
    import numpy as np

    from tate.analysis.store import connect
    from tate.analysis.study import Study, StudyProgress, run_study
    from tate.scenario import default_scenario_path, load_scenario, scenario_hash

    path = default_scenario_path()
    scn = load_scenario(path)
    study = Study(str(path), path.read_text(), scenario_hash(scn), 1, args.runs, 2)
    tmp = Path(tempfile.mkdtemp(prefix="tate-bench-"))
    rates: dict[str, float] = {}
    medians: dict[str, float] = {}
    tables = {}
    for name, kw in (("1 worker (in process)", {"workers": 1}),
                     ("2 workers (process pool)", {"workers": 2}),
                     ("2 workers (Dask LocalCluster)", {"workers": 2, "scheduler": "local"})):
        out = tmp / name.split()[0] / name.split("(")[1].split()[0]
        t0 = time.perf_counter()
        run_study(study, out, **kw)  # type: ignore[arg-type]
        dt = time.perf_counter() - t0
        rates[name] = args.runs / dt
        con = connect(out)
        tables[name] = con.execute("SELECT * EXCLUDE (wall_s) FROM runs ORDER BY run"
                                   ).fetchall()
        walls = [r[0] for r in con.execute("SELECT wall_s FROM runs").fetchall()]
        medians[name] = float(np.median(walls))
        print(f"{name:<32} {args.runs} runs in {dt:7.1f} s  {rates[name]:.3f} runs/s  "
              f"(run wall time median {medians[name]:.1f} s, first {max(walls):.1f} s)",
              flush=True)
    one = rates["1 worker (in process)"]
    for name in list(rates)[1:]:
        print(f"parallel efficiency, {name}: {rates[name] / (2 * one):.0%}")
    same = len({repr(v) for v in tables.values()}) == 1
    print(f"datasets identical across back ends (but wall times): {same}")
    best = max(rates.values())
    print(f"1,000 default-scenario runs at {best:.3f} runs/s: {1000 / best:,.0f} s "
          f"(goal < 120 s: {'met' if 1000 / best < 120 else 'NOT met'})")
    steady = 1000 * medians["2 workers (process pool)"] / 2
    print(f"steady state (median run, 2 workers): 1,000 runs in {steady:,.0f} s")

    # parent memory over a long study of a small scenario
    small = tmp / "small.toml"
    small.write_text(SMALL)
    s_scn = load_scenario(small)
    s_study = Study(str(small), SMALL, scenario_hash(s_scn), 1, args.many, 10)
    samples: list[tuple[int, float]] = []

    def probe(p: StudyProgress) -> None:
        if p.done % 10 == 0:
            samples.append((p.done, _rss_mib()))

    t0 = time.perf_counter()
    run_study(s_study, tmp / "many", workers=2, progress=probe)
    dt = time.perf_counter() - t0
    print(f"small scenario: {args.many} runs on 2 workers in {dt:.1f} s "
          f"({args.many / dt:.2f} runs/s)")
    if samples:
        first = samples[min(2, len(samples) - 1)]
        print(f"parent RSS after {first[0]} runs {first[1]:.1f} MiB, after {samples[-1][0]} "
              f"runs {samples[-1][1]:.1f} MiB (max {max(m for _, m in samples):.1f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
