"""Engageability against hand-computed fly-outs and envelopes."""

from __future__ import annotations

import numpy as np

from tate.c2.engage import COAST_FACTOR, Launchers, flyout_time, opportunities


def _launchers(n: int = 1, **over: object) -> Launchers:
    base = dict(pos=np.zeros((n, 3)), burn_s=np.full(n, 10.0), speed=np.full(n, 1000.0),
                min_alt=np.zeros(n), max_alt=np.full(n, 30e3), min_range=np.zeros(n),
                max_range=np.full(n, 100e3), max_target_speed=np.full(n, 3000.0),
                pk=np.full(n, 0.8), railgun_sigma_rad=np.zeros(n), railgun_resid_m=np.zeros(n),
                railgun_lethal_m=np.zeros(n), gun=np.zeros(n, dtype=bool))
    base.update(over)
    return Launchers(**base)  # type: ignore[arg-type]


def test_flyout_time_closed_form() -> None:
    tb, v = 10.0, 1000.0
    gun = np.array(False)
    # inside the boost: uniform acceleration, d = v t² / (2 tb)
    assert np.isclose(flyout_time(np.array(2000.0), np.array(tb), np.array(v), gun),
                      np.sqrt(2 * 2000.0 * tb / v))
    # after burnout: tb plus the rest at the coast speed
    d = 5000.0 + 20_000.0
    assert np.isclose(flyout_time(np.array(d), np.array(tb), np.array(v), gun),
                      tb + 20_000.0 / (COAST_FACTOR * v))


def test_earliest_intercept_of_a_hovering_target() -> None:
    L = _launchers()
    pos = np.array([[30e3, 0.0, 5e3]])
    d = np.linalg.norm(pos[0])
    fly = float(flyout_time(np.array(d), L.burn_s, L.speed, L.gun)[0])
    opp = opportunities(L, pos, np.zeros((1, 3)), np.array([np.inf]), np.array([False]),
                        step_s=1.0, launch_delay_s=2.0)
    # first grid time (3, 4, ... s) with fly <= tau - 2
    expect = np.ceil(fly + 2.0 - 3.0) + 3.0
    assert opp.t_intercept[0, 0] == expect
    np.testing.assert_allclose(opp.pip[0, 0], pos[0])
    assert opp.pk[0, 0] == 0.8


def test_envelope_speed_and_time_to_go_exclude_pairs() -> None:
    L = _launchers(3, max_alt=np.array([30e3, 1e3, 30e3]),
                   max_target_speed=np.array([3000.0, 3000.0, 100.0]))
    pos = np.array([[30e3, 0.0, 5e3], [30e3, 0.0, 5e3]])
    vel = np.array([[0.0, 0.0, 0.0], [-200.0, 0.0, 0.0]])
    opp = opportunities(L, pos, vel, np.array([np.inf, 5.0]), np.array([False, False]))
    assert opp.feasible[0, 0] and not opp.feasible[1, 0]  # too high for launcher 1
    assert not opp.feasible[2, 1]  # too fast for launcher 2
    assert not opp.feasible[:, 1].any()  # impact in 5 s: nobody gets there in time
    assert np.all(opp.pk[~opp.feasible] == 0.0)


def test_an_approaching_target_is_met_earlier_than_a_receding_one() -> None:
    # receding at 500 m/s from 60 km, the 850 m/s coast catches it after about 186 s,
    # 153 km out: inside a 300 km envelope
    L = _launchers(max_range=np.array([300e3]))
    pos = np.array([[60e3, 0.0, 5e3], [60e3, 0.0, 5e3]])
    vel = np.array([[-500.0, 0.0, 0.0], [500.0, 0.0, 0.0]])
    opp = opportunities(L, pos, vel, np.array([np.inf, np.inf]), np.array([False, False]))
    assert opp.t_intercept[0, 0] < opp.t_intercept[0, 1]
    # the PIP lies on the predicted path
    for j in range(2):
        np.testing.assert_allclose(opp.pip[0, j], pos[j] + vel[j] * opp.t_intercept[0, j])


def test_no_launch_that_would_arrive_early() -> None:
    # a gun (4 km reach, 1,000 m/s rounds) and a missile (100 km, stretch 1.5) against a
    # target closing at 100 m/s from 20 km: the gun's earliest meeting is when the
    # target reaches 4 km, 160 s away, far more than its 4/0.7 = 5.7 s fly-out, so it is
    # not an opportunity now; 1 s before the target gets there it is
    from tate.c2.engage import MAX_FLYOUT_STRETCH, RAILGUN_SPEED_FACTOR

    gun = _launchers(1, gun=np.array([True]), burn_s=np.zeros(1),
                     max_range=np.array([4e3]), min_alt=np.full(1, -1.0))
    vel = np.array([[-100.0, 0.0, 0.0]])
    far = opportunities(gun, np.array([[20e3, 0.0, 0.0]]), vel, np.array([np.inf]),
                        np.array([False]), window_s=2.0)
    assert not far.feasible[0, 0]
    near = opportunities(gun, np.array([[4.5e3, 0.0, 0.0]]), vel, np.array([np.inf]),
                         np.array([False]), window_s=2.0)
    assert near.feasible[0, 0]
    wait = near.t_intercept[0, 0] - 2.0  # launch delay 2 s
    d = np.linalg.norm(near.pip[0, 0])
    assert d / (RAILGUN_SPEED_FACTOR * 1000.0) <= wait <= d / (RAILGUN_SPEED_FACTOR * 1000.0) + 2.0
    # a missile whose ceiling the target is above: it may only launch once its longest
    # (stretched) fly-out reaches the moment the target comes down through the ceiling
    mis = _launchers(1, max_alt=np.array([10e3]))
    high = np.array([[30e3, 0.0, 40e3]])
    down = np.array([[0.0, 0.0, -100.0]])  # at the ceiling 300 s from now
    opp = opportunities(mis, high, down, np.array([np.inf]), np.array([False]), window_s=2.0)
    assert not opp.feasible[0, 0]
    lower = np.array([[30e3, 0.0, 14e3]])  # at the ceiling in 40 s
    opp = opportunities(mis, lower, down, np.array([np.inf]), np.array([False]), window_s=2.0)
    assert opp.feasible[0, 0]
    fly = float(flyout_time(np.array(np.linalg.norm(opp.pip[0, 0])), mis.burn_s, mis.speed,
                            mis.gun)[0])
    assert fly <= opp.t_intercept[0, 0] - 2.0 <= MAX_FLYOUT_STRETCH * fly + 2.0
