"""Compiled twin of :func:`~.metrics.gospa_many` for the engine's track-quality record.

What it models: the GOSPA distance (order ``p = 1``, ``alpha = 2``) between the truth and
the confirmed-track positions of many instants, with its localisation / missed / false
decomposition and the truth-to-estimate assignment (Rahmathullah, García-Fernández &
Svensson 2017, eq. 1 and Proposition 1; see :mod:`.metrics`).  Positions in metres, in
any common Cartesian frame (the engine's ENU frame).

:func:`gospa_sets` gives, for every set, the numbers :func:`~.metrics.gospa` gives, bit
for bit, in one call instead of one Python call (and one SciPy call) per instant:

* the distance matrix: ``sqrt((dx² + dz²) + dy²)``, the order in which numpy's ``einsum``
  reduces a contiguous axis of length 3 (two lanes: x and z, then y; tested equal);
* the optimal assignment: :func:`lsap`, a line-by-line port of SciPy's
  ``linear_sum_assignment`` (the shortest augmenting path of Crouse 2016, as implemented
  in SciPy's ``rectangular_lsap.cpp``: the same candidate order, the same tie rules, the
  same transposition of tall matrices), so ties between optimal assignments are broken
  as SciPy breaks them;
* the sums: :func:`pairwise_sum`, numpy's pairwise summation of ``ndarray.sum`` (one
  block of at most 128 terms: sets with more than 128 pairs are left to the caller).

Only ``p = 1`` and ``alpha = 2`` (the engine's record); other orders stay with
:func:`~.metrics.gospa`.  Not imported by ``tate`` itself.

References
----------
.. [1] D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE Trans.
   Aerospace and Electronic Systems 52(4), pp. 1679-1696, 2016, pp. 1685-1686.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit

__all__ = ["MAX_SUM", "gospa_sets", "lsap", "pairwise_sum"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]
MAX_SUM = 128  #: numpy's pairwise-summation block: larger sets go to :func:`~.metrics.gospa`


@njit
def _block_sum(a: F64, n: int) -> float:
    """numpy's pairwise summation of ``a[:n]`` for ``n <= 128`` (one block: eight
    accumulators)."""
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[i]
        return res
    r0, r1, r2, r3, r4, r5, r6, r7 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
    i = 8
    while i < n - (n % 8):
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[i]
        i += 1
    return res


@njit
def pairwise_sum(a: F64) -> float:
    """``float(a.sum())`` of a 1-D float64 array of at most :data:`MAX_SUM` elements, as
    numpy computes it (larger arrays: NaN; numpy splits them in halves)."""
    if a.size > MAX_SUM:
        return np.nan
    return 0.0 + _block_sum(a, a.size)


@njit
def _augmenting_path(nc: int, cost: F64, u: F64, v: F64, path: I64, row4col: I64,
                     spc: F64, i: int, SR: NDArray[np.bool_], SC: NDArray[np.bool_],
                     remaining: I64) -> tuple[int, float]:
    """SciPy's ``augmenting_path``: the sink column and the path length (−1: infeasible)."""
    min_val = 0.0
    num_remaining = nc
    for it in range(nc):
        remaining[it] = nc - it - 1
    SR[:] = False
    SC[:] = False
    spc[:] = np.inf
    sink = -1
    while sink == -1:
        index = -1
        lowest = np.inf
        SR[i] = True
        for it in range(num_remaining):
            j = remaining[it]
            r = min_val + cost[i, j] - u[i] - v[j]
            if r < spc[j]:
                path[j] = i
                spc[j] = r
            if spc[j] < lowest or (spc[j] == lowest and row4col[j] == -1):
                lowest = spc[j]
                index = it
        min_val = lowest
        if min_val == np.inf:
            return -1, min_val
        j = remaining[index]
        if row4col[j] == -1:
            sink = j
        else:
            i = row4col[j]
        SC[j] = True
        num_remaining -= 1
        remaining[index] = remaining[num_remaining]
    return sink, min_val


@njit
def lsap(cost: F64) -> tuple[I64, I64]:
    """``scipy.optimize.linear_sum_assignment(cost)`` of a finite ``(nr, nc)`` matrix:
    the matched rows (ascending) and their columns."""
    nr0, nc0 = cost.shape
    if nr0 == 0 or nc0 == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    transpose = nc0 < nr0
    c = np.ascontiguousarray(cost.T) if transpose else cost
    nr, nc = c.shape
    u = np.zeros(nr)
    v = np.zeros(nc)
    spc = np.empty(nc)
    path = np.full(nc, -1, np.intp)
    col4row = np.full(nr, -1, np.intp)
    row4col = np.full(nc, -1, np.intp)
    SR = np.zeros(nr, np.bool_)
    SC = np.zeros(nc, np.bool_)
    remaining = np.empty(nc, np.intp)
    for cur in range(nr):
        sink, min_val = _augmenting_path(nc, c, u, v, path, row4col, spc, cur, SR, SC,
                                         remaining)
        if sink < 0:
            return np.empty(0, np.intp), np.empty(0, np.intp)
        u[cur] += min_val
        for i in range(nr):
            if SR[i] and i != cur:
                u[i] += min_val - spc[col4row[i]]
        for j in range(nc):
            if SC[j]:
                v[j] -= min_val - spc[j]
        j = sink
        while True:
            i = path[j]
            row4col[j] = i
            col4row[i], j = j, col4row[i]
            if i == cur:
                break
    if not transpose:
        return np.arange(nr), col4row
    rows = np.empty(nr, np.intp)  # original rows, ascending (SciPy's argsort of col4row)
    cols = np.empty(nr, np.intp)
    col_of = np.full(nr0, -1, np.intp)
    for k in range(nr):
        col_of[col4row[k]] = k
    q = 0
    for r in range(nr0):
        if col_of[r] >= 0:
            rows[q] = r
            cols[q] = col_of[r]
            q += 1
    return rows, cols


@njit
def gospa_sets(truth: F64, t_off: I64, est: F64, e_off: I64, c: float, half: float
               ) -> tuple[F64, F64, F64, F64, I64]:
    """GOSPA (p = 1, alpha = 2) of every set ``s``: truths ``truth[t_off[s]:t_off[s+1]]``
    against estimates ``est[e_off[s]:e_off[s+1]]`` (``(·, 3)`` positions [m]); ``c`` the
    cut-off [m], ``half`` = c / 2.  Returns the distance, localisation, missed and false
    terms ``(s,)`` [m] and, per truth row, the estimate row matched to it within its set
    (−1: none), as :func:`~.metrics.gospa`; a set with more than :data:`MAX_SUM` pairs
    gets NaN numbers and no assignment (the caller computes it)."""
    s = t_off.size - 1
    dist_out = np.empty(s)
    loc_out = np.empty(s)
    miss_out = np.empty(s)
    false_out = np.empty(s)
    assign = np.full(truth.shape[0], -1, np.intp)
    for k in range(s):
        a, m = t_off[k], t_off[k + 1] - t_off[k]
        b, n = e_off[k], e_off[k + 1] - e_off[k]
        if min(m, n) > MAX_SUM:  # left to the caller
            dist_out[k] = loc_out[k] = miss_out[k] = false_out[k] = np.nan
            continue
        if m == 0 or n == 0:
            dist_out[k] = 0.0 + half * abs(n - m)
            loc_out[k] = 0.0
            miss_out[k] = half * m
            false_out[k] = half * n
            continue
        d = np.empty((m, n))
        cost = np.empty((m, n))
        for i in range(m):
            for j in range(n):
                dx = truth[a + i, 0] - est[b + j, 0]
                dy = truth[a + i, 1] - est[b + j, 1]
                dz = truth[a + i, 2] - est[b + j, 2]
                d[i, j] = np.sqrt((dx * dx + dz * dz) + dy * dy)
                cost[i, j] = min(d[i, j], c)
        rows, cols = lsap(cost)
        picked = np.empty(rows.size)
        close = np.empty(rows.size)
        n_pairs = 0
        for q in range(rows.size):
            picked[q] = cost[rows[q], cols[q]]
            d_rc = d[rows[q], cols[q]]
            if d_rc < c:
                assign[a + rows[q]] = cols[q]
                close[n_pairs] = d_rc
                n_pairs += 1
        dist_out[k] = pairwise_sum(picked) + half * abs(n - m)
        loc_out[k] = pairwise_sum(close[:n_pairs])
        miss_out[k] = half * (m - n_pairs)
        false_out[k] = half * (n - n_pairs)
    return dist_out, loc_out, miss_out, false_out, assign
