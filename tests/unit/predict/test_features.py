"""Window features and the flight-path frame, against flown gliders and closed forms."""

from __future__ import annotations

from typing import Any

import numpy as np
import pymap3d
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.flight.fly import fly, trajectory_ecef
from tate.predict.features import FEATURE_NAMES, features, from_local, local_frame, to_local
from tate.scenario import loads_scenario
from tests.unit.predict.scenes import glider, scene

SCENARIO = scene("features", 700)
GLIDER = glider()
PERIOD = 60.0  #: weave period [s]
COL = {name: i for i, name in enumerate(FEATURE_NAMES)}


@pytest.fixture(scope="module")
def flight() -> dict[str, Any]:
    text = (SCENARIO + '[[threats]]\nid = "steady"\n' + GLIDER
            + '[[threats]]\nid = "weave"\n' + GLIDER
            + f'manoeuvre = {{ kind = "weave", bank_deg = 40, period_s = {PERIOD} }}\n')
    res = fly(loads_scenario(text), dt=0.2)
    body, t, pos, vel = trajectory_ecef(res.trajectory, ["steady", "weave"])
    return {"body": body, "t": t, "pos": pos, "vel": vel}


def _window(fl: dict[str, Any], j: int, t_end: float) -> tuple[Any, Any, Any]:
    times = t_end - 20.0 + 2.0 * np.arange(11)
    rows = [np.flatnonzero((fl["body"] == j) & np.isclose(fl["t"], x))[0] for x in times]
    return times, fl["pos"][rows][None], fl["vel"][rows][None]


def test_steady_glider_features_recover_its_aerodynamics(flight: dict[str, Any]) -> None:
    times, pos, vel = _window(flight, 0, 350.0)
    x = features(times, pos, vel, np.array([150.0]))[0]
    assert x.shape == (len(FEATURE_NAMES),)
    # constant aero: drag = q̄/β exactly, so q̄/D at the last sample gives β = 13,000 kg/m²
    assert x[COL["log_beta"]] == pytest.approx(np.log10(13_000.0), abs=0.01)
    # the equilibrium reference flies at 90 % of maximum lift: |L|/D = 0.9 · 2.6
    assert x[COL["lift_to_drag"]] == pytest.approx(0.9 * 2.6, rel=0.03)
    # altitude and climb rate against pymap3d's geodetic conversion of the same states
    lat, lon, alt = pymap3d.ecef2geodetic(*pos[0, -1])
    assert x[COL["alt_km"]] == pytest.approx(alt / 1e3, abs=1e-6)
    _e, _n, u = pymap3d.ecef2enuv(*vel[0, -1], lat, lon)
    assert x[COL["climb_kms"]] == pytest.approx(u / 1e3, abs=1e-3)
    assert x[COL["speed_kms"]] == pytest.approx(np.linalg.norm(vel[0, -1]) / 1e3, rel=1e-12)
    assert x[COL["log_sigma"]] == pytest.approx(np.log10(150.0))
    assert abs(x[COL["side_mean_g"]]) < 0.05  # no manoeuvre: only heading trim


def test_weave_side_force_follows_the_commanded_sine(flight: dict[str, Any]) -> None:
    # glide entry (separation) is at 105 s; the weave's bank is 40° · sin(2π τ / 60 s)
    t_sep = 105.0
    side, phase = [], []
    for t_end in np.arange(300.0, 420.0, 2.0):
        times, pos, vel = _window(flight, 1, float(t_end))
        side.append(features(times, pos, vel, np.array([100.0]))[0, COL["side_g"]])
        phase.append(np.sin(2 * np.pi * (t_end - t_sep) / PERIOD))
    r = np.corrcoef(side, phase)[0, 1]
    assert r > 0.95, r
    # its amplitude: lift left after the vertical demand, sin 40° of the maximum at most
    assert 0.1 < np.max(np.abs(side)) < 2.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=9, max_size=9))
def test_local_frame_is_orthonormal_and_round_trips(vals: list[float]) -> None:
    pos = np.array([[6.4e6, 1e5, 2e5]]) + np.array([vals[:3]]) * 10.0
    vel = np.array([vals[3:6]]) + np.array([[10.0, 2000.0, 5.0]])
    frame = local_frame(pos, vel)
    np.testing.assert_allclose(frame[0] @ frame[0].T, np.eye(3), atol=1e-12)
    vec = np.array([[vals[6:9]]])
    np.testing.assert_allclose(from_local(frame, to_local(frame, vec)), vec, atol=1e-6)
    # the first axis is along the velocity
    along = to_local(frame, vel[:, None, :])[0, 0]
    assert along[0] == pytest.approx(np.linalg.norm(vel), rel=1e-12)
    assert abs(along[1]) < 1e-6 * np.linalg.norm(vel)


def test_no_windows_give_no_rows() -> None:
    out = features(np.arange(11.0), np.empty((0, 11, 3)), np.empty((0, 11, 3)), np.empty(0))
    assert out.shape == (0, len(FEATURE_NAMES))
