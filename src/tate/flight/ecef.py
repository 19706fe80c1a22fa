"""Rows of a raid's trajectory table (:func:`tate.flight.fly.fly`) as ECEF.

Geodetic latitude, longitude and altitude and the NED velocity of each row back to the
WGS84 Earth-centred Earth-fixed frame (:func:`tate.earth.wgs84.geodetic_to_ecef`,
:func:`tate.earth.wgs84.ned_vec_to_ecef`, the same operations in the same order): position
[m] and Earth-relative velocity [m/s], rows sorted by body then time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84

__all__ = ["ecef_order", "table_ecef", "trajectory_ecef"]

F64 = NDArray[np.float64]
Table = dict[str, NDArray[Any]]
_E2M = 1.0 - wgs84.E2  #: (b / a)^2, as :mod:`tate.earth.wgs84` has it


def trajectory_ecef(traj: Table, order_ids: list[Any]
                    ) -> tuple[NDArray[np.intp], F64, F64, F64]:
    """Rows of a trajectory table as ECEF, sorted by body (its index in ``order_ids``)
    then time: ``body (r,)``, ``time (r,)`` [s], ``pos (r, 3)`` [m] and Earth-relative
    ``vel (r, 3)`` [m/s]."""
    body, order, _ = ecef_order(traj, order_ids)
    pos, vel = table_ecef(traj, order)
    return body, np.asarray(traj["time_s"], float)[order], pos, vel


def ecef_order(traj: Table, order_ids: list[Any], member: NDArray[np.intp] | None = None
               ) -> tuple[NDArray[np.intp], NDArray[np.intp], list[tuple[int, int]] | None]:
    """``body[order]`` and ``order = np.lexsort((time, body))`` of a trajectory table's
    rows, ``body`` each row's index in ``order_ids``.  When each body's rows are one run
    in time order (as :func:`tate.flight.fly.fly` makes them) the order is those runs by
    body, and the third answer those runs ``(first, end)`` in that order; else sorted
    (and None).  ``member``: each row's member index, if known (runs found without
    comparing the ids)."""
    ids = np.asarray(traj["id"], object)
    t = np.asarray(traj["time_s"], float)
    if not ids.size:
        return np.empty(0, np.intp), np.empty(0, np.intp), None
    if member is None:
        first, runs = _id_runs(ids, order_ids)
    else:
        first = np.flatnonzero(np.concatenate([[True], member[1:] != member[:-1]]))
        index = {name: j for j, name in enumerate(order_ids)}
        runs = np.array([index[i] for i in ids[first].tolist()], np.intp)
    ends = np.append(first[1:], ids.size)
    rising = t[1:] >= t[:-1]
    rising[first[1:] - 1] = True  # a run may start earlier than the last one ended
    if np.unique(runs).size == runs.size and bool(rising.all()):
        by = np.argsort(runs, kind="stable").tolist()
        blocks = [(int(first[k]), int(ends[k])) for k in by]
        order = np.concatenate([np.arange(a, b) for a, b in blocks])
        return np.repeat(runs[by], (ends - first)[by]), order, blocks
    body = np.repeat(runs, ends - first)
    order = np.lexsort((t, body))
    return body[order], order, None


def table_ecef(traj: Table, rows: NDArray[np.intp] | None = None) -> tuple[F64, F64]:
    """ECEF position and Earth-relative velocity ``(r, 3)`` of a trajectory table's rows
    (``rows`` of them in that order, else all): :func:`wgs84.geodetic_to_ecef` and
    :func:`wgs84.ned_vec_to_ecef` of its columns, the same operations in the same order
    with each sine and cosine taken once."""
    def col(name: str) -> F64:
        a = np.asarray(traj[name], float)
        return a if rows is None else a[rows]

    lat, lon, alt = np.radians(col("lat_deg")), np.radians(col("lon_deg")), col("alt_m")
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    pos, vel = np.empty((lat.size, 3)), np.empty((lat.size, 3))
    n = wgs84.A / np.sqrt(1.0 - wgs84.E2 * sl * sl)  # prime-vertical radius of curvature
    rxy = (n + alt) * cl
    np.multiply(rxy, co, out=pos[:, 0])
    np.multiply(rxy, so, out=pos[:, 1])
    np.multiply(n * _E2M + alt, sl, out=pos[:, 2])
    east, north, up = col("ve_mps"), col("vn_mps"), -col("vd_mps")
    tt = cl * up - sl * north
    np.subtract(co * tt, so * east, out=vel[:, 0])
    np.add(so * tt, co * east, out=vel[:, 1])
    np.add(cl * north, sl * up, out=vel[:, 2])
    return pos, vel


def _id_runs(ids: NDArray[Any], order_ids: list[Any]
             ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """First row of each run of equal ids (``ids`` not empty) and the run's index in
    ``order_ids`` (``KeyError`` for an id not there)."""
    index = {name: j for j, name in enumerate(order_ids)}
    first = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
    return first, np.array([index[i] for i in ids[first].tolist()], np.intp)


def _body_index(ids: NDArray[Any], order_ids: list[Any]) -> NDArray[np.intp]:
    """Index in ``order_ids`` of each row's id (``KeyError`` for one not there), looked
    up once per run of equal ids (a trajectory table's rows come grouped by body)."""
    if not ids.size:
        return np.empty(0, np.intp)
    first, runs = _id_runs(ids, order_ids)
    return np.repeat(runs, np.diff(np.append(first, ids.size)))
