"""``tate track``: a detections file in, a tracks file out, scores against truth.

Reads the inputs of :mod:`.files`, runs :class:`~.tracker.Tracker` scan by scan
(radar scans with each sensor's position at the scan time) and streams the
confirmed tracks to TRACKS in batches (Parquet or CSV, written to a temporary
name and renamed at the end, so memory stays flat however long the run and a
failed run leaves no partial file).  TRACKS has one row per confirmed track per
scan: ``time_s, track_id, x_m, y_m, (z_m), vx_mps, vy_mps, (vz_mps)``, further
state components (``ax_mps2, …`` for constant acceleration, ``omega_radps`` for a
coordinated turn, ``beta_state`` for the ballistic model) and the covariance
diagonal ``var_<name>_<unit²>``, and ``score``, the track's summed log-likelihood
ratio (target against clutter).

With TRUTH: per distinct scan time, GOSPA (α = 2) between the truth positions and
the confirmed tracks' positions with its localisation / missed / false parts; the
position NEES of the tracks GOSPA pairs with a truth (chi-square with d degrees of
freedom for a consistent filter); and continuity from those pairings (identity
switches, breaks, time to confirm; :mod:`.quality`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.errors import InputError
from tate.tracking.files import AXES, Detections, read_detections, read_sensors, read_truth

__all__ = ["TrackSummary", "track_file"]

F64 = NDArray[np.float64]
BATCH_ROWS = 50_000  #: rows buffered before a batch is written


@dataclass(frozen=True)
class TrackSummary:
    """What a tracking run did (scores are None without truth)."""

    scans: int
    detections: int
    angle_only_skipped: int
    tracks: int  #: distinct confirmed track ids
    gospa_mean: float | None  #: mean GOSPA over scored scan times [m]
    gospa_parts: tuple[float, float, float] | None  #: mean localisation, missed, false [m^p]
    nees_mean: float | None  #: mean position NEES of paired tracks (expect ≈ d)
    dim: int
    id_switches: int | None
    breaks: int | None
    time_to_confirm_s: float | None  #: mean over truths that got a track
    nis: tuple[float, int] | None = None  #: mean NIS of confirmed GNN updates, its dof


class _Writer:
    """Batched, atomic table writer (Parquet or CSV)."""

    def __init__(self, path: Path) -> None:
        if path.suffix not in (".parquet", ".csv"):
            raise InputError(f"{path}: unsupported format {path.suffix!r} (use .csv or .parquet)")
        self.path = path
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        self.writer: Any = None
        self.buf: list[dict[str, NDArray[Any]]] = []
        self.rows = 0

    def add(self, table: dict[str, NDArray[Any]]) -> None:
        self.buf.append(table)
        self.rows += len(table["time_s"])
        if self.rows >= BATCH_ROWS:
            self.flush()

    def flush(self, final: bool = False) -> None:
        import pyarrow as pa
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq

        if not self.buf and not (final and self.writer is None):
            return
        keys = list(self.buf[0]) if self.buf else []
        data = pa.table({k: np.concatenate([b[k] for b in self.buf]) for k in keys})
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = (pq.ParquetWriter(self.tmp, data.schema) if self.path.suffix == ".parquet"
                           else pcsv.CSVWriter(self.tmp, data.schema))
        self.writer.write_table(data)
        self.buf, self.rows = [], 0

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.tmp.exists():
            self.tmp.unlink()


def _names(k: int, d: int, motion: str) -> tuple[list[str], list[str]]:
    """State column names and the unit suffix of their variances."""
    names = [f"{a}_m" for a in AXES[:d]] + [f"v{a}_mps" for a in AXES[:d]]
    units = ["m2"] * d + ["m2s2"] * d
    extra = k - 2 * d
    if motion in ("ca", "singer") and extra == d:
        names += [f"a{a}_mps2" for a in AXES[:d]]
        units += ["m2s4"] * d
    elif extra >= 1 and motion in ("ct", "imm"):
        names += ["omega_radps"] + [f"s{i}" for i in range(1, extra)]
        units += ["rad2s2"] + ["1"] * (extra - 1)
    elif extra >= 1:
        names += ["beta_state"] + [f"s{i}" for i in range(1, extra)]
        units += ["1"] * extra
    return names, units


def track_file(detections: Path, out: Path, config: Any, truth: Path | None = None,
               gospa_c: float = 10.0, gospa_p: float = 1.0, sensors: Path | None = None,
               origin: tuple[float, float, float] | None = None,
               progress: Callable[[int, int], None] | None = None,
               scores: Path | None = None) -> TrackSummary:
    """Track ``detections`` with ``config`` (:class:`TrackerConfig`; its ``dim`` is set
    from the file) and stream the confirmed tracks to ``out``; with truth and ``scores``,
    also write the GOSPA of every scan time (``time_s, gospa_m, localisation, missed,
    false, tracks, truths``)."""
    from dataclasses import replace

    from tate.tracking.tracker import Tracker

    det = read_detections(detections)
    sens = None
    if det.kind == "radar":
        if sensors is None:
            raise InputError(f"{detections}: radar detections (range_m, az_deg, el_deg) need "
                             "a sensors file (--sensors)")
        sens = read_sensors(sensors, origin)
        unknown = sorted(set(det.sensor.tolist()) - set(sens.ids)) if det.sensor is not None else []
        if unknown:
            raise InputError(f"{detections}: sensor_id {unknown[0]!r} is not in {sensors}; "
                             f"known: {', '.join(sens.ids)}")
    try:
        config = replace(config, dim=det.dim)
    except ValueError as exc:
        raise InputError(f"bad tracker option: {exc}") from None
    tru = read_truth(truth, det.dim) if truth is not None else None
    tracker = Tracker(config)
    names, units = _names(tracker.k, det.dim, config.motion)
    writer = _Writer(out)
    score = _Scorer(tru, det.dim, gospa_c, gospa_p)
    ids_seen: set[int] = set()
    n_scans = det.starts.size - 1
    try:
        for s in range(n_scans):
            a, b = det.starts[s], det.starts[s + 1]
            t = float(det.time[a])
            try:
                rows = tracker.step(t, det.z[a:b], _meas(det, sens, config, a, b, t))
            except ValueError as exc:
                raise InputError(f"{detections}: scan at time_s {t}: {exc}") from None
            last_at_t = s + 1 == n_scans or det.time[b] != t
            if last_at_t:
                _emit(writer, t, rows, names, units)
                ids_seen.update(rows.ids.tolist())
                score.scan(t, rows)
            if progress is not None:
                progress(s + 1, n_scans)
        writer.flush(final=True)
        writer.close()
    except BaseException:
        writer.abort()
        raise
    if scores is not None and tru is not None:
        from tate.io import write_table

        names_s = ("time_s", "gospa_m", "localisation", "missed", "false", "tracks", "truths")
        rows_s: list[Any] = (list(zip(*score.rows, strict=True)) if score.rows
                             else [[] for _ in names_s])
        write_table({k: np.asarray(v, float) for k, v in zip(names_s, rows_s, strict=True)},
                    scores)
    summary = score.summary(n_scans, int(det.time.size), det.angle_only, len(ids_seen))
    return replace(summary, nis=tracker.mean_nis)


def _meas(det: Detections, sens: Any, config: Any, a: int, b: int, t: float) -> Any:
    from tate.tracking.measurement import PositionMeas, RAEMeas

    if det.kind == "radar" and det.sensor is not None:  # read_detections sets both
        std = det.std[a:b] if det.std is not None else np.tile(
            [config.meas_std, config.angle_std, config.angle_std], (b - a, 1))
        sid = str(det.sensor[a])
        return RAEMeas(sens.position(sid, t), _diag(std), rotation=sens.rotation(sid, t))
    if det.std is not None:
        return PositionMeas(det.dim, _diag(det.std[a:b]))
    return None


def _diag(std: F64) -> F64:
    out = np.zeros((*std.shape, std.shape[1]))
    idx = np.arange(std.shape[1])
    out[:, idx, idx] = std**2
    return out


def _emit(writer: _Writer, t: float, rows: Any, names: list[str], units: list[str]) -> None:
    table: dict[str, NDArray[Any]] = {"time_s": np.full(rows.ids.size, t),
                                      "track_id": rows.ids.astype(np.int64)}
    var = rows.var
    for i, name in enumerate(names):
        table[name] = rows.x[:, i]
    for i, (name, unit) in enumerate(zip(names, units, strict=True)):
        table[f"var_{name.rsplit('_', 1)[0] if '_' in name else name}_{unit}"] = var[:, i]
    table["score"] = rows.score
    writer.add(table)


class _Scorer:
    """Per-scan GOSPA, NEES and continuity pairings against a truth table."""

    def __init__(self, tru: dict[str, NDArray[Any]] | None, d: int, c: float, p: float
                 ) -> None:
        self.tru, self.d, self.c, self.p = tru, d, c, p
        self.g: list[tuple[float, float, float, float]] = []
        self.rows: list[tuple[float, ...]] = []  #: per scan time, for the scores file
        self.nees: list[F64] = []
        self.pairs: list[tuple[F64, NDArray[Any], NDArray[np.intp]]] = []
        if tru is not None:
            self.t_tru = tru["time_s"]
            self.pts = np.column_stack([tru[f"{a}_m"] for a in AXES[:d]])
            self.tid = np.asarray(tru["target_id"])

    def scan(self, t: float, rows: Any) -> None:
        if self.tru is None:
            return
        from tate.tracking.metrics import gospa
        from tate.tracking.quality import nees

        sel = np.flatnonzero(self.t_tru == t)
        if sel.size == 0:
            return
        d = self.d
        g = gospa(self.pts[sel], rows.x[:, :d], c=self.c, p=self.p, alpha=2.0)
        self.g.append((g.distance, g.localisation, g.missed, g.false))
        self.rows.append((t, g.distance, g.localisation, g.missed, g.false,
                          float(rows.ids.size), float(sel.size)))
        paired = g.assignment >= 0
        if paired.any():
            est = g.assignment[paired]
            self.nees.append(nees(self.pts[sel][paired], rows.x[est, :d], rows.P[est, :d, :d]))
        track = np.full(sel.size, -1, dtype=np.intp)
        track[paired] = rows.ids[g.assignment[paired]]
        self.pairs.append((np.full(sel.size, t), self.tid[sel], track))

    def summary(self, scans: int, n_det: int, angle_only: int, tracks: int) -> TrackSummary:
        from tate.tracking.quality import continuity

        if self.tru is None or not self.g:
            return TrackSummary(scans, n_det, angle_only, tracks, None, None, None, self.d,
                                None, None, None)
        mean = np.mean(self.g, axis=0)
        nees_all = np.concatenate(self.nees) if self.nees else np.empty(0)
        t = np.concatenate([a for a, _, _ in self.pairs])
        tid_raw = np.concatenate([b for _, b, _ in self.pairs])
        _, tid = np.unique(tid_raw.astype(str), return_inverse=True)
        trk = np.concatenate([c for _, _, c in self.pairs])
        cont = continuity(t, tid, trk)
        ttc = cont.time_to_confirm[np.isfinite(cont.time_to_confirm)]
        return TrackSummary(
            scans, n_det, angle_only, tracks, float(mean[0]),
            (float(mean[1]), float(mean[2]), float(mean[3])),
            float(nees_all.mean()) if nees_all.size else None, self.d,
            int(cont.id_switches.sum()), int(cont.breaks.sum()),
            float(ttc.mean()) if ttc.size else None)
