"""Ballistic missile: multi-stage boost, then a reentry vehicle in free flight.

After the last stage burns out the reentry vehicle (RV) separates and flies
unpowered with drag ``a_D = -q / β · v̂`` (ballistic coefficient β = m/(C_D S)).
Aiming (launch azimuth, pitch program end angle, cut-off time for minimum-energy
shots) is done by :mod:`tate.flight.targeting`; this model only flies.
Reference: Zarchan, *Tactical and Strategic Missile Guidance*, ch. 13–14
(ballistic targets, boost and reentry).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.flight.eom import Environment
from tate.flight.models.base import FORCE_BALLISTIC, NO_1D, NO_PHASE, FlightModel
from tate.flight.models.booster import Booster

__all__ = ["Ballistic"]

F64 = NDArray[np.float64]
EXO_ALT_M = 80e3  #: above this the RV's drag is negligible over a step [m]
EXO_STEP_S = 10.0  #: longest step of a coast above EXO_ALT_M [s]


class Ballistic(FlightModel):
    """Ballistic missiles.

    Parameters
    ----------
    booster
        The boost stages and steering program of each body.
    rv_beta
        Ballistic coefficient of the reentry vehicle ``(n,)`` [kg/m^2].
    dt
        Integration step [s] (for the step-average thrust).
    """

    name = "ballistic"

    def __init__(self, booster: Booster, rv_beta: F64, dt: float) -> None:
        super().__init__(booster.payload.shape[0])
        self.booster = booster
        self.rv_beta = np.asarray(rv_beta, float)
        self.dt = dt
        self._jit = jit.enabled()  #: specific force by the compiled kernel
        if self._jit:
            from tate.flight.models import _rocket_jit

            self._kernel = _rocket_jit.ballistic_force
            self._steer = booster.steering()
            self._rv_beta_c = np.ascontiguousarray(self.rv_beta)
        #: the last force pack (:meth:`force_pack`), reused while its arrays are still the
        #: model's (the booster's plane is fixed at its first use)
        self._pack: tuple[Any, ...] | None = None

    def update(self, t: float, pos: F64, vel: F64, mass: F64, env: Environment) -> None:
        """Staging and separation."""
        if t == 0.0:
            self.log.add(t, np.arange(self.n), "boost")
        sep = self.booster.update(t, self.dt, mass, env)
        if sep.size:
            self.log.add(t, sep, "rv-separation")

    def max_step(self, live: NDArray[np.bool_], env: Environment) -> float:
        """While every live body coasts above ``EXO_ALT_M`` (Kepler motion with J2; RK4's
        error over 10 s is far below a metre): the time each needs at its present speed
        to fall to that altitude, at most ``EXO_STEP_S``; else the base step."""
        b = self.booster
        if not b._all_separated and not bool(b.separated[live].all()):
            return 0.0
        # (alt - EXO_ALT_M) / max(speed, 1) per live body on floats, numpy's NaN rules
        room = math.inf
        for alt, speed in zip(env.alt[live].tolist(), env.speed[live].tolist(), strict=True):
            r = (alt - EXO_ALT_M) / (speed if (speed >= 1.0 or speed != speed) else 1.0)
            if r != r:
                return math.nan
            room = min(room, r)
        return min(EXO_STEP_S, max(0.0, room))

    def run_packs(self, sl: slice) -> tuple[Any, Any] | None:
        """:meth:`FlightModel.run_packs`: the booster's (no guidance); None on the numpy
        path."""
        if not self._jit:
            return None
        return self.booster.update_pack(sl.start, sl.stop), None

    def step_pack(self) -> tuple[Any, ...] | None:
        """:meth:`FlightModel.step_pack`: the booster's separation flags (the smooth flags
        stand in); None on the numpy path."""
        if not self._jit:
            return None
        return (FORCE_BALLISTIC, self.booster.separated, self.booster.separated, NO_PHASE)

    def force_pack(self, y: F64, sl: slice) -> tuple[Any, ...] | None:
        """The arguments of :func:`~tate.flight.models._rocket_jit.ballistic_force` as a
        force pack (:meth:`FlightModel.force_pack`); None on the numpy path."""
        if not self._jit:
            return None
        b = self.booster
        pack = self._pack
        if pack is not None and pack[1] == sl.start and pack[2] == sl.stop and (
                pack[12] is b.thrust and pack[13] is b.mflow):
            return pack  # its arrays are the model's, written in place since
        plane, normal = b.launch_plane(y[0:3, sl]) if b._plane is None else (b._plane,
                                                                            b._normal)
        self._pack = (FORCE_BALLISTIC, sl.start, sl.stop, b._any_cut_speed, False,
                      b.separated, self._rv_beta_c, NO_1D, NO_1D, NO_1D, NO_1D, NO_1D,
                      b.thrust, b.mflow, plane, normal, self._steer)
        return self._pack

    def specific_force(
        self, t: float, pos: F64, vel: F64, mass: F64, env: Environment, acc: F64, mdot: F64
    ) -> None:
        """Thrust and boost drag before separation, RV drag after it."""
        b = self.booster
        if self._jit:
            plane, normal = b.launch_plane(pos)
            up = env.up
            self._kernel(t, pos, vel, mass, pos if up is None else up, up is not None,
                         env.speed, env.qbar, self.rv_beta, b.separated, plane, normal,
                         b.thrust, b.mflow, self._steer, b._any_cut_speed, acc, mdot)
            return
        rv = -env.qbar / (self.rv_beta * np.where(env.speed > 0, env.speed, 1.0)) * vel
        if b._all_separated or b.separated.all():
            acc[...] = rv
            mdot.fill(0.0)
            return
        acc[...] = np.where(b.separated, rv, b.accel(t, pos, vel, mass, env))
        mdot[...] = np.where(b.separated, 0.0, b.mflow)
