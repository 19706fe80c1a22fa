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
function, so the numbers are those of the step-by-step compiled path bit for bit; the
numpy glue it replaces (the pair log-likelihood −½ (d² + log det S + m log 2π), the gain
log P_D + ℓ − log λ, the hit and used flags) is elementwise arithmetic in the same order.

It does not mutate its inputs and gives up (``status`` ≠ 0) wherever the step-by-step
path would leave the compiled kernels: an innovation covariance that is not
positive-definite (status 1: that path raises), a pair too close to a pre-gate radius to
call without the kd-tree, or a GNN cluster that needs a 2-D assignment (status 2: SciPy's
solver); the tracker then runs the step-by-step path on the untouched state.  Units: as
the tracker (m, rad, s); the state is in the tracker's ENU frame.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit
from tate.tracking._scan_jit import (
    clutter_density,
    gnn_clusters,
    group_keep,
    radar_gnn_update,
    radar_pairs,
)

if TYPE_CHECKING:
    from tate.tracking.measurement import RAEMeas
    from tate.tracking.tracker import Tracker

__all__ = ["associate_scan", "radar_gnn_scan"]

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
    hit = np.zeros(n, dtype=np.bool_)
    used = np.zeros(p, dtype=np.bool_)
    gain = np.full(n, miss_gain)
    nis_c = np.empty(0)
    n_nis = -1
    ok, ti, mj, d2, logdet, dist2, lam_p, lam_r, index, nu, J, C, JC = radar_pairs(
        x, P, z, pos, pos_cov, sensor, rot, has_rot, R, gamma, slack, loose_factor)
    if not ok:
        return 1, x, P, hit, used, gain, nis_c, n_nis
    n_conf = 0
    for i in range(n):
        n_conf += 1 if confirmed[i] else 0
    lam = clutter if not math.isnan(clutter) else clutter_density(z, R, pd, n_conf)
    log_lam = _log(lam)
    group = np.empty(n, dtype=np.bool_)
    free = np.empty(p, dtype=np.bool_)
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
        ok, keep = group_keep(ti, mj, d2, dist2, lam_p, lam_r, group, free, gamma, slack, band)
        if not ok:
            return 2, x, P, hit, used, gain, nis_c, n_nis
        if keep.size == 0:
            continue
        gt, gm, gd2 = ti[keep], mj[keep], d2[keep]
        tr, me, rest, _ = gnn_clusters(gt, gm, gd2, n, p, gamma)
        if rest.size:
            return 2, x, P, hit, used, gain, nis_c, n_nis
        if tr.size:
            sup = np.empty(tr.size, dtype=np.intp)
            for q in range(tr.size):
                sup[q] = index[tr[q], me[q]]
            ok, x, P, nis = radar_gnn_update(x, P, sup, ti, mj, J, C, JC, nu, R)
            if not ok:
                return 1, x, P, hit, used, gain, nis_c, n_nis
            if g == 0:
                nis_c = nis
                n_nis = nis.size
            pair = np.searchsorted(keep, sup)
            for q in range(tr.size):
                c = keep[pair[q]]
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
