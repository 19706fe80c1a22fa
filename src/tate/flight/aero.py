"""Aerodynamic coefficient models of gliders.

CAV-H (Common Aero Vehicle, high lift-to-drag): Phillips, "A Common Aero
Vehicle (CAV) Model, Description, and Employment Guide", Schafer Corp., 2003:
m = 907.2 kg, S = 0.4839 m², α in degrees,

    C_L = −0.2317 + 0.0513 α + 0.2945 exp(−0.1028 M)
    C_D =  0.024 + 7.24e−4 α² + 0.406 exp(−0.323 M)

C_L is linear in α, so the angle of attack for a commanded lift coefficient
has a closed form.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CAVH_AREA",
    "CAVH_MASS",
    "cavh_alpha_for_cl",
    "cavh_cd",
    "cavh_cl",
    "cavh_max_lift_to_drag",
]

F64 = NDArray[np.float64]
CAVH_MASS = 907.2  #: [kg]
CAVH_AREA = 0.4839  #: [m^2]
CAVH_ALPHA_MAX_DEG = 20.0  #: upper end of the fit's use here [deg]


def cavh_cl(alpha_deg: ArrayLike, mach: ArrayLike) -> F64:
    """CAV-H lift coefficient [-] at angle of attack [deg] and Mach number."""
    return -0.2317 + 0.0513 * np.asarray(alpha_deg) + 0.2945 * np.exp(-0.1028 * np.asarray(mach))


def cavh_cd(alpha_deg: ArrayLike, mach: ArrayLike) -> F64:
    """CAV-H drag coefficient [-] at angle of attack [deg] and Mach number."""
    a = np.asarray(alpha_deg)
    return 0.024 + 7.24e-4 * a * a + 0.406 * np.exp(-0.323 * np.asarray(mach))


def cavh_alpha_for_cl(cl: ArrayLike, mach: ArrayLike) -> F64:
    """Angle of attack [deg] giving lift coefficient ``cl`` (inverse of :func:`cavh_cl`)."""
    return (np.asarray(cl) + 0.2317 - 0.2945 * np.exp(-0.1028 * np.asarray(mach))) / 0.0513


def cavh_max_lift_to_drag(mach: ArrayLike) -> tuple[F64, F64]:
    """Maximum L/D and the angle of attack [deg] where it occurs, at each Mach number.

    d(L/D)/dα = 0 gives  b (c0 + k α²) = 2 k α (a0 + b α)  with C_L = a0 + b α and
    C_D = c0 + k α², i.e.  k b α² + 2 k a0 α − b c0 = 0, whose positive root is
    taken.
    """
    m = np.asarray(mach, float)
    a0 = -0.2317 + 0.2945 * np.exp(-0.1028 * m)
    b = 0.0513
    k = 7.24e-4
    c0 = 0.024 + 0.406 * np.exp(-0.323 * m)
    alpha = (-2 * k * a0 + np.sqrt(4 * k * k * a0 * a0 + 4 * k * b * b * c0)) / (2 * k * b)
    return (a0 + b * alpha) / (c0 + k * alpha * alpha), alpha
