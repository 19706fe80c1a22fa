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
from scipy.sparse import coo_matrix
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
    label = _clusters(gated, n_tracks, n_meas)
    pair_label = label[gated.track]
    n_labels = int(label.max()) + 1
    tracks_in = np.bincount(label[:n_tracks], minlength=n_labels)
    meas_in = np.bincount(label[n_tracks:], minlength=n_labels)
    # A cluster with one track or one measurement is solved by its smallest d²: every
    # pair in the gate costs less than leaving the track unassigned (d² ≤ γ = miss cost
    # when gating at the miss cost), and only one pair can be used.
    simple = (tracks_in[pair_label] == 1) | (meas_in[pair_label] == 1)
    idx = np.flatnonzero(simple)
    order = idx[np.lexsort((gated.d2[idx], pair_label[idx]))]
    first = np.ones(order.size, dtype=bool)
    first[1:] = pair_label[order[1:]] != pair_label[order[:-1]]
    best = order[first]
    best = best[gated.d2[best] < miss_cost]
    out_t: list[I64] = [gated.track[best]]
    out_m: list[I64] = [gated.meas[best]]
    rest = np.flatnonzero(~simple)
    if rest.size:
        order = rest[np.argsort(pair_label[rest], kind="stable")]
        bounds = np.flatnonzero(np.diff(pair_label[order])) + 1
        for chunk in np.split(order, bounds):
            t, m = _solve_cluster(gated, chunk, miss_cost)
            out_t.append(t)
            out_m.append(m)
    return np.concatenate(out_t), np.concatenate(out_m)


def _clusters(gated: Gated, n_tracks: int, n_meas: int) -> I64:
    """Connected-component label of every track (first ``n_tracks``) and measurement."""
    graph = coo_matrix((np.ones(gated.track.size), (gated.track, n_tracks + gated.meas)),
                       shape=(n_tracks + n_meas, n_tracks + n_meas))
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
