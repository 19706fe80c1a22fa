"""Detection generation: streams, determinism, horizon, P_d, false alarms, accuracy.

The raids here are synthetic flights of bodies that hover (or fly straight) at known
places, so the geometry, SNR and P_d can be computed independently of the simulator
with :mod:`tate.earth.wgs84` and the radar kernels.  Oracles: binomial and Poisson
sampling error, the chi-square law of normalised measurement errors, exact linear
motion for the truth interpolation, and bit-for-bit comparison of tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.stats import binom, chi2

from tate.earth import wgs84
from tate.flight.fly import FlightResult
from tate.scenario import loads_scenario
from tate.sensors import radar
from tate.sensors.presets import RADARS
from tate.sensors.rcs import rcs_m2
from tate.sensors.simulate import TruthTracks, sensor_rng, simulate_detections, truth_from_flight

SHIP = """
name = "t"
epoch_utc = "2030-01-01T00:00:00Z"

[[ships]]
id = "S"
class = "ddg51-flight2a"
lat_deg = 20.0
lon_deg = 150.0
heading_deg = 0
speed_kn = 0
radars = ["spy1d-like"]

[[threats]]
id = "T"
model = "drone"
launch = { lat_deg = 20.5, lon_deg = 150.0 }
aim = { ship = "S" }
"""

#: a radar on a drone flying north from near the ship (appended to :data:`SHIP`)
UAV = """
[[sensors]]
id = "UAV"
type = "radar"
preset = "airborne-aesa-like"
platform = "drone"
lat_deg = 20.2
lon_deg = 150.0
alt_m = 6000
waypoints = [{ lat_deg = 20.6, lon_deg = 150.0 }]
speed_mps = 50
"""
SPEC = RADARS["spy1d-like"]
SHIP_LAT, SHIP_LON = np.radians(20.0), np.radians(150.0)


def hover_flight(bodies: list[tuple[str, float, float, float]], t_end: float) -> FlightResult:
    """A flight of 'drone' bodies hovering at (az_deg, ground range_m, alt_m) from the ship,
    recorded every second from 0 to ``t_end``."""
    t = np.arange(0.0, t_end + 0.5, 1.0)
    cols: dict[str, list[Any]] = {k: [] for k in ("time_s", "id", "model", "lat_deg", "lon_deg",
                                                  "alt_m", "vn_mps", "ve_mps", "vd_mps")}
    from tate.earth.geodesic import destination

    for name, az_deg, ground_m, alt in bodies:
        lat, lon = destination(SHIP_LAT, SHIP_LON, np.radians(az_deg), ground_m)
        for key, value in (("time_s", t), ("id", [name] * t.size), ("model", ["drone"] * t.size),
                           ("lat_deg", np.full(t.size, np.degrees(lat))),
                           ("lon_deg", np.full(t.size, np.degrees(lon))),
                           ("alt_m", np.full(t.size, alt)), ("vn_mps", np.zeros(t.size)),
                           ("ve_mps", np.zeros(t.size)), ("vd_mps", np.zeros(t.size))):
            cols[key].extend(list(value))
    traj = {k: np.array(v, dtype=object if k in ("id", "model") else float)
            for k, v in cols.items()}
    ids = np.array([b[0] for b in bodies], dtype=object)
    events = {"time_s": np.empty(0), "id": np.empty(0, object), "event": np.empty(0, object)}
    return FlightResult("terminated", "", traj, {"id": ids}, events, "", None)


def body_geometry(flight: FlightResult, name: str) -> tuple[float, float, float, float]:
    """Range, az, el [m, rad] of a hovering body from the radar antenna, and its mean P_d."""
    tr = flight.trajectory
    j = np.flatnonzero(tr["id"] == name)[0]
    pos = wgs84.geodetic_to_ecef(np.radians(tr["lat_deg"][j]), np.radians(tr["lon_deg"][j]),
                                 tr["alt_m"][j])
    az, el, rng = wgs84.ecef_to_aer(pos, SHIP_LAT, SHIP_LON, SPEC.mast_height_m)
    _, off = radar.face_geometry(SPEC, 0.0, az, el)
    snr = radar.snr_db(SPEC, rng, rcs_m2("drone", 0.0), off)
    return float(rng), float(az), float(el), float(radar.pd(SPEC, snr))


def looks_and_hits(run: Any, sensor: str, truth_id: str) -> tuple[int, int]:
    det = run.detections
    hits = int(np.sum((det["sensor_id"] == sensor) & (det["truth_id"] == truth_id)))
    return int(run.load["n_looks"][run.load["sensor_id"] == sensor].sum()), hits


SCN = loads_scenario(SHIP)


def test_stream_depends_only_on_seed_and_sensor() -> None:
    a = sensor_rng(5, "S/spy1d-like").random(4)
    assert np.array_equal(a, sensor_rng(5, "S/spy1d-like").random(4))
    assert not np.array_equal(a, sensor_rng(5, "S/spy6-like").random(4))
    assert not np.array_equal(a, sensor_rng(6, "S/spy1d-like").random(4))


def test_beyond_the_horizon_never_inside_at_high_snr_nearly_always() -> None:
    # 4/3-Earth horizon from 20 m to 100 m: 18.4 + 41.2 = 59.6 km; FAR is at 80 km, with a
    # boresight SNR of 30 dB it would be seen every look without the horizon
    far = hover_flight([("FAR", 90.0, 80e3, 100.0)], 600.0)
    assert radar.snr_db(SPEC, 80e3, rcs_m2("drone", 0.0)) > 25.0
    run = simulate_detections(SCN, far, seed=1)
    looks, hits = looks_and_hits(run, "S/spy1d-like", "FAR")
    assert looks >= 600 // SPEC.search_frame_s and hits == 0  # one search look a frame
    near = hover_flight([("NEAR", 45.0, 20e3, 1000.0)], 600.0)
    _, _, _, p = body_geometry(near, "NEAR")
    assert p > 0.999
    run = simulate_detections(SCN, near, seed=1)
    looks, hits = looks_and_hits(run, "S/spy1d-like", "NEAR")
    assert looks > 500
    assert looks - hits <= binom.ppf(1.0 - 1e-4, looks, 1.0 - p)


def test_detection_rate_at_mid_snr_matches_pd() -> None:
    # A body about 166 km out at 5 km altitude: SNR near 13 dB, P_d near one half.
    flight = hover_flight([("MID", 30.0, 166e3, 5000.0)], 3000.0)
    _, _, _, p = body_geometry(flight, "MID")
    assert 0.3 < p < 0.7
    run = simulate_detections(SCN, flight, seed=2)
    looks, hits = looks_and_hits(run, "S/spy1d-like", "MID")
    assert looks > 500
    sigma = np.sqrt(p * (1 - p) / looks)
    assert abs(hits / looks - p) < 4.0 * sigma, (hits, looks, p)


def test_false_alarm_count_matches_the_poisson_mean() -> None:
    flight = hover_flight([("FAR", 90.0, 300e3, 10.0)], 3000.0)  # never seen: no track load
    run = simulate_detections(SCN, flight, seed=3)
    load = run.load
    expected = float(np.sum(radar.false_alarms_per_frame(SPEC) * run.dt_s
                            / load["search_frame_s_effective"]))
    assert expected == pytest.approx(3001.0 / SPEC.search_frame_s, rel=1e-3)  # 1e6 cells x 1e-6
    count = int(np.sum(run.detections["truth_id"] == ""))
    assert abs(count - expected) < 4.0 * np.sqrt(expected), (count, expected)
    fa = {k: v[run.detections["truth_id"] == ""] for k, v in run.detections.items()}
    assert np.all((fa["range_m"] > 0) & (fa["range_m"] <= SPEC.max_range_m))
    el = np.radians(fa["el_deg"])
    assert np.all((el >= SPEC.min_el_rad) & (el <= SPEC.max_el_rad))
    # uniform over the cells: the mean range is half the instrumented range
    assert fa["range_m"].mean() == pytest.approx(SPEC.max_range_m / 2, rel=4 / np.sqrt(count))


def test_measurement_errors_follow_measurement_std() -> None:
    flight = hover_flight([("NEAR", 45.0, 40e3, 3000.0)], 400.0)
    rng_t, az_t, el_t, _ = body_geometry(flight, "NEAR")
    run = simulate_detections(SCN, flight, seed=4)
    det = {k: v[run.detections["truth_id"] == "NEAR"] for k, v in run.detections.items()}
    n = det["time_s"].size
    assert n > 300
    z_r = (det["range_m"] - rng_t) / det["range_std_m"]
    daz = np.angle(np.exp(1j * (np.radians(det["az_deg"]) - az_t)))
    z_a = daz / np.radians(det["az_std_deg"])
    z_e = (np.radians(det["el_deg"]) - el_t) / np.radians(det["el_std_deg"])
    for z in (z_r, z_a, z_e):
        stat = float(np.sum(z * z))
        assert chi2.ppf(1e-4, n) < stat < chi2.ppf(1 - 1e-4, n)
    # and the std columns are the radar's measurement_std at that SNR
    snr = det["snr_db"][0]
    _, off = radar.face_geometry(SPEC, 0.0, az_t, el_t)
    s_r, s_a, _ = radar.measurement_std(SPEC, snr, off)
    assert det["range_std_m"][0] == pytest.approx(float(s_r))
    assert det["az_std_deg"][0] == pytest.approx(np.degrees(float(s_a)))


def test_adding_a_sensor_leaves_another_sensors_detections_bit_identical() -> None:
    flight = hover_flight([("A", 10.0, 120e3, 4000.0), ("B", 200.0, 60e3, 2000.0)], 300.0)
    extra = SHIP + """
[[sensors]]
id = "POST"
type = "radar"
preset = "spy6-like"
platform = "fixed"
lat_deg = 20.3
lon_deg = 150.2
"""
    one = simulate_detections(SCN, flight, seed=9)
    two = simulate_detections(loads_scenario(extra), flight, seed=9)
    assert set(two.detections["sensor_id"]) == {"S/spy1d-like", "POST"}
    mine = {k: v[two.detections["sensor_id"] == "S/spy1d-like"] for k, v in two.detections.items()}
    for key, col in one.detections.items():
        assert np.array_equal(col, mine[key], equal_nan=col.dtype.kind == "f"), key


def test_same_seed_same_tables_other_seed_other_draws() -> None:
    flight = hover_flight([("A", 10.0, 150e3, 4000.0), ("B", 200.0, 60e3, 2000.0)], 300.0)
    a = simulate_detections(SCN, flight, seed=11)
    b = simulate_detections(SCN, flight, seed=11)
    c = simulate_detections(SCN, flight, seed=12)
    for name in ("detections", "sensors", "truth", "load"):
        ta, tb = getattr(a, name), getattr(b, name)
        assert list(ta) == list(tb)
        for key in ta:
            kind = ta[key].dtype.kind
            assert np.array_equal(ta[key], tb[key], equal_nan=kind == "f"), (name, key)
    assert not np.array_equal(a.detections["range_m"][:50], c.detections["range_m"][:50])
    assert list(a.detections) == ["time_s", "sensor_id", "range_m", "az_deg", "el_deg",
                                  "range_std_m", "az_std_deg", "el_std_deg", "snr_db",
                                  "truth_id"]
    assert np.all(np.diff(a.detections["time_s"]) >= 0)


def test_truth_interpolation_is_exact_for_straight_ecef_motion() -> None:
    p0 = wgs84.geodetic_to_ecef(SHIP_LAT, SHIP_LON, 10_000.0)
    v = np.array([120.0, -340.0, 55.0])
    t = np.arange(5.0, 100.0, 1.0)
    pos = p0 + t[:, None] * v
    lat, lon, alt = wgs84.ecef_to_geodetic(pos)
    ned = wgs84.ecef_vec_to_ned(np.broadcast_to(v, pos.shape), lat, lon)
    traj = {"time_s": t, "id": np.array(["X"] * t.size, object),
            "model": np.array(["cruise"] * t.size, object), "lat_deg": np.degrees(lat),
            "lon_deg": np.degrees(lon), "alt_m": alt, "vn_mps": ned[:, 0], "ve_mps": ned[:, 1],
            "vd_mps": ned[:, 2]}
    events = {"time_s": np.empty(0), "id": np.empty(0, object), "event": np.empty(0, object)}
    truth: TruthTracks = truth_from_flight(
        FlightResult("terminated", "", traj, {"id": np.array(["X"], object)}, events, "", None))
    q = np.array([4.0, 5.0, 17.37, 50.5, 99.0, 99.5])
    got, vel, alive = truth.at(q)
    assert alive[:, 0].tolist() == [False, True, True, True, True, False]
    exact = p0 + q[1:5, None] * v
    assert np.max(np.abs(got[1:5, 0] - exact)) < 1e-5
    assert np.max(np.abs(vel[1:5, 0] - v)) < 1e-6
    assert np.isnan(got[0, 0]).all()


def test_truth_table_frame_and_sensor_rows() -> None:
    flight = hover_flight([("UP", 0.0, 0.0, 7000.0)], 20.0)  # straight above the ship
    scn = loads_scenario(SHIP + UAV)
    run = simulate_detections(scn, flight, seed=0, dt_s=0.5)
    assert run.origin == (20.0, 150.0, 0.0)
    assert run.metadata["origin_lat_deg"] == "20.0"
    tr = run.truth
    assert tr["time_s"].tolist() == pytest.approx(np.arange(0.0, 20.5, 0.5).tolist())
    assert np.abs(tr["x_m"]).max() < 1e-3 and np.abs(tr["y_m"]).max() < 1e-3
    assert tr["z_m"] == pytest.approx(7000.0, abs=1e-3)
    sens = run.sensors
    ship_rows = sens["sensor_id"] == "S/spy1d-like"
    assert sens["time_s"][ship_rows].tolist() == [0.0]
    uav = sens["sensor_id"] == "UAV"
    assert sens["time_s"][uav].tolist() == tr["time_s"].tolist()
    # the drone flies north at 50 m/s: 0.45 deg of latitude in 1000 s, here 20 s
    dlat = sens["lat_deg"][uav][-1] - sens["lat_deg"][uav][0]
    assert dlat * np.radians(1.0) * wgs84.R_MEAN == pytest.approx(50.0 * 20.0, rel=1e-6)
    assert sens["heading_deg"][uav] == pytest.approx(0.0, abs=1e-6)


def test_body_rows_name_the_truth_ids() -> None:
    # SensorRun.body (the engine's threat lookup) is each detection's row in targets
    flight = hover_flight([("NEAR", 30.0, 120e3, 5000.0), ("MID", 60.0, 166e3, 5000.0)],
                          300.0)
    run = simulate_detections(SCN, flight, seed=5)
    assert run.body is not None and run.body[0] is run.detections["truth_id"]
    body = run.body[1]
    names = np.append(run.targets["target_id"], "")  # −1 (false alarm) reads ""
    assert names[body].tolist() == run.detections["truth_id"].tolist()
    assert (body >= 0).any() and (body == -1).any()
