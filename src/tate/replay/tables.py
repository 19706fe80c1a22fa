"""Reading a run directory for export: the stored tables, the epoch and the run's span.

A run directory is what ``tate run --out DIR`` writes (:meth:`tate.engine.result.
RunResult.write`): Parquet tables and ``summary.json``.  Export reads only these files,
never the scenario, so what is drawn is what the run recorded.

* Times are seconds from the scenario epoch (``epoch_utc`` of ``summary.json``, else of
  the Parquet metadata); :func:`utc` turns them into ISO 8601 UTC strings with
  microseconds and a ``Z``.
* Positions are WGS-84 geodetic: latitude and longitude [deg], altitude above the
  ellipsoid [m].
* The replay span runs from the first threat launch to the end of the run: the latest of
  first launch + ``simulated_s`` and every time stored in the paths, tracks and events.

Positions between stored samples (where an event happened, where a gun round met its
target) are linear in time between the two neighbouring samples (longitude unwrapped),
which is display interpolation, not flight: threat samples are 1 s apart.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tate.errors import InputError

__all__ = ["RunTables", "id_rows", "path_position", "read_run", "utc", "write_atomic"]

Table = dict[str, NDArray[Any]]
F64 = NDArray[np.float64]

#: files without which a directory is not a run directory
REQUIRED = ("summary.json", "threats.parquet", "events.parquet", "shots.parquet")
#: replay tables, written by tate run since replay export exists
REPLAY = ("paths.parquet", "track_states.parquet", "platforms.parquet")


@dataclass(frozen=True)
class RunTables:
    """The tables of one run that export needs.

    Attributes
    ----------
    directory
        The run directory.
    epoch
        Scenario epoch (time 0), timezone-aware UTC.
    summary
        ``summary.json`` as a dict.
    paths, track_states, platforms, events, threats, shots
        The stored tables as dicts of numpy columns (strings as object arrays).
    start_s, stop_s
        Replay span: first launch and end of the run. [s from the epoch]
    """

    directory: Path
    epoch: datetime
    summary: dict[str, Any]
    paths: Table
    track_states: Table
    platforms: Table
    events: Table
    threats: Table
    shots: Table
    start_s: float
    stop_s: float


def _read_parquet(path: Path) -> tuple[Table, dict[bytes, bytes]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: not a readable Parquet table ({exc})") from None
    cols = {name: np.asarray(table.column(name).to_numpy(zero_copy_only=False))
            for name in table.column_names}
    return cols, dict(table.schema.metadata or {})


def _need(table: Table, path: Path, names: tuple[str, ...]) -> Table:
    missing = [n for n in names if n not in table]
    if missing:
        raise InputError(f"{path}: column {missing[0]!r} is missing; re-run `tate run` to "
                         "write this run directory again")
    return table


_COLUMNS = {
    "paths": ("time_s", "id", "kind", "weapon", "lat_deg", "lon_deg", "alt_m"),
    "track_states": ("time_s", "track_id", "threat_id", "lat_deg", "lon_deg", "alt_m",
                     "pos_sigma_m"),
    "platforms": ("id", "kind", "platform", "lat_deg", "lon_deg", "alt_m", "range_m"),
    "events": ("time_s", "event", "threat_id", "detail"),
    "threats": ("threat_id", "model", "outcome", "launch_time_s", "end_time_s",
                "killed_by", "layer"),
    "shots": ("time_s", "weapon", "ship", "layer", "track_id", "threat_id", "outcome",
              "resolved_s"),
}


def _epoch(summary: dict[str, Any], meta: dict[bytes, bytes], where: Path) -> datetime:
    text = summary.get("epoch_utc") or meta.get(b"epoch_utc", b"").decode()
    if not text:
        raise InputError(f"{where}: no epoch_utc in summary.json; re-run `tate run`")
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: epoch_utc is not an ISO 8601 time, got {text!r}") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def read_run(run_dir: Path) -> RunTables:
    """Read the tables of a run directory written by ``tate run --out``.

    Parameters
    ----------
    run_dir
        The run directory.

    Returns
    -------
    RunTables
        The tables, the epoch and the replay span.

    Raises
    ------
    InputError
        ``run_dir`` is not a directory, lacks one of the run files (named in the
        message), was written before the replay tables existed (the message says to
        re-run ``tate run``), or holds an unreadable file.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: no such run directory")
    for name in REQUIRED:
        if not (run_dir / name).is_file():
            raise InputError(f"{run_dir}: not a run directory of `tate run --out`: "
                             f"{name} is missing")
    for name in REPLAY:
        if not (run_dir / name).is_file():
            raise InputError(f"{run_dir}: written by a tate from before replay export "
                             f"({name} is missing); run `tate run SCENARIO --out "
                             f"{run_dir}` again to export it")
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{run_dir / 'summary.json'}: not readable JSON ({exc})") from None
    if not isinstance(summary, dict):
        raise InputError(f"{run_dir / 'summary.json'}: not a JSON object")
    tables: dict[str, Table] = {}
    meta: dict[bytes, bytes] = {}
    for name, cols in _COLUMNS.items():
        path = run_dir / f"{name}.parquet"
        table, md = _read_parquet(path)
        tables[name] = _need(table, path, cols)
        meta = meta or md
    epoch = _epoch(summary, meta, run_dir / "summary.json")
    start, stop = _span(tables, summary)
    return RunTables(run_dir, epoch, summary, tables["paths"], tables["track_states"],
                     tables["platforms"], tables["events"], tables["threats"],
                     tables["shots"], start, stop)


def _span(tables: dict[str, Table], summary: dict[str, Any]) -> tuple[float, float]:
    launches = np.asarray(tables["threats"]["launch_time_s"], float)
    launches = launches[np.isfinite(launches)]
    times = [np.asarray(tables[n]["time_s"], float) for n in ("paths", "track_states",
                                                             "events")]
    known = np.concatenate([t[np.isfinite(t)] for t in times])
    start = float(launches.min()) if launches.size else (float(known.min()) if known.size
                                                         else 0.0)
    stop = float(known.max()) if known.size else start
    simulated = summary.get("simulated_s")
    if isinstance(simulated, int | float) and math.isfinite(simulated):
        stop = max(stop, start + float(simulated))
    return start, max(stop, start)


def utc(epoch: datetime, t_s: ArrayLike) -> list[str]:
    """ISO 8601 UTC times (``2030-06-01T00:07:33.938388Z``) of seconds from ``epoch``."""
    return [(epoch + timedelta(seconds=float(t))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            for t in np.atleast_1d(np.asarray(t_s, float))]


def id_rows(ids: NDArray[Any], times: ArrayLike) -> dict[str, NDArray[np.intp]]:
    """Rows of each id, in order of time (ids in order of first appearance).

    Rows at a time equal to the previous row's of the same id are dropped, so the
    times of every id strictly increase (CZML requires it).
    """
    t = np.asarray(times, float)
    keys = np.asarray([str(x) for x in np.asarray(ids).tolist()], dtype=object)
    order = np.lexsort((t, keys))
    out: dict[str, NDArray[np.intp]] = {}
    if order.size == 0:
        return out
    ks = keys[order]
    cut = np.flatnonzero(ks[1:] != ks[:-1]) + 1
    for block in np.split(order, cut):
        keep = np.append(np.diff(t[block]) > 0, True)
        out[str(keys[block[0]])] = block[keep]
    first = {k: int(v.min()) for k, v in out.items()}
    return dict(sorted(out.items(), key=lambda kv: first[kv[0]]))


def path_position(table: Table, rows: NDArray[np.intp], t: float) -> tuple[float, float, float]:
    """Latitude, longitude [deg] and altitude [m] of a path (its ``rows``, in time order)
    at ``t``, linear between samples and held at the ends."""
    ts = np.asarray(table["time_s"], float)[rows]
    lat = np.asarray(table["lat_deg"], float)[rows]
    lon = np.unwrap(np.asarray(table["lon_deg"], float)[rows], period=360.0)
    alt = np.asarray(table["alt_m"], float)[rows]
    x = float(np.clip(t, ts[0], ts[-1]))
    lon_t = float(np.interp(x, ts, lon))
    return (float(np.interp(x, ts, lat)), (lon_t + 180.0) % 360.0 - 180.0,
            float(np.interp(x, ts, alt)))


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` under a temporary name, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
