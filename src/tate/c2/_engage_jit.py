"""Compiled engageability and threat evaluation: the earliest intercept of every
(launcher, track) pair, and the threat of every track, each in one
call (private; :mod:`tate.jit`).

The compiled twin of :func:`tate.c2.engage.opportunities` (its numpy code stays the
reference; :func:`search_kinematic` also predicts the path, as
:func:`tate.c2.engage.predict_path`) and of
:meth:`tate.weapons.flyout.FlyoutTable.time`.  Where the numpy code evaluates the
envelope and the fly-out time over the whole (launcher, track, intercept time) grid
and then takes the first feasible time, the kernel walks each track's intercept times
in order, computes a predicted point's ground range and altitude once
per launcher site, tries every launcher still without an opportunity, and stops at the
track's time to go (the grid increases) or when every launcher has one or can have none
(on a kinematic path, every ``_RECHECK`` steps: a launcher whose envelope the exact path
leaves for good, or whose rounds cannot reach it, by more than a margin over rounding,
is closed; it would have failed the same test at every later grid time; one whose
flown table's rounds can meet the path in no range band before a time is skipped until
then, as is one whose rounds cannot reach it before a time (:func:`_reach_start`), and
the grid times before every open launcher's are not computed; the bounds:
:mod:`tate.c2._engage_bounds`).  Every quantity
is the same scalar arithmetic in the same order as the reference (ground range by
``hypot``, slant range as ``sqrt((x² + y²) + z²)`` as numpy's norm sums, the bilinear
table in the reference's term order, the kinematic stand-in), so the two agree to the
bit; every test is the same comparison.  The railguns' Pk (a few ufuncs on the pairs
found) stays in numpy.  (The threat evaluation's twin is :mod:`tate.c2._threat_jit`.)

Frame and units: the tracker's local ENU frame, m, s, m/s.  The flown tables of the
launchers come packed by :func:`pack` (one array of ranges, altitudes and times
for all, with per-launcher offsets).  Importing this module imports numba (the callers
import it lazily).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.c2._engage_bounds import _first, _reach_start, band_times, speed_bounds
from tate.jit import njit

__all__ = ["band_times", "pack", "search", "search_kinematic", "search_need",
           "speed_bounds", "table_time", "table_times"]

F64 = NDArray[np.float64]
IP = NDArray[np.intp]

# the constants of tate.c2.engage (not imported: that module imports this one's callers)
_COAST_FACTOR = 0.85
_RAILGUN_SPEED_FACTOR = 0.7
_TWO_R = 2.0 * 6_371_000.0
_MAX_FLYOUT_STRETCH = 1.5
_RECHECK = 16  #: grid steps between the kinematic bounds' checks
_BIG = float(np.finfo(np.float64).max)  # np.nan_to_num's stand-in for inf


def pack(launchers: Any) -> tuple[F64, IP, F64, IP, F64, F64, F64]:
    """The constant inputs of :func:`search` for a :class:`tate.c2.engage.Launchers`.

    Returns
    -------
    sites, site
        The distinct launcher positions ``(S, 3)`` [m] (bitwise equal rows merged) and
        each launcher's ``(W,)``.
    params
        ``(W, 8)`` per launcher: burn time, speed, altitude min and max, ground range
        min and max, target speed max, nominal Pk [s, m/s, m, -].
    index
        ``(W, 7)`` per launcher: has a table (0/1), offset and count of its ranges,
        offset and count of its altitudes, offset of its times, a railgun (0/1).
    ranges, alts, times
        The tables' concatenated ranges [m], altitudes [m] and row-major ``(R, H)``
        times [s].
    """
    L = launchers
    pos = np.ascontiguousarray(L.pos, np.float64)
    keys = [p.tobytes() for p in pos]  # bitwise: the same arithmetic for a site
    first: dict[bytes, int] = {}
    for key in keys:
        first.setdefault(key, len(first))
    rows = [keys.index(key) for key in first]
    site = np.array([first[key] for key in keys], np.intp)
    params = np.ascontiguousarray(np.stack(
        [L.burn_s, L.speed, L.min_alt, L.max_alt, L.min_range, L.max_range,
         L.max_target_speed, L.pk], axis=1), np.float64).reshape(len(keys), 8)
    index = np.zeros((len(keys), 7), np.intp)
    index[:, 6] = np.asarray(L.gun, bool)
    rs: list[F64] = []
    hs: list[F64] = []
    ts: list[F64] = []
    r_off = h_off = t_off = 0
    for w, table in enumerate(L.tables[:len(keys)]):
        if table is None:
            continue
        r = np.asarray(table.ranges_m, np.float64)
        h = np.asarray(table.alts_m, np.float64)
        t = np.ascontiguousarray(table.time_s, np.float64).ravel()
        index[w, :6] = (1, r_off, r.size, h_off, h.size, t_off)
        rs.append(r)
        hs.append(h)
        ts.append(t)
        r_off, h_off, t_off = r_off + r.size, h_off + h.size, t_off + t.size
    return pos[rows], site, params, index, _cat(rs), _cat(hs), _cat(ts)


def _cat(parts: list[F64]) -> F64:
    return np.concatenate(parts) if parts else np.zeros(0)


@njit
def _clip01(x: float) -> float:
    """np.minimum(1, np.maximum(0, x)) (NaN stays NaN)."""
    if x != x:
        return x
    if x < 0.0:
        x = 0.0
    return 1.0 if x > 1.0 else x


@njit
def _cell(grid: F64, lo: int, n: int, x: float) -> int:
    """``grid[lo:lo + n].searchsorted(x, side="right") - 1`` clipped to [0, n − 2]
    (the grid increasing; a bisection, as numpy's)."""
    if x != x:  # NaN sorts last
        i = n
    else:
        i, hi = 0, n  # first index with grid[lo + i] > x
        while i < hi:
            mid = (i + hi) // 2
            if grid[lo + mid] <= x:
                i = mid + 1
            else:
                hi = mid
    i -= 1
    if i > n - 2:
        i = n - 2
    return 0 if i < 0 else i


@njit
def table_time(r: F64, r0: int, nr: int, a: F64, a0: int, na: int, t: F64, t0: int,
               g: float, alt: float) -> float:
    """:meth:`tate.weapons.flyout.FlyoutTable.time` at one point: ranges
    ``r[r0:r0 + nr]``, altitudes ``a[a0:a0 + na]``, times row-major ``(nr, na)`` from
    ``t[t0]``; ground range ``g`` and altitude ``alt`` [m] → fly-out time [s] or NaN."""
    h = a[a0] if alt < a[a0] else alt  # np.maximum(alt, a[0]); NaN stays NaN
    if not (g >= r[r0] and g <= r[r0 + nr - 1] and h <= a[a0 + na - 1]):
        return np.nan
    i = _cell(r, r0, nr, g)
    j = _cell(a, a0, na, h)
    u = _clip01((g - r[r0 + i]) / (r[r0 + i + 1] - r[r0 + i]))
    v = _clip01((h - a[a0 + j]) / (a[a0 + j + 1] - a[a0 + j]))
    c = t0 + i * na + j
    return ((1 - u) * (1 - v) * t[c] + u * (1 - v) * t[c + na]
            + (1 - u) * v * t[c + 1] + u * v * t[c + na + 1])


@njit
def table_times(r: F64, a: F64, t: F64, g: F64, alt: F64) -> F64:
    """:func:`table_time` over points ``g (n,)``, ``alt (n,)`` of one table ``t (R, H)``
    (for the tests)."""
    out = np.empty(g.size)
    flat = t.ravel()
    for k in range(g.size):
        out[k] = table_time(r, 0, r.size, a, 0, a.size, flat, 0, g[k], alt[k])
    return out


@njit
def _floor(x: float, lo: float) -> float:
    """np.maximum(x, lo) (NaN stays NaN): the kinematic stand-in's floors."""
    return lo if x < lo else x


@njit
def _flyout(d: float, tb: float, v: float, gun: bool) -> float:
    """:func:`tate.c2.engage.flyout_time` of one launcher (``tb``, ``v`` already floored)."""
    if gun:
        return d / (_RAILGUN_SPEED_FACTOR * v)
    d_b = 0.5 * v * tb
    if d <= d_b:
        return math.sqrt(2.0 * d * tb / v)
    return tb + (d - d_b) / (_COAST_FACTOR * v)


@njit
def search(lpos: F64, site: IP, params: F64, index: IP, ranges: F64, alts: F64, times: F64,
           path: F64, track_speed: F64, time_to_go: F64, tau: F64, launch_delay_s: float,
           slack: float) -> tuple[F64, F64, F64, F64, F64]:
    """:func:`_search` of a given path (no kinematic bounds), every track."""
    W, T = site.size, path.shape[0]
    out = _outputs(W, T)
    _search(lpos, site, params, index, ranges, alts, times, path, track_speed, time_to_go,
            tau, launch_delay_s, slack, np.empty((0, 7)), 0.0, np.empty((0, 2)),
            np.empty((0, 4)), np.arange(T), *out)
    return out


@njit
def _outputs(W: int, n: int) -> tuple[F64, F64, F64, F64, F64]:
    """:func:`_search`'s outputs for ``n`` tracks, no opportunity yet."""
    return (np.full((W, n), np.nan), np.full((W, n, 3), np.nan), np.full((W, n), np.nan),
            np.zeros((W, n)), np.full((W, n), np.nan))


@njit
def _search(lpos: F64, site: IP, params: F64, index: IP, ranges: F64, alts: F64, times: F64,
            path: F64, track_speed: F64, time_to_go: F64, tau: F64, launch_delay_s: float,
            slack: float, kin: F64, g0: float, reach: F64, bands: F64, cols: IP, out_t: F64,
            out_p: F64, out_f: F64, out_pk: F64, out_d: F64) -> None:
    """Earliest feasible intercept of every (launcher, track) pair (the search of
    :func:`tate.c2.engage.opportunities` from the predicted path on) of the tracks
    ``cols``, into their columns of the outputs (left as they are where none).

    The launchers come as :func:`pack` gives them; the ground range and altitude of a
    predicted point are computed once per site.  The path: ``path (T, K, 3)`` or, where
    ``kin`` has rows, the kinematic one of ``kin (T, 7)`` (:func:`_kinematic`), each
    point computed when the search reaches it (as :func:`tate.c2.engage.predict_path`).
    ``track_speed (T,)`` [m/s], ``time_to_go (T,)`` and the grid ``tau (K,)`` [s] as in
    the reference; ``slack`` is its ``max(window_s, step_s)``.  Outputs: the intercept
    time ``(W, T)``, PIP ``(W, T, 3)``, fly-out time ``(W, T)`` (NaN where none),
    nominal Pk ``(W, T)`` (0 where none) and slant range at the PIP ``(W, T)`` for
    launchers without a table (NaN otherwise) [s, m]."""
    W, S, K = site.size, lpos.shape[0], tau.size
    rel = np.empty((S, 3))
    ground = np.empty(S)
    alt = np.empty(S)
    open_ = np.empty(W, np.bool_)
    start = np.empty(W)  # no opportunity of the launcher before [s]
    pt = np.empty(3)
    min_alt, max_alt = params[:, 2], params[:, 3]
    min_range, max_range, max_target_speed = params[:, 4], params[:, 5], params[:, 6]
    half_g = 0.5 * g0
    for j in cols:
        left = 0
        for w in range(W):
            open_[w] = track_speed[j] <= max_target_speed[w]
            left += open_[w]
        end, hi = 0, K  # the grid times before the time to go (tau increases: bisection)
        while end < hi:
            mid = (end + hi) // 2
            if tau[mid] < time_to_go[j]:
                end = mid + 1
            else:
                hi = mid
        nxt = -np.inf  # no open launcher has an opportunity before
        for w in range(W):
            start[w] = -np.inf
        for k in range(K):
            if kin.shape[0] and k % _RECHECK == 0 and left and k < end:
                nxt = np.inf
                for w in range(W):  # none up to the end: closed; none before start: skipped
                    if not open_[w]:
                        continue
                    if not start[w] > tau[k]:  # (a start still ahead still holds)
                        start[w] = _first(kin, j, lpos, site[w], g0, tau[k], tau[end - 1],
                                          params[w, 2:6], reach, w, launch_delay_s, index,
                                          ranges, bands, slack)
                        if start[w] != np.inf and reach.shape[0] and index[w, 0] != 1:
                            start[w] = _reach_start(kin, j, lpos, site[w], tau, k, end,
                                                    reach[w], launch_delay_s)
                        if start[w] == np.inf:
                            open_[w] = False
                            left -= 1
                    nxt = min(nxt, start[w])
            if left == 0 or not tau[k] < time_to_go[j]:
                break  # tau increases: no later time either
            if tau[k] < nxt:
                continue  # the same answers: no open launcher has one yet
            if kin.shape[0]:
                for c in range(3):
                    pt[c] = kin[j, c] + kin[j, 3 + c] * tau[k]
                pt[2] -= half_g * (tau[k] * tau[k]) if kin[j, 6] != 0.0 else 0.0
            else:
                for c in range(3):
                    pt[c] = path[j, k, c]
            for s in range(S):
                for c in range(3):
                    rel[s, c] = pt[c] - lpos[s, c]
                ground[s] = math.hypot(rel[s, 0], rel[s, 1])
                alt[s] = pt[2] + ground[s] * ground[s] / _TWO_R
            wait = tau[k] - launch_delay_s
            for w in range(W):
                s = site[w]
                g, h = ground[s], alt[s]
                if not (open_[w] and tau[k] >= start[w] and h >= min_alt[w] and h <= max_alt[w]
                        and g >= min_range[w] and g <= max_range[w]):
                    continue
                d = np.nan
                if index[w, 0] == 1:
                    fly = table_time(ranges, index[w, 1], index[w, 2], alts, index[w, 3],
                                     index[w, 4], times, index[w, 5], g, h)
                else:
                    d = math.sqrt((rel[s, 0] * rel[s, 0] + rel[s, 1] * rel[s, 1])
                                  + rel[s, 2] * rel[s, 2])
                    fly = _flyout(d, _floor(params[w, 0], 1e-9), _floor(params[w, 1], 1.0),
                                  index[w, 6] == 1)
                if not math.isfinite(fly):
                    fly = np.inf
                stretch = 1.0 if index[w, 6] == 1 else _MAX_FLYOUT_STRETCH
                if fly <= wait and wait <= stretch * fly + slack:
                    out_t[w, j] = tau[k]
                    for c in range(3):
                        out_p[w, j, c] = pt[c]
                    out_f[w, j] = fly
                    out_pk[w, j] = params[w, 7]
                    out_d[w, j] = d
                    open_[w] = False
                    left -= 1


@njit
def search_kinematic(lpos: F64, site: IP, params: F64, index: IP, ranges: F64, alts: F64,
                     times: F64, pos: F64, vel: F64, ballistic: NDArray[np.bool_], g0: float,
                     time_to_go: F64, tau: F64, launch_delay_s: float, slack: float
                     ) -> tuple[F64, F64, F64, F64, F64]:
    """:func:`search` on the path :func:`tate.c2.engage.predict_path` predicts from the
    tracks' ENU states ``pos, vel (T, 3)`` [m, m/s] (gravity ``g0`` [m/s²] for the
    ``ballistic`` ones), with the same arithmetic; the track speeds as ``np.linalg.norm``
    sums them."""
    T = pos.shape[0]
    out = _outputs(site.size, T)
    _kinematic(lpos, site, params, index, ranges, alts, times, pos, vel, ballistic, g0,
               time_to_go, tau, launch_delay_s, slack, np.empty((0, 2)), np.empty((0, 4)),
               np.arange(T), *out)
    return out


@njit
def _kinematic(lpos: F64, site: IP, params: F64, index: IP, ranges: F64, alts: F64,
               times: F64, pos: F64, vel: F64, ballistic: NDArray[np.bool_], g0: float,
               time_to_go: F64, tau: F64, launch_delay_s: float, slack: float, reach: F64,
               bands: F64, cols: IP, out_t: F64, out_p: F64, out_f: F64, out_pk: F64,
               out_d: F64) -> None:
    """:func:`search_kinematic` of the tracks ``cols`` into their columns of the
    outputs, a launcher closed early (the same answers) once the kinematic path stays
    outside its envelope (:func:`_outside`) or, where ``reach`` ``(W, 2)``
    (:func:`speed_bounds`) has rows, out of its rounds' reach (:func:`_too_slow`), or
    where ``bands`` has rows, too late for its table (:func:`_earliest`), up to the time to
    go (checked every ``_RECHECK`` grid steps)."""
    T = pos.shape[0]
    speed = np.empty(T)
    kin = np.empty((T, 7))
    for j in cols:
        speed[j] = math.sqrt((vel[j, 0] * vel[j, 0] + vel[j, 1] * vel[j, 1])
                             + vel[j, 2] * vel[j, 2])
        for c in range(3):
            kin[j, c], kin[j, 3 + c] = pos[j, c], vel[j, c]
        kin[j, 6] = 1.0 if ballistic[j] else 0.0
    _search(lpos, site, params, index, ranges, alts, times, np.empty((0, 0, 3)), speed,
            time_to_go, tau, launch_delay_s, slack, kin, g0, reach, bands, cols, out_t,
            out_p, out_f, out_pk, out_d)


@njit
def search_need(lpos: F64, site: IP, params: F64, index: IP, ranges: F64, alts: F64,
                times: F64, rail: F64, reach: F64, bands: F64, need: NDArray[np.bool_],
                pos: F64,
                vel: F64, ballistic: NDArray[np.bool_], g0: float, time_to_go: F64, tau: F64,
                launch_delay_s: float, slack: float) -> tuple[F64, F64, F64, F64]:
    """:func:`search_kinematic` of the tracks ``need (n,)`` of ``pos, vel (n, 3)``,
    ``ballistic`` and ``time_to_go (n,)`` (a non-finite one searched as inf), written
    into ``(W, n)`` outputs (the other columns: NaN times, points and fly-outs, Pk 0),
    with the railguns' Pk at their PIPs (``rail (W, 3)``: angular dispersion [rad],
    residual miss σ [m], lethal radius [m]) and NaN Pk as 0
    (:func:`tate.engine.decision.search_tracks` and :func:`tate.c2.engage._railgun_pk`,
    the same arithmetic): intercept time, PIP, Pk, fly-out time."""
    n = need.size
    m = 0
    for j in range(n):
        m += need[j]
    cols = np.empty(m, np.intp)
    m = 0
    for j in range(n):
        if need[j]:
            cols[m] = j
            m += 1
    ttg = np.empty(n)
    for col in cols:  # np.where(np.isfinite(time_to_go), time_to_go, np.inf)
        ttg[col] = time_to_go[col] if math.isfinite(time_to_go[col]) else np.inf
    W = site.size
    out_t, out_p, out_f, out_pk, d = _outputs(W, n)
    _kinematic(lpos, site, params, index, ranges, alts, times, pos, vel, ballistic, g0,
               ttg, tau, launch_delay_s, slack, reach, bands, cols, out_t, out_p,
               out_f, out_pk, d)
    for w in range(W):
        gun = index[w, 6] == 1
        for col in cols:
            q = out_pk[w, col]
            if gun and out_t[w, col] == out_t[w, col]:
                sigma = math.hypot(rail[w, 0] * d[w, col], rail[w, 1])
                den = 2.0 * sigma * sigma
                ratio = (rail[w, 2] * rail[w, 2]) / den if den > 0.0 else np.inf
                q = params[w, 7] * -math.expm1(-ratio)
            if q != q:  # np.nan_to_num
                q = 0.0
            elif q == np.inf:
                q = _BIG
            elif q == -np.inf:
                q = -_BIG
            out_pk[w, col] = q
    return out_t, out_p, out_pk, out_f
