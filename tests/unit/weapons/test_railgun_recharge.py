"""``serve_and_charge``'s earlier ticks by the banks' energy (a bank recharging after
each shot repeats the same ticks): taken only for equal inputs, bit for bit the old
form's energy, banks, clocks and plant record, over repeated shot-and-recharge cycles
with the demand, a bank and the plant's storage changed in place between them."""

from __future__ import annotations

import numpy as np

import tate.weapons.charging as charging
from tate.weapons.charging import serve_and_charge
from tate.weapons.power import LOADS

from .test_railgun_serve import _old, _same
from .test_railgun_steady import _pair  # two plants (one with storage) and two guns


def _run(ticks: int) -> tuple[int, int]:
    (p_new, g_new), (p_old, g_old) = _pair(), _pair()
    gun_ship, rail = np.array([0, 1]), LOADS.index("railgun")
    demand = np.array([[2e6, 3e6, 0.0, 5e5, 0.0], [2e6, 1.5e6, 0.0, 5e5, 0.0]])
    again = 0
    for i in range(ticks):
        if i % 60 == 5:  # a shot each cycle: the recharge repeats
            want = np.array([True, i % 120 == 5])
            assert np.array_equal(g_new.fire(want)[0], g_old.fire(want)[0])
        if i == 200:
            demand[0, 1] = 2.5e6  # in place: earlier ticks' inputs no longer equal
        if i == 260:
            for p in (p_new, p_old):
                p.storage[1] *= 0.5  # in place
        if i == 330:
            for g in (g_new, g_old):
                g.stored[1] *= 0.75  # in place
        known = set(map(id, p_new._serves.values()))
        e_new = serve_and_charge(p_new, g_new, gun_ship, demand, rail, 0.5)
        again += id(p_new._serve) in known
        e_old = _old(p_old, g_old, gun_ship, demand, rail, 0.5)
        assert _same(e_new, e_old), i
        assert _same(g_new.stored, g_old.stored) and _same(g_new.since_shot, g_old.since_shot)
        assert _same(p_new.storage, p_old.storage), i
    a, b = p_new.timeline(), p_old.timeline()
    for name in ("time", "capacity", "generation", "demand", "served", "storage_j"):
        assert _same(getattr(a, name), getattr(b, name)), name
    return again, len(p_new._serves)


def test_recharge_cycles_repeat_earlier_ticks_bit_for_bit() -> None:
    again, kept = _run(400)
    assert again > 200  # most ticks were an earlier tick's (steady or recharging)
    assert kept < 200


def test_the_kept_ticks_are_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(charging, "_SERVES", 8)
    _, kept = _run(150)
    assert kept <= 8
