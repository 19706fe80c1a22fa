"""Snapshots of a propagation, the step's cubic Hermite interpolant, and the
adaptive-step run of :class:`~tate.flight.integrator.Propagator` that records them.

A snapshot is the stacked state ``(7, n)`` (ECEF position [m], Earth-relative velocity
[m/s], mass [kg]) and the alive flags ``(n,)`` of every body at one instant [s].
:class:`Snapshots` keeps them in arrays that grow by doubling (one copy of the state per
record, no per-record list entries); :meth:`Snapshots.arrays` gives the whole record as
arrays over the instants.

In an adaptive run a long step (a whole number of base steps) may contain recording
instants: their states come from the step's cubic Hermite (position and velocity at
both ends); a body that ended inside the step is interpolated on the part of the step
to its end.

Reference: Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.6 (dense output by Hermite
interpolation).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from tate import jit

if TYPE_CHECKING:
    from tate.flight.integrator import Impact, Propagator

__all__ = ["Snapshots", "hermite", "run_adaptive", "step_packs", "steps_allowed"]

F64 = NDArray[np.float64]
_FIRST_CAPACITY = 256  #: records allocated at the first one


def hermite(p0: F64, v0: F64, p1: F64, v1: F64, h: float | F64,
            s: F64) -> tuple[F64, F64]:
    """Cubic Hermite interpolation of position and its derivative inside a step.

    Parameters
    ----------
    p0, v0, p1, v1
        Position [m] and velocity [m/s] at both ends, ``(3, k)``.
    h
        Step length [s] (or one per column ``(k,)``).
    s
        Fraction of the step in [0, 1], ``(k,)``.

    Returns
    -------
    pos, vel
        Interpolated position ``(3, k)`` [m] and velocity ``(3, k)`` [m/s].
    """
    s2, s3 = s * s, s * s * s
    h00 = 2 * s3 - 3 * s2 + 1
    h10 = s3 - 2 * s2 + s
    h01 = -2 * s3 + 3 * s2
    h11 = s3 - s2
    pos = h00 * p0 + h * h10 * v0 + h01 * p1 + h * h11 * v1
    d00 = (6 * s2 - 6 * s) / h
    d10 = 3 * s2 - 4 * s + 1
    d01 = (-6 * s2 + 6 * s) / h
    d11 = 3 * s2 - 2 * s
    vel = d00 * p0 + d10 * v0 + d01 * p1 + d11 * v1
    return pos, vel


class Snapshots:
    """Recorded states, one per recorded instant, in order of recording.

    :attr:`time`, :attr:`pos`, :attr:`vel`, :attr:`mass` and :attr:`alive` list them per
    instant (``float``, ``(3, n)``, ``(3, n)``, ``(n,)``, ``(n,)``; views);
    :meth:`arrays` gives them stacked."""

    def __init__(self) -> None:
        self.size = 0  #: number of records
        self._time = np.empty(0)
        self._y = np.empty((0, 7, 0))
        self._alive = np.empty((0, 0), dtype=bool)

    def reserve(self, m: int, n: int) -> int:
        """Make room for ``m`` more records of ``n`` bodies; returns the index of the first
        (the records then count in :attr:`size`)."""
        k = self.size
        if k and n != self._y.shape[2]:
            raise ValueError(f"snapshots hold {self._y.shape[2]} bodies, got {n}")
        if k + m > self._time.shape[0]:
            cap = max(2 * self._time.shape[0], k + m, _FIRST_CAPACITY)
            time, y, alive = np.empty(cap), np.empty((cap, 7, n)), np.empty((cap, n), bool)
            if k:
                time[:k], y[:k], alive[:k] = self._time[:k], self._y[:k], self._alive[:k]
            self._time, self._y, self._alive = time, y, alive
        self.size = k + m
        return k

    def add(self, t: float, y: F64, alive: NDArray[np.bool_]) -> None:
        """Record the state ``y (7, n)`` and ``alive (n,)`` at ``t`` [s] (copied)."""
        k = self.size
        if 0 < k < self._time.shape[0] and y.shape[1] == self._y.shape[2]:
            self.size = k + 1  # room left: :meth:`reserve`'s checks pass
        else:
            k = self.reserve(1, y.shape[1])
        self._time[k] = t
        self._y[k] = y
        self._alive[k] = alive

    def last_time(self) -> float | None:
        """The instant of the last record [s], None if there is none."""
        return float(self._time[self.size - 1]) if self.size else None

    def arrays(self) -> tuple[F64, F64, F64, F64, NDArray[np.bool_]]:
        """The records stacked: time ``(k,)`` [s], pos ``(k, 3, n)`` [m], vel ``(k, 3, n)``
        [m/s], mass ``(k, n)`` [kg], alive ``(k, n)`` (views)."""
        k = self.size
        y = self._y[:k]
        return self._time[:k], y[:, 0:3], y[:, 3:6], y[:, 6], self._alive[:k]

    @property
    def time(self) -> list[float]:
        """Recorded instants [s]."""
        out: list[float] = self._time[:self.size].tolist()
        return out

    @property
    def pos(self) -> list[F64]:
        """Positions ``(3, n)`` [m] per instant."""
        return list(self._y[:self.size, 0:3])

    @property
    def vel(self) -> list[F64]:
        """Velocities ``(3, n)`` [m/s] per instant."""
        return list(self._y[:self.size, 3:6])

    @property
    def mass(self) -> list[F64]:
        """Masses ``(n,)`` [kg] per instant."""
        return list(self._y[:self.size, 6])

    @property
    def alive(self) -> list[NDArray[np.bool_]]:
        """Alive flags ``(n,)`` per instant."""
        return list(self._alive[:self.size])


def record_inside(snaps: Snapshots, taus: Sequence[float], t_a: float, t_b: float, y0: F64,
                  y: F64, alive0: NDArray[np.bool_], impacts: Sequence[Impact],
                  kernels: Any) -> None:
    """Snapshots at the instants ``taus`` inside the step from ``t_a`` (state ``y0``) to
    ``t_b`` (state ``y``, ``(7, n)``): the step's cubic Hermite, all instants in one call
    (the compiled ``hermite_states`` if ``kernels`` is not None); a body that ended in the
    step (``impacts``) on the one to its end; ``alive0``: the flags at ``t_a``."""
    if not taus:
        return
    h = t_b - t_a
    m, n = len(taus), y.shape[1]
    s_of = np.array([(tau - t_a) / h for tau in taus])
    if kernels is not None:
        pos, vel, mass = np.empty((m, 3, n)), np.empty((m, 3, n)), np.empty((m, n))
        kernels.hermite_states(y0, y, h, s_of, pos, vel, mass)
    else:
        s = np.empty((m, 1, n))
        s[:, 0, :] = s_of[:, None]
        pos, vel = hermite(y0[0:3], y0[3:6], y[0:3], y[3:6], h, s)  # (m, 3, n)
        mass = y0[6] + s[:, 0, :] * (y[6] - y0[6])
    gone = ~alive0
    if gone.any():
        pos[:, :, gone], vel[:, :, gone] = y[0:3, gone], y[3:6, gone]
        mass[:, gone] = y[6, gone]
    k = snaps.reserve(m, n)
    rows, alive = snaps._y[k:k + m], snaps._alive[k:k + m]
    snaps._time[k:k + m] = taus
    rows[:, 0:3], rows[:, 3:6], rows[:, 6] = pos, vel, mass
    alive[:] = alive0
    for i, tau in enumerate(taus if impacts else ()):
        for imp in impacts:
            b = imp.body
            flying = imp.time > tau
            h_b = np.maximum(imp.time - t_a, 1e-12)
            p_b, v_b = hermite(y0[0:3, b], y0[3:6, b], imp.pos, imp.vel, h_b,
                               np.where(flying, (tau - t_a) / h_b, 1.0))
            row = rows[i]
            row[0:3, b], row[3:6, b], row[6, b] = p_b, v_b, y[6, b]
            alive[i, b] = flying


def step_packs(active: Sequence[tuple[Any, slice, Any]]) -> tuple[tuple[Any, ...], ...] | None:
    """The step packs ``(kind, start, stop, separated, smooth, phase)`` of the models in
    ``active`` (model, columns, environment view) for the compiled :func:`steps_allowed`,
    or None if a model has none (:meth:`~tate.flight.models.base.FlightModel.step_pack`)."""
    packs = []
    for model, sl, _ in active:
        pack = model.step_pack()
        if pack is None:
            return None
        packs.append((pack[0], sl.start, sl.stop, *pack[1:]))
    return pad(tuple(packs), (1, 2))


#: The length every pack tuple of the compiled kernels is padded to with packs over no
#: columns (each tuple length is its own numba type: one overload, one cache load, each)
PACKS = 3


def pad(packs: tuple[tuple[Any, ...], ...], ends: tuple[int, int]) -> tuple[tuple[Any, ...], ...]:
    """``packs`` padded to :data:`PACKS` with copies of the first over no columns (the
    columns ``ends`` 0, every array empty along its last axis: the kernels skip it)."""
    if not packs or len(packs) >= PACKS:
        return packs
    empty = tuple(np.zeros((*x.shape[:-1], 0), x.dtype) if isinstance(x, np.ndarray)
                  else 0 if i in ends else x for i, x in enumerate(packs[0]))
    return packs + (empty,) * (PACKS - len(packs))


def steps_allowed(prop: Propagator, max_step: float, base: float, t_end: float) -> int:
    """The number of base steps ``base`` [s] the next adaptive step of ``prop`` may take:
    the shortest of ``max_step`` [s], the live models' :meth:`~tate.flight.models.base.
    FlightModel.max_step` and the time left to ``t_end`` [s]; at least one.  By the
    compiled :func:`tate.flight._step_jit.steps_allowed` when every active model has a
    step pack (``prop._step_packs``)."""
    packs = prop._step_packs
    if packs and prop._step_kernels is not None:
        env = prop._env
        out: int = prop._step_kernels.steps_allowed(packs, prop.alive, env.alt, env.speed,
                                                    max_step, base, t_end, prop.t)
        return out
    hint = max_step
    alive = prop.alive
    everyone = bool(alive.all())  # then every model has a live body: no per-model test
    for model, sl, genv in prop._active:  # the other models have no live body
        live = alive[sl]
        if everyone or live.any():
            hint = min(hint, model.max_step(live, genv))
            if hint / base + 1e-9 < 2.0:  # one base step whatever the others allow
                break
    return max(1, min(math.floor(hint / base + 1e-9),
                      math.ceil((t_end - prop.t) / base - 1e-9)))


_RUN_KERNELS = jit.Kernels("tate.flight._run_jit")
_ROOM = 512  #: snapshots reserved ahead for one call of the compiled loop


def _clock_back(prop: Propagator, snaps: Snapshots, clk: F64) -> int:
    """Hand a compiled loop's clock ``clk`` back to ``prop`` (time, base time, steps,
    step, the speeds of the aim screen), its models' step and ``snaps``' size; returns
    the next record index."""
    prop.t, prop._t_base, prop._steps, prop.dt = float(clk[0]), float(clk[1]), int(
        clk[2]), float(clk[3])
    if prop.aim is not None:
        prop._max_speed = float(clk[4])
    prop._fresh_max_speed = float(clk[5])
    snaps.size = int(clk[7])
    for model in prop.models:
        model.dt = prop.dt
    return int(clk[6])


def _fly_steps(kern: Any, prop: Propagator, snaps: Snapshots, max_step: float, base: float,
               t_end: float, rec: float, next_rec: int, y0: F64, alive0: NDArray[np.bool_]
               ) -> tuple[tuple[float, int] | None, int]:
    """The plain steps (base and long ones) of :func:`run_adaptive` from here by the
    compiled loop (:func:`tate.flight._run_jit.fly_steps`) where the propagator and its
    models allow it.  Returns ``((t_a, n_imp), next_rec)`` after a step that still needs
    Python's location, logs and recording (:data:`~tate.flight._run_jit.POST`; the
    step's start state and flags then in ``y0``, ``alive0``), else ``(None,
    next_rec)``."""
    if not (prop._fusable and prop._env_fresh and prop._step_packs and (
            prop._screen_events or not prop.events)):
        return None, next_rec
    key = prop._fused_key
    if not key or key[0] is not prop.opts or key[1] is not prop.aim or (
            key[2] is not prop.ground):
        return None, next_rec
    prop._prune()
    packs = prop._force_packs()
    if not packs or not prop._step_packs:
        return None, next_rec
    bpacks: list[Any] = []
    gpacks: list[Any] = []
    gmodels: list[Any] = []  # the gliders of ``gpacks``
    for model, sl, _ in prop._active:
        both = model.run_packs(sl)
        if both is None:
            return None, next_rec
        if both[0] is not None:
            bpacks.append(both[0])
        if both[1] is not None:
            gpacks.append(both[1])
            gmodels.append(model)
    # stand-ins over no columns up to PACKS (a homogeneous tuple of one length)
    bpacks += [_NO_BOOSTER] * (PACKS - len(bpacks))
    next_g = np.array([m._next_guidance for m in gmodels] + [math.inf] * (PACKS - len(gpacks)))
    gpacks += [_no_guidance()] * (PACKS - len(gpacks))
    n = prop.n
    k = snaps.size
    snaps.reserve(_ROOM, n)
    snaps.size = k
    clk = np.array([prop.t, prop._t_base, prop._steps, prop.dt, prop._max_speed,
                    prop._fresh_max_speed, next_rec, k, 0, 0, 0, 0, 0], float)
    dive = np.zeros(len(gpacks), np.int64)
    n_imp = len(prop.impacts)
    code = kern.fly_steps(
        clk, tuple(bpacks), tuple(gpacks), next_g, dive, packs, prop._step_packs, max_step,
        base, t_end, rec, k + _ROOM, snaps._time, snaps._y, snaps._alive, prop.hit_radius,
        prop._fused_aim, *prop._fused_args, y0, alive0)
    if not clk[12]:
        return None, next_rec  # no step made
    next_rec = _clock_back(prop, snaps, clk)
    for i, (model, gp) in enumerate(zip(gmodels, gpacks, strict=False)):  # (no stand-in)
        model._next_guidance = float(next_g[i])
        if dive[i]:
            model.log.add(float(clk[11]), np.flatnonzero(gp[22]), "dive")
    if code != kern.POST:
        return None, next_rec
    prop._env_fresh = True
    if prop.events and clk[10]:
        prop._locate_events(prop._y0)
    if prop.ground and (clk[8] or clk[9]):
        prop._locate_impacts(prop._y0)
    return (float(clk[11]), n_imp), next_rec  # (the start of the step made last)


_SLOW_KERNELS = jit.Kernels("tate.flight._slow_jit")


def _fly_slow(kern: Any, prop: Propagator, snaps: Snapshots, max_step: float, base: float,
              t_end: float, rec: float, next_rec: int, y0: F64, alive0: NDArray[np.bool_]
              ) -> tuple[tuple[float, int] | None, int]:
    """:func:`_fly_steps` for a propagator of waypoint flyers, base and long steps, by the
    compiled loop :func:`tate.flight._slow_jit.fly_slow_steps` (each active model gives a
    :meth:`~tate.flight.models.waypoint.Waypoint.loop_pack`); after a step Python must
    finish, its start state and flags in ``y0``, ``alive0``."""
    env = prop._env
    if prop.events or env.up is None:
        return None, next_rec
    prop._prune()
    models: list[Any] = []
    wpacks: list[Any] = []
    for model, sl, _ in prop._active:
        pack_of = getattr(model, "loop_pack", None)
        pack = None if pack_of is None else pack_of(sl)
        if pack is None:
            return None, next_rec
        models.append(model)
        wpacks.append(pack)
    if not wpacks:
        return None, next_rec
    for model, _, genv in prop._active:  # what their first ``specific_force`` checks
        model = cast(Any, model)
        if genv.frame is not model._frame:
            if genv.frame_accel(model.FRAME) is None:
                return None, next_rec  # their force computes the frame terms itself
            model._frame = genv.frame
    if prop.t == 0.0:  # the first step's updates log the launch, after the environment
        if not prop._env_fresh:
            env.compute(prop.y[0:3], prop.y[3:6], prop.opts)
            prop._fresh_max_speed = float(env.speed.max()) if prop.n else 0.0
            prop._env_fresh = True
        for model in models:
            model.log.add(0.0, np.arange(model.n), "launch")
    if not prop._env_fresh:
        return None, next_rec
    eom: Any = prop._kernels
    aim = prop.aim if (prop.aim is not None and prop.ground) else eom.NO_VEC
    n, k = prop.n, snaps.size
    clk = np.array([prop.t, prop._t_base, prop._steps, prop.dt, prop._max_speed,
                    prop._fresh_max_speed, next_rec, k, 0, 0, 0, 0], float)
    n_imp = len(prop.impacts)
    args = (pad(tuple(wpacks), (0, 1)), max_step, base, t_end, rec)
    more = (prop.hit_radius, prop.y, prop._y0, prop._tmp, *prop._k, prop._acc, prop._mdot,
            prop.alive, *prop._environment_args(eom), prop.ground, prop.ground_alt,
            prop._armed, aim, np.empty(int(max_step / base) + 2))
    made = 0.0
    code = kern.ROOM
    while code == kern.ROOM:  # each time room for the records of the time left
        room = max(min(max(int((t_end - float(clk[0])) / rec) + 2, _ROOM), 16 * _ROOM),
                   int(max_step / base) + 2)
        snaps.reserve(room, n)
        snaps.size = int(clk[7])
        code = kern.fly_slow_steps(clk, *args, int(clk[7]) + room, snaps._time, snaps._y,
                                   snaps._alive, *more)
        made += clk[11]
    snaps.size = int(clk[7])
    if not made:
        return None, next_rec  # no step made
    next_rec = _clock_back(prop, snaps, clk)
    for model, p in zip(models, wpacks, strict=False):
        model._last_t = float(p[22][0])
    if code != kern.POST:
        return None, next_rec
    prop._env_fresh = True
    np.copyto(y0, prop._y0)
    np.copyto(alive0, prop.alive)
    t_a = float(clk[10])
    for model, p in zip(models, wpacks, strict=False):
        if p[23][0]:
            model.log_update(t_a, int(p[23][0]))
    if prop.ground and (clk[8] or clk[9]):
        prop._locate_impacts(prop._y0)
    return (t_a, n_imp), next_rec


_NO_BOOSTER = (0, 0, np.zeros(0, bool), np.zeros(0), np.zeros(0), np.zeros(0),
               np.zeros((1, 0)), np.zeros((1, 0)), np.zeros((1, 0)), np.zeros((1, 0), bool),
               np.zeros((1, 0)), np.zeros(0), np.zeros((1, 0)), np.zeros((1, 0)), np.zeros(0),
               np.zeros(0), np.zeros(0, bool))


def _no_guidance() -> tuple[Any, ...]:
    """A guidance pack over no columns (never due)."""
    z, zb = np.zeros(0), np.zeros(0, bool)
    return (0, 0, np.zeros((3, 0)), np.zeros(0, np.int8), zb, False, z, z, z, 0.0, z, z,
            False, z, z, zb, z, np.zeros(1), 0.0, 0.0, z, z, zb)


def run_adaptive(prop: Propagator, t_end: float, record_every: int, snaps: Snapshots,
                 progress: Callable[[float], None] | None, max_step: float) -> Snapshots:
    """:meth:`Propagator.run` with adaptive steps (``max_step`` above ``prop.dt``): each a
    whole number of base steps up to the shortest of ``max_step`` and every model's
    ``max_step``; snapshots every ``record_every`` base steps, inside long steps on their
    cubic Hermite."""
    base = prop.dt
    rec = record_every * base
    if record_every:
        snaps.add(prop.t, prop.y, prop.alive)
    next_rec = int(np.floor(prop.t / rec + 1e-9)) + 1 if record_every else 0
    next_progress = prop.t + 10.0
    y0, alive0 = np.empty_like(prop.y), np.empty_like(prop.alive)
    # bodies end only by the impacts a step locates: ask the flags again only after one
    n_seen, any_alive = len(prop.impacts), bool(prop.alive.any())
    loop = (_RUN_KERNELS if record_every and progress is None and prop._kernels is not None
            else None)
    fly = _fly_steps
    if loop is not None and all(getattr(m, "loop_pack", None) for m in prop.models):
        loop, fly = _SLOW_KERNELS, _fly_slow  # waypoint flyers
    while prop.t < t_end - 1e-9 * base and any_alive:
        post = None
        if loop is not None and (fly is _fly_slow or prop.t != 0.0):
            post, next_rec = fly(loop, prop, snaps, max_step, base, t_end, rec, next_rec,
                                 y0, alive0)  # a run of steps
            if post is None and not prop.t < t_end - 1e-9 * base:
                break
        if post is None:
            mult = prop.steps_allowed(max_step, base, t_end)
            t_a, n_imp = prop.t, len(prop.impacts)
            np.copyto(y0, prop.y)
            np.copyto(alive0, prop.alive)
            prop.step(base * mult)
        else:
            t_a, n_imp = post
        if len(prop.impacts) != n_seen:
            n_seen, any_alive = len(prop.impacts), bool(prop.alive.any())
        if record_every:
            inside: list[float] = []
            while next_rec * rec <= prop.t + 1e-9 * base:
                if next_rec * rec >= prop.t - 1e-9 * base:
                    if inside:
                        record_inside(snaps, inside, t_a, prop.t, y0, prop.y, alive0,
                                      prop.impacts[n_imp:], prop._kernels)
                        inside = []
                    snaps.add(prop.t, prop.y, prop.alive)
                else:
                    inside.append(next_rec * rec)
                next_rec += 1
            if inside:
                record_inside(snaps, inside, t_a, prop.t, y0, prop.y, alive0,
                              prop.impacts[n_imp:], prop._kernels)
        if progress is not None and prop.t >= next_progress:
            progress(prop.t)
            next_progress = prop.t + 10.0
    if record_every and snaps.last_time() != prop.t:
        snaps.add(prop.t, prop.y, prop.alive)
    return snaps
