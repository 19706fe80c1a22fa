"""Joint probabilistic data association (JPDA): marginal association probabilities
and the PDA state update, vectorised across tracks.

Model (standard parametric JPDA; Fortmann, Bar-Shalom & Scheffe, IEEE J. Oceanic
Eng. 8(3), 1983; Bar-Shalom & Fortmann, *Tracking and Data Association*, 1988;
Bar-Shalom, Willett & Tian, *Tracking and Data Fusion*, 2011, §6): every track i is
detected with probability ``pd_i`` and its measurement falls in the gate with
probability ``pg_i``; clutter is Poisson with spatial density λ [1/(unit measurement
volume), e.g. 1/m² for 2-D positions].  A feasible joint event θ gives each track at
most one gated measurement and each measurement at most one track; its weight is

    w(θ) = ∏_{(i,j)∈θ} pd_i g_ij / λ · ∏_{i missed in θ} (1 − pd_i pg_i)

with g_ij = N(ν_ij; 0, S_i) the innovation likelihood.  The marginals are
β_ij = Σ_{θ∋(i,j)} w(θ) / Σ_θ w(θ) and β_i0 = 1 − Σ_j β_ij.  Dividing every w(θ) by
the constant ∏_i (1 − pd_i pg_i) turns this into a product over assigned pairs of the
ratio ψ_ij = pd_i g_ij / (λ (1 − pd_i pg_i)); everything below works with log ψ.

Clusters are the connected components of the gated track–measurement graph and are
independent.  A track whose gated measurements are gated to no other track (the
common case) is a cluster of its own and has the PDAF closed form
β_ij = ψ_ij / (1 + Σ_j' ψ_ij'), done for all such tracks at once.  Other clusters
are enumerated exactly, all together (numpy rows of joint events grown one track at
a time), when they have at most ``max_exact_hypotheses`` feasible events (a cheap
lower bound screens out the hopeless ones; the count is checked as the rows grow);
the rest are solved approximately, all together, by loopy belief propagation on the
association graph (J. L. Williams & R. A. Lau, "Approximate evaluation of marginal
association probabilities with belief propagation", IEEE TAES 50(4), 2014).  BP is
exact on cycle-free clusters; on dense ones with few false alarms its marginals can
be off by several 1e-2 (see ``docs/association.md``).

With pd·pg = 1 a miss would have weight 0; 1 − pd·pg is floored at the smallest
normal double, which gives the limit pd·pg → 1 and keeps every cluster solvable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["Marginals", "jpda_marginals", "jpda_update", "pad_candidates",
           "pair_log_likelihood"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]
B8 = NDArray[np.bool_]

_LOG_2PI = float(np.log(2.0 * np.pi))
_TINY = float(np.finfo(float).tiny)  #: floor of 1 − pd·pg, so pd = pg = 1 stays finite


@dataclass(frozen=True)
class Marginals:
    """Marginal association probabilities of one scan."""

    beta: F64  #: (npairs,) P(measurement meas[i] is track track[i]'s), aligned with the pairs
    beta0: F64  #: (n_tracks,) P(no measurement is the track's)
    exact: B8  #: (n_tracks,) True where the track's cluster was solved exactly (not by BP)


def pair_log_likelihood(d2: ArrayLike, S_logdet: ArrayLike, m: int) -> F64:
    """log N(ν; 0, S) = −½ (d² + log det S + m log 2π) of every pair.

    Parameters
    ----------
    d2
        Mahalanobis distances² νᵀ S⁻¹ ν ``(npairs,)``.
    S_logdet
        log det S of each pair's track ``(npairs,)`` (or a scalar) [log of measurement
        units^(2m)].
    m
        Measurement dimension.
    """
    return -0.5 * (np.asarray(d2, dtype=float) + np.asarray(S_logdet, dtype=float)
                   + m * _LOG_2PI)


def _per_track(value: ArrayLike, n: int, name: str) -> F64:
    a = np.broadcast_to(np.asarray(value, dtype=float), (n,))
    if not np.all((a > 0.0) & (a <= 1.0)):
        raise ValueError(f"{name} must lie in (0, 1], got {value!r}")
    return a


def _log1p_sum(group: I64, values: F64, n: int) -> F64:
    """log(1 + Σ exp(values)) over each group 0..n-1 (0 for an empty group), stably."""
    top = np.zeros(n)
    np.maximum.at(top, group, values)
    s = np.exp(-top) + np.bincount(group, np.exp(values - top[group]), minlength=n)
    return top + np.log(s)


def jpda_marginals(track: ArrayLike, meas: ArrayLike, log_lik: ArrayLike, n_tracks: int,
                   n_meas: int, pd: ArrayLike, pg: ArrayLike, clutter_density: float, *,
                   max_exact_hypotheses: int = 20000, lbp_iterations: int = 200,
                   lbp_tol: float = 1e-10) -> Marginals:
    """JPDA marginal association probabilities of gated track–measurement pairs.

    Parameters
    ----------
    track, meas
        Gated pairs ``(npairs,)`` (track index, measurement index), each pair once, e.g.
        :class:`tate.tracking.association.Gated`.
    log_lik
        log g_ij = log N(ν_ij; 0, S_i) of each pair ``(npairs,)``, see
        :func:`pair_log_likelihood`.
    n_tracks, n_meas
        Numbers of tracks and measurements.
    pd, pg
        Detection and gate probabilities in (0, 1], scalars or per track ``(n_tracks,)``.
    clutter_density
        Clutter density λ > 0 [1/(unit measurement volume)].
    max_exact_hypotheses
        Largest number of feasible joint events of a multi-track cluster that is
        enumerated exactly; larger clusters use loopy belief propagation.
    lbp_iterations, lbp_tol
        Iteration cap and convergence tolerance (max change of a log message) of BP.

    Returns
    -------
    Marginals
        β per pair, β0 per track, and which tracks were solved exactly.

    Notes
    -----
    Event weights and clusters as in the module docstring.  A track with no gated
    measurement gets β0 = 1.  Measurements gated to no track cost nothing.
    """
    track = np.asarray(track, dtype=np.intp).ravel()
    meas = np.asarray(meas, dtype=np.intp).ravel()
    log_lik = np.asarray(log_lik, dtype=float).ravel()
    if not track.size == meas.size == log_lik.size:
        raise ValueError("track, meas and log_lik must have the same length")
    if not clutter_density > 0.0:
        raise ValueError(f"clutter_density must be > 0, got {clutter_density}")
    pd_t, pg_t = _per_track(pd, n_tracks, "pd"), _per_track(pg, n_tracks, "pg")
    miss = np.maximum(1.0 - pd_t * pg_t, _TINY)
    lp = np.log(pd_t / miss)[track] + log_lik - np.log(clutter_density)  # log ψ_ij

    beta = np.empty(track.size)
    exact = np.ones(n_tracks, dtype=bool)
    shared = np.bincount(meas, minlength=n_meas)[meas] > 1
    multi = np.zeros(n_tracks, dtype=bool)
    multi[track[shared]] = True
    single = ~multi[track]
    log_norm = _log1p_sum(track[single], lp[single], n_tracks)
    beta[single] = np.exp(lp[single] - log_norm[track[single]])
    beta0 = np.exp(-log_norm)
    if single.all():
        return Marginals(beta, beta0, exact)

    rest = np.flatnonzero(~single)
    beta[rest], tids, beta0[tids], exact[tids] = _solve_shared(
        track[rest], meas[rest], lp[rest], n_tracks, n_meas, max_exact_hypotheses,
        lbp_iterations, lbp_tol)
    return Marginals(beta, beta0, exact)


def _solve_shared(track: I64, meas: I64, lp: F64, n_tracks: int, n_meas: int, limit: int,
                  iterations: int, tol: float) -> tuple[F64, I64, F64, B8]:
    """Marginals of the pairs of multi-track clusters: exact enumeration where a
    cluster has at most ``limit`` events, belief propagation elsewhere.

    Returns β per pair, the tracks involved, their β0 and whether each was exact.
    """
    c = _clusters(track, meas, n_tracks, n_meas)
    slot_cl = np.repeat(np.arange(c.nt.size), c.nt)
    beta = np.empty(track.size)
    beta0 = np.empty(c.slot_track.size)
    done = np.zeros(c.nt.size, dtype=bool)
    if limit >= 1:
        lower, _ = _log_count_bounds(np.bincount(c.slot, minlength=slot_cl.size), slot_cl,
                                     c.first)
        todo = lower <= np.log(limit)
        if todo.any():
            b, b0, done = _enumerate(c, lp, todo, limit)
            beta[done[c.cl]], beta0[done[slot_cl]] = b[done[c.cl]], b0[done[slot_cl]]
    bp = np.flatnonzero(~done[c.cl])
    if bp.size:
        beta[bp], tids, b0 = _loopy_bp(track[bp], meas[bp], lp[bp], iterations, tol)
        lookup = np.full(n_tracks, -1, dtype=np.intp)
        lookup[tids] = np.arange(tids.size)
        bp_slot = ~done[slot_cl]
        beta0[bp_slot] = b0[lookup[c.slot_track[bp_slot]]]
    return beta, c.slot_track, beta0, done[slot_cl]


@dataclass(frozen=True)
class _Clusters:
    """Multi-track clusters.  Per pair: cluster ``cl``, track slot ``slot`` (slots of a
    cluster are ``first[k] .. first[k] + nt[k] - 1``) and measurement index ``ml`` local
    to the cluster; per slot the global track ``slot_track``."""

    cl: I64
    slot: I64
    ml: I64
    slot_track: I64
    first: I64
    nt: I64


def _rank_in_group(item: I64, group: I64) -> I64:
    """Index of each entry's item among the distinct items of its group."""
    u, inv = np.unique(item, return_inverse=True)
    g = np.empty(u.size, dtype=np.intp)
    g[inv] = group
    return _layout(g)[1][inv]


def _clusters(t: I64, m: I64, n_tracks: int, n_meas: int) -> _Clusters:
    """Connected components of the gated graph of pairs (t, m), numbered locally."""
    n = n_tracks + n_meas
    graph = coo_matrix((np.ones(t.size), (t, n_tracks + m)), shape=(n, n))
    label = connected_components(graph, directed=False)[1]
    cl = np.unique(label[t], return_inverse=True)[1]
    tl = _rank_in_group(t, cl)
    nt = np.zeros(int(cl.max()) + 1, dtype=np.intp)
    np.maximum.at(nt, cl, tl + 1)
    first = np.cumsum(nt) - nt
    slot = first[cl] + tl
    slot_track = np.empty(int(nt.sum()), dtype=np.intp)
    slot_track[slot] = t
    return _Clusters(cl, slot, _rank_in_group(m, cl), slot_track, first, nt)


def _log_count_bounds(counts: I64, cluster: I64, first: I64) -> tuple[F64, F64]:
    """log lower and upper bounds on the number of feasible events of each cluster,
    from the number of gated measurements ``counts`` of each track (slot); ``cluster``
    (sorted) gives each slot's cluster and ``first`` each cluster's first slot.

    Upper: ∏ (1 + c_i).  Lower: taking tracks in decreasing c, any partial event of the
    first r tracks uses at most r measurements, so it extends in at least
    1 + max(0, c − r) ways.
    """
    k = first.size
    upper = np.bincount(cluster, np.log1p(counts), minlength=k).astype(float)
    order = np.lexsort((-counts, cluster))
    rank = np.arange(order.size) - first[cluster[order]]
    lower = np.bincount(cluster[order], np.log1p(np.maximum(counts[order] - rank, 0)),
                        minlength=k).astype(float)
    return lower, upper


def _enumerate(c: _Clusters, lp: F64, todo: B8, limit: int) -> tuple[F64, F64, B8]:
    """Exact marginals of the clusters ``todo`` by listing every feasible joint event.

    All clusters grow together, one track slot at a time: each event row is copied
    once per free gated measurement of the next track (and kept once for a miss).  A
    cluster is dropped as soon as it has more than ``limit`` events (the count never
    shrinks as tracks are added).  Returns β per pair, β0 per slot and the clusters
    finished.
    """
    k = c.nt.size
    _, col, shape = _layout(c.slot)
    cand = np.full(shape, -1, dtype=np.intp)  # slot -> its pairs, −1 padding
    cand[c.slot, col] = np.arange(c.slot.size)
    rc = np.flatnonzero(todo)  # cluster of each event row
    nt_max = int(c.nt[rc].max())
    logw = np.zeros(rc.size)
    used = np.zeros((rc.size, int(c.ml.max()) + 1), dtype=bool)
    pick = np.full((rc.size, nt_max), -1, dtype=np.intp)  # pair taken per slot, −1 missed
    alive = todo.copy()
    for s in range(nt_max):
        ha = np.flatnonzero(c.nt[rc] > s)
        cs = cand[c.first[rc[ha]] + s]
        hi, ki = np.nonzero((cs >= 0) & ~used[ha[:, None], c.ml[cs]])
        src, pair = ha[hi], cs[hi, ki]
        over = np.bincount(rc, minlength=k) + np.bincount(rc[src], minlength=k) > limit
        if over.any():
            alive &= ~over
            src, pair = src[~over[rc[src]]], pair[~over[rc[src]]]
            keep = np.flatnonzero(~over[rc])
            src = np.searchsorted(keep, src)  # surviving rows are renumbered
            rc, logw, used, pick = rc[keep], logw[keep], used[keep], pick[keep]
        new_used, new_pick = used[src], pick[src]
        new_used[np.arange(src.size), c.ml[pair]] = True
        new_pick[:, s] = pair
        rc = np.concatenate([rc, rc[src]])
        logw = np.concatenate([logw, logw[src] + lp[pair]])
        used = np.concatenate([used, new_used])
        pick = np.concatenate([pick, new_pick])
    top = np.full(k, -np.inf)
    np.maximum.at(top, rc, logw)
    p = np.exp(logw - top[rc])
    p /= np.bincount(rc, p, minlength=k)[rc]
    pw = np.broadcast_to(p[:, None], pick.shape)
    hit = pick >= 0
    beta = np.bincount(pick[hit], pw[hit], minlength=c.slot.size).astype(float)
    s_idx = np.arange(nt_max)
    miss = ~hit & (s_idx < c.nt[rc][:, None])
    slots = c.first[rc][:, None] + s_idx
    beta0 = np.bincount(slots[miss], pw[miss], minlength=c.slot_track.size).astype(float)
    return beta, beta0, alive


def _layout(group: I64) -> tuple[I64, I64, tuple[int, int]]:
    """Row and column of each edge in a padded (groups × largest group) array."""
    _, row = np.unique(group, return_inverse=True)
    order = np.argsort(row, kind="stable")
    counts = np.bincount(row)
    start = np.cumsum(counts) - counts
    col = np.empty_like(row)
    col[order] = np.arange(row.size) - start[row[order]]
    return row, col, (counts.size, int(counts.max()))


def _loo_logsumexp(values: F64, row: I64, col: I64, shape: tuple[int, int]) -> F64:
    """log Σ exp(values) over the *other* edges of each edge's group (−∞ if alone),
    from prefix and suffix log-sums (no subtraction, so no cancellation)."""
    X = np.full(shape, -np.inf)
    X[row, col] = values
    pad = np.full((shape[0], 1), -np.inf)
    pre = np.concatenate([pad, np.logaddexp.accumulate(X, axis=1)[:, :-1]], axis=1)
    suf = np.logaddexp.accumulate(X[:, ::-1], axis=1)[:, ::-1]
    suf = np.concatenate([suf[:, 1:], pad], axis=1)
    return np.logaddexp(pre[row, col], suf[row, col])


def _loopy_bp(track: I64, meas: I64, lp: F64, iterations: int, tol: float
              ) -> tuple[F64, I64, F64]:
    """Approximate marginals by belief propagation (Williams & Lau 2014).

    With ψ_i0 = 1 and a clutter weight of 1 for every measurement, the messages from
    track i to measurement j and back are

        μ_ij = ψ_ij / (1 + Σ_{j'≠j} ψ_ij' ν_j'i),   ν_ji = 1 / (1 + Σ_{i'≠i} μ_i'j),

    iterated from ν = 1 (they converge; Williams & Lau prove it).  The beliefs are
    β_ij ∝ ψ_ij ν_ji and β_i0 ∝ 1.  Done in log space on all edges at once.
    """
    t_row, t_col, t_shape = _layout(track)
    m_row, m_col, m_shape = _layout(meas)
    log_nu = np.zeros(track.size)
    for _ in range(iterations):
        log_mu = lp - np.logaddexp(0.0, _loo_logsumexp(lp + log_nu, t_row, t_col, t_shape))
        new = -np.logaddexp(0.0, _loo_logsumexp(log_mu, m_row, m_col, m_shape))
        step = float(np.max(np.abs(new - log_nu)))
        log_nu = new
        if step < tol:
            break
    a = lp + log_nu
    tids = np.unique(track)
    log_norm = _log1p_sum(t_row, a, tids.size)
    return np.exp(a - log_norm[t_row]), tids, np.exp(-log_norm)


def pad_candidates(rows_of_tracks: ArrayLike, track: ArrayLike, meas: ArrayLike,
                   beta: ArrayLike, z: F64) -> tuple[F64, F64]:
    """Gated measurements and their weights of the listed tracks, as padded arrays.

    Parameters
    ----------
    rows_of_tracks
        Distinct track indices ``(r,)``; row i of the outputs belongs to track
        ``rows_of_tracks[i]``.
    track, meas, beta
        Gated pairs and their association probabilities ``(npairs,)``.
    z
        Measurements ``(p, m)``.

    Returns
    -------
    Z (r, c, m), B (r, c)
        Each row's gated measurements in pair order and their β, c being the most
        candidates of any listed track; padding has Z = 0 and B = 0.
    """
    rows = np.asarray(rows_of_tracks, dtype=np.intp).ravel()
    track = np.asarray(track, dtype=np.intp).ravel()
    meas = np.asarray(meas, dtype=np.intp).ravel()
    beta = np.asarray(beta, dtype=float).ravel()
    z = np.asarray(z, dtype=float)
    size = 1 + max(int(rows.max(initial=-1)), int(track.max(initial=-1)))
    lookup = np.full(size, -1, dtype=np.intp)
    lookup[rows] = np.arange(rows.size)
    row_of = lookup[track]
    sel = np.flatnonzero(row_of >= 0)
    sel = sel[np.argsort(row_of[sel], kind="stable")]
    r_sel = row_of[sel]
    counts = np.bincount(r_sel, minlength=rows.size)
    col = np.arange(sel.size) - (np.cumsum(counts) - counts)[r_sel]
    c = int(counts.max(initial=0))
    Z = np.zeros((rows.size, c, z.shape[1]))
    B = np.zeros((rows.size, c))
    Z[r_sel, col] = z[meas[sel]]
    B[r_sel, col] = beta[sel]
    return Z, B


def jpda_update(x: F64, P: F64, Z: F64, B: F64, beta0: ArrayLike, H: F64, R: F64
                ) -> tuple[F64, F64]:
    """PDA state update of every track from its weighted gated measurements.

    Parameters
    ----------
    x, P
        Predicted states ``(r, k)`` and covariances ``(r, k, k)``.
    Z, B
        Candidates ``(r, c, m)`` and their β ``(r, c)``, e.g. from :func:`pad_candidates`.
    beta0
        β0 of each track ``(r,)``.
    H, R
        Measurement matrix ``(m, k)``; noise ``(m, m)`` or per track ``(r, m, m)``.

    Returns
    -------
    x_new (r, k), P_new (r, k, k)

    Notes
    -----
    With ν_j = z_j − H x, ν = Σ β_j ν_j, S = H P Hᵀ + R and K = P Hᵀ S⁻¹:
    x⁺ = x + K ν and P⁺ = β0 P + (1 − β0) Pᶜ + K (Σ β_j ν_j ν_jᵀ − ν νᵀ) Kᵀ, where Pᶜ is
    the Kalman-updated covariance (Joseph form); the last term is the spread of the
    innovations (Bar-Shalom, Daum & Huang, "The probabilistic data association
    filter", IEEE Control Systems 29(6), 2009).
    """
    b0 = np.asarray(beta0, dtype=float)
    nu = Z - np.einsum("ij,rj->ri", H, x)[:, None, :]
    nu_bar = np.einsum("rc,rci->ri", B, nu)
    PHt = P @ H.T
    S = H @ PHt + R
    K = np.swapaxes(np.linalg.solve(S, np.swapaxes(PHt, -1, -2)), -1, -2)
    x_new = x + np.einsum("rij,rj->ri", K, nu_bar)
    IKH = np.eye(x.shape[-1]) - K @ H
    Pc = IKH @ P @ np.swapaxes(IKH, -1, -2) + K @ R @ np.swapaxes(K, -1, -2)
    spread = (np.einsum("rc,rci,rcj->rij", B, nu, nu)
              - nu_bar[:, :, None] * nu_bar[:, None, :])
    P_new = (b0[:, None, None] * P + (1.0 - b0)[:, None, None] * Pc
             + K @ spread @ np.swapaxes(K, -1, -2))
    return x_new, 0.5 * (P_new + np.swapaxes(P_new, -1, -2))
