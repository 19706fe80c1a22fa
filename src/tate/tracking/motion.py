"""Linear motion models for tracking: transition and process-noise matrices.

State layout for ``d`` spatial axes: all positions, then all velocities (then
all accelerations), e.g. ``[x, y, z, vx, vy, vz]`` for a 3-D constant-velocity
model.  Both models are driven by continuous white noise of power spectral
density ``q`` per axis (Bar-Shalom, Li & Kirubarajan, *Estimation with
Applications to Tracking and Navigation*, 2001, §6.2.2 (CV, "continuous white
noise acceleration", eq. 6.2.2-12) and §6.2.3 (CA, "white noise jerk",
eq. 6.2.3-8)).  Matrices are returned for a batch of step lengths
``dt (n,)`` as ``(n, k, k)`` arrays.  Units: m, s; ``q`` in m²/s³ (CV) or m²/s⁵ (CA).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["MODELS", "process_noise", "transition"]

F64 = NDArray[np.float64]
MODELS = {"cv": 2, "ca": 3, "singer": 3}  #: model name → derivative order (blocks per axis)


def _order(model: str) -> int:
    if model not in MODELS:
        raise ValueError(f"unknown motion model {model!r}; valid names: {', '.join(MODELS)}")
    return MODELS[model]


def _kron_axes(block: F64, d: int) -> F64:
    """Expand per-axis ``(n, o, o)`` blocks to the stacked layout ``(n, o·d, o·d)``."""
    return np.einsum("nij,ab->niajb", block, np.eye(d)).reshape(
        block.shape[0], block.shape[1] * d, block.shape[2] * d)


def transition(model: str, dt: ArrayLike, d: int, alpha: float = 0.1) -> F64:
    """State transition matrices ``F (n, k, k)`` for steps ``dt (n,)`` [s].

    CV: per axis [[1, dt], [0, 1]]; CA: [[1, dt, dt²/2], [0, 1, dt], [0, 0, 1]];
    Singer (manoeuvre time constant 1/``alpha`` [1/s], Singer, IEEE TAES 6(4), 1970):
    [[1, T, (αT − 1 + e^{−αT})/α²], [0, 1, (1 − e^{−αT})/α], [0, 0, e^{−αT}]].
    """
    o = _order(model)
    t = np.atleast_1d(np.asarray(dt, dtype=float))
    if model == "singer":
        e = np.exp(-alpha * t)
        block = np.zeros((t.size, 3, 3))
        block[:, 0, 0] = block[:, 1, 1] = 1.0
        block[:, 0, 1] = t
        block[:, 0, 2] = (alpha * t - 1.0 + e) / alpha**2
        block[:, 1, 2] = (1.0 - e) / alpha
        block[:, 2, 2] = e
        return _kron_axes(block, d)
    block = np.zeros((t.size, o, o))
    for i in range(o):
        for j in range(i, o):
            p = j - i
            block[:, i, j] = t**p / float(np.prod(np.arange(1, p + 1)))
    return _kron_axes(block, d)


def _singer_noise(t: F64, sigma2: F64, alpha: float) -> F64:
    """Per-axis Singer Q by Van Loan's method (one matrix exponential per distinct step)."""
    from scipy.linalg import expm

    a = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, -alpha]])
    out = np.empty((t.size, 3, 3))
    for value in np.unique(t):
        m = np.zeros((6, 6))
        m[:3, :3] = -a
        m[2, 5] = 2.0 * alpha  # G q Gᵀ with q = 2ασ² (σ² applied below)
        m[3:, 3:] = a.T
        e = expm(m * value)
        phi = e[3:, 3:].T
        out[t == value] = phi @ e[:3, 3:]
    return out * sigma2[:, None, None]


def process_noise(model: str, dt: ArrayLike, q: ArrayLike, d: int,
                  alpha: float = 0.1) -> F64:
    """Process noise covariance ``Q (n, k, k)`` for steps ``dt (n,)`` and spectral
    densities ``q`` (scalar or ``(n,)``).

    Entry (i, j) of the per-axis block is q·dt^(2o−1−i−j) / ((2o−1−i−j)·(o−1−i)!·(o−1−j)!)
    for derivative order o: [[dt³/3, dt²/2], [dt²/2, dt]]·q for CV and the white-noise-jerk
    block [[dt⁵/20, dt⁴/8, dt³/6], [dt⁴/8, dt³/3, dt²/2], [dt³/6, dt²/2, dt]]·q for CA.
    For Singer, ``q`` is the manoeuvre variance σ_m² [m²/s⁴] and the driving noise has
    density 2ασ_m²; Q is computed by Van Loan's method (IEEE TAC 23(3), 1978).
    """
    o = _order(model)
    t = np.atleast_1d(np.asarray(dt, dtype=float))
    qq = np.broadcast_to(np.asarray(q, dtype=float), t.shape)
    if model == "singer":
        return _kron_axes(_singer_noise(t, np.asarray(qq, float), alpha), d)
    fact = [float(np.prod(np.arange(1, k + 1))) for k in range(o)]
    block = np.empty((t.size, o, o))
    for i in range(o):
        for j in range(o):
            e = 2 * o - 1 - i - j
            block[:, i, j] = qq * t**e / (e * fact[o - 1 - i] * fact[o - 1 - j])
    return _kron_axes(block, d)
