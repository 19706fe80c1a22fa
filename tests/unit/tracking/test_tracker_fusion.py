"""The tracker with radar measurements from several sensors, JPDA association,
covariance-growth deletion and the non-linear / IMM filters, each against an
independent expectation (the simulated truth, the measurement noise, a GNN run)."""

from __future__ import annotations

import numpy as np
import pytest

from tate.tracking.measurement import RAEMeas
from tate.tracking.metrics import gospa
from tate.tracking.motion import transition
from tate.tracking.radar import rae
from tate.tracking.tracker import Tracker, TrackerConfig, rae_to_position
from tests.unit.tracking.test_tracker import run, simulate

SENSORS = np.array([[0.0, 0.0, 20.0], [30_000.0, -10_000.0, 20.0]])
SIG = np.array([15.0, 1e-3, 1e-3])  # range [m], az, el [rad]


def _radar_scan(rng: np.random.Generator, pos: np.ndarray, s: int, pd: float = 1.0
                ) -> tuple[np.ndarray, RAEMeas]:
    seen = rng.random(pos.shape[0]) < pd
    z = rae(pos[seen] - SENSORS[s]) + rng.normal(size=(int(seen.sum()), 3)) * SIG
    R = np.broadcast_to(np.diag(SIG**2), (z.shape[0], 3, 3)).copy()
    return z, RAEMeas(SENSORS[s], R)


def test_rae_to_position_inverts_the_measurement_and_its_covariance() -> None:
    rng = np.random.default_rng(4)
    pos = rng.uniform([-80e3, -80e3, 1e3], [80e3, 80e3, 40e3], size=(200, 3))
    meas = RAEMeas(SENSORS[1], np.diag(SIG**2))
    back, cov = rae_to_position(meas, rae(pos - SENSORS[1]))
    np.testing.assert_allclose(back, pos, atol=1e-6)
    # covariance against Monte Carlo of the exact inverse mapping at one point
    p0 = pos[:1]
    z0 = rae(p0 - SENSORS[1])
    draws = z0 + rng.normal(size=(200_000, 3)) * SIG
    pts, _ = rae_to_position(RAEMeas(SENSORS[1], np.diag(SIG**2)), draws)
    emp = np.cov(pts.T)
    # sampling standard error of a covariance entry ≈ √(σ_ii σ_jj / N); allow 4 of them
    # plus 2 % for the first-order (linearised) mapping
    sd = np.sqrt(np.diag(emp))
    tol = 4.0 * np.outer(sd, sd) / np.sqrt(draws.shape[0]) + 0.02 * np.abs(emp)
    assert np.all(np.abs(cov[0] - emp) <= tol)


def test_two_radars_fused_in_time_order_track_three_targets() -> None:
    rng = np.random.default_rng(11)
    F = transition("cv", [1.0], 3)[0]
    x = np.array([[20e3, 40e3, 9e3, -250.0, -10.0, 0.0],
                  [25e3, 38e3, 12e3, -240.0, 30.0, 0.0],
                  [-30e3, 50e3, 3e3, 200.0, -100.0, 0.0]])
    tracker = Tracker(TrackerConfig(dim=3, q=1.0, init_speed=400.0, confirm_m=3, confirm_n=4,
                                    max_pos_std=5e3))
    errors, nees = [], []
    for k in range(60):
        t = 0.5 * k
        x = x @ transition("cv", [0.5], 3)[0].T if k else x
        s = k % 2  # the radars alternate every half second
        z, meas = _radar_scan(rng, x[:, :3], s, pd=0.9)
        rows = tracker.step(t, z, meas)
        if k >= 20:
            assert rows.ids.size == 3
            g = gospa(x[:, :3], rows.x[:, :3], c=500.0, p=1.0, alpha=2.0)
            assert g.missed == 0 and g.false == 0
            e = rows.x[g.assignment, :3] - x[:, :3]
            errors.append(np.linalg.norm(e, axis=1))
            Pi = np.linalg.inv(rows.P[g.assignment, :3, :3])
            nees.append(np.einsum("ni,nij,nj->n", e, Pi, e))
    del F
    # cross-range noise at ~40 km is 40 m per axis, range 15 m: one raw fix is ~60 m off;
    # the filtered position must do clearly better
    assert np.sqrt(np.mean(np.square(errors))) < 40.0
    # and the covariance must be honest: mean NEES (3 dof) well inside a broad band
    assert 1.0 < np.mean(nees) < 6.0


def test_jpda_tracks_the_reference_scenario_as_well_as_gnn() -> None:
    truths, scans_z = simulate(5, n_targets=8, scans=60)
    base = dict(q=0.5, meas_std=2.0, init_speed=15.0, confirm_m=3, confirm_n=3)
    gnn = np.mean(run(truths, scans_z, TrackerConfig(**base))[10:])
    jpda = np.mean(run(truths, scans_z, TrackerConfig(associator="jpda", pd=0.9, **base))[10:])
    # 8 targets at ~2 m each plus rare misses: both near the localisation floor, JPDA
    # within 15 % of GNN on this well-separated scene
    assert jpda < 8 * 2.5 + 5.0
    assert jpda < 1.15 * gnn


def test_covariance_growth_deletes_a_coasting_track_before_the_miss_count() -> None:
    cfg = dict(confirm_m=2, confirm_n=3, delete_after=10, q=50.0, init_speed=20.0)
    loose = Tracker(TrackerConfig(**cfg))
    tight = Tracker(TrackerConfig(max_pos_std=30.0, **cfg))
    for tr in (loose, tight):
        for t in range(3):
            tr.step(float(t), np.array([[0.0, 0.0]]))
    alive_loose, alive_tight = [], []
    for t in range(3, 10):
        alive_loose.append(loose.step(float(t), np.empty((0, 2))).ids.size)
        alive_tight.append(tight.step(float(t), np.empty((0, 2))).ids.size)
    assert all(n == 1 for n in alive_loose)  # 7 misses < delete_after = 10
    assert alive_tight[-1] == 0 and alive_tight[0] == 1
    # it died exactly when √trace(P_pos) first exceeded 30 m
    probe = Tracker(TrackerConfig(**cfg))
    for t in range(3):
        probe.step(float(t), np.array([[0.0, 0.0]]))
    died = None
    for t in range(3, 10):
        rows = probe.step(float(t), np.empty((0, 2)))
        if np.sqrt(rows.P[0, 0, 0] + rows.P[0, 1, 1]) > 30.0:
            died = t
            break
    assert died is not None and alive_tight[died - 3] == 0 and alive_tight[died - 4] == 1


@pytest.mark.parametrize("motion", ["ct", "imm"])
def test_turn_models_follow_a_turning_target_better_than_cv(motion: str) -> None:
    rng = np.random.default_rng(2)
    w = np.radians(6.0)  # 6 deg/s turn at 250 m/s after 20 s straight
    t = np.arange(0.0, 60.0, 1.0)
    heading = np.where(t < 20, 0.0, w * (t - 20))
    v = 250.0
    vx, vy = v * np.sin(heading), v * np.cos(heading)
    px = np.concatenate([[0.0], np.cumsum(0.5 * (vx[1:] + vx[:-1]))])
    py = np.concatenate([[0.0], np.cumsum(0.5 * (vy[1:] + vy[:-1]))])
    truth = np.column_stack([px, py])
    z = truth + rng.normal(scale=20.0, size=truth.shape)
    err = {}
    for name, q in (("cv", 1.0), (motion, 1.0)):
        tr = Tracker(TrackerConfig(motion=name, q=q, meas_std=20.0, init_speed=300.0,
                                   confirm_m=2, confirm_n=3, delete_after=5))
        e = []
        for k in range(t.size):
            rows = tr.step(float(t[k]), z[k:k + 1])
            if t[k] >= 30 and rows.ids.size:
                e.append(np.linalg.norm(rows.x[0, :2] - truth[k]))
        err[name] = float(np.sqrt(np.mean(np.square(e))))
    assert err[motion] < 0.8 * err["cv"], err


def test_track_score_is_the_summed_log_likelihood_ratio() -> None:
    from scipy.stats import multivariate_normal

    from tate.tracking.kalman import kf_predict, kf_update
    from tate.tracking.motion import process_noise

    lam, pd, sig, q, v0 = 1e-4, 0.9, 2.0, 0.5, 15.0
    tracker = Tracker(TrackerConfig(q=q, meas_std=sig, init_speed=v0, confirm_m=1,
                                    confirm_n=1, delete_after=5, pd=pd, clutter_density=lam))
    zs = [np.array([[0.0, 0.0]]), np.array([[10.0, 4.0]]), np.empty((0, 2)),
          np.array([[31.0, 11.0]]), np.array([[40.0, 16.0]])]
    # the same filter by hand: KF on CV, one-point initiation, score from the textbook
    x = np.array([[0.0, 0.0, 0.0, 0.0]])
    P = np.diag([sig**2, sig**2, v0**2, v0**2])[None]
    H = np.hstack([np.eye(2), np.zeros((2, 2))])
    R = sig**2 * np.eye(2)
    F, Q = transition("cv", [1.0], 2)[0], process_noise("cv", [1.0], q, 2)[0]
    expected = 0.0
    for t, z in enumerate(zs):
        rows = tracker.step(float(t), z)
        if t == 0:
            continue
        x, P = kf_predict(x, P, F, Q)
        if z.shape[0]:
            S = H @ P[0] @ H.T + R
            expected += np.log(pd) + multivariate_normal(H @ x[0], S).logpdf(z[0]) - np.log(lam)
            x, P, _ = kf_update(x, P, z, H, R)
        else:
            expected += np.log(1 - pd)
        assert rows.score[0] == pytest.approx(expected, rel=1e-9)
        np.testing.assert_allclose(rows.x[0], x[0], rtol=1e-9, atol=1e-9)


def test_rotated_radar_measurement_matches_the_sensors_own_aer() -> None:
    """A radar 300 km from the tracker origin: the measurement model with the rotation
    from tracker axes to the sensor's ENU axes equals pymap3d-style geodetic AER computed
    through ECEF (tate.earth.wgs84.ecef_to_aer), and rae_to_position inverts it."""
    from tate.earth import wgs84
    from tate.tracking.measurement import predict_measurement

    o_lat, o_lon = np.radians(20.0), np.radians(160.0)
    s_lat, s_lon, s_alt = np.radians(21.5), np.radians(162.2), 6000.0
    s_ecef = wgs84.geodetic_to_ecef(s_lat, s_lon, s_alt)
    s_enu = wgs84.ecef_to_enu(s_ecef, o_lat, o_lon, 0.0)
    rot = wgs84.enu_matrix(s_lat, s_lon) @ wgs84.enu_matrix(o_lat, o_lon).T
    rng = np.random.default_rng(1)
    tgt_enu = s_enu + rng.uniform([-150e3, -150e3, -5e3], [150e3, 150e3, 30e3], size=(50, 3))
    meas = RAEMeas(s_enu, np.diag(SIG**2), rotation=rot)
    z = predict_measurement(meas, tgt_enu)
    tgt_ecef = wgs84.enu_to_ecef(tgt_enu, o_lat, o_lon, 0.0)
    az, el, rng_m = wgs84.ecef_to_aer(tgt_ecef, s_lat, s_lon, s_alt)
    np.testing.assert_allclose(z[:, 0], rng_m, rtol=1e-12)
    np.testing.assert_allclose(np.cos(z[:, 1] - az), 1.0, atol=1e-12)
    np.testing.assert_allclose(z[:, 2], el, atol=1e-12)
    back, _ = rae_to_position(meas, z)
    np.testing.assert_allclose(back, tgt_enu, atol=1e-5)
    # Jacobian of the rotated model against central differences
    from tate.tracking.measurement import measurement_jacobian

    J = measurement_jacobian(meas, tgt_enu[:5])
    h = 1.0
    for i in range(3):
        step = np.zeros(3)
        step[i] = h
        num = (predict_measurement(meas, tgt_enu[:5] + step)
               - predict_measurement(meas, tgt_enu[:5] - step)) / (2 * h)
        np.testing.assert_allclose(J[:, :, i], num, rtol=1e-5, atol=1e-10)


def test_mean_nis_of_a_matched_filter_is_its_dimension() -> None:
    # one well-separated target, matched CV model and noise: NIS ~ chi-square(2), mean 2,
    # standard error of the mean sqrt(2 * 2 / N)
    rng = np.random.default_rng(21)
    from tate.tracking.motion import process_noise

    F = transition("cv", [1.0], 2)[0]
    L = np.linalg.cholesky(process_noise("cv", [1.0], 0.5, 2)[0])
    x = np.array([0.0, 0.0, 5.0, -3.0])
    tracker = Tracker(TrackerConfig(q=0.5, meas_std=2.0, init_speed=10.0, confirm_m=2,
                                    confirm_n=2, delete_after=50))
    for t in range(2000):
        x = F @ x + L @ rng.normal(size=4)
        tracker.step(float(t), (x[:2] + rng.normal(scale=2.0, size=2))[None])
    mean, dof = tracker.mean_nis or (np.nan, 0)
    assert dof == 2
    assert abs(mean - 2.0) < 4 * np.sqrt(4.0 / 1998)


def test_time_based_confirmation_and_deletion_for_sparse_revisits() -> None:
    # a sensor reports every 0.5 s but sees this target only every 4 s (a search frame):
    # 3-of-3 scan logic never confirms it; 3 detections within 12 s does
    scan_cfg = TrackerConfig(confirm_m=3, confirm_n=3, q=1.0, init_speed=20.0)
    time_cfg = TrackerConfig(confirm_m=3, confirm_n=3, q=1.0, init_speed=20.0,
                             confirm_window_s=12.0, delete_after_s=10.0)
    by_scans, by_time = Tracker(scan_cfg), Tracker(time_cfg)
    confirmed_at = None
    for k in range(60):
        t = 0.5 * k
        seen = k % 8 == 0 and t <= 16.0  # detections at 0, 4, 8, 12, 16 s, then none
        z = np.array([[10.0 * t, 0.0]]) if seen else np.empty((0, 2))
        a = by_scans.step(t, z)
        b = by_time.step(t, z)
        assert a.ids.size == 0
        if b.ids.size and confirmed_at is None:
            confirmed_at = t
        if confirmed_at is not None and t <= 16.0 + 10.0:
            assert b.ids.size == 1  # held until 10 s after the last detection
    assert confirmed_at == 8.0  # the third detection, within 12 s of the first
    assert by_time.confirmed().ids.size == 0  # deleted 10 s after the detection at 16 s
