""":func:`tate.flight.fly.fly` flies all ballistic missiles together (aimed in one shooting
batch, whose grid pass the scenario's reach check has flown), the other rocket and glider
entries together but for those it is told to fly alone (a study's entries drawn per run),
and the subsonic flyers together, and remembers each group's flight per process. A group's
flight must not depend on the other threats nor on the memo: the tables of a flight are
bit-identical cold, warm (every group from the memo) and after the memo is cleared; a
group's rows, summary rows and events are the same flown alone or in a raid; a changed
entry's group is the only one flown again; the joined tables keep the raid's body order
(file order in the summary)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tate.flight import fly as fly_mod
from tate.flight import targeting
from tate.flight.build import build_raid
from tate.flight.fly import FLOWN_CACHE_SIZE, fly
from tate.flight.reach import check_reach
from tate.memo import Memo

from .conftest import DRONES, MRBM, count_builds, scenario

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



def _rv(t: float = 0.0, name: str = "rv2", lat: float = 20.5) -> str:
    """One more MRBM (one member), launched at ``t`` [s]."""
    return f"""
[[threats]]
id = "{name}"
model = "ballistic"
launch = {{ lat_deg = {lat}, lon_deg = 149.2, time_s = {t} }}
aim = {{ ship = "S" }}
trajectory = "minimum-energy"
{MRBM}"""


def _raid(cd: float = 0.2, t: float = 0.0) -> Any:
    """A point mass, the drones, two RVs, then one more: file order is not the raid's body
    order, and the ballistic missiles are two entries apart in the file."""
    return scenario(POINT.format(cd=cd) + DRONES + RV + _rv(t))


def test_the_groups_are_the_ballistic_missiles_the_others_those_alone_and_the_flyers(
        ) -> None:
    assert fly_mod._groups(_raid().threats) == [
        (fly_mod.BALLISTIC_LABEL, [2, 3], False), (fly_mod.OTHER_LABEL, [0], False),
        (fly_mod.SLOW_LABEL, [1], True)]
    assert fly_mod._groups(_raid().threats, alone={0}) == [
        (fly_mod.BALLISTIC_LABEL, [2, 3], False), ("shell", [0], False),
        (fly_mod.SLOW_LABEL, [1], True)]
    two = scenario(POINT.format(cd=0.2) + DRONES + POINT.format(cd=0.3).replace(
        '"shell"', '"shell2"') + RV).threats
    assert fly_mod._groups(two) == [
        (fly_mod.BALLISTIC_LABEL, [3], False), (fly_mod.OTHER_LABEL, [0, 2], False),
        (fly_mod.SLOW_LABEL, [1], True)]
    assert fly_mod._groups(two, alone={2}) == [
        (fly_mod.BALLISTIC_LABEL, [3], False), (fly_mod.OTHER_LABEL, [0], False),
        ("shell2", [2], False), (fly_mod.SLOW_LABEL, [1], True)]


def test_an_entry_flown_alone_is_the_only_one_flown_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def raid(cd2: float) -> Any:
        return scenario(POINT.format(cd=0.2) + POINT.format(cd=cd2).replace(
            '"shell"', '"shell2"'))

    built = count_builds(monkeypatch)
    fly_mod._FLOWN.clear()
    first = _tables(fly(raid(0.3), alone={1}))
    assert sorted(built) == [["shell"], ["shell2"]]
    built.clear()
    second = _tables(fly(raid(0.4), alone={1}))
    assert built == [["shell2"]]
    fly_mod._FLOWN.clear()
    _same(second, _tables(fly(raid(0.4), alone={1})))  # (cold: the same tables)
    _same(_rows(first, "trajectory", {"shell"}), _rows(second, "trajectory", {"shell"}))


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
    assert len(fly_mod._FLOWN) == 3  # the point mass, the ballistic missiles, the drones
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
    for keep, ids in (({"rv", "rv2"}, {"rv.1", "rv.2", "rv2"}), ({"shell"}, {"shell"})):
        fly_mod._FLOWN.clear()  # flown again, alone
        only = full.model_copy(update={"threats": [t for t in full.threats if t.id in keep]})
        alone = _tables(fly(only))
        for name in ("trajectory", "summary", "events"):
            _same(_rows(raid, name, ids), _rows(alone, name, ids))


def test_only_a_changed_entry_is_flown_again(monkeypatch: pytest.MonkeyPatch) -> None:
    built = count_builds(monkeypatch)
    fly_mod._FLOWN.clear()
    first = fly(_raid(0.2))
    assert sorted(built) == [["owa"], ["rv", "rv2"], ["shell"]]
    built.clear()
    second = fly(_raid(0.3))
    assert built == [["shell"]]
    built.clear()
    third = fly(_raid(0.3, t=5.0))  # a ballistic entry changed: all of them fly again
    assert built == [["rv", "rv2"]]
    one, two, three = _tables(first), _tables(second), _tables(third)
    kept = {"owa.1", "owa.2", "rv.1", "rv.2", "rv2"}
    for name in ("trajectory", "summary", "events"):
        _same(_rows(one, name, kept), _rows(two, name, kept))
        _same(_rows(two, name, {"owa.1", "owa.2", "shell"}),
              _rows(three, name, {"owa.1", "owa.2", "shell"}))
    assert not np.array_equal(_rows(one, "trajectory", {"shell"})["trajectory.lat_deg"],
                              _rows(two, "trajectory", {"shell"})["trajectory.lat_deg"])
    assert not np.array_equal(_rows(two, "trajectory", {"rv2"})["trajectory.time_s"],
                              _rows(three, "trajectory", {"rv2"})["trajectory.time_s"])


def test_the_ballistic_aiming_reuses_the_reach_checks_grid_pass(
        monkeypatch: pytest.MonkeyPatch) -> None:
    flown: list[int] = []
    real = targeting._fly_batch

    def counted(d: Any, launch: Any, *args: Any) -> Any:
        flown.append(launch.shape[1])
        return real(d, launch, *args)

    monkeypatch.setattr(targeting, "_fly_batch", counted)
    monkeypatch.setattr(targeting, "_BATCHES", Memo(targeting.BATCH_CACHE_SIZE))
    fly_mod._FLOWN.clear()
    scn = scenario(POINT.format(cd=0.2) + _rv() + _rv(name="rv3", lat=20.3))
    check_reach(scn)
    assert len(flown) == 1  # the grid pass of both missiles, one batch
    fly(scn)
    assert len(flown) == 3  # the aiming's grid pass from the memo, then 2 Newton passes
    assert flown[1] == flown[2] and flown[1] % 2 == 0  # each one batch of both missiles


def test_joined_tables_keep_the_raids_body_order_and_the_file_order() -> None:
    scn = _raid()
    res = fly(scn)
    members = build_raid(scn, 0.2).members
    order = [m.id for m in members]
    assert order == ["rv.1", "rv.2", "rv2", "owa.1", "owa.2", "shell"]  # the raid's body order
    ids = res.trajectory["id"].tolist()
    runs = [i for k, i in enumerate(ids) if k == 0 or ids[k - 1] != i]
    assert runs == order  # body-major
    for i in order:
        t = res.trajectory["time_s"][res.trajectory["id"] == i]
        assert t.size > 2 and bool((np.diff(t) >= 0).all())
    assert res.summary["id"].tolist() == ["shell", "owa.1", "owa.2", "rv.1", "rv.2", "rv2"]
    assert set(res.summary["outcome"].tolist()) == {"impact"}
    assert res.status == "terminated"
