"""Exact bounds of the compiled engageability search (:mod:`tate.c2._engage_jit`): when
a launcher can have no opportunity on a track's kinematic path (constant velocity, plus
gravity if ballistic), over an interval of intercept times, or none before a time
(private; :mod:`tate.jit`).

* :func:`_outside`: the path stays outside the launcher's altitude or ground-range
  limits (the extremes of quadratics in τ).
* :func:`_too_slow`, :func:`_reach_start`: its rounds (fly-out time at least (ground
  range − G) / V, :func:`speed_bounds`) cannot reach the path over the interval, or
  before a grid time (bisected).
* :func:`_earliest`: a flown table's rounds can meet the path in no range band
  (:func:`band_times`) over the interval, or before the earliest window of a band it
  can (bands the whole interval misses dropped by bisection: :func:`_band_span`).

Every bound holds the exact path and the envelope tests by more than a margin (1 m plus
1e-9 of the quadratic's scale; 1e-6 s) over the rounding of the search's grid points,
so the search that uses them gives the same answers.  Frame and units: the tracker's
local ENU frame, m, s, m/s.  Importing this module imports numba.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit

__all__ = ["band_times", "speed_bounds"]

F64 = NDArray[np.float64]
IP = NDArray[np.intp]

# the constants of tate.c2.engage (as in tate.c2._engage_jit)
_RAILGUN_SPEED_FACTOR = 0.7
_TWO_R = 2.0 * 6_371_000.0
_MAX_FLYOUT_STRETCH = 1.5
_MARGIN_M = 1.0  #: the kinematic bounds' margin over rounding [m]


@njit
def _quad_range(a: float, b: float, c: float, t0: float, t1: float) -> tuple[float, float]:
    """The smallest and largest value of ``a t² + b t + c`` over ``[t0, t1]``."""
    lo = hi = a * t0 * t0 + b * t0 + c
    for t in (t1, -b / (2.0 * a) if a != 0.0 else t0):
        if t >= t0 and t <= t1:
            q = a * t * t + b * t + c
            lo, hi = min(lo, q), max(hi, q)
    return lo, hi


@njit
def _outside(kin: F64, j: int, lpos: F64, s: int, g0: float, t0: float, t1: float,
             lim: F64) -> bool:
    """Whether the kinematic path of track ``j`` (``kin[j]``: ENU position, velocity,
    ballistic 0/1 [m, m/s]) stays outside the altitude or ground-range limits ``lim``
    (min and max altitude, min and max range [m], ``params[w, 2:6]``) of a launcher at
    site ``s`` by more than ``_MARGIN_M`` over the times ``[t0, t1]`` [s] ahead.

    Exact functions: ground² = A τ² + B τ + C is convex, the altitude (ground²/2R, less
    ½ g₀ τ² if ballistic) a quadratic, so their extremes over the interval lie at its
    ends or the vertex.  The grid points the search computes differ from these by
    rounding (< 1e-6 m for points within 1e9 m), far inside the margin: a launcher this
    returns True for fails the same envelope test at every grid time of the interval."""
    rx, ry = kin[j, 0] - lpos[s, 0], kin[j, 1] - lpos[s, 1]
    vx, vy = kin[j, 3], kin[j, 4]
    A, B, C = vx * vx + vy * vy, 2.0 * (rx * vx + ry * vy), rx * rx + ry * ry
    g_lo, g_hi = _quad_range(A, B, C, t0, t1)
    if g_lo > (lim[3] + _MARGIN_M) ** 2:
        return True
    if lim[2] > _MARGIN_M and g_hi < (lim[2] - _MARGIN_M) ** 2:
        return True
    a = A / _TWO_R - (0.5 * g0 if kin[j, 6] != 0.0 else 0.0)
    h_lo, h_hi = _quad_range(a, kin[j, 5] + B / _TWO_R, kin[j, 2] + C / _TWO_R, t0, t1)
    return h_hi < lim[0] - _MARGIN_M or h_lo > lim[1] + _MARGIN_M


@njit
def speed_bounds(params: F64, index: IP, ranges: F64, alts: F64, times: F64) -> F64:
    """Per launcher (as :func:`pack` gives them) a speed V [m/s] and a head start G [m]
    with fly-out time ≥ (ground range − G) / V wherever the fly-out time is finite,
    ``(W, 2)``: V the (floored) burnout speed, a railgun's ``RAILGUN_SPEED_FACTOR`` of it,
    and G 0 for the kinematic stand-in (a railgun's fly-out is d / (``RAILGUN_SPEED_FACTOR``
    V), the missile's boost and coast at least d / V, and the slant range d ≥ the ground
    range); for a flown table, V the
    same and G the largest outer range less V times the smallest time of a cell with
    four finite corners (a bilinear time is at least its cell's smallest corner; a NaN
    corner gives NaN)."""
    W = index.shape[0]
    out = np.zeros((W, 2))
    for w in range(W):
        v = params[w, 1] if params[w, 1] > 1.0 else 1.0
        out[w, 0] = _RAILGUN_SPEED_FACTOR * v if index[w, 6] == 1 else v
        if index[w, 0] != 1:
            continue
        r0, nr, na, t0 = index[w, 1], index[w, 2], index[w, 4], index[w, 5]
        for i in range(nr - 1):
            for k in range(na - 1):
                lo, _ = _cell_span(times, t0 + i * na + k, na)
                if math.isnan(lo):
                    continue
                out[w, 1] = max(out[w, 1], ranges[r0 + i + 1] - v * lo)
    return out


@njit
def _cell_span(times: F64, c: int, na: int) -> tuple[float, float]:
    """The least and largest fly-out time [s] of the table cell whose first corner is
    ``times[c]`` (``na`` altitudes a row); NaN, NaN if a corner is NaN."""
    corners = (times[c], times[c + 1], times[c + na], times[c + na + 1])
    if math.isnan(corners[0] + corners[1] + corners[2] + corners[3]):
        return math.nan, math.nan
    return (min(min(corners[0], corners[1]), min(corners[2], corners[3])),
            max(max(corners[0], corners[1]), max(corners[2], corners[3])))


@njit
def band_times(index: IP, alts: F64, times: F64, n_ranges: int) -> F64:
    """Per range band of every flown table (as :func:`pack` gives them), ``(R, 4)``
    aligned with ``ranges`` (row ``r0 + i``: ground ranges in ``[ranges[r0 + i],
    ranges[r0 + i + 1]]``, the table's cell row ``i``): the least and the largest
    fly-out time [s] at any finite point of it (a bilinear time lies between its cell's
    smallest and largest corner; a NaN corner gives NaN) and the lowest and highest
    altitude [m] of its cells with four finite corners (−inf below if the lowest cell
    is one: altitudes below the table clamp to it); rows without such a cell, a table's
    last row and launchers without a table: inf, −inf, inf, −inf."""
    out = np.empty((n_ranges, 4))
    for r in range(n_ranges):
        out[r, 0], out[r, 1], out[r, 2], out[r, 3] = np.inf, -np.inf, np.inf, -np.inf
    for w in range(index.shape[0]):
        if index[w, 0] != 1:
            continue
        r0, nr, a0, na, t0 = index[w, 1], index[w, 2], index[w, 3], index[w, 4], index[w, 5]
        for i in range(nr - 1):
            for k in range(na - 1):
                lo, hi = _cell_span(times, t0 + i * na + k, na)
                if math.isnan(lo):
                    continue
                row = r0 + i
                out[row, 0] = min(out[row, 0], lo)
                out[row, 1] = max(out[row, 1], hi)
                out[row, 2] = min(out[row, 2], -np.inf if k == 0 else alts[a0 + k])
                out[row, 3] = max(out[row, 3], alts[a0 + k + 1])
    return out


@njit
def _band_span(A: float, B: float, C: float, t0: float, t1: float, ranges: F64, r0: int,
               nr: int) -> tuple[int, int]:
    """The range bands ``[i0, i1)`` of the table at ``ranges[r0:r0 + nr]`` (increasing)
    that the path's ground² ``A τ² + B τ + C`` over all ``[t0, t1]`` comes within
    :func:`_earliest`'s margins of: a band before ``i0`` lies inside the path's least ground
    range, one from ``i1`` on beyond its largest, by more than 1 m plus 1e-9 of the
    quadratic's scale (bisections).  Any window of ``[t0, t1]`` spans less, so
    :func:`_earliest` would pass over those bands with the same margins."""
    g_lo, g_hi = _quad_range(A, B, C, t0, t1)
    tol = 1e-9 * (A * t1 * t1 + abs(B) * t1 + C)
    i0, hi = 0, nr - 1  # first band whose far edge g_lo − tol does not pass
    while i0 < hi:
        mid = (i0 + hi) // 2
        r_hi = ranges[r0 + mid + 1] + _MARGIN_M
        if g_lo - tol > r_hi * r_hi:
            i0 = mid + 1
        else:
            hi = mid
    lo, i1 = i0, nr - 1  # first band from i0 whose near edge is beyond g_hi + tol
    while lo < i1:
        mid = (lo + i1) // 2
        r_lo = ranges[r0 + mid] - _MARGIN_M
        if r_lo > 0.0 and g_hi + tol < r_lo * r_lo:
            i1 = mid
        else:
            lo = mid + 1
    return i0, i1


@njit
def _earliest(kin: F64, j: int, lpos: F64, s: int, g0: float, t0: float, t1: float,
              ranges: F64, r0: int, nr: int, bands: F64, delay: float, slack: float) -> float:
    """A time [s] before which a flown-table missile launched after ``delay`` [s] cannot
    meet the kinematic path of track ``j`` in ``[t0, t1]`` [s] ahead, inf if at no time
    there: in range band ``i`` (:func:`band_times`) its fly-out time lies in ``[lo, hi]``
    (``bands[r0 + i, :2]``), so a meeting there needs ``delay + lo ≤ τ ≤ delay +
    MAX_FLYOUT_STRETCH hi + slack`` (the search's two time tests) and the altitude
    within the band's finite cells (``bands[r0 + i, 2:]``).  Over that window (widened by
    1e-6 s) the path's ground² (convex) and altitude (as :func:`_outside`: quadratics)
    span their exact extremes (at an end or the vertex), both continuous; a band whose
    range or altitudes they miss by more than 1 m (plus 1e-9 of the quadratic's scale)
    is out (the bands the whole interval misses so: :func:`_band_span`); the earliest
    start of a window of a band not out.  The grid's points differ from the exact path
    by rounding (< 1e-6 m), a bilinear time from its corners by a few ulp: far inside
    the margins."""
    rx, ry = kin[j, 0] - lpos[s, 0], kin[j, 1] - lpos[s, 1]
    vx, vy = kin[j, 3], kin[j, 4]
    A, B, C = vx * vx + vy * vy, 2.0 * (rx * vx + ry * vy), rx * rx + ry * ry
    a = A / _TWO_R - (0.5 * g0 if kin[j, 6] != 0.0 else 0.0)
    b, c = kin[j, 5] + B / _TWO_R, kin[j, 2] + C / _TWO_R
    i0, i1 = _band_span(A, B, C, t0, t1, ranges, r0, nr)
    first = np.inf
    for i in range(i0, i1):
        row = r0 + i
        if bands[row, 0] == np.inf:
            continue
        lo_t = max(t0, delay + bands[row, 0] - 1e-6)
        hi_t = min(t1, delay + _MAX_FLYOUT_STRETCH * bands[row, 1] + slack + 1e-6)
        if not (lo_t <= hi_t and lo_t < first):
            continue  # no window, or one starting no earlier than one found
        g_lo, g_hi = _quad_range(A, B, C, lo_t, hi_t)
        tol = 1e-9 * (A * hi_t * hi_t + abs(B) * hi_t + C)
        r_lo, r_hi = ranges[row] - _MARGIN_M, ranges[row + 1] + _MARGIN_M
        if g_lo - tol > r_hi * r_hi:
            continue  # beyond the band's far edge all the window
        if r_lo > 0.0 and g_hi + tol < r_lo * r_lo:
            continue  # inside its near edge all the window
        h_lo, h_hi = _quad_range(a, b, c, lo_t, hi_t)
        tol = 1e-9 * (abs(a) * hi_t * hi_t + abs(b) * hi_t + abs(c)) + _MARGIN_M
        if h_hi + tol < bands[row, 2] or h_lo - tol > bands[row, 3]:
            continue  # below or above the band's finite cells all the window
        first = lo_t
        if first <= t0:
            break  # none earlier
    return first


@njit
def _too_slow(kin: F64, j: int, lpos: F64, s: int, t0: float, t1: float, bound: F64,
              delay: float) -> bool:
    """Whether a round with fly-out time ≥ (ground range − G) / V (``bound``: V, G of
    :func:`speed_bounds`) launched after ``delay`` [s] cannot reach the kinematic path
    of track ``j`` at any time in ``[t0, t1]`` [s] ahead: reaching it at τ needs
    ground ≤ V (τ − delay) + G, so ground² − (V' (τ − delay) + G + 1 m)² ≤ 0 (V' = V
    plus 1e-6 of it, over rounding), a quadratic; False unless its least value (at an
    end or the vertex) is above its rounding margin."""
    rx, ry = kin[j, 0] - lpos[s, 0], kin[j, 1] - lpos[s, 1]
    vx, vy = kin[j, 3], kin[j, 4]
    V = bound[0] * (1.0 + 1e-6)
    e = bound[1] + 1.0 - V * delay  # the reach at τ is V τ + e
    a = (vx * vx + vy * vy) - V * V
    b = 2.0 * (rx * vx + ry * vy) - 2.0 * V * e
    c = (rx * rx + ry * ry) - e * e
    lo, _ = _quad_range(a, b, c, t0, t1)
    scale = (abs(a) * t1 * t1 + abs(b) * t1 + abs(c)) + (V * t1 + abs(e)) ** 2
    return lo > 1e-9 * scale + 1.0


@njit
def _reach_start(kin: F64, j: int, lpos: F64, s: int, tau: F64, k: int, end: int,
                 bound: F64, delay: float) -> float:
    """A time [s] before which a round of :func:`_too_slow`'s ``bound`` cannot reach the
    kinematic path of track ``j`` from ``tau[k]`` on: the grid time after the last
    ``tau[m]`` (``k ≤ m < end``, bisected) with :func:`_too_slow` over ``[tau[k],
    tau[m]]``, else ``tau[k]`` (inf if every one to ``tau[end − 1]``)."""
    lo, hi = k - 1, end  # _too_slow up to tau[lo] (none yet), not up to tau[hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _too_slow(kin, j, lpos, s, tau[k], tau[mid], bound, delay):
            lo = mid
        else:
            hi = mid
    if lo < k:
        return tau[k]
    return tau[lo + 1] if lo + 1 < end else np.inf


@njit
def _first(kin: F64, j: int, lpos: F64, s: int, g0: float, t0: float, t1: float,
           lim: F64, reach: F64, w: int, delay: float, index: IP, ranges: F64,
           bands: F64, slack: float) -> float:
    """A time [s] before which launcher ``w`` has no opportunity on the kinematic path
    of track ``j`` in ``[t0, t1]``, inf where none at all: inf if :func:`_outside` or
    (where ``reach`` has rows) :func:`_too_slow`, else (where ``bands`` has entries and
    ``w`` has a table) :func:`_earliest`, else ``t0``."""
    if _outside(kin, j, lpos, s, g0, t0, t1, lim):
        return np.inf
    if reach.shape[0] > 0 and _too_slow(kin, j, lpos, s, t0, t1, reach[w], delay):
        return np.inf
    if bands.shape[0] > 0 and index[w, 0] == 1 and index[w, 6] != 1:
        return _earliest(kin, j, lpos, s, g0, t0, t1, ranges, index[w, 1], index[w, 2],
                         bands, delay, slack)
    return t0
