"""Impact-point prediction for boost-glide vehicles: classic predictors, a learned one,
and their held-out scoring (issue 8).

What it models
--------------
Where and when a glider seen as a track window will reach the ground, from the window of
filtered states (ECEF positions [m], Earth-relative velocities [m/s], ``(k, m, 3)``) or
its last state.  Five predictors:

* ``ballistic``: the drag-free flat-Earth fall of the last state in the local level frame
  at the track (up = geodetic altitude): t = (v_u + √(v_u² + 2 g₀ h)) / g₀, impact at the
  horizontal displacement v_h t — the impact-point prediction of ballistic-missile
  defence (and of :func:`tate.c2.threat.ballistic_impact`, there in the fusion centre's
  flat frame);
* ``line-to-asset``: what the engine's threat evaluation does for a track that is not
  ballistic (:mod:`tate.c2.threat`, there in a flat frame), here on the sphere: fly on
  along the great circle of the horizontal velocity and take the closest approach to the
  defended asset ahead that it passes nearest; time to go at the present ground speed.
  It *knows the defended assets*; no other predictor here does;
* ``glide-physics``: the window's fitted β, L/D and bank (:func:`tate.predict.glide.fit_glide`)
  flown by RK4 (:func:`tate.predict.glide.propagate_glide`) until the path crosses the
  ellipsoid (linear interpolation between knots ``PHYS_DT_S`` apart), at most
  ``LIMIT_S``; ballistic where it does not land or its fit is not finite;
* ``learned`` (direct): a multilayer perceptron on the window features
  (:mod:`tate.predict.features`) giving the impact point's offset from the last position
  in the flight-path frame (:func:`tate.predict.features.local_frame`) and the time to go;
* ``learned-residual``: the same network trained on the offset from the physics
  prediction (evaluation only: it needs the physics flight at inference).

Every predicted point is put on the ellipsoid (geodetic altitude 0) below it.  Errors are
ECEF distances between predicted and true impact points [m], and time-to-go errors [s].

Sources: flat-Earth fall, e.g. Zarchan, *Tactical and Strategic Missile Guidance*, 6th
ed., ch. on ballistic targets; the engine's straight-line closest approach is documented in
:mod:`tate.c2.threat`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84

__all__ = [
    "IMPACT_METHODS",
    "LIMIT_S",
    "TGO_BINS_S",
    "ballistic_ipp",
    "evaluate_impact",
    "fit_impact",
    "ground",
    "impact_rows",
    "impact_targets",
    "impact_truth",
    "line_to_asset_ipp",
    "physics_ipp",
    "points_from_offsets",
    "scenario_assets",
    "train_impact",
]

F64 = NDArray[np.float64]
G0 = 9.80665  #: standard gravity [m/s^2]
LIMIT_S = 1500.0  #: longest physics flight searched for a landing [s]
PHYS_DT_S = 5.0  #: RK4 step and knot spacing of the physics flight [s]
CHUNK = 4096  #: rows flown at once by :func:`physics_ipp` (memory)
#: bins of the true time to impact of the scored windows [s]
TGO_BINS_S = (0.0, 60.0, 120.0, 240.0, np.inf)
IMPACT_METHODS = ("ballistic", "ballistic-imm", "line-to-asset", "line-to-asset-imm",
                  "glide-physics", "learned", "learned-residual")


def ground(pos: F64) -> F64:
    """ECEF points ``(..., 3)`` moved to the ellipsoid below them (geodetic altitude 0)."""
    lat, lon, _ = wgs84.ecef_to_geodetic(pos)
    return np.asarray(wgs84.geodetic_to_ecef(lat, lon, np.zeros_like(lat)), float)


def ballistic_ipp(pos: F64, vel: F64, g: float = G0) -> tuple[F64, F64]:
    """Drag-free flat-Earth impact of ECEF states ``(k, 3)`` in the level frame at each
    state: ground points ``(k, 3)`` [m] and times to impact ``(k,)`` [s]."""
    lat, lon, alt = wgs84.ecef_to_geodetic(pos)
    v = np.asarray(wgs84.ecef_vec_to_enu(vel, lat, lon), float)
    h = np.maximum(np.asarray(alt, float), 0.0)
    t = (v[:, 2] + np.sqrt(v[:, 2] ** 2 + 2.0 * g * h)) / g
    step = np.column_stack([v[:, 0] * t, v[:, 1] * t, -h])
    return ground(pos + np.asarray(wgs84.enu_vec_to_ecef(step, lat, lon), float)), t


def line_to_asset_ipp(pos: F64, vel: F64, assets: F64) -> tuple[F64, F64]:
    """Closest approach of the great circle along each state's horizontal velocity to the
    defended asset ahead that it passes nearest: ground points ``(k, 3)`` and times to go
    ``(k,)`` at the present ground speed; NaN where no asset lies ahead (or none is given).
    ``assets``: ECEF ``(a, 3)`` [m].

    On the sphere through the state's geocentric direction n̂ and horizontal heading ĥ,
    the asset's direction â is passed nearest after the arc φ = atan2(â·ĥ, â·n̂) (ahead
    when 0 < φ < π) at the cross-track angle asin |â·(n̂ × ĥ)|; the ground covers
    (|r| φ) at the horizontal speed."""
    k = pos.shape[0]
    out, tgo = np.full((k, 3), np.nan), np.full(k, np.nan)
    if k == 0 or assets.size == 0:
        return out, tgo
    rad = np.linalg.norm(pos, axis=1)
    n = pos / rad[:, None]
    vh = vel - np.sum(vel * n, axis=1)[:, None] * n
    speed = np.linalg.norm(vh, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = vh / speed[:, None]
    a = np.asarray(assets, float)
    a = a / np.linalg.norm(a, axis=1)[:, None]
    phi = np.arctan2(h @ a.T, n @ a.T)  # (k, a)
    cross = np.abs(np.cross(n, h) @ a.T)
    ahead = (phi > 0.0) & np.isfinite(phi) & (speed[:, None] > 0.0)
    pick = np.argmin(np.where(ahead, cross, np.inf), axis=1)
    rows = np.arange(k)
    ok = ahead[rows, pick]
    f = phi[rows, pick]
    pts = ground(np.where(ok[:, None], rad[:, None] * (np.cos(f)[:, None] * n
                                                       + np.sin(f)[:, None] * h), pos))
    out[ok] = pts[ok]
    with np.errstate(divide="ignore", invalid="ignore"):
        tgo[ok] = (rad * f / speed)[ok]
    return out, tgo


def physics_ipp(times: F64, pos: F64, vel: F64, limit_s: float = LIMIT_S,
                dt: float = PHYS_DT_S) -> tuple[F64, F64, NDArray[np.bool_]]:
    """Ground points ``(k, 3)``, times to impact ``(k,)`` and whether the physics flight
    landed ``(k,)``; ballistic (:func:`ballistic_ipp`) where it did not."""
    from tate.predict.glide import fit_glide, propagate_glide

    k = pos.shape[0]
    out, tgo = ballistic_ipp(pos[:, -1], vel[:, -1])
    landed = np.zeros(k, dtype=bool)
    knots = np.arange(0.0, limit_s + 0.5 * dt, dt)
    for s in range(0, k, CHUNK):
        sl = slice(s, min(s + CHUNK, k))
        with np.errstate(all="ignore"):
            fit = fit_glide(times, pos[sl], vel[sl])
            path = propagate_glide(pos[sl, -1], vel[sl, -1], fit, knots, dt)
            alt = np.asarray(wgs84.geodetic_altitude(np.nan_to_num(path, nan=0.0)))
        finite: NDArray[np.bool_] = np.asarray(np.isfinite(path).all(axis=2))
        below = (alt < 0.0) | ~finite
        first = np.argmax(below, axis=1)
        hit: NDArray[np.bool_] = np.asarray(below.any(axis=1) & (first > 0))
        rows = np.flatnonzero(hit)
        j = first[rows]
        hit[rows] = finite[rows, j]  # a flight that blew up is not a landing
        rows = np.flatnonzero(hit)
        j = first[rows]
        a0, a1 = alt[rows, j - 1], alt[rows, j]
        w = a0 / np.where(a0 - a1 > 0, a0 - a1, 1.0)
        pts = path[rows, j - 1] + w[:, None] * (path[rows, j] - path[rows, j - 1])
        idx = np.arange(sl.start, sl.stop)[rows]
        out[idx] = ground(pts)
        tgo[idx] = knots[j - 1] + w * dt
        landed[idx] = True
    return out, tgo, landed


def impact_targets(frame: F64, last: F64, impact: F64, tgo: F64) -> F64:
    """Learning targets ``(k, 4)``: the impact point's offset from ``last`` in the
    flight-path ``frame`` [m] and the time to go [s]."""
    from tate.predict.features import to_local

    return np.column_stack([to_local(frame, impact - last), tgo])


def points_from_offsets(frame: F64, last: F64, y: F64) -> tuple[F64, F64]:
    """Inverse of :func:`impact_targets`: ground points ``(k, 3)`` and times to go."""
    from tate.predict.features import from_local

    return ground(last + from_local(frame, y[:, :3])), np.asarray(y[:, 3], float)


def fit_impact(p: Any, rows: NDArray[np.intp], truth: tuple[F64, F64],
               phys: tuple[F64, F64], seed: int) -> dict[str, Any]:
    """Fit the direct and residual impact networks on the training rows among ``rows``
    (glider windows that landed); ``truth`` and ``phys`` are (points, times to go) over
    ``rows``.  Returns the two (scaler, mlp, y_mean, y_scale) models and the input range."""
    from tate.predict.features import local_frame
    from tate.predict.train import fit_regressor

    train = ~p.test[rows] & ~p.held_family[rows] & np.isfinite(truth[1])
    r = rows[train]
    last = p.pos[r, -1]
    frame = local_frame(last, p.vel[r, -1])
    X = p.X[r]
    y_true = impact_targets(frame, last, truth[0][train], truth[1][train])
    y_phys = impact_targets(frame, last, phys[0][train], phys[1][train])
    return {"n_train": int(r.size), "x_range": (X.min(axis=0), X.max(axis=0)),
            "direct": fit_regressor(X, y_true, seed),
            "residual": fit_regressor(X, y_true - y_phys, seed)}


def evaluate_impact(run: NDArray[np.int64], truth: tuple[F64, F64],
                    preds: dict[str, tuple[F64, F64]], seed: int) -> dict[str, Any]:
    """Impact-point and time-to-go errors of each predictor, per bin of the true time to
    go (:data:`TGO_BINS_S`) and over all windows, on the windows where every predictor
    has a value (paired); RMS and median with 95 % intervals from resampling runs whole,
    and the share of each bin's windows a predictor gave no point for."""
    from tate.predict.train import _bootstrap

    rng = np.random.default_rng(seed)
    pts, tgo = truth
    have = np.isfinite(tgo)
    every = have.copy()
    for p_pts, p_tgo in preds.values():
        every &= np.isfinite(p_pts).all(axis=1) & np.isfinite(p_tgo)
    out: dict[str, Any] = {}
    edges = list(TGO_BINS_S)
    bins = [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)] + [(0.0, np.inf)]
    for lo, hi in bins:
        inbin = have & (tgo > lo) & (tgo <= hi)
        sel = inbin & every
        key = "all" if (lo, hi) == (0.0, np.inf) else f"{lo:g}-{hi:g}"
        entry: dict[str, Any] = {"n": int(sel.sum()), "runs": int(np.unique(run[sel]).size)}
        for name, (p_pts, p_tgo) in preds.items():
            err = np.linalg.norm(p_pts[sel] - pts[sel], axis=1)
            rms, rlo, rhi, med, mlo, mhi = _bootstrap(err, run[sel], rng)
            terr = p_tgo[sel] - tgo[sel]
            t_rms = float(np.sqrt(np.mean(terr**2))) if terr.size else float("nan")
            missing = inbin & ~(np.isfinite(p_pts).all(axis=1) & np.isfinite(p_tgo))
            entry[name] = {"rms_m": rms, "rms_ci_m": [rlo, rhi], "median_m": med,
                           "median_ci_m": [mlo, mhi], "tgo_rms_s": t_rms,
                           "no_point": float(missing.sum() / max(int(inbin.sum()), 1))}
        out[key] = entry
    return out


def scenario_assets(scenario_text: str) -> F64:
    """ECEF ground points ``(a, 3)`` of the ships and assets of a scenario's TOML text (the
    defended assets ``line-to-asset`` aims at)."""
    from tate.scenario import loads_scenario

    scn = loads_scenario(scenario_text)
    places = [(s.lat_deg, s.lon_deg) for s in scn.ships] + [
        (a.lat_deg, a.lon_deg) for a in scn.assets]
    if not places:
        return np.empty((0, 3))
    lat, lon = np.radians(np.array(places, float)).T
    return np.asarray(wgs84.geodetic_to_ecef(lat, lon, np.zeros_like(lat)), float)


def _masked(pts: F64, tgo: F64, bad: NDArray[np.bool_]) -> tuple[F64, F64]:
    pts, tgo = pts.copy(), tgo.copy()
    pts[bad], tgo[bad] = np.nan, np.nan
    return pts, tgo


def impact_rows(p: Any) -> NDArray[np.intp]:
    """Samples scored for impact: glider windows whose threat landed after the window."""
    return np.flatnonzero((p.label == "glider") & np.isfinite(p.t_impact) & (p.t_impact > p.t))


def impact_truth(p: Any, rows: NDArray[np.intp]) -> tuple[F64, F64]:
    """True impact points ``(k, 3)`` and times to go ``(k,)`` of ``rows``."""
    return p.impact[rows], p.t_impact[rows] - p.t[rows]


def train_impact(p: Any, assets: F64, seed: int) -> dict[str, Any]:
    """Fit the impact networks and score every predictor on the held-out splits.

    Rows: glider windows whose threat landed after the window's end.  Returns the direct
    network (the one shipped: the residual needs the physics flight at inference), its
    input range, the number of training windows and the held-out report."""
    from tate.predict.features import local_frame
    from tate.predict.train import regressor_output, window_times

    rows = impact_rows(p)
    truth = impact_truth(p, rows)
    last, lv = p.pos[rows, -1], p.vel[rows, -1]
    phys = physics_ipp(window_times(), p.pos[rows], p.vel[rows])
    models = fit_impact(p, rows, truth, phys[:2], seed)
    frame = local_frame(last, lv)
    xr = models["x_range"]
    y_phys = impact_targets(frame, last, phys[0], phys[1])
    imm = p.imm_last[rows]
    no_imm = ~np.isfinite(imm).all(axis=(1, 2))
    imm_p, imm_v = np.where(no_imm[:, None], last, imm[:, 0]), np.where(no_imm[:, None], lv,
                                                                         imm[:, 1])
    preds = {
        "ballistic": ballistic_ipp(last, lv),
        "ballistic-imm": _masked(*ballistic_ipp(imm_p, imm_v), no_imm),
        "line-to-asset": line_to_asset_ipp(last, lv, assets),
        "line-to-asset-imm": _masked(*line_to_asset_ipp(imm_p, imm_v, assets), no_imm),
        "glide-physics": (phys[0], phys[1]),
        "learned": points_from_offsets(frame, last,
                                       regressor_output(models["direct"], p.X[rows], xr)),
        "learned-residual": points_from_offsets(
            frame, last, y_phys + regressor_output(models["residual"], p.X[rows], xr)),
    }
    report: dict[str, Any] = {}
    for split, sel in (("held-out runs", p.test[rows] & ~p.held_family[rows]),
                       ("held-out family", p.held_family[rows])):
        report[split] = evaluate_impact(p.run[rows][sel], (truth[0][sel], truth[1][sel]),
                                        {k: (v[0][sel], v[1][sel]) for k, v in preds.items()},
                                        seed)
    report["physics_landed"] = float(phys[2].mean()) if rows.size else float("nan")
    return {"direct": models["direct"], "x_range": xr, "n_train": models["n_train"],
            "report": report}
