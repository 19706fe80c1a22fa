"""The ``tate verify`` cases added for issue 5: their oracles are right, and each case fails
when the kernel it checks is broken (a case that cannot fail verifies nothing).

Oracles: hand-solved assignments, the straight-line closest approach |r × v|/|v| of two
bodies flying unguided, and the hand arithmetic in ``power_shedding_case``'s docstring.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tate.c2.wta
import tate.weapons.guidance
import tate.weapons.power
from tate.verify import (
    _homing_miss,
    _wta_brute_force,
    _wta_surviving,
    pn_3d_case,
    power_shedding_case,
    wta_brute_force_case,
)


def test_brute_force_by_hand() -> None:
    # two weapons, two targets: both at target 0 leaves 60 + 100·0.5·0.5 = 85; split
    # (w0 → 0, w1 → 1) leaves 100·0.5 + 60·0.1 = 56; (w0 → 1, w1 → 0) 100·0.5 + 60·0.7
    # = 92; the best is the split, 56.
    value = np.array([100.0, 60.0])
    pk = np.array([[0.5, 0.3], [0.5, 0.9]])
    assert _wta_brute_force(value, pk) == pytest.approx(56.0, abs=1e-12)
    assert _wta_surviving(value, pk, np.array([[1, 0], [0, 1]])) == pytest.approx(56.0)
    assert _wta_surviving(value, pk, np.array([[1, 0], [1, 0]])) == pytest.approx(85.0)
    # more than one round of a one-round weapon is infeasible: NaN, which fails a row
    assert np.isnan(_wta_surviving(value, pk, np.array([[1, 1], [0, 0]])))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_brute_force_is_never_beaten_by_a_random_assignment(seed: int) -> None:
    rng = np.random.default_rng(seed)
    value, pk = rng.uniform(25, 100, 4), rng.uniform(0.6, 0.9, (3, 4))
    x = np.zeros((3, 4), np.int64)
    for i, j in enumerate(rng.integers(0, 5, 3)):  # 4 = hold the round
        if j < 4:
            x[i, j] = 1
    assert _wta_brute_force(value, pk) <= _wta_surviving(value, pk, x) + 1e-12


def test_wta_case_fails_for_a_poor_assigner(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(r.passed for r in wta_brute_force_case())

    class AllAtFirst:
        def assign(self, problem: Any) -> Any:
            shots = np.zeros(problem.pk.shape, np.int64)
            shots[:, 0] = 1
            return type("A", (), {"shots": shots})()

    monkeypatch.setattr(tate.c2.wta, "make_assigner", lambda name: AllAtFirst())
    rows = wta_brute_force_case()
    assert not rows[0].passed and rows[0].computed > 1e-3


@pytest.mark.parametrize("he_deg", [0.0, 20.0])
def test_unguided_harness_miss_is_the_straight_line_closest_approach(he_deg: float) -> None:
    # N' = 0: no command, both bodies fly straight; the closest approach of r + v t is
    # |r × v| / |v| (the sampled minimum lies within v·dt/200 of it)
    miss = _homing_miss("pn", np.array([0.0]), he_deg, np.zeros(3))[0]
    r = np.array([8000.0, 3000.0, 2000.0])
    los = r / np.linalg.norm(r)
    side = np.cross(los, [0.0, 0.0, 1.0])
    off = np.cross(side / np.linalg.norm(side), los)
    he = np.radians(he_deg)
    v = np.array([-300.0, 100.0, 50.0]) - 1000.0 * (np.cos(he) * los + np.sin(he) * off)
    closed = np.linalg.norm(np.cross(r, v)) / np.linalg.norm(v)
    assert miss == pytest.approx(closed, abs=float(np.linalg.norm(v)) * 0.005 / 100)
    if he_deg:
        assert miss > 1000.0  # the guided runs' sub-metre misses are the law's doing


def test_pn_case_fails_for_a_law_of_the_wrong_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(r.passed for r in pn_3d_case())
    real = tate.weapons.guidance.guidance_law

    class Flipped:
        def __init__(self, name: str) -> None:
            self.law = real(name)

        def command(self, *args: Any) -> Any:
            return -self.law.command(*args)

    monkeypatch.setattr(tate.weapons.guidance, "guidance_law", Flipped)
    rows = pn_3d_case()
    assert not rows[0].passed and not rows[1].passed and not rows[2].passed


def test_power_case_fails_when_loads_share_pro_rata(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(r.passed for r in power_shedding_case())

    def pro_rata(available_w: Any, demand_w: Any, priority: Any) -> Any:
        d = np.atleast_2d(np.asarray(demand_w, float))
        share = np.minimum(np.asarray(available_w, float).reshape(-1, 1)
                           / d.sum(axis=1, keepdims=True), 1.0)
        return d * share

    power = tate.weapons.power
    reference = power.plant_tick

    def numpy_tick(dt: float, rows: Any, *state_order: Any) -> Any:
        # the plant's scalar tick replaced by its numpy reference, which serves through
        # the (patched) serve_by_priority
        *state, order = state_order
        prio = np.empty(len(order), np.int64)
        prio[np.asarray(order)] = np.arange(len(order))
        d, cap, served, gen, charge, dis, store = reference(
            dt, np.asarray(rows), *(np.asarray(x, float) for x in state), prio)
        return (d.tolist(), cap.tolist(), served.tolist(), gen.tolist(), charge.tolist(),
                dis.tolist(), store.tolist())

    monkeypatch.setattr(power, "plant_tick_scalar", numpy_tick)
    assert all(r.passed for r in power_shedding_case())  # the same plant, numpy's tick
    monkeypatch.setattr(power, "serve_by_priority", pro_rata)
    rows = power_shedding_case()
    assert rows[0].passed  # the demand does not depend on serving
    assert not any(r.passed for r in rows[1:4])
