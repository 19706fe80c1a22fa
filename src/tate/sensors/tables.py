"""The tables of a sensing run (:func:`tate.sensors.simulate.simulate_detections`): their
columns, and how each sensor's collected rows become them.

Units of the tables: times [s], ranges [m], angles [deg], SNR [dB]; each sensor's rows are
collected in m and rad (:class:`_Out`) and converted once.  Detections of all sensors are
ordered by time, then sensor id; the load table has one row per radar look time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.sensors import platforms as plat

__all__ = ["DETECTION_COLUMNS", "LOAD_COLUMNS", "Table"]

F64 = NDArray[np.float64]
Table = dict[str, NDArray[Any]]

#: Detection table columns, in order.
DETECTION_COLUMNS = ("time_s", "sensor_id", "range_m", "az_deg", "el_deg", "range_std_m",
                     "az_std_deg", "el_std_deg", "snr_db", "truth_id")
#: Columns of the load table collected per radar look time (``sensor_id`` is added).
LOAD_COLUMNS = ("time_s", "n_in_track", "track_occupancy", "search_frame_s_effective",
                "track_revisit_s_effective", "n_looks")


@dataclass
class _Out:
    """Rows collected for one sensor (blocks of rows, concatenated, put in time order and
    converted to the table's units once, with every sensor's, by :func:`_detections`)."""

    sensor_id: str
    #: per block: the times ``(m,)``, the rows ``(m, 7)`` of range, az, el, their stds (m
    #: and rad) and SNR, and the truth ids ``(m,)``
    times: list[F64] = field(default_factory=list)
    blocks: list[F64] = field(default_factory=list)
    ids: list[NDArray[Any]] = field(default_factory=list)
    #: per block: each row's body index (a row of the run's targets; −1: false alarm)
    rows: list[NDArray[np.intp]] = field(default_factory=list)
    #: per chunk of radar look times: the times ``(k,)``, the counts ``(k, 2)`` (targets
    #: in track, looks) and the load ``(k, 3)`` (occupancy, effective search frame and
    #: revisit [s]) of each look time
    load: list[tuple[F64, NDArray[np.int64], F64]] = field(default_factory=list)
    states: list[plat.PlatformState] = field(default_factory=list)

    def add(self, t: float, rae: tuple[F64, F64, F64], std: tuple[F64, F64, F64], snr: F64,
            truth_id: NDArray[Any], body: NDArray[np.intp]) -> None:
        """Append detections at time ``t`` (range, az, el and their stds in m and rad)."""
        if snr.size:
            self.add_block(np.full(snr.size, t), np.stack((*rae, *std, snr), axis=1),
                           truth_id, body)

    def add_block(self, times: F64, rows: F64, truth_id: NDArray[Any],
                  body: NDArray[np.intp]) -> None:
        """Append detections as rows of range, az, el, their stds (m, rad) and SNR, of
        the bodies ``body`` (truth ids ``truth_id``; −1 and "": false alarms).

        Blocks may come out of time order, but rows of equal time must come in order.
        """
        self.times.append(times)
        self.blocks.append(rows)
        self.ids.append(truth_id)
        self.rows.append(body)


def _add_looks(out: _Out, rows: tuple[F64, ...], tc: F64, ids: NDArray[Any],
               found: list[NDArray[Any]], fa_tail: F64, det: F64 | None = None) -> None:
    """Add a radar chunk's detections (the 7 ``(k, n)`` columns of ``rows`` plus noise)
    and false alarms to ``out``; ``found`` = hit_i, hit_d, noise, fa_i, fa_rae of
    :func:`tate.sensors.simulate._looks` (alarms after hits); ``det``: the hits' rows if
    already made (:func:`tate.sensors._chunk_jit.hits`)."""
    hit_i, hit_d, noise, fa_i, fa_rae = found
    if hit_i.size:
        if det is None:
            flat = hit_i * rows[0].shape[1] + hit_d
            det = np.stack([col.ravel()[flat] for col in rows], axis=1)
            det[:, :3] += det[:, 3:6] * noise
        out.add_block(tc[hit_i], det, ids[hit_d], hit_d)
    if fa_i.size:
        block = np.empty((fa_i.size, 7))
        block[:, :3], block[:, 3:] = fa_rae, fa_tail
        out.add_block(tc[fa_i], block, np.full(fa_i.size, "", object),
                      np.full(fa_i.size, -1, np.intp))


def _table(parts: dict[str, list[NDArray[Any]]], types: dict[str, Any]) -> Table:
    """Concatenate column parts; an empty column gets its dtype from ``types`` (else float)."""
    return {k: (np.concatenate(v).astype(types.get(k, float)) if v
                else np.empty(0, types.get(k, float))) for k, v in parts.items()}


def _detections(outs: list[_Out]) -> tuple[Table, NDArray[np.intp]]:
    """The detection table of every sensor's rows (``DETECTION_COLUMNS``; angles in
    degrees), by time, then sensor id, then the order each sensor collected them in: one
    stable sort of all rows and one gather (as sorting each sensor's rows by time, then
    all by time and sensor, the same rows in the same order); and each row's body index
    (−1: false alarm)."""
    names = sorted({o.sensor_id for o in outs})  # (np.unique's order, without its sort)
    used = [o for o in outs if o.blocks]
    if not used:
        return ({c: np.empty(0, object if c in ("sensor_id", "truth_id") else float)
                 for c in DETECTION_COLUMNS}, np.empty(0, np.intp))
    t = np.concatenate([x for o in used for x in o.times])
    rank = np.repeat([names.index(o.sensor_id) for o in used],
                     [sum(x.size for x in o.times) for o in used])
    order = np.lexsort((rank, t))
    rows = np.take(np.concatenate([b for o in used for b in o.blocks]), order, axis=0)
    r, s_r, snr = (np.ascontiguousarray(rows[:, j]) for j in (0, 3, 6))
    ids = np.take(np.concatenate([x for o in used for x in o.ids]).astype(object), order)
    cols = (np.take(t, order), np.take(np.array(names, dtype=object), np.take(rank, order)),
            r, _degrees_360(rows[:, 1]), np.degrees(rows[:, 2]), s_r,
            np.degrees(rows[:, 4]), np.degrees(rows[:, 5]), snr, ids)
    body = np.take(np.concatenate([x for o in used for x in o.rows]).astype(np.intp), order)
    return dict(zip(DETECTION_COLUMNS, cols, strict=True)), body


def _degrees_360(rad: F64) -> F64:
    """``np.mod(np.degrees(rad), 360.0)``, the floor-modulo taken only where it can change
    a value (outside ``(0, 360)``: there it returns its argument, bit for bit)."""
    deg = np.degrees(rad)
    wrap = ~((deg > 0.0) & (deg < 360.0))
    if wrap.any():
        deg[wrap] = np.mod(deg[wrap], 360.0)
    return deg


def _sensor_rows(sites: tuple[plat.SensorSite, ...], outs: list[_Out]) -> Table:
    parts: dict[str, list[NDArray[Any]]] = {c: [] for c in (
        "sensor_id", "time_s", "lat_deg", "lon_deg", "alt_m", "heading_deg")}
    for site, out in zip(sites, outs, strict=True):
        fields = ("time", "pos", "lat", "lon", "alt", "heading")
        st = (plat.PlatformState(*(np.concatenate([getattr(s, f) for s in out.states])
                                   for f in fields))
              if site.moving and out.states else plat.platform_state(site, [0.0]))
        for key, col in (("sensor_id", np.full(st.time.size, site.sensor_id, dtype=object)),
                         ("time_s", st.time), ("lat_deg", np.degrees(st.lat)),
                         ("lon_deg", np.degrees(st.lon)), ("alt_m", st.alt),
                         ("heading_deg", np.degrees(st.heading))):
            parts[key].append(col)
    return _table(parts, {"sensor_id": object})


def _load_rows(sites: tuple[plat.SensorSite, ...], outs: list[_Out]) -> Table:
    parts: dict[str, list[NDArray[Any]]] = {"time_s": [], "sensor_id": []}
    parts.update({c: [] for c in LOAD_COLUMNS[1:]})
    for site, out in zip(sites, outs, strict=True):
        for tc, counts, load in out.load:
            cols = (tc, counts[:, 0], *load.T, counts[:, 1])
            for name, values in zip(LOAD_COLUMNS, cols, strict=True):
                parts[name].append(values)
            parts["sensor_id"].append(np.full(tc.size, site.sensor_id, object))
    return _table(parts, {"sensor_id": object, "n_in_track": np.int64, "n_looks": np.int64})


def _truth_rows(ids: NDArray[Any], times: F64, origin: tuple[float, float, float],
                truth_at: Callable[[int], tuple[F64, F64, NDArray[np.bool_]]],
                chunk: int, compiled: bool = False) -> Table:
    """The truth table: the bodies in flight at ``times``, in the track frame (ENU about
    ``origin``); ``truth_at(c0)`` gives the ECEF positions (read in flight only) and the
    in-flight mask of the chunk of ``chunk`` look times from index ``c0``; ``compiled``:
    through :func:`tate.sensors._chunk_jit.track_frame` (the same bits)."""
    parts: dict[str, list[NDArray[Any]]] = {c: [] for c in ("time_s", "target_id", "x_m",
                                                             "y_m", "z_m")}
    lat0, lon0 = np.radians(origin[0]), np.radians(origin[1])
    o_ecef = wgs84.geodetic_to_ecef(lat0, lon0, origin[2])
    trig = np.array([np.sin(lat0), np.cos(lat0), np.sin(lon0), np.cos(lon0)])
    for c0 in range(0, times.size, chunk):
        tc = times[c0:c0 + chunk]
        pos, _, alive = truth_at(c0)
        if compiled:
            from tate.sensors._chunk_jit import track_frame

            k, j, enu = track_frame(pos, alive, o_ecef, trig)
        else:
            k, j = np.nonzero(alive)
            enu = wgs84.ecef_to_enu(pos[k, j], lat0, lon0, origin[2])
        for key, col in (("time_s", tc[k]), ("target_id", ids[j]), ("x_m", enu[:, 0]),
                         ("y_m", enu[:, 1]), ("z_m", enu[:, 2])):
            parts[key].append(col)
    return _table(parts, {"target_id": object})
