""":meth:`tate.flight.fly.FlightResult.ecef` converts each propagation's table once (the
subsonic flyers' remembered with their flight) and puts the rows in order by runs of
bodies instead of a sort: the answer must equal, bit for bit, the reference conversion of
the whole trajectory table (a sort by body and time, then
:func:`tate.earth.wgs84.geodetic_to_ecef` and :func:`tate.earth.wgs84.ned_vec_to_ecef`),
on a fresh flight and on one served from the memo, in any body order."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np

from tate.earth import wgs84
from tate.flight import fly as fly_mod
from tate.flight.fly import fly, trajectory_ecef

from .conftest import DRONES, MRBM, scenario

BODY = f"""
[[threats]]
id = "rv"
model = "ballistic"
launch = {{ lat_deg = 20.0, lon_deg = 149.0 }}
aim = {{ ship = "S" }}
trajectory = "minimum-energy"
{MRBM}
{DRONES}"""


def _reference(traj: dict[str, Any], order_ids: list[Any]) -> tuple[Any, ...]:
    """The whole table sorted by body then time and converted at once."""
    index = {name: j for j, name in enumerate(order_ids)}
    body = np.array([index[i] for i in traj["id"].tolist()], np.intp)
    t = np.asarray(traj["time_s"], float)
    order = np.lexsort((t, body))
    lat = np.radians(traj["lat_deg"][order])
    lon = np.radians(traj["lon_deg"][order])
    pos = wgs84.geodetic_to_ecef(lat, lon, traj["alt_m"][order])
    ned = np.column_stack([traj[c][order] for c in ("vn_mps", "ve_mps", "vd_mps")])
    return body[order], t[order], pos, wgs84.ned_vec_to_ecef(ned, lat, lon)


def _same(got: tuple[Any, ...], want: tuple[Any, ...]) -> None:
    for a, b in zip(got, want, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape and a.flags.c_contiguous
        assert a.tobytes() == b.tobytes()  # to the last bit


def test_a_flights_ecef_is_the_whole_tables_conversion_fresh_and_from_the_memo() -> None:
    fly_mod._SLOW.clear()
    first, again = fly(scenario(BODY)), fly(scenario(BODY))
    assert first._parts[-1] is again._parts[-1]  # the drones' flight, remembered
    ids = list(np.asarray(first.summary["id"], dtype=object).tolist())
    assert len(first._parts) == 2 and len(ids) > 2
    for flight in (first, again):
        for order in (ids, ids[::-1], ids[1:] + ids[:1]):
            want = _reference(flight.trajectory, order)
            _same(flight.ecef(order), want)
            _same(trajectory_ecef(flight.trajectory, order), want)
    assert again._parts[-1].ecef  # converted once, kept with the remembered part
    back = pickle.loads(pickle.dumps(first))
    assert back._parts == () and back._rows is None and not back._ecef
    _same(back.ecef(ids), _reference(first.trajectory, ids))


def test_rows_not_in_runs_by_time_are_sorted() -> None:
    """A body in two runs, or a run out of time order: the sort, as the reference."""
    rng = np.random.default_rng(3)
    n = 40
    ids = np.array(["a"] * 10 + ["b"] * 10 + ["a"] * 10 + ["c"] * 10, dtype=object)
    traj: dict[str, Any] = {"id": ids, "time_s": np.tile(np.arange(10.0), 4),
                            "lat_deg": rng.uniform(-80, 80, n),
                            "lon_deg": rng.uniform(-180, 180, n),
                            "alt_m": rng.uniform(0, 1e5, n)}
    traj.update({c: rng.normal(0, 300, n) for c in ("vn_mps", "ve_mps", "vd_mps")})
    for sel in (np.arange(n), np.r_[10:40], np.r_[0:10, 30:40, 10:20][::-1],
                np.r_[30:40, 0:20]):
        part = {k: v[sel] for k, v in traj.items()}
        for order in (["a", "b", "c"], ["c", "b", "a"]):
            _same(trajectory_ecef(part, order), _reference(part, order))
    empty = {k: v[:0] for k, v in traj.items()}
    assert [a.size for a in trajectory_ecef(empty, ["a"])] == [0, 0, 0, 0]
