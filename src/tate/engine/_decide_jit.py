"""Compiled steps of the defence's decision: the tracks' position σ, the threat each
track cues (the two fused in :func:`sigma_threats`, as the decision calls them), the
midcourse re-aim of the rounds in the air and the pairs the assigner may use
(:func:`fire_pairs`, the twin of :func:`tate.engine.decision.fire_pairs_numpy`), one
call each (private; :mod:`tate.jit`).

:func:`sigma_of` is the twin of ``sqrt(max(eigvalsh(P[:, :3, :3])[:, -1], 0))`` in
:meth:`tate.engine.defence.Defence._decide`: the same LAPACK symmetric eigenvalue routine
(numba's ``np.linalg.eigvalsh``, lower triangle) per matrix, equal to numpy's to the bit
on the default engagement's covariances (tested).

The compiled twins of :func:`tate.engine.decision.threats_of_numpy` (threats in flight
and not long killed, their truth by the compiled Hermite sample of
:func:`tate.weapons._interceptor_jit.truth_sample`, ECEF → ENU, the nearest within the
cue gate: :func:`tate.engine.truth.nearest_threats`) and of
:func:`tate.engine.decision.update_pips_numpy` for tracks predicted kinematically (the
fixed point of t_go = |P(t_go) − p| / v with :func:`tate.c2.engage.coast_point`, ENU ↔
ECEF).  The numpy code stays the reference.  Every quantity is the same scalar
arithmetic in the same order: the ENU conversions of :mod:`tate.earth.wgs84` with the
constants of :func:`tate.earth.wgs84.enu_frame`, norms as ``sqrt((x² + y²) + z²)`` (as
``np.linalg.norm`` and a 3-vector's ``dot`` sum), the comparisons of the reference;
so the two agree to the bit.

Frames and units: truth and rounds in ECEF, tracks in the tracker's ENU frame; m, s,
m/s.  Importing this module imports numba (the callers import it lazily).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit
from tate.weapons._interceptor_jit import truth_sample

__all__ = ["fire_pairs", "sigma_of", "sigma_threats", "threats_of", "update_pips"]

F64 = NDArray[np.float64]
IP = NDArray[np.intp]


@njit
def _to_enu(fr: F64, x: float, y: float, z: float) -> tuple[float, float, float]:
    """:func:`tate.earth.wgs84.ecef_to_enu` of one point; ``fr`` from ``enu_frame``."""
    x, y, z = x - fr[0], y - fr[1], z - fr[2]
    sl, cl, so, co = fr[3], fr[4], fr[5], fr[6]
    t = co * x + so * y
    return co * y - so * x, cl * z - sl * t, cl * t + sl * z


@njit
def _to_ecef(fr: F64, e: float, n: float, u: float) -> tuple[float, float, float]:
    """:func:`tate.earth.wgs84.enu_to_ecef` of one point; ``fr`` from ``enu_frame``."""
    sl, cl, so, co = fr[3], fr[4], fr[5], fr[6]
    t = cl * u - sl * n
    return (co * t - so * e) + fr[0], (so * t + co * e) + fr[1], (cl * n + sl * u) + fr[2]


@njit
def _norm(x: float, y: float, z: float) -> float:
    return math.sqrt((x * x + y * y) + z * z)


@njit
def sigma_of(P: F64, out: F64) -> bool:
    """The largest position standard deviation of every track, ``sqrt(max(λ_max, 0))`` of
    ``P[i, :3, :3]`` (``P (n, k, k)``, k ≥ 3) [m], into ``out (n,)``; False (``out``
    unfinished) if a block is not finite (the caller then uses numpy, which handles it)."""
    a = np.empty((3, 3))
    for i in range(P.shape[0]):
        for r in range(3):
            for c in range(3):
                x = P[i, r, c]
                if not math.isfinite(x):
                    return False
                a[r, c] = x
        lam = np.linalg.eigvalsh(a)[2]
        out[i] = math.sqrt(lam if lam > 0.0 else 0.0)  # np.maximum(λ, 0) (−0 gives +0)
    return True


@njit
def threats_of(t: float, cutoff: float, killed: NDArray[np.bool_], kill_time: F64,
               time: F64, tpos: F64, tvel: F64, start: IP, keys: F64, span: float,
               t0: float, frame: F64, pos: F64, sigma: F64, gate: float) -> IP:
    """The truth row each track cues, else −1.

    Threats count while in flight at ``t`` and not killed, or killed after ``cutoff``
    [s]; truth from the store's arrays (:class:`tate.engine.truth.TruthStore`) at ``t``;
    a track ``pos (n, 3)`` (ENU [m]) cues the nearest within max(``gate``, 4 ``sigma``).
    """
    nb, n = killed.size, pos.shape[0]
    out = np.full(n, -1, np.intp)
    live = np.empty(nb, np.intp)
    k = 0
    for b in range(nb):
        if time[start[b]] <= t and t <= time[start[b + 1] - 1] and (
                not killed[b] or kill_time[b] > cutoff):
            live[k] = b
            k += 1
    if k == 0 or n == 0:
        return out
    bodies = live[:k].copy()
    p, v = np.empty((3, k)), np.empty((3, k))
    truth_sample(bodies, np.full(k, t), time, tpos, tvel, start, keys, span, t0, p, v)
    enu = np.empty((k, 3))
    for m in range(k):
        enu[m, 0], enu[m, 1], enu[m, 2] = _to_enu(frame, p[0, m], p[1, m], p[2, m])
    for i in range(n):
        best, near = 0.0, -1
        for m in range(k):  # np.argmin: the first minimum, or the first NaN
            d = _norm(pos[i, 0] - enu[m, 0], pos[i, 1] - enu[m, 1], pos[i, 2] - enu[m, 2])
            if d != d:
                best, near = d, m
                break
            if near < 0 or d < best:
                best, near = d, m
        thr = 4.0 * sigma[i]  # np.maximum(gate, 4σ): NaN stays NaN
        if thr == thr and thr < gate:
            thr = gate
        if best < thr:
            out[i] = bodies[near]
    return out


@njit
def sigma_threats(P: F64, t: float, cutoff: float, killed: NDArray[np.bool_],
                  kill_time: F64, time: F64, tpos: F64, tvel: F64, start: IP, keys: F64,
                  span: float, t0: float, frame: F64, pos: F64, gate: float, sigma: F64,
                  threat: IP) -> bool:
    """:func:`sigma_of` into ``sigma (n,)`` then :func:`threats_of` on it into ``threat
    (n,)``, in one call (the same steps); False (both unfinished) where
    :func:`sigma_of` is (a block not finite)."""
    if not sigma_of(P, sigma):
        return False
    threat[:] = threats_of(t, cutoff, killed, kill_time, time, tpos, tvel, start, keys,
                           span, t0, frame, pos, sigma, gate)
    return True


@njit
def update_pips(threat: IP, pos: F64, vel: F64, ballistic: NDArray[np.bool_],
                body_threat: IP, bpos: F64, bvel: F64, floor: F64, frame: F64, g0: float,
                pip: F64, t_go: F64) -> NDArray[np.bool_]:
    """The re-aim of rounds at truth rows ``body_threat (m,)``, ECEF states ``bpos, bvel
    (3, m)``, speed floors ``floor (m,)`` [m/s], at the first track of ``threat (n,)``
    on the same truth row (ENU ``pos``, ``vel (n, 3)``, gravity if ``ballistic``): the
    PIP written to ``pip (m, 3)`` (ECEF [m]) and ``t_go (m,)`` [s]; returns which rounds
    have such a track."""
    m, n = body_threat.size, threat.size
    ok = np.zeros(m, np.bool_)
    drop = 0.5 * g0
    for i in range(m):
        j = -1
        for q in range(n):
            if threat[q] == body_threat[i]:
                j = q
                break
        if j < 0:
            continue
        ok[i] = True
        px, py, pz = _to_enu(frame, bpos[0, i], bpos[1, i], bpos[2, i])
        vn = _norm(bvel[0, i], bvel[1, i], bvel[2, i])
        speed = floor[i] if floor[i] > vn else vn  # Python's max(vn, floor)
        tg = _norm(pos[j, 0] - px, pos[j, 1] - py, pos[j, 2] - pz) / speed
        ax, ay, az = pos[j, 0], pos[j, 1], pos[j, 2]
        for _ in range(8):
            ax, ay = pos[j, 0] + vel[j, 0] * tg, pos[j, 1] + vel[j, 1] * tg
            az = pos[j, 2] + vel[j, 2] * tg
            if ballistic[j]:
                az -= drop * (tg * tg)
            tg = _norm(ax - px, ay - py, az - pz) / speed
        pip[i, 0], pip[i, 1], pip[i, 2] = _to_ecef(frame, ax, ay, az)
        t_go[i] = tg
    return ok


@njit
def fire_pairs(opk: F64, free: NDArray[np.bool_], avail: NDArray[np.int64], min_pk: float,
               pk: F64, base: NDArray[np.bool_]) -> bool:
    """The decision's Pk ``(W, n)`` with the columns of the tracks not ``free`` 0, into
    ``pk``, and the pairs the assigner may use (Pk > 0, at least ``min_pk``, a round
    available: ``avail`` > 0) into ``base``; returns whether there is any: the twin of
    :func:`tate.engine.decision.fire_pairs_numpy` (the same comparisons)."""
    W, n = opk.shape
    found = False
    for w in range(W):
        spare = avail[w] > 0
        for j in range(n):
            p = opk[w, j] if free[j] else 0.0
            pk[w, j] = p
            b = p > 0 and p >= min_pk and spare
            base[w, j] = b
            found = found or b
    return found
