"""``tate track``: detections file in, confirmed tracks out, GOSPA against truth.

Files are CSV or Parquet (by extension).  DETECTIONS: one row per detection with
``time_s, x_m, y_m`` and optional ``z_m`` (Cartesian, one local frame); rows sharing
a ``time_s`` form a scan.  TRUTH: ``time_s, target_id, x_m, y_m, (z_m)``.  TRACKS
(written): one row per confirmed track per scan, ``time_s, track_id, x_m, y_m,
(z_m), vx_mps, vy_mps, (vz_mps)`` and the covariance diagonal
``var_x_m2, …, var_vx_m2s2, …`` (constant-acceleration tracks add ``ax_mps2, …``).
Bad files raise :class:`tate.errors.InputError` naming the file and the column or line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.errors import InputError

__all__ = ["TrackSummary", "read_table", "track_file"]

AXES = ("x", "y", "z")


def read_table(path: Path, required: tuple[str, ...]) -> dict[str, NDArray[Any]]:
    """Read a CSV or Parquet file into numpy columns, checking ``required`` columns."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        if path.suffix == ".parquet":
            table = pq.read_table(path)
        elif path.suffix == ".csv":
            table = pcsv.read_csv(path)
        else:
            raise InputError(f"{path}: unsupported format {path.suffix!r} (use .csv or .parquet)")
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: {exc}") from None
    missing = [c for c in required if c not in table.column_names]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; "
                         f"found {', '.join(table.column_names) or 'none'}")
    out: dict[str, NDArray[Any]] = {}
    for name in table.column_names:
        col = table.column(name).to_numpy(zero_copy_only=False)
        out[name] = col
    for name in required:
        col = out[name]
        if col.dtype.kind not in "fiu":
            raise InputError(f"{path}: column {name} must be numeric, got {col.dtype}")
        bad = np.flatnonzero(~np.isfinite(col.astype(float)))
        if bad.size:
            line = int(bad[0]) + (2 if path.suffix == ".csv" else 1)
            kind = "line" if path.suffix == ".csv" else "row"
            raise InputError(f"{path}: {kind} {line}: column {name} is not a finite number, "
                             f"got {col[bad[0]]!r}")
    return out


@dataclass(frozen=True)
class TrackSummary:
    """What a tracking run did."""

    scans: int
    detections: int
    tracks: int  #: distinct confirmed track ids
    gospa_mean: float | None  #: mean GOSPA over scans (with truth)
    gospa_parts: tuple[float, float, float] | None  #: mean localisation, missed, false


def _dim(cols: dict[str, NDArray[Any]]) -> int:
    return 3 if "z_m" in cols else 2


def track_file(detections: Path, out: Path, config: Any, truth: Path | None = None,
               gospa_c: float = 10.0, gospa_p: float = 1.0) -> TrackSummary:
    """Track ``detections`` with ``config`` (:class:`TrackerConfig` of any dim; its dim
    is set from the file) and write the confirmed tracks to ``out``."""
    from dataclasses import replace

    from tate.io import write_table
    from tate.tracking.metrics import gospa
    from tate.tracking.tracker import Tracker

    det = read_table(detections, ("time_s", "x_m", "y_m"))
    d = _dim(det)
    config = replace(config, dim=d)
    cols = [f"{a}_m" for a in AXES[:d]]
    z_all = np.column_stack([det[c].astype(float) for c in cols])
    t_all = det["time_s"].astype(float)
    order = np.argsort(t_all, kind="stable")
    times, starts = np.unique(t_all[order], return_index=True)
    bounds = [*starts[1:], order.size]
    tru = None
    if truth is not None:
        tru = read_table(truth, ("time_s", "target_id", "x_m", "y_m"))
        if d == 3 and "z_m" not in tru:
            raise InputError(f"{truth}: missing column z_m (the detections are 3-D)")
    tracker = Tracker(config)
    rows: dict[str, list[NDArray[Any]]] = {"time_s": [], "track_id": []}
    states, variances = [], []
    scores: list[tuple[float, float, float, float]] = []
    for t, a, b in zip(times, starts, bounds, strict=True):
        res = tracker.step(float(t), z_all[order[a:b]])
        rows["time_s"].append(np.full(res.ids.size, t))
        rows["track_id"].append(res.ids)
        states.append(res.x)
        variances.append(res.var)
        if tru is not None:
            sel = tru["time_s"].astype(float) == t
            pts = np.column_stack([tru[c][sel].astype(float) for c in cols])
            g = gospa(pts, res.x[:, :d], c=gospa_c, p=gospa_p, alpha=2.0)
            scores.append((g.distance, g.localisation, g.missed, g.false))
    table = _tracks_table(rows, states, variances, d, tracker.k)
    write_table(table, out)
    ids = np.concatenate(rows["track_id"]) if rows["track_id"] else np.empty(0)
    mean = np.mean(scores, axis=0) if scores else None
    return TrackSummary(len(times), int(t_all.size), int(np.unique(ids).size),
                        None if mean is None else float(mean[0]),
                        None if mean is None else (float(mean[1]), float(mean[2]),
                                                   float(mean[3])))


def _tracks_table(rows: dict[str, list[NDArray[Any]]], states: list[NDArray[Any]],
                  variances: list[NDArray[Any]], d: int, k: int) -> dict[str, NDArray[Any]]:
    x = np.concatenate(states) if states else np.empty((0, k))
    var = np.concatenate(variances) if variances else np.empty((0, k))
    names = [f"{a}_m" for a in AXES[:d]] + [f"v{a}_mps" for a in AXES[:d]]
    names += [f"a{a}_mps2" for a in AXES[:d]][: k - 2 * d]
    units = ["m2"] * d + ["m2s2"] * d + ["m2s4"] * (k - 2 * d)
    table: dict[str, NDArray[Any]] = {
        "time_s": np.concatenate(rows["time_s"]) if rows["time_s"] else np.empty(0),
        "track_id": (np.concatenate(rows["track_id"]) if rows["track_id"]
                     else np.empty(0, np.intp)),
    }
    for i, name in enumerate(names):
        table[name] = x[:, i]
    for i, (name, unit) in enumerate(zip(names, units, strict=True)):
        table[f"var_{name.rsplit('_', 1)[0]}_{unit}"] = var[:, i]
    return table
