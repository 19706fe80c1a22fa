"""Kalman filter predict and update, vectorised across tracks.

``x (n, k)`` states, ``P (n, k, k)`` covariances; transition ``F`` and noise ``Q``
either shared ``(k, k)`` or per track ``(n, k, k)``; linear measurements
``z (n, m)`` with ``H (m, k)`` and noise ``R`` shared ``(m, m)`` or per track
``(n, m, m)``.  The update uses the Joseph form, which keeps P symmetric
positive-definite in floating point, and returns the normalised innovation
squared (NIS) for gating and consistency checks (Bar-Shalom et al. 2001,
§5.2 eq. 5.2.3-18 (Joseph), §5.4 (NIS)).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["kf_predict", "kf_update"]

F64 = NDArray[np.float64]


def kf_predict(x: F64, P: F64, F: F64, Q: F64) -> tuple[F64, F64]:
    """Predicted states ``F x`` and covariances ``F P Fᵀ + Q`` for every track."""
    x_new = np.einsum("...ij,...j->...i", F, x)
    P_new = F @ P @ np.swapaxes(F, -1, -2) + Q
    return x_new, 0.5 * (P_new + np.swapaxes(P_new, -1, -2))


def kf_update(x: F64, P: F64, z: F64, H: F64, R: F64) -> tuple[F64, F64, F64]:
    """Updated states, covariances and NIS of every track given its measurement.

    Returns
    -------
    x_new (n, k), P_new (n, k, k), nis (n,)
        NIS = νᵀ S⁻¹ ν with innovation ν = z − H x and S = H P Hᵀ + R.
    """
    nu = z - np.einsum("ij,nj->ni", H, x)
    PHt = P @ H.T
    S = H @ PHt + R
    S = 0.5 * (S + np.swapaxes(S, -1, -2))
    L = np.linalg.cholesky(S)  # fails loudly if S is not positive-definite
    Kt = np.linalg.solve(S, np.swapaxes(PHt, -1, -2))  # K = P Hᵀ S⁻¹, S symmetric
    K = np.swapaxes(Kt, -1, -2)
    x_new = x + np.einsum("nij,nj->ni", K, nu)
    k = x.shape[-1]
    IKH = np.eye(k) - K @ H
    P_new = IKH @ P @ np.swapaxes(IKH, -1, -2) + K @ R @ np.swapaxes(K, -1, -2)
    w = np.linalg.solve(L, nu[..., None])[..., 0]
    nis = np.einsum("ni,ni->n", w, w)
    return x_new, 0.5 * (P_new + np.swapaxes(P_new, -1, -2)), nis
