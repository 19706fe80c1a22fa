"""JPDA marginals against brute-force enumeration of every feasible joint event
(computed here in linear space, hypothesis by hypothesis), the closed-form PDAF
weights for one track, exactness of belief propagation on cycle-free clusters, and
the PDA update against a moment-matched mixture of per-hypothesis Kalman updates."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.tracking import jpda
from tate.tracking.jpda import (
    jpda_marginals,
    jpda_update,
    pad_candidates,
    pair_log_likelihood,
)
from tate.tracking.kalman import kf_update

Arr = np.ndarray


def _brute_force(track: Arr, meas: Arr, g: Arr, n: int, pd: Arr, pg: Arr, lam: float
                 ) -> tuple[Arr, Arr, int]:
    """Marginals by listing every joint event: each track takes one of its gated
    measurements or none, no measurement twice; weight ∏ pd g/λ · ∏ (1 − pd pg)."""
    options = [[None, *np.flatnonzero(track == i).tolist()] for i in range(n)]
    beta, beta0, total, count = np.zeros(track.size), np.zeros(n), 0.0, 0
    for choice in itertools.product(*options):
        used = [meas[k] for k in choice if k is not None]
        if len(used) != len(set(used)):
            continue
        w = math.prod(1.0 - pd[i] * pg[i] if k is None else pd[i] * g[k] / lam
                      for i, k in enumerate(choice))
        total += w
        count += 1
        for i, k in enumerate(choice):
            if k is None:
                beta0[i] += w
            else:
                beta[k] += w
    return beta / total, beta0 / total, count


def _random_problem(rng: np.random.Generator, n: int, p: int, density: float
                    ) -> tuple[Arr, Arr, Arr]:
    ti, mj = np.nonzero(rng.random((n, p)) < density)
    return ti, mj, rng.uniform(-6.0, 1.0, ti.size)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(0, 5),
       st.floats(0.2, 1.0), st.booleans())
def test_exact_equals_brute_force(seed: int, n: int, p: int, density: float,
                                  per_track: bool) -> None:
    rng = np.random.default_rng(seed)
    ti, mj, log_g = _random_problem(rng, n, p, density)
    pd = rng.uniform(0.3, 1.0, n) if per_track else np.full(n, 0.9)
    pg = np.full(n, rng.uniform(0.8, 1.0))
    lam = 10.0 ** rng.uniform(-3, 0)
    want_b, want_b0, _ = _brute_force(ti, mj, np.exp(log_g), n, pd, pg, lam)
    got = jpda_marginals(ti, mj, log_g, n, p, pd if per_track else 0.9, pg[0], lam)
    np.testing.assert_allclose(got.beta, want_b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.beta0, want_b0, rtol=0, atol=1e-12)
    assert got.exact.all()


def test_certain_detection_exact() -> None:
    # pd = pg = 1: a miss has zero weight, so events assigning every track win outright
    ti, mj = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 2, 2])
    log_g = np.log([0.3, 0.2, 0.5, 0.1, 0.4])
    want_b, want_b0, _ = _brute_force(ti, mj, np.exp(log_g), 3, np.ones(3), np.ones(3), 0.1)
    got = jpda_marginals(ti, mj, log_g, 3, 3, 1.0, 1.0, 0.1)
    np.testing.assert_allclose(got.beta, want_b, atol=1e-12)
    np.testing.assert_allclose(got.beta0, want_b0, atol=1e-12)


@pytest.mark.parametrize(("pd", "pg", "lam"), [(0.9, 0.99, 1e-3), (0.5, 1.0, 0.2),
                                              (1.0, 0.95, 1e-6)])
def test_single_track_pdaf_closed_form(pd: float, pg: float, lam: float) -> None:
    # Bar-Shalom, Daum & Huang 2009: β_i = e_i/(b + Σe), β0 = b/(b + Σe),
    # b = λ (1 − pd pg)/pd, e_i = g_i
    rng = np.random.default_rng(7)
    d2 = rng.uniform(0, 9, 5)
    logdet = np.log(4.0)
    g = np.exp(-0.5 * d2) / (2 * np.pi * np.sqrt(4.0))
    b = lam * (1 - pd * pg) / pd
    got = jpda_marginals(np.zeros(5), np.arange(5), pair_log_likelihood(d2, logdet, 2),
                         1, 5, pd, pg, lam)
    np.testing.assert_allclose(got.beta, g / (b + g.sum()), rtol=1e-12)
    np.testing.assert_allclose(got.beta0, [b / (b + g.sum())], rtol=1e-12)


def test_pair_log_likelihood_is_gaussian_log_density() -> None:
    from scipy.stats import multivariate_normal
    rng = np.random.default_rng(1)
    A = rng.normal(size=(3, 3))
    S = A @ A.T + np.eye(3)
    nu = rng.normal(size=3)
    d2 = nu @ np.linalg.solve(S, nu)
    got = pair_log_likelihood(d2, np.linalg.slogdet(S)[1], 3)
    assert got == pytest.approx(multivariate_normal(np.zeros(3), S).logpdf(nu), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0, 20000]))
def test_marginals_are_distributions(seed: int, max_exact: int) -> None:
    # 25 tracks and 30 measurements on a line: clusters of every size, exact or BP
    rng = np.random.default_rng(seed)
    x_t, x_m = rng.uniform(0, 60, 25), rng.uniform(0, 60, 30)
    d2 = (x_m[None, :] - x_t[:, None]) ** 2
    ti, mj = np.nonzero(d2 < 9.0)
    m = jpda_marginals(ti, mj, -0.5 * d2[ti, mj], 25, 30, rng.uniform(0.5, 1.0, 25), 0.99,
                       10.0 ** rng.uniform(-3, 0), max_exact_hypotheses=max_exact)
    assert np.all((m.beta >= 0) & (m.beta <= 1)) and np.all((m.beta0 >= 0) & (m.beta0 <= 1))
    np.testing.assert_allclose(m.beta0 + np.bincount(ti, m.beta, minlength=25), 1.0,
                               atol=1e-12)
    per_meas = np.bincount(mj, m.beta, minlength=30)
    assert np.all(per_meas <= 1.0 + (1e-12 if max_exact else 1e-8))


def test_bp_is_exact_on_cycle_free_clusters() -> None:
    # a chain t0-m0-t1-m1-t2-m2-t3 plus private measurements is a tree: BP is exact
    ti = np.array([0, 0, 1, 1, 2, 2, 3, 3, 1])
    mj = np.array([0, 4, 0, 1, 1, 2, 2, 5, 6])
    rng = np.random.default_rng(3)
    log_g = rng.uniform(-3, 1, ti.size)
    pd = rng.uniform(0.5, 0.95, 4)
    want_b, want_b0, _ = _brute_force(ti, mj, np.exp(log_g), 4, pd, np.ones(4), 0.05)
    got = jpda_marginals(ti, mj, log_g, 4, 7, pd, 1.0, 0.05, max_exact_hypotheses=0)
    assert not got.exact.any()
    np.testing.assert_allclose(got.beta, want_b, atol=1e-10)
    np.testing.assert_allclose(got.beta0, want_b0, atol=1e-10)


def _dense_scene(seed: int, n: int, p: int) -> tuple[Arr, Arr, Arr]:
    """n tracks and p measurements in a 6 m × 6 m box, unit innovation covariance,
    every pair gated: a fully connected cluster with many cycles."""
    rng = np.random.default_rng(seed)
    zp, z = rng.uniform(0, 6, (n, 2)), rng.uniform(0, 6, (p, 2))
    d2 = ((z[None] - zp[:, None]) ** 2).sum(-1)
    ti, mj = np.nonzero(np.ones((n, p), dtype=bool))
    return ti, mj, pair_log_likelihood(d2[ti, mj], 0.0, 2)


def _sum_product(ti: Arr, mj: Arr, psi: Arr, n: int, p: int, sweeps: int = 300
                 ) -> tuple[Arr, Arr]:
    """Textbook sum-product on the factor graph of Williams & Lau (2014): a variable
    a_i (measurement of track i, or none) and b_j (track of measurement j, or none)
    per node, a factor [a_i = j] == [b_j = i] per gated pair, unary weights ψ on a_i;
    full message vectors, flooding schedule.  Returns the beliefs of the a_i."""
    E = ti.size
    dom_a = [np.r_[-1, mj[ti == i]] for i in range(n)]
    dom_b = [np.r_[-1, ti[mj == j]] for j in range(p)]
    phi = [np.r_[1.0, psi[ti == i]] for i in range(n)]
    to_a = [np.ones(dom_a[ti[e]].size) for e in range(E)]
    to_b = [np.ones(dom_b[mj[e]].size) for e in range(E)]
    for _ in range(sweeps):
        new_a, new_b = [], []
        for e in range(E):
            i, j = ti[e], mj[e]
            from_a = phi[i] * math.prod(to_a[f] for f in range(E) if f != e and ti[f] == i)
            from_b = math.prod((to_b[f] for f in range(E) if f != e and mj[f] == j),
                               start=np.ones(dom_b[j].size))
            a_is_j, b_is_i = dom_a[i] == j, dom_b[j] == i
            out_b = np.where(b_is_i, from_a[a_is_j].sum(), from_a[~a_is_j].sum())
            out_a = np.where(a_is_j, from_b[b_is_i].sum(), from_b[~b_is_i].sum())
            new_b.append(out_b / out_b.sum())
            new_a.append(out_a / out_a.sum())
        to_a, to_b = new_a, new_b
    beta, beta0 = np.zeros(E), np.zeros(n)
    for i in range(n):
        bel = phi[i] * math.prod(to_a[f] for f in range(E) if ti[f] == i)
        bel /= bel.sum()
        beta0[i], beta[ti == i] = bel[0], bel[1:]
    return beta, beta0


def test_bp_equals_textbook_sum_product_on_loopy_cluster() -> None:
    # 3 tracks × 4 measurements, many cycles: the scalar messages must reach the same
    # fixed point as full sum-product on the association factor graph
    ti, mj, _ = _random_problem(np.random.default_rng(8), 3, 4, 0.8)
    log_g = np.random.default_rng(9).uniform(-4, 0, ti.size)
    pd = np.array([0.9, 0.7, 0.95])
    psi = pd[ti] * np.exp(log_g) / (0.01 * (1 - pd[ti] * 0.99))
    want_b, want_b0 = _sum_product(ti, mj, psi, 3, 4)
    got = jpda_marginals(ti, mj, log_g, 3, 4, pd, 0.99, 0.01, max_exact_hypotheses=0)
    np.testing.assert_allclose(got.beta, want_b, atol=1e-9)
    np.testing.assert_allclose(got.beta0, want_b0, atol=1e-9)


def _alone(ti: Arr, mj: Arr, log_g: Arr, n: int, p: int, lam: float) -> Arr:
    """Marginals of each track as if it were alone (per-track PDAF), as a baseline."""
    out = [jpda_marginals(np.zeros(np.sum(ti == i)), mj[ti == i], log_g[ti == i], 1, p,
                          0.9, 0.99, lam) for i in range(n)]
    beta = np.empty(ti.size)
    for i, m in enumerate(out):
        beta[ti == i] = m.beta
    return np.r_[beta, [m.beta0[0] for m in out]]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_bp_close_to_exact_on_medium_dense_cluster(seed: int) -> None:
    # 6 tracks × 8 measurements, all pairs gated: 93,289 joint events, so BP by
    # default.  Measured on seeds 0-3: max |error| 0.010-0.065, mean |error|
    # 0.002-0.009; treating each track alone (PDAF) errs by 0.036-0.072 on average.
    ti, mj, log_g = _dense_scene(seed, 6, 8)
    args = (ti, mj, log_g, 6, 8, 0.9, 0.99, 0.05)
    exact = jpda_marginals(*args, max_exact_hypotheses=100_000)
    bp = jpda_marginals(*args)
    assert exact.exact.all() and not bp.exact.any()
    err = np.abs(np.r_[bp.beta - exact.beta, bp.beta0 - exact.beta0])
    base = np.abs(_alone(ti, mj, log_g, 6, 8, 0.05) - np.r_[exact.beta, exact.beta0])
    assert err.max() < 0.1 and err.mean() < 0.015
    assert err.mean() < 0.3 * base.mean()


def test_forced_bp_on_small_clusters_agrees_with_exact() -> None:
    # 3 tracks × 3 measurements, all gated, seeds 0-5: measured max |error| per scene
    # 5e-5, 3e-4, 5e-4, 1.4e-2, 6.9e-2, 3.3e-3 (the large ones are near-ties)
    errs = []
    for seed in range(6):
        ti, mj, log_g = _dense_scene(seed, 3, 3)
        pd = np.array([0.9, 0.8, 0.95])
        want_b, want_b0, _ = _brute_force(ti, mj, np.exp(log_g), 3, pd, np.full(3, 0.99),
                                          0.05)
        bp = jpda_marginals(ti, mj, log_g, 3, 3, pd, 0.99, 0.05, max_exact_hypotheses=0)
        assert not bp.exact.any()
        errs.append(np.abs(np.r_[bp.beta - want_b, bp.beta0 - want_b0]).max())
    assert np.median(errs) < 5e-3 and max(errs) < 0.1


def test_exact_limit_counts_joint_events() -> None:
    # one cluster: 4 tracks, 5 measurements, gates missing only on the diagonal
    ti, mj = np.nonzero(~np.eye(4, 5, dtype=bool))
    log_g = np.random.default_rng(11).uniform(-3, 1, ti.size)
    _, _, count = _brute_force(ti, mj, np.exp(log_g), 4, np.full(4, 0.9), np.ones(4), 0.1)
    args = (ti, mj, log_g, 4, 5, 0.9, 1.0, 0.1)
    assert jpda_marginals(*args, max_exact_hypotheses=count).exact.all()
    assert not jpda_marginals(*args, max_exact_hypotheses=count - 1).exact.all()


def test_mixed_scene_exact_and_bp_clusters_in_one_call() -> None:
    # block A: 5-track chain (exact, 5 slots); block B: 4 × 5 all gated, 501 events,
    # whose lower bound (360) lets it start but which outgrows the limit of 400 while
    # block A is still growing; plus one singleton track
    rng = np.random.default_rng(12)
    ta, ma = np.array([0, 0, 1, 1, 2, 2, 3, 3, 4]), np.array([0, 1, 1, 2, 2, 3, 3, 4, 4])
    tb, mb = np.nonzero(np.ones((4, 5), dtype=bool))
    ti = np.r_[ta, tb + 5, 9]
    mj = np.r_[ma, mb + 5, 10]
    log_g = rng.uniform(-3, 1, ti.size)
    pd = rng.uniform(0.6, 0.95, 10)
    got = jpda_marginals(ti, mj, log_g, 10, 11, pd, 0.99, 0.1, max_exact_hypotheses=400)
    np.testing.assert_array_equal(got.exact, [True] * 5 + [False] * 4 + [True])
    a = slice(0, ta.size)
    want_b, want_b0, _ = _brute_force(ta, ma, np.exp(log_g[a]), 5, pd[:5], np.full(5, 0.99),
                                      0.1)
    np.testing.assert_allclose(got.beta[a], want_b, atol=1e-12)
    np.testing.assert_allclose(got.beta0[:5], want_b0, atol=1e-12)
    b = slice(ta.size, ta.size + tb.size)
    alone = jpda_marginals(tb, mb, log_g[b], 4, 5, pd[5:9], 0.99, 0.1,
                           max_exact_hypotheses=0)
    np.testing.assert_allclose(got.beta[b], alone.beta, atol=1e-12)
    np.testing.assert_allclose(got.beta0[5:9], alone.beta0, atol=1e-12)
    psi = pd[9] * np.exp(log_g[-1]) / (0.1 * (1 - pd[9] * 0.99))
    assert got.beta[-1] == pytest.approx(psi / (1 + psi), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_hypothesis_count_bounds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ti, mj, log_g = _random_problem(rng, 4, 5, 0.6)
    _, _, count = _brute_force(ti, mj, np.exp(log_g), 4, np.full(4, 0.9), np.ones(4), 1.0)
    # the bounds hold for any set of tracks, connected or not: take all four as one
    lo, hi = jpda._log_count_bounds(np.bincount(ti, minlength=4), np.zeros(4, np.intp),
                                    np.zeros(1, np.intp))
    assert lo[0] <= math.log(count) + 1e-12 and math.log(count) <= hi[0] + 1e-12


def test_well_separated_scene_uses_closed_form_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_: object, **__: object) -> None:
        raise AssertionError("a multi-track path was taken")

    for name in ("_clusters", "_enumerate", "_loopy_bp"):
        monkeypatch.setattr(jpda, name, forbidden)
    n = 100
    ti = np.arange(n)
    mj = np.random.default_rng(2).permutation(n + 20)[:n]  # 20 measurements ungated
    log_g = pair_log_likelihood(np.full(n, 1.0), np.log(4.0), 2)
    m = jpda_marginals(ti, mj, log_g, n + 5, n + 20, 0.9, 0.99, 1e-9)
    assert m.exact.all()
    assert np.all(m.beta > 1 - 1e-6)
    np.testing.assert_array_equal(m.beta0[n:], 1.0)  # the five tracks with no gate hits


def test_empty_and_invalid_inputs() -> None:
    e = np.empty(0)
    m = jpda_marginals(e, e, e, 3, 2, 0.9, 1.0, 1e-3)
    assert m.beta.size == 0 and np.all(m.beta0 == 1.0) and m.exact.all()
    with pytest.raises(ValueError, match="pd"):
        jpda_marginals(e, e, e, 2, 0, [0.9, 1.2], 1.0, 1e-3)
    with pytest.raises(ValueError, match="clutter"):
        jpda_marginals(e, e, e, 2, 0, 0.9, 1.0, 0.0)


def test_pad_candidates_matches_loop() -> None:
    rng = np.random.default_rng(4)
    ti, mj, _ = _random_problem(rng, 6, 7, 0.4)
    beta = rng.random(ti.size)
    z = rng.normal(size=(7, 3))
    rows = np.array([4, 0, 5, 2])
    Z, B = pad_candidates(rows, ti, mj, beta, z)
    c = max(int(np.sum(ti == r)) for r in rows)
    assert Z.shape == (4, c, 3) and B.shape == (4, c)
    for i, r in enumerate(rows):
        k = np.flatnonzero(ti == r)
        np.testing.assert_array_equal(Z[i, : k.size], z[mj[k]])
        np.testing.assert_array_equal(B[i, : k.size], beta[k])
        assert np.all(B[i, k.size:] == 0) and np.all(Z[i, k.size:] == 0)


def test_pda_update_is_moment_matched_mixture_of_kalman_updates() -> None:
    rng = np.random.default_rng(9)
    r, k, dim, c = 5, 4, 2, 3
    x = rng.normal(size=(r, k))
    A = rng.normal(size=(r, k, k))
    P = A @ np.swapaxes(A, 1, 2) + np.eye(k)
    H = np.hstack([np.eye(dim), np.zeros((dim, k - dim))])
    R = 0.5 * np.eye(dim)
    Z = rng.normal(size=(r, c, dim))
    w = rng.random((r, c + 1))
    w /= w.sum(1, keepdims=True)
    beta0, B = w[:, 0], w[:, 1:]
    x_new, P_new = jpda_update(x, P, Z, B, beta0, H, R)
    # oracle: the mixture {β0: prior, β_j: Kalman update with z_j}, matched in moments
    comps = [(beta0, x, P)] + [(B[:, j], *kf_update(x, P, Z[:, j], H, R)[:2])
                               for j in range(c)]
    mean = sum(b[:, None] * xm for b, xm, _ in comps)
    cov = sum(b[:, None, None] * (Pm + np.einsum("ri,rj->rij", xm - mean, xm - mean))
              for b, xm, Pm in comps)
    np.testing.assert_allclose(x_new, mean, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(P_new, cov, rtol=1e-10, atol=1e-12)
