"""Multi-stage solid or liquid booster with a pitch program, shared by the
ballistic missile and the boost-glide vehicle.

Each stage burns at constant thrust ``F = ṁ g0 Isp`` with ``ṁ = m_prop / t_burn``
(ideal rocket; Sutton & Biblarz, *Rocket Propulsion Elements*, 9th ed., ch. 2),
stages fire back to back and each spent stage's dry mass drops at burnout.
Thrust may be cut early at a time or a speed (energy management).

Steering: vertical rise for ``t_vert``, then, in the plane of the great circle
leaving the launch point at the launch azimuth, a flight-path-angle program
γ_p(x) = 90° − min(x/0.6, 1) (90° − θ_f), x the fraction of the burn elapsed
(or, with a cut-off speed, the larger of that and V/V_cut), tracked by pointing the
thrust at θ = γ_p + K_γ (γ_p − γ), and yawing the thrust against velocity out
of the launch plane (K_yaw = 2) so that the Coriolis drift of the boost is
steered out.  The burnout
flight-path angle is therefore close to ``theta_f``; targeting shoots on it.

The step average of thrust and mass flow over the part of each step in which a
stage burns is used, so total impulse is exact whatever the step and the range
of the trajectory depends continuously on the cut-off time (needed by the
shooting in :mod:`tate.flight.targeting`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.flight.eom import Environment, cross3, dot3, ellipsoid_up, local_frame, norm3

__all__ = ["G0", "Booster", "StageTable"]

F64 = NDArray[np.float64]
G0 = 9.80665  #: standard gravity for Isp [m/s^2]
_NONE = np.empty(0, dtype=np.intp)
K_GAMMA = 2.0  #: flight-path-angle tracking gain of the pitch program [-]
THETA_MIN = np.radians(-5.0)  #: lowest thrust elevation [rad]
K_YAW = 2.0  #: gain against velocity out of the launch plane [-]
X_FINAL = 0.6  #: fraction of the burn at which the program reaches its final angle [-]


@dataclass(frozen=True)
class StageTable:
    """Stage data for ``n`` bodies with up to ``s`` stages, arrays ``(s, n)``.

    Unused stages have zero propellant, dry mass and burn time.
    """

    propellant: F64  #: [kg]
    dry: F64  #: [kg]
    isp: F64  #: [s]
    burn: F64  #: [s]

    @property
    def mflow(self) -> F64:
        """Mass flow per stage ``(s, n)`` [kg/s]."""
        return np.divide(self.propellant, self.burn, out=np.zeros_like(self.burn),
                         where=self.burn > 0)

    @property
    def thrust(self) -> F64:
        """Thrust per stage ``(s, n)`` [N]."""
        return self.mflow * G0 * self.isp

    @property
    def end(self) -> F64:
        """Burnout time of each stage after launch ``(s, n)`` [s]."""
        return np.cumsum(self.burn, axis=0)

    def liftoff_mass(self, payload: F64) -> F64:
        """Total mass at launch ``(n,)`` [kg]."""
        return payload + self.propellant.sum(axis=0) + self.dry.sum(axis=0)


class Booster:
    """Thrust, boost drag and staging for ``n`` bodies.

    Parameters
    ----------
    stages
        Stage data.
    payload
        Mass after the last separation ``(n,)`` [kg].
    area, cd
        Boost reference area [m^2] and drag coefficient [-], ``(n,)``.
    azimuth, theta_f
        Launch azimuth and final thrust elevation ``(n,)`` [rad].
    t_vert
        Vertical rise ``(n,)`` [s].
    cut_time, cut_speed
        Thrust cut-off time after launch [s] and Earth-relative speed [m/s];
        ``inf`` for a full burn, ``(n,)``.
    """

    def __init__(
        self,
        stages: StageTable,
        payload: F64,
        area: F64,
        cd: F64,
        azimuth: F64,
        theta_f: F64,
        t_vert: F64,
        cut_time: F64,
        cut_speed: F64,
    ) -> None:
        self.stages = stages
        self.payload = np.asarray(payload, float)
        self.area = np.asarray(area, float)
        self.cd = np.asarray(cd, float)
        self.azimuth = np.asarray(azimuth, float)
        self.theta_f = np.asarray(theta_f, float)
        self.t_vert = np.asarray(t_vert, float)
        self.cut_time = np.array(cut_time, float)
        self.cut_speed = np.asarray(cut_speed, float)
        n = self.payload.shape[0]
        self._thrust_k = stages.thrust
        self._mflow_k = stages.mflow
        self._end_k = stages.end
        self._start_k = self._end_k - stages.burn
        self.t_burnout = np.minimum(self._end_k[-1], self.cut_time)
        self.dropped = np.zeros(stages.burn.shape, dtype=bool)
        self.separated = np.zeros(n, dtype=bool)
        self._all_separated = False  #: every body has separated (``separated.all()``)
        self._sin_az = np.sin(self.azimuth)
        self._cos_az = np.cos(self.azimuth)
        self._cd_area = self.cd * self.area
        self._inv_span = 1.0 / np.maximum(self._end_k[-1] - self.t_vert, 1e-6)
        self._pitch_over = 0.5 * np.pi - self.theta_f
        self._any_cut_speed = bool(np.isfinite(self.cut_speed).any())
        self._plane: F64 | None = None
        self._normal = np.zeros((3, n))
        self.thrust = np.zeros(n)  #: step-average thrust [N]
        self.mflow = np.zeros(n)  #: step-average mass flow [kg/s]
        self._jit = jit.enabled()  #: staging by the compiled kernel
        if self._jit:
            from tate.flight.models import _rocket_jit

            self._update_kernel = _rocket_jit.booster_update
            self._new_sep = np.zeros(n, dtype=bool)
            # the kernel's 2-D arrays in C order (the stage tables may be transposes: an
            # F-ordered array is another signature, compiled and loaded on its own)
            c = np.ascontiguousarray
            self._end_k, self._start_k = c(self._end_k), c(self._start_k)
            self._thrust_k, self._mflow_k = c(self._thrust_k), c(self._mflow_k)
            self._burn_c, self._dry_c = c(stages.burn), c(stages.dry)

    def update(self, t: float, dt: float, mass: F64, env: Environment) -> NDArray[np.intp]:
        """Set this step's average thrust and mass flow; drop spent stages.

        Returns the indices of bodies that separated from their booster now.
        """
        if self._all_separated:
            return _NONE
        if self._jit:
            return self._update_compiled(t, dt, mass, env)
        cut = ~self.separated & (env.speed >= self.cut_speed) & (self.cut_time > t)
        if cut.any():
            self.cut_time[cut] = t
            self.t_burnout = np.minimum(self._end_k[-1], self.cut_time)
        stop = np.minimum(self._end_k, self.cut_time)
        spent = (t >= stop - 1e-9) & ~self.dropped & (self.stages.burn > 0)
        for k in range(spent.shape[0]):
            mass[spent[k]] -= self.stages.dry[k, spent[k]]
        self.dropped |= spent
        new_sep = np.flatnonzero(~self.separated & (t >= self.t_burnout - 1e-9))
        if new_sep.size:
            self.separated[new_sep] = True
            mass[new_sep] = self.payload[new_sep]
            if self.separated.all():
                self._all_separated = True
                self.thrust = np.zeros_like(self.thrust)
                self.mflow = np.zeros_like(self.mflow)
                return new_sep
        lo = np.maximum(self._start_k, t)
        hi = np.minimum(stop, t + dt)
        frac = np.maximum(hi - lo, 0.0) / dt
        self.thrust = np.einsum("kj,kj->j", frac, self._thrust_k)
        self.mflow = np.einsum("kj,kj->j", frac, self._mflow_k)
        return new_sep

    def _update_compiled(self, t: float, dt: float, mass: F64,
                         env: Environment) -> NDArray[np.intp]:
        """:meth:`update` by the compiled kernel (``thrust`` and ``mflow`` written in
        place)."""
        if not self._update_kernel(t, dt, mass, env.speed, self.separated, self.cut_speed,
                                   self.cut_time, self.t_burnout, self._end_k, self._start_k,
                                   self._burn_c, self.dropped, self._dry_c, self.payload,
                                   self._thrust_k, self._mflow_k, self.thrust, self.mflow,
                                   self._new_sep):
            return _NONE
        if self.separated.all():
            self._all_separated = True
        return np.flatnonzero(self._new_sep)

    def update_pack(self, a: int, b: int) -> tuple[Any, ...] | None:
        """The booster pack of :func:`tate.flight._run_jit.fly_steps` for the columns
        ``a:b`` (:meth:`update`'s arrays, the written ones the booster's own), or None
        when every body has separated or the compiled path is off."""
        if self._all_separated or not self._jit:
            return None
        c = np.ascontiguousarray
        return (a, b, self.separated, c(self.cut_speed), self.cut_time, self.t_burnout,
                self._end_k, self._start_k, self._burn_c, self.dropped, self._dry_c,
                c(self.payload), c(self._thrust_k), c(self._mflow_k), self.thrust,
                self.mflow, self._new_sep)

    def thrust_elevation(self, t: float, speed: F64, gamma: F64) -> F64:
        """Thrust elevation above the local horizontal [rad] at ``t`` after launch.

        Parameters
        ----------
        t
            Time after launch [s].
        speed, gamma
            Earth-relative speed [m/s] and flight-path angle [rad], ``(n,)``.
        """
        # np.minimum(hi, np.maximum(lo, x)) is np.clip(x, lo, hi) without its dispatch
        x = np.minimum(1.0, np.maximum(0.0, (t - self.t_vert) * self._inv_span))
        if self._any_cut_speed:
            x = np.maximum(x, np.minimum(1.0, np.maximum(0.0, speed / self.cut_speed)))
        program = 0.5 * np.pi - np.minimum(x * (1.0 / X_FINAL), 1.0) * self._pitch_over
        theta = program + K_GAMMA * (program - gamma)
        np.maximum(THETA_MIN, theta, out=theta)
        np.minimum(0.5 * np.pi, theta, out=theta)
        if np.any(t < self.t_vert):
            theta[t < self.t_vert] = 0.5 * np.pi
        return theta

    def launch_plane(self, pos: F64) -> tuple[F64, F64]:
        """The launch plane's horizontal direction at launch and its unit normal, each
        ``(3, n)``, fixed at the first call (``pos``: the launch positions)."""
        if self._plane is None:  # first call: the launch state
            east, north, _ = local_frame(pos)
            self._plane = self._sin_az * east + self._cos_az * north
            normal = cross3(pos, self._plane)
            self._normal = normal / norm3(normal)
        return self._plane, self._normal

    def steering(self) -> F64:
        """The steering constants of the compiled path, rows ``(t_vert, 1/span,
        cut_speed, π/2 − θ_f, C_D S)``, ``(5, n)``."""
        return np.stack([self.t_vert, self._inv_span, self.cut_speed, self._pitch_over,
                         self._cd_area])

    def accel(self, t: float, pos: F64, vel: F64, mass: F64, env: Environment) -> F64:
        """Thrust plus boost drag, specific force ``(3, n)`` [m/s^2]."""
        up = ellipsoid_up(pos) if env.up is None else env.up
        plane, normal = self.launch_plane(pos)
        inv_v = 1.0 / np.where(env.speed > 0, env.speed, 1.0)
        # horizontal direction in the launch plane (a great circle at the launch azimuth),
        # yawed against any velocity out of the plane (Coriolis) to keep the boost in it
        horiz = plane - dot3(plane, up) * up
        horiz -= (K_YAW * dot3(vel, normal) * inv_v) * normal
        horiz *= 1.0 / norm3(horiz)
        sin_gamma = np.minimum(1.0, np.maximum(-1.0, dot3(vel, up) * inv_v))
        th = self.thrust_elevation(t, env.speed, np.arcsin(sin_gamma))
        thrust = self.thrust / mass
        horiz *= thrust * np.cos(th)
        horiz += (thrust * np.sin(th)) * up
        horiz -= (env.qbar * self._cd_area * inv_v / mass) * vel
        return horiz
