"""Coordinated-turn and ballistic models against independent integrations of their ODEs
(scipy solve_ivp, DOP853), the matrix exponential, central differences, the constant-
velocity model and the conservation laws of a central force."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from tate.earth.atmosphere import density
from tate.tracking.motion import transition
from tate.tracking.nonlinear import (
    BallisticParams,
    ballistic_jacobian,
    ballistic_propagate,
    ballistic_propagate_stm,
    ballistic_rhs,
    ct_jacobian,
    ct_process_noise,
    ct_propagate,
)

MU, RE = 3.986004418e14, 6371008.8


def _ct_states(rng: np.random.Generator, n: int, dim: int, w_max: float = 0.2) -> np.ndarray:
    x = np.zeros((n, 2 * dim + 1))
    x[:, :dim] = rng.uniform(-10e3, 10e3, (n, dim))
    x[:, dim:2 * dim] = rng.uniform(-300.0, 300.0, (n, dim))
    x[:, -1] = rng.uniform(-w_max, w_max, n)
    return x


def _ct_ode(dim: int):  # type: ignore[no-untyped-def]
    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        dy = np.zeros_like(y)
        dy[:dim] = y[dim:2 * dim]
        w = y[-1]
        dy[dim] = -w * y[dim + 1]
        dy[dim + 1] = w * y[dim]
        return dy
    return rhs


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("dt", [0.5, 4.0, 25.0])
def test_ct_matches_ode_integration(dim: int, dt: float) -> None:
    rng = np.random.default_rng(10 + dim)
    x = _ct_states(rng, 12, dim)
    x[0, -1], x[1, -1], x[2, -1] = 0.0, 1e-7, -3e-3  # straight, nearly straight, series range
    out = ct_propagate(x, dt)
    for i in range(x.shape[0]):
        sol = solve_ivp(_ct_ode(dim), (0.0, dt), x[i], method="DOP853", rtol=1e-13, atol=1e-10)
        np.testing.assert_allclose(out[i], sol.y[:, -1], rtol=1e-10, atol=1e-7)


@pytest.mark.parametrize("u", [0.0, 1e-9, 1e-4, 0.05, 0.0999999, 0.1, 0.1000001, 0.3, 2.5])
def test_ct_matches_matrix_exponential_across_the_series_switch(u: float) -> None:
    # For fixed ω the CT ODE is linear: [x, y, vx, vy]' = A [x, y, vx, vy], so expm(A T)
    # is an independent closed-form oracle without the cancellation in (1 − cos ωT)/ω.
    T = 7.0
    w = u / T
    A = np.zeros((4, 4))
    A[0, 2] = A[1, 3] = 1.0
    A[2, 3], A[3, 2] = -w, w
    x = np.array([[120.0, -450.0, 230.0, -170.0, w]])
    ref = expm(A * T) @ x[0, :4]
    np.testing.assert_allclose(ct_propagate(x, T)[0, :4], ref, rtol=1e-13, atol=1e-10)
    # Jacobian column ∂/∂ω against a central difference of the oracle in ω
    h = 1e-6
    A_p, A_m = A.copy(), A.copy()
    A_p[2, 3], A_p[3, 2] = -(w + h), w + h
    A_m[2, 3], A_m[3, 2] = -(w - h), w - h
    d_ref = (expm(A_p * T) - expm(A_m * T)) @ x[0, :4] / (2 * h)
    np.testing.assert_allclose(ct_jacobian(x, T)[0, :4, 4], d_ref, rtol=1e-7, atol=1e-6)


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("w", [0.0, 1e-14, -1e-14])
def test_ct_zero_turn_rate_is_constant_velocity(dim: int, w: float) -> None:
    rng = np.random.default_rng(3)
    x = _ct_states(rng, 20, dim)
    x[:, -1] = w
    T = 5.0
    cv = x[:, :-1] @ transition("cv", [T], dim)[0].T
    np.testing.assert_allclose(ct_propagate(x, T)[:, :-1], cv, rtol=0.0, atol=1e-9)
    F = ct_jacobian(x, T)
    np.testing.assert_allclose(F[:, :-1, :-1], np.broadcast_to(transition("cv", [T], dim)[0],
                                                               F[:, :-1, :-1].shape), atol=1e-12)


@pytest.mark.parametrize("dim", [2, 3])
def test_ct_jacobian_matches_central_differences(dim: int) -> None:
    rng = np.random.default_rng(5)
    x = _ct_states(rng, 15, dim)
    x[:3, -1] = [0.0, 2e-3, 0.0142]  # ω T around and below the series switch (T = 7)
    T = 7.0
    F = ct_jacobian(x, T)
    k = x.shape[1]
    steps = np.r_[np.full(dim, 1.0), np.full(dim, 0.1), 1e-6]
    for j in range(k):
        dx = np.zeros(k)
        dx[j] = steps[j]
        num = (ct_propagate(x + dx, T) - ct_propagate(x - dx, T)) / (2 * steps[j])
        np.testing.assert_allclose(F[:, :, j], num, rtol=1e-6, atol=1e-6)


def test_ct_process_noise_is_positive_definite() -> None:
    Q = ct_process_noise(2.0, 3.0, 1e-4, 3)
    np.testing.assert_array_equal(Q, Q.T)
    assert np.all(np.linalg.eigvalsh(Q) > 0)
    assert Q[6, 6] == pytest.approx(2e-4)
    assert Q[0, 3] == pytest.approx(3.0 * 2.0**2 / 2)  # CWNA block, Bar-Shalom 2001 eq. 6.2.2-12


# ---- ballistic --------------------------------------------------------------------------------
def _ballistic_ode(beta: float, rho0: float = 1.225, H: float = 7200.0):  # type: ignore[no-untyped-def]
    """The same ODE written independently: gravity of a point Earth whose centre is R
    below the origin, drag ½ρv²/β against the velocity, exponential atmosphere."""
    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        r = y[:3] + np.array([0.0, 0.0, RE])
        rn = np.linalg.norm(r)
        v = y[3:]
        rho = rho0 * np.exp(-(rn - RE) / H)
        acc = -MU * r / rn**3 - 0.5 * rho * np.linalg.norm(v) * v / beta
        return np.concatenate([v, acc])
    return rhs


CASES = [  # position [m], velocity [m/s], β [kg/m²], dt [s]
    ((800e3, -300e3, 300e3), (-2500.0, 900.0, -1500.0), 8000.0, 60.0),  # exo-atmospheric
    ((120e3, 40e3, 60e3), (-2200.0, -600.0, -1800.0), 5000.0, 30.0),  # re-entry to ~10 km
    ((20e3, 5e3, 20e3), (-1500.0, 0.0, -600.0), 2000.0, 10.0),  # dense air, strong drag
    ((1000e3, 0.0, 150e3), (-1000.0, 200.0, 2000.0), 20000.0, 45.0),  # 1,000 km away, climbing
]


@pytest.mark.parametrize(("pos", "vel", "beta", "dt"), CASES)
def test_ballistic_matches_dop853(pos: tuple[float, ...], vel: tuple[float, ...], beta: float,
                                  dt: float) -> None:
    x = np.array([[*pos, *vel, np.log(beta)]])
    out = ballistic_propagate(x, dt, BallisticParams())
    sol = solve_ivp(_ballistic_ode(beta), (0.0, dt), x[0, :6], method="DOP853", rtol=1e-12,
                    atol=1e-9)
    # RK4 with 0.5 s sub-steps: the worst case (re-entry) is 5e-5 m, 8e-5 m/s
    np.testing.assert_allclose(out[0, :3], sol.y[:3, -1], rtol=0.0, atol=2e-4)
    np.testing.assert_allclose(out[0, 3:6], sol.y[3:, -1], rtol=0.0, atol=2e-4)
    assert out[0, 6] == x[0, 6]


def test_ballistic_vacuum_conserves_energy_and_angular_momentum() -> None:
    rng = np.random.default_rng(2)
    n = 50
    x = np.zeros((n, 7))
    x[:, :3] = rng.uniform([-1e6, -1e6, 50e3], [1e6, 1e6, 1200e3], (n, 3))
    x[:, 3:6] = rng.uniform(-4000.0, 4000.0, (n, 3))
    x[:, 6] = np.log(100.0)  # irrelevant in vacuum
    p = BallisticParams(rho0=0.0)
    out = ballistic_propagate(x, 60.0, p)

    def energy(y: np.ndarray) -> np.ndarray:
        r = y[:, :3] + [0.0, 0.0, RE]
        return 0.5 * np.sum(y[:, 3:6] ** 2, axis=1) - MU / np.linalg.norm(r, axis=1)

    def ang(y: np.ndarray) -> np.ndarray:
        return np.cross(y[:, :3] + [0.0, 0.0, RE], y[:, 3:6])

    e0 = energy(x)
    np.testing.assert_allclose(energy(out), e0, rtol=0.0, atol=1e-10 * np.abs(e0).max())
    np.testing.assert_allclose(ang(out), ang(x), rtol=1e-11, atol=1e-11 * np.abs(ang(x)).max())


def test_ballistic_jacobian_matches_central_differences() -> None:
    rng = np.random.default_rng(6)
    n = 10
    x = np.column_stack([rng.uniform(-50e3, 50e3, (n, 2)), rng.uniform(5e3, 60e3, n),
                         rng.uniform(-3000.0, 3000.0, (n, 3)), rng.uniform(7.0, 10.0, n)])
    p = BallisticParams()
    A = ballistic_jacobian(x, p)
    steps = np.r_[np.full(3, 1.0), np.full(3, 0.01), 1e-5]
    for j in range(7):
        dx = np.zeros(7)
        dx[j] = steps[j]
        num = (ballistic_rhs(x + dx, p) - ballistic_rhs(x - dx, p)) / (2 * steps[j])
        np.testing.assert_allclose(A[:, :, j], num, rtol=1e-6, atol=1e-9)


def test_ballistic_transition_matrix_matches_central_differences() -> None:
    x = np.array([[30e3, 10e3, 40e3, -2000.0, -500.0, -1500.0, np.log(3000.0)],
                  [500e3, 0.0, 200e3, -3000.0, 0.0, 500.0, np.log(1e4)]])
    p = BallisticParams()
    y, phi = ballistic_propagate_stm(x, 5.0, p)
    np.testing.assert_allclose(y, ballistic_propagate(x, 5.0, p), rtol=1e-14)
    steps = np.r_[np.full(3, 1.0), np.full(3, 0.01), 1e-5]
    for j in range(7):
        dx = np.zeros(7)
        dx[j] = steps[j]
        num = (ballistic_propagate(x + dx, 5.0, p) - ballistic_propagate(x - dx, 5.0, p)) / (
            2 * steps[j])
        np.testing.assert_allclose(phi[:, :, j], num, rtol=1e-5, atol=1e-7)


def test_exponential_atmosphere_is_within_the_documented_band_of_us76() -> None:
    p = BallisticParams()
    h = np.linspace(0.0, 85e3, 171)
    ratio = p.rho0 * np.exp(-h / p.scale_height) / density(h)
    assert ratio.min() > 0.72 and ratio.max() < 1.22
