"""Railgun rounds in flight: muzzle state and a drag-and-steering flight model.

What it models
--------------
* **Muzzle state** (:func:`launch_state`): rounds leave a geodetic point along a barrel
  azimuth and elevation at the gun's muzzle speed, relative to the Earth (ship motion
  neglected).
* **Projectile flight** (:class:`ProjectileModel`): a point mass with drag
  a_D = -½ρV²·S·C_D(M)/m · v̂ (Mach-table C_D, linear interpolation, held at the table
  ends) flown by :class:`tate.flight.integrator.Propagator` in ECEF over the rotating
  Earth.  A guided round adds a lateral acceleration toward a target point the engine
  sets: proportional navigation against a fixed point, a = N·V·λ̇ with
  λ̇ = V·sin θ / R (θ between velocity and line of sight), perpendicular to the velocity,
  capped at ``max_accel`` (:func:`pn_to_point`); induced drag of the manoeuvre is
  neglected.

Frames and units: SI; flight state ECEF (3, n) as in :mod:`tate.flight.eom`.  The gun's
energy, rate and Pk: :mod:`tate.weapons.railgun`.  Guidance law: Zarchan, *Tactical and
Strategic Missile Guidance* (proportional navigation).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate.earth import wgs84
from tate.flight.eom import Environment, dot3, norm3
from tate.flight.models.base import FlightModel
from tate.weapons.railgun import RailgunSpec

__all__ = ["ProjectileModel", "launch_state", "pn_to_point"]

F64 = NDArray[np.float64]


def launch_state(spec: RailgunSpec, lat: ArrayLike, lon: ArrayLike, alt: ArrayLike,
                 az: ArrayLike, el: ArrayLike) -> tuple[F64, F64, F64]:
    """Muzzle state of rounds fired from geodetic (lat, lon [rad], alt [m]).

    ``az`` (clockwise from north) and ``el`` [rad] give the barrel direction; the
    muzzle velocity is relative to the Earth (ship motion neglected).

    Returns
    -------
    pos, vel, mass
        ECEF ``(3, n)`` [m], ``(3, n)`` [m/s], ``(n,)`` [kg].
    """
    lat_a, lon_a, alt_a, az_a, el_a = np.broadcast_arrays(*(np.atleast_1d(np.asarray(x, float))
                                                           for x in (lat, lon, alt, az, el)))
    pos = wgs84.geodetic_to_ecef(lat_a, lon_a, alt_a).T
    enu = wgs84.aer_to_enu(az_a, el_a, spec.muzzle_speed_mps)
    vel = wgs84.enu_vec_to_ecef(enu, lat_a, lon_a).T
    return np.ascontiguousarray(pos), np.ascontiguousarray(vel), \
        np.full(lat_a.shape[0], spec.projectile_mass_kg)


class ProjectileModel(FlightModel):
    """Railgun rounds: point masses with Mach-table drag, optionally guided.

    Parameters
    ----------
    area
        Reference area per round ``(n,)`` [m²].
    cd_mach
        Drag table ``(mach (k,), cd (k,))`` shared by all rounds of this model.
    guided
        Which rounds steer ``(n,)``; default none.
    max_accel
        Lateral acceleration cap per round ``(n,)`` [m/s²].
    nav_gain
        Navigation constant N [-].

    Notes
    -----
    The engine sets :attr:`target` ``(3, n)`` (ECEF [m], NaN: none).  The command is
    computed once per step in :meth:`update` and held over the step.
    """

    name = "railgun-projectile"

    def __init__(self, area: ArrayLike, cd_mach: tuple[ArrayLike, ArrayLike],
                 guided: ArrayLike | None = None, max_accel: ArrayLike | None = None,
                 nav_gain: float = 3.0) -> None:
        area_a = np.atleast_1d(np.asarray(area, float))
        super().__init__(int(area_a.shape[0]))
        self.area = area_a
        self.cd_mach = (np.asarray(cd_mach[0], float), np.asarray(cd_mach[1], float))
        self.guided = (np.zeros(self.n, bool) if guided is None
                       else np.broadcast_to(np.asarray(guided, bool), (self.n,)).copy())
        self.max_accel = (np.zeros(self.n) if max_accel is None
                          else np.broadcast_to(np.asarray(max_accel, float), (self.n,)).copy())
        self.nav_gain = float(nav_gain)
        self.target = np.full((3, self.n), np.nan)
        self.command = np.zeros((3, self.n))  #: held lateral acceleration [m/s²]

    @classmethod
    def from_spec(cls, spec: RailgunSpec, n: int, nav_gain: float = 3.0) -> ProjectileModel:
        """``n`` rounds of one railgun type."""
        return cls(np.full(n, spec.reference_area_m2), spec.cd_mach,
                   np.full(n, spec.guided), np.full(n, spec.max_accel), nav_gain)

    def update(self, t: float, pos: F64, vel: F64, mass: F64, env: Environment) -> None:
        """Proportional navigation toward the target point, capped (guided rounds only)."""
        self.command = pn_to_point(pos, vel, self.target, self.nav_gain, self.max_accel)
        self.command[:, ~self.guided] = 0.0

    def specific_force(self, t: float, pos: F64, vel: F64, mass: F64, env: Environment,
                       acc: F64, mdot: F64) -> None:
        """Drag along −v̂ plus the held steering command; no mass flow."""
        cd = np.interp(env.mach, *self.cd_mach)
        k = env.qbar * self.area * cd / (mass * np.where(env.speed > 0, env.speed, 1.0))
        np.multiply(vel, -k, out=acc)
        acc += self.command
        mdot.fill(0.0)


def pn_to_point(pos: F64, vel: F64, target: F64, nav_gain: float, max_accel: F64) -> F64:
    """Lateral acceleration N·V²·sin θ / R toward fixed points, capped ``(3, n)`` [m/s²].

    Perpendicular to the velocity, in the plane of velocity and line of sight, toward
    the line of sight: proportional navigation (a = N·V·λ̇) against a stationary point,
    for which λ̇ = V·sin θ / R.  Zero where the target is NaN or coincides with ``pos``.
    """
    los = target - pos
    rng = norm3(los)
    speed = norm3(vel)
    ok = np.isfinite(rng) & (rng > 0.0) & (speed > 0.0)
    los_u = np.where(ok, los / np.where(ok, rng, 1.0), 0.0)
    v_u = np.where(ok, vel / np.where(ok, speed, 1.0), 0.0)
    perp = los_u - dot3(los_u, v_u) * v_u
    cmd = perp * np.where(ok, nav_gain * speed * speed / np.where(ok, rng, 1.0), 0.0)
    mag = norm3(cmd)
    scale = np.where(mag > max_accel, max_accel / np.where(mag > 0.0, mag, 1.0), 1.0)
    return cmd * scale
