"""Unscented transform against closed-form Gaussian moments, and the UKF against the
Kalman filter of tate.tracking.kalman on linear models (where they must agree) and
against the EKF of tate.tracking.radar when the linearisation is accurate."""

from __future__ import annotations

import numpy as np
import pytest

from tate.tracking.filters import make_filter
from tate.tracking.kalman import kf_predict, kf_update
from tate.tracking.measurement import PositionMeas, RAEMeas
from tate.tracking.motion import process_noise, transition
from tate.tracking.radar import ekf_update_rae, rae
from tate.tracking.ukf import UKFParams, sigma_points, ukf_predict, ukf_weights, unscented_moments


def _spd(rng: np.random.Generator, n: int, k: int, scale: np.ndarray | float = 1.0
         ) -> np.ndarray:
    A = rng.normal(size=(n, k, k))
    s = np.broadcast_to(np.asarray(scale, float), (k,))
    return (A @ np.swapaxes(A, 1, 2) + k * np.eye(k)) * np.outer(s, s)


@pytest.mark.parametrize("params", [UKFParams(), UKFParams(1e-2, 2.0, 0.0),
                                    UKFParams(0.5, 0.0, 3.0)])
def test_linear_map_moments_are_exact(params: UKFParams) -> None:
    rng = np.random.default_rng(1)
    n, k, m = 8, 5, 3
    x = rng.normal(size=(n, k))
    P = _spd(rng, n, k)
    A = rng.normal(size=(m, k))
    b = rng.normal(size=m)
    wm, wc, gamma = ukf_weights(k, params)
    assert wm.sum() == pytest.approx(1.0)
    Y = sigma_points(x, P, gamma) @ A.T + b
    mean, _, cov = unscented_moments(Y, wm, wc)
    np.testing.assert_allclose(mean, x @ A.T + b, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(cov, A @ P @ A.T, rtol=1e-7, atol=1e-8)


def test_square_of_a_gaussian_has_the_closed_form_moments() -> None:
    # y = x², x ~ N(μ, σ²): E y = μ² + σ², Var y = 4μ²σ² + 2σ⁴.  With α = 1, κ = 0 (one
    # state) and β = 2 the unscented transform reproduces both exactly.
    mu = np.array([[0.0], [1.5], [-3.0]])
    var = np.array([0.7, 2.0, 0.01])
    wm, wc, gamma = ukf_weights(1, UKFParams())
    Y = sigma_points(mu, var[:, None, None], gamma) ** 2
    mean, _, cov = unscented_moments(Y, wm, wc)
    np.testing.assert_allclose(mean[:, 0], mu[:, 0] ** 2 + var, rtol=1e-13)
    np.testing.assert_allclose(cov[:, 0, 0], 4 * mu[:, 0] ** 2 * var + 2 * var**2, rtol=1e-12)


def test_angle_mean_is_taken_on_the_circle() -> None:
    wm, wc, _ = ukf_weights(1, UKFParams())
    Y = np.array([[[np.pi - 0.01], [-np.pi + 0.03], [np.pi - 0.05]]])  # around ±π
    mean, dev, cov = unscented_moments(Y, wm, wc, angle=0)
    # weights (0, ½, ½) on offsets (0, +0.04, −0.04) from the centre point: mean π − 0.01,
    # where a plain average of the three numbers would be near π/3
    assert mean[0, 0] == pytest.approx(np.pi - 0.01, abs=1e-12)
    np.testing.assert_allclose(dev[0, :, 0], [0.0, 0.04, -0.04], atol=1e-12)
    assert cov[0, 0, 0] == pytest.approx(0.04**2, rel=1e-9)


@pytest.mark.parametrize(("motion", "dim"), [("cv", 2), ("cv", 3), ("ca", 3), ("singer", 2)])
def test_ukf_equals_kalman_on_linear_models(motion: str, dim: int) -> None:
    rng = np.random.default_rng(7)
    n = 12
    f = make_filter(motion, dim, 0.8, method="ukf", alpha=0.2)
    k = f.k
    x = rng.normal(size=(n, k)) * 100.0
    P = _spd(rng, n, k, 10.0)
    s = f.init(np.zeros((n, dim)), np.broadcast_to(np.eye(dim), (n, dim, dim)), 1.0)
    s = type(s)(x, P)
    dt = 1.7
    F = transition(motion, [dt], dim, alpha=0.2)[0]
    Q = process_noise(motion, [dt], 0.8, dim, alpha=0.2)[0]
    s = f.predict(s, dt)
    x_ref, P_ref = kf_predict(x, P, F, Q)
    np.testing.assert_allclose(s.x, x_ref, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(s.P, P_ref, rtol=1e-8, atol=1e-8)
    R = _spd(rng, n, dim, 3.0)  # a different noise for every row
    z = x_ref[:, :dim] + rng.normal(size=(n, dim)) * 5.0
    s2, nis = f.update(s, np.arange(n), z[:, None, :], np.ones((n, 1)), np.zeros(n),
                       PositionMeas(dim, R))
    H = np.eye(dim, k)
    x_u, P_u, nis_ref = kf_update(x_ref, P_ref, z, H, R)
    np.testing.assert_allclose(s2.x, x_u, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(s2.P, P_u, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(nis, nis_ref, rtol=1e-8)


def test_ukf_radar_update_approaches_the_ekf_when_the_prior_is_tight() -> None:
    # Prior σ of 5 m at 30-80 km: the measurement function is nearly linear over the
    # sigma points, so the UKF and the EKF (tate.tracking.radar) agree closely.
    rng = np.random.default_rng(11)
    n = 20
    x = np.column_stack([rng.uniform(20e3, 80e3, (n, 2)), rng.uniform(1e3, 10e3, n),
                         rng.uniform(-300, 300, (n, 3))])
    P = np.broadcast_to(np.diag([25.0, 25.0, 25.0, 4.0, 4.0, 4.0]), (n, 6, 6)).copy()
    sensor = np.array([1000.0, -2000.0, 20.0])
    R = np.diag([20.0**2, 1e-3**2, 1e-3**2])
    z = rae(x[:, :3] - sensor) + rng.normal(size=(n, 3)) * np.sqrt(np.diag(R))
    f = make_filter("cv", 3, 1.0, method="ukf")
    meas = RAEMeas(np.broadcast_to(sensor, (n, 3)), np.broadcast_to(R, (n, 3, 3)))
    s, _ = f.update(type(f.init(np.zeros((0, 3)), np.zeros((0, 3, 3)), 1.0))(x, P),
                    np.arange(n), z[:, None, :], np.ones((n, 1)), np.zeros(n), meas)
    x_e, P_e, _ = ekf_update_rae(x - np.r_[sensor, 0, 0, 0], P, z, R)
    np.testing.assert_allclose(s.x, x_e + np.r_[sensor, 0, 0, 0], rtol=0, atol=0.05)
    np.testing.assert_allclose(s.P, P_e, rtol=2e-3, atol=1e-3)


def test_ukf_predict_of_a_nonlinear_map_matches_monte_carlo() -> None:
    # Polar-to-Cartesian map of a wide bearing spread: the unscented mean removes at least
    # 90 % of the bias of a first-order (EKF) mean, which is > 20 Monte Carlo standard errors.
    rng = np.random.default_rng(3)
    x = np.array([[1000.0, 0.6]])
    P = np.diag([50.0**2, 0.35**2])[None]

    def f(X: np.ndarray) -> np.ndarray:
        return np.column_stack([X[:, 0] * np.cos(X[:, 1]), X[:, 0] * np.sin(X[:, 1])])

    mean, cov = ukf_predict(x, P, f, np.zeros((2, 2)), UKFParams())
    draws = f(rng.multivariate_normal(x[0], P[0], size=400_000))
    se = draws.std(axis=0) / np.sqrt(draws.shape[0])
    ekf_bias = np.abs(f(x)[0] - draws.mean(axis=0))
    assert np.all(ekf_bias > 20 * se)
    assert np.all(np.abs(mean[0] - draws.mean(axis=0)) < 0.1 * ekf_bias)
    # covariance: second-order accurate, so only closer to the truth than the linearisation
    r, b = x[0]
    J = np.array([[np.cos(b), -r * np.sin(b)], [np.sin(b), r * np.cos(b)]])
    mc = np.cov(draws.T)
    assert np.abs(cov[0] - mc).max() < 0.5 * np.abs(J @ P[0] @ J.T - mc).max()
