"""Threat evaluation: kinds of synthetic tracks, ballistic impact against the closed-form
parabola, threatened asset on simple geometry, priority ordering, impact covariance.

Oracles: the level-ground range and flight time of a drag-free projectile,
R = v₀² sin 2θ / g and T = 2 v₀ sin θ / g; hand geometry; the analytic Jacobian of the
flat-Earth impact point; Monte Carlo with tolerances from the sampling error.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.c2.threat import (
    BALLISTIC,
    CRUISE,
    DRONE,
    G0,
    GLIDER,
    KIND_NAMES,
    UNKNOWN,
    DefendedAssets,
    assess_threats,
    ballistic_impact,
    classify_kinds,
    closest_approach,
    specific_lift,
)


def state(alt: float, speed: float, gamma_deg: float, heading_deg: float = 90.0,
          east: float = 0.0, north: float = 0.0) -> tuple[list[float], list[float]]:
    """Position and velocity of a track at altitude, speed, flight-path angle, heading
    (clockwise from north)."""
    g, h = np.radians(gamma_deg), np.radians(heading_deg)
    v = [speed * np.cos(g) * np.sin(h), speed * np.cos(g) * np.cos(h), speed * np.sin(g)]
    return [east, north, alt], v


KIND_CASES = [
    ("MRBM re-entry, steep", state(30e3, 2500.0, -40.0), BALLISTIC),
    ("exo-atmospheric, climbing", state(150e3, 3000.0, 15.0), BALLISTIC),
    ("HGV gliding at 40 km", state(40e3, 2500.0, -2.0), GLIDER),
    ("HGV at 60 km, Mach 6", state(60e3, 1900.0, 5.0), GLIDER),
    ("subsonic sea skimmer", state(10.0, 280.0, 0.0), CRUISE),
    ("supersonic sea skimmer", state(15.0, 900.0, 0.0), CRUISE),
    ("one-way attack drone", state(500.0, 50.0, 0.0), DRONE),
    ("light aircraft speed band", state(5e3, 150.0, 0.0), UNKNOWN),
    ("slow and very high", state(90e3, 200.0, 0.0), UNKNOWN),
    ("hypersonic but low and level", state(5e3, 2000.0, 0.0), UNKNOWN),
]


@pytest.mark.parametrize("name, track, kind", KIND_CASES, ids=[c[0] for c in KIND_CASES])
def test_synthetic_tracks_classified(name: str, track: tuple[list[float], list[float]],
                                     kind: int) -> None:
    pos, vel = track
    got = classify_kinds([pos], [vel])
    assert KIND_NAMES[got[0]] == KIND_NAMES[kind]


def test_classification_is_row_wise() -> None:
    pos = np.array([c[1][0] for c in KIND_CASES])
    vel = np.array([c[1][1] for c in KIND_CASES])
    np.testing.assert_array_equal(classify_kinds(pos, vel), [c[2] for c in KIND_CASES])


def test_lift_separates_a_diving_glider_from_a_ballistic_reentry() -> None:
    pos, vel = state(30e3, 2000.0, -25.0)
    v = np.array(vel)
    vhat = v / np.linalg.norm(v)
    normal = np.cross(np.cross(vhat, [0.0, 0.0, 1.0]), vhat)   # in the vertical plane
    normal /= np.linalg.norm(normal)
    drag = -30.0 * vhat
    gravity = np.array([0.0, 0.0, -G0])
    unlifted = gravity + drag
    lifted = gravity + drag + 8.0 * normal                       # 0.8 g of lift
    assert specific_lift([v], [unlifted])[0] == pytest.approx(0.0, abs=1e-9)
    assert specific_lift([v], [lifted])[0] == pytest.approx(8.0, rel=1e-12)
    assert classify_kinds([pos], [vel]) == BALLISTIC             # steep: ballistic by default
    assert classify_kinds([pos], [vel], acc=[unlifted]) == BALLISTIC
    assert classify_kinds([pos], [vel], acc=[lifted]) == UNKNOWN
    # a shallow unlifted track at 50 km is ballistic once the lift is known
    pos2, vel2 = state(50e3, 2000.0, -10.0)
    assert classify_kinds([pos2], [vel2]) != BALLISTIC
    assert classify_kinds([pos2], [vel2], acc=[gravity]) == BALLISTIC


@settings(max_examples=50, deadline=None)
@given(v0=st.floats(300.0, 4000.0), theta_deg=st.floats(10.0, 80.0),
       frac=st.floats(0.05, 0.95), azimuth_deg=st.floats(0.0, 360.0))
def test_ballistic_impact_matches_closed_form_parabola(v0: float, theta_deg: float,
                                                       frac: float, azimuth_deg: float
                                                       ) -> None:
    # launched from (1 km, −2 km, 0) at v0, elevation θ, toward azimuth; observed at
    # t1 = frac·T on the way: impact must be the level-ground range R along the azimuth
    th, az = np.radians(theta_deg), np.radians(azimuth_deg)
    flight = 2.0 * v0 * np.sin(th) / G0
    rng_ = v0 ** 2 * np.sin(2.0 * th) / G0
    t1 = frac * flight
    u = np.array([np.sin(az), np.cos(az)])
    origin = np.array([1000.0, -2000.0])
    horiz = v0 * np.cos(th)
    pos = np.r_[origin + u * horiz * t1, v0 * np.sin(th) * t1 - 0.5 * G0 * t1 ** 2]
    vel = np.r_[u * horiz, v0 * np.sin(th) - G0 * t1]
    impact, t_go = ballistic_impact(pos[None], vel[None])
    np.testing.assert_allclose(impact[0], origin + u * rng_, rtol=0, atol=1e-9 * rng_ + 1e-6)
    assert t_go[0] == pytest.approx(flight - t1, rel=1e-9, abs=1e-9)


def test_ballistic_impact_from_rest_is_free_fall() -> None:
    impact, t = ballistic_impact([[5.0, 7.0, 1000.0]], [[0.0, 0.0, 0.0]])
    assert t[0] == pytest.approx(np.sqrt(2 * 1000.0 / G0), rel=1e-12)
    np.testing.assert_allclose(impact[0], [5.0, 7.0])


def test_closest_approach_hand_geometry() -> None:
    tau, miss = closest_approach([[0.0, 0.0, 10.0]], [[250.0, 0.0, 0.0]],
                                 [[10e3, 100.0], [10e3, 2e3], [-10e3, 0.0]])
    np.testing.assert_allclose(tau[0], [40.0, 40.0, -40.0])
    np.testing.assert_allclose(miss[0], [100.0, 2e3, 0.0], atol=1e-9)


ASSETS = DefendedAssets(pos=[[10e3, 100.0], [10e3, 2e3], [-10e3, 0.0], [20e3, 0.0]],
                        value=[100.0, 500.0, 800.0, 50.0], radius=500.0)


def test_threatened_asset_straight_line() -> None:
    # sea skimmer heading east: passes asset 0 (100 m off) first, then asset 3; asset 1 is
    # 2 km off, asset 2 behind
    a = assess_threats([[0.0, 0.0, 10.0]], [[250.0, 0.0, 0.0]], ASSETS)
    assert a.kind[0] == CRUISE
    assert a.asset[0] == 0
    assert a.time_to_go[0] == pytest.approx(40.0)
    assert a.miss[0] == pytest.approx(100.0)
    np.testing.assert_allclose(a.impact[0], [10e3, 0.0], atol=1e-9)
    assert a.priority[0] == pytest.approx(100.0 / 40.0)


def test_track_missing_every_asset_threatens_none() -> None:
    # drone heading north from (30 km, 0): nothing within 500 m ahead
    a = assess_threats([[30e3, 0.0, 300.0]], [[0.0, 40.0, 0.0]], ASSETS)
    assert a.kind[0] == DRONE
    assert a.asset[0] == -1 and a.priority[0] == 0.0
    # and a track flying away from everything has no asset ahead at all
    b = assess_threats([[30e3, 0.0, 300.0]], [[40.0, 0.0, 0.0]], ASSETS)
    assert b.asset[0] == -1 and np.isinf(b.time_to_go[0]) and np.isnan(b.impact[0]).all()


def test_threatened_asset_ballistic() -> None:
    # re-entry at 60 km, 40 km east of asset 2 (−10 km, 0), diving west at 45° with the
    # speed that lands it on the asset (flat-Earth parabola), and one that lands 3 km short
    h, gam, x0 = 60e3, np.radians(-45.0), 40e3
    pos, vel = [], []
    for x_aim in (-10e3, -7e3):
        d = x0 - x_aim                                  # distance to fly west [m]
        # d = v cosγ t and h + v sinγ t − g t²/2 = 0 with tan γ = −1  →  t² = 2(h − d)/g
        t = np.sqrt(2.0 * (h - d) / G0)
        v = d / (np.cos(gam) * t)
        pos.append([x0, 0.0, h])
        vel.append([-v * np.cos(gam), 0.0, v * np.sin(gam)])
    a = assess_threats(pos, vel, ASSETS)
    assert list(a.kind) == [BALLISTIC, BALLISTIC]
    np.testing.assert_allclose(a.impact[0], [-10e3, 0.0], atol=1e-6)
    assert a.time_to_go[0] == pytest.approx(np.sqrt(2.0 * 10e3 / G0), rel=1e-12)
    assert a.asset[0] == 2 and a.miss[0] == pytest.approx(0.0, abs=1e-6)
    assert a.asset[1] == -1 and a.miss[1] == pytest.approx(3e3, rel=1e-9)
    assert a.priority[0] == pytest.approx(800.0 / a.time_to_go[0])


def test_priority_ordering() -> None:
    assets = DefendedAssets(pos=[[0.0, 0.0], [50e3, 0.0]], value=[100.0, 200.0], radius=1e3)
    # cruise missiles at 250 m/s: A 10 km from asset 0 (40 s), B 20 km from asset 0
    # (80 s), C 20 km from asset 1 (80 s, double value = A's priority), D misses both
    pos = [[-10e3, 0.0, 10.0], [-20e3, 0.0, 10.0], [70e3, 0.0, 10.0], [0.0, 30e3, 10.0]]
    vel = [[250.0, 0.0, 0.0], [250.0, 0.0, 0.0], [-250.0, 0.0, 0.0], [250.0, 0.0, 0.0]]
    a = assess_threats(pos, vel, assets)
    np.testing.assert_allclose(a.time_to_go[:3], [40.0, 80.0, 80.0])
    np.testing.assert_allclose(a.priority, [2.5, 1.25, 2.5, 0.0])
    np.testing.assert_array_equal(a.order, [0, 2, 1, 3])


def test_priority_floor_of_one_second() -> None:
    assets = DefendedAssets(pos=[[100.0, 0.0]], value=[10.0], radius=50.0)
    a = assess_threats([[0.0, 0.0, 5.0]], [[300.0, 0.0, 0.0]], assets)
    assert a.time_to_go[0] == pytest.approx(1.0 / 3.0)
    assert a.priority[0] == pytest.approx(10.0)


def test_ballistic_impact_covariance_matches_analytic_jacobian() -> None:
    rng = np.random.default_rng(3)
    n = 5
    pos = np.c_[rng.uniform(-5e3, 5e3, (n, 2)), rng.uniform(20e3, 60e3, n)]
    vel = np.c_[rng.uniform(-800.0, 800.0, (n, 2)), rng.uniform(-2500.0, -1500.0, n)]
    a_ = rng.normal(size=(n, 6, 6))
    cov = a_ @ a_.transpose(0, 2, 1) * np.array([100.0] * 3 + [1.0] * 3)
    cov = 0.5 * (cov + cov.transpose(0, 2, 1))
    got = assess_threats(pos, vel, ASSETS, cov=cov)
    assert np.all(got.kind == BALLISTIC)
    _, t = ballistic_impact(pos, vel)
    d = np.sqrt(vel[:, 2] ** 2 + 2 * G0 * pos[:, 2])
    jac = np.zeros((n, 2, 6))
    jac[:, 0, 0] = jac[:, 1, 1] = 1.0
    jac[:, :, 2] = vel[:, :2] / d[:, None]                   # ∂/∂h: v_h ∂t/∂h, ∂t/∂h = 1/D
    jac[:, 0, 3] = jac[:, 1, 4] = t                         # ∂/∂v_h
    jac[:, :, 5] = vel[:, :2] * (t / d)[:, None]             # ∂t/∂v_z = t/D
    want = jac @ cov @ jac.transpose(0, 2, 1)
    np.testing.assert_allclose(got.impact_cov, want, rtol=1e-6)


def test_straight_line_impact_covariance_against_monte_carlo() -> None:
    rng = np.random.default_rng(11)
    assets = DefendedAssets(pos=[[30e3, 2e3]], value=[1.0], radius=5e3)
    pos, vel = np.array([[0.0, 0.0, 20.0]]), np.array([[280.0, 10.0, 0.0]])
    sd = np.array([30.0, 30.0, 5.0, 3.0, 3.0, 0.5])
    corr = np.eye(6)
    corr[0, 3] = corr[3, 0] = corr[1, 4] = corr[4, 1] = 0.5
    cov = (sd[:, None] * corr * sd[None, :])[None]
    lin = assess_threats(pos, vel, assets, cov=cov).impact_cov[0]
    n = 40_000
    x = rng.multivariate_normal(np.r_[pos[0], vel[0]], cov[0], size=n)
    mc = assess_threats(x[:, :3], x[:, 3:], assets).impact
    sample = np.cov(mc.T)
    # the impact point is the foot of the perpendicular from the asset on the track: its
    # along-track (east) coordinate moves only at second order, which a linearisation
    # leaves out, so only the cross-track variance is compared; sampling error of a
    # variance ≈ √(2/n) ≈ 0.7 %, tolerance 3 %
    assert sample[1, 1] == pytest.approx(lin[1, 1], rel=0.03)
    assert lin[0, 0] < 1e-3 * lin[1, 1] and sample[0, 0] < 1e-3 * sample[1, 1]


def test_no_assets() -> None:
    empty = DefendedAssets(pos=np.empty((0, 2)), value=[], radius=[])
    pos, vel = state(30e3, 2500.0, -40.0)
    a = assess_threats([pos], [vel], empty)
    assert a.asset[0] == -1 and a.priority[0] == 0.0
    assert np.isfinite(a.time_to_go[0])            # the impact is still predicted


def test_input_validation() -> None:
    with pytest.raises(ValueError, match="pos must have shape"):
        assess_threats([1.0, 2.0, 3.0], [[1.0, 2.0, 3.0]], ASSETS)
    with pytest.raises(ValueError, match="same rows"):
        assess_threats([[0.0, 0.0, 1.0]] * 2, [[1.0, 0.0, 0.0]], ASSETS)
    with pytest.raises(ValueError, match="cov must have shape"):
        assess_threats([[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]], ASSETS, cov=np.eye(6))
