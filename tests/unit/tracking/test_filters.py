"""The vectorised filter interface against the existing Kalman and radar-EKF kernels, a
single-track PDAF written out from the textbook equations, the chi-square law of the
NEES on simulated truth, and (hypothesis) positive-definiteness over many cycles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2

from tate.tracking.filters import FILTERS, GaussState, inv_spd, make_filter
from tate.tracking.imm import IMMState
from tate.tracking.kalman import kf_predict, kf_update
from tate.tracking.measurement import (
    PositionMeas,
    RAEMeas,
    innovation,
    predict_measurement,
    wrap_angle,
)
from tate.tracking.motion import process_noise, transition
from tate.tracking.nonlinear import BallisticParams, ballistic_propagate
from tate.tracking.quality import nees
from tate.tracking.radar import ekf_update_rae, rae, rae_jacobian


def _spd(rng: np.random.Generator, n: int, k: int, scale: float = 1.0) -> np.ndarray:
    A = rng.normal(size=(n, k, k))
    return (A @ np.swapaxes(A, 1, 2) + k * np.eye(k)) * scale


def _ones(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.ones((n, 1)), np.zeros(n)


@pytest.mark.parametrize(("motion", "dim"), [("cv", 2), ("cv", 3), ("ca", 2), ("singer", 3)])
def test_kf_path_equals_tate_kalman(motion: str, dim: int) -> None:
    rng = np.random.default_rng(1)
    n = 30
    f = make_filter(motion, dim, 0.7, alpha=0.3)
    F = transition(motion, [2.5], dim, alpha=0.3)[0]
    Q = process_noise(motion, [2.5], 0.7, dim, alpha=0.3)[0]
    x0 = rng.normal(size=(n, f.k)) * 50.0
    P0 = _spd(rng, n, f.k, 4.0)
    s = f.predict(GaussState(x0, P0), 2.5)
    x_ref, P_ref = kf_predict(x0, P0, F, Q)
    np.testing.assert_allclose(s.x, x_ref, rtol=1e-13, atol=1e-10)
    np.testing.assert_allclose(s.P, P_ref, rtol=1e-13, atol=1e-10)
    rows = rng.permutation(n)[:20]
    R = _spd(rng, 20, dim, 2.0)
    z = x_ref[rows, :dim] + rng.normal(size=(20, dim))
    s2, nis = f.update(s, rows, z[:, None, :], *_ones(20), PositionMeas(dim, R))
    x_u, P_u, nis_ref = kf_update(x_ref[rows], P_ref[rows], z, np.eye(dim, f.k), R)
    np.testing.assert_allclose(s2.x[rows], x_u, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(s2.P[rows], P_u, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(nis, nis_ref, rtol=1e-11)
    others = np.setdiff1d(np.arange(n), rows)
    np.testing.assert_array_equal(s2.x[others], s.x[others])
    np.testing.assert_array_equal(s2.P[others], s.P[others])


@pytest.mark.parametrize("angle_only", [False, True])
def test_ekf_radar_update_equals_tate_radar(angle_only: bool) -> None:
    rng = np.random.default_rng(2)
    n = 25
    sensor = rng.uniform(-5e3, 5e3, (n, 3))
    truth = np.column_stack([rng.uniform(-80e3, 80e3, (n, 2)), rng.uniform(500, 20e3, n)])
    x = np.column_stack([truth + rng.normal(size=(n, 3)) * 40.0,
                         rng.normal(size=(n, 3)) * 200.0])
    P = _spd(rng, n, 6, 300.0)
    R = np.stack([np.diag([rng.uniform(5, 50) ** 2, *(rng.uniform(2e-4, 2e-3, 2) ** 2)])
                  for _ in range(n)])
    z = rae(truth - sensor) + rng.normal(size=(n, 3)) * np.sqrt(np.diagonal(R, 0, 1, 2))
    f = make_filter("cv", 3, 1.0)  # method kf: a nonlinear measurement makes it an EKF
    if angle_only:
        meas = RAEMeas(sensor, R[:, 1:, 1:], angle_only=True)
        s, nis = f.update(GaussState(x, P), np.arange(n), z[:, None, 1:], *_ones(n), meas)
        # reference: the full EKF with a range noise so large that it carries no information
        R_ref = R.copy()
        R_ref[:, 0, 0] = 1e30
        x_ref, P_ref, _ = ekf_update_rae(x - np.c_[sensor, np.zeros((n, 3))], P, z, R_ref)
        rtol, atol = 1e-9, 1e-6
    else:
        meas = RAEMeas(sensor, R)
        s, nis = f.update(GaussState(x, P), np.arange(n), z[:, None, :], *_ones(n), meas)
        x_ref, P_ref, nis_ref = ekf_update_rae(x - np.c_[sensor, np.zeros((n, 3))], P, z, R)
        np.testing.assert_allclose(nis, nis_ref, rtol=1e-9)
        rtol, atol = 1e-11, 1e-9
    np.testing.assert_allclose(s.x, x_ref + np.c_[sensor, np.zeros((n, 3))], rtol=rtol, atol=atol)
    np.testing.assert_allclose(s.P, P_ref, rtol=rtol, atol=atol)


@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_inv_spd_matches_lapack(m: int) -> None:
    rng = np.random.default_rng(m)
    S = _spd(rng, 50, m, 7.0)
    inv, det = inv_spd(S)
    np.testing.assert_allclose(inv, np.linalg.inv(S), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(det, np.linalg.det(S), rtol=1e-10)
    S[3] = -S[3]
    with pytest.raises(np.linalg.LinAlgError):
        inv_spd(S)


def test_measurement_models() -> None:
    pos = np.array([[0.0, 1000.0, 0.0], [-1.0, -1000.0, 50.0]])
    sensor = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 50.0]])
    z = predict_measurement(RAEMeas(sensor, np.eye(3)), pos)
    np.testing.assert_allclose(z[0], [1000.0, 0.0, 0.0], atol=1e-12)
    assert z[1, 1] == pytest.approx(-np.pi + 1e-3, abs=1e-9)  # just west of south
    za = predict_measurement(RAEMeas(sensor, np.eye(2), angle_only=True), pos)
    np.testing.assert_array_equal(za, z[:, 1:])
    nu = innovation(RAEMeas(sensor, np.eye(3)), np.array([[1.0, np.pi - 0.01, 0.2]]),
                    np.array([[1.0, -np.pi + 0.01, 0.2]]))
    np.testing.assert_allclose(nu, [[0.0, -0.02, 0.0]], atol=1e-12)
    np.testing.assert_array_equal(wrap_angle(np.array([-np.pi, np.pi, 3 * np.pi, 0.5])),
                                  [np.pi, np.pi, np.pi, 0.5])
    assert np.all(wrap_angle(np.linspace(-20, 20, 1001)) > -np.pi)


# ---- PDA --------------------------------------------------------------------------------------
def _textbook_pdaf(x: np.ndarray, P: np.ndarray, Z: np.ndarray, H: np.ndarray, R: np.ndarray,
                   beta: np.ndarray, beta0: float) -> tuple[np.ndarray, np.ndarray]:
    """One track, plain loops: Bar-Shalom, Daum & Huang, IEEE CSM 29(6) 2009, eqs. 30-38."""
    S = H @ P @ H.T + R
    K = P @ H.T @ np.linalg.inv(S)
    z_hat = H @ x
    nus = [Z[j] - z_hat for j in range(len(beta))]
    nu = sum(beta[j] * nus[j] for j in range(len(beta)))
    x_new = x + K @ nu
    Pc = P - K @ S @ K.T
    spread = sum(beta[j] * np.outer(nus[j], nus[j]) for j in range(len(beta))) - np.outer(nu, nu)
    return x_new, beta0 * P + (1 - beta0) * Pc + K @ spread @ K.T


def _pda_weights(rng: np.random.Generator, Z: np.ndarray, z_hat: np.ndarray, S: np.ndarray,
                 c_used: int) -> tuple[np.ndarray, float]:
    """Parametric PDA association probabilities (Bar-Shalom et al. 2009, eqs. 25-27)."""
    pd, pg, lam = 0.9, 0.99, rng.uniform(1e-7, 1e-5)
    e = np.array([np.exp(-0.5 * (z - z_hat) @ np.linalg.solve(S, z - z_hat)) for z in Z[:c_used]])
    b = lam * np.sqrt(np.linalg.det(2 * np.pi * S)) * (1 - pd * pg) / pd
    beta = np.zeros(Z.shape[0])
    beta[:c_used] = e / (b + e.sum())
    return beta, b / (b + e.sum())


def test_pda_update_equals_textbook_pdaf() -> None:
    rng = np.random.default_rng(3)
    n, c, dim = 40, 5, 2
    f = make_filter("ca", dim, 0.5)
    k = f.k
    x = rng.normal(size=(n, k)) * 20.0
    P = _spd(rng, n, k, 9.0)
    R = _spd(rng, n, dim, 4.0)
    H = np.eye(dim, k)
    Z = np.zeros((n, c, dim))  # padded with zeros past each row's candidates
    beta = np.zeros((n, c))
    beta0 = np.zeros(n)
    for i in range(n):
        used = int(rng.integers(1, c + 1))
        S = H @ P[i] @ H.T + R[i]
        Z[i, :used] = x[i, :dim] + rng.multivariate_normal(np.zeros(dim), 2 * S, size=used)
        beta[i], beta0[i] = _pda_weights(rng, Z[i], x[i, :dim], S, used)
    s, nis = f.update(GaussState(x, P), np.arange(n), Z, beta, beta0, PositionMeas(dim, R))
    for i in range(n):
        x_ref, P_ref = _textbook_pdaf(x[i], P[i], Z[i], H, R[i], beta[i], beta0[i])
        np.testing.assert_allclose(s.x[i], x_ref, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(s.P[i], P_ref, rtol=1e-9, atol=1e-9)
        nu = beta[i] @ (Z[i] - x[i, :dim])
        S = H @ P[i] @ H.T + R[i]
        assert nis[i] == pytest.approx(nu @ np.linalg.solve(S, nu), rel=1e-9)


def test_pda_with_radar_measurements_equals_textbook_pdaf_linearised() -> None:
    rng = np.random.default_rng(4)
    n, c = 15, 3
    x = np.column_stack([rng.uniform(10e3, 60e3, (n, 3)), rng.normal(size=(n, 3)) * 100])
    P = _spd(rng, n, 6, 100.0)
    R = np.broadcast_to(np.diag([30.0**2, 2e-3**2, 2e-3**2]), (n, 3, 3))
    Z = rae(x[:, :3])[:, None, :] + rng.normal(size=(n, c, 3)) * [40.0, 3e-3, 3e-3]
    beta = rng.dirichlet(np.ones(c + 1), size=n)
    s, _ = make_filter("cv", 3, 1.0).update(GaussState(x, P), np.arange(n), Z, beta[:, 1:],
                                            beta[:, 0], RAEMeas(np.zeros((n, 3)), R))
    for i in range(n):
        H = np.hstack([rae_jacobian(x[i:i + 1, :3])[0], np.zeros((3, 3))])
        Zi = Z[i] - rae(x[i:i + 1, :3])[0] + H @ x[i]  # linearised measurements
        x_ref, P_ref = _textbook_pdaf(x[i], P[i], Zi, H, R[i], beta[i, 1:], beta[i, 0])
        np.testing.assert_allclose(s.x[i], x_ref, rtol=1e-8, atol=1e-6)
        np.testing.assert_allclose(s.P[i], P_ref, rtol=1e-8, atol=1e-6)


@pytest.mark.parametrize(("motion", "method"), [("cv", "kf"), ("ct", "ekf"), ("ct", "ukf")])
def test_pda_reduces_exactly_to_the_single_update(motion: str, method: str) -> None:
    rng = np.random.default_rng(5)
    n = 10
    f = make_filter(motion, 3, 1.0, method=method)
    x = rng.normal(size=(n, f.k)) * 30.0
    x[:, -1] *= 0.001
    P = _spd(rng, n, f.k, 5.0)
    R = _spd(rng, n, 3, 2.0)
    z = x[:, :3] + rng.normal(size=(n, 3)) * 3.0
    meas = PositionMeas(3, R)
    single, nis1 = f.update(GaussState(x, P), np.arange(n), z[:, None, :], *_ones(n), meas)
    # the same measurement with a padded second candidate goes through the full PDA formula
    Z2 = np.stack([z, z + 1e6], axis=1)
    pda, nis2 = f.update(GaussState(x, P), np.arange(n), Z2, np.c_[np.ones(n), np.zeros(n)],
                         np.zeros(n), meas)
    np.testing.assert_array_equal(pda.x, single.x)
    np.testing.assert_array_equal(pda.P, single.P)
    np.testing.assert_array_equal(nis1, nis2)
    # nothing correct: the state is left as predicted, bit for bit
    none, nis0 = f.update(GaussState(x, P), np.arange(n), Z2, np.zeros((n, 2)), np.ones(n),
                          meas)
    np.testing.assert_array_equal(none.x, x)
    np.testing.assert_array_equal(none.P, 0.5 * (P + np.swapaxes(P, 1, 2)))
    np.testing.assert_array_equal(nis0, 0.0)


# ---- consistency ------------------------------------------------------------------------------
def _simulate_cv(rng: np.random.Generator, n: int, scans: int, dim: int, q: float, dt: float,
                 vel_std: float) -> np.ndarray:
    F = transition("cv", [dt], dim)[0]
    Q = process_noise("cv", [dt], q, dim)[0]
    x = np.zeros((n, 2 * dim))
    x[:, dim:] = rng.normal(size=(n, dim)) * vel_std
    out = np.empty((scans, n, 2 * dim))
    for t in range(scans):
        out[t] = x
        x = x @ F.T + rng.multivariate_normal(np.zeros(2 * dim), Q, size=n)
    return out


def _nees_band(n: int, k: int) -> tuple[float, float]:
    lo, hi = chi2.ppf([0.025, 0.975], n * k) / n
    return float(lo), float(hi)


def test_kf_is_consistent_on_cv_truth() -> None:
    rng = np.random.default_rng(6)
    n, scans, dim, q, dt, sigma, vs = 500, 40, 2, 2.0, 1.0, 15.0, 30.0
    truth = _simulate_cv(rng, n, scans, dim, q, dt, vs)
    f = make_filter("cv", dim, q)
    R = sigma**2 * np.eye(dim)
    meas = PositionMeas(dim, R)
    z0 = truth[0, :, :dim] + rng.normal(size=(n, dim)) * sigma
    s = f.init(z0, np.broadcast_to(R, (n, dim, dim)), vs)  # matched initial condition
    means = []
    for t in range(1, scans):
        s = f.predict(s, dt)
        z = truth[t, :, :dim] + rng.normal(size=(n, dim)) * sigma
        s, _ = f.update(s, np.arange(n), z[:, None, :], *_ones(n), meas)
        means.append(nees(truth[t], *f.output(s)).mean())
    lo, hi = _nees_band(n, 2 * dim)
    assert lo < means[9] < hi and lo < means[-1] < hi, (lo, means[9], means[-1], hi)


def test_ukf_with_radar_is_consistent_on_cv_truth() -> None:
    rng = np.random.default_rng(7)
    n, scans, q, dt = 400, 25, 5.0, 2.0
    truth = _simulate_cv(rng, n, scans, 3, q, dt, 20.0)
    truth[:, :, :3] += [40e3, 60e3, 8e3]  # 73 km from the radar: 2 mrad is 146 m cross-range
    sd = np.array([20.0, 2e-3, 2e-3])
    meas = RAEMeas(np.zeros(3), np.diag(sd**2))
    f = make_filter("cv", 3, q, method="ukf")
    P0 = np.broadcast_to(np.diag([150.0**2] * 3), (n, 3, 3))
    s = f.init(truth[0, :, :3] + rng.normal(size=(n, 3)) * 150.0, P0, 20.0)
    for t in range(1, scans):
        s = f.predict(s, dt)
        z = rae(truth[t, :, :3]) + rng.normal(size=(n, 3)) * sd
        s, _ = f.update(s, np.arange(n), z[:, None, :], *_ones(n), meas)
    lo, hi = _nees_band(n, 6)
    assert lo < nees(truth[-1], *f.output(s)).mean() < hi


@pytest.mark.parametrize("method", ["ukf", "ekf"])
def test_ballistic_filter_tracks_a_reentry_and_learns_beta(method: str) -> None:
    # 100 bodies from 70-90 km at 1.5-2.5 km/s down to 30-60 km, β 3,000-20,000 kg/m²,
    # radar at the origin (10 m, 0.5 mrad), 20 s at 2 Hz.  The truth is noise-free while
    # the filter has q = 0.1 m²/s³, so its NEES may only be lower than chi-square(7).
    rng = np.random.default_rng(8)
    n = 100
    beta = rng.uniform(3000.0, 20000.0, n)
    truth = np.column_stack([rng.uniform(60e3, 90e3, n), rng.uniform(-20e3, 20e3, n),
                             rng.uniform(70e3, 90e3, n), rng.uniform(-2500, -1500, n),
                             rng.uniform(-300, 300, n), rng.uniform(-2000, -1200, n),
                             np.log(beta)])
    sd = np.array([10.0, 5e-4, 5e-4])
    meas = RAEMeas(np.zeros(3), np.diag(sd**2))
    f = make_filter("ballistic", 3, 0.1, method=method, beta_init=8000.0, log_beta_std=1.0)
    s = f.init(truth[:, :3] + rng.normal(size=(n, 3)) * 50.0,
               np.broadcast_to(2500.0 * np.eye(3), (n, 3, 3)), 100.0)
    s.x[:, 3:6] = truth[:, 3:6] + rng.normal(size=(n, 3)) * 100.0  # e.g. from a 2-point start
    fine = BallisticParams(max_step=0.05)
    for _ in range(40):
        truth = ballistic_propagate(truth, 0.5, fine)
        s = f.predict(s, 0.5)
        z = rae(truth[:, :3]) + rng.normal(size=(n, 3)) * sd
        s, _ = f.update(s, np.arange(n), z[:, None, :], *_ones(n), meas)
    assert truth[:, 2].min() > 25e3 and truth[:, 2].max() < 65e3
    assert nees(truth, *f.output(s)).mean() < _nees_band(n, 7)[1]
    assert np.sqrt(np.mean((s.x[:, 6] - truth[:, 6]) ** 2)) < 0.6  # prior σ of ln β: 1.0
    assert np.sqrt(np.mean(np.sum((s.x[:, :3] - truth[:, :3]) ** 2, axis=1))) < 25.0


def test_empty_row_sets() -> None:
    for f in (make_filter("cv", 3, 1.0), make_filter("imm", 3, 1.0)):
        s = f.init(np.ones((4, 3)), np.broadcast_to(np.eye(3), (4, 3, 3)), 10.0)
        none = np.zeros(0, np.intp)
        z, S = f.predict_measurement(s, none, PositionMeas(3, np.eye(3)))
        assert z.shape == (0, 3) and S.shape == (0, 3, 3)
        s2, nis = f.update(s, none, np.zeros((0, 1, 3)), np.zeros((0, 1)), np.zeros(0),
                           PositionMeas(3, np.eye(3)))
        assert nis.shape == (0,)
        np.testing.assert_array_equal(f.output(s2)[0], f.output(s)[0])


# ---- positive-definiteness over many cycles -----------------------------------------------------
FILTER_CASES = [("cv", "kf", 2), ("ca", "kf", 3), ("ct", "ekf", 2), ("ct", "ukf", 3),
                ("imm", "auto", 2), ("imm", "auto", 3)]


@settings(max_examples=40, deadline=None)
@given(case=st.sampled_from(FILTER_CASES), seed=st.integers(0, 2**32 - 1),
       radar=st.booleans())
def test_covariances_stay_symmetric_positive_definite(case: tuple[str, str, int], seed: int,
                                                      radar: bool) -> None:
    motion, method, dim = case
    rng = np.random.default_rng(seed)
    n = 6
    f = make_filter(motion, dim, float(rng.uniform(0.01, 50.0)), method=method)
    s = f.init(rng.uniform(-1e4, 1e4, (n, dim)) + np.r_[np.zeros(dim - 1), 2e4],
               _spd(rng, n, dim, float(rng.uniform(1.0, 1e3))), rng.uniform(1.0, 300.0, n))
    for _ in range(30):
        s = f.predict(s, float(rng.uniform(0.05, 8.0)))
        rows = np.flatnonzero(rng.random(n) < 0.8)
        r, c = rows.size, int(rng.integers(1, 4))
        if radar and dim == 3:
            R = np.stack([np.diag([rng.uniform(1, 100) ** 2, *(rng.uniform(1e-4, 1e-2, 2) ** 2)])
                          for _ in range(r)])
            meas: PositionMeas | RAEMeas = RAEMeas(np.zeros((r, 3)), R)
        else:
            meas = PositionMeas(dim, _spd(rng, r, dim, float(rng.uniform(0.1, 100.0))))
        z_hat, S = f.predict_measurement(s, rows, meas)
        draws = rng.normal(size=(r, c, z_hat.shape[1]))
        noise = np.einsum("rij,rcj->rci", np.linalg.cholesky(S), draws)
        w = rng.dirichlet(np.ones(c + 1), size=r)
        s, nis = f.update(s, rows, z_hat[:, None, :] + noise, w[:, 1:], w[:, 0], meas)
        assert np.all(np.isfinite(nis)) and np.all(nis >= 0)
        mats = [s.P] + ([s.Ps] if isinstance(s, IMMState) else [])
        for M in mats:
            np.testing.assert_array_equal(M, np.swapaxes(M, -1, -2))
            assert np.all(np.linalg.eigvalsh(M) > 0)


# ---- construction -------------------------------------------------------------------------------
def test_registry_and_errors() -> None:
    assert set(FILTERS) == {"cv", "ca", "singer", "ct", "ballistic", "imm"}
    with pytest.raises(ValueError, match="valid names: cv, ca, singer, ct, ballistic, imm"):
        make_filter("ct2", 2, 1.0)
    with pytest.raises(ValueError, match="needs a linear motion model"):
        make_filter("ct", 2, 1.0, method="kf")
    with pytest.raises(ValueError, match="3-D only"):
        make_filter("ballistic", 2, 1.0)
    with pytest.raises(TypeError, match="unknown keywords"):
        make_filter("cv", 2, 1.0, q_omgea=1.0)
    assert make_filter("ct", 3, 1.0).k == 7 and make_filter("ct", 2, 1.0).k == 5
    assert make_filter("ballistic", 3, 1.0).k == 7
    assert make_filter("imm", 2, 1.0).k == 5  # cv + ct: [x, y, vx, vy, ω]


def test_init_take_concat() -> None:
    f = make_filter("singer", 2, 1.0, acc_std=3.0)
    pos = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    s = f.init(pos, np.broadcast_to(4.0 * np.eye(2), (3, 2, 2)), np.array([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(s.x[:, :2], pos)
    np.testing.assert_array_equal(np.diagonal(s.P, 0, 1, 2)[1], [4, 4, 400, 400, 9, 9])
    both = f.concat(f.take(s, [2]), f.take(s, np.array([True, True, False])))
    np.testing.assert_array_equal(both.x, s.x[[2, 0, 1]])
    empty = f.init(np.zeros((0, 2)), np.zeros((0, 2, 2)), 1.0)
    assert f.predict(empty, 1.0).x.shape == (0, 6)
