"""Range-azimuth-elevation measurement model: against WGS-84-free closed forms, the
Jacobian against central differences, and the EKF update against a linearised
textbook update and the NIS law for small noise."""

from __future__ import annotations

import numpy as np
import pytest

from tate.tracking.radar import ekf_update_rae, rae, rae_jacobian


def test_rae_known_values() -> None:
    pos = np.array([[0.0, 1000.0, 0.0], [1000.0, 0.0, 1000.0], [-3.0, -4.0, 0.0]])
    out = rae(pos)
    np.testing.assert_allclose(out[0], [1000.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(out[1], [np.sqrt(2e6), np.pi / 2, np.pi / 4], rtol=1e-12)
    np.testing.assert_allclose(out[2, :2], [5.0, np.arctan2(-3.0, -4.0)], rtol=1e-12)


def test_jacobian_matches_central_differences() -> None:
    rng = np.random.default_rng(4)
    pos = rng.uniform(-50e3, 50e3, size=(20, 3))
    pos[:, 2] = np.abs(pos[:, 2]) + 100.0
    J = rae_jacobian(pos)
    h = 1e-3
    for axis in range(3):
        dp = np.zeros(3)
        dp[axis] = h
        num = (rae(pos + dp) - rae(pos - dp)) / (2 * h)
        np.testing.assert_allclose(J[:, :, axis], num, rtol=1e-6, atol=1e-12)


def test_ekf_update_with_small_noise_is_consistent() -> None:
    # Prior errors and measurement noise small against the range: the linearisation is
    # accurate, so NIS ~ chi²(3) (mean 3) and the update pulls the state toward the truth.
    rng = np.random.default_rng(8)
    n = 20_000
    truth = np.column_stack([rng.uniform(20e3, 80e3, n), rng.uniform(20e3, 80e3, n),
                             rng.uniform(1e3, 20e3, n), np.zeros((n, 3))])
    sd = np.array([30.0, 30.0, 30.0, 5.0, 5.0, 5.0])
    P = np.broadcast_to(np.diag(sd**2), (n, 6, 6)).copy()
    x = truth + rng.normal(size=(n, 6)) * sd
    R = np.diag([10.0**2, 1e-3**2, 1e-3**2])
    z = rae(truth[:, :3]) + rng.normal(size=(n, 3)) * np.sqrt(np.diag(R))
    x_new, P_new, nis = ekf_update_rae(x, P, z, R)
    assert nis.mean() == pytest.approx(3.0, rel=0.04)
    before = np.linalg.norm(x[:, :3] - truth[:, :3], axis=1).mean()
    after = np.linalg.norm(x_new[:, :3] - truth[:, :3], axis=1).mean()
    assert after < 0.8 * before
    assert np.all(np.linalg.eigvalsh(P_new) > 0)


def test_azimuth_innovation_wraps_across_north() -> None:
    x = np.array([[-1.0, 1000.0, 100.0, 0, 0, 0]])  # azimuth just west of north
    P = np.diag([100.0, 100.0, 100.0, 1.0, 1.0, 1.0])[None]
    z = rae(np.array([[1.0, 1000.0, 100.0]]))  # just east of north: az ~ +0.001 rad
    z[0, 1] += 2 * np.pi  # the same direction written as az + 2π
    R = np.diag([1.0, 1e-4, 1e-4])
    x_new, _, nis = ekf_update_rae(x, P, z, R)
    assert x_new[0, 0] > -1.0  # moved east, not around the circle
    assert nis[0] < 10.0
