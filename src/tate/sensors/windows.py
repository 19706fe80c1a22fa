"""Sensing in windows of look times, simulated on demand as a run advances.

:func:`tate.sensors.simulate.simulate_detections` draws a raid's detections over the whole
undefended flight at once; a defended run usually ends long before (kills end it), so most
of that work is thrown away.  :class:`WindowedSensing` keeps each radar's walk
(:class:`tate.sensors.radar_walk.RadarWalk`: its scheduler, random stream and chunk
position) and advances every radar by one window of ``window`` look times when asked
(:meth:`WindowedSensing.advance`).  The radars' draws are made look time by look time in
an order that does not depend on the chunk size, so the rows of the windows simulated so
far are those of the whole run's tables, bit for bit, in the same order (time, then
sensor id, then each sensor's order).  Infrared sensors are not windowed: each is walked
whole on the first window and its rows are handed out by time with the radars' windows.
It deep-copies and pickles (the cached truth of the windows is dropped and rebuilt).

Frames and units: as :func:`~tate.sensors.simulate.simulate_detections`' tables
(detections in each sensor's ENU/AER frame, angles in degrees, ranges in m, times in s).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.sensors import platforms as plat
from tate.sensors import simulate as sim
from tate.sensors.radar_walk import RadarWalk
from tate.sensors.tables import (
    LOAD_COLUMNS,
    Table,
    _detections,
    _load_rows,
    _Out,
    _sensor_rows,
)

__all__ = ["WINDOW", "WindowedSensing"]

F64 = NDArray[np.float64]

WINDOW = 256  #: radar look times simulated per window
_COUNTS = ("n_in_track", "n_looks")  #: the load table's integer columns


def _noop(t: float) -> None:
    """No progress report."""


def _scans(parts: list[_Out], scan_columns: Callable[..., Any]
           ) -> tuple[F64, NDArray[Any], F64, F64, NDArray[np.int64], NDArray[np.int64]]:
    """:meth:`WindowedSensing.advance_scans` of a window's rows ``parts`` (per sensor),
    ``scan_columns``: :func:`tate.sensors._scans_jit.scan_columns`."""
    names = sorted({o.sensor_id for o in parts})  # (as _detections: the same row order)
    used = [o for o in parts if o.blocks]
    if not used:
        t = np.empty(0)
        rows, rank, body = np.empty((0, 7)), np.empty(0, np.int64), np.empty(0, np.int64)
    else:
        t = np.concatenate([x for o in used for x in o.times])
        rank = np.repeat(np.array([names.index(o.sensor_id) for o in used], np.int64),
                         [sum(x.size for x in o.times) for o in used])
        rows = np.concatenate([b for o in used for b in o.blocks])
        body = np.concatenate([x for o in used for x in o.rows]).astype(np.int64)
    order = np.lexsort((rank, t))
    ts, rk, z, R, bd, starts = scan_columns(t, rows, rank, body, order)
    return ts, np.array(names, dtype=object)[rk], z, R, bd, starts


class WindowedSensing:
    """The detections of a flown raid (:func:`~tate.sensors.simulate.simulate_detections`'
    arguments), simulated a window of look times at a time.

    Attributes: ``origin`` (the track frame's), ``targets`` and ``sites`` (as
    :class:`~tate.sensors.simulate.SensorRun`'s), ``seed``, ``dt_s``, ``t_done`` (every
    detection at or before it has been handed out by :meth:`advance` [s]) and
    ``finished`` (all look times simulated).
    """

    def __init__(self, scn: Any, flight: Any, seed: int, dt_s: float = 0.5,
                 window: int | None = None) -> None:
        if not dt_s > 0:
            raise ValueError(f"dt_s must be > 0, got {dt_s}")
        truth = sim.truth_from_flight(flight, copy=False)  # (only read: no copies)
        self._truth = truth
        self._sites = sites = plat.sensor_sites(scn)
        self.origin = sim._origin(scn, sites)
        self.seed, self.dt_s = seed, dt_s
        self.window = int(WINDOW if window is None else window)  #: look times per window
        self._times = times = sim._look_grid(truth, dt_s)
        self._compiled = jit.enabled()
        self._outs = [_Out(s.sensor_id) for s in sites]
        #: per radar, its walk; per sensor, the blocks already handed out
        self._walks = [RadarWalk(site, truth, times, dt_s, sim.sensor_rng(seed, site.sensor_id),
                                 out, self.window)
                       for site, out in zip(sites, self._outs, strict=True)
                       if site.kind == "radar"]
        self._chunks: tuple[Callable[[int], Any], Callable[[int], Any]] | None = None
        self._kernels: jit.Kernels | None = None  #: :meth:`advance_scans`' (made on first use)
        self._given = [0] * len(sites)
        self._c0 = 0  #: the next window's first look time (index into the look grid)
        self._ir_done = False
        self.t_done = -np.inf
        self.finished = False
        self.targets = {"target_id": truth.ids, "model": truth.model}
        self.sites = {key: np.array([getattr(s, attr) for s in sites], dtype=object)
                      for key, attr in (("sensor_id", "sensor_id"), ("type", "kind"),
                                        ("preset", "preset"), ("platform", "platform"))}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_chunks"] = None  # (closures over caches: rebuilt on the next window)
        return state

    def _chunk_fns(self) -> tuple[Callable[[int], Any], Callable[[int], Any]]:
        """The truth and bodies of a window (:func:`tate.sensors.simulate._chunks`,
        ``_chunk_bodies``, or their compiled twin), made once."""
        if self._chunks is None:
            truth, times, w = self._truth, self._times, self.window
            if self._compiled:
                self._chunks = sim._compiled_chunks(truth, times, w)
            else:
                truth_at = sim._chunks(truth, times, w)
                self._chunks = truth_at, sim._chunk_bodies(truth, times, truth_at, w)
        return self._chunks

    @property
    def moving(self) -> bool:
        """Whether some sensor moves (its :attr:`sensors` rows grow with the windows)."""
        return any(s.moving for s in self._sites)

    def advance(self) -> tuple[Table, NDArray[np.intp]]:
        """Simulate the next window; its detections (the rows after :attr:`t_done`'s old
        value up to its new one, as the whole run's detection table orders them) and each
        row's body (a row of :attr:`targets`, −1: false alarm)."""
        return _detections(self._parts())

    def advance_scans(self) -> tuple[F64, NDArray[Any], F64, F64, NDArray[np.int64],
                                     NDArray[np.int64]]:
        """Simulate the next window (as :meth:`advance`) and return its rows as the
        tracker's scans, without the detection table: the rows of finite range in the
        table's order, their times [s], sensor ids, ``z (p, 3)`` (range [m], az, el [rad],
        the angles through the table's degrees), diagonal covariances ``R (p, 3, 3)``,
        bodies (−1: false alarm) and the scan starts ``(s + 1,)`` (the compiled
        :func:`tate.sensors._scans_jit.scan_columns`; what
        :meth:`tate.engine.engagement.Engagement._radar_scans` makes of :meth:`advance`'s
        table, bit for bit)."""
        if self._kernels is None:
            self._kernels = jit.Kernels("tate.sensors._scans_jit")
        return _scans(self._parts(), self._kernels.scan_columns)

    def _parts(self) -> list[_Out]:
        """Simulate the next window; per sensor, its rows handed out by it."""
        if self.finished:
            raise RuntimeError("every window has been simulated")
        if not self._ir_done:
            for site, out in zip(self._sites, self._outs, strict=True):
                if site.kind != "radar":
                    sim._simulate_ir(site, self._truth, sim.sensor_rng(self.seed, site.sensor_id),
                                     out, _noop)
            self._ir_done = True
        truth_at, bodies_at = self._chunk_fns()
        for walk in self._walks:
            walk.step(truth_at, bodies_at, _noop)
        self._c0 += self.window
        t0 = self.t_done
        self.finished = self._c0 >= self._times.size
        self.t_done = np.inf if self.finished else float(self._times[self._c0 - 1])
        parts = []
        for k, (site, out) in enumerate(zip(self._sites, self._outs, strict=True)):
            part = _Out(out.sensor_id)
            if site.kind == "radar":
                g, self._given[k] = self._given[k], len(out.blocks)
                part.times, part.blocks = out.times[g:], out.blocks[g:]
                part.ids, part.rows = out.ids[g:], out.rows[g:]
            else:  # (one block per frame: those of the window's times)
                for ts, b, i, r in zip(out.times, out.blocks, out.ids, out.rows, strict=True):
                    if t0 < ts[0] <= self.t_done:
                        part.add_block(ts, b, i, r)
            parts.append(part)
        return parts

    def load_until(self, t_end: float) -> Table:
        """The radars' time lines (:class:`~tate.sensors.simulate.SensorRun`'s ``load``)
        of the look times at or before ``t_end`` [s] (+1e-9) that have been simulated:
        pass the run's end time, which the windows reach, for a table that does not
        depend on the window size."""
        lim = t_end + 1e-9
        cols: list[list[NDArray[Any]]] = [[] for _ in LOAD_COLUMNS]
        sids, sizes = [], []
        for site, out in zip(self._sites, self._outs, strict=True):
            for tc, counts, load in out.load:  # (each block cut alone: no mask as a rule)
                keep = tc <= lim
                parts = (tc, counts[:, 0], *load.T, counts[:, 1])
                if not keep.all():
                    parts = tuple(p[keep] for p in parts)
                for c, p in zip(cols, parts, strict=True):
                    c.append(p)
                sids.append(site.sensor_id)
                sizes.append(parts[0].size)
        if not sids:  # (no radar: the whole run's empty columns)
            return _load_rows(self._sites, self._outs)
        table: Table = {"time_s": np.concatenate(cols[0]).astype(float),
                        "sensor_id": np.repeat(np.array(sids, dtype=object), sizes)}
        for name, c in zip(LOAD_COLUMNS[1:], cols[1:], strict=True):
            table[name] = np.concatenate(c).astype(np.int64 if name in _COUNTS else float)
        return table

    @property
    def sensors(self) -> Table:
        """The sensors' table (:class:`~tate.sensors.simulate.SensorRun`'s): a moving
        sensor's rows up to the last window simulated."""
        return _sensor_rows(self._sites, self._outs)
