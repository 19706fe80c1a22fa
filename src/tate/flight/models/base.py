"""The interface every flight model implements, and the model registry.

A flight model owns the per-body parameters and guidance commands of the
bodies that fly it (arrays of length ``n``, never one object per body).  The
integrator calls two verbs:

* :meth:`FlightModel.update` once at the start of every step: discrete guidance
  and control (a flight computer at the step rate), staging mass drops, phase
  changes.  Commands are held over the step (zero-order hold).
* :meth:`FlightModel.specific_force` at every Runge–Kutta stage: the
  non-gravitational acceleration (aerodynamics + thrust) [m/s^2] and the mass
  flow [kg/s], for the current state and the held commands.

Positions and velocities are ECEF (3, n) arrays, Earth-relative velocity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.flight.eom import Environment

__all__ = ["FORCE_BALLISTIC", "FORCE_GLIDE", "FlightModel", "PhaseLog"]

F64 = NDArray[np.float64]
FORCE_BALLISTIC = 0  #: force-pack kind of :class:`~tate.flight.models.ballistic.Ballistic`
FORCE_GLIDE = 1  #: force-pack kind of :class:`~tate.flight.models.boost_glide.BoostGlide`
NO_1D = np.empty(0)  #: a force pack's stand-in for an array its kind does not use
NO_PHASE = np.empty(0, np.int8)  #: a step pack's stand-in for a phase array its kind lacks


@dataclass
class PhaseLog:
    """Phase changes of a model's bodies: (time [s], local body index, phase name)."""

    rows: list[tuple[float, int, str]] = field(default_factory=list)

    def add(self, t: float, idx: NDArray[np.intp], name: str) -> None:
        """Record that bodies ``idx`` entered phase ``name`` at time ``t``."""
        self.rows.extend((t, int(i), name) for i in idx)


class FlightModel:
    """Base class of the vectorised flight models."""

    name: str = ""
    dt: float = 0.0  #: length of the step being taken [s]; the propagator sets it
    #: whether the model reads :attr:`Environment.up` (the propagator then fills it)
    uses_up: bool = False

    def __init__(self, n: int) -> None:
        self.n = n
        self.log = PhaseLog()

    def update(self, t: float, pos: F64, vel: F64, mass: F64, env: Environment) -> None:
        """Discrete guidance at the start of a step; may change ``mass`` in place."""

    def max_step(self, live: NDArray[np.bool_], env: Environment) -> float:
        """The longest step [s] the bodies ``live`` (a mask over this model's bodies) can
        take now (``env``: their present environment; other state as of the last
        :meth:`update`); 0 means the propagator's base
        step.  Models that know when their bodies fly smoothly (a coast above the
        atmosphere, a steady cruise) return more."""
        return 0.0

    def specific_force(
        self, t: float, pos: F64, vel: F64, mass: F64, env: Environment, acc: F64, mdot: F64
    ) -> None:
        """Write the non-gravitational acceleration into ``acc (3, n)`` and the mass flow
        into ``mdot (n,)``."""
        raise NotImplementedError

    def force_pack(self, y: F64, sl: slice) -> tuple[Any, ...] | None:
        """The arguments of the compiled specific force of this model's bodies, columns
        ``sl`` of the stacked state ``y (7, N)``, as one tuple for the propagator's fused
        step (:mod:`tate.flight._step_jit`), valid until the next :meth:`update`; None
        when the model has none (the propagator then calls :meth:`specific_force`)."""
        return None

    def run_packs(self, sl: slice) -> tuple[Any, Any] | None:
        """The booster and guidance packs of this model's :meth:`update` (columns ``sl``)
        for the compiled step loop (:mod:`tate.flight._run_jit`), each None where that
        part has nothing to do; None when the model has none (its updates stay Python's)."""
        return None

    def step_pack(self) -> tuple[Any, ...] | None:
        """The state :meth:`max_step` reads, for the compiled step limit
        (:func:`tate.flight._step_jit.steps_allowed`): ``(kind, separated, smooth,
        phase)`` with the force-pack kind, arrays the model keeps and writes in place
        (another flag array, :data:`NO_PHASE` where the kind has none); None when
        the model has none (the propagator then calls :meth:`max_step`)."""
        return None
