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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

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


class Engagement:
    """A defended raid: construct with a scenario and a seed, then :meth:`run` (or
    :meth:`step` until :attr:`done`)."""

    def __init__(self, scenario: Any, seed: int | None = None,
                 config: EngineConfig | None = None) -> None:
        from tate.flight.fly import fly
        from tate.flight.run import sample_for_run
        from tate.sensors.simulate import simulate_detections
        from tate.tracking.files import sensors_from_columns
        from tate.tracking.tracker import Tracker

        self.config = config or EngineConfig()
        c = self.config
        self.scenario, self.seed = sample_for_run(scenario, seed)
        self.flight = fly(self.scenario, dt=c.flight_dt, record_s=c.record_s, seed=self.seed)
        self.truth = TruthStore.from_flight(self.flight)
        self.sensing = simulate_detections(self.scenario, self.flight, self.seed, dt_s=c.dt)
        self.sensors = sensors_from_columns(self.sensing.sensors, self.sensing.origin)
        self.origin = self.sensing.origin
        self.scans = self._radar_scans()
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
        first = self.scans.starts[:-1] if self.scans.time.size else np.empty(0, np.intp)
        self._scan_starts: list[int] = self.scans.starts[:first.size + 1].tolist()
        self._scan_times: list[float] = self.scans.time[first].tolist()
        self._scan_sids = [str(x) for x in self.scans.sensor[first].tolist()]
        self._scan_truth: list[int] = self.scans.truth.tolist()  #: threat row per detection
        self._fixed_sites: dict[str, tuple[F64, F64]] = {}
        self._undetected = bool(n)  #: some threat not yet detected
        self._ended = np.zeros(n, dtype=bool)
        self.events: list[tuple[float, str, str, str]] = []
        self._quality: list[tuple[float, int, int, float, float, float, float]] = []
        #: ticks whose track-quality record is still to compute: (t, live threats,
        #: confirmed track positions)
        self._quality_due: list[tuple[float, NDArray[np.intp], F64]] = []
        self.wall = 0.0
        for j in np.argsort(self.truth.t_first, kind="stable").tolist():
            self.events.append((float(self.truth.t_first[j]), "launch",
                                str(self.truth.ids[j]), str(self.truth.model[j])))
        from tate.engine.defence import Defence

        self.defence = Defence(self)
        self.weapons_wired = True

    # -- setup ------------------------------------------------------------------------------
    def _radar_scans(self) -> _Scans:
        det = self.sensing.detections
        rng_m = np.asarray(det["range_m"], float)
        ok = np.isfinite(rng_m)
        t = np.asarray(det["time_s"], float)[ok]
        sensor = np.asarray(det["sensor_id"], dtype=object)[ok]
        z = np.column_stack([rng_m[ok], np.radians(np.asarray(det["az_deg"], float)[ok]),
                             np.radians(np.asarray(det["el_deg"], float)[ok])])
        std = np.column_stack([np.asarray(det["range_std_m"], float)[ok],
                               np.radians(np.asarray(det["az_std_deg"], float)[ok]),
                               np.radians(np.asarray(det["el_std_deg"], float)[ok])])
        R = np.zeros((std.shape[0], 3, 3))
        idx = np.arange(3)
        R[:, idx, idx] = std**2
        index = {name: j for j, name in enumerate(self.truth.ids.tolist())}
        truth = np.array([index.get(x, -1) for x in np.asarray(det["truth_id"], object)[ok]
                          .tolist()], dtype=np.intp)
        order = np.lexsort((sensor.astype(str), t))
        t, sensor, z, R, truth = t[order], sensor[order], z[order], R[order], truth[order]
        change = (np.diff(t) != 0) | (sensor[1:] != sensor[:-1])
        starts = np.concatenate([[0], np.flatnonzero(change) + 1, [t.size]]).astype(np.intp)
        return _Scans(t, sensor, z, R, truth, starts)

    # -- stepping ---------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """Whether the run has ended (every threat killed or ended, or the time limit)."""
        if self.t >= self.t_end - 1e-9:
            return True
        over = self.killed | (self.truth.t_last <= self.t + 1e-9)
        return bool(over.all()) and not self.defence.pool.any_active() and not self.defence.pending

    def step(self) -> None:
        """Advance one tick."""
        start = _time.perf_counter()
        t0, t1 = self.t, min(self.t + self.config.dt, self.t_end)
        self.track(t0, t1)
        self.defence.tick(t0, t1)
        self._record_quality(t1)
        self._end_flights(t0, t1)
        self.t = t1
        self.wall += _time.perf_counter() - start

    def run(self, progress: Callable[[float, float], None] | None = None) -> RunResult:
        """Step to the end and return the result."""
        while not self.done:
            self.step()
            if progress is not None:
                progress(self.t, self.t_end)
        return self.result()

    def track(self, t0: float, t1: float) -> None:
        """Feed the tracker every radar scan up to ``t1`` (the engine's sense and track
        stages alone; :meth:`step` also runs the defence)."""
        from tate.tracking.measurement import RAEMeas

        sc = self.scans
        starts, times, sids = self._scan_starts, self._scan_times, self._scan_sids
        last = len(starts) - 1
        killed = set(np.flatnonzero(self.killed).tolist())  #: threat rows killed so far
        truth_rows = self._scan_truth
        trackers = (self.tracker, *self.shadow_trackers)
        while self._next_scan < last:
            i = self._next_scan
            ts = times[i]
            if ts > t1 + 1e-9:
                break
            self._next_scan = i + 1
            a, b = starts[i], starts[i + 1]
            rows: slice | NDArray[np.intp] = slice(a, b)
            if killed and not killed.isdisjoint(truth_rows[a:b]):
                real = sc.truth[a:b]
                dead = (real >= 0) & self.killed[np.maximum(real, 0)] & \
                    (self.kill_time[np.maximum(real, 0)] <= ts)
                if dead.any():
                    rows = np.arange(a, b)[~dead]
                    if rows.size == 0:
                        continue
            sid = sids[i]
            if self._undetected:
                seen = sc.truth[rows]
                seen = seen[seen >= 0]
                fresh = seen[np.isnan(self.first_detected[seen])]
                if fresh.size:
                    self.first_detected[fresh] = ts
                    for j in np.unique(fresh).tolist():
                        self.events.append((ts, "first-detection", str(self.truth.ids[j]), sid))
                    self._undetected = bool(np.isnan(self.first_detected).any())
            pos, rot = self._site(sid, ts)
            meas = RAEMeas(pos, sc.R[rows], rotation=rot)
            z = sc.z[rows]
            for tracker in trackers:
                tracker.ingest(ts, z, meas)

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
        return np.flatnonzero(self.truth.flying(t) & ~self.killed)

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
        the truth of all of them interpolated and turned to ENU in one call."""
        from tate.tracking.metrics import gospa_many

        due, self._quality_due = self._quality_due, []
        if not due:
            return
        bodies = np.concatenate([live for _, live, _ in due])
        times = np.concatenate([np.full(live.size, t) for t, live, _ in due])
        truth_enu = self._enu(self.truth.sample(bodies, times)[0]) if bodies.size else \
            np.empty((0, 3))
        cut = np.cumsum([live.size for _, live, _ in due])[:-1].tolist()
        sets = list(zip(np.split(truth_enu, cut), [est for _, _, est in due], strict=True))
        scores = gospa_many(sets, c=self.config.gospa_c, p=1.0, alpha=2.0)
        for (t, live, est), g in zip(due, scores, strict=True):
            held = live[g.assignment >= 0] if live.size else live
            fresh = held[np.isnan(self._first_held[held])]
            self._first_held[fresh] = t
            for j in fresh.tolist():
                self.events.append((t, "track-held", str(self.truth.ids[j]), ""))
            self._quality.append((t, int(live.size), int(est.shape[0]), g.distance,
                                  g.localisation, g.missed, g.false))

    @property
    def quality(self) -> list[tuple[float, int, int, float, float, float, float]]:
        """Track quality per tick: (t, threats flying, confirmed tracks, GOSPA distance,
        localisation, missed, false)."""
        self._flush_quality()
        return self._quality

    @property
    def first_held(self) -> F64:
        """When each threat was first held by a confirmed track [s] (NaN: never)."""
        self._flush_quality()
        return self._first_held

    def _end_flights(self, t0: float, t1: float) -> None:
        tl = self.truth.t_last
        ending = np.flatnonzero(~self._ended & ~self.killed & (tl <= t1 + 1e-9))
        for j in ending.tolist():
            self._ended[j] = True
            kind = "impact" if self.truth.impacted[j] else "flying-at-limit"
            self.events.append((float(tl[j]), kind, str(self.truth.ids[j]), ""))

    # -- result -----------------------------------------------------------------------------
    def result(self) -> RunResult:
        """The frozen result of the run so far."""
        from tate.engine.result import build_result

        self._flush_quality()
        return build_result(self)
