""":meth:`tate.flight.fly.FlightResult.ecef` converts each propagation's table once (each
remembered with its flight) and puts the rows in order by runs of
bodies instead of a sort: the answer must equal, bit for bit, the reference conversion of
the whole trajectory table (a sort by body and time, then
:func:`tate.earth.wgs84.geodetic_to_ecef` and :func:`tate.earth.wgs84.ned_vec_to_ecef`),
on a fresh flight and on one served from the memo, in any body order.  The summary table
reads each body's rows as one run (its last row, its maxima): it must equal the
reference's answer from each body's rows picked out, in any row order."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import numpy as np
import pytest

from tate.earth import wgs84
from tate.flight import fly as fly_mod
from tate.flight.fly import fly, trajectory_ecef

from .conftest import scenario
from .test_fly_parts import BODY  # a ballistic missile and the drones


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


def _summary_reference(raid: Any, traj: dict[str, Any], body: Any, imp_body: Any, pos: Any
                       ) -> dict[str, list[float]]:
    """Per body from its rows picked out (as :func:`tate.flight.fly.fly` had it)."""
    out: dict[str, list[float]] = {"flight_time_s": [], "range_km": [], "apogee_km": [],
                                   "max_mach": [], "impact_error_m": []}
    for j, m in enumerate(raid.members):
        sel = np.flatnonzero(body == j)
        mach = traj["mach"][sel]
        out["flight_time_s"].append(float(traj["time_s"][sel][-1] - m.launch_time))
        out["range_km"].append(float(traj["downrange_km"][sel][-1]))
        out["apogee_km"].append(float(traj["alt_m"][sel].max() / 1e3))
        out["max_mach"].append(float(np.nanmax(mach)) if np.isfinite(mach).any() else np.nan)
        err = np.nan
        if j in imp_body.tolist() and np.all(np.isfinite(m.aim)):
            last = pos[sel][-1]
            err = float(fly_mod._great_circle_km(last[:, None], m.aim[:, None])[0] * 1e3)
        out["impact_error_m"].append(err)
    by_file = np.argsort(raid.file_order, kind="stable")
    return {k: np.array(v)[by_file].tolist() for k, v in out.items()}


def test_a_flights_ecef_is_the_whole_tables_conversion_fresh_and_from_the_memo(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fly_mod._FLOWN.clear()
    args: list[Any] = []
    real = fly_mod._summary_table

    def summary(*a: Any) -> Any:
        args.append(a)
        return real(*a)

    monkeypatch.setattr(fly_mod, "_summary_table", summary)
    first, again = fly(scenario(BODY)), fly(scenario(BODY))
    assert len(args) == 2  # one call per group (the missile, the drones); then remembered
    row = {i: k for k, i in enumerate(first.summary["id"].tolist())}
    for raid, traj, body, imp_body, pos in args:
        want = _summary_reference(raid, traj, body, imp_body, pos)
        ids = [raid.members[j].id for j in np.argsort(raid.file_order, kind="stable")]
        rows = np.lexsort((traj["time_s"], -body))  # bodies backwards: not in runs by body
        mine = [row[i] for i in ids]  # the group's rows of the joined summary
        for got in ({k: np.asarray(v)[mine] for k, v in first.summary.items()},
                    real(raid, {k: v[rows] for k, v in traj.items()}, body[rows], imp_body,
                         pos[rows])):
            for k, v in want.items():
                assert np.asarray(got[k]).tobytes() == np.array(v).tobytes(), k
    assert not np.isnan(first.summary["impact_error_m"]).all()
    np.testing.assert_array_equal(again.summary["glide_alt_km"], first.summary["glide_alt_km"])
    assert first._parts[-1].table is again._parts[-1].table  # the drones' flight, remembered
    assert first._parts[-1].ecef is again._parts[-1].ecef  # and its conversion shared
    assert first._rows is None  # the parts' rows in table order: copied by runs
    ids = list(np.asarray(first.summary["id"], dtype=object).tolist())
    assert len(first._parts) == 2 and len(ids) > 2
    rows = np.arange(first.trajectory["id"].size)  # the parts' rows, reordered (none)
    for flight in (first, again, dataclasses.replace(first, _rows=rows)):
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
