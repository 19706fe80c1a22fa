"""Compiled twin of the tracker's GNN association of one radar scan, in one call.

:meth:`~.tracker.Tracker._associate_and_update` for the engine's configuration (a KF/EKF
filter, radar range/azimuth/elevation scans, GNN association) calls, per scan, the
compiled kernels of :mod:`._scan_jit` one after another with numpy glue between them:
the candidate pairs and their moments (:func:`~._scan_jit.radar_pairs`), the clutter
estimate, then for the confirmed tracks and again for the tentative tracks on the
detections left over: the gated pairs (:func:`~._scan_jit.group_keep`), the GNN clusters
(:func:`~._scan_jit.gnn_clusters`), the EKF update of the assigned pairs
(:func:`~._scan_jit.radar_gnn_update`) and each track's score gain.  :func:`radar_gnn_scan`
makes the same calls, in the same order with the same arguments, from one compiled
function (the pre-gate's eigenvalues computed only where needed,
:func:`~._pregate_jit.radar_pairs_lazy`, the same values where used), so the numbers are
those of the step-by-step compiled path bit for bit; the
numpy glue it replaces (the pair log-likelihood −½ (d² + log det S + m log 2π), the gain
log P_D + ℓ − log λ, the hit and used flags) is elementwise arithmetic in the same order.

It does not mutate its inputs and gives up (``status`` ≠ 0) wherever the step-by-step
path would leave the compiled kernels: an innovation covariance that is not
positive-definite (status 1: that path raises), a pair too close to a pre-gate radius to
call without the kd-tree, or a GNN cluster that needs a 2-D assignment (status 2: SciPy's
solver); the tracker then runs the step-by-step path on the untouched state.
:func:`radar_scan_step` folds the rest of ``Tracker.ingest`` around it into the same call
(the KF prediction, the detections' positions, the track management and the one-point
initiation, one allocation per book field), the same kernels in the same order.  Units: as
the tracker (m, rad, s); the state is in the tracker's ENU frame.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit
from tate.tracking._pregate_jit import lam_r_max, radar_pairs_lazy
from tate.tracking._scan_jit import (
    clutter_density,
    gnn_clusters,
    group_keep_into,
    init_state,
    kf_predict,
    manage_book,
    radar_gnn_update,
    rae_positions,
)

if TYPE_CHECKING:
    from tate.tracking.measurement import RAEMeas
    from tate.tracking.tracker import Tracker

__all__ = ["associate_scan", "ingest_scan", "radar_gnn_scan", "radar_scan_step", "scan_params"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]
B8 = NDArray[np.bool_]


@njit
def _log(a: float) -> float:
    """``math.log`` as the kernel computes it (tested equal to ``np.log``)."""
    return math.log(a)


@njit
def radar_gnn_scan(x: F64, P: F64, z: F64, pos: F64, pos_cov: F64, sensor: F64, rot: F64,
                   has_rot: bool, R: F64, confirmed: B8, gamma: float, slack: float,
                   loose_factor: float, band: float, pd: float, clutter: float,
                   miss_gain: float, log_pd: float, m_log_2pi: float
                   ) -> tuple[int, F64, F64, B8, B8, F64, F64, int]:
    """GNN association and update of a predicted state (``x (n, k)``, ``P (n, k, k)``)
    with radar scan ``z (p, 3)`` (tracker-frame positions ``pos``, covariances
    ``pos_cov``; ``sensor``, ``rot``, ``R`` with a leading row axis of 1 or p).

    ``clutter``: the clutter density, NaN to estimate it; ``miss_gain``: the score gain of
    a track without a detection, log(1 − P_D); ``log_pd``: log P_D; ``m_log_2pi``:
    3 log 2π.  Returns ``(status, x, P, hit, used, gain, nis, n_nis)``: status 0 (done),
    1 (some S not positive-definite) or 2 (the step-by-step path must decide); the
    updated state (copies), the tracks detected, the detections used, the score gain of
    each track and the NIS of the confirmed tracks' updates (``n_nis`` of them, −1: no
    confirmed update)."""
    n = x.shape[0]
    p = z.shape[0]
    flags = np.zeros(2 * (n + p), dtype=np.bool_)  # hit, used, group, free: one allocation
    hit, used = flags[:n], flags[n:n + p]
    group, free = flags[n + p:2 * n + p], flags[2 * n + p:]
    gain = np.full(n, miss_gain)
    nis_c = gain[:0]
    n_nis = -1
    (ok, ti, mj, d2, logdet, dist2, lam_p, lam_r, known_r, ub_r, lazy, index, nu, J, C,
     JC) = radar_pairs_lazy(x, P, z, pos, pos_cov, sensor, rot, has_rot, R, gamma, slack,
                            loose_factor)
    if not ok:
        return 1, x, P, hit, used, gain, nis_c, n_nis
    n_conf = 0
    for i in range(n):
        n_conf += 1 if confirmed[i] else 0
    lam = clutter if not math.isnan(clutter) else clutter_density(z, R, pd, n_conf)
    log_lam = _log(lam)
    wb, fd2 = ti[:0], d2[:0]  # (work arrays, allocated at the first group with pairs)
    for g in range(2):
        any_row = False
        for i in range(n):
            group[i] = confirmed[i] if g == 0 else not confirmed[i]
            any_row = any_row or group[i]
        any_col = False
        for j in range(p):
            free[j] = not used[j]
            any_col = any_col or free[j]
        if not (any_row and any_col):
            continue
        if ti.size == 0:  # (no pair: nothing kept)
            continue
        r_max = lam_r_max(lam_r, known_r, ub_r, pos_cov, free, lazy)
        c_all = ti.size
        if wb.size == 0:  # (kept pairs, their tracks, detections, assigned pairs; their d²)
            wb, fd2 = np.empty(4 * c_all, dtype=np.intp), np.empty(c_all)
        keep = wb[:c_all]
        ok, m = group_keep_into(ti, mj, d2, dist2, lam_p, r_max, group, free, gamma, slack,
                                band, keep)
        if not ok:
            return 2, x, P, hit, used, gain, nis_c, n_nis
        if m == 0:
            continue
        gt, gm, gd2 = wb[c_all:c_all + m], wb[2 * c_all:2 * c_all + m], fd2[:m]
        for q in range(m):
            c = keep[q]
            gt[q], gm[q], gd2[q] = ti[c], mj[c], d2[c]
        tr, me, rest, _ = gnn_clusters(gt, gm, gd2, n, p, gamma)
        if rest.size:
            return 2, x, P, hit, used, gain, nis_c, n_nis
        if tr.size:
            sup = wb[3 * c_all:3 * c_all + tr.size]
            for q in range(tr.size):
                sup[q] = index[tr[q], me[q]]
            ok, x, P, nis = radar_gnn_update(x, P, sup, ti, mj, J, C, JC, nu, R)
            if not ok:
                return 1, x, P, hit, used, gain, nis_c, n_nis
            if g == 0:
                nis_c = nis
                n_nis = nis.size
            for q in range(tr.size):
                c = sup[q]  # (the kept pair of track tr[q] and detection me[q])
                ll = -0.5 * (d2[c] + logdet[c] + m_log_2pi)
                gain[tr[q]] = log_pd + ll - log_lam
        for q in range(tr.size):
            hit[tr[q]] = True
            used[me[q]] = True
    return 0, x, P, hit, used, gain, nis_c, n_nis


def associate_scan(tr: Tracker, z: F64, meas: RAEMeas, pos: F64, pos_cov: F64, gamma: float
                   ) -> tuple[B8, B8] | None:
    """``Tracker._associate_fused``: :func:`radar_gnn_scan` on tracker ``tr``'s predicted
    state and book, then the state, NIS sums and scores updated as the step-by-step path
    does; None (``tr`` untouched) where that path must decide."""
    from tate.tracking.filters import GaussState
    from tate.tracking.jpda import _LOG_2PI
    from tate.tracking.pairs import _BAND, _LOOSE, _NO_ROT, _per_row

    c = tr.config
    miss_gain, log_pd, _ = tr._constants()
    has_rot = meas.rotation is not None
    rot = _per_row(meas.rotation, 2) if has_rot else _NO_ROT
    status, x, P, hit, used, gain, nis, n_nis = radar_gnn_scan(
        tr.state.x, tr.state.P, z, pos, pos_cov, _per_row(meas.sensor_pos, 1), rot,
        has_rot, _per_row(meas.R, 2), tr.book.confirmed, gamma, 1.5, _LOOSE, _BAND,
        c.pd, np.nan if c.clutter_density is None else c.clutter_density,
        miss_gain, log_pd, 3 * _LOG_2PI)
    if status:
        return None
    if hit.any():
        tr.state = GaussState(x, P)
    if n_nis >= 0:
        tr._add_nis(nis, 3)
    tr.book.score = tr.book.score + gain
    return hit, used


@njit
def _copy_row(x: F64, P: F64, i: int, ox: F64, oP: F64, r: int) -> None:
    """``ox[r] = x[i]``, ``oP[r] = P[i]`` indexed in place (no views)."""
    for a in range(x.shape[1]):
        ox[r, a] = x[i, a]
        for b in range(P.shape[2]):
            oP[r, a, b] = P[i, a, b]


@njit
def radar_scan_step(x: F64, P: F64, predict: bool, F: F64, Q: F64, z: F64, sensor: F64,
                    rot: F64, has_rot: bool, R: F64, ids: I64, hits_window: I64, scans: I64,
                    misses: I64, confirmed: B8, score: F64, t_init: F64, t_hit: F64,
                    n_hits: I64, t: float, next_id: int, fp: F64, ip: I64,
                    extra_mean: F64, extra_std: F64) -> tuple[
                        int, F64, F64, F64, F64, F64, int, I64, I64, I64, I64, B8, F64, F64,
                        F64, I64]:
    """One radar scan of ``Tracker.ingest`` (engine configuration) in one call: the KF
    prediction (:func:`~._scan_jit.kf_predict`, if ``predict``, with ``F``, ``Q``), the
    detections' positions (:func:`~._scan_jit.rae_positions`), the GNN association and
    update (:func:`radar_gnn_scan`), the score gains, the track management
    (:func:`~._scan_jit.manage_book`) and the one-point initiation of the detections left
    (:func:`~._scan_jit.init_state`), the same kernels in the order of the step path.

    ``fp``: gamma, slack, loose factor, band, P_D, clutter density (NaN: estimate),
    log(1 − P_D), log P_D, 3 log 2π, confirm window [s] (NaN: scan counts), delete-after
    [s] (NaN: miss counts), variance limit [m²] (inf: none), initial speed σ [m/s];
    ``ip``: M, N, delete-after misses, dim, new tracks confirmed (0/1) (:func:`scan_params`).
    Returns ``(status, x, P, pos, pos_cov, nis, n_nis, ids, hits_window, scans, misses,
    confirmed, score, t_init, t_hit, n_hits)``, the book's rows after the scan (new arrays;
    the input book is not touched); ``status`` ≠ 0: :func:`radar_gnn_scan` gave up, ``x``,
    ``P`` are the predicted state, ``pos``, ``pos_cov`` the detections' and the book is
    returned as given, for the step path to finish the scan."""
    n, k = x.shape[0], x.shape[1]
    p = z.shape[0]
    if predict and n:
        x, P = kf_predict(x, P, F, Q)
    pos, cov = rae_positions(z, sensor, rot, has_rot, R)
    if n and p:
        status, xu, Pu, hit, used, gain, nis, n_nis = radar_gnn_scan(
            x, P, z, pos, cov, sensor, rot, has_rot, R, confirmed, fp[0], fp[1], fp[2],
            fp[3], fp[4], fp[5], fp[6], fp[7], fp[8])
        if status:
            return (status, x, P, pos, cov, nis, n_nis, ids, hits_window, scans, misses,
                    confirmed, score, t_init, t_hit, n_hits)
        x, P = xu, Pu
    else:
        n_nis = -1
        gain = np.full(n, fp[6])
        nis = gain[:0]
        flags = np.zeros(n + p, dtype=np.bool_)
        hit, used = flags[:n], flags[n:]
    n_new = 0
    for j in range(p):
        n_new += 0 if used[j] else 1
    size = n + n_new
    ob = np.empty(5 * size, dtype=np.intp)  # the book: one integer, one float, one flag array
    o_ids, o_hw, o_sc = ob[:size], ob[size:2 * size], ob[2 * size:3 * size]
    o_mi, o_nh = ob[3 * size:4 * size], ob[4 * size:]
    o_cf = np.empty(size, dtype=np.bool_)
    sk = size * k
    of = np.empty(3 * size + sk + sk * k)  # score, t_init, t_hit, x, P
    o_s, o_ti, o_th = of[:size], of[size:2 * size], of[2 * size:3 * size]
    o_x = of[3 * size:3 * size + sk].reshape((size, k))
    o_P = of[3 * size + sk:].reshape((size, k, k))
    for i in range(n):
        o_ids[i], o_hw[i], o_sc[i], o_mi[i] = ids[i], hits_window[i], scans[i], misses[i]
        o_cf[i], o_s[i], o_ti[i], o_th[i] = confirmed[i], score[i] + gain[i], t_init[i], t_hit[i]
        o_nh[i] = n_hits[i]
    _, drop = manage_book(o_hw[:n], o_sc[:n], o_mi[:n], o_nh[:n], o_th[:n], o_ti[:n],
                          o_cf[:n], hit, t, ip[0], ip[1], fp[9], ip[2], fp[10], fp[11], P,
                          ip[3])
    r = 0
    for i in range(n):
        if drop[i]:
            continue
        o_ids[r], o_hw[r], o_sc[r], o_mi[r] = o_ids[i], o_hw[i], o_sc[i], o_mi[i]
        o_cf[r], o_s[r], o_ti[r], o_th[r], o_nh[r] = o_cf[i], o_s[i], o_ti[i], o_th[i], o_nh[i]
        _copy_row(x, P, i, o_x, o_P, r)
        r += 1
    if n_new:
        d = pos.shape[1]
        nb = np.empty(n_new * (1 + d + d * d))  # positions, covariances, speed σ
        new_pos = nb[:n_new * d].reshape((n_new, d))
        new_cov = nb[n_new * d:n_new * (d + d * d)].reshape((n_new, d, d))
        vel_std = nb[n_new * (d + d * d):]
        vel_std[:] = fp[12]
        q = 0
        for j in range(p):
            if not used[j]:
                _copy_row(pos, cov, j, new_pos, new_cov, q)
                q += 1
        xn, Pn = init_state(new_pos, new_cov, vel_std, k, extra_mean,
                            extra_std)
        for q in range(n_new):
            o_ids[r], o_hw[r], o_sc[r], o_mi[r] = next_id + q, 1, 1, 0
            o_cf[r], o_s[r], o_ti[r], o_th[r], o_nh[r] = ip[4] == 1, 0.0, t, t, 1
            _copy_row(xn, Pn, q, o_x, o_P, r)
            r += 1
    return (0, o_x[:r], o_P[:r], pos, cov, nis, n_nis, o_ids[:r], o_hw[:r], o_sc[:r],
            o_mi[:r], o_cf[:r], o_s[:r], o_ti[:r], o_th[:r], o_nh[:r])


def scan_params(tr: Tracker) -> tuple[F64, I64]:
    """The scalar settings of :func:`radar_scan_step` for tracker ``tr`` (its config's
    constants, see there)."""
    from tate.tracking.jpda import _LOG_2PI
    from tate.tracking.pairs import _BAND, _LOOSE

    c = tr.config
    miss_gain, log_pd, (m, n, window, after, after_s, max_var) = tr._constants()
    fp = np.array([tr._gamma(3), 1.5, _LOOSE, _BAND, c.pd,
                   np.nan if c.clutter_density is None else c.clutter_density, miss_gain,
                   log_pd, 3 * _LOG_2PI, window, after_s, max_var, c.init_speed])
    ip = np.array([m, n, after, c.dim, 1 if c.confirm_m == 1 else 0], dtype=np.intp)
    return fp, ip


def ingest_scan(tr: Tracker, t: float, z: F64, meas: RAEMeas, dt: float
                ) -> tuple[F64, F64] | None:
    """``Tracker._ingest_radar``: :func:`radar_scan_step` on tracker ``tr`` (prediction over
    ``dt`` [s], 0: none), then its state, book, ids and NIS sums set; where the association
    gave up, the state is the predicted one and the detections' positions and covariances
    are returned for the step path."""
    from tate.tracking.filters import GaussState
    from tate.tracking.pairs import _NO_ROT, _per_row
    from tate.tracking.tracker import _Book

    if tr._scan_args is None:
        f = tr.filter
        eye = (np.eye(tr.k), np.zeros((tr.k, tr.k)))
        tr._scan_args = (*scan_params(tr), f.extra_mean, f.extra_std, eye)  # type: ignore[attr-defined]
    fp, ip, extra_mean, extra_std, eye = tr._scan_args
    F, _, Q = tr.filter.dyn.matrices(dt) if dt else (eye[0], None, eye[1])  # type: ignore[attr-defined]
    b = tr.book
    has_rot = meas.rotation is not None
    state = tr.state
    if state is None:
        state = tr.filter.init(np.empty((0, 3)), np.empty((0, 3, 3)), 0.0)
    out = radar_scan_step(
        state.x, state.P, dt > 0, F, Q, z, _per_row(meas.sensor_pos, 1),
        _per_row(meas.rotation, 2) if has_rot else _NO_ROT, has_rot, _per_row(meas.R, 2),
        b.ids, b.hits_window, b.scans, b.misses, b.confirmed, b.score, b.t_init, b.t_hit,
        b.n_hits, t, tr.next_id, fp, ip, extra_mean, extra_std)
    if tr.state is not None or out[1].shape[0]:
        tr.state = GaussState(out[1], out[2])
    if out[0]:
        return out[3], out[4]
    if out[6] >= 0:
        tr._add_nis(out[5], 3)
    tr.book = _Book(*out[7:])
    if out[7].size:  # new tracks come last, with the largest ids
        tr.next_id = max(tr.next_id, int(out[7][-1]) + 1)
    return None
