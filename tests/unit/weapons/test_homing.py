"""The linearised homing loop, flown with our guidance kernels, against Zarchan's closed
forms (docs/references.md §3 and §6; Zarchan, *Tactical and Strategic Missile
Guidance*, 6th ed., 2012, ch. 4 and ch. 8)."""

from __future__ import annotations

import numpy as np
import pytest

from tate.weapons.homing import (
    heading_error_miss_closed_form,
    homing_loop,
    homing_miss,
    pn_miss_closed_form,
    zero_lag_command_ratio,
)

X = np.linspace(0.5, 10.0, 12)  # t_F / T


@pytest.mark.parametrize("nprime", [3, 4, 5])
def test_step_manoeuvre_miss_matches_closed_form(nprime: int) -> None:
    # T = 1 s, n_T = 1 m/s^2: the miss is already normalised by n_T T^2
    miss = homing_miss(nprime, X, 1.0, nt=1.0)
    np.testing.assert_allclose(miss, pn_miss_closed_form(nprime, X), rtol=0, atol=1e-3)


def test_n3_peak_is_0_2707_at_x_2() -> None:
    x = np.array([1.8, 2.0, 2.2])
    miss = homing_miss(3, x, 1.0, nt=1.0)
    assert miss[1] == pytest.approx(0.2707, abs=1e-4)  # 2 e^-2 = 0.27067
    assert miss[0] < miss[1] and miss[2] < miss[1]


@pytest.mark.parametrize("nprime", [3, 4, 5])
def test_heading_error_miss_matches_closed_form(nprime: int) -> None:
    # V_M = 1 m/s, HE = 1 rad, T = 1 s: normalised by V_M HE T
    miss = homing_miss(nprime, X, 1.0, he=1.0, vm=1.0)
    np.testing.assert_allclose(miss, heading_error_miss_closed_form(nprime, X),
                               rtol=0, atol=1e-3)


def test_dimensional_scaling() -> None:
    # T = 0.4 s, t_F = 3.2 s (x = 8), 5 g, N' = 4: miss = n_T T^2 f(x); heading error
    # of 0.1 rad at V_M = 2 km/s: miss = V_M HE T g(x)
    nt, T, vm, he = 5 * 9.80665, 0.4, 2000.0, 0.1
    assert homing_miss(4, 3.2, T, nt=nt) == pytest.approx(
        nt * T * T * float(pn_miss_closed_form(4, 8.0)), abs=1e-3 * nt * T * T)
    assert homing_miss(4, 3.2, T, he=he, vm=vm) == pytest.approx(
        vm * he * T * float(heading_error_miss_closed_form(4, 8.0)), abs=1e-3 * vm * he * T)


def test_zero_lag_command_follows_closed_form() -> None:
    n = np.array([3.0, 4.0, 5.0])
    run = homing_loop(n, 5.0, 0.0, nt=1.0)
    np.testing.assert_allclose(run.nc, zero_lag_command_ratio(n, run.t / 5.0), atol=1e-3)
    assert np.all(np.abs(run.miss) < 1e-6)  # zero lag, step manoeuvre: no miss


def test_augmented_pn_zero_lag_command() -> None:
    # APN against a step: n_c/n_T = ½N'(1 − t/t_F)^(N'−2) (Zarchan ch. 8), no miss
    n = np.array([3.0, 4.0, 5.0])
    run = homing_loop(n, 5.0, 0.0, nt=1.0, law="apn")
    np.testing.assert_allclose(run.nc, 0.5 * n * (1.0 - run.t / 5.0) ** (n - 2.0), atol=1e-3)


def test_true_and_pure_pn_give_the_same_linear_loop() -> None:
    pure = homing_miss(4, X, 1.0, nt=1.0, law="pn")
    true = homing_miss(4, X, 1.0, nt=1.0, law="tpn")
    np.testing.assert_allclose(pure, true, atol=1e-9)


def test_closed_forms_reject_other_gains() -> None:
    with pytest.raises(ValueError, match="N' = 3, 4, 5"):
        pn_miss_closed_form(6, 1.0)
    with pytest.raises(ValueError, match="N' = 3, 4, 5"):
        heading_error_miss_closed_form(2, 1.0)
    with pytest.raises(ValueError):
        homing_miss(3, -1.0, 1.0)
