"""Compiled kernels of :class:`tate.flight.models.waypoint.Waypoint` (numba).

One call per :meth:`Waypoint.update` (:func:`waypoint_update`) and per
:meth:`Waypoint.specific_force` (:func:`waypoint_specific_force`), each a loop over
the bodies with scalar arithmetic.  They are second implementations of the numpy code
in ``waypoint.py``, which stays the reference: the same operations in the same order
(``dot3`` as ``(a₀b₀ + a₁b₁) + a₂b₂``, the cross products and frames of
:mod:`tate.flight.eom`, the bearings of :mod:`tate.flight.guidance`), the same
comparisons for every discrete switch (waypoint passed, fuel out, terminal homing,
steady cruise), so the results agree to rounding, the transcendental functions
(``arctan2``, ``sin``, ``hypot``) to their last bit.  Phase-log entries are not
written here: the update kernel marks the bodies whose fuel ran out or whose homing
started and returns which of the two happened; the model writes the log.

Importing this module imports numba; :mod:`tate.flight.models.waypoint` imports it
only when a model is built with the compiled path on (:func:`tate.jit.enabled`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.jit import njit

__all__ = ["FUEL_OUT", "HOMING", "waypoint_specific_force", "waypoint_update"]

F64 = NDArray[np.float64]

FUEL_OUT = 1  #: bit of :func:`waypoint_update`'s result: some body's fuel ran out
HOMING = 2  #: bit of :func:`waypoint_update`'s result: some body started homing

# the constants of waypoint.py, repeated here so the kernels see them as compile-time
# constants (tests/unit/flight/test_waypoint_jit.py checks that they agree)
G = 9.80665
K_SPEED = 0.2
KP_ALT = 0.01
KD_ALT = 0.2
K_HEADING = 0.1
NAV_GAIN = 4.0
WAYPOINT_RADIUS = 2_000.0
FUEL_OUT_BETA = 2_000.0
CRUISE_MARGIN_S = 30.0
CRUISE_ALT_TOL_M = 2.0
R_MEAN = wgs84.R_MEAN
TWO_PI = 2.0 * np.pi


@njit
def _max(a: float, b: float) -> float:
    """``np.maximum`` of two floats (NaN if either is NaN)."""
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


@njit
def _min(a: float, b: float) -> float:
    """``np.minimum`` of two floats (NaN if either is NaN)."""
    if a != a or b != b:
        return math.nan
    return a if a <= b else b


@njit
def _east(pos: F64, i: int) -> tuple[float, float, float]:
    """East unit vector at body ``i`` (:func:`tate.flight.eom.local_frame`)."""
    rho = np.hypot(pos[0, i], pos[1, i])
    if not rho > 0.0:
        rho = 1.0
    return -pos[1, i] / rho, pos[0, i] / rho, 0.0


@njit
def _lift_axes(pos: F64, vel: F64, speed: F64, up: F64, i: int
               ) -> tuple[float, float, float, float, float, float, float, float, float]:
    """``(e_v, e_l, e_s)`` of body ``i`` (:func:`tate.flight.eom.lift_frame`), as nine
    floats."""
    s = speed[i]
    if not s > 0.0:
        s = 1.0
    v0, v1, v2 = vel[0, i] / s, vel[1, i] / s, vel[2, i] / s
    u0, u1, u2 = up[0, i], up[1, i], up[2, i]
    k = (u0 * v0 + u1 * v1) + u2 * v2
    l0, l1, l2 = u0 - k * v0, u1 - k * v1, u2 - k * v2
    norm = math.sqrt((l0 * l0 + l1 * l1) + l2 * l2)
    if norm < 1e-9:
        l0, l1, l2 = _east(pos, i)
        norm = 1.0
    l0, l1, l2 = l0 / norm, l1 / norm, l2 / norm
    s0 = v1 * l2 - v2 * l1
    s1 = v2 * l0 - v0 * l2
    s2 = v0 * l1 - v1 * l0
    return v0, v1, v2, l0, l1, l2, s0, s1, s2


@njit
def waypoint_specific_force(pos: F64, vel: F64, speed: F64, qbar: F64, up: F64, grav: F64,
                            cmd: F64, fuel: NDArray[np.bool_], acc: F64, mdot: F64) -> None:
    """:meth:`Waypoint.specific_force`: the commanded acceleration ``cmd (3, n)`` in the
    velocity frame less ``grav (3, n)`` while ``fuel``, else drag at ``FUEL_OUT_BETA``;
    written into ``acc (3, n)`` [m/s^2], and ``mdot (n,)`` zeroed."""
    for i in range(pos.shape[1]):
        if fuel[i]:
            v0, v1, v2, l0, l1, l2, s0, s1, s2 = _lift_axes(pos, vel, speed, up, i)
            c0, c1, c2 = cmd[0, i], cmd[1, i], cmd[2, i]
            acc[0, i] = (c0 * v0 + c1 * l0) + c2 * s0 - grav[0, i]
            acc[1, i] = (c0 * v1 + c1 * l1) + c2 * s1 - grav[1, i]
            acc[2, i] = (c0 * v2 + c1 * l2) + c2 * s2 - grav[2, i]
        else:
            s = speed[i]
            if not s > 0.0:
                s = 1.0
            k = -qbar[i] / (FUEL_OUT_BETA * s)
            acc[0, i] = k * vel[0, i]
            acc[1, i] = k * vel[1, i]
            acc[2, i] = k * vel[2, i]
        mdot[i] = 0.0


@njit
def _bearing_range(u0: float, u1: float, u2: float, unit: F64, i: int, j: int,
                   e0: float, e1: float, e2: float, n0: float, n1: float, n2: float
                   ) -> tuple[float, float]:
    """Bearing [rad] and ground range [m] from the unit position ``u`` to the route
    point ``unit[:, i, j]`` (:func:`tate.flight.guidance.bearing_and_range_units`)."""
    a0, a1, a2 = unit[0, i, j], unit[1, i, j], unit[2, i, j]
    cosang = (u0 * a0 + u1 * a1) + u2 * a2
    d0, d1, d2 = a0 - cosang * u0, a1 - cosang * u1, a2 - cosang * u2
    sinang = math.sqrt((d0 * d0 + d1 * d1) + d2 * d2)
    bearing = np.arctan2((d0 * e0 + d1 * e1) + d2 * e2, (d0 * n0 + d1 * n1) + d2 * n2)
    return bearing, R_MEAN * np.arctan2(sinang, cosang)


@njit
def _wrap_pi(angle: float) -> float:
    """:func:`tate.flight.guidance.wrap_pi`."""
    return (angle + np.pi) % TWO_PI - np.pi


@njit
def waypoint_update(t: float, since: float, pos: F64, vel: F64, alt_env: F64,
                    speed_env: F64, up: F64, route: F64, unit: F64, speed: F64, alt: F64,
                    max_accel: F64, fuel_range: F64, terminal: NDArray[np.int8],
                    terminal_range: F64, pop_alt: F64, weave_accel: F64, weave_period: F64,
                    final_range: F64, leg: NDArray[np.intp], flown: F64,
                    fuel: NDArray[np.bool_], homing: NDArray[np.bool_],
                    smooth: NDArray[np.bool_], cmd: F64, fuel_out: NDArray[np.bool_],
                    start_home: NDArray[np.bool_]) -> int:
    """:meth:`Waypoint.update` after its launch log: distance flown (``since``: time
    since the last update [s]), fuel, waypoint sequencing, steady-cruise flags, terminal
    phases and the acceleration command, in place.  ``fuel_out`` and ``start_home``
    ``(n,)`` are set where the fuel ran out and homing started; returns the bits
    :data:`FUEL_OUT` and :data:`HOMING` of those that happened to any body."""
    last = route.shape[2] - 1
    weave_phase = TWO_PI * t
    flags = 0
    for i in range(pos.shape[1]):
        v_i = speed_env[i]
        flown[i] += v_i * since
        out = fuel[i] and flown[i] >= fuel_range[i]
        fuel_out[i] = out
        if out:
            fuel[i] = False
            flags |= FUEL_OUT
        p0, p1, p2 = pos[0, i], pos[1, i], pos[2, i]
        w0, w1, w2 = up[0, i], up[1, i], up[2, i]
        e0, e1, e2 = _east(pos, i)
        n0 = w1 * e2 - w2 * e1  # north = up × east
        n1 = w2 * e0 - w0 * e2
        n2 = w0 * e1 - w1 * e0
        r = math.sqrt((p0 * p0 + p1 * p1) + p2 * p2)
        u0, u1, u2 = p0 / r, p1 / r, p2 / r
        _, rng_aim = _bearing_range(u0, u1, u2, unit, i, last, e0, e1, e2, n0, n1, n2)
        bearing, rng_next = _bearing_range(u0, u1, u2, unit, i, leg[i], e0, e1, e2,
                                           n0, n1, n2)
        if rng_next < WAYPOINT_RADIUS and leg[i] < last:
            leg[i] += 1
            bearing, rng_next = _bearing_range(u0, u1, u2, unit, i, leg[i], e0, e1, e2,
                                               n0, n1, n2)
        alt_ref = alt[i]
        in_term = rng_aim < terminal_range[i]
        ahead = CRUISE_MARGIN_S * v_i
        smooth[i] = (fuel[i] and not homing[i] and rng_next > WAYPOINT_RADIUS + ahead
                     and rng_aim > _max(terminal_range[i], final_range[i]) + ahead
                     and flown[i] + ahead < fuel_range[i]
                     and abs(alt_env[i] - alt[i]) < CRUISE_ALT_TOL_M)
        pop = in_term and terminal[i] == 1
        if pop:
            alt_ref = pop_alt[i]
        start = not homing[i] and (rng_aim < final_range[i]
                                   or (pop and alt_env[i] > 0.9 * pop_alt[i]))
        start_home[i] = start
        if start:
            homing[i] = True
            flags |= HOMING
        _, _, _, l0, l1, l2, s0, s1, s2 = _lift_axes(pos, vel, speed_env, up, i)
        q0, q1, q2 = vel[0, i], vel[1, i], vel[2, i]
        hdot = (q0 * w0 + q1 * w1) + q2 * w2
        a_t = K_SPEED * (speed[i] - v_i)
        a_l = KP_ALT * (alt_ref - alt_env[i]) - KD_ALT * hdot - v_i * v_i / r
        head = np.arctan2((q0 * e0 + q1 * e1) + q2 * e2, (q0 * n0 + q1 * n1) + q2 * n2)
        a_s = K_HEADING * v_i * _wrap_pi(bearing - head)
        weave = 1.0 if (in_term and terminal[i] == 2) else 0.0
        a_s = a_s + weave * weave_accel[i] * np.sin(weave_phase / weave_period[i])
        if homing[i]:
            # pn_accel(aim - pos, -vel, vel, NAV_GAIN)
            r0, r1, r2 = route[0, i, last] - p0, route[1, i, last] - p1, route[2, i, last] - p2
            m0, m1, m2 = -q0, -q1, -q2
            r_2 = (r0 * r0 + r1 * r1) + r2 * r2
            if not r_2 > 0:
                r_2 = 1.0
            o0 = (r1 * m2 - r2 * m1) / r_2
            o1 = (r2 * m0 - r0 * m2) / r_2
            o2 = (r0 * m1 - r1 * m0) / r_2
            c0 = NAV_GAIN * (o1 * q2 - o2 * q1)
            c1 = NAV_GAIN * (o2 * q0 - o0 * q2)
            c2 = NAV_GAIN * (o0 * q1 - o1 * q0)
            a_l = (c0 * l0 + c1 * l1) + c2 * l2
            a_s = (c0 * s0 + c1 * s1) + c2 * s2
        mag = math.sqrt((a_t * a_t + a_l * a_l) + a_s * a_s)
        scale = _min(1.0, max_accel[i] / _max(mag, 1e-12))
        cmd[0, i] = a_t * scale
        cmd[1, i] = a_l * scale
        cmd[2, i] = a_s * scale
    return flags
