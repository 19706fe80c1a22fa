"""Two-body (Kepler) propagation with universal variables: an independent
closed-form oracle for drag-free flight over a spherical, non-rotating Earth.

Given an inertial position and velocity, the state after time ``dt`` follows
from Kepler's equation in the universal anomaly χ with Stumpff functions
C(z), S(z) and the Lagrange coefficients f, g, ḟ, ġ (Vallado, *Fundamentals
of Astrodynamics and Applications*, 4th ed., Algorithm 8; Curtis, *Orbital
Mechanics for Engineering Students*, §3.7).  Valid for elliptic, parabolic and
hyperbolic arcs.  Vectors ``(3,)``, SI units.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["kepler_propagate", "stumpff_c", "stumpff_s"]

F64 = NDArray[np.float64]


def stumpff_c(z: float) -> float:
    """Stumpff function C(z) = (1 − cos √z)/z (and its hyperbolic and series forms)."""
    if z > 1e-6:
        return float((1 - np.cos(np.sqrt(z))) / z)
    if z < -1e-6:
        return float((np.cosh(np.sqrt(-z)) - 1) / -z)
    return 1 / 2 - z / 24 + z * z / 720


def stumpff_s(z: float) -> float:
    """Stumpff function S(z) = (√z − sin √z)/√z³ (and its hyperbolic and series forms)."""
    if z > 1e-6:
        s = np.sqrt(z)
        return float((s - np.sin(s)) / s**3)
    if z < -1e-6:
        s = np.sqrt(-z)
        return float((np.sinh(s) - s) / s**3)
    return 1 / 6 - z / 120 + z * z / 5040


def kepler_propagate(r0: F64, v0: F64, dt: float, mu: float) -> tuple[F64, F64]:
    """Position [m] and velocity [m/s] after ``dt`` [s] on a two-body arc.

    Newton iteration on the universal Kepler equation
    √μ Δt = r0·v0/√μ χ² C + (1 − α r0) χ³ S + r0 χ,  z = α χ²,  α = 2/r0 − v0²/μ.
    """
    r0 = np.asarray(r0, float)
    v0 = np.asarray(v0, float)
    rn = float(np.linalg.norm(r0))
    vr = float(np.dot(r0, v0) / rn)
    alpha = 2.0 / rn - float(np.dot(v0, v0)) / mu
    sqmu = np.sqrt(mu)
    chi = sqmu * abs(alpha) * dt if abs(alpha) > 1e-12 else sqmu * dt / rn
    for _ in range(100):
        z = alpha * chi * chi
        c, s = stumpff_c(z), stumpff_s(z)
        f = (rn * vr / sqmu * chi * chi * c + (1 - alpha * rn) * chi**3 * s
             + rn * chi - sqmu * dt)
        fp = (rn * vr / sqmu * chi * (1 - z * s) + (1 - alpha * rn) * chi * chi * c + rn)
        step = f / fp
        chi -= step
        if abs(step) < 1e-12 * max(1.0, abs(chi)):
            break
    z = alpha * chi * chi
    c, s = stumpff_c(z), stumpff_s(z)
    f_l = 1 - chi * chi / rn * c
    g_l = dt - chi**3 / sqmu * s
    r = f_l * r0 + g_l * v0
    r_n = float(np.linalg.norm(r))
    fdot = sqmu / (r_n * rn) * (z * s - 1) * chi
    gdot = 1 - chi * chi / r_n * c
    return r, fdot * r0 + gdot * v0
