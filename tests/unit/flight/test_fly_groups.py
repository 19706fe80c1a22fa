""":func:`tate.flight.fly.fly` flies each rocket or glider entry on its own (the subsonic
flyers together) and remembers each group's flight per process.  A group's flight must not
depend on the other threats nor on the memo: the tables of a flight are bit-identical cold,
warm (every group from the memo) and after the memo is cleared; an entry's rows, summary
row and events are the same flown alone or in a raid; a changed entry is the only one
flown again; the joined tables keep the raid's body order (file order in the summary)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tate.flight import fly as fly_mod
from tate.flight.build import build_raid
from tate.flight.fly import FLOWN_CACHE_SIZE, fly

from .conftest import DRONES, MRBM, scenario

POINT = """
[[threats]]
id = "shell"
model = "point-mass"
launch = {{ lat_deg = 20.0, lon_deg = 149.9, alt_m = 5000 }}
mass_kg = 100
area_m2 = 0.05
cd = {cd}
velocity_ned_mps = [0, 300, -100]
"""

RV = f"""
[[threats]]
id = "rv"
model = "ballistic"
count = 2
interval_s = 5
spread_m = 300
launch = {{ lat_deg = 20.0, lon_deg = 149.0 }}
aim = {{ ship = "S" }}
trajectory = "minimum-energy"
{MRBM}"""


def _raid(cd: float = 0.2) -> Any:
    """A point mass, the drones, then two RVs: file order is not the raid's body order."""
    return scenario(POINT.format(cd=cd) + DRONES + RV)


def _tables(res: Any) -> dict[str, Any]:
    return {f"{name}.{col}": np.asarray(v) for name in ("trajectory", "summary", "events")
            for col, v in getattr(res, name).items()}


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        assert (np.array_equal(a[k], b[k], equal_nan=True) if a[k].dtype.kind == "f"
                else np.array_equal(a[k], b[k])), k


def _rows(tables: dict[str, Any], name: str, ids: set[str]) -> dict[str, Any]:
    """The rows of table ``name`` whose id is one of ``ids``."""
    sel = np.isin(tables[f"{name}.id"], list(ids))
    return {k: v[sel] for k, v in tables.items() if k.startswith(name + ".")}


def test_cold_warm_and_cleared_flights_are_identical() -> None:
    scn = _raid()
    fly_mod._FLOWN.clear()
    cold = fly(scn)
    assert len(fly_mod._FLOWN) == 3  # the point mass, the RVs, the drones
    warm = fly(scn)
    assert len(fly_mod._FLOWN) == 3
    fly_mod._FLOWN.clear()
    again = fly(scn)
    for other in (warm, again):
        _same(_tables(cold), _tables(other))
        assert (other.status, other.message) == (cold.status, cold.message)
    assert fly_mod._FLOWN.size == FLOWN_CACHE_SIZE


def test_an_entrys_flight_is_the_same_alone_and_in_a_raid() -> None:
    full = _raid()
    fly_mod._FLOWN.clear()
    raid = _tables(fly(full))
    for keep, ids in (("rv", {"rv.1", "rv.2"}), ("shell", {"shell"})):
        fly_mod._FLOWN.clear()  # flown again, alone
        only = full.model_copy(update={"threats": [t for t in full.threats if t.id == keep]})
        alone = _tables(fly(only))
        for name in ("trajectory", "summary", "events"):
            _same(_rows(raid, name, ids), _rows(alone, name, ids))


def test_only_a_changed_entry_is_flown_again(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[list[str]] = []

    def counted(scn: Any, dt: float) -> Any:
        built.append([t.id for t in scn.threats])
        return build_raid(scn, dt)

    monkeypatch.setattr(fly_mod, "build_raid", counted)
    fly_mod._FLOWN.clear()
    first = fly(_raid(0.2))
    assert sorted(built) == [["owa"], ["rv"], ["shell"]]
    built.clear()
    second = fly(_raid(0.3))
    assert built == [["shell"]]
    one, two = _tables(first), _tables(second)
    for name in ("trajectory", "summary", "events"):
        _same(_rows(one, name, {"owa.1", "owa.2", "rv.1", "rv.2"}),
              _rows(two, name, {"owa.1", "owa.2", "rv.1", "rv.2"}))
    assert not np.array_equal(_rows(one, "trajectory", {"shell"})["trajectory.lat_deg"],
                              _rows(two, "trajectory", {"shell"})["trajectory.lat_deg"])


def test_joined_tables_keep_the_raids_body_order_and_the_file_order() -> None:
    scn = _raid()
    res = fly(scn)
    members = build_raid(scn, 0.2).members
    order = [m.id for m in members]
    assert order == ["rv.1", "rv.2", "owa.1", "owa.2", "shell"]  # the raid's body order
    ids = res.trajectory["id"].tolist()
    runs = [i for k, i in enumerate(ids) if k == 0 or ids[k - 1] != i]
    assert runs == order  # body-major
    for i in order:
        t = res.trajectory["time_s"][res.trajectory["id"] == i]
        assert t.size > 2 and bool((np.diff(t) >= 0).all())
    assert res.summary["id"].tolist() == ["shell", "owa.1", "owa.2", "rv.1", "rv.2"]
    assert set(res.summary["outcome"].tolist()) == {"impact"}
    assert res.status == "terminated"
