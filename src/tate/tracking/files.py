"""Input files of ``tate track``: detections, sensors and truth, checked row by row.

Files are CSV or Parquet (by extension).  Row numbers in messages are file lines
for CSV (the header is line 1) and 1-based rows for Parquet.

DETECTIONS, one row per detection, in time order (``time_s`` never decreases):

* Cartesian: ``time_s, x_m, y_m`` and optional ``z_m`` (one local frame); optional
  per-row noise ``x_std_m, y_std_m, (z_std_m)``.  Rows sharing a ``time_s`` are a scan.
* Radar: ``time_s, sensor_id, range_m, az_deg, el_deg`` (azimuth clockwise from north,
  elevation above the sensor's horizontal), optional per-row noise ``range_std_m,
  az_std_deg, el_std_deg``; needs a SENSORS file.  Rows sharing ``time_s`` and
  ``sensor_id`` are a scan.  A row with an empty or NaN ``range_m`` is an angle-only
  detection (e.g. from an IR sensor): counted and left out, the tracker does not use
  them yet.

SENSORS: ``sensor_id, lat_deg, lon_deg, alt_m`` and optional ``time_s`` (a moving
sensor has one row per time; positions are interpolated linearly in the tracker frame).
The tracker frame is the local ENU frame (x east, y north, z up) at the origin stored
in the file's Parquet metadata (``origin_lat_deg``, ``origin_lon_deg``,
``origin_alt_m``, as written by ``tate sense``), else at the first sensor row's
latitude and longitude at zero altitude.  Each radar measures in its own local ENU
axes (its vertical tilts by about 1.6 mrad per 10 km from the origin's); the tracker
rotates them into its frame.

TRUTH: ``time_s, target_id, x_m, y_m, (z_m)`` in the tracker frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.errors import InputError

__all__ = ["Detections", "Sensors", "read_detections", "read_sensors", "read_table",
           "read_truth", "sensors_from_columns"]

AXES = ("x", "y", "z")
F64 = NDArray[np.float64]


def _where(path: Path, i: int) -> str:
    """``line L`` (CSV) or ``row R`` (Parquet) of 0-based data row ``i``."""
    return f"line {i + 2}" if path.suffix == ".csv" else f"row {i + 1}"


def _read_arrow(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        if path.suffix == ".parquet":
            return pq.read_table(path)
        if path.suffix == ".csv":
            return pcsv.read_csv(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: {exc}") from None
    raise InputError(f"{path}: unsupported format {path.suffix!r} (use .csv or .parquet)")


def _numeric(path: Path, name: str, col: NDArray[Any], allow_nan: bool) -> F64:
    """Column ``name`` as floats; text or (unless allowed) NaN/inf names the row."""
    if col.dtype.kind in "fiu":
        out = col.astype(float)
    else:
        out = np.empty(col.size)
        for i, v in enumerate(col):
            try:
                out[i] = np.nan if v is None else float(v)
            except (TypeError, ValueError):
                raise InputError(f"{path}: {_where(path, i)}: column {name} is not a number, "
                                 f"got {v!r}") from None
    bad = np.flatnonzero(np.isinf(out) if allow_nan else ~np.isfinite(out))
    if bad.size:
        raise InputError(f"{path}: {_where(path, int(bad[0]))}: column {name} is not a finite "
                         f"number, got {col[bad[0]]!r}")
    return out


def read_table(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = (),
               allow_nan: tuple[str, ...] = ()) -> dict[str, NDArray[Any]]:
    """Read a CSV or Parquet file into numpy columns; ``required`` and present
    ``optional`` columns must hold finite numbers (NaN allowed in ``allow_nan``)."""
    table = _read_arrow(path)
    missing = [c for c in required if c not in table.column_names]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; "
                         f"found {', '.join(table.column_names) or 'none'}")
    out: dict[str, NDArray[Any]] = {
        name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}
    for name in (*required, *(c for c in optional if c in out)):
        out[name] = _numeric(path, name, out[name], name in allow_nan)
    return out


def _check_time_order(path: Path, t: F64) -> None:
    back = np.flatnonzero(np.diff(t) < 0)
    if back.size:
        i = int(back[0]) + 1
        raise InputError(f"{path}: {_where(path, i)}: column time_s goes backwards "
                         f"({t[i]!r} after {t[i - 1]!r}); sort the file by time")


@dataclass(frozen=True)
class Sensors:
    """Sensor positions in the tracker frame, and the frame's origin."""

    origin: tuple[float, float, float]  #: (lat_deg, lon_deg, alt_m)
    ids: list[str]
    tracks: dict[str, tuple[F64, F64]]  #: sensor id → (times (k,), ENU positions (k, 3))
    geo: dict[str, F64]  #: sensor id → (k, 2) latitude, longitude [rad]
    #: rotations of the fixed sensors (one row), computed once
    _fixed: dict[str, F64] = field(default_factory=dict, compare=False, repr=False)

    def position(self, sensor_id: str, t: float) -> F64:
        """ENU position [m] of a sensor at time ``t`` [s] (interpolated, held at the ends)."""
        times, pos = self.tracks[sensor_id]
        if times.size == 1:
            return pos[0]
        return np.array([np.interp(t, times, pos[:, i]) for i in range(3)])

    def rotation(self, sensor_id: str, t: float) -> F64:
        """Rotation ``(3, 3)`` from tracker-frame axes to the sensor's own ENU axes."""
        from tate.earth import wgs84

        times, _ = self.tracks[sensor_id]
        if times.size == 1 and sensor_id in self._fixed:
            return self._fixed[sensor_id].copy()
        ll = self.geo[sensor_id]
        lat, lon = ((ll[0, 0], ll[0, 1]) if times.size == 1 else
                    (np.interp(t, times, ll[:, 0]), np.interp(t, times, ll[:, 1])))
        e_s = wgs84.enu_matrix(lat, lon)
        e_o = wgs84.enu_matrix(np.radians(self.origin[0]), np.radians(self.origin[1]))
        out = np.asarray(e_s @ e_o.T, dtype=np.float64)
        if times.size == 1:
            self._fixed[sensor_id] = out.copy()
        return out


def read_sensors(path: Path, origin: tuple[float, float, float] | None = None) -> Sensors:
    """Read a sensors file (see the module docstring)."""
    cols = read_table(path, ("lat_deg", "lon_deg", "alt_m"), optional=("time_s",))
    if "sensor_id" not in cols:
        raise InputError(f"{path}: missing column(s) sensor_id")
    if cols["lat_deg"].size == 0:
        raise InputError(f"{path}: no sensors")
    if origin is None:
        meta = _read_arrow(path).schema.metadata or {}
        keys = (b"origin_lat_deg", b"origin_lon_deg", b"origin_alt_m")
        if all(k in meta for k in keys):
            origin = (float(meta[keys[0]]), float(meta[keys[1]]), float(meta[keys[2]]))
    return sensors_from_columns(cols, origin)


def sensors_from_columns(cols: dict[str, NDArray[Any]],
                         origin: tuple[float, float, float] | None = None) -> Sensors:
    """Sensors from columns ``sensor_id, lat_deg, lon_deg, alt_m, (time_s)``; the origin
    defaults to the first row's latitude and longitude at zero altitude."""
    from tate.earth import wgs84

    if origin is None:
        origin = (float(cols["lat_deg"][0]), float(cols["lon_deg"][0]), 0.0)
    ids = np.asarray(cols["sensor_id"]).astype(str)
    times = np.asarray(cols["time_s"], float) if "time_s" in cols else np.zeros(ids.size)
    lat_deg = np.asarray(cols["lat_deg"], float)
    lon_deg = np.asarray(cols["lon_deg"], float)
    enu = wgs84.ecef_to_enu(
        wgs84.geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg),
                               np.asarray(cols["alt_m"], float)),
        np.radians(origin[0]), np.radians(origin[1]), origin[2])
    latlon = np.radians(np.column_stack([lat_deg, lon_deg]))
    tracks: dict[str, tuple[F64, F64]] = {}
    geo: dict[str, F64] = {}
    for sid in dict.fromkeys(ids.tolist()):
        sel = np.flatnonzero(ids == sid)
        order = sel[np.argsort(times[sel], kind="stable")]
        tracks[sid] = (times[order], enu[order])
        geo[sid] = latlon[order]
    return Sensors(origin, list(tracks), tracks, geo)


@dataclass(frozen=True)
class Detections:
    """Detections grouped in scans, in time order."""

    kind: str  #: "cartesian" or "radar"
    dim: int  #: 2 or 3 (radar: 3)
    time: F64  #: (p,) [s]
    z: F64  #: (p, m): positions [m] or (range [m], az [rad], el [rad])
    std: F64 | None  #: (p, m) per-row noise σ in the units of ``z``, if given
    sensor: NDArray[Any] | None  #: (p,) sensor ids (radar)
    starts: NDArray[np.intp]  #: first row of each scan, with a final ``p``
    angle_only: int  #: angle-only rows left out


def read_detections(path: Path) -> Detections:
    """Read a detections file (see the module docstring) and split it into scans."""
    head = _read_arrow(path).column_names
    radar = "range_m" in head or "sensor_id" in head
    if radar:
        need = ("time_s", "range_m", "az_deg", "el_deg")
        noise = ("range_std_m", "az_std_deg", "el_std_deg")
        cols = read_table(path, need, optional=noise, allow_nan=("range_m", "range_std_m"))
        if "sensor_id" not in cols:
            raise InputError(f"{path}: missing column(s) sensor_id")
        t = cols["time_s"]
        _check_time_order(path, t)
        ok = np.isfinite(cols["range_m"])
        neg = np.flatnonzero(ok & (cols["range_m"] <= 0))
        if neg.size:
            raise InputError(f"{path}: {_where(path, int(neg[0]))}: column range_m must be > 0, "
                             f"got {cols['range_m'][neg[0]]!r}")
        z = np.column_stack([cols["range_m"], np.radians(cols["az_deg"]),
                             np.radians(cols["el_deg"])])[ok]
        std = None
        if all(c in cols for c in noise):
            std = np.column_stack([cols["range_std_m"], np.radians(cols["az_std_deg"]),
                                   np.radians(cols["el_std_deg"])])[ok]
            rows = np.flatnonzero(ok)
            bad = np.flatnonzero(~np.isfinite(std[:, 0]))
            if bad.size:
                raise InputError(f"{path}: {_where(path, int(rows[bad[0]]))}: column "
                                 f"range_std_m is not a finite number, got nan (it may be "
                                 "empty only where range_m is)")
            _positive(path, std, noise, rows)
        sensor = np.asarray(cols["sensor_id"]).astype(str)[ok]
        t = t[ok]
        key_change = (np.diff(t) != 0) | (sensor[1:] != sensor[:-1])
        starts = np.concatenate([[0], np.flatnonzero(key_change) + 1, [t.size]])
        return Detections("radar", 3, t, z, std, sensor, starts.astype(np.intp),
                          int((~ok).sum()))
    cols = read_table(path, ("time_s", "x_m", "y_m"),
                      optional=("z_m", "x_std_m", "y_std_m", "z_std_m"))
    d = 3 if "z_m" in cols else 2
    names = [f"{a}_m" for a in AXES[:d]]
    t = cols["time_s"]
    _check_time_order(path, t)
    z = np.column_stack([cols[c] for c in names])
    std_names = tuple(f"{a}_std_m" for a in AXES[:d])
    std = None
    if all(c in cols for c in std_names):
        std = np.column_stack([cols[c] for c in std_names])
        _positive(path, std, std_names, np.arange(t.size))
    starts = np.concatenate([[0], np.flatnonzero(np.diff(t) != 0) + 1, [t.size]])
    return Detections("cartesian", d, t, z, std, None, starts.astype(np.intp), 0)


def _positive(path: Path, std: F64, names: tuple[str, ...], rows: NDArray[np.intp]) -> None:
    bad = np.argwhere(std <= 0)
    if bad.size:
        i, j = (int(v) for v in bad[0])
        raise InputError(f"{path}: {_where(path, int(rows[i]))}: column {names[j]} must be > 0, "
                         f"got {std[i, j]!r}")


def read_truth(path: Path, dim: int) -> dict[str, NDArray[Any]]:
    """Read a truth file with ``dim`` position columns."""
    need = ("time_s", *(f"{a}_m" for a in AXES[:dim]))
    head = _read_arrow(path).column_names
    if dim == 3 and "z_m" not in head:
        raise InputError(f"{path}: missing column z_m (the tracks are 3-D)")
    if "target_id" not in head:
        raise InputError(f"{path}: missing column(s) target_id")
    return read_table(path, need)
