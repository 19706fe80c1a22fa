"""Compiled loop over the plain base steps of an adaptive raid propagation (numba).

The second implementation of the loop of :func:`tate.flight.recording.run_adaptive` for a
propagator of rocket models (:class:`~tate.flight.models.ballistic.Ballistic`,
:class:`~tate.flight.models.boost_glide.BoostGlide`) over the stretches where nothing
needs Python: per step, in the order :meth:`Propagator.step` does it, the step limit
(:func:`tate.flight._step_jit.steps_allowed`: a base step or a long one of several),
the boosters' staging (:func:`tate.flight.models._rocket_jit.booster_update`), the glide
guidance when it is due (:func:`~tate.flight.models._rocket_jit.glide_guidance`), the
fused RK4 step (:func:`tate.flight._step_jit.rocket_step`), the clock, and the snapshots
into space reserved in :class:`~tate.flight.recording.Snapshots`: the instants inside a
long step on its cubic Hermite (``record_inside``'s arithmetic), then its end.  The same
kernels with the same arguments in the same order: the results are bit-identical to the
Python loop, which stays the reference (``tests/unit/flight/test_run_jit.py``).

It hands back to Python (returns) at the launch (``t`` = 0), before a step that would
separate a booster (Python logs it and the glider's β changes) or for whose snapshots no
space is left; and after a step whose screens found a ground or aim-point hit or an
apogee, or in which a glider started to dive (Python locates and logs them and records
the step, from the state and flags at its start the loop leaves in ``ys``, ``alive_s``).

Packs (homogeneous tuples, whole-state arrays plus the model's columns ``a:b``):
*booster pack* ``(a, b, separated, cut_speed, cut_time, t_burnout, end_k, start_k, burn,
dropped, dry, payload, thrust_k, mflow_k, thrust, mflow, new_sep)``
(:meth:`~tate.flight.models.booster.Booster.update_pack`); *guidance pack* ``(a, b, aim,
phase, smooth, cavh, ld, beta, area, lift_margin, alt_cmd, dive_range, any_s_turn, t_sep,
s_period, weave, sin_bank, tab_alt, tab_x0, tab_inv_dx, u_l, u_s, dived)``
(:meth:`~tate.flight.models.boost_glide.BoostGlide.guide_pack`).  ECEF, SI, ``(7, n)``
stacked state as in :mod:`tate.flight._eom_jit`. Every pack tuple has the one length
:data:`tate.flight.recording.PACKS` (padded with packs over no columns): one overload.

The clock and loop state travel in ``clk`` (float64): ``[t, t_base, steps, dt,
max_speed, fresh_max_speed, next_rec, records, n_ground, n_aim, n_event, t_step, made]``
(``t_step``: the start of the last step made; ``made``: the steps made).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import literal_unroll
from numpy.typing import NDArray

from tate.flight._eom_jit import hermite_states
from tate.flight._step_jit import rocket_step, steps_allowed
from tate.flight.models._rocket_jit import booster_update, glide_guidance
from tate.flight.models.boost_glide import GUIDANCE_PERIOD
from tate.jit import njit

__all__ = ["DONE", "HANDBACK", "POST", "fly_steps"]

F64 = NDArray[np.float64]
DONE = 0  #: the end time is reached
HANDBACK = 1  #: the next step is Python's
POST = 2  #: a step was made; Python locates, logs and records it


@njit
def _would_separate(t: float, bpacks: tuple[Any, ...], speed: F64) -> bool:
    """Whether :func:`booster_update` at ``t`` would separate a body (the cut-off makes
    the burnout ``t``: the same comparisons).  The packs unrolled: no copy of the tuple
    per pack."""
    for p in literal_unroll(bpacks):
        a, b = p[0], p[1]
        separated, cut_speed, cut_time, t_burnout = p[2], p[3], p[4], p[5]
        for j in range(a, b):
            i = j - a
            if separated[i]:
                continue
            if speed[j] >= cut_speed[i] and cut_time[i] > t:
                return True
            if t >= t_burnout[i] - 1e-9:
                return True
    return False


@njit
def _record(snap_time: F64, snap_y: F64, snap_alive: NDArray[np.bool_], k: int,
            next_rec: int, rec: float, eps: float, t_a: float, t: float, ys: F64, y: F64,
            alive_s: NDArray[np.bool_], alive: NDArray[np.bool_]) -> tuple[int, int]:
    """The snapshots of ``run_adaptive`` after a step from ``t_a`` (state ``ys``, flags
    ``alive_s``) to ``t`` (``y``, ``alive``; no body ended in it) into ``snap_*`` from
    index ``k``: the instants inside it on its cubic Hermite (``record_inside``'s
    arithmetic, :func:`~tate.flight._eom_jit.hermite_states`), then its end.  Returns
    the next index and the next record number."""
    m = 0
    while (next_rec + m) * rec < t - eps:
        m += 1
    if m:
        n = y.shape[1]
        h = t - t_a
        s = np.empty(m)
        for i in range(m):
            s[i] = ((next_rec + i) * rec - t_a) / h
        pos, vel, mass = np.empty((m, 3, n)), np.empty((m, 3, n)), np.empty((m, n))
        hermite_states(ys, y, h, s, pos, vel, mass)
        for i in range(m):
            snap_time[k] = (next_rec + i) * rec
            for j in range(n):
                if alive_s[j]:
                    for c in range(3):
                        snap_y[k, c, j] = pos[i, c, j]
                        snap_y[k, 3 + c, j] = vel[i, c, j]
                    snap_y[k, 6, j] = mass[i, j]
                else:
                    for c in range(7):
                        snap_y[k, c, j] = y[c, j]
                snap_alive[k, j] = alive_s[j]
            k += 1
        next_rec += m
    while next_rec * rec <= t + eps:  # (>= t - eps now)
        snap_time[k] = t
        snap_y[k] = y
        snap_alive[k] = alive
        k += 1
        next_rec += 1
    return k, next_rec


@njit
def fly_steps(clk: F64, bpacks: tuple[Any, ...], gpacks: tuple[Any, ...], next_g: F64,
              dive: NDArray[np.int64], packs: tuple[Any, ...], spacks: tuple[Any, ...],
              max_step: float, base: float, t_end: float, rec: float, cap: int,
              snap_time: F64, snap_y: F64, snap_alive: NDArray[np.bool_],
              hit_radius: float, fused_aim: bool, has_up: bool, y: F64, y0: F64, tmp: F64,
              k1: F64, k2: F64, k3: F64, k4: F64, acc: F64, mdot: F64,
              alive: NDArray[np.bool_], alt: F64, rho: F64, sound: F64, speed: F64,
              qbar: F64, mach: F64, grav: F64, up: F64, flags: int, cells: F64,
              h_rho: float, ground: bool, ground_alt: F64, armed: NDArray[np.bool_],
              aim: F64, apogee_sign: float, ys: F64, alive_s: NDArray[np.bool_]) -> int:
    """Plain base steps of ``run_adaptive`` until one needs Python (module docstring);
    snapshots into ``snap_*`` from index ``clk[7]`` up to ``cap``.  Returns
    :data:`DONE`, :data:`HANDBACK` or :data:`POST` (``dive[i]`` set for the guidance
    packs whose gliders started to dive; ``ys``, ``alive_s``: the state and flags at the
    last step's start, before the models' updates)."""
    t, t_base, steps, dt = clk[0], clk[1], int(clk[2]), clk[3]
    fresh = clk[5]
    next_rec, k = int(clk[6]), int(clk[7])
    eps = 1e-9 * base
    code = HANDBACK
    t_step, made = t, 0
    while True:
        if not t < t_end - eps:
            code = DONE
            break
        if t == 0.0:  # the models log the launch
            break
        mult = steps_allowed(spacks, alive, alt, speed, max_step, base, t_end, t)
        h = base * mult
        n_base, n_steps, n_dt = t_base, steps, dt
        if h != dt:
            n_base, n_steps, n_dt = t, 0, h
        t_new = n_base + (n_steps + 1) * n_dt
        m = 0  # the step's snapshots: inside it, then at its end
        while (next_rec + m) * rec <= t_new + eps:
            m += 1
        if k + m > cap:
            break  # no room for the step's snapshots
        if _would_separate(t, bpacks, speed):
            break
        t_base, steps, dt = n_base, n_steps, n_dt
        t_step = t
        made += 1
        ys[:] = y
        alive_s[:] = alive
        clk[4] = fresh  # the aim screen's bound: the fresh environment's largest speed
        for p in bpacks:
            a, b = p[0], p[1]
            if a == b:  # a stand-in over no columns: nothing to update
                continue
            booster_update(t, h, y[6, a:b], speed[a:b], p[2], p[3], p[4], p[5], p[6], p[7],
                           p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16])
        n_dive = 0
        for i, g in enumerate(gpacks):
            if t < next_g[i] - 1e-9:
                continue
            next_g[i] = (math.floor(t / GUIDANCE_PERIOD + 1e-9) + 1.0) * GUIDANCE_PERIOD
            a, b = g[0], g[1]
            if glide_guidance(t, y[0:3, a:b], y[3:6, a:b], y[6, a:b], up[:, a:b],
                              speed[a:b], qbar[a:b], mach[a:b], alt[a:b], g[2], g[3], g[4],
                              g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13],
                              g[14], g[15], g[16], g[17], g[18], g[19], g[20], g[21],
                              g[22]):
                dive[i] = 1
                n_dive += 1
        reach = (clk[4] * h * 1.5 + hit_radius) ** 2 if fused_aim else 0.0
        n_ground, n_aim, n_event, fresh = rocket_step(
            packs, t, h, reach, has_up, y, y0, tmp, k1, k2, k3, k4, acc, mdot, alive, alt,
            rho, sound, speed, qbar, mach, grav, up, flags, cells, h_rho, ground,
            ground_alt, armed, aim, apogee_sign)
        steps += 1
        t = t_base + steps * h
        if n_ground or n_aim or n_event or n_dive:
            clk[8], clk[9], clk[10] = n_ground, n_aim, n_event
            code = POST
            break
        if m:
            k, next_rec = _record(snap_time, snap_y, snap_alive, k, next_rec, rec, eps,
                                  t_step, t, ys, y, alive_s, alive)
    clk[0], clk[1], clk[2], clk[3] = t, t_base, steps, dt
    clk[5], clk[6], clk[7] = fresh, next_rec, k
    clk[11], clk[12] = t_step, made
    return code
