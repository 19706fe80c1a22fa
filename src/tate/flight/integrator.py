"""Fixed-step RK4 integration of many bodies at once, with sub-step event location.

All bodies share one clock; each flight model owns a contiguous slice of the
state arrays (``pos (3, n)``, ``vel (3, n)``, ``mass (n,)``, ECEF, SI).  Per step:

1. every model's :meth:`~tate.flight.models.base.FlightModel.update` runs once
   (guidance commands held over the step, staging);
2. classic fourth-order Runge–Kutta advances the state;
3. events (e.g. apogee) are located on the same interpolant and recorded;
4. bodies that crossed their ground altitude (by default geodetic altitude 0)
   downward inside the step, or whose straight-line closest approach to their
   aim point inside the step is within ``hit_radius``, are located on the cubic
   Hermite interpolant of the step (position and velocity at both ends), to
   far better than the step, and frozen there.

The clock is ``t_b + k · dt`` after ``k`` steps of one length since the step last
changed at ``t_b`` (no running sum, so event times carry no accumulated rounding).
:meth:`Propagator.step` may be given a new step length; the models read it from their
``dt`` attribute, which the propagator sets before every step.

Dead bodies keep their final state; their derivative is zero.  Snapshots are
taken every ``record_every`` steps; the impact state is always kept (storage and the
adaptive run: :mod:`tate.flight.recording`).

With the compiled path on (:mod:`tate.jit`, read when the propagator is built) the
environment, the RK4 combinations, the derivative's assembly and the per-step ground,
aim-point and apogee screens run as numba kernels (:mod:`tate.flight._eom_jit`), four
calls per step with the models' ``specific_force`` between them; when every active model
has a force pack (the rockets) the whole step is one call with their forces inline
(:mod:`tate.flight._step_jit`).  The location code below runs only when a screen finds a
crossing (apogees by a kernel too).  The models' ``update`` is called as before.  The
numpy code is the reference.

Reference: Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.1 (RK4) and §II.6
(dense output by Hermite interpolation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.earth import wgs84
from tate.earth.atmosphere import _fast_table
from tate.flight.eom import Environment, FrameOptions, _jit_kernels, dot3, ellipsoid_up, norm3
from tate.flight.models.base import FlightModel
from tate.flight.recording import Snapshots, hermite, pad, run_adaptive, step_packs, steps_allowed

_STEP_KERNELS = jit.Kernels("tate.flight._step_jit")

__all__ = ["Crossing", "Event", "Impact", "Propagator", "Snapshots", "apogee_event", "hermite"]

F64 = NDArray[np.float64]


@dataclass
class Impact:
    """Ground impacts located inside a step: arrays over the impacting bodies."""

    body: NDArray[np.intp] = field(default_factory=lambda: np.empty(0, np.intp))
    time: F64 = field(default_factory=lambda: np.empty(0))
    pos: F64 = field(default_factory=lambda: np.empty((3, 0)))
    vel: F64 = field(default_factory=lambda: np.empty((3, 0)))


@dataclass(frozen=True)
class Event:
    """A zero crossing to locate inside steps, e.g. apogee.

    ``fn(pos, vel)`` maps ``(3, k)`` states to ``(k,)`` values; a crossing of zero
    in ``direction`` (+1 upward, −1 downward) is located on the step's Hermite
    interpolant by bisection and recorded; it does not stop the body.
    """

    name: str
    fn: Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]
    direction: int = -1


@dataclass(frozen=True)
class Crossing:
    """An event located inside a step: body index, time [s], ECEF position [m]."""

    name: str
    body: NDArray[np.intp]
    time: NDArray[np.float64]
    pos: NDArray[np.float64]


def _vertical_speed(pos: NDArray[np.float64], vel: NDArray[np.float64]) -> NDArray[np.float64]:
    return dot3(vel, ellipsoid_up(pos))


def apogee_event() -> Event:
    """Apogee: the vertical speed (along the ellipsoid normal) falls through zero."""
    return Event("apogee", _vertical_speed, -1)


def _hermite_pos(p0: F64, v0: F64, p1: F64, v1: F64, h: float, s: F64) -> F64:
    """The position of :func:`hermite` alone (the same arithmetic)."""
    s2, s3 = s * s, s * s * s
    h00 = 2 * s3 - 3 * s2 + 1
    h10 = s3 - 2 * s2 + s
    h01 = -2 * s3 + 3 * s2
    h11 = s3 - s2
    pos: F64 = h00 * p0 + h * h10 * v0 + h01 * p1 + h * h11 * v1
    return pos


class Propagator:
    """Integrates the bodies of several flight models together.

    Parameters
    ----------
    models
        Flight models; model ``k`` owns the next ``models[k].n`` bodies.
    pos, vel, mass
        Initial ECEF position ``(3, n)`` [m], Earth-relative velocity ``(3, n)``
        [m/s] and mass ``(n,)`` [kg].  Copied.
    dt
        Step [s].
    opts
        Frame switches (rotation, J2, atmosphere) for check cases.
    ground
        Whether bodies stop when they descend to their ground altitude.
    ground_alt
        Altitude at which each body ends ``(n,)`` [m] (default 0: the ellipsoid);
        e.g. the aim point's altitude.
    aim
        Aim points ``(3, n)`` ECEF [m] (NaN: none).  A body also ends at its
        closest approach inside a step if that comes within ``hit_radius`` of
        its aim point (a sea-skimmer reaching a ship above the waterline).
    hit_radius
        [m]
    events
        Zero crossings to locate and record in :attr:`crossings`.
    """

    def __init__(
        self,
        models: Sequence[FlightModel],
        pos: F64,
        vel: F64,
        mass: F64,
        dt: float,
        opts: FrameOptions | None = None,
        ground: bool = True,
        ground_alt: F64 | None = None,
        aim: F64 | None = None,
        hit_radius: float = 10.0,
        events: Sequence[Event] = (),
    ) -> None:
        n = int(np.asarray(mass).shape[0])
        if sum(m.n for m in models) != n:
            raise ValueError(f"models own {sum(m.n for m in models)} bodies, state has {n}")
        if not dt > 0:
            raise ValueError(f"dt must be > 0, got {dt}")
        self.models = list(models)
        self.dt = float(dt)
        self.opts = opts or FrameOptions()
        self.ground = ground
        self.t = 0.0
        self._t_base = 0.0  #: time at which the present step length took effect [s]
        self._steps = 0
        self.n = n
        self.y = np.empty((7, n))
        self.y[0:3] = pos
        self.y[3:6] = vel
        self.y[6] = mass
        self.alive = np.ones(n, dtype=bool)
        self.ground_alt = np.zeros(n) if ground_alt is None else np.asarray(ground_alt, float)
        # a body can hit its ground only after it has been above it (launch below an aim
        # point's altitude is not an impact)
        self._armed = wgs84.geodetic_altitude(self.y[0:3].T) > self.ground_alt
        self.aim = None if aim is None else np.asarray(aim, float)
        self.hit_radius = hit_radius
        self.events = list(events)
        self.crossings: list[Crossing] = []
        self.impacts: list[Impact] = []
        self._slices: list[slice] = []
        start = 0
        for m in self.models:
            self._slices.append(slice(start, start + m.n))
            start += m.n
        self._env = Environment.empty(n, up=any(m.uses_up for m in self.models))
        self._env.frame = self.opts  # the options every compute() of it uses
        self._grav = np.empty((3, n)) if self._env.grav is None else self._env.grav
        self._genv = [self._env.view(sl) for sl in self._slices]
        #: (model, slice, environment view) of the models with a live body: a model whose
        #: bodies have all ended is no longer updated or asked for forces
        self._active = list(zip(self.models, self._slices, self._genv, strict=True))
        self._k = [np.empty((7, n)) for _ in range(4)]
        self._tmp = np.empty((7, n))
        self._acc = np.empty((3, n))
        self._mdot = np.empty(n)
        self._all_alive = True
        self._max_speed = 0.0
        self._env_fresh = False  #: the environment arrays hold the values of ``y``
        #: the compiled kernels' module if the compiled path is on, else None
        self._kernels = _jit_kernels() if jit.enabled() else None
        self._y0 = np.empty((7, n))  #: the state at the start of the step (compiled path)
        self._fresh_max_speed = 0.0  #: largest speed of the fresh environment (compiled)
        # the compiled screen knows the apogee event; any other event is always located
        signs = {-float(ev.direction) for ev in self.events if ev.fn is _vertical_speed}
        self._screen_events = len(signs) == 1 and all(ev.fn is _vertical_speed
                                                      for ev in self.events)
        self._apogee_sign = signs.pop() if self._screen_events else 0.0
        self._force_views: tuple[list[tuple[Any, ...]], ...] = ([], [])
        self._build_force_views()
        #: the fused-step kernels (:mod:`tate.flight._step_jit`) if the compiled path is on
        self._step_kernels = _STEP_KERNELS if self._kernels is not None else None
        self._fusable = self._kernels is not None  #: no active model lacked a force pack
        self._n_alive = n  #: live bodies when :attr:`_active` was last pruned
        self._env_args: tuple[Any, ...] = ()  #: the kernels' environment arguments
        self._env_args_opts: FrameOptions | None = None  #: the options they were made for
        #: the fused step's arguments that stay (:meth:`_step_fused`), and what they depend on
        self._fused_args: tuple[Any, ...] = ()
        self._fused_key: tuple[Any, ...] = ()
        self._fused_aim = False

    def invalidate(self) -> None:
        """Say that ``y`` was changed from outside (e.g. a body moved or added)."""
        self._env_fresh = False

    @property
    def pos(self) -> F64:
        """Current ECEF positions ``(3, n)`` [m] (a view)."""
        return self.y[0:3]

    @property
    def vel(self) -> F64:
        """Current Earth-relative velocities ``(3, n)`` [m/s] (a view)."""
        return self.y[3:6]

    @property
    def mass(self) -> F64:
        """Current masses ``(n,)`` [kg] (a view)."""
        return self.y[6]

    def derivative(self, t: float, y: F64, out: F64, env_ready: bool = False) -> F64:
        """Time derivative of the stacked state ``y (7, n)`` into ``out``.

        ``env_ready`` says the environment arrays already hold the values for ``y``.
        """
        pos, vel = y[0:3], y[3:6]
        if not env_ready:
            self._env.compute(pos, vel, self.opts)
        out[0:3] = vel
        acc, mdot = self._acc, self._mdot
        for model, sl, genv in self._active:
            model.specific_force(t, pos[:, sl], vel[:, sl], y[6, sl], genv, acc[:, sl], mdot[sl])
        np.add(self._grav, acc, out=out[3:6])
        np.negative(mdot, out=out[6])
        if not self._all_alive:
            out[:, ~self.alive] = 0.0
        return out

    def set_clock(self, t: float) -> None:
        """Move the clock to ``t`` [s] without integrating: for a caller whose bodies are
        all at rest or dead meanwhile."""
        self.t = self._t_base = float(t)
        self._steps = 0

    def step(self, h: float | None = None) -> None:
        """Advance every live body by one step: ``dt``, or ``h`` [s] (which becomes the
        new ``dt``)."""
        if h is not None and h != self.dt:
            if not h > 0:
                raise ValueError(f"step must be > 0, got {h}")
            self._t_base, self._steps, self.dt = self.t, 0, float(h)
        self._prune()
        t, h, y = self.t, self.dt, self.y
        for model in self.models:
            model.dt = h
        env = self._env
        fresh = self._env_fresh
        if not fresh:
            env.compute(y[0:3], y[3:6], self.opts)
        self._env_fresh = False
        if self.aim is not None:  # the aim-point screen's bound on the distance flown
            if fresh and self._kernels is not None:
                self._max_speed = self._fresh_max_speed
            else:
                self._max_speed = float(env.speed.max()) if self.n else 0.0
        for model, pos, vel, mass, genv, _, _ in self._force_views[0]:  # views of y
            model.update(t, pos, vel, mass, genv)
        if self._kernels is not None:
            packs = self._force_packs() if self._fusable else None
            if packs and self._step_kernels is not None:
                self._step_fused(self._kernels, self._step_kernels, packs, t, h, y)
            else:
                self._step_compiled(self._kernels, t, h, y)
            return
        k1, k2, k3, k4 = self._k
        tmp = self._tmp
        self.derivative(t, y, k1, env_ready=True)
        np.multiply(k1, 0.5 * h, out=tmp)
        tmp += y
        self.derivative(t + 0.5 * h, tmp, k2)
        np.multiply(k2, 0.5 * h, out=tmp)
        tmp += y
        self.derivative(t + 0.5 * h, tmp, k3)
        np.multiply(k3, h, out=tmp)
        tmp += y
        self.derivative(t + h, tmp, k4)
        k2 += k3
        k2 *= 2.0
        k1 += k2
        k1 += k4
        y0 = y.copy() if (self.ground or self.events) else y
        y += (h / 6.0) * k1
        self._steps += 1
        self.t = self._t_base + self._steps * h
        # the new state's environment serves the ground check and the next step
        env.compute(y[0:3], y[3:6], self.opts)
        self._env_fresh = True
        if self.events:
            self._locate_events(y0)
        if self.ground:
            self._locate_impacts(y0)

    def _prune(self) -> None:
        """:attr:`_all_alive`, and the models retired that lost their last body (the
        flags' bytes are 0/1: ``alive.all()`` and ``count_nonzero`` without numpy)."""
        flags = self.alive.tobytes()
        self._all_alive = b"\x00" not in flags
        if not self._all_alive and len(self._active) > 1:
            n_alive = flags.count(1)
            if n_alive != self._n_alive:  # a model may have lost its last body
                self._n_alive = n_alive
                self._retire_models()

    def _environment_args(self, kern: jit.Kernels) -> tuple[Any, ...]:
        """The environment arguments of the compiled stage kernels (made again only when
        :attr:`opts` was replaced)."""
        if self._env_args_opts is not self.opts:
            env, up, opts = self._env, self._env.up, self.opts
            tab = _fast_table()
            self._env_args = (
                env.alt, env.rho, env.sound, env.speed, env.qbar, env.mach, self._grav,
                kern.NO_VEC if up is None else up,
                kern.flags_of(opts.atmosphere, opts.j2, opts.rotating, True, up is not None),
                tab.cells, tab.h_rho)
            self._env_args_opts = opts
        return self._env_args

    def _force_packs(self) -> tuple[tuple[Any, ...], ...] | None:
        """The active models' force packs (:meth:`~tate.flight.models.base.FlightModel.
        force_pack`), or None if one has none (then never asked again)."""
        packs = []
        y = self.y
        for model, sl, _ in self._active:
            pack = model.force_pack(y, sl)
            if pack is None:
                self._fusable = False
                return None
            packs.append(pack)
        return pad(tuple(packs), (1, 2))

    def _step_fused(self, kern: jit.Kernels, fused: jit.Kernels,
                    packs: tuple[tuple[Any, ...], ...], t: float, h: float, y: F64) -> None:
        """:meth:`_step_compiled` in one compiled call with the models' forces inline
        (:func:`tate.flight._step_jit.rocket_step`)."""
        key = self._fused_key
        if not key or key[0] is not self.opts or key[1] is not self.aim or (
                key[2] is not self.ground):
            aim = self.aim if (self.aim is not None and self.ground) else kern.NO_VEC
            self._fused_args = (self._env.up is not None, y, self._y0, self._tmp, *self._k,
                                self._acc, self._mdot, self.alive,
                                *self._environment_args(kern), self.ground, self.ground_alt,
                                self._armed, aim, self._apogee_sign)
            self._fused_key = (self.opts, self.aim, self.ground)
            self._fused_aim = aim.shape[1] > 0
        reach = ((self._max_speed * self.dt * 1.5 + self.hit_radius) ** 2
                 if self._fused_aim else 0.0)
        n_ground, n_aim, n_event, self._fresh_max_speed = fused.rocket_step(
            packs, t, h, reach, *self._fused_args)
        self._end_compiled_step(h, n_ground, n_aim, n_event)

    def _end_compiled_step(self, h: float, n_ground: int, n_aim: int, n_event: int) -> None:
        """The clock, and the location of what the compiled screens found."""
        self._steps += 1
        self.t = self._t_base + self._steps * h
        self._env_fresh = True
        if self.events and (n_event or not self._screen_events):
            self._locate_events(self._y0)
        if self.ground and (n_ground or n_aim):
            self._locate_impacts(self._y0)

    def _step_compiled(self, kern: jit.Kernels, t: float, h: float, y: F64) -> None:
        """RK4 and the end-of-step screens of :meth:`step` in four compiled calls (after
        the models' updates)."""
        ea = self._environment_args(kern)
        k1, k2, k3, k4 = self._k
        tmp, acc, mdot, alive = self._tmp, self._acc, self._mdot, self.alive
        on_y, on_tmp = self._force_views
        self._forces(t, on_y)
        kern.rk4_stage(y, y, k1, 0.5 * h, tmp, acc, mdot, alive, *ea)
        self._forces(t + 0.5 * h, on_tmp)
        kern.rk4_stage(tmp, y, k2, 0.5 * h, tmp, acc, mdot, alive, *ea)
        self._forces(t + 0.5 * h, on_tmp)
        kern.rk4_stage(tmp, y, k3, h, tmp, acc, mdot, alive, *ea)
        self._forces(t + h, on_tmp)
        aim = self.aim if (self.aim is not None and self.ground) else kern.NO_VEC
        reach = ((self._max_speed * self.dt * 1.5 + self.hit_radius) ** 2
                 if aim.shape[1] else 0.0)
        y0 = self._y0
        n_ground, n_aim, n_event, self._fresh_max_speed = kern.rk4_last(
            tmp, y, y0, k1, k2, k3, k4, h, acc, mdot, alive, *ea, self.ground,
            self.ground_alt, self._armed, aim, reach, self._apogee_sign)
        self._end_compiled_step(h, n_ground, n_aim, n_event)

    def _forces(self, t: float, views: list[tuple[Any, ...]]) -> None:
        """Every active model's specific force and mass flow at the state of ``views``
        (:meth:`_build_force_views`) into :attr:`_acc` and :attr:`_mdot`."""
        for model, pos, vel, mass, genv, acc, mdot in views:
            model.specific_force(t, pos, vel, mass, genv, acc, mdot)

    def _build_force_views(self) -> None:
        """The arguments of the active models' ``specific_force`` as views of ``y`` and
        of the stage state, made once (the compiled step's loop then only calls)."""
        y, tmp, acc, mdot = self.y, self._tmp, self._acc, self._mdot
        self._force_views = tuple(
            [(model, s[0:3, sl], s[3:6, sl], s[6, sl], genv, acc[:, sl], mdot[sl])
             for model, sl, genv in self._active]
            for s in (y, tmp))
        self._step_packs = step_packs(self._active) if self._kernels is not None else None

    def _retire_models(self) -> None:
        """Drop the models whose bodies have all ended from :attr:`_active` (their rows of
        the derivative are zero anyway; their forces and mass flows are zeroed once)."""
        keep = []
        for model, sl, genv in self._active:
            if self.alive[sl].any():
                keep.append((model, sl, genv))
            else:
                self._acc[:, sl] = 0.0
                self._mdot[sl] = 0.0
        self._active = keep
        self._build_force_views()

    def _locate_impacts(self, y0: F64) -> None:
        y = self.y
        alt1 = self._env.alt - self.ground_alt
        hit = np.flatnonzero(self.alive & self._armed & (alt1 <= 0.0))
        self._armed |= alt1 > 0.0
        s = self._ground_fraction(y0, hit) if hit.size else np.empty(0)
        if self.aim is not None:
            near, s_near = self._aim_fraction(y0)
            if near.size:
                first = ~np.isin(near, hit)
                hit, s = np.concatenate([hit, near[first]]), np.concatenate([s, s_near[first]])
        if hit.size == 0:
            return
        pos, vel = hermite(y0[0:3, hit], y0[3:6, hit], y[0:3, hit], y[3:6, hit], self.dt, s)
        y[0:3, hit] = pos
        y[3:6, hit] = vel
        self.alive[hit] = False
        t0 = self.t - self.dt
        self.impacts.append(Impact(hit, t0 + s * self.dt, pos, vel))

    def _locate_events(self, y0: F64) -> None:
        if self._step_kernels is not None and self._screen_events:
            self._locate_apogees(self._step_kernels, y0)
            return
        y, live = self.y, np.flatnonzero(self.alive)
        for ev in self.events:
            sign = -float(ev.direction)  # the sign the value has before the crossing
            g0 = ev.fn(y0[0:3, live], y0[3:6, live]) * sign
            g1 = ev.fn(y[0:3, live], y[3:6, live]) * sign
            idx = live[(g0 > 0.0) & (g1 <= 0.0)]
            if idx.size == 0:
                continue
            args = (y0[0:3, idx], y0[3:6, idx], y[0:3, idx], y[3:6, idx], self.dt)
            lo, hi = np.zeros(idx.size), np.ones(idx.size)
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                pm, vm = hermite(*args, mid)
                before = ev.fn(pm, vm) * sign > 0.0
                lo, hi = np.where(before, mid, lo), np.where(before, hi, mid)
            pos, _ = hermite(*args, hi)
            self.crossings.append(Crossing(ev.name, idx, self.t - self.dt + hi * self.dt, pos))

    def _locate_apogees(self, kern: jit.Kernels, y0: F64) -> None:
        """:meth:`_locate_events` for apogee events by the compiled kernel
        (:func:`tate.flight._step_jit.apogee_crossings`)."""
        n = self.n
        body, frac, pos = np.empty(n, np.intp), np.empty(n), np.empty((3, n))
        for ev in self.events:
            m = kern.apogee_crossings(y0, self.y, self.alive, self.dt, -float(ev.direction),
                                      body, frac, pos)
            if m:
                hi = frac[:m].copy()
                self.crossings.append(Crossing(ev.name, body[:m].copy(),
                                               self.t - self.dt + hi * self.dt,
                                               pos[:, :m].copy()))

    def _ground_fraction(self, y0: F64, hit: NDArray[np.intp]) -> F64:
        """Fraction of the step at which bodies ``hit`` crossed their ground altitude."""
        y = self.y
        if self._kernels is not None:
            out: F64 = self._kernels.ground_fraction(y0, y, hit, self.dt, self.ground_alt,
                                                     np.empty(hit.size))
            return out
        p0, v0 = y0[0:3, hit], y0[3:6, hit]
        p1, v1 = y[0:3, hit], y[3:6, hit]
        floor = self.ground_alt[hit]
        started_below = wgs84.geodetic_altitude_rows(p0, np.empty(hit.size)) - floor <= 0.0
        lo = np.zeros(hit.size)
        hi = np.ones(hit.size)
        alt = np.empty(hit.size)
        for _ in range(40):  # bisection on the Hermite curve: 2^-40 of a step
            mid = 0.5 * (lo + hi)
            pm = _hermite_pos(p0, v0, p1, v1, self.dt, mid)
            above = wgs84.geodetic_altitude_rows(pm, alt) > floor
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
        return np.where(started_below, 0.0, hi)

    def _aim_fraction(self, y0: F64) -> tuple[NDArray[np.intp], F64]:
        """Bodies whose closest approach to their aim inside this step is within
        ``hit_radius``, and the fraction of the step at which it happens (straight-line
        motion over the step)."""
        aim = self.aim
        if aim is None:
            return np.empty(0, np.intp), np.empty(0)
        # screen: a body can pass within hit_radius of its aim during the step only if it
        # ends the step within (step length + hit_radius) of it (NaN aims never pass)
        diff = self.y[0:3] - aim
        reach = (self._max_speed * self.dt * 1.5 + self.hit_radius) ** 2
        cand = np.flatnonzero((dot3(diff, diff) <= reach) & self.alive)
        if cand.size == 0:
            return cand, np.empty(0)
        p0 = y0[0:3, cand] - aim[:, cand]
        d = self.y[0:3, cand] - y0[0:3, cand]
        dd = np.maximum(dot3(d, d), 1e-30)
        s = np.minimum(1.0, np.maximum(0.0, -dot3(p0, d) / dd))
        miss = norm3(p0 + s * d)
        close = miss <= self.hit_radius
        return cand[close], s[close]

    def run(
        self,
        t_end: float,
        record_every: int = 0,
        snapshots: Snapshots | None = None,
        progress: Callable[[float], None] | None = None,
        max_step: float = 0.0,
    ) -> Snapshots:
        """Step until ``t_end`` [s] or until no body is alive.

        Parameters
        ----------
        t_end
            End time [s].
        record_every
            Record a snapshot every this many steps (0: never; the first and last
            states are recorded whenever ``record_every`` > 0).
        snapshots
            Existing record to append to.
        progress
            Called with the current time [s] about once per simulated 10 s.
        max_step
            Above ``dt``: adaptive steps, each a whole number of ``dt`` up to the
            shortest of this and every model's :meth:`~tate.flight.models.base.
            FlightModel.max_step`; snapshots still fall every ``record_every · dt``
            (inside a long step, on its cubic Hermite interpolant).
        """
        snaps = snapshots if snapshots is not None else Snapshots()
        if max_step > self.dt:
            return run_adaptive(self, t_end, record_every, snaps, progress, max_step)
        k = 0
        if record_every:
            snaps.add(self.t, self.y, self.alive)
        while self.t < t_end - 1e-9 * self.dt and self.alive.any():
            self.step()
            k += 1
            if record_every and k % record_every == 0:
                snaps.add(self.t, self.y, self.alive)
            if progress is not None and k % max(1, round(10.0 / self.dt)) == 0:
                progress(self.t)
        if record_every and snaps.last_time() != self.t:
            snaps.add(self.t, self.y, self.alive)
        return snaps

    def steps_allowed(self, max_step: float, base: float, t_end: float) -> int:
        """The number of base steps ``base`` [s] the next adaptive step may take
        (:func:`tate.flight.recording.steps_allowed`)."""
        return steps_allowed(self, max_step, base, t_end)
