"""Largest eigenvalue of a symmetric 3 × 3 matrix on scalars, for the tracker's pre-gate.

:func:`max_eig3` is the cyclic Jacobi iteration :mod:`._scan_jit` used on a 3 × 3 work
array (the pre-gate's largest eigenvalue of each track's and detection's position
covariance [m²]), with the nine entries held in scalars instead: every entry goes through
the same operations in the same order, so the value is the array version's bit for bit
(``tests/unit/tracking/test_eig3_jit.py`` keeps that version as the reference), without the
work array or its indexing (about half of the pre-gate's time on the default scenario).
Not imported by ``tate`` itself.
"""

from __future__ import annotations

import math

from numpy.typing import NDArray

from tate.jit import njit

__all__ = ["max_eig3"]


@njit
def _rot(pp: float, pq: float, pr: float, qp: float, qq: float, qr: float, rp: float,
         rq: float) -> tuple[float, float, float, float, float, float, float, float]:
    """One Jacobi rotation of :func:`max_eig3` on the pair (p, q), r the third index: the
    entries ``a_pp … a_rq`` (``a_rr`` does not change) after it.  The columns p and q of
    each row, then the rows p and q of each column, as the array version turns them
    (each row's and column's update reads none of the others, so the order of the rows
    does not matter)."""
    if pq != 0.0:
        theta = (qq - pp) / (2.0 * pq)
        t = 1.0 / (abs(theta) + math.sqrt(theta * theta + 1.0))
        if theta < 0.0:
            t = -t
        c = 1.0 / math.sqrt(t * t + 1.0)
        s = t * c
        pp, pq = c * pp - s * pq, s * pp + c * pq
        qp, qq = c * qp - s * qq, s * qp + c * qq
        rp, rq = c * rp - s * rq, s * rp + c * rq
        pp, qp = c * pp - s * qp, s * pp + c * qp
        pq, qq = c * pq - s * qq, s * pq + c * qq
        pr, qr = c * pr - s * qr, s * pr + c * qr
        pq = 0.0
        qp = 0.0
    return pp, pq, pr, qp, qq, qr, rp, rq


@njit
def max_eig3(A: NDArray) -> float:
    """Largest eigenvalue of the symmetric 3 × 3 matrix ``A`` (cyclic Jacobi rotations
    until the off-diagonal entries are exactly zero, at most 50 sweeps; accurate to a few
    units in the last place relative to the matrix norm)."""
    a00 = 0.5 * (A[0, 0] + A[0, 0])
    a01 = 0.5 * (A[0, 1] + A[1, 0])
    a02 = 0.5 * (A[0, 2] + A[2, 0])
    a10 = 0.5 * (A[1, 0] + A[0, 1])
    a11 = 0.5 * (A[1, 1] + A[1, 1])
    a12 = 0.5 * (A[1, 2] + A[2, 1])
    a20 = 0.5 * (A[2, 0] + A[0, 2])
    a21 = 0.5 * (A[2, 1] + A[1, 2])
    a22 = 0.5 * (A[2, 2] + A[2, 2])
    for _ in range(50):
        off = abs(a01) + abs(a02) + abs(a12)
        if off == 0.0:
            break
        a00, a01, a02, a10, a11, a12, a20, a21 = _rot(  # (0, 1), r = 2
            a00, a01, a02, a10, a11, a12, a20, a21)
        a00, a02, a01, a20, a22, a21, a10, a12 = _rot(  # (0, 2), r = 1
            a00, a02, a01, a20, a22, a21, a10, a12)
        a11, a12, a10, a21, a22, a20, a01, a02 = _rot(  # (1, 2), r = 0
            a11, a12, a10, a21, a22, a20, a01, a02)
    return max(a00, max(a11, a22))
