"""Guidance kernels shared by the threat models (and later the interceptors).

Geometry on the sphere from ECEF vectors (range to go and bearing to a fixed
aim point), proportional navigation, and the decomposition of a commanded
acceleration into the velocity frame of :func:`tate.flight.eom.lift_frame`.
All arrays are ``(3, n)`` ECEF vectors or ``(n,)`` scalars, SI units.

References: Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed., ch. 2
(proportional navigation); Vinh et al. 1980 (heading and flight-path angles).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.flight.eom import cross3, dot3, local_frame

__all__ = ["bearing_and_range", "bearing_and_range_units", "heading", "pn_accel", "wrap_pi"]

F64 = NDArray[np.float64]


def wrap_pi(angle: F64) -> F64:
    """Wrap angles [rad] to [-π, π)."""
    return (angle + np.pi) % (2.0 * np.pi) - np.pi


def bearing_and_range(pos: F64, aim: F64,
                      frame: tuple[F64, F64, F64] | None = None) -> tuple[F64, F64]:
    """Great-circle bearing and ground range from ``pos`` to ``aim`` (both ``(3, n)`` ECEF).

    ``frame``: :func:`tate.flight.eom.local_frame` of ``pos`` if the caller has it.

    Returns
    -------
    bearing
        Initial azimuth, clockwise from north (the local frame of
        :func:`tate.flight.eom.local_frame`) [rad].
    ground_range
        Arc length on the mean sphere R = 6,371,008.8 m [m].
    """
    u = pos / np.sqrt(dot3(pos, pos))
    a = aim / np.sqrt(dot3(aim, aim))
    east, north, _ = local_frame(pos) if frame is None else frame
    return bearing_and_range_units(u, a, east, north)


def bearing_and_range_units(u: F64, a: F64, east: F64, north: F64) -> tuple[F64, F64]:
    """:func:`bearing_and_range` from the unit vectors ``u = pos/|pos|`` and
    ``a = aim/|aim|`` and the east and north unit vectors at ``pos`` (all ``(3, n)``), for
    a caller that reuses them over several aims or steps."""
    cosang = dot3(u, a)
    d = a - cosang * u
    sinang = np.sqrt(dot3(d, d))
    bearing = np.arctan2(dot3(d, east), dot3(d, north))
    return bearing, wgs84.R_MEAN * np.arctan2(sinang, cosang)


def heading(pos: F64, vel: F64, frame: tuple[F64, F64, F64] | None = None) -> F64:
    """Heading of the horizontal velocity, clockwise from north [rad] (``frame``:
    :func:`tate.flight.eom.local_frame` of ``pos`` if the caller has it)."""
    east, north, _ = local_frame(pos) if frame is None else frame
    return np.arctan2(dot3(vel, east), dot3(vel, north))


def pn_accel(r_rel: F64, v_rel: F64, vel: F64, nav_gain: float) -> F64:
    """Pure proportional navigation: ``a = N' ω × v_M``.

    Parameters
    ----------
    r_rel
        Target minus pursuer position ``(3, n)`` [m].
    v_rel
        Target minus pursuer velocity ``(3, n)`` [m/s].
    vel
        Pursuer velocity ``(3, n)`` [m/s].
    nav_gain
        Navigation ratio N' [-].

    Returns
    -------
    Commanded acceleration ``(3, n)`` [m/s^2], perpendicular to ``vel``.

    Notes
    -----
    Line-of-sight rate ω = (r × v_r) / |r|² [rad/s]; ``|a| = N' V_M λ̇``.
    """
    r2 = dot3(r_rel, r_rel)
    omega = cross3(r_rel, v_rel) / np.where(r2 > 0, r2, 1.0)
    return nav_gain * cross3(omega, vel)
