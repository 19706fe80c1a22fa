"""A window's radar detections as the tracker's scan columns, in one compiled pass.

The compiled twin of the table route of a sensing window: the gather and unit conversion
of :func:`tate.sensors.tables._detections` (rows put in time, then sensor order; range
[m], azimuth and elevation to degrees, the azimuth wrapped into [0, 360) by
``_degrees_360``) followed by :meth:`tate.engine.engagement.Engagement._radar_scans`
(rows of non-finite range dropped; angles back to radians; the diagonal measurement
covariance of the standard deviations; scan starts where the time or the sensor
changes).  The same operations in the same order on each row (``np.degrees`` is
``x * (180/π)``, ``np.radians`` ``x * (π/180)``, ``np.mod`` on floats Python's float
modulo, ``** 2`` a product), so the same bits; the table route stays the reference
(``tests/unit/sensors/test_scans_jit.py`` compares them over whole runs).  Units: s, m,
rad in and out (covariances in m² and rad²).  Not imported by ``tate`` itself.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit

__all__ = ["scan_columns"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
_DEG = 180.0 / math.pi  # numpy's degrees factor (180.0 / NPY_PI)
_RAD = math.pi / 180.0  # numpy's radians factor (NPY_PI / 180.0)


@njit
def scan_columns(t: F64, rows: F64, rank: I64, body: I64, order: I64
                 ) -> tuple[F64, I64, F64, F64, I64, I64]:
    """The scan columns of a window's detections.

    ``t (m,)`` times [s], ``rows (m, 7)`` range, az, el, their standard deviations [m,
    rad] and SNR, ``rank (m,)`` each row's sensor (its rank among the sensor ids),
    ``body (m,)`` its body row (−1 a false alarm), ``order (m,)`` the rows in time, then
    sensor order.  Returns, for the rows of finite range in that order, the times, sensor
    ranks, ``z (p, 3)`` (range [m], az, el [rad] after the round trip through degrees),
    ``R (p, 3, 3)`` (diagonal: σ_R², σ_az², σ_el²), body rows, and the scan starts
    ``(s + 1,)`` (a new scan where the time or the sensor changes; the last entry ``p``).
    """
    m = order.size
    p = 0
    for q in range(m):
        if np.isfinite(rows[order[q], 0]):
            p += 1
    ts = np.empty(p)
    rk = np.empty(p, np.int64)
    z = np.empty((p, 3))
    R = np.zeros((p, 3, 3))
    bd = np.empty(p, np.int64)
    starts = np.empty(p + 1, np.int64)
    n_scans = 0
    w = 0
    for q in range(m):
        o = order[q]
        r = rows[o, 0]
        if not np.isfinite(r):
            continue
        ts[w], rk[w], bd[w] = t[o], rank[o], body[o]
        az = rows[o, 1] * _DEG
        if not (az > 0.0 and az < 360.0):  # (_degrees_360: the modulo only there)
            az = az % 360.0
        z[w, 0] = r
        z[w, 1] = az * _RAD
        z[w, 2] = (rows[o, 2] * _DEG) * _RAD
        s_a = (rows[o, 4] * _DEG) * _RAD
        s_e = (rows[o, 5] * _DEG) * _RAD
        R[w, 0, 0] = rows[o, 3] * rows[o, 3]
        R[w, 1, 1] = s_a * s_a
        R[w, 2, 2] = s_e * s_e
        if w == 0 or ts[w] != ts[w - 1] or rk[w] != rk[w - 1]:
            starts[n_scans] = w
            n_scans += 1
        w += 1
    starts[n_scans] = p
    if p == 0:  # (as numpy's concatenation of [0], no change and [0])
        return ts, rk, z, R, bd, np.zeros(2, np.int64)
    return ts, rk, z, R, bd, starts[:n_scans + 1]
