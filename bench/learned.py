"""Benchmark: inference of the learned classifier and glide predictor against the IMM
predictor and the physics predictor, 100 tracks at once, one core.

What it measures
----------------
On the same 100 glider track windows (11 states, 2 s apart, from the four gliders of
``examples/glide_raid.toml`` — steady, two S-turns, a weave — flown by ``tate.flight.fly``,
25 windows each at different times of their glide; exact states, which does not change the
work done):

* ``learned classify``: the bundled model's features and classifier
  (:meth:`tate.predict.learned.LearnedModel.classify`);
* ``learned predict``: its glide predictor at the 7 trained horizons, 10-120 s
  (:meth:`~tate.predict.learned.LearnedModel.predict`, features included);
* ``learned classify+predict``: both in one pass, features computed once
  (:meth:`~tate.predict.learned.LearnedModel.assess`), the figure the goal is about;
* ``IMM predict``: the tracker's interacting-multiple-model filter (CV, coordinated turn,
  high-noise CV; :mod:`tate.tracking.imm`) extrapolating 100 track states to the same 7
  horizons (predict and output, mode-mixed), the classic predictor's cost;
* ``glide-physics predict``: :func:`tate.predict.glide.predict_glide` (fit and RK4 at
  0.5 s steps to 120 s);
* ``learned impact point``, ``ballistic impact point``, ``glide-physics impact pt``: the
  impact-point predictors of :mod:`tate.predict.impact` on the same windows (the model's
  network with its features; the drag-free fall of the last state; the fitted glide flown
  to the ground in 5 s steps, up to 1,500 s).

Each timing is the median of 50 repetitions after 5 warm-up calls, in one process run,
with BLAS/OpenMP limited to one thread (set before numpy is imported).  Goal (issue 8):
inference for 100 tracks under 5 ms on one core.

Run: ``python bench/learned.py [--model FILE]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "glide_raid.toml"


def windows(n: int = 100) -> tuple[Any, Any, Any]:
    """``n`` windows (times (11,), pos and vel (n, 11, 3) ECEF) of the four gliders of
    ``examples/glide_raid.toml`` (nominal draws), flown by ``tate.flight.fly``."""
    from tate.flight.fly import fly, trajectory_ecef
    from tate.scenario import load_scenario, nominal_scenario

    ids = ["HGV-N", "HGV-S1", "HGV-S2", "HGV-W"]
    res = fly(nominal_scenario(load_scenario(EXAMPLE)), dt=0.2)
    body, t, pos, vel = trajectory_ecef(res.trajectory, ids)
    grid = np.arange(11) * 2.0
    ps, vs = [], []
    for k in range(n):
        j = k % len(ids)
        end = 250.0 + 30.0 * j + 4.0 * (k // len(ids))  # launches are 30 s apart
        rows = [np.flatnonzero((body == j) & np.isclose(t, end - 20.0 + g))[0] for g in grid]
        ps.append(pos[rows])
        vs.append(vel[rows])
    return grid, np.stack(ps), np.stack(vs)


def clock(fn: Callable[[], Any], reps: int = 50) -> float:
    """Median wall time of ``fn`` [ms] after 5 warm-up calls."""
    for _ in range(5):
        fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return float(np.median(out) * 1e3)


def main(argv: list[str] | None = None) -> int:
    from tate.predict.glide import predict_glide
    from tate.predict.impact import ballistic_ipp, physics_ipp
    from tate.predict.learned import default_model_path, load_learned
    from tate.tracking.filters import make_filter

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, default=default_model_path())
    args = ap.parse_args(argv)
    model = load_learned(args.model)
    times, pos, vel = windows(100)
    sigma = np.full(pos.shape[0], 150.0)
    hz = np.asarray(model.config["horizons_s"], float)
    imm = make_filter("imm", 3, 100.0)
    cov = np.broadcast_to(np.eye(3) * 100.0**2, (pos.shape[0], 3, 3)).copy()
    state = imm.init(pos[:, -1], cov, 50.0)

    def imm_predict() -> Any:
        return [imm.output(imm.predict(state, float(h)))[0] for h in hz]

    rows = [
        ("learned classify", clock(lambda: model.classify(pos, vel, sigma))),
        ("learned predict", clock(lambda: model.predict(times, pos, vel, hz, sigma))),
        ("learned classify+predict", clock(lambda: model.assess(times, pos, vel, hz, sigma))),
        ("IMM predict", clock(imm_predict)),
        ("glide-physics predict", clock(lambda: predict_glide(times, pos, vel, hz), reps=10)),
        ("learned impact point", clock(lambda: model.impact(pos, vel, sigma))),
        ("ballistic impact point", clock(lambda: ballistic_ipp(pos[:, -1], vel[:, -1]))),
        ("glide-physics impact pt", clock(lambda: physics_ipp(times, pos, vel), reps=3)),
    ]
    names, _ = model.classify(pos, vel, sigma)
    print(f"model {args.model} ({model.config['classifier']['type']} classifier, "
          f"{model.base} predictor); {pos.shape[0]} glider windows, "
          f"{np.mean(names == 'glider'):.0%} classified glider")
    print(f"{'task (100 tracks)':<26}{'median ms':>12}")
    for name, ms in rows:
        print(f"{name:<26}{ms:>12.2f}")
    total = rows[2][1]
    print(f"learned classify + predict in one pass: {total:.2f} ms (goal < 5 ms: "
          f"{'met' if total < 5.0 else 'NOT met'}); IMM predict / learned predict: "
          f"{rows[3][1] / rows[1][1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
