"""Guidance kernels against closed forms and a flat-Earth engagement harness.

The harness (below, test code only) flies point-mass pursuers and targets with
piecewise-constant accelerations (exact kinematics per step), calls our law once
per step, optionally through a first-order autopilot lag, and measures the miss
by dense sampling of the exact relative motion inside every step.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from tate.weapons.guidance import (
    GUIDANCE,
    apn,
    closing_speed,
    guidance_law,
    limit_accel,
    normal_part,
    pip,
    pn,
    time_to_go,
    tpn,
    zem,
)

F64 = NDArray[np.float64]
G = 9.80665


def col(*x: float) -> F64:
    return np.array(x, float).reshape(3, 1)


def engage(law: str, nprime: F64, p_m: F64, v_m: F64, p_t: F64, v_t: F64,
           a_t: F64 | None = None, a_max: float = np.inf, lag: float = 0.0,
           dt: float = 0.005, t_max: float = 30.0) -> F64:
    """Miss distances of ``n`` engagements (columns), flat Earth, no gravity."""
    n = nprime.size
    p_m, v_m = np.repeat(p_m, n, 1), np.repeat(v_m, n, 1)
    p_t, v_t = np.repeat(p_t, n, 1), np.repeat(v_t, n, 1)
    a_t = np.zeros((3, n)) if a_t is None else np.repeat(a_t, n, 1)
    a_l = np.zeros((3, n))
    best = np.full(n, np.inf)
    s = np.linspace(0.0, dt, 201)[:, None, None]
    for _ in range(int(t_max / dt)):
        r, v = p_t - p_m, v_t - v_m
        a_c = guidance_law(law).command(r, v, v_m, a_t, time_to_go(r, v), nprime)
        a_c = limit_accel(normal_part(a_c, v_m), a_max)
        a_l = a_c if lag == 0 else a_l + (a_c - a_l) * -np.expm1(-dt / lag)
        d = r + v * s + 0.5 * (a_t - a_l) * s * s
        best = np.minimum(best, np.sqrt((d * d).sum(axis=1)).min(axis=0))
        p_m, v_m = p_m + v_m * dt + 0.5 * a_l * dt * dt, v_m + a_l * dt
        p_t, v_t = p_t + v_t * dt + 0.5 * a_t * dt * dt, v_t + a_t * dt
        if np.all(((p_t - p_m) * (v_t - v_m)).sum(0) > 0):
            break
    return best


P_T, V_T = col(8000, 3000, 2000), col(-300, 100, 50)


def _pursuer(off_deg: float) -> tuple[F64, F64]:
    """Pursuer at the origin, 1,000 m/s, ``off_deg`` off the initial LOS (out of plane)."""
    los = P_T[:, 0] / np.linalg.norm(P_T)
    ax = np.cross(los, [0.0, 0.0, 1.0])
    ax /= np.linalg.norm(ax)
    th = np.radians(off_deg)
    d = los * np.cos(th) + np.cross(ax, los) * np.sin(th)
    return col(0, 0, 0), (1000.0 * d).reshape(3, 1)


@pytest.mark.parametrize("law", ["pn", "tpn", "apn", "zem"])
def test_non_manoeuvring_target_is_hit_in_3d(law: str) -> None:
    # 20 deg heading error, target crossing at 330 m/s: every law, N' = 3..5, < 1 m
    p_m, v_m = _pursuer(20.0)
    miss = engage(law, np.array([3.0, 4.0, 5.0]), p_m, v_m, P_T, V_T)
    assert np.all(miss < 1.0), miss


def test_augmented_pn_beats_pn_against_a_step_manoeuvre() -> None:
    # 6 g step manoeuvre, pursuer limited to 10 g behind a 0.2 s lag, N' = 4:
    # PN's demand grows to N'/(N'-2) n_T = 12 g near the end and saturates (miss 152 m);
    # APN asks for most of its acceleration early and hits (miss 0.03 m).
    p_m, v_m = _pursuer(5.0)
    a_t = col(0, 0, 6 * G)
    miss_pn, miss_apn = (engage(law, np.array([4.0]), p_m, v_m, P_T, V_T, a_t=a_t,
                                a_max=10 * G, lag=0.2)[0] for law in ("pn", "apn"))
    assert miss_pn > 50.0
    assert miss_apn < 0.1


def test_acceleration_limit_makes_a_hard_case_miss() -> None:
    p_m, v_m = _pursuer(5.0)
    a_t = col(0, 0, 6 * G)
    free = engage("pn", np.array([4.0]), p_m, v_m, P_T, V_T, a_t=a_t)[0]
    tied = engage("pn", np.array([4.0]), p_m, v_m, P_T, V_T, a_t=a_t, a_max=4 * G)[0]
    assert free < 1.0
    assert tied > 100.0  # 1.3 km


def test_pip_law_reaches_a_fixed_point_under_gravity() -> None:
    # constant-speed pursuer (gravity along the path cancelled), gravity acting
    # laterally; the law's own gravity term must bring it onto the point
    g = col(0, 0, -G)
    dt = 0.005
    for elev in (30.0, 60.0):
        e = np.radians(elev)
        p, v = col(0, 0, 0), col(1000 * np.cos(e), 0, 1000 * np.sin(e))
        target = col(20000, 3000, 8000)
        best = np.inf
        for _ in range(int(40 / dt)):
            r = target - p
            a = pip(r, v, time_to_go(r, -v), 3.0, -g)
            a = a - (g * v).sum() / (v * v).sum() * v
            s = np.linspace(0, dt, 101)[:, None, None]
            d = r - v * s - 0.5 * (a + g) * s * s
            best = min(best, float(np.sqrt((d * d).sum(axis=1)).min()))
            p, v = p + v * dt + 0.5 * (a + g) * dt * dt, v + (a + g) * dt
            if float((r * v).sum()) < 0:
                break
        assert best < 1.0


vec = st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=3, max_size=3)


@settings(max_examples=60, deadline=None)
@given(vec, vec, vec, st.floats(2.0, 6.0))
def test_directions_and_magnitudes(r: list[float], v: list[float], vm: list[float],
                                   n: float) -> None:
    r_, v_, vm_ = col(*r), col(*v), col(*vm)
    if np.linalg.norm(r_) < 1.0 or np.linalg.norm(vm_) < 1.0:
        return
    a = pn(r_, v_, vm_, n)
    assert abs(float((a * vm_).sum())) <= 1e-9 * np.linalg.norm(a) * np.linalg.norm(vm_) + 1e-12
    b = tpn(r_, v_, n)
    assert abs(float((b * r_).sum())) <= 1e-9 * np.linalg.norm(b) * np.linalg.norm(r_) + 1e-12
    # |tpn| = N' V_c λ̇ with λ̇ = |r × v| / r² (closing) or 0 (opening)
    lam_dot = np.linalg.norm(np.cross(r_[:, 0], v_[:, 0])) / float((r_ * r_).sum())
    vc = -float((r_ * v_).sum()) / float(np.linalg.norm(r_))
    expect = n * max(vc, 0.0) * lam_dot
    assert np.linalg.norm(b) == pytest.approx(expect, rel=1e-9, abs=1e-12)


def test_true_pn_matches_the_planar_los_rate() -> None:
    # planar engagement: λ = atan2(y, x); λ̇ by central differences of the geometry
    r0, v = np.array([5000.0, 1200.0, 0.0]), np.array([-900.0, 150.0, 0.0])
    h = 1e-4
    lam = [np.arctan2(*(r0 + v * t)[1::-1]) for t in (-h, h)]
    lam_dot = (lam[1] - lam[0]) / (2 * h)
    vc = float(closing_speed(r0.reshape(3, 1), v.reshape(3, 1))[0])
    a = tpn(r0.reshape(3, 1), v.reshape(3, 1), 4.0)[:, 0]
    # normal to the LOS, counter-clockwise for λ̇ > 0
    normal = np.array([-r0[1], r0[0], 0.0]) / np.linalg.norm(r0)
    assert float(a @ normal) == pytest.approx(4.0 * vc * lam_dot, rel=1e-7)


@settings(max_examples=60, deadline=None)
@given(st.floats(1e3, 1e5), st.floats(100.0, 5e3), st.floats(-0.3, 0.3),
       st.floats(-0.3, 0.3), st.floats(-50.0, 50.0))
def test_zem_is_true_pn_over_cos_squared(rng: float, vc: float, eps_y: float,
                                         eps_z: float, at: float) -> None:
    # v at angle θ from −r̂: ZEM⊥/t_go² = V_c v⊥/(R cos²θ) exactly, so ZEM = TPN to first
    # order in the lateral velocity (relative difference tan²θ); with a target
    # acceleration both add ½N' a_T⊥.
    r = col(rng, 0.0, 0.0)
    v = col(-vc, eps_y * vc, eps_z * vc)
    a_t = col(3.0, at, -at)
    cos2 = vc**2 / float((v * v).sum())
    tol = 1e-9 * 4.0 * (vc * vc / rng + abs(at))  # round-off of the command's scale
    np.testing.assert_allclose(zem(r, v, 4.0), tpn(r, v, 4.0) / cos2, rtol=1e-9, atol=tol)
    np.testing.assert_allclose(zem(r, v, 4.0, a_t) - apn(r, v, a_t, 4.0),
                               tpn(r, v, 4.0) * (1 / cos2 - 1), rtol=1e-8, atol=tol)


def test_opening_geometry_commands_nothing() -> None:
    r, v = col(1000, 0, 0), col(50, 30, 0)  # separating
    assert np.all(tpn(r, v, 4.0) == 0) and np.all(zem(r, v, 4.0) == 0)
    assert np.all(apn(r, v, col(0, 9, 0), 4.0) == 0)


@settings(max_examples=80, deadline=None)
@given(vec, st.one_of(st.just(0.0), st.floats(1e-3, 1e4)))
def test_limit_accel_clips_magnitude_only(a: list[float], a_max: float) -> None:
    a_ = col(*a)
    out = limit_accel(a_, a_max)
    mag, mag_out = np.linalg.norm(a_), np.linalg.norm(out)
    assert mag_out <= a_max * (1 + 1e-12)
    assert mag_out == pytest.approx(min(float(mag), a_max), rel=1e-12, abs=0.0)
    if mag_out > 0:
        np.testing.assert_allclose(out[:, 0] / mag_out, a_[:, 0] / mag, atol=1e-12)


def test_limit_accel_per_body() -> None:
    a = np.array([[30.0, 3.0, 0.0], [40.0, 4.0, 0.0], [0.0, 0.0, 0.0]])
    out = limit_accel(a, np.array([10.0, 10.0, 1.0]))
    np.testing.assert_allclose(out[:, 0], [6.0, 8.0, 0.0])
    np.testing.assert_allclose(out[:, 1], [3.0, 4.0, 0.0])
    assert np.all(out[:, 2] == 0.0)


def test_registry_names_and_unknown_law() -> None:
    assert set(GUIDANCE) == {"pn", "tpn", "apn", "zem", "pip"}
    assert all(law.name == key for key, law in GUIDANCE.items())
    with pytest.raises(ValueError, match="valid names: pn, tpn, apn, zem, pip"):
        guidance_law("lead-pursuit")
