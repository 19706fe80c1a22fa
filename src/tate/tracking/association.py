"""Gating and global-nearest-neighbour (GNN) association, vectorised.

Gating: a kd-tree pre-gate on positions (``scipy.spatial.cKDTree``) keeps only
track–measurement pairs within a Euclidean radius that no pair inside the
chi-square gate can exceed (√(γ λ_max(S)) for each track); the Mahalanobis
distance d² = νᵀ S⁻¹ ν is then computed for those pairs only, all at once, and
compared with the chi-square threshold γ.

Association: the gated pairs form a bipartite graph whose connected components
(clusters) are solved independently as 2-D assignment problems
(``scipy.optimize.linear_sum_assignment``) on the augmented matrix
[d² | diag(γ)]: leaving a track unassigned costs γ, so a pair is used only
where that pays (Blackman & Popoli, *Design and Analysis of Modern Tracking
Systems*, 1999, §6.5; Bar-Shalom et al. 2001, §3.4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from scipy.stats import chi2

__all__ = ["Gated", "gate", "gate_threshold", "gnn_assign"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]


def gate_threshold(dim: int, probability: float) -> float:
    """Chi-square gate γ that a true measurement passes with ``probability``."""
    return float(chi2.ppf(probability, dim))


@dataclass(frozen=True)
class Gated:
    """Track–measurement pairs inside the gate and their Mahalanobis distances²."""

    track: I64
    meas: I64
    d2: F64


def gate(z_pred: F64, S: F64, z: F64, threshold: float) -> Gated:
    """Pairs (track i, measurement j) with νᵀ S_i⁻¹ ν ≤ ``threshold``.

    Parameters
    ----------
    z_pred
        Predicted measurements ``(n, m)`` (H x of each track).
    S
        Innovation covariances ``(n, m, m)``.
    z
        Measurements ``(p, m)``.
    threshold
        Chi-square gate γ.
    """
    n, p = z_pred.shape[0], z.shape[0]
    if n == 0 or p == 0:
        empty = np.empty(0, np.intp)
        return Gated(empty, empty, np.empty(0))
    radius = np.sqrt(threshold * np.linalg.eigvalsh(S)[:, -1])
    tree = cKDTree(z)
    hits = tree.query_ball_point(z_pred, radius)
    counts = np.fromiter((len(h) for h in hits), dtype=np.intp, count=n)
    track = np.repeat(np.arange(n), counts)
    meas = np.fromiter((j for h in hits for j in h), dtype=np.intp, count=int(counts.sum()))
    nu = z[meas] - z_pred[track]
    L = np.linalg.cholesky(S)
    w = np.linalg.solve(L[track], nu[..., None])[..., 0]
    d2 = np.einsum("ni,ni->n", w, w)
    keep = d2 <= threshold
    return Gated(track[keep], meas[keep], d2[keep])


def gnn_assign(gated: Gated, n_tracks: int, n_meas: int, miss_cost: float
               ) -> tuple[I64, I64]:
    """Global nearest neighbour: the assignment minimising Σ d² + miss_cost · (unassigned
    tracks), cluster by cluster.

    Returns
    -------
    track, meas
        Assigned pairs (each track and each measurement at most once).
    """
    if gated.track.size == 0:
        empty = np.empty(0, np.intp)
        return empty, empty
    tr, me = gated.track, gated.meas
    deg_t = np.bincount(tr, minlength=n_tracks)
    deg_m = np.bincount(me, minlength=n_meas)
    if deg_t.max() == 1 and deg_m.max() == 1 and (tr.size == 1 or (tr[1:] > tr[:-1]).all()):
        # every pair alone in its cluster, already in track order (the order below)
        best = np.flatnonzero(gated.d2 < miss_cost)
        return tr[best], me[best]
    # A cluster with one track or one measurement is solved by its smallest d²: only one
    # pair of it can be used, and any pair under the miss cost beats leaving the track
    # unassigned.  Such clusters are found from node degrees alone: a track whose
    # measurements gate to no other track, or a measurement whose tracks gate to no
    # other measurement.
    lone_track = np.bincount(tr, weights=deg_m[me] > 1, minlength=n_tracks)[tr] == 0
    lone_meas = np.bincount(me, weights=deg_t[tr] > 1, minlength=n_meas)[me] == 0
    simple = lone_track | lone_meas
    pair_label = np.where(lone_track, tr, n_tracks + me)
    idx = np.flatnonzero(simple)
    order = idx[np.lexsort((gated.d2[idx], pair_label[idx]))]
    first = np.ones(order.size, dtype=bool)
    first[1:] = pair_label[order[1:]] != pair_label[order[:-1]]
    best = order[first]
    best = best[gated.d2[best] < miss_cost]
    out_t: list[I64] = [tr[best]]
    out_m: list[I64] = [me[best]]
    rest = np.flatnonzero(~simple)
    if rest.size:
        sub = Gated(tr[rest], me[rest], gated.d2[rest])
        label = _clusters(sub, n_tracks, n_meas)[sub.track]
        order = np.argsort(label, kind="stable")
        bounds = np.flatnonzero(np.diff(label[order])) + 1
        for chunk in np.split(order, bounds):
            t, m = _solve_cluster(sub, chunk, miss_cost)
            out_t.append(t)
            out_m.append(m)
    return np.concatenate(out_t), np.concatenate(out_m)


def _clusters(gated: Gated, n_tracks: int, n_meas: int) -> I64:
    """Connected-component label of every track (first ``n_tracks``) and measurement."""
    size = n_tracks + n_meas
    order = np.argsort(gated.track, kind="stable")
    indptr = np.zeros(size + 1, dtype=np.int32)
    indptr[1: n_tracks + 1] = np.cumsum(np.bincount(gated.track, minlength=n_tracks))
    indptr[n_tracks + 1:] = indptr[n_tracks]
    cols = (n_tracks + gated.meas[order]).astype(np.int32)
    graph = csr_matrix((np.ones(cols.size, dtype=np.int8), cols, indptr), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    return np.asarray(label, dtype=np.intp)


def _solve_cluster(gated: Gated, chunk: I64, miss_cost: float) -> tuple[I64, I64]:
    """2-D assignment of one cluster on the matrix [d² | diag(miss_cost)]."""
    t_ids, t_loc = np.unique(gated.track[chunk], return_inverse=True)
    m_ids, m_loc = np.unique(gated.meas[chunk], return_inverse=True)
    nt, nm = t_ids.size, m_ids.size
    big = miss_cost * 10.0 + gated.d2[chunk].max() + 1.0
    cost = np.full((nt, nm + nt), big)
    cost[t_loc, m_loc] = gated.d2[chunk]
    cost[np.arange(nt), nm + np.arange(nt)] = miss_cost
    rows, cols = linear_sum_assignment(cost)
    real = (cols < nm) & (cost[rows, cols] < big)
    return t_ids[rows[real]], m_ids[cols[real]]
