"""Recent states of the confirmed tracks, kept for the trajectory predictors (issue 8).

What it models
--------------
Nothing physical: it is the defence's short memory.  At every decision the engine
records the confirmed tracks' filtered states; a predictor that fits a model to a
track's recent past (:mod:`tate.predict.glide`, the learned model) asks for each track's
states at a grid of past decision times.

Storage is a table of arrays, never one Python object per track or sample:

* a pool of ``n_slots`` time slots (the decision times still inside ``window_s``; a slot
  is freed when its time falls out of the window, and the pool doubles when every slot
  holds a live time);
* rows, one per track id that still has a sample in the window, each holding the
  positions and velocities ``(n_slots, 3)`` of its track and a flag per slot; a row whose
  samples have all expired is released, and the table is compacted when fewer than
  half of its rows are in use.

A track not recorded at a decision (not yet confirmed, or coasting unconfirmed) has no
sample at that time.

Frame and units: the tracker's local ENU frame, positions [m], velocities [m/s], times
[s], all float64.  Track ids are integers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["TIME_TOL_S", "TrackHistory"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
TIME_TOL_S = 1e-6  #: two times closer than this are the same decision [s]


class TrackHistory:
    """The confirmed tracks' states at every decision of the last ``window_s`` seconds.

    Parameters
    ----------
    window_s
        How far back samples are kept [s]: a sample at time ``s`` is dropped by the first
        :meth:`record` at ``t > s + window_s`` (within :data:`TIME_TOL_S`).
    n_slots
        Initial number of time slots (grows as needed).
    n_rows
        Initial number of track rows (grows as needed).
    """

    def __init__(self, window_s: float, n_slots: int = 16, n_rows: int = 16) -> None:
        if not window_s >= 0.0:
            raise ValueError(f"window_s must be >= 0, got {window_s}")
        if n_slots < 1 or n_rows < 1:
            raise ValueError("n_slots and n_rows must be at least 1")
        self.window_s = float(window_s)
        self._t = np.full(n_slots, np.nan)  #: time of each slot, NaN when free
        self._ids = np.full(n_rows, -1, np.int64)  #: id of each row, −1 when free
        self._pos = np.full((n_rows, n_slots, 3), np.nan)
        self._vel = np.full((n_rows, n_slots, 3), np.nan)
        self._has = np.zeros((n_rows, n_slots), dtype=bool)
        self._last = -np.inf

    # -- queries ---------------------------------------------------------------------------
    @property
    def times(self) -> F64:
        """The recorded decision times still held, ascending [s]."""
        return np.sort(self._t[np.isfinite(self._t)])

    @property
    def ids(self) -> I64:
        """The track ids with at least one sample held, ascending."""
        return np.sort(self._ids[self._ids >= 0])

    def window(self, ids: ArrayLike, times: ArrayLike) -> tuple[F64, F64, NDArray[np.bool_]]:
        """Each track's states at the given past decision times.

        Parameters
        ----------
        ids
            Track ids ``(k,)``.
        times
            Decision times ``(m,)`` [s]; a time matches a recorded one within
            :data:`TIME_TOL_S`.

        Returns
        -------
        pos, vel
            ``(k, m, 3)`` ENU positions [m] and velocities [m/s]; NaN where the track has
            no sample at that time.
        ok
            ``(k,)``: the track has a sample at every one of ``times``.
        """
        q = np.asarray(ids, np.int64).reshape(-1)
        tq = np.asarray(times, np.float64).reshape(-1)
        k, m = q.size, tq.size
        pos = np.full((k, m, 3), np.nan)
        vel = np.full((k, m, 3), np.nan)
        rows = self._rows_of(q)
        match = np.abs(tq[:, None] - self._t[None, :]) <= TIME_TOL_S  # NaN never matches
        slot = np.argmax(match, axis=1)
        has = self._has[rows[:, None], slot[None, :]]
        has &= (rows >= 0)[:, None] & match.any(axis=1)[None, :]
        r, c = np.nonzero(has)
        pos[r, c] = self._pos[rows[r], slot[c]]
        vel[r, c] = self._vel[rows[r], slot[c]]
        return pos, vel, has.all(axis=1)

    # -- recording -------------------------------------------------------------------------
    def record(self, t: float, ids: ArrayLike, pos: ArrayLike, vel: ArrayLike) -> None:
        """Store the tracks' states at decision time ``t``.

        Parameters
        ----------
        t
            Decision time [s], later than every earlier one by more than
            :data:`TIME_TOL_S`.
        ids
            Track ids ``(n,)``, distinct.
        pos, vel
            ENU positions [m] and velocities [m/s], ``(n, 3)``.

        Raises
        ------
        ValueError
            If ``t`` does not advance, an id repeats, or the shapes disagree.
        """
        t = float(t)
        q = np.asarray(ids, np.int64).reshape(-1)
        p = np.asarray(pos, np.float64).reshape(-1, 3)
        v = np.asarray(vel, np.float64).reshape(-1, 3)
        if not t > self._last + TIME_TOL_S:
            raise ValueError(f"record times must increase: {t} after {self._last}")
        if p.shape[0] != q.size or v.shape[0] != q.size:
            raise ValueError(f"{q.size} ids but pos {p.shape} and vel {v.shape}")
        ascending = q.size < 2 or bool((q[1:] > q[:-1]).all())  # the tracker's order
        if not ascending and np.unique(q).size != q.size:
            raise ValueError("track ids repeat")
        if q.size and q.min() < 0:
            raise ValueError("track ids must be >= 0")
        self._last = t
        self._expire(t)
        slot = self._free_slot()
        self._t[slot] = t
        rows = self._assign_rows(q)
        self._pos[rows, slot] = p
        self._vel[rows, slot] = v
        self._has[rows, slot] = True

    # -- internals -------------------------------------------------------------------------
    def _rows_of(self, q: I64) -> NDArray[np.intp]:
        """Row of each id, −1 for an id without a row."""
        used = np.flatnonzero(self._ids >= 0)
        out = np.full(q.size, -1, np.intp)
        if used.size == 0 or q.size == 0:
            return out
        order = used[np.argsort(self._ids[used], kind="stable")]
        keys = self._ids[order]
        at = np.minimum(np.searchsorted(keys, q), keys.size - 1)
        hit = keys[at] == q
        out[hit] = order[at[hit]]
        return out

    def _expire(self, t: float) -> None:
        """Free the slots older than the window and the rows left without samples."""
        old = np.flatnonzero(self._t < t - self.window_s - TIME_TOL_S)
        if old.size:
            self._t[old] = np.nan
            self._has[:, old] = False
        dead = (self._ids >= 0) & ~self._has.any(axis=1)
        self._ids[dead] = -1

    def _free_slot(self) -> int:
        free = np.flatnonzero(np.isnan(self._t))
        if free.size:
            return int(free[0])
        s = self._t.size
        self._t = np.concatenate([self._t, np.full(s, np.nan)])
        pad = ((0, 0), (0, s), (0, 0))
        self._pos = np.pad(self._pos, pad, constant_values=np.nan)
        self._vel = np.pad(self._vel, pad, constant_values=np.nan)
        self._has = np.pad(self._has, ((0, 0), (0, s)), constant_values=False)
        return s

    def _assign_rows(self, q: I64) -> NDArray[np.intp]:
        """Rows of the ids ``q``, giving free rows to new ids (compacting or growing the
        table first when needed)."""
        n_used = int(np.count_nonzero(self._ids >= 0))
        if self._ids.size > 16 and 2 * n_used < self._ids.size:
            self._compact()
        rows = self._rows_of(q)
        new = np.flatnonzero(rows < 0)
        if new.size:
            free = np.flatnonzero(self._ids < 0)
            if free.size < new.size:
                self._grow(new.size - free.size)
                free = np.flatnonzero(self._ids < 0)
            rows[new] = free[: new.size]
            self._ids[rows[new]] = q[new]
            self._has[rows[new]] = False
        return rows

    def _compact(self) -> None:
        keep = np.flatnonzero(self._ids >= 0)
        n = max(2 * keep.size, 16)
        ids = np.full(n, -1, np.int64)
        ids[: keep.size] = self._ids[keep]
        shape = (n, *self._pos.shape[1:])
        pos, vel = np.full(shape, np.nan), np.full(shape, np.nan)
        has = np.zeros((n, self._t.size), dtype=bool)
        pos[: keep.size], vel[: keep.size] = self._pos[keep], self._vel[keep]
        has[: keep.size] = self._has[keep]
        self._ids, self._pos, self._vel, self._has = ids, pos, vel, has

    def _grow(self, extra: int) -> None:
        n = max(self._ids.size, extra)
        self._ids = np.concatenate([self._ids, np.full(n, -1, np.int64)])
        pad = ((0, n), (0, 0), (0, 0))
        self._pos = np.pad(self._pos, pad, constant_values=np.nan)
        self._vel = np.pad(self._vel, pad, constant_values=np.nan)
        self._has = np.pad(self._has, ((0, n), (0, 0)), constant_values=False)
