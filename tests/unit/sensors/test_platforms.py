"""Sensor platforms and the scenario's ``sensors`` section.

Oracles: loop length from ECEF unit vectors (atan2 of cross and dot products, an
independent form of the haversine distance), finite differences of positions for
speed and course, coplanarity with each leg's great-circle plane, and the key paths
and values of the scenario errors written out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tate.earth import wgs84
from tate.errors import ScenarioError
from tate.scenario import loads_scenario
from tate.sensors.platforms import SensorSite, loop_position, platform_state, sensor_sites
from tate.sensors.presets import IR_SENSORS, RADARS

HEAD = """
name = "t"
epoch_utc = "2030-01-01T00:00:00Z"

[[ships]]
id = "S"
class = "ddg51-flight3"
lat_deg = 20.0
lon_deg = 150.0
heading_deg = 30
speed_kn = 10

[[threats]]
id = "D"
model = "drone"
launch = { lat_deg = 20.5, lon_deg = 150.0 }
aim = { ship = "S" }
"""

DRONE = """
[[sensors]]
id = "UAV"
type = "radar"
preset = "airborne-aesa-like"
platform = "drone"
lat_deg = 21.0
lon_deg = 149.0
alt_m = 6000
waypoints = [{ lat_deg = 21.5, lon_deg = 148.0 }, { lat_deg = 20.5, lon_deg = 147.5 }]
speed_mps = 60
"""


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)


def _arc(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Great-circle distance on the R_MEAN sphere between unit vectors, via atan2."""
    return wgs84.R_MEAN * np.arctan2(np.linalg.norm(np.cross(p, q), axis=-1),
                                     np.sum(p * q, axis=-1))


LAT = np.radians([21.0, 21.5, 20.5])
LON = np.radians([149.0, 148.0, 147.5])
SPEED = 60.0
LENGTH = float(_arc(_unit(LAT, LON), _unit(np.roll(LAT, -1), np.roll(LON, -1))).sum())


def test_loop_returns_to_its_start_after_length_over_speed() -> None:
    period = LENGTH / SPEED
    lat, lon, _ = loop_position(LAT, LON, SPEED, np.array([0.0, period, 2 * period, 0.5 * period]))
    start = _unit(LAT[:1], LON[:1])
    gap = _arc(_unit(lat, lon), np.repeat(start, 4, axis=0))
    assert gap[:3] == pytest.approx(0.0, abs=1e-3)  # back at the start, to a millimetre
    assert gap[3] > 10e3  # half way round it is elsewhere


@settings(max_examples=50, deadline=None)
@given(st.floats(0.0, 20_000.0))
def test_ground_speed_and_course_by_finite_differences(t: float) -> None:
    h = 0.5
    lat, lon, heading = loop_position(LAT, LON, SPEED, np.array([t - h, t + h, t]))
    p = _unit(lat, lon)
    period = LENGTH / SPEED
    phase = np.mod(t, period)
    # skip instants within h of a turn (the course changes there)
    cum = np.concatenate([[0.0], np.cumsum(_arc(_unit(LAT, LON),
                                                 _unit(np.roll(LAT, -1), np.roll(LON, -1))))])
    if np.min(np.abs(phase * SPEED - cum)) < 2 * h * SPEED:
        return
    assert _arc(p[0], p[1]) / (2 * h) == pytest.approx(SPEED, rel=1e-6)
    # course: direction of the chord in the local ENU frame at the midpoint
    enu = wgs84.ecef_vec_to_enu(p[1] - p[0], lat[2], lon[2])
    course = np.arctan2(enu[0], enu[1])
    assert np.angle(np.exp(1j * (course - heading[2]))) == pytest.approx(0.0, abs=1e-4)


def test_positions_lie_on_their_legs_great_circles() -> None:
    t = np.linspace(0.0, LENGTH / SPEED, 400, endpoint=False)
    lat, lon, _ = loop_position(LAT, LON, SPEED, t)
    p = _unit(lat, lon)
    corners = _unit(LAT, LON)
    normals = np.cross(corners, np.roll(corners, -1, axis=0))
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    off = np.min(np.abs(p @ normals.T), axis=1) * wgs84.R_MEAN  # distance from nearest plane
    assert off.max() < 1e-3


def test_sites_from_a_scenario() -> None:
    scn = loads_scenario(HEAD + DRONE + """
[[sensors]]
id = "SIR"
type = "ir"
preset = "space-ir-like"
platform = "space"
lat_deg = 20.0
lon_deg = 140.0
waypoints = [{ lat_deg = 10.0, lon_deg = 130.0 }]

[[sensors]]
id = "POST"
type = "radar"
preset = "spy1d-like"
platform = "fixed"
lat_deg = 30.0
lon_deg = 130.0
alt_m = 100
heading_deg = 90
""")
    sites = {s.sensor_id: s for s in sensor_sites(scn)}
    assert list(sites) == ["S/spy6-like", "S/xband-horizon-like", "UAV", "SIR", "SIR/1", "POST"]
    ship = sites["S/spy6-like"]
    assert (ship.platform, ship.kind, ship.moving) == ("ship", "radar", False)
    assert ship.alt == RADARS["spy6-like"].mast_height_m
    assert np.degrees([ship.lat, ship.lon, ship.heading]) == pytest.approx([20.0, 150.0, 30.0])
    assert sites["SIR/1"].alt == IR_SENSORS["space-ir-like"].alt_m
    assert np.degrees(sites["SIR/1"].lat) == pytest.approx(10.0)
    assert sites["POST"].alt == pytest.approx(100.0 + RADARS["spy1d-like"].mast_height_m)
    uav = sites["UAV"]
    assert uav.moving and uav.speed == 60.0 and uav.alt == 6000.0
    st_ = platform_state(uav, np.array([0.0, 100.0]))
    assert np.degrees(st_.lat[0]) == pytest.approx(21.0)
    assert st_.alt == pytest.approx([6000.0, 6000.0])
    # ECEF agrees with the geodetic columns
    lat, _, alt = wgs84.ecef_to_geodetic(st_.pos)
    assert lat == pytest.approx(st_.lat) and alt == pytest.approx(st_.alt, abs=1e-6)


def test_static_state_repeats_the_site() -> None:
    site = SensorSite("F", "radar", "spy1d-like", "fixed", 0.1, 0.2, 50.0, 1.0)
    st_ = platform_state(site, np.array([0.0, 5.0, 10.0]))
    assert st_.heading == pytest.approx([1.0] * 3)
    assert np.ptp(st_.pos, axis=0) == pytest.approx([0.0] * 3)


def test_ship_radars_default_to_the_class_and_can_be_overridden() -> None:
    scn = loads_scenario(HEAD.replace('speed_kn = 10', 'speed_kn = 10\nradars = ["spy1d-like"]'))
    assert [s.sensor_id for s in sensor_sites(scn)] == ["S/spy1d-like"]
    scn = loads_scenario(HEAD.replace('speed_kn = 10', 'speed_kn = 10\nradars = []'))
    assert sensor_sites(scn) == ()
    scn = loads_scenario(HEAD.replace("ddg51-flight3", "ddg1000-like"))
    assert [s.sensor_id for s in sensor_sites(scn)] == ["S/xband-horizon-like"]


def _error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, "f.toml")
    return info.value


@pytest.mark.parametrize(("change", "path", "words"), [
    (('preset = "airborne-aesa-like"', 'preset = "aesa"'), "sensors[0].preset",
     "unknown radar preset; valid names: spy1d-like, spy6-like, xband-horizon-like, "
     "airborne-aesa-like, got 'aesa'"),
    (('type = "radar"', 'type = "ir"'), "sensors[0].preset",
     "unknown ir preset; valid names: space-ir-like, drone-irst-like"),
    (('type = "radar"', 'type = "sonar"'), "sensors[0].type", "must be one of"),
    (('platform = "drone"', 'platform = "fixed"'), "sensors[0].waypoints",
     "not used with platform = 'fixed', got '2 waypoint(s)'"),
    (("speed_mps = 60\n", ""), "sensors[0].speed_mps",
     "missing required key for platform = 'drone'"),
    (("speed_mps = 60", "speed_mps = -1"), "sensors[0].speed_mps", "must be > 0, got -1"),
    (("alt_m = 6000", "alt = 6000"), "sensors[0].alt",
     "key 'alt' has no unit; did you mean 'alt_m'?"),
    (('platform = "drone"', 'platform = "space"'), "sensors[0].type",
     "a space platform carries IR sensors only"),
    (('platform = "drone"', 'platform = "ship"\nship = "T"'), "sensors[0].lat_deg",
     "not used with platform = 'ship'"),
])
def test_sensor_errors_name_the_key_path(change: tuple[str, str], path: str, words: str) -> None:
    err = _error(HEAD + DRONE.replace(*change))
    assert err.path == path
    assert words in str(err)
    assert str(err).startswith(f"f.toml: {path}: ")


def test_unknown_ship_in_a_sensor_platform() -> None:
    text = HEAD + '[[sensors]]\nid = "X"\ntype = "radar"\npreset = "spy1d-like"\n' \
                  'platform = "ship"\nship = "T"\n'
    err = _error(text)
    assert str(err) == "f.toml: sensors[0].ship: unknown ship id; valid ids: S, got 'T'"


def test_duplicate_sensor_id_also_against_ship_radars() -> None:
    err = _error(HEAD + DRONE.replace('id = "UAV"', 'id = "S/spy6-like"'))
    assert err.path == "sensors[0].id" and "duplicate sensor id" in err.message


def test_unknown_ship_radar_lists_the_names() -> None:
    err = _error(HEAD.replace('speed_kn = 10', 'speed_kn = 10\nradars = ["spy6-like", "x"]'))
    assert err.path == "ships[0].radars[1]"
    assert "unknown radar preset; valid names: spy1d-like" in err.message and err.value == "x"


def test_a_loop_needs_length() -> None:
    same = DRONE.replace("{ lat_deg = 21.5, lon_deg = 148.0 }, { lat_deg = 20.5, lon_deg = 147.5 }",
                         "{ lat_deg = 21.0, lon_deg = 149.0 }")
    err = _error(HEAD + same)
    assert err.path == "sensors[0].waypoints" and "no length" in err.message


def test_sensor_numbers_may_be_distributions() -> None:
    from tate.scenario import sample_scenario

    uniform = "speed_mps = { uniform = { low = 50, high = 70 } }"
    text = HEAD + DRONE.replace("speed_mps = 60", uniform)
    scn = loads_scenario(text)
    assert not scn.is_concrete
    drawn = sample_scenario(scn, np.random.default_rng(3))
    assert 50.0 <= drawn.sensors[0].speed_mps < 70.0


def test_a_space_viewpoint_may_not_take_another_sensors_id() -> None:
    scn = loads_scenario(HEAD + DRONE.replace('id = "UAV"', 'id = "SIR/1"') + """
[[sensors]]
id = "SIR"
type = "ir"
preset = "space-ir-like"
platform = "space"
lat_deg = 20.0
lon_deg = 140.0
waypoints = [{ lat_deg = 10.0, lon_deg = 130.0 }]
""")
    with pytest.raises(ScenarioError) as info:
        sensor_sites(scn)
    assert info.value.path == "sensors[1].id"
