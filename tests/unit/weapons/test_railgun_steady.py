"""``serve_and_charge``'s steady tick (the last tick's answer taken for equal inputs)
against the frozen old form: full banks (steady), demand and banks changed in place
between ticks, firing, a plant storage changed in place and a new dt."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tate.weapons.charging import serve_and_charge
from tate.weapons.power import LOADS, PowerPlant
from tate.weapons.railgun import RailgunState
from tate.weapons.ship_presets import plant_preset, railgun_preset

from .test_railgun_serve import _old, _same


def _pair() -> tuple[PowerPlant, RailgunState]:
    specs = [plant_preset("ddg51-flight2a"),
             replace(plant_preset("ddg51-flight3"), storage_j=5e7, storage_charge_w=1e6,
                     storage_discharge_w=2e6, storage_efficiency=0.9)]
    guns = RailgunState([railgun_preset("emrg-32mj-like"), railgun_preset("atla-40mm-like")],
                        charged=True)
    return PowerPlant(specs), guns


def test_steady_ticks_are_the_old_form_bit_for_bit() -> None:
    (p_new, g_new), (p_old, g_old) = _pair(), _pair()
    gun_ship, rail = np.array([0, 1]), LOADS.index("railgun")
    demand = np.array([[2e6, 3e6, 0.0, 5e5, 0.0], [2e6, 1.5e6, 0.0, 5e5, 0.0]])
    hits = 0
    for i in range(120):
        dt = 0.25 if i in (70, 71) else 0.5
        if i == 30:
            demand[1, 0] = 9e6  # in place: not the last tick's inputs
        if i == 50:
            for g in (g_new, g_old):
                g.stored[0] *= 0.5  # in place
        if i == 90:
            for p in (p_new, p_old):
                p.storage[1] *= 0.25  # in place
        if i % 20 == 10:
            want = np.array([True, i % 40 == 10])
            assert np.array_equal(g_new.fire(want)[0], g_old.fire(want)[0])
        before = p_new._serve
        e_new = serve_and_charge(p_new, g_new, gun_ship, demand, rail, dt)
        hits += p_new._serve is before
        e_old = _old(p_old, g_old, gun_ship, demand, rail, dt)
        assert _same(e_new, e_old), i
        assert _same(g_new.stored, g_old.stored) and _same(g_new.since_shot, g_old.since_shot)
        assert _same(p_new.storage, p_old.storage), i
    assert 5 < hits < 100  # steady ticks were taken from the memo, changed ones were not
    a, b = p_new.timeline(), p_old.timeline()
    for name in ("time", "capacity", "generation", "demand", "served", "storage_j"):
        assert _same(getattr(a, name), getattr(b, name)), name


def test_clocks_on_floats_are_numpys_sum_and_in_place_changes_count() -> None:
    """The guns' clocks advanced on Python floats (the array built when read) are the
    numpy sums of old; a clock or a plant's storage changed in place is seen."""
    p, g = _pair()
    gun_ship, rail = np.array([0, 1]), LOADS.index("railgun")
    demand = np.array([[2e6, 3e6, 0.0, 5e5, 0.0], [2e6, 1.5e6, 0.0, 5e5, 0.0]])
    ref = g.since_shot.copy()
    for i in range(60):
        dt = 0.3 if i % 7 == 3 else 0.5
        if i == 10:
            fired = g.fire(np.array([True, False]))[0]
            ref = np.where(fired, 0.0, ref)
        if i == 20:
            g.since_shot[1] = 3.0  # in place, after the array was built
            ref[1] = 3.0
        if i == 30:
            s = p.storage
            s[1] *= 0.5  # in place: the next tick starts from it
            e1 = s[1]
        serve_and_charge(p, g, gun_ship, demand, rail, dt)
        ref = ref + dt
        if i == 30:
            assert p.storage[1] != e1 * 2 or e1 == 0.0
        assert _same(g.since_shot, ref), i
