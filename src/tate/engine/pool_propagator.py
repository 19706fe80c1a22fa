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

import numpy as np

from tate.earth.atmosphere import _fast_table
from tate.flight.integrator import Propagator

__all__ = ["PoolPropagator"]


class PoolPropagator(Propagator):
    """A :class:`Propagator` whose step can also run as the pool's fused kernel.

    Its per-body arrays are rows of four blocks by shape and dtype (so the kernel gets
    four arrays, not nineteen): the states ``(7, 7, n)`` (``y``, the state before the
    step, the four RK4 stages, the stage state), the vectors ``(2, 3, n)`` (forces,
    gravitation), the scalars ``(8, n)`` (mass flows, ground altitudes, then the
    environment's altitude, density, speed of sound, speed, dynamic pressure and Mach
    number) and the flags ``(2, n)`` (alive, armed); deep copies and pickles keep the
    attributes rows of their blocks (:meth:`__setstate__`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        env = self._env
        self._blocks = (
            np.stack([self.y, self._y0, *self._k, self._tmp]),
            np.stack([self._acc, self._grav]),
            np.stack([self._mdot, self.ground_alt, env.alt, env.rho, env.sound, env.speed,
                      env.qbar, env.mach]),
            np.stack([self.alive, self._armed]))
        self._tie()

    def _tie(self) -> None:
        """Point the per-body attributes (and the environment's) at their block rows."""
        ys, vec, sc, fl = self._blocks
        env = self._env
        self.y, self._y0, self._k, self._tmp = ys[0], ys[1], [ys[2], ys[3], ys[4], ys[5]], ys[6]
        self._acc, self._grav = vec[0], vec[1]
        if env.grav is not None:
            env.grav = self._grav
        self._mdot, self.ground_alt = sc[0], sc[1]
        env.alt, env.rho, env.sound, env.speed, env.qbar, env.mach = sc[2:8]
        self.alive, self._armed = fl[0], fl[1]
        self._genv = [env.view(sl) for sl in self._slices]
        live = {id(m) for m, _, _ in self._active}
        self._active = [(m, sl, g) for m, sl, g in zip(self.models, self._slices, self._genv,
                                                        strict=True) if id(m) in live]
        self._env_args, self._env_args_opts = (), None
        self._fused_args, self._fused_key = (), ()
        self._build_force_views()

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a copy, its attributes rows of its blocks again."""
        self.__dict__.update(state)
        self._tie()

    def fusable(self) -> bool:
        """Whether :func:`~tate.engine._pool_step_jit.fly_step` can stand for
        :meth:`step`: compiled path on, one model, ground on, no aim points nor events."""
        return (self._kernels is not None and len(self.models) == 1 and self.ground
                and self.aim is None and not self.events)

    def arrays(self) -> tuple[Any, ...]:
        """The propagator's arrays for ``fly_step``: its four blocks (see the class), the
        ellipsoid normals (or none), the frame flags and the atmosphere table (the arrays
        are changed in place by steps: this holds for every step;
        :func:`tate.engine._pool_step_jit.prop_rows` reads them)."""
        env, kern, opts = self._env, self._kernels, self.opts
        if kern is None:
            raise RuntimeError("the fused step needs the compiled path")
        up = env.up
        tab = _fast_table()
        return (*self._blocks, kern.NO_VEC if up is None else up,
                kern.flags_of(opts.atmosphere, opts.j2, opts.rotating, True, up is not None),
                tab.cells, tab.h_rho)

    def fresh(self) -> bool:
        """Whether the environment arrays hold the values of the present state."""
        return self._env_fresh
