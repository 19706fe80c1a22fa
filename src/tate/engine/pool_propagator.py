"""The interceptor pool's propagator: a :class:`~tate.flight.integrator.Propagator` that
also lends its arrays to the pool's fused compiled step.

:class:`PoolPropagator` steps exactly as its base (:meth:`Propagator.step`, the numpy
reference and the compiled path); in addition :meth:`arrays` lends its arrays to
:func:`tate.engine._pool_step_jit.fly_tick`, which does the models' update and the RK4
of the steps itself (on the live launched bodies; the pool keeps the clock's books as
:meth:`Propagator.step`).  Only for what the pool builds: one
model, ground impacts on, no aim points, no events.  Units and frame as the base's (s, m,
m/s, kg; ECEF).
"""

from __future__ import annotations

from typing import Any

from tate.earth.atmosphere import _fast_table
from tate.flight.integrator import Propagator

__all__ = ["PoolPropagator"]


class PoolPropagator(Propagator):
    """A :class:`Propagator` whose step can also run as the pool's fused kernel."""

    def fusable(self) -> bool:
        """Whether :func:`~tate.engine._pool_step_jit.fly_step` can stand for
        :meth:`step`: compiled path on, one model, ground on, no aim points nor events."""
        return (self._kernels is not None and len(self.models) == 1 and self.ground
                and self.aim is None and not self.events)

    def arrays(self) -> tuple[Any, ...]:
        """The propagator's arrays for ``fly_step``: the state, the state before the step,
        the RK4 stages, the stage state, forces, mass flows, alive and armed flags, ground
        altitudes, the environment arrays, the frame flags and the atmosphere table (the
        arrays are changed in place by steps: this holds for every step)."""
        env, kern, opts = self._env, self._kernels, self.opts
        if kern is None:
            raise RuntimeError("the fused step needs the compiled path")
        up = env.up
        tab = _fast_table()
        return (self.y, self._y0, tuple(self._k), self._tmp, self._acc, self._mdot,
                self.alive, self._armed, self.ground_alt,
                (env.alt, env.rho, env.sound, env.speed, env.qbar, env.mach, self._grav,
                 kern.NO_VEC if up is None else up),
                kern.flags_of(opts.atmosphere, opts.j2, opts.rotating, True, up is not None),
                tab.cells, tab.h_rho)

    def fresh(self) -> bool:
        """Whether the environment arrays hold the values of the present state."""
        return self._env_fresh
