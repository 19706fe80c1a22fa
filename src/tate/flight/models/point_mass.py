"""Unpowered point mass with constant or Mach-tabulated drag, for check cases.

Drag acceleration  a_D = -½ρV² S C_D(M) / m · v̂  (Earth-relative velocity, so
the atmosphere co-rotates with the Earth).  This is the body of the NASA NESC
atmospheric check cases (NASA/TM-2015-218675, cases 6–10).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tate.flight.eom import Environment
from tate.flight.models.base import FlightModel

__all__ = ["PointMass"]

F64 = NDArray[np.float64]


class PointMass(FlightModel):
    """Point masses with drag.

    Parameters
    ----------
    area
        Reference area per body ``(n,)`` [m^2].
    cd
        Constant drag coefficient per body ``(n,)`` [-]; ignored where a Mach
        table is given.
    cd_mach
        Optional table ``(mach (k,), cd (k,))`` shared by all bodies, linearly
        interpolated and held constant beyond its ends.
    """

    name = "point-mass"

    def __init__(
        self, area: F64, cd: F64, cd_mach: tuple[F64, F64] | None = None
    ) -> None:
        super().__init__(int(np.asarray(area).shape[0]))
        self.area = np.asarray(area, dtype=float)
        self.cd = np.asarray(cd, dtype=float)
        self.cd_mach = cd_mach

    def specific_force(
        self, t: float, pos: F64, vel: F64, mass: F64, env: Environment, acc: F64, mdot: F64
    ) -> None:
        """Drag only; no mass flow."""
        cd = self.cd if self.cd_mach is None else np.interp(env.mach, *self.cd_mach)
        k = env.qbar * self.area * cd / (mass * np.where(env.speed > 0, env.speed, 1.0))
        np.multiply(vel, -k, out=acc)
        mdot.fill(0.0)
