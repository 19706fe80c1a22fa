"""The guns' clocks added only when read (:meth:`RailgunState._clock`): ticks nobody
reads are counted and added one by one when the clock is read, so the clock is the
per-tick ``x + dt`` sum of old bit for bit (not ``x + k·dt``), across reads at any
tick, changes of dt, firing, an assigned clock, a copy and a pickle; the banks kept as
lists between ticks read as the arrays of old."""

from __future__ import annotations

import copy
import pickle

import numpy as np

from tate.weapons.charging import serve_and_charge
from tate.weapons.power import LOADS, PowerPlant
from tate.weapons.railgun import RailgunState
from tate.weapons.ship_presets import plant_preset, railgun_preset


def _guns() -> RailgunState:
    return RailgunState([railgun_preset("emrg-32mj-like"), railgun_preset("atla-40mm-like")])


def test_clock_read_rarely_is_the_per_tick_sum() -> None:
    g = _guns()
    ref = [0.1, 0.0]
    g.since_shot = np.array(ref)
    dts = [0.1] * 37 + [0.3] * 5 + [0.1] * 11 + [0.7]
    reads = {3, 4, 36, 40, 41, 52, 53}
    for i, dt in enumerate(dts):
        g._clock(dt)
        ref = [x + dt for x in ref]
        if i in reads:
            assert g.since_shot.tolist() == ref, i
        if i == 45:
            g.since_shot = np.array([1.0, 2.0])  # assigned with ticks pending: replaced
            ref = [1.0, 2.0]
    assert g.since_shot.tolist() == ref
    assert ref[0] != 0.1 + 0.1 * 37 + 0.3 * 5  # (the per-tick sum is not a product)


def test_pending_ticks_survive_copy_and_pickle() -> None:
    g = _guns()
    g.since_shot = np.array([0.0, 5.0])
    for _ in range(9):
        g._clock(0.1)
    ref = g.since_shot.tolist()
    h = _guns()
    h.since_shot = np.array([0.0, 5.0])
    for _ in range(9):
        h._clock(0.1)
    for other in (copy.deepcopy(h), pickle.loads(pickle.dumps(h))):
        assert other.since_shot.tolist() == ref


def test_banks_as_lists_read_as_arrays_and_fire() -> None:
    plant = PowerPlant([plant_preset("ddg51-flight2a"), plant_preset("ddg51-flight3")])
    g = _guns()
    demand = np.array([[2e6, 3e6, 0.0, 5e5, 0.0], [2e6, 1.5e6, 0.0, 5e5, 0.0]])
    g.fire(np.array([True, True]))
    low = g.stored.copy()
    serve_and_charge(plant, g, np.array([0, 1]), demand, LOADS.index("railgun"), 0.5)
    assert g._stored_a is None  # the tick's banks kept as a list
    s = g.stored
    assert s.dtype == np.float64 and s.shape == (2,) and np.all(s > low)
    assert g.stored is s  # built once
    fired, _ = g.fire(np.array([True, True]))
    assert not fired.any()  # not charged again yet
