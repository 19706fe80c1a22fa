"""Sigma-point (unscented) machinery, vectorised over tracks and sigma points.

The scaled unscented transform (Julier, "The scaled unscented transformation",
Proc. ACC 2002; Wan & van der Merwe, "The unscented Kalman filter for nonlinear
estimation", IEEE AS-SPCC 2000, eqs. 15-18): for a state of size k,
λ = α²(k + κ) − k, γ = √(k + λ), sigma points x, x ± γ·(columns of the Cholesky factor
L of P, P = L Lᵀ), mean weights W0 = λ/(k + λ), Wi = 1/(2(k + λ)), covariance weights
W0 + (1 − α² + β) for the centre point and Wi otherwise.

Defaults α = 1, β = 2, κ = 0: λ = 0, so the centre point carries no mean weight, every
covariance weight is positive (the predicted covariance is positive semi-definite by
construction) and the points sit at ±√k σ.  Any (α, β, κ) reproduces the mean and
covariance of a linear map exactly, so on linear models the UKF equals the Kalman
filter to rounding.

Arrays: states ``x (n, k)``, covariances ``P (n, k, k)``, sigma points ``(n, s, k)``
with s = 2k + 1.  Transformed points ``(n, s, m)`` may hold an angle column (the
azimuth); its mean is taken on the circle relative to the centre point and its
deviations wrap to (−π, π].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from tate.tracking.measurement import wrap_angle

__all__ = [
    "UKFParams",
    "sigma_points",
    "ukf_predict",
    "ukf_transform",
    "ukf_weights",
    "unscented_moments",
]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class UKFParams:
    """Scaling parameters of the unscented transform (see the module docstring)."""

    alpha: float = 1.0  #: spread of the points around the mean
    beta: float = 2.0  #: prior-distribution term (2 is optimal for a Gaussian)
    kappa: float = 0.0  #: secondary scaling


@cache
def ukf_weights(k: int, params: UKFParams) -> tuple[F64, F64, float]:
    """Mean weights ``(2k+1,)``, covariance weights ``(2k+1,)`` and the spread γ."""
    lam = params.alpha**2 * (k + params.kappa) - k
    if not k + lam > 0:
        raise ValueError(f"UKF needs k + λ > 0, got k={k}, λ={lam}")
    wm = np.full(2 * k + 1, 0.5 / (k + lam))
    wm[0] = lam / (k + lam)
    wc = wm.copy()
    wc[0] += 1.0 - params.alpha**2 + params.beta
    wm.setflags(write=False)
    wc.setflags(write=False)
    return wm, wc, float(np.sqrt(k + lam))


def sigma_points(x: F64, P: F64, gamma: float) -> F64:
    """Sigma points ``(n, 2k+1, k)``: x, x + γ Lᵢ, x − γ Lᵢ with Lᵢ the columns of chol(P)."""
    n, k = x.shape
    L = np.linalg.cholesky(P)  # fails loudly if P is not positive-definite
    G = gamma * np.swapaxes(L, -1, -2)  # row i = γ · column i of L
    X = np.empty((n, 2 * k + 1, k))
    X[:, 0, :] = x
    X[:, 1 : k + 1, :] = x[:, None, :] + G
    X[:, k + 1 :, :] = x[:, None, :] - G
    return X


def unscented_moments(Y: F64, wm: F64, wc: F64, angle: int | None = None
                      ) -> tuple[F64, F64, F64]:
    """Weighted mean ``(n, m)``, deviations ``(n, s, m)`` and covariance ``(n, m, m)`` of
    transformed points ``Y (n, s, m)``; column ``angle`` (if any) is averaged on the circle."""
    if angle is None:
        mean = wm @ Y
        dev = Y - mean[:, None, :]
    else:
        ref = Y[:, 0, angle].copy()
        Y = Y.copy()
        Y[:, :, angle] = wrap_angle(Y[:, :, angle] - ref[:, None])
        mean = wm @ Y
        dev = Y - mean[:, None, :]
        mean[:, angle] = wrap_angle(mean[:, angle] + ref)
    cov = (np.swapaxes(dev, -1, -2) * wc) @ dev
    return mean, dev, 0.5 * (cov + np.swapaxes(cov, -1, -2))


def ukf_predict(x: F64, P: F64, f: Callable[[F64], F64], Q: F64, params: UKFParams
                ) -> tuple[F64, F64]:
    """Unscented prediction: mean and covariance of ``f`` (acting on rows ``(N, k)``) over
    the sigma points of every track, plus process noise ``Q (k, k)`` or ``(n, k, k)``."""
    n, k = x.shape
    wm, wc, gamma = ukf_weights(k, params)
    X = sigma_points(x, P, gamma)
    Y = f(X.reshape(-1, k)).reshape(n, 2 * k + 1, k)
    mean, _, cov = unscented_moments(Y, wm, wc)
    return mean, cov + Q


def ukf_transform(x: F64, P: F64, h: Callable[[F64], F64], params: UKFParams,
                  angle: int | None = None) -> tuple[F64, F64, F64]:
    """Unscented measurement moments: predicted measurement ``(n, m)``, its covariance
    ``(n, m, m)`` without noise, and the state-measurement cross-covariance ``(n, k, m)``;
    ``h`` maps state rows ``(N, k)`` to measurements ``(N, m)``."""
    n, k = x.shape
    wm, wc, gamma = ukf_weights(k, params)
    X = sigma_points(x, P, gamma)
    Z = h(X.reshape(-1, k))
    Z = Z.reshape(n, 2 * k + 1, Z.shape[-1])
    z_pred, dz, Pzz = unscented_moments(Z, wm, wc, angle)
    dx = X - (wm @ X)[:, None, :]
    Pxz = (np.swapaxes(dx, -1, -2) * wc) @ dz
    return z_pred, Pzz, Pxz
