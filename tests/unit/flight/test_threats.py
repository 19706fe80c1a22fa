"""Threat models flown through ``fly``: each checked against physics it must obey
(closed-form glide altitude, vacuum minimum-energy angle, ordering of lofted and
depressed shots) and against the scenario's commands (aim, altitude, waypoints)."""

from __future__ import annotations

import numpy as np
import pytest

from tate.earth import wgs84
from tate.flight.fly import FlightResult
from tate.flight.glide import equilibrium_glide_altitude

from .conftest import rows


def _summary(res: FlightResult, body: str, key: str) -> float:
    return float(res.summary[key][list(res.summary["id"]).index(body)])


def _event_time(res: FlightResult, body: str, event: str) -> float:
    sel = (res.events["id"] == body) & (res.events["event"] == event)
    (t,) = res.events["time_s"][sel]
    return float(t)


def _flight_path_angle(r: dict[str, np.ndarray]) -> np.ndarray:
    return np.degrees(np.arctan2(-r["vd_mps"], np.hypot(r["vn_mps"], r["ve_mps"])))


def _cross_track_m(r: dict[str, np.ndarray], start: tuple[float, float],
                   end: tuple[float, float]) -> np.ndarray:
    """Distance of each trajectory point from the great circle start → end [m]."""
    def unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        la, lo = np.radians(lat), np.radians(lon)
        return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], -1)

    n = np.cross(unit(*start), unit(*end))
    n /= np.linalg.norm(n)
    return wgs84.R_MEAN * np.arcsin(unit(r["lat_deg"], r["lon_deg"]) @ n)


# --- ballistic ----------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["minimum-energy", "lofted", "depressed"])
def test_ballistic_shot_lands_on_its_aim(ballistic_flight: FlightResult, mode: str) -> None:
    assert _summary(ballistic_flight, mode, "impact_error_m") < 50.0
    assert ballistic_flight.summary["outcome"][0] == "impact"


def test_lofted_above_minimum_energy_above_depressed(ballistic_flight: FlightResult) -> None:
    apogee = {m: _summary(ballistic_flight, m, "apogee_km")
              for m in ("minimum-energy", "lofted", "depressed")}
    assert apogee["lofted"] > 1.3 * apogee["minimum-energy"]
    assert apogee["minimum-energy"] > 1.3 * apogee["depressed"]
    t = {m: _summary(ballistic_flight, m, "flight_time_s") for m in apogee}
    assert t["lofted"] > t["minimum-energy"] > t["depressed"]


def test_minimum_energy_burnout_angle_is_the_vacuum_optimum(
        ballistic_flight: FlightResult) -> None:
    # Vacuum minimum-energy burnout angle: 45° − Φ/4 with Φ the range angle (Regan 1984).
    r = rows(ballistic_flight.trajectory, "minimum-energy")
    t_sep = _event_time(ballistic_flight, "minimum-energy", "rv-separation")
    k = int(np.argmin(np.abs(r["time_s"] - t_sep)))
    phi = _summary(ballistic_flight, "minimum-energy", "range_km") * 1e3 / wgs84.R_MEAN
    assert _flight_path_angle(r)[k] == pytest.approx(45.0 - np.degrees(phi) / 4, abs=3.0)


# --- boost-glide --------------------------------------------------------------------------

@pytest.mark.parametrize("body", ["eq", "alt40", "sturn", "cavh"])
def test_glider_phases_in_order_and_hits_aim(glide_flight: FlightResult, body: str) -> None:
    times = [_event_time(glide_flight, body, e) for e in ("boost", "glide", "dive", "impact")]
    assert times == sorted(times)
    assert _summary(glide_flight, body, "impact_error_m") < 50.0
    assert 8.0 < _summary(glide_flight, body, "max_mach") < 14.0


def test_equilibrium_glider_flies_at_the_closed_form_altitude(glide_flight: FlightResult) -> None:
    # The glide reference keeps 10 % of lift for steering (lift_margin 0.9), so the
    # closed form is evaluated with L/D 0.9 × 2.6.
    # After the pull-up transient has damped (second half of the glide).
    r = rows(glide_flight.trajectory, "eq")
    t_glide = _event_time(glide_flight, "eq", "glide")
    t_dive = _event_time(glide_flight, "eq", "dive")
    sel = (r["time_s"] > 0.5 * (t_glide + t_dive)) & (r["time_s"] < t_dive)
    expected = equilibrium_glide_altitude(r["speed_mps"][sel], 13_000.0, 0.9 * 2.6)
    err_km = np.abs(r["alt_m"][sel] - expected) / 1e3
    assert sel.sum() > 50
    assert err_km.max() < 1.0


def test_commanded_glide_altitude_flies_higher(glide_flight: FlightResult) -> None:
    # β is implied at glide entry so that 40 km is flyable; as the glider slows its lift
    # no longer suffices and it sinks, so the median sits a little below 40 km.
    alt40 = _summary(glide_flight, "alt40", "glide_alt_km")
    assert 36.0 < alt40 < 41.0
    assert alt40 > _summary(glide_flight, "eq", "glide_alt_km") + 2.0


def test_s_turn_weaves_across_the_track_and_straight_glider_does_not(
        glide_flight: FlightResult) -> None:
    # Both drift a few km off the great circle (pursuit of the aim against the Coriolis
    # force); only the S-turner swings from side to side: count the reversals of its
    # cross-track rate during the glide, and its swing about the straight glider's path.
    start, end = (20.0, 136.0), (20.0, 150.0)
    s, e = rows(glide_flight.trajectory, "sturn"), rows(glide_flight.trajectory, "eq")
    xs, xe = _cross_track_m(s, start, end), _cross_track_m(e, start, end)

    def reversals(r: dict[str, np.ndarray], xt: np.ndarray, body: str) -> int:
        t0 = _event_time(glide_flight, body, "glide") + 30.0
        t1 = _event_time(glide_flight, body, "dive")
        rate = np.diff(xt[(r["time_s"] > t0) & (r["time_s"] < t1)])
        return int(np.sum(np.diff(np.sign(rate)) != 0))

    assert reversals(s, xs, "sturn") >= 8  # 60 s period over ~350 s of glide
    assert reversals(e, xe, "eq") <= 2
    swing = xs - np.interp(s["downrange_km"], e["downrange_km"], xe)
    assert np.abs(swing).max() > 5_000.0


# --- cruise missiles and drones -----------------------------------------------------------

def test_sea_skimmer_holds_its_altitude_and_passes_its_waypoint(
        slow_flight: FlightResult) -> None:
    r = rows(slow_flight.trajectory, "skim")
    cruise = (r["time_s"] > 60) & (r["time_s"] < _event_time(slow_flight, "skim",
                                                               "terminal-homing"))
    np.testing.assert_allclose(r["alt_m"][cruise], 7.0, atol=0.5)
    np.testing.assert_allclose(r["speed_mps"], 270.0, rtol=1e-3)
    wp = wgs84.geodetic_to_ecef(np.radians(20.2), np.radians(149.7), 0.0)
    pos = wgs84.geodetic_to_ecef(np.radians(r["lat_deg"]), np.radians(r["lon_deg"]), 0.0)
    assert np.linalg.norm(pos - wp, axis=1).min() < 2_500.0
    assert _summary(slow_flight, "skim", "impact_error_m") < 10.0


def test_pop_up_climbs_to_its_pop_altitude_then_dives(slow_flight: FlightResult) -> None:
    r = rows(slow_flight.trajectory, "pop")
    assert r["alt_m"].max() == pytest.approx(1500.0, rel=0.2)
    assert _summary(slow_flight, "pop", "impact_error_m") < 10.0


def test_weave_moves_sideways_only_in_the_terminal_phase(slow_flight: FlightResult) -> None:
    r = rows(slow_flight.trajectory, "weave")
    xt = _cross_track_m(r, (20.0, 149.5), (20.0, 150.0))
    early = r["downrange_km"] < 25.0
    late = (r["downrange_km"] > 35.0) & (r["downrange_km"] < 50.0)
    assert np.abs(xt[early]).max() < 5.0
    assert np.abs(xt[late]).max() > 20.0


def test_drone_swarm_members_fly_their_own_schedule(slow_flight: FlightResult) -> None:
    s = slow_flight.summary
    owa = np.char.startswith(s["id"].astype(str), "owa.")
    np.testing.assert_allclose(s["launch_time_s"][owa], [0.0, 20.0, 40.0])
    assert np.all(s["impact_error_m"][owa] < 10.0)
    r = rows(slow_flight.trajectory, "owa.2")
    cruise = (r["time_s"] > 100) & (r["time_s"] < 400)
    np.testing.assert_allclose(r["alt_m"][cruise], 300.0, atol=1.0)
    np.testing.assert_allclose(r["speed_mps"][cruise], 50.0, rtol=1e-3)


def test_drone_out_of_fuel_falls_short(slow_flight: FlightResult) -> None:
    t_out = _event_time(slow_flight, "short", "fuel-out")
    assert 190.0 < t_out < 215.0  # 10 km at 50 m/s
    assert _summary(slow_flight, "short", "impact_error_m") > 5_000.0


@pytest.mark.parametrize("mode", ["minimum-energy", "lofted", "depressed"])
def test_ballistic_events_in_order(ballistic_flight: FlightResult, mode: str) -> None:
    names = ("boost", "rv-separation", "apogee", "impact")
    times = [_event_time(ballistic_flight, mode, e) for e in names]
    assert times == sorted(times)
    # the located apogee is where the 1 s samples peak
    r = rows(ballistic_flight.trajectory, mode)
    assert r["time_s"][np.argmax(r["alt_m"])] == pytest.approx(times[2], abs=1.0)


def test_implied_beta_makes_the_commanded_altitude_an_equilibrium(
        glide_flight: FlightResult) -> None:
    # At glide entry the implied β leaves 15 % lift margin at 40 km: the closed-form
    # equilibrium altitude for β × 1.15 at the entry speed is 40 km.
    beta = _summary(glide_flight, "alt40", "glide_beta_kg_m2")
    assert _summary(glide_flight, "eq", "glide_beta_kg_m2") == 13_000.0
    r = rows(glide_flight.trajectory, "alt40")
    t_sep = _event_time(glide_flight, "alt40", "glide")
    v = float(np.interp(t_sep, r["time_s"], r["speed_mps"]))
    h = equilibrium_glide_altitude(v, 1.15 * beta, 2.6, r_earth=wgs84.A, mu=wgs84.GM)
    assert float(h[0]) == pytest.approx(40_000.0, abs=300.0)



def test_no_phase_event_after_a_body_ended() -> None:
    # the model keeps updating an ended body while its sibling flies on: the near cruise
    # missile hits the ship after ~22 km (~80 s) and must not run out of fuel at 30 km
    # (~111 s) after that
    from tate.flight.fly import fly
    from tate.scenario import loads_scenario

    from .conftest import HEAD

    body = """
[[threats]]
id = "near"
model = "cruise"
launch = { lat_deg = 20.0, lon_deg = 149.79 }
aim = { ship = "S" }
range_km = 30
[[threats]]
id = "far"
model = "cruise"
launch = { lat_deg = 20.0, lon_deg = 149.0 }
aim = { ship = "S" }
"""
    ev = fly(loads_scenario(HEAD + body), dt=0.2).events
    ids, names = np.asarray(ev["id"], object), np.asarray(ev["event"], object)
    times = np.asarray(ev["time_s"], float)
    near = ids == "near"
    t_end = times[near & (names == "impact")]
    assert t_end.size == 1 and t_end[0] < 30e3 / 270.0  # it hit before its fuel ran out
    assert times[near].max() <= t_end[0], names[near & (times > t_end[0])]
    assert "impact" in set(names[ids == "far"].tolist())
