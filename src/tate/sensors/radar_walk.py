"""One radar's walk over its look times, a chunk at a time: :class:`RadarWalk`.

The walk of :func:`tate.sensors.simulate._simulate_radar` (see the module docstring of
:mod:`tate.sensors.simulate`: the scene of each chunk of look times, then the time line
and the draws look time by look time) as an object that keeps its scheduler, random
stream and position between chunks, so that :mod:`tate.sensors.windows` can advance it
on demand; the rows are those of the whole walk, bit for bit (every step is elementwise
in time or carries its state across chunks).  It deep-copies and pickles: the compiled
scene (a closure) is dropped and rebuilt.  Units and frames: as
:mod:`tate.sensors.simulate` (ECEF truth, each radar's ENU/AER frame, s, m, rad).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.sensors import platforms as plat
from tate.sensors.schedule import RadarScheduler
from tate.sensors.tables import _add_looks, _Out

__all__ = ["RadarWalk"]

F64 = NDArray[np.float64]
Interpolated = tuple[F64, F64, NDArray[np.bool_]]
Bodies = Callable[[int], tuple[F64, F64, F64, NDArray[np.int64]]]


class RadarWalk:
    """The walk of radar ``site`` over ``times`` [s] (look interval ``dt``), drawing from
    ``rng`` and collecting into ``out``, in chunks of ``chunk`` look times; the compiled
    path is chosen at construction (:func:`tate.jit.enabled`)."""

    def __init__(self, site: plat.SensorSite, truth: Any, times: F64, dt: float,
                 rng: np.random.Generator, out: _Out, chunk: int) -> None:
        from tate.sensors import radar
        from tate.sensors.presets import RADARS
        from tate.sensors.radar_scene import scene_par

        self.site, self.truth, self.times, self.dt = site, truth, times, dt
        self.rng, self.out, self.chunk = rng, out, chunk
        self.spec = spec = RADARS[site.preset]
        self.sched = RadarScheduler(truth.n, spec.dwell_s, spec.search_frame_s,
                                    spec.track_revisit_s, spec.budget)
        self.fa_per_frame = radar.false_alarms_per_frame(spec)
        # false alarms have the accuracy of a detection at the threshold SNR, −ln P_fa
        fa_snr = np.full(1, 10.0 * np.log10(-np.log(spec.pfa)))
        self.fa_tail = np.concatenate([*radar.measurement_std(spec, fa_snr), fa_snr])
        self.fa_par = np.array([spec.max_range_m, spec.min_el_rad, spec.max_el_rad,
                                spec.faces, spec.max_scan_rad], float)
        self.compiled = jit.enabled()
        self.par = scene_par(spec)
        self.c0 = 0  #: the next chunk's first look time (index into ``times``)
        self._scene: Callable[..., Any] | None = None
        self._scene_made = False
        #: on the compiled path, the scene, time line and hits of a chunk in one compiled
        #: call (:func:`tate.sensors._walk_jit.walk`; False: the three calls it makes)
        self.fused = self.compiled
        self._kernels = jit.Kernels("tate.sensors._walk_jit") if self.compiled else None
        self._args: tuple[Any, ...] | None = None  #: the scene's arguments (made once)
        self._fixed: plat.PlatformState | None = None  #: a fixed site's state, a chunk long

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_scene"], state["_scene_made"] = None, False  # (a closure: rebuilt)
        return state

    @property
    def done(self) -> bool:
        """Whether every look time has been walked."""
        return self.c0 >= self.times.size

    def scene(self) -> Callable[..., Any] | None:
        """The compiled scene of the radar (:func:`~tate.sensors.radar_scene.compiled_scene`),
        None on the numpy path."""
        if not self._scene_made:
            from tate.sensors.radar_scene import compiled_scene

            self._scene = (compiled_scene(self.spec, self.truth.code_before,
                                          self.truth.code_after) if self.compiled else None)
            self._scene_made = True
        return self._scene

    def _state(self, tc: F64) -> plat.PlatformState:
        """The platform's state at look times ``tc`` (a fixed site's rows, all alike,
        are made once for a whole chunk and sliced)."""
        site = self.site
        if site.moving:
            return plat.platform_state(site, tc)
        k = tc.size
        fixed = self._fixed
        if fixed is None or fixed.time.size < k:
            fixed = self._fixed = plat.platform_state(site, self.times[:max(k, self.chunk)])
        return plat.PlatformState(tc, fixed.pos[:k], fixed.lat[:k], fixed.lon[:k],
                                  fixed.alt[:k], fixed.heading[:k])

    def _walk(self, tc: F64, truth_at: Callable[[int], Interpolated], bodies_at: Bodies,
              c0: int) -> bool:
        """The compiled chunk (:func:`tate.sensors._walk_jit.walk`) of :meth:`step`;
        False (nothing done) where the numpy scene must run."""
        if self._args is None:
            from tate.sensors.radar_scene import scene_args

            self._args = scene_args(self.spec, self.truth.code_before,
                                    self.truth.code_after) or ()
        if not self._args:
            return False
        sched, out, kernels = self.sched, self.out, self._kernels
        if kernels is None:  # (built whenever the walk is compiled)
            raise RuntimeError("RadarWalk: the one-call walk needs its compiled kernels")
        state = self._state(tc)
        alive = truth_at(c0)[2]
        sched.credit, sched.phase, counts, load, *found, det = kernels.walk(
            *bodies_at(c0), alive, state.pos, state.lat, state.lon, state.heading,
            state.alt, *self._args, tc, self.dt, sched.history, sched.held, sched.next_due,
            sched.last_track_look, sched.credit, sched.phase, sched.par, self.fa_per_frame,
            self.fa_par, self.rng)
        out.states.append(state)
        out.load.append((tc, counts, load))
        _add_looks(out, (), tc, self.truth.ids, found, self.fa_tail, det)
        return True

    def step(self, truth_at: Callable[[int], Interpolated], bodies_at: Bodies,
             tick: Callable[[float], None]) -> bool:
        """Walk the next chunk (``truth_at`` and ``bodies_at``:
        :func:`tate.sensors.simulate._chunks` and ``_chunk_bodies`` of ``times`` in chunks
        of ``chunk``); whether look times remain.

        Everything that does not depend on the time line is computed for the chunk at
        once; the loop over the look times keeps only the scheduler and the draws (their
        order is the stream's: look outcomes, measurement noise, false-alarm count,
        false-alarm cells)."""
        from tate.sensors.radar_scene import radar_scene
        from tate.sensors.simulate import _looks, _Scene

        c0, sched, out, truth = self.c0, self.sched, self.out, self.truth
        tc = self.times[c0:c0 + self.chunk]
        self.c0 = c0 + self.chunk
        if self.fused and self._walk(tc, truth_at, bodies_at, c0):
            tick(float(tc[-1]))
            return not self.done
        scene = self.scene()
        rows: tuple[F64, ...] = ()  # (the compiled path makes the hits' rows itself)
        safe, vel0, alt, codes = bodies_at(c0)
        if scene is not None:
            state = self._state(tc)
            alive = truth_at(c0)[2]
            full, lazy = scene(  # el and P_d where looked: lazy
                safe, vel0, alt, codes, alive, state.pos, state.lat, state.lon,
                state.heading, state.alt, lazy=True)
            rng_, az, el, cos, snr, pd, u = full[:7]
        else:
            sc = _Scene.at(self.site, truth, tc, truth_at(c0), (safe, vel0))
            state, (rng_, az, el), alive = sc.state, (sc.rng, sc.az, sc.el), sc.alive
            std, snr, pd, u = radar_scene(self.spec, sc, alt, codes)
            rows, lazy = (rng_, az, el, std[0], std[1], std[2], snr), None
        out.states.append(state)
        looks = (tc, self.dt, alive, u, rng_, pd, state.heading)
        if sched.kernels is not None:  # the loop of _looks as one compiled call
            sched.credit, sched.phase, *found = sched.kernels.looks(
                *looks, sched.history, sched.held, sched.next_due, sched.last_track_look,
                sched.credit, sched.phase, sched.par, self.fa_per_frame, self.fa_par,
                self.rng, lazy)
        else:
            found = list(_looks(sched, self.spec, *looks, self.fa_per_frame, self.rng))
        out.load.append((tc, found[0], found[1]))
        det = None
        if scene is not None:  # the hits' rows in one compiled call
            from tate.sensors._chunk_jit import hits

            det = hits(rng_, az, el, cos, snr, self.par, *found[2:5])
        _add_looks(out, rows, tc, truth.ids, found[2:], self.fa_tail, det)
        tick(float(tc[-1]))
        return not self.done
