"""Compiled loop over the plain base steps of an adaptive propagation of the subsonic
waypoint flyers (cruise missiles, drones; numba).

The second implementation of the loop of :func:`tate.flight.recording.run_adaptive` for
a propagator whose active models are all :class:`~tate.flight.models.waypoint.Waypoint`
(compiled path on), over the stretches where nothing needs Python: per step, in the
order :meth:`Propagator.step` and ``Propagator._step_compiled`` do it, the step limit
(:meth:`Propagator.steps_allowed` with :meth:`Waypoint.max_step`), each model's update
(:func:`tate.flight.models._waypoint_jit.waypoint_update`), the four RK4 stages with
the models' specific force (:func:`~tate.flight.models._waypoint_jit.
waypoint_specific_force`, :func:`tate.flight._eom_jit.rk4_stage`,
:func:`~tate.flight._eom_jit.rk4_last`), the clock, and the snapshot at the step's end
into space reserved in :class:`~tate.flight.recording.Snapshots`.  The same kernels
with the same arguments in the same order: the results are bit-identical to the Python
loop, which stays the reference (``tests/unit/flight/test_slow_jit.py``).

Base steps and long ones (whole multiples of the base step where every model allows
it; the snapshots inside such a step on its cubic Hermite, as ``record_inside`` without
impacts makes them).  It hands back to Python (returns) when no snapshot space is left
for the next step, and after a step whose update wrote a phase log (fuel out, terminal
homing) or whose screens found a ground or aim-point hit (Python logs, locates and
records it).  Python logs the launch and computes the first environment before.

*Waypoint pack* (:meth:`Waypoint.loop_pack`): ``(a, b, route, unit, speed, alt,
max_accel, fuel_range, terminal, terminal_range, pop_alt, weave_accel, weave_period,
final_range, leg, flown, fuel, homing, smooth, cmd, fuel_out, start_home, last_t,
logged)``: the model's columns ``a:b`` of the stacked state and its arrays as
:func:`waypoint_update` takes them; ``last_t (1,)`` the time of its last update [s]
(written back), ``logged (1,)`` the update flags of the last step (out).  Padded to
:data:`tate.flight.recording.PACKS` with packs over no columns.  ECEF, SI, ``(7, n)``
stacked state as in :mod:`tate.flight._eom_jit`.

The clock and loop state travel in ``clk`` (float64): ``[t, t_base, steps, dt,
max_speed, fresh_max_speed, next_rec, records, n_ground, n_aim, t_step, made]``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.flight._eom_jit import hermite_states, rk4_last, rk4_stage
from tate.flight.models._waypoint_jit import waypoint_specific_force, waypoint_update
from tate.flight.models.waypoint import CRUISE_STEP_S
from tate.jit import njit

__all__ = ["DONE", "HANDBACK", "POST", "ROOM", "fly_slow_steps"]

F64 = NDArray[np.float64]
DONE = 0  #: the end time is reached
HANDBACK = 1  #: the next step is Python's
POST = 2  #: a step was made; Python logs, locates and records it
ROOM = 3  #: no snapshot space is left for the next step


@njit
def _steps_allowed(wpacks: tuple[Any, ...], alive: NDArray[np.bool_], max_step: float,
                   base: float, t_end: float, t: float) -> int:
    """``recording.steps_allowed`` of waypoint models (:meth:`Waypoint.max_step`: the
    cruise step while every live body of the model cruises smoothly)."""
    hint = max_step
    everyone = True
    for j in range(alive.shape[0]):
        if not alive[j]:
            everyone = False
            break
    for p in wpacks:
        a, b = p[0], p[1]
        if a == b:  # a padding pack
            continue
        smooth = p[18]
        live, all_smooth = False, True
        for j in range(a, b):
            if alive[j]:
                live = True
                if not smooth[j - a]:
                    all_smooth = False
        if not (everyone or live):
            continue
        m = CRUISE_STEP_S if all_smooth else 0.0
        if m < hint:  # min(hint, m)
            hint = m
        if hint / base + 1e-9 < 2.0:
            break
    k = math.floor(hint / base + 1e-9)
    left = math.ceil((t_end - t) / base - 1e-9)
    k = left if left < k else k
    return k if k > 1 else 1


@njit
def _forces(wpacks: tuple[Any, ...], s: F64, speed: F64, qbar: F64, up: F64, grav: F64,
            acc: F64, mdot: F64) -> None:
    """Every pack's :meth:`Waypoint.specific_force` at the state ``s (7, n)``."""
    for p in wpacks:
        a, b = p[0], p[1]
        if a == b:
            continue
        waypoint_specific_force(s[0:3, a:b], s[3:6, a:b], speed[a:b], qbar[a:b], up[:, a:b],
                                grav[:, a:b], p[19], p[16], acc[:, a:b], mdot[a:b])


@njit
def _record_inside(t_a: float, t_b: float, first: int, m: int, rec: float, y0: F64, y: F64,
                   alive: NDArray[np.bool_], k: int, snap_time: F64, snap_y: F64,
                   snap_alive: NDArray[np.bool_], taus: F64) -> None:
    """``recording.record_inside`` (compiled, no impact in the step) of the ``m``
    instants ``first·rec, ...`` inside the step from ``t_a`` (state ``y0``) to ``t_b``
    (``y``) into the snapshots from index ``k`` (``alive``: the flags, unchanged in the
    step; ``taus``: scratch)."""
    h = t_b - t_a
    s = taus[:m]
    for i in range(m):
        s[i] = ((first + i) * rec - t_a) / h
    rows = snap_y[k:k + m]
    hermite_states(y0, y, h, s, rows[:, 0:3], rows[:, 3:6], rows[:, 6])
    for i in range(m):
        snap_time[k + i] = (first + i) * rec
        for j in range(y.shape[1]):
            snap_alive[k + i, j] = alive[j]
            if not alive[j]:  # an ended body keeps its final state
                for c in range(7):
                    rows[i, c, j] = y[c, j]


@njit
def fly_slow_steps(clk: F64, wpacks: tuple[Any, ...], max_step: float, base: float,
                   t_end: float, rec: float, cap: int, snap_time: F64, snap_y: F64,
                   snap_alive: NDArray[np.bool_], hit_radius: float, y: F64, y0: F64,
                   tmp: F64, k1: F64, k2: F64, k3: F64, k4: F64, acc: F64, mdot: F64,
                   alive: NDArray[np.bool_], alt: F64, rho: F64, sound: F64, speed: F64,
                   qbar: F64, mach: F64, grav: F64, up: F64, eflags: int, cells: F64,
                   h_rho: float, ground: bool, ground_alt: F64, armed: NDArray[np.bool_],
                   aim: F64, taus: F64) -> int:
    """Plain base steps of ``run_adaptive`` until one needs Python (module docstring);
    snapshots into ``snap_*`` from index ``clk[7]`` up to ``cap`` (``taus``: scratch of
    the instants inside a step, as long as the longest step's).  Returns
    :data:`DONE`, :data:`HANDBACK` or :data:`POST`."""
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
        mult = _steps_allowed(wpacks, alive, max_step, base, t_end, t)
        h = base * mult
        n_base, n_steps, n_dt = t_base, steps, dt
        if h != dt:
            n_base, n_steps, n_dt = t, 0, h
        t_new = n_base + (n_steps + 1) * n_dt
        m = 0  # the instants to record in the step (inside it, and maybe at its end)
        while (next_rec + m) * rec <= t_new + eps:
            m += 1
        if k + m > cap:
            code = ROOM
            break
        t_base, steps, dt = n_base, n_steps, n_dt
        t_step = t
        made += 1
        clk[4] = fresh  # the aim screen's bound: the fresh environment's largest speed
        logged = 0
        for p in wpacks:
            a, b = p[0], p[1]
            if a == b:
                continue
            last = p[22]
            f = waypoint_update(
                t, t - last[0], y[0:3, a:b], y[3:6, a:b], alt[a:b], speed[a:b], up[:, a:b],
                p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13],
                p[14], p[15], p[16], p[17], p[18], p[19], p[20], p[21])
            last[0] = t
            p[23][0] = f
            logged |= f
        reach = (clk[4] * h * 1.5 + hit_radius) ** 2 if aim.shape[1] else 0.0
        half = 0.5 * h
        _forces(wpacks, y, speed, qbar, up, grav, acc, mdot)
        rk4_stage(y, y, k1, half, tmp, acc, mdot, alive, alt, rho, sound, speed, qbar, mach,
                  grav, up, eflags, cells, h_rho)
        _forces(wpacks, tmp, speed, qbar, up, grav, acc, mdot)
        rk4_stage(tmp, y, k2, half, tmp, acc, mdot, alive, alt, rho, sound, speed, qbar, mach,
                  grav, up, eflags, cells, h_rho)
        _forces(wpacks, tmp, speed, qbar, up, grav, acc, mdot)
        rk4_stage(tmp, y, k3, h, tmp, acc, mdot, alive, alt, rho, sound, speed, qbar, mach,
                  grav, up, eflags, cells, h_rho)
        _forces(wpacks, tmp, speed, qbar, up, grav, acc, mdot)
        n_ground, n_aim, _, fresh = rk4_last(
            tmp, y, y0, k1, k2, k3, k4, h, acc, mdot, alive, alt, rho, sound, speed, qbar,
            mach, grav, up, eflags, cells, h_rho, ground, ground_alt, armed, aim, reach, 0.0)
        steps += 1
        t = t_base + steps * h
        if n_ground or n_aim or logged:
            clk[8], clk[9] = n_ground, n_aim
            code = POST
            break
        if m:
            end = (next_rec + m - 1) * rec >= t - eps  # the last instant is the step's end
            inside = m - 1 if end else m
            if inside:
                _record_inside(t_step, t, next_rec, inside, rec, y0, y, alive, k, snap_time,
                               snap_y, snap_alive, taus)
                k += inside
            if end:
                snap_time[k] = t
                snap_y[k] = y
                snap_alive[k] = alive
                k += 1
            next_rec += m
    clk[0], clk[1], clk[2], clk[3] = t, t_base, steps, dt
    clk[5], clk[6], clk[7] = fresh, next_rec, k
    clk[10], clk[11] = t_step, made
    return code
