"""Hypersonic boost-glide vehicle: boost, pull-up, equilibrium glide, terminal dive.

Phases per body (``phase`` array): 0 boost (see :mod:`.booster`), 1 glide,
2 dive.  After separation the glider's lift is steered every step:

* vertical: a PD law on altitude towards a reference — the commanded glide
  altitude where the scenario gives one, otherwise the equilibrium glide
  altitude for the current speed (:mod:`tate.flight.glide`); the needed
  vertical lift is ``g − V²/r + k_p Δh − k_d ḣ``.  In thin air the lift
  saturates pointing up, which produces the pull-up after a depressed boost.
* lateral: heading-rate command ``K V Δψ`` toward the great-circle bearing of
  the aim point, plus an optional lateral manoeuvre: an S-turn (square-wave bank of
  ``bank`` at ``period``) or a weave (sinusoidal bank ``bank · sin(2π τ/period)``),
  limited by the lift left after the vertical demand.
* dive: inside ``dive_range`` of the aim point (or earlier where turning the
  flight path down needs more room), proportional navigation on the fixed aim
  point with gravity compensation.

Guidance runs every ``GUIDANCE_PERIOD`` (5 Hz) whatever the integration step,
so refining the step refines the integration, not the control law; staging is
checked every step.

Aerodynamics: ``constant`` (fixed L/D and β; the lift fraction u ∈ [0, 1] acts
like angle-of-attack modulation with drag held at its design value, a
documented simplification of Tracy & Wright 2020's glide model) or ``cav-h``
(Phillips 2003 fit: angle of attack from the commanded lift coefficient,
drag from the polar).  Where the scenario gives a glide altitude but no β,
β is implied at separation so that the altitude can be held with 15 % lift
margin (docs/references.md §1 note); the flight summary reports it
(``glide_beta_kg_m2``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.earth import wgs84
from tate.flight.aero import (
    CAVH_ALPHA_MAX_DEG,
    cavh_alpha_for_cl,
    cavh_cd,
    cavh_cl,
    cavh_max_lift_to_drag,
)
from tate.flight.eom import Environment, cross3, dot3, ellipsoid_up, lift_frame, norm3
from tate.flight.glide import (
    _inverse_table,
    altitude_and_slope_for_density,
    equilibrium_density,
)
from tate.flight.guidance import pn_accel
from tate.flight.models.base import FORCE_GLIDE, NO_1D, FlightModel
from tate.flight.models.booster import Booster

__all__ = ["BoostGlide"]

F64 = NDArray[np.float64]
KP = 0.0025  #: altitude loop gain [1/s^2] (ω_c = 0.05 rad/s)
KD = 0.07  #: altitude-rate gain [1/s] (ζ = 0.7)
K_HEADING = 0.02  #: heading-rate gain [1/s]
NAV_GAIN = 4.0  #: dive proportional-navigation ratio [-]
ALT_MARGIN = 1.15  #: lift margin of an implied β at the commanded altitude [-]
GUIDANCE_PERIOD = 0.2  #: guidance period [s]; with longer steps guidance runs once a step
GLIDE_STEP_S = 1.0  #: longest step of a glide far from the dive [s] (loop ω·h = 0.05)
DIVE_MARGIN_S = 30.0  #: a glider this many seconds of flight from its dive takes base steps


class BoostGlide(FlightModel):
    """Boost-glide vehicles sharing one aerodynamic model.

    Parameters
    ----------
    booster
        Boost stages and pitch program.
    aim
        Aim points, ECEF ``(3, n)`` [m].
    aero
        ``"constant"`` or ``"cav-h"``.
    lift_to_drag, beta
        ``(n,)``; constant model only.  ``beta`` NaN: implied from ``alt_cmd``.
    area
        Reference area ``(n,)`` [m^2]; CAV-H only.
    alt_cmd
        Commanded glide altitude ``(n,)`` [m]; NaN: equilibrium glide.
    s_turn_bank, s_turn_period
        Manoeuvre bank amplitude [rad] (0: none) and period [s], ``(n,)``.
    dive_range
        Ground range to the aim point at which the dive starts ``(n,)`` [m].
    lift_margin
        Fraction of maximum lift the equilibrium reference assumes [-]; below 1
        leaves lift for steering.
    dt
        Integration step [s].
    weave
        ``(n,)`` bool: the manoeuvre's bank is a sine wave instead of a square wave
        (default all False).
    """

    name = "boost-glide"
    uses_up = True

    def __init__(
        self,
        booster: Booster,
        aim: F64,
        aero: str,
        lift_to_drag: F64,
        beta: F64,
        area: F64,
        alt_cmd: F64,
        s_turn_bank: F64,
        s_turn_period: F64,
        dive_range: F64,
        dt: float,
        lift_margin: float = 0.9,
        weave: NDArray[np.bool_] | None = None,
    ) -> None:
        n = booster.payload.shape[0]
        super().__init__(n)
        if aero not in ("constant", "cav-h"):
            raise ValueError(f"aero must be 'constant' or 'cav-h', got {aero!r}")
        self.booster = booster
        self.aim = np.asarray(aim, float)
        self.aero = aero
        self._cavh = aero == "cav-h"
        self.ld = np.asarray(lift_to_drag, float)
        self.beta = np.array(beta, float)
        self.implied_beta = np.isnan(self.beta)
        self.area = np.asarray(area, float)
        self.alt_cmd = np.asarray(alt_cmd, float)
        self.s_bank = np.asarray(s_turn_bank, float)
        self.s_period = np.asarray(s_turn_period, float)
        self.dive_range = np.asarray(dive_range, float)
        self.dt = dt
        self.lift_margin = lift_margin
        self.phase = np.zeros(n, dtype=np.int8)
        self._smooth = np.zeros(n, dtype=bool)  #: gliding, far from the dive
        self.t_sep = np.full(n, np.nan)
        self.u_l = np.zeros(n)  #: vertical lift command, fraction of maximum lift
        self.u_s = np.zeros(n)  #: side lift command, fraction of maximum lift
        self._next_guidance = 0.0
        self._any_glide = False  #: some body has separated (is in phase ≥ 1)
        self._inv_beta = 1.0 / np.where(np.isnan(self.beta), 1e4, self.beta)
        self._sin_bank = np.sin(self.s_bank)
        self._any_s_turn = bool(np.any(self.s_bank > 0))
        self.weave = np.zeros(n, bool) if weave is None else np.asarray(weave, bool)
        self._jit = jit.enabled()  #: guidance and forces by the compiled kernels
        if self._jit:
            from tate.flight.models import _rocket_jit

            self._force_kernel = _rocket_jit.glide_force
            self._guide_kernel = _rocket_jit.glide_guidance
            self._steer = booster.steering()
            self._dived = np.zeros(n, dtype=bool)
            self._ld_c = np.ascontiguousarray(self.ld)
            self._area_c = np.ascontiguousarray(self.area)
            self.aim = np.ascontiguousarray(self.aim)  # C order: one guidance signature
        #: the last force pack (:meth:`force_pack`), reused while its arrays are still the
        #: model's (the booster's plane is fixed at its first use)
        self._pack: tuple[Any, ...] | None = None
        #: the guidance kernel's arguments after ``t`` (:meth:`_guide_compiled`) and the
        #: state and environment arrays they were made for
        self._guide_args: tuple[Any, ...] = ()
        self._guide_key: tuple[Any, ...] | None = None

    # --- aerodynamics -----------------------------------------------------------------
    def _lift_per_q(self, mass: F64, mach: F64, sel: slice | NDArray[np.intp]) -> F64:
        """Maximum lift acceleration per unit dynamic pressure of bodies ``sel`` [m^2/kg]."""
        if self.aero == "constant":
            return self.ld[sel] / self.beta[sel]
        return self.area[sel] * cavh_cl(CAVH_ALPHA_MAX_DEG, mach) / mass

    def _reference_lift_per_q(self, mass: F64, mach: F64,
                              sel: slice | NDArray[np.intp]) -> F64:
        """Lift per dynamic pressure of the equilibrium reference [m^2/kg]."""
        if self.aero == "constant":
            return self.lift_margin * self.ld[sel] / self.beta[sel]
        _, alpha = cavh_max_lift_to_drag(np.maximum(mach, 1.0))
        return self.area[sel] * cavh_cl(alpha, mach) / mass

    def _reference_lift_to_drag(self, sel: slice | NDArray[np.intp], mach: F64) -> F64:
        """L/D of the equilibrium reference [-]."""
        if self.aero == "constant":
            return self.ld[sel]
        return cavh_max_lift_to_drag(np.maximum(mach, 1.0))[0]

    # --- guidance -----------------------------------------------------------------------
    def update(self, t: float, pos: F64, vel: F64, mass: F64, env: Environment) -> None:
        """Staging, phase changes and the lift commands for this step."""
        if t == 0.0:
            self.log.add(t, np.arange(self.n), "boost")
        sep = self.booster.update(t, self.dt, mass, env)
        if sep.size:
            self.phase[sep] = 1
            self.t_sep[sep] = np.minimum(self.booster.t_burnout[sep], t)  # exact burnout
            self._imply_beta(sep, pos[:, sep], env.speed[sep])
            self._inv_beta = 1.0 / np.where(np.isnan(self.beta), 1e4, self.beta)
            self.log.add(t, sep, "glide")
            self._any_glide = True
        if self._jit:  # phase ≥ 1 once separated: no search for gliders
            if not self._any_glide or (sep.size == 0 and t < self._next_guidance - 1e-9):
                return
            # math.floor: the same whole number as np.floor, as a float after the + 1.0
            self._next_guidance = (math.floor(t / GUIDANCE_PERIOD + 1e-9) + 1.0) * (
                GUIDANCE_PERIOD)
            self._guide_compiled(t, pos, vel, mass, env)
            return
        glide = np.flatnonzero(self.phase >= 1)
        if glide.size == 0 or (sep.size == 0 and t < self._next_guidance - 1e-9):
            return
        self._next_guidance = (np.floor(t / GUIDANCE_PERIOD + 1e-9) + 1.0) * GUIDANCE_PERIOD
        # all gliding: slices (views) instead of gathers
        sel: slice | NDArray[np.intp] = slice(None) if glide.size == self.n else glide
        p, v, aim = pos[:, sel], vel[:, sel], self.aim[:, sel]
        speed, qbar, mach, alt = env.speed[sel], env.qbar[sel], env.mach[sel], env.alt[sel]
        up = ellipsoid_up(p) if env.up is None else env.up[:, sel]
        r = norm3(p)
        g = wgs84.GM / (r * r)
        # horizontal chord to the aim point: along the great-circle bearing, its length
        # the ground range to within the curvature (R_go³/24R²)
        d = aim - p
        d -= dot3(d, up) * up
        rng = norm3(d)
        lmax = self._lift_per_q(mass[sel], mach, sel) * qbar
        self._start_dives(t, glide, sel, rng, speed, alt, r, g, lmax)
        hdot = dot3(v, up)
        vh = v - hdot * up
        dpsi = np.arctan2(-dot3(cross3(vh, d), up), dot3(vh, d))  # aim right of track: > 0
        a_l, a_s = self._glide_command(t, sel, r, g, speed, hdot, mach, mass[sel], alt, dpsi,
                                       lmax)
        diving = self.phase[sel] == 2
        if diving.any():
            k = np.flatnonzero(diving)
            pk, vk = p[:, k], v[:, k]
            e_v, e_l, e_s = lift_frame(pk, vk, speed[k])
            a = pn_accel(aim[:, k] - pk, -vk, vk, NAV_GAIN)
            a += g[k] * (up[:, k] - dot3(up[:, k], e_v) * e_v)
            a_l[k] = dot3(a, e_l)
            a_s[k] = dot3(a, e_s)
        safe = np.where(lmax > 0, lmax, 1.0)
        u_l = np.where(lmax > 0, np.minimum(1.0, np.maximum(-1.0, a_l / safe)), 1.0)
        side = np.sqrt(np.maximum(1.0 - u_l * u_l, 0.0))
        self.u_l[sel] = u_l
        self.u_s[sel] = np.where(lmax > 0, np.clip(a_s / safe, -side, side), 0.0)

    def _guide_compiled(self, t: float, pos: F64, vel: F64, mass: F64,
                        env: Environment) -> None:
        """The guidance of :meth:`update` (from the dive start on) by the compiled kernel
        (its arguments after ``t`` made again only for other state, environment or aim
        arrays: the model's other arrays are written in place)."""
        key = self._guide_key
        if key is None or key[0] is not pos or key[1] is not vel or key[2] is not mass or (
                key[3] is not env or key[4] is not self.aim):
            tab = _inverse_table()
            up = ellipsoid_up(pos) if env.up is None else env.up
            self._guide_args = (
                pos, vel, mass, up, env.speed, env.qbar, env.mach, env.alt, self.aim,
                self.phase, self._smooth, self._cavh, self.ld, self.beta,
                self.area, self.lift_margin, self.alt_cmd, self.dive_range,
                self._any_s_turn, self.t_sep, self.s_period, self.weave, self._sin_bank,
                tab.alt, tab.x0, tab.inv_dx, self.u_l, self.u_s, self._dived)
            # an up computed here is of this state only: not kept
            self._guide_key = None if env.up is None else (pos, vel, mass, env, self.aim)
        if self._guide_kernel(t, *self._guide_args):
            self.log.add(t, np.flatnonzero(self._dived), "dive")

    def max_step(self, live: NDArray[np.bool_], env: Environment) -> float:
        """``GLIDE_STEP_S`` while every live body glides more than ``DIVE_MARGIN_S`` of
        flight from its dive (the altitude loop's ω_c·h = 0.05, heading gain·h = 0.02),
        else the base step."""
        ok = self._smooth & (self.phase == 1)
        return GLIDE_STEP_S if bool(ok[live].all()) else 0.0

    def _start_dives(self, t: float, glide: NDArray[np.intp], sel: slice | NDArray[np.intp],
                     rng: F64, speed: F64, alt: F64, r: F64, g: F64, lmax: F64) -> None:
        """Switch gliders to the dive inside the scenario's ``dive_range`` of the aim, or
        earlier where turning the flight path down onto the line of sight needs more room.

        The path turns at (g − V²/r + L_max/m)/V; bringing it onto the line of sight
        (depression λ = atan(h/R)) with proportional navigation's lead takes about 2λ,
        i.e. a ground distance of V²·2λ/(g − V²/r + L_max/m).  Since λ < π/2, only
        gliders closer than V²·π/(…) need the arctangent.
        """
        turn_rate = speed * speed / (np.maximum(g - speed * speed / r, 0.1) + lmax)
        gliding = self.phase[sel] == 1
        depression = 2.0 * np.arctan2(alt, rng)
        room = np.maximum(self.dive_range[sel], depression * turn_rate) + DIVE_MARGIN_S * speed
        self._smooth[sel] = gliding & (rng > room)
        near = gliding & ((rng < self.dive_range[sel]) | (rng < np.pi * turn_rate))
        if not near.any():
            return
        k = np.flatnonzero(near)
        dive = (rng[k] < self.dive_range[sel][k]) | (
            rng[k] < 2.0 * np.arctan2(alt[k], rng[k]) * turn_rate[k])
        if dive.any():
            now = glide[k[dive]]
            self.phase[now] = 2
            self.log.add(t, now, "dive")

    def _glide_command(self, t: float, sel: slice | NDArray[np.intp], r: F64, g: F64,
                       speed: F64, hdot: F64, mach: F64, mass: F64, alt: F64, dpsi: F64,
                       lmax: F64) -> tuple[F64, F64]:
        """Vertical and lateral lift accelerations wanted in the glide [m/s^2]."""
        ref_q = self._reference_lift_per_q(mass, mach, sel)
        need = np.maximum(g - speed * speed / r, 1e-3)
        h_eq, dh_dlnrho = altitude_and_slope_for_density(
            equilibrium_density(speed, r, ref_q, wgs84.GM))
        # the equilibrium altitude falls as the glide slows: track its rate too,
        # dh_eq/dt = dh/dlnρ · dlnρ_eq/dV · dV/dt with ρ_eq ∝ (g − V²/r)/V²
        decel = need / self._reference_lift_to_drag(sel, mach)
        dlnrho_dv = -2.0 * speed / (r * need) - 2.0 / np.maximum(speed, 1.0)
        hdot_eq = dh_dlnrho * dlnrho_dv * -decel
        alt_cmd = self.alt_cmd[sel]
        commanded = ~np.isnan(alt_cmd)
        h_ref = np.where(commanded, alt_cmd, h_eq)
        hdot_ref = np.where(commanded, 0.0, hdot_eq)
        a_l = g - speed * speed / r + KP * (h_ref - alt) + KD * (hdot_ref - hdot)
        a_s = K_HEADING * speed * dpsi
        if self._any_s_turn:
            tau = t - self.t_sep[sel]
            half = np.floor(2.0 * tau / self.s_period[sel])  # square wave: + then − each period
            wave = np.where(self.weave[sel], np.sin(2.0 * np.pi * tau / self.s_period[sel]),
                            1.0 - 2.0 * np.mod(half, 2.0))
            a_s = a_s + wave * lmax * self._sin_bank[sel]
        return a_l, a_s

    def _imply_beta(self, idx: NDArray[np.intp], p: F64, speed: F64) -> None:
        """Set β where it is implied by the commanded altitude, at separation."""
        sel = self.implied_beta[idx] & ~np.isnan(self.alt_cmd[idx])
        if self.aero != "constant" or not sel.any():
            return
        k = idx[sel]
        from tate.earth.atmosphere import us76

        r = wgs84.A + self.alt_cmd[k]
        need = wgs84.GM / r**2 - speed[sel] ** 2 / r
        rho = us76(self.alt_cmd[k]).density
        q = 0.5 * rho * speed[sel] ** 2
        self.beta[k] = self.ld[k] * q / (ALT_MARGIN * np.maximum(need, 1e-3))

    def run_packs(self, sl: slice) -> tuple[Any, Any] | None:
        """:meth:`FlightModel.run_packs`: the booster's, and the guidance's once a body
        has separated (:meth:`_guide_compiled`'s arrays); None on the numpy path."""
        if not self._jit:
            return None
        guide = None
        if self._any_glide:
            tab, c = _inverse_table(), np.ascontiguousarray
            guide = (sl.start, sl.stop, c(self.aim), self.phase, self._smooth, self._cavh,
                     c(self.ld), c(self.beta), c(self.area), float(self.lift_margin),
                     c(self.alt_cmd), c(self.dive_range), self._any_s_turn, c(self.t_sep),
                     c(self.s_period), c(self.weave), c(self._sin_bank), c(tab.alt),
                     float(tab.x0), float(tab.inv_dx), self.u_l, self.u_s, self._dived)
        return self.booster.update_pack(sl.start, sl.stop), guide

    def step_pack(self) -> tuple[Any, ...] | None:
        """:meth:`FlightModel.step_pack`: the smooth flags and phases; None on the numpy
        path."""
        if not self._jit:
            return None
        return (FORCE_GLIDE, self.booster.separated, self._smooth, self.phase)

    # --- forces ---------------------------------------------------------------------------
    def force_pack(self, y: F64, sl: slice) -> tuple[Any, ...] | None:
        """The arguments of :func:`~tate.flight.models._rocket_jit.glide_force` as a force
        pack (:meth:`FlightModel.force_pack`); None on the numpy path."""
        if not self._jit:
            return None
        b = self.booster
        pack = self._pack
        if pack is not None and pack[1] == sl.start and pack[2] == sl.stop and (
                pack[7] is self._inv_beta and pack[10] is self.u_l and pack[11] is self.u_s
                and pack[12] is b.thrust and pack[13] is b.mflow):
            return pack  # its arrays are the model's, written in place since
        plane, normal = b.launch_plane(y[0:3, sl]) if b._plane is None else (b._plane,
                                                                            b._normal)
        self._pack = (FORCE_GLIDE, sl.start, sl.stop, b._any_cut_speed, self._cavh,
                      b.separated, NO_1D, self._inv_beta, self._ld_c, self._area_c, self.u_l,
                      self.u_s, b.thrust, b.mflow, plane, normal, self._steer)
        return self._pack

    def specific_force(
        self, t: float, pos: F64, vel: F64, mass: F64, env: Environment, acc: F64, mdot: F64
    ) -> None:
        """Booster forces in phase 0; glider lift and drag afterwards.

        With c = up·v̂ and n = √(1 − c²), the lift frame of :func:`lift_frame` is
        e_l = (up − c v̂)/n and e_s = (v̂ × up)/n, so the lift and drag acceleration
        L(u_l e_l + u_s e_s) − D v̂ is written without forming the frame.
        """
        b = self.booster
        if self._jit:
            plane, normal = b.launch_plane(pos)
            up = env.up
            self._force_kernel(
                t, pos, vel, mass, pos if up is None else up, up is not None, env.speed,
                env.qbar, env.mach, b.separated, self._cavh, self._inv_beta,
                self.ld, self.area, self.u_l, self.u_s, plane, normal, b.thrust, b.mflow,
                self._steer, b._any_cut_speed, acc, mdot)
            return
        glide = b.separated
        all_glide = b._all_separated or bool(glide.all())
        if not all_glide and not glide.any():
            acc[...] = b.accel(t, pos, vel, mass, env)
            mdot[...] = b.mflow
            return
        if self.aero == "constant":
            drag = env.qbar * self._inv_beta
            lift = self.ld * drag
        else:
            u = np.hypot(self.u_l, self.u_s)
            cl_max = cavh_cl(CAVH_ALPHA_MAX_DEG, env.mach)
            alpha = cavh_alpha_for_cl(u * cl_max, env.mach)
            qsm = env.qbar * self.area / mass
            lift = qsm * cl_max
            drag = qsm * cavh_cd(np.minimum(CAVH_ALPHA_MAX_DEG, np.maximum(0.0, alpha)),
                                      env.mach)
        up = ellipsoid_up(pos) if env.up is None else env.up
        inv_v = 1.0 / np.where(env.speed > 0, env.speed, 1.0)
        c = dot3(up, vel) * inv_v
        inv_n = lift / np.sqrt(np.maximum(1.0 - c * c, 1e-18))
        k_l = self.u_l * inv_n
        k_s = self.u_s * inv_n
        k_s *= inv_v
        k_v = k_l * c
        k_v += drag
        k_v *= inv_v
        if all_glide:
            np.multiply(up, k_l, out=acc)
            acc += k_s * cross3(vel, up)
            acc -= k_v * vel
            mdot.fill(0.0)
        else:
            a = k_l * up + k_s * cross3(vel, up) - k_v * vel
            acc[...] = np.where(glide, a, b.accel(t, pos, vel, mass, env))
            mdot[...] = np.where(glide, 0.0, b.mflow)
