"""The frozen result of one engagement and its tables (DESIGN.md §4).

Tables are dicts of equal-length numpy columns, written to Parquet without loss by
:meth:`RunResult.write` (each file carries the scenario hash, seed and version):

* ``events``: ``time_s, event, threat_id, detail`` — launches, first detections
  (detail: the sensor), first confirmed track held on the threat (``track-held``),
  kills, impacts, flights still going at the time limit;
* ``threats``: one row per threat in file order: ``threat_id, model, outcome``
  (``leaked``: reached the ground or its aim unengaged or unkilled; ``killed``;
  ``flying``: still in the air at the time limit), ``launch_time_s, end_time_s,
  kill_time_s, killed_by, layer, first_detection_s, first_held_s`` (NaN / "" when none),
  ``impact_error_m`` (distance of the impact from the aim point);
* ``shots``: one row per round: ``time_s`` (launch), ``weapon, ship, layer, track_id``
  (the track it was fired at), ``threat_id`` (the threat nearest that track; "" for a
  false track), ``miss_m`` (closest approach; NaN if none), ``pk, kill, cost_usd,
  outcome`` (kill, survived, target gone, missed, no target), ``resolved_s`` (when the
  round's outcome was known; NaN while in flight at the end), ``divert_mps`` (Δv a
  kill vehicle spent on midcourse and homing diverts; NaN for other rounds);
* ``magazine``: ``time_s, ship, weapon, rounds_left`` after each engagement order;
* ``power``: each ship's bus every tick: ``time_s, ship, capacity_w, generation_w,
  storage_j`` and ``<load>_demand_w, <load>_served_w`` for hotel, radar, propulsion,
  other and railgun;
* ``tracks``: track quality per tick: ``time_s, live_threats, confirmed_tracks,
  gospa_m, localisation_m, missed_m, false_m`` (GOSPA α = 2, p = 1, cut-off
  ``gospa_c``, in the tracker's ENU frame);
* ``sensor_load``: the radars' time lines from :mod:`tate.sensors.simulate`, one row per
  radar per look time up to the run's end (the radars are simulated in windows as the
  run advances, :mod:`tate.sensors.windows`; the rows after its end are left out);
* ``paths``: ``time_s, id, kind`` (threat or interceptor; an interceptor's id is
  ``shot-<row of shots>``), ``weapon, lat_deg, lon_deg, alt_m, speed_mps``: threats every
  second to their end, interceptors every tick in the air (:mod:`tate.engine.replay`);
* ``track_states``: confirmed tracks at every decision: ``time_s, track_id, threat_id,
  lat_deg, lon_deg, alt_m, speed_mps, pos_sigma_m``;
* ``platforms``: ``id, kind, platform, lat_deg, lon_deg, alt_m, range_m, value``: ships,
  assets and sensors;
* ``summary``: one row of counts and times.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["RunResult", "build_result"]

Table = dict[str, NDArray[Any]]


@dataclass(frozen=True)
class RunResult:
    """What one engagement did."""

    status: str  #: "terminated" or "truncated"
    message: str
    events: Table
    threats: Table
    shots: Table
    tracks: Table
    sensor_load: Table
    magazine: Table
    power: Table
    paths: Table
    track_states: Table
    platforms: Table
    summary: dict[str, Any]
    metadata: dict[str, str]

    TABLES = ("events", "threats", "shots", "tracks", "sensor_load", "magazine", "power",
              "paths", "track_states", "platforms")

    if not TYPE_CHECKING:  # (so that mypy still knows the attributes of a result)
        def __getattr__(self, name: str) -> Any:
            """A table a lazy result (:func:`build_result` with ``lazy=True``) has not built
            yet: built now from the engagement, and kept."""
            lazy = self.__dict__.get("_lazy")
            if lazy is None or name not in lazy:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = lazy[name]()
            object.__setattr__(self, name, value)
            del lazy[name]
            return value

    def __getstate__(self) -> dict[str, Any]:
        """Every table built (a lazy result pickles and copies as a full one)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def write(self, out: Path) -> list[Path]:
        """Write every table as Parquet and the summary as JSON into ``out``."""
        import json
        import os

        from tate.io import write_table

        out.mkdir(parents=True, exist_ok=True)
        paths = [write_table(getattr(self, name), out / f"{name}.parquet", self.metadata)
                 for name in self.TABLES]
        summary = {k: (v if not isinstance(v, float) or np.isfinite(v) else None)
                   for k, v in self.summary.items()}
        tmp = out / ".summary.json.part"
        tmp.write_text(json.dumps({**summary, **self.metadata, "status": self.status,
                                   "message": self.message}, indent=2, sort_keys=True))
        os.replace(tmp, out / "summary.json")
        return [*paths, out / "summary.json"]


def _events(eng: Any) -> Table:
    rows = sorted(eng.events, key=lambda r: (r[0], r[1], r[2]))
    cols: list[Any] = list(zip(*rows, strict=True)) if rows else [[], [], [], []]
    return {"time_s": np.asarray(cols[0], float),
            "event": np.asarray(cols[1], dtype=object),
            "threat_id": np.asarray(cols[2], dtype=object),
            "detail": np.asarray(cols[3], dtype=object)}


def _threats(eng: Any) -> Table:
    tr = eng.truth
    summ = eng.flight.summary
    outcome = np.where(eng.killed, "killed", np.where(tr.impacted, "leaked", "flying"))
    return {
        "threat_id": tr.ids.astype(object), "model": tr.model.astype(object),
        "outcome": outcome.astype(object),
        "launch_time_s": tr.t_first.copy(),
        "end_time_s": np.where(eng.killed, eng.kill_time, tr.t_last),
        "kill_time_s": eng.kill_time.copy(),
        "killed_by": eng.killed_by.copy(),
        "layer": eng.kill_layer.copy(),
        "first_detection_s": eng.first_detected.copy(),
        "first_held_s": eng.first_held.copy(),
        "impact_error_m": np.where(eng.killed, np.nan,
                                   np.asarray(summ["impact_error_m"], float)),
    }


def _shots(eng: Any) -> Table:
    rows = eng.defence.shots
    names = ("time_s", "weapon", "ship", "layer", "track_id", "threat_id", "miss_m", "pk",
             "kill", "cost_usd", "outcome", "resolved_s", "divert_mps")
    cols: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    kinds = (float, object, object, object, np.int64, object, float, float, bool, float,
             object, float, float)
    return {k: np.asarray(c, dtype=t) for k, c, t in zip(names, cols, kinds, strict=True)}


def _magazine(eng: Any) -> Table:
    rows = eng.defence.magazine
    names = ("time_s", "ship", "weapon", "rounds_left")
    cols: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    kinds = (float, object, object, np.int64)
    return {k: np.asarray(c, dtype=t) for k, c, t in zip(names, cols, kinds, strict=True)}


def _power(eng: Any) -> Table:
    plant = eng.defence.plant
    if plant is None:
        return {"time_s": np.empty(0), "ship": np.empty(0, object)}
    tl = plant.timeline()
    m, n = tl.generation.shape
    t0 = eng.truth.t_first.min() if eng.truth.n else 0.0
    ships = np.array([s.id for s in eng.scenario.ships], dtype=object)
    out: Table = {"time_s": np.repeat(tl.time + float(t0), n), "ship": np.tile(ships, m),
                  "capacity_w": tl.capacity.ravel(), "generation_w": tl.generation.ravel(),
                  "storage_j": tl.storage_j.ravel()}
    for k, load in enumerate(tl.loads):
        out[f"{load}_demand_w"] = tl.demand[:, :, k].ravel()
        out[f"{load}_served_w"] = tl.served[:, :, k].ravel()
    return out


def _tracks(eng: Any) -> Table:
    names = ("time_s", "live_threats", "confirmed_tracks", "gospa_m", "localisation_m",
             "missed_m", "false_m")
    return {k: c.copy() for k, c in zip(names, eng.quality_columns(), strict=True)}


def build_result(eng: Any, lazy: bool = False) -> RunResult:
    """Freeze an :class:`~tate.engine.engagement.Engagement`'s state into a result.

    ``lazy``: build now only what the summary and a study's ``runs`` row need (``threats``,
    ``shots``, ``magazine``, the summary and metadata); each other table is built from the
    engagement on first access (so do not step the engagement further before reading
    them), and all of them when the result is pickled or copied.  The tables are those of
    ``lazy=False``."""
    from tate import __version__
    from tate.scenario import scenario_hash

    threats = _threats(eng)
    n = eng.truth.n
    leaked = int(np.sum(threats["outcome"] == "leaked"))
    killed = int(np.sum(threats["outcome"] == "killed"))
    flying = int(np.sum(threats["outcome"] == "flying"))
    span = eng.t - (float(eng.truth.t_first.min()) if n else 0.0)
    status = "terminated" if eng.done and flying == 0 else "truncated"
    message = (f"{n} threats: {killed} killed, {leaked} leaked"
               + (f", {flying} still flying at the time limit" if flying else ""))
    shots = _shots(eng)
    if shots["time_s"].size == 0:
        message += "; no round fired"
    never = np.flatnonzero(~eng.defence.reachable & (threats["outcome"] == "leaked"))
    if never.size and eng.defence.W:
        names = ", ".join(str(eng.truth.ids[j]) for j in never[:5])
        more = f" and {never.size - 5} more" if never.size > 5 else ""
        message += (f"; {never.size} leaker(s) were never within any weapon's reach "
                    f"({names}{more})")
    for note in eng.defence.notes:
        message += f"; {note}"
    cost = float(shots["cost_usd"].sum())
    tracks: Table = {} if lazy else _tracks(eng)
    gospa = tracks["gospa_m"] if tracks else eng.quality_columns()[3]
    summary = {
        "threats": n, "killed": killed, "leaked": leaked, "flying": flying,
        "detected": int(np.isfinite(eng.first_detected).sum()),
        "held_in_track": int(np.isfinite(eng.first_held).sum()),
        "mean_gospa_m": float(np.mean(gospa)) if gospa.size else float("nan"),
        "shots": int(shots["time_s"].size),
        "kills_by_layer": {la: int(np.sum((threats["layer"] == la) & (threats["outcome"]
                                                                      == "killed")))
                           for la in eng.scenario.c2.layers},
        "rounds_by_weapon": {w: int(np.sum(shots["weapon"] == w))
                             for w in dict.fromkeys(shots["weapon"].tolist())},
        "cost_usd": cost,
        "railgun_energy_j": float(eng.defence.energy_j),
        "simulated_s": span, "engine_wall_s": eng.wall,
        "faster_than_real_time": span / eng.wall if eng.wall > 0 else float("nan"),
    }
    meta = {"scenario_hash": scenario_hash(eng.scenario), "seed": str(eng.seed),
            "epoch_utc": eng.scenario.epoch_utc.isoformat(),
            "tate_version": __version__, "origin_lat_deg": repr(eng.origin[0]),
            "origin_lon_deg": repr(eng.origin[1]), "origin_alt_m": repr(eng.origin[2])}
    from tate.engine.replay import paths_table, platforms_table, track_states_table

    if not lazy:
        return RunResult(status, message, _events(eng), threats, shots, tracks,
                         eng.sensing.load_until(eng.t), _magazine(eng), _power(eng),
                         paths_table(eng), track_states_table(eng), platforms_table(eng),
                         summary, meta)
    later: dict[str, Any] = {
        "events": lambda: _events(eng), "tracks": lambda: _tracks(eng),
        "sensor_load": lambda t=eng.t: eng.sensing.load_until(t), "power": lambda: _power(eng),
        "paths": lambda: paths_table(eng), "track_states": lambda: track_states_table(eng),
        "platforms": lambda: platforms_table(eng)}
    res = object.__new__(RunResult)
    for name, value in (("status", status), ("message", message), ("threats", threats),
                        ("shots", shots), ("magazine", _magazine(eng)),
                        ("summary", summary), ("metadata", meta), ("_lazy", later)):
        object.__setattr__(res, name, value)
    return res
