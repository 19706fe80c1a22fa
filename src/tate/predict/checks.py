"""The ``learned`` case of ``tate verify``: the bundled model on a run it never saw.

The bundled model's config names the training data it came from (root seed, number of
runs, scenario hash).  Run 4 of that data is in the held-out-by-seed split (runs
``≡ 4 mod 5`` are never trained on; :mod:`tate.predict.train`), and its gliders include
the held-out weave family.  The case regenerates that run from scratch with the project's
own physics, radars and tracker (:func:`tate.predict.data.generate_run`, about half a
minute) and scores the model on it:

* classifier: balanced accuracy over the run's track windows (≥ 0.90), and its margin
  over the engine's kinematic rules (:func:`tate.c2.threat.classify_kinds`; > 0);
* glide predictor: RMS position error over the glider windows at 60 s and 120 s, as a
  ratio to the constant-velocity extrapolation of the same tracks (< 1: the model helps),
  for the families seen in training and for the held-out family;
* impact point: RMS distance of the predicted from the true impact point over the glider
  windows that landed, as a ratio to ballistic fall's (< 1), for both groups of families.

The full held-out tables (all horizons, intervals, the IMM and physics predictors) are
printed by ``tate train`` and recorded in docs/learning.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["HELD_OUT_RUN", "learned_case"]


HELD_OUT_RUN = 4  #: index of the regenerated run (``TEST_EVERY − 1``: held out by seed)


def learned_case() -> list[Any]:
    """Rows of the ``learned`` verification case."""
    from tate.analysis.study import run_seed
    from tate.predict.data import HORIZONS_S, default_training_scenario, generate_run
    from tate.predict.learned import load_default
    from tate.predict.train import HELD_OUT_FAMILY, TEST_EVERY, class_scores, prepare, rule_classes
    from tate.scenario import load_scenario, scenario_hash
    from tate.verify import CaseResult

    model = load_default()
    training = model.config["training"]
    if HELD_OUT_RUN % TEST_EVERY != TEST_EVERY - 1:  # the run must not have been trained on
        raise ValueError(f"run {HELD_OUT_RUN} is not in the held-out split (every "
                         f"{TEST_EVERY}th run from {TEST_EVERY - 1})")
    scenario = load_scenario(default_training_scenario())
    if scenario_hash(scenario) != training["data_scenario_hash"]:
        return [CaseResult("Learned models", "training scenario matches the model's",
                           training["data_scenario_hash"][:12], float("nan"), "equal", False)]
    seed = run_seed(int(training["data_root_seed"]), HELD_OUT_RUN)
    p = prepare(generate_run(scenario, seed, HELD_OUT_RUN))
    name = "Learned models (held-out run)"
    rows = []
    names, _ = model.classify(p.pos, p.vel, p.sigma)
    every = np.ones(p.label.size, dtype=bool)
    ba = class_scores(p, names, every)["balanced_accuracy"]
    rules = class_scores(p, rule_classes(p), every)["balanced_accuracy"]
    rows.append(CaseResult(name, f"classifier balanced accuracy, {p.label.size} windows",
                           "≥ 0.90", ba, "≥ 0.90", bool(ba >= 0.90)))
    rows.append(CaseResult(name, "… minus the kinematic rules' "
                           f"({rules:.3f})", "> 0", ba - rules, "> 0", bool(ba > rules)))
    glider = np.flatnonzero(p.label == "glider")
    hz = np.asarray(HORIZONS_S)
    pred = model.predict(np.arange(p.pos.shape[1], dtype=float) * float(
        model.config["period_s"]), p.pos[glider], p.vel[glider], hz, p.sigma[glider])
    for label, sel in (("seen families", ~p.held_family[glider]),
                       (f"held-out family ({HELD_OUT_FAMILY})", p.held_family[glider])):
        for h in (60.0, 120.0):
            j = int(np.flatnonzero(hz == h)[0])
            fut = p.fut[glider, j]
            ok = sel & np.isfinite(fut).all(axis=1)
            if ok.sum() < 5:
                rows.append(CaseResult(name, f"glider windows at {h:g} s, {label}", "≥ 5",
                                       float(ok.sum()), "≥ 5", False))
                continue
            rms_l = float(np.sqrt(np.mean(np.sum((pred[ok, j] - fut[ok]) ** 2, axis=1))))
            rms_c = float(np.sqrt(np.mean(np.sum((p.cv[glider][ok, j] - fut[ok]) ** 2,
                                                 axis=1))))
            rows.append(CaseResult(
                name, f"glider RMS error at {h:g} s / constant velocity's ({rms_c / 1e3:.1f} "
                f"km), {label}, {int(ok.sum())} windows", "< 1", rms_l / rms_c, "< 1",
                bool(rms_l < rms_c)))
    rows.extend(_impact_rows(model, p, name))
    return rows


def _impact_rows(model: Any, p: Any, name: str) -> list[Any]:
    """The impact-point rows: the learned model's RMS error over the run's landed glider
    windows as a ratio to ballistic fall's.  (The engine's straight line to the defended
    ship, which knows where the ship is, is better than the model on some runs and far
    worse on others: docs/learning.md §4.)"""
    from tate.predict.impact import ballistic_ipp, impact_rows, impact_truth
    from tate.predict.train import HELD_OUT_FAMILY
    from tate.verify import CaseResult

    rows = impact_rows(p)
    truth, _ = impact_truth(p, rows)
    last, lv = p.pos[rows, -1], p.vel[rows, -1]
    learned, _ = model.impact(p.pos[rows], p.vel[rows], p.sigma[rows])
    classic = {"ballistic fall": ballistic_ipp(last, lv)[0]}
    out = []
    for label, sel in (("seen families", ~p.held_family[rows]),
                       (f"held-out family ({HELD_OUT_FAMILY})", p.held_family[rows])):
        for base, pts in classic.items():
            ok = sel & np.isfinite(pts).all(axis=1)
            if ok.sum() < 5:
                out.append(CaseResult(name, f"landed glider windows, {label}", "≥ 5",
                                      float(ok.sum()), "≥ 5", False))
                continue
            rms_l = float(np.sqrt(np.mean(np.sum((learned[ok] - truth[ok]) ** 2, axis=1))))
            rms_b = float(np.sqrt(np.mean(np.sum((pts[ok] - truth[ok]) ** 2, axis=1))))
            out.append(CaseResult(
                name, f"glider impact-point RMS error / {base}'s ({rms_b / 1e3:.0f} km), "
                f"{label}, {int(ok.sum())} windows", "< 1", rms_l / rms_b, "< 1",
                bool(rms_l < rms_b)))
    return out
