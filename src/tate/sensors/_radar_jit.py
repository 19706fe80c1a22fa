"""Compiled kernels of a radar's time line (the per-look loop of the detection simulation).

The compiled twins of :class:`~.schedule.RadarScheduler` and of the per-look loop of
:func:`~.simulate._simulate_radar`, one compiled call per step instead of tens of numpy
calls on arrays of a few tens of targets:

* :func:`plan` -- :meth:`~.schedule.RadarScheduler.plan` (drop, occupancy arithmetic,
  credit, search raster crossing, due, :func:`~.schedule.ration` with its stable tie
  rule, next-due updates);
* :func:`record` -- :meth:`~.schedule.RadarScheduler.record` (history shift, the 2-of-3
  rule, new-held updates);
* :func:`looks` -- one chunk of look times: :func:`plan`, the draw of the outcomes, the
  measurement noise and the false alarms (:func:`~.radar.false_alarm_cells`), and
  :func:`record`, per look time.

The scheduler's state stays in its arrays (``history``, ``held``, ``next_due``,
``last_track_look``, updated in place) and its two scalars (``credit``, ``phase``, passed
in and returned), so the numpy and compiled schedulers can be compared step by step.
Time-line parameters ``par`` are ``(dwell_s, search_frame_s, track_revisit_s, budget,
min_search_share)`` [s, s, s, -, -].

Random draws: :func:`looks` draws from the sensor's ``numpy.random.Generator`` through
numba's Generator support, the same calls in the same order as the numpy loop
(``random(m)``, ``standard_normal(3 d)``, ``poisson``, ``random(3 n)``, ``integers``;
the first two as ``m`` and ``3 d`` scalar draws in the array's order, which is how both
numpy and numba fill the array: no array per look); numba's implementations of these
are ports of numpy's and give the same bits from the same bit generator state, which
they advance in place
(``tests/unit/sensors/test_radar_jit.py`` checks both).  The arithmetic follows the numpy
code operation by operation and every discrete decision uses the same comparison, so the
two paths give identical results.  Units: seconds, metres, radians.  Not imported by
``tate`` itself (numba is loaded when a scheduler with the compiled path first needs it).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.jit import njit
from tate.sensors._chunk_jit import _mod, fill, ranges

__all__ = ["looks", "plan", "record"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]
_COAST_REVISITS = 3.0  # schedule.COAST_REVISITS (checked equal by the tests)
_TWO_PI = 2.0 * np.pi


@njit
def _before(a: float, b: float) -> bool:
    """``a`` sorts strictly before ``b`` in numpy's order (NaN last)."""
    return a < b or (b != b and a == a)


@njit
def plan(t: float, dt: float, alive: B, u: F64, priority: F64, history: I64, held: B,
         next_due: F64, last_track_look: F64, credit: float, phase: float, par: F64,
         track: B, search: B) -> tuple[float, float, int, float, float, float, float]:
    """:meth:`RadarScheduler.plan`: writes ``track`` and ``search`` ``(n,)``, updates the
    state arrays in place; returns ``(credit, phase, n_track, occupancy, frame [s],
    revisit [s], advance)``."""
    n = held.size
    return _plan(t, dt, np.ascontiguousarray(alive).reshape(1, n),
                 np.ascontiguousarray(u).reshape(1, n),
                 np.ascontiguousarray(priority).reshape(1, n), 0, history, held, next_due,
                 last_track_look, credit, phase, par, track, search, np.empty(n, np.int64))


@njit
def _plan(t: float, dt: float, alive: B, u: F64, priority: F64, i: int, history: I64,
          held: B, next_due: F64, last_track_look: F64, credit: float, phase: float,
          par: F64, track: B, search: B, idx: I64) -> tuple[float, float, int, float, float,
                                                             float, float]:
    """:func:`plan` of row ``i`` of ``alive``, ``u``, ``priority`` ``(k, n)``, with ``idx``
    ``(n,)`` the rationing's work array (no allocation, no slice).  Its three steps are
    kernels without calls (which :func:`looks` calls in turn: no reference counting per
    look time)."""
    credit, phase, n_track, occ, frame, revisit, advance = _crossed(
        t, dt, alive, u, i, history, held, last_track_look, credit, phase, par, track, search)
    if n_track:
        _ration(held, next_due, t + 1e-9, priority, i, math.floor(credit + 1e-9), track, idx)
        credit = _served(t, par[2], held, next_due, last_track_look, credit, track, search)
    return credit, phase, n_track, occ, frame, revisit, advance


@njit
def _crossed(t: float, dt: float, alive: B, u: F64, i: int, history: I64, held: B,
             last_track_look: F64, credit: float, phase: float, par: F64, track: B,
             search: B) -> tuple[float, float, int, float, float, float, float]:
    """:func:`_plan` up to the rationing: drop, occupancy arithmetic, credit, the search
    raster's crossing (``search``; ``track`` cleared)."""
    dwell, frame_s, revisit_s, budget, share = par[0], par[1], par[2], par[3], par[4]
    n = held.size
    coast = _COAST_REVISITS * revisit_s
    n_track = 0
    for j in range(n):  # _drop
        if (held[j] and t - last_track_look[j] > coast) or not alive[i, j]:
            held[j] = False
            history[j] = 0
        if held[j]:
            n_track += 1
    occ = n_track * dwell / revisit_s
    cap = (1.0 - share) * budget
    served = cap if cap < occ else occ
    frame = frame_s / (1.0 - served / budget)
    stretched = n_track * dwell / served if served > 0 else 0.0
    revisit = stretched if stretched > revisit_s else revisit_s
    per_tick = served * dt / dwell
    a, b = credit + per_tick, per_tick + 1.0
    credit = b if b < a else a
    advance = dt / frame
    for j in range(n):  # search_crossed
        if advance >= 1.0:
            crossed = True
        else:
            ahead = _mod(u[i, j] - phase, 1.0)
            crossed = ahead > 0.0 and ahead <= advance
        search[j] = alive[i, j] and crossed
        track[j] = False
    phase = _mod(phase + advance, 1.0)
    return credit, phase, n_track, occ, frame, revisit, advance


@njit
def _due_ranges(held: B, next_due: F64, t_due: float, capacity: int, i: int, idx: I64,
                lazy: Any) -> None:
    """The ranges (:func:`tate.sensors._chunk_jit.ranges`) of the due targets at look
    ``i`` where :func:`_ration` sorts them by range (more due than ``capacity``)."""
    m = 0
    for j in range(held.size):
        if held[j] and next_due[j] <= t_due:
            idx[m] = j
            m += 1
    if capacity > 0 and m > capacity:
        ranges(i, idx, m, lazy)


@njit
def _served(t: float, revisit_s: float, held: B, next_due: F64, last_track_look: F64,
            credit: float, track: B, search: B) -> float:
    """:func:`_plan` after the rationing: the tracked targets' next-due updates, no search
    look of a held target; the credit left."""
    n_dwells = 0
    for j in range(held.size):
        if track[j]:
            n_dwells += 1
            next_due[j] = t + revisit_s
            last_track_look[j] = t
        if held[j]:
            search[j] = False
    if n_dwells:
        credit -= float(n_dwells)
    return credit


@njit
def _ration(held: B, next_due: F64, t_due: float, priority: F64, i: int, capacity: int,
            track: B, idx: I64) -> None:
    """:func:`schedule.ration` of the due targets (held, ``next_due <= t_due``) into
    ``track``: the ``capacity`` lowest priorities (row ``i`` of ``priority``), ties by
    index (a stable sort; ``idx`` ``(n,)``: work array)."""
    n = held.size
    m = 0
    for j in range(n):
        if held[j] and next_due[j] <= t_due:
            idx[m] = j
            m += 1
    if capacity <= 0 or m == 0:
        return
    if m > capacity:  # stable insertion sort of the due indices by priority
        for q in range(1, m):
            key = idx[q]
            k = q
            while k > 0 and _before(priority[i, key], priority[i, idx[k - 1]]):
                idx[k] = idx[k - 1]
                k -= 1
            idx[k] = key
        m = capacity
    for q in range(m):
        track[idx[q]] = True


@njit
def record(t: float, looked: B, detected: B, history: I64, held: B, next_due: F64,
           last_track_look: F64, revisit_s: float) -> None:
    """:meth:`RadarScheduler.record`: the outcomes ``detected`` ⊆ ``looked`` ``(n,)`` into
    the state arrays (in place)."""
    for j in range(held.size):
        if looked[j]:
            history[j] = ((history[j] << 1) | np.int64(detected[j])) & 7
        h = history[j] & 7
        now = (h & 1) + ((h >> 1) & 1) + ((h >> 2) & 1) >= 2
        if now and not held[j]:
            next_due[j] = t + revisit_s
            last_track_look[j] = t
        held[j] = now


@njit
def looks(ts: F64, dt: float, alive: B, u: F64, priority: F64, pd: F64, heading: F64,
          history: I64, held: B, next_due: F64, last_track_look: F64, credit: float,
          phase: float, par: F64, fa_per_frame: float, fa_par: F64, rng: Any,
          lazy: Any = None) -> tuple[float, float, I64, F64, I64, I64, F64, I64, F64]:
    """The per-look loop of one chunk of ``k`` look times over ``n`` targets.

    Parameters
    ----------
    ts, heading
        ``(k,)`` look times [s] and platform headings [rad].
    alive, u, priority, pd
        ``(k, n)`` in flight, search-raster position, rationing order (range [m]) and
        detection probability (0 where not visible).
    history, held, next_due, last_track_look, credit, phase, par
        The scheduler's state and parameters (see the module docstring).
    fa_per_frame
        Expected false alarms per search frame.
    fa_par
        ``(max_range_m, min_el_rad, max_el_rad, faces, max_scan_rad)`` of the radar.
    rng
        The sensor's ``numpy.random.Generator`` (advanced in place).
    lazy
        None, or the second result of :func:`tate.sensors._chunk_jit.geometry`, whose
        ``out[5]`` is ``pd`` and ``out[0]`` ``priority``: then the P_d (range, SNR,
        cosine) of a pair is made (:func:`tate.sensors._chunk_jit.fill`) only when the
        pair is looked at, before its draw, and the range of a due target before the
        rationing sorts by it (the others are never read).

    Returns
    -------
    credit, phase
        The scheduler's scalars after the chunk.
    counts, load
        ``(k, 2)`` n_in_track and n_looks; ``(k, 3)`` occupancy, frame [s], revisit [s].
    hit_i, hit_d, noise
        Per detection: look index, target index, the three standard normal draws.
    fa_i, fa_rae
        Per false alarm: look index; range [m], azimuth and elevation [rad].
    """
    k, n = alive.shape
    counts = np.empty((k, 2), np.int64)
    load = np.empty((k, 3))
    hit_i = np.empty(k * n, np.int64)
    hit_d = np.empty(k * n, np.int64)
    noise = np.empty((k * n, 3))
    fa_i = np.empty(16, np.int64)
    fa_rae = np.empty((16, 3))
    track = np.empty(n, np.bool_)
    search = np.empty(n, np.bool_)
    looked = np.empty(n, np.bool_)
    detected = np.empty(n, np.bool_)
    idx = np.empty(n, np.int64)
    work = np.empty(n, np.int64)
    n_hit = 0
    n_fa_all = 0
    revisit_s = par[2]
    for i in range(k):
        t = ts[i]
        credit, phase, n_track, occ, frame, revisit, advance = _crossed(  # (_plan's steps)
            t, dt, alive, u, i, history, held, last_track_look, credit, phase, par, track,
            search)
        if n_track:
            capacity = math.floor(credit + 1e-9)
            if lazy is not None:  # (the ranges the rationing may sort by: made first)
                _due_ranges(held, next_due, t + 1e-9, capacity, i, work, lazy)
            _ration(held, next_due, t + 1e-9, priority, i, capacity, track, work)
            credit = _served(t, revisit_s, held, next_due, last_track_look, credit, track,
                             search)
        m = 0
        for j in range(n):
            looked[j] = track[j] or search[j]
            detected[j] = False
            if looked[j]:
                idx[m] = j
                m += 1
        d0 = n_hit
        if lazy is not None:
            fill(i, idx, m, lazy)
        for q in range(m):  # (scalar draws: random(m)'s, one by one, no array)
            if rng.random() < pd[i, idx[q]]:
                detected[idx[q]] = True
                hit_i[n_hit] = i
                hit_d[n_hit] = idx[q]
                n_hit += 1
        record(t, looked, detected, history, held, next_due, last_track_look, revisit_s)
        for q in range(d0, n_hit):  # (standard_normal(3 d)'s draws, one by one)
            for c in range(3):
                noise[q, c] = rng.standard_normal()
        n_fa = rng.poisson(fa_per_frame * advance)
        if n_fa:
            if n_fa_all + n_fa > fa_i.size:
                size = 2 * (n_fa_all + n_fa)
                fa_i = _grow_i(fa_i, n_fa_all, size)
                fa_rae = _grow_f(fa_rae, n_fa_all, size)
            _false_alarms(fa_par, heading[i], n_fa, rng, fa_rae[n_fa_all:n_fa_all + n_fa])
            fa_i[n_fa_all:n_fa_all + n_fa] = i
            n_fa_all += n_fa
        counts[i, 0], counts[i, 1] = n_track, m
        load[i, 0], load[i, 1], load[i, 2] = occ, frame, revisit
    return (credit, phase, counts, load, hit_i[:n_hit], hit_d[:n_hit], noise[:n_hit],
            fa_i[:n_fa_all], fa_rae[:n_fa_all])


@njit
def _grow_i(a: I64, used: int, size: int) -> I64:
    out = np.empty(size, np.int64)
    out[:used] = a[:used]
    return out


@njit
def _grow_f(a: F64, used: int, size: int) -> F64:
    out = np.empty((size, 3))
    out[:used] = a[:used]
    return out


@njit
def _false_alarms(fa_par: F64, heading: float, n: int, rng: Any, out: F64) -> None:
    """:func:`radar.false_alarm_cells` into ``out`` ``(n, 3)``: range, azimuth, elevation."""
    max_range, min_el, max_el, faces, max_scan = (fa_par[0], fa_par[1], fa_par[2],
                                                  fa_par[3], fa_par[4])
    cells = rng.random(3 * n)
    full = faces == 0 or faces * 2.0 * max_scan >= 2.0 * np.pi
    face = np.zeros(n, np.int64) if full else rng.integers(0, int(faces), size=n)
    for q in range(n):
        out[q, 0] = max_range * (1.0 - cells[3 * q])
        out[q, 2] = min_el + (max_el - min_el) * cells[3 * q + 2]
        if full:
            az = 2.0 * np.pi * cells[3 * q + 1]
        else:
            az = (heading + 2.0 * np.pi * face[q] / faces
                  + max_scan * (2.0 * cells[3 * q + 1] - 1.0))
        out[q, 1] = az % _TWO_PI
