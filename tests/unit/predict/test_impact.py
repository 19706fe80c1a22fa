"""Impact-point predictors (tate.predict.impact) against closed forms and a second method."""

from __future__ import annotations

import numpy as np
import pytest

from tate.earth import wgs84
from tate.predict import impact as I
from tate.predict.features import local_frame
from tate.predict.glide import FrameOptions, GlideFit, _rk4_step

G0 = 9.80665


def _state(lat_deg: float, lon_deg: float, alt: float, enu_v: list[float]
           ) -> tuple[np.ndarray, np.ndarray]:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return (np.asarray(wgs84.geodetic_to_ecef(lat, lon, alt))[None],
            np.asarray(wgs84.enu_vec_to_ecef(np.array(enu_v, float), lat, lon))[None])


@pytest.mark.parametrize("vz", [0.0, -500.0, 300.0])
def test_ballistic_fall_solves_the_flat_earth_parabola(vz: float) -> None:
    h, vh = 30e3, 2000.0
    pos, vel = _state(0.0, 0.0, h, [vh, 0.0, vz])
    pts, t = I.ballistic_ipp(pos, vel)
    # the root of h + vz t − g t²/2 = 0, checked by substitution (not by the formula)
    assert h + vz * t[0] - 0.5 * G0 * t[0] ** 2 == pytest.approx(0.0, abs=1e-6)
    assert t[0] > 0
    lat, lon, alt = wgs84.ecef_to_geodetic(pts)
    assert float(alt[0]) == pytest.approx(0.0, abs=1e-3)
    assert float(np.degrees(lat[0])) == pytest.approx(0.0, abs=1e-9)
    # the ground distance east: vh·t in the tangent plane, within the curvature's ~0.1 %
    ground_km = float(lon[0]) * wgs84.A / 1e3
    assert ground_km == pytest.approx(vh * t[0] / 1e3, rel=2e-3)


def test_line_to_asset_reaches_the_asset_ahead_and_none_behind() -> None:
    # 500 km west of an asset on the equator, heading east at 2.5 km/s, 40 km up
    lat_a, lon_a = 0.0, 10.0
    asset = np.asarray(wgs84.geodetic_to_ecef(0.0, np.radians(lon_a), 0.0))[None]
    d_deg = 500e3 / wgs84.A * 180 / np.pi
    pos, vel = _state(lat_a, lon_a - d_deg, 40e3, [2500.0, 0.0, 0.0])
    pts, tgo = I.line_to_asset_ipp(pos, vel, asset)
    assert float(np.linalg.norm(pts[0] - asset[0])) < 50.0
    # the arc at the flight's radius (40 km above the ground's 500 km) at 2.5 km/s
    assert tgo[0] == pytest.approx(500e3 * (1 + 40e3 / wgs84.A) / 2500.0, rel=1e-3)
    # flying west, the asset is behind: no point
    pts2, tgo2 = I.line_to_asset_ipp(pos, -vel, asset)
    assert np.isnan(pts2).all() and np.isnan(tgo2).all()
    # two assets ahead: the one passed nearest is taken, not the first reached
    off = np.asarray(wgs84.geodetic_to_ecef(np.radians(1.0), np.radians(lon_a - d_deg / 2),
                                            0.0))[None]
    pts3, _ = I.line_to_asset_ipp(pos, vel, np.concatenate([off, asset]))
    assert float(np.linalg.norm(pts3[0] - asset[0])) < 50.0


def _flown_window(fit: GlideFit, p0: np.ndarray, v0: np.ndarray, tw: np.ndarray, dt: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    inv_beta = 1.0 / fit.beta
    k_l, k_s = fit.lift_to_drag * np.cos(fit.bank), fit.lift_to_drag * np.sin(fit.bank)
    r, v = p0.T.copy(), v0.T.copy()
    pos, vel, t = [r.T.copy()], [v.T.copy()], 0.0
    for nxt in tw[1:]:
        n = round((nxt - t) / dt)
        for _ in range(n):
            r, v = _rk4_step(r, v, (nxt - t) / n, inv_beta, k_l, k_s, FrameOptions())
        t = nxt
        pos.append(r.T.copy())
        vel.append(v.T.copy())
    return np.stack(pos, axis=1), np.stack(vel, axis=1)


def test_physics_landing_matches_a_fine_step_flight() -> None:
    fit = GlideFit(beta=np.array([8000.0]), lift_to_drag=np.array([1.5]),
                   bank=np.array([0.4]), drag=np.zeros(1), lift_vert=np.zeros(1),
                   lift_side=np.zeros(1))
    p0, v0 = _state(10.0, 140.0, 30e3, [1800.0, 300.0, -50.0])
    tw = np.arange(11) * 2.0
    pos, vel = _flown_window(fit, p0, v0, tw, 0.01)
    pts, tgo, landed = I.physics_ipp(tw, pos, vel)
    assert landed[0]
    # second method: the true parameters flown on at 0.05 s from the window's end, the
    # crossing of the ellipsoid found by bisection on the step
    r, v, t = pos[0, -1][:, None].copy(), vel[0, -1][:, None].copy(), 0.0
    inv_b = 1.0 / fit.beta
    k_l, k_s = fit.lift_to_drag * np.cos(fit.bank), fit.lift_to_drag * np.sin(fit.bank)
    h = 0.05
    while True:
        r2, v2 = _rk4_step(r, v, h, inv_b, k_l, k_s, FrameOptions())
        if float(wgs84.geodetic_altitude(r2.T)[0]) < 0:
            lo, hi = 0.0, h
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                rm, _ = _rk4_step(r, v, mid, inv_b, k_l, k_s, FrameOptions())
                lo, hi = (mid, hi) if float(wgs84.geodetic_altitude(rm.T)[0]) > 0 else (lo, mid)
            r, t = _rk4_step(r, v, lo, inv_b, k_l, k_s, FrameOptions())[0], t + lo
            break
        r, v, t = r2, v2, t + h
    assert 30.0 < t < I.LIMIT_S
    # the refit on the window, 5 s steps and the linear crossing: within 0.1 % of the
    # ~250 km flown (60 m when written)
    assert float(np.linalg.norm(pts[0] - r[:, 0])) < 1e-3 * np.linalg.norm(
        r[:, 0] - pos[0, -1])
    assert tgo[0] == pytest.approx(t, rel=5e-3)
    # a limit too short to land: ballistic fall instead, and said so
    pts_s, tgo_s, landed_s = I.physics_ipp(tw, pos, vel, limit_s=10.0)
    b_pts, b_t = I.ballistic_ipp(pos[:, -1], vel[:, -1])
    assert not landed_s[0]
    np.testing.assert_array_equal(pts_s, b_pts)
    np.testing.assert_array_equal(tgo_s, b_t)


def test_offsets_round_trip_to_ground_points() -> None:
    rng = np.random.default_rng(4)
    lat, lon = rng.uniform(-1, 1, 6), rng.uniform(0, 3, 6)
    last = np.asarray(wgs84.geodetic_to_ecef(lat, lon, rng.uniform(2e4, 5e4, 6)))
    vel = rng.normal(0, 1500, (6, 3))
    impact = np.asarray(wgs84.geodetic_to_ecef(lat + 0.01, lon - 0.02, np.zeros(6)))
    tgo = rng.uniform(10, 400, 6)
    frame = local_frame(last, vel)
    pts, t = I.points_from_offsets(frame, last, I.impact_targets(frame, last, impact, tgo))
    np.testing.assert_allclose(pts, impact, atol=1e-6)
    np.testing.assert_allclose(t, tgo)


def test_evaluation_pairs_the_predictors_and_bins_by_time_to_go() -> None:
    lat = np.radians(np.linspace(0, 1, 8))
    truth_pts = np.asarray(wgs84.geodetic_to_ecef(lat, np.zeros(8), np.zeros(8)))
    tgo = np.array([10.0, 50.0, 70.0, 100.0, 150.0, 200.0, 300.0, 400.0])
    run = np.arange(8, dtype=np.int64) % 3
    up = truth_pts / np.linalg.norm(truth_pts, axis=1)[:, None]
    a = (truth_pts + 1000.0 * up, tgo + 5.0)  # 1 km off everywhere, 5 s late
    b_pts = truth_pts + 2000.0 * up
    b_pts[1] = np.nan  # no point for the second window (time to go 50 s)
    ev = I.evaluate_impact(run, (truth_pts, tgo), {"a": a, "b": (b_pts, tgo)}, seed=0)
    assert [k for k in ev] == ["0-60", "60-120", "120-240", "240-inf", "all"]
    assert ev["0-60"]["n"] == 1 and ev["60-120"]["n"] == 2 and ev["all"]["n"] == 7
    assert ev["all"]["a"]["rms_m"] == pytest.approx(1000.0)
    assert ev["all"]["b"]["median_m"] == pytest.approx(2000.0)
    assert ev["all"]["a"]["tgo_rms_s"] == pytest.approx(5.0)
    assert ev["0-60"]["b"]["no_point"] == pytest.approx(0.5)
    assert ev["0-60"]["a"]["no_point"] == 0.0
