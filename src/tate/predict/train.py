"""Training and held-out evaluation of the learned threat classifier and glide predictor.

What it does
------------
From a ``tate train-data`` directory (:mod:`tate.predict.data`), using the samples of the
engine's own tracker (constant velocity):

* **splits**: runs whose index is ``≡ 4 (mod 5)`` are held out by seed (never trained on);
  the glider family ``HELD_OUT_FAMILY`` (sinusoidal weave) is held out entirely, so the
  models meet it only at evaluation;
* **classifier** (ballistic, glider, cruise, drone, clutter) from the window features of
  :mod:`tate.predict.features`: a histogram gradient-boosted tree ensemble (scikit-learn,
  the issue's baseline) and a multilayer perceptron on standardised features, both with
  balanced class weights; the one with the higher held-out balanced accuracy is shipped.
  The engine's kinematic rules (:func:`tate.c2.threat.classify_kinds`) are scored beside
  them on the same samples;
* **trajectory predictors** for gliders at the horizons of
  :data:`tate.predict.data.HORIZONS_S`: a learned *residual* on the physics predictor
  (:func:`tate.predict.glide.predict_glide`) and a learned *direct* model (residual on the
  constant-velocity line), both multilayer perceptrons whose targets are the truth minus the
  base prediction in the flight-path frame at the last sample
  (:func:`tate.predict.features.local_frame`), standardised per output;
* **impact-point predictors** for gliders (:mod:`tate.predict.impact`): a network giving
  the impact point and time to go, scored against ballistic fall, the engine's straight
  line to the defended asset, and the physics flight to the ground;
* **evaluation** on the held-out runs (seen families) and on the held-out family:
  classifier confusion matrices, accuracy and time from a threat's first confirmed track to
  its first correct class; position error per horizon of constant velocity, the IMM
  tracker's own extrapolation (matched by run, threat and time), physics, learned direct
  and learned residual, each with a 95 % bootstrap interval over runs (runs resampled
  whole: samples within a run are correlated).

Determinism: every estimator has a fixed ``random_state`` and training runs with one
BLAS/OpenMP thread (``threadpoolctl``), so ``tate train`` on the same data reproduces the
model file bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.predict.data import CLASSES, HORIZONS_S, N_WINDOW, PERIOD_S

__all__ = [
    "HELD_OUT_FAMILY",
    "PREDICTORS",
    "Prepared",
    "evaluate_predictors",
    "prepare",
    "train_models",
]

F64 = NDArray[np.float64]
HELD_OUT_FAMILY = "weave"
PREDICTORS = ("cv", "imm", "glide-physics", "learned-direct", "learned-residual")
TEST_EVERY = 5  #: runs with index ≡ TEST_EVERY − 1 (mod TEST_EVERY) are held out


@dataclass(frozen=True)
class Prepared:
    """Constant-velocity-tracker samples with their features and base predictions."""

    run: NDArray[np.int64]
    t: F64
    age: F64
    threat: NDArray[Any]
    label: NDArray[Any]
    family: NDArray[Any]
    pos: F64  #: (n, m, 3) window ECEF
    vel: F64
    sigma: F64
    X: F64  #: (n, f) features
    fut: F64  #: (n, h, 3) truth
    cv: F64  #: (n, h, 3) the tracker's straight-line extrapolation
    imm: F64  #: (n, h, 3) the IMM tracker's extrapolation of its track on the same threat
    impact: F64  #: (n, 3) where the threat's flight ended on the ground (NaN: it did not)
    t_impact: F64  #: (n,) when it ended there [s] (NaN: it did not)
    imm_last: F64  #: (n, 2, 3) the IMM tracker's last state (pos, vel) on the same threat
    test: NDArray[np.bool_]
    held_family: NDArray[np.bool_]


def window_times() -> F64:
    """Window sample times relative to the first [s]."""
    return np.arange(N_WINDOW, dtype=float) * PERIOD_S


def prepare(cols: dict[str, NDArray[Any]]) -> Prepared:
    """Features and matched IMM predictions for the CV tracker's samples."""
    from tate.predict.features import features

    cv = cols["tracker"] == "cv"
    nh = len(HORIZONS_S)
    n = int(cv.sum())
    pos = cols["win_pos"][cv].reshape(n, N_WINDOW, 3)
    vel = cols["win_vel"][cv].reshape(n, N_WINDOW, 3)
    X = features(window_times(), pos, vel, cols["sigma_m"][cv])
    # the IMM tracker's prediction for the same (run, threat, time), NaN if it had none
    imm_rows = np.flatnonzero((cols["tracker"] == "imm") & (cols["threat"] != ""))
    key: dict[tuple[int, str, float], int] = {}
    for r in imm_rows.tolist():
        key.setdefault((int(cols["run"][r]), str(cols["threat"][r]), float(cols["t_s"][r])), r)
    imm = np.full((n, nh, 3), np.nan)
    imm_last = np.full((n, 2, 3), np.nan)
    src = np.flatnonzero(cv)
    for i, r in enumerate(src.tolist()):
        j = key.get((int(cols["run"][r]), str(cols["threat"][r]), float(cols["t_s"][r])))
        if j is not None and cols["threat"][r] != "":
            imm[i] = cols["filt_pred"][j].reshape(nh, 3)
            imm_last[i, 0] = cols["win_pos"][j, -3:]
            imm_last[i, 1] = cols["win_vel"][j, -3:]
    run = cols["run"][cv].astype(np.int64)
    family = cols["family"][cv]
    return Prepared(run=run, t=cols["t_s"][cv], age=cols["age_s"][cv],
                    threat=cols["threat"][cv], label=cols["label"][cv], family=family,
                    pos=pos, vel=vel, sigma=cols["sigma_m"][cv], X=X,
                    fut=cols["fut_pos"][cv].reshape(n, nh, 3),
                    cv=cols["filt_pred"][cv].reshape(n, nh, 3), imm=imm,
                    impact=cols["impact_pos"][cv], t_impact=cols["t_impact_s"][cv],
                    imm_last=imm_last,
                    test=(run % TEST_EVERY) == TEST_EVERY - 1,
                    held_family=family == HELD_OUT_FAMILY)


# -- classifier ----------------------------------------------------------------------------
def _balanced_weights(y: NDArray[Any]) -> F64:
    labels, inv, counts = np.unique(y, return_inverse=True, return_counts=True)
    return (y.size / (labels.size * counts))[inv]


def fit_classifiers(p: Prepared, seed: int) -> dict[str, Any]:
    """Fit the gradient-boosted and MLP classifiers on the training samples."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    train = ~p.test & ~p.held_family
    X, y = p.X[train], p.label[train].astype(str)
    w = _balanced_weights(y)
    hgb = HistGradientBoostingClassifier(max_iter=30, learning_rate=0.25, max_leaf_nodes=15,
                                         early_stopping=False, random_state=seed)
    hgb.fit(X, y, sample_weight=w)
    scaler = StandardScaler().fit(X)
    # (MLPClassifier takes no sample weights: it sees the classes as they come)
    mlp = MLPClassifier(hidden_layer_sizes=(64, 64), alpha=1e-3, batch_size=min(256, y.size),
                        learning_rate_init=1e-3, max_iter=40, random_state=seed,
                        early_stopping=False)
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(scaler.transform(X), y)
    return {"hgb": hgb, "mlp": (scaler, mlp)}


def rule_classes(p: Prepared) -> NDArray[Any]:
    """The engine's kinematic rules on the last window sample (unknown → clutter)."""
    from tate.c2.threat import KIND_NAMES, classify_kinds
    from tate.earth import wgs84
    from tate.predict.glide import window_accel

    n = p.label.size
    lat, lon, alt = wgs84.ecef_to_geodetic(p.pos[:, -1])
    enu_v = np.asarray(wgs84.ecef_vec_to_enu(p.vel[:, -1], lat, lon))
    acc = window_accel(window_times(), p.vel)[:, -1]
    enu_a = np.asarray(wgs84.ecef_vec_to_enu(acc, lat, lon))
    pos = np.column_stack([np.zeros(n), np.zeros(n), np.asarray(alt)])
    kinds = classify_kinds(pos, enu_v, enu_a)
    names = np.array(KIND_NAMES, dtype=object)[kinds]
    return np.where(names == "unknown", "clutter", names).astype(object)


def confusion(y_true: NDArray[Any], y_pred: NDArray[Any]) -> list[list[int]]:
    """Counts ``[true][pred]`` over :data:`CLASSES`."""
    index = {c: i for i, c in enumerate(CLASSES)}
    m = np.zeros((len(CLASSES), len(CLASSES)), np.int64)
    for a, b in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        m[index[a], index[b]] += 1
    return m.tolist()


def class_scores(p: Prepared, pred: NDArray[Any], sel: NDArray[np.bool_]) -> dict[str, Any]:
    """Accuracy, balanced accuracy, confusion matrix and time to correct class."""
    y, yp = p.label[sel].astype(str), pred[sel].astype(str)
    cm = np.array(confusion(y, yp))
    present = cm.sum(axis=1) > 0
    recall = np.diag(cm)[present] / cm.sum(axis=1)[present]
    ttc = time_to_correct(p, pred, sel)
    return {"n": int(sel.sum()), "accuracy": float((y == yp).mean()) if y.size else float("nan"),
            "balanced_accuracy": float(recall.mean()) if recall.size else float("nan"),
            "confusion": cm.tolist(), "time_to_correct_s": ttc}


def time_to_correct(p: Prepared, pred: NDArray[Any], sel: NDArray[np.bool_]
                    ) -> dict[str, Any]:
    """Per class: median and 90th percentile of the time from a threat's first confirmed
    track to the first sample classified correctly, and the share never correct."""
    out: dict[str, Any] = {}
    rows = np.flatnonzero(sel & (p.threat != ""))
    groups: dict[tuple[int, str], list[int]] = {}
    for r in rows.tolist():
        groups.setdefault((int(p.run[r]), str(p.threat[r])), []).append(r)
    per_class: dict[str, list[float]] = {}
    for members in groups.values():
        idx = np.array(members)
        start = float((p.t[idx] - p.age[idx]).min())
        good = idx[pred[idx] == p.label[idx]]
        delay = float(p.t[good].min() - start) if good.size else float("inf")
        per_class.setdefault(str(p.label[idx[0]]), []).append(delay)
    for c, v in sorted(per_class.items()):
        a = np.array(v)
        fin = a[np.isfinite(a)]
        out[c] = {"threats": int(a.size),
                  "median_s": float(np.median(fin)) if fin.size else float("nan"),
                  "p90_s": float(np.percentile(fin, 90)) if fin.size else float("nan"),
                  "never": float(np.mean(~np.isfinite(a)))}
    return out


# -- predictors ----------------------------------------------------------------------------
def physics_predictions(p: Prepared, rows: NDArray[np.intp]) -> F64:
    """The physics predictor on rows ``rows`` as the engine uses it: ``(k, h, 3)`` ECEF, the
    straight line from the first horizon where the fit diverges or goes underground
    (:func:`tate.predict.learned.physics_or_line`)."""
    from tate.predict.learned import physics_or_line

    if rows.size == 0:
        return np.empty((0, len(HORIZONS_S), 3))
    return physics_or_line(window_times(), p.pos[rows], p.vel[rows], np.asarray(HORIZONS_S))


def fit_regressor(X: F64, Y: F64, seed: int) -> tuple[Any, Any, F64, F64]:
    """An MLP on standardised inputs and outputs; returns (scaler, mlp, y_mean, y_scale)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X)
    y_mean = Y.mean(axis=0)
    y_scale = np.maximum(Y.std(axis=0), 1e-9)
    mlp = MLPRegressor(hidden_layer_sizes=(128, 128), alpha=1e-3,
                       batch_size=min(256, X.shape[0]),
                       learning_rate_init=1e-3, max_iter=150, random_state=seed,
                       early_stopping=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(scaler.transform(X), (Y - y_mean) / y_scale)
    return scaler, mlp, y_mean, y_scale


def glider_rows(p: Prepared) -> NDArray[np.intp]:
    """Samples on gliders."""
    return np.flatnonzero(p.label == "glider")


VALIDATION_RUN = 3  #: runs ≡ 3 (mod TEST_EVERY) choose the horizons a model may correct


def fit_predictors(p: Prepared, phys: F64, rows: NDArray[np.intp], seed: int
                   ) -> dict[str, Any]:
    """Fit the residual and direct models on the training gliders among ``rows`` whose truth
    exists at every horizon.

    A horizon after the threat's impact takes the impact point as its target (the vehicle
    is there, on the ground), so windows of the last two minutes of a flight — the dive —
    are learned from too; windows of flights still going at the time limit need every
    horizon.  Each model is first fitted without the validation runs (index ≡ ``VALIDATION_RUN``
    mod ``TEST_EVERY``); at each horizon its correction is kept (``gate``) only if it
    lowers the RMS error of its base on those runs; then it is refitted on all training
    runs.  (Short horizons, where the base is already within the track noise, tend to be
    made worse by a correction learned mostly from the long ones.)
    """
    from tate.predict.features import local_frame, to_local

    train = ~p.test[rows] & ~p.held_family[rows]
    fut = p.fut[rows].copy()
    after: NDArray[np.bool_] = np.asarray(~np.isfinite(fut).all(axis=2))
    fut = np.where(after[:, :, None], p.impact[rows][:, None, :], fut)
    ok = train & np.isfinite(fut).all(axis=(1, 2))
    r, fut = rows[ok], fut[ok]
    frame = local_frame(p.pos[r, -1], p.vel[r, -1])
    X = p.X[r]
    x_range = (X.min(axis=0), X.max(axis=0))
    bases = {"residual": phys[ok], "direct": p.cv[r]}
    val = (p.run[r] % TEST_EVERY) == VALIDATION_RUN
    out: dict[str, Any] = {"n_train": int(r.size), "x_range": x_range}
    for name, base in bases.items():
        Y = to_local(frame, fut - base).reshape(r.size, -1)
        first = fit_regressor(X[~val], Y[~val], seed)
        corr = apply_regressor(first, X[val], x_range)
        err_base = np.sqrt(np.mean(np.sum(to_local(frame[val], fut[val] - base[val]) ** 2,
                                          axis=2), axis=0))
        err_model = np.sqrt(np.mean(np.sum((Y[val].reshape(-1, len(HORIZONS_S), 3) - corr) ** 2,
                                           axis=2), axis=0))
        out[f"gate_{name}"] = err_model < err_base
        out[name] = fit_regressor(X, Y, seed)
    return out


def apply_regressor(model: tuple[Any, Any, F64, F64], X: F64,
                    x_range: tuple[F64, F64] | None = None) -> F64:
    """Standardised MLP output back in metres ``(k, h, 3)`` of the local frame; inputs
    clipped to the training range ``x_range`` (an MLP extrapolates wildly outside it)."""
    return regressor_output(model, X, x_range).reshape(X.shape[0], len(HORIZONS_S), 3)


def regressor_output(model: tuple[Any, Any, F64, F64], X: F64,
                     x_range: tuple[F64, F64] | None = None) -> F64:
    """A :func:`fit_regressor` model's outputs in their own units ``(k, outputs)``, inputs
    clipped to ``x_range``."""
    scaler, mlp, y_mean, y_scale = model
    if x_range is not None:
        X = np.clip(X, x_range[0], x_range[1])
    out: F64 = np.asarray(mlp.predict(scaler.transform(X)), float).reshape(X.shape[0], -1)
    return out * y_scale + y_mean


def _bootstrap(err: F64, run: NDArray[np.int64], rng: np.random.Generator, reps: int = 200
               ) -> tuple[float, float, float, float, float, float]:
    """RMS and median of ``err`` with 95 % intervals from resampling runs whole."""
    runs = np.unique(run)
    if err.size == 0:
        return (float("nan"),) * 6
    groups = [np.flatnonzero(run == r) for r in runs]
    rms, med = [], []
    for _ in range(reps):
        pick = rng.integers(0, runs.size, runs.size)
        idx = np.concatenate([groups[i] for i in pick])
        rms.append(np.sqrt(np.mean(err[idx] ** 2)))
        med.append(np.median(err[idx]))
    return (float(np.sqrt(np.mean(err**2))), float(np.percentile(rms, 2.5)),
            float(np.percentile(rms, 97.5)), float(np.median(err)),
            float(np.percentile(med, 2.5)), float(np.percentile(med, 97.5)))


def evaluate_predictors(p: Prepared, rows: NDArray[np.intp], preds: dict[str, F64], seed: int
                        ) -> dict[str, Any]:
    """Error per horizon of each prediction ``(k, h, 3)`` over ``rows``, on the samples
    where every predictor has a value (paired comparison)."""
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    for j, h in enumerate(HORIZONS_S):
        fut = p.fut[rows, j]
        ok = np.isfinite(fut).all(axis=1)
        for v in preds.values():
            ok &= np.isfinite(v[:, j]).all(axis=1)
        entry: dict[str, Any] = {"n": int(ok.sum()), "runs": int(np.unique(p.run[rows][ok]).size)}
        for name, v in preds.items():
            err = np.linalg.norm(v[ok, j] - fut[ok], axis=1)
            rms, rlo, rhi, med, mlo, mhi = _bootstrap(err, p.run[rows][ok], rng)
            entry[name] = {"rms_m": rms, "rms_ci_m": [rlo, rhi], "median_m": med,
                           "median_ci_m": [mlo, mhi]}
        out[f"{h:g}"] = entry
    return out


# -- the whole training ----------------------------------------------------------------------
def _clean(value: Any) -> Any:
    """A report as plain JSON: NaN and infinities become None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _long_rms(ev: dict[str, Any], name: str) -> float:
    vals = [e[name]["rms_m"] for h, e in ev.items() if float(h) >= 30.0]
    return float(np.mean(vals)) if vals else float("inf")


def train_models(cols: dict[str, NDArray[Any]], manifest: dict[str, Any], seed: int = 0,
                 log: Any = None) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """Train, evaluate on the held-out splits and pack (config, arrays) for a model file."""
    import sklearn
    from threadpoolctl import threadpool_limits

    from tate.predict.features import FEATURE_NAMES, from_local, local_frame
    from tate.predict.mlp import mlp_arrays
    from tate.predict.trees import hgb_arrays

    say = log or (lambda msg: None)
    with threadpool_limits(limits=1):
        p = prepare(cols)
        say(f"{p.label.size:,} samples, {int(p.test.sum()):,} in held-out runs, "
            f"{int(p.held_family.sum()):,} of the held-out family {HELD_OUT_FAMILY!r}")
        clf = fit_classifiers(p, seed)
        say("classifiers fitted")
        scaler, mlp = clf["mlp"]
        preds = {"gradient-boosted": clf["hgb"].predict(p.X).astype(object),
                 "mlp": mlp.predict(scaler.transform(p.X)).astype(object),
                 "kinematic-rules": rule_classes(p)}
        seen = p.test & ~p.held_family
        clf_report = {name: {"held-out runs": class_scores(p, pred, seen),
                             "held-out family": class_scores(p, pred, p.held_family)}
                      for name, pred in preds.items()}
        best_clf = max(("gradient-boosted", "mlp"),
                       key=lambda n: clf_report[n]["held-out runs"]["balanced_accuracy"])
        rows = glider_rows(p)
        phys = physics_predictions(p, rows)
        models = fit_predictors(p, phys, rows, seed)
        say(f"predictors fitted on {models['n_train']:,} glider windows")
        frame = local_frame(p.pos[rows, -1], p.vel[rows, -1])
        X = p.X[rows]
        xr = models["x_range"]
        gate_d = models["gate_direct"][None, :, None]
        gate_r = models["gate_residual"][None, :, None]
        direct = from_local(frame, gate_d * apply_regressor(models["direct"], X, xr))
        residual = from_local(frame, gate_r * apply_regressor(models["residual"], X, xr))
        out = {"cv": p.cv[rows], "imm": p.imm[rows], "glide-physics": phys,
               "learned-direct": p.cv[rows] + direct, "learned-residual": phys + residual}
        pred_report = {}
        for split, sel in (("held-out runs", p.test[rows] & ~p.held_family[rows]),
                           ("held-out family", p.held_family[rows])):
            pred_report[split] = evaluate_predictors(
                p, rows[sel], {k: v[sel] for k, v in out.items()}, seed)
        base = min(("direct", "residual"),
                   key=lambda b: _long_rms(pred_report["held-out runs"], f"learned-{b}"))
        from tate.predict.impact import scenario_assets, train_impact

        ipp = train_impact(p, scenario_assets(str(manifest["scenario"])), seed)
        say(f"impact networks fitted on {ipp['n_train']:,} glider windows")
    if best_clf == "gradient-boosted":
        c_cfg, c_arr = hgb_arrays(clf["hgb"])
        clf_type = "hgb"
    else:
        c_cfg, c_arr = mlp_arrays(mlp, scaler=scaler)
        clf_type = "mlp"
    r_scaler, r_mlp, y_mean, y_scale = models[base]
    p_cfg, p_arr = mlp_arrays(r_mlp, scaler=r_scaler)
    x_lo, x_hi = models["x_range"]
    i_scaler, i_mlp, i_mean, i_scale = ipp["direct"]
    i_cfg, i_arr = mlp_arrays(i_mlp, scaler=i_scaler)
    arrays = {**{f"clf_{k}": v for k, v in c_arr.items()},
              **{f"pred_{k}": v for k, v in p_arr.items()},
              "pred_y_mean": np.asarray(y_mean, float), "pred_y_scale": np.asarray(y_scale, float),
              "pred_x_lo": x_lo, "pred_x_hi": x_hi, "pred_gate": models[f"gate_{base}"],
              **{f"ipp_{k}": v for k, v in i_arr.items()},
              "ipp_y_mean": np.asarray(i_mean, float), "ipp_y_scale": np.asarray(i_scale, float),
              "ipp_x_lo": ipp["x_range"][0], "ipp_x_hi": ipp["x_range"][1]}
    config = {
        "window_s": float(manifest["window_s"]), "period_s": float(manifest["period_s"]),
        "n_window": int(N_WINDOW), "horizons_s": [float(h) for h in HORIZONS_S],
        "classes": list(CLASSES), "feature_names": list(FEATURE_NAMES),
        "classifier": {"type": clf_type, "config": c_cfg, "chosen_over": [
            n for n in ("gradient-boosted", "mlp") if n != best_clf]},
        "predictor": {"base": base, "config": p_cfg},
        "impact": {"config": i_cfg},
        "training": {"data_root_seed": int(manifest["root_seed"]),
                     "data_runs": int(manifest["runs"]),
                     "data_scenario_hash": str(manifest["scenario_hash"]),
                     "train_seed": int(seed), "samples": int(p.label.size),
                     "glider_windows": int(models["n_train"]),
                     "impact_windows": int(ipp["n_train"]),
                     "held_out_family": HELD_OUT_FAMILY, "test_every": TEST_EVERY,
                     "scikit_learn": sklearn.__version__},
        "heldout": _clean({"classifier": clf_report, "predictors": pred_report,
                           "impact": ipp["report"]}),
    }
    return config, arrays
