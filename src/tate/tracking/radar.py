"""Radar measurements in range, azimuth and elevation, and the extended Kalman update.

A sensor at the origin of a local ENU frame measures (r, az, el) of a target at
(e, n, u): r = |p|, az = atan2(e, n) clockwise from north, el = asin(u/r).  The
Jacobian with respect to position is analytic (Bar-Shalom et al. 2001, §10.3
for the polar case; the elevation row follows from d(asin(u/r))).  The EKF update
wraps the azimuth innovation to (−π, π].  States follow :mod:`.motion` (positions
first); only the three position components enter the measurement.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["ekf_update_rae", "rae", "rae_and_jacobian", "rae_jacobian"]

F64 = NDArray[np.float64]


def rae(pos: F64) -> F64:
    """Range [m], azimuth [rad, clockwise from north] and elevation [rad] of ENU
    positions ``(n, 3)`` → ``(n, 3)``."""
    e, n, u = pos[:, 0], pos[:, 1], pos[:, 2]
    r = np.sqrt(e * e + n * n + u * u)
    out = np.empty((pos.shape[0], 3))
    out[:, 0] = r
    out[:, 1] = np.arctan2(e, n)
    out[:, 2] = np.arcsin(u / r)
    return out


def rae_jacobian(pos: F64) -> F64:
    """∂(r, az, el)/∂(e, n, u) at ENU positions ``(n, 3)`` → ``(n, 3, 3)``."""
    return _range_jacobian(pos)[1]


def rae_and_jacobian(pos: F64) -> tuple[F64, F64]:
    """:func:`rae` and :func:`rae_jacobian` of the same positions, sharing the range."""
    r, J = _range_jacobian(pos)
    z = np.empty((pos.shape[0], 3))
    z[:, 0] = r
    z[:, 1] = np.arctan2(pos[:, 0], pos[:, 1])
    z[:, 2] = np.arcsin(pos[:, 2] / r)
    return z, J


def _range_jacobian(pos: F64) -> tuple[F64, F64]:
    sq = pos[:, :3] * pos[:, :3]
    u = pos[:, 2]
    rho2 = sq[:, 0] + sq[:, 1]
    rho = np.sqrt(rho2)
    r2 = rho2 + sq[:, 2]
    r = np.sqrt(r2)  # bit for bit rae's √(e e + n n + u u)
    J = np.empty((pos.shape[0], 3, 3))
    J[:, 0, :] = pos[:, :3] / r[:, None]  # e/r, n/r, u/r
    J[:, 1, :2] = pos[:, 1::-1] * _FLIP / rho2[:, None]  # n/ρ², −e/ρ² (×±1 is exact)
    J[:, 1, 2] = 0.0
    J[:, 2, :2] = -pos[:, :2] * u[:, None] / (r2 * rho)[:, None]  # −e u/(r²ρ), −n u/(r²ρ)
    J[:, 2, 2] = rho / r2
    return r, J


_FLIP = np.array([1.0, -1.0])


def ekf_update_rae(x: F64, P: F64, z: F64, R: F64) -> tuple[F64, F64, F64]:
    """EKF update of states ``x (n, k)`` (positions first, ENU about the sensor) with
    measurements ``z (n, 3)`` = (range, az, el) and noise ``R`` ``(3, 3)`` or ``(n, 3, 3)``.

    Returns the updated states, covariances (Joseph form) and NIS ``(n,)``.
    """
    n, k = x.shape
    Hp = rae_jacobian(x[:, :3])
    H = np.zeros((n, 3, k))
    H[:, :, :3] = Hp
    nu = z - rae(x[:, :3])
    nu[:, 1] = (nu[:, 1] + np.pi) % (2.0 * np.pi) - np.pi
    Ht = np.swapaxes(H, 1, 2)
    S = H @ P @ Ht + R
    S = 0.5 * (S + np.swapaxes(S, 1, 2))
    K = np.swapaxes(np.linalg.solve(S, H @ P), 1, 2)  # P Hᵀ S⁻¹ (P, S symmetric)
    x_new = x + np.einsum("nij,nj->ni", K, nu)
    IKH = np.eye(k) - K @ H
    P_new = IKH @ P @ np.swapaxes(IKH, 1, 2) + K @ R @ np.swapaxes(K, 1, 2)
    nis = np.einsum("ni,ni->n", nu, np.linalg.solve(S, nu[..., None])[..., 0])
    return x_new, 0.5 * (P_new + np.swapaxes(P_new, 1, 2)), nis
