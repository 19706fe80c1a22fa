"""The compiled radar scan's loose pre-gate with eigenvalues computed only where needed.

:func:`~._scan_jit.radar_pairs` computes the largest eigenvalue λ (:func:`~._eig3_jit.max_eig3`,
Jacobi rotations) of every track's and every detection's position covariance [m²], then
keeps the pairs with squared distance ≤ (λ_p + max λ_r) · slack² γ · loose; the GNN passes
(:func:`~._scan_jit.group_keep`) use λ_p of the tracks with pairs and max λ_r over the
detections still free.  :func:`radar_pairs_lazy` makes the same decisions from a cheap
upper bound first (:func:`eig3_bound`: Gershgorin's bound of the symmetrised matrix plus a
margin of 1e-9 of the sum of its absolute entries, far above the Jacobi rounding, about
1e-13 of it): a pair whose distance exceeds the gate even with the bounds cannot pass it
with the exact values (floating-point addition and multiplication by a factor ≥ 0 are
monotone), so only the tracks with a pair under the bound get their exact λ_p, and the
largest λ_r of a set of detections (:func:`lam_r_max`) is found by computing λ_r only for
the detections whose bound reaches the exact λ_r of the one with the largest bound.  The
values used are those of the full computation bit for bit (the same Jacobi, the same
first-of-equals maximum); where a bound is not finite (NaN or infinite entries, entries
above 1e300) or the factor is not a finite number ≥ 0, every λ is computed up front as
there.  ``tests/unit/tracking/test_pregate_jit.py`` checks it against the full computation
on recorded and random scans.  Not imported by ``tate`` itself.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit
from tate.tracking._eig3_jit import max_eig3
from tate.tracking._scan_jit import pair_moments

__all__ = ["eig3_bound", "lam_r_max", "radar_pairs_lazy"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]
B8 = NDArray[np.bool_]

_BIG = 1e300  #: largest sum of absolute entries bounded (no overflow in the rotations)


@njit
def eig3_bound(A: F64) -> float:
    """An upper bound on :func:`~._eig3_jit.max_eig3` of ``A`` (the same symmetrised
    entries; Gershgorin's bound plus 1e-9 of the sum of absolute entries plus 1e-300),
    NaN where none is given (NaN or infinite entries, or a sum above 1e300)."""
    a00 = 0.5 * (A[0, 0] + A[0, 0])
    a01 = abs(0.5 * (A[0, 1] + A[1, 0]))
    a02 = abs(0.5 * (A[0, 2] + A[2, 0]))
    a11 = 0.5 * (A[1, 1] + A[1, 1])
    a12 = abs(0.5 * (A[1, 2] + A[2, 1]))
    a22 = 0.5 * (A[2, 2] + A[2, 2])
    s = abs(a00) + abs(a11) + abs(a22) + 2.0 * (a01 + a02 + a12)
    if not s <= _BIG:
        return np.nan
    g = max(a00 + a01 + a02, max(a11 + a01 + a12, a22 + a02 + a12))
    return g + (1e-9 * s + 1e-300)


@njit
def lam_r_max(lam_r: F64, known: B8, ub: F64, pos_cov: F64, in_cols: B8, lazy: bool
              ) -> float:
    """The largest ``lam_r[j]`` over the detections ``in_cols`` as the full computation
    takes it (the first of equal values; NaN propagates; −∞: none), computing
    ``lam_r[j] = max_eig3(pos_cov[j])`` where not yet ``known`` and needed.  ``lazy``:
    ``ub`` bounds every ``lam_r`` (finite); else all are known."""
    p = lam_r.size
    floor = -np.inf
    if lazy:
        best = -1
        for j in range(p):
            if in_cols[j] and (best < 0 or ub[j] > ub[best]):
                best = j
        if best < 0:
            return -np.inf
        if not known[best]:
            lam_r[best] = max_eig3(pos_cov[best])
            known[best] = True
        floor = lam_r[best]
    m = -np.inf
    for j in range(p):
        if not in_cols[j]:
            continue
        if lazy:
            if ub[j] < floor:  # below a value of the set: not its maximum
                continue
            if not known[j]:
                lam_r[j] = max_eig3(pos_cov[j])
                known[j] = True
        if not lam_r[j] <= m:  # (NaN propagates, as numpy's max)
            m = lam_r[j] if not math.isnan(m) else m
    return m


@njit
def radar_pairs_lazy(x: F64, P: F64, z: F64, pos: F64, pos_cov: F64, sensor: F64, rot: F64,
                     has_rot: bool, R: F64, gamma: float, slack: float, loose_factor: float
                     ) -> tuple[bool, I64, I64, F64, F64, F64, F64, F64, B8, F64, bool, I64,
                                F64, F64, F64, F64]:
    """:func:`~._scan_jit.radar_pairs` with λ computed only where needed.

    Returns ``(ok, track, meas, d2, logdet, dist2, lam_p, lam_r, known_r, ub_r, lazy,
    index, nu, J, C, JC)``: as there, with ``lam_p`` set at the tracks of the pairs (at
    least), ``lam_r`` where ``known_r``, the bounds ``ub_r`` and ``lazy`` for
    :func:`lam_r_max` (False: all λ computed)."""
    n = x.shape[0]
    p = z.shape[0]
    factor = slack * slack * gamma * loose_factor
    lazy = factor >= 0.0 and factor <= _BIG
    fb = np.empty(2 * n + 2 * p + n * p)  # the float work arrays, one allocation
    lam_p, lam_r = fb[:n], fb[n:n + p]
    ub_p, ub_r = fb[n + p:2 * n + p], fb[2 * n + p:2 * n + 2 * p]
    dist2 = fb[2 * n + 2 * p:].reshape((n, p))
    bb = np.zeros(2 * p, dtype=np.bool_)  # known_r, and all detections (set below)
    known_r, all_cols = bb[:p], bb[p:]
    ub_r_max = -np.inf
    if lazy:
        for i in range(n):
            ub_p[i] = eig3_bound(P[i, :3, :3])
            lazy = lazy and not math.isnan(ub_p[i])
        for j in range(p):
            ub_r[j] = eig3_bound(pos_cov[j])
            lazy = lazy and not math.isnan(ub_r[j])
            ub_r_max = max(ub_r_max, ub_r[j])
    r_max = -np.inf
    have_r_max = not lazy
    if not lazy:
        for i in range(n):
            lam_p[i] = max_eig3(P[i, :3, :3])
        for j in range(p):
            lam_r[j] = max_eig3(pos_cov[j])
            known_r[j] = True
            if not lam_r[j] <= r_max:  # (NaN propagates, as numpy's max)
                r_max = lam_r[j] if not math.isnan(r_max) else r_max
    index = np.full((n, p), -1, dtype=np.intp)
    count = 0
    for i in range(n):
        near = False
        bound = (ub_p[i] + ub_r_max) * factor if lazy else 0.0
        for j in range(p):
            d0 = x[i, 0] - pos[j, 0]
            d1 = x[i, 1] - pos[j, 1]
            d2_ = x[i, 2] - pos[j, 2]
            dd = d0 * d0 + d1 * d1 + d2_ * d2_
            dist2[i, j] = dd
            near = near or not dd > bound
        if lazy:
            if not near:  # beyond the gate even with the bounds
                continue
            lam_p[i] = max_eig3(P[i, :3, :3])
            if not have_r_max:
                all_cols[:] = True
                r_max = lam_r_max(lam_r, known_r, ub_r, pos_cov, all_cols, True)
                have_r_max = True
        loose = (lam_p[i] + r_max) * factor
        for j in range(p):
            if not dist2[i, j] > loose:
                index[i, j] = count
                count += 1
    ok, track, meas, d2, logdet, dpair, nu, J, C, JC = pair_moments(
        x, P, z, sensor, rot, has_rot, R, dist2, index, count)
    return (ok, track, meas, d2, logdet, dpair, lam_p, lam_r, known_r, ub_r, lazy, index, nu,
            J, C, JC)
