"""Every interceptor of a run in one propagation: :class:`InterceptorPool`.

Each missile round in the defended group's magazines is a body of one
:class:`~tate.weapons.interceptor.InterceptorModel` from the start of the run, in phase
``ready`` at its ship's deck (the model holds it there); launching a round sets its
launch time, predicted intercept point and target, and the one
:class:`~tate.flight.integrator.Propagator` flies all launched rounds together, in step
with the engine's ticks (a round whose engagement ends is retired from the model's
guidance and no longer integrated).  One propagation instead of one per salvo: the cost
per step of the vectorised model hardly depends on the number of bodies.

Step length (adaptive, so that each tick is an integer number of equal steps):

* ``MIN_STEP_S`` while any round is in its vertical rise;
* ``BURN_STEP_S`` while any round's motor burns (the thrust is averaged exactly over a
  step; the powered-midcourse gain N' t_go/t_b with t_b ≥ 2 s removes at most
  N'·h/t_b = 3·0.25/2 of the predicted miss per step, no overshoot);
* otherwise the shortest time to go of the rounds in flight over
  ``STEPS_PER_TIME_TO_GO`` (a homing loop sampled 20 times over its time to go behaves
  as the continuous one; Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed.,
  ch. 2), at least ``MIN_STEP_S`` and at most the tick.

Time to go: range to the target over the closing speed (truth, as the engine's seeker),
or range to the predicted intercept point over the round's speed without a target.

Seeker: once a round is in its terminal phase the target position it homes on is the
threat's true position plus a seeker error across the line of sight, drawn every step
from the pool's own random stream: normal with standard deviation
√((σ_θ r)² + σ_g²) per axis for angle noise σ_θ (``seeker_noise_rad`` of the preset) at
range r and a range-independent aim-point (glint) noise σ_g (``glint_m``) [A]; the
target's velocity and acceleration are the true ones.  Kill assessment always uses the
true positions.

Engagements end as in :mod:`tate.engine.defence`: closest approach inside a step (cubic
Hermite on both), target gone, passed, overtime, ground.  Units: s, m, m/s; frame ECEF;
the pool's clock is engine time less the run's start.

With the compiled path on, a tick's steps are one call of
:func:`tate.engine._pool_step_jit.fly_tick` (step length, truth, seeker view, guidance,
RK4 of the rounds in the air only, the assessment and end-of-step screens) until Python
has work; Python keeps the seekers' draws, the closest-approach roots and the reports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.engine.pool_closest import closest_on_step
from tate.engine.truth import TruthStore
from tate.weapons.intercept import closest_approach_hermite
from tate.weapons.interceptor import _CD_MACH_X as _CD_X
from tate.weapons.interceptor import _CD_MACH_Y as _CD_Y
from tate.weapons.interceptor import MIDCOURSE as MIDCOURSE_PHASE
from tate.weapons.interceptor import TERMINAL as TERMINAL_PHASE

__all__ = ["MIN_STEP_S", "InterceptorPool"]

F64 = NDArray[np.float64]
MIN_STEP_S = 0.1  #: shortest step (the homing endgame) [s]
BURN_STEP_S = 0.25  #: longest step while a motor burns [s]
STEPS_PER_TIME_TO_GO = 20.0  #: steps over the shortest time to go of the rounds [-]
MAX_OVERTIME_S = 60.0  #: a round still flying this long after its intercept time has missed
ASSESS_RADIUS_M = 5000.0  #: closest approaches nearer than this are assessed [m]
_NO_DRAWS = np.empty((0, 3))
#: the compiled kernels, imported at first use (so that importing this module loads no numba)
_STEP = jit.Kernels("tate.engine._pool_step_jit")
_NO_QW = np.empty((4, 0, 3))
_NO_TRUTH = (np.empty(0), np.empty((0, 3)), np.empty((0, 3)), np.empty(0, np.intp),
             np.empty(0), 1.0, 0.0)


def _norm(x: F64, axis: int) -> F64:
    """``np.linalg.norm(x, axis=axis)`` of a real array without its Python overhead: the
    same ``sqrt(add.reduce(x * x, axis))`` (``x.conj()`` of a real array is ``x``)."""
    out: F64 = np.sqrt(np.add.reduce(x * x, axis=axis))
    return out


def _maximum(a: float, b: float) -> float:
    """``np.maximum`` of two floats: ``a`` if it is larger or NaN, else ``b``."""
    return a if a > b or a != a else b


#: called as report(body, time [s], miss [m] or NaN, outcome); outcome "assess" asks the
#: caller to draw the kill
Report = Callable[[int, float, float, str], None]


class InterceptorPool:
    """The rounds of every missile launcher, flown together.

    Parameters
    ----------
    specs
        Interceptor preset of each launcher that gets bodies.
    rounds
        Rounds of each of those launchers.
    deck_ecef
        Launch position of each launcher ``(w, 3)`` ECEF [m].
    t_start
        Engine time of the pool's clock zero [s].
    rng
        Stream of the seekers' noise (None: ideal seekers).
    """

    def __init__(self, specs: Sequence[Any], rounds: Sequence[int], deck_ecef: F64,
                 t_start: float, rng: np.random.Generator | None = None) -> None:
        from tate.engine.pool_propagator import PoolPropagator
        from tate.flight.eom import FrameOptions
        from tate.weapons.interceptor import InterceptorModel

        counts = np.asarray(rounds, np.intp)
        self.first = np.concatenate([[0], np.cumsum(counts)])[:-1].astype(np.intp)
        self.used = np.zeros(counts.size, np.intp)
        self.counts = counts
        presets = [s for s, c in zip(specs, counts.tolist(), strict=True) for _ in range(c)]
        n = len(presets)
        self.n = n
        self.t_start = float(t_start)
        self.shot = np.full(n, -1, np.intp)
        self.threat = np.full(n, -1, np.intp)
        self.active = np.zeros(n, dtype=bool)
        self._n_air = 0  #: rounds in the air (``active`` set), kept by launch and close
        self.t_pip = np.full(n, np.nan)  #: engine time of the intercept planned [s]
        self.steps = 0
        self.rng = rng
        #: the last :meth:`_truth_at` query and its answer: (t, bodies, pos, vel)
        self._truth_last: tuple[float, NDArray[np.intp], F64, F64] | None = None
        #: the seekers' angle noise [rad] and glint [m] ``(2, n)``
        self._seek = np.array([[float(getattr(p, "seeker_noise_rad", 0.0)) for p in presets],
                               [float(getattr(p, "glint_m", 0.0)) for p in presets]])
        self.noise_rad, self.glint_m = self._seek
        self._jit = jit.enabled()  #: compiled step control, seeker geometry and screen
        self._fused = False
        self._drew = 0  #: rows the fused seekers drew last tick (drawn ahead this tick)
        #: the fused step's per-run arguments (arrays changed in place; built once)
        self._step_args: tuple[Any, ...] | None = None
        self._ints = np.zeros(11 + n, np.intp)  #: ``fly_tick``'s slots, then its live list
        #: the last truth flown against, whether the kernel samples it, its arrays and its
        #: ``t_last`` (a TruthStore's are fixed; None: read ``t_last`` at every call)
        self._tr: tuple[Any, bool, tuple[Any, ...], F64 | None] | None = None
        if n == 0:
            self.model = None
            self.prop = None
            return
        owner = np.repeat(np.arange(counts.size), counts)
        pos = np.asarray(deck_ecef, float)[owner].T.copy()
        opts = FrameOptions()  # one object for both: the model's gravity check is `is`
        self.model = InterceptorModel(presets, MIN_STEP_S, t_launch=np.full(n, np.inf),
                                      opts=opts)
        self.prop = PoolPropagator([self.model], pos, np.zeros_like(pos),
                                   self.model.liftoff_mass, MIN_STEP_S, opts=opts)
        self.deck = pos.copy()
        #: one compiled call per step (:mod:`tate.engine._pool_step_jit`)
        self._fused = self._jit and self.prop.fusable()

    def _parts(self) -> tuple[Any, Any]:
        """The propagator and the model; a pool with no rounds has neither."""
        if self.prop is None or self.model is None:
            raise RuntimeError("the interceptor pool holds no rounds")
        return self.prop, self.model

    def state(self, b: int) -> tuple[F64, F64]:
        """ECEF position [m] and velocity [m/s] ``(3,)`` of body ``b``."""
        prop, _ = self._parts()
        return prop.pos[:, b].copy(), prop.vel[:, b].copy()

    def preset(self, b: int) -> Any:
        """The interceptor preset of body ``b``."""
        _, model = self._parts()
        return model.presets[b]

    @property
    def t(self) -> float:
        """The pool's engine time [s]."""
        return self.t_start + (self.prop.t if self.prop is not None else 0.0)

    def any_active(self) -> bool:
        """Whether a round is in the air."""
        return self._n_air > 0

    def launch(self, t: float, launcher: int, pip_ecef: F64, t_pip: float, shot: int,
               threat: int) -> int:
        """Fire the next round of ``launcher`` at engine time ``t`` [s] toward
        ``pip_ecef (3,)``, reached ``t_pip`` [s] after launch; returns its body."""
        if self.model is None or self.prop is None or self.used[launcher] >= \
                self.counts[launcher]:
            raise ValueError(f"launcher {launcher} has no round left in the pool")
        b = int(self.first[launcher] + self.used[launcher])
        self.used[launcher] += 1
        t_rel = t - self.t_start
        self.model.launch([b], t_rel)
        self.model.set_pip([b], np.asarray(pip_ecef, float).reshape(3, 1), [t_rel + t_pip])
        self._n_air += not self.active[b]
        live = sorted({*self._ints[11:11 + self._ints[9]].tolist(), b})  # fused step's list
        self._ints[9], self._ints[11:11 + len(live)] = len(live), live
        self.shot[b], self.threat[b], self.active[b] = shot, threat, True
        self.t_pip[b] = t + t_pip
        self.prop.y[0:3, b] = self.deck[:, b]
        self.prop.y[3:6, b] = 0.0
        self.prop.invalidate()
        return b

    def set_pip(self, b: int, pip_ecef: F64, t_go: float) -> None:
        """Re-aim body ``b`` at ``pip_ecef (3,)``, reached ``t_go`` [s] from now."""
        if self.model is not None and self.prop is not None:
            self.model.set_pip([b], np.asarray(pip_ecef, float).reshape(3, 1),
                               [self.prop.t + t_go])

    def midcourse(self) -> NDArray[np.intp]:
        """Bodies in the air, fired at a threat, still in midcourse."""
        if self.model is None:
            return np.empty(0, np.intp)
        return np.flatnonzero(self.active & (self.threat >= 0)
                              & (self.model.phase == MIDCOURSE_PHASE))

    def close(self, b: int) -> None:
        """End body ``b``'s engagement; it stops being integrated."""
        self._n_air -= bool(self.active[b])
        self.active[b] = False
        if self.prop is not None and self.model is not None:
            self.prop.alive[b] = False
            self.model.retire([b])  # no more guidance for a body no longer integrated

    # -- flight -----------------------------------------------------------------------------
    def _step_length(self, t0: float, t1: float, truth: Any) -> float:
        """The step for the tick (t0, t1]: the tick over the fewest equal steps no longer
        than the rounds need."""
        tick = t1 - t0
        want = min(max(self._step_want(t0, t1, truth), MIN_STEP_S), tick)
        return tick / max(1, math.ceil(tick / want - 1e-9))

    def _step_want(self, t0: float, t1: float, truth: Any) -> float:
        """The longest step the rounds in flight allow over the tick (t0, t1] [s].

        :meth:`_step_want_numpy` on Python floats (a few rounds fly at a time), with
        the same operations in the same order: norms ``(x² + y²) + z²``, the closing
        speed's dot product summed over the axes in order, ``np.maximum(a, b)`` as
        ``a if a > b else b``.
        """
        prop, m = self._parts()
        tick = t1 - t0
        t_rel = t0 - self.t_start
        fly = np.flatnonzero(self.active & (m.t_launch <= t_rel + 1e-9))
        if self._jit:
            return self._step_want_compiled(fly, t0, t_rel, tick, truth)
        want = tick
        if fly.size:
            tau = [t_rel - x for x in m.t_launch[fly].tolist()]
            burning = [not x for x in m.burnt_out[fly].tolist()]
            t_vert = m.t_vert[fly].tolist()
            if any(bn and ta < tv + tick for bn, ta, tv in zip(burning, tau, t_vert,
                                                               strict=True)):
                want = MIN_STEP_S
            elif any(burning):
                want = BURN_STEP_S
            pos, vel = prop.pos[:, fly].T.tolist(), prop.vel[:, fly].T.tolist()
            pip = m.pip_pos[:, fly].T.tolist()
            t_go = []
            for p, v, a in zip(pos, vel, pip, strict=True):
                sp = math.sqrt((v[0] * v[0] + v[1] * v[1]) + v[2] * v[2])
                r0, r1, r2 = a[0] - p[0], a[1] - p[1], a[2] - p[2]
                t_go.append(math.sqrt((r0 * r0 + r1 * r1) + r2 * r2) / _maximum(sp, 1.0))
            threat = self.threat[fly]
            hit = [i for i, j in enumerate(threat.tolist()) if j >= 0]
            if hit:
                q, w = self._truth_at(truth, t0, threat[threat >= 0])
                for i, qi, wi in zip(hit, q.tolist(), w.tolist(), strict=True):
                    p, v = pos[i], vel[i]
                    r0, r1, r2 = qi[0] - p[0], qi[1] - p[1], qi[2] - p[2]
                    d0, d1, d2 = wi[0] - v[0], wi[1] - v[1], wi[2] - v[2]
                    rng = math.sqrt((r0 * r0 + r1 * r1) + r2 * r2)
                    closing = -((r0 * d0 + r1 * d1) + r2 * d2) / _maximum(rng, 1e-9)
                    floor = math.sqrt((d0 * d0 + d1 * d1) + d2 * d2) * 0.05 + 1.0
                    t_go[i] = rng / _maximum(closing, floor)
            finite = [x for x in t_go if math.isfinite(x)]
            if finite:
                want = min(want, min(finite) / STEPS_PER_TIME_TO_GO)
        return want

    def _step_want_compiled(self, fly: NDArray[np.intp], t0: float, t_rel: float,
                            tick: float, truth: Any) -> float:
        """:meth:`_step_want` after the bodies in flight: the truth query, then one
        compiled call (:func:`tate.engine._pool_jit.step_want`)."""
        from tate.engine._pool_jit import step_want

        prop, m = self._parts()
        if not fly.size:
            return tick
        threat = self.threat[fly]
        hit = threat[threat >= 0]
        q, w = self._truth_at(truth, t0, hit) if hit.size else (_NO_DRAWS, _NO_DRAWS)
        return float(step_want(fly, t_rel, tick, MIN_STEP_S, BURN_STEP_S,
                               STEPS_PER_TIME_TO_GO, m.t_launch, m.burnt_out, m.t_vert,
                               prop.pos, prop.vel, m.pip_pos, self.threat, q, w))

    def _step_want_numpy(self, t0: float, t1: float, truth: Any) -> float:
        """:meth:`_step_want` on arrays (the reference of the scalar form)."""
        prop, m = self._parts()
        tick = t1 - t0
        t_rel = t0 - self.t_start
        fly = np.flatnonzero(self.active & (m.t_launch <= t_rel + 1e-9))
        want = tick
        if fly.size:
            tau = t_rel - m.t_launch[fly]
            burning = ~m.burnt_out[fly]
            if (burning & (tau < m.t_vert[fly] + tick)).any():
                want = MIN_STEP_S
            elif burning.any():
                want = BURN_STEP_S
            pos, vel = prop.pos[:, fly], prop.vel[:, fly]
            speed = np.maximum(_norm(vel, 0), 1.0)
            rel = m.pip_pos[:, fly] - pos
            t_go = _norm(rel, 0) / speed
            hit = np.flatnonzero(self.threat[fly] >= 0)
            if hit.size:
                q, w = self._truth_at(truth, t0, self.threat[fly[hit]])
                r = q.T - pos[:, hit]
                dv = w.T - vel[:, hit]
                rng = _norm(r, 0)
                closing = -np.einsum("ij,ij->j", r, dv) / np.maximum(rng, 1e-9)
                t_go[hit] = rng / np.maximum(closing, _norm(dv, 0) * 0.05 + 1.0)
            t_go = t_go[np.isfinite(t_go)]
            if t_go.size:
                want = min(want, float(t_go.min()) / STEPS_PER_TIME_TO_GO)
        return want

    def fly(self, t0: float, t1: float, truth: Any, killed: NDArray[np.bool_],
            report: Report) -> None:
        """Fly the pool from ``t0`` to ``t1`` (engine times [s]), reporting every
        engagement that ends; ``killed`` is read at every step (reports may change it)."""
        if self.model is None or self.prop is None:
            return
        prop, m = self.prop, self.model
        if not self._n_air:  # nothing in the air: ready rounds hold their place
            prop.set_clock(t1 - self.t_start)
            return
        if self._fused:
            self._fly_fused(t0, t1, truth, killed, report)
            return
        h = self._step_length(t0, t1, truth)
        while self.t < t1 - 1e-9:
            t_now = self.t
            act = (self.active & (self.threat >= 0)).nonzero()[0]
            tj = self.threat[act]
            gone = (killed[tj] | (truth.t_last[tj] < t_now)).nonzero()[0]
            if gone.size:
                for b in act[gone].tolist():
                    self.close(b)
                    report(b, t_now, np.nan, "target gone")
                act = (self.active & (self.threat >= 0)).nonzero()[0]
            if act.size:  # truth at both ends of the step (a replay: the future is known)
                qa, wa = self._truth_at(truth, t_now, self.threat[act])
                qb, wb = self._truth_at(truth, t_now + h, self.threat[act])
                seen = qa + self._seeker_error(act, qa)
                m.set_target(act, seen.T, wa.T, ((wb - wa) / h).T, prop.t)
            p0, v0 = prop.pos.take(act, 1), prop.vel.take(act, 1)  # C-ordered copies
            prop.step(h)
            self.steps += 1
            t_next = self.t
            if act.size:
                self._assess(act, p0, v0, qa, wa, qb, wb, h, t_now, t_next, report,
                             closest_approach_hermite)
            self._end_step(t_next, report)

    def _fly_fused(self, t0: float, t1: float, truth: Any, killed: NDArray[np.bool_],
                   report: Report) -> None:
        """The step loop of :meth:`fly` in compiled calls (:func:`~tate.engine.
        _pool_step_jit.fly_tick`) handing back for the reports, a caller's truth, events,
        impacts and the seekers' draws (numpy's, in :meth:`_seeker_error`'s order)."""
        prop, m = self._parts()
        if self._tr is None or self._tr[0] is not truth:
            store = isinstance(truth, TruthStore)
            sample = store and bool(truth._jit)
            self._tr = (truth, sample, (truth.time, truth.pos, truth.vel, truth.start,
                                        truth.keys, float(truth.span), float(truth.t0))
                        if sample else _NO_TRUTH, truth.t_last if store else None)
        _, sample, tr, t_last = self._tr
        t_last = np.asarray(truth.t_last) if t_last is None else t_last
        if self._step_args is None:
            self._step_args = (m._blocks, (m._g0_isp_div, _CD_X, _CD_Y),
                               prop.arrays(), (self.active, self.t_pip, MAX_OVERTIME_S),
                               (MIN_STEP_S, BURN_STEP_S, STEPS_PER_TIME_TO_GO, m.t_vert),
                               np.empty(8), self._ints, np.empty(self.n, np.intp),
                               np.empty(19 * self.n), np.empty(2 * self.n, bool))
        upd, extra, arrays, ending, want, clock, ints, out_i, out_f, out_b = self._step_args
        clock[0], clock[1], clock[2], clock[3] = prop._t_base, prop._steps, prop.dt, prop.t
        clock[4] = 0.0 if sample else self._step_length(t0, t1, truth)
        draws, qw, saved = _NO_DRAWS, _NO_QW, None
        rng: Any = self.rng
        ahead = self._drew if rng is not None else 0  # the last tick's rows, drawn ahead
        ints[7], fetch, drawn = 0, ahead > 0, 0
        while True:
            if fetch:  # draws for the tick's steps to come (those unused are undone)
                saved, fetch = rng.bit_generator.state, False
                draws = rng.standard_normal((ahead, 3))
            _STEP.fly_tick(
                t0, t1, self.t_start, clock, ints, killed, t_last, rng is not None, draws, qw,
                self._seek, sample, tr, self.threat, upd, extra, prop._env_fresh, arrays,
                ASSESS_RADIUS_M, ending, want, out_i, out_f, out_b)
            code, nb, n_ev, n_ground, n_screen, n_end, n_done, used, k = ints[:9].tolist()
            if saved is not None:  # the stream as if only the rows used were drawn
                if used < draws.shape[0]:
                    rng.bit_generator.state = saved
                    rng.standard_normal((used, 3))
                drawn += used
                draws, saved, ints[7] = _NO_DRAWS, None, 0
            if n_done:  # the propagator's clock after the steps flown (as its step)
                prop._t_base, steps, prop.dt, prop.t = clock[:4].tolist()
                prop._steps, m.dt, prop._env_fresh, qw = int(steps), prop.dt, True, _NO_QW
                self.steps += n_done
            if code == 0:
                self._drew = drawn
                return
            t_now, h = float(clock[5]), float(clock[4])
            act = out_i[:k]  # the rounds the kernel returns (views of its buffers)
            if code == 1:
                for b in act.tolist():
                    self.close(b)
                    report(b, t_now, np.nan, "target gone")
            elif code == 2:
                fetch, ahead = True, max(nb, self._n_air) * 8
            elif code == 4:
                qw = np.empty((4, act.size, 3))
                for i, tq in ((0, t_now), (2, t_now + h)):
                    qw[i], qw[i + 1] = self._truth_at(truth, tq, self.threat[act])
            else:  # PoolPropagator.finish's impacts, the assessment, the step's end
                t_rel, t_next = float(clock[7]), float(clock[6])
                if n_ev:
                    m.log_events(t_rel)
                if n_ground:
                    prop._locate_impacts(prop._y0)
                if k:
                    qa, wa, qb, wb = out_f[:12 * k].reshape(4, k, 3)
                    pv = out_f[12 * k:18 * k].reshape(2, 3, k)
                    flags, d1 = out_b[:2 * k].reshape(2, k), out_f[18 * k:19 * k]
                    if n_ground:  # impacts moved rounds: screen again
                        self._assess_compiled(act, pv[0], pv[1], qa, wa, qb, wb, h, t_now,
                                              t_next, report)
                    elif n_screen:  # a round near its target or past it (flags: near, away)
                        self._assess_screened(act, pv[0], pv[1], qa, wa, qb, wb, h, t_now,
                                              t_next, report, 1, flags[0], flags[1], d1)
                if n_end or n_ground:  # else no round is due (closings only remove rounds)
                    self._end_step(t_next, report)

    def _end_step(self, t_next: float, report: Report) -> None:
        """Close the rounds past their time (overtime, or no target at the planned
        intercept time) or no longer integrated, in body order: the missed ones first."""
        live = self.active.nonzero()[0].tolist()
        if not live:
            return
        t_pip, alive = self.t_pip, self._parts()[0].alive
        for b in [b for b in live if t_next > t_pip[b] + MAX_OVERTIME_S or not alive[b]]:
            self.close(b)
            report(b, t_next, np.nan, "missed")
        for b in live:
            if self.active[b] and self.threat[b] < 0 and t_next > self.t_pip[b]:
                self.close(b)
                report(b, t_next, np.nan, "no target (false track)")

    def _truth_at(self, truth: Any, t: float, bodies: NDArray[np.intp]) -> tuple[F64, F64]:
        """``truth.at(t, bodies)``, reusing the last answer for the same instant and bodies
        (a step's end is usually the next step's start)."""
        last = self._truth_last
        if last is not None and last[0] == t and last[1].shape == bodies.shape and \
                last[1].tolist() == bodies.tolist():
            return last[2], last[3]
        q, w = truth.at(t, bodies)
        self._truth_last = (t, bodies, q, w)
        return q, w

    def _seeker_error(self, act: NDArray[np.intp], q: F64) -> F64:
        """Seeker errors ``(k, 3)`` [m] of bodies ``act`` looking at true target positions
        ``q (k, 3)``: zero outside the terminal phase or without a noise stream."""
        err = np.zeros_like(q)
        if self.rng is None or self.prop is None or self.model is None:
            return err
        term = np.flatnonzero(self.model.phase[act] == TERMINAL_PHASE)
        if term.size == 0:
            return err
        if self._jit:  # the draws in numpy, the geometry in one compiled call
            from tate.engine._pool_jit import seeker_error

            draws = self.rng.standard_normal((term.size, 3))
            seeker_error(act, term, q, self.prop.pos, self.noise_rad, self.glint_m, draws,
                         err)
            return err
        b = act[term]
        los = q[term] - self.prop.pos[:, b].T
        rng_m = np.maximum(_norm(los, 1), 1e-9)
        u = los / rng_m[:, None]
        sigma = np.hypot(self.noise_rad[b] * rng_m, self.glint_m[b])
        n = self.rng.standard_normal((term.size, 3))
        n -= np.einsum("ij,ij->i", n, u)[:, None] * u  # across the line of sight only
        err[term] = sigma[:, None] * n
        return err

    def _assess(self, act: NDArray[np.intp], p0: F64, v0: F64, qa: F64, wa: F64, qb: F64,
                wb: F64, h: float, t_now: float, t_next: float, report: Report,
                closest: Any) -> None:
        prop, model = self._parts()
        if self._jit:
            self._assess_compiled(act, p0, v0, qa, wa, qb, wb, h, t_now, t_next, report)
            return
        still = self.active[act]
        p1, v1 = prop.pos[:, act], prop.vel[:, act]
        d0 = _norm(qa.T - p0, 0)
        d1 = _norm(qb.T - p1, 0)
        reach = ASSESS_RADIUS_M + _norm(wa.T - v0, 0) * h
        cand = np.flatnonzero(still & (np.minimum(d0, d1) < reach))
        if cand.size:
            self._close_hits(act, cand, p0, v0, qa, wa, qb, wb, h, t_now, report, closest)
        # homing past the target with the range opening beyond the assessment radius:
        # the round has missed by at least this much
        rel = qb.T - p1
        away = np.einsum("ij,ij->j", rel, wb.T - v1) > 0
        passed = (self.active[act] & away & (d1 >= reach)
                  & (model.phase[act] == TERMINAL_PHASE))
        for k in np.flatnonzero(passed).tolist():
            b = int(act[k])
            self.close(b)
            report(b, t_next, float(d1[k]), "missed (passed)")

    def _close_hits(self, act: NDArray[np.intp], cand: NDArray[np.intp], p0: F64, v0: F64,
                    qa: F64, wa: F64, qb: F64, wb: F64, h: float, t_now: float,
                    report: Report, closest: Any) -> None:
        """Close the candidate rounds ``act[cand]`` whose closest approach inside the
        step, with the range opening at its end, is within the assessment radius
        (``closest``: the numpy path's closest approach; unused on the compiled path)."""
        if self._jit:
            s, miss, opening = self._closest_compiled(act, cand, p0, v0, qa, wa, qb, wb, h)
        else:
            prop, _ = self._parts()
            p1, v1 = prop.pos[:, act[cand]], prop.vel[:, act[cand]]
            s, miss = closest(p0[:, cand], v0[:, cand], p1, v1, qa[cand].T, wa[cand].T,
                              qb[cand].T, wb[cand].T, h)
            opening = np.einsum("ij,ij->j", qb[cand].T - p1, wb[cand].T - v1) > 0
        done = opening & (miss < ASSESS_RADIUS_M) & (s < h - 1e-9)
        for k in np.flatnonzero(done).tolist():
            b = int(act[cand[k]])
            self.close(b)
            report(b, t_now + float(s[k]), float(miss[k]), "assess")

    def _closest_compiled(self, act: NDArray[np.intp], cand: NDArray[np.intp], p0: F64,
                          v0: F64, qa: F64, wa: F64, qb: F64, wb: F64,
                          h: float) -> tuple[F64, F64, NDArray[np.bool_]]:
        """Time of closest approach after the step's start [s], miss [m] and whether the
        range opens at the step's end ``(k,)`` of pairs ``act[cand]``: the compiled
        :func:`~tate.weapons.intercept.closest_approach_hermite` around numpy's
        ``eigvals`` (:func:`tate.engine.pool_closest.closest_on_step`)."""
        prop, _ = self._parts()
        return closest_on_step(act, cand, p0, v0, prop.pos, prop.vel, qa, wa, qb, wb, h)

    def _assess_compiled(self, act: NDArray[np.intp], p0: F64, v0: F64, qa: F64, wa: F64,
                         qb: F64, wb: F64, h: float, t_now: float, t_next: float,
                         report: Report) -> None:
        """:meth:`_assess` with its distances and flags from one compiled call."""
        from tate.weapons._interceptor_jit import assess_screen

        prop, model = self._parts()
        k = act.size
        near, away, d1 = np.empty(k, bool), np.empty(k, bool), np.empty(k)
        n_near = assess_screen(act, p0, v0, prop.pos, prop.vel, qa, wa, qb, wb, h,
                               ASSESS_RADIUS_M, model.phase, TERMINAL_PHASE, near, away, d1)
        self._assess_screened(act, p0, v0, qa, wa, qb, wb, h, t_now, t_next, report,
                              n_near, near, away, d1)

    def _assess_screened(self, act: NDArray[np.intp], p0: F64, v0: F64, qa: F64, wa: F64,
                         qb: F64, wb: F64, h: float, t_now: float, t_next: float,
                         report: Report, n_near: int, near: NDArray[np.bool_],
                         away: NDArray[np.bool_], d1: F64) -> None:
        """:meth:`_assess` after its screen (``assess_screen``'s flags and distances;
        ``n_near`` 0: no round is near)."""
        if n_near:
            cand = (self.active[act] & near).nonzero()[0]
            if cand.size:
                self._close_hits(act, cand, p0, v0, qa, wa, qb, wb, h, t_now, report, None)
        for j in (self.active[act] & away).nonzero()[0].tolist():
            b = int(act[j])
            self.close(b)
            report(b, t_next, float(d1[j]), "missed (passed)")
