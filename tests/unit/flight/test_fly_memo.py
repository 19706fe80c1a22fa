"""The per-process memo of the subsonic flyers' propagation in :func:`tate.flight.fly.fly`:
a second flight of the same cruise missiles and drones is bit-identical to a fresh one
(tables and phase events), and a change to them is flown anew."""

from __future__ import annotations

from typing import Any

import numpy as np

from tate.flight import fly as fly_mod
from tate.flight.fly import fly
from tate.scenario import loads_scenario

from .conftest import DRONES, HEAD

BODY = """
[[threats]]
id = "pop"
model = "cruise"
launch = {{ lat_deg = 20.0, lon_deg = 149.8 }}
aim = {{ ship = "S" }}
speed_mps = {speed}
terminal = {{ kind = "pop-up", start_range_km = 8, pop_alt_m = 1000 }}
"""


def _tables(res: Any) -> dict[str, Any]:
    return {f"{name}.{col}": np.asarray(v) for name in ("trajectory", "summary", "events")
            for col, v in getattr(res, name).items()}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(
        a[k].dtype == b[k].dtype and (np.array_equal(a[k], b[k], equal_nan=True)
                                      if a[k].dtype.kind == "f" else np.array_equal(a[k], b[k]))
        for k in a)


def test_second_flight_reuses_the_first_and_is_identical_to_a_fresh_one() -> None:
    scn = loads_scenario(HEAD + BODY.format(speed=270) + DRONES)
    fly_mod._FLOWN.clear()
    first = _tables(fly(scn, dt=0.2))
    assert len(fly_mod._FLOWN) == 1
    again = _tables(fly(scn, dt=0.2))  # served from the memo
    assert len(fly_mod._FLOWN) == 1
    fly_mod._FLOWN.clear()
    fresh = _tables(fly(scn, dt=0.2))
    assert _same(again, fresh) and _same(first, fresh)
    assert "terminal-homing" in set(again["events.event"].tolist())  # phase log restored


def test_a_changed_flyer_or_step_is_flown_anew() -> None:
    fly_mod._FLOWN.clear()
    slow = _tables(fly(loads_scenario(HEAD + BODY.format(speed=270) + DRONES), dt=0.2))
    fast = _tables(fly(loads_scenario(HEAD + BODY.format(speed=300) + DRONES), dt=0.2))
    assert len(fly_mod._FLOWN) == 2 and not _same(slow, fast)
    fly(loads_scenario(HEAD + BODY.format(speed=270) + DRONES), dt=0.2, record_s=2.0)
    assert len(fly_mod._FLOWN) == 3
