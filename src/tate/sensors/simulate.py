"""Detections of a flown raid by a scenario's radars and infrared sensors.

:func:`simulate_detections` takes a concrete scenario and its undefended flight
(:func:`tate.flight.fly.fly`) and, for every sensor instance
(:func:`tate.sensors.platforms.sensor_sites`), walks its look times:

1. truth: positions and velocities interpolated linearly in ECEF between the flight's
   recorded samples (a body exists between its first and last sample);
2. geometry: range, azimuth and elevation in the sensor's local ENU frame
   (:mod:`tate.earth.wgs84`) from the platform's position at that time;
3. radars: visibility (:func:`tate.sensors.radar.visible`: range, elevation, faces,
   4/3-Earth horizon), the serving face and the angle off its boresight, RCS from the
   aspect angle (:mod:`tate.sensors.rcs`), SNR, P_d, then the time line of
   :mod:`tate.sensors.schedule` decides which targets get a look this tick (track
   dwells, search raster);
   infrared sensors stare: every target above the Earth's limb gets a look each frame;
4. a uniform draw against P_d, and for a detection Gaussian measurement noise with the
   standard deviations of :func:`tate.sensors.radar.measurement_std` (IR: angles only,
   range NaN);
5. radar false alarms: a Poisson number with mean ``false_alarms_per_frame`` times the
   fraction of the search frame scanned in the tick, placed uniformly over the
   resolution cells (:func:`tate.sensors.radar.false_alarm_cells`: in range up to
   ``max_range_m``, in azimuth over the faces' coverage and in elevation between the
   limits), with the accuracy of a detection at the threshold SNR (−ln P_fa); track
   dwells raise none (their gates reject them).

Threat kinds for RCS and IR signature: a ballistic missile is a ``booster`` until its
``rv-separation`` event, then a ``ballistic-rv``; a boost-glide vehicle a ``booster``
until its ``glide`` event, then a ``glider``; ``cruise``, ``drone``; a point mass
``debris``.

Randomness: sensor ``s`` draws only from
``Generator(PCG64(SeedSequence(seed, spawn_key=(0x5E45, crc32(s)))))``, in a fixed order
per look time, so adding a sensor never changes another sensor's draws, and the same
seed gives bit-identical tables.  With the compiled path on (:mod:`tate.jit`) a radar's
per-look loop (time line and draws, :func:`_looks`) is one kernel call per chunk of look
times (:func:`tate.sensors._radar_jit.looks`), drawing the same stream in the same order
through numba's Generator: the same tables, bit for bit.  On that path the chunks are
larger (``_CHUNK_PAIRS`` look time x body pairs), the truth of a chunk is one compiled
call (:func:`tate.sensors._chunk_jit.bodies`) and so is each radar's scene
(:func:`tate.sensors._chunk_jit.scene`); every step is elementwise in time or carries its
state across chunks, so the chunk size does not change the tables.

Frames of the output: detections in each sensor's own ENU/AER frame; the truth table in
the track frame, ENU about the origin (lat, lon, 0) of the first ship (else the first
sensor), which is also stored in the tables' metadata.  The tables' columns and their
assembly: :mod:`tate.sensors.tables`.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate import jit
from tate.earth import wgs84
from tate.sensors import platforms as plat
from tate.sensors.rcs import kind_codes
from tate.sensors.schedule import RadarScheduler
from tate.sensors.tables import (
    DETECTION_COLUMNS,
    LOAD_COLUMNS,
    Table,
    _detections,
    _load_rows,
    _Out,
    _sensor_rows,
    _truth_rows,
)

__all__ = ["DETECTION_COLUMNS", "IR_PHASE_AFTER_BOOST", "KIND_OF_MODEL", "LOAD_COLUMNS",
           "STREAM_TAG", "SensorRun", "TruthTracks", "sensor_rng", "simulate_detections",
           "truth_from_flight"]

F64 = NDArray[np.float64]
Progress = Callable[[str, float, float], None]
#: ``TruthTracks.at``'s result: positions, velocities and in-flight mask
Interpolated = tuple[F64, F64, NDArray[np.bool_]]

#: First word of every sensor stream's spawn key ("SE(n)S(or)").
STREAM_TAG = 0x5E45
#: Threat kind of each flight model: (kind while boosting, kind after, event ending the boost).
KIND_OF_MODEL: dict[str, tuple[str, str, str]] = {
    "ballistic": ("booster", "ballistic-rv", "rv-separation"),
    "boost-glide": ("booster", "glider", "glide"),
    "cruise": ("cruise", "cruise", ""),
    "drone": ("drone", "drone", ""),
    "point-mass": ("debris", "debris", ""),
}
#: IR signature phase (``tate.sensors.ir.PHASES``) of each kind once its boost is over.
IR_PHASE_AFTER_BOOST = {"ballistic-rv": "midcourse", "booster": "midcourse", "glider": "glide",
                        "cruise": "cruise", "drone": "cruise", "aircraft": "cruise",
                        "debris": "midcourse"}
_CHUNK = 256  #: look times processed together (bounds memory to chunk x targets)
#: look time x target pairs processed together on the compiled path (fewer, larger chunks)
_CHUNK_PAIRS = 1 << 17


def sensor_rng(seed: int, sensor_id: str) -> np.random.Generator:
    """The random stream of one sensor: depends only on ``seed`` and ``sensor_id``."""
    key = (STREAM_TAG, zlib.crc32(sensor_id.encode("utf-8")))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


@dataclass(frozen=True)
class SensorRun:
    """Result of :func:`simulate_detections`: column tables (dicts of numpy arrays).

    Attributes
    ----------
    detections
        One row per detection, sorted by time then sensor: ``time_s, sensor_id,
        range_m`` (NaN for IR), ``az_deg, el_deg`` (sensor's ENU frame),
        ``range_std_m, az_std_deg, el_std_deg, snr_db, truth_id`` ("" for a false alarm).
    sensors
        ``sensor_id, time_s, lat_deg, lon_deg, alt_m, heading_deg``: one row at time 0
        for a static sensor, one per look time for a moving one.
    truth
        ``time_s, target_id, x_m, y_m, z_m`` in the track frame (ENU about ``origin``)
        at the radars' look times, for bodies in flight.
    load
        Radar time lines, one row per radar per look time: ``time_s, sensor_id,
        n_in_track, track_occupancy`` (demanded track load, fraction of the radar's
        time), ``search_frame_s_effective, track_revisit_s_effective, n_looks`` (track and
        search dwells whose beam passed a body in flight, seen or not, in the tick).
    targets
        ``target_id, model`` of every flown body.
    sites
        ``sensor_id, type, preset, platform`` of every sensor.
    origin
        ``(lat_deg, lon_deg, alt_m)`` of the track frame.
    seed, dt_s
        The root seed and the radar look interval.
    body
        ``detections["truth_id"]`` (the very array) and each detection's row in ``targets``
        (−1: false alarm); valid while that column is the same object.
    """

    detections: Table
    sensors: Table
    truth: Table
    load: Table
    targets: Table
    sites: Table
    origin: tuple[float, float, float]
    seed: int
    dt_s: float
    body: tuple[NDArray[Any], NDArray[np.intp]] | None = field(default=None, compare=False)

    @property
    def metadata(self) -> dict[str, str]:
        """Parquet metadata: the track-frame origin, seed and look interval."""
        lat, lon, alt = self.origin
        return {"origin_lat_deg": repr(lat), "origin_lon_deg": repr(lon),
                "origin_alt_m": repr(alt), "seed": str(self.seed), "dt_s": repr(self.dt_s)}


@dataclass(frozen=True)
class TruthTracks:
    """Recorded truth of the flown bodies, rows sorted by body then time.

    ``start[j]:start[j+1]`` are body ``j``'s samples; ``t_switch[j]`` is when it stops
    boosting (``-inf`` for bodies that never boost, ``+inf`` if the event never came).
    """

    ids: NDArray[Any]
    model: NDArray[Any]
    kind_before: NDArray[Any]
    kind_after: NDArray[Any]
    t_switch: F64
    time: F64
    pos: F64
    vel: F64
    start: NDArray[np.intp]
    t_first: F64 = field(init=False)
    t_last: F64 = field(init=False)
    #: ``kind_before`` and ``kind_after`` as their index in ``rcs.THREAT_KINDS`` (−1: none)
    code_before: NDArray[np.int64] = field(init=False, repr=False)
    code_after: NDArray[np.int64] = field(init=False, repr=False)
    #: one sorted key over all samples, body index * span + time since the first sample,
    #: with that first time and the span (the lookup of :meth:`at`)
    _keys: tuple[F64, float, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Derive each body's first and last sample time and the sample keys."""
        object.__setattr__(self, "t_first", self.time[self.start[:-1]])
        object.__setattr__(self, "t_last", self.time[self.start[1:] - 1])
        t_min = float(self.time.min()) if self.time.size else 0.0
        span = (float(self.time.max()) - t_min + 1.0) if self.time.size else 1.0
        keys = np.repeat(np.arange(self.n), np.diff(self.start)) * span + (self.time - t_min)
        object.__setattr__(self, "_keys", (keys, t_min, span))
        object.__setattr__(self, "code_before", kind_codes(self.kind_before))
        object.__setattr__(self, "code_after", kind_codes(self.kind_after))

    @property
    def n(self) -> int:
        """Number of bodies."""
        return int(self.ids.size)

    def at(self, t: F64) -> tuple[F64, F64, NDArray[np.bool_]]:
        """Positions and velocities ``(k, n, 3)`` [m, m/s] (ECEF) and in-flight mask
        ``(k, n)`` at times ``t (k,)``, linear between samples (NaN out of flight)."""
        k, n = t.size, self.n
        alive = (t[:, None] >= self.t_first[None, :]) & (t[:, None] <= self.t_last[None, :])
        keys, t_min, span = self._keys
        tq = np.clip(t[:, None], self.t_first[None, :], self.t_last[None, :])
        first, end = self.start[None, :-1], self.start[None, 1:]
        hi = np.searchsorted(keys, np.arange(n)[None, :] * span + (tq - t_min), side="right")
        hi = np.minimum(np.maximum(hi, first + 1), end - 1)
        lo = np.maximum(hi - 1, first)
        t0, t1 = self.time[lo], self.time[hi]
        gap = t1 - t0
        w = np.where(gap > 0, (tq - t0) / np.where(gap > 0, gap, 1.0), 0.0)[..., None]
        pos = self.pos[lo] * (1.0 - w) + self.pos[hi] * w
        vel = self.vel[lo] * (1.0 - w) + self.vel[hi] * w
        pos[~alive] = np.nan
        vel[~alive] = np.nan
        return pos.reshape(k, n, 3), vel.reshape(k, n, 3), alive

    def kinds(self, t: F64) -> NDArray[Any]:
        """Threat kind (``rcs.THREAT_KINDS``) of each body at times ``t``: ``(k, n)``."""
        boosting = t[:, None] < self.t_switch[None, :]
        return np.where(boosting, self.kind_before[None, :], self.kind_after[None, :])

    def codes(self, t: F64) -> NDArray[np.int64]:
        """:meth:`kinds` as their index in ``rcs.THREAT_KINDS``: ``(k, n)``."""
        boosting = t[:, None] < self.t_switch[None, :]
        return np.where(boosting, self.code_before[None, :], self.code_after[None, :])


def truth_from_flight(flight: Any, copy: bool = True) -> TruthTracks:
    """Collect the bodies of a :class:`~tate.flight.fly.FlightResult` (ECEF, sorted);
    ``copy`` False: the flight's remembered ECEF samples themselves, not copies (for a
    caller that only reads them, as :class:`tate.sensors.windows.WindowedSensing`)."""
    traj = flight.trajectory
    ids_all = np.asarray(traj["id"], dtype=object)
    # the rows come grouped by body: every id's first and last row start and end a run
    first = (np.flatnonzero(np.concatenate([[True], ids_all[1:] != ids_all[:-1]]))
             if ids_all.size else np.empty(0, np.intp))
    last = np.append(first[1:], ids_all.size)[:first.size] - 1
    order_ids = list(dict.fromkeys(np.asarray(flight.summary["id"], dtype=object).tolist()))
    order_ids += [i for i in dict.fromkeys(ids_all[first].tolist()) if i not in order_ids]
    from tate.flight.fly import flight_ecef

    body, t, pos, vel = flight_ecef(flight, order_ids, copy)
    n = len(order_ids)
    start = np.searchsorted(body, np.arange(n + 1)).astype(np.intp)
    model_of = dict(zip(ids_all[last].tolist(),  # (an id's model on its last row)
                        np.asarray(traj["model"], dtype=object)[last].tolist(), strict=True))
    models = np.array([model_of.get(i) for i in order_ids], dtype=object)
    before, after, switch = _phases(flight.events, order_ids, models)
    keep = np.diff(start) > 0
    return TruthTracks(np.array(order_ids, dtype=object)[keep], models[keep], before[keep],
                       after[keep], switch[keep], t, pos, vel,
                       np.concatenate([[0], np.cumsum(np.diff(start)[keep])]).astype(np.intp))


def _phases(events: Table, ids: list[str], models: NDArray[Any]
            ) -> tuple[NDArray[Any], NDArray[Any], F64]:
    """Kind before and after the boost, and the time the boost ends, per body."""
    n = len(ids)
    before = np.empty(n, dtype=object)
    after = np.empty(n, dtype=object)
    switch = np.full(n, -np.inf)
    ev_t = np.asarray(events["time_s"], float)
    ev_id = np.asarray(events["id"], dtype=object)
    ev_name = np.asarray(events["event"], dtype=object)
    for j, name in enumerate(ids):
        kb, ka, end = KIND_OF_MODEL.get(str(models[j]), ("debris", "debris", ""))
        before[j], after[j] = kb, ka
        if end:
            hit = ev_t[(ev_id == name) & (ev_name == end)]
            switch[j] = float(hit.min()) if hit.size else np.inf
    return before, after, switch


def _look_grid(truth: TruthTracks, step: float) -> F64:
    """Multiples of ``step`` from the first to the last truth sample [s]."""
    if truth.n == 0:
        return np.empty(0)
    first = np.ceil(truth.t_first.min() / step - 1e-9)
    last = np.floor(truth.t_last.max() / step + 1e-9)
    return np.arange(first, last + 1.0) * step + 0.0  # + 0.0: no -0.0


def _safe(pos: F64, alive: NDArray[np.bool_]) -> F64:
    """Positions with the bodies out of flight moved to a point on the ellipsoid (not NaN)."""
    return np.where(alive[..., None], pos, np.array([wgs84.A, 0.0, 0.0]))


@dataclass(frozen=True)
class _Scene:
    """Geometry of the bodies seen from one sensor at ``k`` look times: ``(k, n)`` arrays."""

    state: plat.PlatformState
    alive: NDArray[np.bool_]
    vel: F64  #: (k, n, 3) ECEF, 0 out of flight
    pos: F64  #: (k, n, 3) ECEF, a surface point out of flight
    rng: F64  #: slant range, inf out of flight [m]
    az: F64
    el: F64

    @classmethod
    def at(cls, site: plat.SensorSite, truth: TruthTracks, t: F64,
           interpolated: Interpolated | None = None,
           bodies: tuple[F64, F64] | None = None) -> _Scene:
        """Interpolate the truth at ``t`` (unless given ``truth.at(t)``) and measure it
        from the site's ENU frame.  ``bodies``, if given, is ``_bodies`` of that
        interpolation (the same for every sensor)."""
        state = plat.platform_state(site, t)
        pos, vel, alive = truth.at(t) if interpolated is None else interpolated
        safe, vel0 = _bodies(pos, vel, alive) if bodies is None else bodies
        az, el, rng = _aer(safe - state.pos[:, None, :], state.lat[:, None],
                           state.lon[:, None])
        return cls(state, alive, vel0, safe, np.where(alive, rng, np.inf), az, el)


def _bodies(pos: F64, vel: F64, alive: NDArray[np.bool_]) -> tuple[F64, F64]:
    """The bodies' positions made safe (:func:`_safe`) and velocities with 0 for NaN."""
    return _safe(pos, alive), np.nan_to_num(vel)


def _aer(rel: F64, lat: F64, lon: F64) -> tuple[F64, F64, F64]:
    """``wgs84.enu_to_aer(wgs84.ecef_vec_to_enu(rel, lat, lon))`` without the stacked ENU
    array in between: the same operations in the same order (the same bits)."""
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    x, y, z = rel[..., 0], rel[..., 1], rel[..., 2]
    t = co * x + so * y
    e, n, u = co * y - so * x, cl * z - sl * t, cl * t + sl * z
    horiz = np.hypot(e, n)
    az = np.mod(np.arctan2(e, n), 2.0 * np.pi)  # wgs84's wrap to [0, 2π)
    az[az >= 2.0 * np.pi] = 0.0
    return az, np.arctan2(u, horiz), np.hypot(horiz, u)


Bodies = Callable[[int], tuple[F64, F64, F64, NDArray[np.int64]]]


def _chunks(truth: TruthTracks, times: F64, chunk: int = _CHUNK) -> Callable[[int], Interpolated]:
    """``truth.at`` of the chunk of ``times`` starting at index ``c0``, interpolated once
    (every radar and the truth table walk the same look times)."""
    return functools.cache(lambda c0: truth.at(times[c0:c0 + chunk]))


def _chunk_bodies(truth: TruthTracks, times: F64, truth_at: Callable[[int], Interpolated],
                  chunk: int = _CHUNK) -> Bodies:
    """What every radar derives alike from chunk ``c0``'s bodies, once: :func:`_bodies`,
    their height above the ellipsoid [m] and their kind codes (``truth.codes``)."""
    def derive(c0: int) -> tuple[F64, F64, F64, NDArray[np.int64]]:
        safe, vel0 = _bodies(*truth_at(c0))
        return (safe, vel0, wgs84.geodetic_altitude(safe),
                truth.codes(times[c0:c0 + chunk]))
    return functools.cache(derive)


def _compiled_chunks(truth: TruthTracks, times: F64, chunk: int
                     ) -> tuple[Callable[[int], Interpolated], Bodies]:
    """:func:`_chunks` and :func:`_chunk_bodies` in one compiled call per chunk
    (:func:`tate.sensors._chunk_jit.bodies`).  The interpolation's positions are the
    safe ones (:func:`_safe`), equal to ``truth.at``'s in flight, where they are read."""
    from tate.sensors._chunk_jit import bodies

    keys, t_min, span = truth._keys
    par = (truth.time, truth.pos, truth.vel, truth.start, truth.t_first, truth.t_last,
           truth.t_switch, truth.code_before, truth.code_after)
    derive = functools.cache(lambda c0: bodies(times[c0:c0 + chunk], keys, t_min, span, *par))

    def truth_at(c0: int) -> Interpolated:
        safe, vel0, _, _, alive = derive(c0)
        return safe, vel0, alive

    return truth_at, lambda c0: derive(c0)[:4]


def _simulate_radar(site: plat.SensorSite, truth: TruthTracks, times: F64, dt: float,
                    rng: np.random.Generator, out: _Out, tick: Callable[[float], None],
                    truth_at: Callable[[int], Interpolated], bodies_at: Bodies,
                    chunk: int = _CHUNK) -> None:
    """Walk one radar's look times (see the module docstring) chunk by chunk
    (:class:`tate.sensors.radar_walk.RadarWalk`); ``truth_at`` and ``bodies_at`` are
    :func:`_chunks` and :func:`_chunk_bodies` of ``times`` in chunks of ``chunk``."""
    from tate.sensors.radar_walk import RadarWalk

    walk = RadarWalk(site, truth, times, dt, rng, out, chunk)
    while not walk.done:
        walk.step(truth_at, bodies_at, tick)


def _looks(sched: RadarScheduler, spec: Any, tc: F64, dt: float, alive: NDArray[np.bool_],
           u: F64, priority: F64, pd: F64, heading: F64, fa_per_frame: float,
           rng: np.random.Generator) -> tuple[NDArray[Any], ...]:
    """The looks of a chunk of look times, one by one (the numpy reference of
    :func:`tate.sensors._radar_jit.looks`, which documents the arguments and results).

    Per look time: the scheduler's plan, a uniform draw per look against P_d, the
    record of the outcomes, the measurement noise of the detections, the false-alarm
    count and cells (the stream's order)."""
    from tate.sensors.radar import false_alarm_cells

    (k, n), m = alive.shape, 0
    counts, load = np.empty((k, 2), np.int64), np.empty((k, 3))
    hit_i, hit_d = np.empty(k * n, np.int64), np.empty(k * n, np.int64)
    noise = np.empty((k * n, 3))
    fa_i, fa_rae = [np.empty(0, np.int64)], [np.empty((0, 3))]
    for i, t in enumerate(tc.tolist()):
        track, search, row = sched.plan(t, dt, alive[i], u[i], priority[i])
        looked = track | search
        idx = looked.nonzero()[0]
        d = idx[rng.random(idx.size) < pd[i, idx]] if idx.size else idx
        detected = np.zeros(n, bool)
        detected[d] = True
        sched.record(t, looked, detected)
        if d.size:  # (an empty draw takes nothing from the stream)
            hit_i[m:m + d.size], hit_d[m:m + d.size] = i, d
            noise[m:m + d.size] = rng.standard_normal((d.size, 3))
            m += d.size
        n_fa = int(rng.poisson(fa_per_frame * row.frame_fraction))
        if n_fa:
            fa_rae.append(np.stack(false_alarm_cells(spec, float(heading[i]), n_fa, rng), 1))
            fa_i.append(np.full(n_fa, i))
        counts[i] = row.n_in_track, idx.size
        load[i] = row[1:4]  # occupancy, frame, revisit
    fa = np.concatenate(fa_i), np.concatenate(fa_rae)
    return counts, load, hit_i[:m], hit_d[:m], noise[:m], *fa


def _simulate_ir(site: plat.SensorSite, truth: TruthTracks, rng: np.random.Generator,
                 out: _Out, tick: Callable[[float], None]) -> None:
    """Walk one staring IR sensor's frames: angle-only detections, no false alarms."""
    from tate.sensors import ir
    from tate.sensors.presets import IR_SENSORS

    spec = IR_SENSORS[site.preset]
    times = _look_grid(truth, float(spec.frame_s))
    for c0 in range(0, times.size, _CHUNK):
        tc = times[c0:c0 + _CHUNK]
        sc = _Scene.at(site, truth, tc)
        out.states.append(sc.state)
        vis = sc.alive & ir.earth_limb_visible(sc.state.pos[:, None, :], sc.pos)
        intensity = _ir_intensity(truth, tc, np.linalg.norm(sc.vel, axis=-1),
                                  wgs84.geodetic_altitude(sc.pos))
        snr = ir.ir_snr(spec, intensity, sc.rng)
        pd = np.where(vis, ir.ir_pd(spec, snr), 0.0)
        with np.errstate(divide="ignore"):
            snr_db = 10.0 * np.log10(snr)
        for i, t in enumerate(tc.tolist()):
            idx = np.flatnonzero(sc.alive[i])
            detected = np.zeros(truth.n, bool)
            detected[idx] = rng.random(idx.size) < pd[i, idx]
            d = np.flatnonzero(detected)
            z = rng.standard_normal((d.size, 2))
            a_std = np.full(d.size, float(spec.angle_std_rad))
            nan = np.full(d.size, np.nan)
            meas = (nan, sc.az[i, d] + a_std * z[:, 0], sc.el[i, d] + a_std * z[:, 1])
            out.add(t, meas, (nan, a_std, a_std), snr_db[i, d], truth.ids[d], d)
        tick(float(tc[-1]))


def _ir_intensity(truth: TruthTracks, t: F64, speed: F64, alt: F64) -> F64:
    """Radiant intensity [W/sr] of every body ``(k, n)``, by kind and phase
    (``"boost"`` until the boost ends, then :data:`IR_PHASE_AFTER_BOOST` of the kind)."""
    from tate.sensors import ir

    kinds = truth.kinds(t)
    boosting = t[:, None] < truth.t_switch[None, :]
    out = np.zeros(kinds.shape)
    for kind in sorted(set(kinds.ravel().tolist())):
        for phase, when in (("boost", boosting), (IR_PHASE_AFTER_BOOST[kind], ~boosting)):
            sel = (kinds == kind) & when
            if sel.any():
                out[sel] = ir.radiant_intensity_w_sr(kind, phase, speed[sel], alt[sel])
    return out


def simulate_detections(scn: Any, flight: Any, seed: int, dt_s: float = 0.5,
                        progress: Progress | None = None) -> SensorRun:
    """Detections of a flown raid by every sensor of a concrete scenario.

    Parameters
    ----------
    scn
        A concrete :class:`tate.scenario.Scenario` (the one that was flown).
    flight
        Its :class:`tate.flight.fly.FlightResult`.
    seed
        Root seed of the sensors' streams (see :func:`sensor_rng`).
    dt_s
        Radar look interval [s]: the tick of the radar time lines.
    progress
        Called as ``progress(sensor_id, done_s, total_s)`` as each sensor advances.

    Returns
    -------
    SensorRun
        The detection, sensor, truth and load tables.
    """
    if not dt_s > 0:
        raise ValueError(f"dt_s must be > 0, got {dt_s}")
    truth = truth_from_flight(flight)
    sites = plat.sensor_sites(scn)
    origin = _origin(scn, sites)
    times = _look_grid(truth, dt_s)
    compiled = jit.enabled()
    if compiled:
        chunk = max(_CHUNK, _CHUNK_PAIRS // max(truth.n, 1))
        truth_at, bodies_at = _compiled_chunks(truth, times, chunk)
    else:
        chunk = _CHUNK
        truth_at = _chunks(truth, times)
        bodies_at = _chunk_bodies(truth, times, truth_at)
    outs: list[_Out] = []
    for site in sites:
        out = _Out(site.sensor_id)
        rng = sensor_rng(seed, site.sensor_id)
        total = float(times[-1]) if times.size else 0.0

        def tick(t: float, sid: str = site.sensor_id, total: float = total) -> None:
            if progress is not None:
                progress(sid, t, total)

        if site.kind == "radar":
            _simulate_radar(site, truth, times, dt_s, rng, out, tick, truth_at, bodies_at,
                            chunk)
        else:
            _simulate_ir(site, truth, rng, out, tick)
        outs.append(out)
    radar_times = times if any(s.kind == "radar" for s in sites) else np.empty(0)
    detections, body = _detections(outs)
    return SensorRun(
        detections, _sensor_rows(sites, outs),
        _truth_rows(truth.ids, radar_times, origin, truth_at, chunk, compiled),
        _load_rows(sites, outs), {"target_id": truth.ids, "model": truth.model},
        {key: np.array([getattr(s, attr) for s in sites], dtype=object) for key, attr in
         (("sensor_id", "sensor_id"), ("type", "kind"), ("preset", "preset"),
          ("platform", "platform"))}, origin, seed, dt_s, (detections["truth_id"], body))


def _origin(scn: Any, sites: tuple[plat.SensorSite, ...]) -> tuple[float, float, float]:
    """(lat_deg, lon_deg, 0) of the first ship, else the first sensor, else the first launch."""
    from tate.scenario.distributions import nominal

    if scn.ships:
        return float(nominal(scn.ships[0].lat_deg)), float(nominal(scn.ships[0].lon_deg)), 0.0
    if sites:
        return float(np.degrees(sites[0].lat)), float(np.degrees(sites[0].lon)), 0.0
    launch = scn.threats[0].launch
    return float(nominal(launch.lat_deg)), float(nominal(launch.lon_deg)), 0.0
