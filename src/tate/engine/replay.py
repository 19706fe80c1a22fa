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
    """Samples collected during a run (ECEF [m], ENU for tracks)."""

    shots: list[tuple[float, NDArray[np.intp], F64, F64]] = field(default_factory=list)
    tracks: list[tuple[float, NDArray[np.intp], NDArray[np.intp], F64, F64, F64]] = field(
        default_factory=list)

    def interceptors(self, t: float, shot: NDArray[np.intp], pos: F64, vel: F64) -> None:
        """Interceptors (shot rows) at ``t``: ECEF positions and velocities ``(3, k)``.

        The speeds are ``np.linalg.norm(vel, axis=0)`` without its Python overhead: the
        same ``sqrt(add.reduce(vel * vel, 0))`` (``conj`` of a real array is itself)."""
        if shot.size:
            vel = np.asarray(vel, float)
            speed = np.sqrt(np.add.reduce(vel * vel, axis=0))
            self.shots.append((t, shot.copy(), pos.T.copy(), speed))

    def confirmed(self, t: float, ids: NDArray[np.intp], threat: NDArray[np.intp],
                  pos_enu: F64, vel_enu: F64, P: F64, sigma: F64 | None = None) -> None:
        """Confirmed tracks at ``t``: ids, truth rows (−1: none), ENU state and the
        position covariance ``(k, 3, 3)``; ``sigma (k,)``, if given, is the largest
        position standard deviation [m] already computed from ``P`` as here.

        The speeds are ``np.linalg.norm(vel_enu, axis=1)`` without its Python overhead
        (as in :meth:`interceptors`)."""
        if ids.size:
            if sigma is None:
                sigma = np.sqrt(np.maximum(np.linalg.eigvalsh(P)[:, -1], 0.0))
            vel = np.asarray(vel_enu, float)
            self.tracks.append((t, ids.copy(), threat.copy(), pos_enu.copy(),
                                np.sqrt(np.add.reduce(vel * vel, axis=1)), sigma))


def _geodetic(pos: F64) -> tuple[F64, F64, F64]:
    from tate.earth import wgs84

    lat, lon, alt = wgs84.ecef_to_geodetic(pos)
    return np.degrees(lat), np.degrees(lon), np.asarray(alt)


def paths_table(eng: Any) -> dict[str, NDArray[Any]]:
    """Threat and interceptor paths of a finished or stopped engagement."""
    tr = eng.truth
    t_parts, id_parts, pos_parts, spd_parts = [], [], [], []
    for j in range(tr.n):
        end = float(eng.kill_time[j]) if eng.killed[j] else min(float(tr.t_last[j]), eng.t)
        t0 = float(tr.t_first[j])
        if end < t0:
            continue
        ts = np.arange(t0, end, THREAT_SAMPLE_S)
        ts = np.append(ts, end) if ts.size == 0 or ts[-1] < end else ts
        p, v = tr.path(j, ts)
        t_parts.append(ts)
        id_parts.append(np.full(ts.size, str(tr.ids[j]), dtype=object))
        pos_parts.append(p)
        spd_parts.append(np.linalg.norm(v, axis=1))
    n_threat = sum(x.size for x in t_parts)
    weapons = np.array([row[1] for row in eng.defence.shots], dtype=object)
    shot_parts = [np.full(n_threat, -1, np.intp)]  #: shot row per path row (−1: threat)
    rec = eng.defence.recorder.shots
    if rec:  # every tick's rounds at once (the rows of one np.full, … per tick)
        shot_all = np.concatenate([shot for _, shot, _, _ in rec])
        t_parts.append(np.repeat(np.array([t for t, _, _, _ in rec]),
                                 [shot.size for _, shot, _, _ in rec]))
        id_parts.append(np.array([f"shot-{s}" for s in shot_all.tolist()], dtype=object))
        shot_parts.append(shot_all)
        pos_parts.append(np.concatenate([pos for _, _, pos, _ in rec]))
        spd_parts.append(np.concatenate([speed for _, _, _, speed in rec]))
    if not t_parts:
        return {"time_s": np.empty(0), "id": np.empty(0, object), "kind": np.empty(0, object),
                "weapon": np.empty(0, object), "lat_deg": np.empty(0), "lon_deg": np.empty(0),
                "alt_m": np.empty(0), "speed_mps": np.empty(0)}
    ids = np.concatenate(id_parts)
    kind = np.where(np.arange(ids.size) < n_threat, "threat", "interceptor").astype(object)
    shot_no = np.concatenate(shot_parts).astype(np.intp)
    weapon = np.where(shot_no >= 0, weapons[np.maximum(shot_no, 0)] if weapons.size else "",
                      "").astype(object)
    lat, lon, alt = _geodetic(np.concatenate(pos_parts))
    t_all = np.concatenate(t_parts)
    order = np.lexsort((t_all, ids.astype(str)))
    return {"time_s": t_all[order], "id": ids[order], "kind": kind[order],
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
    return {"time_s": np.concatenate([np.full(r[1].size, r[0]) for r in rec]),
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
