"""Per-decision lookups of the defence (:mod:`tate.engine.defence`): the tracks' position
σ, the threat each track cues, and the midcourse re-aim of the rounds in the air.

* :func:`sigma_of`: the largest position standard deviation of every track, the square
  root of the largest eigenvalue of its position covariance.

* :func:`threats_of`: the truth row each track cues
  (:func:`tate.engine.truth.nearest_threats`: the nearest threat within 3 km or 4 σ of
  the track's position, σ its largest position standard deviation), else −1: what a
  seeker cued by the track would find.  A threat killed less than the kill-assessment
  time ago still counts (its tracks coast on, and until the kill is assessed they are
  its tracks, not false ones).
* :func:`update_pips`: re-aim every round still in midcourse at its threat's track, the
  point where the track's prediction meets a sphere growing from the round at its
  present speed (at least ``COAST_FACTOR`` times its burnout speed).  The prediction is
  the decision's path (:class:`tate.predict.paths.PathPrediction`) interpolated
  linearly in time for a track the model predicted, else (and beyond the path's last
  time) constant velocity, plus gravity for a ballistic track.

* :func:`search_tracks`: the decision's opportunities of only the tracks it uses (those
  that may be fired at, and those on threats not yet seen reachable).
* :func:`fire_pairs`: the Pk the assigner sees (the columns of held tracks 0) and the
  pairs it may use (a Pk above 0 and at least ``c2.min_pk``, a round available).

The first three and the last run as one compiled call each (:mod:`tate.engine._decide_jit`, the same
arithmetic, tested against the numpy code here; :func:`sigma_and_threats` fuses the first
two) when the caller asks for it (``jit``, read from
:func:`tate.jit.enabled` when the defence was built); the numpy code is the reference.
The re-aim of a decision where the model predicted some track stays in numpy.

Frames and units: tracks in the tracker's ENU frame (origin ``eng.origin``), truth and
rounds in ECEF; m, s, m/s.  ``frame`` is :func:`tate.earth.wgs84.enu_frame` of the
origin.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit as _jit
from tate.c2 import engage as _engage  # (a module: tests patch its functions)
from tate.c2.engage import COAST_FACTOR, Opportunities
from tate.c2.threat import G0
from tate.engine.truth import CUE_GATE_M, nearest_threats

__all__ = ["fire_pairs", "fire_pairs_numpy", "pip_floors", "pip_to_ecef", "search_tracks",
           "sigma_and_threats", "sigma_of", "sigma_of_numpy", "threats_of", "threats_of_numpy",
           "update_pips", "update_pips_numpy"]

F64 = NDArray[np.float64]
_KERNELS = _jit.Kernels("tate.engine._decide_jit")


def sigma_of(P: F64, jit: bool) -> F64:
    """The largest position standard deviation of every track [m] from its covariance
    ``P (n, k, k)`` (k ≥ 3; the position block first): compiled if ``jit``."""
    if jit:
        out = np.empty(P.shape[0])
        if _KERNELS.sigma_of(P, out):
            return out
    return sigma_of_numpy(P)


def sigma_of_numpy(P: F64) -> F64:
    """:func:`sigma_of` in numpy (the reference)."""
    return np.sqrt(np.maximum(np.linalg.eigvalsh(P[:, :3, :3])[:, -1], 0.0))


def threats_of(eng: Any, t: float, kill_assessment_s: float, pos: F64, sigma: F64,
               frame: F64, jit: bool) -> NDArray[np.intp]:
    """The truth row each track at ``pos (n, 3)`` (ENU [m]) with position σ ``(n,)`` [m]
    cues at ``t`` [s], else −1 (module docstring); ``eng`` the engagement (truth, kills,
    origin)."""
    if not (jit and eng.truth._jit):
        return threats_of_numpy(eng, t, kill_assessment_s, pos, sigma)
    tr = eng.truth
    return _KERNELS.threats_of(
        t, t - kill_assessment_s - 1e-9, eng.killed, eng.kill_time, tr.time, tr.pos, tr.vel,
        tr.start, tr.keys, tr.span, tr.t0, frame, np.ascontiguousarray(pos, np.float64),
        np.asarray(sigma, np.float64), CUE_GATE_M)


def sigma_and_threats(eng: Any, t: float, kill_assessment_s: float, P: F64, pos: F64,
                      frame: F64, jit: bool) -> tuple[F64, NDArray[np.intp]]:
    """:func:`sigma_of` of the covariances ``P`` and :func:`threats_of` of the tracks at
    ``pos`` with that σ, in one compiled call where both are compiled (the same kernels'
    steps; else the two calls)."""
    tr = eng.truth
    if jit and tr._jit:
        n = P.shape[0]
        sigma, threat = np.empty(n), np.empty(n, np.intp)
        if _KERNELS.sigma_threats(
                P, t, t - kill_assessment_s - 1e-9, eng.killed, eng.kill_time, tr.time,
                tr.pos, tr.vel, tr.start, tr.keys, tr.span, tr.t0, frame,
                np.ascontiguousarray(pos, np.float64), CUE_GATE_M, sigma, threat):
            return sigma, threat
    sigma = sigma_of(P, jit)
    return sigma, threats_of(eng, t, kill_assessment_s, pos, sigma, frame, jit)


def threats_of_numpy(eng: Any, t: float, kill_assessment_s: float, pos: F64, sigma: F64
                     ) -> NDArray[np.intp]:
    """:func:`threats_of` in numpy (the reference)."""
    recent = eng.killed & (eng.kill_time > t - kill_assessment_s - 1e-9)
    live = np.flatnonzero(eng.truth.flying(t) & (~eng.killed | recent))
    truth = eng._enu(eng.truth.at(t, live)[0]) if live.size else np.empty((0, 3))
    return nearest_threats(truth, live, pos, sigma)


def fire_pairs(opk: F64, free: NDArray[np.bool_], avail: NDArray[np.int64], min_pk: float,
               jit: bool) -> tuple[F64, NDArray[np.bool_], bool]:
    """The decision's Pk ``(W, n)``: the opportunities' ``opk`` with the columns of the
    tracks not ``free (n,)`` 0; the pairs the assigner may use (Pk > 0 and at least
    ``min_pk`` on a launcher with a round available, ``avail (W,)``); and whether there
    is any.  One compiled call if ``jit`` (:func:`tate.engine._decide_jit.fire_pairs`),
    else :func:`fire_pairs_numpy`."""
    if jit:
        pk, base = np.empty(opk.shape), np.empty(opk.shape, np.bool_)
        found = _KERNELS.fire_pairs(np.ascontiguousarray(opk, np.float64), free, avail,
                                    float(min_pk), pk, base)
        return pk, base, found
    return fire_pairs_numpy(opk, free, avail, min_pk)


def fire_pairs_numpy(opk: F64, free: NDArray[np.bool_], avail: NDArray[np.int64],
                     min_pk: float) -> tuple[F64, NDArray[np.bool_], bool]:
    """:func:`fire_pairs` in numpy (the reference)."""
    pk = np.where(free, opk, 0.0)  # held tracks' columns 0
    base = (pk > 0) & (pk >= min_pk) & (avail > 0)[:, None]
    return pk, base, bool(base.any())


def pip_to_ecef(frame: F64, enu: F64) -> F64:
    """:func:`tate.earth.wgs84.enu_to_ecef` of one point ``enu (3,)`` [m] about the origin
    of ``frame`` (:func:`tate.earth.wgs84.enu_frame`), on Python floats: the same products
    and sums (as the compiled re-aim's conversion), without the array calls."""
    ox, oy, oz, sl, cl, so, co = frame.tolist()
    e, n, u = enu.tolist()
    t = cl * u - sl * n
    return np.array([(co * t - so * e) + ox, (so * t + co * e) + oy, (cl * n + sl * u) + oz])


def pip_floors(pool: Any) -> F64:
    """The speed floor of every body of ``pool``, ``COAST_FACTOR`` times its burnout
    speed [m/s] (:func:`update_pips`'s ``floors``; fixed for the pool's life)."""
    return np.array([COAST_FACTOR * float(p.burnout_speed_mps) for p in pool.model.presets])


def update_pips(pool: Any, origin: Any, frame: F64, threat: NDArray[np.intp], pos: F64,
                vel: F64, ballistic: NDArray[np.bool_], pred: Any, jit: bool,
                floors: F64 | None = None, bodies: NDArray[np.intp] | None = None) -> None:
    """Re-aim the midcourse rounds of ``pool`` (:class:`tate.engine.pool.InterceptorPool`)
    at the tracks ``pos, vel (n, 3)`` (ENU [m, m/s]) on truth rows ``threat (n,)``, with
    the decision's prediction ``pred`` (or None) (module docstring); ``floors``: the
    pool's :func:`pip_floors` if the caller keeps them, else they are built here;
    ``bodies``: ``pool.midcourse()`` if the caller has it."""
    if bodies is None:
        bodies = pool.midcourse()
    if bodies.size == 0:
        return
    if not jit or (pred is not None and bool(pred.modelled.any())):
        update_pips_numpy(pool, origin, bodies, threat, pos, vel, ballistic, pred)
        return
    prop, model = pool.prop, pool.model
    floor = (pip_floors(pool) if floors is None else floors)[bodies]
    pip = np.empty((bodies.size, 3))
    t_go = np.empty(bodies.size)
    ok = _KERNELS.update_pips(  # take: C-ordered (3, m) (prop.pos[:, bodies] is F-ordered)
        threat, np.ascontiguousarray(pos, np.float64), np.ascontiguousarray(vel, np.float64),
        ballistic, pool.threat[bodies], prop.pos.take(bodies, 1), prop.vel.take(bodies, 1),
        floor, frame, G0, pip, t_go)
    if ok.all():  # every round has its track (the common case): no selection
        model.set_pip(bodies, pip.T, prop.t + t_go)
        return
    sel = np.flatnonzero(ok)
    if sel.size:  # pool.set_pip of each, in one call (the same sums prop.t + t_go)
        model.set_pip(bodies[sel], pip[sel].T, prop.t + t_go[sel])


def update_pips_numpy(pool: Any, origin: Any, bodies: NDArray[np.intp],
                      threat: NDArray[np.intp], pos: F64, vel: F64,
                      ballistic: NDArray[np.bool_], pred: Any) -> None:
    """:func:`update_pips` of ``bodies`` in numpy (the reference)."""
    from tate.c2.engage import coast_point, norm3
    from tate.earth import wgs84
    from tate.predict.paths import interpolate_path

    lat, lon, alt = origin
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    for b in bodies.tolist():
        k = np.flatnonzero(threat == pool.threat[b])
        if k.size == 0:
            continue
        j = int(k[0])
        p_ecef, v_ecef = pool.state(b)
        p_int = wgs84.ecef_to_enu(p_ecef[None], lat_r, lon_r, alt)[0]
        speed = max(norm3(v_ecef),
                    COAST_FACTOR * float(pool.preset(b).burnout_speed_mps))
        t_go = norm3(pos[j] - p_int) / speed
        model = pred is not None and bool(pred.modelled[j])
        p_j, v_j, ball_j = pos[j], vel[j], bool(ballistic[j])
        for _ in range(8):  # fixed point of t_go = |P(t_go) − p| / v
            got = (interpolate_path(pred.tau, pred.path[j], p_j, t_go) if model
                   else None)
            aim = (got if got is not None and np.isfinite(got).all()
                   else coast_point(p_j, v_j, ball_j, t_go))
            t_go = norm3(aim - p_int) / speed
        pip = wgs84.enu_to_ecef(aim[None], lat_r, lon_r, alt)
        pool.set_pip(b, pip[0], t_go)


def search_tracks(launchers: Any, window_s: float, need: NDArray[np.bool_], pos: F64,
                  vel: F64, ttg: F64, ballistic: NDArray[np.bool_], pred: Any) -> Any:
    """The decision's opportunities (:func:`tate.c2.engage.opportunities` of ``launchers``
    on tracks ``pos, vel (n, 3)`` (ENU [m, m/s]) with times to go ``ttg`` [s] (a
    non-finite one: unknown, searched as inf), the ``ballistic`` flags and the
    prediction ``pred`` or None) searched for the tracks ``need (n,)`` only; the other
    columns hold no opportunity (NaN times and points, Pk 0).  A track's opportunities
    depend on its own state only, so the searched columns are those of the search of
    every track."""
    if pred is None:  # one compiled call where the launchers have one (it maps ttg)
        opp = _engage.opportunities_of(launchers, need, pos, vel, ttg, ballistic, window_s)
        if opp is not None:
            return opp
    ttg = np.where(np.isfinite(ttg), ttg, np.inf)
    if need.all():
        return _engage.opportunities(launchers, pos, vel, ttg, ballistic, window_s=window_s,
                                     path=None if pred is None else pred.path)
    sub = _engage.opportunities(launchers, pos[need], vel[need], ttg[need], ballistic[need],
                                window_s=window_s, path=None if pred is None else pred.path[need])
    W, n = launchers.n, need.size
    t, pip = np.full((W, n), np.nan), np.full((W, n, 3), np.nan)
    pk, fly = np.zeros((W, n)), np.full((W, n), np.nan)
    t[:, need], pip[:, need], pk[:, need], fly[:, need] = (sub.t_intercept, sub.pip, sub.pk,
                                                           sub.flyout)
    return Opportunities(t, pip, pk, fly)
