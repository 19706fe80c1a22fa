"""Compiled twin of the GNN association's cluster split (:func:`~.association.gnn_assign`).

The gated track-detection pairs of a scan form clusters (connected components of the
bipartite graph).  :func:`gnn_clusters` assigns, with scalar loops, the clusters that
have one track or one detection (the pair of smallest Mahalanobis distance² d², if under
the miss cost) and groups the other pairs by cluster for SciPy's 2-D assignment, in the
order the numpy reference (:func:`~.association.gnn_assign`, with
``scipy.sparse.csgraph.connected_components``) gives them; the same pairs in the same
order (``tests/unit/tracking/test_scan_jit.py``).  Dimensionless (d² and the miss cost
are chi-square values).  Part of the kernels of :mod:`._scan_jit`; not imported by
``tate`` itself.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit

__all__ = ["gnn_clusters"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]


@njit
def _root(parent: I64, a: int) -> int:
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


@njit
def gnn_clusters(track: I64, meas: I64, d2: F64, n_tracks: int, n_meas: int, miss_cost: float
                 ) -> tuple[I64, I64, I64, I64]:
    """:func:`~.association.gnn_assign` up to the 2-D assignments: the pairs assigned in the
    clusters with one track or one detection (their smallest d², if under ``miss_cost``, in
    the order of gnn_assign), and the other pairs grouped by connected cluster (``rest``,
    split at ``bounds``), clusters in the order of their smallest track as
    ``scipy.sparse.csgraph.connected_components`` numbers them, pairs in input order."""
    c_all = track.size
    nt, nm = n_tracks, n_meas
    nw = 4 * nt + 3 * nm + 1
    w = np.zeros(nw + 2 * c_all, dtype=np.intp)  # the integer work arrays and out, one allocation
    deg_t, deg_m, best = w[:nt], w[nt:nt + nm], w[nt + nm:2 * (nt + nm)]
    parent, start = w[2 * (nt + nm):3 * (nt + nm)], w[3 * (nt + nm):]
    for c in range(c_all):
        deg_t[track[c]] += 1
        deg_m[meas[c]] += 1
    shared = np.zeros(nt + nm, dtype=np.bool_)
    shared_t = shared[:nt]  # a detection of the track has others
    shared_m = shared[nt:]  # a track of the detection has others
    for c in range(c_all):
        if deg_m[meas[c]] > 1:
            shared_t[track[c]] = True
        if deg_t[track[c]] > 1:
            shared_m[meas[c]] = True
    for a in range(nt + nm):
        best[a] = -1
        parent[a] = a
    n_rest = 0
    for c in range(c_all):
        if not shared_t[track[c]]:
            label = track[c]
        elif not shared_m[meas[c]]:
            label = n_tracks + meas[c]
        else:  # a pair of a cluster that needs the assignment
            ra, rb = _root(parent, track[c]), _root(parent, n_tracks + meas[c])
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)  # a root is its component's smallest node
            n_rest += 1
            continue
        old = best[label]
        if old < 0 or d2[c] < d2[old]:
            best[label] = c
    out_t, out_m = w[nw:nw + c_all], w[nw + c_all:]
    count = 0
    for b in best:
        if b >= 0 and d2[b] < miss_cost:
            out_t[count], out_m[count] = track[b], meas[b]
            count += 1
    # (start, zeros: counting sort by root (a track), stable)
    for c in range(c_all):
        if shared_t[track[c]] and shared_m[meas[c]]:
            start[_root(parent, track[c]) + 1] += 1
    for r in range(n_tracks):
        start[r + 1] += start[r]
    nb = max(n_rest - 1, 0)
    rk = np.empty(2 * n_rest + nb, dtype=np.intp)  # rest, key, bounds: one allocation
    rest, key, bounds = rk[:n_rest], rk[n_rest:2 * n_rest], rk[2 * n_rest:]
    for c in range(c_all):
        if shared_t[track[c]] and shared_m[meas[c]]:
            r = _root(parent, track[c])
            rest[start[r]], key[start[r]] = c, r
            start[r] += 1
    n_b = 0
    for k in range(1, n_rest):
        if key[k] != key[k - 1]:
            bounds[n_b] = k
            n_b += 1
    return out_t[:count], out_m[:count], rest, bounds[:n_b]
