"""Tests of the boost-glide physics predictor against flown trajectories and Kepler arcs.

Oracles: the glider model of :mod:`tate.flight.models.boost_glide` flown by
:func:`tate.flight.fly.fly` (its scenario β and L/D, its lift margin and S-turn lift
saturation), the universal-variable Kepler solution of :mod:`tate.flight.kepler`, and
exact derivatives of polynomials.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.flight.eom import FrameOptions
from tate.flight.fly import fly, trajectory_ecef
from tate.flight.kepler import kepler_propagate
from tate.predict.glide import (
    GlideFit,
    fit_glide,
    predict_constant_velocity,
    predict_glide,
    propagate_glide,
    window_accel,
)
from tate.scenario import loads_scenario
from tests.unit.predict.scenes import glider, scene

F64 = NDArray[np.float64]

SCENARIO = scene("predict", 2400)
GLIDER = glider()
LD, BETA = 2.6, 13_000.0  #: the scenario's glide parameters
LIFT_MARGIN = 0.9  #: BoostGlide's equilibrium reference uses 90 % of maximum lift
# Glide starts at 105 s (burnout); the S-turn reverses every 22.5 s: 330, 352.5, … s.
# The window [330, 350] s lies after the pull-up transient and inside one S-turn half.
T_END, WINDOW = 350.0, 20.0
HORIZONS = np.array([10.0, 30.0, 60.0, 120.0])  #: all before the dive (≈ 487 s)


@pytest.fixture(scope="module")
def flight() -> dict[str, Any]:
    text = (SCENARIO + '[[threats]]\nid = "steady"\n' + GLIDER
            + '[[threats]]\nid = "sturn"\n' + GLIDER
            + 'manoeuvre = { kind = "s-turn", bank_deg = 40, period_s = 45 }\n')
    res = fly(loads_scenario(text), dt=0.2)
    body, t, pos, vel = trajectory_ecef(res.trajectory, ["steady", "sturn"])
    return {"body": body, "t": t, "pos": pos, "vel": vel}


def _window(fl: dict[str, Any], t_end: float, width: float) -> tuple[F64, F64, F64]:
    """Noise-free track window of both gliders: times (m,), pos and vel (2, m, 3)."""
    sel = [(fl["body"] == j) & (fl["t"] >= t_end - width - 1e-9) & (fl["t"] <= t_end + 1e-9)
           for j in (0, 1)]
    return (fl["t"][sel[0]], np.stack([fl["pos"][s] for s in sel]),
            np.stack([fl["vel"][s] for s in sel]))


def _truth(fl: dict[str, Any], t_end: float, horizons: F64) -> F64:
    """Flown positions (2, h, 3) at ``t_end + horizons``."""
    out = np.empty((2, horizons.size, 3))
    for j in (0, 1):
        for i, h in enumerate(horizons):
            row = (fl["body"] == j) & np.isclose(fl["t"], t_end + h)
            assert row.sum() == 1
            out[j, i] = fl["pos"][row][0]
    return out


# --- fit -----------------------------------------------------------------------------------


def test_fit_recovers_the_scenario_beta_and_lift_to_drag(flight: dict[str, Any]) -> None:
    t, pos, vel = _window(flight, T_END, WINDOW)
    fit = fit_glide(t, pos, vel)
    # drag is q̄/β exactly in the constant-aero model: β within 1 % for both gliders
    np.testing.assert_allclose(fit.beta, BETA, rtol=0.01)
    # steady glider: it flies the equilibrium reference, i.e. at LIFT_MARGIN of max lift
    assert fit.lift_to_drag[0] == pytest.approx(LIFT_MARGIN * LD, rel=0.02)
    assert abs(fit.bank[0]) < np.radians(5.0)  # only the small heading correction
    # S-turn glider: the 40° side demand saturates the lift, so |L|/D is the full 2.6;
    # the side share is what the 0.9 vertical demand leaves: sin σ ≈ √(1 − 0.9²)
    assert fit.lift_to_drag[1] == pytest.approx(LD, rel=0.02)
    assert abs(fit.bank[1]) == pytest.approx(np.arcsin(np.sqrt(1 - LIFT_MARGIN**2)), abs=0.05)


def test_fit_sees_the_s_turn_reverse(flight: dict[str, Any]) -> None:
    # windows in successive S-turn halves (330-352.5 s and 352.5-375 s) give opposite banks
    fit_a = fit_glide(*_window(flight, 350.0, 15.0))
    fit_b = fit_glide(*_window(flight, 372.0, 15.0))
    assert fit_a.bank[1] * fit_b.bank[1] < 0.0
    assert abs(fit_a.bank[1] + fit_b.bank[1]) < np.radians(5.0)


# --- prediction against the flown truth ----------------------------------------------------


def test_physics_beats_constant_velocity_on_the_steady_glide(flight: dict[str, Any]) -> None:
    t, pos, vel = _window(flight, T_END, WINDOW)
    truth = _truth(flight, T_END, HORIZONS)
    err_phys = np.linalg.norm(predict_glide(t, pos, vel, HORIZONS) - truth, axis=2)
    err_cv = np.linalg.norm(predict_constant_velocity(t, pos, vel, HORIZONS) - truth, axis=2)
    # measured: physics 0.13 km, CV 6.5 km at 60 s; 0.43 km vs 26 km at 120 s
    assert err_phys[0, 2] < 500.0
    assert err_phys[0, 2] < 0.1 * err_cv[0, 2]
    assert np.all(err_phys[0] < 0.1 * err_cv[0])
    # CV's miss is the unmodelled gravity-minus-lift and drag: about ½ a h² with a of a
    # few m/s²; at 60 s that is a few km
    assert 2_000.0 < err_cv[0, 2] < 15_000.0


def test_horizon_order_does_not_matter(flight: dict[str, Any]) -> None:
    t, pos, vel = _window(flight, T_END, WINDOW)
    fwd = predict_glide(t, pos, vel, HORIZONS)
    rev = predict_glide(t, pos, vel, HORIZONS[::-1])
    np.testing.assert_allclose(rev[:, ::-1], fwd, atol=1e-6)
    zero = predict_glide(t, pos, vel, np.array([0.0]))
    np.testing.assert_array_equal(zero[:, 0], pos[:, -1])


# --- drag-free arcs against Kepler ---------------------------------------------------------


def _arc_start() -> tuple[F64, F64]:
    """A suborbital arc: 60 km up, 3 km/s, climbing at 20°, heading north-east."""
    lat, lon = np.radians(25.0), np.radians(140.0)
    r0 = wgs84.geodetic_to_ecef(lat, lon, 60_000.0)
    g, az = np.radians(20.0), np.radians(45.0)
    enu = 3000.0 * np.array([np.cos(g) * np.sin(az), np.cos(g) * np.cos(az), np.sin(g)])
    return np.asarray(r0, float), np.asarray(wgs84.enu_vec_to_ecef(enu, lat, lon), float)


NO_AERO = GlideFit(*(np.array([v]) for v in (np.inf, 0.0, 0.0, 0.0, 0.0, 0.0)))
HORIZONS_ARC = np.array([10.0, 60.0, 120.0, 200.0])  #: stays above 60 km


def test_no_aero_non_rotating_matches_kepler() -> None:
    r0, v0 = _arc_start()
    opts = FrameOptions(rotating=False, j2=False)
    got = propagate_glide(r0[None], v0[None], NO_AERO, HORIZONS_ARC, dt=0.5, opts=opts)
    for i, h in enumerate(HORIZONS_ARC):
        want, _ = kepler_propagate(r0, v0, float(h), wgs84.GM)
        assert np.linalg.norm(got[0, i] - want) < 0.01  # RK4 at 0.5 s: ~µm


def test_no_aero_rotating_frame_matches_kepler_in_inertial_axes() -> None:
    # ECEF and inertial axes coincide at t = 0; the inertial velocity adds Ω×r, and the
    # Kepler position is rotated back by −ω t into the Earth-fixed axes.
    r0, v0 = _arc_start()
    opts = FrameOptions(rotating=True, j2=False, atmosphere=True)  # β = ∞: no drag anyway
    got = propagate_glide(r0[None], v0[None], NO_AERO, HORIZONS_ARC, dt=0.5, opts=opts)
    v_in = np.asarray(wgs84.earth_relative_to_inertial_velocity(r0, v0), float)
    for i, h in enumerate(HORIZONS_ARC):
        r_in, _ = kepler_propagate(r0, v_in, float(h), wgs84.GM)
        a = -wgs84.OMEGA * h
        rot = np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0],
                        [0.0, 0.0, 1.0]])
        assert np.linalg.norm(got[0, i] - rot @ r_in) < 0.01


# --- window acceleration ------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(c=st.lists(st.floats(-100.0, 100.0), min_size=9, max_size=9),
       t0=st.floats(0.0, 1000.0), m=st.integers(4, 30))
def test_window_accel_is_exact_on_quadratics(c: list[float], t0: float, m: int) -> None:
    coef = np.array(c).reshape(3, 3)  # v_axis(t) = c0 + c1 τ + c2 τ², τ = t − t0
    t = t0 + np.arange(m, dtype=float)
    tau = t - t0
    vel = coef[:, 0] + np.outer(tau, coef[:, 1]) + np.outer(tau * tau, coef[:, 2])
    acc = window_accel(t, vel[None])
    want = coef[:, 1] + 2.0 * np.outer(tau, coef[:, 2])
    np.testing.assert_allclose(acc[0], want, atol=1e-6 * (1.0 + np.abs(coef).max() * m))


def test_window_accel_needs_enough_samples() -> None:
    with pytest.raises(ValueError):
        window_accel(np.array([0.0, 1.0]), np.zeros((1, 2, 3)))
