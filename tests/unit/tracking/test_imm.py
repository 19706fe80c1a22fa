"""IMM against a single-track IMM-PDAF written out from the textbook equations, against
its own single-mode filter, and on a seeded Monte Carlo of a target that flies straight
and then turns at 5 deg/s."""

from __future__ import annotations

import numpy as np
import pytest

from tate.tracking.filters import GaussState, make_filter
from tate.tracking.imm import IMMFilter, IMMState
from tate.tracking.measurement import PositionMeas, RAEMeas
from tate.tracking.motion import process_noise, transition


def _spd(rng: np.random.Generator, n: int, k: int, scale: float = 1.0) -> np.ndarray:
    A = rng.normal(size=(n, k, k))
    return (A @ np.swapaxes(A, 1, 2) + k * np.eye(k)) * scale


def _gauss(nu: np.ndarray, S: np.ndarray) -> float:
    return float(np.exp(-0.5 * nu @ np.linalg.solve(S, nu)) / np.sqrt(np.linalg.det(2 * np.pi * S)))


def _textbook_imm_pdaf(xs: np.ndarray, Ps: np.ndarray, mu: np.ndarray, Fs: list[np.ndarray],
                       Qs: list[np.ndarray], Pi: np.ndarray, Z: np.ndarray, H: np.ndarray,
                       R: np.ndarray, b: float) -> tuple[np.ndarray, ...]:
    """One track, plain loops: IMM (Bar-Shalom, Li & Kirubarajan 2001, §11.6.6) with the
    IMM-PDAF update (Houles & Bar-Shalom, IEEE TAES 25(2), 1989): mode likelihood
    Λ_j ∝ b + Σ_k N(z_k; ẑ_j, S_j), b = λ(1 − P_D P_G)/P_D."""
    M = len(Fs)
    cbar = np.array([sum(Pi[i, j] * mu[i] for i in range(M)) for j in range(M)])
    x_pred, P_pred = [], []
    for j in range(M):
        w = [Pi[i, j] * mu[i] / cbar[j] for i in range(M)]
        x0 = sum(w[i] * xs[i] for i in range(M))
        P0 = sum(w[i] * (Ps[i] + np.outer(xs[i] - x0, xs[i] - x0)) for i in range(M))
        x_pred.append(Fs[j] @ x0)
        P_pred.append(Fs[j] @ P0 @ Fs[j].T + Qs[j])
    # association probabilities of the mixture (what a PDA tracker would hand over)
    N = np.array([[_gauss(z - H @ x_pred[j], H @ P_pred[j] @ H.T + R) for z in Z]
                  for j in range(M)])
    mix = cbar @ N
    beta = mix / (b + mix.sum())
    beta0 = b / (b + mix.sum())
    lam = b + N.sum(axis=1)
    mu_new = cbar * lam / (cbar * lam).sum()
    xs_new, Ps_new = [], []
    for j in range(M):
        S = H @ P_pred[j] @ H.T + R
        K = P_pred[j] @ H.T @ np.linalg.inv(S)
        bj = N[j] / lam[j]
        b0j = b / lam[j]
        nus = [z - H @ x_pred[j] for z in Z]
        nu = sum(bj[k] * nus[k] for k in range(len(Z)))
        spread = sum(bj[k] * np.outer(nus[k], nus[k]) for k in range(len(Z))) - np.outer(nu, nu)
        xs_new.append(x_pred[j] + K @ nu)
        Ps_new.append(b0j * P_pred[j] + (1 - b0j) * (P_pred[j] - K @ S @ K.T) + K @ spread @ K.T)
    return np.array(xs_new), np.array(Ps_new), mu_new, beta, beta0


def test_imm_pdaf_equals_the_textbook_cycle() -> None:
    rng = np.random.default_rng(1)
    n, c, dim, dt = 12, 3, 2, 1.5
    models = (("cv", 0.5), ("cv", 40.0), ("cv", 5.0))
    f = make_filter("imm", dim, 1.0, imm_models=models, imm_switch=(0.97, 0.9, 0.8))
    assert isinstance(f, IMMFilter)
    k, M = f.k, 3
    xs = rng.normal(size=(n, M, k)) * 30.0
    Ps = _spd(rng, n * M, k, 5.0).reshape(n, M, k, k)
    mu = rng.dirichlet(np.ones(M), size=n)
    x, P = np.zeros((n, k)), np.zeros((n, k, k))
    s = f.predict(IMMState(x, P, xs, Ps, mu), dt)
    Fs = [transition("cv", [dt], dim)[0]] * M
    Qs = [process_noise("cv", [dt], q, dim)[0] for _, q in models]
    p = np.array([0.97, 0.9, 0.8]) ** dt
    Pi = np.array([[p[i] if i == j else (1 - p[i]) / 2 for j in range(M)] for i in range(M)])
    np.testing.assert_allclose(f.switch_matrix(dt), Pi, rtol=1e-15)
    R = _spd(rng, n, dim, 10.0)
    H = np.eye(dim, k)
    Z = s.x[:, None, :dim] + rng.normal(size=(n, c, dim)) * 8.0
    refs = [_textbook_imm_pdaf(xs[i], Ps[i], mu[i], Fs, Qs, Pi, Z[i], H, R[i],
                               b=float(rng.uniform(1e-6, 1e-4))) for i in range(n)]
    beta = np.array([r[3] for r in refs])
    beta0 = np.array([r[4] for r in refs])
    s2, _ = f.update(s, np.arange(n), Z, beta, beta0, PositionMeas(dim, R))
    for i, (x_ref, P_ref, mu_ref, _, _) in enumerate(refs):
        np.testing.assert_allclose(s2.mu[i], mu_ref, rtol=1e-9)
        np.testing.assert_allclose(s2.xs[i], x_ref, rtol=1e-9, atol=1e-8)
        np.testing.assert_allclose(s2.Ps[i], P_ref, rtol=1e-9, atol=1e-8)
        x_bar = mu_ref @ x_ref
        P_bar = sum(mu_ref[j] * (P_ref[j] + np.outer(x_ref[j] - x_bar, x_ref[j] - x_bar))
                    for j in range(M))
        np.testing.assert_allclose(s2.x[i], x_bar, rtol=1e-9, atol=1e-8)
        np.testing.assert_allclose(s2.P[i], P_bar, rtol=1e-9, atol=1e-8)


@pytest.mark.parametrize(("motion", "dim", "radar"), [("cv", 2, False), ("ct", 3, True),
                                                       ("singer", 3, False)])
def test_single_mode_imm_equals_its_filter(motion: str, dim: int, radar: bool) -> None:
    rng = np.random.default_rng(2)
    n = 8
    single = make_filter(motion, dim, 2.0)
    imm = make_filter("imm", dim, 2.0, imm_models=((motion, 2.0),))
    pos = rng.uniform(5e3, 20e3, (n, dim))
    pc = _spd(rng, n, dim, 50.0)
    a, b = single.init(pos, pc, 80.0), imm.init(pos, pc, 80.0)
    if radar:
        meas: PositionMeas | RAEMeas = RAEMeas(np.zeros((n, 3)), np.broadcast_to(
            np.diag([10.0**2, 1e-3**2, 1e-3**2]), (n, 3, 3)))
    else:
        meas = PositionMeas(dim, _spd(rng, n, dim, 3.0))
    for _ in range(4):
        a, b = single.predict(a, 1.3), imm.predict(b, 1.3)
        za, Sa = single.predict_measurement(a, np.arange(n), meas)
        zb, Sb = imm.predict_measurement(b, np.arange(n), meas)
        np.testing.assert_allclose(zb, za, rtol=1e-11)
        np.testing.assert_allclose(Sb, Sa, rtol=1e-10, atol=1e-10 * np.abs(Sa).max())
        Z = za[:, None, :] + rng.normal(size=(n, 2, za.shape[1])) * np.sqrt(
            np.diagonal(Sa, 0, 1, 2))[:, None, :]
        w = rng.dirichlet(np.ones(3), size=n)
        a, nis_a = single.update(a, np.arange(n), Z, w[:, 1:], w[:, 0], meas)
        b, nis_b = imm.update(b, np.arange(n), Z, w[:, 1:], w[:, 0], meas)
        # equal to rounding: the IMM renormalises β by Λ = β0 + Σβ (1 up to an ulp)
        np.testing.assert_allclose(nis_b, nis_a, rtol=1e-10)
        for got, want in zip(imm.output(b), single.output(a), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10 * np.abs(want).max())
        np.testing.assert_array_equal(b.mu, 1.0)


def test_pinned_and_held_components() -> None:
    # CV in a CV + CT IMM: its prediction equals the plain CV filter on (pos, vel) and pins
    # ω to 0 with a tiny variance; CV in a CV + ballistic IMM carries ln β unchanged.
    rng = np.random.default_rng(3)
    imm = make_filter("imm", 3, 1.0, imm_models=(("cv", 1.0), ("ct", 1.0)))
    cv = make_filter("cv", 3, 1.0)
    assert isinstance(imm, IMMFilter)
    x = rng.normal(size=(5, 7)) * 100.0
    P = _spd(rng, 5, 7, 10.0)
    xp, Pp = imm.modes[0].predict_xp(x, P, 2.0)
    ref = cv.predict(GaussState(x[:, :6], P[:, :6, :6]), 2.0)
    np.testing.assert_allclose(xp[:, :6], ref.x, rtol=1e-13)
    np.testing.assert_allclose(Pp[:, :6, :6], ref.P, rtol=1e-13)
    np.testing.assert_array_equal(xp[:, 6], 0.0)
    np.testing.assert_array_equal(Pp[:, 6, :6], 0.0)
    np.testing.assert_allclose(Pp[:, 6, 6], 1e-10)
    bal = make_filter("imm", 3, 1.0, imm_models=(("cv", 1.0), ("ballistic", 1.0)))
    assert isinstance(bal, IMMFilter)
    x[:, 2] = np.abs(x[:, 2]) + 30e3
    x[:, 6] = np.log(5000.0)
    xp, Pp = bal.modes[0].predict_xp(x, P, 2.0)
    np.testing.assert_array_equal(xp[:, 6], x[:, 6])
    np.testing.assert_allclose(Pp[:, 6, 6], P[:, 6, 6], rtol=1e-14)


def _turning_truth(rng: np.random.Generator, n: int, straight: int, turn: int, speed: float,
                   rate: float) -> np.ndarray:
    """Positions (scans, n, 2) at 1 s: straight for ``straight`` scans, then a turn."""
    heading = rng.uniform(0.0, 2 * np.pi, n)
    vel = speed * np.column_stack([np.cos(heading), np.sin(heading)])
    pos = np.zeros((n, 2))
    out = np.empty((straight + turn, n, 2))
    rot = np.array([[np.cos(rate), -np.sin(rate)], [np.sin(rate), np.cos(rate)]])
    for t in range(straight + turn):
        out[t] = pos
        if t < straight:
            pos = pos + vel
        else:  # exact arc over 1 s
            pos = pos + vel @ np.array([[np.sin(rate), 1 - np.cos(rate)],
                                        [np.cos(rate) - 1, np.sin(rate)]]) / rate
            vel = vel @ rot.T
    return out


def test_imm_detects_a_turn_and_beats_cv() -> None:
    # 200 seeded runs, 250 m/s, 1 s scans, σ = 20 m: 30 scans straight, then 5 deg/s.
    rng = np.random.default_rng(4)
    n, straight, turn, sigma, q = 200, 30, 30, 20.0, 1.0
    truth = _turning_truth(rng, n, straight, turn, 250.0, np.deg2rad(5.0))
    Z = truth + rng.normal(size=truth.shape) * sigma
    meas = PositionMeas(2, sigma**2 * np.eye(2))
    imm = make_filter("imm", 2, q)  # cv (q), ct, cv (100 q)
    filters = [imm, make_filter("cv", 2, q), make_filter("cv", 2, 100.0 * q)]
    R0 = np.broadcast_to(meas.R, (n, 2, 2))
    states = [f.init(Z[0], R0, 300.0) for f in filters]
    mu: list[np.ndarray] = []
    err: list[list[np.ndarray]] = [[], [], []]
    ones, zeros = np.ones((n, 1)), np.zeros(n)
    for t in range(1, straight + turn):
        for i, f in enumerate(filters):
            states[i], _ = f.update(f.predict(states[i], 1.0), np.arange(n), Z[t][:, None],
                                    ones, zeros, meas)
            err[i].append(np.sum((f.output(states[i])[0][:, :2] - truth[t]) ** 2, axis=1))
        mu.append(states[0].mu)
    mu_arr = np.array(mu)  # (scans − 1, n, 3); row t − 1 is scan t
    before = mu_arr[10:straight - 1].mean(axis=(0, 1))
    assert before[0] > 0.6 and before[0] > 2 * before[1:].max(), before
    # the turn starts after scan `straight` − 1; within 10 scans the CT mode passes 0.8
    # (seed 4: mean 0.88 after 8 scans; 98.5 % of the runs pass 0.8 within 10)
    ct_after = mu_arr[straight - 1:straight + 9, :, 1]
    assert ct_after.mean(axis=1).max() > 0.8
    assert np.mean(ct_after.max(axis=0) > 0.8) > 0.9

    def rmse(i: int, part: slice) -> float:
        return float(np.sqrt(np.mean(err[i][part])))

    turning, flat = slice(straight - 1, None), slice(5, straight - 1)
    # seed 4, RMSE [m] in the turn / straight: IMM 22.4 / 16.3, CV (q) 302 / 14.3,
    # CV (100 q) 32.3 / 20.7.  Required: IMM under a quarter of CV (q) in the turn, and
    # better than CV (100 q) in both phases by 15 % and 10 %.
    assert rmse(0, turning) < 0.25 * rmse(1, turning)
    assert rmse(0, turning) < 0.85 * rmse(2, turning)
    assert rmse(0, flat) < 0.9 * rmse(2, flat)
