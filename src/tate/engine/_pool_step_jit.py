"""Compiled sub-step of the interceptor pool: one call per step (private; :mod:`tate.jit`).

:func:`fly_step` is the compiled twin of one pass of the step loop of
:meth:`tate.engine.pool.InterceptorPool.fly` between the closing of the rounds whose target
is gone and the closing of the rounds the step ends (those stay in Python: they report):

1. the targets' truth at both ends of the step (:func:`~tate.weapons._interceptor_jit.truth_sample`,
   the compiled :meth:`tate.engine.truth.TruthStore.at`, or the caller's answers);
2. the seeker error of the rounds in terminal (:func:`tate.engine._pool_jit.seeker_error`
   on the caller's normal draws, which stay numpy's) and
   :meth:`~tate.weapons.interceptor.InterceptorModel.set_target`;
3. :meth:`tate.flight.integrator.Propagator.step` of the compiled path
   (:func:`tate.flight._eom_jit.rk4_stage`, :func:`~tate.flight._eom_jit.rk4_last`, as
   their list twins :func:`~tate.flight._eom_jit.stage_list`,
   :func:`~tate.flight._eom_jit.last_list`: one call per stage, not per body) with the
   model's update (:func:`tate.weapons._interceptor_jit.update_list`) and forces
   (:func:`~tate.weapons._interceptor_jit.force_list`) — on the *live launched* bodies only.
   A round still on deck has a zero derivative bit for bit (its force cancels gravity
   exactly, its velocity and mass flow are zero), so its state, environment and ground
   arming are the same whether it is integrated or not; an ended body is not integrated
   by the propagator either (its derivative is zero).  Each body's arithmetic is the
   propagator's, in its order, so the state is bit-identical;
4. the kill-assessment screen of :meth:`~tate.engine.pool.InterceptorPool._assess`
   (:func:`~tate.weapons._interceptor_jit.assess_screen`), its near rounds kept only if
   their range opens at the step's end (as ``_close_hits`` asks; the closest approach
   of the others, which costs numpy's ``eigvals``, is not needed).

Units: s, m, m/s, kg; frame ECEF.  Importing this module imports numba (the pool imports it
lazily).
"""

from __future__ import annotations

import math

import numpy as np

from tate.engine._pool_jit import seeker_error, step_want
from tate.flight._eom_jit import environment, environment_list, last_list, stage_list
from tate.jit import njit
from tate.weapons._interceptor_jit import (
    assess_screen,
    force_list,
    truth_sample,
    update_list,
    update_rows,
)

__all__ = ["fly_step", "fly_tick", "prop_rows", "step_want_sampled"]

_READY, _BOOST, _TERMINAL = 0, 1, 3
#: ``ints`` of :func:`fly_tick` after its 9 hand-back slots: the live list's length, the
#: environment computed once for every body, then the live bodies (ascending)
_NL, _ENV_ALL, _LIST = 9, 10, 11


@njit
def _ground(comp: np.ndarray, nc: int, alt: np.ndarray, ground_alt: np.ndarray,
            alive: np.ndarray, armed: np.ndarray) -> int:
    """The ground screen of :func:`tate.flight._eom_jit.rk4_last` on bodies ``comp[:nc]``
    (the pool's propagator has no aim points nor events): the number of live, armed
    bodies at or below their ground altitude; the bodies above it are armed."""
    n_ground = 0
    for m in range(nc):
        j = comp[m]
        above = alt[j] - ground_alt[j]
        if alive[j] and armed[j] and above <= 0.0:
            n_ground += 1
        if above > 0.0:
            armed[j] = True
    return n_ground


@njit
def _targets(act: np.ndarray, h: float, t_rel: float, draws: np.ndarray, y: np.ndarray,
             phase: np.ndarray, noise_rad: np.ndarray, glint_m: np.ndarray,
             qa: np.ndarray, wa: np.ndarray, wb: np.ndarray, tgt: tuple) -> None:
    """The seeker's view of the targets (:meth:`InterceptorPool._seeker_error`; no error
    without draws) and :meth:`InterceptorModel.set_target` of bodies ``act``."""
    tgt_pos, tgt_vel, tgt_acc, tgt_time, tgt_pending = tgt
    k = act.shape[0]
    err = np.zeros((k if draws.shape[0] else 1, 3))  # (row 0 of zeros: no draws)
    if draws.shape[0]:
        term = np.empty(draws.shape[0], np.intp)
        nt = 0
        for i in range(k):
            if phase[act[i]] == _TERMINAL:
                term[nt] = i
                nt += 1
        seeker_error(act, term[:nt], qa, y[0:3], noise_rad, glint_m, draws, err)
    for i in range(k):
        b = act[i]
        e = i if draws.shape[0] else 0
        for x in range(3):
            tgt_pos[x, b] = qa[i, x] + err[e, x]
            tgt_vel[x, b] = wa[i, x]
            tgt_acc[x, b] = (wb[i, x] - wa[i, x]) / h
        tgt_time[b] = t_rel
        tgt_pending[b] = False


@njit
def _sample(bodies: np.ndarray, t: float, truth: tuple, q: np.ndarray,
            w: np.ndarray) -> None:
    """``TruthStore.at(t, bodies)`` into ``q``, ``w`` ``(k, 3)``."""
    time, pos, vel, start, keys, span, t0 = truth
    # (one time for all; the samples go straight to the rows of q, w)
    truth_sample(bodies, np.full(1, t), time, pos, vel, start, keys, span, t0, q.T, w.T)


@njit
def step_want_sampled(active: np.ndarray, threat: np.ndarray, t_rel: float, t0: float,
                      tick: float, min_step: float, burn_step: float, steps_per_tgo: float,
                      t_launch: np.ndarray, burnt_out: np.ndarray, t_vert: np.ndarray,
                      pos: np.ndarray, vel: np.ndarray, pip: np.ndarray,
                      truth: tuple) -> float:
    """:meth:`InterceptorPool._step_want` in one call with the truth sampled here: the
    bodies in flight (``active`` and launched by pool time ``t_rel`` [s]), their
    targets' truth at engine time ``t0`` [s] (``truth`` as in :func:`fly_step`), then
    :func:`tate.engine._pool_jit.step_want`."""
    n = active.shape[0]
    fly = np.empty(n, np.intp)
    nf = 0
    nh = 0
    for b in range(n):
        if active[b] and t_launch[b] <= t_rel + 1e-9:
            fly[nf] = b
            nf += 1
            if threat[b] >= 0:
                nh += 1
    if nf == 0:
        return tick
    hit = np.empty(nh, np.intp)
    k = 0
    for i in range(nf):
        if threat[fly[i]] >= 0:
            hit[k] = threat[fly[i]]
            k += 1
    q, w = np.empty((nh, 3)), np.empty((nh, 3))
    if nh:
        _sample(hit, t0, truth, q, w)
    return step_want(fly[:nf], t_rel, tick, min_step, burn_step, steps_per_tgo, t_launch,
                     burnt_out, t_vert, pos, vel, pip, threat, q, w)


@njit
def fly_step(t_rel: float, h: float, t_now: float, t_next: float, act: np.ndarray,
             threat: np.ndarray, draws: np.ndarray, seek: np.ndarray, sample: bool,
             truth: tuple, qw: np.ndarray, pv: np.ndarray, upd: tuple, extra: tuple,
             fresh: bool, prop: tuple, radius: float, flags: np.ndarray, d1: np.ndarray,
             ending: tuple, ints: np.ndarray) -> tuple[int, int, int, int]:
    """One pool step of ``h`` [s] from pool time ``t_rel`` (engine times ``t_now``,
    ``t_next``) for the rounds ``act`` homing on truth rows ``threat[act]``.

    ``sample``: sample the truth (``truth`` the store's arrays: time, pos, vel, start,
    keys, span, t0) into ``qw (4, k, 3)`` (target position and velocity at ``t_now``,
    then at ``t_next``); else it holds the caller's answers.  ``seek (2, n)``: the
    seekers' angle noise [rad] and glint [m]; ``draws (m, 3)`` the normal draws for the
    ``m`` rounds of ``act`` in terminal (none: no seeker error).  ``pv (2, 3, k)`` gets
    the rounds' position and velocity before the step; ``flags (2, k)`` (near with the
    range opening at the step's end, away) and ``d1 (k,)`` the assessment screen after
    it (a near round whose range still closes cannot be assessed:
    :meth:`~tate.engine.pool.InterceptorPool._close_hits` asks for the opening).
    ``upd``: the model's blocks (:func:`~tate.weapons._interceptor_jit.update_rows`);
    ``extra``: g0·Isp of the divert [m/s] and the C_D(Mach) table; ``prop``: the propagator's arrays
    (:meth:`~tate.engine.pool_propagator.PoolPropagator.arrays`); ``fresh``: its
    environment holds the values of its state; ``ending``: see :func:`_n_ending`;
    ``ints``: the pool's live list (see :func:`fly_tick`), kept here.
    Returns the number of bodies with update events (flags in the update's ``events``),
    of bodies at or below the ground, of rounds near their target or past it (``flags``
    set), and of rounds the step's end closes (:func:`_n_ending`).
    """
    (t_launch, phase, burnt_out, exhausted, retired, dropped, divert_used, a_cmd, a_max,
     thrust, mflow, area, pip_pos, tgt_pos, tgt_vel, tgt_acc, tgt_time, tgt_pending, par,
     kv, law, stg, has_burn, area_stage, events) = update_rows(upd)
    g0_isp_div, cd_x, cd_y = extra
    (y, y0, ks, tmp, acc, mdot, alive, armed, ground_alt, env, env_flags, cells,
     h_rho) = prop_rows(prop)
    alt, rho, sound, speed, qbar, mach, grav, up = env
    tgt = (tgt_pos, tgt_vel, tgt_acc, tgt_time, tgt_pending)
    qa, wa, qb, wb = qw[0], qw[1], qw[2], qw[3]
    p0, v0 = pv[0], pv[1]
    k = act.shape[0]
    if sample and k:
        bodies = np.empty(k, np.intp)
        for i in range(k):
            bodies[i] = threat[act[i]]
        _sample(bodies, t_now, truth, qa, wa)
        _sample(bodies, t_next, truth, qb, wb)
    _targets(act, h, t_rel, draws, y, phase, seek[0], seek[1], qa, wa, wb, tgt)
    for i in range(k):
        for x in range(3):
            p0[x, i] = y[x, act[i]]
            v0[x, i] = y[3 + x, act[i]]
    pos, vel, mass = y[0:3], y[3:6], y[6]
    nl = ints[_NL]
    live = ints[_LIST:_LIST + nl]
    if not fresh:  # every body once; after that, the others' states have not changed
        if ints[_ENV_ALL] == 0:
            environment(pos, vel, alt, rho, sound, speed, qbar, mach, grav, up, env_flags,
                        cells, h_rho)
        else:
            environment_list(pos, vel, live, nl, alt, rho, sound, speed, qbar, mach, grav,
                             up, env_flags, cells, h_rho)
        ints[_ENV_ALL] = 1
    n_ev = update_list(live, nl, t_rel, h, pos, vel, mass, grav, qbar, t_launch, phase,
                       burnt_out, exhausted, retired, dropped, divert_used, a_cmd, a_max,
                       thrust, mflow, area, pip_pos, tgt_pos, tgt_vel, tgt_acc, tgt_time,
                       tgt_pending, par, kv, law, stg, has_burn, area_stage, events)
    comp = np.empty(nl, np.intp)
    nc = 0
    keep = 0
    area_final = par[12]
    for i in range(nl):
        j = live[i]
        if alive[j] and phase[j] != _READY:
            comp[nc] = j
            nc += 1
        if not _settled(alive[j], retired[j], burnt_out[j], phase[j], tgt_pending[j],
                        events[j], thrust[j], mflow[j], area[j] == area_final[j]):
            live[keep] = j
            keep += 1
    ints[_NL] = keep
    k1, k2, k3 = ks[0], ks[1], ks[2]
    # the model's specific force and mass flow at the stage's state (views built once)
    mdl = (speed, qbar, mach, grav, phase, burnt_out, kv, thrust, mflow, area, a_cmd,
           g0_isp_div, cd_x, cd_y, acc, mdot)
    t_pos, t_vel, t_mass = tmp[0:3], tmp[3:6], tmp[6]
    force_list(comp, nc, pos, vel, mass, *mdl)
    stage_list(y, y, k1, 0.5 * h, tmp, acc, mdot, alive, comp, nc, alt, rho, sound,
               speed, qbar, mach, grav, up, env_flags, cells, h_rho)
    force_list(comp, nc, t_pos, t_vel, t_mass, *mdl)
    stage_list(tmp, y, k2, 0.5 * h, tmp, acc, mdot, alive, comp, nc, alt, rho, sound,
               speed, qbar, mach, grav, up, env_flags, cells, h_rho)
    force_list(comp, nc, t_pos, t_vel, t_mass, *mdl)
    stage_list(tmp, y, k3, h, tmp, acc, mdot, alive, comp, nc, alt, rho, sound,
               speed, qbar, mach, grav, up, env_flags, cells, h_rho)
    force_list(comp, nc, t_pos, t_vel, t_mass, *mdl)
    last_list(tmp, y, y0, k1, k2, k3, ks[3], h / 6.0, acc, mdot, alive, comp, nc, alt, rho,
              sound, speed, qbar, mach, grav, up, env_flags, cells, h_rho)
    n_ground = _ground(comp, nc, alt, ground_alt, alive, armed)
    n_screen = 0
    if k:
        assess_screen(act, p0, v0, pos, vel, qa, wa, qb, wb, h, radius, phase, _TERMINAL,
                      flags[0], flags[1], d1)
        for i in range(k):
            if flags[0, i]:  # near: a hit needs the range opening at the step's end
                if _opening(qb, wb, pos, vel, i, act[i]):
                    n_screen += 1
                else:
                    flags[0, i] = False
            if flags[1, i]:
                n_screen += 1
    return n_ev, n_ground, n_screen, _n_ending(t_next, ending, threat, alive,
                                               ints[_LIST:_LIST + keep])


@njit
def _settled(alive: bool, retired: bool, burnt_out: bool, phase: int, pending: bool,
             events: int, thrust: float, mflow: float, area_final: bool) -> bool:
    """Whether a body (its values; ``area_final``: its area is the final one) is a fixed
    point of the update and the step: ended (not integrated, retired), burnt out, past
    its boost, no target pending, and the values an update would write (no events, zero
    thrust and mass flow, the final area) already there — it can leave the live list
    (its states no longer change)."""
    return (not alive and retired and burnt_out and phase > _BOOST
            and not pending and events == 0 and thrust == 0.0
            and not math.copysign(1.0, thrust) < 0.0 and mflow == 0.0
            and not math.copysign(1.0, mflow) < 0.0 and area_final)


@njit
def _opening(qb: np.ndarray, wb: np.ndarray, pos: np.ndarray, vel: np.ndarray, i: int,
             b: int) -> bool:
    """Whether the range of round ``b`` to its target (row ``i`` of ``qb``, ``wb``)
    opens at the step's end: :func:`tate.engine._pool_jit.hermite_poly`'s ``opening``,
    with its operations (``(r₀u₀ + r₂u₂) + r₁u₁ > 0``)."""
    r0, r1, r2 = qb[i, 0] - pos[0, b], qb[i, 1] - pos[1, b], qb[i, 2] - pos[2, b]
    u0, u1, u2 = wb[i, 0] - vel[0, b], wb[i, 1] - vel[1, b], wb[i, 2] - vel[2, b]
    return (r0 * u0 + r2 * u2) + r1 * u1 > 0


@njit
def prop_rows(prop: tuple) -> tuple:
    """The propagator's arrays as :func:`fly_step` reads them from its blocks
    (:meth:`~tate.engine.pool_propagator.PoolPropagator.arrays`): the state, the state
    before the step, the RK4 stages, the stage state, forces, mass flows, alive and armed
    flags, ground altitudes, the environment arrays, the frame flags and the atmosphere
    table."""
    ys, vec, sc, fl, up, flags, cells, h_rho = prop
    env = (sc[2], sc[3], sc[4], sc[5], sc[6], sc[7], vec[1], up)
    return (ys[0], ys[1], (ys[2], ys[3], ys[4], ys[5]), ys[6], vec[0], sc[0], fl[0], fl[1],
            sc[1], env, flags, cells, h_rho)


@njit
def _n_ending(t_next: float, ending: tuple, threat: np.ndarray, alive: np.ndarray,
              live: np.ndarray) -> int:
    """The number of rounds in the air that :meth:`InterceptorPool._end_step` closes at
    ``t_next`` [s] as things stand (``ending``: the pool's ``active``, ``t_pip`` [s] and
    the overtime [s]): past the overtime, no longer integrated, or a false track past its
    intercept time (``live``: the bodies that may be in the air)."""
    active, t_pip, overtime = ending
    n_end = 0
    for i in range(live.shape[0]):
        b = live[i]
        if active[b] and (t_next > t_pip[b] + overtime or not alive[b]
                          or (threat[b] < 0 and t_next > t_pip[b])):
            n_end += 1
    return n_end


@njit
def fly_tick(t0: float, t1: float, t_start: float, clock: np.ndarray, ints: np.ndarray,
             killed: np.ndarray, t_last: np.ndarray, has_rng: bool, draws: np.ndarray,
             qw_in: np.ndarray, seek: np.ndarray, sample: bool, truth: tuple,
             threat: np.ndarray, upd: tuple, extra: tuple, fresh: bool, prop: tuple,
             radius: float, ending: tuple, want: tuple, out_i: np.ndarray,
             out_f: np.ndarray, out_b: np.ndarray) -> None:
    """The step loop of :meth:`InterceptorPool.fly` over the tick ``(t0, t1]`` (engine
    times [s]): :func:`fly_step` after :func:`fly_step`, handing back to the caller
    (``ints[0]``, the code) when Python has work before or after a step:

    0. the tick is flown;
    1. ``ints[1]`` rounds (returned first) have their target gone (killed or past its
       last truth time): the caller closes and reports them;
    2. ``ints[1]`` rounds in terminal need their seeker draws and fewer rows than that
       are left in ``draws (m, 3)`` after its ``ints[7]`` used ones (in, out): the
       caller calls again with more (numpy keeps the stream: the steps take the rows
       in order, as many as :meth:`InterceptorPool._seeker_error` draws);
    3. a step ended with update events, ground impacts, rounds near or past their
       target or rounds the step's end closes (``ints[2:6]``: :func:`fly_step`'s counts;
       returned: the step's ``act``, ``qw``, ``pv``, ``flags`` and ``d1``);
    4. without ``sample``, the caller answers the truth into ``qw_in (4, k, 3)`` at the
       step's ends (``clock[5]``, ``clock[5] + h``) for the rounds returned first.

    ``ints[9:]`` is the pool's live list (kept between calls): its length, whether the
    environment was computed for every body once, then the bodies launched whose
    update may still change something, ascending (the pool adds the rounds it
    launches; :func:`fly_step` drops the ended ones that have settled).  The loops of a
    step run over it, not over every body: the others are fixed points of the step.

    "Returned" rounds and arrays are written to the caller's buffers (no arrays are
    boxed per call): the ``ints[8]`` rounds into ``out_i[:k]``; ``out_f (19 n,)`` holds
    ``qw (4, k, 3)``, ``pv (2, 3, k)`` and ``d1 (k,)`` back to back (C order) and
    ``out_b (2 n,)`` ``flags (2, k)``.

    ``clock``: the propagator's ``_t_base``, ``_steps``, ``dt`` and ``t`` (in, out),
    the step ``h`` [s] (0: the tick's from :func:`step_want_sampled` as the pool's
    ``_step_length``), then out the last step's engine start and end (``self.t`` before
    and after it and its pool time.  ``ints[6]``: steps flown.  ``want``: the step
    control's constants
    (min step, burn step, steps per time to go) and the model's ``t_vert``; the rest as
    :func:`fly_step`.
    """
    active = ending[0]
    rows = update_rows(upd)
    t_launch, phase, burnt_out, pip_pos = rows[0], rows[1], rows[2], rows[12]
    y = prop[0][0]
    min_step, burn_step, per_tgo, t_vert = want
    h = clock[4]
    if h == 0.0:  # InterceptorPool._step_length on the sampled truth, as in Python
        tick = t1 - t0
        w = step_want_sampled(active, threat, t0 - t_start, t0, tick, min_step, burn_step,
                              per_tgo, t_launch, burnt_out, t_vert, y[0:3], y[3:6],
                              pip_pos, truth)
        if min_step > w:
            w = min_step
        if tick < w:
            w = tick
        c = math.ceil(tick / w - 1e-9)
        h = tick / (c if c > 1 else 1)
        clock[4] = h
    t_base, steps, dt, tp = clock[0], int(clock[1]), clock[2], clock[3]
    used = ints[7]
    ints[:9] = 0
    have_qw = qw_in.shape[1] > 0
    while True:
        t_now = t_start + tp
        if not t_now < t1 - 1e-9:
            break
        k = 0
        for i in range(ints[_NL]):
            b = ints[_LIST + i]
            if active[b] and threat[b] >= 0:
                out_i[k] = b
                k += 1
        act = out_i[:k]
        ng = 0
        for i in range(k):
            j = threat[act[i]]
            if killed[j] or t_last[j] < t_now:
                ng += 1
        clock[5] = t_now
        if ng:
            gone = np.empty(ng, np.intp)
            ng = 0
            for i in range(k):
                j = threat[act[i]]
                if killed[j] or t_last[j] < t_now:
                    gone[ng] = act[i]
                    ng += 1
            out_i[:ng] = gone
            ints[0], ints[1], ints[8] = 1, ng, ng
            break
        n_term = 0
        if has_rng:
            for i in range(k):
                if phase[act[i]] == _TERMINAL:
                    n_term += 1
        if n_term and draws.shape[0] - used < n_term:
            ints[0], ints[1] = 2, n_term
            break
        if k and not sample and not have_qw:
            ints[0], ints[8] = 4, k
            break
        if h != dt:  # PoolPropagator.begin
            t_base, steps, dt = tp, 0, h
        t_rel = tp
        t_next = t_start + (t_base + (steps + 1) * dt)
        qw = out_f[:12 * k].reshape((4, k, 3))
        if k and not sample:
            qw[:] = qw_in
        pv = out_f[12 * k:18 * k].reshape((2, 3, k))
        d1 = out_f[18 * k:19 * k]
        flags = out_b[:2 * k].reshape((2, k))
        n_ev, n_ground, n_screen, n_end = fly_step(
            t_rel, h, t_now, t_now + h, act, threat, draws[used:used + n_term], seek,
            sample, truth, qw, pv, upd, extra, fresh, prop, radius, flags, d1, ending, ints)
        steps += 1  # PoolPropagator.finish
        tp = t_base + steps * dt
        fresh = True
        ints[6] += 1
        used += n_term
        have_qw = False
        if n_ev or n_ground or n_screen or n_end:
            ints[0], ints[2], ints[3], ints[4], ints[5] = 3, n_ev, n_ground, n_screen, n_end
            clock[6], clock[7] = t_next, t_rel
            ints[8] = k
            break
    clock[0], clock[1], clock[2], clock[3] = t_base, steps, dt, tp
    ints[7] = used
