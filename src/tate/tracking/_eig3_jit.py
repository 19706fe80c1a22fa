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
def _rot01(a00: float, a01: float, a02: float, a10: float, a11: float, a12: float,
           a20: float, a21: float, a22: float) -> tuple[float, float, float, float, float,
                                                       float, float, float, float]:
    """One Jacobi rotation of :func:`max_eig3` on the pair (0, 1) (its arithmetic, on
    scalars)."""
    apq = a01
    if apq != 0.0:
        theta = (a11 - a00) / (2.0 * apq)
        t = 1.0 / (abs(theta) + math.sqrt(theta * theta + 1.0))
        if theta < 0.0:
            t = -t
        c = 1.0 / math.sqrt(t * t + 1.0)
        s = t * c
        a00, a01 = c * a00 - s * a01, s * a00 + c * a01
        a10, a11 = c * a10 - s * a11, s * a10 + c * a11
        a20, a21 = c * a20 - s * a21, s * a20 + c * a21
        a00, a10 = c * a00 - s * a10, s * a00 + c * a10
        a01, a11 = c * a01 - s * a11, s * a01 + c * a11
        a02, a12 = c * a02 - s * a12, s * a02 + c * a12
        a01 = 0.0
        a10 = 0.0
    return a00, a01, a02, a10, a11, a12, a20, a21, a22


@njit
def _rot02(a00: float, a01: float, a02: float, a10: float, a11: float, a12: float,
           a20: float, a21: float, a22: float) -> tuple[float, float, float, float, float,
                                                       float, float, float, float]:
    """One Jacobi rotation of :func:`max_eig3` on the pair (0, 2) (its arithmetic, on
    scalars)."""
    apq = a02
    if apq != 0.0:
        theta = (a22 - a00) / (2.0 * apq)
        t = 1.0 / (abs(theta) + math.sqrt(theta * theta + 1.0))
        if theta < 0.0:
            t = -t
        c = 1.0 / math.sqrt(t * t + 1.0)
        s = t * c
        a00, a02 = c * a00 - s * a02, s * a00 + c * a02
        a10, a12 = c * a10 - s * a12, s * a10 + c * a12
        a20, a22 = c * a20 - s * a22, s * a20 + c * a22
        a00, a20 = c * a00 - s * a20, s * a00 + c * a20
        a01, a21 = c * a01 - s * a21, s * a01 + c * a21
        a02, a22 = c * a02 - s * a22, s * a02 + c * a22
        a02 = 0.0
        a20 = 0.0
    return a00, a01, a02, a10, a11, a12, a20, a21, a22


@njit
def _rot12(a00: float, a01: float, a02: float, a10: float, a11: float, a12: float,
           a20: float, a21: float, a22: float) -> tuple[float, float, float, float, float,
                                                       float, float, float, float]:
    """One Jacobi rotation of :func:`max_eig3` on the pair (1, 2) (its arithmetic, on
    scalars)."""
    apq = a12
    if apq != 0.0:
        theta = (a22 - a11) / (2.0 * apq)
        t = 1.0 / (abs(theta) + math.sqrt(theta * theta + 1.0))
        if theta < 0.0:
            t = -t
        c = 1.0 / math.sqrt(t * t + 1.0)
        s = t * c
        a01, a02 = c * a01 - s * a02, s * a01 + c * a02
        a11, a12 = c * a11 - s * a12, s * a11 + c * a12
        a21, a22 = c * a21 - s * a22, s * a21 + c * a22
        a10, a20 = c * a10 - s * a20, s * a10 + c * a20
        a11, a21 = c * a11 - s * a21, s * a11 + c * a21
        a12, a22 = c * a12 - s * a22, s * a12 + c * a22
        a12 = 0.0
        a21 = 0.0
    return a00, a01, a02, a10, a11, a12, a20, a21, a22


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
        a00, a01, a02, a10, a11, a12, a20, a21, a22 = _rot01(
            a00, a01, a02, a10, a11, a12, a20, a21, a22)
        a00, a01, a02, a10, a11, a12, a20, a21, a22 = _rot02(
            a00, a01, a02, a10, a11, a12, a20, a21, a22)
        a00, a01, a02, a10, a11, a12, a20, a21, a22 = _rot12(
            a00, a01, a02, a10, a11, a12, a20, a21, a22)
    return max(a00, max(a11, a22))
