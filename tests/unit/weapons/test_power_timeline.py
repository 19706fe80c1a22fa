"""``PowerPlant.timeline`` (each distinct tick stacked once, steady ticks indexed)
against the stacking of every tick of old: the same arrays, bit for bit, over steady
runs, changing demand, a non-finite tick (numpy's path) and a new dt."""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

from tate.weapons.power import LOADS, PowerPlant
from tate.weapons.ship_presets import plant_preset


def _old(plant: PowerPlant) -> tuple[Any, ...]:
    """The stacking as of eb1ad9f (verbatim, every tick)."""
    t, cap, gen, d, s, e = zip(*plant._rows, strict=True)
    m, n, k = len(t), plant.n, len(LOADS)

    def flat(rows: Any, depth: int) -> Any:
        for _ in range(depth):
            rows = chain.from_iterable(rows)
        return np.array(list(rows))

    return (np.array(t), flat(cap, 1).reshape(m, n), flat(gen, 1).reshape(m, n),
            flat(d, 2).reshape(m, n, k), flat(s, 2).reshape(m, n, k),
            flat(e, 1).reshape(m, n))


def test_timeline_is_every_tick_stacked() -> None:
    plant = PowerPlant([plant_preset("ddg51-flight2a"), plant_preset("ddg51-flight3")])
    rows = [[2e6, 3e6, 0.0, 5e5, 0.0], [2e6, 1.5e6, 0.0, 5e5, 4e6]]
    for i in range(200):
        if i in (40, 41, 120):
            rows[1][4] = 3e7 + i  # in place: a new tick (storage drawn down)
        if i == 150:
            with np.errstate(invalid="ignore"):  # (inf − inf in numpy's path)
                plant.step(0.5, np.array([[np.inf, 1e6, 0.0, 0.0, 0.0], [1e6, 0, 0, 0, 0]]))
            continue
        plant.step_served(0.25 if i % 50 == 7 else 0.5, rows)
    assert len({id(r[3]) for r in plant._rows}) < 100  # steady ticks share their lists
    tl = plant.timeline()
    got = (tl.time, tl.capacity, tl.generation, tl.demand, tl.served, tl.storage_j)
    for x, y in zip(got, _old(plant), strict=True):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(x, y)


def test_defence_power_after_its_first_tick_copies_and_pickles() -> None:
    """``Defence._power`` keeps serve_and_charge on the defence after its first tick: the
    defence still deep-copies and pickles, and the copies tick as the original."""
    import copy
    import pickle

    from tate.engine.engagement import Engagement
    from tate.scenario.loader import loads_scenario
    from tests.unit.engine.test_engagement import SCENARIO

    text = (SCENARIO.replace('class = "ddg51-flight3"', 'class = "ddg1000-like"')
            .replace("speed_kn = 15", 'speed_kn = 15\nrailgun = "emrg-32mj-like"'))
    d = Engagement(loads_scenario(text, "rail.toml"), 5).defence
    assert d.plant is not None and d.railguns is not None
    d._power(0.5)
    d.railguns.fire()  # a gun to charge: ticks that are not steady
    copies = [copy.deepcopy(d), pickle.loads(pickle.dumps(d))]
    for x in [d, *copies]:
        for _ in range(5):
            x._power(0.5)
    for x in copies:
        assert x.energy_j == d.energy_j > 0.0
        assert x.plant._rows[1:] == d.plant._rows[1:]
