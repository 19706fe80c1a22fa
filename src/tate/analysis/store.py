"""The study dataset on disk: manifest, chunked Parquet tables, DuckDB views.

Layout and schemas: docs/studies.md.  Each chunk of a grid point is one Parquet file per
table, written under a temporary name and renamed into place; the ``runs`` file (or the
``errors`` file of a chunk whose every run raised) is renamed last and commits the chunk.
Only the parent process writes.  Readers see committed chunks only.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FORMAT", "TABLES", "chunk_name", "connect", "done_chunks", "read_manifest",
           "run_row", "write_chunk", "write_manifest"]

FORMAT = "tate-study/1"
TABLES = ("runs", "threats", "shots", "errors")
LAYERS = ("exo", "glide", "terminal", "railgun", "point")
_CHUNK = re.compile(r"^chunk-(\d{4})-(\d{6})\.parquet$")


def chunk_name(point: int, chunk: int) -> str:
    """File name of chunk ``chunk`` of grid point ``point``."""
    return f"chunk-{point:04d}-{chunk:06d}.parquet"


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The study's manifest, or None if the directory holds no study."""
    path = Path(directory) / "manifest.json"
    if not path.exists():
        return None
    return dict(json.loads(path.read_text()))


def write_manifest(directory: Path, manifest: Mapping[str, Any]) -> None:
    """Write ``manifest.json`` atomically."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / ".manifest.json.part"
    tmp.write_text(json.dumps(dict(manifest), indent=2, sort_keys=True))
    os.replace(tmp, directory / "manifest.json")


def done_chunks(directory: Path) -> set[tuple[int, int]]:
    """(point, chunk) pairs committed in ``directory``: a ``runs`` file, or an
    ``errors`` file with no ``runs`` file only when every run of the chunk raised (the
    writer then writes no ``runs`` file at all)."""
    out: set[tuple[int, int]] = set()
    for table in ("runs", "errors"):
        folder = Path(directory) / table
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            m = _CHUNK.match(p.name)
            if m and (table == "runs" or _all_failed_marker(p)):
                out.add((int(m.group(1)), int(m.group(2))))
    return out


def _all_failed_marker(errors_file: Path) -> bool:
    import pyarrow.parquet as pq

    meta = pq.read_schema(errors_file).metadata or {}
    return meta.get(b"tate.commit") == b"errors"


def write_chunk(directory: Path, point: int, chunk: int,
                tables: Mapping[str, Any]) -> None:
    """Write one chunk: every non-empty table of ``tables`` (name → pyarrow Table), the
    committing file (``runs``, else ``errors``) renamed last."""
    import pyarrow.parquet as pq

    directory = Path(directory)
    name = chunk_name(point, chunk)
    commit = "runs" if tables.get("runs") is not None and tables["runs"].num_rows else "errors"
    order = [t for t in TABLES if t != commit] + [commit]
    for table in order:
        data = tables.get(table)
        if data is None or (data.num_rows == 0 and table != commit):
            continue
        if table == commit:
            data = data.replace_schema_metadata({**(data.schema.metadata or {}),
                                                 b"tate.commit": commit.encode()})
        folder = directory / table
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.part"
        pq.write_table(data, tmp)
        os.replace(tmp, folder / name)


def run_row(result: Any, point: int, run: int, seed: int, wall_s: float) -> dict[str, Any]:
    """The ``runs`` row of one :class:`~tate.engine.result.RunResult`."""
    from tate.weapons.presets import PRESETS, GunPreset

    s = result.summary
    shots = result.shots
    kind = np.asarray(shots["layer"], dtype=object) if len(shots["time_s"]) else np.empty(0)
    rail = int(np.sum(kind == "railgun"))
    gun = sum(isinstance(PRESETS.get(w), GunPreset) for w in shots["weapon"].tolist())
    by_layer = s.get("kills_by_layer", {})
    mag = result.magazine
    left = np.asarray(mag["rounds_left"], float) if len(mag["time_s"]) else np.empty(0)
    empty_t = np.asarray(mag["time_s"], float)[left <= 0] if left.size else np.empty(0)
    row: dict[str, Any] = {
        "point": point, "run": run, "seed": seed, "status": result.status,
        "threats": int(s["threats"]), "killed": int(s["killed"]), "leaked": int(s["leaked"]),
        "flying": int(s["flying"]),
        "raid_annihilated": bool(s["leaked"] == 0 and s["flying"] == 0),
        "shots": int(s["shots"]), "interceptors": int(s["shots"]) - rail - gun,
        "railgun_shots": rail, "railgun_energy_j": float(s["railgun_energy_j"]),
        "cost_usd": float(s["cost_usd"]),
    }
    for layer in LAYERS:
        row[f"kills_{layer}"] = int(by_layer.get(layer, 0))
    row.update({
        "first_empty_s": float(empty_t.min()) if empty_t.size else math.nan,
        "detected": int(s["detected"]), "held_in_track": int(s["held_in_track"]),
        "mean_gospa_m": float(s["mean_gospa_m"]),
        "simulated_s": float(s["simulated_s"]), "wall_s": float(wall_s),
    })
    return row


def connect(directory: Path, tables: Sequence[str] = TABLES) -> Any:
    """An in-memory DuckDB connection with a view per table of the study in
    ``directory`` (``runs``, ``threats``, ``shots``, ``errors``; an empty table where no
    chunk wrote one).  Raises ``TateError`` if the directory holds no study."""
    import duckdb

    from tate.errors import TateError

    directory = Path(directory)
    if read_manifest(directory) is None:
        raise TateError(f"{directory}: not a study directory (no manifest.json); "
                        "create one with `tate mc` or `tate sweep`")
    done = done_chunks(directory)
    con = duckdb.connect()
    for table in tables:
        folder = directory / table
        files = []
        if folder.is_dir():
            for f in sorted(folder.iterdir()):
                m = _CHUNK.match(f.name)
                if m and (int(m.group(1)), int(m.group(2))) in done:
                    files.append(f)
        if files:
            paths = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet([{paths}], "
                        "union_by_name = true)")
        else:
            cols = ", ".join(f"NULL::{t} AS {c}" for c, t in EMPTY[table])
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM (SELECT {cols}) WHERE false")
    return con


#: column types of a table no chunk wrote (so that queries on an empty study still run)
EMPTY: dict[str, list[tuple[str, str]]] = {
    "runs": [("point", "BIGINT"), ("run", "BIGINT"), ("seed", "UBIGINT"),
             ("status", "VARCHAR"), ("threats", "BIGINT"), ("killed", "BIGINT"),
             ("leaked", "BIGINT"), ("flying", "BIGINT"), ("raid_annihilated", "BOOLEAN"),
             ("shots", "BIGINT"), ("interceptors", "BIGINT"), ("railgun_shots", "BIGINT"),
             ("railgun_energy_j", "DOUBLE"), ("cost_usd", "DOUBLE")]
    + [(f"kills_{la}", "BIGINT") for la in LAYERS]
    + [("first_empty_s", "DOUBLE"), ("detected", "BIGINT"), ("held_in_track", "BIGINT"),
       ("mean_gospa_m", "DOUBLE"), ("simulated_s", "DOUBLE"), ("wall_s", "DOUBLE")],
    "threats": [("point", "BIGINT"), ("run", "BIGINT"), ("threat_id", "VARCHAR"),
                ("model", "VARCHAR"), ("outcome", "VARCHAR"), ("launch_time_s", "DOUBLE"),
                ("end_time_s", "DOUBLE"), ("kill_time_s", "DOUBLE"), ("killed_by", "VARCHAR"),
                ("layer", "VARCHAR"), ("first_detection_s", "DOUBLE"),
                ("first_held_s", "DOUBLE"), ("impact_error_m", "DOUBLE")],
    "shots": [("point", "BIGINT"), ("run", "BIGINT"), ("time_s", "DOUBLE"),
              ("weapon", "VARCHAR"), ("ship", "VARCHAR"), ("layer", "VARCHAR"),
              ("track_id", "BIGINT"), ("threat_id", "VARCHAR"), ("miss_m", "DOUBLE"),
              ("pk", "DOUBLE"), ("kill", "BOOLEAN"), ("cost_usd", "DOUBLE"),
              ("outcome", "VARCHAR"), ("resolved_s", "DOUBLE"), ("divert_mps", "DOUBLE")],
    "errors": [("point", "BIGINT"), ("run", "BIGINT"), ("seed", "UBIGINT"),
               ("error", "VARCHAR"), ("traceback", "VARCHAR")],
}
