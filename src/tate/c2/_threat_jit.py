"""Compiled threat evaluation (private; :mod:`tate.jit`): the compiled twin of
:func:`tate.c2.threat.assess_threats` without covariances and accelerations
(:func:`assess`: kind, impact, threatened asset, time to go, priority per track, in one
loop with the reference's arithmetic and comparisons; its numpy code stays the
reference).

Frame and units: the flat-Earth local ENU frame of :mod:`tate.c2.threat`, m, s, m/s.
Importing this module imports numba (the caller imports it lazily).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit

__all__ = ["assess"]

F64 = NDArray[np.float64]
IP = NDArray[np.intp]


@njit
def _argmin(x: F64) -> int:
    """``np.argmin(x)``: the first minimum, or the first NaN if any."""
    best, k = x[0], 0
    if best != best:
        return 0
    for i in range(1, x.size):
        if x[i] != x[i]:
            return i
        if x[i] < best:
            best, k = x[i], i
    return k


@njit
def assess(p: F64, v: F64, apos: F64, avalue: F64, aradius: F64, th: F64, g: float
           ) -> tuple[NDArray[np.int8], F64, F64, IP, F64, F64]:
    """:func:`tate.c2.threat.assess_threats` without covariances and accelerations: kind,
    impact point ``(n, 2)``, time to go, threatened asset (−1: none), miss and priority
    of tracks ``p, v (n, 3)`` [m, m/s] against assets at ``apos (a, 2)`` [m] with values
    and radii [m].  ``th``: the :class:`~tate.c2.threat.KindThresholds` in field order
    (ranges flattened), ``g`` [m/s²]."""
    n, na = p.shape[0], apos.shape[0]
    kind = np.zeros(n, np.int8)
    impact = np.full((n, 2), np.nan)
    t_go = np.full(n, np.inf)
    asset = np.full(n, -1, np.intp)
    miss = np.full(n, np.inf)
    priority = np.zeros(n)
    d = np.empty(na)
    tau = np.empty(na)
    cpa = np.empty(na)
    key = np.empty(na)
    to_deg = 180.0 / math.pi
    for i in range(n):
        vx, vy, vz, h = v[i, 0], v[i, 1], v[i, 2], p[i, 2]
        speed = math.sqrt((vx * vx + vy * vy) + vz * vz)
        gamma = math.atan2(vz, math.hypot(vx, vy)) * to_deg
        if speed >= th[0] and (h >= th[1] or gamma <= th[2]):
            kind[i] = 1
        elif speed >= th[4] and h >= th[5] and h <= th[6] and abs(gamma) <= th[7]:
            kind[i] = 2
        elif h <= th[8] and speed >= th[9] and speed < th[10]:
            kind[i] = 3
        elif speed < th[11] and h <= th[12]:
            kind[i] = 4
        if kind[i] == 1:  # ballistic_impact
            hh = h if not h < 0.0 else 0.0
            t = (vz + math.sqrt(vz * vz + 2.0 * g * hh)) / g
            impact[i, 0], impact[i, 1] = p[i, 0] + vx * t, p[i, 1] + vy * t
            t_go[i] = t
        if na == 0:
            continue
        if kind[i] == 1:
            for a in range(na):
                dx, dy = impact[i, 0] - apos[a, 0], impact[i, 1] - apos[a, 1]
                d[a] = math.sqrt(dx * dx + dy * dy)
            asset[i] = _argmin(d)
            miss[i] = d[asset[i]]
        else:  # closest_approach
            v2 = vx * vx + vy * vy
            any_ahead = any_inside = False
            for a in range(na):
                rx, ry = apos[a, 0] - p[i, 0], apos[a, 1] - p[i, 1]
                along = rx * vx + ry * vy
                tau[a] = along / v2 if v2 > 0 else -np.inf
                tc = tau[a] if v2 > 0 else 0.0
                mx, my = rx - tc * vx, ry - tc * vy
                cpa[a] = math.sqrt(mx * mx + my * my)
                any_ahead |= tau[a] > 0
                any_inside |= tau[a] > 0 and cpa[a] <= aradius[a]
            if not any_ahead:
                continue
            for a in range(na):
                if any_inside:
                    key[a] = tau[a] if tau[a] > 0 and cpa[a] <= aradius[a] else np.inf
                else:
                    key[a] = cpa[a] if tau[a] > 0 else np.inf
            k = _argmin(key)
            asset[i], t_go[i], miss[i] = k, tau[k], cpa[k]
            impact[i, 0], impact[i, 1] = p[i, 0] + vx * tau[k], p[i, 1] + vy * tau[k]
        k = asset[i] if asset[i] > 0 else 0
        if asset[i] >= 0 and miss[i] <= aradius[k]:
            floor = t_go[i] if t_go[i] >= 1.0 or t_go[i] != t_go[i] else 1.0
            priority[i] = avalue[k] / floor
        else:
            asset[i] = -1
    return kind, impact, t_go, asset, miss, priority
