"""``serve_and_charge``'s shortcut (a tick whose state is the last tick's answer and whose
other inputs are that tick's takes the answer of the tick that came after it before):
bit for bit the frozen old form's energy, banks, clocks and plant record, with the state
read only now and then (so the shortcut is taken), over shot-and-recharge cycles with the
demand changed in place and replaced, the guns' ships changed, a new dt, and the fixed
arrays changed in place after being read (which turns the shortcut off for good); and
:attr:`RailgunState.ready` on kept lists against :meth:`RailgunState._reasons`."""

from __future__ import annotations

import numpy as np

from tate.weapons.charging import serve_and_charge
from tate.weapons.power import LOADS, PowerPlant
from tate.weapons.railgun import FIRED, RailgunState

from .test_railgun_serve import _old, _same
from .test_railgun_steady import _pair  # two plants (one with storage) and two guns


def _check(p_new: PowerPlant, g_new: RailgunState, p_old: PowerPlant,
           g_old: RailgunState, i: int) -> None:
    assert _same(g_new.stored, g_old.stored) and _same(g_new.since_shot, g_old.since_shot), i
    assert _same(p_new.storage, p_old.storage), i


def test_shortcut_ticks_are_the_old_form_bit_for_bit() -> None:
    (p_new, g_new), (p_old, g_old) = _pair(), _pair()
    gun_ship, rail = np.array([0, 1]), LOADS.index("railgun")
    demand = np.array([[2e6, 3e6, 0.0, 5e5, 0.0], [2e6, 1.5e6, 0.0, 5e5, 0.0]])
    records = [0]
    record = p_new._record

    def counted(*args):  # type: ignore[no-untyped-def]
        records[0] += 1
        return record(*args)

    p_new._record = counted  # type: ignore[method-assign]
    short = 0
    for i in range(640):
        dt = 0.25 if 320 <= i < 326 else 0.5
        if i % 60 == 5:  # a shot each cycle: the recharge repeats
            want = np.array([True, i % 120 == 5])
            assert np.array_equal(g_new.fire(want)[0], g_old.fire(want)[0])
        if i == 150:
            demand[0, 1] = 2.5e6  # in place: the same array, other bytes
        if i == 200:
            demand = demand.copy()  # another array, the same numbers
        if i == 230:
            demand = demand.reshape(5, 2).copy().reshape(2, 5)  # (the same again)
        if i == 250:
            gun_ship[0] = 1  # in place: both guns on ship 1
        if i == 290:
            gun_ship[0] = 0
        if i == 540:
            for p in (p_new, p_old):
                p.online_w[1] = 6e6  # read and changed in place: the shortcut is off
        if i == 560:
            for g in (g_new, g_old):
                g.capacity[1] *= 0.9  # the same for the guns
        if i == 600:
            for g in (g_new, g_old):
                g.charge_limit[0] *= 0.5
        n = records[0]
        e_new = serve_and_charge(p_new, g_new, gun_ship, demand, rail, dt)
        short += records[0] == n
        e_old = _old(p_old, g_old, gun_ship, demand, rail, dt)
        assert _same(e_new, e_old), i
        if i % 37 == 36 or i in (151, 251, 321, 541, 561, 601):
            _check(p_new, g_new, p_old, g_old, i)
        if i >= 540:
            assert records[0] == n + 1, i  # (opened: every tick reads the arrays again)
    _check(p_new, g_new, p_old, g_old, -1)
    assert short > 250  # half the ticks before the opening were taken by the shortcut
    a, b = p_new.timeline(), p_old.timeline()
    for name in ("time", "capacity", "generation", "demand", "served", "storage_j"):
        assert _same(getattr(a, name), getattr(b, name)), name


def test_reading_a_fixed_array_opens_the_owner() -> None:
    p, g = _pair()
    assert not p._open and not g._open
    _ = g.ready, g.wear, g.charge_level, p.storage, p.timeline()  # (not the fixed arrays)
    assert not p._open and not g._open
    _ = p.eta
    _ = g.rounds
    assert p._open and g._open
    p2, g2 = _pair()
    g2.life = g2.life.copy()  # set: opened too
    assert g2._open and not p2._open


def test_ready_on_kept_lists_is_the_numpy_reasons() -> None:
    p, g = _pair()
    gun_ship, rail = np.array([0, 1]), LOADS.index("railgun")
    demand = np.array([[2e6, 3e6, 0.0, 5e5, 0.0], [2e6, 1.5e6, 0.0, 5e5, 0.0]])
    rng = np.random.default_rng(3)
    seen = set()
    for i in range(400):
        serve_and_charge(p, g, gun_ship, demand, rail, 0.5)
        if i % 3 == 0:
            ready = g.ready
            assert not g._open
            assert np.array_equal(ready, g._reasons() == FIRED), i
            seen.add(tuple(ready.tolist()))
            if rng.random() < 0.5:
                g.fire(rng.random(2) < 0.7)
    assert len(seen) >= 3  # ready and not, on both guns
