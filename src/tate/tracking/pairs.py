"""The tracker's per-scan gating done once for all track–detection pairs (KF/EKF filters).

:class:`~.tracker.Tracker` gates its confirmed tracks against the whole scan, then its
tentative tracks against the detections left over, each time with a kd-tree pre-gate of
radius ``slack·√(γ (λ_max(P_pos) + max λ_max(R_pos)))`` (the maximum over the group's
detections) and the chi-square test on the pairs it lets through.  For a
:class:`~.filters.GaussianFilter` with the ``kf`` or ``ekf`` method this module computes
the same numbers in one pass per scan:

* the pre-gate by brute force on all pairs (a scan has a few detections, a few tens of
  tracks), classifying each pair against each group's radius; a pair whose squared
  distance lies within a relative 1e-7 of a radius² (where the kd-tree's own rounding
  might decide either way) sends that group back to the kd-tree, so the pair set is the
  kd-tree's;
* the predicted measurement, Jacobian, cross-covariance and innovation of every pair that
  can pass either group's pre-gate, with the same array operations as
  :meth:`~.filters.GaussianFilter.moments` (row by row, so the subset of a group is bit for
  bit what the group alone would give);
* for radar (range, azimuth, elevation) scans, the update of the assigned pairs from
  those kept moments (:func:`gnn_update`) instead of computing them again.

The results are identical to the two-pass computation, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from tate.tracking.association import Gated
from tate.tracking.filters import GaussianFilter, GaussState, pda_update
from tate.tracking.measurement import Meas, PositionMeas, RAEMeas, wrap_angle
from tate.tracking.radar import rae_and_jacobian

__all__ = ["PairSet", "fast_filter", "gnn_update", "group_pairs", "pair_set"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]

_BAND = 1e-7  #: relative band of squared distance around a pre-gate radius² → kd-tree
_LOOSE = 1.01  #: superset of candidate pairs: squared radius enlarged by this factor


@dataclass
class PairSet:
    """Candidate pairs of one scan (sorted by track, then detection) and their moments."""

    track: I64
    meas: I64
    d2: F64  #: Mahalanobis distance² νᵀ S⁻¹ ν
    logdet: F64  #: log det S
    dist2: F64  #: squared Euclidean distance of track and detection positions
    lam_p: F64  #: (n,) largest eigenvalue of each track's position covariance
    lam_r: F64  #: (p,) largest eigenvalue of each detection's position covariance
    index: I64  #: (n, p) pair number of (track, detection), −1 if not a candidate
    nu: F64  #: innovations (azimuth wrapped)
    J: F64 | None  #: radar: Jacobians ∂z/∂pos ``(c, 3, 3)``
    C: F64 | None  #: radar: cross-covariances P Hᵀ ``(c, k, 3)``
    JC: F64 | None  #: radar: H P Hᵀ before noise ``(c, 3, 3)``


def fast_filter(f: object, meas: Meas) -> GaussianFilter | None:
    """The filter if :func:`pair_set` applies to it (KF/EKF) and the scan (position or
    radar range/azimuth/elevation), else None."""
    if not isinstance(f, GaussianFilter) or f.method == "ukf":
        return None
    return f if isinstance(meas, PositionMeas) or not meas.angle_only else None


def _radar_rows(meas: RAEMeas, idx: I64) -> tuple[F64, F64 | None]:
    s = np.asarray(meas.sensor_pos, dtype=float)
    rot = meas.rotation
    if rot is not None:
        rot = np.asarray(rot, dtype=np.float64)
        if rot.ndim == 3:
            rot = rot[idx]
    return (s[idx] if s.ndim == 2 else s), rot


def pair_set(f: GaussianFilter, s: GaussState, z: F64, meas: Meas, pos: F64, pos_cov: F64,
             gamma: float, slack: float, compiled: bool = False) -> PairSet:
    """All pairs that the pre-gate of some group could let through, with their d², log
    det S and (radar) moments; ``pos``/``pos_cov`` are the detections in the tracker
    frame.  ``compiled``: radar scans by the compiled kernel
    (:func:`._scan_jit.radar_pairs`, the same pairs and numbers to rounding)."""
    if compiled and isinstance(meas, RAEMeas) and not meas.angle_only:
        return _radar_pair_set_jit(s, z, meas, pos, pos_cov, gamma, slack)
    n, p, d = s.x.shape[0], z.shape[0], pos.shape[1]
    m = z.shape[1]
    x, P = s.x, s.P
    lam = np.linalg.eigvalsh(np.concatenate([P[:, :d, :d], pos_cov]))[:, -1]
    lam_p, lam_r = lam[:n], lam[n:]
    diff = x[:, None, :d] - pos[None, :, :]
    dist2 = (diff * diff).sum(axis=2)
    loose = (lam_p + lam_r.max()) * (slack * slack * gamma * _LOOSE)
    ti, mj = (~(dist2 > loose[:, None])).nonzero()  # NaN: kept, see group_pairs
    index = np.full((n, p), -1, dtype=np.intp)
    index[ti, mj] = np.arange(ti.size)
    R = np.asarray(meas.R, dtype=float)
    Rm = R[mj] if R.ndim == 3 else R
    xs, Ps = x[ti], P[ti]
    J = C = JC = None
    if isinstance(meas, PositionMeas):
        z_pred, HPH = f.predict_measurement(s, ti, PositionMeas(meas.dim, np.zeros((m, m))))
    else:  # GaussianFilter.moments for RAEMeas, the noise added after the symmetrisation
        sensor, rot = _radar_rows(meas, mj)
        rel = xs[:, :3] - sensor
        if rot is not None:
            rel = np.einsum("...ij,...j->...i", rot, rel)
        z_pred, J = rae_and_jacobian(rel)
        if rot is not None:
            J = J @ rot
        C = Ps[:, :, :3] @ J.swapaxes(1, 2)
        JC = J @ C[:, :3, :]
        S0 = JC + np.zeros((m, m))
        HPH = 0.5 * (S0 + S0.swapaxes(1, 2))
    S = HPH + Rm
    nu = z[mj] - z_pred
    if isinstance(meas, RAEMeas):
        nu[..., 1] = wrap_angle(nu[..., 1])
    L = np.linalg.cholesky(S)
    w = np.linalg.solve(L, nu[..., None])[..., 0]
    d2 = np.einsum("ni,ni->n", w, w)
    logdet = 2.0 * np.log(L.diagonal(0, 1, 2)).sum(axis=1)
    return PairSet(ti, mj, d2, logdet, dist2[ti, mj], lam_p, lam_r, index, nu, J, C, JC)


def _per_row(a: object, ndim: int) -> F64:
    """``a`` as float64 with a leading row axis (length 1 when shared by all rows)."""
    arr = np.asarray(a, dtype=np.float64)
    return arr if arr.ndim == ndim + 1 else arr[None]


def _radar_pair_set_jit(s: GaussState, z: F64, meas: RAEMeas, pos: F64, pos_cov: F64,
                        gamma: float, slack: float) -> PairSet:
    from tate.tracking._scan_jit import radar_pairs

    has_rot = meas.rotation is not None
    rot = _per_row(meas.rotation, 2) if has_rot else _NO_ROT
    ok, ti, mj, d2, logdet, dist2, lam_p, lam_r, index, nu, J, C, JC = radar_pairs(
        s.x, s.P, z, pos, pos_cov, _per_row(meas.sensor_pos, 1), rot, has_rot,
        _per_row(meas.R, 2), gamma, slack, _LOOSE)
    if not ok:
        raise np.linalg.LinAlgError("Matrix is not positive definite")
    return PairSet(ti, mj, d2, logdet, dist2, lam_p, lam_r, index, nu, J, C, JC)


_NO_ROT = np.eye(3)[None]  #: placeholder rotation of the kernels (read only)


def group_pairs(ps: PairSet, in_rows: NDArray[np.bool_], in_cols: NDArray[np.bool_],
                xpos: F64, pos: F64, gamma: float, slack: float, compiled: bool = False
                ) -> tuple[Gated, F64, I64] | None:
    """The gated pairs of the tracks and detections flagged in ``in_rows`` and ``in_cols``,
    as the kd-tree pre-gate and chi-square test of ``Tracker._gate`` give them:
    ``(Gated, log det S, pair numbers in ps)``; ``None`` when the kd-tree finds a pair
    outside the candidates (never expected).  ``compiled``: the pairs clear of the band
    around a radius by the compiled kernel (:func:`._scan_jit.group_keep`), the others as
    below."""
    if compiled:
        from tate.tracking._scan_jit import group_keep

        ok, keep = group_keep(ps.track, ps.meas, ps.d2, ps.dist2, ps.lam_p, ps.lam_r, in_rows,
                              in_cols, gamma, slack, _BAND)
        if ok:
            return Gated(ps.track[keep], ps.meas[keep], ps.d2[keep]), ps.logdet[keep], keep
    cand = np.flatnonzero(in_rows[ps.track] & in_cols[ps.meas])
    if cand.size == 0:  # the kd-tree would find nothing near enough either
        return Gated(cand, cand, ps.d2[cand]), ps.logdet[cand], cand
    lam = ps.lam_p + ps.lam_r[in_cols].max()
    ratio = ps.dist2[cand] / (lam * (slack * slack * gamma))[ps.track[cand]]  # d² / radius²
    inside = (ratio < 1.0 - _BAND) & (ratio >= 0.0)  # (a radius² ≤ 0: the kd-tree's call)
    if (inside | (ratio > 1.0 + _BAND)).all():
        sel = cand[inside]
    else:  # too close to call: the kd-tree decides, as in Tracker._gate
        rows, cols = np.flatnonzero(in_rows), np.flatnonzero(in_cols)
        radius = slack * np.sqrt(gamma * lam[rows])
        hits = cKDTree(pos[cols]).query_ball_point(xpos[rows], radius)
        counts = np.fromiter((len(h) for h in hits), dtype=np.intp, count=rows.size)
        ti = np.repeat(rows, counts)
        mj = cols[np.fromiter((j for h in hits for j in h), dtype=np.intp,
                              count=int(counts.sum()))]
        sel = ps.index[ti, mj]
        if (sel < 0).any():
            return None
    keep = sel[ps.d2[sel] <= gamma]
    return Gated(ps.track[keep], ps.meas[keep], ps.d2[keep]), ps.logdet[keep], keep


def gnn_update(f: GaussianFilter, s: GaussState, ps: PairSet, pair: I64, meas: RAEMeas,
               compiled: bool = False) -> tuple[GaussState, F64]:
    """:meth:`~.filters.GaussianFilter.update` of the tracks of ``pair`` (one detection
    each, β = 1) from the moments kept in ``ps`` (radar scans).  ``compiled``: by the
    compiled kernel (:func:`._scan_jit.radar_gnn_update`, the same numbers to rounding)."""
    if ps.J is None or ps.C is None or ps.JC is None:
        raise ValueError("gnn_update needs the radar moments of a pair set built from a "
                         "radar (RAEMeas) scan; this one has none")
    if compiled:
        from tate.tracking._scan_jit import radar_gnn_update

        ok, xn, Pn, nis = radar_gnn_update(s.x, s.P, np.asarray(pair, dtype=np.intp),
                                           ps.track, ps.meas, ps.J, ps.C, ps.JC, ps.nu,
                                           _per_row(meas.R, 2))
        if not ok:
            raise np.linalg.LinAlgError("innovation covariance is not positive-definite")
        return GaussState(xn, Pn), nis
    tr, me = ps.track[pair], ps.meas[pair]
    x, P = s.x[tr], s.P[tr]
    R = np.asarray(meas.R, dtype=np.float64)
    if R.ndim == 3:
        R = R[me]
    J = ps.J[pair]
    S = ps.JC[pair] + R
    H = np.zeros((tr.size, J.shape[1], f.k))
    H[:, :, :3] = J
    r = tr.size
    x_u, P_u, nis = pda_update(x, P, 0.5 * (S + S.swapaxes(1, 2)), ps.C[pair],
                               ps.nu[pair][:, None, :], np.ones((r, 1)), np.zeros(r),
                               H=H, R=R, gnn=True)
    xn, Pn = s.x.copy(), s.P.copy()
    xn[tr], Pn[tr] = x_u, P_u
    return GaussState(xn, Pn), nis
