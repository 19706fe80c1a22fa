"""Radar time line: track dwells, search dwells and what a saturated radar gives up.

A multifunction radar spends a fraction ``budget`` of its time on dwells (the rest
goes to calibration, other modes, recovery).  Each target held in track is revisited
every ``track_revisit_s`` at a cost of ``dwell_s``, so the track load (the fraction of
the radar's time that tracking takes) is

    occupancy = n_track · dwell_s / track_revisit_s,

and search gets what is left of the budget.  The search frame (the time to scan the
whole search volume once) stretches in proportion:

    search_frame_eff = search_frame_s · budget / (budget − served_track_load).

When the track load exceeds what the budget allows, tracking is rationed: at most
``(1 − MIN_SEARCH_SHARE) · budget`` goes to track dwells, served nearest target first,
so the mean revisit interval grows to ``n_track · dwell_s / served_track_load`` and
search keeps only :data:`MIN_SEARCH_SHARE` of the budget (its frame grows 1/0.05 = 20
times): a saturated radar visibly degrades.  This is the time-budget view of radar
resource management in Barton, *Radar Equations for Modern Radar* (2013), ch. 7
(search and track time shared out of one time line), and Moo & Ding, *Adaptive Radar
Resource Management* (2015), ch. 1 (track load = dwell time × revisit rate).

Which targets are in track is a truth-based proxy, not a tracker: a target detected
in at least 2 of its last 3 looks is held in track (:func:`held_in_track`); a held
target that gets no track dwell for :data:`COAST_REVISITS` nominal revisit intervals
(because it was rationed out) is dropped and goes back to search.  Targets in track
get track dwells only; the others are looked at once per search frame, when the
search raster passes their position (:func:`search_crossed`).

Pure functions over arrays do the arithmetic; :class:`RadarScheduler` steps one
radar's time line over a fixed set of targets (rows of arrays, no object per
target).  Units: seconds, fractions of the radar's time.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate import jit

__all__ = [
    "COAST_REVISITS",
    "MIN_SEARCH_SHARE",
    "LoadRow",
    "RadarScheduler",
    "held_in_track",
    "radar_search_position",
    "ration",
    "search_crossed",
    "search_frame_effective",
    "served_track_load",
    "track_occupancy",
    "track_revisit_effective",
]

F64 = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Share of the budget search keeps when track dwells would take all of it.
MIN_SEARCH_SHARE = 0.05
#: Nominal revisit intervals without a track dwell after which a held target is dropped.
COAST_REVISITS = 3.0


def track_occupancy(n_track: ArrayLike, dwell_s: float, revisit_s: float) -> F64:
    """Fraction of the radar's time that holding ``n_track`` targets at ``revisit_s`` takes.

    ``n · dwell_s / revisit_s``; may exceed the budget (and 1) when the radar is saturated.
    """
    return np.asarray(n_track, float) * dwell_s / revisit_s


def served_track_load(occupancy: ArrayLike, budget: float,
                      min_search_share: float = MIN_SEARCH_SHARE) -> F64:
    """Fraction of the radar's time actually given to track dwells.

    The demanded ``occupancy``, capped at ``(1 − min_search_share) · budget``.
    """
    return np.minimum(np.asarray(occupancy, float), (1.0 - min_search_share) * budget)


def search_frame_effective(search_frame_s: float, budget: float, occupancy: ArrayLike,
                           min_search_share: float = MIN_SEARCH_SHARE) -> F64:
    """Search frame time with part of the budget spent on tracks [s].

    ``search_frame_s · budget / (budget − served)``, with ``served`` from
    :func:`served_track_load`; equals ``search_frame_s`` with no track load and at
    most ``search_frame_s / min_search_share``.
    """
    served = served_track_load(occupancy, budget, min_search_share)
    return search_frame_s / (1.0 - served / budget)


def track_revisit_effective(n_track: ArrayLike, dwell_s: float, revisit_s: float, budget: float,
                            min_search_share: float = MIN_SEARCH_SHARE) -> F64:
    """Mean interval between track dwells on one target [s].

    ``revisit_s`` while the track load fits; ``n · dwell_s / served`` when rationed.
    """
    n = np.asarray(n_track, float)
    served = served_track_load(track_occupancy(n, dwell_s, revisit_s), budget, min_search_share)
    with np.errstate(divide="ignore", invalid="ignore"):
        stretched = np.where(served > 0.0, n * dwell_s / np.where(served > 0, served, 1.0), 0.0)
    return np.maximum(revisit_s, stretched)


def held_in_track(history: ArrayLike) -> BoolArray:
    """Truth-based track proxy: detected in at least 2 of the last 3 looks.

    Parameters
    ----------
    history
        ``(n,)`` integers whose bit 0 is the outcome of the newest look (1 = detected),
        bit 1 the one before, bit 2 the one before that; higher bits are ignored.  A
        target with fewer than three looks has zeros for the missing ones.
    """
    return np.asarray(np.bitwise_count(np.asarray(history, np.int64) & 7) >= 2)


def search_crossed(phase: float, advance: float, u: ArrayLike) -> BoolArray:
    """Whether the search raster, moving from ``phase`` by ``advance`` (fractions of a
    frame, wrapping at 1), passes positions ``u`` in [0, 1).

    The raster covers the half-open interval (phase, phase + advance] modulo 1, so
    consecutive ticks cover every position exactly once per frame.
    """
    pos = np.asarray(u, float)
    if advance >= 1.0:
        return np.ones(pos.shape, bool)
    ahead = np.mod(pos - phase, 1.0)
    return np.asarray((ahead > 0.0) & (ahead <= advance))


def radar_search_position(faces: int, heading: ArrayLike, az: ArrayLike) -> F64:
    """Position of directions in the search raster, in [0, 1).

    Each of ``faces`` fixed faces scans its own sector of 2π/faces centred on its
    boresight (face i at ``heading + 2πi/faces``), all in step, so the position is the
    azimuth across the serving sector; a rotating or omnidirectional antenna
    (``faces = 0``) sweeps the full circle from ``heading``.  Elevation is not
    rastered: a direction is passed once per frame.
    """
    f = max(int(faces), 1)
    half = 0.5 if faces > 0 else 0.0
    rel = np.asarray(az, float) - np.asarray(heading, float)
    return np.asarray(np.mod(f * rel / (2.0 * np.pi) + half, 1.0))


def ration(due: BoolArray, priority: ArrayLike, capacity: int) -> BoolArray:
    """Serve at most ``capacity`` of the ``due`` targets, lowest ``priority`` first.

    Ties are broken by index (stable), so the result is deterministic.
    """
    served = np.zeros(due.shape, bool)
    idx = due.nonzero()[0]
    if capacity <= 0 or idx.size == 0:
        return served
    if idx.size > capacity:  # (else all are served: no sort)
        idx = idx[np.argsort(np.asarray(priority, float)[idx], kind="stable")[:capacity]]
    served[idx] = True
    return served


#: :func:`held_in_track` of the histories 0..7
_HELD_OF_HISTORY = np.array([bin(h).count("1") >= 2 for h in range(8)])


class LoadRow(NamedTuple):
    """One radar's load at one tick (a row of the load timeline)."""

    n_in_track: int
    track_occupancy: float  #: demanded track load, fraction of the radar's time
    search_frame_s_effective: float
    track_revisit_s_effective: float
    frame_fraction: float  #: fraction of a search frame scanned during the tick


class RadarScheduler:
    """Steps one radar's time line over ``n`` targets (rows).

    Parameters
    ----------
    n
        Number of targets.
    dwell_s, search_frame_s, track_revisit_s, budget
        The radar's time-line parameters (see the module docstring).
    min_search_share
        Share of the budget search keeps when saturated.

    Notes
    -----
    Each tick: :meth:`plan` says which targets get a look (track dwells for held
    targets that are due, rationed; search looks where the raster passes); the caller
    draws detections and hands the outcomes to :meth:`record`.  With the compiled path
    on (:func:`tate.jit.enabled` at construction) both run as one kernel call each
    (:mod:`tate.sensors._radar_jit`) on the same state arrays.
    """

    def __init__(self, n: int, dwell_s: float, search_frame_s: float, track_revisit_s: float,
                 budget: float, min_search_share: float = MIN_SEARCH_SHARE) -> None:
        self.dwell_s = dwell_s
        self.search_frame_s = search_frame_s
        self.track_revisit_s = track_revisit_s
        self.budget = budget
        self.min_search_share = min_search_share
        self.history = np.zeros(n, np.int64)  # look outcomes, newest in bit 0
        self.held = np.zeros(n, bool)
        self.next_due = np.zeros(n)
        self.last_track_look = np.zeros(n)
        self.credit = 0.0
        self.phase = 0.0
        #: the compiled kernels (:mod:`tate.sensors._radar_jit`), or None for numpy
        self.kernels = jit.Kernels("tate.sensors._radar_jit") if jit.enabled() else None
        #: (dwell_s, search_frame_s, track_revisit_s, budget, min_search_share) for the
        #: kernels, fixed at construction
        self.par = np.array([dwell_s, search_frame_s, track_revisit_s, budget,
                             min_search_share], float)

    def plan(self, t: float, dt: float, alive: BoolArray, u: F64, priority: F64
             ) -> tuple[BoolArray, BoolArray, LoadRow]:
        """Looks during the tick ending at ``t``.

        Parameters
        ----------
        t, dt
            End of the tick and its length [s].
        alive
            ``(n,)`` targets in flight (the others are dropped from track).
        u
            ``(n,)`` position of each target in the search raster, in [0, 1).
        priority
            ``(n,)`` rationing order, lowest first (e.g. range [m]).

        Returns
        -------
        track_look, search_look
            ``(n,)`` bool; at most one look per target per tick.
        load
            The radar's load during the tick.
        """
        if self.kernels is not None:
            track, search = np.empty(alive.shape, bool), np.empty(alive.shape, bool)
            self.credit, self.phase, *row = self.kernels.plan(
                t, dt, alive, u, priority, self.history, self.held, self.next_due,
                self.last_track_look, self.credit, self.phase, self.par, track, search)
            return track, search, LoadRow(*row)
        self._drop(t, alive)
        held = self.held
        n_track = int(np.count_nonzero(held))
        # the scalar forms of track_occupancy, served_track_load, search_frame_effective
        # and track_revisit_effective (this runs once per tick)
        occ = n_track * self.dwell_s / self.track_revisit_s
        served = min(occ, (1.0 - self.min_search_share) * self.budget)
        frame = self.search_frame_s / (1.0 - served / self.budget)
        revisit = max(self.track_revisit_s, n_track * self.dwell_s / served if served > 0
                      else 0.0)
        per_tick = served * dt / self.dwell_s
        self.credit = min(self.credit + per_tick, per_tick + 1.0)
        advance = dt / frame
        search = alive & search_crossed(self.phase, advance, u)
        self.phase = (self.phase + advance) % 1.0  # Python's float mod is np.mod's
        if n_track == 0:  # nothing held: no track dwell, search may look anywhere
            return np.zeros(held.shape, bool), search, LoadRow(n_track, occ, frame, revisit,
                                                               advance)
        due = held & (self.next_due <= t + 1e-9)
        track = ration(due, priority, math.floor(self.credit + 1e-9))
        n_dwells = int(np.count_nonzero(track))
        if n_dwells:
            self.credit -= float(n_dwells)
            self.next_due[track] = t + self.track_revisit_s
            self.last_track_look[track] = t
        search &= ~held
        return track, search, LoadRow(n_track, occ, frame, revisit, advance)

    def record(self, t: float, looked: BoolArray, detected: BoolArray) -> None:
        """Record the outcomes of the looks of a tick (``detected`` ⊆ ``looked``)."""
        if self.kernels is not None:
            self.kernels.record(t, looked, detected, self.history, self.held, self.next_due,
                                self.last_track_look, self.track_revisit_s)
            return
        history = self.history
        np.copyto(history, ((history << 1) | detected) & 7, where=looked)
        now = _HELD_OF_HISTORY[history & 7]  # held_in_track(history), by table
        new = now > self.held  # now & ~held
        if np.count_nonzero(new):
            self.next_due[new] = t + self.track_revisit_s
            self.last_track_look[new] = t
        self.held = now

    def _drop(self, t: float, alive: BoolArray) -> None:
        """Forget targets no longer in flight and tracks coasted too long without a dwell."""
        gone = self.held & (t - self.last_track_look > COAST_REVISITS * self.track_revisit_s)
        gone |= ~alive
        self.held[gone] = False
        self.history[gone] = 0
