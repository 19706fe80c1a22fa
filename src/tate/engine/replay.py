"""What a 3-D replay needs from a run: where every body and track was, as tables.

* ``paths``: threats every ``THREAT_SAMPLE_S`` from launch to their end (kill, impact or
  the end of the run) from the truth store, and interceptors at the end of every engine
  tick while in the air (and the tick they ended in); geodetic WGS-84 latitude,
  longitude [deg] and altitude [m], speed [m/s].
* ``track_states``: the confirmed tracks at every decision: position (geodetic), speed,
  the largest position standard deviation [m] and the threat they were taken for.
* ``platforms``: ships, defended assets and sensors: ``id, kind`` (ship, asset, radar,
  ir), ``platform`` (ship, fixed, drone, aircraft, space; the owner ship's id for a
  ship's sensor), position (a moving sensor's start), ``range_m`` (a radar's
  instrumented range, an asset's radius; NaN otherwise) and ``value``.

Sampling only, no modelling: the tick loop appends ECEF rows to plain lists
(:class:`Recorder`) and the tables are built once at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["THREAT_SAMPLE_S", "Recorder", "paths_table", "platforms_table",
           "track_states_table"]

F64 = NDArray[np.float64]
THREAT_SAMPLE_S = 1.0  #: threat path sampling interval [s]


@dataclass
class Recorder:
    """Samples collected during a run (ECEF [m], ENU for tracks).

    ``states``: the interceptors in the air at the end of each tick, one block per tick:
    time [s], shot rows ``(k,)`` and state rows ``(≥ 6, k)`` (ECEF position, velocity);
    their positions and speeds are computed once, by :func:`paths_table` (or
    :attr:`shots`)."""

    states: list[tuple[float, NDArray[np.intp], F64]] = field(default_factory=list)
    tracks: list[tuple[float, NDArray[np.intp], NDArray[np.intp], F64, F64, F64]] = field(
        default_factory=list)

    def interceptors(self, t: float, shot: NDArray[np.intp], pos: F64, vel: F64) -> None:
        """Interceptors (shot rows) at ``t``: ECEF positions and velocities ``(3, k)``."""
        if shot.size:
            y = np.concatenate([pos, vel]).astype(float, copy=False)
            self.states.append((t, shot.copy(), y))

    def state_block(self, t: float, shot: NDArray[np.intp], y: F64) -> None:
        """:meth:`interceptors` from state rows ``y (≥ 6, k)`` (float64) without copies:
        the caller hands over ``shot`` and ``y`` and changes them no more."""
        if shot.size:
            self.states.append((t, shot, y))

    @property
    def shots(self) -> list[tuple[float, NDArray[np.intp], F64, F64]]:
        """The interceptor samples per tick: time [s], shot rows ``(k,)``, ECEF positions
        ``(k, 3)`` [m] and speeds ``(k,)`` [m/s] (``np.linalg.norm`` of the velocities as
        ``sqrt((x² + y²) + z²)``)."""
        return [(t, shot, y[0:3].T.copy(), _speeds(y)) for t, shot, y in self.states]

    def confirmed(self, t: float, ids: NDArray[np.intp], threat: NDArray[np.intp],
                  pos_enu: F64, vel_enu: F64, P: F64, sigma: F64 | None = None,
                  owned: bool = False) -> None:
        """Confirmed tracks at ``t``: ids, truth rows (−1: none), ENU state and the
        position covariance ``(k, 3, 3)``; ``sigma (k,)``, if given, is the largest
        position standard deviation [m] already computed from ``P`` as here.  With
        ``owned`` the caller hands over ``ids``, ``threat`` and ``pos_enu`` (and
        ``sigma``) and changes them no more: they are kept without copies.

        The speeds are ``np.linalg.norm(vel_enu, axis=1)`` without its Python overhead
        (as in :meth:`interceptors`)."""
        if ids.size:
            if sigma is None:
                sigma = np.sqrt(np.maximum(np.linalg.eigvalsh(P)[:, -1], 0.0))
            vel = np.asarray(vel_enu, float)
            speed = np.sqrt(np.add.reduce(vel * vel, axis=1))
            if owned:
                self.tracks.append((t, ids, threat, pos_enu, speed, sigma))
            else:
                self.tracks.append((t, ids.copy(), threat.copy(), pos_enu.copy(), speed,
                                    sigma))


def _speeds(y: F64) -> F64:
    """Speeds [m/s] of state rows ``y (≥ 6, k)``: ``np.linalg.norm(y[3:6], axis=0)``
    without its Python overhead (the same ``sqrt(add.reduce(v * v, 0))``, the three
    rows added in order)."""
    v = y[3:6] * y[3:6]
    out: F64 = np.sqrt(v[0] + v[1] + v[2])
    return out


def _interceptor_samples(rec: Recorder) -> tuple[F64, NDArray[np.intp], F64, F64] | None:
    """Every tick's interceptor samples of ``rec`` at once: times [s], shot rows, ECEF
    positions ``(N, 3)`` [m] and speeds [m/s] (None: no sample)."""
    if not rec.states:
        return None
    y = np.concatenate([y[0:6] for _, _, y in rec.states], axis=1)
    times = np.repeat(np.array([t for t, _, _ in rec.states]),
                      [shot.size for _, shot, _ in rec.states])
    return (times, np.concatenate([shot for _, shot, _ in rec.states]).astype(np.intp),
            y[0:3].T, _speeds(y))


def _geodetic(pos: F64) -> tuple[F64, F64, F64]:
    from tate.earth import wgs84

    lat, lon, alt = wgs84.ecef_to_geodetic(pos)
    return np.degrees(lat), np.degrees(lon), np.asarray(alt)


def paths_table(eng: Any) -> dict[str, NDArray[Any]]:
    """Threat and interceptor paths of a finished or stopped engagement.

    The rows are sorted by id (as strings) and time: each id's rank among the sorted
    names is the sort key (the same order as sorting the strings themselves), every
    threat's samples come from one truth-store call and every column is filled block by
    block (no per-row strings)."""
    tr = eng.truth
    t_parts, blocks, names = [], [], []
    if tr.n:
        kill_time, killed = eng.kill_time.tolist(), eng.killed.tolist()
        t_last, t_first = tr.t_last.tolist(), tr.t_first.tolist()
    for j in range(tr.n):
        end = float(kill_time[j]) if killed[j] else min(float(t_last[j]), eng.t)
        t0 = float(t_first[j])
        if end < t0:
            continue
        ts = np.arange(t0, end, THREAT_SAMPLE_S)
        t_parts.append(np.append(ts, end) if ts.size == 0 or ts[-1] < end else ts)
        blocks.append(j)
        names.append(str(tr.ids[j]))
    sizes = [ts.size for ts in t_parts]
    n_threat = sum(sizes)
    weapons = np.array([row[1] for row in eng.defence.shots], dtype=object)
    rec = _interceptor_samples(eng.defence.recorder)
    if not t_parts and rec is None:
        return {"time_s": np.empty(0), "id": np.empty(0, object), "kind": np.empty(0, object),
                "weapon": np.empty(0, object), "lat_deg": np.empty(0), "lon_deg": np.empty(0),
                "alt_m": np.empty(0), "speed_mps": np.empty(0)}
    pos_parts, spd_parts = [], []
    if t_parts:  # every threat's samples at once (the same per-sample interpolation)
        p, v = tr.sample(np.repeat(np.array(blocks, np.intp), sizes), np.concatenate(t_parts))
        pos_parts.append(p)
        spd_parts.append(np.linalg.norm(v, axis=1))
    shot_all = np.empty(0, np.intp)
    if rec is not None:  # every tick's rounds at once
        t_parts.append(rec[0])
        shot_all = rec[1]
        pos_parts.append(rec[2])
        spd_parts.append(rec[3])
    shot_rows = np.unique(shot_all).tolist()
    names += [f"shot-{s}" for s in shot_rows]
    rank = {s: k for k, s in enumerate(sorted(set(names)))}  # equal names: one rank
    code = np.array([rank[s] for s in names], np.intp)
    row_code = np.repeat(code[:len(blocks)], sizes)
    if shot_rows:
        shot_code = np.zeros(shot_rows[-1] + 1, np.intp)
        shot_code[shot_rows] = code[len(blocks):]
        row_code = np.concatenate([row_code, shot_code[shot_all]])
    by_rank = np.empty(len(rank), object)
    by_rank[:] = list(rank)
    t_all = np.concatenate(t_parts)
    order = np.lexsort((t_all, row_code))
    weapon = np.full(t_all.size, "", object)
    if weapons.size:
        weapon[n_threat:] = weapons[shot_all]
    kind = np.array(["threat", "interceptor"], object)[(order >= n_threat).view(np.int8)]
    lat, lon, alt = _geodetic(np.concatenate(pos_parts))
    return {"time_s": t_all[order], "id": by_rank[row_code[order]], "kind": kind,
            "weapon": weapon[order], "lat_deg": lat[order], "lon_deg": lon[order],
            "alt_m": alt[order], "speed_mps": np.concatenate(spd_parts)[order]}


def track_states_table(eng: Any) -> dict[str, NDArray[Any]]:
    """Confirmed tracks at every decision."""
    from tate.earth import wgs84

    rec = eng.defence.recorder.tracks
    if not rec:
        return {"time_s": np.empty(0), "track_id": np.empty(0, np.int64),
                "threat_id": np.empty(0, object), "lat_deg": np.empty(0),
                "lon_deg": np.empty(0), "alt_m": np.empty(0), "speed_mps": np.empty(0),
                "pos_sigma_m": np.empty(0)}
    lat0, lon0, alt0 = eng.origin
    enu = np.concatenate([r[3] for r in rec])
    ecef = wgs84.enu_to_ecef(enu, np.radians(lat0), np.radians(lon0), alt0)
    lat, lon, alt = _geodetic(np.asarray(ecef).reshape(-1, 3))
    threat = np.concatenate([r[2] for r in rec])
    names = np.array([str(x) for x in eng.truth.ids.tolist()] + [""], dtype=object)
    times = np.array([r[0] for r in rec], float)
    return {"time_s": np.repeat(times, [r[1].size for r in rec]),
            "track_id": np.concatenate([r[1] for r in rec]).astype(np.int64),
            "threat_id": names[np.where(threat >= 0, threat, -1)],
            "lat_deg": lat, "lon_deg": lon, "alt_m": alt,
            "speed_mps": np.concatenate([r[4] for r in rec]),
            "pos_sigma_m": np.concatenate([r[5] for r in rec])}


def platforms_table(eng: Any) -> dict[str, NDArray[Any]]:
    """Ships, defended assets and sensors of the run."""
    from tate.scenario.distributions import nominal
    from tate.sensors.platforms import sensor_sites
    from tate.sensors.presets import RADARS

    rows: list[tuple[str, str, str, float, float, float, float, float]] = []
    scn = eng.scenario
    for ship in scn.ships:
        rows.append((ship.id, "ship", ship.class_, float(nominal(ship.lat_deg)),
                     float(nominal(ship.lon_deg)), 10.0, np.nan, float(nominal(ship.value))))
    for a in scn.assets:
        rows.append((a.id, "asset", "fixed", float(nominal(a.lat_deg)),
                     float(nominal(a.lon_deg)), float(nominal(a.alt_m)),
                     float(nominal(a.radius_m)), float(nominal(a.value))))
    for site in sensor_sites(scn):
        owner = site.sensor_id.split("/")[0] if site.platform == "ship" else site.platform
        rng_m = float(RADARS[site.preset].max_range_m) if site.kind == "radar" and \
            site.preset in RADARS else np.nan
        rows.append((site.sensor_id, site.kind, owner, float(np.degrees(site.lat)),
                     float(np.degrees(site.lon)), float(site.alt), rng_m, np.nan))
    cols: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in range(8)]
    names = ("id", "kind", "platform", "lat_deg", "lon_deg", "alt_m", "range_m", "value")
    kinds = (object, object, object, float, float, float, float, float)
    return {k: np.asarray(c, dtype=t) for k, c, t in zip(names, cols, kinds, strict=True)}
