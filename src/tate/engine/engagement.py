"""One defended raid, tick by tick: :class:`Engagement`.

Tick order (DESIGN.md §1), each tick t → t + dt:

1. **truth** — the raid's threats are flown once before the run with
   :func:`tate.flight.fly.fly` (a threat's plan does not depend on the defence; a kill
   ends it) and read at any instant from :class:`~tate.engine.truth.TruthStore`;
2. **sense** — the sensors' detections of the whole flight are drawn once, each sensor
   from its own random stream (:func:`tate.sensors.simulate.simulate_detections`), and
   the tick's detections are released in time order, less those of threats already
   killed;
3. **track** — every radar scan of the tick goes to one :class:`~tate.tracking.tracker.Tracker`
   (centralised fusion in the local ENU frame of the first ship; each radar measures in
   its own ENU axes);
4. **decide**, 5. **act**, 6. **assess** — threat evaluation, engageability, weapon
   assignment, launches, interceptor flight, railgun charging from the ship's plant and
   kill assessment (:mod:`tate.engine.defence`).

A run ends ``terminated`` when every threat has been killed or has ended its flight,
``truncated`` at the scenario's time limit.  Units: s, m, rad inside; tables name their
units.  Randomness: the scenario's distributions and each sensor draw from streams
spawned from the run's seed, so the same scenario and seed give bit-identical tables.
"""

from __future__ import annotations

import time as _time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import repeat
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.engine.result import RunResult
from tate.engine.truth import TruthStore
from tate.tracking.tracker import TrackerConfig

__all__ = ["Engagement", "EngineConfig"]

F64 = NDArray[np.float64]


def _default_tracker() -> TrackerConfig:
    # hypersonic and ballistic threats at long range: metres-to-kilometres noise, km/s
    # speeds; IMM-free CV with a large q keeps the engine cheap (see bench/imm_vs_cv.py).
    # Several radars report every tick but revisit a far target only once a search frame
    # (seconds), so confirmation and deletion are by time: 3 detections within 20 s,
    # deleted after 20 s without one.
    return TrackerConfig(dim=3, motion="cv", q=1000.0, meas_std=50.0, init_speed=3000.0,
                         confirm_m=3, confirm_n=4, delete_after=6, max_pos_std=30_000.0,
                         confirm_window_s=20.0, delete_after_s=20.0)


IMM_Q = 100.0  #: process noise of the IMM's modes when ``c2.predictor = "imm"`` [m²/s³]


def _tracker_config(base: TrackerConfig, scenario: Any) -> TrackerConfig:
    """The engine's tracker settings in 3-D; with ``c2.predictor = "imm"`` the filter is the
    IMM (constant velocity, coordinated turn, high-noise constant velocity) whose own
    prediction the fire control then uses (:mod:`tate.predict.paths`)."""
    if getattr(getattr(scenario, "c2", None), "predictor", "") == "imm":
        return replace(base, dim=3, motion="imm", q=IMM_Q)
    return replace(base, dim=3)


@dataclass(frozen=True)
class EngineConfig:
    """Engine settings."""

    dt: float = 0.5  #: tick, also the radars' look interval [s]
    flight_dt: float = 0.2  #: integration step of the threats [s]
    record_s: float = 0.2  #: truth sampling interval (a multiple of ``flight_dt``) [s]
    tracker: TrackerConfig = field(default_factory=_default_tracker)
    gospa_c: float = 5000.0  #: GOSPA cut-off of the track-quality record [m]

    def __post_init__(self) -> None:
        if not 0 < self.dt <= 10:
            raise ValueError(f"dt must be in (0, 10] s, got {self.dt}")


@dataclass
class _Scans:
    """The radar detections of the run, grouped in (time, sensor) scans."""

    time: F64
    sensor: NDArray[Any]
    z: F64  #: (p, 3) range [m], az, el [rad]
    R: F64  #: (p, 3, 3)
    truth: NDArray[np.intp]  #: threat row, −1 for a false alarm
    starts: NDArray[np.intp]


def _in_scan_order(t: F64, sensor: NDArray[Any], new_sensor: NDArray[np.bool_]) -> bool:
    """Whether detections at times ``t`` [s] from sensors ``sensor`` (ids) are sorted by
    time, then sensor id (``new_sensor``: the sensor differs from the row before)."""
    dt = np.diff(t)
    if (dt < 0).any() or np.isnan(t).any():
        return False
    tie = np.flatnonzero((dt == 0) & new_sensor)
    a, b = sensor[tie], sensor[tie + 1]
    if not all(isinstance(x, str) for x in {*a.tolist(), *b.tolist()}):
        a, b = a.astype(str), b.astype(str)
    return bool((a < b).all())  # (Python's str order: the code points', as numpy's)


#: ``np.count_nonzero`` of a whole array without its Python wrapper (the same count)
_count_nonzero: Callable[[Any], Any] = getattr(getattr(getattr(np, "_core", None), "multiarray",
                                                       None), "count_nonzero", np.count_nonzero)

_NO_ROW = int(np.iinfo(np.intp).max)  #: :attr:`Engagement._first_row` of a threat not seen yet


class Engagement:
    """A defended raid: construct with a scenario and a seed, then :meth:`run` (or
    :meth:`step` until :attr:`done`)."""

    def __init__(self, scenario: Any, seed: int | None = None,
                 config: EngineConfig | None = None) -> None:
        from tate.flight.fly import fly
        from tate.flight.run import sample_for_run
        from tate.scenario.sampler import uncertain_fields
        from tate.sensors.windows import WindowedSensing
        from tate.tracking.files import sensors_from_columns
        from tate.tracking.tracker import Tracker

        self.config = config or EngineConfig()
        c = self.config
        self.scenario, self.seed = sample_for_run(scenario, seed)
        # the rocket and glider entries drawn per run fly alone: the others' flight is
        # remembered from run to run (tate.flight.fly)
        drawn = {int(f.loc[1]) for f in uncertain_fields(scenario) if f.loc[0] == "threats"}
        self.flight = fly(self.scenario, dt=c.flight_dt, record_s=c.record_s, seed=self.seed,
                          alone=drawn)
        self.truth = TruthStore.from_flight(self.flight)
        #: the sensors' detections, simulated in windows as the run advances (:meth:`_sense`)
        self.sensing = WindowedSensing(self.scenario, self.flight, self.seed, dt_s=c.dt)
        self.sensors = sensors_from_columns(self.sensing.sensors, self.sensing.origin)
        self.origin = self.sensing.origin
        self._sensors_from = sensors_from_columns
        #: per row of the sensing's targets, its threat row (a last −1: false alarms')
        index = {name: j for j, name in enumerate(self.truth.ids.tolist())}
        self._body_truth = np.array([index.get(i, -1) for i in
                                     self.sensing.targets["target_id"].tolist()] + [-1],
                                    dtype=np.intp)
        #: the windows' scans made by the compiled twin of the detection table and
        #: :meth:`_radar_scans` (:meth:`~tate.sensors.windows.WindowedSensing.advance_scans`)
        self._direct_scans = jit.enabled()
        self.scans = _Scans(np.empty(0), np.empty(0, object), np.empty((0, 3)),
                            np.empty((0, 3, 3)), np.empty(0, np.intp), np.zeros(1, np.intp))
        self.tracker = Tracker(_tracker_config(c.tracker, self.scenario))
        #: further trackers fed the same scans as :attr:`tracker` (comparisons, training
        #: data); the defence sees only :attr:`tracker`
        self.shadow_trackers: list[Tracker] = []
        n = self.truth.n
        self.t = float(np.floor(self.truth.t_first.min() / c.dt) * c.dt) if n else 0.0
        self.t_end = float(min(self.scenario.time_limit_s,
                               self.truth.t_last.max() if n else 0.0))
        self.killed = np.zeros(n, dtype=bool)
        self.kill_time = np.full(n, np.nan)
        self.killed_by = np.full(n, "", dtype=object)
        self.kill_layer = np.full(n, "", dtype=object)
        self.first_detected = np.full(n, np.nan)
        self._first_held = np.full(n, np.nan)
        self._next_scan = 0
        #: per scan (as Python numbers): first row, time [s], sensor id
        self._scan_starts: list[int] = [0]
        self._scan_times: list[float] = []
        self._scan_sids: list[str] = []
        #: the same as arrays, and each scan's sensor as a row of :attr:`_site_ids`
        self._scan_bounds = np.zeros(1, np.intp)
        self._scan_time_arr = np.empty(0)
        self._site_ids: list[str] = []
        self._scan_site = np.empty(0, np.intp)
        #: the columns of :attr:`scans` (time, sensor, z, R, truth) with room to grow:
        #: :attr:`scans` holds views of their filled rows (:meth:`_sense`)
        self._scan_buf: tuple[NDArray[Any], ...] = ()
        #: positions and rotations of the sensors of :attr:`_site_ids`, once all are fixed
        self._sites: tuple[F64, F64] | None = None
        #: per detection row: not of a threat killed by its time, as of the kill count
        self._alive = np.ones(0, dtype=bool)
        self._n_killed = 0
        self._fixed_sites: dict[str, tuple[F64, F64]] = {}
        self._undetected = bool(n)  #: some threat not yet detected
        #: per threat, its first detection row among the rows simulated (none yet:
        #: :data:`_NO_ROW`); the rows before :attr:`_fresh_from` (the least of those of
        #: the threats not yet detected) can detect no threat first
        self._first_row = np.full(n, _NO_ROW, dtype=np.intp)
        self._fresh_from = _NO_ROW if n else 0
        self._ended = np.zeros(n, dtype=bool)
        self.events: list[tuple[float, str, str, str]] = []
        #: the track-quality record so far: its columns per flush (:meth:`quality_columns`)
        self._quality: list[tuple[NDArray[Any], ...]] = []
        #: ticks whose track-quality record is still to compute: (t, live threats,
        #: confirmed track positions)
        self._quality_due: list[tuple[float, NDArray[np.intp], F64]] = []
        self.wall = 0.0
        #: launch and end times of the threats [s] (the truth store's, read once)
        self._t_span = (self.truth.t_first, self.truth.t_last)
        #: the threats by end time (stable), their sorted end and launch times as Python
        #: floats, and the next in end order not yet past (:meth:`_end_flights`)
        self._end_order: list[int] = np.argsort(self.truth.t_last, kind="stable").tolist()
        self._t_last_sorted: list[float] = self.truth.t_last[self._end_order].tolist()
        self._t_first_sorted: list[float] = sorted(self.truth.t_first.tolist())
        self._end_next = 0
        #: :meth:`_live`'s last answer with the times between which its (launched, ended)
        #: counts hold and the killed count; :attr:`done`'s with its (ended, killed) counts
        self._live_memo: tuple[float, float, float, float, int, NDArray[np.intp]] | None = None
        self._over_memo: tuple[tuple[int, int], bool] | None = None
        #: a threat neither killed nor ended at :attr:`done`'s last ask and its end time
        #: (the latest such), None: none: while it stays so, the run is not over
        self._over_witness: tuple[int, float] | None = None
        self._n_ends = n  #: the length of :attr:`_t_last_sorted`
        #: the track-quality record by the compiled GOSPA (:mod:`tate.tracking._gospa_jit`)
        self._jit = jit.enabled()
        for j in np.argsort(self.truth.t_first, kind="stable").tolist():
            self.events.append((float(self.truth.t_first[j]), "launch",
                                str(self.truth.ids[j]), str(self.truth.model[j])))
        from tate.engine.defence import Defence

        self.defence = Defence(self)
        self.weapons_wired = True

    # -- setup ------------------------------------------------------------------------------
    def _radar_scans(self, det: dict[str, NDArray[Any]], body_rows: NDArray[np.intp] | None
                     ) -> _Scans:
        """The radar scans of detection rows ``det`` (a table of
        :func:`~tate.sensors.simulate.simulate_detections`' columns; ``body_rows``: each
        row's target row, −1 a false alarm, None: looked up by ``truth_id``)."""
        rng_m = np.asarray(det["range_m"], float)
        ok = np.isfinite(rng_m)
        every = bool(ok.all())  # (as a rule: no mask, no copies)

        def col(key: str, dtype: Any = float) -> NDArray[Any]:
            a = np.asarray(det[key], dtype)
            return a if every else a[ok]

        t, sensor = col("time_s"), col("sensor_id", object)
        z = np.empty((t.size, 3))
        z[:, 0], z[:, 1], z[:, 2] = col("range_m"), np.radians(col("az_deg")), \
            np.radians(col("el_deg"))
        R = np.zeros((t.size, 3, 3))  # diagonal
        R[:, 0, 0] = col("range_std_m") ** 2
        R[:, 1, 1] = np.radians(col("az_std_deg")) ** 2
        R[:, 2, 2] = np.radians(col("el_std_deg")) ** 2
        if body_rows is not None:  # sensing's rows: a small lookup
            # (−1, a false alarm, reads the last entry: −1)
            truth = self._body_truth[body_rows if every else body_rows[ok]]
        else:
            index = {name: j for j, name in enumerate(self.truth.ids.tolist())}
            truth = np.fromiter(map(index.get, np.asarray(det["truth_id"], object)[ok].tolist(),
                                    repeat(-1)), dtype=np.intp, count=t.size)
        new_sensor = sensor[1:] != sensor[:-1]
        if not _in_scan_order(t, sensor, new_sensor):  # (sensing gives them in this order)
            order = np.lexsort((sensor.astype(str), t))
            t, sensor, z, R, truth = t[order], sensor[order], z[order], R[order], truth[order]
            new_sensor = sensor[1:] != sensor[:-1]
        change = (np.diff(t) != 0) | new_sensor
        starts = np.concatenate([[0], np.flatnonzero(change) + 1, [t.size]]).astype(np.intp)
        return _Scans(t, sensor, z, R, truth, starts)

    # -- stepping ---------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """Whether the run has ended (every threat killed or ended, or the time limit)."""
        t = self.t
        if t >= self.t_end - 1e-9:
            return True
        # every threat killed or ended? not while the witness threat is neither
        w = self._over_witness
        if w is not None and not w[1] <= t + 1e-9 and not self.killed[w[0]]:
            return False
        # the answer changes only with the number of threats ended by t (t_last ≤ t + 1e-9)
        # or killed
        key = (bisect_right(self._t_last_sorted, t + 1e-9), int(_count_nonzero(self.killed)))
        memo = self._over_memo
        if memo is None or memo[0] != key:
            tl = self.truth.t_last
            over = self.killed | (tl <= t + 1e-9)
            memo = self._over_memo = (key, bool(over.all()))
            self._over_witness = None
            if not memo[1]:  # the one of the latest end (the first of those)
                rest = np.flatnonzero(~over)
                j = int(rest[np.argmax(tl[rest])])
                self._over_witness = (j, float(tl[j]))
        return memo[1] and not self.defence.pool.any_active() and not self.defence.pending

    def step(self) -> None:
        """Advance one tick."""
        start = _time.perf_counter()
        t0 = self.t
        t1, t_end = t0 + self.config.dt, self.t_end
        if t_end < t1:  # (as min(t1, t_end))
            t1 = t_end
        self.track(t0, t1)
        self.defence.tick(t0, t1)
        self._record_quality(t1)
        k = self._end_next  # (:meth:`_end_flights` when a flight ends by t1)
        if k < self._n_ends and self._t_last_sorted[k] <= t1 + 1e-9:
            self._end_flights(t0, t1)
        self.t = t1
        self.wall += _time.perf_counter() - start

    def run(self, progress: Callable[[float, float], None] | None = None, *,
            lazy: bool = False) -> RunResult:
        """Step to the end and return the result (``lazy``: see :meth:`result`)."""
        while not self.done:
            self.step()
            if progress is not None:
                progress(self.t, self.t_end)
        return self.result(lazy=lazy)

    def track(self, t0: float, t1: float) -> None:
        """Feed the tracker every radar scan up to ``t1`` (the engine's sense and track
        stages alone; :meth:`step` also runs the defence), all of them in one
        :meth:`~tate.tracking.tracker.Tracker.ingest_scans`; a killed threat's detections
        from its kill on are left out, and a scan left empty."""
        while self.sensing.t_done < t1 + 1e-9 and not self.sensing.finished:
            self._sense()
        i0 = self._next_scan
        i1 = bisect_right(self._scan_times, t1 + 1e-9, i0)
        if i1 == i0:
            return
        self._next_scan = i1
        sc = self.scans
        a, b = self._scan_starts[i0], self._scan_starts[i1]
        bounds = self._scan_bounds[i0:i1 + 1]  # (rows of the whole table: no offset)
        times = self._scan_time_arr[i0:i1]
        rows = self._alive_rows(a, b)
        if self._undetected and b > self._fresh_from:
            self._first_detections(times, bounds - a, sc.truth[a:b], rows, i0)
        alive = None if rows is None else self._alive  # (flags read at rows a:b only)
        site, site_pos, site_rot = self._scan_sites(times, i0, i1)
        z, R = sc.z, sc.R
        self.tracker.ingest_scans(times, bounds, z, R, site, site_pos, site_rot, alive)
        for tracker in self.shadow_trackers:
            tracker.ingest_scans(times, bounds, z, R, site, site_pos, site_rot, alive)

    def _sense(self) -> None:
        """Simulate the sensors' next window and append its radar scans to :attr:`scans`
        and the per-scan lists; the threats first seen in it get their first row."""
        if self._direct_scans:  # (the same columns, without the detection table)
            t, sensor, z, R, body, starts = self.sensing.advance_scans()
            part = _Scans(t, sensor, z, R, self._body_truth[body], starts)
        else:
            part = self._radar_scans(*self.sensing.advance())
        if self.sensing.moving:
            self.sensors = self._sensors_from(self.sensing.sensors, self.origin)
            self._sites = None
        if not part.time.size:
            return
        sc, off = self.scans, self.scans.time.size
        end = off + part.time.size
        cols = (part.time, part.sensor, part.z, part.R, part.truth)
        buf = self._scan_buf
        if not buf or buf[0].size < end:  # (room for the rows to come: doubled)
            size = max(2 * end, 4096)
            grown = tuple(np.empty((size, *c.shape[1:]), c.dtype) for c in cols)
            for new, old in zip(grown, (sc.time, sc.sensor, sc.z, sc.R, sc.truth),
                                strict=True):
                new[:off] = old
            buf = self._scan_buf = grown
        for b, c in zip(buf, cols, strict=True):
            b[off:end] = c
        self.scans = _Scans(buf[0][:end], buf[1][:end], buf[2][:end], buf[3][:end],
                            buf[4][:end], np.concatenate([sc.starts[:-1], part.starts + off]))
        first = part.starts[:-1]
        self._scan_starts += (part.starts[1:] + off).tolist()
        self._scan_times += part.time[first].tolist()
        sids = [str(x) for x in part.sensor[first].tolist()]
        self._scan_sids += sids
        self._scan_bounds = np.asarray(self.scans.starts, dtype=np.intp)
        self._scan_time_arr = np.concatenate([self._scan_time_arr, part.time[first]])
        fresh = [s for s in dict.fromkeys(sids) if s not in self._site_ids]
        if fresh:
            self._site_ids += fresh
            self._sites = None
        where = {sid: k for k, sid in enumerate(self._site_ids)}
        self._scan_site = np.concatenate([self._scan_site,
                                          np.array([where[s] for s in sids], dtype=np.intp)])
        self._alive = np.concatenate([self._alive, np.ones(part.time.size, bool)])
        self._n_killed = -1  # (the new rows' flags: recomputed on the next ask)
        if not (self._first_row == _NO_ROW).any():  # every threat seen: first rows and
            return  # _fresh_from (its last value, made from them) stay as they are
        seen, first_row = np.unique(part.truth, return_index=True)
        new = (seen >= 0) & (self._first_row[np.maximum(seen, 0)] == _NO_ROW)
        self._first_row[seen[new]] = first_row[new] + off
        if self._undetected:
            self._fresh_from = int(self._first_row[np.isnan(self.first_detected)].min())

    def _alive_rows(self, a: int, b: int) -> NDArray[np.bool_] | None:
        """Which detections of rows ``a:b`` are not of a threat already killed at their
        time (None: no kill yet); the flags are updated when the kills change, from row
        ``a`` on (the scans are fed in time order: rows before ``a`` are not asked again)."""
        n_killed = int(np.count_nonzero(self.killed))
        if n_killed == 0:
            return None
        if n_killed != self._n_killed:
            sc = self.scans
            truth = sc.truth[a:]
            real = np.maximum(truth, 0)
            dead = (truth >= 0) & self.killed[real] & (self.kill_time[real] <= sc.time[a:])
            np.logical_not(dead, out=self._alive[a:])
            self._n_killed = n_killed
        return self._alive[a:b]

    def _first_detections(self, times: F64, bounds: NDArray[np.intp],
                          truth: NDArray[np.intp], alive: NDArray[np.bool_] | None,
                          first: int) -> None:
        """Mark the threats first seen in scans ``first, first + 1, …`` (their ``alive``
        rows ``bounds[k]:bounds[k+1]`` of ``truth``: threat rows, −1 false alarms), one
        event each, in scan order."""
        seen = truth if alive is None else truth[alive]
        seen = seen[seen >= 0]
        if not np.isnan(self.first_detected[seen]).any():
            return
        for k, ts in enumerate(times.tolist()):
            rows = truth[bounds[k]:bounds[k + 1]]
            if alive is not None:
                rows = rows[alive[bounds[k]:bounds[k + 1]]]
            seen = rows[rows >= 0]
            fresh = seen[np.isnan(self.first_detected[seen])]
            if fresh.size:
                self.first_detected[fresh] = ts
                sid = self._scan_sids[first + k]
                for j in np.unique(fresh).tolist():
                    self.events.append((ts, "first-detection", str(self.truth.ids[j]), sid))
                undetected = np.isnan(self.first_detected)
                self._undetected = bool(undetected.any())
                if self._undetected:
                    self._fresh_from = int(self._first_row[undetected].min())
                if not self._undetected:
                    return

    def _scan_sites(self, times: F64, i0: int, i1: int
                    ) -> tuple[NDArray[np.intp], F64, F64]:
        """Per scan ``i0:i1``, its sensor's row in a table of sensor positions ``(k, 3)``
        and rotations ``(k, 3, 3)`` (:meth:`_site`): the fixed sites' table is built once;
        with a moving sensor, one row per scan."""
        if self._sites is None:
            sids = self._site_ids
            if not all(self.sensors.tracks[sid][0].size == 1 for sid in sids):
                rows = [self._site(sid, t) for sid, t in
                        zip(self._scan_sids[i0:i1], times.tolist(), strict=True)]
                return (np.arange(len(rows), dtype=np.intp),
                        np.array([p for p, _ in rows]), np.array([r for _, r in rows]))
            rows = [self._site(sid, 0.0) for sid in sids]
            self._sites = (np.array([p for p, _ in rows]), np.array([r for _, r in rows]))
        return self._scan_site[i0:i1], self._sites[0], self._sites[1]

    def _site(self, sid: str, t: float) -> tuple[F64, F64]:
        """Position and rotation of sensor ``sid`` at ``t``; those of a fixed site are
        computed once (kept read-only)."""
        fixed = self._fixed_sites.get(sid)
        if fixed is not None:
            return fixed
        pos, rot = self.sensors.position(sid, t), self.sensors.rotation(sid, t)
        if self.sensors.tracks[sid][0].size == 1:
            pos, rot = np.array(pos, dtype=float), np.array(rot, dtype=float)
            pos.setflags(write=False)
            rot.setflags(write=False)
            self._fixed_sites[sid] = (pos, rot)
        return pos, rot

    def _live(self, t: float) -> NDArray[np.intp]:
        """Threat rows flying at ``t`` and not killed (:meth:`TruthStore.flying`, with the
        store's launch and end times read once)."""
        # the rows change only with the number launched (t_first ≤ t), ended (t_last < t)
        # or killed; the last answer is kept (read-only) with the times between which
        # those numbers hold and the number killed
        n_killed = _count_nonzero(self.killed)
        memo = self._live_memo
        if memo is not None:
            f0, f1, l0, l1, n, live = memo
            if f0 <= t < f1 and l0 < t <= l1 and n == n_killed:
                return live
        first, last = self._t_first_sorted, self._t_last_sorted
        a, b = bisect_right(first, t), bisect_left(last, t)
        tf, tl = self._t_span
        live = np.flatnonzero((tf <= t) & (t <= tl) & ~self.killed)
        live.setflags(write=False)
        inf = float("inf")
        self._live_memo = (first[a - 1] if a else -inf, first[a] if a < len(first) else inf,
                           last[b - 1] if b else -inf, last[b] if b < len(last) else inf,
                           n_killed, live)
        return live

    def _enu(self, pos_ecef: F64) -> F64:
        from tate.earth import wgs84

        lat, lon, alt = self.origin
        return np.asarray(wgs84.ecef_to_enu(pos_ecef, np.radians(lat), np.radians(lon), alt))

    def _record_quality(self, t: float) -> None:
        """Keep what the track-quality record of tick ``t`` needs; :meth:`_flush_quality`
        computes it (GOSPA against the truth) for many ticks at once."""
        self._quality_due.append((t, self._live(t), self.tracker.confirmed_positions()))

    def _flush_quality(self) -> None:
        """The GOSPA record and first-held times of the ticks kept so far, in tick order;
        the truth of all of them interpolated and turned to ENU in one call, and their
        GOSPA in one call (:func:`~tate.tracking.metrics.gospa_stacked`)."""
        from tate.engine.quality import quality_sets

        due, self._quality_due = self._quality_due, []
        if not due:
            return
        ts, lives, ests = zip(*due, strict=True)  # (per tick: t, live rows, estimates)
        n_live = list(map(len, lives))
        bodies = np.concatenate(lives)
        times = np.repeat(np.array(ts, float), n_live)
        truth_enu = self._enu(self.truth.sample(bodies, times)[0]) if bodies.size else \
            np.empty((0, 3))
        c = self.config.gospa_c
        est = np.concatenate(ests)
        if not (self._jit and np.isfinite(truth_enu).all() and np.isfinite(est).all()):
            cols, found = quality_sets(due, truth_enu, c, self._first_held, self.truth.ids)
            self._quality.append(cols)  # (the reference: gospa's checks raise there)
            self.events += found
            return
        from tate.tracking.metrics import _check_params, gospa_stacked

        _check_params(c, 1.0)

        t_off = np.zeros(len(due) + 1, dtype=np.intp)
        e_off = np.zeros(len(due) + 1, dtype=np.intp)
        n_est = list(map(len, ests))
        np.cumsum(n_live, out=t_off[1:])
        np.cumsum(n_est, out=e_off[1:])
        dist, loc, miss, false, assign = gospa_stacked(truth_enu, t_off, est, e_off, c,
                                                       compiled=True)
        held = assign >= 0
        hb, ht = bodies[held], times[held]
        _, first = np.unique(hb, return_index=True)
        first = np.sort(first[np.isnan(self._first_held[hb[first]])])
        self._first_held[hb[first]] = ht[first]
        ids = self.truth.ids
        for j, t in zip(hb[first].tolist(), ht[first].tolist(), strict=True):
            self.events.append((t, "track-held", str(ids[j]), ""))
        self._quality.append((np.array(ts, float), np.array(n_live, np.int64),
                              np.array(n_est, np.int64), dist, loc, miss, false))

    @property
    def quality(self) -> list[tuple[float, int, int, float, float, float, float]]:
        """Track quality per tick: (t, threats flying, confirmed tracks, GOSPA distance,
        localisation, missed, false)."""
        return list(zip(*(c.tolist() for c in self.quality_columns()), strict=True))

    def quality_columns(self) -> tuple[NDArray[Any], ...]:
        """:attr:`quality` as its seven columns (the counts int64, the rest float)."""
        from tate.engine.quality import QUALITY_KINDS

        self._flush_quality()
        if len(self._quality) != 1:
            self._quality = [tuple(np.concatenate([c[i] for c in self._quality]).astype(k)
                                   if self._quality else np.empty(0, k)
                                   for i, k in enumerate(QUALITY_KINDS))]
        return self._quality[0]

    @property
    def first_held(self) -> F64:
        """When each threat was first held by a confirmed track [s] (NaN: never)."""
        self._flush_quality()
        return self._first_held

    def _end_flights(self, t0: float, t1: float) -> None:
        """Mark the threats not killed whose flight ended by ``t1`` (one event each, in row
        order); each threat is looked at once, at the first tick its end is reached."""
        k0 = self._end_next
        k1 = bisect_right(self._t_last_sorted, t1 + 1e-9, k0)
        if k1 == k0:
            return
        self._end_next = k1
        tl, killed = self.truth.t_last, self.killed
        for j in sorted(self._end_order[k0:k1]):
            if self._ended[j] or killed[j]:
                continue
            self._ended[j] = True
            kind = "impact" if self.truth.impacted[j] else "flying-at-limit"
            self.events.append((float(tl[j]), kind, str(self.truth.ids[j]), ""))

    # -- result -----------------------------------------------------------------------------
    def result(self, *, lazy: bool = False) -> RunResult:
        """The frozen result of the run so far; ``lazy``: the tables the summary does not
        need are built on first access (a study's runs; do not step further before)."""
        from tate.engine.result import build_result

        self._flush_quality()
        return build_result(self, lazy)
