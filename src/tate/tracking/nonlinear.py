"""Nonlinear motion models for tracking: coordinated turn (CT) and ballistic flight.

Frame: the tracker's local tangent-plane ENU frame (x east, y north, z up) centred at
a ground origin.  The Earth's rotation is ignored in this frame: the Coriolis and
centrifugal accelerations (up to 2Ωv ≈ 0.4 m/s² at 3 km/s, Ω = 7.29e-5 rad/s) are left
to the process noise.  State layout as in :mod:`.motion`: positions, velocities, then
the extra state.  Units: m, s, rad, kg.

Coordinated turn (Li & Jilkov, "Survey of maneuvering target tracking. Part I:
dynamic models", IEEE TAES 39(4), 2003, §V.A, the CT model with unknown turn rate;
Bar-Shalom, Li & Kirubarajan 2001, §11.7.1)
    2-D ``[x, y, vx, vy, ω]``, 3-D ``[x, y, z, vx, vy, vz, ω]``.  The horizontal
    velocity turns at the constant rate ω [rad/s] about the local vertical (ω > 0:
    counter-clockwise seen from above, i.e. a left turn); the vertical channel is
    constant velocity.  ODE: ẍ = −ω ẏ, ÿ = ω ẋ, z̈ = 0, ω̇ = 0; its exact solution over
    a step T, with u = ωT, is
    x' = x + (sin u / ω) vx − ((1 − cos u) / ω) vy,
    y' = y + ((1 − cos u) / ω) vx + (sin u / ω) vy,
    vx' = cos u vx − sin u vy,  vy' = sin u vx + cos u vy.
    For |u| < 0.1 the coefficients and their ω-derivatives come from Taylor series
    (truncation below 1e-16 relative), so ω → 0 gives constant velocity exactly.
    Process noise: the continuous white-noise-acceleration block of :mod:`.motion`
    (density ``q`` [m²/s³]) on each axis, which ignores the rotation of the noise
    inside a step, plus a random walk ``q_omega·T`` [rad²/s²] on ω.

Ballistic (Li & Jilkov, "Survey of maneuvering target tracking. Part II: motion
models of ballistic and space targets", IEEE TAES 46(1), 2010, §III)
    ``[x, y, z, vx, vy, vz, s]`` with s = ln(β / 1 kg m⁻²) and β = m / (C_D A) the
    ballistic coefficient.  a = −μ r / |r|³ − ½ ρ(h) |v| v e^{−s}, with r = pos +
    (0, 0, R) (Earth centre below the origin, so 1,000 km ranges keep the Earth's
    curvature), h = |r| − R and the exponential atmosphere ρ = ρ0 exp(−h / H); ṡ = 0.
    Why ln β: β is positive and spans decades (about 1e3 to 1e5 kg/m² for re-entry
    bodies), so its uncertainty is multiplicative; a Gaussian on ln β keeps every
    sigma point physical (no negative drag), and drag is smooth in s.  Why the
    exponential atmosphere rather than US76: it is smooth, so its analytic Jacobian is
    exact, and cheap; with ρ0 = 1.225 kg/m³, H = 7.2 km it lies between 0.73 and 1.20
    times US76 from 0 to 85 km, which the filter's β state absorbs.  Propagation is
    classical RK4 with equal sub-steps no longer than ``max_step`` (default 0.5 s:
    against DOP853 at rtol 1e-12, under 0.1 mm and 0.1 mm/s after 10-60 s, in vacuum
    and through re-entry to 6 km); the EKF's transition matrix integrates the
    variational equation Φ̇ = A(x) Φ alongside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tate.earth.wgs84 import GM, R_MEAN

__all__ = [
    "BallisticParams",
    "ballistic_jacobian",
    "ballistic_process_noise",
    "ballistic_propagate",
    "ballistic_propagate_stm",
    "ballistic_rhs",
    "ct_jacobian",
    "ct_process_noise",
    "ct_propagate",
]

F64 = NDArray[np.float64]
_SERIES = 0.1  # |ωT| below which the CT coefficients come from Taylor series


# ---- coordinated turn -------------------------------------------------------------------------
def _ct_coefficients(w: F64, t: float) -> tuple[F64, F64, F64, F64, F64, F64]:
    """sin(u)/ω, (1 − cos u)/ω, cos u, sin u and the ω-derivatives of the first two."""
    u = w * t
    small = np.abs(u) < _SERIES
    us = np.where(small, 1.0, u)  # safe arguments for the closed forms
    ws = np.where(small, 1.0, w)
    u2 = u * u
    s_u, c_u = np.sin(u), np.cos(u)
    half = np.sin(0.5 * us)
    a_big = np.sin(us) / ws
    b_big = 2.0 * half * half / ws
    da_big = (us * np.cos(us) - np.sin(us)) / (ws * ws)
    db_big = (us * np.sin(us) - 2.0 * half * half) / (ws * ws)
    a_ser = t * (1.0 - u2 / 6.0 * (1.0 - u2 / 20.0 * (1.0 - u2 / 42.0 * (1.0 - u2 / 72.0))))
    b_ser = t * u * (0.5 - u2 / 24.0 * (1.0 - u2 / 30.0 * (1.0 - u2 / 56.0 * (1.0 - u2 / 90.0))))
    da_ser = t * t * u * (-1.0 / 3.0 + u2 / 30.0 - u2 * u2 / 840.0 + u2**3 / 45360.0)
    db_ser = t * t * (0.5 - u2 / 8.0 + u2 * u2 / 144.0 - u2**3 / 5760.0 + u2**4 / 403200.0)
    return (np.where(small, a_ser, a_big), np.where(small, b_ser, b_big), c_u, s_u,
            np.where(small, da_ser, da_big), np.where(small, db_ser, db_big))


def _ct_dim(k: int) -> int:
    if k not in (5, 7):
        raise ValueError(f"CT state must have 5 (2-D) or 7 (3-D) components, got {k}")
    return (k - 1) // 2


def ct_propagate(x: F64, dt: float) -> F64:
    """Exact CT propagation of states ``x (n, 5)`` or ``(n, 7)`` over ``dt`` [s]."""
    d = _ct_dim(x.shape[-1])
    vx, vy, w = x[:, d], x[:, d + 1], x[:, 2 * d]
    a, b, c, s, _, _ = _ct_coefficients(w, dt)
    out = x.copy()
    out[:, 0] += a * vx - b * vy
    out[:, 1] += b * vx + a * vy
    out[:, d] = c * vx - s * vy
    out[:, d + 1] = s * vx + c * vy
    if d == 3:
        out[:, 2] += dt * x[:, 5]
    return out


def ct_jacobian(x: F64, dt: float) -> F64:
    """∂f/∂x ``(n, k, k)`` of :func:`ct_propagate` at ``x (n, k)``."""
    n, k = x.shape
    d = _ct_dim(k)
    vx, vy, w = x[:, d], x[:, d + 1], x[:, 2 * d]
    a, b, c, s, da, db = _ct_coefficients(w, dt)
    F = np.zeros((n, k, k))
    idx = np.arange(k)
    F[:, idx, idx] = 1.0
    F[:, 0, d], F[:, 0, d + 1], F[:, 0, 2 * d] = a, -b, da * vx - db * vy
    F[:, 1, d], F[:, 1, d + 1], F[:, 1, 2 * d] = b, a, db * vx + da * vy
    F[:, d, d], F[:, d, d + 1], F[:, d, 2 * d] = c, -s, -dt * (s * vx + c * vy)
    F[:, d + 1, d], F[:, d + 1, d + 1], F[:, d + 1, 2 * d] = s, c, dt * (c * vx - s * vy)
    if d == 3:
        F[:, 2, 5] = dt
    return F


def _cwna_block(dt: float, q: float, d: int, k: int) -> F64:
    """Continuous white-noise-acceleration Q on ``d`` axes in a ``k``-state layout."""
    Q = np.zeros((k, k))
    i = np.arange(d)
    Q[i, i] = q * dt**3 / 3.0
    Q[i, i + d] = Q[i + d, i] = q * dt**2 / 2.0
    Q[i + d, i + d] = q * dt
    return Q


def ct_process_noise(dt: float, q: float, q_omega: float, dim: int) -> F64:
    """CT process noise ``(k, k)``: white-noise acceleration of density ``q`` [m²/s³] on
    each axis and a random walk of density ``q_omega`` [rad²/s³] on ω."""
    k = 2 * dim + 1
    Q = _cwna_block(dt, q, dim, k)
    Q[-1, -1] = q_omega * dt
    return Q


# ---- ballistic --------------------------------------------------------------------------------
@dataclass(frozen=True)
class BallisticParams:
    """Constants of the ballistic model (SI)."""

    mu: float = GM  #: gravitational parameter [m³/s²]
    r_earth: float = R_MEAN  #: radius of the spherical Earth [m]
    rho0: float = 1.225  #: sea-level density of the exponential atmosphere [kg/m³]
    scale_height: float = 7200.0  #: density scale height H [m]
    max_step: float = 0.5  #: longest RK4 sub-step [s]
    s_min: float = 0.0  #: ln β is clipped to [s_min, s_max] inside the drag term
    s_max: float = 30.0


def _drag_terms(x: F64, p: BallisticParams) -> tuple[F64, F64, F64, F64, F64]:
    """Geocentric r, |r|, |v|, the drag factor k = ½ρ e^{−s} and the speed v."""
    rc = x[:, :3].copy()
    rc[:, 2] += p.r_earth
    rn = np.sqrt(np.einsum("ni,ni->n", rc, rc))
    v = x[:, 3:6]
    vn = np.sqrt(np.einsum("ni,ni->n", v, v))
    expo = np.minimum(-(rn - p.r_earth) / p.scale_height, 50.0)
    s = np.clip(x[:, 6], p.s_min, p.s_max)
    kd = 0.5 * p.rho0 * np.exp(expo - s)
    return rc, rn, vn, kd, v


def ballistic_rhs(x: F64, p: BallisticParams) -> F64:
    """Time derivative ``(n, 7)`` of ballistic states ``x (n, 7)``."""
    rc, rn, vn, kd, v = _drag_terms(x, p)
    out = np.zeros_like(x)
    out[:, :3] = v
    out[:, 3:6] = -(p.mu / rn**3)[:, None] * rc - (kd * vn)[:, None] * v
    return out


def ballistic_jacobian(x: F64, p: BallisticParams) -> F64:
    """A = ∂(ẋ)/∂x ``(n, 7, 7)`` of :func:`ballistic_rhs` (the clip of s is ignored)."""
    rc, rn, vn, kd, v = _drag_terms(x, p)
    n = x.shape[0]
    A = np.zeros((n, 7, 7))
    eye = np.eye(3)
    A[:, 0:3, 3:6] = eye
    u = rc / rn[:, None]
    grav = -(p.mu / rn**3)[:, None, None] * (eye - 3.0 * u[:, :, None] * u[:, None, :])
    a_drag = -(kd * vn)[:, None] * v
    A[:, 3:6, 0:3] = grav - a_drag[:, :, None] * u[:, None, :] / p.scale_height
    vs = np.maximum(vn, 1e-12)
    A[:, 3:6, 3:6] = -kd[:, None, None] * (vn[:, None, None] * eye
                                            + v[:, :, None] * v[:, None, :] / vs[:, None, None])
    A[:, 3:6, 6] = -a_drag
    return A


def _substeps(dt: float, p: BallisticParams) -> tuple[int, float]:
    m = max(1, int(np.ceil(abs(dt) / p.max_step - 1e-12)))
    return m, dt / m


def ballistic_propagate(x: F64, dt: float, p: BallisticParams) -> F64:
    """Ballistic states ``x (n, 7)`` after ``dt`` [s] (RK4, sub-steps ≤ ``p.max_step``)."""
    m, h = _substeps(dt, p)
    y = np.array(x, dtype=np.float64)
    for _ in range(m):
        k1 = ballistic_rhs(y, p)
        k2 = ballistic_rhs(y + 0.5 * h * k1, p)
        k3 = ballistic_rhs(y + 0.5 * h * k2, p)
        k4 = ballistic_rhs(y + h * k3, p)
        y = y + (h / 6.0) * (k1 + 2.0 * (k2 + k3) + k4)
    return y


def ballistic_propagate_stm(x: F64, dt: float, p: BallisticParams) -> tuple[F64, F64]:
    """Propagated states ``(n, 7)`` and transition matrices Φ ``(n, 7, 7)`` from RK4 on
    the state and the variational equation Φ̇ = A(x) Φ, Φ(0) = I."""
    m, h = _substeps(dt, p)
    y = np.array(x, dtype=np.float64)
    phi = np.broadcast_to(np.eye(7), (x.shape[0], 7, 7)).copy()
    for _ in range(m):
        y2 = y + 0.5 * h * (k1 := ballistic_rhs(y, p))
        y3 = y + 0.5 * h * (k2 := ballistic_rhs(y2, p))
        y4 = y + h * (k3 := ballistic_rhs(y3, p))
        k4 = ballistic_rhs(y4, p)
        a1 = ballistic_jacobian(y, p)
        a2 = ballistic_jacobian(y2, p)
        a3 = ballistic_jacobian(y3, p)
        a4 = ballistic_jacobian(y4, p)
        l1 = a1 @ phi
        l2 = a2 @ (phi + 0.5 * h * l1)
        l3 = a3 @ (phi + 0.5 * h * l2)
        l4 = a4 @ (phi + h * l3)
        y = y + (h / 6.0) * (k1 + 2.0 * (k2 + k3) + k4)
        phi = phi + (h / 6.0) * (l1 + 2.0 * (l2 + l3) + l4)
    return y, phi


def ballistic_process_noise(dt: float, q: float, q_s: float) -> F64:
    """Ballistic process noise ``(7, 7)``: white-noise acceleration of density ``q``
    [m²/s³] on each axis and a random walk of density ``q_s`` [1/s] on s = ln β."""
    Q = _cwna_block(dt, q, 3, 7)
    Q[6, 6] = q_s * dt
    return Q
