"""Equilibrium-glide relations for hypersonic gliders (closed forms).

For a glider in equilibrium flight (flight-path angle ≈ 0, lift balancing
gravity less the centrifugal term) with lift-to-drag ratio L/D and ballistic
coefficient β = m/(C_D S):

    ρ_eq(V)   = 2β (g − V²/r) / ((L/D) V²)
    dV/dt     = −(g − V²/r) / (L/D)
    range     = (L/D) (r/2) ln[(1 − V_f²/(g r)) / (1 − V_0²/(g r))]

(Tracy & Wright, "Modeling the Performance of Hypersonic Boost-Glide Missiles",
Science & Global Security 28(3), 2020, appendix; Vinh et al. 1980, ch. 5.)
Units SI; altitudes geometric [m] above a sphere of radius ``r_earth``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate.earth.atmosphere import us76

__all__ = [
    "MU_REF",
    "R_REF",
    "altitude_and_slope_for_density",
    "altitude_for_density",
    "equilibrium_density",
    "equilibrium_glide_altitude",
    "glide_deceleration",
    "glide_range",
]

F64 = NDArray[np.float64]
R_REF = 6_371_000.0  #: sphere radius of the published reference values [m]
MU_REF = 3.986e14  #: gravitational parameter of the reference values [m^3/s^2]


@dataclass(frozen=True)
class _InverseTable:
    """Altitude on a grid uniform in ln ρ, so a lookup needs no search."""

    x0: float  #: ln ρ of the first row
    inv_dx: float  #: rows per unit of ln ρ
    alt: F64  #: altitude of each row [m]


@cache
def _inverse_table() -> _InverseTable:
    h = np.arange(-5_000.0, 300_001.0, 10.0)
    log_rho = np.log(us76(h).density)[::-1]  # increasing
    grid = np.linspace(log_rho[0], log_rho[-1], 200_001)
    alt = np.interp(grid, log_rho, h[::-1])
    return _InverseTable(float(grid[0]), float(1.0 / (grid[1] - grid[0])), alt)


def altitude_for_density(rho: ArrayLike) -> F64:
    """Geometric altitude at which the US76 density equals ``rho`` [kg/m^3] → [m].

    Linear interpolation on a table uniform in ln ρ (200,001 rows from −5 km to
    300 km, built once from a 10 m grid): within 0.01 m of interpolating the 10 m
    grid itself.  Densities outside that span return the ends.
    """
    return altitude_and_slope_for_density(rho)[0]


def altitude_and_slope_for_density(rho: ArrayLike) -> tuple[F64, F64]:
    """:func:`altitude_for_density` and its slope dh/d(ln ρ) [m] (minus the density
    scale height), from the same table row."""
    tab = _inverse_table()
    x = (np.log(np.maximum(np.asarray(rho, dtype=float), 1e-300)) - tab.x0) * tab.inv_dx
    np.maximum(0.0, x, out=x)  # np.clip(x, 0, top) without its dispatch
    np.minimum(tab.alt.size - 1.000001, x, out=x)
    i = x.astype(np.intp)
    x -= i
    lo = tab.alt[i]
    step = tab.alt[i + 1] - lo
    return lo + x * step, step * tab.inv_dx


def equilibrium_density(speed: ArrayLike, r: ArrayLike, lift_per_q: ArrayLike,
                        mu: float = MU_REF) -> F64:
    """Density at which lift balances gravity less the centrifugal term.

    Parameters
    ----------
    speed
        Speed [m/s].
    r
        Distance from the Earth's centre [m].
    lift_per_q
        Lift acceleration per dynamic pressure, (L/D)/β [m^2/kg].
    mu
        Gravitational parameter [m^3/s^2].

    Returns
    -------
    ρ_eq [kg/m^3]; zero where V² ≥ g r (orbital speed: no lift needed), infinite
    where there is no lift at all.
    """
    v = np.asarray(speed, float)
    r = np.asarray(r, float)
    need = np.maximum(mu / r**2 - v * v / r, 0.0)
    denom = np.asarray(lift_per_q, float) * v * v
    return np.divide(2.0 * need, denom, out=np.full(np.broadcast(need, denom).shape, np.inf),
                     where=denom > 0)


def equilibrium_glide_altitude(speed: ArrayLike, beta: float, lift_to_drag: float,
                               r_earth: float = R_REF, mu: float = MU_REF) -> F64:
    """Equilibrium glide altitude [m] at ``speed`` [m/s] over a spherical Earth.

    Solves ρ_US76(h) = ρ_eq(V, R + h) for h by bisection (the right-hand side
    varies slowly with h, the left fast, so the root is unique).
    """
    v = np.atleast_1d(np.asarray(speed, float))
    lo = np.zeros_like(v)
    hi = np.full_like(v, 200_000.0)
    k = lift_to_drag / beta
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = us76(mid).density < equilibrium_density(v, r_earth + mid, k, mu)
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return 0.5 * (lo + hi)


def glide_deceleration(speed: ArrayLike, r: ArrayLike, lift_to_drag: float,
                       mu: float = MU_REF) -> F64:
    """Deceleration of an equilibrium glide, dV/dt = −(g − V²/r)/(L/D) [m/s^2]."""
    v = np.asarray(speed, float)
    r = np.asarray(r, float)
    return -(mu / r**2 - v * v / r) / lift_to_drag


def glide_range(v0: ArrayLike, vf: ArrayLike, lift_to_drag: float,
                r: float = R_REF, mu: float = MU_REF) -> F64:
    """Ground range of an equilibrium glide from speed ``v0`` to ``vf`` [m].

    Uses g = μ/r² at the constant radius ``r`` (the flat-glide approximation).
    """
    g = mu / r**2
    v0 = np.asarray(v0, float)
    vf = np.asarray(vf, float)
    return lift_to_drag * r / 2.0 * np.log((1 - vf**2 / (g * r)) / (1 - v0**2 / (g * r)))
