""":func:`tate.flight.fly.fly` joins the trajectory tables of its propagations (the
ballistic missiles', one per other rocket or glider entry, the subsonic flyers'; each
remembered with its flight) instead of building one table from all rows: the joined
table must equal the one built from all rows in table order, bit for bit, on a fresh
flight and on one served from the memo.  And the rockets' force packs, made once and
reused, must follow every array the model replaces (a glider's 1/β at separation)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tate import jit
from tate.flight import fly as fly_mod
from tate.flight.fly import TRAJECTORY_COLUMNS, fly

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


def _joined_and_reference(scn: Any) -> tuple[Any, Any]:
    """The table :func:`fly` returns, and the one built from all its parts' rows at once
    (sorted by body and time, bodies those of :func:`build_raid` of the whole scenario)."""
    res = fly(scn, dt=0.2)
    mine = res._parts
    pos = np.concatenate([p.pos for p in mine])
    vel = np.concatenate([p.vel for p in mine])
    t = np.concatenate([p.time for p in mine])
    body = np.concatenate([p.body for p in mine])
    order = np.lexsort((t, body))
    raid = fly_mod.build_raid(scn, 0.2)
    ref = fly_mod._trajectory_table(raid.members, pos[order], vel[order], t[order],
                                    body[order])
    return res.trajectory, ref


def test_joined_table_equals_the_table_of_all_rows() -> None:
    scn = scenario(BODY)
    fly_mod._FLOWN.clear()
    for _ in range(2):  # flown, then from the memo
        got, ref = _joined_and_reference(scn)
        assert set(got) == set(ref) == set(TRAJECTORY_COLUMNS)
        assert set(got["model"].tolist()) == {"ballistic", "drone"}
        for c in TRAJECTORY_COLUMNS:
            assert got[c].dtype == ref[c].dtype
            same = (np.array_equal(got[c], ref[c]) if got[c].dtype == object
                    else np.array_equal(got[c], ref[c], equal_nan=True))
            assert same, c
        assert len(fly_mod._FLOWN) == 2  # the missile's, the drones'


def test_force_pack_is_reused_and_follows_replaced_arrays(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jit, "ENABLED", True)
    from tate.flight.build import build_raid
    from tate.flight.run import sample_for_run
    from tate.scenario import default_scenario_path, load_scenario

    scn = sample_for_run(load_scenario(default_scenario_path()), 1)[0]
    raid = build_raid(scn, 0.2)
    glider = next(m for m in raid.models if m.name == "boost-glide")
    y = np.zeros((7, 2 + glider.n))
    y[0] = 6.4e6
    sl = slice(2, 2 + glider.n)
    pack = glider.force_pack(y, sl)
    assert pack is not None and glider.force_pack(y, sl) is pack  # reused
    glider._inv_beta = 2.0 * glider._inv_beta  # replaced, as at separation
    again = glider.force_pack(y, sl)
    assert again is not pack and again[7] is glider._inv_beta
    moved = glider.force_pack(y, slice(1, 1 + glider.n))  # other columns: a new pack
    assert moved is not again and (moved[1], moved[2]) == (1, 1 + glider.n)
    assert moved[14] is again[14]  # the launch plane stays the first one


def test_a_flights_ecef_is_trajectory_ecef_once_per_order_and_a_fresh_copy() -> None:
    from tate.flight.fly import flight_ecef, trajectory_ecef

    flight = fly(scenario(BODY))
    ids = list(np.asarray(flight.summary["id"], dtype=object).tolist())
    for order in (ids, ids[::-1]):
        want = trajectory_ecef(flight.trajectory, order)
        got = flight_ecef(flight, order)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
        got[2][:] = 0.0  # the caller's copy: the stored answer is not altered
        np.testing.assert_array_equal(flight.ecef(order)[2], want[2])
    assert len(flight._ecef) == 2
