"""Air-breathing threats that fly waypoints: sea-skimming cruise missiles and
one-way attack drones.

A point mass with an ideal autopilot: each step it commands an acceleration
in the velocity frame (speed hold along the path, altitude hold in the
vertical plane, heading toward the next waypoint sideways), limited to
``max_g``; thrust and lift deliver that acceleration exactly while fuel lasts,
so the specific force is the command minus gravity and the frame terms.  With
fuel gone (``range`` flown) only drag acts (β = ``FUEL_OUT_BETA``) and the body
falls.  Terminal manoeuvres inside ``terminal_range`` of the aim point:
``pop-up`` (climb to ``pop_alt``, then dive), ``weave`` (sinusoidal lateral
acceleration), then proportional navigation onto the aim point in the last
``final_range`` (or after the pop-up apex).

This is a kinematic autopilot model, not an aerodynamic one: it is adequate
for subsonic, low-g flyers whose performance is set by speed, altitude and g
limits (cf. Zarchan ch. 21 on weaving targets).

:meth:`Waypoint.update` and :meth:`Waypoint.specific_force` have a compiled second
implementation, one numba call each (:mod:`tate.flight.models._waypoint_jit`), used
when :func:`tate.jit.enabled` at construction; the numpy code here is the reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.flight.eom import (
    Environment,
    FrameOptions,
    dot3,
    ellipsoid_up,
    frame_accel,
    lift_frame,
    local_frame,
    norm3,
)
from tate.flight.guidance import bearing_and_range_units, heading, pn_accel, wrap_pi
from tate.flight.models.base import FlightModel

__all__ = ["TERMINAL_KINDS", "Waypoint"]

F64 = NDArray[np.float64]
G = 9.80665
K_SPEED = 0.2  #: speed-hold gain [1/s]
KP_ALT = 0.01  #: altitude-hold gain [1/s^2]
KD_ALT = 0.2  #: altitude-rate gain [1/s]
K_HEADING = 0.1  #: heading-rate gain [1/s]
NAV_GAIN = 4.0  #: terminal proportional-navigation ratio [-]
WAYPOINT_RADIUS = 2_000.0  #: a waypoint counts as passed inside this ground range [m]
FUEL_OUT_BETA = 2_000.0  #: ballistic coefficient once the fuel is gone [kg/m^2]
TERMINAL_KINDS = ("none", "pop-up", "weave")
CRUISE_STEP_S = 2.0  #: longest step of a steady cruise [s] (K_HEADING·h = 0.2, K_D·h = 0.4)
CRUISE_MARGIN_S = 30.0  #: this many seconds of flight from a waypoint or the terminal
#: phase, or off the commanded altitude by CRUISE_ALT_TOL_M, the base step is used
CRUISE_ALT_TOL_M = 2.0
_FRAME = FrameOptions()  #: the frame the commands are resolved against (rotating, J2)


class Waypoint(FlightModel):
    """Waypoint-following cruise missiles or drones.

    Parameters
    ----------
    route
        ECEF points ``(3, n, k)``: waypoints then the aim point last (shorter
        routes repeat the aim point).
    speed, alt, max_accel, fuel_range
        Commanded speed [m/s], cruise altitude [m], acceleration limit
        [m/s^2] and range on fuel [m], each ``(n,)``.
    terminal
        Index into :data:`TERMINAL_KINDS` ``(n,)``.
    terminal_range, pop_alt, weave_accel, weave_period
        Terminal-phase parameters ``(n,)`` [m], [m], [m/s^2], [s].
    final_range
        Range [m] inside which terminal homing starts ``(n,)``.
    name
        ``"cruise"`` or ``"drone"`` (for logs).
    """

    uses_up = True
    FRAME = _FRAME  #: the frame options its commands are resolved against

    def __init__(
        self,
        route: F64,
        speed: F64,
        alt: F64,
        max_accel: F64,
        fuel_range: F64,
        terminal: NDArray[np.int8],
        terminal_range: F64,
        pop_alt: F64,
        weave_accel: F64,
        weave_period: F64,
        final_range: F64,
        name: str = "cruise",
    ) -> None:
        n = route.shape[1]
        super().__init__(n)
        self.name = name
        self.route = np.asarray(route, float)
        #: the route's points as unit vectors (for the bearings and ranges of every step)
        self._route_unit = self.route / np.sqrt(dot3(self.route, self.route))
        self.speed = np.asarray(speed, float)
        self.alt = np.asarray(alt, float)
        self.max_accel = np.asarray(max_accel, float)
        self.fuel_range = np.asarray(fuel_range, float)
        self.terminal = np.asarray(terminal, np.int8)
        self.terminal_range = np.asarray(terminal_range, float)
        self.pop_alt = np.asarray(pop_alt, float)
        self.weave_accel = np.asarray(weave_accel, float)
        self.weave_period = np.asarray(weave_period, float)
        self.final_range = np.asarray(final_range, float)
        self.leg = np.zeros(n, dtype=np.intp)
        self.flown = np.zeros(n)
        self.fuel = np.ones(n, dtype=bool)
        self.homing = np.zeros(n, dtype=bool)
        self.cmd = np.zeros((3, n))  #: commanded (along, vertical, side) accel [m/s^2]
        self._last_t = 0.0
        self._smooth = np.zeros(n, dtype=bool)  #: in a steady cruise far from any change
        #: the compiled kernels (tate.flight.models._waypoint_jit) instead of the numpy code
        self._jit = jit.enabled()
        if self._jit:
            from tate.flight.models import _waypoint_jit

            self._kernels = _waypoint_jit
            self._frame: FrameOptions | None = _FRAME  #: options known equal to _FRAME
            self._fuel_out = np.zeros(n, dtype=bool)  #: bodies whose fuel ran out (kernel)
            self._start_home = np.zeros(n, dtype=bool)  #: bodies that started homing (kernel)

    def update(self, t: float, pos: F64, vel: F64, mass: F64, env: Environment) -> None:
        """Waypoint sequencing, fuel, terminal phases and the acceleration command."""
        if t == 0.0:
            self.log.add(t, np.arange(self.n), "launch")
        if self._jit:
            self._update_compiled(t, pos, vel, env)
            return
        self.flown += env.speed * (t - self._last_t)
        self._last_t = t
        out = self.fuel & (self.flown >= self.fuel_range)
        if out.any():
            self.fuel[out] = False
            self.log.add(t, np.flatnonzero(out), "fuel-out")
        cols = np.arange(self.n)
        aim = self.route[:, cols, -1]
        up = ellipsoid_up(pos) if env.up is None else env.up
        frame = local_frame(pos, up)
        u = pos / np.sqrt(dot3(pos, pos))  # the terms of bearing_and_range(pos, ...)
        unit = self._route_unit
        _, rng_aim = bearing_and_range_units(u, unit[:, cols, -1], frame[0], frame[1])
        bearing, rng_next = bearing_and_range_units(u, unit[:, cols, self.leg], frame[0],
                                                    frame[1])
        last = self.route.shape[2] - 1
        passed = (rng_next < WAYPOINT_RADIUS) & (self.leg < last)
        if passed.any():
            self.leg[passed] += 1
            bearing, rng_next = bearing_and_range_units(u, unit[:, cols, self.leg], frame[0],
                                                        frame[1])
        alt_ref = self.alt.copy()
        in_term = rng_aim < self.terminal_range
        ahead = CRUISE_MARGIN_S * env.speed
        self._smooth = (self.fuel & ~self.homing & (rng_next > WAYPOINT_RADIUS + ahead)
                        & (rng_aim > np.maximum(self.terminal_range, self.final_range) + ahead)
                        & (self.flown + ahead < self.fuel_range)
                        & (np.abs(env.alt - self.alt) < CRUISE_ALT_TOL_M))
        pop = in_term & (self.terminal == 1)
        alt_ref[pop] = self.pop_alt[pop]
        start_home = ~self.homing & (
            (rng_aim < self.final_range) | (pop & (env.alt > 0.9 * self.pop_alt))
        )
        if start_home.any():
            self.homing |= start_home
            self.log.add(t, np.flatnonzero(start_home), "terminal-homing")
        _, e_l, e_s = lift_frame(pos, vel, env.speed, up)
        hdot = dot3(vel, up)
        a_t = K_SPEED * (self.speed - env.speed)
        # PD on altitude, plus the centripetal term of flying level over a curved Earth
        a_l = KP_ALT * (alt_ref - env.alt) - KD_ALT * hdot - env.speed**2 / norm3(pos)
        a_s = K_HEADING * env.speed * wrap_pi(bearing - heading(pos, vel, frame))
        weave = in_term & (self.terminal == 2)
        a_s = a_s + weave * self.weave_accel * np.sin(2 * np.pi * t / self.weave_period)
        if self.homing.any():
            h = self.homing
            a = pn_accel(aim[:, h] - pos[:, h], -vel[:, h], vel[:, h], NAV_GAIN)
            a_l[h] = dot3(a, e_l[:, h])
            a_s[h] = dot3(a, e_s[:, h])
        mag = np.sqrt(a_t * a_t + a_l * a_l + a_s * a_s)
        scale = np.minimum(1.0, self.max_accel / np.maximum(mag, 1e-12))
        self.cmd[0], self.cmd[1], self.cmd[2] = a_t * scale, a_l * scale, a_s * scale

    def _update_compiled(self, t: float, pos: F64, vel: F64, env: Environment) -> None:
        """:meth:`update` after the launch log, in one compiled call."""
        k = self._kernels
        up = ellipsoid_up(pos) if env.up is None else env.up
        flags = k.waypoint_update(
            t, t - self._last_t, pos, vel, env.alt, env.speed, up, self.route,
            self._route_unit, self.speed, self.alt, self.max_accel, self.fuel_range,
            self.terminal, self.terminal_range, self.pop_alt, self.weave_accel,
            self.weave_period, self.final_range, self.leg, self.flown, self.fuel,
            self.homing, self._smooth, self.cmd, self._fuel_out, self._start_home)
        self._last_t = t
        self.log_update(t, flags)

    def log_update(self, t: float, flags: int) -> None:
        """The phase logs of a compiled update at ``t`` [s] that returned ``flags``."""
        k = self._kernels
        if flags & k.FUEL_OUT:
            self.log.add(t, np.flatnonzero(self._fuel_out), "fuel-out")
        if flags & k.HOMING:
            self.log.add(t, np.flatnonzero(self._start_home), "terminal-homing")

    def loop_pack(self, sl: slice) -> tuple[Any, ...] | None:
        """The waypoint pack of the compiled step loop (:mod:`tate.flight._slow_jit`) for
        this model's columns ``sl``; None with the compiled path off.  Its ``last_t``
        (index 22) is a copy: write it back to ``_last_t`` after the loop."""
        if not self._jit:
            return None
        return (sl.start, sl.stop, self.route, self._route_unit, self.speed, self.alt,
                self.max_accel, self.fuel_range, self.terminal, self.terminal_range,
                self.pop_alt, self.weave_accel, self.weave_period, self.final_range,
                self.leg, self.flown, self.fuel, self.homing, self._smooth, self.cmd,
                self._fuel_out, self._start_home, np.array([self._last_t]),
                np.zeros(1, np.int64))

    def max_step(self, live: NDArray[np.bool_], env: Environment) -> float:
        """``CRUISE_STEP_S`` while every live body cruises steadily, more than
        ``CRUISE_MARGIN_S`` of flight from its next waypoint, its terminal phase and its
        fuel-out, within ``CRUISE_ALT_TOL_M`` of its altitude; else the base step."""
        return CRUISE_STEP_S if bool(self._smooth[live].all()) else 0.0

    def specific_force(
        self, t: float, pos: F64, vel: F64, mass: F64, env: Environment, acc: F64, mdot: F64
    ) -> None:
        """Commanded acceleration less gravity and frame terms; drag only without fuel."""
        if self._jit:
            # env.frame_accel(_FRAME), without comparing the (frozen) options every call
            grav = env.grav if env.frame is self._frame else env.frame_accel(_FRAME)
            if grav is None:
                grav = frame_accel(pos, vel, _FRAME, np.empty_like(pos))
            else:
                self._frame = env.frame
            up = ellipsoid_up(pos) if env.up is None else env.up
            self._kernels.waypoint_specific_force(pos, vel, env.speed, env.qbar, up, grav,
                                                  self.cmd, self.fuel, acc, mdot)
            return
        e_v, e_l, e_s = lift_frame(pos, vel, env.speed, env.up)
        grav = env.frame_accel(_FRAME)
        if grav is None:
            grav = frame_accel(pos, vel, _FRAME, np.empty_like(pos))
        powered = self.cmd[0] * e_v + self.cmd[1] * e_l + self.cmd[2] * e_s - grav
        if self.fuel.all():
            acc[...] = powered
        else:
            falling = -env.qbar / (FUEL_OUT_BETA * np.where(env.speed > 0, env.speed, 1.0)) * vel
            acc[...] = np.where(self.fuel, powered, falling)
        mdot.fill(0.0)
