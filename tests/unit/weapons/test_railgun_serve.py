"""``serve_and_charge`` (the power tick of the engine) against its form before it read the
guns' state once as lists (a verbatim copy): the same energy, plant record and banks, bit
for bit, over a run with charging, firing, shedding and a non-finite tick."""

from __future__ import annotations

import numpy as np

from tate.weapons.charging import serve_and_charge
from tate.weapons.power import LOADS, PowerPlant
from tate.weapons.railgun import RailgunState
from tate.weapons.ship_presets import plant_preset, railgun_preset


def _old(plant, guns, gun_ship, demand, rail, dt):  # type: ignore[no-untyped-def]
    """serve_and_charge as of b81072e (the regression reference)."""
    rows = demand.tolist()
    for r in rows:
        r[rail] = 0.0
    if guns is None:
        plant.step_served(dt, rows)
        return 0.0
    room = ((guns.capacity - guns.stored) / dt).tolist()
    limit = guns.charge_limit.tolist()
    ship = gun_ship.tolist()
    check = sum(room) + sum(limit)
    if not check - check == 0.0:
        want = np.zeros(plant.n)
        np.add.at(want, gun_ship, np.minimum(np.maximum(np.array(room), 0.0),
                                             guns.charge_limit))
        for r, x in zip(rows, want.tolist(), strict=True):
            r[rail] = x
    else:
        for s, x, lim in zip(ship, room, limit, strict=True):
            x = x if x > 0.0 else 0.0
            rows[s][rail] += x if x < lim else lim
    served = plant.step_served(dt, rows)
    drawn = guns.charge_lists(dt, [served[s][-1] for s in ship])
    if len(drawn) >= 8:
        return float(np.array(drawn).sum() * dt)
    total = 0.0
    for x in drawn:
        total += x
    return total * dt


def _same(a: object, b: object) -> bool:
    x, y = np.asarray(a, float), np.asarray(b, float)
    return (x.shape == y.shape and np.array_equal(x, y, equal_nan=True)
            and np.array_equal(np.signbit(x), np.signbit(y)))


def _twin() -> tuple[PowerPlant, RailgunState]:
    specs = [plant_preset("ddg51-flight2a"), plant_preset("ddg51-flight3")]
    guns = RailgunState([railgun_preset("emrg-32mj-like"), railgun_preset("atla-40mm-like"),
                         railgun_preset("emrg-32mj-like")], charged=False)
    return PowerPlant(specs), guns


def test_serve_and_charge_is_its_old_form_bit_for_bit() -> None:
    rng = np.random.default_rng(4)
    (p_new, g_new), (p_old, g_old) = _twin(), _twin()
    gun_ship, rail = np.array([0, 1, 1]), LOADS.index("railgun")
    demand = np.array([[2e6, 3e6, 0.0, 5e5, 0.0], [2e6, 1.5e6, 0.0, 5e5, 0.0]])
    for i in range(300):
        if i % 40 == 20:  # a new demand (sometimes more than the plant has: shedding)
            demand = np.abs(rng.normal(4e6, 4e6, demand.shape))
        if i == 299:
            demand[0, 1] = np.nan  # the numpy fallback
        e_new = serve_and_charge(p_new, g_new, gun_ship, demand, rail, 0.5)
        e_old = _old(p_old, g_old, gun_ship, demand, rail, 0.5)
        assert _same(e_new, e_old) and _same(g_new.stored, g_old.stored)
        if i % 25 == 24:
            want = rng.random(3) < 0.6
            assert np.array_equal(g_new.fire(want)[0], g_old.fire(want)[0])
    a, b = p_new.timeline(), p_old.timeline()
    for name in ("time", "capacity", "generation", "demand", "served", "storage_j"):
        assert _same(getattr(a, name), getattr(b, name)), name
    assert a.time.size == 300
    assert _same(g_new.since_shot, g_old.since_shot)
    assert serve_and_charge(p_new, None, gun_ship, demand, rail, 0.5) == 0.0
