"""Closest approach, Pk models and kill draws against independent oracles: dense sampling
of the interpolants (the propagator's own Hermite formula), the constant-velocity
closed form, a bounded scalar minimiser, Monte Carlo dispersion and binomial counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.optimize import minimize_scalar

from tate.flight.integrator import hermite
from tate.weapons.intercept import (
    closest_approach,
    closest_approach_hermite,
    draw_kill,
    pk_blast_frag,
    pk_gun_burst,
    pk_gun_round,
    pk_hit_to_kill,
)

F64 = NDArray[np.float64]
K = 300


def _states(seed: int) -> list[F64]:
    rng = np.random.default_rng(seed)
    scale = (100.0, 300.0, 50.0, 100.0, 300.0, 50.0, 100.0, 300.0)
    return [rng.normal(size=(3, K)) * s for s in scale]


def test_constant_acceleration_against_dense_sampling_and_a_minimiser() -> None:
    p0, v0, a0, q0, w0, b0, _, _ = _states(1)
    dt = 0.7
    t_ca, miss = closest_approach(p0, v0, a0, q0, w0, b0, dt)

    def dist(t: F64 | float, j: int) -> F64:
        d = (q0[:, j:j + 1] - p0[:, j:j + 1]) + (w0 - v0)[:, j:j + 1] * t \
            + 0.5 * (b0 - a0)[:, j:j + 1] * np.square(t)
        return np.sqrt((d * d).sum(axis=0))

    s = np.linspace(0.0, dt, 4001)
    for j in range(K):
        dense = dist(s, j)
        i = int(dense.argmin())
        lo, hi = s[max(i - 1, 0)], s[min(i + 1, s.size - 1)]
        ref = minimize_scalar(lambda t, j=j: float(dist(t, j)[0]), bounds=(lo, hi),
                              method="bounded", options={"xatol": 1e-12})
        best = min(float(ref.fun), float(dense[i]))
        assert miss[j] <= best + 1e-9
        assert miss[j] >= best - 1e-6
        assert 0.0 <= t_ca[j] <= dt
        assert float(dist(t_ca[j], j)[0]) == pytest.approx(miss[j], abs=1e-9)


def test_hermite_against_dense_sampling_of_the_propagator_interpolant() -> None:
    p0, v0, p1, v1, q0, w0, q1, w1 = _states(2)
    dt = 0.5
    t_ca, miss = closest_approach_hermite(p0, v0, p1, v1, q0, w0, q1, w1, dt)
    best = np.full(K, np.inf)
    for s in np.linspace(0.0, 1.0, 20001):
        sk = np.full(K, s)
        a, _ = hermite(p0, v0, p1, v1, dt, sk)
        b, _ = hermite(q0, w0, q1, w1, dt, sk)
        best = np.minimum(best, np.sqrt(((b - a) ** 2).sum(axis=0)))
    # the sampled minimum can only be above the true one, by at most the grid's error
    assert np.all(miss <= best + 1e-9)
    assert np.all(best - miss < 1e-3)
    a, _ = hermite(p0, v0, p1, v1, dt, t_ca / dt)
    b, _ = hermite(q0, w0, q1, w1, dt, t_ca / dt)
    np.testing.assert_allclose(np.sqrt(((b - a) ** 2).sum(axis=0)), miss, atol=1e-8)


def test_constant_velocity_closed_form() -> None:
    p0, v0, _, q0, w0, _, _, _ = _states(3)
    z = np.zeros_like(p0)
    for dt in (0.05, 0.3, 2.0):
        t_ca, miss = closest_approach(p0, v0, z, q0, w0, z, dt)
        d, u = q0 - p0, w0 - v0
        t_ref = np.clip(-(d * u).sum(0) / (u * u).sum(0), 0.0, dt)
        m_ref = np.sqrt(((d + u * t_ref) ** 2).sum(0))
        np.testing.assert_allclose(miss, m_ref, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(t_ca, t_ref, atol=1e-9 * dt)


def test_hermite_reproduces_constant_acceleration_motion() -> None:
    # cubic Hermite is exact for quadratic paths: both routines must agree
    p0, v0, a0, q0, w0, b0, _, _ = _states(4)
    dt = 0.2
    p1, v1 = p0 + v0 * dt + 0.5 * a0 * dt * dt, v0 + a0 * dt
    q1, w1 = q0 + w0 * dt + 0.5 * b0 * dt * dt, w0 + b0 * dt
    t1, m1 = closest_approach(p0, v0, a0, q0, w0, b0, dt)
    t2, m2 = closest_approach_hermite(p0, v0, p1, v1, q0, w0, q1, w1, dt)
    np.testing.assert_allclose(m1, m2, rtol=1e-9, atol=1e-9)
    unique = np.abs(m1 - m2) < 1e-9  # equal minima may sit at two times; compare the rest
    np.testing.assert_allclose(t1[unique], t2[unique], atol=1e-6)


def test_miss_is_not_quantised_by_the_step() -> None:
    # a straight pass with a 3.7 m miss at t = 1.234 s, assessed in whichever step holds it
    t_star, miss_true = 1.234, 3.7
    v = np.array([[-3000.0], [0.0], [0.0]])
    for dt in (0.05, 0.1, 0.2):
        k = int(t_star // dt)
        t0 = k * dt
        q0 = np.array([[3000.0 * (t_star - t0)], [miss_true], [0.0]])
        z = np.zeros((3, 1))
        t_ca, miss = closest_approach(z, z, z, q0, v, z, dt)
        assert miss[0] == pytest.approx(miss_true, abs=1e-9)
        assert t0 + t_ca[0] == pytest.approx(t_star, abs=1e-9)


def test_effectively_lower_degree_and_coincident_pairs() -> None:
    z = np.zeros((3, 2))
    p = np.array([[0.0, 5.0], [0.0, 0.0], [0.0, 0.0]])
    t_ca, miss = closest_approach(z, z, z, p, z, z, 1.0)  # no relative motion
    np.testing.assert_allclose(miss, [0.0, 5.0])
    assert np.all((t_ca >= 0) & (t_ca <= 1))


# --- Pk models -----------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 50.0), st.floats(0.0, 50.0), st.floats(0.05, 20.0), st.floats(0.0, 1.0))
def test_pk_models_are_monotone_and_bounded(m1: float, m2: float, radius: float,
                                            pk_max: float) -> None:
    lo, hi = min(m1, m2), max(m1, m2)
    for f in (pk_hit_to_kill, pk_blast_frag):
        a, b = float(f(lo, radius, pk_max)), float(f(hi, radius, pk_max))
        assert 0.0 <= b <= a <= pk_max * (1 + 1e-12)


def test_pk_limits_and_half_points() -> None:
    assert float(pk_hit_to_kill(0.0, 0.5, 0.9)) == pytest.approx(0.9, rel=1e-12)
    assert float(pk_hit_to_kill(0.5, 0.5, 0.9)) == pytest.approx(0.45, rel=1e-9)
    assert float(pk_hit_to_kill(1.0, 0.5, 0.9)) < 1e-12  # 5 edge widths out
    assert float(pk_blast_frag(0.0, 8.0, 0.8)) == pytest.approx(0.8)
    assert float(pk_blast_frag(8.0, 8.0, 0.8)) == pytest.approx(0.4)
    assert float(pk_blast_frag(80.0, 8.0, 0.8)) < 1e-25


def test_gun_round_against_monte_carlo_dispersion() -> None:
    rng = np.random.default_rng(7)
    n = 200_000
    for rng_m, disp, radius in ((1000.0, 1.5e-3, 1.0), (2000.0, 1.5e-3, 0.5)):
        sigma = disp * rng_m
        xy = rng.normal(0.0, sigma, size=(2, n))
        frac = float(np.mean(np.hypot(*xy) <= radius))
        p = float(pk_gun_round(rng_m, disp, radius))
        assert abs(frac - p) < 4.0 * np.sqrt(p * (1 - p) / n)
    # a burst of independent rounds
    p1 = float(pk_gun_round(1500.0, 1.5e-3, 0.6, 0.3))
    assert float(pk_gun_burst(1500.0, 50, 1.5e-3, 0.6, 0.3)) == pytest.approx(
        1 - (1 - p1) ** 50, rel=1e-12)


@pytest.mark.parametrize("pk", [0.05, 0.5, 0.93])
def test_kill_frequency_matches_pk(pk: float) -> None:
    n = 40_000
    kills = draw_kill(np.full(n, pk), np.random.default_rng(11))
    assert abs(kills.mean() - pk) < 4.0 * np.sqrt(pk * (1 - pk) / n)
    again = draw_kill(np.full(n, pk), np.random.default_rng(11))
    assert np.array_equal(kills, again)


def test_kill_draw_edges() -> None:
    rng = np.random.default_rng(0)
    assert not draw_kill(np.zeros(1000), rng).any()
    assert draw_kill(np.ones(1000), rng).all()
