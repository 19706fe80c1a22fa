"""Motion models against Van Loan's matrix-exponential discretisation, and the
vectorised Kalman filter against a per-track textbook loop, the discrete algebraic
Riccati equation and the chi-square law of the NIS."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm, solve_discrete_are

from tate.tracking.kalman import kf_predict, kf_update
from tate.tracking.motion import process_noise, transition


def _van_loan(order: int, dt: float, q: float) -> tuple[np.ndarray, np.ndarray]:
    """F and Q of a chain of ``order`` integrators driven by white noise of density q
    on the highest derivative (Van Loan, IEEE TAC 23(3), 1978)."""
    a = np.diag(np.ones(order - 1), 1)
    g = np.zeros((order, 1))
    g[-1, 0] = 1.0
    m = np.block([[-a, g @ g.T * q], [np.zeros((order, order)), a.T]]) * dt
    e = expm(m)
    phi = e[order:, order:].T
    return phi, phi @ e[:order, order:]


@pytest.mark.parametrize(("model", "order"), [("cv", 2), ("ca", 3)])
@pytest.mark.parametrize("dt", [0.1, 1.0, 4.0])
def test_models_match_van_loan(model: str, order: int, dt: float) -> None:
    phi, q_ref = _van_loan(order, dt, 0.7)
    F = transition(model, [dt], 1)[0]
    Q = process_noise(model, [dt], 0.7, 1)[0]
    np.testing.assert_allclose(F, phi, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Q, q_ref, rtol=1e-9, atol=1e-14)


def test_axes_are_stacked_positions_first() -> None:
    F = transition("cv", [2.0], 3)[0]
    np.testing.assert_array_equal(F[0:3, 3:6], 2.0 * np.eye(3))
    Q = process_noise("cv", [2.0, 1.0], [1.0, 2.0], 2)
    assert Q.shape == (2, 4, 4)
    assert Q[1, 0, 2] == pytest.approx(2.0 * 1.0**2 / 2)
    with pytest.raises(ValueError, match="valid names: cv, ca"):
        transition("singer-x", [1.0], 2)


def _textbook_update(x: np.ndarray, P: np.ndarray, z: np.ndarray, H: np.ndarray,
                     R: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    S = H @ P @ H.T + R
    K = P @ H.T @ np.linalg.inv(S)
    nu = z - H @ x
    return x + K @ nu, P - K @ S @ K.T, float(nu @ np.linalg.inv(S) @ nu)


def test_vectorised_update_equals_a_per_track_loop() -> None:
    rng = np.random.default_rng(5)
    n, k = 50, 4
    x = rng.normal(size=(n, k))
    A = rng.normal(size=(n, k, k))
    P = A @ np.swapaxes(A, 1, 2) + np.eye(k)
    H = np.hstack([np.eye(2), np.zeros((2, 2))])
    B = rng.normal(size=(n, 2, 2))
    R = B @ np.swapaxes(B, 1, 2) + 0.1 * np.eye(2)
    z = rng.normal(size=(n, 2))
    xs, Ps, nis = kf_update(x, P, z, H, R)
    for i in range(n):
        xr, Pr, nr = _textbook_update(x[i], P[i], z[i], H, R[i])
        np.testing.assert_allclose(xs[i], xr, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(Ps[i], Pr, rtol=1e-8, atol=1e-9)
        assert nis[i] == pytest.approx(nr, rel=1e-9)


def test_covariance_converges_to_the_riccati_solution() -> None:
    F = transition("cv", [1.0], 2)[0]
    Q = process_noise("cv", [1.0], 0.5, 2)[0]
    H = np.hstack([np.eye(2), np.zeros((2, 2))])
    R = 4.0 * np.eye(2)
    x = np.zeros((3, 4))
    P = np.broadcast_to(100.0 * np.eye(4), (3, 4, 4)).copy()
    for _ in range(300):
        x, P = kf_predict(x, P, F, Q)
        x, P, _ = kf_update(x, P, np.zeros((3, 2)), H, R)
    prior = solve_discrete_are(F.T, H.T, Q, R)
    posterior = prior - prior @ H.T @ np.linalg.inv(H @ prior @ H.T + R) @ H @ prior
    for i in range(3):
        np.testing.assert_allclose(P[i], posterior, rtol=1e-9)


def test_nis_follows_chi_square_for_a_consistent_filter() -> None:
    # Truth drawn from the prior and measured with the model's noise: NIS ~ chi²(2),
    # mean 2 and variance 4.
    rng = np.random.default_rng(11)
    n = 40_000
    P = np.broadcast_to(np.diag([9.0, 4.0, 1.0, 1.0]), (n, 4, 4))
    truth = rng.normal(size=(n, 4)) * np.sqrt([9.0, 4.0, 1.0, 1.0])
    H = np.hstack([np.eye(2), np.zeros((2, 2))])
    R = np.diag([2.0, 3.0])
    z = truth[:, :2] + rng.normal(size=(n, 2)) * np.sqrt([2.0, 3.0])
    _, _, nis = kf_update(np.zeros((n, 4)), P, z, H, R)
    assert nis.mean() == pytest.approx(2.0, rel=0.03)
    assert nis.var() == pytest.approx(4.0, rel=0.08)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 10.0), st.floats(1e-3, 50.0), st.floats(0.01, 100.0),
       st.integers(0, 10_000))
def test_covariances_stay_symmetric_positive_definite(dt: float, q: float, r: float,
                                                      seed: int) -> None:
    rng = np.random.default_rng(seed)
    F = transition("ca", [dt], 2)[0]
    Q = process_noise("ca", [dt], q, 2)[0]
    H = np.hstack([np.eye(2), np.zeros((2, 4))])
    x = rng.normal(size=(2, 6))
    P = np.broadcast_to(np.eye(6) * 10.0, (2, 6, 6)).copy()
    for _ in range(5):
        x, P = kf_predict(x, P, F, Q)
        x, P, nis = kf_update(x, P, rng.normal(size=(2, 2)), H, r * np.eye(2))
        assert np.all(nis >= 0)
        np.testing.assert_array_equal(P, np.swapaxes(P, 1, 2))
        assert np.all(np.linalg.eigvalsh(P) > 0)


def test_singer_transition_is_the_matrix_exponential() -> None:
    alpha, dt = 0.2, 3.0
    a = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, -alpha]])
    np.testing.assert_allclose(transition("singer", [dt], 1, alpha=alpha)[0], expm(a * dt),
                               rtol=1e-12, atol=1e-14)


def test_singer_noise_limits() -> None:
    # Slow manoeuvres (α → 0 at fixed density 2ασ²) approach the white-noise-jerk CA model;
    # the acceleration variance term is σ²(1 − e^{−2αT}) exactly (Singer 1970).
    alpha, sigma2, dt = 1e-4, 3.0, 2.0
    Q = process_noise("singer", [dt], sigma2, 1, alpha=alpha)[0]
    Q_ca = process_noise("ca", [dt], 2 * alpha * sigma2, 1)[0]
    np.testing.assert_allclose(Q, Q_ca, rtol=1e-3)
    for a, t in ((0.1, 1.0), (0.5, 4.0)):
        Q = process_noise("singer", [t, t], [sigma2, 2 * sigma2], 1, alpha=a)
        np.testing.assert_allclose(Q[0, 2, 2], sigma2 * (1 - np.exp(-2 * a * t)), rtol=1e-10)
        np.testing.assert_allclose(Q[1], 2 * Q[0], rtol=1e-12)
