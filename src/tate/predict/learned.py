"""The learned threat classifier and glide trajectory predictor, ready for the engine.

One model file (:mod:`tate.predict.modelfile`: arrays and a JSON config in a zip, never
pickle) holds

* a classifier of track windows into ``ballistic, glider, cruise, drone, clutter``
  (gradient-boosted trees or a multilayer perceptron, whichever won on held-out runs:
  :mod:`tate.predict.train`), evaluated in numpy (:mod:`tate.predict.trees`,
  :mod:`tate.predict.mlp`);
* a glide predictor: a multilayer perceptron giving, at each horizon of ``horizons_s``,
  the offset of the truth from a base prediction (the constant-velocity line for the
  ``direct`` model, the physics predictor of :mod:`tate.predict.glide` for the
  ``residual`` model) in the flight-path frame at the last window sample.  Between
  horizons the offset is interpolated linearly (zero at zero horizon); beyond the last it
  is held;
* an impact-point predictor: a multilayer perceptron giving the impact point's offset
  from the last window position in the same frame and the time to go
  (:mod:`tate.predict.impact`).

Inputs are windows of filtered track states: ECEF positions [m] and Earth-relative
velocities [m/s] ``(k, m, 3)`` at the model's ``m`` evenly spaced times (``window_s``,
``period_s``), plus each track's largest position standard deviation [m].

The bundled model (``src/tate/predict/data/learned.tate.zip``) is made by
``tate train-data`` and ``tate train`` with the seeds in its config
(``training``); :func:`load_default` loads it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["KIND", "LearnedModel", "default_model_path", "load_default", "load_learned",
           "physics_or_line"]

F64 = NDArray[np.float64]
KIND = "tate-learned"
DIVERGED_G = 5.0  #: a physics prediction further than ½·(5 g)·h² from the line has diverged


def default_model_path() -> Path:
    """The bundled model file."""
    return Path(__file__).with_name("data") / "learned.tate.zip"


def _split(arrays: dict[str, NDArray[Any]], prefix: str) -> dict[str, NDArray[Any]]:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


@dataclass(frozen=True)
class LearnedModel:
    """Classifier and glide predictor of one model file."""

    config: dict[str, Any]
    classifier: Any  #: GradientBoosted or MLP
    predictor: Any  #: MLP regressor of the standardised offsets
    y_mean: F64
    y_scale: F64
    base: str  #: "direct" (constant velocity) or "residual" (physics)
    x_lo: F64  #: training range of the predictor's inputs (they are clipped to it)
    x_hi: F64
    gate: NDArray[np.bool_]  #: horizons whose correction is applied (else zero)
    impact_net: Any  #: MLP regressor of the standardised impact offsets and time to go
    ipp_y_mean: F64
    ipp_y_scale: F64
    ipp_x_lo: F64
    ipp_x_hi: F64

    @property
    def classes(self) -> tuple[str, ...]:
        """Class names in the classifier's probability columns."""
        return tuple(str(c) for c in self.classifier.classes)

    @property
    def horizons(self) -> F64:
        """Horizons the predictor was trained at [s]."""
        return np.asarray(self.config["horizons_s"], float)

    def window_times(self) -> F64:
        """Window sample times relative to the first [s]."""
        n = int(self.config["n_window"])
        return np.arange(n, dtype=float) * float(self.config["period_s"])

    def _features(self, pos: F64, vel: F64, sigma: F64) -> F64:
        from tate.predict.features import features

        n = int(self.config["n_window"])
        if pos.ndim != 3 or pos.shape[1:] != (n, 3) or vel.shape != pos.shape:
            raise ValueError(f"windows must be (k, {n}, 3), got {pos.shape} and {vel.shape}")
        return features(self.window_times(), pos, vel, np.asarray(sigma, float))

    def classify(self, pos: F64, vel: F64, sigma: F64) -> tuple[NDArray[Any], F64]:
        """Class names ``(k,)`` and probabilities ``(k, n_classes)`` of ``k`` windows."""
        if pos.shape[0] == 0:
            return np.empty(0, dtype=object), np.empty((0, len(self.classes)))
        proba = self.classifier.predict_proba(self._features(pos, vel, sigma))
        names = np.array(self.classes, dtype=object)[proba.argmax(axis=1)]
        return names, proba

    def offsets(self, pos: F64, vel: F64, sigma: F64, X: F64 | None = None) -> F64:
        """Learned offsets ``(k, h, 3)`` [m] in the flight-path frame at the trained horizons
        (``X``: the windows' features, if already computed)."""
        X = np.clip(self._features(pos, vel, sigma) if X is None else X, self.x_lo, self.x_hi)
        y = self.predictor.predict(X).reshape(X.shape[0], -1) * self.y_scale + self.y_mean
        return y.reshape(X.shape[0], self.horizons.size, 3) * self.gate[None, :, None]

    def impact(self, pos: F64, vel: F64, sigma: F64, X: F64 | None = None
               ) -> tuple[F64, F64]:
        """Predicted impact points on the ellipsoid, ECEF ``(k, 3)`` [m], and times to go
        ``(k,)`` [s] of ``k`` glider windows (:mod:`tate.predict.impact`)."""
        from tate.predict.features import local_frame
        from tate.predict.impact import points_from_offsets

        k = pos.shape[0]
        if k == 0:
            return np.empty((0, 3)), np.empty(0)
        X = np.clip(self._features(pos, vel, sigma) if X is None else X, self.ipp_x_lo,
                    self.ipp_x_hi)
        y = self.impact_net.predict(X).reshape(k, -1) * self.ipp_y_scale + self.ipp_y_mean
        return points_from_offsets(local_frame(pos[:, -1], vel[:, -1]), pos[:, -1], y)

    def assess(self, times: F64, pos: F64, vel: F64, horizons: F64, sigma: F64
               ) -> tuple[NDArray[Any], F64, F64]:
        """Classes, class probabilities and predicted positions of ``k`` windows in one pass
        (the features are computed once): ``(k,)``, ``(k, n_classes)``, ``(k, h, 3)``."""
        k = pos.shape[0]
        if k == 0:
            return (np.empty(0, dtype=object), np.empty((0, len(self.classes))),
                    np.empty((0, np.size(horizons), 3)))
        X = self._features(pos, vel, sigma)
        proba = self.classifier.predict_proba(X)
        names = np.array(self.classes, dtype=object)[proba.argmax(axis=1)]
        return names, proba, self.predict(times, pos, vel, horizons, sigma, X=X)

    def predict(self, times: F64, pos: F64, vel: F64, horizons: F64,
                sigma: F64 | None = None, X: F64 | None = None) -> F64:
        """Predicted ECEF positions ``(k, h, 3)`` at ``horizons`` after the last sample.

        ``times`` must be the model's window grid (any origin); ``sigma`` defaults to
        100 m (it only informs the classifier-style features).
        """
        from tate.predict.features import from_local, local_frame
        from tate.predict.glide import predict_constant_velocity

        t = np.asarray(times, float)
        grid = self.window_times()
        if t.shape != grid.shape or not np.allclose(t - t[0], grid, atol=1e-6):
            raise ValueError(f"window times must be {grid.size} samples {grid[1]:g} s apart")
        hz = np.asarray(horizons, float)
        k = pos.shape[0]
        if k == 0:
            return np.empty((0, hz.size, 3))
        sig = np.full(k, 100.0) if sigma is None else np.asarray(sigma, float)
        if self.base == "residual":
            base = physics_or_line(t, pos, vel, hz)
        else:
            base = predict_constant_velocity(t, pos, vel, hz)
        off = self.offsets(pos, vel, sig, X)  # (k, H, 3)
        knots = np.concatenate([[0.0], self.horizons])
        table = np.concatenate([np.zeros((k, 1, 3)), off], axis=1)
        at = np.clip(hz, 0.0, knots[-1])
        j = np.clip(np.searchsorted(knots, at, side="right") - 1, 0, knots.size - 2)
        w = ((at - knots[j]) / (knots[j + 1] - knots[j]))[None, :, None]
        interp = table[:, j] * (1.0 - w) + table[:, j + 1] * w
        frame = local_frame(pos[:, -1], vel[:, -1])
        return base + from_local(frame, interp)


def physics_or_line(times: F64, pos: F64, vel: F64, horizons: F64) -> F64:
    """The physics predictor (:func:`tate.predict.glide.predict_glide`) where it holds,
    the constant-velocity line from the first horizon (in increasing order) where its fit
    diverges: non-finite, underground, or further from the line than a sustained
    ``DIVERGED_G`` would take it (½·a·h²; a fit on a boosting or diving track can give
    negative drag or lift of tens of g): ``(k, h, 3)`` ECEF.  (The engine's paths,
    :mod:`tate.predict.paths`, end a model path where it lands.)"""
    from tate.earth import wgs84
    from tate.predict.glide import predict_constant_velocity, predict_glide

    hz = np.asarray(horizons, float)
    with np.errstate(all="ignore"):
        phys = predict_glide(times, pos, vel, hz)
        alt = np.asarray(wgs84.geodetic_altitude(np.nan_to_num(phys, nan=0.0)))
    line = predict_constant_velocity(times, pos, vel, hz)
    off = np.linalg.norm(np.nan_to_num(phys - line, nan=np.inf), axis=2)
    bad = ~np.isfinite(phys).all(axis=2) | ~(alt >= 0.0) | (
        off > 0.5 * DIVERGED_G * 9.80665 * hz[None, :] ** 2)
    order = np.argsort(hz, kind="stable")
    bad_sorted = np.cumsum(bad[:, order], axis=1) > 0
    bad[:, order] = bad_sorted
    return np.where(bad[..., None], line, phys)


def load_learned(path: str | os.PathLike[str]) -> LearnedModel:
    """Load and check a model file (refused with :class:`ModelFileError` otherwise)."""
    from tate.predict.mlp import MLP
    from tate.predict.modelfile import ModelFileError, load_model
    from tate.predict.trees import GradientBoosted

    config, arrays = load_model(path, kind=KIND)
    try:
        clf_cfg = config["classifier"]
        maker = GradientBoosted if clf_cfg["type"] == "hgb" else MLP
        classifier = maker.from_arrays(clf_cfg["config"], _split(arrays, "clf_"))
        pred_cfg = config["predictor"]
        predictor = MLP.from_arrays(pred_cfg["config"], _split(arrays, "pred_"))
        y_mean = np.asarray(arrays["pred_y_mean"], float)
        y_scale = np.asarray(arrays["pred_y_scale"], float)
        base = str(pred_cfg["base"])
        x_lo = np.asarray(arrays["pred_x_lo"], float)
        x_hi = np.asarray(arrays["pred_x_hi"], float)
        if x_lo.shape != (predictor.n_features,) or x_hi.shape != x_lo.shape:
            raise ValueError("predictor input range does not match its inputs")
        gate = np.asarray(arrays["pred_gate"], bool)
        if gate.shape != (len(config["horizons_s"]),):
            raise ValueError("predictor gate does not match the horizons")
        if base not in ("direct", "residual"):
            raise ValueError(f"unknown predictor base {base!r}")
        h = len(config["horizons_s"])
        if y_mean.shape != (3 * h,) or y_scale.shape != (3 * h,):
            raise ValueError("predictor output scaling does not match the horizons")
        impact_net = MLP.from_arrays(config["impact"]["config"], _split(arrays, "ipp_"))
        ipp = {k: np.asarray(arrays[f"ipp_{k}"], float)
               for k in ("y_mean", "y_scale", "x_lo", "x_hi")}
        if ipp["y_mean"].shape != (4,) or ipp["y_scale"].shape != (4,):
            raise ValueError("impact output scaling is not (offset, time to go)")
        if ipp["x_lo"].shape != (impact_net.n_features,) or ipp["x_hi"].shape != ipp[
                "x_lo"].shape:
            raise ValueError("impact input range does not match its inputs")
        for key in ("n_window", "period_s", "window_s"):
            if key not in config:
                raise ValueError(f"config has no {key!r}")
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(path, f"not a valid learned model: {exc}") from None
    return LearnedModel(config, classifier, predictor, y_mean, y_scale, base, x_lo, x_hi,
                        gate, impact_net, ipp["y_mean"], ipp["y_scale"], ipp["x_lo"],
                        ipp["x_hi"])


@lru_cache(maxsize=1)
def load_default() -> LearnedModel:
    """The bundled model (loaded once per process)."""
    return load_learned(default_model_path())
