"""The fire control's predicted track paths, by the predictor the scenario chose (issue 8).

What it models
--------------
Engageability (:func:`tate.c2.engage.opportunities`) and the midcourse re-aiming of
rounds in the air need every track's position at a grid of times ``tau`` after the
decision.  Three predictors (``c2.predictor``):

* ``"kinematic"``: constant velocity in the tracker's ENU frame, plus flat-Earth gravity
  for a ballistic track (:func:`tate.c2.engage.predict_path`);
* ``"glide-physics"``: for the tracks classified as gliders
  (:data:`tate.c2.threat.GLIDER`) whose states are held at every decision time of the
  window ``t − n·period, …, t − period, t`` (``n = window_s / period_s``, at least 3),
  :func:`tate.predict.glide.predict_glide`: β, L/D and bank fitted on the window, then
  RK4 over the rotating, oblate Earth, in steps of ``GLIDE_STEP_S`` to knots that far
  apart, interpolated to ``tau`` by a cubic spline (against 0.25 s steps on every
  ``tau``: under 0.3 m over 400 s on the flown gliders of the predictor's tests, for a
  tenth of the cost of 1 s steps);
* ``"learned"``: the same selection, predicted by a model object with
  ``predict(times, pos, vel, horizons) -> (k, h, 3)`` (ECEF in and out);
* ``"imm"``: the same selection, predicted by the track filter itself — the engine then
  tracks with the interacting-multiple-model filter (constant velocity, coordinated turn,
  high-noise constant velocity; :mod:`tate.tracking.imm`) and each track's mode-mixed
  prediction (:func:`filter_extrapolate`) is taken at knots ``FILTER_KNOT_S`` apart and
  interpolated to ``tau`` by a cubic spline.  Its paths are straight lines and turns in
  the tracker's flat ENU frame.

A model path ends where it first goes below the ellipsoid (the threat has landed): its
later samples are NaN, which engageability never takes for an opportunity and midcourse
re-aiming replaces by the kinematic prediction.  Every other track, and every track whose
model prediction has a non-finite sample before it lands, is predicted kinematically.

Frames and units: the tracks and the returned paths are in the tracker's ENU frame about
``origin = (lat [deg], lon [deg], alt [m])`` (the engine's ``Engagement.origin``); the
model predictors work in ECEF (WGS-84): window positions are converted with
:func:`tate.earth.wgs84.enu_to_ecef` and back with :func:`~tate.earth.wgs84.ecef_to_enu`,
velocities are rotated only (:func:`~tate.earth.wgs84.enu_vec_to_ecef`).  The ENU frame is
fixed to the Earth, so ENU velocities are Earth-relative and so are the ECEF ones.  Times
[s], positions [m], velocities [m/s].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate.c2.engage import predict_path
from tate.earth import wgs84
from tate.predict.history import TrackHistory

__all__ = [
    "DEFAULT_WINDOW_S",
    "MIN_WINDOW_SAMPLES",
    "PREDICTORS",
    "LearnedPredictor",
    "PathPrediction",
    "ecef_to_enu_states",
    "enu_to_ecef_states",
    "filter_extrapolate",
    "filter_paths",
    "interpolate_path",
    "learned_gliders",
    "predict_tracks",
    "window_times",
]

F64 = NDArray[np.float64]
Origin = tuple[float, float, float]
PREDICTORS = ("kinematic", "imm", "glide-physics", "learned")  #: values of ``c2.predictor``
DEFAULT_WINDOW_S = 20.0  #: span of the fitted window [s]
MIN_WINDOW_SAMPLES = 4  #: fewest window samples a model is given (the fit needs > 2)
GLIDE_STEP_S = 10.0  #: RK4 step and knot spacing of the glide-physics prediction [s]
FILTER_KNOT_S = 10.0  #: knot spacing of the filter's (``"imm"``) prediction [s]


class LearnedPredictor(Protocol):
    """What the ``"learned"`` predictor must provide."""

    def predict(self, times: F64, pos: F64, vel: F64, horizons: F64) -> F64:
        """ECEF positions ``(k, h, 3)`` [m] at ``horizons (h,)`` after the last of
        ``times (m,)``, from ECEF window states ``pos, vel (k, m, 3)``."""
        ...

    def classify(self, pos: F64, vel: F64, sigma: F64) -> tuple[NDArray[Any], F64]:
        """Class names ``(k,)`` (``"glider"`` among them) and probabilities of ``k`` ECEF
        windows, with each track's position σ ``(k,)`` [m]."""
        ...


@dataclass(frozen=True)
class PathPrediction:
    """Predicted paths of ``n`` tracks on a grid of ``K`` times after the decision."""

    tau: F64  #: (K,) times after the decision [s]
    path: F64  #: (n, K, 3) ENU positions [m]; NaN after a model path has landed
    modelled: NDArray[np.bool_]  #: (n,) predicted by the chosen model (else kinematic)


def window_times(t: float, window_s: float, period_s: float) -> F64:
    """Decision times of the fitted window, ending at ``t`` [s]: ``t − n·period_s, …, t``
    with ``n = round(window_s / period_s)`` but at least ``MIN_WINDOW_SAMPLES − 1``."""
    n = max(round(window_s / period_s), MIN_WINDOW_SAMPLES - 1)
    return t - period_s * np.arange(n, -1, -1, dtype=float)


def enu_to_ecef_states(pos: F64, vel: F64, origin: Origin) -> tuple[F64, F64]:
    """ENU positions and velocities ``(..., 3)`` about ``origin`` to ECEF [m, m/s]."""
    lat, lon, alt = np.radians(origin[0]), np.radians(origin[1]), float(origin[2])
    return (
        np.asarray(wgs84.enu_to_ecef(pos, lat, lon, alt), float),
        np.asarray(wgs84.enu_vec_to_ecef(vel, lat, lon), float),
    )


def ecef_to_enu_states(pos: F64, vel: F64, origin: Origin) -> tuple[F64, F64]:
    """ECEF positions and velocities ``(..., 3)`` to ENU about ``origin`` [m, m/s]."""
    lat, lon, alt = np.radians(origin[0]), np.radians(origin[1]), float(origin[2])
    return (
        np.asarray(wgs84.ecef_to_enu(pos, lat, lon, alt), float),
        np.asarray(wgs84.ecef_vec_to_enu(vel, lat, lon), float),
    )


def predict_tracks(
    kind: str,
    history: TrackHistory,
    t: float,
    ids: ArrayLike,
    pos: F64,
    vel: F64,
    ballistic: NDArray[np.bool_],
    glider: NDArray[np.bool_],
    tau: F64,
    origin: Origin,
    learned: LearnedPredictor | None = None,
    *,
    window_s: float = DEFAULT_WINDOW_S,
    period_s: float = 2.0,
    tracker: Any = None,
) -> PathPrediction:
    """Predicted ENU paths of the tracks, and which of them the chosen model predicted.

    Parameters
    ----------
    kind
        One of :data:`PREDICTORS`.
    history
        The recorded track states; must hold the states at ``t`` for a model prediction
        (the prediction starts from the window's last sample).
    t
        Decision time [s].
    ids
        Track ids ``(n,)``.
    pos, vel
        Track states now, ENU ``(n, 3)`` [m, m/s] (for the kinematic prediction).
    ballistic, glider
        ``(n,)``: tracks predicted with gravity by the kinematic predictor; tracks a model
        predictor is used for.
    tau
        Times after ``t`` ``(K,)`` [s], ≥ 0.
    origin
        Tracker frame origin (lat [deg], lon [deg], alt [m]).
    learned
        The model of ``"learned"``.
    tracker
        The :class:`tate.tracking.tracker.Tracker` holding the tracks ``ids`` (``"imm"``).
    window_s, period_s
        Span of the window and the decision period [s] (:func:`window_times`).

    Returns
    -------
    PathPrediction
    """
    if kind not in PREDICTORS:
        raise ValueError(f"unknown predictor {kind!r}; valid names: {', '.join(PREDICTORS)}")
    tau = np.asarray(tau, float)
    path = predict_path(pos, vel, ballistic, tau)
    modelled = np.zeros(pos.shape[0], dtype=bool)
    if kind == "kinematic" or not np.any(glider):
        return PathPrediction(tau, path, modelled)
    if kind == "learned" and learned is None:
        raise ValueError("the learned predictor needs a model")
    if kind == "imm" and tracker is None:
        raise ValueError("the imm predictor needs the tracker")
    times = window_times(t, window_s, period_s)
    sel = np.flatnonzero(glider)
    if kind == "imm":
        rows, ok = _tracker_rows(tracker, np.asarray(ids)[sel])
        sel, rows = sel[ok], rows[ok]
    else:
        w_pos, w_vel, ok = history.window(np.asarray(ids)[sel], times)
        sel, w_pos, w_vel = sel[ok], w_pos[ok], w_vel[ok]
    if sel.size == 0:
        return PathPrediction(tau, path, modelled)
    if kind != "imm":
        p_ecef, v_ecef = enu_to_ecef_states(w_pos, w_vel, origin)
    with np.errstate(all="ignore"):  # a diverging row is caught as non-finite below
        if kind == "imm":
            lat0, lon0 = np.radians(origin[0]), np.radians(origin[1])
            out = np.asarray(wgs84.enu_to_ecef(filter_paths(tracker, rows, t, tau), lat0, lon0,
                                               float(origin[2])), float)
        elif learned is not None and kind == "learned":
            out = np.asarray(learned.predict(times, p_ecef, v_ecef, tau), float)
            if out.shape != (sel.size, tau.size, 3):
                raise ValueError(
                    f"the learned model returned shape {out.shape}, "
                    f"expected {(sel.size, tau.size, 3)}"
                )
        else:
            out = _glide_on_grid(times, p_ecef, v_ecef, tau)
        landed = np.cumsum(wgs84.geodetic_altitude(out) < 0.0, axis=1) > 0
        lat, lon, alt = np.radians(origin[0]), np.radians(origin[1]), float(origin[2])
        enu = np.asarray(wgs84.ecef_to_enu(out, lat, lon, alt), float)
    good = (np.isfinite(enu).all(axis=2) | landed).all(axis=1)
    enu[landed] = np.nan
    path[sel[good]] = enu[good]
    modelled[sel[good]] = True
    return PathPrediction(tau, path, modelled)


def _tracker_rows(tracker: Any, ids: NDArray[Any]) -> tuple[NDArray[np.intp],
                                                              NDArray[np.bool_]]:
    """Rows of the tracker's state holding the tracks ``ids``, and which were found."""
    book = [] if tracker.state is None else np.asarray(tracker.book.ids).tolist()
    index = {int(i): r for r, i in enumerate(book)}
    rows = np.array([index.get(int(i), -1) for i in np.asarray(ids).tolist()], np.intp)
    return np.maximum(rows, 0), rows >= 0


def filter_extrapolate(tracker: Any, rows: NDArray[np.intp], t: float, horizons: F64) -> F64:
    """The track filter's own prediction of the tracker's ``rows`` from ``t`` to each of
    ``horizons`` [s] after it, one prediction per horizon (for the IMM: mixed once over the
    whole span, then mode-matched and moment-matched): positions ``(k, h, 3)`` in the
    tracker's frame [m]."""
    f = tracker.filter
    state = f.take(tracker.state, rows)
    lag = t - float(tracker.t)
    if lag > 1e-9:
        state = f.predict(state, lag)
    return np.stack([f.output(f.predict(state, float(h)))[0][:, :3] for h in horizons],
                    axis=1)


def filter_paths(tracker: Any, rows: NDArray[np.intp], t: float, tau: F64) -> F64:
    """:func:`filter_extrapolate` on knots ``FILTER_KNOT_S`` apart from 0 to ``max(tau)``,
    interpolated to ``tau`` by a not-a-knot cubic spline: ``(k, K, 3)``."""
    from scipy.interpolate import CubicSpline

    top = float(np.max(tau))
    knots = np.linspace(0.0, top, max(int(np.ceil(top / FILTER_KNOT_S - 1e-9)), 3) + 1)
    return np.asarray(CubicSpline(knots, filter_extrapolate(tracker, rows, t, knots),
                                  axis=1)(tau), float)


def _glide_on_grid(times: F64, pos: F64, vel: F64, tau: F64) -> F64:
    """:func:`tate.predict.glide.predict_glide` on knots ``GLIDE_STEP_S`` apart from 0 to
    ``max(tau)``, interpolated to ``tau`` by a not-a-knot cubic spline: ``(k, K, 3)``."""
    from scipy.interpolate import CubicSpline

    from tate.predict.glide import predict_glide

    top = float(np.max(tau))
    knots = np.linspace(0.0, top, max(int(np.ceil(top / GLIDE_STEP_S - 1e-9)), 3) + 1)
    out = predict_glide(times, pos, vel, knots, dt=GLIDE_STEP_S)
    return np.asarray(CubicSpline(knots, out, axis=1)(tau), float)


def learned_gliders(model: LearnedPredictor, history: TrackHistory, t: float, ids: NDArray[np.intp],
                    sigma: F64, origin: Origin, period_s: float,
                    window_s: float = DEFAULT_WINDOW_S) -> tuple[NDArray[np.bool_], int]:
    """Which tracks ``ids`` the learned model's classifier calls gliders on their window
    ending at ``t`` (False without a full window), and how many windows it classified."""
    times = window_times(t, window_s, period_s)
    w_pos, w_vel, ok = history.window(ids, times)
    out = np.zeros(np.size(ids), dtype=bool)
    if not ok.any():
        return out, 0
    p_ecef, v_ecef = enu_to_ecef_states(w_pos[ok], w_vel[ok], origin)
    names, _ = model.classify(p_ecef, v_ecef, np.asarray(sigma)[ok])
    out[np.flatnonzero(ok)] = names == "glider"
    return out, int(ok.sum())


def interpolate_path(tau: F64, path: F64, start: F64, h: float) -> F64:
    """Position [m] at ``h`` after the decision on one track's predicted path.

    Linear in time between the grid ``tau (K,)`` (ascending, > 0) of ``path (K, 3)``,
    with ``start (3,)`` at time 0; NaN beyond the last grid time.
    """
    if h > tau[-1] or h < 0.0:
        return np.full(3, np.nan)
    grid = np.concatenate([[0.0], tau])
    pts = np.concatenate([start[None], path], axis=0)
    return np.array([np.interp(h, grid, pts[:, i]) for i in range(3)])
