"""Compiled kernels of the tracker's scan update (the KF/EKF path of radar scans).

One kernel per step of :meth:`~.tracker.Tracker.step`, each looping over tracks,
detections or pairs with scalar arithmetic instead of tens of numpy calls on arrays of a
few rows:

* :func:`kf_predict` -- :meth:`~.filters.GaussianFilter.predict_xp` for linear motion
  models: x' = F x, P' = F P Fᵀ + Q, symmetrised;
* :func:`init_state` -- :meth:`~.filters.GaussianFilter.init` (new tracks);
* :func:`rae_positions` -- :func:`~.tracker.rae_to_position`: detections (range, azimuth,
  elevation) to tracker-frame positions and their first-order covariances J⁻¹ R J⁻ᵀ;
* :func:`radar_pairs` -- :func:`~.pairs.pair_set` for radar scans: the pre-gate distances,
  the largest eigenvalues of the position covariances, and the moments, Mahalanobis
  distance² and log det S of every candidate pair;
* :func:`group_keep` -- :func:`~.pairs.group_pairs` when no pair is too close to a pre-gate
  radius to call (else the kd-tree decides, as there);
* :func:`gnn_clusters` (in :mod:`._gnn_jit`, imported here) -- :func:`~.association.gnn_assign`
  up to the 2-D assignments of the clusters with several tracks and detections (those stay
  with SciPy);
* :func:`radar_gnn_update` -- :func:`~.pairs.gnn_update`: the Joseph-form EKF update of the
  assigned pairs from their kept moments (:func:`~.filters.pda_update` with β = 1);
* :func:`clutter_density`, :func:`manage_book` -- the tracker's clutter estimate and its
  track management (confirmation, deletion).

The numpy functions are the reference (``tests/unit/tracking/test_scan_jit.py``); the
arithmetic follows them operation by operation where practical, and every discrete
decision (gates, pre-gate band, confirmation, deletion) uses the same comparison.  The
matrix routines differ: LAPACK's inverse, Cholesky, solve and symmetric eigenvalues are
replaced by a closed-form 3 × 3 inverse, an unblocked Cholesky, substitution and Jacobi
rotations.  Results therefore agree to rounding, amplified by the conditioning of the
innovation covariance (range variance [m²] beside angle variances [rad²]): seen on the
default scenario, about 1e-16 relative on predicted states, 1e-11 on d² and the NIS.
Array arguments that may be shared by all rows or given per row (sensor position,
rotation, noise) arrive with a leading row axis of length 1 or one per detection.  Not
imported by ``tate`` itself (numba is loaded only when a tracker or filter with the
compiled path first needs it).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit
from tate.tracking._eig3_jit import max_eig3 as _max_eig3
from tate.tracking._gnn_jit import gnn_clusters

__all__ = ["clutter_density", "gnn_clusters", "group_keep", "group_keep_into", "group_keep_max",
           "init_state",
           "kf_predict", "manage_book", "pair_moments", "radar_gnn_update", "radar_pairs",
           "rae_positions"]

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]
_PI = math.pi
_TWO_PI = 2.0 * math.pi


@njit
def kf_predict(x: F64, P: F64, F: F64, Q: F64) -> tuple[F64, F64]:
    """x' = x Fᵀ ``(n, k)`` and P' = ½ (A + Aᵀ) with A = F P Fᵀ + Q ``(n, k, k)``."""
    n, k = x.shape
    nk = n * k
    buf = np.empty(nk + nk * k + 2 * k * k)  # x', P', F P and A, one allocation
    xn, Pn = buf[:nk].reshape((n, k)), buf[nk:nk + nk * k].reshape((n, k, k))
    o = nk + nk * k
    FP, A = buf[o:o + k * k].reshape((k, k)), buf[o + k * k:o + 2 * k * k].reshape((k, k))
    for i in range(n):
        for a in range(k):
            s = 0.0
            for b in range(k):
                s += x[i, b] * F[a, b]
            xn[i, a] = s
        for a in range(k):
            for b in range(k):
                s = 0.0
                for c in range(k):
                    s += F[a, c] * P[i, c, b]
                FP[a, b] = s
        for a in range(k):
            for b in range(k):
                s = 0.0
                for c in range(k):
                    s += FP[a, c] * F[b, c]
                A[a, b] = s + Q[a, b]
        for a in range(k):
            for b in range(k):
                Pn[i, a, b] = 0.5 * (A[a, b] + A[b, a])
    return xn, Pn


@njit
def _range_jacobian(e: float, n: float, u: float, J: F64) -> float:
    """∂(r, az, el)/∂(e, n, u) into ``J (3, 3)``; returns r (as :mod:`.radar`)."""
    ee, nn, uu = e * e, n * n, u * u
    rho2 = ee + nn
    rho = math.sqrt(rho2)
    r2 = rho2 + uu
    r = math.sqrt(r2)
    J[0, 0], J[0, 1], J[0, 2] = e / r, n / r, u / r
    J[1, 0], J[1, 1], J[1, 2] = n / rho2, -e / rho2, 0.0
    r2rho = r2 * rho
    J[2, 0], J[2, 1], J[2, 2] = -e * u / r2rho, -n * u / r2rho, rho / r2
    return r


@njit
def _inv3(A: F64, out: F64) -> None:
    """Inverse of a general 3 × 3 matrix by the adjugate, with the largest-pivot column
    expansion kept simple (the matrices here are Jacobians of a well-posed map)."""
    c00 = A[1, 1] * A[2, 2] - A[1, 2] * A[2, 1]
    c01 = A[1, 2] * A[2, 0] - A[1, 0] * A[2, 2]
    c02 = A[1, 0] * A[2, 1] - A[1, 1] * A[2, 0]
    det = A[0, 0] * c00 + A[0, 1] * c01 + A[0, 2] * c02
    out[0, 0] = c00 / det
    out[1, 0] = c01 / det
    out[2, 0] = c02 / det
    out[0, 1] = (A[0, 2] * A[2, 1] - A[0, 1] * A[2, 2]) / det
    out[1, 1] = (A[0, 0] * A[2, 2] - A[0, 2] * A[2, 0]) / det
    out[2, 1] = (A[0, 1] * A[2, 0] - A[0, 0] * A[2, 1]) / det
    out[0, 2] = (A[0, 1] * A[1, 2] - A[0, 2] * A[1, 1]) / det
    out[1, 2] = (A[0, 2] * A[1, 0] - A[0, 0] * A[1, 2]) / det
    out[2, 2] = (A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0]) / det


@njit
def rae_positions(z: F64, sensor: F64, rot: F64, has_rot: bool, R: F64) -> tuple[F64, F64]:
    """Positions ``(p, 3)`` and covariances ``(p, 3, 3)`` of detections ``z (p, 3)``;
    ``sensor (1 or p, 3)``, ``rot (1 or p, 3, 3)`` (used if ``has_rot``), ``R (1 or p, 3,
    3)``."""
    p = z.shape[0]
    buf = np.empty(12 * p + 39)  # the positions, covariances and work arrays, one allocation
    pos, cov = buf[:3 * p].reshape((p, 3)), buf[3 * p:12 * p].reshape((p, 3, 3))
    tmp = buf[12 * p:]
    rel = tmp[0:3]
    J, Ji = tmp[3:12].reshape((3, 3)), tmp[12:21].reshape((3, 3))
    G, T = tmp[21:30].reshape((3, 3)), tmp[30:39].reshape((3, 3))
    for j in range(p):
        r, az, el = z[j, 0], z[j, 1], z[j, 2]
        ce = math.cos(el)
        rce = r * ce
        rel[0] = rce * math.sin(az)
        rel[1] = rce * math.cos(az)
        rel[2] = r * math.sin(el)
        _range_jacobian(rel[0], rel[1], rel[2], J)
        _inv3(J, Ji)
        if has_rot:
            jm = j if rot.shape[0] > 1 else 0  # (rows indexed in place: no views)
            for a in range(3):  # rel ← Mᵀ rel, Ji ← Mᵀ Ji
                s = 0.0
                for b in range(3):
                    s += rot[jm, b, a] * rel[b]
                pos[j, a] = s
                for c in range(3):
                    s = 0.0
                    for b in range(3):
                        s += rot[jm, b, a] * Ji[b, c]
                    G[a, c] = s
        else:
            for a in range(3):
                pos[j, a] = rel[a]
                for c in range(3):
                    G[a, c] = Ji[a, c]
        js = j if sensor.shape[0] > 1 else 0
        for a in range(3):
            pos[j, a] = sensor[js, a] + pos[j, a]
        jr = j if R.shape[0] > 1 else 0
        for a in range(3):  # T = G R
            for c in range(3):
                s = 0.0
                for b in range(3):
                    s += G[a, b] * R[jr, b, c]
                T[a, c] = s
        for a in range(3):  # cov = T Gᵀ
            for c in range(3):
                s = 0.0
                for b in range(3):
                    s += T[a, b] * G[c, b]
                cov[j, a, c] = s
        for a in range(3):
            for c in range(a, 3):
                v = 0.5 * (cov[j, a, c] + cov[j, c, a])
                cov[j, a, c] = v
                cov[j, c, a] = v
    return pos, cov


@njit
def radar_pairs(x: F64, P: F64, z: F64, pos: F64, pos_cov: F64, sensor: F64, rot: F64,
                has_rot: bool, R: F64, gamma: float, slack: float, loose_factor: float
                ) -> tuple[bool, I64, I64, F64, F64, F64, F64, F64, I64, F64, F64, F64, F64]:
    """:func:`~.pairs.pair_set` of a radar scan: every pair with squared distance not above
    ``(λ_p + max λ_r) slack² γ loose_factor`` (NaN kept), in track-then-detection order.

    Returns ``(ok, track, meas, d2, logdet, dist2, lam_p, lam_r, index, nu, J, C, JC)``;
    ``ok`` is False when an innovation covariance is not positive-definite."""
    n = x.shape[0]
    p = z.shape[0]
    lam_p = np.empty(n)
    lam_r = np.empty(p)
    for i in range(n):
        lam_p[i] = _max_eig3(P[i, :3, :3])
    lam_r_max = -np.inf
    for j in range(p):
        lam_r[j] = _max_eig3(pos_cov[j])
        if not lam_r[j] <= lam_r_max:  # (NaN propagates, as numpy's max)
            lam_r_max = lam_r[j] if not math.isnan(lam_r_max) else lam_r_max
    factor = slack * slack * gamma * loose_factor
    dist2 = np.empty((n, p))
    index = np.full((n, p), -1, dtype=np.intp)
    count = 0
    for i in range(n):
        loose = (lam_p[i] + lam_r_max) * factor
        for j in range(p):
            d0 = x[i, 0] - pos[j, 0]
            d1 = x[i, 1] - pos[j, 1]
            d2_ = x[i, 2] - pos[j, 2]
            dd = d0 * d0 + d1 * d1 + d2_ * d2_
            dist2[i, j] = dd
            if not dd > loose:
                index[i, j] = count
                count += 1
    ok, track, meas, d2, logdet, dpair, nu, Jall, Call, JCall = pair_moments(
        x, P, z, sensor, rot, has_rot, R, dist2, index, count)
    return ok, track, meas, d2, logdet, dpair, lam_p, lam_r, index, nu, Jall, Call, JCall


@njit
def pair_moments(x: F64, P: F64, z: F64, sensor: F64, rot: F64, has_rot: bool, R: F64,
                 dist2: F64, index: I64, count: int
                 ) -> tuple[bool, I64, I64, F64, F64, F64, F64, F64, F64, F64]:
    """The second half of :func:`radar_pairs`: the moments, d² and log det S of the
    ``count`` pairs numbered in ``index (n, p)`` (−1: not a pair), with their squared
    distances ``dist2 (n, p)``.  Returns ``(ok, track, meas, d2, logdet, dist2, nu, J, C,
    JC)``."""
    n, k = x.shape
    p = z.shape[0]
    ib = np.empty(2 * count, dtype=np.intp)  # the outputs: one integer and one float array
    track, meas = ib[:count], ib[count:]
    c = count
    o = 24 * c + 3 * k * c
    fb = np.empty(o + 33)
    d2, logdet, dpair = fb[:c], fb[c:2 * c], fb[2 * c:3 * c]
    nu, Jall = fb[3 * c:6 * c].reshape((c, 3)), fb[6 * c:15 * c].reshape((c, 3, 3))
    Call = fb[15 * c:15 * c + 3 * k * c].reshape((c, k, 3))
    JCall = fb[15 * c + 3 * k * c:o].reshape((c, 3, 3))
    tmp = fb[o:]  # the work vectors and matrices
    tmp[:] = 0.0
    rel, w = tmp[0:3], tmp[3:6]
    Jr, S, L = tmp[6:15].reshape((3, 3)), tmp[15:24].reshape((3, 3)), tmp[24:33].reshape((3, 3))
    ok = True
    for i in range(n):
        for j in range(p):
            c = index[i, j]
            if c < 0:
                continue
            track[c], meas[c], dpair[c] = i, j, dist2[i, j]
            js = j if sensor.shape[0] > 1 else 0  # (rows indexed in place: no views)
            for a in range(3):
                rel[a] = x[i, a] - sensor[js, a]
            jm = j if rot.shape[0] > 1 else 0
            if has_rot:
                e = rot[jm, 0, 0] * rel[0] + rot[jm, 0, 1] * rel[1] + rot[jm, 0, 2] * rel[2]
                nn = rot[jm, 1, 0] * rel[0] + rot[jm, 1, 1] * rel[1] + rot[jm, 1, 2] * rel[2]
                u = rot[jm, 2, 0] * rel[0] + rot[jm, 2, 1] * rel[1] + rot[jm, 2, 2] * rel[2]
            else:
                e, nn, u = rel[0], rel[1], rel[2]
            r = _range_jacobian(e, nn, u, Jr)
            zr, za, ze = r, math.atan2(e, nn), math.asin(u / r)
            if has_rot:
                for a in range(3):
                    for b in range(3):
                        Jall[c, a, b] = (Jr[a, 0] * rot[jm, 0, b] + Jr[a, 1] * rot[jm, 1, b]
                                         + Jr[a, 2] * rot[jm, 2, b])
            else:
                for a in range(3):
                    for b in range(3):
                        Jall[c, a, b] = Jr[a, b]
            for a in range(k):  # C = P[:, :3] Jᵀ
                for b in range(3):
                    Call[c, a, b] = (P[i, a, 0] * Jall[c, b, 0] + P[i, a, 1] * Jall[c, b, 1]
                                     + P[i, a, 2] * Jall[c, b, 2])
            for a in range(3):  # JC = J C[:3]
                for b in range(3):
                    JCall[c, a, b] = (Jall[c, a, 0] * Call[c, 0, b] + Jall[c, a, 1] * Call[c, 1, b]
                                      + Jall[c, a, 2] * Call[c, 2, b])
            jr = j if R.shape[0] > 1 else 0
            for a in range(3):
                for b in range(3):
                    S[a, b] = 0.5 * (JCall[c, a, b] + JCall[c, b, a]) + R[jr, a, b]
            nu[c, 0] = z[j, 0] - zr
            v = z[j, 1] - za
            if not (v > -_PI and v <= _PI):
                v = _PI - ((_PI - v) % _TWO_PI)
            nu[c, 1] = v
            nu[c, 2] = z[j, 2] - ze
            # Cholesky S = L Lᵀ and w = L⁻¹ ν
            for b in range(3):
                s = S[b, b]
                for a in range(b):
                    s -= L[b, a] * L[b, a]
                if not s > 0.0:
                    ok = False
                    s = 1.0
                L[b, b] = math.sqrt(s)
                for a in range(b + 1, 3):
                    t = S[a, b]
                    for q in range(b):
                        t -= L[a, q] * L[b, q]
                    L[a, b] = t / L[b, b]
            acc = 0.0
            for a in range(3):
                t = nu[c, a]
                for b in range(a):
                    t -= L[a, b] * w[b]
                w[a] = t / L[a, a]
                acc += w[a] * w[a]
            d2[c] = acc
            logdet[c] = 2.0 * (math.log(L[0, 0]) + math.log(L[1, 1]) + math.log(L[2, 2]))
    return ok, track, meas, d2, logdet, dpair, nu, Jall, Call, JCall


@njit
def radar_gnn_update(x: F64, P: F64, pair: I64, track: I64, meas: I64, J: F64, C: F64,
                     JC: F64, nu: F64, R: F64) -> tuple[bool, F64, F64, F64]:
    """:func:`~.pairs.gnn_update`: new ``x``, ``P`` (copies, the rows of the assigned pairs
    ``pair`` updated) and the NIS of each; ``ok`` False when some S is not
    positive-definite (Sylvester's criterion, as :func:`~.filters.inv_spd`)."""
    n, k = x.shape
    r = pair.size
    nk = n * k
    buf = np.empty(nk + nk * k + r + 21 + 6 * k + 3 * k * k)  # outputs and work, one allocation
    xn, Pn = buf[:nk].reshape((n, k)), buf[nk:nk + nk * k].reshape((n, k, k))
    xn[:] = x
    Pn[:] = P
    nis = buf[nk + nk * k:nk + nk * k + r]
    w = buf[nk + nk * k + r:]  # the work matrices
    S = w[0:9].reshape((3, 3))
    Si = w[9:18].reshape((3, 3))
    Sn = w[18:21]
    K = w[21:21 + 3 * k].reshape((k, 3))
    KR = w[21 + 3 * k:21 + 6 * k].reshape((k, 3))
    o = 21 + 6 * k
    IKH = w[o:o + k * k].reshape((k, k))
    T = w[o + k * k:o + 2 * k * k].reshape((k, k))
    Pc = w[o + 2 * k * k:o + 3 * k * k].reshape((k, k))
    ok = True
    for q in range(r):
        c = pair[q]
        i, j = track[c], meas[c]
        jr = j if R.shape[0] > 1 else 0  # (R's row indexed in place: no view)
        for a in range(3):
            for b in range(3):
                S[a, b] = JC[c, a, b] + R[jr, a, b]
        for a in range(3):
            for b in range(a, 3):
                v = 0.5 * (S[a, b] + S[b, a])
                S[a, b] = v
                S[b, a] = v
        u0 = S[1, 1] * S[2, 2] - S[1, 2] * S[1, 2]  # cofactors as inv_spd
        u1 = S[0, 2] * S[1, 2] - S[0, 1] * S[2, 2]
        u2 = S[0, 1] * S[1, 2] - S[0, 2] * S[1, 1]
        u3 = S[0, 0] * S[2, 2] - S[0, 2] * S[0, 2]
        u4 = S[0, 1] * S[0, 2] - S[0, 0] * S[1, 2]
        u5 = S[0, 0] * S[1, 1] - S[0, 1] * S[0, 1]
        det = S[0, 0] * u0 + S[0, 1] * u1 + S[0, 2] * u2
        if not (S[0, 0] > 0.0 and u5 > 0.0 and det > 0.0):
            ok = False
            det = 1.0
        Si[0, 0], Si[0, 1], Si[0, 2] = u0 / det, u1 / det, u2 / det
        Si[1, 0], Si[1, 1], Si[1, 2] = u1 / det, u3 / det, u4 / det
        Si[2, 0], Si[2, 1], Si[2, 2] = u2 / det, u4 / det, u5 / det
        for a in range(k):  # K = C S⁻¹
            for b in range(3):
                K[a, b] = C[c, a, 0] * Si[0, b] + C[c, a, 1] * Si[1, b] + C[c, a, 2] * Si[2, b]
        n0, n1, n2 = nu[c, 0], nu[c, 1], nu[c, 2]
        for a in range(3):
            Sn[a] = Si[a, 0] * n0 + Si[a, 1] * n1 + Si[a, 2] * n2
        nis[q] = n0 * Sn[0] + n1 * Sn[1] + n2 * Sn[2]
        for a in range(k):
            xn[i, a] = xn[i, a] + (K[a, 0] * n0 + K[a, 1] * n1 + K[a, 2] * n2)
        for a in range(k):  # I − K H, H = [J 0]
            for b in range(k):
                kh = 0.0
                if b < 3:
                    kh = K[a, 0] * J[c, 0, b] + K[a, 1] * J[c, 1, b] + K[a, 2] * J[c, 2, b]
                IKH[a, b] = (1.0 if a == b else 0.0) - kh
        for a in range(k):  # T = (I − K H) P
            for b in range(k):
                s = 0.0
                for m in range(k):
                    s += IKH[a, m] * Pn[i, m, b]
                T[a, b] = s
        for a in range(k):  # K R
            for b in range(3):
                KR[a, b] = K[a, 0] * R[jr, 0, b] + K[a, 1] * R[jr, 1, b] + K[a, 2] * R[jr, 2, b]
        for a in range(k):  # Pc = T (I − K H)ᵀ + K R Kᵀ
            for b in range(k):
                s = 0.0
                for m in range(k):
                    s += T[a, m] * IKH[b, m]
                Pc[a, b] = s + (KR[a, 0] * K[b, 0] + KR[a, 1] * K[b, 1] + KR[a, 2] * K[b, 2])
        for a in range(k):
            for b in range(k):
                Pn[i, a, b] = 0.5 * (Pc[a, b] + Pc[b, a])
    return ok, xn, Pn, nis


@njit
def group_keep(track: I64, meas: I64, d2: F64, dist2: F64, lam_p: F64, lam_r: F64,
               in_rows: NDArray[np.bool_], in_cols: NDArray[np.bool_], gamma: float,
               slack: float, band: float) -> tuple[bool, I64]:
    """:func:`~.pairs.group_pairs` without the kd-tree: the pair numbers kept (pre-gate
    ratio d²/radius² in [0, 1 − band), then d² ≤ γ); ``ok`` False when some candidate's
    ratio lies within ``band`` of 1 (or is NaN or negative-out-of-range), where the
    kd-tree must decide."""
    lam_r_max = -np.inf
    for j in range(lam_r.size):
        if in_cols[j] and not lam_r[j] <= lam_r_max:  # (NaN propagates)
            lam_r_max = lam_r[j] if not math.isnan(lam_r_max) else lam_r_max
    return group_keep_max(track, meas, d2, dist2, lam_p, lam_r_max, in_rows, in_cols, gamma,
                          slack, band)


@njit
def group_keep_max(track: I64, meas: I64, d2: F64, dist2: F64, lam_p: F64, lam_r_max: float,
                   in_rows: NDArray[np.bool_], in_cols: NDArray[np.bool_], gamma: float,
                   slack: float, band: float) -> tuple[bool, I64]:
    """:func:`group_keep` given the largest detection eigenvalue ``lam_r_max`` of the
    detections in ``in_cols`` (NaN if one is NaN; −∞: none); reads ``lam_p`` only at the
    tracks of the pairs."""
    keep = np.empty(track.size, dtype=np.intp)
    ok, count = group_keep_into(track, meas, d2, dist2, lam_p, lam_r_max, in_rows, in_cols,
                                gamma, slack, band, keep)
    return ok, keep[:count]


@njit
def group_keep_into(track: I64, meas: I64, d2: F64, dist2: F64, lam_p: F64,
                    lam_r_max: float, in_rows: NDArray[np.bool_], in_cols: NDArray[np.bool_],
                    gamma: float, slack: float, band: float, keep: I64) -> tuple[bool, int]:
    """:func:`group_keep_max` into ``keep`` (at least ``track.size``): returns ``ok`` and the
    count kept, ``keep[:count]`` (0 where not ``ok``)."""
    sg = slack * slack * gamma
    lo, hi = 1.0 - band, 1.0 + band
    count = 0
    for c in range(track.size):
        i = track[c]
        if not (in_rows[i] and in_cols[meas[c]]):
            continue
        ratio = dist2[c] / ((lam_p[i] + lam_r_max) * sg)
        inside = ratio < lo and ratio >= 0.0
        if not (inside or ratio > hi):
            return False, 0
        if inside and d2[c] <= gamma:
            keep[count] = c
            count += 1
    return True, count


@njit
def clutter_density(z: F64, R: F64, pd: float, n_confirmed: int) -> float:
    """``Tracker._clutter_estimate``: the detections not explained by the confirmed tracks
    (at least one) over the scan's measurement box, each side at least 10 σ."""
    p, m = z.shape
    extra = max(p - pd * n_confirmed, 1.0)
    volume = 1.0
    for a in range(m):
        lo, hi = z[0, a], z[0, a]
        for j in range(1, p):
            v = z[j, a]
            lo = min(lo, v) if not math.isnan(lo) and not math.isnan(v) else math.nan
            hi = max(hi, v) if not math.isnan(hi) and not math.isnan(v) else math.nan
        span = hi - lo if p > 1 else 0.0
        var = R[0, a, a]
        for j in range(1, R.shape[0]):
            v = R[j, a, a]
            var = max(var, v) if not math.isnan(var) and not math.isnan(v) else math.nan
        floor = math.sqrt(var) * 10.0
        volume *= span if span >= floor or math.isnan(span) else floor
    return extra / volume


@njit
def manage_book(hits_window: I64, scans: I64, misses: I64, n_hits: I64, t_hit: F64,
                t_init: F64, confirmed: NDArray[np.bool_], hit: NDArray[np.bool_], t: float,
                confirm_m: int, confirm_n: int, confirm_window_s: float, delete_after: int,
                delete_after_s: float, max_var: float, P: F64, dim: int
                ) -> tuple[int, NDArray[np.bool_]]:
    """``Tracker._manage`` on the book's arrays, in place: the M-of-N (``confirm_window_s``
    NaN) or time-window confirmation, deletion after misses (``delete_after_s`` NaN) or
    silence, and by position variance above ``max_var`` (inf: never).  Returns the count
    of tracks to drop and their mask."""
    n = hits_window.size
    drop = np.zeros(n, dtype=np.bool_)
    window = (1 << confirm_n) - 1
    count = 0
    for i in range(n):
        h = hit[i]
        hits_window[i] = (hits_window[i] << 1) | (1 if h else 0)
        scans[i] += 1
        misses[i] = 0 if h else misses[i] + 1
        n_hits[i] = n_hits[i] + (1 if h else 0)
        if h:
            t_hit[i] = t
        if math.isnan(confirm_window_s):
            bits = hits_window[i] & window
            ones = 0
            while bits:
                ones += bits & 1
                bits >>= 1
            if ones >= confirm_m and scans[i] <= confirm_n:
                confirmed[i] = True
            d = not confirmed[i] and scans[i] >= confirm_n
        else:
            young = (t - t_init[i]) <= confirm_window_s + 1e-9
            if n_hits[i] >= confirm_m and young:
                confirmed[i] = True
            d = not (confirmed[i] or young)
        if math.isnan(delete_after_s):
            d = d or (confirmed[i] and misses[i] >= delete_after)
        else:
            d = d or (confirmed[i] and (t - t_hit[i]) > delete_after_s)
        if max_var < np.inf:
            var = 0.0
            for a in range(dim):
                var += P[i, a, a]
            d = d or var > max_var
        drop[i] = d
        count += 1 if d else 0
    return count, drop


@njit
def init_state(pos: F64, pos_cov: F64, vel_std: F64, k: int, extra_mean: F64,
               extra_std: F64) -> tuple[F64, F64]:
    """:meth:`~.filters.GaussianFilter.init`: states ``(m, k)`` at positions ``pos (m, d)``
    with velocity zero, σ ``vel_std (m,)``, and the extras' means and σ (NaN: 0.1 σ_v)."""
    m, d = pos.shape
    x = np.zeros((m, k))
    P = np.zeros((m, k, k))
    for i in range(m):
        for a in range(d):
            x[i, a] = pos[i, a]
            for b in range(d):
                P[i, a, b] = pos_cov[i, a, b]
        vs = vel_std[i]
        for a in range(d, 2 * d):
            P[i, a, a] = vs * vs
        for e in range(k - 2 * d):
            x[i, 2 * d + e] = extra_mean[e]
            std = 0.1 * vs if math.isnan(extra_std[e]) else extra_std[e]
            P[i, 2 * d + e, 2 * d + e] = std * std
    return x, P
