"""The interceptor pool: adaptive steps against the fixed fine step, idle sky, launch order.

Oracle for the adaptive step: the same engagement flown with the pool forced to its
finest step everywhere (0.1 s, the step the engine used before the pool); the closest
approach must agree to within the step-size error, and a round must hit either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray

import tate.engine.pool as pool_mod
from tate.earth import wgs84
from tate.engine.pool import InterceptorPool
from tate.weapons.presets import interceptor_preset

F64 = NDArray[np.float64]


@dataclass
class LineTruth:
    """Threats on straight lines at constant ECEF velocity (what the pool reads)."""

    p0: F64  # (k, 3)
    v: F64  # (k, 3)
    t_last: F64  # (k,)

    def at(self, t: float, rows: NDArray[np.intp]) -> tuple[F64, F64]:
        rows = np.asarray(rows, np.intp)
        return self.p0[rows] + self.v[rows] * t, self.v[rows].copy()


def _scene() -> tuple[InterceptorPool, LineTruth, F64]:
    deck = wgs84.geodetic_to_ecef(0.0, 0.0, 10.0)
    # a cruise-missile-like target 40 km downrange at 5 km, crossing at 250 m/s
    start = wgs84.geodetic_to_ecef(0.0, 40e3 / wgs84.A, 5e3)
    east = np.array([0.0, 1.0, 0.0])
    truth = LineTruth(start[None, :], (-250.0 * east)[None, :], np.array([1e6]))
    pool = InterceptorPool([interceptor_preset("sm6-like")], [2], deck[None, :], 0.0)
    return pool, truth, deck


def _fly(fine: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[int, float, float,
                                                                       str]], int]:
    if fine:
        monkeypatch.setattr(pool_mod, "BURN_STEP_S", 0.1)
        monkeypatch.setattr(pool_mod, "STEPS_PER_TIME_TO_GO", 1e9)
    pool, truth, _ = _scene()
    t_pip = 30.0
    pip, _ = truth.at(1.0 + t_pip, np.array([0]))
    pool.launch(1.0, 0, pip[0], t_pip, shot=0, threat=0)
    reports: list[tuple[int, float, float, str]] = []
    killed = np.zeros(1, dtype=bool)
    t = 0.0
    while t < 80.0 and pool.any_active():
        pool.fly(t, t + 0.5, truth, killed, lambda *r: reports.append(r))
        t += 0.5
    monkeypatch.undo()
    return reports, pool.steps


def test_adaptive_step_agrees_with_the_fixed_fine_step(monkeypatch: pytest.MonkeyPatch) -> None:
    fine, n_fine = _fly(True, monkeypatch)
    coarse, n_coarse = _fly(False, monkeypatch)
    assert [r[3] for r in fine] == ["assess"] and [r[3] for r in coarse] == ["assess"]
    assert fine[0][2] < 1.0 and coarse[0][2] < 1.0  # both hit (ideal seeker)
    assert abs(fine[0][1] - coarse[0][1]) < 0.2  # intercept time [s]
    assert n_coarse < 0.7 * n_fine


def test_an_idle_pool_does_not_integrate_and_ready_rounds_stay_on_deck() -> None:
    pool, truth, deck = _scene()
    killed = np.zeros(1, dtype=bool)
    for k in range(19):
        pool.fly(0.5 * k, 0.5 * (k + 1), truth, killed, lambda *r: None)
    assert pool.steps == 0
    assert pool.t == pytest.approx(9.5)
    assert pool.prop is not None
    np.testing.assert_array_equal(pool.prop.pos, np.repeat(deck[:, None], 2, axis=1))
    # fired at 10.0 (a decision at the end of the tick 9.5–10.0), the round holds on the
    # deck until then and rises after
    pip, _ = truth.at(40.0, np.array([0]))
    pool.launch(10.0, 0, pip[0], 30.0, shot=0, threat=0)
    pool.fly(9.5, 10.0, truth, killed, lambda *r: None)
    assert pool.prop.pos[:, 0] == pytest.approx(deck, abs=1e-6)
    pool.fly(10.0, 10.5, truth, killed, lambda *r: None)
    assert wgs84.geodetic_altitude(pool.prop.pos[:, 0][None])[0] > 20.0
    np.testing.assert_array_equal(pool.prop.pos[:, 1], deck)  # the second round waits


def test_a_launcher_cannot_fire_more_rounds_than_it_has() -> None:
    pool, truth, _ = _scene()
    pip, _ = truth.at(30.0, np.array([0]))
    pool.launch(0.0, 0, pip[0], 30.0, shot=0, threat=0)
    pool.launch(0.0, 0, pip[0], 30.0, shot=1, threat=0)
    with pytest.raises(ValueError, match="no round left"):
        pool.launch(0.0, 0, pip[0], 30.0, shot=2, threat=0)


def test_a_killed_target_ends_the_engagement_as_target_gone() -> None:
    pool, truth, _ = _scene()
    pip, _ = truth.at(30.0, np.array([0]))
    pool.launch(0.0, 0, pip[0], 30.0, shot=0, threat=0)
    reports: list[tuple[int, float, float, str]] = []
    killed = np.zeros(1, dtype=bool)
    pool.fly(0.0, 0.5, truth, killed, lambda *r: reports.append(r))
    killed[0] = True
    pool.fly(0.5, 1.0, truth, killed, lambda *r: reports.append(r))
    assert [(r[0], r[3]) for r in reports] == [(0, "target gone")]
    assert not pool.any_active()


def test_seeker_errors_lie_across_the_line_of_sight_with_the_stated_spread() -> None:
    pool, _, _ = _scene()
    pool.rng = np.random.default_rng(4)
    assert pool.model is not None and pool.prop is not None
    pool.model.phase[:] = pool_mod.TERMINAL_PHASE
    r = 20e3
    q = pool.prop.pos[:, 0] + np.array([0.0, r, 0.0])  # target 20 km along +y (ECEF)
    act = np.zeros(20_000, np.intp)  # body 0 looked at 20,000 times
    err = pool._seeker_error(act, np.repeat(q[None, :], act.size, axis=0))
    np.testing.assert_allclose(err[:, 1], 0.0, atol=1e-9)  # nothing along the LOS
    sigma = np.hypot(pool.noise_rad[0] * r, pool.glint_m[0])  # 0.5 mrad · 20 km, 1 m
    for axis in (0, 2):  # each cross axis is N(0, σ²): sample σ within 3 % (n = 20,000)
        assert np.std(err[:, axis]) == pytest.approx(sigma, rel=0.03)
        assert abs(np.mean(err[:, axis])) < 4 * sigma / np.sqrt(act.size)
    pool.model.phase[:] = pool_mod.MIDCOURSE_PHASE  # no seeker before the terminal phase
    assert not pool._seeker_error(act[:5], np.repeat(q[None, :], 5, axis=0)).any()


def test_a_noisy_seeker_still_hits_within_the_lethal_radius() -> None:
    def fly(seed: int) -> tuple[int, float, float, str]:
        pool, truth, _ = _scene()
        pool.rng = np.random.default_rng(seed)
        pip, _ = truth.at(31.0, np.array([0]))
        pool.launch(1.0, 0, pip[0], 30.0, shot=0, threat=0)
        out: list[tuple[int, float, float, str]] = []
        t = 0.0
        while t < 80.0 and pool.any_active():
            pool.fly(t, t + 0.5, truth, np.zeros(1, dtype=bool), lambda *r: out.append(r))
            t += 0.5
        return out[0]

    a, b = fly(1), fly(1)
    assert a == b  # the same stream gives the same engagement
    misses = [fly(s)[2] for s in range(2, 6)]
    assert all(0.0 < m < 8.0 for m in misses)  # SM-6-like blast radius 8 m
    assert len(set(misses)) == len(misses)
