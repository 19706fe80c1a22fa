"""Tests of the fire control's path predictors (:mod:`tate.predict.paths`).

Oracles: closed forms (constant velocity plus ½gτ² drop; the ENU axes of the WGS-84
ellipsoid at a point; a constant-velocity model shifted by a known ECEF vector, which
must arrive in ENU as that vector rotated), a glider flown by
:func:`tate.flight.fly.fly` (truth 60 s ahead), :func:`tate.predict.glide.predict_glide`
with fine RK4 steps on every time of the grid (a second method for the coarse-step
spline), and exact linear interpolation.
"""

from __future__ import annotations

from typing import Any, get_args

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from tate.c2.threat import G0
from tate.earth import wgs84
from tate.flight.fly import fly, trajectory_ecef
from tate.predict.glide import predict_constant_velocity, predict_glide
from tate.predict.history import TrackHistory
from tate.predict.paths import (
    PREDICTORS,
    ecef_to_enu_states,
    enu_to_ecef_states,
    interpolate_path,
    predict_tracks,
    window_times,
)
from tate.scenario import loads_scenario
from tate.scenario.defence import C2
from tests.unit.predict.test_glide import GLIDER, SCENARIO

F64 = NDArray[np.float64]
ORIGIN = (20.0, 150.0, 0.0)  #: tracker frame at the test ship (lat, lon [deg], alt [m])
T_NOW = 350.0  #: decision time: after the pull-up, within one S-turn half (test_glide)
PERIOD = 2.0


def _paths(*args: Any, **kw: Any) -> F64:
    """The predicted ENU paths of :func:`predict_tracks`."""
    return np.asarray(predict_tracks(*args, **kw).path)
SLOW_POS, SLOW_VEL = np.array([1e3, 2e3, 3e3]), np.array([100.0, 0.0, 0.0])  #: track 9 now


# --- frames -------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(lat=st.floats(-89.0, 89.0), lon=st.floats(-180.0, 180.0), alt=st.floats(-100.0, 5e3),
       seed=st.integers(0, 2**31))
def test_enu_ecef_round_trip(lat: float, lon: float, alt: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    pos = rng.normal(size=(4, 5, 3)) * 5e5
    vel = rng.normal(size=(4, 5, 3)) * 3e3
    p_e, v_e = enu_to_ecef_states(pos, vel, (lat, lon, alt))
    np.testing.assert_allclose(np.linalg.norm(v_e, axis=-1), np.linalg.norm(vel, axis=-1),
                               rtol=1e-12)  # a rotation: speeds kept, no translation
    p_b, v_b = ecef_to_enu_states(p_e, v_e, (lat, lon, alt))
    np.testing.assert_allclose(p_b, pos, atol=1e-6)
    np.testing.assert_allclose(v_b, vel, atol=1e-9)


@pytest.mark.parametrize("lat, lon, alt", [(20.0, 150.0, 0.0), (-33.0, -70.0, 800.0),
                                           (60.0, 10.0, 30.0)])
def test_enu_axes_are_those_of_the_ellipsoid(lat: float, lon: float, alt: float) -> None:
    # up is the ellipsoid normal: (0, 0, h) in ENU is the point h higher; east and north
    # are the textbook unit vectors (-sin λ, cos λ, 0), (-sin φ cos λ, -sin φ sin λ, cos φ)
    p, la = np.radians(lat), np.radians(lon)
    pos = np.array([[0.0, 0.0, 40e3]])
    vel = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    p_e, v_e = enu_to_ecef_states(np.repeat(pos, 2, axis=0), vel, (lat, lon, alt))
    np.testing.assert_allclose(p_e[0], wgs84.geodetic_to_ecef(p, la, alt + 40e3), atol=1e-6)
    np.testing.assert_allclose(v_e[0], [-np.sin(la), np.cos(la), 0.0], atol=1e-15)
    np.testing.assert_allclose(v_e[1], [-np.sin(p) * np.cos(la), -np.sin(p) * np.sin(la),
                                        np.cos(p)], atol=1e-15)


def test_window_times() -> None:
    np.testing.assert_allclose(window_times(100.0, 20.0, 2.0), np.arange(80.0, 101.0, 2.0))
    assert window_times(100.0, 20.0, 2.0)[-1] == 100.0
    # too short a window still gives the fit four samples
    np.testing.assert_allclose(window_times(10.0, 2.0, 2.0), [4.0, 6.0, 8.0, 10.0])


def test_predictor_names_match_the_scenario_key() -> None:
    assert get_args(C2.model_fields["predictor"].annotation) == PREDICTORS
    assert C2().predictor == "kinematic"


# --- a flown glider -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def glider() -> dict[str, Any]:
    """The steady glider of test_glide flown to 420 s, in the tracker's ENU frame."""
    text = (SCENARIO.replace("time_limit_s = 2400", "time_limit_s = 420")
            + '[[threats]]\nid = "steady"\n' + GLIDER)
    res = fly(loads_scenario(text), dt=0.2)
    _, t, pos, vel = trajectory_ecef(res.trajectory, ["steady"])
    p_enu, v_enu = ecef_to_enu_states(pos, vel, ORIGIN)
    return {"t": t, "pos": p_enu, "vel": v_enu}


def _state(fl: dict[str, Any], t: float) -> tuple[F64, F64]:
    row = np.flatnonzero(np.isclose(fl["t"], t))
    assert row.size == 1
    return fl["pos"][row[0]], fl["vel"][row[0]]


def _history(fl: dict[str, Any], skip: float | None = None) -> TrackHistory:
    """Decisions every 2 s up to T_NOW: track 5 the glider (missing at ``skip``), track 9
    a body flying east at 100 m/s, 3 km up, track 11 recorded at T_NOW only."""
    h = TrackHistory(20.0)
    for t in np.arange(300.0, T_NOW + 1.0, PERIOD):
        p, v = _state(fl, float(t))
        ids, pos, vel = [9], [SLOW_POS + SLOW_VEL * (t - T_NOW)], [SLOW_VEL]
        if skip is None or abs(t - skip) > 1e-9:
            ids, pos, vel = [5, *ids], [p, *pos], [v, *vel]
        if t == T_NOW:
            ids, pos, vel = [*ids, 11], [*pos, p], [*vel, v]
        h.record(float(t), ids, np.array(pos), np.array(vel))
    return h


def _now(fl: dict[str, Any]) -> tuple[F64, F64, F64]:
    p, v = _state(fl, T_NOW)
    ids = np.array([5, 9, 11])
    pos = np.array([p, SLOW_POS, p])
    vel = np.array([v, SLOW_VEL, v])
    return ids, pos, vel


TAU = np.arange(3.0, 131.0)  #: the glider dives at ≈ 487 s; T_NOW + 130 s is before


def test_kinematic_is_constant_velocity_plus_drop(glider: dict[str, Any]) -> None:
    ids, pos, vel = _now(glider)
    ballistic = np.array([False, True, False])
    path = _paths("kinematic", _history(glider), T_NOW, ids, pos, vel, ballistic,
                           np.ones(3, bool), TAU, ORIGIN)
    want = pos[:, None, :] + vel[:, None, :] * TAU[None, :, None]
    want[1, :, 2] -= 0.5 * G0 * TAU**2
    np.testing.assert_allclose(path, want, rtol=1e-14)


def test_glide_physics_beats_kinematic_on_a_steady_glider(glider: dict[str, Any]) -> None:
    ids, pos, vel = _now(glider)
    no = np.zeros(3, bool)
    glide = np.array([True, True, True])
    pred = predict_tracks("glide-physics", _history(glider), T_NOW, ids, pos, vel, no, glide,
                          TAU, ORIGIN, period_s=PERIOD)
    kin = _paths("kinematic", _history(glider), T_NOW, ids, pos, vel, no, glide,
                          TAU, ORIGIN)
    # the glider has a full 20 s window; so has track 9 (marked a glider here; whatever
    # its fit, its path is finite until it lands); track 11 has only the last sample
    np.testing.assert_array_equal(pred.modelled, [True, True, False])
    np.testing.assert_array_equal(pred.path[2], kin[2])
    k = int(np.flatnonzero(TAU == 60.0)[0])
    truth, _ = _state(glider, T_NOW + 60.0)
    err_model = np.linalg.norm(pred.path[0, k] - truth)
    err_kin = np.linalg.norm(kin[0, k] - truth)
    # test_glide measured 0.13 km against 6.5 km for 1 s-sampled windows; 2 s decisions
    assert err_model < 500.0
    assert err_model < 0.1 * err_kin
    assert 2_000.0 < err_kin < 15_000.0


def test_glide_physics_path_is_predict_glide_in_enu(glider: dict[str, Any]) -> None:
    # second method: the fine-step prediction in ECEF on every τ, converted by hand
    ids, pos, vel = _now(glider)
    h = _history(glider)
    path = _paths("glide-physics", h, T_NOW, ids[:1], pos[:1], vel[:1],
                           np.zeros(1, bool), np.ones(1, bool), TAU, ORIGIN)
    times = np.arange(330.0, T_NOW + 1.0, PERIOD)
    w_pos, w_vel, ok = h.window([5], times)
    assert ok[0]
    p_e, v_e = enu_to_ecef_states(w_pos, w_vel, ORIGIN)
    fine = predict_glide(times, p_e, v_e, TAU, dt=0.25)
    lat, lon = np.radians(ORIGIN[0]), np.radians(ORIGIN[1])
    want = wgs84.ecef_to_enu(fine, lat, lon, ORIGIN[2])
    assert np.abs(path - want).max() < 1.0  # coarse RK4 steps and the spline: < 1 m


def test_a_gap_in_the_window_falls_back_to_kinematic(glider: dict[str, Any]) -> None:
    ids, pos, vel = _now(glider)
    no = np.zeros(3, bool)
    h = _history(glider, skip=340.0)
    pred = predict_tracks("glide-physics", h, T_NOW, ids, pos, vel, no, np.ones(3, bool), TAU,
                          ORIGIN)
    np.testing.assert_array_equal(pred.modelled, [False, True, False])
    kin = _paths("kinematic", h, T_NOW, ids, pos, vel, no, no, TAU, ORIGIN)
    np.testing.assert_array_equal(pred.path[0], kin[0])
    # a track not classified as a glider is never given to the model
    pred = predict_tracks("glide-physics", _history(glider), T_NOW, ids, pos, vel, no,
                          np.array([False, False, True]), TAU, ORIGIN)
    assert not pred.modelled.any()


# --- the learned predictor's interface ------------------------------------------------------


class ShiftedModel:
    """Constant velocity in ECEF plus a fixed ECEF offset; records what it was given.
    ``nan_row``: that row is returned NaN.  ``sink``: from that horizon on, positions are
    scaled to 80 % of their geocentric radius (over 1,000 km underground)."""

    def __init__(self, offset: F64, nan_row: int | None = None, sink: int | None = None):
        self.offset, self.nan_row, self.sink = offset, nan_row, sink
        self.calls: list[tuple[F64, F64, F64, F64]] = []

    def predict(self, times: F64, pos: F64, vel: F64, horizons: F64) -> F64:
        self.calls.append((times, pos, vel, horizons))
        out = predict_constant_velocity(times, pos, vel, horizons) + self.offset
        if self.nan_row is not None:
            out[self.nan_row] = np.nan
        if self.sink is not None:
            out[:, self.sink:] *= 0.8
        return out


def test_learned_offset_arrives_rotated_into_enu(glider: dict[str, Any]) -> None:
    ids, pos, vel = _now(glider)
    offset = np.array([1000.0, -2000.0, 3000.0])  # ECEF [m]
    model = ShiftedModel(offset)
    no = np.zeros(3, bool)
    pred = predict_tracks("learned", _history(glider), T_NOW, ids, pos, vel, no,
                          np.array([True, False, True]), TAU, ORIGIN, model, period_s=PERIOD)
    np.testing.assert_array_equal(pred.modelled, [True, False, False])
    times, w_pos, w_vel, hz = model.calls[0]
    np.testing.assert_allclose(times, np.arange(330.0, T_NOW + 1.0, PERIOD))
    assert w_pos.shape == (1, times.size, 3)
    np.testing.assert_array_equal(hz, TAU)
    # the model saw the glider's ECEF states
    p_e, v_e = enu_to_ecef_states(pos[0], vel[0], ORIGIN)
    np.testing.assert_allclose(w_pos[0, -1], p_e, atol=1e-6)
    np.testing.assert_allclose(w_vel[0, -1], v_e, atol=1e-9)
    # CV in ECEF is CV in ENU (the frames differ by a fixed rotation and shift); the
    # offset is a free vector: it arrives rotated, not translated
    shift = wgs84.ecef_vec_to_enu(offset, np.radians(ORIGIN[0]), np.radians(ORIGIN[1]))
    want = pos[0] + vel[0] * TAU[:, None] + shift
    np.testing.assert_allclose(pred.path[0], want, atol=1e-4)


def test_learned_failures_fall_back_and_landing_ends_the_path(glider: dict[str, Any]) -> None:
    ids, pos, vel = _now(glider)
    h = _history(glider)
    # two gliders with full windows (5 and 9), the model returns NaN for the first
    no = np.zeros(3, bool)
    glide = np.array([True, True, False])
    pred = predict_tracks("learned", h, T_NOW, ids, pos, vel, no, glide, TAU, ORIGIN,
                          ShiftedModel(np.zeros(3), nan_row=0))
    kin = _paths("kinematic", h, T_NOW, ids, pos, vel, no, no, TAU, ORIGIN)
    np.testing.assert_array_equal(pred.modelled, [False, True, False])
    np.testing.assert_array_equal(pred.path[0], kin[0])
    # a path that goes below the ellipsoid ends there: NaN from that sample on
    pred = predict_tracks("learned", h, T_NOW, ids, pos, vel, no, glide, TAU, ORIGIN,
                          ShiftedModel(np.zeros(3), sink=40))
    np.testing.assert_array_equal(pred.modelled, [True, True, False])
    assert np.isfinite(pred.path[:2, :40]).all() and np.isnan(pred.path[:2, 40:]).all()


def test_bad_arguments(glider: dict[str, Any]) -> None:
    ids, pos, vel = _now(glider)
    no = np.zeros(3, bool)
    args = (_history(glider), T_NOW, ids, pos, vel, no, np.ones(3, bool), TAU, ORIGIN)
    with pytest.raises(ValueError, match="unknown predictor"):
        _paths("kalman", *args)
    with pytest.raises(ValueError, match="needs a model"):
        _paths("learned", *args)

    class Wrong:
        def predict(self, times: F64, pos: F64, vel: F64, horizons: F64) -> F64:
            return np.zeros((1, 2, 3))

    with pytest.raises(ValueError, match="shape"):
        _paths("learned", *args, Wrong())


# --- interpolation on the path grid --------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(a=st.lists(st.floats(-1e4, 1e4), min_size=3, max_size=3),
       b=st.lists(st.floats(-3e3, 3e3), min_size=3, max_size=3), h=st.floats(0.0, 60.0))
def test_interpolation_is_exact_on_straight_paths(a: list[float], b: list[float],
                                                  h: float) -> None:
    tau = np.arange(3.0, 51.0)
    start, vel = np.array(a), np.array(b)
    path = start + vel * tau[:, None]
    got = interpolate_path(tau, path, start, h)
    if h > tau[-1]:
        assert np.isnan(got).all()
    else:
        np.testing.assert_allclose(got, start + vel * h, atol=1e-6)


def test_interpolation_is_linear_between_knots() -> None:
    tau = np.array([2.0, 4.0])
    path = np.array([[4.0, 0.0, 0.0], [16.0, 0.0, 0.0]])  # x = τ² at the knots
    got = interpolate_path(tau, path, np.zeros(3), 3.0)
    np.testing.assert_allclose(got, [10.0, 0.0, 0.0])
    np.testing.assert_allclose(interpolate_path(tau, path, np.zeros(3), 1.0), [2.0, 0.0, 0.0])


# --- the track filter's own prediction ("imm") ----------------------------------------------


def _tracker(motion: str) -> Any:
    """A tracker fed 12 noiseless scans (1 s apart, the last at t = 11 s) of two targets:
    one flying east at 2 km/s, 30 km up, and one circling at 0.05 rad/s."""
    from tate.tracking.tracker import Tracker, TrackerConfig

    tr = Tracker(TrackerConfig(dim=3, motion=motion, q=100.0, meas_std=20.0,
                               init_speed=3000.0))
    for t in np.arange(0.0, 12.0):
        a = 0.05 * t
        z = np.array([[-50e3 + 2000.0 * t, 0.0, 30e3],
                      [40e3 * np.cos(a), 40e3 * np.sin(a) + 100e3, 20e3]])
        tr.step(float(t), z)
    return tr


def test_filter_extrapolation_of_a_cv_track_is_its_straight_line() -> None:
    from tate.predict.paths import filter_extrapolate

    tr = _tracker("cv")
    rows = np.arange(tr.book.ids.size)
    x, _ = tr.filter.output(tr.state)
    hz = np.array([0.0, 10.0, 60.0, 120.0])
    t = float(tr.t) + 0.5  # half a second after the last scan
    got = filter_extrapolate(tr, rows, t, hz)
    want = x[:, None, :3] + x[:, None, 3:6] * (0.5 + hz)[None, :, None]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_imm_paths_are_its_predictions_on_knots_and_close_between() -> None:
    from tate.predict.paths import FILTER_KNOT_S, filter_extrapolate, filter_paths

    tr = _tracker("imm")
    rows = np.arange(tr.book.ids.size)
    t = float(tr.t)
    knots = np.arange(FILTER_KNOT_S, 121.0, FILTER_KNOT_S)
    np.testing.assert_allclose(filter_paths(tr, rows, t, knots),
                               filter_extrapolate(tr, rows, t, knots), atol=1e-6)
    mid = knots[:-1] + 0.5 * FILTER_KNOT_S  # halfway: the spline against one prediction each
    one = filter_extrapolate(tr, rows, t, mid)
    gap = np.linalg.norm(filter_paths(tr, rows, t, mid) - one, axis=2)
    now = filter_extrapolate(tr, rows, t, np.zeros(1))
    moved = np.linalg.norm(one - now, axis=2)
    assert (gap / moved).max() < 0.005  # 0.18 % (54 m on the turning track) when written


def test_imm_predictor_uses_the_tracker_for_gliders(glider: dict[str, Any]) -> None:
    tr = _tracker("imm")
    ids = np.asarray(tr.book.ids)
    x, _ = tr.filter.output(tr.state)
    t = float(tr.t)
    is_glider = np.array([True, False])
    pred = predict_tracks("imm", TrackHistory(20.0), t, ids, x[:, :3], x[:, 3:6],
                          np.zeros(2, bool), is_glider, TAU, ORIGIN, tracker=tr)
    from tate.predict.paths import filter_paths

    np.testing.assert_array_equal(pred.modelled, is_glider)
    np.testing.assert_allclose(pred.path[0], filter_paths(tr, np.array([0]), t, TAU)[0],
                               atol=1e-3)  # through ECEF and back
    np.testing.assert_allclose(pred.path[1], x[1, :3] + x[1, 3:6] * TAU[:, None])
    with pytest.raises(ValueError, match="tracker"):
        predict_tracks("imm", TrackHistory(20.0), t, ids, x[:, :3], x[:, 3:6],
                       np.zeros(2, bool), is_glider, TAU, ORIGIN)
    # a track the tracker does not hold stays kinematic
    other = predict_tracks("imm", TrackHistory(20.0), t, ids + 1000, x[:, :3], x[:, 3:6],
                           np.zeros(2, bool), is_glider, TAU, ORIGIN, tracker=tr)
    assert not other.modelled.any()
